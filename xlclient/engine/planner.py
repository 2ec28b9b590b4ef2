"""The visit planner (拜访计划, SPEC 4.5): who each account executive sees, calls and greets
on which working day of the horizon, and what does not fit.

:func:`plan_visits` takes one row per client (:func:`plan_inputs` builds it from the
classification and the client book), the Settings, the working calendar and the plan
already in the workbook (:func:`xlclient.engine.visitplan.read_visit_plan`), and returns a
:class:`~xlclient.engine.visitplan.VisitPlan`.  Pure computation: no files, no Excel.

The rules as implemented
------------------------

Horizon and capacity.  The plan covers ``weeks`` weeks from ``start`` (Settings: 4 weeks,
today), working days only (the Chinese calendar with its make-up working weekends and the
Holidays sheet).  Each AE (客户经理, the client's owner) has per working day at most
``daily_visits`` visits (拜访 and 开发 together) and ``daily_calls`` calls (电话 and 节日问候
together).  Rows kept from the existing plan (done, locked, typed by a person) take
their slot on their day first; the planner never adds a row to a full day.

Who is planned.  Lost clients (流失) and refused prospects (拒绝) are not planned.
Clients without an owner are not planned either: their due visits and greetings are
listed as unscheduled with the reason "no owner".  Everyone else gets:

1. **Cadence visits (拜访)** -- current clients by tier (A every 14 days, B 30, C 90; a
   current client without billings, tier D, on the C cadence) and the prospects already
   in talks, by intent stage (重要 7, 主要 14, 准 21).  A client is due a cadence after its
   last visit -- the later of the client book's 最近拜访日期 and the plan's 已完成 visits --
   moved to the next working day; never visited means due at the start.  Clients are
   taken in priority order: overdue (or never visited) first, by tier then due date;
   then A, B, C by due date; then prospects by likelihood.  Each visit goes on the
   earliest working day on or after its due date (overdue: from the start) where the AE
   has a visit slot; when the next one is due within the horizon it is planned too, a
   cadence after the planned one.  A locked, typed or done visit of the client that lies
   before the following due date stands for the visit (nothing is added next to it),
   and a cancelled visit keeps that client off that day.
2. **Development visits (开发)** to the AE's early prospects (stage 意向 or 暂缓: no
   meeting yet) -- ``monthly_development`` per calendar month (Settings: 4), prorated by
   the share of the month's working days that lie in the horizon and rounded half up
   (Nov 23-30 2026: 6 of 21 working days -> 1).  Development visits already done or
   locked in that part of the month count towards it.  Prospects are picked by
   likelihood, then quadrant (Q5 before Q8), then the most overdue, then key, among
   those whose stage cadence (意向 30 days, 暂缓 90) says a contact is due by the end of
   that month part; each goes on the first free day from its due date.  They come after
   all cadence visits, from the capacity those leave: a prospect whose days are full
   does not stop the others being tried, as long as the month part has a free slot.
3. **Festival greetings (节日问候, calls)** to A and B clients in the ``greeting_days``
   working days before 春节, 端午节, 中秋节 and 国庆节, for every festival whose greeting
   window overlaps the horizon (so a festival just after the horizon is greeted in the
   part of the window inside it).  The day inside the window is picked by a stable hash
   of client and festival (days the client has a visit are tried last); a greeting
   already in the plan (done, locked, or cancelled = "not this time") counts.  Festivals
   less than :data:`ONE_GREETING_WITHIN_DAYS` days apart (中秋节 and 国庆节 in 2026) get one
   greeting, 双节问候, in the working days before the first of them.
4. **Courtesy calls (电话)** between visits to every planned client: one per cadence-long
   period of the client's own (period boundaries shifted per client by a stable hash),
   on the day a stable hash of client and period picks -- so calls are spread
   irregularly, never on fixed weekdays, and the same on every regeneration.  No call
   when the client has a visit within a quarter of the period (at least 2 days) of that
   day, when the day lies outside the horizon or before the start, or when a call row
   of the client is already in the plan for that period.  A full day pushes the call to
   the next day with a free call slot in its period that is as far from the client's
   visits, greetings and other calls (a call lands only where the rule holds); when
   every free day left is next to one of them, no call is needed.

Unscheduled.  Work that should happen inside the horizon but finds no slot is listed,
with its reason ("capacity full 2026-12-01..2026-12-18", "no owner", or a development
quota that found no prospect); nothing due is dropped.  An early prospect due in the
horizon (which the classification shows 逾期 or 从未拜访 when it is due before today)
that gets no development visit is listed too: its days were full, the month's quota went
to likelier prospects, or Settings plan none -- so every client due is either in the
plan or on the unscheduled list.  A visit due after the horizon is simply not in this
plan.

Provisional.  When the horizon reaches into a year whose official holiday schedule is
not known (not published yet -- 2027 as of November 2026 -- or before the built-in data,
2001), whatever the year, the plan is built on that year's statutory
festivals only and :attr:`VisitPlan.provisional_years` says so (a notice is written
under the plan) -- even when no row lands in that year, since which days are off there
is the guess.

Determinism.  Every ordering has an explicit tie-break by client key and every "random"
choice is a hash of client key and date or period, so the same input gives the same plan,
cell for cell; regenerating on the plan's own output changes nothing (see
:mod:`xlclient.engine.visitplan` for how edits and notes are kept).

Speed.  Due dates, priorities and hashes are computed column-wise with numpy; the only
Python loops are per AE over that AE's clients, each placing a row by scanning at most
the horizon's working days from a "first free day" pointer.
"""

from __future__ import annotations

import datetime as dt
import zlib
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .book import ClientBook
from .cadence import cadence_days, cadence_key
from .coverage import POLICIES, Need, choose_first_visits, grow, improve, place_visits
from .calendar import CalendarRangeError, WorkingCalendar, festivals_between
from .classify import Classification
from .settings import Settings
from .visitplan import (
    CALL_TYPES,
    TYPES,
    VISIT_TYPES,
    ExistingPlan,
    ExistingRow,
    OwnerSummary,
    PlanProblem,
    PlanRow,
    RemovedNote,
    Unscheduled,
    VisitPlan,
)

__all__ = ["CLIENT_COLUMNS", "plan_inputs", "plan_visits", "plan_from_classification"]

