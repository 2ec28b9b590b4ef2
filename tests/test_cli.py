"""The command line (SPEC 7) end to end on workbook files: demo, check, refresh."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pytest
import python_calamine as pc
import xlsxwriter

from xlclient.cli import main
from xlclient.demo import write_demo_workbook

TODAY = "2026-11-22"


def sheet_rows(path: Path, name: str) -> list[list]:
    wb = pc.CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(name).to_python()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, list]:
    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    planted = write_demo_workbook(path, n_clients=120, seed=7, today=dt.date(2026, 11, 22))
    return path, planted


def run_json(capsys, argv) -> tuple[int, dict]:
    code = main(argv + ["--json", "-q"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_demo_command_writes_a_refreshed_workbook(tmp_path, capsys):
    out = tmp_path / "d.xlsx"
    assert main(["demo", "--out", str(out), "--today", TODAY, "-q"]) == 0
    text = capsys.readouterr().out
    assert "演示工作簿" in text and "A 类重点客户" in text and "xlclient plan" in text
    names = pc.CalamineWorkbook.from_path(str(out)).sheet_names
    for name in ("客户台账", "设置", "节假日", "分级结果", "数据问题", "运行日志"):
        assert name in names
    classification = sheet_rows(out, "分级结果")
    assert classification[0][:4] == ["客户编号", "客户名称", "客户经理", "等级"]
    assert len(classification) == 301
    assert not (tmp_path / ".xlclient-backup").exists()  # a file we just made needs no backup


def test_check_reports_every_planted_problem(demo, capsys):
    path, planted = demo
    before = digest(path)
    code, result = run_json(capsys, ["check", str(path), "--today", TODAY])
    assert code == 1
    assert digest(path) == before  # check writes nothing
    reported = {(p["row"], p["column"]) for p in result["problems"]}
    for p in planted:
        assert (p.row, p.column) in reported, p
    for p in result["problems"]:
        assert {"sheet", "row", "column", "value", "message"} <= set(p)
        assert p["sheet"] == "客户台账" and isinstance(p["row"], int)
    assert result["counts"]["clients"] == 120
    assert result["client_table"]["table"] == "客户表"


def test_refresh_out_writes_a_copy_and_leaves_the_source(demo, tmp_path, capsys):
    path, planted = demo
    before = digest(path)
    out = tmp_path / "copy.xlsx"
    code, result = run_json(capsys, ["refresh", str(path), "--out", str(out), "--today", TODAY])
    assert code == 1 and digest(path) == before
    rows = sheet_rows(out, "分级结果")
    ids = [r[0] for r in rows[1:]]
    client_rows = sheet_rows(path, "客户台账")
    assert len(ids) == 120 == result["counts"]["clients"]
    header = next(i for i, r in enumerate(client_rows) if r[0] == "客户编号")
    assert set(ids) == {r[0] for r in client_rows[header + 1:] if r[0]}
    tiers = {r[3] for r in rows[1:]}
    assert tiers <= {"A", "B", "C", "D", ""}
    # next visits are real dates
    assert all(isinstance(r[9], (dt.date, dt.datetime)) for r in rows[1:] if r[9] != "")
    # a row without a tier says why (lost clients: no tier, no visits)
    untiered = [r for r in rows[1:] if r[3] == ""]
    assert untiered and all(r[10] for r in untiered)
    assert any(r[10] == "已流失：不分级不拜访" for r in untiered)
    issues = sheet_rows(out, "数据问题")
    assert issues[0] == ["工作表", "行", "客户编号", "客户名称", "列", "值", "问题"]
    assert len(issues) - 1 == len(result["problems"])
    # each problem of a client's row names the client on that row of the client table
    table = {r[0]: r for r in sheet_rows(out, "客户台账")}
    by_row = {int(r[1]): r for r in issues[1:] if isinstance(r[1], float)}
    assert by_row and all(r[2] and r[3] for r in by_row.values())
    assert all(r[2] in table or r[2].startswith("#") for r in by_row.values())
    log = sheet_rows(out, "运行日志")
    assert len(log) == 2 and log[1][2] == "刷新分级"  # the action in the workbook's language


def test_refresh_in_place_twice_keeps_a_backup_and_appends_the_log(demo, tmp_path, capsys):
    src, _ = demo
    path = tmp_path / "book.xlsx"
    path.write_bytes(src.read_bytes())
    assert main(["refresh", str(path), "--today", TODAY, "-q"]) == 1
    assert main(["refresh", str(path), "--today", TODAY, "-q"]) == 1
    capsys.readouterr()
    assert len(list((tmp_path / ".xlclient-backup").iterdir())) >= 1
    assert len(sheet_rows(path, "运行日志")) == 3
    # the client sheet is untouched
    assert sheet_rows(path, "客户台账") == sheet_rows(src, "客户台账")


def test_english_settings_give_english_sheets_and_messages(tmp_path, capsys):
    path = tmp_path / "en.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Clients")
    ws.write_row(0, 0, ["Client ID", "Client", "AE", "Status", "Billings", "Last visit"])
    ws.write_row(1, 0, ["1", "Acme", "Amy", "current", 1_000_000, "2026-11-01"])
    ws.write_row(2, 0, ["2", "Bolt", "Amy", "current", "lots", "2026-11-01"])
    s = wb.add_worksheet("Settings")
    s.write_row(0, 0, ["Language", "English"])
    wb.close()
    code, result = run_json(capsys, ["refresh", str(path), "--today", TODAY])
    assert code == 1
    assert result["sheets"] == ["Classification", "Issues", "Log"]
    assert any(p["message"].startswith("expected an amount") and p["row"] == 3 for p in result["problems"])
    assert sheet_rows(path, "Classification")[0][:4] == ["ClientID", "Client", "Owner", "Tier"]


#: Chinese an English book may still show: examples of input forms xlclient accepts.
ACCEPTED_EXAMPLES = ("120万", "1.2亿", "(万元)", "(亿元)")
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_an_english_book_speaks_english_in_every_line_and_sheet(tmp_path, capsys):
    """One workbook, one language: every line a command prints (progress too) and every
    owned sheet, after init --lang en and each command. Only the line printed before the
    book is read (its language not yet known) says both."""
    path = tmp_path / "en.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Clients")
    ws.write_row(0, 0, ["Client ID", "Client", "AE", "Status", "Billings", "Last visit", "Gross profit", "Industry"])
    for i in range(40):
        ws.write_row(i + 1, 0, [f"C{i:03d}", f"Client {i}", ["Ann", "Bob"][i % 2], ["Active", "Prospect", "Lost"][i % 3],
                                "about 50" if i == 7 else 10 * i + 5, f"2026-{1 + i % 11:02d}-{1 + i % 27:02d}",
                                i - 5, ["Auto", "FMCG"][i % 2]])
    wb.close()
    printed = []
    for argv in (["init", str(path), "--lang", "en"], ["check", str(path)], ["refresh", str(path)],
                 ["plan", str(path)], ["review", str(path)], ["dashboard", str(path)]):
        assert main(argv + (["--today", TODAY] if argv[0] != "init" else [])) in (0, 1), argv
        out, err = capsys.readouterr()
        printed += (out + err).splitlines()
    assert any("unit yuan: none stated, taken as yuan" in line for line in printed)
    for line in printed:
        if line.endswith("读取 / reading en.xlsx …"):
            continue
        rest = line
        for example in ACCEPTED_EXAMPLES:
            rest = rest.replace(example, "")
        assert not CJK.search(rest), line
    book = pc.CalamineWorkbook.from_path(str(path))
    assert "Dashboard" in book.sheet_names and "VisitPlan" in book.sheet_names
    for name in book.sheet_names:
        if name == "Clients":
            continue
        for row in book.get_sheet_by_name(name).to_python():
            for v in row:
                if isinstance(v, str):
                    rest = v
                    for example in ACCEPTED_EXAMPLES:
                        rest = rest.replace(example, "")
                    assert not CJK.search(rest), (name, v)


def test_bad_settings_are_refused_and_nothing_is_written(tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet("客户").write_row(0, 0, ["客户名称", "年度投放额"])
    s = wb.add_worksheet("设置")
    s.write_row(3, 0, ["A类累计占比", "96%"])
    s.write_row(4, 0, ["B类累计占比", "95%"])
    wb.close()
    before = digest(path)
    code, result = run_json(capsys, ["refresh", str(path)])
    assert code == 2 and digest(path) == before
    assert "'设置'!B4" in result["error"]


def test_missing_file_and_no_client_table_fail_with_exit_2(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope.xlsx"), "-q"]) == 2
    path = tmp_path / "empty.xlsx"
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet("Sheet1").write(0, 0, "hello")
    wb.close()
    assert main(["check", str(path), "-q"]) == 2
    assert "找不到客户表" in capsys.readouterr().err


def test_locked_workbook_is_refused(demo, tmp_path, capsys):
    src, _ = demo
    path = tmp_path / "locked.xlsx"
    path.write_bytes(src.read_bytes())
    (tmp_path / "~$locked.xlsx").write_bytes(b"owner")
    before = digest(path)
    assert main(["refresh", str(path), "-q"]) == 2
    assert digest(path) == before
    assert "Excel" in capsys.readouterr().err


def test_clean_book_exits_0(tmp_path, capsys):
    path = tmp_path / "clean.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("客户台账")
    ws.write_row(0, 0, ["客户名称", "客户经理", "客户状态", "年度投放额(万元)", "最近拜访日期", "需求评分", "潜力评分",
                        "合作次数", "最近合作日期"])
    ws.write_row(1, 0, ["甲", "张伟", "合作中", 120, "2026-11-02", 4, None, 6, "2026-10-01"])
    ws.write_row(2, 0, ["乙", "张伟", "潜在", None, "2026-10-20", 3, 4, 0, None])
    wb.close()
    code, result = run_json(capsys, ["refresh", str(path), "--today", TODAY])
    assert code == 0 and result["problems"] == []
    assert result["counts"]["tier_A"] == 1 and result["counts"]["tier_D"] == 1


def test_a_book_of_the_five_fields_gets_its_tiers_and_says_once_what_it_cannot_give(tmp_path, capsys):
    """Name, owner, status, billings, last visit: tiers and visits are written; the quadrant
    (no need score, no potential) and RFM (no orders, no last order) stay empty and that is
    said once per result as a problem of the table (exit 1), never filled from a default."""
    path = tmp_path / "five.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("客户台账")
    ws.write_row(0, 0, ["客户名称", "客户经理", "客户状态", "年度投放额(万元)", "最近拜访日期"])
    ws.write_row(1, 0, ["甲", "张伟", "合作中", 120, "2026-11-02"])
    ws.write_row(2, 0, ["乙", "张伟", "潜在", None, "2026-10-20"])
    wb.close()
    code, result = run_json(capsys, ["refresh", str(path), "--today", TODAY])
    assert code == 1
    assert sorted((p["row"], p["code"], p["column"]) for p in result["problems"]) == [
        (None, "inputs_missing", "最近合作日期、合作次数"), (None, "inputs_missing", "需求评分、潜力")]
    assert result["counts"]["tier_A"] == 1 and result["counts"]["tier_D"] == 1
    rows = sheet_rows(path, "分级结果")
    assert [r[4] for r in rows[1:]] == ["", ""] and [r[6] for r in rows[1:]] == ["", ""]  # quadrant, RFM
    # 看板: the quadrant counts are unknown, not 0, and say why
    assert main(["dashboard", str(path), "--today", TODAY, "-q"]) == 1
    board = sheet_rows(path, "看板")
    at = next(i for i, r in enumerate(board) if r and r[0] == "客户象限")
    assert "2 个客户的象限无法确定" in board[at + 1][0]
    counts = [r[1] for r in board[at + 3:at + 11]]  # title, note, header, then the eight quadrants
    assert len(counts) == 8 and all(c in ("", None) for c in counts), counts


def test_previous_tiers_hold_within_the_margin(tmp_path, capsys):
    """Second refresh after a small change keeps the tier (anti flip-flop from the
    Classification sheet the first refresh wrote)."""
    path = tmp_path / "flip.xlsx"

    def book(second: float) -> None:
        wb = xlsxwriter.Workbook(path)
        ws = wb.add_worksheet("客户台账")
        ws.write_row(0, 0, ["客户编号", "客户名称", "客户状态", "年度投放额(万元)", "客户经理", "最近拜访日期", "需求评分",
                            "合作次数", "最近合作日期"])
        ws.write_row(1, 0, ["K1", "甲", "合作中", 100 - second, "张伟", "2026-11-02", 3, 5, "2026-10-01"])
        ws.write_row(2, 0, ["K2", "乙", "合作中", second, "张伟", "2026-11-02", 3, 5, "2026-10-01"])
        wb.close()

    book(21)  # share before K2 = 79%: A
    assert main(["refresh", str(path), "--today", TODAY, "-q"]) == 0
    assert sheet_rows(path, "分级结果")[2][3] == "A"
    # the same workbook with K2 slipping to 83%: only the client cells change
    import openpyxl
    wb = openpyxl.load_workbook(path)
    wb["客户台账"]["D2"] = 83
    wb["客户台账"]["D3"] = 17
    wb.save(path)
    assert main(["refresh", str(path), "--today", TODAY, "-q"]) == 0
    assert sheet_rows(path, "分级结果")[2][3] == "A"  # held: 83% < 80% + 5 points


@pytest.mark.parametrize("command", ["demo", "check", "refresh"])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as e:
        main([command, "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "--json" in out
    # both languages: the command line runs before a workbook's language is known
    assert "在标准输出打印一个 JSON 对象" in out and "print one JSON object" in out
    assert re.search(r"[\u4e00-\u9fff]", out.split("\n\n")[1]), out  # the command's description


def test_a_users_own_sheet_with_an_owned_name_is_never_overwritten(tmp_path, capsys):
    """A manager's own 看板 (or 分级结果) made by hand is refused, not replaced."""
    path = tmp_path / "mine.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("客户台账")
    ws.write_row(0, 0, ["客户名称", "客户经理", "客户状态", "年度投放额", "最近拜访日期", "需求评分", "合作次数", "最近合作日期"])
    ws.write_row(1, 0, ["甲", "张伟", "合作中", 1_000_000, "2026-11-02", 3, 5, "2026-10-01"])
    mine = wb.add_worksheet("分级结果")
    mine.write_row(0, 0, ["我的分级", "备注"])
    mine.write_row(1, 0, ["甲", "重要，别动"])
    wb.close()
    before = digest(path)
    assert main(["check", str(path), "-q", "--today", TODAY]) == 0  # checking is fine
    capsys.readouterr()
    code, result = run_json(capsys, ["refresh", str(path), "--today", TODAY])
    assert code == 2 and "不是 xlclient 生成的" in result["error"]
    assert digest(path) == before


