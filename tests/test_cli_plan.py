"""``xlclient plan`` end to end on workbook files (SPEC 4.5, 7): working days only, the
per-AE summary, staff edits kept across regenerations, refusal when the sheet is unreadable."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import openpyxl
import pytest
import python_calamine as pc

from xlclient.cli import main
from xlclient.demo import write_demo_workbook
from xlclient.engine.calendar import WorkingCalendar

TODAY = "2026-11-22"


@pytest.fixture()
def book(tmp_path) -> Path:
    path = tmp_path / "book.xlsx"
    write_demo_workbook(path, n_clients=80, seed=3, today=dt.date(2026, 11, 22))
    return path


def plan_rows(path: Path) -> list[list]:
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("拜访计划").to_python()
    out = []
    for r in rows:  # the plan ends at the blank rows above the blocks under it
        if all(v in ("", None) for v in r[:10]):
            break
        out.append(r[:10])
    return out


def run(capsys, *argv) -> tuple[int, dict]:
    code = main(list(argv) + ["--json", "-q", "--today", TODAY])
    return code, json.loads(capsys.readouterr().out)


def test_plan_on_working_days_with_a_summary_per_ae(book, capsys):
    code, result = run(capsys, "plan", str(book), "--start", "2026-09-28", "--weeks", "3")
    assert code == 1  # the demo book carries planted data problems
    rows = plan_rows(book)
    assert rows[0] == ["日期", "客户经理", "客户编号", "客户名称", "等级", "类型", "原因", "状态", "备注", "锁定"]
    cal = WorkingCalendar()
    days = [r[0] for r in rows[1:] if r[0] != ""]
    assert days, "nothing planned"
    for d in days:
        d = d.date() if isinstance(d, dt.datetime) else d
        assert cal.is_workday(d), d
        assert not dt.date(2026, 10, 1) <= d <= dt.date(2026, 10, 7)
    assert result["start"] == "2026-09-28" and result["end"] == "2026-10-18"
    assert set(result["owners"]) == {"张伟", "李娜", "王芳", "刘洋", "陈静", "赵磊"}
    per_owner = sum(o["visits"] + o["calls"] for o in result["owners"].values())
    assert per_owner == result["counts"]["planned"]
    # one name, one count: the per-AE rows add up to the totals of the same name
    for key in ("visits", "calls"):
        assert sum(o[key] for o in result["owners"].values()) == result["counts"][key], key
    types = [r[5] for r in rows[1:] if r[0] != ""]
    assert result["counts"]["visits"] == sum(t in ("拜访", "开发") for t in types)
    # the plan sheet holds plan rows only; the unscheduled work is on its own sheet (SPEC 3)
    wb = openpyxl.load_workbook(book)
    ws = wb["拜访计划"]
    end = len(rows)
    n = result["counts"]["unscheduled"]
    assert n and ws.auto_filter.ref == f"A1:J{end}" and ws.max_row == end
    assert ws.cell(1, 12).value.startswith(f"→ 见「未安排」表：未安排的工作 {n} 项")
    assert all(str(dv.sqref).endswith(str(max(end + 200, 1000))) for dv in ws.data_validations.dataValidation)
    un = wb["未安排"]
    assert [c.value for c in un[1]] == ["客户经理", "客户编号", "客户名称", "等级", "类型", "应拜访日期", "原因"]
    listed = [r for r in un.iter_rows(min_row=2, values_only=True) if r[0] is not None and r[4] is not None]
    assert len(listed) == n and un.auto_filter.ref == f"A1:G{n + 1}" and un.freeze_panes == "A2"
    assert {r[0] for r in listed} <= set(result["owners"]) | {""}
    dated = [r for r in range(2, n + 2) if un.cell(r, 6).value is not None]
    assert all(r[6] for r in listed) and all(un.cell(r, 6).number_format == "yyyy-mm-dd" for r in dated)


def test_staff_edits_survive_regeneration(book, capsys):
    assert run(capsys, "plan", str(book))[0] == 1
    wb = openpyxl.load_workbook(book)
    ws = wb["拜访计划"]
    ws["H2"], ws["I2"] = "已完成", "见了市场总监，下月续约"
    ws["J3"] = "是"
    ws["I3"] = "改到周五"
    ws["H4"] = "已取消"
    edited = [[c.value for c in ws[r][:10]] for r in (2, 3, 4)]
    wb.save(book)
    for _ in range(2):
        assert run(capsys, "plan", str(book))[0] == 1
    rows = plan_rows(book)

    def same(a, b):
        a = [x.date() if isinstance(x, dt.datetime) else (None if x == "" else x) for x in a]
        b = [x.date() if isinstance(x, dt.datetime) else x for x in b]
        return a == b

    for e in edited:
        assert any(same(r, e) for r in rows[1:]), e


def test_regeneration_is_idempotent(book, capsys):
    assert run(capsys, "plan", str(book))[0] == 1
    first = plan_rows(book)
    assert run(capsys, "plan", str(book))[0] == 1
    assert plan_rows(book) == first


def test_a_workbook_from_an_earlier_version_moves_the_work_under_the_plan_to_its_sheet(book, capsys):
    """Earlier versions listed the unscheduled work and the notes from removed rows under
    the plan: the next run reads them there, writes the plan alone, and the notes go to the
    未安排 sheet with the work (nothing a person typed is lost)."""
    assert run(capsys, "plan", str(book))[0] == 1
    wb = openpyxl.load_workbook(book)
    del wb["未安排"]
    ws = wb["拜访计划"]
    ws["L1"] = None
    end = ws.max_row
    old = [["未安排的工作"], ["应安排日期", "客户经理", "客户编号", "客户名称", "等级", "类型", "原因"],
           [None, "王芳", "", "", "", "开发", "2026-11 开发拜访还差 1 次：没有可开发的潜在客户"], [],
           ["已移除计划行的备注"], ["日期", "客户经理", "客户编号", "客户名称", None, "类型", "现计划日期", None, "备注"],
           [dt.datetime(2026, 11, 20), "王芳", "KH0001", "某客户", None, "拜访", None, None, "客户说下周再约"]]
    for i, row in enumerate(old):
        for j, v in enumerate(row):
            ws.cell(end + 3 + i, j + 1).value = v
    wb.save(book)
    assert run(capsys, "plan", str(book))[0] == 1
    wb = openpyxl.load_workbook(book)
    plan = wb["拜访计划"]
    assert plan.max_row == len(plan_rows(book)) and "已移除计划行的备注 1 项" in plan["L1"].value
    kept = [[c.value for c in r] for r in wb["未安排"].iter_rows()]
    title = kept.index(["已移除计划行的备注"] + [None] * (len(kept[0]) - 1))
    assert kept[title + 1][:7] == ["日期", "客户经理", "客户编号", "客户名称", "类型", "备注", "现计划日期"]
    assert kept[title + 2][5] == "客户说下周再约" and kept[title + 2][2] == "KH0001"
    assert run(capsys, "plan", str(book))[0] == 1  # and it stays there
    again = [[c.value for c in r] for r in openpyxl.load_workbook(book)["未安排"].iter_rows()]
    assert again == kept


def test_what_people_type_beside_the_unscheduled_work_moves_with_its_row(book, capsys):
    assert run(capsys, "plan", str(book))[0] == 1
    wb = openpyxl.load_workbook(book)
    ws = wb["未安排"]
    rows = [[c.value for c in r] for r in ws.iter_rows(max_col=7)]
    ws["I1"], ws["I3"] = "跟进", "下周补上"
    second = rows[2]
    wb.save(book)
    assert run(capsys, "plan", str(book))[0] == 1
    ws = openpyxl.load_workbook(book)["未安排"]
    now = [[c.value for c in r] for r in ws.iter_rows(max_col=9)]
    assert now[0][8] == "跟进"
    assert [r[8] for r in now[1:] if r[:7] == second] == ["下周补上"]


def test_a_foreign_unscheduled_sheet_is_refused(book, capsys):
    wb = openpyxl.load_workbook(book)
    wb.create_sheet("未安排")["A1"] = "我自己的待办，不要覆盖"
    wb.save(book)
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    code, result = run(capsys, "plan", str(book))
    assert code == 2 and "「未安排」" in result["error"] and "不是 xlclient 生成的" in result["error"]
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before


def test_unreadable_plan_sheet_is_refused(book, capsys):
    wb = openpyxl.load_workbook(book)
    ws = wb.create_sheet("拜访计划")
    ws["A1"] = "我的手写计划，不要覆盖"
    wb.save(book)
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    code, result = run(capsys, "plan", str(book))
    assert code == 2 and "不是 xlclient 生成的" in result["error"]
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before


def test_bad_weeks_fail(book, capsys):
    assert main(["plan", str(book), "--weeks", "0", "-q"]) == 2


def test_a_done_visit_counts_as_the_latest_visit_in_the_classification(book, capsys):
    """Marking a plan row 已完成 moves that client's 下次拜访 in the next refresh too."""
    assert run(capsys, "plan", str(book), "--start", "2026-11-02", "--weeks", "2")[0] == 1
    wb = openpyxl.load_workbook(book)
    ws = wb["拜访计划"]
    row = next(r for r in range(2, ws.max_row + 1)
               if ws.cell(r, 6).value == "拜访" and ws.cell(r, 5).value in ("A", "B", "C")
               and ws.cell(r, 1).value is not None and ws.cell(r, 1).value.date() <= dt.date(2026, 11, 20))
    client, tier, done_on = ws.cell(row, 3).value, ws.cell(row, 5).value, ws.cell(row, 1).value.date()
    ws.cell(row, 8).value = "已完成"
    wb.save(book)
    assert run(capsys, "refresh", str(book))[0] == 1
    classification = pc.CalamineWorkbook.from_path(str(book)).get_sheet_by_name("分级结果").to_python()
    mine = next(r for r in classification[1:] if r[0] == client)
    next_visit = mine[9].date() if isinstance(mine[9], dt.datetime) else mine[9]
    due = done_on + dt.timedelta(days={"A": 14, "B": 30, "C": 90}[mine[3]])
    assert WorkingCalendar().next_workday(due) == next_visit, (client, tier, done_on, mine)


