"""Visit cadence, next visit on a working day, visit status (SPEC 4.5)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from xlclient.engine.cadence import cadence_days, cadence_key, next_visit, visit_status
from xlclient.engine.calendar import Override, WorkingCalendar
from xlclient.engine.settings import Settings

D = np.datetime64
NAT = np.datetime64("NaT")
CAL = WorkingCalendar()


def test_cadence_keys():
    key = cadence_key(np.array(["A", "B", "C", "D", "D", "D", ""], dtype=object),
                      np.array(["current", "current", "current", "current", "prospect", "prospect", "lost"], dtype=object),
                      np.array(["", "", "", "", "strong", "refused", ""], dtype=object))
    assert list(key) == ["A", "B", "C", "C", "strong", "", ""]
    days = cadence_days(key, Settings())
    assert list(days[:5]) == [14, 30, 90, 90, 14]
    assert np.isnan(days[5]) and np.isnan(days[6])


def test_a_pinned_tier_on_a_lost_client_or_a_refused_prospect_is_no_call_to_visit():
    """Issue 26: the planner plans neither, so neither has a cadence (分级结果 must not call
    them due); a pinned tier on a current client or a prospect in talks does give one."""
    key = cadence_key(np.array(["B", "A", "D", "A", "C", "", ""], dtype=object),
                      np.array(["lost", "prospect", "lost", "current", "prospect", "current", "prospect"], dtype=object),
                      np.array(["", "refused", "", "", "interested", "", ""], dtype=object))
    assert list(key) == ["", "", "", "A", "C", "", ""]  # no tier, no stage: no cadence either
    # given as lists of text (a UDF's column), the same keys
    assert list(cadence_key(["B", "", "D"], ["lost", "current", "current"], ["", "", ""])) == ["", "", "C"]


def test_the_classification_says_a_pinned_lost_client_is_not_visited():
    from xlclient.engine.book import build_client_book
    from xlclient.engine.classify import classify

    headers = ["客户编号", "客户名称", "客户经理", "客户状态", "年度投放额", "最近拜访日期", "意向阶段", "锁定等级"]
    rows = [["K1", "甲", "王芳", "合作中", "500万", "2026-10-20", None, None],
            ["K2", "乙", "王芳", "流失", "80万", None, None, "B"],
            ["K3", "丙", "王芳", "潜在", None, None, "拒绝", "A"]]
    settings = Settings(as_of=dt.date(2026, 11, 23))
    book = build_client_book(headers, rows, sheet="客户台账", header_row=0, settings=settings)
    c = classify(book, settings, CAL)
    table = c.table()
    status = {r[0]: r[10] for r in list(table)[1:]}
    assert status["K2"] == "已流失：不拜访" and "逾期" not in status["K3"] and "从未" not in status["K3"]
    assert pd.isna(c.frame.set_index("client_id").loc["K2", "next_visit"])  # no due date at all


def nv(last, days, today="2026-11-22", cal=CAL):
    return next_visit(np.array([last], dtype="datetime64[D]"), np.array([days], dtype=float), D(today, "D"), cal)[0]


def test_due_date_on_a_golden_week_holiday_moves_to_the_first_working_day():
    # 2026-09-17 + 14 = 2026-10-01, National Day: moved to 2026-10-08
    assert nv("2026-09-17", 14) == D("2026-10-08")


def test_make_up_saturday_is_a_working_day():
    # 2026-09-26 + 14 = 2026-10-10, a Saturday that is a make-up working day
    assert nv("2026-09-26", 14) == D("2026-10-10")


def test_weekend_moves_to_monday():
    assert nv("2026-11-07", 14) == D("2026-11-23")  # Saturday 21st -> Monday 23rd


def test_never_visited_is_due_from_today():
    assert nv(NAT, 30, today="2026-11-22") == D("2026-11-23")  # 22nd is a Sunday


def test_no_cadence_no_date():
    assert np.isnat(nv("2026-01-01", np.nan))


def test_holidays_sheet_override_applies():
    cal = WorkingCalendar({dt.date(2026, 11, 23): Override(True, "公司团建")})
    assert nv("2026-11-09", 14, cal=cal) == D("2026-11-24")


def test_dates_before_the_calendar_stay_as_they_are():
    assert nv("1999-01-01", 14) == D("1999-01-15")


@pytest.mark.parametrize("due, last, code, text", [
    ("2026-12-10", "2026-11-01", "ok", "正常"),
    ("2026-11-29", "2026-11-01", "due_soon", "即将到期"),   # exactly 7 days ahead
    ("2026-11-30", "2026-11-01", "ok", "正常"),             # 8 days ahead
    ("2026-11-22", "2026-11-01", "due_soon", "即将到期"),   # due today
    ("2026-11-21", "2026-11-01", "overdue", "逾期 1 天"),
    ("2026-11-23", NAT, "no_visit", "从未拜访"),
    (NAT, NAT, "", ""),
])
def test_visit_status(due, last, code, text):
    c, t = visit_status(np.array([due], dtype="datetime64[D]"), np.array([last], dtype="datetime64[D]"),
                        D("2026-11-22", "D"), 7)
    assert (c[0], t[0]) == (code, text)


def test_visit_status_in_english():
    _, t = visit_status(np.array(["2026-11-12"], dtype="datetime64[D]"), np.array(["2026-10-01"], dtype="datetime64[D]"),
                        D("2026-11-22", "D"), 7, "en")
    assert t[0] == "Overdue 10 days"
