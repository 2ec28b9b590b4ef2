"""Finding the client table in a workbook and reading it into one clean row per client
(SPEC 2, 8): Excel tables and plain ranges anywhere on a sheet, owned sheets never taken,
Excel row numbers in every problem, duplicates flagged not merged, totals and notes left
out with a reason, nothing the user typed changed."""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from xlclient.engine.book import (
    ClientTableNotFound,
    SheetGrid,
    TableInfo,
    build_client_book,
    locate_client_table,
    owned_sheet_names,
    read_client_book,
    unit_above,
)
from xlclient.engine.grid import UncomputedFormula
from xlclient.engine.settings import Settings

SETTINGS = Settings(as_of=dt.date(2026, 11, 20))
HEADER = ["客户编号", "客户名称", "客户经理", "客户状态", "年度投放额(万元)", "最近合作日期", "已付定金"]


def rows_of(*rows) -> list[list]:
    return [list(r) for r in rows]


def row_problems(book) -> list:
    """The problems of rows; those of the table (row None: a field not found) are tested on
    their own."""
    return [p for p in book.problems if p.row is not None]


def problems(book) -> list[tuple]:
    """The problems of rows (those of the table, row None, are tested on their own)."""
    return sorted((p.row, p.column, p.value, p.code) for p in row_problems(book) if p.row is not None)


def grid(name, rows, first_row=0, first_col=0) -> SheetGrid:
    return SheetGrid(name, rows, first_row, first_col)


# ----------------------------------------------------------------------------- locating

def test_header_under_title_rows_on_a_plain_range():
    rows = rows_of(["华东区客户台账"], ["制表：张伟"], [], HEADER, ["K1", "甲", "张", "合作中", 10, None, None])
    sheet, table, header_row, first_col, headers, data = locate_client_table([grid("台账", rows)])
    assert (sheet, table, header_row, first_col) == ("台账", None, 3, 0)
    assert headers == HEADER and data == [rows[4]]


def test_an_excel_table_wins_over_the_same_headers_as_a_plain_range():
    rows = rows_of(["x"], HEADER, ["K1", "甲", "张", "合作中", 10, None, None])
    t = TableInfo("客户表", "台账", HEADER, [rows[2]], header_row=1, first_col=0)
    assert locate_client_table([grid("台账", rows)], [t])[1] == "客户表"


def test_owned_sheets_are_never_the_client_table():
    clients = grid("Sheet1", rows_of(["客户名称", "客户经理"], ["甲", "张"]))
    for owned in ("分级结果", "Classification", "classification", "拜访计划", "VisitPlan", "数据问题", "设置"):
        big = grid(owned, rows_of(["客户编号", "客户名称", "客户经理", "等级"], *[[i, f"c{i}", "x", "A"] for i in range(50)]))
        table = TableInfo("T", owned, ["客户编号", "客户名称", "客户经理", "等级", "年度投放额"], [], 0, 0)
        assert locate_client_table([big, clients], [table])[0] == "Sheet1", owned
    assert "classification" in owned_sheet_names() and "分级结果" in owned_sheet_names()
    with pytest.raises(ClientTableNotFound):
        locate_client_table([grid("分级结果", rows_of(["客户编号", "客户名称", "客户经理"]))])


def test_the_sheet_naming_the_most_fields_wins_then_the_preferred_name_then_more_rows():
    summary = grid("汇总", rows_of(["客户名称", "年度投放额"], ["甲", 1], ["乙", 2]))
    book = grid("2026", rows_of(HEADER, ["K1", "甲", "张", "合作中", 10, None, None]))
    assert locate_client_table([summary, book])[0] == "2026"
    # equal headers: a sheet named like a client book wins
    a = grid("Sheet2", rows_of(["客户名称", "客户经理"], ["甲", "张"], ["乙", "李"]))
    b = grid("客户台账", rows_of(["客户名称", "客户经理"], ["甲", "张"]))
    assert locate_client_table([a, b])[0] == "客户台账"
    # equal headers and names: the one with more rows
    c = grid("Sheet3", rows_of(["客户名称", "客户经理"], ["甲", "张"], ["乙", "李"], ["丙", "王"]))
    assert locate_client_table([a, c])[0] == "Sheet3"
    assert locate_client_table([c, a])[0] == "Sheet3"
    # a hidden copy (an old backup) loses a tie against the visible sheet, even with more rows
    backup = SheetGrid("客户台账_备份", rows_of(["客户名称", "客户经理"], *[[f"c{i}", "x"] for i in range(9)]), hidden=True)
    assert locate_client_table([backup, a])[0] == "Sheet2"
    # ... but not against a table that names more fields
    assert locate_client_table([SheetGrid("H", rows_of(["客户名称", "客户经理", "行业"], ["甲", "张", "x"]),
                                          hidden=True), a])[0] == "H"