def _sheets_of(monkeypatch, rows: int) -> None:
    """A world whose sheets hold ``rows`` rows."""
    import xlclient.engine.visitplan as visitplan
    import xlclient.jobs as jobs
    import xlclient.xlsx.worksheet as worksheet

    for module, name in ((jobs, "SHEET_ROWS"), (visitplan, "SHEET_ROWS"), (worksheet, "MAX_ROWS")):
        monkeypatch.setattr(module, name, rows)


def test_a_plan_longer_than_a_sheet_is_refused_before_any_sheet_is_made(book, capsys, monkeypatch):
    """A plan whose own rows do not fit in a sheet (hundreds of AEs over a year) writes
    nothing and says how many weeks would fit; with that many weeks the plan is written
    (issue 15: no bare "more than 1048576 rows" after the work)."""
    import re

    import xlclient.jobs as jobs

    code, result = run(capsys, "plan", str(book), "--start", "2026-11-23", "--weeks", "6")
    assert code == 1
    length = len(plan_rows(book))  # header + rows of a 6-week plan
    book.unlink()
    write_demo_workbook(book, n_clients=80, seed=3, today=dt.date(2026, 11, 22))
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    limit = length - 1
    _sheets_of(monkeypatch, limit)
    made: list = []
    monkeypatch.setattr(jobs, "visit_plan_sheet", lambda *a: made.append(a))
    code, result = run(capsys, "plan", str(book), "--start", "2026-11-23", "--weeks", "6")
    assert code == 2 and not made
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before
    error = result["error"]
    needed = int(re.search(r"需要 ([\d,]+) 行，超出工作表 ([\d,]+) 行的上限", error).group(1).replace(",", ""))
    assert needed == length and f"超出工作表 {limit:,} 行的上限" in error and "nothing was written" in error
    fits = int(re.search(r"计划周数（「设置」或 --weeks）从 6 改为 (\d+) 或更少", error).group(1))
    assert 1 <= fits < 6
    monkeypatch.undo()
    _sheets_of(monkeypatch, limit)
    code, result = run(capsys, "plan", str(book), "--start", "2026-11-23", "--weeks", str(fits))
    assert code == 1
    assert len(pc.CalamineWorkbook.from_path(str(book)).get_sheet_by_name("拜访计划").to_python()) <= limit


