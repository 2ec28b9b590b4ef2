"""UDF cells of a workbook evaluated by a real formula engine, not by Python calls.

A small client book (20 clients, the demo generator) is written with XlsxWriter; its output
columns hold the formulas staff would type -- ``=CLIENT_TIER(H2,H$2:H$21,D2,"",Z2,D$2:D$21,
"万元")``, ``=CLIENT_STRATEGY("理智型")``, ``=NEXT_VISIT(IF(...),O2)``, an array formula
``{=CLIENT_TIER(H2:H21,"",D2:D21,"",Z2:Z21,"","万元")}`` ... -- mixed with Excel's own
functions (IF, OR). The `formulas` package (1.3.4) parses and calculates the workbook, with
the ten functions registered in ``formulas.get_functions()``; every UDF cell must equal the
engine's classification of the same rows (what Refresh writes).

How the functions are registered: ``formulas.functions.wrap_func`` (whole ranges in, an
array out). ``wrap_ufunc`` is not used because it maps a function over every cell of its
arguments one by one, which would hand each cell of a population range over on its own.
The arguments are converted the way xlwings converts them, using the converter options
each function declares (``xlwings_udf_module`` loads them through xlwings' own decorators):
``ndim=2`` -> list of rows, otherwise a column -> flat list and a cell -> scalar; blank ->
None; error values -> their text; numbers -> float; ``raw`` (the populations) -> COM's own
value, a tuple of row tuples with error cells as COM's error numbers. The hidden Settings and
Holidays arguments are what the VBA wrapper's expressions give in this file
(``tests/vba_wrapper.py``), passed after the visible ones as the wrapper passes them.

What this cannot show: Excel itself (its VBA wrappers, COM conversion, dynamic-array
spilling). ``formulas`` passes an empty middle argument as 0, so the workbook writes ``""``
for skipped arguments (also valid in Excel).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

formulas = pytest.importorskip("formulas", reason="the 'formulas' formula engine is not installed")
import schedula as sh  # noqa: E402  (installed with formulas)
from formulas.functions import Array, wrap_func  # noqa: E402
from formulas.tokens.operand import XlError  # noqa: E402

from xlclient import udf_support  # noqa: E402
from xlclient.demo import demo_book  # noqa: E402
from xlclient.engine.book import build_client_book  # noqa: E402
from xlclient.engine.calendar import Override, WorkingCalendar  # noqa: E402
from xlclient.engine.classify import classify  # noqa: E402
from xlclient.engine.labels import RFM_CLASS_NAMES, STAGE_NAMES  # noqa: E402
from xlclient.engine.quadrant import quadrant_label  # noqa: E402
from xlclient.engine.settings import Settings, settings_rows  # noqa: E402
from xlclient.engine.strategy import strategy_for  # noqa: E402
from vba_wrapper import evaluate_hidden  # noqa: E402

TODAY = dt.date(2026, 11, 20)
SETTINGS = Settings(as_of=TODAY)
N = 20
FIRST, LAST = 2, N + 1  # Excel rows of the clients
EPOCH = dt.date(1899, 12, 30)
#: The book's Holidays sheet has a company day off: the functions must see it, as Refresh does.
DAY_OFF = dt.date(2026, 11, 23)
CALENDAR = WorkingCalendar({DAY_OFF: Override(True, "公司年会")})


# ----------------------------------------------------------------------------- the workbook


def formulas_for(r: int) -> dict[str, str]:
    """Output column -> formula of row r (no structured references: formulas cannot load them)."""
    prospect = f'OR(D{r}="潜在",D{r}="意向")'
    key = f'IF({prospect},AC{r},IF(AA{r}="D","C",AA{r}))'
    client = f"IF({prospect},AC{r},D{r})"
    rfm = f'N{r},L{r},H{r},N${FIRST}:N${LAST},L${FIRST}:L${LAST},H${FIRST}:H${LAST},D{r},D${FIRST}:D${LAST},"万元"'
    return {
        "AA": f'=CLIENT_TIER(H{r},H${FIRST}:H${LAST},D{r},"",Z{r},D${FIRST}:D${LAST},"万元")',
        "AB": f"=CLIENT_QUADRANT(AA{r},Q{r},D{r},P{r})",
        "AC": f"=INTENT_STAGE(R{r},S{r},T{r})",
        "AD": f"=NEXT_VISIT({key},O{r})",
        "AE": f"=VISIT_STATUS({key},O{r})",
        "AF": f"=RFM_SCORE({rfm})",
        "AG": f"=RFM_SEGMENT({rfm})",
        "AH": f"=PURCHASE_LIKELIHOOD({client},O{r},L{r},M{r},N{r},D${FIRST}:D${LAST},L${FIRST}:L${LAST},"
              f"M${FIRST}:M${LAST},N${FIRST}:N${LAST})",
        "AI": f"=CLIENT_STRATEGY(AB{r})",
        "AJ": '=CLIENT_STRATEGY("理智型")',
        "AK": f'=CLIENT_REVIEW(AA{r},"",D{r},J{r},K{r},N{r},H{r},I{r},V{r}:Y{r},Z{r},J${FIRST}:J${LAST},'
              f'K${FIRST}:K${LAST},D${FIRST}:D${LAST},"万元")',
    }


ARRAY = {"AL": f'{{=CLIENT_TIER(H{FIRST}:H{LAST},"",D{FIRST}:D{LAST},"",Z{FIRST}:Z{LAST},"","万元")}}'}


def write_book(path: Path) -> tuple[list[Any], list[list[Any]]]:
    import xlsxwriter

    rows, _ = demo_book(N, 5, TODAY, plant_problems=False)
    header, data = rows[0], rows[1:]
    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("客户台账")
    ws.write_row(0, 0, header)
    for i, row in enumerate(data, start=1):
        for j, v in enumerate(row):
            if isinstance(v, dt.datetime):
                ws.write_datetime(i, j, v, date_fmt)
            elif v is not None:
                ws.write(i, j, v)
        for col, formula in formulas_for(i + 1).items():
            ws.write_formula(f"{col}{i + 1}", formula)
    for col, formula in ARRAY.items():
        ws.write_array_formula(f"{col}{FIRST}:{col}{LAST}", formula)
    wb.define_name(udf_support.SETTINGS_NAME, "='设置'!$A$1")  # as xlclient init and the template do
    wb.define_name(udf_support.HOLIDAYS_NAME, "='节假日'!$A$1")
    holidays = wb.add_worksheet("节假日")
    holidays.write_row(0, 0, ["日期", "类型", "名称"])
    holidays.write_datetime(1, 0, dt.datetime(DAY_OFF.year, DAY_OFF.month, DAY_OFF.day), date_fmt)  # a company day off moves visits
    holidays.write_row(1, 1, ["放假", "公司年会"])
    settings = wb.add_worksheet("设置")
    for i, row in enumerate(settings_rows(SETTINGS)):
        for j, v in enumerate(row):
            if isinstance(v, dt.date):
                settings.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), date_fmt)
            elif v is not None:
                settings.write(i, j, v)
    wb.close()
    return header, data


# ----------------------------------------------------------------------------- xlwings' view


def _cell(v: Any, err_to_str: bool) -> Any:
    if v is sh.EMPTY or v is None:
        return None
    if isinstance(v, XlError):
        return str(v) if err_to_str else None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, float, np.number)):
        return float(v)
    if isinstance(v, str):
        return v or None
    return v


_COM_CODES = {text: code for code, text in udf_support.COM_ERRORS.items()}


def _com(v: Any) -> Any:
    """A cell as COM returns it: blank None, numbers float, error cells COM's error number."""
    if v is sh.EMPTY or v is None:
        return None
    if isinstance(v, XlError):
        return _COM_CODES.get(str(v), _COM_CODES["#VALUE!"])
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, float, np.number)):
        return float(v)
    return v


