"""Speed of the working calendar (xlclient.engine.calendar); writes bench/results/calendar.txt.

Run: python bench/bench_calendar.py
Measures: import + first calendar (cold, in a fresh interpreter), building a calendar with
Holidays-sheet overrides once the base tables are cached, moving 100,000 due dates to
working days (vectorised), and the scalar call, next to a row-by-row loop over
chinesecalendar for comparison.
"""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xlclient.engine.calendar import Override, WorkingCalendar  # noqa: E402


def best_of(fn, repeat: int = 7, number: int = 1) -> float:
    """Best wall time of one call, seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return min(times)


def cold_start() -> float:
    code = (
        "import time; t=time.perf_counter();"
        "from xlclient.engine.calendar import WorkingCalendar; WorkingCalendar();"
        "print(time.perf_counter()-t)"
    )
    runs = [
        float(subprocess.check_output([sys.executable, "-c", code], cwd=ROOT, text=True))
        for _ in range(3)
    ]
    return min(runs)


def main() -> None:
    lines: list[str] = []

    def report(label: str, seconds: float) -> None:
        text = f"{label:<62} {seconds * 1e3:10.3f} ms"
        print(text)
        lines.append(text)

    report("cold: import + first WorkingCalendar() (fresh process)", cold_start())

    WorkingCalendar()  # warm the module-level cache
    overrides = {
        dt.date(2027, 1, 1) + dt.timedelta(days=7 * i): Override(i % 2 == 0, f"row {i}")
        for i in range(50)
    }
    report("WorkingCalendar(50 overrides), base cached", best_of(lambda: WorkingCalendar(overrides)))
    cal = WorkingCalendar(overrides)

    rng = np.random.default_rng(0)
    start = np.datetime64("2024-01-01")
    due = start + rng.integers(0, 365 * 5, size=100_000).astype("timedelta64[D]")
    due_ns = due.astype("datetime64[ns]")
    with_nat = due.copy()
    with_nat[::10] = np.datetime64("NaT")
    report("next_workday_array, 100,000 datetime64[D]", best_of(lambda: cal.next_workday_array(due)))
    report("next_workday_array, 100,000 datetime64[ns]", best_of(lambda: cal.next_workday_array(due_ns)))
    report("next_workday_array, 100,000 with 10% NaT", best_of(lambda: cal.next_workday_array(with_nat)))
    report("is_workday_array, 100,000", best_of(lambda: cal.is_workday_array(due)))
    report("is_provisional_array, 100,000", best_of(lambda: cal.is_provisional_array(due)))

    dates = [d.item() for d in due[:10_000]]
    per_call = best_of(lambda: [cal.next_workday(d) for d in dates], repeat=3) / len(dates)
    report("next_workday (scalar), per call", per_call)

    import chinese_calendar

    # Stay inside chinesecalendar's years (it raises for later ones).
    in_range = [d for d in dates if d < dt.date(2026, 12, 1)][:2_000]

    def naive() -> None:
        for d in in_range:
            while not chinese_calendar.is_workday(d):
                d += dt.timedelta(days=1)

    naive_per = best_of(naive, repeat=3) / len(in_range)
    report("baseline: loop over chinese_calendar.is_workday, per date", naive_per)
    report("baseline extrapolated to 100,000 dates", naive_per * 100_000)

    header = [
        f"# bench_calendar  {dt.datetime.now():%Y-%m-%d %H:%M}  Python {platform.python_version()}"
        f"  numpy {np.__version__}  {platform.machine()}",
        "# best of several runs; wall time",
    ]
    out = ROOT / "bench" / "results" / "calendar.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
