"""The command-line jobs on workbooks xlclient did not make: ``init``, ``refresh``, ``plan``
and ``dashboard`` run in process (``xlclient.cli.main``) on a copy of each Excel-made
workbook of the shared corpus, on the demo workbook, on the template (workbook/xlclient.xlsm)
and on the client books of tests/client_books.py.  For each book:

* no Python traceback ever, and no "internal error" (cli.main catches a bug, prints the
  traceback on stderr and exits 2);
* ``init`` exits 0; a second ``init`` changes nothing; a job that exits 2 leaves the file
  byte-identical (a book without a client table: refresh, plan and dashboard refuse with
  "找不到客户表 ... / no sheet has a header row naming the client ...");
* openxml-audit (tests/ooxml_audit.py) finds nothing in the result that it did not find in
  the input, except findings Excel accepts, each listed with its reason in ``ALLOWED``;
* openpyxl still loads the result, python-calamine still opens it and reads every sheet it
  read before, and both see the sheets ``init`` added.

The whole corpus (each book also given a small client table after ``init``, so that refresh,
plan and dashboard write into every Excel-made book) takes about 4 minutes on two cores (two
worker processes, like tests/test_xlsx_corpus.py); ``python bench/corpus_jobs.py`` runs it
and writes the figures to bench/results/corpus_jobs.txt.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import warnings
import zipfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("openxml_audit", reason="openxml-audit is not installed (pip install openxml-audit)")

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # for bench/corpus_jobs.py, which imports this module
    sys.path.insert(0, str(HERE))

from adversary import client_rows, run_main  # noqa: E402,F401
from ooxml_audit import allowed_reason, audit, new_findings, written_parts  # noqa: E402

TODAY = "2026-03-02"
JOBS = ("init", "refresh", "plan", "dashboard")
TEMPLATE = HERE.parent / "workbook" / "xlclient.xlsm"


from corpus_path import corpus_dir, corpus_workbooks as workbooks  # noqa: E402,F401


# --------------------------------------------------------------------------- one book


run_cli = run_main  # xlclient.cli.main in this process (tests/adversary.py)


def _message(stdout: str, stderr: str) -> str:
    """The one-line gist of a run: the JSON error, else the last non-progress stderr line."""
    try:
        payload = json.loads(stdout.strip().splitlines()[-1]) if stdout.strip() else {}
    except (json.JSONDecodeError, IndexError):
        payload = {}
    if payload.get("error"):
        return " ".join(str(payload["error"]).split())
    lines = [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith("[")]
    return " ".join(lines[-1].split()) if lines else ""


def _calamine_sheets(data: bytes) -> tuple[list[str], set[str], str | None]:
    """(sheet names, sheets read without error, error opening) by python-calamine."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as e:
        return [], set(), f"{type(e).__name__}: {e}"
    readable = set()
    for name in wb.sheet_names:
        try:
            wb.get_sheet_by_name(name).to_python()
            readable.add(name)
        except Exception:
            pass
    return list(wb.sheet_names), readable, None


def _openpyxl_sheets(data: bytes, vba: bool) -> tuple[list[str], str | None]:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), keep_vba=vba)
        if getattr(wb, "vba_archive", None) is not None:  # kept open by keep_vba
            wb.vba_archive.close()
        return list(wb.sheetnames), None
    except Exception as e:
        return [], f"{type(e).__name__}: {e}"


CLIENT_TABLE = "客户台账"


def add_client_table(path: Path) -> str | None:
    """Put a client table sheet into the book with xlclient's own writer (so that refresh,
    plan and dashboard write on every Excel-made book); the reason when it cannot."""
    from xlclient.xlsx.errors import XlsxWriteError
    from xlclient.xlsx.owned import SheetSpec, build_workbook

    try:
        data = build_workbook(path.read_bytes(), [SheetSpec(CLIENT_TABLE, client_rows())]).data
    except XlsxWriteError as e:
        return f"{type(e).__name__}: {e}"
    path.write_bytes(data)
    return None


