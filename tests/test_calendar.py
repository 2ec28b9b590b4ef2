"""Tests for xlclient.engine.calendar: the Chinese working calendar (SPEC 4.5)."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import holidays
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendar_pin import official_data_through
from xlclient.engine.calendar import (
    OFFICIAL_FIRST_YEAR,
    OFFICIAL_LAST_YEAR,
    SUPPORTED_FIRST_YEAR,
    SUPPORTED_LAST_YEAR,
    CalendarRangeError,
    Festival,
    Override,
    WorkingCalendar,
    default_year_range,
    festivals,
    festivals_between,
    overrides_from_rows,
    parse_override_kind,
    supported_range,
)

D = dt.date
YEARS = (2004, 2029)  # the default range on 2026-11-22, pinned so tests do not age

# --------------------------------------------------------------------------------------
# The official State Council notices, typed from the published text.
# 2025: 国务院办公厅关于2025年部分节假日安排的通知 (Nov 2024).
# 2026: 国务院办公厅关于2026年部分节假日安排的通知 (Nov 2025).
# Each entry: (first day off, last day off) inclusive; and the make-up working weekends.
# --------------------------------------------------------------------------------------

OFFICIAL_DAYS_OFF = {
    2025: [
        (D(2025, 1, 1), D(2025, 1, 1)),  # 元旦
        (D(2025, 1, 28), D(2025, 2, 4)),  # 春节, 8 days
        (D(2025, 4, 4), D(2025, 4, 6)),  # 清明节
        (D(2025, 5, 1), D(2025, 5, 5)),  # 劳动节
        (D(2025, 5, 31), D(2025, 6, 2)),  # 端午节
        (D(2025, 10, 1), D(2025, 10, 8)),  # 国庆节、中秋节, 8 days
    ],
    2026: [
        (D(2026, 1, 1), D(2026, 1, 3)),  # 元旦
        (D(2026, 2, 15), D(2026, 2, 23)),  # 春节, 9 days
        (D(2026, 4, 4), D(2026, 4, 6)),  # 清明节
        (D(2026, 5, 1), D(2026, 5, 5)),  # 劳动节
        (D(2026, 6, 19), D(2026, 6, 21)),  # 端午节
        (D(2026, 9, 25), D(2026, 9, 27)),  # 中秋节
        (D(2026, 10, 1), D(2026, 10, 7)),  # 国庆节
    ],
}
OFFICIAL_MAKEUP_WORKDAYS = {
    2025: [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)],
    2026: [
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    ],
}


def official_is_workday(day: dt.date) -> bool:
    if day in OFFICIAL_MAKEUP_WORKDAYS[day.year]:
        return True
    if any(a <= day <= b for a, b in OFFICIAL_DAYS_OFF[day.year]):
        return False
    return day.weekday() < 5


def days_of(year: int) -> list[dt.date]:
    start = D(year, 1, 1)
    return [start + dt.timedelta(i) for i in range((D(year + 1, 1, 1) - start).days)]


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar(years=YEARS)


# ----------------------------------------------------------------- official years


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_day_matches_the_official_notice(cal: WorkingCalendar, year: int) -> None:
    wrong = [d for d in days_of(year) if cal.is_workday(d) != official_is_workday(d)]
    assert wrong == []
    assert not cal.is_provisional(D(year, 6, 1))


@pytest.mark.parametrize("year", [2025, 2026])
def test_typed_notice_agrees_with_both_packages(year: int) -> None:
    """The literal data above, chinesecalendar and holidays tell the same story."""
    cn = holidays.CN(years=[year, year + 1])
    for d in days_of(year):
        assert chinese_calendar.is_workday(d) == official_is_workday(d), d
        assert cn.is_working_day(d) == official_is_workday(d), d


@pytest.mark.parametrize("year", [2025, 2026])
def test_workday_totals(cal: WorkingCalendar, year: int) -> None:
    expected = sum(official_is_workday(d) for d in days_of(year))
    assert cal.workday_count(D(year, 1, 1), D(year, 12, 31)) == expected
    assert len(cal.workdays_between(D(year, 1, 1), D(year, 12, 31))) == expected


def test_national_day_2026_moves_to_october_8(cal: WorkingCalendar) -> None:
    assert cal.next_workday(D(2026, 10, 1)) == D(2026, 10, 8)
    for d in days_of(2026)[273:280]:  # 2026-10-01 .. 10-07
        assert not cal.is_workday(d)
        assert cal.next_workday(d) == D(2026, 10, 8)


def test_makeup_saturday_2026_10_10_is_a_workday(cal: WorkingCalendar) -> None:
    assert D(2026, 10, 10).weekday() == 5
    assert cal.is_workday(D(2026, 10, 10))
    assert cal.next_workday(D(2026, 10, 10)) == D(2026, 10, 10)
    assert cal.next_workday(D(2026, 10, 9)) == D(2026, 10, 9)
    assert cal.next_workday(D(2026, 10, 11)) == D(2026, 10, 12)
    assert cal.holiday_name(D(2026, 10, 10)) == "调休上班（国庆节）"
    assert cal.holiday_name(D(2026, 10, 10), "en") == "Make-up workday (National Day)"
    assert cal.holiday_name(D(2026, 10, 1)) == "国庆节"
    assert cal.holiday_name(D(2026, 10, 9)) is None


def test_workdays_between_and_before(cal: WorkingCalendar) -> None:
    assert cal.workdays_between(D(2026, 9, 30), D(2026, 10, 12)) == [
        D(2026, 9, 30),
        D(2026, 10, 8),
        D(2026, 10, 9),
        D(2026, 10, 10),
        D(2026, 10, 12),
    ]
    assert cal.workdays_between(D(2026, 10, 12), D(2026, 10, 1)) == []
    assert cal.workday_count(D(2026, 10, 12), D(2026, 10, 1)) == 0
    assert cal.workdays_before(D(2026, 10, 1), 3) == [
        D(2026, 9, 28),
        D(2026, 9, 29),
        D(2026, 9, 30),
    ]
    assert cal.previous_workday(D(2026, 10, 7)) == D(2026, 9, 30)
    assert cal.previous_workday(D(2026, 10, 8)) == D(2026, 10, 8)


# ----------------------------------------------------------------- provisional years

# The installed chinesecalendar / holidays releases learn 2027's official schedule around
# November 2026: these tests build their calendars from the data cut after 2026, so 2027 is
# provisional whatever is installed (calendar_pin).


@pytest.fixture()
def known_through_2026():
    with official_data_through(2026):
        yield


def test_2027_is_provisional_with_statutory_festivals(known_through_2026: None) -> None:
    cal = WorkingCalendar(years=YEARS)
    assert cal.is_provisional(D(2027, 3, 1))
    assert not cal.is_provisional(D(2026, 12, 31))
    assert cal.provisional_years(D(2026, 11, 22), D(2027, 3, 1)) == [2027]
    assert cal.provisional_years(D(2026, 1, 1), D(2026, 12, 31)) == []
    assert cal.provisional_years(D(2026, 1, 1), D(2029, 12, 31)) == [2027, 2028, 2029]

    # Spring Festival 2027 (正月初一 = Saturday 2027-02-06): 除夕 to 初三 off, plus the
    # statutory substitute days for the two that fall on the weekend.
    for d in [D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8)]:
        assert not cal.is_workday(d), d
    assert not cal.is_workday(D(2027, 2, 9)) and not cal.is_workday(D(2027, 2, 10))
    assert cal.next_workday(D(2027, 2, 5)) == D(2027, 2, 11)
    # Other statutory days: 元旦, 清明, 端午, 中秋, 国庆.
    for d in [D(2027, 1, 1), D(2027, 4, 5), D(2027, 6, 9), D(2027, 9, 15), D(2027, 10, 1)]:
        assert not cal.is_workday(d), d
    # No make-up weekends are invented: every Saturday and Sunday of 2027 is off, and
    # every other weekday that is not a statutory day (or its substitute) is a workday.
    statutory = holidays.CN(years=2027)
    for d in days_of(2027):
        assert cal.is_workday(d) == (d.weekday() < 5 and d not in statutory), d


def test_a_holidays_sheet_row_for_2027_applies_and_makes_the_year_official(known_through_2026: None) -> None:
    # The 2027 notice as an agency would type it (invented here): 2027-02-13 (Saturday)
    # is a make-up workday and 2027-02-11 .. 12 are days off.
    overrides = {
        D(2027, 2, 11): Override(True, "春节"),
        D(2027, 2, 12): Override(True, "春节"),
        D(2027, 2, 13): Override(False, "春节调休上班"),
    }
    cal = WorkingCalendar(overrides, years=YEARS)
    assert not cal.is_workday(D(2027, 2, 11))
    assert cal.is_workday(D(2027, 2, 13))
    assert cal.next_workday(D(2027, 2, 5)) == D(2027, 2, 13)
    assert not cal.is_provisional(D(2027, 2, 13))
    assert cal.provisional_years(D(2027, 1, 1), D(2029, 12, 31)) == [2028, 2029]
    assert cal.holiday_name(D(2027, 2, 13)) == "春节调休上班"
    # The base of the year is unchanged: the statutory days stay off.
    assert not cal.is_workday(D(2027, 2, 8))
    # A make-up row alone completes a year as well.
    only_workday = WorkingCalendar({D(2028, 1, 29): Override(False)}, years=YEARS)
    assert not only_workday.is_provisional(D(2028, 6, 1))
    assert only_workday.is_provisional(D(2027, 6, 1))


def test_a_year_the_installed_holidays_lists_is_official() -> None:
    """What a newer holidays release with the 2027 notice gives (the swap is invented here):
    2027 is official, its make-up Saturday a working day; 2028 is still provisional."""
    from holidays.countries.china import ChinaStaticHolidays

    with official_data_through(2026):
        ChinaStaticHolidays.special_public_holidays = {
            **ChinaStaticHolidays.special_public_holidays, 2027: ((2, 11, 2, 13),)}  # 02-11 off for Sat 02-13
        cal = WorkingCalendar(years=YEARS)
        assert not cal.is_provisional(D(2027, 3, 1))
        assert cal.provisional_years(D(2026, 1, 1), D(2029, 12, 31)) == [2028, 2029]
        assert not cal.is_workday(D(2027, 2, 11)) and cal.is_workday(D(2027, 2, 13))
        assert cal.holiday_name(D(2027, 2, 13)) == "调休上班"


def test_provisional_years_are_the_years_the_installed_data_lacks(cal: WorkingCalendar) -> None:
    from holidays.countries.china import ChinaStaticHolidays

    listed = ChinaStaticHolidays.special_public_holidays
    for year in range(YEARS[0], YEARS[1] + 1):
        official = year <= OFFICIAL_LAST_YEAR or year in listed
        assert cal.is_provisional(D(year, 7, 1)) == (not official), year
    assert cal.provisional_years(D(2025, 1, 1), D(2026, 12, 31)) == []


# ----------------------------------------------------------------- overrides


def test_overrides_win_both_ways() -> None:
    monday, sunday = D(2026, 11, 23), D(2026, 11, 29)
    national_day, makeup = D(2026, 10, 2), D(2026, 10, 10)
    cal = WorkingCalendar(
        {
            monday: Override(True, "公司团建"),
            sunday: Override(False, "年终冲刺"),
            national_day: Override(False),
            makeup: Override(True),
        },
        years=YEARS,
    )
    assert not cal.is_workday(monday)
    assert cal.next_workday(monday) == D(2026, 11, 24)
    assert cal.is_workday(sunday)
    assert cal.next_workday(D(2026, 11, 28)) == sunday
    assert cal.is_workday(national_day)
    assert cal.next_workday(D(2026, 10, 1)) == national_day
    assert not cal.is_workday(makeup)
    assert cal.holiday_name(monday) == "公司团建"
    assert cal.holiday_name(national_day) == "调休上班"
    assert cal.holiday_name(makeup, "en") == "Day off"
    # The shared cached tables are untouched by another calendar's overrides.
    plain = WorkingCalendar(years=YEARS)
    assert plain.is_workday(monday) and not plain.is_workday(sunday)
    assert not plain.is_workday(national_day) and plain.is_workday(makeup)


def test_overrides_outside_the_supported_years_are_reported_not_applied() -> None:
    after, before = D(SUPPORTED_LAST_YEAR + 1, 1, 2), D(SUPPORTED_FIRST_YEAR - 1, 12, 31)
    inside = D(2035, 1, 2)  # outside the years built at once, inside the supported ones
    cal = WorkingCalendar({after: Override(True), before: Override(True), inside: Override(True)}, years=YEARS)
    assert dict(cal.ignored_overrides) == {after: Override(True), before: Override(True)}
    assert dict(cal.overrides) == {inside: Override(True)}
    assert not cal.is_workday(inside)  # a Tuesday, applied when 2035 is built
    assert not cal.is_provisional(inside)  # a Holidays-sheet row completes its year


def test_parse_holidays_sheet_words() -> None:
    assert parse_override_kind("放假") is True
    assert parse_override_kind(" 调休上班 ") is False
    assert parse_override_kind("Day Off") is True
    assert parse_override_kind("make-up  workday") is False
    with pytest.raises(ValueError, match="neither a day off"):
        parse_override_kind("加班?")
    rows = [(D(2027, 2, 13), "调休上班", "春节"), (dt.datetime(2027, 2, 11, 9), "放假", "")]
    assert overrides_from_rows(rows) == {
        D(2027, 2, 13): Override(False, "春节"),
        D(2027, 2, 11): Override(True, ""),
    }


# ----------------------------------------------------------------- range and errors


def test_dates_outside_the_supported_years_raise(cal: WorkingCalendar) -> None:
    first, last = D(SUPPORTED_FIRST_YEAR, 1, 1), D(SUPPORTED_LAST_YEAR, 12, 31)
    assert (cal.first_date, cal.last_date) == (first, last) == supported_range()
    with pytest.raises(CalendarRangeError, match="outside the working calendar"):
        cal.is_workday(last + dt.timedelta(1))
    with pytest.raises(CalendarRangeError, match="outside"):
        cal.next_workday(first - dt.timedelta(1))
    with pytest.raises(CalendarRangeError, match="outside"):
        cal.next_workday_array(np.array(["2026-01-05", "2101-01-01"], dtype="datetime64[D]"))
    with pytest.raises(CalendarRangeError, match="outside"):
        cal.is_workday(np.datetime64("10000-01-01"))  # beyond Python's dates
    with pytest.raises(CalendarRangeError, match="outside"):
        festivals(SUPPORTED_LAST_YEAR + 1)
    assert cal.covers_array(
        np.array(["2026-01-05", "2101-01-01", "1949-12-31", "NaT"], dtype="datetime64[D]")
    ).tolist() == [True, False, False, True]
    assert cal.covers(last) and not cal.covers(last + dt.timedelta(1))
    # The message names the date and the range, in either language.
    err = CalendarRangeError(D(2101, 1, 1))
    assert "2101-01-01" in err.message("zh") and "2100-12-31" in err.message("zh")
    assert "2101-01-01" in err.message("en") and "1950-01-01" in err.message("en")
    # Asking whether a date is provisional never raises: outside or NaT -> False.
    outside = np.array(["1949-01-01", "2101-01-01", "NaT"], dtype="datetime64[D]")
    assert cal.is_provisional_array(outside).tolist() == [False, False, False]


def test_a_date_outside_the_built_years_grows_the_calendar(known_through_2026: None) -> None:
    cal = WorkingCalendar(years=YEARS)
    assert cal.is_provisional(D(2045, 3, 1)) and cal.is_provisional(D(1999, 3, 1))
    assert cal.years == (1999, 2045)
    # the years already built keep their data; the new ones are provisional, festivals off
    assert not cal.is_provisional(D(2026, 3, 1))
    assert cal.provisional_years(D(1998, 1, 1), D(2046, 12, 31)) == [
        1998, 1999, 2000, *range(2027, 2047)]
    # a due date at the end of the built span moves into the next year
    cal = WorkingCalendar({D(2029, 12, 31): Override(True)}, years=YEARS)  # a Monday
    assert cal.next_workday(D(2029, 12, 29)) == D(2030, 1, 2)  # 2030-01-01 is 元旦
    assert cal.next_workday_array(np.array(["2029-12-30"], dtype="datetime64[D]")).tolist() == [D(2030, 1, 2)]
    # greeting days before a festival early in the year reach back into the year before
    late = WorkingCalendar(years=(2027, 2029))
    assert late.workdays_before(D(2027, 1, 5), 3) == [D(2026, 12, 30), D(2026, 12, 31), D(2027, 1, 4)]
    assert late.previous_workday(D(2027, 1, 1)) == D(2026, 12, 31)


def test_no_workday_left_at_the_end_of_the_supported_years() -> None:
    last = D(SUPPORTED_LAST_YEAR, 12, 31)
    off = {last - dt.timedelta(i): Override(True) for i in range(7)}
    cal = WorkingCalendar(off, years=YEARS)
    with pytest.raises(CalendarRangeError, match="no working day"):
        cal.next_workday(last - dt.timedelta(3))
    with pytest.raises(CalendarRangeError, match="no working day"):
        cal.next_workday_array(np.array([last], dtype="datetime64[D]"))


def test_default_range_reaches_three_years_ahead() -> None:
    assert default_year_range(D(2026, 12, 31)) == (2004, 2029)
    assert default_year_range(D(2027, 1, 1)) == (2004, 2030)
    this_year = dt.date.today().year
    first, last = WorkingCalendar().years
    assert first == 2004 and last - 3 in (this_year, dt.date.today().year)  # the run may cross midnight


def test_years_before_chinesecalendar_use_holidays() -> None:
    cal = WorkingCalendar(years=(2001, 2004))
    assert not cal.is_provisional(D(2002, 5, 1))
    assert not cal.is_workday(D(2002, 10, 7))  # National Day break, moved from 9-29
    assert cal.is_workday(D(2002, 9, 29))  # the Sunday it was moved from


# ----------------------------------------------------------------- festivals


def test_festivals_2026_and_2027() -> None:
    assert festivals(2026) == [
        Festival("春节", "Spring Festival", D(2026, 2, 17)),
        Festival("端午节", "Dragon Boat Festival", D(2026, 6, 19)),
        Festival("中秋节", "Mid-Autumn Festival", D(2026, 9, 25)),
        Festival("国庆节", "National Day", D(2026, 10, 1)),
    ]
    assert [f.date for f in festivals(2027)] == [
        D(2027, 2, 6),
        D(2027, 6, 9),
        D(2027, 9, 15),
        D(2027, 10, 1),
    ]
    # Sorted by date: in 2025 Mid-Autumn (10-06) comes after National Day.
    names_2025 = [f.name_zh for f in WorkingCalendar.festivals(2025)]
    assert names_2025 == ["春节", "端午节", "国庆节", "中秋节"]
    assert WorkingCalendar.festivals(2025)[3].date == D(2025, 10, 6)


def test_festival_days_lie_in_chinesecalendar_breaks_of_the_same_name() -> None:
    cc_name = {
        "春节": "Spring Festival",
        "端午节": "Dragon Boat Festival",
        "中秋节": "Mid-autumn Festival",
        "国庆节": "National Day",
    }
    for year in range(2008, OFFICIAL_LAST_YEAR + 1):
        for f in festivals(year):
            is_day_off, name = chinese_calendar.get_holiday_detail(f.date)
            assert is_day_off, f
            # Mid-Autumn next to National Day is filed under either name (2017, 2020...).
            allowed = {cc_name[f.name_zh]}
            if f.name_zh in ("中秋节", "国庆节"):
                allowed |= {"Mid-autumn Festival", "National Day"}
            if f.date.weekday() >= 5:
                allowed.add(None)  # chinesecalendar names only the weekdays of a break
            assert name in allowed, (f, name)


def test_festivals_between_spans_years() -> None:
    got = festivals_between(D(2026, 9, 1), D(2027, 3, 1))
    assert [(f.name_en, f.date) for f in got] == [
        ("Mid-Autumn Festival", D(2026, 9, 25)),
        ("National Day", D(2026, 10, 1)),
        ("Spring Festival", D(2027, 2, 6)),
    ]


def test_festivals_are_lunar_days_in_every_supported_year() -> None:
    """Greeting festivals are the lunar days whether or not they were days off that year
    (端午 and 中秋 only since 2008): 1990, 2035, 2099 alike."""
    assert [(f.name_zh, f.date) for f in festivals(1990)] == [
        ("春节", D(1990, 1, 27)), ("端午节", D(1990, 5, 28)), ("国庆节", D(1990, 10, 1)), ("中秋节", D(1990, 10, 3))]
    assert [f.date for f in festivals(2035)] == [D(2035, 2, 8), D(2035, 6, 10), D(2035, 9, 16), D(2035, 10, 1)]
    assert [f.date for f in festivals(2099)] == [D(2099, 1, 21), D(2099, 6, 23), D(2099, 9, 29), D(2099, 10, 1)]
    for year in range(SUPPORTED_FIRST_YEAR, SUPPORTED_LAST_YEAR + 1):
        got = festivals(year)
        assert [f.date.year for f in got] == [year] * 4, year
        assert [f.date for f in got] == sorted(f.date for f in got)
        by_name = {f.name_zh: f.date for f in got}
        # 春节 between 01-21 and 02-20, 端午 05-27 to 06-25, 中秋 09-07 to 10-07 (the lunar bounds)
        assert D(year, 1, 21) <= by_name["春节"] <= D(year, 2, 20), year
        assert D(year, 5, 27) <= by_name["端午节"] <= D(year, 6, 25), year
        assert D(year, 9, 7) <= by_name["中秋节"] <= D(year, 10, 7), year
    # Where holidays lists them as days off (2008 on), the same days.
    for year in (2008, 2026, 2050, 2100):
        listed = holidays.CN(years=year, observed=False, language="zh_CN")
        for f in festivals(year):
            assert any(n.split("（")[0].strip() == f.name_zh for n in listed.get(f.date, "").split(";")), f


# ----------------------------------------------------------------- properties

CAL = WorkingCalendar(years=YEARS)
any_day = st.dates(min_value=D(2004, 1, 1), max_value=D(2029, 12, 1))


@settings(max_examples=500, deadline=None)
@given(any_day)
def test_next_workday_is_the_first_workday_on_or_after(day: dt.date) -> None:
    nxt = CAL.next_workday(day)
    assert nxt >= day
    assert CAL.is_workday(nxt)
    assert CAL.workdays_between(day, nxt) == [nxt]
    assert CAL.workday_count(day, nxt) == 1
    assert (nxt == day) == CAL.is_workday(day)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(any_day, st.none()), max_size=60))
def test_vectorised_and_scalar_agree(days: list[dt.date | None]) -> None:
    arr = np.array(
        [np.datetime64(d, "D") if d else np.datetime64("NaT") for d in days],
        dtype="datetime64[D]",
    )
    nxt = CAL.next_workday_array(arr)
    work = CAL.is_workday_array(arr)
    prov = CAL.is_provisional_array(arr)
    assert nxt.dtype == np.dtype("datetime64[D]") and nxt.shape == arr.shape
    for i, d in enumerate(days):
        if d is None:
            assert np.isnat(nxt[i]) and not work[i] and not prov[i]
        else:
            assert nxt[i].item() == CAL.next_workday(d)
            assert bool(work[i]) == CAL.is_workday(d)
            assert bool(prov[i]) == CAL.is_provisional(d)


@settings(max_examples=200, deadline=None)
@given(any_day, any_day)
def test_workday_count_matches_the_list(a: dt.date, b: dt.date) -> None:
    n = CAL.workday_count(a, b)
    assert n == len(CAL.workdays_between(a, b))
    counts = CAL.workday_count_array(
        np.array([a, a], dtype="datetime64[D]"), np.array([b, "NaT"], dtype="datetime64[D]")
    )
    assert counts.tolist() == [n, 0]


def test_next_workday_array_takes_other_units_and_keeps_nat() -> None:
    stamps = np.array(["2026-10-01T15:30", "NaT", "2026-10-10T08:00"], dtype="datetime64[ns]")
    got = CAL.next_workday_array(stamps)
    assert got.tolist() == [D(2026, 10, 8), None, D(2026, 10, 10)]
    assert CAL.next_workday_array(np.array([], dtype="datetime64[D]")).size == 0
    all_nat = CAL.next_workday_array(np.array(["NaT", "NaT"], dtype="datetime64[D]"))
    assert np.isnat(all_nat).all()
    as_objects = CAL.next_workday_array(np.array([D(2026, 10, 1)], dtype=object))
    assert as_objects.tolist() == [D(2026, 10, 8)]


def test_scalar_inputs_accept_datetimes_and_datetime64() -> None:
    assert CAL.next_workday(dt.datetime(2026, 10, 1, 18, 0)) == D(2026, 10, 8)
    assert CAL.next_workday(np.datetime64("2026-10-01")) == D(2026, 10, 8)
    with pytest.raises(TypeError):
        CAL.is_workday("2026-10-01")  # type: ignore[arg-type]


def test_the_default_years_can_be_built_ahead_and_are_then_not_built_again():
    """The command line builds them in its import thread while the workbook is read."""
    from xlclient.engine import calendar as C

    C._range_table.cache_clear()
    C.prepare_default_years()
    before = C._range_table.cache_info()
    assert before.misses == 1 and before.currsize == 1
    cal = C.WorkingCalendar()
    after = C._range_table.cache_info()
    assert after.misses == 1 and after.hits == before.hits + 1
    assert cal.years == C.default_year_range()


# ----------------------------------------------------------------- any year (issue 24)


def _official(year: int) -> bool:
    from holidays.countries.china import ChinaStaticHolidays

    return OFFICIAL_FIRST_YEAR <= year <= OFFICIAL_LAST_YEAR or year in ChinaStaticHolidays.special_public_holidays


supported_day = st.dates(min_value=D(SUPPORTED_FIRST_YEAR, 1, 1), max_value=D(SUPPORTED_LAST_YEAR, 12, 20))


@settings(max_examples=150, deadline=None)
@given(supported_day, st.integers(min_value=0, max_value=400))
def test_any_date_of_the_supported_years_is_answered(day: dt.date, reach: int) -> None:
    """A fresh calendar (the usual 2004-2029 built) asked about any date of a run's range
    -- the day, and a reach around it such as the planner's -- grows to it and answers:
    working days, next working day, provisional exactly for the years without an official
    schedule, where the days off are the weekends and the statutory days of ``holidays``."""
    cal = WorkingCalendar(years=YEARS)
    first, last = max(day - dt.timedelta(reach), cal.first_date), min(day + dt.timedelta(reach), cal.last_date)
    nxt = cal.next_workday(day)
    assert nxt >= day and cal.is_workday(nxt) and cal.workdays_between(day, nxt) == [nxt]
    assert (nxt == day) == cal.is_workday(day)
    assert cal.is_provisional(day) == (not _official(day.year))
    assert cal.provisional_years(first, last) == [y for y in range(first.year, last.year + 1) if not _official(y)]
    span = np.arange(np.datetime64(first), np.datetime64(last) + 1)
    work = cal.is_workday_array(span)
    assert work.sum() == cal.workday_count(first, last) == len(cal.workdays_between(first, last))
    nxt_array = cal.next_workday_array(span)
    assert nxt_array[span == np.datetime64(day)].tolist() == [nxt]
    assert cal.is_provisional_array(span).tolist() == [not _official(d.year) for d in span.tolist()]
    if not _official(day.year):
        statutory = holidays.CN(years=day.year)
        near = [day + dt.timedelta(i) for i in range(-10, 11) if (day + dt.timedelta(i)).year == day.year]
        for d in near:
            assert cal.is_workday(d) == (d.weekday() < 5 and d not in statutory), d


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.dates(max_value=D(SUPPORTED_FIRST_YEAR - 1, 12, 31)),
                 st.dates(min_value=D(SUPPORTED_LAST_YEAR + 1, 1, 1))))
def test_a_date_outside_the_supported_years_is_refused_by_every_lookup(day: dt.date) -> None:
    cal = WorkingCalendar(years=YEARS)
    assert not cal.covers(day)
    assert cal.covers_array(np.array([day], dtype="datetime64[D]")).tolist() == [False]
    assert cal.is_provisional_array(np.array([day], dtype="datetime64[D]")).tolist() == [False]
    inside = D(2026, 6, 1)
    for ask in (cal.is_workday, cal.next_workday, cal.previous_workday, cal.is_provisional, cal.holiday_name,
                lambda d: cal.workdays_between(inside, d), lambda d: cal.workday_count(d, inside),
                lambda d: cal.workdays_before(d, 3),
                lambda d: cal.next_workday_array(np.array([inside, d], dtype="datetime64[D]")),
                lambda d: cal.is_workday_array(np.array([d], dtype="datetime64[D]"))):
        with pytest.raises(CalendarRangeError) as err:
            ask(day)
        assert str(day) in err.value.message("zh") and str(day) in err.value.message("en")
