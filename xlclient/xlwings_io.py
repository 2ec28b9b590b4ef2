"""The xlwings workbook adapter: read an open workbook into plain data, write xlclient's
sheets into it.

This is the Excel twin of :mod:`xlclient.xlsx.reader` (read) and
:func:`xlclient.xlsx.owned.write_owned_sheets` (write): the jobs in :mod:`xlclient.jobs`
take a :class:`~xlclient.xlsx.reader.WorkbookData` and return
:class:`~xlclient.xlsx.worksheet.SheetSpec` objects, whichever side does the I/O.

Reading (:func:`read_workbook_data`): each worksheet's used range in one call, as xlwings
returns it -- floats for numbers, ``datetime`` for date-formatted cells, ``None`` for
blanks, ``True``/``False``, and Excel errors as their text (``#N/A``). Excel tables come
from ``sheet.tables``; their cells are sliced from the sheet's used range (no second read).

Writing (:func:`write_sheets`):

* everything is converted and checked first (sheet names, every cell); a value that cannot
  be stored raises :class:`~xlclient.xlsx.errors.CellValueError` before the book is touched;
* then the values of all owned sheets that exist are saved (values, formulas, and the
  number formats, column widths and header bold this writer is about to change);
* each owned sheet is cleared (contents only: conditional formats and validation kept) or
  created (appended after the last sheet), and written with **one** ``range.value = rows``
  call; then number formats per column, column widths, bold header rows, list validations;
* if anything fails midway, the saved sheets are written back, sheets created by this run
  are deleted, and the error is raised again (:class:`RestoreFailed` when even that fails);
* screen updating is off and calculation manual during the write; both are restored.

Text is always written as text: every ``str`` gets Excel's text prefix, a leading
apostrophe (``'``). Assigning a string through ``Range.Value`` makes Excel parse it as if
typed -- ``=A1`` becomes a formula, ``-5%`` a number, ``2026-03-05`` or ``3-5`` a date,
``00123`` the number 123, ``TRUE`` a boolean, ``@x`` an error -- and the apostrophe is the
one marker Excel (Windows and Mac) honours for all of these. It is not part of the cell's
value: ``range.value`` reads the text back without it, and so do the file readers.

An empty string is written as a blank cell.

Dates are written as ``datetime`` (a ``date`` becomes midnight); a column holding only
dates gets ``yyyy-mm-dd`` (``yyyy-mm-dd hh:mm:ss`` when some have a time) unless the spec
gives a format; other columns without a format are reset to ``General``. Dates Excel cannot
hold (before 1900) are written as ISO text, as the file writer does.

Freeze panes, autofilter and tab colour have no cross-platform xlwings call: on Windows they
are set through the COM object (``sheet.api``) after the values are written, best effort
(a failure there is cosmetic and does not undo the run); elsewhere they are left as they
are (the template's owned sheets already have them).

The xlwings API subset used -- and all that the fake book in ``tests/test_macros.py``
implements:

=====================  =================================================================
``Book``               ``.fullname``, ``.sheets``, ``.app``
``Sheets``             iteration, ``.add(name=..., after=sheet)``
``Sheet``              ``.name``, ``.used_range``, ``.tables``, ``.range(cell1, cell2)``
                       with ``(row, col)`` tuples (1-based), ``.clear_contents()``,
                       ``.delete()``
``Range``              ``.options(ndim=2, err_to_str=True).value``, ``.value = rows``,
                       ``.formula`` (read), ``.row``, ``.column``, ``.shape``,
                       ``.number_format`` (get/set), ``.column_width`` (get/set),
                       ``.font.bold`` (get/set), ``.data_validation.set_list(values)``
                       (xlwings 0.37.5+; skipped on older versions)
``Table``              ``.name``, ``.header_row_range``, ``.data_body_range``
``App``                ``.status_bar``, ``.screen_updating``, ``.calculation`` (get/set)
=====================  =================================================================
"""

from __future__ import annotations

import datetime as dt
import re
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engine.book import SheetGrid, TableInfo
from .xlsx.cells import MAX_TEXT, column_letter, iso_text, text_units, time_fraction
from .xlsx.errors import CellValueError, SpecError, XlsxWriteError
from .xlsx.names import validate_sheet_name
from .xlsx.reader import WorkbookData
from .xlsx.worksheet import DATE_FORMAT, DATETIME_FORMAT, SheetSpec, highlight_formula

