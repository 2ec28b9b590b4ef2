"""xlclient's formula cells turned into their values (xlclient.xlsx.freeze, `xlclient values`):
every other cell left byte for byte, shared and array formulas, text results, cells with
nothing to keep reported; the command on a workbook, twice, and a property test on random
sheets."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from xlclient import jobs, udfs
from xlclient.cli import main
from xlclient.xlsx.freeze import drop_calculated_columns, freeze_cells, functions_pattern

CALLS = functions_pattern(jobs.FUNCTIONS)
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def sheet(*cells: str) -> str:
    return f'<worksheet {NS}><sheetData><row r="1">{"".join(cells)}</row></sheetData></worksheet>'


def test_the_function_list_is_the_udf_modules():
    assert set(jobs.FUNCTIONS) == set(udfs.__all__)


def test_which_formulas_are_xlclients():
    for text in ("CLIENT_TIER(H5,H$5:H$9)", "client_tier (1)", "IF(A1,_xludf.NEXT_VISIT(B1,C1),\"\")",
                 "客户表[[#This Row],[x]]&CLIENT_STRATEGY(\"理智型\")"):
        assert CALLS.search(text), text
    for text in ("MY_CLIENT_TIER(1)", "SUM(A1:A3)", "\"CLIENT_TIER\"&A1", "CLIENT_TIERS(1)", "X.CLIENT_TIER(1)"):
        assert not CALLS.search(text), text


def test_cells_become_their_saved_values_and_nothing_else_changes():
    others = ['<c r="A1" s="3"><f>SUM(B1:B3)</f><v>6</v></c>', '<c r="B1"><v>1</v></c>', '<c r="C1" s="2"/>',
              '<c r="D1" t="s"><v>0</v></c>']
    ours = ['<c r="E1" s="4"><f>CLIENT_TIER(H5,H$5:H$9)</f><v>7</v></c>',
            '<c r="F1" t="str"><f>CLIENT_QUADRANT(E1,2)</f><v>Q1 高价值 &amp; 高需求 </v></c>',
            '<c r="G1" t="b"><f>_xludf.VISIT_STATUS(1,2)</f><v>1</v></c>',
            '<c r="H1" cm="1"><f t="array" ref="H1:H3">CLIENT_TIER(A1:A3)</f><v>2</v></c>']
    left = ['<c r="I1"><f>NEXT_VISIT(A1,B1)</f></c>', '<c r="J1" t="e"><f>RFM_SCORE(1,2,3)</f><v>#VALUE!</v></c>']
    xml = sheet(*others, *ours, *left)
    new, done = freeze_cells(xml, CALLS)
    assert done.converted == 4 and done.left == [("I1", "no_value"), ("J1", "error_value")]
    for cell in others + left:
        assert cell in new  # byte for byte
    assert '<c r="E1" s="4"><v>7</v></c>' in new
    assert '<c r="F1" t="inlineStr"><is><t xml:space="preserve">Q1 高价值 &amp; 高需求 </t></is></c>' in new
    assert '<c r="G1" t="b"><v>1</v></c>' in new and '<c r="H1"><v>2</v></c>' in new
    ET.fromstring(new)  # well formed
    again, nothing = freeze_cells(new, CALLS)
    assert again == new and nothing.converted == 0


def test_a_shared_formula_group_is_ours_when_its_master_is():
    xml = sheet('<c r="A1"><f t="shared" ref="A1:A3" si="0">CLIENT_TIER(B1,B$1:B$3)</f><v>1</v></c>',
                '<c r="A2"><f t="shared" si="0"/><v>2</v></c>',
                '<c r="C1"><f t="shared" ref="C1:C2" si="1">B1*2</f><v>2</v></c>',
                '<c r="C2"><f t="shared" si="1"/><v>4</v></c>')
    new, done = freeze_cells(xml, CALLS)
    assert done.converted == 2
    assert '<c r="A1"><v>1</v></c>' in new and '<c r="A2"><v>2</v></c>' in new
    assert '<c r="C2"><f t="shared" si="1"/><v>4</v></c>' in new


def test_a_shared_formula_with_a_cell_that_has_nothing_to_keep_stays_whole():
    """Converting the master while a cell of its group stays a formula would leave that
    cell pointing at a formula that is gone: the whole group stays, each cell reported."""
    xml = sheet('<c r="A1"><f t="shared" ref="A1:A3" si="0">CLIENT_TIER(B1,B$1:B$3)</f><v>1</v></c>',
                '<c r="A2"><f t="shared" si="0"/><v>2</v></c>',
                '<c r="A3"><f t="shared" si="0"/></c>',
                '<c r="D1"><f>CLIENT_TIER(B1)</f><v>7</v></c>')
    new, done = freeze_cells(xml, CALLS)
    assert done.converted == 1 and '<c r="D1"><v>7</v></c>' in new
    assert sorted(done.left) == [("A1", "shared_group"), ("A2", "shared_group"), ("A3", "no_value")]
    assert new.replace('<c r="D1"><v>7</v></c>', '<c r="D1"><f>CLIENT_TIER(B1)</f><v>7</v></c>') == xml
    problems = jobs.values_problems({"客户": done}, "zh")
    assert [(p["row"], p["column"], p["code"]) for p in problems] == [(1, "A", "values_shared_group"),
                                                                        (2, "A", "values_shared_group"),
                                                                        (3, "A", "values_no_value")]


def test_a_part_without_sheetdata_is_looked_at_cell_by_cell():
    xml = '<worksheet><c r="A1"><f>CLIENT_TIER(1)</f><v>2</v></c><c r="B1"><v>3</v></c></worksheet>'
    new, done = freeze_cells(xml, CALLS)
    assert done.converted == 1 and new == '<worksheet><c r="A1"><v>2</v></c><c r="B1"><v>3</v></c></worksheet>'


def test_prefixed_markup_is_handled():
    xml = ('<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
           '<x:row r="1"><x:c r="A1" t="str"><x:f>CLIENT_STRATEGY("理智型")</x:f><x:v>讲道理</x:v></x:c></x:row>'
           '</x:sheetData></x:worksheet>')
    new, done = freeze_cells(xml, CALLS)
    assert done.converted == 1 and '<x:c r="A1" t="inlineStr"><x:is><x:t>讲道理</x:t></x:is></x:c>' in new


def test_calculated_columns_calling_our_functions_are_dropped():
    table = ('<table ref="A1:C3"><tableColumns count="3"><tableColumn id="1" name="a"/>'
             '<tableColumn id="2" name="b"><calculatedColumnFormula>CLIENT_TIER(表[[#This Row],[a]])'
             '</calculatedColumnFormula></tableColumn><tableColumn id="3" name="c"><calculatedColumnFormula>'
             '[a]*2</calculatedColumnFormula></tableColumn></tableColumns></table>')
    new, n = drop_calculated_columns(table, CALLS)
    assert n == 1 and "CLIENT_TIER" not in new and "[a]*2" in new


cell_formula = st.one_of(st.sampled_from(["CLIENT_TIER(A1)", "SUM(A1:A2)", "NEXT_VISIT(B1,C1)", "A1&\"x\"",
                                          "MY_CLIENT_TIER(1)", "_xludf.RFM_SCORE(1,2,3)"]), st.none())
cell_value = st.one_of(st.none(), st.integers(-5, 5).map(str), st.text("ab &<>中", max_size=6))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(cell_formula, cell_value, st.sampled_from(["", "str", "e", "b"])), max_size=12))
def test_random_sheets(cells):
    """Every cell not calling an xlclient function, and every one with nothing to keep, comes
    back byte for byte; every other loses its formula and keeps its value; the part stays
    well formed."""
    from xml.sax.saxutils import escape

    xml_cells = []
    for i, (formula, value, kind) in enumerate(cells):
        t = f' t="{kind}"' if kind else ""
        f = f"<f>{escape(formula)}</f>" if formula else ""
        v = f"<v>{escape(value)}</v>" if value is not None else ""
        xml_cells.append(f'<c r="A{i + 1}"{t}>{f}{v}</c>')
    xml = sheet(*xml_cells)
    new, done = freeze_cells(xml, CALLS)
    root = ET.fromstring(new)
    got = root.findall(".//{*}c")
    assert len(got) == len(cells)
    converted = 0
    for (formula, value, kind), before, after in zip(cells, xml_cells, got):
        ours = formula is not None and bool(CALLS.search(formula))
        if ours and value is not None and kind != "e":
            converted += 1
            assert after.find("{*}f") is None
            text = after.findtext("{*}v") if kind != "str" else after.findtext("{*}is/{*}t")
            assert text == value
        else:
            assert before in new
    assert done.converted == converted


# ----------------------------------------------------------------------------- the command


def book_with_formulas(path: Path, *, uncomputed: bool = False) -> None:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("客户")
    ws.write_row(0, 0, ["客户名称", "年度投放额", "等级", "合计"])
    for r in range(1, 4):
        ws.write_string(r, 0, f"客户{r}")
        ws.write_number(r, 1, 100 * r)
        ws.write_formula(r, 2, f"=CLIENT_TIER(B{r + 1},B$2:B$4)", None, "ABC"[r - 1])
        ws.write_formula(r, 3, f"=B{r + 1}*2", None, 200 * r)
    if uncomputed:
        ws.write_formula(4, 2, "=CLIENT_TIER(B5,B$2:B$4)")  # XlsxWriter saves 0 ... made value-less below
    wb.close()
    if uncomputed:  # a formula saved without a result (as some tools save them)
        import zipfile

        src = path.read_bytes()
        tmp = path.with_suffix(".tmp")
        with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                if info.filename == "xl/worksheets/sheet1.xml":
                    data = re.sub(rb'(<c r="C5"[^>]*><f>[^<]*</f>)<v>[^<]*</v>', rb"\1", data)
                zout.writestr(info, data)
        tmp.replace(path)
        assert src != path.read_bytes()


def test_values_command_keeps_results_logs_and_changes_nothing_the_second_time(tmp_path, capsys):
    path = tmp_path / "book.xlsx"
    book_with_formulas(path)
    assert main(["values", str(path), "--json", "-q"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["counts"] == {"converted": 3, "left": 0} and result["sheets"] == {"客户": 3}
    ws = openpyxl.load_workbook(path)["客户"]
    assert [ws.cell(r, 3).value for r in range(2, 5)] == ["A", "B", "C"]
    assert [ws.cell(r, 4).value for r in range(2, 5)] == ["=B2*2", "=B3*2", "=B4*2"]  # Excel's own: kept
    log = openpyxl.load_workbook(path)["运行日志"]
    assert log.cell(2, 3).value == "转为数值" and "3 个" in log.cell(2, 4).value
    before = path.read_bytes()
    assert main(["values", str(path), "-q"]) == 0
    assert "没有 xlclient 函数公式" in capsys.readouterr().out and path.read_bytes() == before


def test_a_cell_with_no_saved_result_stays_a_formula_and_is_a_problem(tmp_path, capsys):
    path = tmp_path / "book.xlsx"
    book_with_formulas(path, uncomputed=True)
    assert main(["values", str(path), "--json", "-q"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["counts"] == {"converted": 3, "left": 1}
    (problem,) = result["problems"]
    assert (problem["sheet"], problem["row"], problem["column"]) == ("客户", 5, "C")
    assert "Ctrl+Alt+F9" in problem["message"]
    ws = openpyxl.load_workbook(path)["客户"]
    assert ws["C5"].value == "=CLIENT_TIER(B5,B$2:B$4)" and ws["C2"].value == "A"
