"""The buttons (xlclient.macros) and the xlwings adapter (xlclient.xlwings_io), against a
fake xlwings book.

The fake implements exactly the xlwings API subset listed in xlclient/xlwings_io.py, and
behaves like Excel where it matters here: a string assigned through ``Range.value`` is
parsed as if typed (``=...`` becomes a formula, ``12``/``-5%``/``TRUE``/``2026-03-05``
become numbers, booleans and dates) unless it starts with the text prefix ``'``; numbers
read back as floats, dates as ``datetime``, blanks as ``None``; ``used_range`` covers cells
with a value or a format.
"""

from __future__ import annotations

import ast
import copy
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from xlclient import jobs, macros
from xlclient.demo import write_demo_workbook
from xlclient.engine.labels import sheet_name
from xlclient.xlsx.cells import column_letter
from xlclient.xlsx.errors import CellValueError
from xlclient.xlsx.reader import read_workbook
from xlclient.xlsx.worksheet import SheetSpec
from xlclient.xlwings_io import RestoreFailed, excel_value, read_workbook_data, write_sheets

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 9, 30)


# --------------------------------------------------------------------------- the fake


class InjectedError(RuntimeError):
    """Stands for a COM error in the middle of a write (Excel busy, sheet protected ...)."""


def _parse_typed(s: str) -> tuple[Any, str | None, bool]:
    """(value, formula, prefixed) of a string assigned as Excel parses typed input."""
    if s.startswith("'"):
        return s[1:], None, True
    if s.startswith("=") and len(s) > 1:
        return f"<formula {s}>", s, False
    t = s.strip()
    if t.upper() in ("TRUE", "FALSE"):
        return t.upper() == "TRUE", None, False
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?%?", t):
        return float(t.rstrip("%")) / (100 if t.endswith("%") else 1), None, False
    m = re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", t)
    if m:
        try:
            return dt.datetime(int(m[1]), int(m[2]), int(m[3])), None, False
        except ValueError:
            pass
    if t[:1] in ("+", "-", "@") and len(t) > 1:
        return "#NAME?", "=" + t.lstrip("+@"), False  # Excel would make a formula of it
    return s, None, False


class FakeFont:
    def __init__(self, rng: "FakeRange"):
        self.rng = rng

    @property
    def bold(self) -> bool | None:
        vals = {self.rng.sheet.bold.get(rc, False) for rc in self.rng.coords()}
        return vals.pop() if len(vals) == 1 else None

    @bold.setter
    def bold(self, value: bool) -> None:
        self.rng.sheet.book.touch()
        for rc in self.rng.coords():
            self.rng.sheet.bold[rc] = bool(value)


class FakeValidation:
    def __init__(self, rng: "FakeRange"):
        self.rng = rng

    def set_list(self, source, *, in_cell_dropdown: bool = True) -> None:
        self.rng.sheet.book.touch()
        self.rng.sheet.validations[self.rng.address] = list(source)


class FakeRule:
    """What xlwings' ConditionalFormat offers (main.py, 0.37.5): formula, delete; Excel gives
    the condition back with its "=" and as written for the rule's first cell."""

    def __init__(self, sheet: "FakeSheet", area: tuple[int, int, int, int], formula: str, fill: str, font: str):
        self.sheet, self.area, self.formula, self.fill_color, self.font_color = sheet, area, formula, fill, font

    def delete(self) -> None:
        self.sheet.book.touch()
        self.sheet.rules.remove(self)


class FakeRules:
    """Range.conditional_formats: the rules whose range meets this one; add_custom adds one
    over this range."""

    def __init__(self, rng: "FakeRange"):
        self.rng = rng

    def __iter__(self):
        r = self.rng
        return iter([x for x in self.rng.sheet.rules
                     if x.area[0] <= r.r1 and r.r0 <= x.area[2] and x.area[1] <= r.c1 and r.c0 <= x.area[3]])

    def add_custom(self, formula: str, *, fill_color=None, font_color=None, font_bold=None, font_italic=None,
                   stop_if_true=False) -> FakeRule:
        assert formula.startswith("="), formula
        r = self.rng
        self.rng.sheet.book.touch()
        rule = FakeRule(r.sheet, (r.r0, r.c0, r.r1, r.c1), formula, fill_color, font_color)
        r.sheet.rules.append(rule)
        return rule


