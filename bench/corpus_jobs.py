"""The command-line jobs (init, init again, refresh, plan, dashboard) on every Excel-made
workbook of the shared corpus, on the demo workbook, the template and the client books of
tests/client_books.py, with openxml-audit findings before and after -- the same checks as
tests/test_corpus_jobs.py, with the figures written to ``bench/results/corpus_jobs.txt``.

Run: ``python bench/corpus_jobs.py [--workers 2]`` (needs ``pip install openxml-audit``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))

import test_corpus_jobs as jobs  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "corpus_jobs.txt"


def allowed_kinds(records: list[dict]) -> Counter:
    return Counter(a.split("] ")[0].split(": ", 1)[1] + "]" for r in records for a in r.get("allowed", []))


def section(title: str, records: list[dict], elapsed: float) -> list[str]:
    secs = sorted((r.get("seconds", 0.0), r["name"]) for r in records)
    lines = [f"== {title}: {len(records)} workbooks in {elapsed:.1f} s wall"]
    if secs and secs[-1][0]:
        lines.append(f"per workbook (in its worker): median {secs[len(secs) // 2][0] * 1000:.0f} ms, "
                     f"slowest {secs[-1][1]} {secs[-1][0]:.2f} s")
    lines += jobs.summary(records)
    kinds = allowed_kinds(records)
    lines.append("allowed new findings: " + (", ".join(f"{k} x{n}" for k, n in kinds.items()) or "none"))
    for r in records:
        for p in r["problems"]:
            lines.append(f"PROBLEM {r['name']}: {p}")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    import openxml_audit

    out = [f"# corpus_jobs  {dt.datetime.now():%Y-%m-%d %H:%M}  Python {platform.python_version()}  "
           f"openxml-audit {openxml_audit.__version__}  {os.cpu_count()} CPUs, {args.workers} workers"]

    files = jobs.workbooks()
    if files:
        started = time.perf_counter()
        records = jobs.run_corpus(files, workers=args.workers)
        out += section(f"Excel-made corpus ({jobs.corpus_dir()})", records, time.perf_counter() - started)
    else:
        out.append("== Excel-made corpus not found (XLCLIENT_CORPUS or ../shared/corpus/excel-made)")

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo.xlsx"
        code, _, err = jobs.run_cli(["demo", "--out", str(demo), "--today", jobs.TODAY, "-q"])
        if code != 0:
            raise SystemExit(f"xlclient demo exited {code}:\n{err}")
        books = [demo] + ([jobs.TEMPLATE] if jobs.TEMPLATE.is_file() else [])
        records = [jobs.check_book(b, expect_table=True) for b in books]
    out += section("demo workbook and template", records, time.perf_counter() - started)

    try:
        from client_books import BOOKS
    except ImportError:
        BOOKS = {}
    if BOOKS:
        names = list(BOOKS)
        started = time.perf_counter()
        with ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            records = [r for part in pool.map(jobs.check_client_books,
                                              [names[i::args.workers] for i in range(args.workers)]) for r in part]
        out += section("client books (tests/client_books.py)", sorted(records, key=lambda r: r["name"]),
                       time.perf_counter() - started)

    text = "\n".join(out) + "\n"
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text, end="")


if __name__ == "__main__":
    main()
