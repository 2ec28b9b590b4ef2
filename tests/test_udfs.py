"""The Excel functions (SPEC 5) called exactly as xlwings calls them: per-row arguments as
lists of rows (``ndim=2``), populations as flat lists, floats for every number,
``datetime`` for date cells, None for blanks, and the hidden Settings and Holidays
arguments as the generated VBA wrapper passes them.

The reference is the engine's whole-book pass (``classify``), the one behind Refresh: the
column form of every function must give the Classification row for row, and the
single-cell form (with the population ranges) must give the column form's answer.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from vba_wrapper import as_xlwings  # noqa: E402  (tests/ is on the path)
from xlclient import udf_support, udfs
from xlclient.demo import demo_book
from xlclient.engine.book import build_client_book
from xlclient.engine.calendar import WorkingCalendar
from xlclient.engine.classify import classify
from xlclient.engine.labels import RFM_CLASS_NAMES, STAGE_NAMES
from xlclient.engine.parse import parse_bool, parse_count, parse_date, parse_hours, parse_money, parse_score
from xlclient.engine.quadrant import quadrant_label
from xlclient.engine.rfm import quintile_scores
from xlclient.engine.settings import Settings, settings_rows
from xlclient.engine.tier import TierRule, TierScale

TODAY = dt.date(2026, 11, 20)
SETTINGS = Settings(as_of=TODAY)
FUNCTIONS = ("CLIENT_TIER", "CLIENT_QUADRANT", "INTENT_STAGE", "NEXT_VISIT", "VISIT_STATUS", "RFM_SCORE",
             "RFM_SEGMENT", "PURCHASE_LIKELIHOOD", "CLIENT_REVIEW", "CLIENT_STRATEGY")


# ----------------------------------------------------------------------------- fakes


def sheet_arg(name: str, rows: list[list[Any]], date1904: bool = False, first: str = "A1") -> tuple:
    """A hidden argument as the generated VBA wrapper hands it over (udf_support.sheet_expression):
    ``(ThisWorkbook.Date1904, sheet name, UsedRange.Address, UsedRange.Value)`` -- COM's
    values, a tuple of row tuples padded to a rectangle with None (a scalar for one cell)."""
    width = max((len(r) for r in rows), default=1) or 1
    cells = tuple(tuple(as_xlwings(v) for v in list(r) + [None] * (width - len(r))) for r in rows) or ((None,),)
    col, row = first.rstrip("0123456789"), int(first.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    last_col = chr(ord(col) + width - 1)
    address = f"${col}${row}" if len(cells) == 1 and width == 1 else f"${col}${row}:${last_col}${row + len(cells) - 1}"
    if len(cells) == 1 and len(cells[0]) == 1:
        cells = cells[0][0]
    return (date1904, name, address, cells)


def caller_for(settings: Settings = SETTINGS, name: str = "客户台账.xlsm", holidays=None) -> dict[str, Any]:
    """The hidden arguments of a call from a workbook with these Settings (and Holidays rows)."""
    del name  # a workbook is known by its sheets' contents, not its name
    return {"settings": sheet_arg("设置", settings_rows(settings)),
            "holidays": sheet_arg("节假日", [["日期", "类型", "名称"], *(holidays or [])])}


@pytest.fixture(autouse=True)
def fresh_caches():
    udf_support.clear_caches()
    for cache in (udfs._TIER_SCALES, udfs._RFM_POPS, udfs._MODELS, udfs._CUTOFFS, udfs._MEDIANS):
        cache.clear()
    yield


def column(values: list[Any]) -> list[list[Any]]:
    """A column range as xlwings passes it with ndim=2."""
    return [[as_xlwings(v)] for v in values]


def cell(v: Any) -> list[list[Any]]:
    """One cell as xlwings passes it with ndim=2."""
    return [[as_xlwings(v)]]


class ComTime(dt.datetime):
    """A date as pywin32 hands over a COM date: a datetime subclass carrying a UTC tzinfo
    (pywintypes.datetime)."""


_COM_CODES = {text: code for code, text in udf_support.COM_ERRORS.items()}


def as_com(v: Any) -> Any:
    """A cell value as COM returns it (what xlwings hands over raw): numbers as float,
    dates as pywintypes datetimes, error cells as COM's error numbers, blank as None."""
    if isinstance(v, str) and v.strip() in _COM_CODES:
        return _COM_CODES[v.strip()]
    if isinstance(v, dt.date):
        return ComTime(v.year, v.month, v.day, tzinfo=dt.timezone.utc)
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    return v


def pop(values: list[Any]) -> tuple[tuple[Any, ...], ...]:
    """A population column as xlwings passes it raw: a tuple of one-cell row tuples."""
    return tuple((as_com(v),) for v in values)


def flat_out(result: Any) -> list[Any]:
    assert isinstance(result, list) and all(isinstance(r, list) and len(r) == 1 for r in result), result
    return [r[0] for r in result]


# ----------------------------------------------------------------------------- the demo book


class Book:
    """A demo client book, the engine's classification of it and its raw columns."""

    def __init__(self, n: int = 160, seed: int = 11, plant: bool = False):
        rows, self.planted = demo_book(n, seed, TODAY, plant_problems=plant)
        self.header = rows[0]
        self.rows = rows[1:]
        book = build_client_book(self.header, self.rows, sheet="客户台账", header_row=2, settings=SETTINGS)
        self.book = book
        self.c = classify(book, SETTINGS, WorkingCalendar())
        self.frame = self.c.frame
        # Excel row -> index into self.rows (the header is on Excel row 3)
        self.index = {int(r): int(r) - 4 for r in self.frame["row"]}

    def raw(self, header: str) -> list[Any]:
        j = self.header.index(header)
        return [as_xlwings(r[j]) for r in self.rows]

    def col(self, header: str) -> list[list[Any]]:
        return column(self.raw(header))

    def engine(self, field: str) -> list[Any]:
        """The engine's value per raw row (None for rows the engine left out)."""
        out: list[Any] = [None] * len(self.rows)
        for r, v in zip(self.frame["row"], self.frame[field]):
            out[self.index[int(r)]] = v
        return out

    def risk_block(self) -> list[list[Any]]:
        cols = [self.raw(h) for h in ("经营困难", "竞品接触", "管理层变动", "付款逾期")]
        return [list(r) for r in zip(*cols)]


@pytest.fixture(scope="module")
def demo() -> Book:
    return Book()


BILL, STATUS, OVERRIDE = "年度投放额(万元)", "客户状态", "锁定等级"


def tier_column(b: Book, caller) -> list[Any]:
    return flat_out(udfs.CLIENT_TIER(b.col(BILL), None, b.col(STATUS), None, b.col(OVERRIDE), None, "万元",
                                     **caller))


def stage_column(b: Book, caller) -> list[Any]:
    return flat_out(udfs.INTENT_STAGE(b.col("意向阶段"), b.col("沟通次数"), b.col("已付定金"), **caller))


def visit_keys(b: Book, caller) -> list[Any]:
    """What a workbook would feed NEXT_VISIT: the tier, a prospect's stage, or the status."""
    tiers, stages, statuses = tier_column(b, caller), stage_column(b, caller), b.raw(STATUS)
    keys = []
    for t, s, status in zip(tiers, stages, statuses):
        if status in ("潜在", "意向"):
            keys.append(s)
        elif status == "流失":
            keys.append(t or "流失")
        else:
            keys.append("C" if t == "D" else t)
    return keys


# ----------------------------------------------------------------------------- column form = engine