__all__ = ["read_workbook_data", "write_sheets", "WriteSummary", "RestoreFailed", "excel_value",
           "GENERAL", "TEXT_PREFIX", "ERROR_LITERALS"]

GENERAL = "General"
TEXT_PREFIX = "'"
ERROR_LITERALS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                            "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})
_INT_LIMIT = 2 ** 31  # larger ints go to Excel as floats (COM has no 64-bit cell integers)
_FIRST_DAY = dt.datetime(1900, 1, 1)

Progress = Callable[[str], None]


class RestoreFailed(XlsxWriteError):
    """A write failed and putting the owned sheets back failed too: the workbook must be
    closed without saving."""

    def __init__(self, error: BaseException, restore_error: BaseException):
        self.error, self.restore_error = error, restore_error
        super().__init__(f"writing failed ({error}) and restoring the sheets failed too ({restore_error}); "
                         "close the workbook WITHOUT saving / 写入失败且无法恢复，请关闭工作簿且不要保存")


# --------------------------------------------------------------------------- reading


def read_workbook_data(book: Any) -> WorkbookData:
    """Every worksheet (used range, with its position) and every Excel table of ``book``."""
    grids: list[SheetGrid] = []
    tables: list[TableInfo] = []
    for sheet in book.sheets:
        used = sheet.used_range
        rows = _marked_errors(_rows2d(used.options(ndim=2, err_to_str=True).value))
        grid = SheetGrid(sheet.name, rows, used.row - 1, used.column - 1, hidden=not _visible(sheet))
        grids.append(grid)
        for table in sheet.tables:
            info = _table_info(sheet.name, table, grid)
            if info is not None:
                tables.append(info)
    return WorkbookData(Path(str(book.fullname)), grids, tables, _date1904(book))


_ERROR_TEXT = re.compile(r"#(?:N/A|DIV/0!|NAME\?|GETTING_DATA|[A-Z][A-Z_]*[!?])\Z")


#: Excel's error values (XlCVError) by code. Through COM an error cell reads as the HRESULT
#: ``_COM_ERROR_BASE + code``.
_CV_ERRORS = {2000: "#NULL!", 2007: "#DIV/0!", 2015: "#VALUE!", 2023: "#REF!", 2029: "#NAME?", 2036: "#NUM!",
              2042: "#N/A", 2043: "#GETTING_DATA", 2045: "#SPILL!", 2046: "#CONNECT!", 2047: "#BLOCKED!",
              2048: "#UNKNOWN!", 2049: "#FIELD!", 2050: "#CALC!"}
_COM_ERROR_BASE = -2146828288


def _marked_errors(rows: list[list[Any]]) -> list[list[Any]]:
    """Error values as the file reader hands them to the engine (engine.grid.ExcelError),
    so that an error in an input cell is a reported problem in Excel as on the command
    line (SPEC 2). What xlwings hands over (xlwings 0.3x, ``_xlwindows.py``
    ``_clean_value_data_element`` and ``cell_errors``; ``_xlmac.py``): with
    ``err_to_str=True`` the seven classic errors as their text (``#N/A``); on Windows every
    newer one (``#SPILL!``, ``#CALC!`` ...) as the raw COM code, an int such as
    -2146826243, which would otherwise be read as an amount; on a Mac errors as text. A
    text typed as ``#N/A`` Excel itself stores as that error."""
    from .engine.grid import ExcelError

    for row in rows:
        for j, v in enumerate(row):
            t = type(v)
            if t is str:
                if v[:1] == "#" and _ERROR_TEXT.match(v):
                    row[j] = ExcelError(v)
            elif t is int and 2000 <= v - _COM_ERROR_BASE <= 2100:
                code = v - _COM_ERROR_BASE
                row[j] = ExcelError(_CV_ERRORS.get(code, f"#ERROR{code}!"))
    return rows


def _visible(sheet: Any) -> bool:
    """Whether a sheet is visible (unknown -> visible)."""
    try:
        return bool(sheet.visible)
    except Exception:  # noqa: BLE001 - fakes and older xlwings without Sheet.visible
        return True


def _rows2d(value: Any) -> list[list[Any]]:
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        return [[value]]
    if value and not isinstance(value[0], (list, tuple)):
        return [list(value)]
    return [list(r) for r in value]


