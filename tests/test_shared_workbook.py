"""A workbook on a shared drive: nothing a person does to it is lost (SPEC 8, issue 11).

Each test first sets up what a colleague does in Excel (simulated with openpyxl or
XlsxWriter writing the file, as Excel's save would), then runs xlclient the way a user
does (``xlclient.cli.main``), then checks the file.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import multiprocessing
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.worksheet.table import Table, TableStyleInfo

from xlclient import cli, jobs
from xlclient.cli import main
from xlclient.demo import write_demo_workbook
from xlclient.xlsx.safewrite import BACKUP_DIR, TEMP_PREFIX, backups_of, remove_stale_temps
from xlclient.xlsx.session import LOCK_PREFIX, RunLock

TODAY = "2026-11-20"


@pytest.fixture(scope="module")
def planned_demo(tmp_path_factory) -> Path:
    """A 60-client demo book, refreshed and planned once (as a team would have it)."""
    path = tmp_path_factory.mktemp("shared") / "台账.xlsx"
    write_demo_workbook(path, n_clients=60, seed=11, today=dt.date(2026, 11, 20))
    assert main(["refresh", str(path), "--today", TODAY, "-q"]) == 1
    assert main(["plan", str(path), "--today", TODAY, "--start", "2026-11-23", "-q"]) == 1
    shutil.rmtree(path.parent / BACKUP_DIR)
    return path


@pytest.fixture
def book(planned_demo, tmp_path) -> Path:
    path = tmp_path / planned_demo.name
    shutil.copy(planned_demo, path)
    return path


def run(capsys, *argv: str) -> tuple[int, dict, str]:
    capsys.readouterr()
    code = main([*argv, "--json", "-q"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def save_as_person(path: Path, edit) -> None:
    """What a colleague's Excel save does: a whole new file, put in place atomically."""
    wb = openpyxl.load_workbook(path)
    edit(wb)
    tmp = path.with_name("~person-" + path.name)
    wb.save(tmp)
    os.replace(tmp, path)


def log_lines(path: Path) -> list[list]:
    ws = openpyxl.load_workbook(path)["运行日志"]
    return [[c.value for c in row] for row in ws.iter_rows(min_row=2)]


# ---------------------------------------------------------------- saves and runs at once


def test_a_save_between_read_and_write_is_never_overwritten(book, capsys, monkeypatch):
    """The save lands while xlclient computes: the old writer took its stamp at write time
    and replaced the person's save with a plan computed from the old file."""
    real_plan = jobs.plan

    def plan_while_someone_saves(*args, **kwargs):
        save_as_person(book, lambda wb: wb["客户台账"].cell(2, 30, "王芳 14:02 改了预算"))
        return real_plan(*args, **kwargs)

    monkeypatch.setattr(cli, "plan", plan_while_someone_saves)
    saved = None
    code, result, err = run(capsys, "plan", str(book), "--today", TODAY)
    saved = book.read_bytes()
    assert code == 2 and "error" in result and "written" not in result
    assert "被他人保存过" in result["error"] and "重新运行" in result["error"]
    assert openpyxl.load_workbook(book)["客户台账"].cell(2, 30).value == "王芳 14:02 改了预算"
    assert book.read_bytes() == saved and backups_of(book) == []
    # run again: it works on the new file and keeps the save
    monkeypatch.setattr(cli, "plan", real_plan)
    code, result, _ = run(capsys, "plan", str(book), "--today", TODAY)
    assert code in (0, 1) and result["written"]
    assert openpyxl.load_workbook(book)["客户台账"].cell(2, 30).value == "王芳 14:02 改了预算"