def test_locate_by_name_and_not_found():
    a = grid("A", rows_of(["客户名称", "客户经理"], ["甲", "张"]))
    b = grid("B", rows_of(["x"], ["客户名称", "客户经理", "行业"], ["乙", "李", "快消"]))
    t = TableInfo("tblClients", "A", ["客户名称", "客户经理"], [["甲", "张"]], 0, 0)
    assert locate_client_table([a, b], [t], name="A")[0] == "A"
    assert locate_client_table([a, b], [t], name="tblclients")[1] == "tblClients"
    with pytest.raises(ClientTableNotFound):
        locate_client_table([a, b], [t], name="nope")
    with pytest.raises(ClientTableNotFound):
        locate_client_table([grid("X", rows_of(["a", "b"], [1, 2]))], name="X")
    with pytest.raises(ClientTableNotFound):
        locate_client_table([grid("X", rows_of(["客户名称"], ["甲"]))])  # one field is not enough
    with pytest.raises(ClientTableNotFound):
        locate_client_table([])


def test_settings_mapping_makes_an_unknown_header_row_the_client_table():
    s = Settings(columns={"name": "品牌主", "owner": "对接AE"})
    rows = rows_of(["品牌主", "对接AE"], ["甲", "张"])
    with pytest.raises(ClientTableNotFound):
        locate_client_table([grid("S", rows)])
    assert locate_client_table([grid("S", rows)], settings=s)[0] == "S"


# ----------------------------------------------------------------------------- Excel row numbers

def test_rows_and_columns_of_a_range_starting_at_c5():
    rows = rows_of(HEADER,
                   ["K1", "甲", "张", "合作中", "abc", "2026-02-30", "也许"],
                   [None] * 7,
                   ["K2", "乙", "李", "潜在", 5, "2026年3月5日", "是"],
                   ["K3", "丙", "李", "weird", -1, 46086.0, "否"])
    # the grid's first cell is C5: rows[0] is Excel row 5, the data starts at row 6
    sheets = [grid("客户", rows, first_row=4, first_col=2)]
    book = read_client_book(sheets, settings=SETTINGS)
    assert book.header_row == 5 and book.sheet == "客户"
    assert list(book.frame["row"]) == [6, 8, 9]
    assert problems(book) == sorted([
        (6, "年度投放额(万元)", "abc", "money"), (6, "已付定金", "也许", "bool"), (6, "最近合作日期", "2026-02-30", "date"),
        (9, "客户状态", "weird", "status"), (9, "年度投放额(万元)", -1, "negative_money"),
    ])


def test_rows_of_an_excel_table_starting_at_c5():
    t = TableInfo("T", "客户", HEADER, rows_of(["K1", "甲", "张", "合作中", "x", None, None], [None] * 7,
                                               ["K2", "乙", "张", "合作中", "y", None, None]), header_row=4, first_col=2)
    book = read_client_book([], [t], settings=SETTINGS)
    assert book.table == "T" and book.header_row == 5
    assert [(p.row, p.value) for p in row_problems(book)] == [(6, "x"), (8, "y")]


# ----------------------------------------------------------------------------- rows that are not clients