class FakeRange:
    def __init__(self, sheet: "FakeSheet", r0: int, c0: int, r1: int, c1: int, ndim: int | None = None,
                 err_to_str: bool = False):
        self.sheet, self.r0, self.c0, self.r1, self.c1 = sheet, r0, c0, r1, c1
        self._ndim = ndim

    def options(self, ndim: int | None = None, err_to_str: bool = False, **_: Any) -> "FakeRange":
        return FakeRange(self.sheet, self.r0, self.c0, self.r1, self.c1, ndim, err_to_str)

    def coords(self):
        for r in range(self.r0, self.r1 + 1):
            for c in range(self.c0, self.c1 + 1):
                yield r, c

    @property
    def row(self) -> int:
        return self.r0

    @property
    def column(self) -> int:
        return self.c0

    @property
    def shape(self) -> tuple[int, int]:
        return self.r1 - self.r0 + 1, self.c1 - self.c0 + 1

    @property
    def address(self) -> str:
        return f"${column_letter(self.c0 - 1)}${self.r0}:${column_letter(self.c1 - 1)}${self.r1}"

    def _shaped(self, cell):
        rows = [[cell(r, c) for c in range(self.c0, self.c1 + 1)] for r in range(self.r0, self.r1 + 1)]
        if self._ndim == 2:
            return rows
        if self.shape == (1, 1):
            return rows[0][0]
        if self.shape[0] == 1:
            return rows[0]
        if self.shape[1] == 1:
            return [r[0] for r in rows]
        return rows

    @property
    def value(self):
        return self._shaped(lambda r, c: self.sheet.values.get((r, c)))

    @value.setter
    def value(self, data) -> None:
        book = self.sheet.book
        if not isinstance(data, list):
            data = [[data]]
        elif data and not isinstance(data[0], list):
            data = [data]
        for i, row in enumerate(data):
            if book.fail_at is not None and book.writes == book.fail_at and i == len(data) // 2:
                book.fail_at = None  # one failure, after half the rows were written
                raise InjectedError(f"injected failure while writing {self.sheet.name!r}")
            for j, v in enumerate(row):
                self.sheet.put(self.r0 + i, self.c0 + j, v)
        book.writes += 1

    @property
    def formula(self):
        def f(r, c):
            if (r, c) in self.sheet.formulas:
                return self.sheet.formulas[(r, c)]
            v = self.sheet.values.get((r, c))
            if v is None:
                return ""
            if isinstance(v, bool):
                return "TRUE" if v else "FALSE"
            if isinstance(v, float):
                return repr(v)
            if isinstance(v, dt.datetime):
                return f"{v.month}/{v.day}/{v.year}"
            return str(v)
        rows = [[f(r, c) for c in range(self.c0, self.c1 + 1)] for r in range(self.r0, self.r1 + 1)]
        return rows[0][0] if self.shape == (1, 1) else tuple(tuple(r) for r in rows)

    @formula.setter
    def formula(self, text: str) -> None:  # a formula typed into the cell; no add-in computes it here
        self.sheet.book.touch()
        for r, c in self.coords():
            self.sheet.formulas[(r, c)] = text
            self.sheet.values[(r, c)] = self.sheet.book.computes(text)

    @property
    def number_format(self) -> str | None:
        vals = {self.sheet.formats.get(rc, "General") for rc in self.coords()}
        return vals.pop() if len(vals) == 1 else None

    @number_format.setter
    def number_format(self, fmt: str) -> None:
        self.sheet.book.touch()
        for rc in self.coords():
            if fmt == "General":
                self.sheet.formats.pop(rc, None)
            else:
                self.sheet.formats[rc] = fmt

    @property
    def left(self) -> float:  # points, as Excel: default column width 48 pt
        return sum(self.sheet.widths.get(c, 8.43) * 5.7 for c in range(1, self.c0))

    @property
    def top(self) -> float:  # points, as Excel: default row height 15 pt
        return 15.0 * (self.r0 - 1)

    @property
    def column_width(self) -> float:
        return self.sheet.widths.get(self.c0, 8.43)

    @column_width.setter
    def column_width(self, w: float) -> None:
        self.sheet.book.touch()
        for c in range(self.c0, self.c1 + 1):
            self.sheet.widths[c] = float(w)

    @property
    def font(self) -> FakeFont:
        return FakeFont(self)

    @property
    def data_validation(self) -> FakeValidation:
        return FakeValidation(self)

    @property
    def conditional_formats(self) -> FakeRules:
        return FakeRules(self)

    @property
    def horizontal_alignment(self) -> str | None:
        vals = {self.sheet.align.get(rc, "general") for rc in self.coords()}
        return vals.pop() if len(vals) == 1 else None

    @horizontal_alignment.setter
    def horizontal_alignment(self, value: str) -> None:
        self.sheet.book.touch()
        for rc in self.coords():
            self.sheet.align[rc] = value


