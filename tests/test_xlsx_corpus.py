"""Write owned sheets into every Excel-made workbook of the shared corpus and prove that
nothing else changed.

For each workbook: add two owned sheets (one Chinese-named, with dates, numbers,
formula-looking text and a drop-down list), then replace one of them again.  Then:

* every zip member other than our sheet parts, workbook.xml, its rels, the content
  types and styles.xml is byte-identical after decompression -- and, since we copy
  members compressed, identical in its compressed bytes too;
* the four shared parts are the original text with insertions only;
* openpyxl and python-calamine open the result and read our values back exactly.

The corpus is shared/corpus/excel-made (1,002 files: 993 workbooks plus 9 VBA project
binaries and text files that XlsxWriter's tests use as inputs; those are not workbooks).
"""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import os
import time
import warnings
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from xlclient.xlsx.cells import decode_xstring
from xlclient.xlsx.owned import FILTER_DATABASE, SheetSpec, build_workbook
from xlclient.xlsx.package import list_sheets
from xlclient.xlsx.verify import insertion_only, owned_parts_diff, raw_changed_members


from corpus_path import corpus_dir  # noqa: E402


CORPUS = corpus_dir()
pytestmark = pytest.mark.skipif(CORPUS is None, reason="shared/corpus/excel-made not found beside the repo")

CN_NAME = "分级结果"
EN_NAME = "Visit Plan"
SHARED = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}

CN_ROWS = [
    ["客户编号", "客户名称", "下次拜访", "最近联系", "购买可能性", "金额", "状态", "备注"],
    ["C001", "=SUM(A1:A9)", dt.date(2026, 3, 5), dt.datetime(2026, 3, 5, 14, 30), 0.35, 1200000, "计划", "+86 138"],
    ["C002", "@mention", dt.date(1999, 12, 31), dt.datetime(2026, 1, 1, 9, 0, 0), 1.0, 3.14159, "已完成", "-5%"],
    ["C003", "北京 广告 😀", dt.date(1899, 12, 30), None, 0.0, -0.1, "已取消", "_x0041_"],
    [None, "tab\there\nnew line", dt.date(9999, 12, 31), dt.datetime(1900, 3, 1, 0, 0, 1), 2, True, False, "a\x01b"],
]
CN_SPEC = SheetSpec(
    CN_NAME, CN_ROWS, column_widths={1: 24.5, 7: 30}, number_formats={4: "0%", 5: "#,##0.00"},
    data_validations=[("G2:G500", ["计划", "已完成", "已取消"])], tab_color="4472C4",
)
EN_ROWS = [["Date", "Owner", "ClientID"], [dt.date(2026, 4, 1), "张三", "C001"]]
EN_SPEC = SheetSpec(EN_NAME, EN_ROWS, autofilter=False)
CN_SPEC_AGAIN = SheetSpec(CN_NAME, CN_ROWS[:3] + [["C009", "replaced", dt.date(2026, 5, 1), None, 0.5, 7, "计划", ""]],
                          number_formats={4: "0%"}, data_validations=[("G2:G100", ["计划", "已完成"])])
NAMES = {"xlc_tier_a": f"'{EN_NAME}'!$A$1", "xlc_分级": f"{CN_NAME}!$A$1:$H$5"}