def test_tier_column_equals_the_engine(demo):
    caller = caller_for()
    got = tier_column(demo, caller)
    assert got == demo.engine("tier")
    assert {"A", "B", "C", "D", ""} <= set(got)


def test_tier_single_cells_equal_the_column(demo):
    caller = caller_for()
    col = tier_column(demo, caller)
    bill, status, ovr = demo.raw(BILL), demo.raw(STATUS), demo.raw(OVERRIDE)
    single = [udfs.CLIENT_TIER(cell(bill[i]), pop(bill), cell(status[i]), None, cell(ovr[i]), pop(status), "万元",
                               **caller) for i in range(len(bill))]
    assert single == col
    assert len(udfs._TIER_SCALES) == 1 and udfs._TIER_SCALES.misses == 1 and udfs._TIER_SCALES.hits > 50  # sorted once


def test_populations_read_raw_equal_the_cleaned_cells():
    """A population arrives raw (COM's error numbers, pywintypes dates, tuples of rows): it
    must read exactly like the same cells as xlwings' default conversion hands them over
    (error text, plain datetimes, a flat list)."""
    caller = caller_for()
    bill = [120.0, "#N/A", 80.0, None, 55.5, "#DIV/0!", 30.0, 12.0, "45万", 9.0, 3.0, 1.0]
    dates = [dt.date(2026, 1, 5), "#REF!", dt.date(2025, 7, 1), None, dt.date(2026, 10, 1), dt.date(2024, 2, 29),
             "2026-03-05", dt.date(2026, 6, 30), dt.date(2025, 12, 31), dt.date(2026, 2, 1), "#VALUE!", None]
    cleaned = {"bill": [as_xlwings(v) for v in bill], "dates": [as_xlwings(v) for v in dates]}
    raw = {"bill": pop(bill), "dates": pop(dates)}
    assert udf_support.flat(raw["bill"]) == cleaned["bill"]
    assert [type(v) for v in udf_support.flat(raw["dates"]) if isinstance(v, dt.date)] == [ComTime] * 7
    for probe in (120.0, 55.5, 9.0, 1.0):
        want = udfs.CLIENT_TIER(probe, cleaned["bill"], **caller)
        # two error values in the population: either may be the largest client (SPEC 4.1)
        assert udfs.CLIENT_TIER(probe, raw["bill"], **caller) == want and want.startswith("#数据问题: 总体中有 2 个金额")
        readable = [v for v in bill if not (isinstance(v, str) and v.startswith("#"))]
        want = udfs.CLIENT_TIER(probe, [as_xlwings(v) for v in readable], **caller)
        assert udfs.CLIENT_TIER(probe, pop(readable), **caller) == want and want in ("A", "B", "C")
    orders = [3.0, 1.0, 2.0, None, 5.0, 1.0, 2.0, 4.0, 1.0, 2.0, 1.0, 1.0]
    for i in (0, 2, 4, 7):
        args = (cell(dates[i]), cell(orders[i]), cell(bill[i]))
        want = udfs.RFM_SCORE(*args, cleaned["dates"], orders, cleaned["bill"], None, None, "万元", **caller)
        got = udfs.RFM_SCORE(*args, raw["dates"], pop(orders), raw["bill"], None, None, "万元", **caller)
        assert got == want and isinstance(want, int)
    hours = [10.0, 5.0, "#NUM!", 8.0, 20.0, 1.0, 4.0, 9.0, 30.0, 2.0, 6.0, 7.0]
    gp = [50.0, 2.0, 8.0, 9.0, "#N/A", 1.0, 30.0, 3.0, 4.0, 5.0, 6.0, 70.0]
    review = [udfs.CLIENT_REVIEW("C", None, "现有", cell(gp[i]), cell(hours[i]), None, None, None, None, None, p_gp, p_h,
                                 None, None, **caller)
              for p_gp, p_h in (([as_xlwings(v) for v in gp], [as_xlwings(v) for v in hours]), (pop(gp), pop(hours)))
              for i in (1, 8, 9)]
    assert review[:3] == review[3:] and any(review[:3])
    assert udf_support.com_error_text(-2146826281) == "#DIV/0!" and udf_support.com_error_text(7) is None


def test_the_population_cache_sees_every_changed_cell_true_for_one_included():
    cache = udf_support.PopulationCache(4)
    built: list[Any] = []

    def get(population):
        return cache.get(("p",), (population,), lambda: built.append(population) or len(built))

    column = tuple((v,) for v in [3.0, 1.0, None, 0.0, "是", 7.5])
    assert get(column) == 1 and get(tuple((v,) for v in [3.0, 1.0, None, 0.0, "是", 7.5])) == 1
    for changed in ([3.0, True, None, 0.0, "是", 7.5], [3.0, 1.0, None, False, "是", 7.5],
                    [3.0, 1.0, None, 0.0, "是", 7.25], [3.0, 1.0, 0.0, 0.0, "是", 7.5], [3.0, 1.0, None, 0.0, "否", 7.5]):
        n = len(built)
        assert get(tuple((v,) for v in changed)) == n + 1, changed  # a miss: rebuilt
    assert get([1.0, False]) != get([True, False]) != get([True, 0.0])
    assert cache.hits == 1 and cache.misses == len(built)


population_cells = st.one_of(st.none(), st.booleans(), st.sampled_from([0.0, 1.0, -0.0, 2.0, 0, 1, "1", "是"]),
                             st.floats(-3, 3, allow_nan=False))


def _same_to_the_parsers(a: list, b: list) -> bool:
    """Equal cells where no bool stands against a number: what the parsers read alike."""
    return len(a) == len(b) and all(u == v and (type(u) is type(v) or bool not in (type(u), type(v)))
                                    for u, v in zip(a, b))


@hsettings(max_examples=300, deadline=None)
@given(kept=st.lists(population_cells, max_size=8), data=st.data(), column=st.booleans())
def test_kept_population_cells_match_exactly_the_cells_read_alike(kept, data, column):
    new = data.draw(st.one_of(st.just(list(kept)), st.lists(population_cells, min_size=len(kept),
                                                              max_size=len(kept))))
    shape = (lambda c: tuple((v,) for v in c)) if column else list
    matched = udf_support.KeptCells(shape(kept)).matches(shape(new))
    if matched:  # never reused for cells a parser would read differently
        assert _same_to_the_parsers(kept, new), (kept, new)
    identical = [(type(v), v) for v in kept] == [(type(v), v) for v in new]
    if identical:  # and always reused for the same cells
        assert matched, (kept, new)


def test_a_count_typed_over_as_true_changes_the_rfm_answer():
    """1 order typed over as TRUE is not an order count: the cached population must not be
    reused for it (Python alone would call TRUE == 1 the same cell)."""
    caller = caller_for()
    orders = [1.0, 1.0, 2.0, 5.0, 9.0, 1.0, 3.0, 4.0, 6.0, 1.0]
    r_pop = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0]
    m_pop = [100.0, 200.0, 300.0, 400.0, 500.0, 600.0, 700.0, 800.0, 900.0, 1000.0]
    typed_over = [True if v == 1.0 else v for v in orders]
    first = [udfs.RFM_SCORE(30.0, 2.0, 500.0, pop(r_pop), pop(o), pop(m_pop), **caller) for o in (orders, typed_over)]
    udfs._RFM_POPS.clear()
    fresh = udfs.RFM_SCORE(30.0, 2.0, 500.0, pop(r_pop), pop(typed_over), pop(m_pop), **caller)
    assert first[1] == fresh != first[0]