def as_xlwings(value: Any, options: dict[str, Any]) -> Any:
    """An argument from `formulas` as xlwings would hand it over with these options."""
    if options.get("convert") == "raw":  # COM's value untouched: a tuple of row tuples, a scalar for one cell
        if isinstance(value, np.ndarray) and value.size > 1:
            return tuple(tuple(_com(v) for v in row) for row in np.atleast_2d(value).tolist())
        return _com(value.ravel()[0] if isinstance(value, np.ndarray) else value)
    err = bool(options.get("err_to_str"))
    if isinstance(value, np.ndarray):
        rows = [[_cell(v, err) for v in row] for row in np.atleast_2d(value).tolist()]
    else:
        rows = [[_cell(value, err)]]
    if options.get("ndim") == 2:
        return rows
    if len(rows) == 1 and len(rows[0]) == 1:
        return rows[0][0]
    if len(rows) == 1:
        return rows[0]
    if len(rows[0]) == 1:
        return [r[0] for r in rows]
    return rows


def _out(v: Any) -> Any:
    if isinstance(v, dt.date):  # Excel shows a date as its serial number
        return float((v - EPOCH).days)
    return "" if v is None else v


def as_formulas(result: Any) -> Array:
    if isinstance(result, list):
        return np.asarray([[_out(v) for v in row] for row in result], dtype=object).view(Array)
    return np.asarray([[_out(result)]], dtype=object).view(Array)


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    """Calculate the workbook with the UDFs registered; yields (header, rows, cell values)."""
    path = tmp_path_factory.mktemp("formulas") / "客户台账.xlsx"
    header, data = write_book(path)
    _, module = udf_support.xlwings_udf_module()
    functions = formulas.get_functions()
    names = [n for n in dir(module) if hasattr(getattr(module, n), "__xlfunc__")]
    calls: dict[str, int] = {}

    def register(name: str) -> None:
        fn = getattr(module, name)
        visible = [a["options"] for a in fn.__xlfunc__["args"] if not a.get("vba")]
        # the hidden arguments, evaluated as the VBA wrapper evaluates them, after the visible
        # ones (the wrapper's Array(...)); raw: xlwings hands them over untouched
        hidden = [evaluate_hidden(a["vba"], path) for a in fn.__xlfunc__["args"] if a.get("vba")]

        def udf(*args: Any) -> Array:
            calls[name] = calls.get(name, 0) + 1
            converted = [as_xlwings(a, visible[i]) for i, a in enumerate(args)]
            converted += [None] * (len(visible) - len(converted))  # omitted optional arguments
            return as_formulas(fn(*converted, *hidden))

        udf.__name__ = name
        functions[name] = wrap_func(udf)

    for name in names:
        register(name)
    udf_support.clear_caches()
    try:
        model = formulas.ExcelModel().loads(str(path)).finish()
        solution = model.calculate()
    finally:
        for name in names:
            functions.pop(name, None)
    book = path.name
    cells: dict[str, Any] = {}
    for key, ranges in solution.items():
        ref = key.split("!")[-1] if f"[{book}]" in key.upper() or f"[{book.upper()}]" in key.upper() else None
        if ref is None or "客户台账" not in key:
            continue
        value = np.asarray(ranges.value if hasattr(ranges, "value") else ranges, dtype=object)
        if ":" in ref:  # the array formula's range
            col = "".join(ch for ch in ref.split(":")[0] if ch.isalpha())
            for i, v in enumerate(value.ravel()):
                cells[f"{col}{FIRST + i}"] = v
        else:
            cells[ref] = value.ravel()[0]
    assert set(calls) == set(names), f"not every UDF was called: {sorted(set(names) - set(calls))}"
    return header, data, cells


