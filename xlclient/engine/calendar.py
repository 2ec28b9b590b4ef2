"""The Chinese working calendar that visit dates are planned on (SPEC 4.5).

A visit must land on a day people work in mainland China.  That is the official State
Council schedule -- statutory festivals off, and the make-up working weekends (调休上班)
that pay for the long breaks, e.g. Saturday 2026-10-10 is a working day while 2026-10-01
to 2026-10-07 are off -- overlaid by the workbook's Holidays sheet (节假日), whose rows
(date, 放假 or 调休上班, name) win over everything else.

Where the days come from, per calendar year:

* **Official years.**  Years the ``chinesecalendar`` package covers (2004-2026 with 1.11)
  use its data.  A later year whose official arrangements the installed ``holidays``
  package already lists (it is usually updated sooner) uses ``holidays``.  Years before
  ``chinesecalendar`` starts use ``holidays`` too (it has the notices since 2001).
* **Provisional years.**  A year whose official schedule is not known -- not published
  yet, or before 2001 -- is planned with ordinary weekends off plus the statutory
  festival days off of that year's rules -- today 元旦, 春节 (除夕 to 初三), 清明, 劳动节,
  端午, 中秋, 国庆 -- and the substitute day the regulation (全国年节及纪念日放假办法,
  art. 6) gives when one of them falls on a weekend, all as computed by ``holidays``
  (the lunar days for that very year).  There are no make-up working weekends in such a
  year, because nobody can know them before the notice.  Every date in it is
  *provisional*: the planner and the command line say so next to the plan.

The provisional rule -- one rule, no setting:

    A year is **official** when the official data above covers it, **or when the Holidays
    sheet has at least one row (放假 or 调休上班) dated in that year**.  Otherwise every date
    in it is provisional.

The reasoning: the Holidays sheet is where the agency types next year's schedule the day
the State Council publishes it (usually November), and typing it is the moment the year
stops being a guess.  A sheet row never changes the base of a year, it only overrides
single days, so a typed official schedule plus the statutory base gives the official
calendar -- as long as the guessed substitute days lie inside the announced breaks, as
they always have (for 2027 they are 02-09/10, 05-03/04 and 10-04/05); a guessed day that
the notice leaves as a working day would need its own 调休上班 row.  The price of a simple rule: a single company-specific row (say an outing day
off) in a year whose notice is not out yet also marks that year official.  Type such rows
after the official schedule, or accept that the "provisional" warning disappears.

Range: a :class:`WorkingCalendar` answers for every date of the *supported years*,
:data:`SUPPORTED_FIRST_YEAR` (1950, the first year of the statutory holiday rules) to
:data:`SUPPORTED_LAST_YEAR` (2100, the last year whose lunar festival dates the installed
``holidays`` knows) -- whatever year a run's dates fall in.  It holds a precomputed
workday table for a span of whole years (2004 up to today's year + 3 unless told
otherwise) and grows that span, a year table at a time, when it is asked about a date
outside it.  Years before 2001 and after the last published notice are provisional.
Asking about a date outside the supported years raises :class:`CalendarRangeError` (a
``ValueError``) naming the date and the range (never a silent guess); callers that hold
user data check :meth:`WorkingCalendar.covers_array` first and report what is outside.
Holidays-sheet rows outside the supported years are not applied; they are listed in
:attr:`WorkingCalendar.ignored_overrides` so the caller can report them.

Speed: the base tables are built once per year and process and cached; a calendar with
overrides is a copy of the cached table plus the rows, and every lookup is array indexing,
so the engine can move 100,000 due dates to working days in a few milliseconds.  Growing
the span costs ~3 ms per new year (the ``holidays`` rules of that year), once.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import chinese_calendar
import holidays as holidays_pkg
import numpy as np

__all__ = [
    "CalendarRangeError",
    "DAY_OFF_WORDS",
    "FESTIVAL_NAMES",
    "OFFICIAL_FIRST_YEAR",
    "OFFICIAL_LAST_YEAR",
    "MAKEUP_WORKDAY_WORDS",
    "SUPPORTED_FIRST_YEAR",
    "SUPPORTED_LAST_YEAR",
    "Festival",
    "Override",
    "WorkingCalendar",
    "default_year_range",
    "festivals",
    "festivals_between",
    "overrides_from_rows",
    "parse_override_kind",
    "prepare_default_years",
    "supported_range",
]

# --------------------------------------------------------------------------------------
# Public small types
# --------------------------------------------------------------------------------------

#: What the Holidays sheet's second column may say for a day off (case-insensitive).
DAY_OFF_WORDS: tuple[str, ...] = ("放假", "休息", "休假", "day off", "off", "holiday")
#: What it may say for a make-up working day.
MAKEUP_WORKDAY_WORDS: tuple[str, ...] = (
    "调休上班",
    "上班",
    "补班",
    "make-up workday",
    "makeup workday",
    "workday",
    "working day",
)


@dataclass(frozen=True, slots=True)
class Override:
    """One Holidays-sheet row: the day is off (放假) or a make-up working day (调休上班)."""

    is_day_off: bool
    name: str = ""

    @classmethod
    def from_sheet(cls, kind: str, name: str = "") -> Override:
        """Build from the sheet's words, e.g. ``Override.from_sheet("调休上班", "国庆节")``."""
        return cls(is_day_off=parse_override_kind(kind), name=(name or "").strip())