def test_quadrant_equals_the_engine(demo):
    caller = caller_for()
    tiers = tier_column(demo, caller)
    got = flat_out(udfs.CLIENT_QUADRANT(column(tiers), demo.col("需求评分"), demo.col(STATUS), demo.col("潜力评分"),
                                        **caller))
    want = [quadrant_label(q or "", "zh") if q is not None else None for q in demo.engine("quadrant")]
    assert got == want
    need, status, potential = demo.raw("需求评分"), demo.raw(STATUS), demo.raw("潜力评分")
    single = [udfs.CLIENT_QUADRANT(cell(tiers[i]), cell(need[i]), cell(status[i]), cell(potential[i]), **caller)
              for i in range(len(tiers))]
    assert single == got


def test_intent_stage_equals_the_engine(demo):
    caller = caller_for()
    got = stage_column(demo, caller)
    want = [STAGE_NAMES[s]["zh"] if s else "" for s in demo.engine("stage")]
    assert got == want
    stage, meet, dep = demo.raw("意向阶段"), demo.raw("沟通次数"), demo.raw("已付定金")
    assert [udfs.INTENT_STAGE(cell(stage[i]), cell(meet[i]), cell(dep[i]), **caller)
            for i in range(len(stage))] == got


def test_next_visit_and_visit_status_equal_the_engine(demo):
    caller = caller_for()
    keys = visit_keys(demo, caller)
    due = flat_out(udfs.NEXT_VISIT(column(keys), demo.col("最近拜访日期"), **caller))
    want = [None if pd.isna(d) else pd.Timestamp(d).date() for d in demo.engine("next_visit")]
    assert [d or None for d in due] == want
    status = flat_out(udfs.VISIT_STATUS(column(keys), demo.col("最近拜访日期"), **caller))
    assert status == demo.engine("visit_status")
    assert any(s.startswith("逾期") for s in status) and "正常" in status
    last = demo.raw("最近拜访日期")
    assert [udfs.NEXT_VISIT(cell(keys[i]), cell(last[i]), **caller) for i in range(len(keys))] == due
    assert [udfs.VISIT_STATUS(cell(keys[i]), cell(last[i]), **caller) for i in range(len(keys))] == status


def test_rfm_equals_the_engine(demo):
    caller = caller_for()
    args = (demo.col("最近合作日期"), demo.col("合作次数"), demo.col(BILL), None, None, None, demo.col(STATUS), None,
            "万元")
    score = flat_out(udfs.RFM_SCORE(*args, **caller))
    assert score == [int(c) if c else "" for c in demo.engine("rfm")]
    segment = flat_out(udfs.RFM_SEGMENT(*args, **caller))
    assert segment == [RFM_CLASS_NAMES[c]["zh"] if c else "" for c in demo.engine("rfm_class")]
    assert len(set(segment) - {""}) >= 6
    last, orders, bill, status = (demo.raw(h) for h in ("最近合作日期", "合作次数", BILL, STATUS))
    for f, want in ((udfs.RFM_SCORE, score), (udfs.RFM_SEGMENT, segment)):
        single = [f(cell(last[i]), cell(orders[i]), cell(bill[i]), pop(last), pop(orders), pop(bill), cell(status[i]),
                    pop(status), "万元", **caller) for i in range(len(last))]
        assert single == want


def test_recency_as_days_equals_recency_as_dates(demo):
    caller = caller_for()
    last = demo.raw("最近合作日期")
    days = [None if d is None else float((TODAY - parse_date([d]).values[0].astype(dt.date)).days) for d in last]
    by_date = udfs.RFM_SCORE(column(last), demo.col("合作次数"), demo.col(BILL), None, None, None, demo.col(STATUS),
                             None, "万元", **caller)
    by_days = udfs.RFM_SCORE(column(days), demo.col("合作次数"), demo.col(BILL), None, None, None, demo.col(STATUS),
                             None, "万元", **caller)
    assert by_days == by_date


def likelihood_args(b: Book, caller) -> tuple:
    stages, statuses = stage_column(b, caller), b.raw(STATUS)
    client = [s if status in ("潜在", "意向") else status for s, status in zip(stages, statuses)]
    return (column(client), b.col("最近拜访日期"), b.col("合作次数"), b.col("首次合作日期"), b.col("最近合作日期"))


def test_purchase_likelihood_equals_the_engine(demo):
    caller = caller_for()
    args = likelihood_args(demo, caller)
    got = flat_out(udfs.PURCHASE_LIKELIHOOD(*args, **caller))
    want = demo.engine("likelihood")
    assert demo.c.likelihood_method == "mbgnbd"
    for g, w in zip(got, want):
        if w is None or np.isnan(w):
            assert g == ""
        else:
            assert g == pytest.approx(w, rel=1e-12, abs=1e-15)
    client, contact, orders, first, last = ([r[0] for r in a] for a in args)
    fits = udfs._MODELS.misses
    single = [udfs.PURCHASE_LIKELIHOOD(cell(client[i]), cell(contact[i]), cell(orders[i]), cell(first[i]),
                                       cell(last[i]), pop(client), pop(orders), pop(first), pop(last), **caller)
              for i in range(len(client))]
    for s, g in zip(single, got):
        assert s == (g if g == "" else pytest.approx(g, rel=1e-12, abs=1e-15))
    assert udfs._MODELS.misses == fits + 1  # fitted once for the whole column of single cells


def test_purchase_likelihood_small_book_uses_the_heuristic_in_both_forms():
    b = Book(n=25, seed=3)
    caller = caller_for()
    assert b.c.likelihood_method == "heuristic"
    args = likelihood_args(b, caller)
    got = flat_out(udfs.PURCHASE_LIKELIHOOD(*args, **caller))
    for g, w in zip(got, b.engine("likelihood")):
        assert g == "" if np.isnan(w) else g == pytest.approx(w, rel=1e-12)
    client, contact, orders, first, last = ([r[0] for r in a] for a in args)
    for i in range(len(client)):
        s = udfs.PURCHASE_LIKELIHOOD(cell(client[i]), cell(contact[i]), cell(orders[i]), cell(first[i]),
                                     cell(last[i]), pop(client), pop(orders), pop(first), pop(last), **caller)
        assert s == (got[i] if got[i] == "" else pytest.approx(got[i], rel=1e-12))


def review_args(b: Book, caller, tiers) -> tuple:
    return (column(tiers), None, b.col(STATUS), b.col("毛利(万元)"), b.col("服务工时"), b.col("最近合作日期"),
            b.col(BILL), b.col("上年投放额(万元)"), b.risk_block(), b.col(OVERRIDE))


def test_client_review_equals_the_engine(demo):
    caller = caller_for()
    tiers = tier_column(demo, caller)
    got = flat_out(udfs.CLIENT_REVIEW(*review_args(demo, caller, tiers), None, None, None, "万元", **caller))
    assert got == demo.engine("review")
    assert any("建议淘汰：每工时毛利" in g for g in got) and any("流失风险" in g for g in got)
    args = [a if a is None or isinstance(a, str) else a for a in review_args(demo, caller, tiers)]
    raws = [None if a is None else [r for r in a] for a in args]
    gp, hours, status = demo.raw("毛利(万元)"), demo.raw("服务工时"), demo.raw(STATUS)
    single = []
    for i in range(len(tiers)):
        row = [None if a is None else [a[i]] for a in raws]
        single.append(udfs.CLIENT_REVIEW(*row, pop(gp), pop(hours), pop(status), "万元", **caller))
    assert single == got


