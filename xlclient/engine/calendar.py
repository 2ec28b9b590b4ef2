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
* **Provisional years.**  A year whose official schedule is not known yet is planned with
  ordinary weekends off plus the statutory festival days off -- 元旦, 春节 (除夕 to 初三),
  清明, 劳动节, 端午, 中秋, 国庆 -- and the substitute day the regulation
  (全国年节及纪念日放假办法, art. 6) gives when one of them falls on a weekend, all as
  computed by ``holidays``.  There are no make-up working weekends in such a year,
  because nobody can know them before the notice.  Every date in it is *provisional*:
  the planner and the command line say so next to the plan.

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

Range: a :class:`WorkingCalendar` holds a precomputed workday table for whole years,
2004 up to today's year + 3 unless told otherwise.  Asking about a date outside it raises
``ValueError`` naming the date and the range (never a silent guess); callers that hold
user data check :meth:`WorkingCalendar.covers_array` first and report what is outside.
Holidays-sheet rows outside the range are not applied; they are listed in
:attr:`WorkingCalendar.ignored_overrides` so the caller can report them.

Speed: the base tables are built once per process and cached; a calendar with overrides
is a copy of the cached table plus the rows, and every lookup is array indexing, so the
engine can move 100,000 due dates to working days in a few milliseconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import chinese_calendar
import holidays as holidays_pkg
import numpy as np