def _cell(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", ref.upper())
    col = 0
    for ch in m[1]:
        col = col * 26 + ord(ch) - 64
    return int(m[2]), col


class FakeTable:
    def __init__(self, sheet: "FakeSheet", name: str, header_row: int, first_col: int, n_cols: int, n_rows: int):
        self.sheet, self.name = sheet, name
        self._h, self._c, self._w, self._n = header_row, first_col, n_cols, n_rows

    @property
    def header_row_range(self) -> FakeRange:
        return FakeRange(self.sheet, self._h, self._c, self._h, self._c + self._w - 1)

    @property
    def data_body_range(self) -> FakeRange | None:
        if not self._n:
            return None
        return FakeRange(self.sheet, self._h + 1, self._c, self._h + self._n, self._c + self._w - 1)


class FakeChart:
    """What xlwings' Chart offers (main.py, class Chart): name, chart_type, set_source_data,
    delete; left/top in points."""

    def __init__(self, sheet: "FakeSheet", left: float, top: float, width: float, height: float):
        self.sheet, self.left, self.top, self.width, self.height = sheet, left, top, width, height
        self.name, self.chart_type, self.source = f"Chart {len(sheet.chart_list) + 1}", "column_clustered", None

    def set_source_data(self, rng: Any) -> None:
        self.source = rng.address

    def delete(self) -> None:
        self.sheet.chart_list.remove(self)


class FakeCharts:
    def __init__(self, sheet: "FakeSheet"):
        self.sheet = sheet

    def __iter__(self):
        return iter(list(self.sheet.chart_list))

    def add(self, left: float = 0, top: float = 0, width: float = 355, height: float = 211) -> FakeChart:
        chart = FakeChart(self.sheet, left, top, width, height)
        self.sheet.chart_list.append(chart)
        return chart


class FakeAreas:
    """A multi-area range such as "$A$5:$A$8,$C$5:$C$8" (only its address is used)."""

    def __init__(self, address: str):
        self.address = address


class FakeSheet:
    def __init__(self, book: "FakeBook", name: str):
        self.book, self.name = book, name
        self.values: dict[tuple[int, int], Any] = {}
        self.formulas: dict[tuple[int, int], str] = {}
        self.prefixed: set[tuple[int, int]] = set()
        self.formats: dict[tuple[int, int], str] = {}
        self.widths: dict[int, float] = {}
        self.bold: dict[tuple[int, int], bool] = {}
        self.validations: dict[str, list[str]] = {}
        self.tables: list[FakeTable] = []
        self.chart_list: list[FakeChart] = []
        self.charts = FakeCharts(self)
        self.rules: list[FakeRule] = []
        self.align: dict[tuple[int, int], str] = {}

    def put(self, r: int, c: int, v: Any) -> None:
        self.formulas.pop((r, c), None)
        self.prefixed.discard((r, c))
        if v is None:
            self.values.pop((r, c), None)
            return
        if isinstance(v, str):
            v, formula, prefixed = _parse_typed(v)
            if formula is not None:
                self.formulas[(r, c)] = formula
            if prefixed:
                self.prefixed.add((r, c))
        elif isinstance(v, bool):
            pass
        elif isinstance(v, (int, float)):
            v = float(v)
        elif isinstance(v, dt.datetime):
            pass
        else:
            raise TypeError(f"COM cannot take a {type(v).__name__}: {v!r}")
        if v == "":
            self.values.pop((r, c), None)
        else:
            self.values[(r, c)] = v

    def range(self, cell1, cell2=None) -> FakeRange:
        if isinstance(cell1, str) and "," in cell1:
            return FakeAreas(cell1)
        if isinstance(cell1, str):
            parts = cell1.split(":")
            (r0, c0), (r1, c1) = _cell(parts[0]), _cell(parts[-1])
        else:
            (r0, c0) = cell1
            (r1, c1) = cell2 if cell2 is not None else cell1
        return FakeRange(self, r0, c0, r1, c1)

    @property
    def used_range(self) -> FakeRange:
        keys = set(self.values) | set(self.formulas) | set(self.formats) | set(self.bold)
        if not keys:
            return FakeRange(self, 1, 1, 1, 1)
        rows = [k[0] for k in keys]
        cols = [k[1] for k in keys]
        return FakeRange(self, min(rows), min(cols), max(rows), max(cols))

    def clear_contents(self) -> None:
        self.book.touch()
        self.values.clear()
        self.formulas.clear()
        self.prefixed.clear()

    def delete(self) -> None:
        self.book.sheet_list.remove(self)

    def state(self) -> dict[str, Any]:
        return copy.deepcopy({"values": self.values, "formulas": self.formulas, "prefixed": self.prefixed,
                              "formats": self.formats, "widths": self.widths, "bold": self.bold,
                              "validations": self.validations})


class FakeSheets:
    def __init__(self, book: "FakeBook"):
        self.book = book

    def __iter__(self):
        return iter(list(self.book.sheet_list))

    def __len__(self) -> int:
        return len(self.book.sheet_list)

    def add(self, name: str | None = None, before=None, after=None) -> FakeSheet:
        if any(s.name.casefold() == (name or "").casefold() for s in self.book.sheet_list):
            raise ValueError(f"sheet {name!r} exists")
        self.book.touch()
        sheet = FakeSheet(self.book, name)
        i = self.book.sheet_list.index(after) + 1 if after is not None else 0
        self.book.sheet_list.insert(i, sheet)
        return sheet


class FakeApp:
    def __init__(self):
        self._status: Any = False
        self.status_history: list[Any] = []
        self.screen_updating = True
        self.calculation = "automatic"
        self.alerts: list[tuple[str, str | None, str | None]] = []
        self.calculations = 0

    def calculate(self) -> None:  # xlwings App.calculate (not on Windows, where CalculateFull is used)
        self.calculations += 1

    @property
    def status_bar(self):
        return self._status

    @status_bar.setter
    def status_bar(self, value) -> None:
        self._status = value
        self.status_history.append(value)

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        self.alerts.append((prompt, title, mode))
        return "ok"


class FakeBook:
    def __init__(self, fullname: str = "client-book.xlsm"):
        self.fullname = fullname
        self.sheet_list: list[FakeSheet] = []
        self.sheets = FakeSheets(self)
        self.app = FakeApp()
        self.writes = 0
        self.fail_at: int | None = None  # fail during the n-th range.value assignment (0-based)
        self.names: list[Any] = []  # xlwings Names: each with .name and .refers_to

    def touch(self) -> None:
        pass

    def computes(self, formula: str) -> Any:
        """What Excel shows for a formula typed into a cell (xlwings reads an error as None)."""
        return None

    def sheet(self, name: str) -> FakeSheet | None:
        return next((s for s in self.sheet_list if s.name == name), None)

    def state(self) -> dict[str, Any]:
        return {s.name: s.state() for s in self.sheet_list}

    @classmethod
    def from_file(cls, path: Path) -> "FakeBook":
        """A fake holding what xlwings would read from the workbook file."""
        data = read_workbook(path)
        book = cls(str(path))
        for grid in data.sheets:
            sheet = FakeSheet(book, grid.name)
            book.sheet_list.append(sheet)
            for i, row in enumerate(grid.rows):
                for j, v in enumerate(row):
                    if v is None or v == "":
                        continue
                    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
                        v = dt.datetime(v.year, v.month, v.day)
                    r, c = grid.first_row + i + 1, grid.first_col + j + 1
                    if isinstance(v, str):
                        sheet.values[(r, c)] = str(v)  # xlwings gives text, errors too (err_to_str)
                    else:
                        sheet.put(r, c, v)
        for t in data.tables:
            sheet = book.sheet(t.sheet)
            sheet.tables.append(FakeTable(sheet, t.name, t.header_row + 1, t.first_col + 1, len(t.headers), len(t.rows)))
        return book


# --------------------------------------------------------------------------- fixtures


@pytest.fixture()
def demo_path(tmp_path: Path) -> Path:
    path = tmp_path / "book.xlsx"
    write_demo_workbook(path, n_clients=60, seed=7, today=TODAY)
    return path


@pytest.fixture()
def book(demo_path: Path) -> FakeBook:
    return FakeBook.from_file(demo_path)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """Compute as of TODAY, whatever the date is when the tests run."""
    real = jobs.load_inputs

    def load(data, *, today=None, table=None):
        return real(data, today=today or TODAY, table=table)

    monkeypatch.setattr(jobs, "load_inputs", load)


def _plain(v: Any) -> Any:
    """A SheetSpec value as it reads back from Excel."""
    if v is None or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None)
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    if hasattr(v, "item"):
        return _plain(v.item())
    return v if v != "" else None


def _grid(sheet: FakeSheet) -> list[list[Any]]:
    used = sheet.used_range
    rows = used.options(ndim=2).value
    return [list(r) for r in rows]


def _expected_rows(spec: SheetSpec) -> list[list[Any]]:
    width = max(len(r) for r in spec.rows)
    return [[_plain(v) for v in r] + [None] * (width - len(r)) for r in spec.rows]


def _collect():
    shown: list[tuple[str, str]] = []
    return shown, (lambda text, title: shown.append((text, title)))


# --------------------------------------------------------------------------- refresh