@pytest.mark.parametrize("command", ["check", "refresh", "plan", "review", "dashboard"])
@pytest.mark.parametrize("rows", [[], [["甲", "张伟", "潜在", None], ["乙", "李娜", "意向", None]],
                                  [["甲", "张伟", "流失", 100]]], ids=["empty", "prospects", "lost"])
def test_every_command_on_tiny_books(tmp_path, capsys, command, rows):
    """An empty book, a book of prospects only, a book of one lost client: every command runs;
    the only problems are the results the book's columns cannot give (no need score, no
    potential: no quadrant), said once."""
    path = tmp_path / "tiny.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("客户")
    ws.write_row(0, 0, ["客户名称", "客户经理", "客户状态", "年度投放额", "最近拜访日期"])
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
    wb.close()
    extra = [] if command == "check" else ["--out", str(tmp_path / "out.xlsx")]
    code, result = run_json(capsys, [command, str(path), "--today", TODAY] + extra)
    assert code in (0, 1) and "error" not in result, result
    assert {p["code"] for p in result["problems"]} <= {"inputs_missing"}, result["problems"]
    assert code == (1 if result["problems"] else 0)


def test_reassign_when_the_owner_column_cannot_be_read_says_why(tmp_path, capsys):
    path = tmp_path / "two_owners.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("客户台账")
    ws.write_row(0, 0, ["客户名称", "客户经理", "负责人", "客户状态", "年度投放额", "最近拜访日期"])
    ws.write_row(1, 0, ["甲", "张伟", "王芳", "合作中", 100, "2026-11-02"])
    wb.close()
    code, result = run_json(capsys, ["reassign", str(path), "--from", "张伟", "--today", TODAY])
    assert code == 2 and "无法交接" in result["error"] and "负责人" in result["error"]