def test_answers_are_plain_python_values_xlwings_can_hand_to_excel(demo):
    caller = caller_for()
    tiers = tier_column(demo, caller)
    results = {
        "tier": udfs.CLIENT_TIER(demo.col(BILL), None, demo.col(STATUS), None, demo.col(OVERRIDE), None, "万元",
                                 **caller),
        "quadrant": udfs.CLIENT_QUADRANT(column(tiers), demo.col("需求评分"), demo.col(STATUS), demo.col("潜力评分"),
                                         **caller),
        "next": udfs.NEXT_VISIT(column(visit_keys(demo, caller)), demo.col("最近拜访日期"), **caller),
        "rfm": udfs.RFM_SCORE(demo.col("最近合作日期"), demo.col("合作次数"), demo.col(BILL), None, None, None,
                              demo.col(STATUS), None, "万元", **caller),
        "likelihood": udfs.PURCHASE_LIKELIHOOD(*likelihood_args(demo, caller), **caller),
        "review": udfs.CLIENT_REVIEW(*review_args(demo, caller, tiers), None, None, None, "万元", **caller),
        "one date": [[udfs.NEXT_VISIT("A", dt.datetime(2026, 11, 2), **caller)]],
        "one score": [[udfs.RFM_SCORE(3.0, 2.0, 10.0, [3.0, 9.0], [2.0, 1.0], [10.0, 1.0], **caller)]],
    }
    for name, result in results.items():
        types = {type(v) for row in result for v in row}
        assert types <= {str, int, float, dt.date}, (name, types)


def test_client_strategy_in_both_forms():
    caller = caller_for()
    assert udfs.CLIENT_STRATEGY("理智型", **caller).startswith("用数据和案例说话")
    assert udfs.CLIENT_STRATEGY(cell("Q1 高价值/高需求"), **caller).startswith("核心客户")
    got = flat_out(udfs.CLIENT_STRATEGY(column(["犹豫型", None, "金", "外星型"]), **caller))
    assert got[0].startswith("替他缩小选择范围") and got[1] == "" and got[2].startswith("结果导向")
    assert got[3].startswith("#参数错误: 未知的客户类型「外星型」") and "理智型" in got[3]


# ----------------------------------------------------------------------------- bad input, blanks


def test_planted_problems_show_in_their_rows_and_spoil_nothing_else():
    b = Book(n=160, seed=11, plant=True)
    caller = caller_for()
    tiers = tier_column(b, caller)
    bad = {p.row - 4: p for p in b.planted}  # Excel row of data row j is j + 4
    want = b.engine("tier")
    for i, (got, w) in enumerate(zip(tiers, want)):
        p = bad.get(i)
        if p is not None and p.column == BILL:
            assert got == w and w in ("A", "B", "C")  # 约50万: an approximate amount, read as 50万 (SPEC 2)
        elif p is not None and p.column == STATUS:
            assert got == "#参数错误: status 「合作过」无法识别，应为 现有/合作中、潜在/意向 或 流失"
        elif p is not None and p.column == OVERRIDE:
            assert got == "#参数错误: override 「S」应为等级 A/B/C/D"
        else:
            assert got == w, (i, p)
    keys = visit_keys(b, caller)
    due = flat_out(udfs.NEXT_VISIT(column(keys), b.col("最近拜访日期"), **caller))
    visits = {i: p for i, p in bad.items() if p.column == "最近拜访日期"}
    assert len(visits) == 2
    for i, p in visits.items():
        if p.what == "impossible date":
            assert due[i] == "#参数错误: last_visit 「2026-02-30」不是日期（如 2026-03-05、2026/3/5、2026年3月5日）"
        else:
            assert due[i].startswith("#参数错误: last_visit 「2026-12-30」晚于今天 2026-11-20")


def test_bad_arguments_read_as_messages():
    caller = caller_for()
    assert udfs.NEXT_VISIT("A", "2026-13-01", **caller) == (
        "#参数错误: last_visit 「2026-13-01」不是日期（如 2026-03-05、2026/3/5、2026年3月5日）")
    assert udfs.NEXT_VISIT("Z", dt.datetime(2026, 10, 1), **caller).startswith("#参数错误: tier_or_stage 「Z」")
    assert udfs.INTENT_STAGE("很想买", **caller).startswith("#参数错误: stage 「很想买」无法识别")
    assert udfs.INTENT_STAGE("准", 1.5, **caller) == "#参数错误: meetings 「1.5」应为不小于 0 的整数"
    assert udfs.CLIENT_QUADRANT("A", 7.0, **caller) == "#参数错误: need 「7」应为 1–5 分"
    assert udfs.CLIENT_QUADRANT(350000.0, 4.0, **caller).startswith("#参数错误: tier_or_value 「350000」")
    assert udfs.RFM_SCORE(-3.0, 2.0, 10.0, [1.0, 2.0], [1.0, 2.0], [1.0, 2.0], **caller).startswith(
        "#参数错误: recency 「-3」")
    assert udfs.CLIENT_TIER(100.0, [100.0, 50.0], unit="斤", **caller).startswith("#参数错误: unit 「斤」")
    review = flat_out(udfs.CLIENT_REVIEW(column(["A", "B", "C"]), None, column(["现有"] * 3), None, None, None, None,
                                         None, [["否", "是"], ["也许", "否"], ["否", None]], **caller))
    assert review == ["流失风险：竞品接触", "#参数错误: risk_flags 「也许」应为 是/否（Y/N、TRUE/FALSE、1/0）", ""]
    # a column that does not fit the others: one message for the call
    msg = udfs.CLIENT_TIER(column([1.0, 2.0, 3.0]), None, column(["现有", "现有"]), **caller)
    assert msg == "#参数错误: 各区域的行数不同（value 3、status 2）：整列参数应一样长，或只给一个单元格"
    # single cell without the population to rank against
    assert udfs.CLIENT_TIER(100.0, **caller).startswith("#参数错误: population 缺失")
    assert udfs.RFM_SCORE(3.0, 2.0, 10.0, **caller).startswith("#参数错误: recency_population 缺失")
    # an Excel error value in a cell, and a message coming from another UDF
    assert udfs.CLIENT_TIER(column(["#N/A", 5.0]), **caller)[0] == ["#参数错误: value 「#N/A」是 Excel 错误值"]
    upstream = udfs.CLIENT_TIER(100.0, **caller)
    assert udfs.NEXT_VISIT(upstream, None, **caller) == upstream


def test_one_bad_row_withholds_the_pareto_tiers_unless_settings_say_tier_from_the_rest():
    """SPEC 4.1: an amount that cannot be read may be the largest client, so the other rows
    say why they have no tier; with 金额无法读取时 = 按其余客户分级 they are tiered from the rest."""
    cells = column([500.0, "abc", 300.0, -5.0, "0.02万", None, 1.0, "待定"])
    got = flat_out(udfs.CLIENT_TIER(cells, **caller_for()))
    assert got[1].startswith("#参数错误: value 「abc」") and got[3] == "#参数错误: value 「-5」是负数，应为金额"
    assert all(got[i].startswith("#数据问题: 总体中有 2 个金额") for i in (0, 2, 4, 6)) and got[5] == ""
    assert got[7].startswith("#参数错误: value 「待定」尚无金额")
    got = flat_out(udfs.CLIENT_TIER(cells, **caller_for(SETTINGS.replace(unreadable_amounts="rest"))))
    # 500, 300 and 200 hold 0%, 50% and 80% of the 1,001 before them: A, A, A; the last 1 yuan is C
    assert got[0] == got[2] == got[4] == "A" and got[5] == "" and got[6] == "C" and got[1].startswith("#参数错误")


