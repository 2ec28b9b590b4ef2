"""xlclient's formula cells turned into their values, for a workbook shared with colleagues
who have no Python (``xlclient values``, the 转为数值 button's file counterpart).

A cell whose formula calls one of xlclient's functions (``CLIENT_TIER`` ..., also spelt
``_xludf.CLIENT_TIER`` as some tools save an unknown function) keeps the value Excel last
computed and saved with it, and loses its formula; every other cell, formula or not, is
left byte for byte. Without the add-in, Excel, LibreOffice, WPS or Excel on the web would
turn such a formula into ``#NAME?`` / ``#VALUE!`` at the next recalculation; a value
survives any recalculation, and Excel's own formulas that read it (a COUNTIF over the tier
column) go on working.

* shared formulas: a cell of a group whose master calls an xlclient function is converted
  (the group shares that formula); an array formula's master loses its formula and every
  cell of the array keeps its saved value; a dynamic array's cell-metadata attribute goes;
* a formula's text result (``t="str"``) becomes an inline string (``t="str"`` is for formula
  cells only);
* a cell without a saved value (never calculated, or saved by a tool that does not keep
  values) or whose saved value is an error is **not** converted (nor the other cells of
  its shared formula): there is no value to keep,
  and it is reported with its sheet and cell so that someone recalculates it in Excel with
  the add-in first;
* an Excel table's calculated-column formula that calls an xlclient function is removed
  (Excel would otherwise fill new rows with the formula).

The calculation chain entries of the converted cells go with them (the writer prunes the
chain of every sheet it changed; Excel rebuilds it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from .xmltext import escape_text, formula_cells, unescape

__all__ = ["FrozenSheet", "functions_pattern", "freeze_cells", "drop_calculated_columns"]

_CELL = re.compile(r"<(?P<p>(?:[\w.-]+:)?)c\b(?P<a>[^>]*?)(?<!/)>(?P<body>.*?)</(?P=p)c>", re.S)
_F = re.compile(r"<(?P<p>(?:[\w.-]+:)?)f\b(?P<a>[^>]*?)(?:/>|>(?P<t>.*?)</(?P=p)f>)", re.S)
_V = re.compile(r"<(?P<p>(?:[\w.-]+:)?)v\b[^>]*?(?:/>|>(?P<t>.*?)</(?P=p)v>)", re.S)
_ATTR = re.compile(r'([\w:.-]+)\s*=\s*("[^"]*"|\'[^\']*\')')


def functions_pattern(names: Iterable[str]) -> re.Pattern[str]:
    """A call of one of ``names`` in a formula's text (case-insensitive, not a longer name,
    optionally with the ``_xludf.`` prefix)."""
    alternatives = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:_xludf\.)?(?:{alternatives})\s*\(", re.I)


@dataclass
class FrozenSheet:
    """What :func:`freeze_cells` did to one sheet."""

    converted: int = 0
    #: cells left as formulas: (cell, why) -- "no_value", "error_value", or "shared_group"
    #: (its shared formula's group has a cell with no value to keep)
    left: list[tuple[str, str]] = field(default_factory=list)


def _attrs(text: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in _ATTR.findall(text)]


def freeze_cells(xml: str, calls: re.Pattern[str]) -> tuple[str, FrozenSheet]:
    """The worksheet part ``xml`` with every cell whose formula matches ``calls`` holding
    its saved value only; and what was done. A shared formula's cells go together: when
    one of them has no value to keep, none of the group is converted (a converted master
    would leave the others pointing at a formula that is gone)."""
    cells = []  # (match, formula attrs, formula text, ours?)
    masters: dict[str, str] = {}
    for m in formula_cells(xml, _CELL):
        f = _F.search(m["body"])
        if f is None:
            continue
        fa = {k: v.strip("\"'") for k, v in _attrs(f["a"])}
        text = unescape(f["t"] or "")
        if fa.get("t") == "shared" and text:
            masters[fa.get("si", "")] = text
        cells.append((m, f, fa, text))
    done = FrozenSheet()
    plans = []  # (match, formula match, group, replacement or None, why left)
    blocked: set[str] = set()
    for m, f, fa, text in cells:
        group = fa.get("si", "") if fa.get("t") == "shared" else None
        if not text and group is not None:
            text = masters.get(group, "")
        if not calls.search(text):
            continue
        new, why = _frozen_cell(m, f)
        if new is None and group is not None:
            blocked.add(group)
        plans.append((m, group, new, why))
    out: list[str] = []
    pos = 0
    for m, group, new, why in plans:
        ref = next((v.strip("\"'") for k, v in _attrs(m["a"]) if k == "r"), "?")
        if new is None:
            done.left.append((ref, why))
            continue
        if group is not None and group in blocked:
            done.left.append((ref, "shared_group"))
            continue
        out.append(xml[pos:m.start()])
        out.append(new)
        pos = m.end()
        done.converted += 1
    if not done.converted:
        return xml, done
    out.append(xml[pos:])
    return "".join(out), done


def _frozen_cell(m: re.Match[str], f: re.Match[str]) -> tuple[str | None, str]:
    """The cell ``m`` (whose formula is ``f``) as its saved value, or (None, why not)."""
    body = m["body"]
    attrs = _attrs(m["a"])
    kind = next((v.strip("\"'") for k, v in attrs if k == "t"), "n")
    v = _V.search(body)
    if v is None or v["t"] is None:
        return None, "no_value"
    if kind == "e":
        return None, "error_value"
    p = m["p"]
    keep = [(k, val) for k, val in attrs if k not in ("t", "cm")]
    rest = body[:f.start()] + body[f.end():]
    if kind == "str":  # a formula's text result: an inline string in a plain cell
        keep.append(("t", '"inlineStr"'))
        value = escape_text(unescape(v["t"]))
        space = ' xml:space="preserve"' if value != value.strip() else ""
        rest = f"<{p}is><{p}t{space}>{value}</{p}t></{p}is>" + rest.replace(v[0], "", 1)
    elif kind != "n":
        keep.append(("t", f'"{kind}"'))
    attr_text = "".join(f" {k}={val}" for k, val in keep)
    return f"<{p}c{attr_text}>{rest}</{p}c>", ""


_CALCULATED = re.compile(r"<(?P<p>(?:[\w.-]+:)?)calculatedColumnFormula\b[^>]*?(?:/>|>(?P<t>.*?)"
                         r"</(?P=p)calculatedColumnFormula>)", re.S)


def drop_calculated_columns(xml: str, calls: re.Pattern[str]) -> tuple[str, int]:
    """A table part without the calculated-column formulas that call an xlclient function."""
    n = 0

    def one(m: re.Match[str]) -> str:
        nonlocal n
        if calls.search(unescape(m["t"] or "")):
            n += 1
            return ""
        return m[0]

    return _CALCULATED.sub(one, xml), n
