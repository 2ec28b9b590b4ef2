"""The money unit a person sees around a client table (SPEC 2, issue 25): titles, a unit row
under the header, notes under the table and the cells' number formats, read from generated
books through the file reader, with every disagreement reported."""

from __future__ import annotations

import pytest

from xlclient.engine.units import FORMAT, NOTE, TITLE, UNIT_ROW, note_unit, title_unit, units_around
from xlclient.xlsx.reader import read_workbook

xlsxwriter = pytest.importorskip("xlsxwriter")

HEADER = ["客户编号", "客户名称", "客户经理", "年度投放额", "服务工时"]
MONEY = 3  # column D


def book(tmp_path, above=(), unit_row=None, below=(), money_format=None, formats=None, values=(12.2, 30.5, 8.0)):
    """A client table: ``above`` lines, the header, an optional unit row, three clients and
    ``below`` lines; the money cells under ``money_format`` (or per cell ``formats``)."""
    path = tmp_path / "book.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("客户")
    r = 0
    for line in above:
        ws.write_row(r, 0, line if isinstance(line, (list, tuple)) else [line])
        r += 1
    header_row = r
    ws.write_row(r, 0, HEADER)
    r += 1
    if unit_row is not None:
        ws.write_row(r, 0, unit_row)
        r += 1
    for i, v in enumerate(values):
        ws.write_row(r, 0, [f"C{i}", f"客户{i}", "张三"])
        code = (formats or {}).get(i, money_format)
        ws.write_number(r, MONEY, v, wb.add_format({"num_format": code}) if code else None)
        ws.write_number(r, 4, 10)
        r += 1
    last = r - 1
    r += 1
    for line in below:
        ws.write(r, 0, line)
        r += 1
    wb.close()
    data = read_workbook(path)
    return lambda **kw: units_around(data.sheets, "客户", header_row, 0, len(HEADER) - 1, last, [MONEY], **kw)


def test_nothing_around(tmp_path):
    units = book(tmp_path)()
    assert units.columns[MONEY].multiplier is None and units.columns[MONEY].factor is None
    assert not units.conflicts and not units.table and units.unit_row is None


def test_title_without_the_word_unit(tmp_path):
    units = book(tmp_path, above=["2026年度客户投放汇总表（万元）", ""])()
    col = units.columns[MONEY]
    assert col.multiplier == 1e4 and col.factor == 1e4
    assert [(e.place, e.row, e.col) for e in col.evidence] == [(TITLE, 0, 0)]
    assert not units.conflicts and units.unit_row is None


@pytest.mark.parametrize("row", [["", "", "", "（万元）", "（小时）"], ["", "", "", "万元", ""], ["单位：万元"]])
def test_unit_row_under_the_header(tmp_path, row):
    units = book(tmp_path, unit_row=row)()
    assert units.unit_row == 1
    assert units.columns[MONEY].multiplier == 1e4
    assert {e.place for e in units.columns[MONEY].evidence} == {UNIT_ROW}


def test_a_client_row_is_no_unit_row(tmp_path):
    units = book(tmp_path, unit_row=["C9", "万元科技", "王五", 5, 1])()
    assert units.unit_row is None and units.columns[MONEY].multiplier is None


@pytest.mark.parametrize("note", ["注：金额单位为万元", "注：以上金额均为人民币万元", "备注：单位 万元"])
def test_note_under_the_table(tmp_path, note):
    units = book(tmp_path, below=[note])()
    col = units.columns[MONEY]
    assert col.multiplier == 1e4 and [e.place for e in col.evidence] == [NOTE]


def test_a_note_naming_an_amount_is_no_unit(tmp_path):
    units = book(tmp_path, below=["注：投放额超过100万元的为A类"])()
    assert units.columns[MONEY].multiplier is None and not units.conflicts


def test_format_with_literal_dot_and_scale(tmp_path):
    units = book(tmp_path, money_format='0!.0,"万"', values=(177000, 35000, 8000))()
    col = units.columns[MONEY]
    assert col.multiplier == 1e4 and col.factor == 1.0  # 177000 shows 17.7万: the stored number is yuan
    assert col.formats.consistent and col.formats.cells == 3
    assert [e.place for e in col.evidence] == [FORMAT]


def test_format_unit_agrees_with_header(tmp_path):
    units = book(tmp_path, money_format='0.0"万"')(header_units={MONEY: 1e4})
    col = units.columns[MONEY]
    assert col.multiplier == 1e4 and col.factor == 1e4 and not units.conflicts


def test_places_agreeing(tmp_path):
    units = book(tmp_path, above=["客户台账（单位：万元）"], below=["注：金额单位为万元"], money_format='0.0"万"')()
    assert units.columns[MONEY].multiplier == 1e4 and not units.conflicts
    assert {e.place for e in units.columns[MONEY].evidence} == {TITLE, NOTE, FORMAT}


def test_title_and_note_disagree(tmp_path):
    units = book(tmp_path, above=["2026年客户投放（万元）"], below=["注：金额单位为元"])()
    assert units.columns[MONEY].multiplier is None and units.columns[MONEY].factor is None
    reasons = {(c.reason, c.col) for c in units.conflicts}
    assert ("places_disagree", None) in reasons and ("places_disagree", MONEY) in reasons


def test_format_disagrees_with_header(tmp_path):
    units = book(tmp_path, money_format='#,##0"元"')(header_units={MONEY: 1e4})
    assert units.columns[MONEY].multiplier is None
    assert [c.reason for c in units.conflicts] == ["places_disagree"]


def test_mixed_formats(tmp_path):
    units = book(tmp_path, formats={0: '0.0"万"'})()
    assert units.columns[MONEY].factor is None
    conflict = next(c for c in units.conflicts if c.reason == "formats_mixed")
    assert {code for _, _, code in conflict.cells} == {'0.0"万"', "General"}


def test_money_column_shown_as_percent(tmp_path):
    units = book(tmp_path, formats={1: "0.0%"})()
    conflict = next(c for c in units.conflicts if c.reason == "format_not_money")
    assert conflict.cells == ((2, MONEY, "0.0%"),)  # the second client, sheet row 2 (0-based)


def test_scaled_number_in_a_unit_column(tmp_path):
    # 1,234,567 under #,##0, shows 1,235; the title says 千元: 1,235 千元
    units = book(tmp_path, above=["投放汇总（千元）"], money_format="#,##0,", values=(1234567, 2e6, 3e6))()
    assert units.columns[MONEY].multiplier == 1e3 and units.columns[MONEY].factor == 1.0


@pytest.mark.parametrize("text,unit", [
    ("2026年度客户投放汇总表（万元）", 1e4), ("客户台账 单位：千元", 1e3), ("客户投放（含税，万元）", 1e4),
    ("2026年（截至11月）", None), ("客户台账（人民币）", None), ("华东区客户", None),
])
def test_title_unit(text, unit):
    assert title_unit(text) == unit


def test_note_unit_texts():
    assert note_unit("说明：数据单位为亿元") == 1e8
    assert note_unit("注：数据截至2026-11-30") is None
