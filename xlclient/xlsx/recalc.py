"""Formulas of other sheets that read a sheet xlclient just rewrote: recalculated on open.

A user's formula such as ``=COUNTIF(分级结果!D:D,"A")`` on their own sheet keeps, in the
file, the value it had when the workbook was last saved in Excel.  After xlclient rewrites
分级结果 that value is stale, and nothing in the file would tell a spreadsheet to
recalculate it.  Two marks, because the applications differ (measured with LibreOffice
7.4 here: it ignores ``fullCalcOnLoad`` but always computes a formula saved without a
value):

* the cached value of exactly those formulas is removed (``<v>`` and the cell's type), so
  LibreOffice and any reader that computes computes them, and a reader that cannot shows
  an empty cell rather than an old number;
* ``<calcPr fullCalcOnLoad="1"/>`` in ``workbook.xml`` makes Excel recalculate the whole
  workbook when it opens it (Excel drops the flag at its next save).

Formulas that read nothing of ours keep their cached values untouched.  A formula
"reads" a sheet when its text names it (``'分级结果'!``, ``分级结果!``, also inside
INDIRECT text), a table on it (``计划表[状态]``) or a defined name that points into it;
a false match only costs a recalculation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .xmltext import formula_cells, formula_starts, unescape

__all__ = ["stale_formulas", "reference_patterns", "may_read", "FormulaFacts", "formula_facts", "remember_facts",
           "remembered_facts"]

_CELL = re.compile(r"<((?:[\w.-]+:)?)c\b([^>]*?)(?:/>|>(.*?)</\1c>)", re.S)
_F = re.compile(r"<((?:[\w.-]+:)?)f\b([^>]*?)(?:/>|>(.*?)</\1f>)", re.S)
_V = re.compile(r"<((?:[\w.-]+:)?)v\b[^>]*?(?:/>|>.*?</\1v>)", re.S)
_ATTR = re.compile(r"([\w.:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_T_ATTR = re.compile(r"\st\s*=\s*(?:\"[^\"]*\"|'[^']*')")


def reference_patterns(sheets: Sequence[str], tables: Sequence[str] = (),
                       names: Sequence[str] = ()) -> list[re.Pattern[str]]:
    """Patterns that find a reference to any of ``sheets``, ``tables`` or defined ``names``."""
    pats = []
    for s in sheets:
        quoted = re.escape("'" + s.replace("'", "''") + "'")
        pats.append(re.compile(rf"(?:{quoted}|(?<![\w.]){re.escape(s)}|:{re.escape(s)})!", re.I))
    for t in tables:
        pats.append(re.compile(rf"(?<![\w.]){re.escape(t)}\[", re.I))
    for n in names:
        pats.append(re.compile(rf"(?<![\w.]){re.escape(n)}(?![\w.(\[])", re.I))
    return pats


@dataclass(frozen=True)
class FormulaFacts:
    """What :func:`may_read` needs of a worksheet part, kept without the part: the text of
    each formula (None when the part could not be indexed: look at it cell by cell) and
    whether a character reference occurs anywhere (it could spell a name)."""

    formulas: tuple[bytes, ...] | None
    charref: bool


def formula_facts(data: bytes) -> FormulaFacts:
    """The :class:`FormulaFacts` of a worksheet part as stored (UTF-8 bytes)."""
    starts = formula_starts(data)
    if starts is None:
        return FormulaFacts(None, True)
    return FormulaFacts(tuple(data[p:data.find(b"<", p + 1)] for p in starts), b"&#" in data)


def may_read(data: "bytes | FormulaFacts", every: Sequence[str]) -> bool:
    """Whether a worksheet part (as stored, or its :class:`FormulaFacts`) may hold a formula
    that names one of ``every`` (sheets, tables, defined names): False only when it surely
    does not, found without decoding the part -- a 100,000-row client sheet is ~60 MB of
    XML with a formula or two."""
    facts = data if isinstance(data, FormulaFacts) else formula_facts(data)
    if facts.formulas is None:
        return True
    if not facts.formulas:
        return False
    if facts.charref or any(ch in n for n in every for ch in "&'\"<>"):
        return True  # a character reference could spell a name: look cell by cell
    formulas = b" ".join(facts.formulas).decode("utf-8", "replace").casefold()
    return any(n.casefold() in formulas for n in every)


#: The facts of one package's worksheet parts, found while it was read: (the package's
#: bytes, member -> facts). Keyed by the very bytes object (immutable), so the facts are
#: used only for the same bytes; one package at a time.
_REMEMBERED: "tuple[bytes, dict[str, FormulaFacts]] | None" = None


def remember_facts(package: bytes, member: str, facts: FormulaFacts) -> None:
    """Keep the facts of ``member`` of ``package`` (the reader, which inflates every sheet
    once, tells the writer: a big sheet is then not inflated again to learn it has no
    formula reading ours; issue 15)."""
    global _REMEMBERED
    if _REMEMBERED is None or _REMEMBERED[0] is not package:
        _REMEMBERED = (package, {})
    _REMEMBERED[1][member.lstrip("/").lower()] = facts


def remembered_facts(package: bytes, member: str) -> FormulaFacts | None:
    """The facts remembered for ``member`` of this very ``package`` object, or None."""
    if _REMEMBERED is None or _REMEMBERED[0] is not package:
        return None
    return _REMEMBERED[1].get(member.lstrip("/").lower())


def stale_formulas(text: str, sheets: Sequence[str], tables: Sequence[str] = (),
                   names: Sequence[str] = ()) -> tuple[str, int]:
    """The worksheet XML ``text`` with the cached values of formulas that read ``sheets``
    (or ``tables``, or defined ``names`` pointing into them) removed; and how many."""
    if "<f" not in text and ":f" not in text:
        return text, 0
    starts = formula_starts(text)  # the formulas of a big sheet, found without a regex pass
    if starts is not None and not starts:
        return text, 0
    # a quick look before the cell-by-cell pass: no name of ours in any formula (and no
    # character reference, which could spell one) means no formula reads us
    every = (*sheets, *tables, *names)
    if "&#" not in text and not any(ch in n for n in every for ch in "&'\"<>"):  # names XML leaves as they are
        formulas = text if starts is None else " ".join(text[p:text.find("<", p + 1)] for p in starts)
        lower = formulas.casefold()
        if not any(n.casefold() in lower for n in every):
            return text, 0
    pats = reference_patterns(sheets, tables, names)
    stale_groups: set[str] = set()
    out: list[str] = []
    pos = 0
    count = 0
    cells = formula_cells(text, _CELL)
    for cm in cells:
        inner = cm[3]
        if not inner:
            continue
        fm = _F.search(inner)
        if fm is None:
            continue
        fa = {m[1]: m[2] if m[2] is not None else m[3] for m in _ATTR.finditer(fm[2])}
        formula = unescape(fm[3] or "")
        if formula:
            hit = any(p.search(formula) for p in pats)
            if hit and fa.get("t") == "shared":
                stale_groups.add(fa.get("si", ""))
        else:
            hit = fa.get("t") == "shared" and fa.get("si", "") in stale_groups
        if not hit:
            continue
        new_inner = _V.sub("", inner)
        attrs = _T_ATTR.sub("", cm[2])
        tag = f"{cm[1]}c"
        out.append(text[pos:cm.start()])
        out.append(f"<{tag}{attrs}>{new_inner}</{tag}>")
        pos = cm.end()
        count += 1
    if not count:
        return text, 0
    out.append(text[pos:])
    return "".join(out), count