def test_blank_rows_give_blank_rows():
    caller = caller_for()
    assert flat_out(udfs.CLIENT_TIER(column([None, 5.0, None]), None, column([None, "现有", None]),
                                     **caller)) == ["", "A", ""]
    assert udfs.CLIENT_TIER(None, [1.0, 2.0], **caller) == ""
    # an empty population argument ("" or a blank cell) is as good as omitted
    assert udfs.CLIENT_TIER(column([5.0, 1.0]), "", **caller) == udfs.CLIENT_TIER(column([5.0, 1.0]),
                                                                                         **caller)
    assert udfs.CLIENT_TIER(5.0, "", **caller).startswith("#参数错误: population 缺失")
    assert flat_out(udfs.NEXT_VISIT(column([None, "A"]), column([dt.datetime(2026, 1, 5), None]),
                                    **caller))[0] == ""
    assert flat_out(udfs.RFM_SEGMENT(column([None, 10.0]), column([None, 3.0]), column([None, 100.0]),
                                     **caller))[0] == ""
    assert udfs.CLIENT_STRATEGY(None, **caller) == ""
    assert udfs.CLIENT_REVIEW(None, **caller) == ""
    assert udfs.INTENT_STAGE(None, None, None, **caller) == ""


def test_prospects_and_lost_clients():
    caller = caller_for()
    assert udfs.CLIENT_TIER(None, [1.0, 2.0], "潜在", **caller) == "D"
    assert udfs.CLIENT_TIER(80.0, [100.0, 80.0], "流失", **caller) == ""
    assert udfs.CLIENT_TIER(80.0, [100.0, 80.0], "流失", None, "B", **caller) == "B"  # pinned wins
    assert udfs.NEXT_VISIT("拒绝", dt.datetime(2026, 11, 2), **caller) == ""
    assert udfs.NEXT_VISIT("流失", dt.datetime(2026, 11, 2), **caller) == ""
    assert udfs.PURCHASE_LIKELIHOOD("流失", **caller) == ""
    assert udfs.PURCHASE_LIKELIHOOD("重要", **caller) == pytest.approx(0.9)
    assert udfs.PURCHASE_LIKELIHOOD("意向", dt.datetime(2026, 8, 22), **caller) == pytest.approx(0.075)


def test_dates_as_serials_and_text_equal_dates():
    caller = caller_for()
    d = dt.datetime(2026, 9, 25)
    serial = float((d - dt.datetime(1899, 12, 30)).days)
    for form in (d, serial, "2026-09-25", "2026/9/25", "2026年9月25日"):
        assert udfs.NEXT_VISIT("A", form, **caller) == dt.date(2026, 10, 9), form
    assert udfs.VISIT_STATUS("A", serial, "2026-10-20", **caller) == "逾期 11 天"
    assert udfs.VISIT_STATUS("A", d, dt.datetime(2026, 10, 5), **caller) == "即将到期"
    assert udfs.VISIT_STATUS("A", d, dt.datetime(2026, 9, 26), **caller) == "正常"
    assert udfs.VISIT_STATUS("A", None, **caller) == "从未拜访"


def test_next_visit_skips_the_national_day_break_and_keeps_make_up_days():
    caller = caller_for()
    # 2026-09-17 + 14 = 2026-10-01 (holiday until 10-07); 10-08 is the next working day
    assert udfs.NEXT_VISIT("A", dt.datetime(2026, 9, 17), **caller) == dt.date(2026, 10, 8)
    # 2026-09-26 + 14 = Saturday 2026-10-10, a make-up working day
    assert udfs.NEXT_VISIT("A", dt.datetime(2026, 9, 26), **caller) == dt.date(2026, 10, 10)


def test_english_settings_give_english_answers_and_messages():
    caller = caller_for(Settings(as_of=TODAY, language="en"))
    assert udfs.CLIENT_QUADRANT("A", 4.0, **caller) == "Q1 High value / high need"
    assert udfs.INTENT_STAGE("重要", None, "是", **caller) == "Committed"
    assert udfs.VISIT_STATUS("A", dt.datetime(2026, 9, 25), "2026-10-20", **caller) == "Overdue 11 days"
    assert udfs.NEXT_VISIT("A", "soon", **caller).startswith("#ARG ERROR: last_visit 'soon' is not a date")
    assert udfs.RFM_SEGMENT(5.0, 9.0, 100.0, [5.0, 50.0], [9.0, 1.0], [100.0, 1.0], **caller) == "Important value"


# ----------------------------------------------------------------------------- workbook context


def test_settings_are_built_once_per_content_and_an_edit_answers_at_once():
    caller = caller_for()
    population = [100.0, 10.0, 5.0]
    assert udfs.CLIENT_TIER(10.0, population, **caller) == "B"  # 100 of 115 before it: 87%
    ctx = udf_support.context(**caller)
    for _ in range(50):
        assert udfs.CLIENT_TIER(10.0, population, **caller_for()) == "B"  # an equal copy, as each call brings
    assert udf_support.context(**caller_for()) is ctx  # found by content: nothing parsed again
    # a manager lowers the A cut-off to 90%: the next call (after Ctrl+Alt+F9) sees it
    lowered = caller_for(Settings(as_of=TODAY, pareto_a=0.90))
    assert udfs.CLIENT_TIER(10.0, population, **lowered) == "A"
    assert udf_support.context(**lowered).builds > ctx.builds
    # switched to English
    assert udfs.INTENT_STAGE("重要", None, "是", **caller_for(Settings(as_of=TODAY, language="en"))) == "Committed"
    # and back: the first workbook's context is still kept
    assert udf_support.context(**caller) is ctx


def test_each_workbook_has_its_own_settings():
    a = caller_for(Settings(as_of=TODAY, cadence_A=14), name="a.xlsm")
    b = caller_for(Settings(as_of=TODAY, cadence_A=7), name="b.xlsm")
    assert udfs.NEXT_VISIT("A", dt.datetime(2026, 11, 2), **a) == dt.date(2026, 11, 16)
    assert udfs.NEXT_VISIT("A", dt.datetime(2026, 11, 2), **b) == dt.date(2026, 11, 9)
    assert udfs.NEXT_VISIT("A", dt.datetime(2026, 11, 2), **a) == dt.date(2026, 11, 16)


def test_only_so_many_workbooks_are_kept():
    first = caller_for(Settings(as_of=TODAY, cadence_A=14))
    ctx = udf_support.context(**first)
    for days in range(15, 15 + udf_support.KEPT_CONTEXTS):
        udf_support.context(**caller_for(Settings(as_of=TODAY, cadence_A=days)))
    again = udf_support.context(**first)
    assert again is not ctx and again.settings == ctx.settings  # built again, the same answers


def test_without_hidden_arguments_the_defaults_are_used():
    assert udfs.CLIENT_TIER(10.0, [100.0, 10.0, 5.0]) == "B"
    assert udfs.INTENT_STAGE("重要", None, "是") == "重要"  # called from VBA or a script
    # a Settings sheet with nothing in it (one empty cell): defaults, not an error
    empty = {"settings": (False, "设置", "$A$1", None), "holidays": (False, "节假日", "$A$1", None)}
    assert udfs.CLIENT_TIER(10.0, [100.0, 10.0, 5.0], **empty) == "B"