def test_totals_and_notes_are_left_out_with_a_reason_and_their_cells_not_checked():
    header = ["序号", "客户名称", "客户经理", "年度投放额"]
    rows = rows_of([1, "甲", "张", 100], [2, "乙", "李", 200],
                   [None, "合计", None, 300],
                   ["小计：", None, None, "#DIV/0!"],  # the label in another column, name blank
                   [None, "Total", None, "n/a?"],
                   [None, "注：数据截至2026年10月31日", None, None],
                   ["备注：金额含税", None, None, None],  # in an unrecognised column only: a blank row
                   [None, "数据截至 2026-10-31", None, None],
                   [None, "※注1：以上为不完全统计", None, None],
                   [3, "合计广告有限公司", "王", 5])  # a client whose name starts like a total
    book = build_client_book(header, rows, sheet="S", header_row=0, settings=SETTINGS)
    assert list(book.frame["name"]) == ["甲", "乙", "合计广告有限公司"]
    assert problems(book) == [(4, "客户名称", "合计", "summary_row"), (5, "客户名称", "小计：", "summary_row"),
                              (6, "客户名称", "Total", "summary_row"),
                              (7, "客户名称", "注：数据截至2026年10月31日", "summary_row"),
                              (9, "客户名称", "数据截至 2026-10-31", "summary_row"),
                              (10, "客户名称", "※注1：以上为不完全统计", "summary_row")]
    assert book.left_out == 6


def test_a_header_repeated_under_itself_is_skipped_silently():
    header = ["客户编号", "客户\n名称", "年度投放额(万元)"]
    rows = rows_of(["K1", "甲", 1], ["客户编号", "客户\n名称", "年度投放额(万元)"], ["K2", "乙", "x"])
    book = build_client_book(header, rows, sheet="S", header_row=0, settings=SETTINGS)
    assert list(book.frame["row"]) == [2, 4] and problems(book) == [(4, "年度投放额(万元)", "x", "money")]
    assert book.left_out == 0


def test_traditional_chinese_totals_and_notes():
    rows = rows_of(["甲", 1], ["合計", 2], ["註：資料截至10月", None])
    book = build_client_book(["客戶名稱", "年度投放額"], rows, sheet="S", header_row=0, settings=SETTINGS)
    assert list(book.frame["name"]) == ["甲"] and [p.code for p in row_problems(book)] == ["summary_row"] * 2


def test_rows_without_a_name_are_left_out_and_reported():
    header = ["客户编号", "客户名称", "年度投放额"]
    rows = rows_of(["K1", "甲", 1], ["K2", None, "abc"], ["K3", "-", 3], ["K4", "#REF!", 4], ["K5", "  ", 5])
    book = build_client_book(header, rows, sheet="S", header_row=0, settings=SETTINGS)
    assert list(book.frame["name"]) == ["甲"]
    assert problems(book) == [(3, "客户名称", None, "no_name"), (4, "客户名称", "-", "no_name"),
                              (5, "客户名称", "#REF!", "no_name"), (6, "客户名称", None, "no_name")]


def test_without_a_name_column_the_id_names_the_client():
    book = build_client_book(["客户编号", "年度投放额"], rows_of([1001.0, 5], [1002.0, 6], [None, 7]), sheet="S",
                             header_row=0, settings=SETTINGS)
    assert list(book.frame["client_id"]) == ["1001", "1002"]
    assert problems(book) == [(4, "客户编号", None, "no_name")]


def test_blank_rows_are_skipped_silently_whatever_they_hold():
    rows = rows_of(["甲", "张"], [None, None], ["", "  "], [float("nan"), None], ["乙", "李"], [None])
    book = build_client_book(["客户名称", "客户经理", "备注"], rows, sheet="S", header_row=0, settings=SETTINGS)
    assert list(book.frame["row"]) == [2, 6] and row_problems(book) == [] and book.left_out == 0


# ----------------------------------------------------------------------------- duplicates

def test_duplicates_are_flagged_and_kept():
    rows = rows_of(["KH001", "甲", 1], ["KH002", "乙", 2], ["ｋｈ001 ", "丙", 3], [1001.0, "丁", 4], ["1001", "戊", 5])
    book = build_client_book(["客户编号", "客户名称", "年度投放额"], rows, sheet="S", header_row=0, settings=SETTINGS)
    assert len(book.frame) == 5
    assert problems(book) == [(2, "客户编号", "KH001", "duplicate_id"), (4, "客户编号", "ｋｈ001", "duplicate_id"),
                              (5, "客户编号", "1001", "duplicate_id"), (6, "客户编号", "1001", "duplicate_id")]
    assert {p.row: p.params["rows"] for p in row_problems(book)} == {2: "4", 4: "2", 5: "6", 6: "5"}
    assert book.frame["key"].is_unique
    assert list(book.frame["client_id"]) == ["KH001", "KH002", "ｋｈ001", "1001", "1001"]  # as typed


