"""Vouch or leave empty (SPEC 2, 4.1; engine/vouch.py): a result is written only when every
input it rests on was read; otherwise it is empty and the reason is on its row or in a
problem of the table.

The property at the end holds it over random books: any input cell of any client replaced
by an Excel error value, a text that is not what the column holds, or a 待定 leaves every
written tier, next visit, visit status and stage equal to what the clean book gives, or
empty -- never a value computed from a guess.
"""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings as hsettings
from hypothesis import strategies as st

from xlclient.engine.book import build_client_book
from xlclient.engine.classify import classify
from xlclient.engine.grid import ExcelError
from xlclient.engine.planner import plan_from_classification
from xlclient.engine.settings import Settings

TODAY = dt.date(2026, 11, 20)
SETTINGS = Settings(as_of=TODAY)
HEADER = ["客户名称", "客户经理", "客户状态", "年度投放额(万元)", "上年投放额(万元)", "最近拜访日期", "需求评分", "潜力评分",
          "意向阶段", "合作次数", "最近合作日期"]


def row(name, status="合作中", billings=100.0, prev=90.0, visit="2026-10-01", need=3, potential=None, stage=None,
        orders=4, last_order="2026-09-01"):
    return [name, "张伟", status, billings, prev, visit, need, potential, stage, orders, last_order]


def book(rows, settings=SETTINGS):
    b = build_client_book(HEADER, rows, sheet="台账", header_row=0, settings=settings)
    return b, classify(b, settings)


def by_name(c, column):
    return dict(zip(c.frame["name"], c.frame[column]))


def codes(c):
    return sorted(((p.row or 0), p.code) for p in c.problems)


def test_an_error_value_in_billings_withholds_every_pareto_tier_and_says_which_cells():
    b, c = book([row("甲", billings=500.0), row("乙", billings=ExcelError("#N/A")), row("丙", billings=80.0),
                 row("丁", status="潜在", billings=None, potential=4, stage="意向", orders=0, last_order=None)])
    assert by_name(c, "tier") == {"甲": "", "乙": "", "丙": "", "丁": "D"}  # the prospect's D rests on its status
    table = [p for p in c.problems if p.row is None and p.code == "amounts_unreadable"]
    assert len(table) == 1 and "第 3 行" in table[0].message("zh")
    assert (3, "excel_error") in codes(c)
    # nothing computed from the tier either: no quadrant, no cadence, no review line
    assert by_name(c, "quadrant")["甲"] == "" and pd.isna(by_name(c, "next_visit")["甲"])
    assert by_name(c, "review")["甲"] == "" and by_name(c, "visit_status")["甲"] == ""


def test_tier_from_the_rest_when_settings_say_so():
    rest = SETTINGS.replace(unreadable_amounts="rest")
    _, c = book([row("甲", billings=500.0), row("乙", billings="见合同"), row("丙", billings=80.0)], rest)
    assert by_name(c, "tier") == {"甲": "A", "乙": "", "丙": "B"}
    assert [p.code for p in c.problems if p.row is None] == ["tiered_from_rest"]


def test_no_amount_yet_leaves_that_client_untiered_and_tiers_the_others():
    _, c = book([row("甲", billings=500.0), row("乙", billings="待定"), row("丙", billings=None), row("丁", billings=80.0)])
    assert by_name(c, "tier") == {"甲": "A", "乙": "", "丙": "", "丁": "B"}  # never D
    assert (3, "no_amount") in codes(c) and (4, "no_billings") in codes(c)
    assert not [p for p in c.problems if p.code == "amounts_unreadable"]


def test_an_unreadable_billings_is_no_fall_in_billings():
    """约五十左右万 (not an amount) with 90万 last year was reviewed as 「投放额较上期下降 100%」."""
    rest = SETTINGS.replace(unreadable_amounts="rest")
    _, c = book([row("甲", billings=500.0), row("乙", billings="约五十左右万", prev=90.0), row("丙", billings=20.0, prev=90.0)],
                rest)
    assert "下降" not in by_name(c, "review")["乙"]
    assert "下降 78%" in by_name(c, "review")["丙"]  # a read fall is still a churn risk