def _shaped(value: Any, shape: tuple[int, int]) -> list[list[Any]]:
    """A range property (e.g. ``formula``) as rows of the range's shape, whatever nesting the
    platform returned (Windows: tuples of tuples; a one-row or one-column range may come flat)."""
    rows, cols = shape
    if not isinstance(value, (list, tuple)):
        return [[value]]
    if value and not isinstance(value[0], (list, tuple)):
        flat = list(value)
        if rows == 1:
            return [flat]
        if cols == 1:
            return [[x] for x in flat]
        return [flat[i * cols:(i + 1) * cols] for i in range(rows)]
    return [list(r) for r in value]


def _table_info(sheet_name: str, table: Any, grid: SheetGrid) -> TableInfo | None:
    header = table.header_row_range
    if header is None:  # header row switched off: nothing to recognise the columns by
        return None
    r0, c0 = header.row - 1, header.column - 1
    width = header.shape[1]
    body = table.data_body_range

    def cells(sheet_row: int) -> list[Any]:
        i = sheet_row - grid.first_row
        row = grid.rows[i] if 0 <= i < len(grid.rows) else []
        j = c0 - grid.first_col
        out = list(row[j:j + width]) if j >= 0 else []
        return out + [None] * (width - len(out))

    rows = [] if body is None else [cells(body.row - 1 + k) for k in range(body.shape[0])]
    return TableInfo(name=table.name, sheet=sheet_name, headers=cells(r0), rows=rows, header_row=r0, first_col=c0)


def _date1904(book: Any) -> bool:
    try:
        return bool(book.api.Date1904)  # Windows (COM); elsewhere not available
    except Exception:
        return False


# --------------------------------------------------------------------------- values


def excel_value(value: Any, sheet: str = "?", row: int = 1, col: int = 0) -> Any:
    """A Python value as it is handed to ``range.value`` (see the module docstring);
    raises CellValueError when Excel cannot hold it. ``row`` is 1-based, ``col`` 0-based."""
    if value is None:
        return None
    t = type(value)
    if t is str:
        return _text(value, sheet, row, col)
    if t is bool:
        return value
    if t is int:
        return value if -_INT_LIMIT < value < _INT_LIMIT else float(value)
    if t is float:
        if math.isnan(value):
            return None
        if math.isinf(value):
            raise CellValueError(sheet, row, col, "infinite numbers cannot be stored in Excel")
        return value
    if isinstance(value, dt.datetime):
        if value != value:  # pandas NaT
            return None
        d = dt.datetime(value.year, value.month, value.day, value.hour, value.minute, value.second,
                        value.microsecond)  # wall-clock time; drops tzinfo and pandas extras
        return d if d >= _FIRST_DAY else _text(iso_text(value), sheet, row, col)
    if isinstance(value, dt.date):
        d = dt.datetime(value.year, value.month, value.day)
        return d if d >= _FIRST_DAY else _text(iso_text(value), sheet, row, col)
    if isinstance(value, dt.time):
        return time_fraction(value)
    if isinstance(value, str):
        return _text(str(value), sheet, row, col)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return excel_value(int(value), sheet, row, col)
    if isinstance(value, float):
        return excel_value(float(value), sheet, row, col)
    item = getattr(value, "item", None)  # numpy / pandas scalars
    if item is not None:
        try:
            plain = item()
        except (TypeError, ValueError):
            plain = value
        if plain is not value:
            if isinstance(plain, int) and not isinstance(plain, bool) and getattr(value, "dtype", None) is not None \
                    and str(value.dtype).startswith("datetime64"):
                plain = _datetime64(value)
            return excel_value(plain, sheet, row, col)
    raise CellValueError(sheet, row, col, f"cannot store a {type(value).__name__} value: {value!r}")


def _datetime64(value: Any) -> Any:
    import numpy as np

    if np.isnat(value):
        return None
    return value.astype("datetime64[us]").item()


def _text(s: str, sheet: str, row: int, col: int) -> str | None:
    if not s:
        return None  # an empty text is a blank cell (an apostrophe alone would make a non-blank one)
    if text_units(s) > MAX_TEXT:
        raise CellValueError(sheet, row, col, f"text of {text_units(s)} characters is longer than Excel's {MAX_TEXT}")
    return TEXT_PREFIX + s


# --------------------------------------------------------------------------- planning


@dataclass
class _Plan:
    """One sheet, fully converted: what will be written, computed before touching Excel."""

    spec: SheetSpec
    grid: list[list[Any]]
    width: int
    formats: dict[int, str]  # 0-based column -> number format of the data rows
    validations: list[tuple[str, list[str]]]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def height(self) -> int:
        return len(self.grid)