#: Columns :func:`plan_visits` reads from its clients frame.
CLIENT_COLUMNS: tuple[str, ...] = (
    "key", "client_id", "name", "owner", "status", "tier", "stage", "likelihood", "quadrant", "last_visit",
)

_EPOCH = dt.date(1970, 1, 1)
_PIPELINE_STAGES = ("committed", "strong", "qualified")  # in talks: cadence visits
_EARLY_STAGES = ("interested", "on_hold")  # not met yet: development visits
_TIER_RANK = {"A": 0, "B": 1, "C": 2, "D": 2}
_PROSPECT_RANK = 3
_TYPE_ORDER = {t: i for i, t in enumerate(TYPES)}
_MASK64 = (1 << 64) - 1


def _e(day: dt.date) -> int:
    """Days since 1970-01-01 (the integer behind ``datetime64[D]``)."""
    return day.toordinal() - 719163


def _d(epoch_day: int) -> dt.date:
    return dt.date.fromordinal(int(epoch_day) + 719163)


def _mix(a: int, b: int) -> int:
    """A stable 64-bit hash of two integers (splitmix64 finaliser)."""
    x = (a * 0x9E3779B97F4A7C15 + b * 0xBF58476D1CE4E5B9 + 0x94D049BB133111EB) & _MASK64
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _key_hash(key: str) -> int:
    return zlib.crc32(key.encode("utf-8"))


# ----------------------------------------------------------------------------- inputs


def plan_inputs(classification: Classification, book: ClientBook) -> pd.DataFrame:
    """One row per client with the :data:`CLIENT_COLUMNS` the planner needs: codes from
    the classification, ``last_visit`` (``datetime64``) from the client book."""
    f = classification.frame
    frame = pd.DataFrame({c: f[c].to_numpy() for c in CLIENT_COLUMNS if c != "last_visit"})
    # both frames come from the same book: aligned by key, without a lookup per client
    last = book.frame[["key", "last_visit"]].drop_duplicates("key").set_index("key")["last_visit"]
    frame["last_visit"] = last.reindex(f["key"].to_numpy()).to_numpy(dtype="datetime64[ns]")
    frame["due_unknown"] = f["due_unknown"].to_numpy(dtype=bool)
    return frame


def plan_from_classification(classification: Classification, book: ClientBook,
                             calendar: WorkingCalendar | None = None, *, start: dt.date | None = None,
                             weeks: int | None = None, existing: ExistingPlan | None = None) -> VisitPlan:
    """:func:`plan_visits` on :func:`plan_inputs` with the classification's Settings."""
    return plan_visits(plan_inputs(classification, book), classification.settings, calendar, start=start,
                       weeks=weeks, existing=existing)


# ----------------------------------------------------------------------------- horizon


class _Horizon:
    """The horizon's working days, and next-working-day lookups around it, as ints."""

    def __init__(self, calendar: WorkingCalendar, start: dt.date, end: dt.date, reach: int) -> None:
        for day in (start, end):
            if not calendar.covers(day):
                raise CalendarRangeError(day)
        self.calendar = calendar
        self.start, self.end = _e(start), _e(end)
        self.days: list[int] = [_e(d) for d in calendar.workdays_between(start, end)]
        self.dates: list[dt.date] = [_d(d) for d in self.days]
        self.n = len(self.days)
        # first working day on/after each day from start - reach to end + reach (inside the
        # calendar); a day with no working day after it inside the calendar maps to itself
        self._lo = max(self.start - reach, _e(calendar.first_date))
        hi = min(self.end + reach, _e(calendar.last_date))
        span = np.arange(self._lo, hi + 1, dtype="int64")
        workday = calendar.is_workday_array(span.view("datetime64[D]"))
        candidate = np.where(workday, span, np.iinfo(np.int64).max)
        nxt = np.minimum.accumulate(candidate[::-1])[::-1]
        self._next = np.where(nxt == np.iinfo(np.int64).max, span, nxt).tolist()
        self._work: list[int] = span[workday].tolist()  # the working days of the span
        self.first_workday = self.days[0] if self.days else self.start

    def pick_workday(self, lo: int, hi: int, k: int) -> int:
        """The working day number ``k`` (modulo their count) from ``lo`` to ``hi``: every
        working day of the period equally likely, where rolling a day off forward would
        load Mondays and the days after holidays (outside the table: next working day)."""
        a, b = bisect_left(self._work, lo), bisect_right(self._work, hi)
        if lo < self._lo or hi > self._lo + len(self._next) - 1 or b <= a:
            return self.wd(lo + k % max(1, hi - lo + 1))
        return self._work[a + k % (b - a)]

    def wd(self, epoch_day: int) -> int:
        """First working day on or after the day (outside the table: the day itself, which
        is then far before or after the horizon anyway)."""
        i = epoch_day - self._lo
        if i < 0 or i >= len(self._next):
            return epoch_day
        return self._next[i]

    def index_from(self, epoch_day: int) -> int:
        """Index of the first horizon working day on or after the day (n when none)."""
        return bisect_left(self.days, epoch_day)

    def index_to(self, epoch_day: int) -> int:
        """Index one past the last horizon working day on or before the day."""
        return bisect_right(self.days, epoch_day)

    def index_of(self, epoch_day: int) -> int:
        i = bisect_left(self.days, epoch_day)
        return i if i < self.n and self.days[i] == epoch_day else -1


class _Slots:
    """One AE's free slots per working day of the horizon, for one kind (visits or calls)."""

    __slots__ = ("left", "first_free", "n")

    def __init__(self, n: int, per_day: int) -> None:
        self.left = [per_day] * n
        self.n = n
        self.first_free = 0 if per_day > 0 else n
        self._advance()

    def _advance(self) -> None:
        left, i = self.left, self.first_free
        while i < self.n and left[i] <= 0:
            i += 1
        self.first_free = i

    def take(self, j: int) -> None:
        self.left[j] -= 1
        if j == self.first_free and self.left[j] <= 0:
            self._advance()

    def find(self, a: int, b: int, days: list[int], avoid: set[int] | None = None) -> int:
        """First index in [a, b) with a free slot (and a day not in ``avoid``), or -1."""
        left = self.left
        for j in range(max(a, self.first_free), b):
            if left[j] > 0 and (avoid is None or days[j] not in avoid):
                return j
        return -1