def parse_override_kind(kind: str) -> bool:
    """``True`` for a day off (放假 ...), ``False`` for a make-up workday (调休上班 ...).

    Raises ``ValueError`` naming the accepted words for anything else.
    """
    text = " ".join(str(kind).strip().lower().split())
    if text in DAY_OFF_WORDS:
        return True
    if text in MAKEUP_WORKDAY_WORDS:
        return False
    raise ValueError(
        f"{kind!r} is neither a day off ({' / '.join(DAY_OFF_WORDS)}) "
        f"nor a make-up workday ({' / '.join(MAKEUP_WORKDAY_WORDS)})"
    )


@dataclass(frozen=True, slots=True)
class Festival:
    """A festival that A and B clients get a greeting visit before (节日问候)."""

    name_zh: str
    name_en: str
    date: dt.date


#: The greeting festivals, in calendar order: key -> (Chinese name, English name).
FESTIVAL_NAMES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "spring_festival": ("春节", "Spring Festival"),
        "dragon_boat": ("端午节", "Dragon Boat Festival"),
        "mid_autumn": ("中秋节", "Mid-Autumn Festival"),
        "national_day": ("国庆节", "National Day"),
    }
)

# --------------------------------------------------------------------------------------
# Official data (module level, built once)
# --------------------------------------------------------------------------------------

_CC_HOLIDAYS: Mapping[dt.date, str] = chinese_calendar.holidays
_CC_WORKDAYS: Mapping[dt.date, str] = chinese_calendar.workdays
#: First and last year the installed ``chinesecalendar`` has the official schedule for.
OFFICIAL_FIRST_YEAR: int = min(_CC_HOLIDAYS).year
OFFICIAL_LAST_YEAR: int = max(_CC_HOLIDAYS).year

_MAKEUP_ZH = "调休上班"
_MAKEUP_EN = "Make-up workday"
_DAY_OFF_ZH = "放假"
_DAY_OFF_EN = "Day off"


def _lunar_years() -> tuple[int, int]:
    """First and last year whose 春节, 端午 and 中秋 dates the installed ``holidays`` knows
    (its lunisolar tables: 1901-2100 in 0.109)."""
    try:
        from holidays.calendars.chinese import _ChineseLunisolar as lunar
    except ImportError:  # pragma: no cover - other holidays layouts
        return (2008, OFFICIAL_LAST_YEAR + 3)
    spans = [set(getattr(lunar, f"{name}_DATES", {})) for name in ("LUNAR_NEW_YEAR", "DRAGON_BOAT", "MID_AUTUMN")]
    known = set.intersection(*spans) if all(spans) else set()
    if not known:  # pragma: no cover - other holidays layouts
        return (2008, OFFICIAL_LAST_YEAR + 3)
    return (min(known), max(known))


def _statutory_years() -> tuple[int, int]:
    """First and last year the installed ``holidays`` has China's statutory rules for
    (1950, the first national regulation, to 2100 in 0.109)."""
    china = getattr(holidays_pkg, "China", None)
    first = int(getattr(china, "start_year", 1950) or 1950)
    last = int(getattr(china, "end_year", 9998) or 9998)
    return (first, last)


