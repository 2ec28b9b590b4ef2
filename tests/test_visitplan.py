"""The VisitPlan sheet (SPEC 3): reading back what staff wrote in either language and
any cell form, the layout written, and problems reported with sheet, row and column."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from xlclient.engine.calendar import WorkingCalendar
from xlclient.engine.planner import plan_visits
from xlclient.engine.settings import Settings
from xlclient.engine.visitplan import (
    GAP_ROWS,
    PLAN_COLUMNS,
    SIDE_COLUMN,
    read_removed_notes,
    read_visit_plan,
)

D = dt.date
CAL = WorkingCalendar(years=(2004, 2029))
START = D(2026, 11, 23)


def clients(*specs):
    rows = []
    for key, tier, last in specs:
        rows.append(dict(key=key, client_id=key, name=f"客户{key}", owner="Li Lei", status="current", tier=tier,
                         stage="", likelihood=np.nan, quadrant="Q1",
                         last_visit=np.datetime64(last, "D") if last else np.datetime64("NaT", "D")))
    return pd.DataFrame(rows).astype({"last_visit": "datetime64[s]"})


BOOK = clients(("A1", "A", D(2026, 11, 13)), ("B1", "B", D(2026, 10, 20)), ("C1", "C", None))


def make(existing=None, lang="zh", **kw):
    return plan_visits(BOOK, Settings(as_of=START, language=lang, **kw), CAL, start=START, weeks=2,
                       existing=existing)


def read_back(p, lang="zh"):
    """The plan as the next run reads it from the two sheets this one wrote."""
    return read_visit_plan(p.sheet_rows(lang), unscheduled=p.unscheduled_sheet_rows(lang))


def earlier_layout(p):
    """The VisitPlan sheet as versions before the 未安排 sheet wrote it: the plan, two blank
    rows, then the unscheduled work and the notes from removed rows under it, each column
    under the plan's column of the same meaning."""
    rows = [list(r) for r in p.plan_table()] + [[], []]
    rows += [["未安排的工作"], ["应安排日期", "客户经理", "客户编号", "客户名称", "等级", "类型", "原因"]]
    rows += [[u.due, u.owner, u.client_id, u.name, u.tier, "开发" if u.type == "development" else "拜访", u.reason]
             for u in p.unscheduled]
    if p.removed_notes:
        rows += [[], ["已移除计划行的备注"], ["日期", "客户经理", "客户编号", "客户名称", None, "类型", "现计划日期", None, "备注"]]
        rows += [[n.cells[0], n.cells[1], n.cells[2], n.cells[3], None, n.cells[4], when, None, n.cells[5]]
                 for n, when in p.removed_notes]
    return rows


def test_header_and_words_in_both_languages():
    zh, en = make(lang="zh"), make(lang="en")
    assert zh.plan_table()[0] == ["日期", "客户经理", "客户编号", "客户名称", "等级", "类型", "原因", "状态", "备注", "锁定"]
    assert en.plan_table()[0] == ["Date", "Owner", "ClientID", "Client", "Tier", "Type", "Reason", "Status", "Notes",
                                  "Locked"]
    assert {r[5] for r in zh.plan_table()[1:]} <= {"拜访", "电话", "节日问候", "开发"}
    assert {r[5] for r in en.plan_table()[1:]} <= {"Visit", "Call", "Festival greeting", "Development"}
    assert {r[7] for r in zh.plan_table()[1:]} == {"计划"} and {r[7] for r in en.plan_table()[1:]} == {"Planned"}
    assert all(type(r[0]) is dt.date for r in zh.plan_table()[1:])
    # the same plan, cell for cell, whatever the language the old sheet was written in
    assert make(read_back(en, "en"), lang="zh").sheet_rows() == zh.sheet_rows()
    assert make(read_back(zh), lang="en").sheet_rows() == en.sheet_rows()
    assert make(read_back(zh), lang="en").unscheduled_sheet_rows() == en.unscheduled_sheet_rows()