# ----------------------------------------------------------------------------- what the old plan says


@dataclass
class _Known:
    """What the kept rows of the existing plan mean for the new one, per client key."""

    visits: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # done any day, planned >= start
    cancelled_visit_days: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    greetings: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    calls: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    used_visits: dict[str, list[int]] = field(default_factory=dict)  # owner -> per horizon day
    used_calls: dict[str, list[int]] = field(default_factory=dict)
    development: dict[tuple[str, int, int], int] = field(default_factory=lambda: defaultdict(int))


def _read_existing(existing: ExistingPlan, clients: pd.DataFrame, horizon: _Horizon, sheet_problems: list,
                   sheet: str) -> _Known:
    known = _Known()
    if not existing.rows:
        return known
    ids = clients["client_id"].to_numpy(dtype=object)
    names = clients["name"].to_numpy(dtype=object)
    keys = clients["key"].to_numpy(dtype=object)
    by_id: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for cid, name, key in zip(ids, names, keys):
        by_id.setdefault(cid, key)
        by_name.setdefault(name, key)
    for row in existing.rows:
        if not row.usable or row.date is None or row.type is None:
            continue
        day = _e(row.date)
        if not horizon.calendar.covers(row.date):
            sheet_problems.append(PlanProblem(sheet, row.excel_row, existing.header("date"), row.cells[0],
                                              "plan_outside_calendar",
                                              {"first": horizon.calendar.first_date,
                                               "last": horizon.calendar.last_date}))
            continue
        if row.takes_capacity and horizon.start <= day <= horizon.end:
            j = horizon.index_of(day)
            if j >= 0:
                table = known.used_visits if row.type in VISIT_TYPES else known.used_calls
                table.setdefault(row.owner, [0] * horizon.n)[j] += 1
            if row.type == "development":
                known.development[(row.owner, row.date.year, row.date.month)] += 1
        key = by_id.get(row.client_id) if row.client_id else by_name.get(row.name)
        if key is None:
            sheet_problems.append(PlanProblem(sheet, row.excel_row, existing.header("client_id"),
                                              row.client_id or row.name, "plan_unknown_client"))
            continue
        if row.type in VISIT_TYPES:
            if row.status == "cancelled":
                known.cancelled_visit_days[key].add(day)
            elif row.status == "done" or day >= horizon.start:
                known.visits[key].append(day)
        elif row.type == "greeting":
            known.greetings[key].append(day)
        else:
            known.calls[key].append(day)
    return known


# ----------------------------------------------------------------------------- the planner