@pytest.fixture(scope="module")
def engine(evaluated):
    header, data, _ = evaluated
    book = build_client_book(header, data, sheet="客户台账", header_row=0, settings=SETTINGS)
    frame = classify(book, SETTINGS, CALENDAR).frame
    assert list(frame["row"]) == list(range(FIRST, LAST + 1))
    return frame


def column(cells: dict[str, Any], col: str) -> list[Any]:
    return [cells[f"{col}{r}"] for r in range(FIRST, LAST + 1)]


def blank(v: Any) -> Any:
    return "" if v is None or v is sh.EMPTY else v


# ----------------------------------------------------------------------------- the checks


def test_no_udf_cell_is_an_error_or_a_message(evaluated):
    _, _, cells = evaluated
    for ref, v in cells.items():
        if ref[:2] in ("AA", "AB", "AC", "AD", "AE", "AF", "AG", "AH", "AI", "AJ", "AK", "AL"):
            assert not isinstance(v, XlError), (ref, v)
            assert not (isinstance(v, str) and v.startswith("#")), (ref, v)


def test_tier_cells_and_the_array_formula_equal_the_engine(evaluated, engine):
    _, _, cells = evaluated
    want = list(engine["tier"])
    assert [blank(v) for v in column(cells, "AA")] == want
    assert [blank(v) for v in column(cells, "AL")] == want
    assert {"A", "B", "C", "D"} <= set(want)


def test_quadrant_stage_and_strategy_cells_equal_the_engine(evaluated, engine):
    _, _, cells = evaluated
    assert [blank(v) for v in column(cells, "AB")] == [quadrant_label(q, "zh") for q in engine["quadrant"]]
    assert [blank(v) for v in column(cells, "AC")] == [STAGE_NAMES[s]["zh"] if s else "" for s in engine["stage"]]
    assert column(cells, "AJ") == [strategy_for("理智型")] * N
    assert [blank(v) for v in column(cells, "AI")] == [strategy_for(q) if q else "" for q in engine["quadrant"]]


def test_visit_cells_equal_the_engine(evaluated, engine):
    _, _, cells = evaluated
    due = [None if pd.isna(d) else float((pd.Timestamp(d).date() - EPOCH).days) for d in engine["next_visit"]]
    assert [None if blank(v) == "" else float(v) for v in column(cells, "AD")] == due
    assert [blank(v) for v in column(cells, "AE")] == list(engine["visit_status"])
    # the Holidays sheet reached the functions: a visit the built-in calendar would put on
    # the company's day off is on the next working day, as in Refresh
    header, data, _ = evaluated
    book = build_client_book(header, data, sheet="客户台账", header_row=0, settings=SETTINGS)
    plain = classify(book, SETTINGS, WorkingCalendar()).frame["next_visit"]
    moved = [i for i, (a, b) in enumerate(zip(plain, engine["next_visit"])) if not (pd.isna(a) and pd.isna(b)) and a != b]
    assert moved and all(pd.Timestamp(plain[i]).date() == DAY_OFF for i in moved)


def test_rfm_cells_equal_the_engine(evaluated, engine):
    _, _, cells = evaluated
    assert [blank(v) for v in column(cells, "AF")] == [int(c) if c else "" for c in engine["rfm"]]
    assert [blank(v) for v in column(cells, "AG")] == [RFM_CLASS_NAMES[c]["zh"] if c else ""
                                                       for c in engine["rfm_class"]]


def test_likelihood_and_review_cells_equal_the_engine(evaluated, engine):
    _, _, cells = evaluated
    for got, want in zip(column(cells, "AH"), engine["likelihood"]):
        if np.isnan(want):
            assert blank(got) == ""
        else:
            assert float(got) == pytest.approx(want, rel=1e-12)
    assert [blank(v) for v in column(cells, "AK")] == list(engine["review"])