def test_refresh_writes_the_same_sheets_as_the_command_line_as_plain_values(book, demo_path):
    shown, alert = _collect()
    outcome = macros.run_job(book, "refresh", alert=alert, now=NOW)
    assert outcome.ok, shown
    assert shown == []
    names = [sheet_name(k, "zh") for k in ("classification", "issues", "log")]
    assert outcome.sheets == names

    # The command line's path on the file gives the same sheets, cell for cell.
    expected = jobs.refresh(jobs.load_inputs(read_workbook(demo_path)))
    expected.sheets[-1].rows[-1][0] = NOW
    for spec in expected.sheets:
        sheet = book.sheet(spec.name)
        assert sheet is not None
        got = _grid(sheet)
        want = _expected_rows(spec)
        if spec.name == sheet_name("log", "zh"):
            want[-1][1] = got[-1][1]  # the user name
            want[-1][2] = got[-1][2]  # "what": the button's own label
            assert got[-1][2] == "刷新分级（Excel 按钮）"
        assert got == want, spec.name
        # Plain values only: no formula anywhere; every text went in with the text prefix.
        assert sheet.formulas == {}
        texts = {rc for rc, v in sheet.values.items() if isinstance(v, str)}
        assert texts == sheet.prefixed
    # Formats: header bold, percent and date columns, widths.
    cls = book.sheet(names[0])
    assert cls.range((1, 1), (1, 12)).font.bold is True
    n = len(outcome.counts) and cls.used_range.shape[0]
    assert cls.range((2, 9), (n, 9)).number_format == "0.0%"  # as on 看板: likelihoods are given to 0.1 %
    assert cls.range((2, 10), (n, 10)).number_format == "yyyy-mm-dd"
    assert cls.range((1, 2)).column_width == 28
    assert outcome.counts["clients"] == len(expected.classification.frame)


def test_refresh_reports_progress_and_restores_excel_state(book):
    book.app.status_bar = "用户自己的状态"
    book.app.status_history.clear()
    outcome = macros.run_job(book, "refresh", alert=_collect()[1])
    assert outcome.ok
    shown = [s for s in book.app.status_history if isinstance(s, str)]
    assert any("读取" in s for s in shown) and any("写入" in s for s in shown)
    assert any("分级结果 (1/3)" in s for s in shown)
    assert all(s.startswith("xlclient 刷新分级") for s in shown[:-1])
    assert book.app.status_bar == "用户自己的状态"
    assert book.app.screen_updating is True
    assert book.app.calculation == "automatic"


def test_refresh_recalculates_every_formula_and_the_other_buttons_do_not(book):
    """The functions' Settings and Holidays are hidden arguments Excel does not track: the
    refresh button recalculates everything so an edited Settings sheet reaches them."""
    shown, alert = _collect()
    assert macros.run_job(book, "plan", alert=alert, now=NOW).ok, shown
    assert book.app.calculations == 0
    assert macros.run_job(book, "refresh", alert=alert, now=NOW).ok, shown
    assert book.app.calculations == 1


def test_refresh_twice_keeps_previous_tiers_and_appends_to_the_log(book):
    macros.run_job(book, "refresh", alert=_collect()[1], now=NOW)
    macros.run_job(book, "refresh", alert=_collect()[1], now=NOW + dt.timedelta(hours=1))
    log = _grid(book.sheet("运行日志"))
    assert log[0] == ["时间", "用户", "操作", "结果"]
    assert [r[0] for r in log[1:]] == [NOW, NOW + dt.timedelta(hours=1)]


def test_text_that_looks_like_a_formula_number_or_date_stays_text(book):
    table_sheet = book.sheet("客户台账")
    t = table_sheet.tables[0]
    headers = t.header_row_range.value
    name_col = t.header_row_range.column + headers.index("客户名称")
    first = t.data_body_range.row
    tricky = ["=HYPERLINK(\"http://x\",\"点我\")", "+86 21 5555", "-5%", "@risk", "00123", "2026-03-05", "TRUE",
              "'quoted"]
    for i, text in enumerate(tricky):
        table_sheet.values[(first + i, name_col)] = text
    outcome = macros.run_job(book, "refresh", alert=_collect()[1])
    assert outcome.ok
    cls = book.sheet("分级结果")
    names = [r[1] for r in _grid(cls)[1:]]
    for text in tricky:
        assert text in names
    assert cls.formulas == {}


# --------------------------------------------------------------------------- errors


def _fill_owned_sheets(book: FakeBook) -> None:
    """Owned sheets as a user might have them: an earlier refresh plus own touches."""
    assert macros.run_job(book, "refresh", alert=_collect()[1], now=NOW).ok
    cls = book.sheet("分级结果")
    cls.put(3, 14, "'经理备注：=不要改")
    cls.put(4, 14, "=SUM(D2:D3)")
    cls.formats[(5, 14)] = "0.00"
    cls.put(5, 14, 3.25)


@pytest.mark.parametrize("fail_at", [0, 1, 2])
def test_an_error_midway_leaves_the_owned_sheets_exactly_as_they_were(book, fail_at):
    _fill_owned_sheets(book)
    # The Issues sheet did not exist before this run: it must not exist after a failed one.
    book.sheet_list.remove(book.sheet("数据问题"))
    before = book.state()
    order = [s.name for s in book.sheet_list]
    book.writes, book.fail_at = 0, fail_at
    shown, alert = _collect()
    outcome = macros.run_job(book, "refresh", alert=alert)
    assert not outcome.ok
    assert book.state() == before
    assert [s.name for s in book.sheet_list] == order
    assert len(shown) == 1
    text, title = shown[0]
    assert "工作簿未作任何改动" in text and "InjectedError" in text
    assert title == "xlclient 刷新分级"
    assert book.app.status_bar is False
    assert book.app.calculation == "automatic" and book.app.screen_updating is True


def test_an_unexpected_error_goes_to_a_log_file_not_to_stderr(book, monkeypatch, tmp_path, capsys):
    """On a Mac xlwings shows whatever Python wrote to stderr in a second box: the
    traceback goes to a log file, and the one message box says where it is."""
    monkeypatch.setenv("XLCLIENT_LOG_DIR", str(tmp_path / "logs"))
    book.writes, book.fail_at = 0, 0
    shown, alert = _collect()
    capsys.readouterr()
    outcome = macros.run_job(book, "refresh", alert=alert)
    out, err = capsys.readouterr()
    assert not outcome.ok and err == "" and "Traceback" not in out
    logs = list((tmp_path / "logs").glob("xlclient-*.log"))
    assert len(logs) == 1 and str(logs[0]) in shown[0][0]
    assert "InjectedError" in logs[0].read_text(encoding="utf-8")


