"""Removing a replaced sheet's cells from ``xl/calcChain.xml``.

The calculation chain lists formula cells as ``<c r="A1" i="3"/>`` where ``i`` is the
sheetId; an entry without ``i`` belongs to the same sheet as the entry before it.  When a
sheet is replaced by an owned sheet (plain values, no formulas), its entries must go, or
Excel reports the file as damaged.  If an entry that kept its sheet only by inheritance
loses its predecessor, it gets an explicit ``i``.  If nothing is left, the caller drops
the part (and its relationship and content type override).
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
    previous_removed = False
    for c in root.children:
        if c.local != "c":
            continue
        a = c.attrs()
        explicit = "i" in a
        if explicit:
            try:
                current = int(a["i"])
            except ValueError:
                raise WorkbookFormatError(f"calcChain.xml: bad sheet id {a['i']!r}") from None
        if current in sheet_ids:
            sp.delete(c.start, c.end)
            removed += 1
            previous_removed = True
            continue
        kept += 1
        if previous_removed and not explicit:
            # its sheet was inherited from a removed entry: say it explicitly
            sp.insert(c.open_end - (2 if c.empty else 1), f' i="{current}"')
        previous_removed = False
    return (sp.apply() if removed else text), removed, kept