def test_duplicate_names_without_an_id_column():
    rows = rows_of(["甲", 1], ["乙", 2], ["甲", 3])
    book = build_client_book(["客户名称", "年度投放额"], rows, sheet="S", header_row=0, settings=SETTINGS)
    assert problems(book) == [(2, "客户名称", "甲", "duplicate_name"), (4, "客户名称", "甲", "duplicate_name")]
    assert len(book.frame) == 3 and book.frame["key"].is_unique


# ----------------------------------------------------------------------------- values

def test_values_units_and_potential():
    header = ["客户名称", "年度投放额(万元)", "毛利", "潜力", "预计年度预算"]
    rows = rows_of(["甲", 12, "约5千", 4, "50万"], ["乙", "1.2亿", 100, 7, None], ["丙", None, None, 2, 3])
    book = build_client_book(header, rows, sheet="S", header_row=0, settings=SETTINGS)
    f = book.frame
    assert list(f["billings"][:2]) == [120_000, 120_000_000]
    assert f["gross_profit"][1] == 100
    assert book.potential_kind == "score"  # 潜力 (an earlier alias) is the potential column; one 7 is a typo
    assert problems(book) == [(2, "毛利", "约5千", "approximate_amount"), (3, "潜力", 7, "score")]  # 约: read, noted
    assert f["gross_profit"][0] == 5000


@pytest.mark.parametrize("header, values, kind", [
    ("潜力", [1, 2, 3, 4, 5], "score"), ("潜力", [10, 20, 50, 4], "money"), ("潜力", ["50万", 3], "money"),
    ("潜力评分", [10, 20, 30], "score"), ("预计预算", [1, 2, 3], "money"), ("潜力(万元)", [1, 2, 3], "money"),
    ("Potential", [], "score"),
])
def test_potential_is_a_score_or_money(header, values, kind):
    rows = [[f"c{i}", v] for i, v in enumerate(values)] or [["c", None]]
    book = build_client_book(["客户名称", header], rows, sheet="S", header_row=0, settings=SETTINGS)
    assert book.potential_kind == kind


def test_unit_line_above_the_header():
    rows = rows_of(["2026年客户台账（金额单位：万元）"], [], ["客户名称", "年度投放额", "毛利/元"], ["甲", 12, 500])
    sheets = [grid("S", rows, first_row=2)]
    assert unit_above(sheets, "S", 4) == 1e4
    book = read_client_book(sheets, settings=SETTINGS)
    assert book.frame["billings"][0] == 120_000 and book.frame["gross_profit"][0] == 500
    assert unit_above([grid("S", rows_of(["单位：元"], ["客户名称"]))], "S", 1) == 1.0
    assert unit_above([grid("S", rows_of(["客户名称"]))], "S", 0) == 1.0
    assert unit_above([], "S", 3) == 1.0


def test_a_gross_profit_may_be_a_loss_but_billings_may_not_be_negative():
    book = build_client_book(["客户名称", "年度投放额", "毛利"], rows_of(["甲", -5, -20_000], ["乙", 5, "(3,000)"]),
                             sheet="S", header_row=0, settings=SETTINGS)
    assert list(book.frame["gross_profit"]) == [-20_000, -3000]
    assert problems(book) == [(2, "年度投放额", -5, "negative_money")]


def test_header_with_line_break_is_shown_on_one_line_in_problems():
    book = build_client_book(["客户\n名称", "年度\n投放额"], rows_of(["甲", "abc"]), sheet="S", header_row=0,
                             settings=SETTINGS)
    assert problems(book) == [(2, "年度投放额", "abc", "money")]


def test_future_dates_and_unknown_codes():
    header = ["客户名称", "最近拜访日期", "锁定等级", "意向阶段", "客户状态"]
    rows = rows_of(["甲", "2027-01-01", "S", "想想", "合作中"], ["乙", "2026-11-20", "b类", "意向", "潜在"])
    book = build_client_book(header, rows, sheet="S", header_row=0, settings=SETTINGS)
    codes = [(p.row, p.code) for p in row_problems(book)]
    assert sorted(codes) == [(2, "future_date"), (2, "stage"), (2, "tier_override")]
    assert list(book.frame["tier_override"]) == ["", "B"]