def test_a_save_with_the_same_size_and_time_is_still_noticed(book, capsys, monkeypatch):
    """Network drives keep file times to 2 seconds: the stamp can match while the bytes
    differ, so the write also compares a hash of what was read."""
    real_refresh = jobs.refresh

    def refresh_while_someone_saves(inputs, **kwargs):
        st = os.stat(book)
        data = bytearray(book.read_bytes())
        assert data[:4] == b"PK\x03\x04"
        data[10] ^= 0x01  # the first member's modification time: still a valid workbook, other bytes
        with open(book, "r+b") as f:  # rewritten in place, same size
            f.write(data)
        assert os.stat(book).st_size == st.st_size
        os.utime(book, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the same time
        return real_refresh(inputs, **kwargs)

    monkeypatch.setattr(cli, "refresh", refresh_while_someone_saves)
    before_stat = os.stat(book)
    code, result, _ = run(capsys, "refresh", str(book), "--today", TODAY)
    assert os.stat(book).st_mtime_ns == before_stat.st_mtime_ns
    assert code == 2 and "被他人保存过" in result["error"]


def _hold_lock(path: str, ready, release) -> None:
    with RunLock(path, wait=5):
        ready.set()
        release.wait(30)


def test_a_second_run_waits_for_the_first_then_refuses_out_loud(book, capsys):
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(book), ready, release))
    holder.start()
    try:
        assert ready.wait(60)
        before = book.read_bytes()
        started = time.monotonic()
        code, result, _ = run(capsys, "refresh", str(book), "--today", TODAY, "--wait", "0.5")
        assert time.monotonic() - started >= 0.5
        assert code == 2 and "另一个 xlclient 任务正在处理" in result["error"]
        assert str(os.getpid()) not in result["error"]  # the holder's user and machine, not ours
        assert book.read_bytes() == before
    finally:
        release.set()
        holder.join(30)
    code, result, _ = run(capsys, "refresh", str(book), "--today", TODAY, "--wait", "5")
    assert code in (0, 1) and result["written"]
    assert not list(book.parent.glob(LOCK_PREFIX + "*"))


def test_a_run_killed_while_holding_the_lock_does_not_lock_the_workbook_forever(book, capsys):
    code = ("import sys, time; from xlclient.xlsx.session import RunLock\n"
            f"lock = RunLock({str(book)!r}).acquire(); print('held', flush=True); time.sleep(60)")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    assert (book.parent / (LOCK_PREFIX + book.name)).exists()
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    assert (book.parent / (LOCK_PREFIX + book.name)).exists()  # the file is left behind ...
    code, result, _ = run(capsys, "refresh", str(book), "--today", TODAY, "--wait", "2")
    assert code in (0, 1) and result["written"]  # ... but its lock died with the process


