"""Benchmark: the commands end to end, as a user waits for them, at 1,000, 10,000 and 100,000
clients (1,000,000 with ``--million``), each in a fresh Python process, with its peak
memory; side by side in the same run with

* the **read floor**: python-calamine reading every sheet's values of the same file (a
  fresh process: what any tool must at least spend to see the data), as anyone would run it
  and with Python's cyclic garbage collector off (xlclient runs its commands that way: the
  collector costs a third of calamine's time at 1,000,000 rows), each figure set against
  both;
* a **pandas analyst script**: pandas + calamine reads the client sheet, Pareto tiers by a
  cumulative sum, the result sheet written by openpyxl into a new file (what an analyst
  would write in 40 lines, doing far less than xlclient);
* **LibreOffice** recalculating an equivalent native-formula workbook end to end (load,
  recalculate every SUMIF, save as CSV) where it finishes in reasonable time (1,000 and
  10,000 clients; at 30,000 it takes ~50 s and at 100,000 it did not finish in 10 minutes).

``refresh`` is timed twice: on the book as written by hand (the first refresh) and on the
book that refresh wrote (``again``: what every later refresh meets, the old result sheets
to read and replace, people's additions to keep), the latter set against the read floor of
that bigger file.

xlclient's bytecode is compiled before timing, as ``pip install`` leaves an installed
package (this machine sets PYTHONDONTWRITEBYTECODE, which would have every run compile
xlclient from source); ``check`` on the demo is also timed compiling from source.

Each figure is the median of ``--runs`` runs (default 3; ``--million-runs``, default 1, at a
million) with the spread (min-max) beside it. Targets (issue 15): refresh within 2x the read floor at 100,000;
``check`` on the 300-client demo <= 0.4 s; a 1,000,000-client refresh <= 30 s and <= 2 GiB.
Writes ``bench/results/end_to_end.txt``.

Run: ``python bench/bench_end_to_end.py [--runs 3] [--million [--million-runs 3]]``
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from xlclient.demo import write_demo_workbook

TODAY = "2026-11-22"
AGAIN_FLOOR = "read floor, book holding its results"
AGAIN = "xlclient refresh again (that book)"
RESULTS = Path(__file__).parent / "results" / "end_to_end.txt"

#: The peak resident memory of this process since it started (VmHWM; ru_maxrss is not used:
#: on Linux it keeps the high-water mark of the process that forked it, here the bench).
PEAK = r"""
def peak_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""

#: Runs a command in this process and prints its peak memory (KiB) last.
MEASURED = PEAK + r"""
import sys, json
kind, args = sys.argv[1], sys.argv[2:]
code = 0
if kind == "xlclient":
    from xlclient.cli import run  # what the xlclient command runs
    code = run(args)
else:  # calamine: every sheet's values (with Python's cyclic garbage collector off: "calamine-gc-off")
    import gc
    import python_calamine as pc
    if kind == "calamine-gc-off":
        gc.disable()
    wb = pc.CalamineWorkbook.from_path(args[0])
    cells = sum(len(r) for n in wb.sheet_names for r in wb.get_sheet_by_name(n).to_python())
print(json.dumps({"code": code, "kib": peak_kib()}), file=sys.stderr)
"""

ANALYST = r"""
import sys
import pandas as pd
src, dst = sys.argv[1], sys.argv[2]
df = pd.read_excel(src, sheet_name="客户台账", header=2, engine="calamine")
money = pd.to_numeric(df["年度投放额(万元)"], errors="coerce") * 1e4
current = df["客户状态"].isin(["合作中", "现有"]) & (money > 0)
order = money.where(current).sort_values(ascending=False)
share = (order.cumsum() - order) / order.sum()
tier = pd.Series("D", index=df.index)
tier[share.index[share < 0.8]] = "A"
tier[share.index[(share >= 0.8) & (share < 0.95)]] = "B"
tier[share.index[share >= 0.95]] = "C"
out = df[["客户编号", "客户名称", "客户经理"]].assign(等级=tier)
with pd.ExcelWriter(dst, engine="openpyxl") as w:
    out.to_excel(w, sheet_name="分级结果", index=False)
"""