MAC_RUN = """
import json, logging, sys, warnings
sys.path.insert(0, {tests!r})
import xlwings as xw
from xlclient import jobs, macros
from test_macros import FakeBook

book = FakeBook.from_file({demo!r})
xw.Book.caller = classmethod(lambda cls: book)

def noisy(inputs, **kwargs):  # a library warns, something logs, something prints, then a bug
    warnings.warn("a library's deprecation", DeprecationWarning)
    logging.getLogger("somelib").warning("a library's log line")
    print("stray output", file=sys.stderr)
    raise RuntimeError("a bug")

jobs.refresh = noisy
try:
    macros.refresh()  # what xlwings runs: python -c "import xlclient.macros; xlclient.macros.refresh()"
finally:
    print(json.dumps(book.app.alerts, ensure_ascii=False))
"""


def test_on_a_mac_a_failed_button_shows_one_box_and_nothing_after_it(demo_path, tmp_path):
    """xlwings on a Mac sends the Python process's stderr to ~/xlwings.log and shows that
    file in a message box at exit when it is not empty (its add-in's ExecuteMac / CleanUp).
    Simulated: the button's process runs as xlwings runs it, stderr to a file; a warning,
    a log line, stray output and a bug along the way. One box (xlclient's) and an empty
    stderr file; what was written there is kept in xlclient's log folder."""
    import subprocess
    import sys as _sys

    logs = tmp_path / "logs"
    script = MAC_RUN.format(tests=str(Path(__file__).parent), demo=str(demo_path))
    env = {**__import__("os").environ, "XLCLIENT_LOG_DIR": str(logs), "PYTHONWARNINGS": "default"}
    xlwings_log = tmp_path / "xlwings.log"
    with open(xlwings_log, "wb") as err:
        done = subprocess.run([_sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=err, env=env,
                              timeout=120)
    assert xlwings_log.read_text(encoding="utf-8") == ""  # CleanUp shows no second box
    alerts = __import__("json").loads(done.stdout.decode().strip().splitlines()[-1])
    kept = {p.name: p.read_text(encoding="utf-8") for p in logs.glob("xlclient-*.log")}
    error_log = next(logs / n for n in kept if not n.endswith("-stderr.log"))
    assert len(alerts) == 1 and alerts[0][2] == "critical"
    assert str(error_log) in alerts[0][0] and "Traceback" not in alerts[0][0]  # the box names the log file
    noise = next(t for n, t in kept.items() if n.endswith("-stderr.log"))
    for text in ("a library's deprecation", "a library's log line", "stray output"):
        assert text in noise, text
    assert any("RuntimeError: a bug" in t for n, t in kept.items() if not n.endswith("-stderr.log"))


def test_a_failing_restore_says_to_close_without_saving(book, monkeypatch):
    _fill_owned_sheets(book)
    book.writes, book.fail_at = 0, 1
    real_clear = FakeSheet.clear_contents
    calls = {"n": 0}

    def clear(self):
        calls["n"] += 1
        if calls["n"] > 3:  # the restore's clears
            raise InjectedError("Excel is busy")
        real_clear(self)

    monkeypatch.setattr(FakeSheet, "clear_contents", clear)
    shown, alert = _collect()
    outcome = macros.run_job(book, "refresh", alert=alert)
    assert not outcome.ok
    assert "WITHOUT saving" in shown[0][0] and "不要保存" in shown[0][0]


def test_bad_settings_are_reported_and_nothing_is_written(book):
    settings = book.sheet("设置")
    label_col = next(c for (r, c), v in settings.values.items() if v == "A类累计占比")
    row = next(r for (r, c), v in settings.values.items() if v == "A类累计占比")
    settings.values[(row, label_col + 1)] = "很多"
    before = book.state()
    shown, alert = _collect()
    outcome = macros.run_job(book, "refresh", alert=alert)
    assert not outcome.ok
    assert book.state() == before
    assert "设置" in shown[0][0] and "很多" in shown[0][0]


def test_a_value_excel_cannot_hold_is_refused_before_the_book_is_touched(book, monkeypatch):
    def job(inputs, what="x"):
        spec = SheetSpec("看板", [["a", "b"], [1.0, float("inf")]])
        return jobs.RefreshResult(None, [], [spec], {})

    monkeypatch.setattr(jobs, "dashboard", job, raising=False)
    before = book.state()
    shown, alert = _collect()
    assert not macros.run_job(book, "dashboard", alert=alert).ok
    assert book.state() == before
    assert "infinite" in shown[0][0]


def test_a_button_whose_job_has_not_landed_says_so(book, monkeypatch):
    monkeypatch.delattr(jobs, "dashboard", raising=False)
    before = book.state()
    shown, alert = _collect()
    outcome = macros.run_job(book, "dashboard", alert=alert)
    assert not outcome.ok
    assert "管理看板" in shown[0][0] and "pip install -U xlclient" in shown[0][0]
    assert book.state() == before


def test_jobs_are_looked_up_when_the_button_is_pressed(book, monkeypatch):
    seen = {}

    def plan(inputs, start=None, weeks=None, what="plan"):
        seen["what"] = what
        rows = [["日期", "客户经理", "客户编号"], [dt.date(2026, 11, 24), "张伟", "KH0001"]]
        return jobs.RefreshResult(None, [], [SheetSpec("拜访计划", rows, number_formats={0: "yyyy-mm-dd"})],
                                  {"visits": 1})

    monkeypatch.setattr(jobs, "plan", plan, raising=False)
    outcome = macros.run_job(book, "plan", alert=_collect()[1])
    assert outcome.ok and outcome.counts == {"visits": 1}
    assert seen["what"] == "生成拜访计划（Excel 按钮）"
    assert _grid(book.sheet("拜访计划")) == [["日期", "客户经理", "客户编号"],
                                            [dt.datetime(2026, 11, 24), "张伟", "KH0001"]]


def test_the_python_entry_points_use_the_calling_book(book, monkeypatch):
    import xlwings as xw

    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: book))
    macros.refresh()
    assert book.sheet("分级结果") is not None
    assert book.app.alerts == []