def test_the_plan_sheet_holds_plan_rows_only_and_its_header_row_points_at_the_unscheduled_sheet():
    p = make()
    rows = p.sheet_rows()
    assert p.unscheduled  # the development quota finds no prospect
    assert p.table_last_row() == len(p.rows) + 1 == len(rows)
    assert rows[1:] == p.plan_table()[1:]  # nothing under the plan: a filter over it sees everything
    assert rows[0][:10] == p.plan_table()[0] and rows[0][10] is None
    assert rows[0][SIDE_COLUMN] == f"→ 见「未安排」表：未安排的工作 {len(p.unscheduled)} 项"
    assert make(lang="en").sheet_rows()[0][SIDE_COLUMN] == f"→ See the 'Unscheduled' sheet: Unscheduled: {len(p.unscheduled)}"
    assert p.sheet_rows(unscheduled_sheet="未排")[0][SIDE_COLUMN].startswith("→ 见「未排」表")  # the sheet's own name
    assert SIDE_COLUMN == 11
    # nothing unscheduled: no pointer, the sheet is the plan table
    quiet = make(monthly_development=0)
    assert not quiet.unscheduled and quiet.sheet_rows() == quiet.plan_table()
    assert quiet.unscheduled_sheet_rows() == [["客户经理", "客户编号", "客户名称", "等级", "类型", "应拜访日期", "原因"]]


def test_the_unscheduled_sheet_lists_the_work_from_a1_and_the_blocks_under_it():
    many = clients(*[(f"C{i}", "C", D(2026, 1, 1)) for i in range(12)])
    p = plan_visits(many, Settings(as_of=START, daily_visits=1, daily_calls=0), CAL, start=START, weeks=2)
    rows = p.unscheduled_sheet_rows()
    n = len(p.unscheduled)
    assert rows[0] == ["客户经理", "客户编号", "客户名称", "等级", "类型", "应拜访日期", "原因"]
    assert rows[1:1 + n] == [u.cells("zh") for u in p.unscheduled] and p.unscheduled_last_row() == 1 + n
    visit = next(r for r in rows[1:1 + n] if r[4] == "拜访")
    assert visit[0] == "Li Lei" and visit[1].startswith("C") and visit[3] == "C" and isinstance(visit[5], D)
    assert visit[6].startswith("容量已满")
    assert rows[1 + n:1 + n + GAP_ROWS] == [[]] * GAP_ROWS and rows[1 + n + GAP_ROWS] == ["拜访容量不足"]
    assert rows[2 + n + GAP_ROWS][0].startswith("Li Lei：")
    en = p.unscheduled_sheet_rows("en")
    assert en[0] == ["Owner", "ClientID", "Client", "Tier", "Type", "Due", "Reason"] and ["Visit capacity short"] in en
    assert p.sheet_rows()[0][SIDE_COLUMN] == f"→ 见「未安排」表：未安排的工作 {n} 项、拜访容量不足"


def test_a_sheet_written_with_the_blocks_under_the_plan_is_still_read_and_its_notes_move_to_their_sheet():
    """Earlier versions wrote the unscheduled work and the removed notes under the plan."""
    p = make()
    rows = [list(r) for r in p.sheet_rows()]
    rows[1] = rows[1][:8] + ["改到下午", None] + rows[1][10:]
    rows[1][0] = D(2026, 11, 21)  # a Saturday: not planned again
    with_note = make(read_visit_plan(rows))
    old = earlier_layout(with_note)
    read = read_visit_plan(old)
    assert len(read.rows) == len(p.rows) and read.problems == []  # the blocks' rows are not the plan's
    assert [n.note for n in read.removed_notes] == ["改到下午"]
    again = make(read)
    assert again.sheet_rows()[1:] == p.sheet_rows()[1:]  # the plan sheet: plan rows only
    assert again.sheet_rows()[0][SIDE_COLUMN].endswith("、已移除计划行的备注 1 项")
    sheet = again.unscheduled_sheet_rows()
    title = sheet.index(["已移除计划行的备注"])
    assert sheet[title + 1] == ["日期", "客户经理", "客户编号", "客户名称", "类型", "备注", "现计划日期"]
    assert sheet[title + 2][5] == "改到下午"
    assert [n.note for n in read_removed_notes(sheet)] == ["改到下午"]