def check_book(src: Path, expect_table: bool = False, client_table: bool = False) -> dict:
    """Run the jobs on a copy of ``src``; return a record of what happened and every problem.

    ``expect_table``: the book has a client table, so refresh, plan and dashboard must run
    (exit 0 or 1). ``client_table``: put one in after ``init`` (see add_client_table)."""
    rec: dict = {"name": src.name, "codes": {}, "messages": {}, "findings_before": 0, "findings_after": 0,
                 "new": [], "allowed": [], "problems": [], "written": False}
    problems = rec["problems"]
    with tempfile.TemporaryDirectory(prefix="xlc-jobs-") as tmp:
        path = Path(tmp) / src.name
        shutil.copyfile(src, path)
        original = path.read_bytes()
        vba = path.suffix.lower() == ".xlsm"
        before = audit(path)
        rec["findings_before"] = len(before)
        seen_new: set = set()
        added: list[str] = []
        for step in (*JOBS[:1], "init again", *JOBS[1:]):
            cmd = step.split()[0]
            data_before = path.read_bytes()
            code, out, err = run_cli([cmd, str(path), "--json", "--today", TODAY])
            rec["codes"][step] = code
            rec["messages"][step] = _message(out, err)
            if "Traceback" in err or code == -1:
                problems.append(f"{step}: traceback: {err.strip().splitlines()[-1] if err.strip() else ''}")
            if "internal error" in err:
                problems.append(f"{step}: {rec['messages'][step]}")
            changed = path.read_bytes() != data_before
            rec["written"] |= changed
            if step == "init":
                if code != 0:
                    problems.append(f"init exited {code}: {rec['messages'][step]}")
                try:
                    added = json.loads(out.strip().splitlines()[-1]).get("added") or []
                except (json.JSONDecodeError, IndexError, AttributeError):
                    problems.append(f"init --json printed no JSON: {out[:200]!r}")
            elif step == "init again" and (code != 0 or changed):
                problems.append(f"a second init exited {code}{' and changed the file' if changed else ''}")
            if step == "init again" and client_table:
                why = add_client_table(path)
                rec["messages"]["table"] = why or "added"
                expect_table = why is None
            elif code not in (0, 1, 2):
                problems.append(f"{step} exited {code}")
            if code == 2 and changed:
                problems.append(f"{step} exited 2 but changed the workbook")
            if expect_table and cmd in JOBS[1:] and code not in (0, 1):
                problems.append(f"{step} exited {code} on a book with a client table: {rec['messages'][step]}")
            if changed:  # findings the input did not have, charged to the job that made them
                found = audit(path)
                rec["findings_after"] = len(found)
                written = written_parts(original, path.read_bytes())
                for f in new_findings(before, found):
                    if f in seen_new:
                        continue
                    seen_new.add(f)
                    reason = allowed_reason(f, written)
                    if reason:
                        rec["allowed"].append(f"{step}: {f}")
                    else:
                        ours = " (a part xlclient wrote)" if f.part in written else ""
                        rec["new"].append(f"{step}: {f}{ours}")
                        problems.append(f"{step}: new openxml-audit finding{ours}: {f}")
        if not rec["written"]:
            rec["findings_after"] = len(before)
        final = path.read_bytes()
        # openpyxl and python-calamine: what opened before still opens, and sees our sheets
        names_before, err_before = _openpyxl_sheets(original, vba)
        names_after, err_after = _openpyxl_sheets(final, vba)
        rec["openpyxl_input_error"] = err_before
        if err_after and not err_before:
            problems.append(f"openpyxl no longer loads it: {err_after}")
        elif not err_after and (names_after[:len(names_before)] != names_before or not set(added) <= set(names_after)):
            problems.append(f"openpyxl sheets {names_after} (before {names_before}, added {added})")
        cal_before, read_before, cal_err_before = _calamine_sheets(original)
        cal_after, read_after, cal_err_after = _calamine_sheets(final)
        rec["calamine_input_error"] = cal_err_before or (
            f"cannot read sheets {sorted(set(cal_before) - read_before)}" if set(cal_before) - read_before else None)
        if cal_err_after and not cal_err_before:
            problems.append(f"python-calamine no longer opens it: {cal_err_after}")
        elif not cal_err_after:
            if not set(added) <= read_after:
                problems.append(f"python-calamine cannot read added sheets {sorted(set(added) - read_after)}")
            if not read_before <= read_after:
                problems.append(f"python-calamine no longer reads {sorted(read_before - read_after)}")
            if cal_after[:len(cal_before)] != cal_before:
                problems.append(f"python-calamine sheets {cal_after} (before {cal_before})")
    return rec