def test_an_error_value_in_the_last_visit_is_no_never_visited_and_is_not_planned():
    b, c = book([row("甲", billings=500.0), row("乙", visit=ExcelError("#N/A")), row("丙", visit=None)])
    status = by_name(c, "visit_status")
    assert status["乙"] == "" and pd.isna(by_name(c, "next_visit")["乙"])
    assert status["丙"] == "从未拜访"  # a blank cell says the client was never visited
    table = c.table()
    assert table[2][table.header.index("拜访状态")] == "下次拜访未知：见数据问题"
    plan = plan_from_classification(c, b, start=TODAY, weeks=4)
    planned = {r.name for r in plan.rows}
    assert "乙" not in planned and "丙" in planned


def test_a_status_with_a_remark_is_the_status_and_two_statuses_are_reported():
    _, c = book([row("甲", status="合作中（有流失风险）", billings=500.0), row("乙", status="潜在", billings=None, potential=3,
                                                                    stage="意向", orders=0, last_order=None),
                 row("丙", status="合作中/已流失", billings=None)])
    assert by_name(c, "tier") == {"甲": "A", "乙": "D", "丙": ""}
    assert (4, "status_ambiguous") in codes(c)


def test_an_unknown_status_beside_an_amount_withholds_the_pareto_tiers():
    """It may be the largest current client."""
    _, c = book([row("甲", billings=500.0), row("乙", status="合作过", billings=900.0), row("丙", billings=80.0)])
    assert set(by_name(c, "tier").values()) == {""}
    assert [p.code for p in c.problems if p.row is None] == ["amounts_unreadable"]


def test_blank_and_missing_inputs_leave_the_quadrant_and_rfm_empty_and_say_so_once():
    _, c = book([row("甲", billings=500.0, need=None), row("乙", billings=80.0, orders=None)])
    assert by_name(c, "quadrant") == {"甲": "", "乙": by_name(c, "quadrant")["乙"]} and by_name(c, "quadrant")["乙"]
    assert by_name(c, "rfm")["乙"] == "" and by_name(c, "rfm")["甲"] != ""
    table = sorted((p.code, p.column) for p in c.problems if p.row is None)
    assert table == [("blank_inputs", "合作次数"), ("blank_inputs", "需求评分")]
    without = build_client_book(HEADER[:6], [r[:6] for r in [row("甲"), row("乙", billings=80.0)]], sheet="台账",
                                header_row=0, settings=SETTINGS)
    c = classify(without, SETTINGS)
    assert set(c.frame["quadrant"]) == {""} and set(c.frame["rfm"]) == {""}
    assert sorted(p.params.get("fields") for p in c.problems if p.code == "inputs_missing") == [
        ("last_order", "orders"), ("need",)]  # no prospect: the potential is needed by nobody


def test_a_book_without_a_status_column_is_told_by_billings_and_says_lost_cannot_be_told():
    rows = [r[:2] + r[3:] for r in [row("甲", billings=500.0), row("乙", billings=None), row("丙", billings=ExcelError("#REF!"))]]
    b = build_client_book(HEADER[:2] + HEADER[3:], rows, sheet="台账", header_row=0, settings=SETTINGS)
    assert list(b.frame["status"]) == ["current", "prospect", ""]
    assert [p.code for p in b.problems if p.row is None] == ["status_from_billings"]


def test_implausible_amounts_ask_for_the_unit():
    """Amounts read as yuan with most current clients under ¥1,000 a year: the unit is asked
    for, never tiers from it."""
    header = ["客户名称", "客户经理", "客户状态", "年度投放额", "最近拜访日期"]
    rows = [[f"客户{i}", "张伟", "合作中", 12.5 * (i + 1), "2026-10-01"] for i in range(6)]
    b = build_client_book(header, rows, sheet="台账", header_row=0, settings=SETTINGS)
    assert b.unreadable == {"billings": "unit_implausible"}
    (p,) = [p for p in b.problems if p.code == "unit_implausible"]
    assert "元" in p.message("zh") and "年度投放额(万元)" in p.message("zh")
    assert set(classify(b, SETTINGS).frame["tier"]) == {""}