def test_nothing_the_user_typed_is_changed():
    header = ["客户编号", "客户\n名称 ", "年度投放额(万元)", "最近合作日期"]
    rows = rows_of([1001.0, " 甲 ", "1.2亿", dt.date(2026, 1, 2)], [1001.0, "合计", 3, None], ["x", None, "-5", "bad"])
    before = (copy.deepcopy(header), copy.deepcopy(rows))
    build_client_book(header, rows, sheet="S", header_row=0, settings=SETTINGS)
    assert (header, rows) == before
    g = grid("S", rows_of(header, *rows))
    snapshot = copy.deepcopy(g.rows)
    read_client_book([g], settings=SETTINGS)
    assert g.rows == snapshot


def test_empty_books():
    book = build_client_book(["客户名称", "客户经理"], [], sheet="S", header_row=0, settings=SETTINGS)
    assert len(book) == 0 and row_problems(book) == []
    book = build_client_book(["客户名称", "客户经理"], [[None, None]], sheet="S", header_row=0, settings=SETTINGS)
    assert len(book) == 0 and row_problems(book) == []


def test_ragged_rows():
    rows = [["甲"], ["乙", "李", 5, "extra", "cells"], [], ["丙", "王"]]
    book = build_client_book(["客户名称", "客户经理", "年度投放额"], rows, sheet="S", header_row=0, settings=SETTINGS)
    assert list(book.frame["name"]) == ["甲", "乙", "丙"] and list(book.frame["owner"]) == ["", "李", "王"]


# ----------------------------------------------------------------------------- properties

names = st.sampled_from(["甲公司", "乙公司", "丙公司", "丁", "合计", "注：说明", None, "", "  ", "-", "KH"])
cells = st.one_of(st.none(), st.text(max_size=6), st.floats(allow_nan=True, allow_infinity=True),
                  st.dates(), st.booleans(), st.sampled_from(["120万", "2026-03-05", "是", "3次", "#DIV/0!"]))


@hsettings(max_examples=150, deadline=None)
@given(rows=st.lists(st.tuples(st.one_of(st.none(), st.integers(1, 5).map(float)), names, cells, cells, cells, cells),
                     max_size=25),
       header_row=st.integers(0, 40), first_col=st.integers(0, 5))
def test_every_row_is_a_client_left_out_with_a_reason_or_blank(rows, header_row, first_col):
    header = ["客户编号", "客户名称", "年度投放额", "最近合作日期", "已付定金", "合作次数"]
    pad = [None] * first_col
    sheet_rows = [pad + header] + [pad + list(r) for r in rows]
    g = SheetGrid("客户", sheet_rows, header_row, 0)
    book = read_client_book([g], settings=SETTINGS)
    excel = {header_row + 2 + i: r for i, r in enumerate(rows)}
    kept = list(book.frame["row"])
    assert kept == sorted(kept) and len(set(kept)) == len(kept)
    left = {p.row for p in row_problems(book) if p.code in ("summary_row", "no_name", "group_row")}
    assert not (left & set(kept)) and book.left_out == len(left)
    for row, r in excel.items():
        if row in kept or row in left:
            continue
        # skipped silently: every recognised cell is blank
        assert all(v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())
                   for v in r), (row, r)
    for p in row_problems(book):
        assert p.sheet == "客户" and p.row in excel and p.column in header
    assert book.frame["key"].is_unique
    assert np.all(np.isnan(book.frame["billings"]) | (book.frame["billings"] >= 0))


def _is_summary_cell_by_cell(text):
    """The definition _is_summary's C-level passes must keep (its earlier, cell-by-cell form)."""
    import unicodedata

    from xlclient.engine import book as B

    out = np.zeros(len(text), dtype=bool)
    for i, v in enumerate(text):
        if isinstance(v, str) and v and (v[:1] in B._SUMMARY_FIRST or (v[:1].isspace() and v.lstrip()[:1] in
                                                                        B._SUMMARY_FIRST)
                                         or v.rstrip()[-1:] in B._SUMMARY_LAST):
            if B._SUMMARY_RE.match(unicodedata.normalize("NFKC", v).strip().lower().translate(B.TRADITIONAL)):
                out[i] = True
    return out


