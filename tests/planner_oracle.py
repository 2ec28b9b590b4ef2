"""An exact model of the planner's cadence-visit rules (OR-Tools CP-SAT), the oracle the
planner is measured against (tests/test_coverage.py, bench/bench_coverage.py).

The rules, for one account executive over the horizon's working days (SPEC 4.5):

* each client is due a visit from its release: the first working day on or after
  max(last visit + cadence moved to a working day, start); never visited: the start;
* each working day holds at most ``daily_visits`` visits;
* a client's next visit may come once a cadence has passed since the previous one (its
  release is the first working day on or after previous + cadence);
* lexicographic objective: first visits of overdue clients (due before the start, or never
  visited), then of A, B, C clients, then of prospects in talks -- as many as possible,
  class after class; then as many visits in all as possible; then the least total
  lateness, the sum over visits of (day - release) in calendar days.

Built from the client frame and the working calendar directly (due dates here are computed
by this module, not taken from the planner), and solved stage by stage: each stage's
optimum is fixed before the next.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from xlclient.engine.cadence import cadence_days, cadence_key
from xlclient.engine.calendar import WorkingCalendar
from xlclient.engine.settings import Settings

CLASSES = ("overdue", "A", "B", "C", "prospect")


@dataclass
class Demand:
    key: str
    owner: str
    klass: int
    due: dt.date  # first due date (working day), or the start when never visited
    release: int  # index of the first horizon working day it may take
    cadence: int


@dataclass
class Optimum:
    served: list[int]  # first visits per class
    visits: int
    lateness: int | None  # for ``target`` visits
    status: str
    seconds: float = 0.0
    days_of: dict[str, list[dt.date]] = field(default_factory=dict)
    target: int = -1  # the number of visits the lateness is for


def demands(clients, settings: Settings, calendar: WorkingCalendar, start: dt.date,
            days: list[dt.date]) -> list[Demand]:
    """Each plannable client's first due visit, computed from the frame."""
    tier = clients["tier"].fillna("").to_numpy(dtype=object)
    status = clients["status"].fillna("").to_numpy(dtype=object)
    stage = clients["stage"].fillna("").to_numpy(dtype=object)
    ckey = cadence_key(tier, status, stage)
    cad = cadence_days(ckey, settings)
    out = []
    for k, row in enumerate(clients.itertuples(index=False)):
        key_ = ckey[k]
        if status[k] == "lost" or stage[k] == "refused" or np.isnan(cad[k]) or not row.owner:
            continue
        if key_ not in ("A", "B", "C", "committed", "strong", "qualified"):
            continue  # early prospects get development visits, not cadence visits
        c = int(cad[k])
        last = row.last_visit
        if pd.isna(last):
            due, klass = start, 0
        else:
            due = calendar.next_workday(pd.Timestamp(last).date() + dt.timedelta(days=c))
            klass = 0 if due < start else (1 + ("A", "B", "C").index(key_) if key_ in ("A", "B", "C") else 4)
        release = bisect_left(days, max(due, start))
        if release < len(days):
            out.append(Demand(row.key, row.owner, klass, due, release, c))
    return out