def _supported_years() -> tuple[int, int]:
    """The years both the statutory rules and the lunar festival dates are known for."""
    lunar, statutory = _lunar_years(), _statutory_years()
    first = max(lunar[0], statutory[0], 1901)
    # ... and never 9999: a next working day must still be a date.
    last = min(lunar[1], statutory[1], 9998)
    return (first, max(first, last))


#: The years a :class:`WorkingCalendar` can answer for: where both the statutory rules and
#: the lunar festival dates are known (1950-2100 with holidays 0.109).  A date outside is
#: refused with :class:`CalendarRangeError`, never guessed.
SUPPORTED_FIRST_YEAR, SUPPORTED_LAST_YEAR = _supported_years()


def supported_range() -> tuple[dt.date, dt.date]:
    """The first and last date a :class:`WorkingCalendar` answers for."""
    return (dt.date(SUPPORTED_FIRST_YEAR, 1, 1), dt.date(SUPPORTED_LAST_YEAR, 12, 31))


class CalendarRangeError(ValueError):
    """A date the working calendar cannot answer for: outside the supported years, or
    with no working day left before the calendar ends.  :meth:`message` names the date and
    the supported range in the workbook's language."""

    def __init__(self, day: object, *, no_workday_left: bool = False) -> None:
        self.day = day
        self.first, self.last = supported_range()
        self.no_workday_left = no_workday_left
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        if self.no_workday_left:
            if lang == "zh":
                return f"{self.day} 之后直到工作日历的末日 {self.last} 再没有工作日"
            return f"no working day on or after {self.day} before {self.last}, the end of the working calendar"
        if lang == "zh":
            return f"日期 {self.day} 超出工作日历支持的范围（{self.first} 至 {self.last}）"
        return f"{self.day} is outside the working calendar ({self.first} to {self.last})"


def default_year_range(today: dt.date | None = None) -> tuple[int, int]:
    """2004 (first official year) to today's year + 3, inside the supported years: the
    span a calendar builds at once (it grows on demand)."""
    today = today or dt.date.today()
    last = min(max(today.year + 3, OFFICIAL_FIRST_YEAR), SUPPORTED_LAST_YEAR)
    return (max(OFFICIAL_FIRST_YEAR, SUPPORTED_FIRST_YEAR), last)


def _holidays_lists_official_year(year: int) -> bool:
    """Whether the installed ``holidays`` has the State Council arrangements for ``year``.

    ``holidays`` keeps the notices' day swaps in ``ChinaStaticHolidays.special_public_
    holidays``; a year listed there has been published.  Anything unexpected -> no.
    """
    try:
        from holidays.countries.china import ChinaStaticHolidays
    except ImportError:  # pragma: no cover - other holidays layouts
        return False
    special = getattr(ChinaStaticHolidays, "special_public_holidays", {})
    return isinstance(special, Mapping) and year in special


@dataclass(frozen=True)
class _YearTable:
    """One year's base calendar, before the Holidays sheet."""

    year: int
    workday: np.ndarray  # bool, one per day of the year, read-only
    statutory_only: bool  # True: official schedule unknown, planned on statutory days
    names: Mapping[dt.date, tuple[str, str]]  # day off / make-up day -> (zh, en)


def _weekday_table(year: int) -> np.ndarray:
    days = np.arange(
        np.datetime64(f"{year:04d}-01-01"),
        np.datetime64(f"{year + 1:04d}-01-01"),
        dtype="datetime64[D]",
    )
    # 1970-01-01 was a Thursday (weekday 3 with Monday = 0).
    weekday = (days.view(np.int64) + 3) % 7
    return weekday < 5


def _cc_names() -> dict[str, tuple[str, str]]:
    return {h.value: (h.chinese, h.value) for h in chinese_calendar.Holiday}


