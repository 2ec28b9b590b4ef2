"""``xlclient init``: attach the xlclient sheets to an existing workbook, change nothing
else, and change nothing at all when run again -- on our own books and on every workbook
of the Excel-made corpus."""

from __future__ import annotations

import json

import datetime as dt
import hashlib
import os
import tempfile
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import openpyxl
import pytest
import python_calamine as pc
import xlsxwriter

from xlclient.cli import main
from xlclient.engine.settings import Settings, settings_from_grid
from xlclient.jobs import classification_sheet, init_workbook, issues_sheet, log_sheet
from xlclient.xlsx.owned import build_workbook
from xlclient.xlsx.reader import WorkbookUnreadable, read_workbook
from xlclient.xlsx.verify import insertion_only, raw_changed_members

SHARED = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}
OWNED = {"设置", "节假日", "分级结果", "拜访计划", "未安排", "数据问题", "运行日志"}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_book(path: Path) -> None:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("客户台账")
    ws.write(0, 0, "2026 客户台账")
    ws.write_row(2, 0, ["客户编号", "客户名称", "负责人", "近12月投放额(万元)", "本年消耗", "最近拜访"])
    ws.write_row(3, 0, ["K1", "甲公司", "张伟", 100, 5, "2026-10-01"])
    ws.write_comment("B4", "a note someone left")
    wb.add_worksheet("Notes").write(0, 0, "keep me")
    wb.close()


