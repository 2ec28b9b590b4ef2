"""What only desktop Excel can prove (marked ``excel``; skipped everywhere else).

Run on the Windows check PC (Excel 365 or 2021, Python venv with xlclient, ``xlwings addin
install``, "Trust access to the VBA project object model" ticked)::

    pytest -m excel tests/test_excel.py -v

Each test opens a fresh copy of workbook/xlclient.xlsm in a hidden Excel instance. The list
is also in workbook/README.md ("The Windows check").
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "workbook" / "xlclient.xlsm"


def _excel_available() -> bool:
    if sys.platform != "win32":
        return False
    try:
        import win32com.client  # noqa: F401  (pywin32, installed with xlwings on Windows)
        import winreg

        winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, "Excel.Application")
        return True
    except Exception:
        return False


pytestmark = [
    pytest.mark.excel,
    pytest.mark.skipif(not _excel_available(),
                       reason="needs desktop Excel on Windows with the xlwings add-in; run `pytest -m excel` on the "
                              "Windows check PC (see workbook/README.md)"),
]


@pytest.fixture()
def excel(tmp_path):
    """(app, book, path): a hidden Excel with the add-ins loaded and a copy of the template open."""
    import xlwings as xw

    path = tmp_path / "xlclient.xlsm"
    shutil.copy(TEMPLATE, path)
    app = xw.App(visible=False, add_book=False)
    try:
        app.display_alerts = False
        for addin in app.api.AddIns:  # add-ins are not loaded by automation unless asked
            if addin.Installed:
                app.api.Workbooks.Open(addin.FullName)
        book = app.books.open(str(path))
        yield app, book, path
    finally:
        for b in list(app.books):
            b.close()
        app.quit()


def _run(app, book, macro: str, *args):
    return app.api.Run(f"'{book.name}'!{macro}", *args)


def test_the_ms_ovba_vba_project_is_accepted_and_compiles(excel):
    """Excel opens the project ms-ovba wrote (source only, no p-code) and compiles it."""
    app, book, _ = excel
    names = {c.Name for c in book.api.VBProject.VBComponents}  # needs "Trust access to the VBA project"
    assert {"ThisWorkbook", "XlClient", "xlwings_udfs"} <= names
    assert book.api.VBProject.VBComponents("XlClient").CodeModule.Lines(1, 1).startswith("'")
    # Private helpers run through Application.Run: the module compiled.
    assert _run(app, book, "XlClient.U", "\\u5237\\u65B0") == "刷新"
    assert _run(app, book, "XlClient.PyStr", "张伟") == "'\\u5F20\\u4F1F'"


def test_the_sheet_buttons_are_bound_to_the_macros(excel):
    _, book, _ = excel
    sheet = book.sheets["客户台账"]
    actions = {b.Caption: b.OnAction.split("!")[-1] for b in sheet.api.Buttons()}
    assert actions == {"刷新分级": "XlClientRefresh", "生成拜访计划": "XlClientVisitPlan", "客户复盘": "XlClientReview",
                       "管理看板": "XlClientDashboard", "交接客户": "XlClientReassign", "转为数值": "XlClientValues",
                       "诊断": "XlClientDoctor"}


def test_cached_values_are_shown_on_open(excel):
    """No recalculation on open: the UDF cells show the values computed at build time."""
    _, book, _ = excel
    sheet = book.sheets["客户台账"]
    tiers = sheet.range("客户表[等级]").value
    assert {"A", "B", "C", "D"} <= set(tiers)


def test_refresh_button_runs_python_through_runpython(excel):
    app, book, _ = excel
    before = len(book.sheets["运行日志"].used_range.value)
    _run(app, book, "XlClientRefresh")
    log = book.sheets["运行日志"].used_range.value
    assert len(log) == before + 1
    assert log[-1][2] == "刷新分级（Excel 按钮）"
    assert isinstance(log[-1][0], dt.datetime)
    cls = book.sheets["分级结果"]
    assert cls["A1"].value == "客户编号"
    assert not any(c.HasFormula for c in cls.used_range.api.Cells)  # plain values only
    assert app.status_bar in (False, "")  # restored


def test_text_that_looks_like_a_formula_is_written_as_text(excel):
    from xlclient.xlsx.worksheet import SheetSpec
    from xlclient.xlwings_io import write_sheets

    _, book, _ = excel
    write_sheets(book, [SheetSpec("看板", [["备注"], ["=1+1"], ["-5%"], ["00123"], ["2026-03-05"], ["@x"]])])
    cells = book.sheets["看板"].range("A2:A6")
    assert cells.value == ["=1+1", "-5%", "00123", "2026-03-05", "@x"]
    assert all(not c.HasFormula and c.PrefixCharacter == "'" for c in cells.api.Cells)


def test_a_failed_write_restores_the_owned_sheets(excel):
    """A real COM error midway (a protected sheet) puts everything back."""
    from xlclient.xlsx.worksheet import SheetSpec
    from xlclient.xlwings_io import read_workbook_data, write_sheets

    _, book, _ = excel
    before = {s.name: s.used_range.formula for s in book.sheets}
    book.sheets["运行日志"].api.Protect()
    with pytest.raises(Exception):
        write_sheets(book, [SheetSpec("分级结果", [["x"]]), SheetSpec("运行日志", [["y"]])])
    assert {s.name: s.used_range.formula for s in book.sheets} == before
    assert read_workbook_data(book).sheet(["分级结果"]).rows[0][0] == "客户编号"


def test_udfs_calculate_in_cells_and_spill(excel):
    """The UDF wrappers compile against the XLPy stand-in, call the add-in, and spill."""
    app, book, _ = excel
    sheet = book.sheets["看板"]
    sheet["A1"].formula = "=CLIENT_TIER(100,{100,50,10})"
    sheet["B1"].formula2 = "=CLIENT_TIER(客户表[年度投放额(万元)],,客户表[客户状态],,,,\"万元\")"
    app.calculate()
    for _ in range(50):  # the UDF server may take a moment on first use
        if sheet["A1"].value not in (None, 0):
            break
        time.sleep(0.2)
        app.calculate()
    assert sheet["A1"].value == "A"
    spilled = sheet["B1"].expand("down").value
    assert len(spilled) == book.sheets["客户台账"].range("客户表[等级]").shape[0]
    assert spilled[:5] == book.sheets["客户台账"].range("客户表[等级]").value[:5]


def test_single_cells_with_raw_populations_equal_the_column_form(excel):
    """Populations are read raw (COM's values: pywintypes dates, error numbers, tuples of
    rows): single-cell formulas over a population with an error row answer as the column
    form over the clean rows."""
    app, book, _ = excel
    sheet = book.sheets["看板"]
    sheet["H1"].options(transpose=True).value = [120.0, 80.0, 55.0, 30.0, 12.0, 9.0]
    sheet["I1"].options(transpose=True).value = [dt.date(2026, 1, 5), dt.date(2025, 7, 1), dt.date(2026, 10, 1),
                                                 dt.date(2024, 2, 29), dt.date(2026, 6, 30), dt.date(2025, 12, 31)]
    sheet["L1"].options(transpose=True).value = [3.0, 1.0, 2.0, 5.0, 1.0, 2.0]
    for column in "HIL":
        sheet[f"{column}7"].formula = "=NA()"
    for r in range(1, 7):
        sheet[f"J{r}"].formula = f"=CLIENT_TIER(H{r},H$1:H$7)"
        sheet[f"M{r}"].formula = f"=RFM_SCORE(I{r},L{r},H{r},I$1:I$7,L$1:L$7,H$1:H$7)"
    sheet["K1"].formula2 = "=CLIENT_TIER(H1:H6)"
    sheet["N1"].formula2 = "=RFM_SCORE(I1:I6,L1:L6,H1:H6)"
    app.calculate()
    for _ in range(50):  # the UDF server may take a moment on first use
        if sheet["J1"].value not in (None, 0) and sheet["N1"].value not in (None, 0):
            break
        time.sleep(0.2)
        app.calculate()
    assert sheet["J1:J6"].value == sheet["K1:K6"].value
    assert sheet["M1:M6"].value == sheet["N1:N6"].value
    assert all(isinstance(v, float) and v >= 111 for v in sheet["M1:M6"].value)


def _settle(app, cell, tries: int = 50) -> None:
    app.calculate()
    for _ in range(tries):  # the UDF server may take a moment on first use
        if cell.value not in (None, 0):
            return
        time.sleep(0.2)
        app.calculate()


def test_settings_reach_the_functions_through_the_hidden_arguments(excel):
    """The wrappers' hidden arguments (Names("xlc_settings").RefersToRange.Worksheet.UsedRange
    inside the VBA function) are accepted while Excel calculates, and an edited Settings
    sheet reaches the formulas after a full recalculation (Ctrl+Alt+F9)."""
    app, book, _ = excel
    sheet = book.sheets["看板"]
    sheet["A1"].formula = "=CLIENT_TIER(10,{100,10,5})"  # 100 of 115 before it: 87 % -> B at the 80 % default
    _settle(app, sheet["A1"])
    assert sheet["A1"].value == "B"
    settings = book.sheets["设置"]
    row = next(i for i, r in enumerate(settings.used_range.value, 1) if r and len(r) > 3 and r[3] == "pareto_a")
    settings[f"B{row}"].value = 0.9
    app.api.CalculateFull()
    _settle(app, sheet["A1"])
    assert sheet["A1"].value == "A"


def test_values_button_keeps_the_function_columns_as_values(excel):
    app, book, _ = excel
    rng = book.sheets["客户台账"].range("客户表[[等级]:[拜访策略]]")
    before = rng.value
    _run(app, book, "XlClientValues")
    assert rng.value == before
    assert not any(c.HasFormula for c in rng.api.Cells)
    assert book.sheets["运行日志"].used_range.value[-1][2].startswith("转为数值")


def test_doctor_button_writes_the_report_with_a_computed_function(excel):
    app, book, _ = excel
    _run(app, book, "XlClientDoctor")
    rows = {r[0]: r for r in book.sheets["诊断"].used_range.value if r and r[0]}
    assert rows["CLIENT_TIER in Excel"][1] == "正常" and rows["xlc_settings/holidays"][1] == "正常"
    assert rows["按钮"][1] == "正常"


def test_recalculating_the_table_reproduces_the_cached_values(excel):
    app, book, _ = excel
    rng = book.sheets["客户台账"].range("客户表[[等级]:[拜访状态]]")
    cached = rng.value
    rng.api.Calculate()
    assert rng.value == cached


def test_import_functions_leaves_the_same_wrappers(excel):
    """The ribbon's Import Functions (xlwings.import_udfs) writes the module the template has."""
    from xlwings.udfs import import_udfs

    app, book, _ = excel
    code = book.api.VBProject.VBComponents("xlwings_udfs").CodeModule
    before = code.Lines(1, code.CountOfLines)
    import_udfs("xlclient.udfs", book.api)
    code = book.api.VBProject.VBComponents("xlwings_udfs").CodeModule
    assert code.Lines(1, code.CountOfLines) == before