__all__ = [
    "DAY_OFF_WORDS",
    "FESTIVAL_NAMES",
    "OFFICIAL_FIRST_YEAR",
    "OFFICIAL_LAST_YEAR",
    "MAKEUP_WORKDAY_WORDS",
    "Festival",
    "Override",
    "WorkingCalendar",
    "default_year_range",
    "festivals",
    "festivals_between",
    "overrides_from_rows",
    "parse_override_kind",
    "prepare_default_years",
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


def default_year_range(today: dt.date | None = None) -> tuple[int, int]:
    """2004 (first official year) to today's year + 3."""
    today = today or dt.date.today()
    return (OFFICIAL_FIRST_YEAR, today.year + 3)


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
        statutory_only = year > OFFICIAL_LAST_YEAR and not _holidays_lists_official_year(year)
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
    days = holidays_pkg.CN(years=year, observed=False, language="zh_CN")
    found: list[Festival] = []
    for name_zh, name_en in FESTIVAL_NAMES.values():
        # A day may carry two names ("中秋节; 国庆节", 2009-10-03) and a suffix such as
        # （推定） (estimated) for far years.
        matches = sorted(
            d
            for d, names in days.items()
            if any(n.split("（")[0].strip() == name_zh for n in names.split(";"))
        )
        if not matches:
            raise ValueError(
                f"no {name_en} ({name_zh}) date known for {year}: festival dates come from "
                f"the 'holidays' package, which lists 端午节 and 中秋节 from 2008 on"
            )
        found.append(Festival(name_zh, name_en, matches[0]))
    return tuple(sorted(found, key=lambda f: f.date))


def festivals(year: int) -> list[Festival]:
    """春节, 端午节, 中秋节 and 国庆节 of ``year``: the festival day itself, not the break.

    Lunar dates come from the ``holidays`` package (2008 onwards: earlier years raise
    ``ValueError``).  Sorted by date.
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
        return value.astype("datetime64[D]").item()
    raise TypeError(f"expected a date, got {type(value).__name__}: {value!r}")


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


class WorkingCalendar:
    """Working days for visit planning: the official calendar plus the Holidays sheet.

    ``overrides`` maps a date to an :class:`Override` (the Holidays sheet rows); they win
    over the official and statutory days both ways.  ``years`` is the (first, last)
    calendar years to hold, inclusive; default :func:`default_year_range`.
    """

    def __init__(
        self,
        overrides: Mapping[dt.date, Override] | None = None,
        years: tuple[int, int] | None = None,
    ) -> None:
        first_year, last_year = years if years is not None else default_year_range()
        first_year, last_year = int(first_year), int(last_year)
        if not 1 <= first_year <= last_year <= 9998:
            raise ValueError(f"bad year range {first_year}-{last_year}")
        base = _range_table(first_year, last_year)
        self.first_date = dt.date(first_year, 1, 1)
        self.last_date = dt.date(last_year, 12, 31)
        self._start = self.first_date.toordinal() - _EPOCH_ORDINAL  # days since 1970
        self._first_ordinal = self.first_date.toordinal()

        applied: dict[dt.date, Override] = {}
        ignored: dict[dt.date, Override] = {}
        for day, override in (overrides or {}).items():
            day = _as_date(day)
            (applied if self.first_date <= day <= self.last_date else ignored)[day] = override
        self.overrides: Mapping[dt.date, Override] = MappingProxyType(applied)
        #: Holidays-sheet rows outside the calendar's range, not applied.
        self.ignored_overrides: Mapping[dt.date, Override] = MappingProxyType(ignored)

        if applied:
            workday = base.workday.copy()
            for day, override in applied.items():
                workday[day.toordinal() - self._first_ordinal] = not override.is_day_off
            workday.setflags(write=False)
        else:
            workday = base.workday
        self._workday = workday
        n = workday.size
        self._workday_offsets = np.flatnonzero(workday)  # int64 offsets of workdays
        # _next[i]: offset of the first workday on or after offset i, -1 when none left.
        pos = np.searchsorted(self._workday_offsets, np.arange(n))
        has_next = pos < self._workday_offsets.size
        nxt = np.full(n, -1, dtype=np.int64)
        nxt[has_next] = self._workday_offsets[pos[has_next]]
        self._next = nxt
        # _count_before[i]: number of workdays at offsets < i (length n + 1).
        self._count_before = np.concatenate(([0], np.cumsum(workday, dtype=np.int64)))

        completed = {day.year for day in applied}
        provisional_years = sorted(base.statutory_only_years - completed)
        self._provisional_years = frozenset(provisional_years)
        # One flag per day (not per year) so the vectorised lookup is plain indexing.
        provisional_day = np.zeros(n, dtype=bool)
        for year in provisional_years:
            lo = dt.date(year, 1, 1).toordinal() - self._first_ordinal
            hi = dt.date(year + 1, 1, 1).toordinal() - self._first_ordinal
            provisional_day[lo:hi] = True
        self._provisional_day = provisional_day

    # ---------------------------------------------------------------- helpers

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar({self.first_date.year}-{self.last_date.year}, "
            f"{len(self.overrides)} overrides, provisional {sorted(self._provisional_years)})"
        )

    def _offset(self, day: dt.date | np.datetime64) -> int:
        day = _as_date(day)
        offset = day.toordinal() - self._first_ordinal
        if not 0 <= offset < self._workday.size:
            raise ValueError(self._outside_message(day))
        return offset

    def _outside_message(self, day: object) -> str:
        return (
            f"{day} is outside the working calendar ({self.first_date} to {self.last_date}); "
            f"build WorkingCalendar with a wider years= range"
        )

    def _date_at(self, offset: int) -> dt.date:
        return dt.date.fromordinal(self._first_ordinal + int(offset))

    def _offsets_array(self, dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(offsets into the table, NaT mask); raises ValueError for dates outside."""
        days = np.asarray(dates)
        if days.dtype.kind != "M":
            days = days.astype("datetime64[D]")
        elif days.dtype != np.dtype("datetime64[D]"):
            days = days.astype("datetime64[D]")
        nat = np.isnat(days)
        raw = days.view(np.int64)
        offsets = np.where(nat, self._start, raw) - self._start
        outside = (offsets < 0) | (offsets >= self._workday.size)
        if outside.any():
            first_bad = days[np.flatnonzero(outside)[0]]
            raise ValueError(
                f"{int(outside.sum())} date(s) outside the calendar, first "
                + self._outside_message(first_bad)
            )
        return offsets, nat

    # ---------------------------------------------------------------- scalar API

    @property
    def years(self) -> tuple[int, int]:
        """(first, last) calendar year the calendar holds."""
        return (self.first_date.year, self.last_date.year)

    def covers(self, day: dt.date) -> bool:
        """Whether ``day`` is inside the calendar's range."""
        return self.first_date <= _as_date(day) <= self.last_date

    def is_workday(self, day: dt.date) -> bool:
        """Whether people work on ``day`` (weekday not off, or a make-up working weekend)."""
        return bool(self._workday[self._offset(day)])

    def next_workday(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the first working day after it."""
        found = int(self._next[self._offset(day)])
        if found < 0:
            raise ValueError(f"no working day on or after {day} before {self.last_date}")
        return self._date_at(found)

    def previous_workday(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the last working day before it."""
        offset = self._offset(day)
        count = int(self._count_before[offset + 1])
        if count == 0:
            raise ValueError(f"no working day on or before {day} after {self.first_date}")
        return self._date_at(self._workday_offsets[count - 1])

    def workdays_between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Working days in ``[start, end]``, inclusive, ascending; empty when start > end."""
        lo, hi = self._offset(start), self._offset(end)
        if lo > hi:
            return []
        a, b = int(self._count_before[lo]), int(self._count_before[hi + 1])
        return [self._date_at(o) for o in self._workday_offsets[a:b]]

    def workdays_before(self, day: dt.date, count: int) -> list[dt.date]:
        """The ``count`` working days strictly before ``day``, ascending (e.g. the days to
        greet clients before a festival).  Fewer when the calendar starts sooner."""
        offset = self._offset(day)
        end = int(self._count_before[offset])
        return [self._date_at(o) for o in self._workday_offsets[max(0, end - count) : end]]

    def workday_count(self, start: dt.date, end: dt.date) -> int:
        """Number of working days in ``[start, end]``, inclusive; 0 when start > end."""
        lo, hi = self._offset(start), self._offset(end)
        return max(0, int(self._count_before[hi + 1] - self._count_before[lo]))

    def is_provisional(self, day: dt.date) -> bool:
        """Whether ``day`` lies in a year planned on statutory festivals only (see module)."""
        return _as_date(day).year in self._provisional_years

    def provisional_years(self, start: dt.date, end: dt.date) -> list[int]:
        """Provisional years that ``[start, end]`` touches, ascending."""
        first, last = _as_date(start).year, _as_date(end).year
        return [y for y in sorted(self._provisional_years) if first <= y <= last]

    def holiday_name(self, day: dt.date, language: str = "zh") -> str | None:
        """Name of the day off or make-up workday on ``day`` (Holidays sheet first), or
        ``None`` for an ordinary day.  ``language``: "zh" or "en"."""
        day = _as_date(day)
        self._offset(day)
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
        """Boolean mask: which dates are inside the range (NaT counts as covered)."""
        days = np.asarray(dates).astype("datetime64[D]")
        nat = np.isnat(days)
        raw = np.where(nat, self._start, days.view(np.int64)) - self._start
        return nat | ((raw >= 0) & (raw < self._workday.size))

    def is_workday_array(self, dates: np.ndarray) -> np.ndarray:
        """Boolean per date; NaT gives False."""
        offsets, nat = self._offsets_array(dates)
        return self._workday[offsets] & ~nat

    def next_workday_array(self, dates: np.ndarray) -> np.ndarray:
        """:meth:`next_workday` for each date, as ``datetime64[D]``; NaT stays NaT.

        Accepts any datetime64 unit (times of day are dropped) or an array of dates.
        Raises ``ValueError`` when a date is outside the range or has no working day
        after it inside the range.
        """
        offsets, nat = self._offsets_array(dates)
        found = self._next[offsets]
        missing = (found < 0) & ~nat
        if missing.any():
            last = self._date_at(int(offsets[np.flatnonzero(missing)[0]]))
            raise ValueError(f"no working day on or after {last} before {self.last_date}")
        result = (found + self._start).view("datetime64[D]")
        result[nat] = np.datetime64("NaT")
        return result

    def workday_count_array(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """:meth:`workday_count` elementwise (int64); 0 where either side is NaT."""
        lo, lo_nat = self._offsets_array(starts)
        hi, hi_nat = self._offsets_array(ends)
        counts = self._count_before[hi + 1] - self._count_before[lo]
        counts = np.maximum(counts, 0)
        counts[lo_nat | hi_nat] = 0
        return counts

    def is_provisional_array(self, dates: np.ndarray) -> np.ndarray:
        """Boolean per date: in a provisional year (NaT and out-of-range dates: False)."""
        days = np.asarray(dates).astype("datetime64[D]")
        nat = np.isnat(days)
        offsets = np.where(nat, self._start, days.view(np.int64)) - self._start
        inside = ~nat & (offsets >= 0) & (offsets < self._workday.size)
        return self._provisional_day[np.where(inside, offsets, 0)] & inside


def overrides_from_rows(
    rows: Iterable[tuple[dt.date, str, str]],
) -> dict[dt.date, Override]:
    """Holidays-sheet rows (date, 放假/调休上班, name) -> overrides; later rows win.

    Raises ``ValueError`` on an unknown kind; callers that report bad rows per cell
    should use :func:`parse_override_kind` row by row instead.
    """
    return {_as_date(day): Override.from_sheet(kind, name) for day, kind, name in rows}