def test_a_block_whose_title_was_typed_over_still_ends_the_plan():
    p = make()
    rows = earlier_layout(p)
    end = p.table_last_row()
    rows[end] = [D(2026, 11, 30), "Li Lei", "B1", "客户B1", "B", "拜访", None, "计划", "客户要求", None]
    rows[end + GAP_ROWS] = [D(2026, 12, 1), "Li Lei", "C1", "客户C1", "C", "拜访", None, "计划", "第二行", None]
    read = read_visit_plan(rows)
    assert [r.note for r in read.rows[-2:]] == ["客户要求", "第二行"]  # typed rows are the plan's
    assert len(read.rows) == len(p.rows) + 2 and read.problems == []  # the unscheduled rows are not


def test_a_sheet_written_with_the_blocks_beside_the_plan_is_still_read():
    """Earlier versions stacked the blocks from column L; such a sheet keeps its notes."""
    p = make()
    plan = [list(r) for r in p.plan_table()]
    side = [["已移除计划行的备注"], ["日期", "客户经理", "客户编号", "客户名称", "类型", "备注", "现计划日期"],
            [D(2026, 11, 21), "Li Lei", "A1", "客户A1", "拜访", "改到下午", None]]
    for i, block in enumerate(side):
        plan[i] = plan[i] + [None] * (SIDE_COLUMN - len(plan[i])) + block
    read = read_visit_plan(plan)
    assert [n.note for n in read.removed_notes] == ["改到下午"] and len(read.rows) == len(p.rows)
    again = make(read)
    sheet = again.sheet_rows()
    assert all(len(r) <= SIDE_COLUMN + 1 for r in sheet)  # nothing beside the plan but the pointer
    assert len(sheet) == again.table_last_row()
    notes = again.unscheduled_sheet_rows()
    title = notes.index(["已移除计划行的备注"])
    assert title > again.unscheduled_last_row() and notes[title + 2][5] == "改到下午"


def test_cells_in_every_form_staff_or_tools_leave_them():
    serial = float((D(2026, 11, 24) - D(1899, 12, 30)).days)
    rows = [
        ["拜访计划（王经理）"],  # a title above the header is fine
        [],
        [None, "Date", "Client", "ClientID", "Owner", "Type", "Status", "Locked", "Notes", "Reason", "Tier"],
        [None, serial, "客户A1", "A1", "Li Lei", "Visit", "Done", None, "ok", "x", "A"],
        [None, dt.datetime(2026, 11, 25, 9, 30), "客户B1", "B1", "Li Lei", "拜访", "完成", "", None, "x", "B"],
        [None, "2026/11/26", "客户C1", "C1", "Li Lei", "phone", "cancelled", "", None, "x", "C"],
        [None, "2026年11月27日", "客户C1", "C1", "Li Lei", "电话", "计划", "✓", None, "x", "C"],
        [None, "2026-11-30", "客户C1", "C1", "Li Lei", "Call", "", True, None, "x", "C"],
        [None, "2026-12-01", "客户C1", "C1", "Li Lei", "Call", "Planned", 1.0, None, "x", "C"],
        [None, "2026-12-02", "客户C1", "C1", "Li Lei", "Call", "Planned", "TRUE", None, "x", "C"],
        [None, "2026-12-03", "客户C1", "C1", "Li Lei", "Call", "Planned", "否", "keep me", "x", "C"],
    ]
    plan = read_visit_plan(rows, sheet="VisitPlan", first_row=4)
    assert plan.problems == []
    got = [(r.excel_row, r.date, r.client_id, r.type, r.status, r.locked, r.kept) for r in plan.rows]
    assert got == [
        (8, D(2026, 11, 24), "A1", "visit", "done", False, "done"),
        (9, D(2026, 11, 25), "B1", "visit", "done", False, "done"),
        (10, D(2026, 11, 26), "C1", "call", "cancelled", False, "cancelled"),
        (11, D(2026, 11, 27), "C1", "call", "planned", True, "locked"),
        (12, D(2026, 11, 30), "C1", "call", "planned", True, "locked"),
        (13, D(2026, 12, 1), "C1", "call", "planned", True, "locked"),
        (14, D(2026, 12, 2), "C1", "call", "planned", True, "locked"),
        (15, D(2026, 12, 3), "C1", "call", "planned", False, ""),
    ]
    # cells are kept in the plan's column order, raw
    assert plan.rows[0].cells == (serial, "Li Lei", "A1", "客户A1", "A", "Visit", "x", "Done", "ok", None)


