"""What the VBA wrapper of an xlclient function (``workbook/vba/xlwings_udfs.bas``, written
by xlwings' own generator) hands to Python, computed from a workbook file.

The wrapper passes ``Array(visible arguments..., hidden arguments...)``: each hidden
argument is a VBA expression Excel evaluates with the call (udf_support.sheet_expression).
:func:`evaluate_hidden` evaluates exactly those expressions against the file -- the workbook
name (``xlc_settings``), the sheet it points into, ``Worksheet.Name``, ``UsedRange.Address``
and ``UsedRange.Value`` as COM returns them (a tuple of row tuples, a scalar for one cell,
numbers as float, dates as datetime, blanks None) -- and refuses any other expression, so a
wrapper that passes something these tests do not model fails them. :func:`wrapper_calls`
reads each function's argument list from the VBA source."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from workbook.build import as_xlwings  # as the template's cached values are computed

_HIDDEN = re.compile(r'^Array\(ThisWorkbook\.Date1904, (?P<w>ThisWorkbook\.Names\("(?P<name>\w+)"\)\.RefersToRange'
                     r'\.Worksheet)\.Name, (?P=w)\.UsedRange\.Address, (?P=w)\.UsedRange\.Value\)$')


def evaluate_hidden(expression: str, path: Path) -> tuple[bool, str, str, Any]:
    """The value Excel gives the hidden argument ``expression`` in the workbook ``path``."""
    m = _HIDDEN.match(expression)
    assert m, f"a hidden argument these tests do not model: {expression}"
    wb = openpyxl.load_workbook(path)  # formulas as text; the sheets read here hold values
    name = wb.defined_names.get(m["name"])
    assert name is not None, f"the workbook has no name {m['name']}: Excel would show a VBA error in every cell"
    (sheet, _ref), = list(name.destinations)
    ws = wb[sheet]
    used = [(c.row, c.column) for row in ws.iter_rows() for c in row if c.value is not None]
    r0, c0 = min(r for r, _ in used), min(c for _, c in used)
    r1, c1 = max(r for r, _ in used), max(c for _, c in used)
    cells = tuple(tuple(as_xlwings(ws.cell(r, c).value) for c in range(c0, c1 + 1)) for r in range(r0, r1 + 1))
    address = f"${get_column_letter(c0)}${r0}"
    if (r0, c0) != (r1, c1):
        address += f":${get_column_letter(c1)}${r1}"
    value = cells[0][0] if len(cells) == 1 and len(cells[0]) == 1 else cells
    return (bool(wb.epoch == openpyxl.utils.datetime.CALENDAR_MAC_1904), ws.title, address, value)


def split_arguments(text: str) -> list[str]:
    """VBA arguments split at the top level (not inside parentheses or strings)."""
    out, depth, start, quoted = [], 0, 0, False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and ch == "," and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
    out.append(text[start:].strip())
    return out


def wrapper_calls(vba: str) -> dict[str, tuple[list[str], list[str]]]:
    """Function name -> (its Excel parameters, the Array(...) it passes to CallUDF in Excel)."""
    out = {}
    for m in re.finditer(r"^Function (\w+)\(([^)]*)\)\r?$(.*?)^End Function", vba, re.M | re.S):
        params = [p.replace("Optional ", "").strip() for p in m[2].split(",") if p.strip()]
        call = re.search(r'= XLPy\.CallUDF\("xlclient\.udfs", "\w+", Array\((.*)\), ThisWorkbook, Application\.Caller\)',
                         m[3])
        assert call, f"{m[1]}: no CallUDF in the Excel branch"
        out[m[1]] = (params, split_arguments(call[1]))
    return out