@lru_cache(maxsize=None)
def _year_table(year: int) -> _YearTable:
    workday = _weekday_table(year)
    jan1 = dt.date(year, 1, 1).toordinal()
    names: dict[dt.date, tuple[str, str]] = {}
    if OFFICIAL_FIRST_YEAR <= year <= OFFICIAL_LAST_YEAR:
        cc_names = _cc_names()
        for day, en in _CC_HOLIDAYS.items():
            if day.year == year:
                workday[day.toordinal() - jan1] = False
                names[day] = cc_names.get(en, (en, en))
        for day, en in _CC_WORKDAYS.items():
            if day.year == year:
                workday[day.toordinal() - jan1] = True
                zh, en_name = cc_names.get(en, (en, en))
                names[day] = (f"{_MAKEUP_ZH}（{zh}）", f"{_MAKEUP_EN} ({en_name})")
        statutory_only = False
    else:
        # The following year's notice can move a weekend of this year (2005-12-31), so
        # ask for both years and keep this year's days.
        zh_days = holidays_pkg.CN(years=[year, year + 1], language="zh_CN")
        en_days = holidays_pkg.CN(years=[year, year + 1], language="en_US")
        for day, zh in zh_days.items():
            if day.year == year:
                workday[day.toordinal() - jan1] = False
                names[day] = (zh, en_days.get(day, zh))
        for day in zh_days.weekend_workdays:
            if day.year == year:
                workday[day.toordinal() - jan1] = True
                names[day] = (_MAKEUP_ZH, _MAKEUP_EN)
        # Provisional: no notice known for the year, later (not published yet) or earlier
        # (before the notices ``holidays`` lists, 2001) alike.
        statutory_only = not _holidays_lists_official_year(year)
    workday.setflags(write=False)
    return _YearTable(year, workday, statutory_only, MappingProxyType(names))


@dataclass(frozen=True)
class _RangeTable:
    first_year: int
    last_year: int
    workday: np.ndarray  # bool, read-only
    statutory_only_years: frozenset[int]


def prepare_default_years() -> None:
    """Build the base tables of :func:`default_year_range` now (they are cached for the
    process): years past the official data come from ``holidays``, whose first use imports
    every country it knows (~0.05 s). The command line does this in its import thread while
    the workbook is read."""
    _range_table(*default_year_range())


@lru_cache(maxsize=8)
def _range_table(first_year: int, last_year: int) -> _RangeTable:
    years = [_year_table(y) for y in range(first_year, last_year + 1)]
    workday = np.concatenate([t.workday for t in years])
    workday.setflags(write=False)
    guessed = frozenset(t.year for t in years if t.statutory_only)
    return _RangeTable(first_year, last_year, workday, guessed)


# --------------------------------------------------------------------------------------
# Festivals
# --------------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _festivals(year: int) -> tuple[Festival, ...]:
    if not SUPPORTED_FIRST_YEAR <= year <= SUPPORTED_LAST_YEAR:
        raise CalendarRangeError(year)
    # The festival day itself, from the lunar calendar: whether it was a day off that year
    # (端午 and 中秋 are only since 2008) does not matter to a greeting.
    from holidays.calendars.chinese import _ChineseLunisolar

    lunar = _ChineseLunisolar()
    days = {
        "spring_festival": lunar.lunar_new_year_date(year)[0],
        "dragon_boat": lunar.dragon_boat_date(year)[0],
        "mid_autumn": lunar.mid_autumn_date(year)[0],
        "national_day": dt.date(year, 10, 1),
    }
    found: list[Festival] = []
    for key, (name_zh, name_en) in FESTIVAL_NAMES.items():
        if days[key] is None:  # pragma: no cover - inside the supported years it is known
            raise ValueError(f"no {name_en} ({name_zh}) date known for {year}")
        found.append(Festival(name_zh, name_en, days[key]))
    return tuple(sorted(found, key=lambda f: f.date))


def festivals(year: int) -> list[Festival]:
    """春节, 端午节, 中秋节 and 国庆节 of ``year``: the festival day itself, not the break.

    Lunar dates come from the ``holidays`` package's lunisolar tables; a year outside the
    supported years raises :class:`CalendarRangeError`.  Sorted by date.
    """
    return list(_festivals(int(year)))


def festivals_between(start: dt.date, end: dt.date) -> list[Festival]:
    """Greeting festivals whose day lies in ``[start, end]``, sorted by date."""
    start, end = _as_date(start), _as_date(end)
    return [
        f
        for year in range(start.year, end.year + 1)
        for f in _festivals(year)
        if start <= f.date <= end
    ]


# --------------------------------------------------------------------------------------
# The calendar
# --------------------------------------------------------------------------------------


