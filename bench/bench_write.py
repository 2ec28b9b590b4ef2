"""Benchmark of writing an owned sheet into a workbook (xlclient.xlsx.owned).

Times, for a 10,000-row x 12-column Classification-like sheet (text incl. Chinese, ints,
floats, dates, datetimes, blanks) written into a small client book:

* ``build_worksheet_xml``: generating the worksheet XML alone;
* ``build_workbook``: the whole package in memory (XML + splices + zip);
* ``write_owned_sheets``: end to end on disk (read, build, temp file, fsync, backup, rename);

side by side with openpyxl writing the same sheet:

* write-only workbook (``Workbook(write_only=True)``, append rows, save) -- a new file only;
* normal mode: ``load_workbook`` of the same book, add the sheet, ``save`` -- what a
  straightforward implementation would do (and which drops cached values, controls and
  extension lists).

Run ``python bench/bench_write.py``; results go to ``bench/results/write.txt``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout
import openpyxl  # noqa: E402
import xlsxwriter  # noqa: E402

from xlclient.xlsx.owned import SheetSpec, build_workbook, write_owned_sheets  # noqa: E402
from xlclient.xlsx.styles import StyleBook  # noqa: E402
from xlclient.xlsx.package import Package  # noqa: E402
from xlclient.xlsx.worksheet import build_worksheet_xml  # noqa: E402

ROWS, COLS = 10_000, 12
REPEATS = 5
HEADER = ["客户编号", "客户名称", "客户经理", "等级", "象限", "意向阶段", "RFM", "RFM分类",
          "购买可能性", "下次拜访", "最近联系", "复盘"]


def synthetic_rows(n: int = ROWS, seed: int = 0) -> list[list[object]]:
    rng = random.Random(seed)
    owners = ["张三", "李四", "王五", "赵六", "Alice Wong"]
    start = dt.date(2026, 1, 1)
    rows = [HEADER]
    for i in range(n):
        rows.append([
            f"C{i:06d}", f"北京{rng.choice('甲乙丙丁')}广告有限公司{i}", rng.choice(owners),
            rng.choice("ABCD"), rng.choice(["重要价值客户", "重要发展客户", "一般维持客户"]),
            rng.choice(["初步接触", "需求确认", "方案报价", "谈判", None]), rng.randint(111, 555),
            rng.choice(["冠军", "忠诚", "流失风险"]), rng.random(),
            start + dt.timedelta(days=rng.randint(0, 120)),
            dt.datetime(2025, 12, 1, 9) + dt.timedelta(minutes=rng.randint(0, 90_000)),
            rng.choice(["", "=按时跟进", "重点关注：预算增加 😀", "-"]),
        ])
    return rows


def base_book() -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("客户台账")
    ws.write_row(0, 0, ["客户编号", "客户名称", "年营收"])
    for r in range(1, 200):
        ws.write_row(r, 0, [f"C{r:06d}", f"客户{r}", r * 1000])
        ws.write_formula(r, 3, f"=C{r + 1}*2", None, r * 2000)
    wb.close()
    return buf.getvalue()


def best(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),)
    rows = synthetic_rows()
    spec = SheetSpec("分级结果", rows, column_widths={1: 28}, number_formats={8: "0%"},
                     data_validations=[("D2:D10001", ["A", "B", "C", "D"])])
    book = base_book()
    styles_text = Package(book).read_text("/xl/styles.xml")[0]

    t_xml = best(lambda: build_worksheet_xml(spec, StyleBook(styles_text)))
    xml_size = len(build_worksheet_xml(spec, StyleBook(styles_text))[0])
    t_build = best(lambda: build_workbook(book, [spec]))
    out_size = len(build_workbook(book, [spec]).data)

    folder = Path(tempfile.mkdtemp(prefix="xlclient-bench-"))
    try:
        path = folder / "book.xlsx"
        path.write_bytes(book)
        t_write = best(lambda: write_owned_sheets(path, [spec], backups=1))
        written = build_workbook(book, [spec]).data

        def opx_write_only():
            wb = openpyxl.Workbook(write_only=True)
            ws = wb.create_sheet("分级结果")
            for row in rows:
                ws.append(row)
            wb.save(folder / "opx_wo.xlsx")

        def opx_normal():
            wb = openpyxl.load_workbook(io.BytesIO(book))
            ws = wb.create_sheet("分级结果")
            for row in rows:
                ws.append(row)
            wb.save(folder / "opx.xlsx")

        t_opx_wo = best(opx_write_only, 3)
        t_opx = best(opx_normal, 3)
        t_read = best(lambda: openpyxl.load_workbook(io.BytesIO(written), read_only=True)["分级结果"].max_row, 1)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    cpus = os.cpu_count()
    lines = [
        f"owned-sheet write benchmark, {ROWS:,} rows x {COLS} columns (+ header), best of {REPEATS}",
        f"python {platform.python_version()}, openpyxl {openpyxl.__version__}, {cpus} CPUs, {platform.machine()}, "
        f"load average at start {load[0]:.1f}",
        f"worksheet XML {xml_size / 1e6:.1f} MB, workbook written {out_size / 1e6:.2f} MB",
        "",
        f"build_worksheet_xml (XML only):              {t_xml * 1000:7.1f} ms",
        f"build_workbook (XML + splices + zip, memory): {t_build * 1000:7.1f} ms",
        f"write_owned_sheets (disk, fsync, backup):     {t_write * 1000:7.1f} ms",
        "",
        "side by side, openpyxl writing the same sheet:",
        f"  write-only new workbook, append + save:     {t_opx_wo * 1000:7.1f} ms ({t_opx_wo / t_write:.1f}x ours)",
        f"  load book + add sheet + save (normal mode): {t_opx * 1000:7.1f} ms ({t_opx / t_write:.1f}x ours)",
        f"  (openpyxl read-only open of our result, once: {t_read * 1000:.1f} ms)",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = main()
    out = Path(__file__).resolve().parent / "results" / "write.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text, end="")