def measured(kind: str, args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, peak MiB) of one fresh process."""
    script = cwd / "measured.py"
    if not script.exists():
        script.write_text(MEASURED, encoding="utf-8")
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, str(script), kind, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=7200, env=env)
    wall = time.perf_counter() - t
    last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "{}"
    try:
        info = json.loads(last)
    except json.JSONDecodeError:
        raise SystemExit(f"{kind} {args} failed:\n{proc.stderr[-2000:]}")
    if kind == "xlclient" and info["code"] not in (0, 1):
        raise SystemExit(f"xlclient {args} exited {info['code']}:\n{proc.stderr[-2000:]}")
    return wall, info["kib"] / 1024


def summary(values: list[float], unit: str = "s", digits: int = 2) -> str:
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.{digits}f} {unit} (1 run)"
    return f"{med:.{digits}f} {unit} (min {min(values):.{digits}f}, max {max(values):.{digits}f})"


def libreoffice_end_to_end(book: Path, workdir: Path) -> float | None:
    """Load, recalculate and save a workbook whose tiers are native SUMIF formulas over the
    same billings (the spreadsheet way to do this job), one fresh LibreOffice process
    (bench_classify.libreoffice_tiering builds and converts it)."""
    if not shutil.which("soffice"):
        return None
    import python_calamine as pc

    sys.path.insert(0, str(Path(__file__).parent))
    from bench_classify import libreoffice_tiering

    rows = pc.CalamineWorkbook.from_path(str(book)).get_sheet_by_name("客户台账").to_python()
    header = rows[2]
    money = [r[header.index("年度投放额(万元)")] for r in rows[3:]]
    values = [float(v) if isinstance(v, (int, float)) else 0.0 for v in money]
    lo = workdir / "lo"
    lo.mkdir(exist_ok=True)
    seconds, _startup, _tiers = libreoffice_tiering(values, lo)
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--million", action="store_true", help="also 1,000,000 clients (minutes, GBs)")
    ap.add_argument("--sizes", type=str, default="1000,10000,100000")
    ap.add_argument("--million-runs", type=int, default=1, help="runs at 1,000,000 clients (each ~5 min)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] + ([1_000_000] if args.million else [])
    lines = [f"bench_end_to_end  {dt.datetime.now():%Y-%m-%d %H:%M}  {platform.machine()}, {os.cpu_count()} CPUs, "
             f"Python {platform.python_version()}, load average at start {os.getloadavg()[0]:.1f}",
             "each figure: wall time of a fresh process (median of the runs, min and max), peak resident memory",
             ""]

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    import xlclient

    package = Path(xlclient.__file__).parent
    for line in lines:
        print(line)
    with tempfile.TemporaryDirectory(prefix="xlclient-e2e-") as tmp:
        tmp = Path(tmp)
        demo = tmp / "demo300.xlsx"
        write_demo_workbook(demo, n_clients=300, seed=2026, today=dt.date(2026, 11, 22))
        check_demo = ["check", str(demo), "-q", "--today", TODAY]
        # xlclient compiled from source on every run (no bytecode of it, none written) ...
        for cache in package.rglob("__pycache__"):
            shutil.rmtree(cache)
        source = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        uncompiled = [measured("xlclient", check_demo, tmp, env=source)[0] for _ in range(max(args.runs, 5))]
        # ... and as pip install leaves an installed package: compiled once
        compileall.compile_dir(str(package), quiet=1)
        checks = [measured("xlclient", check_demo, tmp)[0] for _ in range(max(args.runs, 5))]
        say(f"xlclient check, 300-client demo (target <= 0.4 s): {summary(checks)}")
        say(f"  the same with xlclient compiled from source on every run: {summary(uncompiled)}")
        say()
        analyst = tmp / "analyst.py"
        analyst.write_text(ANALYST, encoding="utf-8")
        for n in sizes:
            book = tmp / f"book{n}.xlsx"
            write_demo_workbook(book, n_clients=n, seed=5, today=dt.date(2026, 11, 22))
            runs = args.million_runs if n >= 1_000_000 else args.runs
            say(f"== {n:,} clients ({book.stat().st_size / 1e6:.1f} MB file) ==")
            results: dict[str, tuple[list[float], list[float]]] = {}
            refreshed = tmp / "r.xlsx"  # the book as the first refresh leaves it
            jobs = {
                "read floor (calamine, every sheet)": ("calamine", [str(book)]),
                "read floor, garbage collector off": ("calamine-gc-off", [str(book)]),
                "xlclient check": ("xlclient", ["check", str(book), "-q", "--today", TODAY]),
                "xlclient refresh": ("xlclient", ["refresh", str(book), "--out", str(refreshed), "-q",
                                                  "--today", TODAY]),
                AGAIN_FLOOR: ("calamine", [str(refreshed)]),
                AGAIN: ("xlclient", ["refresh", str(refreshed), "--out", str(tmp / "r2.xlsx"), "-q",
                                     "--today", TODAY]),
                "xlclient plan": ("xlclient", ["plan", str(book), "--out", str(tmp / "p.xlsx"), "-q",
                                               "--today", TODAY]),
                "pandas analyst script (tiers only)": ("script", [str(analyst), str(book), str(tmp / "a.xlsx")]),
            }
            for _ in range(runs):
                for name, (kind, argv) in jobs.items():
                    if kind == "script":
                        wall, mib = measured_script(Path(argv[0]), argv[1:], tmp)
                    else:
                        wall, mib = measured(kind, argv, tmp)
                    results.setdefault(name, ([], []))[0].append(wall)
                    results[name][1].append(mib)
            floor = statistics.median(results["read floor (calamine, every sheet)"][0])
            lowest = statistics.median(results["read floor, garbage collector off"][0])
            again_floor = statistics.median(results[AGAIN_FLOOR][0])
            for name, (walls, mibs) in results.items():
                per = max(mibs) * 1024 / n
                if name in (AGAIN, AGAIN_FLOOR):  # set against the floor of the book holding its results
                    against = f"x{statistics.median(walls) / again_floor:4.1f} the floor of that book"
                else:
                    against = (f"x{statistics.median(walls) / floor:4.1f} floor "
                               f"(x{statistics.median(walls) / lowest:4.1f} gc-off floor)")
                say(f"{name:<38} {summary(walls):<34} {against:<36} peak {max(mibs):7.0f} MiB "
                    f"({per:5.1f} KiB a client)")
            if n <= 10_000:
                lo = libreoffice_end_to_end(book, tmp)
                if lo is not None:
                    say(f"{'LibreOffice: native SUMIF tiers, load+recalc+save':<38} {lo:.2f} s (1 run)"
                        f"{'':<19} x{lo / floor:4.1f} floor")
            else:
                say("LibreOffice: not run at this size (30,000 rows take ~50 s; 100,000 did not finish in 10 min)")
            say()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written {RESULTS}")


def measured_script(script: Path, argv: list[str], cwd: Path) -> tuple[float, float]:
    """A Python script run in a fresh process with its own argv, measured like the rest."""
    runner = cwd / "run_script.py"
    runner.write_text(PEAK + "import sys, runpy, json\nsys.argv = [sys.argv[1]] + sys.argv[2:]\n"
                      "runpy.run_path(sys.argv[0], run_name='__main__')\n"
                      "print(json.dumps({'code': 0, 'kib': peak_kib()}), file=sys.stderr)\n", encoding="utf-8")
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, str(runner), str(script), *argv], capture_output=True, text=True,
                          cwd=cwd, timeout=7200)
    wall = time.perf_counter() - t
    try:
        info = json.loads(proc.stderr.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        raise SystemExit(f"{script} failed:\n{proc.stderr[-2000:]}")
    return wall, info["kib"] / 1024


if __name__ == "__main__":
    main()