def check_many(paths: list[Path]) -> list[dict]:
    out = []
    for path in paths:
        started = time.perf_counter()
        try:
            rec = check_book(path, client_table=True)
        except Exception as exc:  # report every file, not just the first
            rec = {"name": path.name, "codes": {}, "messages": {}, "findings_before": 0, "findings_after": 0,
                   "new": [], "allowed": [], "written": False,
                   "problems": [f"check crashed: {type(exc).__name__}: {exc}"]}
        rec["seconds"] = time.perf_counter() - started
        out.append(rec)
    return out


def run_corpus(paths: list[Path], workers: int = 2) -> list[dict]:
    """check_many over ``paths`` in ``workers`` processes (interleaved, so big files spread)."""
    workers = max(1, min(workers, len(paths)))
    if workers == 1:
        return check_many(paths)
    chunks = [paths[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        records = [r for part in pool.map(check_many, chunks) for r in part]
    return sorted(records, key=lambda r: r["name"])


def summary(records: list[dict]) -> list[str]:
    """The figures of a run: exit codes per job, messages of the refusals, findings."""
    lines = [f"workbooks: {len(records)}; written by init: {sum(r['written'] for r in records)}"]
    for step in (*JOBS[:1], "init again", *JOBS[1:]):
        codes = Counter(r["codes"].get(step, "not run") for r in records)
        lines.append(f"{step:<10} exit codes: " + ", ".join(f"{c}: {n}" for c, n in sorted(codes.items(), key=str)))
        msgs = Counter(r["messages"].get(step, "")[:160] for r in records if r["codes"].get(step) == 2)
        for m, n in msgs.most_common(5):
            lines.append(f"           exit 2 x{n}: {m}")
    lines.append(f"openxml-audit findings: {sum(r['findings_before'] for r in records)} in the inputs "
                 f"({sum(1 for r in records if r['findings_before'])} files), "
                 f"{sum(r['findings_after'] for r in records)} in the results "
                 f"({sum(1 for r in records if r['findings_after'])} files)")
    lines.append(f"new findings: {sum(len(r['new']) for r in records)} real, "
                 f"{sum(len(r['allowed']) for r in records)} allowed")
    lines.append(f"inputs openpyxl cannot load: {sum(1 for r in records if r.get('openpyxl_input_error'))}; "
                 f"inputs python-calamine cannot open or read in full: "
                 f"{sum(1 for r in records if r.get('calamine_input_error'))}")
    lines.append(f"books with problems: {sum(1 for r in records if r['problems'])}")
    return lines


# --------------------------------------------------------------------------- tests

CORPUS = corpus_dir()


def _fail_on_problems(records: list[dict], limit: int = 20) -> None:
    """Fail with every problem of the first ``limit`` books that have any (not truncated)."""
    bad = [r for r in records if r["problems"]]
    if bad:
        lines = [f"{len(bad)} of {len(records)} books with problems:"]
        for r in bad[:limit]:
            lines += [f"{r['name']}:"] + [f"    {p}" for p in r["problems"][:8]]
        pytest.fail("\n".join(lines), pytrace=False)


def _allowed_counts(records: list[dict]) -> str:
    kinds = Counter(a.split("] ")[0].split(": ", 1)[1] + "]" for r in records for a in r["allowed"])
    return ", ".join(f"{k} x{n}" for k, n in kinds.items()) or "none"


def test_audit_sees_what_a_writer_breaks(tmp_path):
    """The check itself: a finding added to a part is new, one the input had is not, one
    whose location moved is not, and the allow-list takes only what it names."""
    import xlsxwriter

    from ooxml_audit import Finding, zip_members

    book = tmp_path / "small.xlsx"
    wb = xlsxwriter.Workbook(book)
    ws = wb.add_worksheet("Data")
    ws.write_row(0, 0, ["Client", "Billings"])
    ws.write_row(1, 0, ["Acme", 120])
    wb.close()
    before = audit(book)
    assert not [f for f in before if f.severity == "error"], before
    members = zip_members(book.read_bytes())
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    members["xl/worksheets/sheet1.xml"] = sheet.replace("<sheetData>", "<sheetData><bogus/>").encode()
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    new = new_findings(before, audit(broken))
    assert any(f.part == "/xl/worksheets/sheet1.xml" and f.severity == "error" for f in new), new
    assert not [f for f in new if allowed_reason(f, {"/xl/worksheets/sheet1.xml"})]
    old = Finding("/xl/styles.xml", "/x:styleSheet[1]/x:fonts[1]/x:font[1]", "", "error", "sdk_proxy", "Unexpected")
    moved = old._replace(location="/x:styleSheet[1]/x:fonts[1]/x:font[2]")
    assert new_findings([old], [moved]) == []
    assert new_findings([old], [old, moved]) == [moved]
    inline = Finding("/xl/worksheets/sheet9.xml", "", "Excel_InlineStrCells", "warning", "excel_app_compat", "...")
    assert allowed_reason(inline, {"/xl/worksheets/sheet9.xml"})
    assert not allowed_reason(inline, set())  # not in a part we wrote: not ours to excuse
    assert not allowed_reason(inline._replace(severity="error"), {"/xl/worksheets/sheet9.xml"})


@pytest.mark.slow
@pytest.mark.skipif(CORPUS is None, reason="shared/corpus/excel-made not found beside the repo")
def test_jobs_on_excel_made_corpus():
    """All 993 Excel-made workbooks, each given a client table after init so that refresh,
    plan and dashboard write into every one of them."""
    files = workbooks()
    assert len(files) == 993, len(files)
    started = time.perf_counter()
    records = run_corpus(files, workers=min(2, os.cpu_count() or 1))
    elapsed = time.perf_counter() - started
    print(f"\ncorpus jobs: {len(records)} workbooks in {elapsed:.1f} s\n" + "\n".join(summary(records)))
    print(f"allowed: {_allowed_counts(records)}")
    _fail_on_problems(records)


@pytest.mark.slow
def test_jobs_on_demo_and_template(tmp_path):
    """Books with a client table, where refresh, plan and dashboard write."""
    demo = tmp_path / "demo.xlsx"
    code, out, err = run_cli(["demo", "--out", str(demo), "--today", TODAY, "-q"])
    assert code == 0 and "Traceback" not in err, err
    books = [demo] + ([TEMPLATE] if TEMPLATE.is_file() else [])
    records = [check_book(book, expect_table=True) for book in books]
    for r in records:
        print(r["name"], r["codes"], f"findings {r['findings_before']} -> {r['findings_after']}",
              f"allowed: {_allowed_counts([r])}")
        assert r["written"]
    _fail_on_problems(records)


def check_client_books(names: list[str]) -> list[dict]:
    """check_book on the client books of tests/client_books.py (built here, in a temp dir)."""
    from client_books import BOOKS

    out = []
    for name in names:
        with tempfile.TemporaryDirectory(prefix="xlc-books-") as tmp:
            try:
                path, _truth = BOOKS[name](Path(tmp))
                # the refuse_* books may be refused outright; every other one must be worked
                rec = check_book(path, expect_table=not name.startswith("refuse_"))
            except Exception as exc:
                rec = {"codes": {}, "allowed": [], "written": False,
                       "problems": [f"check crashed: {type(exc).__name__}: {exc}"]}
        rec["name"] = name
        out.append(rec)
    return out


@pytest.mark.slow
def test_jobs_on_client_books():
    """The client books of other makers (pandas, openpyxl, WPS, Google Sheets ...): refresh,
    plan and dashboard really write here, into books Excel did not make."""
    client_books = pytest.importorskip("client_books")
    names = list(client_books.BOOKS)
    workers = min(2, os.cpu_count() or 1)
    if workers > 1:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            records = [r for part in pool.map(check_client_books, [names[i::workers] for i in range(workers)])
                       for r in part]
    else:
        records = check_client_books(names)
    for r in sorted(records, key=lambda r: r["name"]):
        print(r["name"], r["codes"], f"findings {r.get('findings_before')} -> {r.get('findings_after')}",
              f"allowed: {_allowed_counts([r])}")
    assert len(records) == len(names)
    _fail_on_problems(records)