def test_hidden_arguments_with_coms_own_types_give_the_same_settings_and_calendar():
    """COM hands dates over as time-zone-aware pywintypes datetimes and whole numbers as
    floats: a Settings date and a Holidays day off read that way mean what they mean in a
    file."""
    def com_arg(name, rows):
        width = max(len(r) for r in rows)
        cells = tuple(tuple(None if v in (None, "") else as_com(v) for v in list(r) + [None] * (width - len(r)))
                      for r in rows)
        return (False, name, f"$A$1:${chr(64 + width)}${len(rows)}", cells)

    settings = Settings(as_of=dt.date(2026, 11, 20), cadence_A=14)
    day_off = [[dt.date(2026, 11, 16), "放假", "团建"]]
    com = {"settings": com_arg("设置", settings_rows(settings)),
           "holidays": com_arg("节假日", [["日期", "类型", "名称"], *day_off])}
    assert any(isinstance(c, ComTime) for row in com["holidays"][3] for c in row)
    plain = caller_for(settings, holidays=day_off)
    a, b = udf_support.context(**com), udf_support.context(**plain)
    assert a.error is None and a.settings == b.settings and a.today() == dt.date(2026, 11, 20)
    assert udfs.NEXT_VISIT("A", dt.datetime(2026, 11, 2), **com) == dt.date(2026, 11, 17)  # off the day off


def test_a_hidden_argument_that_is_not_what_the_wrapper_passes_is_said():
    got = udfs.CLIENT_TIER(10.0, [100.0, 10.0], settings="#REF!", holidays=None)
    assert got.startswith("#设置错误") and "settings" in got


def test_refused_settings_are_shown_not_replaced_by_defaults():
    rows = settings_rows(SETTINGS)
    for r in rows:
        if len(r) > 3 and r[3] == "pareto_a":
            r[1] = "很多"
    got = udfs.CLIENT_TIER(10.0, [100.0, 10.0], settings=sheet_arg("设置", rows), holidays=None)
    assert got.startswith("#设置错误: '设置'!B") and "很多" in got


def test_holidays_sheet_moves_the_next_visit():
    plain = caller_for(name="plain.xlsm")
    assert udfs.NEXT_VISIT("A", dt.datetime(2026, 11, 2), **plain) == dt.date(2026, 11, 16)
    outing = caller_for(name="outing.xlsm", holidays=[[dt.date(2026, 11, 16), "放假", "团建"]])
    assert udfs.NEXT_VISIT("A", dt.datetime(2026, 11, 2), **outing) == dt.date(2026, 11, 17)
    # a Saturday made a working day
    extra = caller_for(name="extra.xlsm", holidays=[[dt.date(2026, 11, 14), "调休上班", ""]])
    assert udfs.NEXT_VISIT("A", dt.datetime(2026, 10, 31), **extra) == dt.date(2026, 11, 14)


def test_unexpected_errors_read_as_internal_messages(monkeypatch):
    def boom(*_a, **_k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(udfs, "strategy_for", boom)
    assert udfs.CLIENT_STRATEGY("理智型") == "#内部错误: RuntimeError: disk on fire"


# ----------------------------------------------------------------------------- properties

money = st.one_of(st.none(), st.floats(0, 5e6, allow_nan=False).map(lambda x: round(x, 2)),
                  st.integers(0, 3000).map(float), st.sampled_from(["120万", "3.5万", "¥3,500", "abc", "-"]))
statuses = st.sampled_from([None, "现有", "合作中", "潜在", "流失", "合作过"])
tiers = st.sampled_from([None, "A", "B", "C", "D", "x"])
rules = st.sampled_from([Settings(as_of=TODAY), Settings(as_of=TODAY, tier_method="rank"),
                         Settings(as_of=TODAY, tier_method="threshold", threshold_a=2000.0, threshold_b=500.0),
                         Settings(as_of=TODAY, pareto_a=0.5, pareto_b=0.9, tier_margin=0.2)])


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), settings=rules)
def test_single_cell_tier_with_a_population_equals_the_column_form(data, settings):
    n = data.draw(st.integers(2, 25))  # one row is a single cell, not a column
    values = data.draw(st.lists(money, min_size=n, max_size=n))
    status = data.draw(st.lists(statuses, min_size=n, max_size=n))
    prev = data.draw(st.lists(tiers, min_size=n, max_size=n))
    ovr = data.draw(st.lists(st.sampled_from([None, None, None, "A", "D"]), min_size=n, max_size=n))
    unit = data.draw(st.sampled_from([None, "万元"]))
    caller = caller_for(settings, name=f"p{id(settings)}.xlsm")
    col = flat_out(udfs.CLIENT_TIER(column(values), None, column(status), column(prev), column(ovr), None, unit,
                                    **caller))
    for i in range(n):
        one = udfs.CLIENT_TIER(cell(values[i]), pop(values), cell(status[i]), cell(prev[i]), cell(ovr[i]),
                               pop(status), unit, **caller)
        assert one == col[i], (i, values[i], status[i], prev[i])


@hsettings(max_examples=200, deadline=None)
@given(values=st.lists(st.floats(0, 1e7, allow_nan=False), min_size=1, max_size=40),
       probes=st.lists(st.floats(0, 1e7, allow_nan=False), min_size=1, max_size=10),
       prev=st.sampled_from(["", "A", "B", "C"]),
       rule=st.sampled_from([TierRule("pareto", 0.8, 0.95, 0.05), TierRule("rank", 0.2, 0.5, 0.05),
                             TierRule("threshold", 1e6, 3e5, 0.05), TierRule("pareto", 0.6, 0.7, 0.3)]))
def test_fast_scalar_tier_equals_tier_scale(values, probes, prev, rule):
    scale = TierScale(np.array(values), rule)
    probes = [p for p in probes + values if round(p * 100) > 0]
    assume(probes)
    want = scale.tiers(np.array(probes), np.array([prev] * len(probes), dtype=object))
    assert [scale.tier_of(udf_support.to_fen(p), prev) for p in probes] == list(want)


cell_values = st.one_of(
    st.none(), st.booleans(), st.floats(allow_nan=True, allow_infinity=False, width=64),
    st.integers(-5, 10).map(float), st.integers(-10**6, 10**9),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2300, 1, 1)),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2300, 1, 1)),
    st.sampled_from(["", "  ", "是", "否", "3次", "2026-03-05", "120万", "abc", "★★★", "1", "0", "4分"]))


@hsettings(max_examples=300, deadline=None)
@given(v=cell_values, mult=st.sampled_from([1.0, 1e4]))
def test_fast_cell_parsers_equal_the_engine_parsers(v, mult):
    engines = {"money": lambda c: parse_money(c, mult), "date": parse_date, "count": parse_count,
               "profit": lambda c: parse_money(c, mult, allow_negative=True),
               "hours": parse_hours, "score": parse_score, "bool": parse_bool}
    for kind, engine in engines.items():
        want = engine([v])
        got = udf_support.parse(kind, [v], mult=mult)
        w, g = want.values[0], got.values[0]
        if kind == "date":
            assert (np.isnat(w) and np.isnat(g)) or w == g, (kind, v)
        else:
            assert (np.isnan(w) and np.isnan(g)) or w == g, (kind, v)
        assert want.problems[0] == got.problems[0], (kind, v)


def _same(kind: str, a, b) -> bool:
    if kind == "date":
        return bool(np.all((np.isnat(a.values) & np.isnat(b.values)) | (a.values == b.values)))
    return bool(np.all((np.isnan(a.values) & np.isnan(b.values)) | (a.values == b.values)))