_summary_texts = st.one_of(
    st.none(), st.floats(allow_nan=True), st.integers(),
    st.lists(st.sampled_from(list("合计总小共汇本注备说明：: \t\u3000\nabcTSgn#*客户甲乙") + ["合计", "小计：", "注：", "总计"]),
             max_size=6).map("".join),
    st.sampled_from(["合计", " 合计", "合计 ", "　总计：", "备注：以上为估算", "甲公司", "", "   ", "Total", "note: x", "小计"]),
)


@hsettings(max_examples=400, deadline=None)
@given(values=st.lists(_summary_texts, max_size=12))
def test_summary_cells_are_found_as_cell_by_cell(values):
    from xlclient.engine.book import _is_summary

    text = np.array(values, dtype=object)
    assert _is_summary(text).tolist() == _is_summary_cell_by_cell(text).tolist()


_book_cells = st.one_of(st.none(), st.sampled_from(["", " ", "甲公司", "乙", "合计", "张伟", "王芳", "现有", "潜在", "流失",
                                                   "合作中", "120万", "约50万", "2026-03-05", "2026/13/40", "是", "否",
                                                   "K1", "K1", "客户名称", "#N/A"]),
                        st.floats(-10, 1e6), st.just(float("nan")), st.integers(0, 300),
                        st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2027, 6, 1)))


@hsettings(max_examples=150, deadline=None)
@given(rows=st.lists(st.lists(_book_cells, min_size=7, max_size=8), max_size=12))
def test_a_book_read_with_shared_columns_equals_one_read_without(rows):
    """Each column is sorted by kind (and made text) once for all the looks at it
    (parse.shared_columns, issue 15): the book is the one every look sorting on its own gives
    -- the same frame, problems and reading."""
    from xlclient.engine.book import _build_client_book

    shared = build_client_book(HEADER, rows, sheet="S", header_row=0, settings=SETTINGS)
    alone = _build_client_book(HEADER, rows, sheet="S", header_row=0, settings=SETTINGS)
    assert shared.frame.equals(alone.frame)
    assert [(p.row, p.column, repr(p.value), p.code) for p in shared.problems] == \
        [(p.row, p.column, repr(p.value), p.code) for p in alone.problems]
    assert shared.columns == alone.columns and shared.left_out == alone.left_out


def test_shared_columns_are_read_only_and_given_out_as_copies():
    """Inside the block a grid's column is sorted once; the text made of it is handed out as
    a copy (a caller may change its own); the grid, made read-only, cannot change under it."""
    from xlclient.engine.parse import _sort_cells, parse_text, shared_columns

    grid = np.array([[" 甲 ", 1.0], ["乙", None]], dtype=object)
    grid.setflags(write=False)
    with shared_columns():
        assert _sort_cells(grid[:, 0]) is _sort_cells(grid[:, 0])
        first = parse_text(grid[:, 0])
        first[0] = "changed"
        assert parse_text(grid[:, 0]).tolist() == ["甲", "乙"]
        with pytest.raises(ValueError):
            grid[0, 0] = "x"
        with pytest.raises(ValueError):
            _sort_cells(grid[:, 1]).kinds[0] = 0
    assert _sort_cells(grid[:, 0]) is not _sort_cells(grid[:, 0])  # outside the block: each look its own


@hsettings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(st.one_of(st.none(), st.text(max_size=3), st.floats(allow_nan=False)), max_size=5),
                     max_size=6), width=st.integers(0, 6))
def test_the_grid_holds_each_rows_first_cells_padded_with_none(rows, width):
    """_grid lays rows of one length out in one pass, others cell by cell: either way each
    row's first ``width`` cells, short rows padded with None."""
    from xlclient.engine.book import _grid

    grid = _grid(rows, width)
    assert grid.shape == (len(rows), width)
    assert grid.tolist() == [(list(r) + [None] * width)[:width] for r in rows]


def test_only_columns_of_a_read_only_grid_are_shared():
    """A view of cells that could still change is sorted afresh at every look."""
    from xlclient.engine.book import _grid, _read_only
    from xlclient.engine.parse import _sort_cells, shared_columns

    grid = _grid([["a", 1.0, "x"], ["b", 2.0, "y"]], 2)  # a view of the rows' block
    with shared_columns():
        assert _sort_cells(grid[:, 0]) is not _sort_cells(grid[:, 0])
        _read_only(grid)
        assert _sort_cells(grid[:, 0]) is _sort_cells(grid[:, 0])
        with pytest.raises(ValueError):
            grid.base[2] = "z"  # the block under the view is read-only too