def test_a_plan_that_fits_in_no_number_of_weeks_says_to_split_the_book(book, capsys, monkeypatch):
    _sheets_of(monkeypatch, 3)
    code, result = run(capsys, "plan", str(book), "--weeks", "2")
    assert code == 2 and "即使只排 1 周也放不下" in result["error"] and "not even one week fits" in result["error"]


# ---------------------------------------------------------------- any year (issue 24)

import holidays  # noqa: E402

from calendar_pin import official_data_through  # noqa: E402

from xlclient.engine.calendar import SUPPORTED_FIRST_YEAR, SUPPORTED_LAST_YEAR, festivals_between  # noqa: E402
from xlclient.engine.settings import Settings  # noqa: E402

# A start a few days before a festival, so that its days off fall inside a 4-week plan:
# 中秋 2030-09-12 and 国庆; 春节 2031-01-23; 中秋 2045-09-25 and 国庆; 国庆 1999 (before the
# first notice the calendar knows, 2001). Each year is provisional: no official schedule.
FAR_STARTS = ["2030-09-09", "2031-01-20", "2031-03-01", "2045-09-18", "1999-09-20"]


@pytest.fixture()
def known_through_2026():
    """The official data as it stood at the end of 2026, so that these years stay without
    an official schedule whatever releases are installed (tests/calendar_pin.py)."""
    with official_data_through(2026):
        yield