def plan_visits(clients: pd.DataFrame, settings: Settings, calendar: WorkingCalendar | None = None, *,
                start: dt.date | None = None, weeks: int | None = None,
                existing: ExistingPlan | None = None, sheet: str = "拜访计划") -> VisitPlan:
    """Plan visits, development visits, festival greetings and courtesy calls for every AE
    (module docstring: the rules), keeping what the existing plan says.

    ``clients``: one row per client with :data:`CLIENT_COLUMNS` (see :func:`plan_inputs`):
    ``status`` current/prospect/lost, ``tier`` A-D or "", ``stage`` a stage code or "",
    ``likelihood`` 0-1 or NaN, ``quadrant`` Q1-Q8 or "", ``last_visit`` datetime64 or NaT;
    optionally ``due_unknown``: True where the classification could not vouch for the next
    visit (an input it rests on was not read): such a client is not planned. ``start`` defaults to the Settings date (today), ``weeks`` to Settings plan_weeks.
    """
    calendar = calendar or WorkingCalendar()
    existing = existing if existing is not None else ExistingPlan()
    start = start or settings.today()
    if isinstance(start, np.datetime64):
        start = start.astype("datetime64[D]").item()
    if isinstance(start, dt.datetime):  # also pandas.Timestamp
        start = start.date()
    weeks = int(weeks if weeks is not None else settings.plan_weeks)
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    if not calendar.covers(start):  # also before the end overflows Python's dates
        raise CalendarRangeError(start)
    end = start + dt.timedelta(days=7 * weeks - 1)

    missing = [c for c in CLIENT_COLUMNS if c not in clients.columns]
    if missing:
        raise ValueError(f"clients frame lacks column(s) {', '.join(missing)}")
    clients = clients.reset_index(drop=True)
    n = len(clients)
    keys = clients["key"].astype(str).to_numpy(dtype=object)
    if pd.Series(keys).duplicated().any():
        raise ValueError("client keys must be unique (ClientBook.frame['key'] is)")
    status = clients["status"].fillna("").to_numpy(dtype=object)
    tier = clients["tier"].fillna("").to_numpy(dtype=object)
    stage = clients["stage"].fillna("").to_numpy(dtype=object)
    owner = clients["owner"].fillna("").astype(str).str.strip().to_numpy(dtype=object)
    likelihood = clients["likelihood"].to_numpy(dtype=float)
    quadrant = clients["quadrant"].fillna("").to_numpy(dtype=object)

    ckey = cadence_key(tier, status, stage)
    cad = cadence_days(ckey, settings)
    active = (status != "lost") & (stage != "refused") & ~np.isnan(cad) & (ckey != "")
    if "due_unknown" in clients.columns:  # never planned from a guess (SPEC 2, vouch or leave empty)
        active &= ~clients["due_unknown"].fillna(False).to_numpy(dtype=bool)
    is_visit = active & (np.isin(ckey, ("A", "B", "C")) | np.isin(ckey, _PIPELINE_STAGES))
    is_dev = active & np.isin(ckey, _EARLY_STAGES)
    cad_int = np.where(np.isnan(cad), 0, cad).astype(np.int64)
    max_cad = int(cad_int.max()) if n else 0

    horizon = _Horizon(calendar, start, end, reach=2 * max_cad + 120)
    problems: list = list(existing.problems)
    known = _read_existing(existing, clients, horizon, problems, existing.sheet or sheet)

    # Latest visit before the start (book or done rows); visits on/after the start are anchors.
    last = clients["last_visit"].to_numpy(dtype="datetime64[D]").view("int64").copy()
    nat = np.datetime64("NaT").view("int64")
    never = last == nat
    base = np.where(never, np.iinfo(np.int64).min, last)
    key_index = {k: i for i, k in enumerate(keys)}
    future: dict[int, list[int]] = {}
    for i in np.flatnonzero(~never & (base >= horizon.start)):
        future[int(i)] = [int(base[i])]
        base[i] = np.iinfo(np.int64).min
    for key, days in known.visits.items():
        i = key_index[key]
        for day in days:
            if day >= horizon.start:
                future.setdefault(i, []).append(day)
            elif day > base[i]:
                base[i] = day
    for i in future:
        future[i] = sorted(set(future[i]))
    never = base == np.iinfo(np.int64).min

    # First due date: last visit + cadence moved to a working day; never visited -> start.
    raw_due = np.where(never, horizon.start, base + cad_int)
    due0 = raw_due.copy()
    inside = calendar.covers_array(raw_due.view("datetime64[D]")) & active
    if inside.any():
        due0[inside] = calendar.next_workday_array(raw_due[inside].view("datetime64[D]")).view("int64")
    due0[never] = horizon.first_workday
    overdue = active & ~never & (due0 < horizon.start)

    # Priority order of cadence visits, explicit tie-break by key.
    key_rank = np.empty(n, dtype=np.int64)
    key_rank[np.argsort(keys.astype(str), kind="stable")] = np.arange(n)
    tier_rank = np.array([_TIER_RANK.get(t, _PROSPECT_RANK) if s == "current" or t in ("A", "B", "C")
                          else _PROSPECT_RANK for t, s in zip(tier, status)], dtype=np.int64)
    neg_lik = -np.nan_to_num(likelihood, nan=-1.0)
    late = overdue | never
    group = np.where(late, 0, np.where(tier_rank < _PROSPECT_RANK, 1 + tier_rank, 4))
    s1 = np.where(late, tier_rank, np.where(group == 4, 0, due0)).astype(float)
    s1 = np.where(group == 4, neg_lik, s1)
    s2 = np.where(late, due0, np.where(group == 4, due0, 0)).astype(float)
    s3 = np.where(late, neg_lik, 0.0)
    order = np.lexsort((key_rank, s3, s2, s1, group))
    quad_rank = np.array([int(q[1:]) if isinstance(q, str) and q[:1] == "Q" and q[1:].isdigit() else 9
                          for q in quadrant])
    dev_order = np.lexsort((key_rank, due0, quad_rank, neg_lik))  # among equals the most overdue first
    greet_order = np.lexsort((key_rank, tier_rank))
    key_hashes = [_key_hash(k) for k in keys]

    group_tier = np.where(status == "current", tier, ckey)  # the group named in reasons

    # Python lists from here on: the per-AE loops read single values, which numpy does slowly.
    ctx = _Context(
        settings=settings, horizon=horizon, known=known, keys=keys.tolist(),
        ids=clients["client_id"].astype(str).tolist(), names=clients["name"].astype(str).tolist(),
        tier=tier.tolist(), owner=owner.tolist(), cad=cad_int.tolist(), due0=due0.tolist(), never=never.tolist(),
        overdue=overdue.tolist(), future=future, likelihood=likelihood.tolist(), quadrant=quadrant.tolist(),
        group_tier=group_tier.tolist(), tier_rank=tier_rank.tolist(), key_rank=key_rank.tolist(),
        key_hashes=key_hashes, last_days=base.tolist(),
    )
    fests = _festival_windows(calendar, horizon, start, end, settings.greeting_days)

    owners = sorted({o for o in owner if o})
    by_owner_visit = _split(order[is_visit[order]], owner)
    by_owner_dev = _split(dev_order[is_dev[dev_order]], owner)
    ab = active & np.isin(tier, ("A", "B"))
    by_owner_greet = _split(greet_order[ab[greet_order]], owner)
    callers = active & (is_visit | is_dev)
    by_owner_call = _split(np.flatnonzero(callers), owner)

    generated: list[tuple[tuple, PlanRow]] = []
    unscheduled: list[Unscheduled] = []
    for o in owners:
        _plan_owner(ctx, o, by_owner_visit.get(o, []), by_owner_dev.get(o, []), by_owner_greet.get(o, []),
                    by_owner_call.get(o, []), fests, generated, unscheduled)
    _unassigned(ctx, by_owner_visit.get("", []), by_owner_dev.get("", []), by_owner_greet.get("", []), fests,
                unscheduled)

    return _assemble(ctx, existing, generated, unscheduled, problems, start, end, sheet)


def _split(indices: np.ndarray, owner: np.ndarray) -> dict[str, list[int]]:
    """Indices grouped by owner, order kept."""
    out: dict[str, list[int]] = defaultdict(list)
    for i in indices.tolist():
        out[owner[i]].append(i)
    return out


@dataclass
class _Context:
    settings: Settings
    horizon: _Horizon
    known: _Known
    # one entry per client (Python lists: the loops read single values)
    keys: list[str]
    ids: list[str]
    names: list[str]
    tier: list[str]
    owner: list[str]
    cad: list[int]
    due0: list[int]
    never: list[bool]
    overdue: list[bool]
    future: dict[int, list[int]]
    likelihood: list[float]
    quadrant: list[str]
    group_tier: list[str]
    tier_rank: list[int]
    key_rank: list[int]
    key_hashes: list[int]
    last_days: list[int]
    shortfall: dict[str, tuple[int, int]] = field(default_factory=dict)  # AE -> (due clients unseen, extra days)

    def row(self, i: int, j: int, type_: str, reason: str, params: dict[str, Any], overdue: bool = False,
            ) -> tuple[tuple, PlanRow]:
        """A new plan row for client ``i`` on horizon day ``j``, with its sort key."""
        h = self.horizon
        r = PlanRow(h.dates[j], self.owner[i], self.ids[i], self.names[i], self.tier[i], type_, reason, params,
                    overdue=overdue)
        return (h.days[j], self.owner[i], _TYPE_ORDER[type_], 1, self.tier_rank[i], self.key_rank[i]), r

    def unscheduled(self, i: int, type_: str, reason: str, params: dict[str, Any], due: int | None) -> Unscheduled:
        return Unscheduled(self.owner[i], self.ids[i], self.names[i], self.tier[i], type_, reason, params,
                           None if due is None else _d(due))

    def capacity_reason(self, lo: int, hi: int) -> tuple[str, dict[str, Any]]:
        h = self.horizon
        lo = max(lo, h.start)
        a, b = h.index_from(lo), h.index_to(hi)
        if a >= b:
            return "no_workday", {"first": _d(lo), "last": _d(hi)}
        return "capacity", {"first": h.dates[a], "last": h.dates[b - 1]}


