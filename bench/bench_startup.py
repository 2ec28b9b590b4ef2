"""Start-up and reading costs a user waits for on every command (issue 15).

* ``xlclient --version`` / ``--help`` as separate processes, side by side with a bare
  ``python -c pass`` and ``python -c "import xlclient.jobs"`` (what a working command
  imports: pandas, numpy, scipy ...);
* reading a workbook whose client table is an Excel table of 100,000 rows:
  ``read_workbook`` against python-calamine reading the sheet alone (the floor) and the
  sheet and then the table again (what reading the table twice cost).

Each figure is the median of several runs with its range. Run
``python bench/bench_startup.py``; results go to ``bench/results/startup.txt``.
"""

from __future__ import annotations

import datetime as dt
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(fn, runs: int) -> tuple[float, float, float]:
    seconds = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - t)
    return statistics.median(seconds), min(seconds), max(seconds)


def process(args: list[str]):
    return lambda: subprocess.run(args, capture_output=True, check=True)


def table_book(path: Path, n: int) -> None:
    import xlsxwriter

    rng = random.Random(0)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("客户台账")
    data = [[f"K{i:06d}", f"客户{i}", rng.choice(["张伟", "李娜", "王芳"]), rng.choice(["合作中", "潜在", "流失"]),
             rng.random() * 1e6, f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"] for i in range(n)]
    ws.add_table(0, 0, n, 5, {"name": "客户表", "data": data, "columns": [
        {"header": h} for h in ("客户编号", "客户名称", "客户经理", "客户状态", "年度投放额", "最近拜访日期")]})
    wb.close()


def main() -> None:
    import python_calamine as pc

    from xlclient.xlsx.reader import read_workbook

    exe = str(Path(sys.executable).with_name("xlclient"))
    lines = [f"# bench_startup  {dt.datetime.now():%Y-%m-%d %H:%M}  Python {platform.python_version()}  "
             f"{platform.machine()}; median (min-max) of the runs; wall time on a shared 2-core machine"]

    def report(label: str, stats: tuple[float, float, float], runs: int) -> None:
        med, lo, hi = stats
        line = f"{label:<58} {med * 1e3:8.1f} ms  ({lo * 1e3:.1f}-{hi * 1e3:.1f}, {runs} runs)"
        print(line)
        lines.append(line)

    lines.append("## start-up, separate processes")
    for label, args in (("python -c pass (the floor)", [sys.executable, "-c", "pass"]),
                        ("xlclient --version", [exe, "--version"]),
                        ("xlclient --help", [exe, "--help"]),
                        ("python -c 'import xlclient.jobs' (a command's imports)",
                         [sys.executable, "-c", "import xlclient.jobs"])):
        report(label, timed(process(args), 9), 9)

    n = 100_000
    lines.append(f"## reading a workbook whose client table is an Excel table of {n:,} rows x 6 columns")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "table.xlsx"
        table_book(path, n)

        def floor() -> None:
            wb = pc.CalamineWorkbook.from_path(str(path))
            wb.get_sheet_by_name("客户台账").to_python(skip_empty_area=True)

        def twice() -> None:
            wb = pc.CalamineWorkbook.from_path(str(path), load_tables=True)
            wb.get_sheet_by_name("客户台账").to_python(skip_empty_area=True)
            wb.get_table_by_name("客户表").to_python()

        report("calamine: the sheet alone (the floor)", timed(floor, 5), 5)
        report("calamine: the sheet, then the table again (read twice)", timed(twice, 5), 5)
        report("xlclient read_workbook (the table cut from the sheet)", timed(lambda: read_workbook(path), 5), 5)
    out = ROOT / "bench" / "results" / "startup.txt"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