def solve(ds: list[Demand], days: list[dt.date], calendar: WorkingCalendar, daily_visits: int, *,
          visits_target: int | None = None, time_limit: float = 20.0, served_only: bool = False,
          seen: set[str] | None = None) -> Optimum:
    """The lexicographic optimum for one AE's demands (``served_only``: stop after the
    first visits per class). ``seen``: the lateness stage is solved for exactly these
    clients seen (the planner's), so lateness is compared for the same served clients."""
    import time

    started = time.perf_counter()
    n = len(days)
    ords = [d.toordinal() for d in days]

    def release_after(day_index: int, cad: int) -> int:
        return bisect_left(days, calendar.next_workday(days[day_index] + dt.timedelta(days=cad)))

    model = cp_model.CpModel()
    x: dict[tuple[int, int, int], cp_model.IntVar] = {}
    used: dict[tuple[int, int], cp_model.IntVar] = {}
    late_terms = []
    for i, d in enumerate(ds):
        earliest = d.release
        k = 0
        while earliest < n:
            for j in range(earliest, n):
                x[i, k, j] = model.NewBoolVar(f"x{i}_{k}_{j}")
            used[i, k] = model.NewBoolVar(f"u{i}_{k}")
            model.Add(sum(x[i, k, j] for j in range(earliest, n)) == used[i, k])
            if k == 0:
                rel = days[d.release].toordinal()
                late_terms.append(sum((ords[j] - rel) * x[i, 0, j] for j in range(earliest, n)))
            else:
                model.Add(used[i, k] <= used[i, k - 1])
                prev = [j for (a, b, j) in x if a == i and b == k - 1]
                for j in range(earliest, n):  # visit k on day j needs visit k-1 a cadence before
                    model.Add(x[i, k, j] <= sum(x[i, k - 1, p] for p in prev if release_after(p, d.cadence) <= j))
                lat = model.NewIntVar(0, 10 * n + 400, f"l{i}_{k}")
                day_k = sum(ords[j] * x[i, k, j] for j in range(earliest, n))
                rel_k = sum(calendar.next_workday(days[p] + dt.timedelta(days=d.cadence)).toordinal() * x[i, k - 1, p]
                            for p in prev)
                big = 10 ** 7
                model.Add(lat >= day_k - rel_k - big * (1 - used[i, k]))
                late_terms.append(lat)
            earliest = release_after(earliest, d.cadence)
            k += 1
    for j in range(n):
        model.Add(sum(v for (a, b, jj), v in x.items() if jj == j) <= daily_visits)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = 1
    status_names = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible"}
    worst = "optimal"

    def run() -> None:
        nonlocal worst
        st = solver.Solve(model)
        if st not in status_names:
            raise RuntimeError(f"oracle: no solution ({solver.StatusName(st)})")
        if st != cp_model.OPTIMAL:
            worst = "feasible"

    served = []
    for c in range(len(CLASSES)):
        firsts = [used[i, 0] for i, d in enumerate(ds) if d.klass == c and (i, 0) in used]
        if not firsts:
            served.append(0)
            continue
        model.Maximize(sum(firsts))
        run()
        best = int(round(solver.ObjectiveValue()))
        model.Add(sum(firsts) == best)
        served.append(best)
    if served_only:
        return Optimum(served, -1, None, worst, time.perf_counter() - started)
    total = sum(used.values()) if used else 0
    model.Maximize(total)
    run()
    most = int(round(solver.ObjectiveValue())) if used else 0
    target = most if visits_target is None else min(visits_target, most)
    if seen is not None:
        for i, d in enumerate(ds):
            if (i, 0) in used:
                model.Add(used[i, 0] == (1 if d.key in seen else 0))
        model.Maximize(total)
        run()
        target = min(target, int(round(solver.ObjectiveValue())))
    model.Add(total == target)
    model.Minimize(sum(late_terms) if late_terms else 0)
    run()
    lateness = int(round(solver.ObjectiveValue())) if late_terms else 0
    days_of: dict[str, list[dt.date]] = {}
    for (i, k, j), v in x.items():
        if solver.Value(v):
            days_of.setdefault(ds[i].key, []).append(days[j])
    return Optimum(served, most, lateness, worst, time.perf_counter() - started,
                   {k: sorted(v) for k, v in days_of.items()}, target)


def plan_measure(ds: list[Demand], visit_days: dict[str, list[dt.date]], days: list[dt.date],
                 calendar: WorkingCalendar) -> tuple[list[int], int, int]:
    """(first visits per class, visits, lateness) of a plan, measured the oracle's way."""
    served = [0] * len(CLASSES)
    visits = lateness = 0
    for d in ds:
        mine = sorted(visit_days.get(d.key, []))
        if not mine:
            continue
        served[d.klass] += 1
        rel = days[d.release]
        for day in mine:
            visits += 1
            lateness += (day - rel).days
            rel = calendar.next_workday(day + dt.timedelta(days=d.cadence))
    return served, visits, lateness


@dataclass
class Comparison:
    """One AE of one book: the planner's figures and the optimum's."""

    owner: str
    due: int
    slots: int
    served: list[int]
    visits: int
    lateness: int
    best: Optimum
    plan_seconds: float


def compare_book(clients, start: dt.date, weeks: int, per_day: int, calendar: WorkingCalendar, *,
                 time_limit: float = 20.0, served_only: bool = False) -> list[Comparison]:
    """Plan the book's cadence visits (calls, greetings, development off) and solve each
    AE exactly; lateness is solved for the clients the planner saw, at its visit count."""
    import time

    from xlclient.engine.planner import plan_visits

    settings = Settings(as_of=start, daily_visits=per_day, daily_calls=0, monthly_development=0, greeting_days=0)
    t0 = time.perf_counter()
    plan = plan_visits(clients, settings, calendar, start=start, weeks=weeks)
    seconds = time.perf_counter() - t0
    days = calendar.workdays_between(start, start + dt.timedelta(days=7 * weeks - 1))
    ds = demands(clients, settings, calendar, start, days)
    visit_days: dict[str, list[dt.date]] = {}
    for r in plan.rows:
        if r.type == "visit":
            visit_days.setdefault(r.client_id, []).append(r.date)
    out = []
    for owner in sorted({d.owner for d in ds}):
        mine = [d for d in ds if d.owner == owner]
        served, visits, lateness = plan_measure(mine, visit_days, days, calendar)
        best = solve(mine, days, calendar, per_day, visits_target=visits, time_limit=time_limit,
                     served_only=served_only, seen={d.key for d in mine if visit_days.get(d.key)})
        out.append(Comparison(owner, len(mine), len(days) * per_day, served, visits, lateness, best, seconds))
    return out