def _plan(spec: SheetSpec) -> _Plan:
    validate_sheet_name(spec.name)
    if not isinstance(spec.header_rows, int) or spec.header_rows < 0:
        raise SpecError(f"sheet {spec.name!r}: header_rows must be a non-negative integer")
    width = max((len(r) for r in spec.rows), default=0)
    grid = []
    kinds: dict[int, set[str]] = {}
    for r, values in enumerate(spec.rows, 1):
        out = []
        for c, v in enumerate(values):
            x = excel_value(v, spec.name, r, c)
            out.append(x)
            if r > spec.header_rows and x is not None:
                kinds.setdefault(c, set()).add(_kind(x))
        grid.append(out + [None] * (width - len(out)))
    formats: dict[int, str] = {}
    for c in range(width):
        explicit = spec.number_formats.get(c)
        if explicit is not None:
            formats[c] = str(explicit)
        elif kinds.get(c) == {"date"}:
            formats[c] = DATE_FORMAT
        elif kinds.get(c) and kinds[c] <= {"date", "datetime"}:
            formats[c] = DATETIME_FORMAT
        else:
            formats[c] = GENERAL
    for col in spec.column_widths:
        if not (0 <= int(col) < 16_384) or not (0 <= float(spec.column_widths[col]) <= 255):
            raise SpecError(f"sheet {spec.name!r}: bad column width {col}: {spec.column_widths[col]!r}")
    validations = []
    for sqref, values in spec.data_validations:
        values = [str(v) for v in values]
        if not values:
            raise SpecError(f"sheet {spec.name!r}: data validation {sqref!r} has no allowed values")
        validations.append((sqref, values))
    return _Plan(spec, grid, width, formats, validations)


def _kind(x: Any) -> str:
    if isinstance(x, dt.datetime):
        return "date" if (x.hour, x.minute, x.second, x.microsecond) == (0, 0, 0, 0) else "datetime"
    return "other"


# --------------------------------------------------------------------------- snapshots


@dataclass
class _Snapshot:
    """What an owned sheet held before this run, enough to put it back."""

    sheet: Any
    row: int
    column: int
    cells: list[list[Any]]  # ready to assign: formulas as "=...", text with the prefix
    number_formats: list[tuple[tuple[int, int, int], Any]] = field(default_factory=list)  # (r0, r1, col) -> fmt
    widths: dict[int, Any] = field(default_factory=dict)  # 1-based column -> width
    bold: list[tuple[tuple[int, int, int], Any]] = field(default_factory=list)  # (r, c0, c1) -> bold


def _snapshot(sheet: Any, plan: _Plan) -> _Snapshot:
    used = sheet.used_range
    values = _rows2d(used.options(ndim=2, err_to_str=True).value)
    formulas = _shaped(used.formula, used.shape)
    cells = []
    for vr, fr in zip(values, formulas):
        row = []
        for v, f in zip(vr, fr):
            row.append(_restorable(v, f))
        cells.append(row)
    snap = _Snapshot(sheet, used.row, used.column, cells)
    last = max(used.row + used.shape[0] - 1, plan.height)
    h = plan.spec.header_rows
    if plan.height > h:
        for c in range(plan.width):
            key = (h + 1, last, c + 1)
            snap.number_formats.append((key, sheet.range((h + 1, c + 1), (last, c + 1)).number_format))
    for c in plan.spec.column_widths:
        snap.widths[int(c) + 1] = sheet.range((1, int(c) + 1)).column_width
    if h and plan.width:
        snap.bold.append(((h, 1, plan.width), sheet.range((1, 1), (h, plan.width)).font.bold))
    return snap


def _restorable(value: Any, formula: Any) -> Any:
    """The cell as it must be assigned to come back the same."""
    if isinstance(formula, str) and formula.startswith("=") and formula != value:
        return formula  # a real formula (a text constant reads back equal to its formula)
    if isinstance(value, str):
        if value in ERROR_LITERALS and formula == value:
            return value  # a typed error constant
        return TEXT_PREFIX + value
    return value


def _restore(book: Any, snapshots: Sequence[_Snapshot], created: Sequence[Any]) -> None:
    for snap in snapshots:
        sheet = snap.sheet
        sheet.clear_contents()
        if snap.cells:
            rows, cols = len(snap.cells), max(len(r) for r in snap.cells)
            sheet.range((snap.row, snap.column), (snap.row + rows - 1, snap.column + cols - 1)).value = snap.cells
        for (r0, r1, c), fmt in snap.number_formats:
            if fmt is not None:  # None: the column had mixed formats (not restored)
                sheet.range((r0, c), (r1, c)).number_format = fmt
        for c, w in snap.widths.items():
            if w is not None:
                sheet.range((1, c)).column_width = w
        for (h, c0, c1), bold in snap.bold:
            if bold is not None:
                sheet.range((1, c0), (h, c1)).font.bold = bold
    for sheet in reversed(created):
        sheet.delete()


