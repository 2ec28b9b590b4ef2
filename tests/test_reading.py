"""Reading the client table with evidence (xlclient.engine.reading and the header work of
fields/book): bilingual headers, units from brackets, groups and banners, status by its
values, IDs by their codes, contested fields, and the property that garbled headers never
change a tier silently."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from xlclient.engine.book import SheetGrid, UncomputedFormula, build_client_book, read_client_book
from xlclient.engine.classify import classify
from xlclient.engine.fields import header_unit, match_columns
from xlclient.engine.settings import Settings
from xlclient.engine.vocab import status_codes

SETTINGS = Settings(as_of=dt.date(2026, 11, 20))


def table_codes(book) -> dict[str, str]:
    return {p.params.get("field"): p.code for p in book.problems if p.row is None and "field" in p.params}


# ----------------------------------------------------------------------------- headers and units


@pytest.mark.parametrize("header, field", [
    ("Client 客户", "name"), ("客户名称 Client Name", "name"), ("Billings 投放额", "billings"),
    ("AE 客户经理", "owner"), ("Status 状态", "status"), ("Last visit 最近拜访", "last_visit"),
])
def test_bilingual_headers_name_their_field(header, field):
    found = match_columns(["客户名称" if field != "name" else "备注", header]).columns
    assert found[field].index == 1 and found[field].how == "bilingual"


def test_bilingual_halves_that_disagree_name_nothing():
    assert "billings" not in match_columns(["客户名称", "Owner 投放额"]).columns


@pytest.mark.parametrize("unit, multiplier", [
    ("含税,万元", 1e4), ("万元；不含税", 1e4), ("RMB 10k", 1e4), ("万RMB", 1e4), ("w", 1e4), ("RMB '000", 1e3),
    ("元", 1.0), ("人民币", 1.0), ("千元", 1e3), ("100万", 1e6), ("亿元", 1e8),
])
def test_header_units(unit, multiplier):
    assert header_unit(unit) == multiplier


@pytest.mark.parametrize("unit", ["USD", "HK$'000", "%", "万元,千元"])
def test_units_that_are_not_one_yuan_magnitude(unit):
    assert header_unit(unit) is None


def test_units_come_from_the_header_a_group_or_the_banner_in_that_order():
    m = match_columns(["客户名称", "投放额（万元）", "毛利", "上年投放额"], default_multiplier=1e3,
                      group_units={2: 1e6}).columns
    assert (m["billings"].multiplier, m["billings"].unit_from) == (1e4, "header")
    assert (m["gross_profit"].multiplier, m["gross_profit"].unit_from) == (1e6, "group")
    assert (m["billings_prev"].multiplier, m["billings_prev"].unit_from) == (1e3, "banner")


def test_a_foreign_currency_column_is_not_billings_and_is_named():
    hm = match_columns(["客户名称", "Billings (USD)"])
    assert "billings" not in hm.columns and hm.foreign["billings"] == (1, "USD")


@pytest.mark.parametrize("header", ["1月投放额", "Q3投放额", "上半年投放额", "累计投放额"])
def test_a_part_of_the_year_or_a_running_total_is_not_billings(header):
    assert "billings" not in match_columns(["客户名称", header]).columns


# ----------------------------------------------------------------------------- values


@pytest.mark.parametrize("text, code", [
    ("现有客户", "current"), ("老客户", "current"), ("长期合作中", "current"), ("往來中", "current"),
    ("潜在客户", "prospect"), ("洽谈中", "prospect"), ("未合作", "prospect"), ("Pitching", "prospect"),
    ("流失客户", "lost"), ("已停止合作", "lost"), ("已停止往來", "lost"), ("Former Customer", "lost"),
    ("合作过", ""), ("理智型", ""), ("金融", ""),
])
def test_status_words(text, code):
    assert status_codes(np.array([text], dtype=object))[0][0] == code


HEAD = ["客户编号", "客户名称", "客户经理", "客户类型", "年度投放额(万元)", "最近拜访日期"]


def book_of(header, rows):
    return build_client_book(header, rows, sheet="S", header_row=0, settings=SETTINGS)


def test_a_type_column_of_statuses_is_the_status():
    rows = [["K1", "甲", "张", "现有客户", 100, "2026-10-01"], ["K2", "乙", "张", "潜在客户", None, "2026-10-01"],
            ["K3", "丙", "李", "流失客户", 5, "2026-10-01"], ["K4", "丁", "李", "现有客户", 50, "2026-10-01"]]
    book = book_of(HEAD, rows)
    assert book.columns["status"].how == "content" and "personality" not in book.columns
    assert list(book.frame["status"]) == ["current", "prospect", "lost", "current"]
    assert table_codes(book) == {}


def test_a_type_column_of_personalities_is_not_the_status_and_status_is_missing():
    rows = [["K1", "甲", "张", "理智型", 100, "2026-10-01"], ["K2", "乙", "张", "犹豫型", None, "2026-10-01"],
            ["K3", "丙", "李", "冲动型", 5, "2026-10-01"]]
    book = book_of(HEAD, rows)
    # SPEC 2, no status column: billings tell current from prospect, and that is said once
    assert "status" not in book.columns and table_codes(book) == {"status": "status_from_billings"}
    assert list(book.frame["status"]) == ["current", "prospect", "current"]
    c = classify(book, SETTINGS)
    assert list(c.frame["tier"]) == ["A", "D", "C"]  # told by billings: 100 and 5 current, the blank a prospect


def test_a_status_column_of_something_else_is_refused():
    header = ["客户名称", "客户经理", "状态", "年度投放额", "最近拜访日期"]
    rows = [["甲", "张", "已对账", 100_000, "2026-10-01"], ["乙", "张", "未对账", 5_000, "2026-10-01"],
            ["丙", "李", "已对账", 7_000, "2026-10-01"]]
    book = book_of(header, rows)
    assert table_codes(book) == {"status": "field_not_status"}


def test_two_owner_columns_that_agree_are_fine_and_that_disagree_are_refused():
    header = ["客户名称", "客户经理", "负责人", "客户状态", "年度投放额", "最近拜访日期"]
    same = [["甲", "张", "张", "现有", 100, "2026-10-01"], ["乙", None, "李", "现有", 50, "2026-10-01"]]
    book = book_of(header, same)
    assert table_codes(book) == {} and list(book.frame["owner"]) == ["张", "李"]  # the fuller one
    differ = [["甲", "张", "王", "现有", 100, "2026-10-01"], ["乙", "李", "李", "现有", 50, "2026-10-01"]]
    book = book_of(header, differ)
    assert table_codes(book) == {"owner": "field_ambiguous"} and "owner" not in book.columns
    (p,) = [p for p in book.problems if p.row is None]
    assert "负责人" in p.message("zh") and "客户经理" in p.message("zh")


def test_codes_under_a_client_header_beside_the_names_are_the_ids():
    header = ["客户", "客户名称", "客户经理", "客户状态", "年度投放额", "最近拜访日期"]
    rows = [[f"KH-2026-{i:03d}", f"客户{i}", "张", "现有", 10 + i, "2026-10-01"] for i in range(5)]
    book = book_of(header, rows)
    assert book.columns["client_id"].how == "content" and book.columns["name"].index == 1
    assert list(book.frame["client_id"])[:2] == ["KH-2026-000", "KH-2026-001"]


def test_group_heading_rows_subtotals_and_block_titles_are_not_clients():
    header = ["客户名称", "客户经理", "客户状态", "年度投放额", "最近拜访日期"]
    rows = [["张伟", None, None, None, None], ["甲", "张伟", "现有", 100, "2026-10-01"],
            ["张伟 小计", None, None, 100, None], ["二、潜在客户", None, None, None, None],
            ["乙", "李娜", "潜在", None, "2026-10-01"], ["华东区合计", None, None, 100, None]]
    book = book_of(header, rows)
    assert list(book.frame["name"]) == ["甲", "乙"]
    left = sorted((p.row, p.code) for p in book.problems if p.row is not None)
    assert left == [(2, "group_row"), (4, "summary_row"), (5, "group_row"), (7, "summary_row")]


def test_a_two_level_header_takes_the_latest_year_under_its_group_with_the_group_unit():
    rows = [["客户信息", None, None, "投放额（万元）", None, "跟进"],
            ["客户名称", "客户经理", "客户状态", "2025年", "2026年", "最近拜访"],
            ["甲", "张", "现有", 10, 20, "2026-10-01"], ["乙", "李", "现有", 30, 5, "2026-10-01"]]
    g = SheetGrid("S", rows, 0, 0, merged=((0, 0, 0, 2), (0, 3, 0, 4)))
    book = read_client_book([g], settings=SETTINGS)
    m = book.columns["billings"]
    assert m.index == 4 and m.multiplier == 1e4 and book.columns["billings_prev"].index == 3
    assert list(book.frame["billings"]) == [200_000, 50_000]


def test_formulas_saved_without_a_result_are_reported():
    header = ["客户名称", "客户经理", "客户状态", UncomputedFormula("A1&B1"), "最近拜访日期"]
    rows = [["甲", "张", "现有", 100, "2026-10-01"]]
    book = book_of(header, rows)
    codes = sorted((p.row, p.code) for p in book.problems)
    assert (None, "header_formula") in codes and (None, "field_missing") in codes
    header = ["客户名称", "客户经理", "客户状态", "年度投放额", "最近拜访日期"]
    book = book_of(header, [["甲", "张", "现有", UncomputedFormula("B2*10000"), "2026-10-01"]])
    (p,) = [p for p in book.problems if p.code == "formula_no_value"]
    assert p.row == 2 and p.column == "年度投放额" and np.isnan(book.frame["billings"][0])


def test_many_unreadable_values_are_said_of_the_table():
    header = ["客户名称", "客户经理", "客户状态", "年度投放额", "最近拜访日期"]
    rows = [[f"c{i}", "张", "现有", "见合同" if i < 3 else 10_000 + i, "2026-10-01"] for i in range(10)]
    book = book_of(header, rows)
    (p,) = [p for p in book.problems if p.row is None]
    assert p.code == "many_unreadable" and p.params["bad"] == 3 and p.params["total"] == 10


def test_the_reading_report_names_every_field_unit_and_what_was_not_read():
    header = ["客户名称", "客户经理", "客户状态", "年度投放额（含税,万元）"]
    book = book_of(header, [["甲", "张", "现有", 10]])
    lines = book.reading.report_lines("zh")
    assert any("投放额" in ln and "万元" in ln and "表头" in ln for ln in lines)
    assert any("未能读取最近拜访日期" in ln for ln in lines)
    en = book.reading.report_lines("en")
    assert any("Not read: last visit" in ln for ln in en)
    assert book.reading.as_dict()["fields"]["billings"]["unit"] == 1e4


# ----------------------------------------------------------------------------- property

BASE = {
    "client_id": "客户编号", "name": "客户名称", "owner": "客户经理", "status": "客户状态",
    "billings": "年度投放额", "last_visit": "最近拜访日期",
}
# Other ways agencies write each header (all meaning the same field).
VARIANTS = {
    "client_id": ["客户编号", "编号", "Client ID", "客户代码", "ＩＤ"],
    "name": ["客户名称", "客户", "Client", "公司名称", "客户名称 Client Name", "客 户 名 称"],
    "owner": ["客户经理", "负责人", "业务员", "AE", "跟进人", "负责销售", "客户经理姓名"],
    "status": ["客户状态", "状态", "合作状态", "Status", "合作情况"],
    "billings": ["年度投放额", "投放额", "近12月投放额", "Billings", "广告预算", "签约金额", "2026年投放额"],
    "last_visit": ["最近拜访日期", "上次拜访", "最近拜访", "Last visit", "上次见面"],
}
# A header nobody could read as its field (garbled beyond recognition).
GARBLE = ["列1", "备注", "???", "", "xx", "说明2"]
UNITS = [("", 1.0), ("(元)", 1.0), ("(万元)", 1e4), ("（千元）", 1e3), ("/万", 1e4), ("(w)", 1e4)]
ROWS = [("K1", "甲公司", "张伟", "合作中", 1_200_000, "2026-10-01"), ("K2", "乙公司", "张伟", "合作中", 300_000, "2026-09-01"),
        ("K3", "丙公司", "李娜", "现有", 300_000, "2026-08-01"), ("K4", "丁公司", "李娜", "潜在", None, "2026-10-05"),
        ("K5", "戊公司", "王芳", "流失", 80_000, "2025-12-01"), ("K6", "己公司", "王芳", "现有", 20_000, "2026-07-01")]
FIELDS_ORDER = list(BASE)


def reference_tiers() -> dict[str, str]:
    header = list(BASE.values())
    book = build_client_book(header, [list(r) for r in ROWS], sheet="S", header_row=0, settings=SETTINGS)
    c = classify(book, SETTINGS)
    return dict(zip(c.frame["row"], c.frame["tier"]))  # by row: the name or the ID may be what is garbled


REFERENCE = reference_tiers()


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.permutations(FIELDS_ORDER), st.data())
def test_garbled_headers_give_the_same_tiers_or_a_problem_of_the_table(order, data):
    """Rename, reorder, re-unit and garble the headers of a correct book at random: every run
    gives the same tiers as the original, or reports a problem of the table and leaves the
    tiers it cannot vouch for empty. No tier changes silently."""
    headers, columns, garbled = [], [], set()
    unit = data.draw(st.sampled_from(UNITS))
    for f in order:
        if data.draw(st.integers(0, 9)) == 0:
            headers.append(data.draw(st.sampled_from(GARBLE)))
            garbled.add(f)
        else:
            h = data.draw(st.sampled_from(VARIANTS[f]))
            headers.append(h + unit[0] if f == "billings" else h)
        columns.append(FIELDS_ORDER.index(f))
    rows = []
    for r in ROWS:
        cells = [r[i] for i in columns]
        j = order.index("billings")
        if cells[j] is not None:
            cells[j] = cells[j] / unit[1]
        rows.append(cells)
    book = build_client_book(headers, rows, sheet="S", header_row=0, settings=SETTINGS)
    c = classify(book, SETTINGS)
    tiers = dict(zip(c.frame["row"], c.frame["tier"]))
    table = {p.params.get("field") for p in book.problems if p.row is None}
    if not (table & {"status", "billings", "name"}):
        assert tiers == REFERENCE, (headers, table)
    else:
        for name, tier in tiers.items():
            assert tier in ("", REFERENCE.get(name)), (headers, name, tier)
    for f in garbled & {"owner", "status", "billings", "last_visit"}:
        assert f in table or f in book.columns, (headers, f)  # a garbled field is read by its values or reported


def test_an_owner_taken_by_its_values_is_said_out_loud():
    header = ["客户名称", "", "客户状态", "年度投放额", "最近拜访日期"]
    rows = [[f"客户{i}", ["张伟", "李娜"][i % 2], "现有", 10_000 + i, "2026-10-01"] for i in range(6)]
    book = book_of(header, rows)
    assert book.columns["owner"].how == "content" and list(book.frame["owner"])[:2] == ["张伟", "李娜"]
    (p,) = [p for p in book.problems if p.row is None]
    assert p.code == "field_by_content" and "第 B 列" in p.message("zh") and "请核实" in p.message("zh")


def test_gross_profit_in_a_foreign_currency_is_not_used_and_said():
    header = ["客户名称", "客户经理", "客户状态", "年度投放额", "最近拜访日期", "Gross profit (USD)"]
    book = book_of(header, [["甲", "张", "现有", 10, "2026-10-01", 3]])
    assert "gross_profit" not in book.columns and np.isnan(book.frame["gross_profit"][0])
    (p,) = [p for p in book.problems if p.row is None]
    assert (p.code, p.params["field"]) == ("field_foreign", "gross_profit") and "USD" in p.message("zh")


def test_the_reading_report_names_every_header_it_did_not_use():
    """Issue 26: a header passed over is named, with the fields it could be when its words
    point to two, so a user sees why RFM or a churn flag is empty."""
    header = ["序号", "客户名称", "客户经理", "客户状态", "年度投放额(万元)", "最近拜访日期", "备注", "最近拜访AE"]
    book = book_of(header, [[1, "甲", "张", "现有", 100, "2026-10-01", "x", "李"]])
    assert [h for h, _ in book.reading.unused] == ["序号", "备注", "最近拜访AE"]
    assert dict(book.reading.unused)["最近拜访AE"] and not dict(book.reading.unused)["序号"]
    line = book.reading.report_lines("zh")[-1]
    assert line.startswith("  未使用的列：「序号」、「备注」、「最近拜访AE」（像") and "列映射" in line
    assert book.reading.as_dict()["unused"][0] == {"column": "序号", "could_be": []}
    assert "Columns not used: '序号', '备注'" in book.reading.report_lines("en")[-1]