def _as_date(v) -> dt.date:
    return v.date() if isinstance(v, dt.datetime) else v


def assert_provisional_plan_on_statutory_workdays(path: Path, start: dt.date, weeks: int = 4, *,
                                                  lang: str = "zh") -> None:
    """Every planned day is a weekday that is no statutory day off of its year (holidays'
    China rules, the base of a provisional year); the sheet says the plan is provisional."""
    sheet = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("拜访计划" if lang == "zh" else "VisitPlan")
    cells = sheet.to_python()
    rows = [r[:10] for r in cells[:next((i for i, r in enumerate(cells) if all(v in ("", None) for v in r[:10])),
                                        len(cells))]]
    end = start + dt.timedelta(days=7 * weeks - 1)
    days = {_as_date(r[0]) for r in rows[1:] if r[0] != ""}
    assert days, "nothing planned"
    statutory = holidays.CN(years=range(start.year, end.year + 1))
    for d in days:
        assert start <= d <= end, d
        assert d.weekday() < 5 and d not in statutory, d
    # the festival days themselves (and the statutory breaks around them) are off
    for f in festivals_between(start, end):
        if f.date in statutory:
            assert f.date not in days, f
    assert len(cells) == len(rows)  # the plan sheet holds plan rows only
    assert ("提示" if lang == "zh" else "Notice") in str(cells[0][11])  # its header row points at the notice
    own = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("未安排" if lang == "zh" else "Unscheduled")
    notice = [str(v) for r in own.to_python() for v in r if str(start.year) in str(v)]
    assert any(("法定节日暂排" if lang == "zh" else "statutory festivals only") in v for v in notice), \
        "the plan does not say it is provisional"


@pytest.mark.parametrize("start", FAR_STARTS)
def test_a_plan_in_any_year_is_provisional_with_the_festivals_off(book, capsys, known_through_2026, start):
    code, result = run(capsys, "plan", str(book), "--start", start)
    assert code in (0, 1), result
    start_day = dt.date.fromisoformat(start)
    assert start_day.year in result["provisional_years"]
    assert_provisional_plan_on_statutory_workdays(book, start_day)


@pytest.mark.parametrize("today", FAR_STARTS)
def test_an_as_of_date_in_any_year_plans_provisionally(book, capsys, known_through_2026, today):
    for command in ("refresh", "plan"):
        code = main([command, str(book), "--json", "-q", "--today", today])
        result = json.loads(capsys.readouterr().out)
        assert code in (0, 1), result
        assert dt.date.fromisoformat(today).year in result["provisional_years"], (command, result)
    assert_provisional_plan_on_statutory_workdays(book, dt.date.fromisoformat(today))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_settings_as_of_date_years_ahead_plans_provisionally(tmp_path, capsys, known_through_2026, lang):
    as_of = dt.date(2038, 9, 6)  # 中秋 2038-09-13, then 国庆
    path = tmp_path / "book.xlsx"
    write_demo_workbook(path, n_clients=60, seed=5, today=dt.date(2026, 11, 22),
                        settings=Settings(as_of=as_of, language=lang))
    code = main(["plan", str(path), "--json", "-q"])
    result = json.loads(capsys.readouterr().out)
    assert code in (0, 1), result
    assert result["start"] == as_of.isoformat() and 2038 in result["provisional_years"]
    assert_provisional_plan_on_statutory_workdays(path, as_of, lang=lang)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("option,date", [
    ("--start", f"{SUPPORTED_LAST_YEAR + 1}-01-01"), ("--start", f"{SUPPORTED_LAST_YEAR}-12-20"),
    ("--start", "9999-12-31"), ("--start", f"{SUPPORTED_FIRST_YEAR - 1}-12-31"),
    ("--today", "9999-12-31"), ("--today", "1900-01-01"), ("--today", f"{SUPPORTED_LAST_YEAR + 1}-06-01"),
])
def test_a_date_outside_the_supported_years_is_refused_not_an_internal_error(book, capsys, option, date):
    before = _digest(book)
    argv = ["plan", str(book), "--json", "-q", option, date]
    code = main(argv if option == "--today" else argv + ["--today", TODAY])
    result = json.loads(capsys.readouterr().out)
    assert code == 2, result
    assert "内部错误" not in result["error"] and "internal error" not in result["error"]
    assert "超出工作日历支持的范围" in result["error"]
    assert f"{SUPPORTED_FIRST_YEAR}-01-01" in result["error"] and f"{SUPPORTED_LAST_YEAR}-12-31" in result["error"]
    assert _digest(book) == before