def test_two_runs_started_together_both_land_with_their_log_lines(book):
    before = len(log_lines(book))
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    procs = [subprocess.Popen([sys.executable, "-m", "xlclient.cli", cmd, str(book), "--today", TODAY, "--json", "-q"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for cmd in ("refresh", "review")]
    results = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    assert all(r["exit_code"] in (0, 1) and r["written"] for r in results), results
    lines = log_lines(book)
    assert len(lines) == before + 2
    assert {line[2] for line in lines[-2:]} == {"刷新分级", "客户复盘"}


# ---------------------------------------------------------------- links, read-only, leftovers


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_a_workbook_reached_through_a_symbolic_link_is_written_through_it(book, tmp_path, capsys):
    other = tmp_path / "团队共享"
    other.mkdir()
    link = other / "台账-快捷.xlsx"
    link.symlink_to(book)
    code, result, _ = run(capsys, "refresh", str(link), "--today", TODAY)
    assert code in (0, 1)
    assert link.is_symlink() and link.resolve() == book.resolve()
    assert len(backups_of(book)) == 1 and not (other / BACKUP_DIR).exists()
    assert log_lines(book)[-1][2] == "刷新分级"


def test_a_read_only_workbook_is_refused_naming_it(book, capsys):
    os.chmod(book, stat.S_IREAD)
    try:
        before = book.read_bytes()
        code, result, err = run(capsys, "refresh", str(book), "--today", TODAY)
        assert code == 2 and "只读" in result["error"] and book.name in result["error"]
        assert ".tmp" not in result["error"] and TEMP_PREFIX not in result["error"]
        assert book.read_bytes() == before
    finally:
        os.chmod(book, stat.S_IREAD | stat.S_IWRITE)


def test_leftovers_of_a_killed_run_are_cleaned_up_and_nothing_else(book, capsys):
    old_tmp = book.parent / f"{TEMP_PREFIX}abc{book.suffix}.tmp"
    old_tmp.write_bytes(b"half a workbook")
    young_tmp = book.parent / f"{TEMP_PREFIX}def{book.suffix}.tmp"
    young_tmp.write_bytes(b"another run is writing this right now")
    mine = book.parent / "~$台账.xlsx.tmp"
    mine.write_bytes(b"not ours")
    day_ago = time.time() - 86400
    for p in (old_tmp, mine):
        os.utime(p, (day_ago, day_ago))
    code, _, _ = run(capsys, "refresh", str(book), "--today", TODAY)
    assert code in (0, 1)
    assert not old_tmp.exists() and young_tmp.exists() and mine.exists()
    assert remove_stale_temps(book.parent) == []


def test_backups_made_in_one_second_never_share_a_name(book, capsys):
    for _ in range(3):
        assert main(["refresh", str(book), "--today", TODAY, "-q"]) in (0, 1)
    names = [p.name for p in backups_of(book)]
    assert len(names) == len(set(names)) == 3


# ---------------------------------------------------------------- what people add to owned sheets


def _plan_rows(path: Path) -> list[list]:
    ws = openpyxl.load_workbook(path)["拜访计划"]
    return [[c.value for c in row] for row in ws.iter_rows(min_row=1)]


def test_comments_free_columns_links_colours_and_a_table_on_the_plan_survive(book, capsys):
    def annotate(wb):
        ws = wb["拜访计划"]
        ws["D3"].comment = Comment("客户要求周三上午", "王经理")
        ws["T1"] = "跟进人"
        ws["T3"] = "小李"
        ws["T4"] = '=D4&"（已约）"'
        ws["D5"].hyperlink = "https://crm.example.com/clients/5"
        ws["A6"].fill = PatternFill("solid", fgColor="FFFF00")
        last = max(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value is not None)
        table = Table(displayName="计划表", ref=f"A1:J{last}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(table)
        ws.auto_filter.ref = None
        mine = wb.create_sheet("我的统计")
        mine["A1"] = '=COUNTIF(计划表[状态],"计划")'
    save_as_person(book, annotate)
    before = openpyxl.load_workbook(book)["拜访计划"]
    annotated = {r: [c.value for c in before[r]][:4] for r in (3, 4, 5, 6)}
    code, result, _ = run(capsys, "plan", str(book), "--today", "2026-11-27", "--start", "2026-11-30")
    assert code in (0, 1), result
    ws = openpyxl.load_workbook(book)["拜访计划"]
    rows = {r: [c.value for c in ws[r]] for r in range(1, ws.max_row + 1)}
    where = {tuple(v[:4]): r for r, v in rows.items()}
    new = {old: where[tuple(cells)] for old, cells in annotated.items()}  # each annotated row is still there
    assert ws.cell(new[3], 4).comment.text.startswith("客户要求周三上午")
    assert ws.cell(new[3], 20).value == "小李" and ws.cell(1, 20).value == "跟进人"
    assert ws.cell(new[4], 20).value == f'=D{new[4]}&"（已约）"'  # the formula still reads its own row
    assert ws.cell(new[5], 4).hyperlink.target == "https://crm.example.com/clients/5"
    assert ws.cell(new[6], 1).fill.fgColor.rgb.endswith("FFFF00")
    table = ws.tables["计划表"]
    last = next(r for r in range(2, ws.max_row + 2) if rows.get(r, [None])[0] is None) - 1  # the plan's last row
    assert table.ref == f"A1:J{last}" and ws.auto_filter.ref is None
    assert last == ws.max_row  # nothing under the plan: the unscheduled work has its own sheet
    assert openpyxl.load_workbook(book)["未安排"]["A1"].value == "客户经理"
    assert openpyxl.load_workbook(book)["我的统计"]["A1"].value == '=COUNTIF(计划表[状态],"计划")'


def test_a_note_beside_a_client_follows_the_client_on_the_classification_sheet(book, capsys):
    ws = openpyxl.load_workbook(book)["分级结果"]
    client = ws["A7"].value

    def note(wb):
        wb["分级结果"]["N1"] = "我的备注"
        wb["分级结果"]["N7"] = "下周约见"
        # the client's row moves: put a new client at the top of the client table
        table = wb["客户台账"]
        table.insert_rows(4)
        for c, v in enumerate(["KH9999", "新客户甲"], start=1):
            table.cell(4, c, v)
    save_as_person(book, note)
    code, result, _ = run(capsys, "refresh", str(book), "--today", TODAY)
    assert code in (0, 1), result
    ws = openpyxl.load_workbook(book)["分级结果"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == client)
    assert ws.cell(row, 14).value == "下周约见" and ws.cell(1, 14).value == "我的备注"


def test_what_cannot_be_kept_makes_the_run_refuse_naming_it(book, capsys):
    ws = openpyxl.load_workbook(book)["分级结果"]
    client = ws["A7"].value

    def note_then_drop(wb):
        wb["分级结果"]["N7"] = "下周约见"
        table = wb["客户台账"]
        for r in range(1, table.max_row + 1):
            if table.cell(r, 1).value == client:
                table.delete_rows(r)
                break
    save_as_person(book, note_then_drop)
    before = book.read_bytes()
    code, result, _ = run(capsys, "refresh", str(book), "--today", TODAY)
    assert code == 2 and "分级结果" in result["error"] and "N7" in result["error"], result
    assert book.read_bytes() == before


# ---------------------------------------------------------------- formulas that read owned sheets


def _user_formulas_book(path: Path) -> None:
    write_demo_workbook(path, n_clients=40, seed=3, today=dt.date(2026, 11, 20))
    assert main(["refresh", str(path), "--today", TODAY, "-q"]) == 1

    def add(wb):
        ws = wb.create_sheet("我的统计")
        ws["A1"] = '=COUNTIF(分级结果!D:D,"A")'
        ws["A2"] = "=SUM(客户台账!Z1:Z2)"
    save_as_person(path, add)
    # give both formulas cached values, as Excel would have saved them (openpyxl writes none)
    data = {}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            data[info.filename] = z.read(info)
    part = next(n for n, d in data.items() if n.startswith("xl/worksheets/") and b"COUNTIF" in d)
    text = data[part].decode()
    text = re.sub(r"(<c r=\"A1\"[^>]*>)(<f>[^<]*</f>)(<v>\s*</v>|<v/>)?", r"\1\2<v>999</v>", text)
    text = re.sub(r"(<c r=\"A2\"[^>]*>)(<f>[^<]*</f>)(<v>\s*</v>|<v/>)?", r"\1\2<v>7</v>", text)
    data[part] = text.encode()
    wbxml = data["xl/workbook.xml"].decode()
    data["xl/workbook.xml"] = re.sub(r'\s*fullCalcOnLoad="1"', "", wbxml).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, d in data.items():
            z.writestr(name, d)


def test_formulas_that_read_an_owned_sheet_are_recalculated_on_open(tmp_path, capsys):
    path = tmp_path / "统计.xlsx"
    _user_formulas_book(path)
    code, _, _ = run(capsys, "refresh", str(path), "--today", "2026-11-21")
    assert code in (0, 1)
    with zipfile.ZipFile(path) as z:
        wbxml = z.read("xl/workbook.xml").decode()
        part = next(n for n in z.namelist() if n.startswith("xl/worksheets/") and b"COUNTIF" in z.read(n))
        text = z.read(part).decode()
    assert 'fullCalcOnLoad="1"' in wbxml
    a1 = re.search(r'<c r="A1"[^>]*>.*?</c>', text)[0]
    a2 = re.search(r'<c r="A2"[^>]*>.*?</c>', text)[0]
    assert "<v>" not in a1  # stale value gone: every spreadsheet computes it on open
    assert "<v>7</v>" in a2  # a formula that reads nothing of ours keeps its cached value
    tiers = [r[3] for r in openpyxl.load_workbook(path)["分级结果"].iter_rows(min_row=2, values_only=True)]
    expected = sum(t == "A" for t in tiers)
    if shutil.which("soffice"):
        assert _libreoffice_value(path, "我的统计", tmp_path) == str(expected)


def _libreoffice_value(path: Path, sheet: str, tmp: Path) -> str:
    """Cell A1 of ``sheet`` as LibreOffice computes it when it opens the file."""
    index = openpyxl.load_workbook(path, read_only=True).sheetnames.index(sheet) + 1
    out = tmp / "lo"
    env = dict(os.environ, LC_ALL="C.UTF-8")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp / 'lo-profile'}", "--headless", "--convert-to",
                    f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,{index}",
                    "--outdir", str(out), str(path)], env=env, capture_output=True, timeout=180)
    csv = next(out.glob("*.csv"))
    return csv.read_text(encoding="utf-8").splitlines()[0].split(",")[0]