def _as_date(value: dt.date | np.datetime64) -> dt.date:
    if isinstance(value, dt.datetime):  # also pandas.Timestamp
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise ValueError("NaT is not a date")
        day = value.astype("datetime64[D]").item()
        if not isinstance(day, dt.date):  # beyond what Python's dates hold (year 10000 on)
            raise CalendarRangeError(value.astype("datetime64[D]"))
        return day
    raise TypeError(f"expected a date, got {type(value).__name__}: {value!r}")


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class _Tables:
    """The lookup arrays of the span of years a calendar holds so far.  Replaced whole
    (never changed) when the span grows, so a reader that took one sees a consistent set."""

    first_year: int
    last_year: int
    base: np.ndarray  # bool per day before the Holidays sheet, read-only
    statutory_only: frozenset[int]  # years of the span planned on statutory days
    first_ordinal: int  # proleptic ordinal of the first day
    start: int  # days since 1970-01-01 of the first day
    workday: np.ndarray  # bool per day, with the Holidays sheet
    workday_offsets: np.ndarray  # int64 offsets of the working days
    next: np.ndarray  # offset of the first workday on or after each offset, -1 when none left
    count_before: np.ndarray  # workdays at offsets < i (length n + 1)
    provisional_years: frozenset[int]
    provisional_day: np.ndarray  # bool per day: in a provisional year
    size: int  # days held