# --------------------------------------------------------------------------- writing


@dataclass
class WriteSummary:
    """What :func:`write_sheets` did."""

    replaced: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    cosmetic_skipped: list[str] = field(default_factory=list)  # freeze/autofilter/tab colour not applied


def write_sheets(book: Any, sheets: Sequence[SheetSpec], progress: Progress | None = None) -> WriteSummary:
    """Write ``sheets`` into the open workbook ``book``: all of them, or none (see the module
    docstring). A sheet whose name exists (case-insensitively) is cleared and rewritten in
    place; the others are appended after the last sheet."""
    say = progress or (lambda text: None)
    names = set()
    for spec in sheets:
        if spec.name.casefold() in names:
            raise SpecError(f"sheet {spec.name!r} is given twice")
        names.add(spec.name.casefold())
    plans = [_plan(spec) for spec in sheets]  # may raise: nothing touched yet

    app = book.app
    saved_screen, saved_calc = _get(app, "screen_updating"), _get(app, "calculation")
    _set(app, "screen_updating", False)
    _set(app, "calculation", "manual")
    summary = WriteSummary()
    snapshots: list[_Snapshot] = []
    created: list[Any] = []
    try:
        existing = {s.name.casefold(): s for s in book.sheets}
        targets = []
        kept: list[dict[int, dict[int, Any]]] = []
        for plan in plans:
            sheet = existing.get(plan.name.casefold())
            if sheet is not None:
                snapshots.append(_snapshot(sheet, plan))
                kept.append(_their_cells(snapshots[-1], plan.spec))  # may refuse: nothing written yet
            else:
                kept.append({})
            targets.append(sheet)
        try:
            for i, (plan, sheet) in enumerate(zip(plans, targets), 1):
                say(f"{plan.name} ({i}/{len(plans)})")
                if sheet is None:
                    last = list(book.sheets)[-1]
                    sheet = book.sheets.add(name=plan.name, after=last)
                    created.append(sheet)
                    summary.added.append(plan.name)
                else:
                    sheet.clear_contents()
                    summary.replaced.append(plan.name)
                _write(sheet, plan)
                _put_their_cells(sheet, kept[i - 1])
        except BaseException as error:
            try:
                _restore(book, snapshots, created)
            except Exception as restore_error:
                raise RestoreFailed(error, restore_error) from error
            raise
        for plan, sheet in zip(plans, targets):
            target = sheet if sheet is not None else _find(book, plan.name)
            drawn = _charts(target, plan.spec) if plan.spec.charts and target is not None else True
            looks = _looks(target, plan) if target is not None else True
            if not _cosmetics(target, plan) or not drawn or not looks:
                summary.cosmetic_skipped.append(plan.name)
    finally:
        _set(app, "calculation", saved_calc)
        _set(app, "screen_updating", saved_screen)
    return summary


def _their_cells(snap: _Snapshot, spec: SheetSpec) -> dict[int, dict[int, Any]]:
    """What people typed in the sheet's columns that xlclient does not own, moved with its
    row (``spec.row_map``): 1-based column -> {new row: cell as assigned}. A formula keeps
    reading its own row. Raises AdditionsCannotBeKept when a cell's row is gone or two
    land on one cell -- before anything is written. (Notes, links and formats stay where
    Excel has them: see the README's known limits.)"""
    from .xlsx.additions import RowMapper, describe, shift_formula
    from .xlsx.cells import column_letter
    from .xlsx.errors import AdditionsCannotBeKept

    owned = spec.owned()
    rows: RowMapper | None = None  # built (the row map computed) only when there is a cell of theirs
    out: dict[int, dict[int, Any]] = {}
    problems = []
    for i, cells in enumerate(snap.cells):
        old_row = snap.row + i
        for j, cell in enumerate(cells):
            col = snap.column + j  # 1-based
            if col - 1 in owned or cell is None or cell == "" or cell == TEXT_PREFIX:
                continue
            rows = rows or RowMapper(spec.row_map)
            new_row = rows(old_row)
            ref = f"{column_letter(col - 1)}{old_row}"
            if new_row is None or new_row in out.get(col, {}):
                problems.append(describe("cell" if new_row is None else "collision", ref, spec.name))
                continue
            if isinstance(cell, str) and cell.startswith("=") and new_row != old_row:
                cell = "=" + shift_formula(cell[1:], new_row - old_row)
            out.setdefault(col, {})[new_row] = cell
    if problems:
        raise AdditionsCannotBeKept(spec.name, problems)
    return out