@dataclass(frozen=True)
class _FestivalWindow:
    key: str
    day: int  # the festival
    window_start: int  # first working day of the whole greeting window
    first: int  # index range [first, last) of horizon days inside the window
    last: int


#: Festivals less than this many days apart get one greeting (SPEC 4.5: 双节问候, such as
#: Mid-Autumn and National Day in 2026), in the working days before the first of them.
ONE_GREETING_WITHIN_DAYS = 10


def _festival_windows(calendar: WorkingCalendar, horizon: _Horizon, start: dt.date, end: dt.date,
                      greeting_days: int) -> list[_FestivalWindow]:
    if greeting_days <= 0:
        return []
    from .calendar import FESTIVAL_NAMES

    key_of = {zh: key for key, (zh, _) in FESTIVAL_NAMES.items()}
    reach = end + dt.timedelta(days=2 * greeting_days + 40)
    if not calendar.covers(reach):
        reach = calendar.last_date
    since = start - dt.timedelta(days=ONE_GREETING_WITHIN_DAYS)  # the first of a pair may lie before the start
    found = []
    for year in range(since.year, reach.year + 1):
        try:  # festival dates are known from 2008 on
            found += festivals_between(max(since, dt.date(year, 1, 1)), min(reach, dt.date(year, 12, 31)))
        except ValueError:
            continue
    groups: list[list] = []
    for f in sorted(found, key=lambda f: f.date):
        if groups and (f.date - groups[-1][-1].date).days < ONE_GREETING_WITHIN_DAYS:
            groups[-1].append(f)  # close to the one before: the same greeting
        else:
            groups.append([f])
    out = []
    for group in groups:
        first = group[0]
        window = calendar.workdays_before(first.date, greeting_days)
        if not window:
            continue
        lo, hi = _e(window[0]), _e(window[-1])
        a, b = horizon.index_from(lo), horizon.index_to(hi)
        if a < b:
            key = "+".join(key_of.get(f.name_zh, f.name_zh) for f in group)
            out.append(_FestivalWindow(key, _e(first.date), lo, a, b))
    return out