# ------------------------------------------------------------------------------- the property

INPUTS = {3: "billings", 5: "last_visit", 2: "status", 8: "stage", 6: "need"}
SPOILERS = [ExcelError("#N/A"), ExcelError("#REF!"), ExcelError("#SPILL!"), "见合同", "下周", "合作过", "?", "待定"]
TABLE_REASONS = {"amounts_unreadable", "field_missing", "field_ambiguous", "field_not_status", "field_foreign",
                 "unit_unclear", "unit_implausible", "many_unreadable"}
NO_AMOUNT = ("?", "待定")  # no amount yet: that client untiered, the others tiered from the rest


@st.composite
def books(draw):
    n = draw(st.integers(3, 14))
    rows = []
    for i in range(n):
        kind = draw(st.sampled_from(["current", "current", "prospect", "lost"]))
        visit = draw(st.one_of(st.none(), st.dates(dt.date(2025, 1, 1), TODAY).map(str)))
        if kind == "current":
            rows.append(row(f"c{i}", billings=float(draw(st.integers(1, 5000))), visit=visit, need=draw(st.integers(1, 5))))
        elif kind == "prospect":
            rows.append(row(f"c{i}", status="潜在", billings=None, prev=None, visit=visit, need=draw(st.integers(1, 5)),
                            potential=draw(st.integers(1, 5)), stage=draw(st.sampled_from(["意向", "准客户", "主要"])),
                            orders=0, last_order=None))
        else:
            rows.append(row(f"c{i}", status="流失", billings=None, visit=visit))
    spoiled = draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(sorted(INPUTS)), st.sampled_from(SPOILERS)),
                            min_size=1, max_size=3))
    return rows, spoiled


@hsettings(max_examples=int(os.environ.get("XLCLIENT_VOUCH_EXAMPLES", "60")), deadline=None,
           derandomize="XLCLIENT_VOUCH_EXAMPLES" not in os.environ,  # the same examples on every CI run
           suppress_health_check=[HealthCheck.too_slow])
@given(books(), st.booleans())
def test_no_result_ever_rests_on_a_cell_that_was_not_read(case, from_rest):
    rows, spoiled = case
    settings = SETTINGS.replace(unreadable_amounts="rest") if from_rest else SETTINGS
    clean = classify(build_client_book(HEADER, rows, sheet="台账", header_row=0, settings=settings), settings,
                     likelihood=False).frame
    dirty_rows = [list(r) for r in rows]
    for i, j, v in spoiled:
        dirty_rows[i][j] = v
    dirty_book = build_client_book(HEADER, dirty_rows, sheet="台账", header_row=0, settings=settings)
    dirty = classify(dirty_book, settings, likelihood=False)
    said = {p.row for p in dirty.problems if p.row is not None} | {p.row for p in dirty_book.problems}
    # only a problem of the table that refuses a field or withholds every tier excuses a row
    # that says nothing itself (not, say, a blank need score's)
    table = [p for p in dirty.problems if p.row is None and p.code in TABLE_REASONS]
    # the truth of tiers from the rest (a 待定 always; an amount or status not read when Settings say
    # so): the book with those amounts blank (their clients untiered, a prospect still D) and
    # without the clients whose status was not read
    final = {(i, j): v for i, j, v in spoiled}  # the last spoiler of a cell is what it holds
    blank = {i for (i, j), v in final.items() if j == 3 and (v in NO_AMOUNT or from_rest)}
    gone = {i for (i, j), v in final.items() if j == 2} if from_rest else set()
    if blank or gone:
        kept = [[*r[:3], None if i in blank else r[3], *r[4:]] for i, r in enumerate(rows) if i not in gone]
        rest = classify(build_client_book(HEADER, kept, sheet="台账", header_row=0, settings=settings), settings,
                        likelihood=False).frame
        truth = iter(rest["tier"])
        clean = clean.assign(tier=["" if i in gone else next(truth) for i in range(len(rows))])
    for column in ("tier", "next_visit", "visit_status", "stage"):
        if (blank or gone) and column != "tier":
            continue  # cadences follow the tiers: compared through them
        for i, (want, got) in enumerate(zip(clean[column], dirty.frame[column])):
            if column == "next_visit":
                if pd.isna(got):
                    continue
                assert got == want, (column, i, rows[i], spoiled)
                continue
            if got in ("", None):
                # empty: its reason is on its row, or the table says why
                assert i + 2 in said or table or want in ("", None), (column, i, spoiled)
                continue
            if column == "visit_status" and got == "从未拜访":
                assert want == got and not any(s[0] == i and s[1] == 5 for s in spoiled), (i, spoiled)
            assert got == want, (column, i, rows[i], spoiled, want, got)