def _put_their_cells(sheet: Any, cells: dict[int, dict[int, Any]]) -> None:
    """Write the people's cells back, one call per column."""
    for col, by_row in sorted(cells.items()):
        r0, r1 = min(by_row), max(by_row)
        sheet.range((r0, col), (r1, col)).value = [[by_row.get(r)] for r in range(r0, r1 + 1)]


def _write(sheet: Any, plan: _Plan) -> None:
    if plan.height and plan.width:
        sheet.range((1, 1), (plan.height, plan.width)).value = plan.grid
    h = plan.spec.header_rows
    if plan.height > h:
        used = sheet.used_range
        last = max(used.row + used.shape[0] - 1, plan.height)
        for c, fmt in plan.formats.items():
            sheet.range((h + 1, c + 1), (last, c + 1)).number_format = fmt
    for c, w in sorted(plan.spec.column_widths.items()):
        sheet.range((1, int(c) + 1)).column_width = float(w)
    if h and plan.width:
        sheet.range((1, 1), (h, plan.width)).font.bold = True
    for (r0, r1, c), fmt in _format_runs(plan.spec.cell_formats):
        sheet.range((r0 + 1, c + 1), (r1 + 1, c + 1)).number_format = fmt
    for c in sorted(plan.spec.wrap_columns):
        if plan.height > h:
            sheet.range((h + 1, c + 1), (plan.height, c + 1)).wrap_text = True  # xlwings >= 0.23.2
    for r in sorted(plan.spec.wrap_rows):
        width = len(plan.spec.rows[r]) if r < len(plan.spec.rows) else 0
        if width:
            sheet.range((r + 1, 1), (r + 1, width)).wrap_text = True
    for r in sorted(plan.spec.bold_rows):
        width = len(plan.spec.rows[r]) if r < len(plan.spec.rows) else 0
        if width:
            sheet.range((r + 1, 1), (r + 1, width)).font.bold = True
    for sqref, values in plan.validations:
        validation = getattr(sheet.range(sqref), "data_validation", None)  # xlwings >= 0.37.5
        if validation is not None:
            validation.set_list(values)


def _format_runs(formats: dict[tuple[int, int], str]) -> list[tuple[tuple[int, int, int], str]]:
    """Per-cell number formats as runs down a column: ((first row, last row, column), format)."""
    runs: list[tuple[tuple[int, int, int], str]] = []
    for (r, c), fmt in sorted(formats.items(), key=lambda t: (t[0][1], t[0][0])):
        if runs and runs[-1][1] == fmt and runs[-1][0][2] == c and runs[-1][0][1] == r - 1:
            runs[-1] = ((runs[-1][0][0], r, c), fmt)
        else:
            runs.append(((r, r, c), fmt))
    return runs


def formulas_to_values(book: Any, functions: Sequence[str]) -> dict[str, Any]:
    """The open workbook's cells that call one of ``functions`` hold their current value
    instead (the 转为数值 button; ``xlclient values`` does the same to a file, see
    :mod:`xlclient.xlsx.freeze`). Cells are found by their formula text in each sheet's used
    range and written back column run by column run. A dynamic array's anchor takes its
    whole spill range with it (Windows: ``Range.HasSpill`` / ``SpillingToRange``), so the
    spilled values stay. A cell showing an error value is left as it is. Returns sheet name
    -> :class:`~xlclient.xlsx.freeze.FrozenSheet`."""
    from .xlsx.freeze import FrozenSheet, functions_pattern

    calls = functions_pattern(functions)
    out: dict[str, Any] = {}
    for sheet in book.sheets:
        used = sheet.used_range
        formulas = _shaped(used.formula, used.shape)
        found = [(r, c) for r, row in enumerate(formulas) for c, f in enumerate(row)
                 if isinstance(f, str) and f.startswith("=") and calls.search(f)]
        if not found:
            continue
        values = _rows2d(used.options(ndim=2, err_to_str=True).value)
        r0, c0 = used.row, used.column
        done = out[sheet.name] = FrozenSheet()
        keep = set()
        for r, c in found:
            v = values[r][c] if r < len(values) and c < len(values[r]) else None
            if isinstance(v, str) and v in ERROR_LITERALS:
                done.left.append((f"{column_letter(c0 + c - 1)}{r0 + r}", "error_value"))
                continue
            keep.add((r, c))
            last = _spill_end(sheet, r0 + r, c0 + c)
            for rr in range(r + 1, min(last - r0 + 1, len(values))):
                keep.add((rr, c))
        for (ra, rb, c) in _column_runs(keep):  # text as text (a leading "=" is no formula)
            sheet.range((r0 + ra, c0 + c), (r0 + rb, c0 + c)).value = [
                [excel_value(values[i][c], sheet.name, r0 + i, c0 + c - 1)] for i in range(ra, rb + 1)]
        done.converted = len(keep & set(found))
    return out


