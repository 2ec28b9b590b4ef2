"""Benchmark: the commands end to end on a 10,000-client workbook file (SPEC 9: ``xlclient
plan`` <= 10 s), each run in a fresh Python process as a user would start it, beside the
same job done row by row through openpyxl (load, classify each row, write the sheet, save)
as the straightforward baseline. Writes ``bench/results/cli.txt``.

Run: ``python bench/bench_cli.py [--clients 10000]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from xlclient.demo import write_demo_workbook

TODAY = "2026-11-22"
RESULTS = Path(__file__).parent / "results" / "cli.txt"


def run(argv: list[str]) -> float:
    t = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv} failed ({proc.returncode}):\n{proc.stderr}")
    return elapsed


BASELINE = r'''
import sys, datetime as dt, openpyxl
src, dst = sys.argv[1], sys.argv[2]
wb = openpyxl.load_workbook(src)
ws = wb["客户台账"]
rows = list(ws.iter_rows(min_row=3, values_only=True))
header, data = rows[0], rows[1:]
col = {h: i for i, h in enumerate(header)}
def money(v):
    if isinstance(v, (int, float)): return v * 1e4
    if isinstance(v, str):
        v = v.replace(",", "")
        for unit, m in (("亿", 1e8), ("万", 1e4)):
            if v.endswith(unit):
                try: return float(v[:-1]) * m
                except ValueError: return None
    return None
vals = [money(r[col["年度投放额(万元)"]]) for r in data]
cur = sorted((v for v, r in zip(vals, data) if v and r[col["客户状态"]] in ("合作中", "现有")), reverse=True)
total = sum(cur)
out = wb.create_sheet("分级结果") if "分级结果" not in wb.sheetnames else wb["分级结果"]
out.append(["客户编号", "客户名称", "客户经理", "等级"])
for v, r in zip(vals, data):
    tier = "D"
    if v and r[col["客户状态"]] in ("合作中", "现有"):
        before = sum(x for x in cur if x > v)  # row by row, as a formula would
        tier = "A" if before / total < 0.8 else "B" if before / total < 0.95 else "C"
    out.append([r[col["客户编号"]], r[col["客户名称"]], r[col["客户经理"]], tier])
wb.save(dst)
'''


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=10_000)
    args = ap.parse_args()
    exe = shutil.which("xlclient") or f"{sys.executable} -m xlclient.cli"
    lines = [f"xlclient command-line benchmark  {dt.datetime.now():%Y-%m-%d %H:%M}",
             f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
             f"workbook: demo book with {args.clients:,} clients, each command in a fresh process", ""]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        book = tmp / "book.xlsx"
        write_demo_workbook(book, n_clients=args.clients, seed=5, today=dt.date(2026, 11, 22))
        lines.append(f"workbook size: {book.stat().st_size / 1e6:.1f} MB")
        cmd = exe.split()
        for name, extra in (("check", []), ("refresh", ["--out", str(tmp / "r.xlsx")]),
                            ("plan", ["--out", str(tmp / "p.xlsx")])):
            seconds = run(cmd + [name, str(book), "-q", "--today", TODAY] + extra)
            target = " (target <= 10 s)" if name == "plan" else ""
            lines.append(f"xlclient {name:<8} {seconds:7.2f} s{target}")
        # regenerate: plan again on the planned copy (reads the existing plan back)
        seconds = run(cmd + ["plan", str(tmp / "p.xlsx"), "-q", "--today", TODAY])
        lines.append(f"xlclient plan again on the planned workbook (regeneration) {seconds:7.2f} s")
        script = tmp / "baseline.py"
        script.write_text(BASELINE, encoding="utf-8")
        seconds = run([sys.executable, str(script), str(book), str(tmp / "b.xlsx")])
        lines.append(f"baseline: openpyxl load + row-by-row Pareto tier only + save  {seconds:7.2f} s")
    text = "\n".join(lines) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