def test_an_as_of_date_outside_the_supported_years_is_refused_in_english(tmp_path, capsys):
    path = tmp_path / "book.xlsx"
    write_demo_workbook(path, n_clients=30, seed=5, today=dt.date(2026, 11, 22),
                        settings=Settings(as_of=dt.date(2150, 1, 5), language="en"))
    before = _digest(path)
    for command in ("refresh", "plan", "review"):
        code = main([command, str(path), "--json", "-q"])
        result = json.loads(capsys.readouterr().out)
        assert code == 2, result
        assert result["error"].startswith("the as-of date 2150-01-05 is outside the working calendar"), result
    assert _digest(path) == before


def test_holidays_rows_of_any_supported_year_apply_and_others_are_named_with_their_row(book, capsys,
                                                                                      known_through_2026):
    wb = openpyxl.load_workbook(book)
    h = wb["节假日"]
    h.append([dt.datetime(2040, 10, 8), "调休上班", "国庆节调休"])  # a Monday: stays a workday
    h.append([dt.datetime(2040, 10, 9), "放假", "公司假期"])  # a Tuesday: off
    h.append([f"{SUPPORTED_LAST_YEAR + 1}-10-08", "放假", "太远"])
    wb.save(book)
    code, result = run(capsys, "plan", str(book), "--start", "2040-09-24", "--weeks", "4")
    assert code == 1
    assert 2040 not in result["provisional_years"]  # the sheet completes the year
    days = {_as_date(r[0]) for r in plan_rows(book)[1:] if r[0] != ""}
    assert dt.date(2040, 10, 9) not in days and not days & {dt.date(2040, 10, d) for d in (1, 2, 3)}
    assert dt.date(2040, 10, 8) in days
    far = [p for p in result["problems"] if p["sheet"] == "节假日" and "超出工作日历" in p["message"]]
    assert [(p["row"], p["value"]) for p in far] == [(4, f"{SUPPORTED_LAST_YEAR + 1}-10-08")]


def test_the_per_ae_table_lines_up_in_a_terminal_with_chinese_names():
    from wcwidth import wcswidth

    from xlclient.cli import _columns

    text = _columns([["客户经理", "拜访", "未能拜访的到期客户"], ["刘洋", 59, 0], ["Zoe Li", 7, 12], ["欧阳娜娜", 102, 3]])
    lines = text.splitlines()
    ends = {wcswidth(line) for line in lines}
    assert len(ends) == 1, lines  # every column ends where its header ends: numbers to the right
    assert lines[1].endswith(" 0") and lines[2].endswith("12") and "  Zoe Li    " in lines[2]


def test_an_internal_error_after_the_write_says_the_results_were_written(book, capsys, monkeypatch):
    """A failure after the workbook was written must not claim it was not changed."""
    import xlclient.cli as cli

    def broken(table):
        raise RuntimeError("printing failed")

    monkeypatch.setattr(cli, "_columns", broken)
    code = main(["plan", str(book), "-q", "--today", TODAY])
    err = capsys.readouterr().err
    assert code == 2 and "内部错误（RuntimeError）" in err and f"结果已写入 {book}" in err and "未改动" not in err
    assert plan_rows(book)[1:]  # the plan is there


@pytest.mark.parametrize("lock, program", [("~${}", "Excel"), (".~lock.{}#", "LibreOffice")])
def test_a_book_open_elsewhere_is_named_by_its_program_before_any_work(book, capsys, monkeypatch, lock, program):
    """Issue 28: a LibreOffice lock was reported as 'open in Excel', and only after the plan
    was made (seconds of work): now the program the lock belongs to, before reading."""
    import xlclient.cli as cli

    (book.parent / lock.format(book.name)).write_text("someone", encoding="utf-8")
    planned: list = []
    monkeypatch.setattr(cli, "plan", lambda *a, **k: planned.append(a), raising=False)  # a stand-in: kept
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    code, result = run(capsys, "plan", str(book))
    assert code == 2 and f"正在 {program} 中打开" in result["error"] and not planned
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before