def _plan_owner(ctx: _Context, o: str, visit_clients: list[int], dev_clients: list[int], greet_clients: list[int],
                call_clients: list[int], fests: list[_FestivalWindow], generated: list, unscheduled: list) -> None:
    h, s, known = ctx.horizon, ctx.settings, ctx.known
    days = h.days
    visits = _Slots(h.n, s.daily_visits)
    calls = _Slots(h.n, s.daily_calls)
    for slots, used in ((visits, known.used_visits.get(o)), (calls, known.used_calls.get(o))):
        if used:
            slots.left = [a - b for a, b in zip(slots.left, used)]
            slots.first_free = 0
            slots._advance()
    visit_days: dict[int, list[int]] = {}  # client -> days of planned visits (new rows)

    # 1. cadence visits: coverage first (see xlclient.engine.coverage)
    _cadence_visits(ctx, o, visit_clients, visits, generated, unscheduled, visit_days)

    # 2. development visits, month part by month part
    quota = s.monthly_development
    fut_of = {i: list(ctx.future[i]) for i in dev_clients if i in ctx.future}
    served = {i for i, fut in fut_of.items() if any(h.start <= d <= h.end for d in fut)}
    capacity_short: dict[int, tuple[str, dict[str, Any]]] = {}  # first "capacity full" of each
    if quota > 0 and h.n:
        due_of = {i: int(ctx.due0[i]) for i in dev_clients}
        for label, lo, hi, a, b, target in _month_parts(h, quota):
            year, month = int(label[:4]), int(label[5:])
            wanted = target - known.development.get((o, year, month), 0)
            placed, failed = 0, 0
            for i in dev_clients:
                if placed >= wanted:
                    break
                fut = fut_of.get(i)
                visited_now = False
                while fut and fut[0] <= hi:
                    day = fut.pop(0)
                    visited_now = visited_now or day >= lo
                    due_of[i] = h.wd(day + int(ctx.cad[i]))
                if visited_now or due_of[i] > hi:
                    continue
                eff = max(due_of[i], lo)
                j = visits.find(h.index_from(eff), b, days, known.cancelled_visit_days.get(ctx.keys[i]))
                if j < 0:
                    failed += 1
                    capacity_short.setdefault(i, ctx.capacity_reason(eff, hi))
                    if visits.find(a, b, days) < 0:
                        break  # no visit slot left in the month part
                    continue
                visits.take(j)
                day = days[j]
                generated.append(ctx.row(i, j, "development", "development",
                                         {"quadrant": ctx.quadrant[i], "likelihood": float(ctx.likelihood[i])}))
                visit_days.setdefault(i, []).append(day)
                served.add(i)
                due_of[i] = h.wd(day + int(ctx.cad[i]))
                placed += 1
            full = visits.find(a, b, days) < 0
            if full:  # the prospects due in this month part that were not tried: their days are full too
                for i in dev_clients:
                    if i not in served and due_of[i] <= hi:
                        capacity_short.setdefault(i, ctx.capacity_reason(max(due_of[i], lo), hi))
            short = max(0, wanted - placed)
            if short:  # slots left but no prospect to take them (every due one was tried), or no slot left
                reason = "dev_capacity" if full else "dev_pool_more" if failed else "dev_pool"
                unscheduled.append(Unscheduled(o, "", "", "", "development", reason, {"month": label, "count": short},
                                               None))
    # One meaning of "due" (issue 26): every early prospect due in the horizon that got no
    # development visit is listed, with why -- its days were full, the quota went to
    # likelier prospects, or Settings plan no development visits.
    for i in dev_clients:
        if i in served or int(ctx.due0[i]) > h.end:
            continue
        reason, params = capacity_short.get(i, ("dev_quota", {"quota": quota}) if quota > 0 else ("dev_off", {}))
        unscheduled.append(ctx.unscheduled(i, "development", reason, params, int(ctx.due0[i])))

    # 3. festival greetings (one per festival, or per pair of festivals close together)
    greeted: dict[int, list[int]] = {}
    for f in fests:
        width = f.last - f.first
        for i in greet_clients:
            key = ctx.keys[i]
            if any(f.window_start <= d <= f.day for d in known.greetings.get(key, ())):
                continue
            pref = _mix(ctx.key_hashes[i], f.day) % width
            rotation = list(range(f.first + pref, f.last)) + list(range(f.first, f.first + pref))
            mine = visit_days.get(i, ())
            before = greeted.get(i, ())
            rotation.sort(key=lambda j: (days[j] in before, days[j] in mine))  # stable: greeted, then visit days last
            j = next((j for j in rotation if calls.left[j] > 0), -1)
            params = {"festival": f.key, "date": _d(f.day)}
            if j < 0:
                reason, p = ctx.capacity_reason(days[f.first], days[f.last - 1])
                unscheduled.append(ctx.unscheduled(i, "greeting", f"greeting_{reason}", {**p, **params},
                                                   days[f.first]))
                continue
            calls.take(j)
            greeted.setdefault(i, []).append(days[j])
            generated.append(ctx.row(i, j, "greeting", "greeting", params))

    # 4. courtesy calls between visits
    demands = []
    seen_of: dict[int, list[int]] = {}  # client -> days of its visits and greetings (and the last visit)
    for i in call_clients:
        period = int(ctx.cad[i])
        if period <= 0:
            continue
        kh = ctx.key_hashes[i]
        phase = kh % period
        gap = max(2, period // 4)
        seen = sorted(visit_days.get(i, []) + ctx.future.get(i, []) + greeted.get(i, [])
                      + ([int(ctx.last_days[i])] if not ctx.never[i] else []))  # a greeting is a call too
        done_calls = known.calls.get(ctx.keys[i], ())
        p = (h.start - phase) // period
        while True:
            p_start = phase + p * period
            if p_start > h.end:
                break
            p_end = p_start + period - 1
            p += 1
            day = h.pick_workday(p_start, p_end, _mix(kh, p - 1))
            if day < h.start or day > h.end:
                continue
            if _near(seen, day, gap):
                continue
            if any(p_start <= d <= p_end for d in done_calls):
                continue
            demands.append((day, int(ctx.tier_rank[i]), int(ctx.key_rank[i]), i, max(p_end, day), gap))
            seen_of[i] = seen
    demands.sort()
    called: dict[int, list[int]] = {}  # client -> days of the calls planned here
    for day, _, _, i, p_end, gap in demands:
        # two periods can fall on one working day (a holiday between them): one call
        if any(abs(day - d) <= gap for d in called.get(i, ())):
            continue
        # the day the call lands on (the first with a free call slot, a full day or a break
        # pushing it on) keeps the same distance from the client's visits, greetings and
        # other calls as the day first picked (issue 29: calls landed on a visit's day)
        seen = seen_of[i]
        lo, hi = h.index_from(day), h.index_to(min(p_end, h.end))
        j = next((j for j in range(max(lo, calls.first_free), hi) if calls.left[j] > 0
                  and not _near(seen, days[j], gap) and not any(abs(days[j] - d) <= gap for d in called.get(i, ()))),
                 -1)
        if j < 0:
            if any(calls.left[k] > 0 for k in range(lo, hi)):
                continue  # the free days left are next to a visit or a call of the client's: none needed
            reason, params = ctx.capacity_reason(day, min(p_end, h.end))
            unscheduled.append(ctx.unscheduled(i, "call", reason, params, day))
            continue
        calls.take(j)
        called.setdefault(i, []).append(days[j])
        generated.append(ctx.row(i, j, "call", "call", {}))


def _near(days: list[int], day: int, gap: int) -> bool:
    """Whether sorted ``days`` has one within ``gap`` days of ``day``."""
    k = bisect_left(days, day - gap)
    return k < len(days) and days[k] <= day + gap


#: Evaluations of a client's lateness the local search may spend on one AE's plan.
IMPROVE_WORK = 600_000


def _cadence_visits(ctx: _Context, o: str, visit_clients: list[int], visits: _Slots, generated: list,
                    unscheduled: list, visit_days: dict[int, list[int]]) -> None:
    """The cadence visits of one AE: every client's first visit in the horizon by class
    (overdue, A, B, C, prospects), the most that the free slots hold, then repeats, then
    the least lateness (:mod:`xlclient.engine.coverage`). Kept visits (done, locked,
    typed) stand for a due visit that falls before them; cancelled days are avoided."""
    h = ctx.horizon
    start, end, days = h.start, h.end, h.days
    avoid_of: dict[int, frozenset[int]] = {}
    cancelled = ctx.known.cancelled_visit_days
    klass_of: dict[int, int] = {}  # class of the first visit
    tier_class: dict[int, int] = {}  # class of a repeat: the client's tier, or prospect
    for i in visit_clients:
        t = ctx.tier_rank[i]
        tier_class[i] = 1 + t if t < _PROSPECT_RANK else 4
        klass_of[i] = 0 if (ctx.never[i] or ctx.overdue[i]) else tier_class[i]
        gone = cancelled.get(ctx.keys[i]) if cancelled else None
        if gone:
            avoid_of[i] = frozenset(j for j in (h.index_of(d) for d in gone) if j >= 0)
    order_of = {i: rank for rank, i in enumerate(visit_clients)}

    def attempt(policy: tuple[str, str, str]) -> tuple[list, list, list, dict, list[int]]:
        """One placement with its own state (kept visits are consumed as they stand in)."""
        fut = {i: list(ctx.future[i]) for i in visit_clients if i in ctx.future}
        due_of: dict[Need, int] = {}

        def need(i: int, due: int, first: bool) -> Need | None:
            cad = ctx.cad[i]
            queue = fut.get(i)
            while True:
                eff = due if due > start else start
                if eff > end:
                    return None
                if queue and queue[0] < h.wd(eff + cad):  # a kept visit before the next due date stands for it
                    due = h.wd(queue.pop(0) + cad)
                    first = False
                    continue
                x = Need(i, h.index_from(eff), klass_of[i] if first else tier_class[i], order_of[i], cad, first,
                         avoid_of.get(i, frozenset()))
                due_of[x] = due
                return x

        def stands_in(x: Need, d: int) -> Need | None:
            queue = fut.get(x.client)
            if queue and queue[0] <= days[d]:
                return need(x.client, h.wd(queue.pop(0) + x.cadence), False)
            return x

        def next_need(x: Need, d: int) -> Need | None:
            return need(x.client, h.wd(days[d] + x.cadence), False)

        def repeat_fits(x: Need, d: int) -> bool:
            return h.wd(days[d] + x.cadence) <= end

        def chain_length(x: Need, d: int) -> int:
            day, m = days[d], 0
            while day <= end:
                m += 1
                day = h.wd(day + x.cadence)
            return m

        firsts = [x for x in (need(i, ctx.due0[i], True) for i in visit_clients) if x is not None]
        chosen, dropped = choose_first_visits([x for x in firsts if x.first], visits.left)
        chosen += [x for x in firsts if not x.first]  # a kept visit covered the client: its next visit
        left = list(visits.left)
        placements, unplaced = place_visits(chosen, left, next_need, stands_in, repeat_fits, policy, chain_length)
        return placements, dropped, unplaced, due_of, left

    # The local search's work for this AE, shared by every placement tried: ample for any
    # horizon of a few weeks (bench/bench_planner.py's heaviest, one AE with 1,200 visit
    # slots, spends ~0.45 M), a bound for a year-long one (52 weeks of the demo spent 1.5 M
    # a call, minutes in all): see xlclient.engine.coverage.improve.
    work = [IMPROVE_WORK]

    def improved(result: tuple) -> tuple:
        """The attempt's visits with the least lateness that trading days finds
        (xlclient.engine.coverage.improve) and any visit more that relaying a chain makes
        room for (grow), for the clients whose visits only the cadence constrains (no kept
        visit, no cancelled day): (rows, chains, (-visits, lateness))."""
        placements, _, _, due_of, left = result
        rows: list[tuple[int, int, bool, int]] = []  # (client, day index, first visit?, due)
        chains: dict[int, list[int]] = {}
        first_of: dict[int, Need] = {}
        with_first = {p.need.client for p in placements if p.need.first}
        for p in placements:
            i = p.need.client
            if i in ctx.future or i in avoid_of or i not in with_first:
                rows.append((i, p.day, p.need.first, due_of[p.need]))
                continue
            chains.setdefault(i, []).append(p.day)
            if p.need.first:
                first_of[i] = p.need
        chains = {i: sorted(ch) for i, ch in chains.items() if i in first_of}
        if chains:
            args = (chains, {i: days[first_of[i].release] for i in chains}, {i: ctx.cad[i] for i in chains}, left,
                    days, h.wd)
            rank = {i: order_of[i] for i in chains}
            improve(*args, rank=rank, work=work)
            if grow(*args, rank=rank):  # one more visit for a client where days allow it
                improve(*args, rank=rank, work=work)
            for i, chain in chains.items():
                due = due_of[first_of[i]]
                for k, j in enumerate(chain):
                    rows.append((i, j, k == 0, due))
                    due = h.wd(days[j] + ctx.cad[i])
        return rows, chains, (-len(rows), sum(days[j] - max(due, start) for _, j, _, due in rows))

    # The first visits chosen are the same whatever the policy (the most per class); the
    # policies differ in which released visit takes a day, which decides how many repeats
    # fit and the lateness. Each placement is improved (more visits, then less lateness),
    # and the best after improving is kept (a placement that starts worse may end better:
    # measured in bench/bench_coverage.py).
    best, best_score, tried = None, None, set()
    for result in (attempt(policy) for policy in POLICIES):
        shape = tuple(sorted((p.need.client, p.day) for p in result[0]))
        if shape in tried:  # two policies placed the same visits
            continue
        tried.add(shape)
        rows, chains, score = improved(result)
        if best_score is None or score < best_score:
            best, best_score = (result, rows, chains), score
    (placements, dropped, unplaced, due_of, left), rows, chains = best
    visits.left[:] = left
    visits.first_free = 0
    visits._advance()
    for i, j, first, due in sorted(rows, key=lambda r: (r[1], r[0])):
        params: dict[str, Any] = {"group": ctx.group_tier[i], "cadence": ctx.cad[i]}
        if first and ctx.never[i]:
            reason = "never"
        elif first and ctx.overdue[i]:
            reason, params["days"] = "overdue", h.start - due
        else:
            reason, params["due"] = "due", _d(due)
        generated.append(ctx.row(i, j, "visit", reason, params, overdue=first and (ctx.never[i] or ctx.overdue[i])))
        visit_days.setdefault(i, []).append(days[j])
    # The repeat that did not fit, for a client whose visits traded days: its due date
    # follows the client's last visit as it now is.
    missed = [x for x in dropped + unplaced if x.first or x.client not in chains]
    missed_due = {id(x): due_of[x] for x in missed}
    for i, chain in chains.items():
        nxt = h.wd(days[chain[-1]] + ctx.cad[i])
        if nxt <= end:
            x = Need(i, h.index_from(nxt), tier_class[i], order_of[i], ctx.cad[i], False)
            missed.append(x)
            missed_due[id(x)] = nxt
    for x in sorted(missed, key=lambda x: (x.klass, x.order, x.release)):
        due = missed_due[id(x)]
        reason, params = ctx.capacity_reason(max(due, start), end)
        unscheduled.append(ctx.unscheduled(x.client, "visit", reason, params, due))
    unseen = sum(1 for x in missed if x.first)
    if unseen:
        per_day = max(1, ctx.settings.daily_visits)
        ctx.shortfall[o] = (unseen, -(-unseen // per_day))


def _month_parts(h: _Horizon, quota: int) -> Iterable[tuple[str, int, int, int, int, int]]:
    """(YYYY-MM, first day, last day, index range [a, b), prorated quota) per calendar
    month the horizon touches (only months with working days in the horizon)."""
    a = 0
    while a < h.n:
        first = h.dates[a]
        b = a
        while b < h.n and (h.dates[b].year, h.dates[b].month) == (first.year, first.month):
            b += 1
        month_start = first.replace(day=1)
        month_end = (month_start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        in_month = h.calendar.workday_count(month_start, month_end)
        target = int(np.floor(quota * (b - a) / in_month + 0.5)) if in_month else 0
        lo = max(_e(month_start), h.start)
        hi = min(_e(month_end), h.end)
        yield f"{first.year:04d}-{first.month:02d}", lo, hi, a, b, target
        a = b


def _unassigned(ctx: _Context, visit_clients: list[int], dev_clients: list[int], greet_clients: list[int],
                fests: list[_FestivalWindow], unscheduled: list) -> None:
    """Clients without an owner: what would be due in the horizon is listed, not planned."""
    h = ctx.horizon
    for i in dev_clients:  # an early prospect due in the horizon, with no visit in it
        if int(ctx.due0[i]) <= h.end and not any(h.start <= d <= h.end for d in ctx.future.get(i, ())):
            unscheduled.append(ctx.unscheduled(i, "development", "no_owner", {}, int(ctx.due0[i])))
    for i in visit_clients:
        cad = int(ctx.cad[i])
        due = int(ctx.due0[i])
        fut = list(ctx.future.get(i, ()))
        while True:
            eff = max(due, h.start)
            if eff > h.end:
                break
            if fut and fut[0] < h.wd(eff + cad):
                due = h.wd(fut.pop(0) + cad)
                continue
            unscheduled.append(ctx.unscheduled(i, "visit", "no_owner", {}, due))
            break
    for f in fests:
        for i in greet_clients:
            if any(f.window_start <= d <= f.day for d in ctx.known.greetings.get(ctx.keys[i], ())):
                continue
            unscheduled.append(ctx.unscheduled(i, "greeting", "no_owner", {"festival": f.key, "date": _d(f.day)},
                                               h.days[f.first]))


# ----------------------------------------------------------------------------- assembling the sheet


def _assemble(ctx: _Context, existing: ExistingPlan, generated: list[tuple[tuple, PlanRow]],
              unscheduled: list[Unscheduled], problems: list, start: dt.date, end: dt.date,
              sheet: str) -> VisitPlan:
    h = ctx.horizon
    entries: list[tuple[tuple, PlanRow]] = list(generated)
    undated: list[PlanRow] = []
    for row in existing.rows:
        if not row.kept:
            continue
        plan_row = _kept_row(row)
        if row.date is None:
            undated.append(plan_row)
        else:
            entries.append(((_e(row.date), row.owner, _TYPE_ORDER.get(row.type, 9), 0, row.excel_row or 0, 0),
                            plan_row))
    entries.sort(key=lambda e: e[0])
    rows = [r for _, r in entries] + undated

    # Notes of replaced rows: onto the same (date, client, type) when planned again, else kept aside.
    by_slot: dict[tuple, PlanRow] = {}
    for _, r in generated:
        by_slot.setdefault((r.date, r.client_id, r.type), r)
        by_slot.setdefault((r.date, "\0" + r.name, r.type), r)
    next_date: dict[tuple[str, str], dt.date] = {}
    for _, r in entries:  # in date order
        if not r.kept:
            next_date.setdefault((r.client_id, r.type), r.date)
            next_date.setdefault(("\0" + r.name, r.type), r.date)

    def slot(date: dt.date | None, client_id: str, name: str, type_: str | None) -> tuple:
        return (date, client_id if client_id else "\0" + name, type_)

    def attach(target: PlanRow | None, note: Any, locked: Any = None) -> bool:
        if target is None or target.note is not None:
            return False
        target.note = note
        if locked is not None and not (isinstance(locked, str) and not locked.strip()):
            target.locked_cell = locked
        return True

    removed: list[RemovedNote] = []
    new_removed: list[RemovedNote] = []
    for row in existing.rows:
        if row.kept or not row.has_note:
            continue
        if not attach(by_slot.get(slot(row.date, row.client_id, row.name, row.type)), row.note, row.cells[9]):
            c = row.cells
            new_removed.append(RemovedNote(None, (c[0], c[1], c[2], c[3], c[5], c[8]), row.date, row.client_id,
                                           row.name, row.type))
    for note in existing.removed_notes:
        if not attach(by_slot.get(slot(note.date, note.client_id, note.name, note.type)), note.note):
            removed.append(note)
    removed += new_removed
    removed_out = [(note, next_date.get((note.client_id if note.client_id else "\0" + note.name, note.type)))
                   for note in removed]

    # Per-AE summary over the horizon.
    summary: dict[str, OwnerSummary] = {}
    for o in sorted({o for o in ctx.owner if o}):
        summary[o] = OwnerSummary(o)
    for (day, *_), r in entries:
        if not (h.start <= day <= h.end) or r.type is None:
            continue
        if r.existing is not None and not r.existing.takes_capacity:
            continue
        s = summary.get(r.owner)
        if s is None:
            s = summary[r.owner] = OwnerSummary(r.owner)
        if r.type in VISIT_TYPES:
            s.visits += 1
            s.development += r.type == "development"
        elif r.type in CALL_TYPES:
            s.calls += 1
            s.greetings += r.type == "greeting"
        s.overdue += r.overdue
    for u in unscheduled:
        summary.setdefault(u.owner, OwnerSummary(u.owner)).unscheduled += 1
    for o, (unseen, extra) in ctx.shortfall.items():
        s = summary.setdefault(o, OwnerSummary(o))
        s.unseen, s.extra_days = unseen, extra
    # Provisional when the horizon touches a year whose official schedule is unknown, even
    # if no row lands there: which days are off there (2027-01-01..03) is itself the guess.
    provisional = h.calendar.provisional_years(start, end)

    return VisitPlan(start=start, end=end, rows=rows, unscheduled=unscheduled, removed_notes=removed_out,
                     summary=summary, provisional_years=provisional, problems=problems,
                     language=ctx.settings.language, existing_unreadable=existing.unreadable)


def _kept_row(row: ExistingRow) -> PlanRow:
    return PlanRow(row.date, row.owner, row.client_id, row.name, "", row.type, status=row.status, note=row.note,
                   existing=row)