# --------------------------------------------------------------------------- reassign


def vba_pystr(s: str) -> str:
    """Python port of PyStr() in workbook/vba/XlClient.bas (UTF-16 code units, as VBA sees them)."""
    out = "'"
    units = s.encode("utf-16-le")
    for i in range(0, len(units), 2):
        code = int.from_bytes(units[i:i + 2], "little")
        ch = chr(code)
        if ch.isascii() and (ch.isalnum() or ch in " ._-"):
            out += ch
        else:
            out += f"\\u{code:04X}"
    return out + "'"


@pytest.mark.parametrize("name", ["张伟", "O'Brien \"Bob\"", "50%折扣 & <x> | ^", "𠀀王", "a\\b"])
def test_names_from_the_vba_prompt_reach_python_unchanged(name):
    literal = vba_pystr(name)
    assert literal.isascii() and '"' not in literal[1:-1] and "%" not in literal
    assert macros._clean(ast.literal_eval(literal)) == name.strip()


def test_reassign_checks_the_names_and_passes_them_to_the_job(book, monkeypatch):
    seen = {}

    def reassign(inputs, departing_owner, to_owners=None):
        seen.update(departing_owner=departing_owner, to_owners=to_owners)
        return jobs.RefreshResult(None, [], [SheetSpec("交接", [["客户经理"], [departing_owner]])], {"moved": 3})

    monkeypatch.setattr(jobs, "reassign", reassign, raising=False)
    shown, alert = _collect()
    assert macros.run_job(book, "reassign", alert=alert, departing_owner="张伟", to_owners="李娜，王芳").ok
    assert seen == {"departing_owner": "张伟", "to_owners": ["李娜", "王芳"]}

    before = book.state()
    assert not macros.run_job(book, "reassign", alert=alert, departing_owner="张三", to_owners="").ok
    assert "没有客户经理「张三」" in shown[-1][0] and "李娜" in shown[-1][0]
    assert not macros.run_job(book, "reassign", alert=alert, departing_owner="张伟", to_owners="张伟").ok
    assert not macros.run_job(book, "reassign", alert=alert, departing_owner="", to_owners="").ok
    assert book.state() == before


# --------------------------------------------------------------------------- the adapter


def test_reading_through_xlwings_finds_the_same_client_book_as_the_file_reader(book, demo_path):
    via_excel = jobs.load_inputs(read_workbook_data(book))
    via_file = jobs.load_inputs(read_workbook(demo_path))
    assert via_excel.book.table == via_file.book.table == "客户表"
    assert via_excel.book.header_row == via_file.book.header_row
    a, b = via_excel.book.frame, via_file.book.frame
    assert list(a.columns) == list(b.columns)
    assert a.equals(b)
    assert [(p.row, p.column, p.code) for p in via_excel.book.problems] == \
           [(p.row, p.column, p.code) for p in via_file.book.problems]


@pytest.mark.parametrize("error", ["#N/A", "#SPILL!", "#CALC!", "#REF!", "#NEWTHING!"])
def test_an_error_value_read_through_xlwings_is_the_same_problem_as_from_the_file(demo_path, error):
    """xlwings hands an error cell over as its text (err_to_str): it is the same reported
    problem as the file reader's, never a blank (SPEC 2)."""
    from adversary import column_cell, set_cell

    refs = [column_cell(demo_path, h, k) for h, k in (("年度投放额(万元)", 3), ("客户经理", 4), ("最近拜访日期", 5))]
    for ref in refs:
        set_cell(demo_path, "客户台账", ref, f't="e"|<v>{error}</v>')
    via_excel = jobs.load_inputs(read_workbook_data(FakeBook.from_file(demo_path)))
    via_file = jobs.load_inputs(read_workbook(demo_path))
    found = [(p.row, p.column, p.code) for p in via_file.book.problems if p.code == "excel_error"]
    assert len(found) == 3
    assert [(p.row, p.column, p.code, str(p.value)) for p in via_excel.book.problems] == \
           [(p.row, p.column, p.code, str(p.value)) for p in via_file.book.problems]


def test_an_error_that_xlwings_hands_over_as_a_com_code_is_an_error_not_an_amount(demo_path):
    """On Windows xlwings turns only the seven classic errors into text; #SPILL! and the
    other newer ones arrive as the COM code (an int near -2.1e9): never an amount."""
    from adversary import column_cell

    book = FakeBook.from_file(demo_path)
    ref = column_cell(demo_path, "年度投放额(万元)", 3)
    letters = ref.rstrip("0123456789")
    row, col = int(ref[len(letters):]), sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(letters)))
    book.sheet("客户台账").values[(row, col)] = -2146828288 + 2045  # #SPILL! through COM
    inputs = jobs.load_inputs(read_workbook_data(book))
    found = [p for p in inputs.book.problems if p.row == row and p.code == "excel_error"]
    assert [str(p.value) for p in found] == ["#SPILL!"]
    billings = inputs.book.frame.loc[inputs.book.frame["row"] == row, "billings"].to_numpy(dtype=float)
    assert len(billings) == 1 and billings[0] != billings[0]  # NaN: no amount, never -2,146,826,243


def test_sheets_are_replaced_in_place_and_new_ones_appended(book):
    order = [s.name for s in book.sheet_list]
    write_sheets(book, [SheetSpec("设置", [["x"]], owned_columns=frozenset(range(4))),
                        SheetSpec("新表", [["h"], ["v"]])])
    assert [s.name for s in book.sheet_list] == order + ["新表"]
    assert _grid(book.sheet("设置")) == [["x"]]


