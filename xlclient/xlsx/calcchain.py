"""Removing a replaced sheet's cells from ``xl/calcChain.xml``.

The calculation chain lists formula cells as ``<c r="A1" i="3"/>`` where ``i`` is the
sheetId; an entry without ``i`` belongs to the same sheet as the entry before it.  When a
sheet is replaced by an owned sheet (plain values, no formulas), its entries must go, or
Excel reports the file as damaged.  Because an entry without ``i`` always belongs to the
sheet of the entry before it, removing every entry whose (explicit or inherited) sheet is
replaced never leaves a kept entry pointing at the wrong sheet.  If nothing is left, the
caller drops the part (and its relationship and content type override).
"""

from __future__ import annotations

from .errors import WorkbookFormatError
from .xmltext import Splicer, XmlTextError, parse

__all__ = ["remove_sheets_from_calc_chain"]


def remove_sheets_from_calc_chain(text: str, sheet_ids: set[int]) -> tuple[str, int, int]:
    """Return (new text, entries removed, entries kept)."""
    try:
        root = parse(text)
    except XmlTextError as exc:
        raise WorkbookFormatError(f"calcChain.xml: {exc}") from None
    sp = Splicer(text)
    current = 0
    removed = kept = 0
    for c in root.children:
        if c.local != "c":
            continue
        a = c.attrs()
        if "i" in a:
            try:
                current = int(a["i"])
            except ValueError:
                raise WorkbookFormatError(f"calcChain.xml: bad sheet id {a['i']!r}") from None
        if current in sheet_ids:
            sp.delete(c.start, c.end)
            removed += 1
        else:
            kept += 1
    return (sp.apply() if removed else text), removed, kept
