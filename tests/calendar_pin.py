"""Working calendars built from the official data as it stood at the end of a given year.

New releases of ``chinesecalendar`` and ``holidays`` add each year's State Council schedule
once it is published (2027's around November 2026). A test about a year whose schedule is
not known yet -- a *provisional* year -- must not depend on which releases are installed,
so it builds its calendar with both packages' official tables cut after ``last_year``,
exactly as an older release would have them. Years up to ``last_year`` keep the installed
data; the statutory festival rules (``holidays``) are used as they are.

A calendar built this way keeps its working-day table and its provisional years; only
:meth:`WorkingCalendar.holiday_name` of a day in a later year still reads the installed data.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

from holidays.countries.china import ChinaStaticHolidays

from xlclient.engine import calendar as calendar_module
from xlclient.engine.calendar import Override, WorkingCalendar

__all__ = ["calendar_known_through", "official_data_through"]


def _clear_caches() -> None:
    calendar_module._year_table.cache_clear()
    calendar_module._range_table.cache_clear()


@contextlib.contextmanager
def official_data_through(last_year: int) -> Iterator[None]:
    """Within the block, no official schedule after ``last_year`` is known: not to the
    calendar module (``chinesecalendar``'s range) nor to ``holidays`` (its table of the
    State Council's day swaps, which also says which years are published)."""
    saved_last = calendar_module.OFFICIAL_LAST_YEAR
    saved = {name: table for name, table in vars(ChinaStaticHolidays).items()
             if name.startswith("special_") and isinstance(table, Mapping)}
    assert "special_public_holidays" in saved, "holidays' China layout changed: update calendar_pin"
    _clear_caches()
    try:
        calendar_module.OFFICIAL_LAST_YEAR = min(saved_last, last_year)
        for name, table in saved.items():
            setattr(ChinaStaticHolidays, name, {year: days for year, days in table.items() if year <= last_year})
        yield
    finally:
        calendar_module.OFFICIAL_LAST_YEAR = saved_last
        for name, table in saved.items():
            setattr(ChinaStaticHolidays, name, table)
        _clear_caches()


def calendar_known_through(last_year: int, overrides: Mapping[object, Override] | None = None,
                           years: tuple[int, int] = (2004, 2029)) -> WorkingCalendar:
    """A :class:`WorkingCalendar` built as if the installed data ended with ``last_year``."""
    with official_data_through(last_year):
        return WorkingCalendar(overrides, years=years)