def test_a_shared_columns_blank_mask_is_made_once_and_given_out_as_a_copy():
    from xlclient.engine import parse as P

    grid = np.array([[" ", 1.0], ["乙", None]], dtype=object)
    grid.setflags(write=False)
    calls = []
    real = P._blank_mask_now

    def counted(raw):
        calls.append(1)
        return real(raw)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(P, "_blank_mask_now", counted)
        with P.shared_columns():
            first = P.blank_mask(grid[:, 0])
            first[:] = False
            assert P.blank_mask(grid[:, 0]).tolist() == [True, False]
        assert len(calls) == 1


class _Odd:
    """A cell of a type no reader gives."""


_any_cells = st.one_of(
    st.none(), st.just(""), st.text(max_size=3), st.floats(allow_nan=True, allow_infinity=True), st.integers(-3, 10**20),
    st.booleans(), st.dates(), st.datetimes(), st.times(), st.timedeltas(),
    st.sampled_from([np.datetime64("NaT"), np.datetime64("2026-03-05"), pd.NaT, np.float64(2.5), np.int64(7),
                     np.nan, _Odd(), UncomputedFormula("A1+1")]),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
)


@hsettings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(_any_cells, min_size=4, max_size=4), min_size=1, max_size=9),
       width=st.integers(1, 4), col=st.integers(0, 3), lo=st.integers(0, 9), hi=st.integers(0, 9),
       step=st.sampled_from([1, 2, -1, -2]))
def test_cells_sorted_with_the_grids_shared_types_equal_cells_sorted_alone(rows, width, col, lo, hi, step):
    """The types of a whole read-only grid are found once, in the order its cells were made
    (parse.share_cell_types, issue 15); any column or slice of a column sorted from them
    is what sorting its cells alone gives."""
    from xlclient.engine.book import _grid, _read_only
    from xlclient.engine.parse import _codes_of_view, _sort_cells_now, share_cell_types, shared_columns

    grid = _grid(rows, width)
    _read_only(grid)
    view = grid[lo:hi:step, min(col, width - 1)]
    alone = _sort_cells_now(view.copy())
    with shared_columns():
        assert share_cell_types(grid) is not None
        assert _codes_of_view(view) is not None
        shared = _sort_cells_now(view)
        assert _codes_of_view(view.copy()) is None  # a copy is not the grid
    assert shared.kinds.tolist() == alone.kinds.tolist()
    assert np.array_equal(shared.numbers, alone.numbers, equal_nan=True)


def test_a_grid_cut_from_a_shared_one_shares_the_types_picked_from_it():
    from xlclient.engine.book import _grid, _read_only
    from xlclient.engine.parse import _codes_of_view, share_cell_types, shared_columns

    grid = _grid([["a", 1.0, None], [None, None, None], ["b", dt.date(2026, 1, 2), 3]], 3)
    _read_only(grid)
    with shared_columns():
        codes = share_cell_types(grid)
        keep = np.array([0, 2])
        cut = grid[keep]
        cut.setflags(write=False)
        assert share_cell_types(cut, codes[keep]).tolist() == codes[keep].tolist()
        assert _codes_of_view(cut[:, 1]).tolist() == codes[keep, 1].tolist()
        other = grid[[1, 2]]
        other.setflags(write=False)
        assert share_cell_types(other, np.zeros((3, 3), dtype=np.int8)) is None  # codes of another shape
    assert share_cell_types(grid) is None  # outside the block nothing is shared


def test_a_grid_of_more_cell_types_than_codes_is_sorted_column_by_column(monkeypatch):
    from xlclient.engine import parse as P
    from xlclient.engine.book import _grid, _read_only

    monkeypatch.setattr(P, "_MAX_TYPE_CODES", len(P._TYPES))  # no room for a type not yet seen
    new_type = type("NeverSeen", (), {})
    grid = _grid([[new_type(), 1.0], ["x", None]], 2)
    _read_only(grid)
    with P.shared_columns():
        assert P.share_cell_types(grid) is None
        assert P.kinds_of(grid[:, 0]).tolist() == [P.OTHER, P.STR]
        assert P.kinds_of(grid[:, 1]).tolist() == [P.NUMBER, P.BLANK]
    assert new_type not in P._TYPE_CODES