# ---------------------------------------------------------------- protected structure


def _protect_structure(path: Path) -> None:
    save_as_person(path, lambda wb: setattr(wb.security, "lockStructure", True) if wb.security else
                   setattr(wb, "security", __import__("openpyxl").workbook.protection.WorkbookProtection(
                       lockStructure=True)))


def test_init_refuses_to_add_sheets_to_a_protected_structure(tmp_path, capsys):
    path = tmp_path / "保护.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("客户")
    ws.write_row(0, 0, ["客户编号", "客户名称", "客户经理", "客户状态", "年度投放额", "最近拜访日期"])
    ws.write_row(1, 0, ["C1", "甲", "王芳", "现有", 100, "2026-01-05"])
    wb.close()
    _protect_structure(path)
    before = path.read_bytes()
    code, result, _ = run(capsys, "init", str(path))
    assert code == 2 and "结构受保护" in result["error"] and "保护工作簿" in result["error"]
    assert "「设置」" in result["error"]  # which sheets it would add
    assert path.read_bytes() == before


def test_refresh_replaces_its_own_sheets_under_a_protected_structure(book, capsys):
    _protect_structure(book)
    code, result, _ = run(capsys, "refresh", str(book), "--today", TODAY)
    assert code in (0, 1) and result["written"]
    assert openpyxl.load_workbook(book).security.lockStructure