def test_version_and_help_do_not_import_the_engine():
    """--version and --help answer without importing pandas, numpy or scipy (a measured
    ~0.5 s of every command's start; issue 15), in both languages."""
    import subprocess
    import sys

    code = ("import sys\nfrom xlclient.cli import main\n"
            "for argv in (['--version'], ['--help'], ['plan', '--help']):\n"
            "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
            "print(sorted(m for m in ('pandas', 'numpy', 'scipy') if m in sys.modules), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"
    assert "xlclient" in done.stdout and "拜访计划" in done.stdout and "visit plan" in done.stdout


def test_an_issues_sheet_an_earlier_version_wrote_is_still_replaced(tmp_path, capsys):
    """数据问题 gained two columns (客户编号, 客户名称): a workbook whose 数据问题 an earlier
    version wrote (工作表 | 行 | 列 | 值 | 问题) is still recognised as xlclient's."""
    import xlsxwriter

    path = tmp_path / "older.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("客户台账")
    ws.write_row(0, 0, ["客户编号", "客户名称", "客户经理", "客户状态", "年度投放额", "最近拜访日期"])
    ws.write_row(1, 0, ["K1", "甲", "张伟", "合作中", 1_000_000, "2026-10-01"])
    ws.write_row(2, 0, ["K2", "乙", "张伟", "合作中", "约50万", "2026-10-01"])
    old = wb.add_worksheet("数据问题")
    old.write_row(0, 0, ["工作表", "行", "列", "值", "问题"])
    old.write_row(1, 0, ["客户台账", 3, "年度投放额", "约50万", "应为金额"])
    wb.close()
    assert main(["refresh", str(path), "--today", TODAY, "-q"]) == 1
    capsys.readouterr()
    issues = sheet_rows(path, "数据问题")
    assert issues[0] == ["工作表", "行", "客户编号", "客户名称", "列", "值", "问题"]
    assert ["客户台账", 3.0, "K2", "乙"] in [r[:4] for r in issues[1:]]


def test_check_computes_no_likelihood_and_imports_no_scipy(demo, tmp_path):
    """check shows no purchase likelihood: it leaves it out (and scipy unimported), and
    every count it prints equals what refresh's classification gives."""
    import subprocess
    import sys

    from xlclient.engine.classify import classify
    from xlclient.jobs import load_inputs
    from xlclient.xlsx.reader import read_workbook

    src, _ = demo
    inputs = load_inputs(read_workbook(src), today=dt.date.fromisoformat(TODAY))
    full = classify(inputs.book, inputs.settings, inputs.calendar, inputs.previous_tiers)
    lean = classify(inputs.book, inputs.settings, inputs.calendar, inputs.previous_tiers, likelihood=False)
    assert lean.counts() == full.counts() and lean.likelihood_method == "skipped"
    assert lean.frame["likelihood"].isna().all() and full.frame["likelihood"].notna().any()
    assert lean.frame.drop(columns=["likelihood"]).equals(full.frame.drop(columns=["likelihood"]))
    code = (f"import sys; from xlclient.cli import main; c = main(['check', {str(src)!r}, '-q', '--today', "
            f"{TODAY!r}]); assert 'scipy' not in sys.modules, 'scipy imported'; print(c)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] in ("0", "1")


def test_the_engine_is_imported_while_the_workbook_is_read(demo):
    """The reading modules import no pandas (so a workbook can be read while a background
    thread imports the engine, issue 15); the import runs in that thread and starts when
    calamine does, after the file checks; a command run this way gives the same exit code
    and output as before, with nothing on stderr."""
    import subprocess
    import sys

    src, _ = demo
    code = ("import sys, threading\n"
            "import xlclient.xlsx.reader, xlclient.xlsx.session, xlclient.xlsx.diagnose, xlclient.xlsx.errors\n"
            "assert 'pandas' not in sys.modules and 'numpy' not in sys.modules, 'reading imports the engine'\n"
            "import xlclient.xlsx.reader as R\n"
            "seen = []\n"
            "real = R.read_workbook\n"
            "def spy(*a, **k):\n"
            "    seen.append(sorted(t.name for t in threading.enumerate()))\n"
            "    return real(*a, **k)\n"
            "R.read_workbook = spy\n"
            "from xlclient.cli import main\n"
            f"c = main(['refresh', {str(src)!r}, '--out', {str(src.with_name('r.xlsx'))!r}, '-q', '--today', {TODAY!r}])\n"
            "assert 'scipy.optimize' in sys.modules\n"
            "print(c, seen)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    code_out, threads = done.stdout.strip().splitlines()[-1].split(" ", 1)
    assert code_out in ("0", "1") and "xlclient-imports" in threads


def test_an_engine_that_fails_to_import_is_one_clear_failure(demo, monkeypatch, capsys):
    """What the import thread raises reaches the main thread: exit 2, the usual one-line
    internal error with its log, the workbook untouched."""
    import xlclient.cli as cli

    src, _ = demo
    before = src.read_bytes()

    def broken() -> None:
        raise ImportError("numpy is broken here")

    import gc

    monkeypatch.setattr(cli, "_import_engine", broken)
    monkeypatch.setattr("xlclient.errorlog.write_error_log", lambda e, what: None)
    assert main(["refresh", str(src), "--today", TODAY, "-q"]) == 2
    assert "ImportError" in capsys.readouterr().err
    assert src.read_bytes() == before and not cli._PREFETCH and gc.isenabled()


def test_no_command_uses_the_engine_before_it_is_imported(demo, tmp_path):
    """Each command that reads first is run with the background import held back until the
    workbook is read: a command touching the engine before (a NameError that only shows
    when the import thread is slow) fails here every time, not once in a while."""
    import shutil
    import subprocess
    import sys

    src, _ = demo
    owner = pc.CalamineWorkbook.from_path(str(src)).get_sheet_by_name("客户台账").to_python()[3][2]
    slow = ("import sys, time\nimport xlclient.cli as cli\nreal = cli._import_engine\n"
            "def late():\n    time.sleep(0.5)\n    real()\n"
            "cli._import_engine = late\n"  # the thread's import starts late; the main thread waits for it
            "sys.exit(cli.main(sys.argv[1:]))\n")
    runs = {"check": [], "refresh": [], "plan": [], "review": [], "dashboard": [],
            "reassign": ["--from", str(owner)], "init": []}
    procs = {}
    for cmd, extra in runs.items():
        book = tmp_path / f"{cmd}.xlsx"
        shutil.copy(src, book)
        argv = [cmd, str(book), *extra, "-q"] + (["--today", TODAY] if cmd != "init" else [])
        procs[cmd] = subprocess.Popen([sys.executable, "-c", slow, *argv], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True)
    for cmd, p in procs.items():
        out, err = p.communicate(timeout=240)
        assert p.returncode in (0, 1), f"{cmd}: exit {p.returncode}\n{err}"
        assert "NameError" not in err and "内部错误" not in err, f"{cmd}: {err}"


def test_the_garbage_collector_rests_during_a_run_and_is_back_after_it(demo, tmp_path, capsys, monkeypatch):
    """The cyclic collector is off while a command runs (issue 15) and on again after it,
    also after a failure."""
    import gc

    import xlclient.jobs as jobs

    src, _ = demo
    seen: list[bool] = []
    real = jobs.load_inputs

    def spy(*a, **k):
        seen.append(gc.isenabled())
        return real(*a, **k)

    monkeypatch.setattr("xlclient.cli.load_inputs", spy)
    assert main(["check", str(src), "-q", "--today", TODAY]) in (0, 1)
    assert seen == [False] and gc.isenabled()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    assert main(["check", str(bad), "-q"]) == 2
    assert gc.isenabled()
    capsys.readouterr()


def _problem(row, column="最近拜访日期", sheet="客户台账", code="date"):
    from xlclient.engine.problems import Problem

    return Problem(sheet, row, column, "下周吧" if row is not None else "", code)


@pytest.mark.parametrize("extra", [-1, 0, 1, 2])
def test_the_issues_sheet_lists_problems_as_far_as_a_sheet_holds(extra):
    """At the limit every problem is listed; one more and the last row says how many are
    not listed and in which columns, the problems of whole tables listed first."""
    from xlclient.jobs import issues_sheet

    limit = 12
    n = limit - 1 + extra  # limit - 1 problems fill the sheet under its header
    problems = [_problem(r, "首次合作日期" if r % 3 else "最近拜访日期") for r in range(100, 100 + n - 1)]
    problems.append(_problem(None, code="many_unreadable"))  # a problem of the table: listed first
    spec = issues_sheet(problems, "zh", "数据问题", sheet_rows=limit)
    rows = spec.rows
    assert len(rows) == min(limit, n + 1)
    assert rows[1][1] == "整表"
    if extra <= 0:
        assert all(len(r) == 7 for r in rows)
        return
    left = n - (limit - 2)
    listed = rows[1:-1]
    assert len(listed) == limit - 2 and [r[1] for r in listed[1:]] == list(range(100, 100 + limit - 3))
    line = rows[-1][0]
    assert len(rows[-1]) == 1 and line.startswith(f"…另有 {left:,} 个数据问题未列出") and f"{limit:,} 行" in line
    counts = {c: sum(1 for r in range(100 + limit - 3, 100 + n - 1) if (r % 3 != 0) == (c == "首次合作日期"))
              for c in ("首次合作日期", "最近拜访日期")}
    for column, k in counts.items():
        if k:
            assert f"客户台账!{column} {k:,} 个" in line
    english = issues_sheet(problems, "en", "Issues", sheet_rows=limit).rows[-1][0]
    assert english.startswith(f"… {left:,} more data problems are not listed") and "--json" in english


def test_a_refresh_with_more_problems_than_a_sheet_holds_still_writes_its_results(tmp_path, capsys, monkeypatch):
    """A big book where every row has unreadable dates: the results are written and the
    Issues sheet holds what fits, instead of a refusal after all the work (issue 15)."""
    import xlclient.jobs as jobs
    import xlclient.xlsx.worksheet as worksheet

    path = tmp_path / "many.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("客户台账")
    ws.write_row(0, 0, ["客户编号", "客户名称", "客户经理", "客户状态", "年度投放额", "最近拜访日期", "最近合作日期",
                        "需求评分", "合作次数"])
    for i in range(60):
        ws.write_row(i + 1, 0, [f"K{i}", f"客户{i}", "张伟", "合作中", 100_000 + i, "下周吧", "不详", 3, 4])
    wb.close()
    import xlclient.engine.grid as grid

    limit = 80  # 60 clients fit; 120+ problems do not
    for module, name in ((jobs, "SHEET_ROWS"), (grid, "SHEET_ROWS"), (worksheet, "MAX_ROWS")):
        monkeypatch.setattr(module, name, limit)
    assert main(["check", str(path), "--today", TODAY]) == 1
    out = capsys.readouterr().out
    assert f"… 另有 {120 + 1 - 20:,} 个（--json 列出全部）" in out  # check writes no Issues sheet
    assert main(["refresh", str(path), "--today", TODAY]) == 1
    out = capsys.readouterr().out
    assert f"「数据问题」表列出前 {limit - 2:,} 个（工作表行数的上限），--json 列出全部" in out
    assert len(sheet_rows(path, "分级结果")) == 61
    issues = sheet_rows(path, "数据问题")
    assert len(issues) == limit
    assert issues[-1][0].startswith("…另有 ") and "客户台账!最近合作日期" in issues[-1][0]


def test_a_sheet_that_would_not_fit_is_refused_in_both_languages(tmp_path, capsys, monkeypatch):
    """The writer's last guard: a sheet longer than Excel's limit writes nothing and says
    so in words staff can act on."""
    import xlclient.xlsx.worksheet as worksheet

    path = tmp_path / "b.xlsx"
    write_demo_workbook(path, n_clients=40, seed=3, today=dt.date(2026, 11, 22))
    before = digest(path)
    monkeypatch.setattr(worksheet, "MAX_ROWS", 20)  # 分级结果 has 41 rows
    assert main(["refresh", str(path), "--today", TODAY, "-q"]) == 2
    err = capsys.readouterr().err
    assert "「分级结果」超出工作表 20 行的上限，未写入任何内容" in err and "nothing was written" in err
    assert digest(path) == before


def test_the_command_skips_the_last_collector_sweeps_and_loses_no_output(demo, tmp_path):
    """The installed ``xlclient`` is :func:`run`: main's exit code, the collector back on,
    every object alive frozen out of its reach (Python's last sweeps over pandas' and
    numpy's objects cost ~0.08 s of a 0.4 s check). In its own process the whole --json
    output and the written workbook are there."""
    import gc
    import subprocess
    import sys
    import tomllib

    from xlclient.cli import run

    scripts = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    assert scripts["xlclient"] == "xlclient.cli:run"
    src, _ = demo
    try:
        assert gc.get_freeze_count() == 0
        assert run(["check", str(src), "-q", "--today", TODAY]) == main(["check", str(src), "-q", "--today", TODAY])
        assert gc.get_freeze_count() > 0 and gc.isenabled()
    finally:
        gc.unfreeze()
    out = tmp_path / "r.xlsx"
    done = subprocess.run([sys.executable, "-m", "xlclient.cli", "refresh", str(src), "--out", str(out), "--json",
                           "--today", TODAY], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr  # the demo carries planted problems
    result = json.loads(done.stdout)
    assert result["exit_code"] == 1 and len(result["problems"]) == result["counts"]["problems"] > 0
    assert len(sheet_rows(out, "分级结果")) == 121


def test_what_the_issues_sheet_cuts_is_the_rows_of_the_sheet_with_most_problems():
    """Cut to fit, the Issues sheet keeps every problem of whole tables and of the other
    sheets (a Holidays row not applied sorts after 客户台账) and cuts the busiest sheet's rows."""
    from xlclient.jobs import issues_sheet

    many = [_problem(r) for r in range(10, 40)]
    holiday = _problem(5, column="日期", sheet="节假日", code="holiday_date")
    table = _problem(None, code="many_unreadable")
    rows = issues_sheet(many + [holiday, table], "zh", "数据问题", sheet_rows=12).rows
    assert len(rows) == 12
    assert [r[:2] for r in rows[1:3]] == [["客户台账", "整表"], ["节假日", 5]]
    assert [r[1] for r in rows[3:-1]] == list(range(10, 18))
    assert rows[-1][0].startswith(f"…另有 {30 - 8:,} 个数据问题未列出") and "客户台账!最近拜访日期 22 个" in rows[-1][0]
    whole = issues_sheet(many + [holiday, table], "zh", "数据问题").rows  # nothing cut: the usual order
    assert [r[0] for r in whole[1:]] == ["客户台账"] * 31 + ["节假日"]