def test_cells_people_typed_beside_an_owned_sheet_move_with_their_row(book):
    """The Excel twin of the file writer's rule (xlclient.xlsx.additions): columns xlclient
    does not own are the people's; their cells follow the row map, formulas keep reading
    their own row, and a cell whose row is gone makes the run refuse before any write."""
    from xlclient.xlsx.errors import AdditionsCannotBeKept

    write_sheets(book, [SheetSpec("表", [["h"], ["a"], ["b"], ["c"]], owned_columns=frozenset({0}))])
    sheet = book.sheet("表")
    sheet.put(1, 3, "跟进人")
    sheet.put(3, 3, "小李")
    sheet.put(4, 3, "=A4&\"!\"")
    write_sheets(book, [SheetSpec("表", [["h"], ["b"], ["c"], ["d"]], owned_columns=frozenset({0}),
                                  row_map={2: None, 3: 2, 4: 3})])
    grid = _grid(sheet)
    assert [r[0] for r in grid] == ["h", "b", "c", "d"]
    assert grid[0][2] == "跟进人" and grid[1][2] == "小李" and grid[3][2] is None
    assert sheet.range((3, 3)).formula == "=A3&\"!\""
    before = _grid(sheet)
    with pytest.raises(AdditionsCannotBeKept, match="C2"):
        write_sheets(book, [SheetSpec("表", [["h"]], owned_columns=frozenset({0}), row_map={2: None, 3: None})])
    assert _grid(sheet) == before


def test_excel_values():
    import numpy as np
    import pandas as pd

    assert excel_value("=1+1") == "'=1+1"
    assert excel_value("") is None
    assert excel_value(float("nan")) is None
    assert excel_value(np.float64(2.5)) == 2.5
    assert excel_value(np.int64(7)) == 7
    assert excel_value(2 ** 40) == float(2 ** 40)
    assert excel_value(np.bool_(True)) is True
    china = dt.timezone(dt.timedelta(hours=8))  # a fixed offset: no tz database needed
    assert excel_value(pd.Timestamp("2026-03-05 10:00", tz=china)) == dt.datetime(2026, 3, 5, 10)
    assert excel_value(np.datetime64("2026-03-05")) == dt.datetime(2026, 3, 5)
    assert excel_value(pd.NaT) is None
    assert excel_value(dt.date(2026, 3, 5)) == dt.datetime(2026, 3, 5)
    assert excel_value(dt.date(1899, 12, 1)) == "'1899-12-01"
    assert excel_value(dt.time(12, 0)) == 0.5
    with pytest.raises(CellValueError):
        excel_value(float("-inf"))
    with pytest.raises(CellValueError):
        excel_value("x" * 40000)
    with pytest.raises(CellValueError):
        excel_value(object())


def test_restore_failure_type():
    err = RestoreFailed(RuntimeError("a"), RuntimeError("b"))
    assert "WITHOUT saving" in str(err)


def test_range_properties_are_shaped_whatever_the_platform_returns():
    from xlclient.xlwings_io import _shaped

    assert _shaped("=A1", (1, 1)) == [["=A1"]]
    assert _shaped(("a", "b"), (1, 2)) == [["a", "b"]]
    assert _shaped(["a", "b"], (2, 1)) == [["a"], ["b"]]  # a flat column (Mac)
    assert _shaped((("a",), ("b",)), (2, 1)) == [["a"], ["b"]]  # Windows
    assert _shaped(["a", "b", "c", "d"], (2, 2)) == [["a", "b"], ["c", "d"]]


def test_list_validation_and_formats_are_applied(book):
    spec = SheetSpec("拜访计划", [["日期", "状态"], [dt.date(2026, 11, 24), "计划"], [dt.date(2026, 11, 25), "已完成"]],
                     column_widths={0: 12}, data_validations=[("B2:B500", ["计划", "已完成", "已取消"])])
    summary = write_sheets(book, [spec])
    sheet = book.sheet("拜访计划")
    assert summary.added == ["拜访计划"]
    assert sheet.validations == {"$B$2:$B$500": ["计划", "已完成", "已取消"]}
    assert sheet.range((2, 1), (3, 1)).number_format == "yyyy-mm-dd"  # a column of dates
    assert sheet.range((2, 2), (3, 2)).number_format == "General"
    assert sheet.range((1, 1)).column_width == 12


@pytest.mark.parametrize("name, sheet", [("plan", "拜访计划"), ("review", "客户复盘"), ("dashboard", "看板")])
def test_every_button_job_writes_its_sheet(book, name, sheet):
    shown, alert = _collect()
    outcome = macros.run_job(book, name, alert=alert, now=NOW)
    assert outcome.ok, shown
    assert outcome.sheets[0] == sheet
    assert book.sheet(sheet) is not None


def test_dashboard_button_draws_excels_own_charts_and_replaces_only_its_own(book):
    mine = None
    for _ in range(2):
        shown, alert = _collect()
        assert macros.run_job(book, "dashboard", alert=alert, now=NOW).ok, shown
        sheet = book.sheet("看板")
        if mine is None:  # a chart a manager added by hand after the first run
            mine = sheet.charts.add(10, 10, 300, 200)
            mine.name = "经理的图"
    names = [c.name for c in sheet.chart_list]
    assert names.count("经理的图") == 1
    ours = [c for c in sheet.chart_list if c.name.startswith("xlclient ")]
    assert len(ours) == len(set(c.name for c in ours)) >= 5  # replaced, not piled up
    tiers = next(c for c in ours if c.name == "xlclient tiers")
    assert tiers.chart_type == "column_clustered" and tiers.source.startswith("$A$")
    assert all(a.count(":") == 1 for a in tiers.source.split(","))
    stacked = next(c for c in ours if c.name == "xlclient owners tiers")
    assert stacked.chart_type == "column_stacked"
    # figures are formatted cell by cell: 万元 with separators, shares as percentages
    overview_total = next(r for (r, c), v in sheet.values.items() if v == "年度投放额合计(万元)")
    assert sheet.formats.get((overview_total, 2)) == "#,##0.0"