def test_bad_values_are_reported_with_row_column_and_value_and_the_row_is_kept():
    rows = [[c[2] for c in PLAN_COLUMNS],
            ["not a date", "Li Lei", "A1", "客户A1", "A", "Visit", "x", "Planned", None, None],
            [None, "Li Lei", "A1", "客户A1", "A", "Visit", "x", "Planned", "a note", None],
            ["2026-11-24", "Li Lei", "A1", "客户A1", "A", "Lunch", "x", "Planned", None, None],
            ["2026-11-24", "Li Lei", "A1", "客户A1", "A", "Visit", "x", "Maybe", None, None],
            ["2026-11-24", "Li Lei", "A1", "客户A1", "A", "Visit", "x", "Planned", None, "perhaps"],
            ["2026-11-24", "Li Lei", None, None, "A", "Visit", "x", "Planned", None, None],
            ["2026-11-24", "Li Lei", "ZZ9", "Nobody", "A", "Visit", "x", "Done", None, None]]
    existing = read_visit_plan(rows, sheet="VisitPlan")
    found = [(p.row, p.column, p.value, p.code) for p in existing.problems]
    assert found == [(2, "Date", "not a date", "plan_date"), (3, "Date", None, "plan_date_blank"),
                     (4, "Type", "Lunch", "plan_type"), (5, "Status", "Maybe", "plan_status"),
                     (6, "Locked", "perhaps", "plan_locked"), (7, "ClientID", None, "plan_client")]
    assert [r.kept for r in existing.rows] == ["problem"] * 4 + ["locked", "problem", "done"]
    p = make(existing, lang="en")
    assert [(x.row, x.code) for x in p.problems][-1] == (8, "plan_unknown_client")
    kept = [r.cells("en") for r in p.rows if r.kept]
    assert sorted(map(repr, kept)) == sorted(repr(r) for r in rows[1:])
    assert kept[-2:] == [rows[1], rows[2]]  # undated rows last, in their order
    messages = [x.as_dict("en") for x in p.problems]
    assert messages[0] == {"sheet": "VisitPlan", "row": 2, "column": "Date", "value": "not a date",
                           "message": "the plan row's date is not a date; row kept as it was, not used for planning",
                           "code": "plan_date", "field": None}
    assert "状态应为" in p.problems[3].message("zh")


def test_a_sheet_without_plan_header_is_unreadable_and_must_not_be_overwritten():
    existing = read_visit_plan([["my own notes"], ["do not delete"]], sheet="拜访计划")
    assert existing.unreadable and [p.code for p in existing.problems] == ["plan_no_header"]
    assert make(existing).existing_unreadable
    empty = read_visit_plan([[], [None, ""]])
    assert not empty.unreadable and empty.problems == [] and empty.rows == []


def test_rows_added_below_the_plan_and_gaps_in_the_notes_block_are_read():
    p = make()
    rows = p.sheet_rows()
    # a note whose row will not come back, kept aside on the 未安排 sheet
    rows[1] = rows[1][:8] + ["改到下午", None] + rows[1][10:]
    rows[1][0] = D(2026, 11, 21)  # a Saturday: not planned again
    again = make(read_visit_plan(rows))
    assert [n.note for n, _ in again.removed_notes] == ["改到下午"]
    kept = again.unscheduled_sheet_rows()
    title = kept.index(["已移除计划行的备注"])
    # staff insert a blank row inside the block and add a row right under the plan
    kept.insert(title + 2, [])
    sheet = again.sheet_rows() + [[D(2026, 11, 30), "Li Lei", "B1", "客户B1", "B", "拜访", None, "计划", "客户要求", None]]
    read = read_visit_plan(sheet, unscheduled=kept)
    assert [n.note for n in read.removed_notes] == ["改到下午"]
    assert read.rows[-1].kept == "typed" and read.rows[-1].note == "客户要求"
    # the note stays until someone deletes it, and rows given from column B have no block title
    assert [n.note for n, _ in make(read).removed_notes] == ["改到下午"]
    assert read_removed_notes([r[1:] for r in kept], first_col=1) == []