one_type_columns = st.one_of(  # what xlwings hands over for a clean column: one type plus blanks
    st.lists(st.one_of(st.none(), st.floats(allow_infinity=False), st.integers(-5, 10).map(float)), min_size=5,
             max_size=30),
    st.lists(st.one_of(st.none(), st.datetimes(min_value=dt.datetime(1900, 1, 1))), min_size=5, max_size=30),
    st.lists(st.one_of(st.none(), st.sampled_from(["", "是", "否", "3次", "2026-03-05", "120万", "#N/A", " 1 "])),
             min_size=5, max_size=30))


@hsettings(max_examples=200, deadline=None)
@given(cells=st.one_of(st.lists(cell_values, min_size=5, max_size=30), one_type_columns),
       mult=st.sampled_from([1.0, 1e4]))
def test_column_parse_with_the_text_memo_equals_the_engine(cells, mult):
    engines = {"money": lambda c: parse_money(c, mult), "date": parse_date, "count": parse_count,
               "hours": parse_hours, "score": parse_score, "bool": parse_bool}
    for kind, engine in engines.items():
        want = engine(cells)
        for _ in range(2):  # cold, then with every text remembered
            got = udf_support.parse(kind, cells, mult=mult)
            assert _same(kind, want, got), (kind, cells)
            assert list(want.problems) == list(got.problems), (kind, cells)
        info = udf_support.col_info(cells)  # as a call's per-row argument: the column info reused
        got = udf_support.parse(kind, cells, mult=mult, info=info)
        assert _same(kind, want, got) and list(want.problems) == list(got.problems), (kind, cells)
        assert list(info.blank) == [udf_support.is_blank(v) for v in cells]


@hsettings(max_examples=300, deadline=None)
@given(cells=st.one_of(st.lists(cell_values, min_size=1, max_size=4), one_type_columns.map(lambda c: c[:3])))
def test_column_info_of_a_few_cells_equals_the_column_path(cells):
    """A single-cell call classifies its cells in plain Python; a long column (the same
    cells repeated) goes through numpy and pandas: both must see the same."""
    small = udf_support.col_info(cells)
    big = udf_support.col_info(cells * 5)
    n = len(cells)
    assert small.types == big.types
    assert list(small.blank) == list(big.blank[:n])
    assert small.hashed == [i for i in big.hashed if i < n]
    assert small.texts == big.texts
    if big.text_codes is not None:
        assert list(small.text_codes) == list(big.text_codes[:n])
    assert (small.numbers is None) == (big.numbers is None)
    for kind in ("money", "date", "count", "bool"):
        a = udf_support.parse(kind, cells, info=small)
        b = udf_support.parse(kind, cells * 5, info=big)
        assert list(a.problems) == list(b.problems[:n]), (kind, cells)


recency_cells = st.one_of(st.none(), st.floats(-5, 60000), st.integers(0, 400).map(float),
                          st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2027, 6, 1)),
                          st.sampled_from(["45天", "12 days", "2026-03-05", "2026年3月5日", "abc", "  ", True]))


@hsettings(max_examples=150, deadline=None)
@given(cells=st.lists(recency_cells, min_size=5, max_size=25))
def test_recency_of_a_column_equals_recency_cell_by_cell(cells):
    col_errors, one_errors = udf_support.RowErrors(len(cells), "zh"), udf_support.RowErrors(1, "zh")
    whole = udfs._recency_days(col_errors, "recency", cells, TODAY, False)
    for i, v in enumerate(cells):
        one_errors.msg.clear()
        single = udfs._recency_days(one_errors, "recency", [v], TODAY, False)[0]
        assert (np.isnan(whole[i]) and np.isnan(single)) or whole[i] == single, (v, whole[i], single)
        assert col_errors.msg.get(i) == one_errors.msg.get(0), v


def test_recency_forms():
    caller = caller_for()
    population = [10.0, 30.0, 100.0]
    args = ([5.0, 2.0, 1.0], [1000.0, 500.0, 20.0])
    as_days = udfs.RFM_SCORE(30.0, 2.0, 500.0, population, *args, **caller)
    assert as_days == 333
    assert udfs.RFM_SCORE("30天", 2.0, 500.0, population, *args, **caller) == as_days
    assert udfs.RFM_SCORE(dt.datetime(2026, 10, 21), 2.0, 500.0, population, *args, **caller) == as_days
    serial = float((dt.datetime(2026, 10, 21) - dt.datetime(1899, 12, 30)).days)
    assert udfs.RFM_SCORE(serial, 2.0, 500.0, population, *args, **caller) == as_days
    assert udfs.RFM_SCORE("2026-12-01", 2.0, 500.0, population, *args, **caller).startswith(
        "#参数错误: recency 「2026-12-01」晚于今天 2026-11-20")


@hsettings(max_examples=200, deadline=None)
@given(population=st.lists(st.one_of(st.integers(0, 20).map(float), st.floats(0, 1e4)), min_size=1, max_size=40),
       probes=st.lists(st.floats(0, 1e4), min_size=1, max_size=8), higher=st.booleans())
def test_cached_quintile_scores_equal_the_engine(population, probes, higher):
    sp = udfs._SortedPop(np.array(population))
    want = quintile_scores(np.array(probes + population), np.array(population), higher_is_better=higher)
    assert [sp.score(p, higher) for p in probes + population] == list(want)


# ----------------------------------------------------------------------------- xlwings' own view


@pytest.fixture(scope="module")
def with_real_decorators():
    """xlclient.udfs as Excel sees it: decorated by xlwings' Windows decorators."""
    return udf_support.xlwings_udf_module()


def test_xlwings_registers_every_function_with_help_and_converters(with_real_decorators):
    xu, module = with_real_decorators
    registered = {name for name in dir(module) if hasattr(getattr(module, name), "__xlfunc__")}
    assert registered == set(FUNCTIONS)
    assert "pythoncom" not in sys.modules or sys.platform.startswith("win")  # the stand-ins were removed
    for name in FUNCTIONS:
        info = getattr(module, name).__xlfunc__
        assert info["category"] == "xlclient"
        assert info["ret"]["doc"] and len(info["ret"]["doc"]) <= 255
        args = [a for a in info["args"] if not a.get("vba")]
        hidden = info["args"][len(args):]
        assert all(a["name"] != "caller" for a in info["args"]), name  # xlwings would build a COM range for it
        assert [(a["name"], a["vba"], a["options"]) for a in hidden] == [
            ("settings", udf_support.SETTINGS_VBA, {"convert": "raw"}),
            ("holidays", udf_support.HOLIDAYS_VBA, {"convert": "raw"})], name  # last, after every visible one
        for a in args:
            assert a["doc"] and not a["doc"].startswith("Positional argument"), (name, a["name"])
            assert len(a["doc"]) <= 255, (name, a["name"])
            assert a["name"].isascii()
            if "population" in a["name"]:  # read raw: no per-cell conversion by xlwings on every call
                assert a["options"] == {"convert": "raw"}, (name, a["name"])


def test_vba_wrappers_from_xlwings_generator(with_real_decorators):
    xu, module = with_real_decorators
    out = io.StringIO()

    class Workbook:
        Name = "客户台账.xlsm"

    xu.generate_vba_wrapper("xlclient.udfs", module, out, Workbook())
    vba = out.getvalue()
    assert vba.isascii()
    assert "Function CLIENT_TIER(value, Optional population, Optional status, Optional previous_tier, " \
           "Optional override, Optional population_status, Optional unit)" in vba
    hidden = f"{udf_support.SETTINGS_VBA}, {udf_support.HOLIDAYS_VBA}"
    assert f'XLPy.CallUDF("xlclient.udfs", "NEXT_VISIT", Array(tier_or_stage, last_visit, {hidden}), ' \
           "ThisWorkbook, Application.Caller)" in vba
    assert "Nothing" not in vba  # no caller placeholder
    assert max(map(len, vba.splitlines())) <= 1023  # VBA's longest line
    for name in FUNCTIONS:
        assert f"Function {name}(" in vba