@pytest.mark.parametrize("spoiler", SPOILERS[:4])
def test_the_property_can_fail(spoiler):
    """The comparison above would catch the old behaviour: a current client whose billings
    are not read was D."""
    rows = [row("甲", billings=500.0), row("乙", billings=spoiler), row("丙", billings=80.0)]
    dirty = classify(build_client_book(HEADER, rows, sheet="台账", header_row=0, settings=SETTINGS), SETTINGS)
    assert by_name(dirty, "tier")["乙"] != "D"


def test_a_client_whose_name_cannot_be_read_still_counts_its_amount():
    """The row is left out (nobody can name the client), but its amount may be the largest:
    the Pareto tiers are withheld as for an amount that cannot be read."""
    rows = [row("甲", billings=500.0), row(ExcelError("#GETTING_DATA"), billings=900.0), row("丙", billings=80.0)]
    b, c = book(rows)
    assert b.unnamed_amounts == [3] and set(c.frame["tier"]) == {""}
    assert [p.code for p in c.problems if p.row is None] == ["amounts_unreadable"]
    _, c = book(rows, SETTINGS.replace(unreadable_amounts="rest"))
    assert list(c.frame["tier"]) == ["A", "B"]


def test_a_blank_name_beside_an_amount_is_an_unnamed_client_unless_it_is_a_total():
    """A row with no name but an amount is a client nobody named -- it may be the largest --
    unless its amount is the sum of the amounts above it (an unlabelled subtotal or total)."""
    def total(amount):
        return [None, None, None, amount, None, None, None, None, None, None, None]

    named = [row("甲", billings=500.0), row("乙", billings=300.0)]
    b, c = book(named + [row(None, billings=900.0), row("丙", billings=80.0)])
    assert b.unnamed_amounts == [4] and set(c.frame["tier"]) == {""}
    assert [p.code for p in c.problems if p.row is None] == ["amounts_unreadable"]
    # a subtotal of the rows above, then the grand total (the unnamed client counted in)
    b, c = book(named + [total(800.0), row("丙", billings=80.0), row(None, billings=20.0), total(100.0),
                         total(900.0)])
    assert b.unnamed_amounts == [6]
    b, c = book(named + [total(800.0), row("丙", billings=80.0), total(80.0), total(880.0)])
    assert b.unnamed_amounts == [] and list(c.frame["tier"]) == ["A", "A", "B"]  # 0 %, 57 %, 91 % before
    b, c = book(named + [total(800.004)])  # within half a percent of the sum: a total, rounded
    assert b.unnamed_amounts == []
    b, c = book(named + [total(805.0)])  # not the sum: a client
    assert b.unnamed_amounts == [4]


# ------------------------------------------------------------------ layouts a person reads