def test_init_adds_the_sheets_with_the_inferred_mapping(tmp_path, capsys):
    path = tmp_path / "book.xlsx"
    make_book(path)
    assert main(["init", str(path), "-q"]) == 0
    names = pc.CalamineWorkbook.from_path(str(path)).sheet_names
    assert names[:2] == ["客户台账", "Notes"] and OWNED <= set(names)
    data = read_workbook(path)
    settings_grid = data.sheet(["设置"])
    s = settings_from_grid(settings_grid.rows, "设置", settings_grid.first_row, settings_grid.first_col)
    assert s.replace(columns={}) == Settings()
    # two columns could be the billings and they differ: init does not choose (a mapping would
    # silence the doubt); the 列映射 row says why it is empty, for the user to fill
    assert dict(s.columns) == {"client_id": "客户编号", "name": "客户名称", "owner": "负责人",
                               "last_visit": "最近拜访"}
    block = [r for r in settings_grid.rows if r and r[0] in ("客户名称", "年度投放额")]
    assert block[0][1:3] == ["客户名称", "表头"]
    assert block[1][1] in (None, "") and "近12月投放额(万元)" in block[1][2] and "本年消耗" in block[1][2]
    wb = openpyxl.load_workbook(path)
    row = next(c.row for c in wb["设置"]["D"] if c.value == "cadence_A")
    assert wb.defined_names["xlc_cadence_A"].attr_text == f"'设置'!$B${row}"
    assert wb["设置"][f"B{row}"].value == 14
    assert wb["客户台账"]["B4"].comment.text.startswith("a note")
    # then refresh works with the mapping the user may now edit; the book has no status
    # column (told by billings, lost clients cannot be told: SPEC 2) nor need, potential,
    # orders or last order (no quadrant, no RFM), which is said out loud (exit 1) and nothing else
    capsys.readouterr()
    assert main(["refresh", str(path), "--json", "-q", "--today", "2026-11-22"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert ("field_ambiguous", "billings") in {(p["code"], p["field"]) for p in result["problems"]}
    assert result["counts"]["tier_A"] == 0
    # the user confirms which column is the billings in the 列映射 row init left empty
    # (a test may save its own book with openpyxl; xlclient never does)
    wb = openpyxl.load_workbook(path)
    cell = next(c for c in wb["设置"]["A"] if c.value == "年度投放额")
    wb["设置"].cell(cell.row, 2, "近12月投放额(万元)")
    wb.save(path)
    assert main(["refresh", str(path), "--json", "-q", "--today", "2026-11-22"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert sorted((p["row"] or 0, p["code"], p["field"] or "") for p in result["problems"]) == [
        (0, "inputs_missing", ""), (0, "inputs_missing", ""), (0, "status_from_billings", "status")]
    assert result["counts"]["tier_A"] > 0


def test_second_init_changes_nothing(tmp_path, capsys):
    path = tmp_path / "book.xlsx"
    make_book(path)
    assert main(["init", str(path), "-q"]) == 0
    before = digest(path)
    assert main(["init", str(path), "-q"]) == 0
    assert digest(path) == before
    assert "未做更改" in capsys.readouterr().out


def test_init_names_only_the_sheets_it_added(tmp_path, capsys):
    """A book that has a Log (运行日志) but misses other sheets: init adds them and a Log
    line; it does not say it added the Log."""
    path = tmp_path / "book.xlsx"
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet("客户").write_row(0, 0, ["客户名称", "年度投放额"])
    wb.add_worksheet("运行日志").write_row(0, 0, ["时间", "用户", "操作", "结果"])
    wb.close()
    capsys.readouterr()
    assert main(["init", str(path), "--json", "-q"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert "运行日志" not in result["added"] and "设置" in result["added"]
    log = read_workbook(path).sheet(["运行日志"]).rows
    assert log[-1][2] == "添加工作表" and "运行日志" not in log[-1][3]


def test_existing_settings_are_never_overwritten(tmp_path, capsys):
    path = tmp_path / "book.xlsx"
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet("客户").write_row(0, 0, ["客户名称", "年度投放额"])
    wb.add_worksheet("Settings").write_row(0, 0, ["A类累计占比", "70%"])
    wb.close()
    assert main(["init", str(path), "-q", "--lang", "en"]) == 0
    data = read_workbook(path)
    assert data.sheet(["Settings"]).rows == [["A类累计占比", "70%"]]
    assert {"Holidays", "Classification", "VisitPlan", "Issues", "Log"} <= set(data.sheet_names)
    assert "设置" not in data.sheet_names
    capsys.readouterr()


def test_init_without_a_client_table_still_adds_the_sheets(tmp_path, capsys):
    path = tmp_path / "empty.xlsx"
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet("Sheet1").write(0, 0, "nothing here")
    wb.close()
    assert main(["init", str(path), "-q"]) == 0
    out = capsys.readouterr().out
    assert "找不到客户表" in out and "列映射中「客户名称」一行" in out and "xlclient init" not in out


# ---------------------------------------------------------------- the Excel-made corpus

from corpus_path import corpus_workbooks as corpus  # noqa: E402


def _check_one(path: Path) -> str | None:
    """init + a refresh-shaped write into one corpus workbook; None when all is well."""
    original = path.read_bytes()
    try:
        data = read_workbook(path)
    except WorkbookUnreadable as e:
        return f"{path.name}: unreadable: {e}"
    init = init_workbook(data)
    if not init.sheets:
        return f"{path.name}: init added nothing"
    after_init = build_workbook(original, init.sheets, defined_names=init.defined_names).data
    tmp = Path(tempfile.gettempdir()) / f"xlc-init-{os.getpid()}-{path.name}"
    tmp.write_bytes(after_init)
    try:
        data2 = read_workbook(tmp)
        if init_workbook(data2).sheets:
            return f"{path.name}: a second init would add sheets"
        refresh_sheets = [
            classification_sheet_stub(data2),
            issues_sheet([], "zh", "数据问题"),
            log_sheet(data2, "zh", "运行日志", "refresh", "ok", when=dt.datetime(2026, 11, 22, 9, 0), who="ci"),
        ]
        final = build_workbook(after_init, refresh_sheets).data
    finally:
        tmp.unlink(missing_ok=True)
    ours = {p for p in _sheet_parts(final)} - set(_sheet_parts(original))
    changed = set(raw_changed_members(original, final)) - SHARED - ours
    if changed:
        return f"{path.name}: parts changed that xlclient does not own: {sorted(changed)}"
    with zipfile.ZipFile(__import__('io').BytesIO(original)) as a, zipfile.ZipFile(__import__('io').BytesIO(final)) as b:
        for part in SHARED & set(a.namelist()):
            report = insertion_only(a.read(part).decode("utf-8"), b.read(part).decode("utf-8"))
            if not report:
                return f"{path.name}: {part} changed other than by insertion: {report}"
    return None


def classification_sheet_stub(data):
    from xlclient.xlsx.worksheet import SheetSpec
    return SheetSpec("分级结果", [["客户编号", "客户名称", "等级", "下次拜访"], ["K1", "=甲", "A", dt.date(2026, 12, 1)]],
                     number_formats={3: "yyyy-mm-dd"})


def _sheet_parts(data: bytes) -> list[str]:
    import io
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [n for n in z.namelist() if n.startswith("xl/worksheets/")]


@pytest.mark.skipif(not corpus(), reason="shared/corpus/excel-made not found beside the repo")
def test_init_and_refresh_write_keep_every_corpus_workbook_intact():
    files = corpus()
    with ProcessPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1))) as pool:
        failures = [r for r in pool.map(_check_one, files, chunksize=16) if r]
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_holidays_drop_down_offers_words_the_calendar_reads(tmp_path, lang):
    """The Holidays sheet's drop-down is in the book's language, and each word it offers
    is one the calendar takes (a day off first, then a make-up workday)."""
    from xlclient.engine.calendar import parse_override_kind
    from xlclient.jobs import init_workbook

    path = tmp_path / "book.xlsx"
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet("客户").write_row(0, 0, ["客户名称", "年度投放额"])
    wb.close()
    result = init_workbook(read_workbook(path), lang)
    holidays = next(s for s in result.sheets if s.name == ("节假日" if lang == "zh" else "Holidays"))
    (_, words), = holidays.data_validations
    assert [parse_override_kind(w) for w in words] == [True, False]
    assert words == (["放假", "调休上班"] if lang == "zh" else ["Day off", "Make-up workday"])
    assert all(w in str(holidays.rows[0][-1]) for w in words)  # the note names the same words