def workbooks() -> list[Path]:
    if CORPUS is None:
        return []
    return sorted(p for p in CORPUS.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm"))


def expected_cell(value, date1904: bool):
    """What a reader gives back for a value we wrote (dates Excel can't hold -> ISO text)."""
    if isinstance(value, dt.date):
        floor = dt.date(1904, 1, 1) if date1904 else dt.date(1900, 1, 1)
        day = value.date() if isinstance(value, dt.datetime) else value
        if day < floor:
            return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return value


def same(got, want) -> bool:
    if isinstance(want, str) and isinstance(got, str):
        return decode_xstring(got) == want
    if isinstance(want, dt.datetime):
        return isinstance(got, dt.datetime) and got == want
    if isinstance(want, dt.date):
        return got == want or (isinstance(got, dt.datetime) and got == dt.datetime.combine(want, dt.time()))
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want
    if isinstance(want, (int, float)):
        return isinstance(got, (int, float)) and float(got) == float(want)
    return got == want


def check_rows(rows_got, rows_want, date1904: bool, blank) -> list[str]:
    problems = []
    for r, want_row in enumerate(rows_want):
        got_row = list(rows_got[r]) if r < len(rows_got) else []
        for c, want in enumerate(want_row):
            got = got_row[c] if c < len(got_row) else blank
            want = expected_cell(want, date1904) if want is not None else blank
            if not same(got, want):
                problems.append(f"R{r + 1}C{c + 1}: {got!r} != {want!r}")
    return problems


def check_one(path: Path) -> list[str]:
    """All checks for one workbook; returns a list of problems (empty = fine)."""
    original = path.read_bytes()
    first = build_workbook(original, [CN_SPEC, EN_SPEC], defined_names=NAMES)
    second = build_workbook(first.data, [CN_SPEC_AGAIN])
    final = second.data
    problems = []
    if first.added != [CN_NAME, EN_NAME] or second.replaced != [CN_NAME] or second.added:
        problems.append(f"added/replaced wrong: {first.added} {second.replaced} {second.added}")
    ours = {first.sheet_parts[CN_NAME], first.sheet_parts[EN_NAME]}
    if second.sheet_parts[CN_NAME] != first.sheet_parts[CN_NAME]:
        problems.append("replaced sheet moved to another part")
    changed = set(owned_parts_diff(original, final))
    if not changed <= SHARED | ours:
        problems.append(f"members changed that are not ours: {sorted(changed - SHARED - ours)}")
    raw = set(raw_changed_members(original, final))
    if not raw <= SHARED:
        problems.append(f"members re-compressed: {sorted(raw - SHARED)}")
    # (owned_parts_diff read every member, which checks each CRC)
    with zipfile.ZipFile(io.BytesIO(original)) as zo, zipfile.ZipFile(io.BytesIO(final)) as zf:
        for member in sorted(changed & SHARED):
            report = insertion_only(zo.read(member).decode("utf-8"), zf.read(member).decode("utf-8"))
            if not report:
                problems.append(f"{member} not insertion-only: {report.problems}")
        wb_text = zf.read("xl/workbook.xml").decode("utf-8")
    date1904 = 'date1904="1"' in wb_text or 'date1904="true"' in wb_text
    sheets = list_sheets(final)
    before = list_sheets(original)
    if [s.name for s in sheets] != [s.name for s in before] + [CN_NAME, EN_NAME]:
        problems.append(f"sheet order wrong: {[s.name for s in sheets]}")
    if [(s.sheet_id, s.rid, s.part) for s in sheets[: len(before)]] != [(s.sheet_id, s.rid, s.part) for s in before]:
        problems.append("existing sheets' ids or parts changed")
    if wb_text.count(FILTER_DATABASE) != zipfile.ZipFile(io.BytesIO(original)).read(
            "xl/workbook.xml").decode("utf-8").count(FILTER_DATABASE) + 1:
        problems.append("expected exactly one _FilterDatabase name for the Chinese sheet")
    # openpyxl
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(final), keep_vba=path.suffix == ".xlsm")
    got = [[c.value for c in row] for row in wb[CN_NAME].iter_rows()]
    problems += [f"openpyxl {p}" for p in check_rows(got, CN_SPEC_AGAIN.rows, date1904, None)]
    got = [[c.value for c in row] for row in wb[EN_NAME].iter_rows()]
    problems += [f"openpyxl {p}" for p in check_rows(got, EN_ROWS, date1904, None)]
    if wb.defined_names.get("xlc_tier_a") is None or wb.defined_names["xlc_tier_a"].attr_text != NAMES["xlc_tier_a"]:
        problems.append("defined name xlc_tier_a not read back")
    # calamine
    cal = CalamineWorkbook.from_filelike(io.BytesIO(final))
    got = cal.get_sheet_by_name(CN_NAME).to_python()
    problems += [f"calamine {p}" for p in check_rows(got, CN_SPEC_AGAIN.rows, date1904, "")]
    return problems


def test_corpus_present():
    files = workbooks()
    assert len(files) == 993, len(files)
    others = sorted(p.name for p in CORPUS.iterdir() if p.suffix.lower() not in (".xlsx", ".xlsm"))
    assert len(files) + len(others) == 1002, others


def check_many(paths: list[Path]) -> dict[str, list[str]]:
    failures = {}
    for path in paths:
        try:
            problems = check_one(path)
        except Exception as exc:  # report every file, not just the first
            problems = [f"{type(exc).__name__}: {exc}"]
        if problems:
            failures[path.name] = problems
    return failures


def test_whole_corpus_keeps_everything_not_ours():
    started = time.perf_counter()
    files = workbooks()
    workers = min(4, os.cpu_count() or 1)
    if workers > 1:
        chunks = [files[i::workers] for i in range(workers)]
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            failures = {k: v for part in pool.map(check_many, chunks) for k, v in part.items()}
    else:
        failures = check_many(files)
    elapsed = time.perf_counter() - started
    print(f"\ncorpus: {len(workbooks())} workbooks checked in {elapsed:.1f} s")
    assert not failures, {k: v[:3] for k, v in list(failures.items())[:10]}


def test_insertion_only_detects_edits():
    assert insertion_only("<a><b/></a>", "<a><b/><c/></a>")
    assert insertion_only('<a count="1"><b/></a>', '<a count="2"><b/><b/></a>')
    assert not insertion_only("<a><b/></a>", "<a><c/></a>")
    assert not insertion_only('<a x="1"/>', "<a x='1'/>")