def test_buttons_colour_by_content_and_right_align_as_the_file_writer_does(book):
    """分级结果's overdue colours and 看板's headers over numbers through xlwings' own
    calls; a second run replaces its colour rules, a person's rule stays."""
    for _ in range(2):
        shown, alert = _collect()
        assert macros.run_job(book, "refresh", alert=alert, now=NOW).ok, shown
        sheet = book.sheet("分级结果")
        if not any(r.formula == '=LEN(A2)>20' for r in sheet.rules):
            sheet.range("A2:A400").conditional_formats.add_custom('=LEN(A2)>20', fill_color="#FFFF00")
    status_col = next(c for (r, c), v in sheet.values.items() if r == 1 and v == "拜访状态")
    ours = [r for r in sheet.rules if "SEARCH" in r.formula and r.area[1] == status_col]
    assert len([r for r in sheet.rules if "SEARCH" in r.formula]) > len(ours)  # churn risk, in its column
    words = sorted(re.search(r'SEARCH\("([^"]+)"', r.formula)[1] for r in ours)
    assert words == sorted(["逾期", "Overdue", "从未拜访", "Never visited", "即将到期", "Due soon"])  # once each
    letter = column_letter(status_col - 1)
    assert all(r.area[1] == r.area[3] == status_col and r.area[0] == 2 for r in ours)
    assert all(r.formula.endswith(f",{letter}2)))") for r in ours)
    overdue = next(r for r in ours if '"逾期"' in r.formula)
    assert overdue.fill_color.startswith("#") and overdue.font_color.startswith("#")
    assert [r.formula for r in sheet.rules].count("=LEN(A2)>20") == 1  # the person's rule is kept
    shown, alert = _collect()
    assert macros.run_job(book, "dashboard", alert=alert, now=NOW).ok, shown
    board = book.sheet("看板")
    total = next((r, c) for (r, c), v in board.values.items() if v == "年度投放额合计(万元)")
    header = next((r, c) for (r, c), v in board.values.items() if v == "客户数" and r > total[0])
    assert board.align.get(header) == "right"
    assert board.align.get((header[0], 1)) is None  # the label column's header stays as it was


def test_values_button_keeps_each_function_cells_value_and_nothing_else(book):
    """转为数值: the cells calling xlclient's functions become their values (in one write per
    column run), a person's formula and a cell showing an error stay, a Log line, one box."""
    sheet = book.sheet("客户台账")
    cells = {(4, 30): ("=CLIENT_TIER(H4,H$4:H$8)", "A"), (5, 30): ("=CLIENT_TIER(H5,H$4:H$8)", "B"),
             (6, 30): ("=CLIENT_TIER(H6,H$4:H$8)", "=looks like a formula"), (4, 31): ("=H4*2", 2.0),
             (5, 31): ("=NEXT_VISIT(\"A\",O5)", dt.datetime(2026, 12, 1)), (7, 30): ("=CLIENT_TIER(H7)", "#VALUE!")}
    for (r, c), (f, v) in cells.items():
        sheet.formulas[(r, c)], sheet.values[(r, c)] = f, v
    shown, alert = _collect()
    outcome = macros.run_values(book, alert=alert, now=NOW)
    assert outcome.ok, shown
    assert outcome.counts == {"converted": 4, "left": 1}
    for ref in ((4, 30), (5, 30), (6, 30), (5, 31)):
        assert ref not in sheet.formulas and sheet.values[ref] == cells[ref][1]
    assert (6, 30) in sheet.prefixed  # text stays text
    assert sheet.formulas[(4, 31)] == "=H4*2" and sheet.formulas[(7, 30)] == "=CLIENT_TIER(H7)"
    assert len(shown) == 1 and "4 个" in shown[0][0] and "AD7" in shown[0][0]
    log = book.sheet("运行日志")
    assert any(v == "转为数值" for v in log.values.values())


def test_doctor_button_writes_its_report_sheet(book):
    """诊断: this PC's checks and what only Excel shows, in the 诊断 sheet; the formula
    probe's cell is cleared. Here no add-in computes =CLIENT_TIER: a problem, said."""
    from xlclient.udf_support import HOLIDAYS_NAME, SETTINGS_NAME

    book.names = [type("Name", (), {"name": SETTINGS_NAME, "refers_to": "='设置'!$A$1"})(),
                  type("Name", (), {"name": HOLIDAYS_NAME, "refers_to": "=#REF!$A$1"})()]
    shown, alert = _collect()
    outcome = macros.run_doctor(book, alert=alert)
    assert outcome.ok, shown
    sheet = book.sheet("诊断")
    grid = _grid(sheet)
    assert grid[0][:3] == ["检查", "结果", "说明"]
    by_name = {row[0]: row for row in grid[1:] if row and row[0]}
    assert by_name["按钮"][1] == "正常" and by_name["Python"][1] == "正常"
    assert by_name["xlc_settings/holidays"][1] == "有问题" and "xlc_holidays" in by_name["xlc_settings/holidays"][2]
    assert by_name["CLIENT_TIER in Excel"][1] == "有问题"
    assert any('"有问题"' in r.formula and r.area[1] == 2 for r in sheet.rules)  # problems shown red
    assert (1, 5) not in sheet.values and (1, 5) not in sheet.formulas  # the probe is gone
    assert outcome.counts["problems"] >= 2 and len(shown) == 1 and "问题" in shown[0][0]
    # run again: the sheet is xlclient's and is replaced
    assert macros.run_doctor(book, alert=_collect()[1]).ok


def test_reassign_button_with_the_real_job(book):
    shown, alert = _collect()
    outcome = macros.run_job(book, "reassign", alert=alert, now=NOW, departing_owner="张伟", to_owners="李娜")
    assert outcome.ok, shown
    assert outcome.sheets[0] == "客户交接" and outcome.counts["moved"] > 0
    assert "拜访计划" in outcome.sheets and "分级结果" in outcome.sheets


def test_a_field_the_table_lacks_is_shown_in_a_box_after_the_run(tmp_path):
    """A button run on a book without a last-visit column writes what it can and then says,
    in a message box, what could not be read and what stays empty."""
    import xlsxwriter

    path = tmp_path / "no_visits.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("客户台账")
    ws.write_row(0, 0, ["客户名称", "客户经理", "客户状态", "年度投放额"])
    ws.write_row(1, 0, ["甲", "张伟", "合作中", 1_000_000])
    wb.close()
    shown, alert = _collect()
    outcome = macros.run_job(FakeBook.from_file(path), "refresh", alert=alert, now=NOW)
    assert outcome.ok and len(shown) == 1
    text, title = shown[0]
    assert "最近拜访日期" in text and "留空" in text and "数据问题" in text and title.startswith("xlclient")
    assert macros.table_problems_message([], "zh") == ""
