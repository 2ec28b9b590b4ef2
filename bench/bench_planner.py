"""Speed of the visit planner (xlclient.engine.planner); writes bench/results/planner.txt.

Run: python bench/bench_planner.py [--clients 10000] [--owners 50] [--weeks 4]

SPEC 9 target: a visit plan for 10,000 clients, 50 AEs, 4 weeks in at most 3 s.

Measured, best of several runs, on a synthetic agency book (seeded, see ``make_book``):
the planner from scratch; reading the sheet it wrote back (``read_visit_plan``);
regenerating on that sheet (read + plan: what the button does, minus Excel I/O); and
rendering the sheet's rows.  Side by side, in the same run, a straightforward row-by-row
implementation of the earlier rules (``baseline_plan``: client by client in priority order,
each with all its repeats; ``DataFrame.iterrows``, scalar calendar calls, a dict of (owner,
day) counters, scanning the horizon's days for each row), with how many clients each sees.
How close the planner is to the exact optimum is measured by bench/bench_coverage.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import time
import zlib
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xlclient.engine.calendar import WorkingCalendar, festivals_between  # noqa: E402
from xlclient.engine.planner import _mix, plan_visits  # noqa: E402  (the same stable hash as the planner)
from xlclient.engine.settings import Settings  # noqa: E402
from xlclient.engine.visitplan import read_visit_plan  # noqa: E402

START = dt.date(2026, 11, 23)
CADENCE = {"A": 14, "B": 30, "C": 90, "committed": 7, "strong": 14, "qualified": 21, "interested": 30,
           "on_hold": 90}


def make_book(n: int, owners: int, seed: int = 0) -> pd.DataFrame:
    """A book shaped like an agency's: 60% current (tiers A 8%, B 17%, C 70%, D 5%),
    35% prospects (stages from 重要 to 拒绝), 5% lost; last visits spread over 1.3 cadences
    (about a quarter overdue), 5% never visited; 1% without an owner."""
    rng = np.random.default_rng(seed)
    status = rng.choice(["current", "prospect", "lost"], n, p=[0.60, 0.35, 0.05])
    tier = np.where(status == "current", rng.choice(list("ABCD"), n, p=[0.08, 0.17, 0.70, 0.05]),
                    np.where(status == "prospect", "D", ""))
    stage = np.where(status == "prospect",
                     rng.choice(["committed", "strong", "qualified", "interested", "on_hold", "refused"], n,
                                p=[0.03, 0.07, 0.15, 0.45, 0.20, 0.10]), "")
    key = np.where(np.isin(tier, ["A", "B", "C"]), tier, np.where(status == "current", "C", stage))
    cad = np.array([CADENCE.get(k, 30) for k in key])
    ago = (rng.random(n) * 1.3 * cad).astype(int) + 1
    last = np.datetime64(START) - ago.astype("timedelta64[D]")
    last[rng.random(n) < 0.05] = np.datetime64("NaT")
    owner = np.array([f"AE{i:02d}" for i in rng.integers(0, owners, n)], dtype=object)
    owner[rng.random(n) < 0.01] = ""
    quadrant = np.where(status == "current", rng.choice(["Q1", "Q2", "Q3", "Q4"], n),
                        np.where(status == "prospect", rng.choice(["Q5", "Q6", "Q7", "Q8"], n), ""))
    keys = [f"KH{i:06d}" for i in range(n)]
    return pd.DataFrame({
        "key": keys, "client_id": keys, "name": [f"客户{i}" for i in range(n)], "owner": owner, "status": status,
        "tier": tier, "stage": stage, "likelihood": np.round(rng.random(n), 3), "quadrant": quadrant,
        "last_visit": last.astype("datetime64[s]"),
    })


# ----------------------------------------------------------------------------- the baseline

_EPOCH = dt.date(1970, 1, 1)



def baseline_plan(book: pd.DataFrame, s: Settings, cal: WorkingCalendar, start: dt.date, weeks: int):
    """The planner's rules (no existing plan), written the obvious way, row by row."""
    end = start + dt.timedelta(days=7 * weeks - 1)
    days = cal.workdays_between(start, end)
    first_day = days[0] if days else start
    used: dict[tuple, int] = defaultdict(int)
    rows: list[tuple] = []
    unscheduled: list[tuple] = []

    def free(owner, day, kind):
        return used[(owner, day, kind)] < (s.daily_visits if kind == "visit" else s.daily_calls)

    clients = []
    for _, c in book.iterrows():
        if c["status"] == "lost" or c["stage"] == "refused":
            continue
        if c["tier"] in ("A", "B", "C"):
            key = c["tier"]
        elif c["status"] == "current":
            key = "C"
        elif c["status"] == "prospect" and c["stage"]:
            key = c["stage"]
        else:
            continue
        cad = s.cadence(key)
        last = None if pd.isna(c["last_visit"]) else c["last_visit"].date()
        due = first_day if last is None else cal.next_workday(last + dt.timedelta(days=cad))
        if c["status"] == "current":
            rank = {"A": 0, "B": 1, "C": 2, "D": 2}.get(c["tier"], 3)
        else:
            rank = {"A": 0, "B": 1, "C": 2}.get(c["tier"], 3)
        lik = -1.0 if pd.isna(c["likelihood"]) else float(c["likelihood"])
        clients.append(dict(key=c["key"], owner=c["owner"].strip(), kind="dev" if key in ("interested", "on_hold")
                            else "visit", cad=cad, last=last, due=due, rank=rank, lik=lik, tier=c["tier"],
                            quad=int(c["quadrant"][1:]) if c["quadrant"] else 9, late=last is None or due < start))

    def priority(c):
        if c["late"]:
            return (0, c["rank"], c["due"].toordinal(), -c["lik"], c["key"])
        if c["rank"] < 3:
            return (1 + c["rank"], c["due"].toordinal(), 0, 0, c["key"])
        return (4, -c["lik"], c["due"].toordinal(), 0, c["key"])

    visits_of = defaultdict(list)
    for c in sorted((c for c in clients if c["kind"] == "visit"), key=priority):
        due = c["due"]
        while max(due, start) <= end:
            if not c["owner"]:
                unscheduled.append((c["key"], "visit", "no_owner"))
                break
            day = next((d for d in days if d >= max(due, start) and free(c["owner"], d, "visit")), None)
            if day is None:
                unscheduled.append((c["key"], "visit", "capacity"))
                break
            used[(c["owner"], day, "visit")] += 1
            rows.append((day, c["owner"], c["key"], "visit"))
            visits_of[c["key"]].append(day)
            due = cal.next_workday(day + dt.timedelta(days=c["cad"]))

    owners = sorted({o.strip() for o in book["owner"] if o.strip()})
    months = defaultdict(list)
    for d in days:
        months[(d.year, d.month)].append(d)
    pool = sorted((c for c in clients if c["kind"] == "dev"), key=lambda c: (-c["lik"], c["quad"], c["key"]))
    dev_due = {c["key"]: c["due"] for c in pool}
    for owner in owners:
        mine = [c for c in pool if c["owner"] == owner]
        for (y, m), month_days in sorted(months.items()):
            first = dt.date(y, m, 1)
            last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            target = int(np.floor(s.monthly_development * len(month_days) / cal.workday_count(first, last) + 0.5))
            hi = min(last, end)
            placed = failed = 0
            for c in mine:
                if placed >= target or failed >= target - placed:
                    break
                if dev_due[c["key"]] > hi:
                    continue
                lo = max(dev_due[c["key"]], first, start)
                day = next((d for d in month_days if d >= lo and free(owner, d, "visit")), None)
                if day is None:
                    failed += 1
                    continue
                used[(owner, day, "visit")] += 1
                rows.append((day, owner, c["key"], "development"))
                visits_of[c["key"]].append(day)
                dev_due[c["key"]] = cal.next_workday(day + dt.timedelta(days=c["cad"]))
                placed += 1
            unscheduled += [(owner, "development", "short")] * max(0, target - placed)

    reach = end + dt.timedelta(days=2 * s.greeting_days + 40)
    ab = sorted((c for c in clients if c["tier"] in ("A", "B")), key=lambda c: (c["rank"], c["key"]))
    for f in festivals_between(start, reach) if s.greeting_days > 0 else []:
        inside = [d for d in cal.workdays_before(f.date, s.greeting_days) if start <= d <= end]
        if not inside:
            continue
        for c in ab:
            if not c["owner"]:
                unscheduled.append((c["key"], "greeting", "no_owner"))
                continue
            pref = _mix(zlib.crc32(c["key"].encode()), (f.date - _EPOCH).days) % len(inside)
            rotation = sorted(inside[pref:] + inside[:pref], key=lambda d: d in visits_of[c["key"]])
            day = next((d for d in rotation if free(c["owner"], d, "call")), None)
            if day is None:
                unscheduled.append((c["key"], "greeting", "capacity"))
                continue
            used[(c["owner"], day, "call")] += 1
            rows.append((day, c["owner"], c["key"], "greeting"))

    demands = []
    for c in clients:
        if not c["owner"]:
            continue
        period, kh = c["cad"], zlib.crc32(c["key"].encode())
        phase, gap = kh % period, max(2, c["cad"] // 4)
        seen = visits_of[c["key"]] + ([c["last"]] if c["last"] else [])
        p = ((start - _EPOCH).days - phase) // period
        while True:
            p_start = _EPOCH + dt.timedelta(days=phase + p * period)
            if p_start > end:
                break
            day = cal.next_workday(p_start + dt.timedelta(days=_mix(kh, p) % period))
            p += 1
            if not start <= day <= end or any(abs((v - day).days) <= gap for v in seen):
                continue
            demands.append((day, c["rank"], c["key"], c["owner"], max(p_start + dt.timedelta(days=period - 1), day)))
    for day, _, key, owner, p_end in sorted(demands):
        slot = next((d for d in days if day <= d <= min(p_end, end) and free(owner, d, "call")), None)
        if slot is None:
            unscheduled.append((key, "call", "capacity"))
            continue
        used[(owner, slot, "call")] += 1
        rows.append((slot, owner, key, "call"))
    return rows, unscheduled


# ----------------------------------------------------------------------------- running it


def best_of(fn, repeat: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def run(book, settings, cal, start, args, report, lines) -> None:
    """Time one scenario and check it against the baseline and against regeneration."""

    def planner():
        return plan_visits(book, settings, cal, start=start, weeks=args.weeks)

    t_plan, plan = best_of(planner)
    sheet = plan.sheet_rows()
    counts = plan.counts()
    t_read, _ = best_of(lambda: read_visit_plan(sheet))
    t_regen, again = best_of(lambda: plan_visits(book, settings, cal, start=start, weeks=args.weeks,
                                                 existing=read_visit_plan(sheet)))
    t_render, _ = best_of(lambda: plan.sheet_rows())
    t_base, (base_rows, base_unscheduled) = best_of(lambda: baseline_plan(book, settings, cal, start, args.weeks),
                                                     repeat=2)

    ours = [(r.date, r.owner, r.client_id, r.type) for r in plan.rows]
    seen_ours = {k for _, _, k, t in ours if t == "visit"}
    seen_base = {k for _, _, k, t in base_rows if t == "visit"}
    visits_ours = sum(t == "visit" for *_, t in ours)
    visits_base = sum(t == "visit" for *_, t in base_rows)
    if again.sheet_rows() != sheet:
        raise SystemExit("regenerating on the plan's own sheet changed it")

    provisional = f", provisional {plan.provisional_years}" if plan.provisional else ""
    lines.append(f"## start {start} ({args.clients:,} clients, {args.owners} AEs, {args.weeks} weeks{provisional})")
    print(lines[-1])
    report("plan_visits", t_plan, "SPEC 9 target <= 3000 ms")
    report(f"read_visit_plan of its sheet ({len(sheet):,} rows)", t_read)
    report("regenerate: read_visit_plan + plan_visits on that sheet", t_regen)
    report("VisitPlan.sheet_rows (render zh)", t_render)
    report("baseline: row-by-row, client by client with all its repeats", t_base,
           f"x{t_base / t_plan:.1f} the planner's time")
    lines.append(
        f"# {counts['planned']:,} rows ({counts['visits']:,} visits of which {counts['development']:,} development, "
        f"{counts['calls']:,} calls of which {counts['greetings']:,} greetings; {counts['overdue_caught_up']:,} overdue "
        f"caught up), "
        f"{counts['unscheduled']:,} unscheduled; regeneration identical"
    )
    print(lines[-1])
    lines.append(f"# clients seen (cadence visits): planner {len(seen_ours):,}, baseline {len(seen_base):,}; "
                 f"cadence visits: planner {visits_ours:,}, baseline {visits_base:,}")
    print(lines[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=10_000)
    ap.add_argument("--owners", type=int, default=50)
    ap.add_argument("--weeks", type=int, default=4)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "planner.txt")
    args = ap.parse_args()

    cal = WorkingCalendar()
    settings = Settings(as_of=START)
    book = make_book(args.clients, args.owners)
    lines: list[str] = []

    def report(label: str, seconds: float, extra: str = "") -> None:
        text = f"{label:<58} {seconds * 1e3:10.1f} ms  {extra}".rstrip()
        print(text)
        lines.append(text)

    for start in (START, dt.date(2027, 1, 18)):
        run(book, settings, cal, start, args, report, lines)

    # the local search grows with the square of one AE's visit slots: one AE, many slots
    for clients, per_day in ((2_000, 20), (6_000, 60)):
        big = make_book(clients, 1)
        wide = Settings(as_of=START, daily_visits=per_day)
        lines.append(f"## one AE, {clients:,} clients, {per_day} visits a day, {args.weeks} weeks "
                     f"({per_day * 5 * args.weeks:,} visit slots)")
        seconds, plan = best_of(lambda: plan_visits(big, wide, cal, start=START, weeks=args.weeks), 3)
        report("plan_visits", seconds, f"{plan.counts()['visits']:,} visits")

    header = [
        f"# bench_planner  {dt.datetime.now():%Y-%m-%d %H:%M}  Python {platform.python_version()}"
        f"  numpy {np.__version__}  pandas {pd.__version__}  {platform.machine()}",
        "# synthetic book (bench/bench_planner.py make_book, seed 0, last visits before 2026-11-23); best of 5 runs "
        "(baseline best of 2); wall time on a shared 2-core machine",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    print(f"written {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":
    main()