class WorkingCalendar:
    """Working days for visit planning: the official calendar plus the Holidays sheet.

    ``overrides`` maps a date to an :class:`Override` (the Holidays sheet rows); they win
    over the official and statutory days both ways.  The calendar answers for any date of
    the supported years (:func:`supported_range`); ``years`` is the (first, last) calendar
    years to build at once, inclusive (default :func:`default_year_range`); other years
    of the supported range are built when first asked about, and kept.

    A calendar built while the official data is cut (``tests/calendar_pin.py``) keeps the
    years it built then; years it grows into later are built from the installed data.
    """

    def __init__(
        self,
        overrides: Mapping[dt.date, Override] | None = None,
        years: tuple[int, int] | None = None,
    ) -> None:
        first_year, last_year = years if years is not None else default_year_range()
        first_year, last_year = int(first_year), int(last_year)
        if not SUPPORTED_FIRST_YEAR <= first_year <= last_year <= SUPPORTED_LAST_YEAR:
            raise ValueError(
                f"bad year range {first_year}-{last_year}: the working calendar supports "
                f"{SUPPORTED_FIRST_YEAR}-{SUPPORTED_LAST_YEAR}"
            )
        #: The first and last date the calendar answers for (the supported years).
        self.first_date, self.last_date = supported_range()

        applied: dict[dt.date, Override] = {}
        ignored: dict[dt.date, Override] = {}
        for day, override in (overrides or {}).items():
            day = _as_date(day)
            (applied if self.first_date <= day <= self.last_date else ignored)[day] = override
        #: Holidays-sheet rows inside the supported years (applied as their years are built).
        self.overrides: Mapping[dt.date, Override] = MappingProxyType(applied)
        #: Holidays-sheet rows outside the supported years, not applied.
        self.ignored_overrides: Mapping[dt.date, Override] = MappingProxyType(ignored)
        self._completed_years = frozenset(day.year for day in applied)
        self._lock = threading.Lock()

        base = _range_table(first_year, last_year)
        self._tables = self._derive(first_year, last_year, base.workday, base.statutory_only_years)

    # ---------------------------------------------------------------- tables

    def _derive(self, first_year: int, last_year: int, base: np.ndarray,
                statutory_only: frozenset[int]) -> _Tables:
        """The lookup arrays of ``[first_year, last_year]`` from its base table."""
        first_ordinal = dt.date(first_year, 1, 1).toordinal()
        applied = [(d, o) for d, o in self.overrides.items() if first_year <= d.year <= last_year]
        if applied:
            workday = base.copy()
            for day, override in applied:
                workday[day.toordinal() - first_ordinal] = not override.is_day_off
            workday.setflags(write=False)
        else:
            workday = base
        n = workday.size
        offsets = np.flatnonzero(workday)
        pos = np.searchsorted(offsets, np.arange(n))
        has_next = pos < offsets.size
        nxt = np.full(n, -1, dtype=np.int64)
        nxt[has_next] = offsets[pos[has_next]]
        count_before = np.concatenate(([0], np.cumsum(workday, dtype=np.int64)))
        provisional_years = frozenset(statutory_only - self._completed_years)
        # One flag per day (not per year) so the vectorised lookup is plain indexing.
        provisional_day = np.zeros(n, dtype=bool)
        for year in provisional_years:
            lo = dt.date(year, 1, 1).toordinal() - first_ordinal
            hi = dt.date(year + 1, 1, 1).toordinal() - first_ordinal
            provisional_day[lo:hi] = True
        return _Tables(first_year, last_year, base, frozenset(statutory_only), first_ordinal,
                       first_ordinal - _EPOCH_ORDINAL, workday, offsets, nxt, count_before,
                       provisional_years, provisional_day, int(n))

    def _grow(self, first_year: int, last_year: int) -> _Tables:
        """Tables that hold ``[first_year, last_year]`` (clipped to the supported years):
        the current ones, or the current span widened by the missing year tables."""
        t = self._tables
        first_year = max(first_year, SUPPORTED_FIRST_YEAR)
        last_year = min(last_year, SUPPORTED_LAST_YEAR)
        if t.first_year <= first_year and last_year <= t.last_year:
            return t
        with self._lock:
            t = self._tables
            lo, hi = min(first_year, t.first_year), max(last_year, t.last_year)
            if (lo, hi) == (t.first_year, t.last_year):
                return t
            before = [_year_table(y) for y in range(lo, t.first_year)]
            after = [_year_table(y) for y in range(t.last_year + 1, hi + 1)]
            base = np.concatenate([y.workday for y in before] + [t.base] + [y.workday for y in after])
            base.setflags(write=False)
            guessed = t.statutory_only | {y.year for y in before + after if y.statutory_only}
            self._tables = self._derive(lo, hi, base, frozenset(guessed))
            return self._tables

    def _locate(self, day: dt.date | np.datetime64) -> tuple[_Tables, int, dt.date]:
        """(tables holding ``day``, its offset in them, the date); raises
        :class:`CalendarRangeError` outside the supported years."""
        day = _as_date(day)
        t = self._tables
        offset = day.toordinal() - t.first_ordinal
        if 0 <= offset < t.size:  # the usual case: a year already built
            return t, offset, day
        if not self.first_date <= day <= self.last_date:
            raise CalendarRangeError(day)
        t = self._grow(day.year, day.year)
        return t, day.toordinal() - t.first_ordinal, day

    def _offsets_array(self, dates: np.ndarray) -> tuple[_Tables, np.ndarray, np.ndarray]:
        """(tables, offsets into them, NaT mask); raises CalendarRangeError for a date
        outside the supported years."""
        days = np.asarray(dates)
        if days.dtype != np.dtype("datetime64[D]"):
            days = days.astype("datetime64[D]")
        nat = np.isnat(days)
        t = self._tables
        raw = np.where(nat, t.start, days.view(np.int64))  # NaT -> a day already held
        if raw.size:
            lo, hi = int(raw.min()), int(raw.max())
            if lo < t.start or hi >= t.start + t.size:
                first, last = (_EPOCH_ORDINAL + x for x in (lo, hi))
                if first < self.first_date.toordinal() or last > self.last_date.toordinal():
                    outside = (raw < self.first_date.toordinal() - _EPOCH_ORDINAL) | (
                        raw > self.last_date.toordinal() - _EPOCH_ORDINAL)
                    bad = days[np.flatnonzero(outside)[0]].item()
                    raise CalendarRangeError(bad)
                t = self._grow(dt.date.fromordinal(first).year, dt.date.fromordinal(last).year)
        return t, raw - t.start, nat

    # ---------------------------------------------------------------- helpers

    def __repr__(self) -> str:
        t = self._tables
        return (
            f"WorkingCalendar({t.first_year}-{t.last_year} built of "
            f"{SUPPORTED_FIRST_YEAR}-{SUPPORTED_LAST_YEAR}, {len(self.overrides)} overrides, "
            f"provisional {sorted(t.provisional_years)})"
        )

    @staticmethod
    def _date_at(t: _Tables, offset: int) -> dt.date:
        return dt.date.fromordinal(t.first_ordinal + int(offset))

    # ---------------------------------------------------------------- scalar API

    @property
    def years(self) -> tuple[int, int]:
        """(first, last) calendar year built so far (it grows on demand up to the
        supported years, see :func:`supported_range`)."""
        t = self._tables
        return (t.first_year, t.last_year)

    def covers(self, day: dt.date) -> bool:
        """Whether the calendar can answer for ``day`` (inside the supported years)."""
        return self.first_date <= _as_date(day) <= self.last_date

    def is_workday(self, day: dt.date) -> bool:
        """Whether people work on ``day`` (weekday not off, or a make-up working weekend)."""
        t, offset, _ = self._locate(day)
        return bool(t.workday[offset])

    def next_workday(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the first working day after it."""
        t, offset, day = self._locate(day)
        found = int(t.next[offset])
        while found < 0 and t.last_year < SUPPORTED_LAST_YEAR:  # look into the next year
            t = self._grow(t.first_year, t.last_year + 1)  # the first year stays: same offset
            found = int(t.next[offset])
        if found < 0:
            raise CalendarRangeError(day, no_workday_left=True)
        return self._date_at(t, found)

    def previous_workday(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the last working day before it."""
        t, _, day = self._locate(day)
        while True:
            offset = day.toordinal() - t.first_ordinal
            count = int(t.count_before[offset + 1])
            if count or t.first_year <= SUPPORTED_FIRST_YEAR:
                break
            t = self._grow(t.first_year - 1, t.last_year)
        if count == 0:
            raise ValueError(f"no working day on or before {day} after {self.first_date}")
        return self._date_at(t, t.workday_offsets[count - 1])

    def workdays_between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Working days in ``[start, end]``, inclusive, ascending; empty when start > end."""
        t, lo, hi = self._span(start, end)
        if lo > hi:
            return []
        a, b = int(t.count_before[lo]), int(t.count_before[hi + 1])
        return [self._date_at(t, o) for o in t.workday_offsets[a:b]]

    def workdays_before(self, day: dt.date, count: int) -> list[dt.date]:
        """The ``count`` working days strictly before ``day``, ascending (e.g. the days to
        greet clients before a festival).  Fewer only when the supported years start sooner."""
        t, _, day = self._locate(day)
        while True:
            offset = day.toordinal() - t.first_ordinal
            end = int(t.count_before[offset])
            if end >= count or t.first_year <= SUPPORTED_FIRST_YEAR:
                break
            t = self._grow(t.first_year - 1, t.last_year)
        return [self._date_at(t, o) for o in t.workday_offsets[max(0, end - count) : end]]

    def workday_count(self, start: dt.date, end: dt.date) -> int:
        """Number of working days in ``[start, end]``, inclusive; 0 when start > end."""
        t, lo, hi = self._span(start, end)
        return max(0, int(t.count_before[hi + 1] - t.count_before[lo]))

    def _span(self, start: dt.date, end: dt.date) -> tuple[_Tables, int, int]:
        _, _, start = self._locate(start)
        _, _, end = self._locate(end)
        t = self._grow(min(start.year, end.year), max(start.year, end.year))
        return t, start.toordinal() - t.first_ordinal, end.toordinal() - t.first_ordinal

    def is_provisional(self, day: dt.date) -> bool:
        """Whether ``day`` lies in a year planned on statutory festivals only (see module)."""
        t, _, day = self._locate(day)
        return day.year in t.provisional_years

    def provisional_years(self, start: dt.date, end: dt.date) -> list[int]:
        """Provisional years that ``[start, end]`` touches (inside the supported years),
        ascending."""
        first = max(_as_date(start).year, SUPPORTED_FIRST_YEAR)
        last = min(_as_date(end).year, SUPPORTED_LAST_YEAR)
        if first > last:
            return []
        t = self._grow(first, last)
        return [y for y in sorted(t.provisional_years) if first <= y <= last]

    def holiday_name(self, day: dt.date, language: str = "zh") -> str | None:
        """Name of the day off or make-up workday on ``day`` (Holidays sheet first), or
        ``None`` for an ordinary day.  ``language``: "zh" or "en"."""
        _, _, day = self._locate(day)
        override = self.overrides.get(day)
        if override is not None:
            if override.name:
                return override.name
            if language == "en":
                return _DAY_OFF_EN if override.is_day_off else _MAKEUP_EN
            return _DAY_OFF_ZH if override.is_day_off else _MAKEUP_ZH
        names = _year_table(day.year).names.get(day)
        if names is None:
            return None
        return names[1] if language == "en" else names[0]

    @staticmethod
    def festivals(year: int) -> list[Festival]:
        """Same as the module-level :func:`festivals`."""
        return festivals(year)

    # ---------------------------------------------------------------- vectorised API

    def covers_array(self, dates: np.ndarray) -> np.ndarray:
        """Boolean mask: which dates the calendar answers for (NaT counts as covered)."""
        days = np.asarray(dates).astype("datetime64[D]")
        nat = np.isnat(days)
        raw = days.view(np.int64)
        lo = self.first_date.toordinal() - _EPOCH_ORDINAL
        hi = self.last_date.toordinal() - _EPOCH_ORDINAL
        return nat | ((raw >= lo) & (raw <= hi))

    def is_workday_array(self, dates: np.ndarray) -> np.ndarray:
        """Boolean per date; NaT gives False."""
        t, offsets, nat = self._offsets_array(dates)
        return t.workday[offsets] & ~nat

    def next_workday_array(self, dates: np.ndarray) -> np.ndarray:
        """:meth:`next_workday` for each date, as ``datetime64[D]``; NaT stays NaT.

        Accepts any datetime64 unit (times of day are dropped) or an array of dates.
        Raises :class:`CalendarRangeError` when a date is outside the supported years or
        has no working day after it inside them.
        """
        t, offsets, nat = self._offsets_array(dates)
        found = t.next[offsets]
        missing = (found < 0) & ~nat
        while missing.any() and t.last_year < SUPPORTED_LAST_YEAR:  # look into the next year
            t = self._grow(t.first_year, t.last_year + 1)  # the first year stays: same offsets
            found = t.next[offsets]
            missing = (found < 0) & ~nat
        if missing.any():
            last = self._date_at(t, int(offsets[np.flatnonzero(missing)[0]]))
            raise CalendarRangeError(last, no_workday_left=True)
        result = (found + t.start).view("datetime64[D]")
        result[nat] = np.datetime64("NaT")
        return result

    def workday_count_array(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """:meth:`workday_count` elementwise (int64); 0 where either side is NaT."""
        lo_days = np.asarray(starts).astype("datetime64[D]")
        hi_days = np.asarray(ends).astype("datetime64[D]")
        # one lookup, so that both sides are offsets into the same span
        t, offsets, nat = self._offsets_array(np.concatenate([lo_days.ravel(), hi_days.ravel()]))
        lo, lo_nat = offsets[: lo_days.size].reshape(lo_days.shape), nat[: lo_days.size].reshape(lo_days.shape)
        hi, hi_nat = offsets[lo_days.size :].reshape(hi_days.shape), nat[lo_days.size :].reshape(hi_days.shape)
        counts = t.count_before[hi + 1] - t.count_before[lo]
        counts = np.maximum(counts, 0)
        counts[lo_nat | hi_nat] = 0
        return counts

    def is_provisional_array(self, dates: np.ndarray) -> np.ndarray:
        """Boolean per date: in a provisional year (NaT and dates outside the supported
        years: False)."""
        days = np.asarray(dates)
        if days.dtype != np.dtype("datetime64[D]"):
            days = days.astype("datetime64[D]")
        inside = ~np.isnat(days)
        t = self._tables
        raw = np.where(inside, days.view(np.int64), t.start)
        if raw.size and (raw.min() < t.start or raw.max() >= t.start + t.size):  # grow, or outside
            inside &= self.covers_array(days)
            t, offsets, _ = self._offsets_array(np.where(inside, days, np.datetime64("NaT")))
            return t.provisional_day[offsets] & inside
        return t.provisional_day[raw - t.start] & inside


def overrides_from_rows(
    rows: Iterable[tuple[dt.date, str, str]],
) -> dict[dt.date, Override]:
    """Holidays-sheet rows (date, 放假/调休上班, name) -> overrides; later rows win.

    Raises ``ValueError`` on an unknown kind; callers that report bad rows per cell
    should use :func:`parse_override_kind` row by row instead.
    """
    return {_as_date(day): Override.from_sheet(kind, name) for day, kind, name in rows}