from xlclient.engine.book import read_client_book  # noqa: E402
from xlclient.engine.grid import SheetGrid  # noqa: E402

FIVE = ["客户名称", "客户经理", "客户状态", "年度投放额(万元)", "最近拜访日期"]


def test_the_ae_named_above_their_clients_is_their_owner():
    rows = [FIVE, ["李娜"], ["甲公司", None, "合作中", 100, "2026-10-01"], ["乙公司", None, "合作中", 50, "2026-10-01"],
            ["客户经理：王磊"], ["丙公司", None, "合作中", 30, "2026-10-01"]]
    b = read_client_book([SheetGrid("台账", rows)], settings=SETTINGS)
    assert list(b.frame["name"]) == ["甲公司", "乙公司", "丙公司"]  # the headings are no clients
    assert list(b.frame["owner"]) == ["李娜", "李娜", "王磊"]
    assert "分组标题" in b.reading.field_line("owner", "zh")


def test_a_pivot_outline_fills_the_owner_down_but_never_over_an_error_value():
    head = ["客户经理", "客户名称", "客户状态", "年度投放额(万元)", "最近拜访日期"]
    rows = [head, ["李娜", "甲公司", "合作中", 100, "2026-10-01"], [None, "乙公司", "合作中", 50, "2026-10-01"],
            [ExcelError("#NAME?"), "丁公司", "合作中", 20, "2026-10-01"],
            ["李娜 汇总", None, None, 170], ["王磊", "丙公司", "合作中", 30, "2026-10-01"], ["总计", None, None, 200]]
    b = read_client_book([SheetGrid("透视", rows)], settings=SETTINGS)
    assert list(b.frame["owner"]) == ["李娜", "李娜", "", "王磊"]
    assert {(p.row, p.code) for p in b.problems} >= {(4, "excel_error"), (5, "summary_row"), (7, "summary_row")}


def test_without_a_heading_a_blank_owner_is_said_on_its_row():
    rows = [FIVE, ["甲公司", "李娜", "合作中", 100, "2026-10-01"], ["乙公司", None, "合作中", 50, "2026-10-01"]]
    b = read_client_book([SheetGrid("台账", rows)], settings=SETTINGS)
    assert list(b.frame["owner"]) == ["李娜", ""] and (3, "no_owner") in {(p.row, p.code) for p in b.problems}


def sheets_of(split: dict[str, list[list]]) -> list[SheetGrid]:
    head = ["客户名称", "客户经理", "年度投放额(万元)", "最近拜访日期"]
    return [SheetGrid(name, [head, *rows]) for name, rows in split.items()]


def test_one_sheet_per_status_reads_the_current_sheet_and_says_the_others_are_not_read():
    b = read_client_book(sheets_of({"现有客户": [["甲", "李娜", 100, "2026-10-01"], ["乙", "李娜", 20, "2026-10-01"]],
                                    "潜在客户": [["丙", "王磊", None, "2026-09-01"]]}), settings=SETTINGS)
    assert list(b.frame["status"]) == ["current", "current"]  # the sheet's name says it, not billings
    assert [(p.sheet, p.code) for p in b.problems if p.row is None] == [("潜在客户", "table_continued")]
    c = classify(b, SETTINGS, likelihood=False)
    assert list(c.frame["tier"]) == ["A", "B"]  # every current client is on this sheet: the Pareto stands


def test_one_sheet_per_ae_withholds_the_pareto_tiers_of_the_sheet_read():
    b = read_client_book(sheets_of({"李娜": [["甲", "李娜", 100, "2026-10-01"]], "王磊": [["丙", "王磊", 900, "2026-09-01"]]}),
                         settings=SETTINGS)
    c = classify(b, SETTINGS, likelihood=False)
    assert list(c.frame["tier"]) == [""]  # 王磊's sheet may hold the largest client
    assert {(p.sheet, p.code) for p in c.problems if p.row is None} >= {("王磊", "table_continued"),
                                                                          ("李娜", "tiers_elsewhere")}