def test_counts_and_summary():
    p = make()
    counts = p.counts()
    assert counts["planned"] == len(p.rows) and counts["kept"] == 0
    assert counts["visits"] + counts["calls"] == counts["planned"]
    assert counts["development"] <= counts["visits"] and counts["greetings"] <= counts["calls"]
    table = p.summary_table("zh")
    assert table[0][0] == "客户经理" and table[1][0] == "Li Lei"
    s = p.summary["Li Lei"]
    assert s.visits == counts["visits"] and s.calls == counts["calls"]  # one name, one count
    assert s.unscheduled == len(p.unscheduled)
    assert s.overdue == 2  # B1 due 2026-11-19, C1 never visited


def test_summary_names_clients_without_owner_and_bad_input_is_refused():
    import pytest

    book = pd.concat([BOOK, BOOK.iloc[[0]].assign(key="X1", client_id="X1", owner="")], ignore_index=True)
    p = plan_visits(book, Settings(as_of=START), CAL, start=START, weeks=2)
    assert [r[0] for r in p.summary_table("zh")[1:]] == ["（未指定客户经理）", "Li Lei"]
    assert [r[0] for r in p.summary_table("en")[1:]] == ["(no owner)", "Li Lei"]
    with pytest.raises(ValueError, match="unique"):
        plan_visits(pd.concat([BOOK, BOOK]), Settings(as_of=START), CAL, start=START)
    from xlclient.engine.calendar import SUPPORTED_LAST_YEAR, CalendarRangeError

    # a plan past the years the calendar supports (2029 is planned: the calendar grows)
    with pytest.raises(CalendarRangeError, match="outside the working calendar"):
        plan_visits(BOOK, Settings(as_of=START), CAL, start=D(SUPPORTED_LAST_YEAR, 12, 20), weeks=4)
    with pytest.raises(CalendarRangeError, match="outside the working calendar"):
        plan_visits(BOOK, Settings(as_of=START), CAL, start=D(9999, 12, 31), weeks=4)
    with pytest.raises(ValueError, match="lacks column"):
        plan_visits(BOOK.drop(columns=["quadrant"]), Settings(as_of=START), CAL, start=START)


def test_without_a_reason_column_plain_rows_are_not_taken_for_typed_ones():
    p = make()
    rows = [r[:6] + r[7:10] for r in p.sheet_rows()[:len(p.rows) + 1]]  # 原因 deleted by someone
    existing = read_visit_plan(rows)
    assert existing.problems == [] and {r.kept for r in existing.rows} == {""}
    assert make(existing).sheet_rows() == p.sheet_rows()


def test_more_unscheduled_work_than_a_sheet_holds_is_listed_as_far_as_it_fits():
    """A very large book: the 未安排 sheet gets as much of the unscheduled work as fits and a
    line saying how many more there are (never a refusal after the work is done)."""
    many = clients(*[(f"C{i}", "C", D(2026, 1, 1)) for i in range(40)])
    p = plan_visits(many, Settings(as_of=START, daily_visits=1, daily_calls=0, monthly_development=0), CAL,
                    start=START, weeks=1)
    assert len(p.unscheduled) > 20
    full = p.unscheduled_sheet_rows()
    limit = 12
    rows = p.unscheduled_sheet_rows(limit=limit)
    assert len(rows) == limit and len(full) > limit
    at = next(i for i, r in enumerate(rows) if r and isinstance(r[0], str) and r[0].startswith("…另有"))
    listed = rows[1:at]
    line = rows[at][0]
    left = len(p.unscheduled) - len(listed)
    assert listed == full[1:at] and left > 0
    assert line.startswith(f"…另有 {left:,} 项未安排的工作未列出") and f"{limit:,}" in line
    assert rows[at + 1 + GAP_ROWS:] == full[-(len(rows) - at - 1 - GAP_ROWS):]  # the blocks after it are whole
    assert ["拜访容量不足"] in rows[at:]
    assert f"未安排的工作 {len(p.unscheduled)} 项" in p.sheet_rows()[0][SIDE_COLUMN]  # the pointer counts them all
    assert p.unscheduled_last_row(limit=limit) == at + 1  # the filter ends with the line