def test_the_templates_wrappers_pass_every_parameter_then_the_hidden_sheets():
    """The committed VBA module (what Excel runs): each function passes its Excel parameters
    in order and then the two hidden arguments, which evaluate in the template to its
    设置 and 节假日 sheets; called that way, every function answers (no settings error)."""
    from vba_wrapper import evaluate_hidden, wrapper_calls

    vba = (Path(__file__).resolve().parents[1] / "workbook" / "vba" / "xlwings_udfs.bas").read_text("ascii")
    calls = wrapper_calls(vba)
    assert set(calls) == set(FUNCTIONS)
    hidden = [evaluate_hidden(e, TEMPLATE) for e in (udf_support.SETTINGS_VBA, udf_support.HOLIDAYS_VBA)]
    assert [h[1] for h in hidden] == ["设置", "节假日"] and hidden[0][2].startswith("$A$1:")
    samples = {"CLIENT_TIER": [120.0, ((500.0,), (120.0,), (3.0,))], "CLIENT_QUADRANT": ["A", 4.0],
               "INTENT_STAGE": ["意向", 2.0, "否"], "NEXT_VISIT": ["A", dt.datetime(2026, 11, 2)],
               "VISIT_STATUS": ["A", dt.datetime(2026, 11, 2)], "RFM_SCORE": [30.0, 2.0, 500.0, (10.0, 60.0),
                                                                             (1.0, 5.0), (100.0, 900.0)],
               "RFM_SEGMENT": [30.0, 2.0, 500.0, (10.0, 60.0), (1.0, 5.0), (100.0, 900.0)],
               "PURCHASE_LIKELIHOOD": ["意向"], "CLIENT_REVIEW": ["B", "A"], "CLIENT_STRATEGY": ["理智型"]}
    for name, (params, passed) in calls.items():
        assert passed == params + [udf_support.SETTINGS_VBA, udf_support.HOLIDAYS_VBA], name
        args = samples[name] + [None] * (len(params) - len(samples[name]))
        got = getattr(udfs, name)(*args, *hidden)
        assert got not in (None, "") and not (isinstance(got, str) and got.startswith("#")), (name, got)
    # the template's Settings arrive as the Settings the engine reads from the file
    assert udf_support.context(*hidden).settings == jobs_settings(TEMPLATE)
    assert udf_support.context(*hidden).error is None


def jobs_settings(path: Path) -> Settings:
    from xlclient.jobs import load_settings
    from xlclient.xlsx.reader import read_workbook

    return load_settings(read_workbook(path))


def test_no_function_reaches_into_excel():
    """Nothing of xlclient.udfs or udf_support touches an Excel object: no ``caller``, no
    book, sheet, range, app or COM ``api`` -- only xlwings' decorators (the source, read as
    Python), and no xlwings object is made while every function runs (they are made to fail)."""
    import ast

    import xlwings

    forbidden = {"api", "book", "books", "sheet", "sheets", "app", "apps", "used_range", "caller", "range",
                 "Book", "App", "Range", "Sheet"}
    for module in (udfs, udf_support):
        tree = ast.parse(Path(module.__file__).read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                assert node.attr not in forbidden, (module.__name__, node.lineno, node.attr)
                if isinstance(node.value, ast.Name) and node.value.id in ("xw", "xlwings"):
                    assert node.attr in ("func", "arg", "ret"), (module.__name__, node.lineno, node.attr)
            if isinstance(node, ast.arg):
                assert node.arg != "caller", (module.__name__, node.lineno)

    def refuse(*_a, **_k):
        raise AssertionError("an Excel object was made during a function call")

    saved = {k: getattr(xlwings, k) for k in ("Book", "App", "Range", "Sheet")}
    try:
        for k in saved:
            setattr(xlwings, k, refuse)
        caller = caller_for()
        assert udfs.CLIENT_TIER(10.0, [100.0, 10.0, 5.0], **caller) == "B"
        assert udfs.NEXT_VISIT("A", dt.datetime(2026, 11, 2), **caller) == dt.date(2026, 11, 16)
        assert udfs.CLIENT_STRATEGY("理智型", **caller)
    finally:
        for k, v in saved.items():
            setattr(xlwings, k, v)


# ----------------------------------------------------------------------------- in Excel itself

TEMPLATE = Path(__file__).resolve().parents[1] / "workbook" / "xlclient.xlsm"


@pytest.mark.excel
@pytest.mark.skipif(not sys.platform.startswith("win"), reason="UDFs run only in desktop Excel on Windows")
def test_udf_cells_in_excel_equal_python_calls(tmp_path):
    """The Windows check: the template's imported UDFs, recalculated by Excel, give what the
    Python calls give -- single cells with a population, a spilled column, text, a date."""
    import shutil

    import xlwings as xw

    if not TEMPLATE.exists():
        pytest.skip(f"template not built: {TEMPLATE}")
    path = tmp_path / TEMPLATE.name
    shutil.copy(TEMPLATE, path)
    values = [500.0, 300.0, 200.0, 1.0, None, "120万"]
    app = xw.App(visible=False, add_book=False)
    try:
        book = app.books.open(str(path))
        sheet = book.sheets.add("udf_check")
        sheet["A1"].options(transpose=True).value = values
        for r in range(1, len(values) + 1):
            sheet[f"B{r}"].formula = f"=CLIENT_TIER(A{r},A$1:A${len(values)})"
        sheet["C1"].formula2 = f"=CLIENT_TIER(A1:A{len(values)})"
        sheet["D1"].formula = '=CLIENT_STRATEGY("理智型")'
        sheet["E1"].formula = '=NEXT_VISIT("A",DATE(2026,9,17))'
        app.calculate()
        single = sheet[f"B1:B{len(values)}"].options(ndim=1).value
        spilled = sheet[f"C1:C{len(values)}"].options(ndim=1).value
        column_form = flat_out(udfs.CLIENT_TIER(column(values)))
        assert [v or "" for v in spilled] == column_form
        assert [v or "" for v in single] == [udfs.CLIENT_TIER(cell(v), pop(values)) for v in values]
        assert sheet["D1"].value == strategy_text("理智型")
        assert sheet["E1"].value.date() == dt.date(2026, 10, 8)
    finally:
        app.kill()


def strategy_text(kind: str) -> str:
    from xlclient.engine.strategy import strategy_for

    return strategy_for(kind)


def test_client_review_reports_a_loss_making_client():
    # tier, previous, status, gross profit (a loss), service hours: single cells as xlwings hands them
    gp, hours = [-20000.0, 50000.0, 80000.0], [300.0, 100.0, 100.0]
    text = udfs.CLIENT_REVIEW("C", None, "现有", -20000.0, 300.0, None, None, None, None, None, gp, hours)
    assert "亏本" in text and "建议淘汰" in text


def test_client_review_cutoff_comes_from_the_population():
    gp = [float(v) for v in range(1000, 21000, 1000)]  # 20 clients, 10..200 per hour
    hours = [100.0] * 20
    status = ["现有"] * 20
    low = udfs.CLIENT_REVIEW("C", None, "现有", 1500.0, 100.0, None, None, None, None, None, gp, hours, status)
    high = udfs.CLIENT_REVIEW("C", None, "现有", 9000.0, 100.0, None, None, None, None, None, gp, hours, status)
    assert "最低 10%" in low and "≤ 20" in low
    assert high == ""
