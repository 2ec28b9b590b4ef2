"""The visit planner against the exact optimum (CP-SAT), side by side in one run; writes
bench/results/coverage.txt.

Run: python bench/bench_coverage.py [--time-limit 30]

For each book and each AE, the planner's cadence visits (calls, greetings and development
visits off) and the optimum of the same rules (tests/planner_oracle.py: first visits per
class overdue/A/B/C/prospects, then visits, then least lateness -- lateness compared at
the planner's number of visits): clients seen per class, visits, total lateness in days,
time. Books: five capacity-bound shapes (one AE with 300 clients mostly overdue, many
prospects on short cadences, due dates around National Day, many AEs, Spring Festival)
and the 48 random books of tests/test_coverage.py. A stage of the oracle that does not
prove its optimum within the time limit is marked "feasible": its figure is then a bound
the optimum is at least as good as.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from planner_oracle import compare_book  # noqa: E402
from test_coverage import random_book  # noqa: E402
from xlclient.engine.calendar import WorkingCalendar  # noqa: E402

CAL = WorkingCalendar(years=(2004, 2029))


def shaped(name: str) -> tuple[pd.DataFrame, dt.date, int, int]:
    rng = random.Random(name)
    rows = []

    def add(k, owner, status, tier, stage, last):
        rows.append(dict(key=f"{name[:3]}{k:04d}", client_id=f"{name[:3]}{k:04d}", name=f"客户{k}", owner=owner,
                         status=status, tier=tier, stage=stage, likelihood=rng.random(), quadrant="Q5",
                         last_visit=np.datetime64(last, "D") if last else np.datetime64("NaT", "D")))

    if name == "one AE, 300 clients, mostly overdue":
        start, weeks, per_day = dt.date(2026, 11, 23), 4, 4
        for k in range(300):
            tier = rng.choice("AABBBCCCC")
            cad = {"A": 14, "B": 30, "C": 90}[tier]
            overdue = rng.random() < 0.8
            last = start - dt.timedelta(days=cad + rng.randint(1, 60) if overdue else rng.randint(1, cad - 1))
            add(k, "王芳", "current", tier, "", None if rng.random() < 0.05 else last)
    elif name == "prospects on short cadences":
        start, weeks, per_day = dt.date(2026, 6, 15), 4, 3
        for k in range(160):
            owner = ("李娜", "张伟")[k % 2]
            if rng.random() < 0.6:
                add(k, owner, "prospect", "D", rng.choice(["committed", "strong", "qualified"]),
                    start - dt.timedelta(days=rng.randint(1, 30)))
            else:
                add(k, owner, "current", rng.choice("ABC"), "", start - dt.timedelta(days=rng.randint(1, 120)))
    elif name == "due around National Day":
        start, weeks, per_day = dt.date(2026, 9, 28), 3, 3
        for k in range(120):
            tier = rng.choice("ABBC")
            cad = {"A": 14, "B": 30, "C": 90}[tier]
            due = dt.date(2026, 9, 29) + dt.timedelta(days=rng.randint(0, 9))  # inside the Golden Week mostly
            add(k, ("赵磊", "陈静")[k % 2], "current", tier, "", due - dt.timedelta(days=cad))
    elif name == "many AEs":
        start, weeks, per_day = dt.date(2026, 4, 27), 2, 2
        for k in range(320):
            add(k, f"AE{k % 8}", "current", rng.choice("AABBC"), "",
                None if rng.random() < 0.1 else start - dt.timedelta(days=rng.randint(1, 150)))
    elif name == "Spring Festival":
        start, weeks, per_day = dt.date(2026, 2, 9), 4, 2
        for k in range(210):
            status = "current" if rng.random() < 0.8 else "prospect"
            add(k, ("王芳", "李娜", "张伟")[k % 3], status, rng.choice("ABC") if status == "current" else "D",
                "" if status == "current" else rng.choice(["strong", "qualified"]),
                None if rng.random() < 0.1 else start - dt.timedelta(days=rng.randint(1, 100)))
    else:
        raise ValueError(name)
    return pd.DataFrame(rows).astype({"last_visit": "datetime64[s]"}), start, weeks, per_day


def measure(clients, start, weeks, per_day, time_limit) -> list[dict]:
    return [dict(owner=c.owner, due=c.due, slots=c.slots, served=c.served, visits=c.visits, lateness=c.lateness,
                 opt_served=c.best.served, opt_visits=c.best.visits, opt_lateness=c.best.lateness,
                 status=c.best.status, t_plan=c.plan_seconds, t_opt=c.best.seconds)
            for c in compare_book(clients, start, weeks, per_day, CAL, time_limit=time_limit)]


def line(r: dict) -> str:
    ratio = (r["lateness"] / r["opt_lateness"]) if r["opt_lateness"] else (1.0 if r["lateness"] == 0 else float("inf"))
    return (f"  {r['owner']:<6} due {r['due']:>3}, slots {r['slots']:>3} | seen per class planner "
            f"{r['served']} optimum {r['opt_served']} | visits {r['visits']} / {r['opt_visits']} | lateness "
            f"{r['lateness']} / {r['opt_lateness']} days (x{ratio:.3f}) | oracle {r['status']} {r['t_opt']:.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=30.0, help="seconds per oracle stage")
    ap.add_argument("--random", type=int, default=48, help="random books (seeds 0..N-1)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "coverage.txt")
    args = ap.parse_args()
    lines = [f"# bench_coverage  {dt.datetime.now():%Y-%m-%d %H:%M}  Python {platform.python_version()}  "
             f"oracle stage limit {args.time_limit:.0f} s",
             "# per AE: clients seen per class (overdue, A, B, C, prospects), visits (planner / most possible), "
             "total lateness in days (planner / optimum for the planner's number of visits)"]
    all_rows = []
    for name in ("one AE, 300 clients, mostly overdue", "prospects on short cadences", "due around National Day",
                 "many AEs", "Spring Festival"):
        clients, start, weeks, per_day = shaped(name)
        rows = measure(clients, start, weeks, per_day, args.time_limit)
        all_rows += rows
        lines.append(f"## {name}: {len(clients)} clients, start {start}, {weeks} weeks, {per_day} visits a day; "
                     f"planner {rows[0]['t_plan'] * 1e3:.0f} ms for the whole book")
        lines += [line(r) for r in rows]
        print("\n".join(lines[-1 - len(rows):]), flush=True)
    rand_rows = []
    for seed in range(args.random):
        clients, start, weeks, per_day = random_book(seed)
        rand_rows += measure(clients, start, weeks, per_day, min(args.time_limit, 10.0))
    all_rows += rand_rows
    same_served = sum(r["served"] == r["opt_served"] for r in rand_rows)
    same_visits = sum(r["visits"] == r["opt_visits"] for r in rand_rows)
    ratios = sorted((r["lateness"] / r["opt_lateness"]) if r["opt_lateness"] else 1.0 for r in rand_rows)
    lines.append(f"## {args.random} random books (tests/test_coverage.py), {len(rand_rows)} AEs: seen per class equal "
                 f"{same_served}/{len(rand_rows)}; visits equal {same_visits}/{len(rand_rows)} (short by "
                 f"{sum(r['opt_visits'] - r['visits'] for r in rand_rows)} in all); lateness / optimum: median "
                 f"{ratios[len(ratios) // 2]:.3f}, 90% {ratios[int(len(ratios) * 0.9)]:.3f}, worst {ratios[-1]:.3f}; "
                 f"within 5 %: {sum(x <= 1.05 for x in ratios)}/{len(ratios)}")
    print(lines[-1])
    seen = sum(sum(r["served"]) for r in all_rows)
    seen_opt = sum(sum(r["opt_served"]) for r in all_rows)
    overdue = sum(r["served"][0] for r in all_rows)
    overdue_opt = sum(r["opt_served"][0] for r in all_rows)
    lines.append(f"## all: clients seen {seen} / optimum {seen_opt}; overdue seen {overdue} / {overdue_opt}; "
                 f"visits {sum(r['visits'] for r in all_rows)} / {sum(r['opt_visits'] for r in all_rows)}")
    print(lines[-1])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