def _spill_end(sheet: Any, row: int, col: int) -> int:
    """The last row a dynamic array anchored at (row, col) spills to (row itself when none,
    or when Excel cannot say: Mac, older Excel)."""
    if sys.platform != "win32":
        return row
    try:
        cell = sheet.range((row, col)).api
        if cell.HasSpill:
            spill = cell.SpillingToRange
            return int(spill.Row) + int(spill.Rows.Count) - 1
    except Exception:  # noqa: BLE001 -- no spill support: the cell alone
        pass
    return row


def _column_runs(cells: set[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Cells (row, column) as runs down a column: (first row, last row, column)."""
    runs: list[tuple[int, int, int]] = []
    for r, c in sorted(cells, key=lambda t: (t[1], t[0])):
        if runs and runs[-1][2] == c and runs[-1][1] == r - 1:
            runs[-1] = (runs[-1][0], r, c)
        else:
            runs.append((r, r, c))
    return runs


def calculate_cell(cell: Any) -> None:
    """Calculate one cell now (Range.Calculate on Windows; xlwings' App.calculate elsewhere,
    where functions do not calculate anyway)."""
    try:
        if sys.platform == "win32":
            cell.api.Calculate()
        else:
            cell.sheet.book.app.calculate()
    except Exception:  # noqa: BLE001 -- the cell then shows what it shows; the check says so
        pass


def recalculate_everything(book: Any) -> bool:
    """Every formula of the open workbooks recalculated, dependent or not (Excel's
    CalculateFull on Windows, Ctrl+Alt+F9; xlwings' ``App.calculate`` elsewhere): the
    functions' hidden Settings and Holidays arguments are no precedents Excel tracks.
    True when done; never raises (the results are written already)."""
    try:
        app = book.app
        if sys.platform == "win32":
            app.api.CalculateFull()
        else:
            app.calculate()
        return True
    except Exception:  # noqa: BLE001 -- a busy or refusing Excel: the values stand
        return False


def _looks(sheet: Any, plan: _Plan) -> bool:
    """Colours by content and right-aligned headers, as the headless writer gives them.

    xlwings >= 0.37.5 (main.py: ``Range.conditional_formats`` with ``add_custom``,
    ``ConditionalFormat.formula`` and ``delete``; ``Range.horizontal_alignment``), on Windows
    and Mac. A colour rule of an earlier run -- the same condition (:func:`highlight_formula`)
    on the column's first data cell -- is deleted before the rules are added again, so runs
    do not pile them up; a person's own rules are left alone. True when applied."""
    spec = plan.spec
    try:
        for (r, c0, c1) in _row_runs(spec.right_aligned):
            sheet.range((r + 1, c0 + 1), (r + 1, c1 + 1)).horizontal_alignment = "right"
        first = spec.header_rows + 1
        last = max(plan.height, first)
        for col, words, font, fill in spec.highlights:
            ours = {highlight_formula(w, col, first) for w in words}
            for rule in list(sheet.range((first, col + 1)).conditional_formats):
                if _condition(rule.formula) in ours:
                    rule.delete()
            rules = sheet.range((first, col + 1), (last, col + 1)).conditional_formats
            for word in words:
                rules.add_custom("=" + highlight_formula(word, col, first), fill_color="#" + fill[-6:],
                                 font_color="#" + font[-6:])
        return True
    except Exception:  # noqa: BLE001 -- an older xlwings or a refusing Excel: the values are written
        return False


def _condition(formula: Any) -> str:
    """A rule's condition as :func:`highlight_formula` writes it (no "=", no "$")."""
    text = str(formula or "").strip()
    return text[1:].replace("$", "") if text.startswith("=") else text.replace("$", "")


def _row_runs(cells: frozenset[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Cells (row, column) as runs along a row: (row, first column, last column)."""
    runs: list[tuple[int, int, int]] = []
    for r, c in sorted(cells):
        if runs and runs[-1][0] == r and runs[-1][2] == c - 1:
            runs[-1] = (r, runs[-1][1], c)
        else:
            runs.append((r, c, c))
    return runs


#: Excel's own chart types for the dashboard's chart kinds (xlwings' ChartType names).
_EXCEL_CHARTS = {"column": "column_clustered", "column_stacked": "column_stacked", "bar": "bar_clustered",
                 "line": "line_markers", "pie": "pie"}


def _charts(sheet: Any, spec: SheetSpec) -> bool:
    """Excel's own charts for ``spec.charts`` (the headless path draws the same with
    XlsxWriter): xlclient's charts of an earlier run (named ``xlclient …``) are deleted,
    a person's are left alone. xlwings' API: ``sheet.charts.add(left, top, width, height)``,
    ``chart.set_source_data(range)``, ``chart.chart_type``, ``chart.name`` (xlwings
    main.py, class Charts/Chart). The title is set through COM on Windows only.
    True when drawn; a chart that fails is left out (the values are written already)."""
    from .xlsx.cells import column_letter
    from .xlsx.charts import MARK

    try:
        for chart in list(sheet.charts):
            if str(chart.name).startswith(MARK + " "):
                chart.delete()
        for c in spec.charts:
            series = list(c.series) + list(c.secondary)
            if not series:
                continue
            r0, r1, cc = c.categories
            head = series[0][0]

            def area(col: int) -> str:
                return f"${column_letter(col)}${head + 1}:${column_letter(col)}${r1 + 1}"

            source = sheet.range(",".join([area(cc)] + [area(col) for _, _, _, col in series]))
            anchor = sheet.range((c.anchor[0] + 1, c.anchor[1] + 1))
            chart = sheet.charts.add(anchor.left, anchor.top, 375, 225)
            chart.set_source_data(source)
            chart.chart_type = _EXCEL_CHARTS.get(c.kind, "column_clustered")
            chart.name = f"{MARK} {c.name or c.title}"
            if sys.platform == "win32":
                try:
                    chart.api[1].HasTitle = True
                    chart.api[1].ChartTitle.Text = c.title
                except Exception:  # the title only
                    pass
        return True
    except Exception:  # cosmetic: never undo a good write for it
        return False


def _find(book: Any, name: str) -> Any:
    for s in book.sheets:
        if s.name.casefold() == name.casefold():
            return s
    return None


def _cosmetics(sheet: Any, plan: _Plan) -> bool:
    """Autofilter, tab colour and frozen header through COM on Windows; True when applied."""
    if sheet is None or sys.platform != "win32":
        return False
    try:
        ws = sheet.api
        spec = plan.spec
        if ws.AutoFilterMode:
            ws.AutoFilterMode = False  # also shows rows a stale filter had hidden
        h = spec.header_rows
        if spec.autofilter and h and plan.width:
            last, last_col = max(plan.height, h), plan.width - 1
            if spec.table_end is not None:  # the plan only, not the blocks under it
                last, last_col = max(spec.table_end[0], h), spec.table_end[1]
            ws.Range(f"A{h}:{column_letter(last_col)}{last}").AutoFilter()
        if spec.landscape:  # A4 landscape, one page wide (PageSetup: xlLandscape = 2)
            setup = ws.PageSetup
            setup.Orientation = 2
            setup.Zoom = False
            setup.FitToPagesWide, setup.FitToPagesTall = 1, False
        if spec.tab_color:
            rgb = spec.tab_color.lstrip("#")[-6:]
            ws.Tab.Color = int(rgb[4:6] + rgb[2:4] + rgb[0:2], 16)  # Excel wants BGR
        if spec.freeze_header and h:
            window = ws.Application.ActiveWindow
            active = ws.Application.ActiveSheet
            ws.Activate()
            window.FreezePanes = False
            window.ScrollRow, window.ScrollColumn = 1, 1
            window.SplitColumn, window.SplitRow = 0, h
            window.FreezePanes = True
            active.Activate()
        return True
    except Exception:  # cosmetic only: never undo a good write for it
        return False


def _get(obj: Any, name: str) -> Any:
    try:
        return getattr(obj, name)
    except Exception:
        return None


def _set(obj: Any, name: str, value: Any) -> None:
    if value is None:
        return
    try:
        setattr(obj, name, value)
    except Exception:  # e.g. calculation cannot be set while a cell is being edited
        pass