# ---------------------------------------------------------------- failures a user can act on


def test_an_internal_error_writes_a_log_file_and_no_traceback(book, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("XLCLIENT_LOG_DIR", str(tmp_path / "logs"))

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")
    monkeypatch.setattr(cli, "refresh", broken)
    before = book.read_bytes()
    code, result, err = run(capsys, "refresh", str(book), "--today", TODAY)
    assert code == 2 and "Traceback" not in err and "Traceback" not in result["error"]
    logs = list((tmp_path / "logs").glob("xlclient-*.log"))
    assert len(logs) == 1 and str(logs[0]) in result["error"]
    assert "ZeroDivisionError: a bug" in logs[0].read_text(encoding="utf-8")
    assert book.read_bytes() == before
    assert not list(book.parent.glob(LOCK_PREFIX + "*"))


def _rezip(src: bytes, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info.filename, data)
    return out.getvalue()


def _damaged(kind: str, good: bytes) -> bytes:
    if kind == "truncated":
        return good[: len(good) // 2]
    if kind == "corrupt member":
        data = bytearray(good)
        with zipfile.ZipFile(io.BytesIO(good)) as z:
            info = max(z.infolist(), key=lambda i: i.compress_size)
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        data[start + info.compress_size // 2] ^= 0xFF
        return bytes(data)
    if kind == "strict":
        return _rezip(good, lambda n, d: d.replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                                   b"http://purl.oclc.org/ooxml/spreadsheetml/main"))
    if kind == "renamed xlsb":
        return _rezip(good, lambda n, d: d.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.binary.macroEnabled.main").replace(b"workbook.xml", b"workbook.bin")
            if n in ("[Content_Types].xml", "_rels/.rels") else d)
    if kind == "ods":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            z.writestr("content.xml", "<office:document-content/>")
        return out.getvalue()
    raise ValueError(kind)


@pytest.mark.parametrize("kind, words", [
    ("truncated", "截断"), ("corrupt member", "损坏"), ("strict", "Strict"), ("renamed xlsb", ".xlsb"),
    ("ods", ".ods"),
])
@pytest.mark.parametrize("command", ["check", "refresh", "init"])
def test_damaged_and_foreign_files_get_a_message_a_user_can_act_on(book, capsys, kind, words, command):
    bad = book.with_name("坏的.xlsx")
    bad.write_bytes(_damaged(kind, book.read_bytes()))
    before = bad.read_bytes()
    code, result, err = run(capsys, command, str(bad))
    assert code == 2, result
    assert "坏的.xlsx" in result["error"] and words in result["error"]
    assert "另存为" in result["error"] or "重新复制" in result["error"] or "修复" in result["error"]
    assert "Traceback" not in err and "Error" not in result["error"]
    assert bad.read_bytes() == before
