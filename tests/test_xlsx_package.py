"""Behaviour of write_owned_sheets / build_workbook on small workbooks made for each case."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from corpus_path import corpus_dir
import xlsxwriter
from python_calamine import CalamineWorkbook

from xlclient.xlsx.calcchain import remove_sheets_from_calc_chain
from xlclient.xlsx.errors import (CellValueError, InvalidSheetName, SheetKindConflict, SpecError,
                                  WorkbookFormatError)
from xlclient.xlsx.names import quote_sheet_name, sheet_ref, validate_defined_name
from xlclient.xlsx.owned import FILTER_DATABASE, SheetSpec, build_workbook, write_owned_sheets
from xlclient.xlsx.package import list_sheets, read_sheet_xml_names, sheet_part_xml
from xlclient.xlsx.verify import insertion_only, owned_parts_diff, raw_changed_members

CORPUS = corpus_dir() or Path("/nonexistent-corpus")  # XLCLIENT_CORPUS or beside the repo
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared/corpus/excel-made not found")


def make_book(build=None, **options) -> bytes:
    """A fresh workbook from xlsxwriter; ``build(workbook)`` adds content."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, **options})
    if build is None:
        wb.add_worksheet("Data").write("A1", "客户")
    else:
        build(wb)
    wb.close()
    return buf.getvalue()


def member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(name)


def members(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.namelist()


def load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


SPEC = SheetSpec("分级结果", [["编号", "名称"], ["C1", "=1+1"], ["C2", "+1"], ["C3", "-1"], ["C4", "@A"]])


# --------------------------------------------------------------------------- cells and text

def test_formula_looking_text_stays_text():
    data = build_workbook(make_book(), [SPEC]).data
    xml = sheet_part_xml(data, "分级结果").decode()
    assert "<f>" not in xml and "<f " not in xml
    ws = load(data)["分级结果"]
    for row, text in zip(range(2, 6), ["=1+1", "+1", "-1", "@A"]):
        cell = ws.cell(row, 2)
        assert cell.data_type == "s" and cell.value == text
    cal = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("分级结果").to_python()
    assert [r[1] for r in cal[1:]] == ["=1+1", "+1", "-1", "@A"]


def test_shared_strings_untouched_and_inline_strings_used():
    def build(wb):
        ws = wb.add_worksheet("Data")
        ws.write_string("A1", "shared text")
    original = make_book(build)
    data = build_workbook(original, [SPEC]).data
    assert member(original, "xl/sharedStrings.xml") == member(data, "xl/sharedStrings.xml")
    assert 't="inlineStr"' in sheet_part_xml(data, "分级结果").decode()
    assert 't="s"' not in sheet_part_xml(data, "分级结果").decode()


def test_string_too_long_is_refused_naming_the_cell():
    spec = SheetSpec("Long", [["h", "h2"], ["ok", "x" * 32768]])
    with pytest.raises(CellValueError) as err:
        build_workbook(make_book(), [spec])
    assert "'Long'" in str(err.value) and "row 2" in str(err.value) and "B2" in str(err.value)
    # exactly the limit is fine; an emoji counts as two characters, like Excel counts
    build_workbook(make_book(), [SheetSpec("Long", [["x" * 32767]])])
    with pytest.raises(CellValueError):
        build_workbook(make_book(), [SheetSpec("Long", [["😀" * 16384]])])


def test_unsupported_and_infinite_values_are_refused():
    with pytest.raises(CellValueError, match="infinite"):
        build_workbook(make_book(), [SheetSpec("S", [["h"], [float("inf")]])])
    with pytest.raises(CellValueError, match="cannot store"):
        build_workbook(make_book(), [SheetSpec("S", [["h"], [object()]])])


def test_nan_is_blank_and_numpy_pandas_scalars_are_accepted():
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    rows = [["a", "b", "c", "d", "e", "f"],
            [np.int64(7), np.float64(0.5), np.bool_(True), pd.Timestamp("2026-03-05 10:00"), float("nan"), pd.NaT]]
    data = build_workbook(make_book(), [SheetSpec("S", rows)]).data
    got = [c.value for c in next(load(data)["S"].iter_rows(min_row=2))]
    assert got[:4] == [7, 0.5, True, dt.datetime(2026, 3, 5, 10, 0)]
    assert len(got) == 4 or got[4:] == [None, None]


def test_dates_use_the_1904_system_when_the_workbook_does():
    d = dt.date(2026, 3, 5)
    spec = SheetSpec("S", [["d"], [d], [dt.date(1903, 12, 31)]])
    data1900 = build_workbook(make_book(), [spec]).data
    data1904 = build_workbook(make_book(date_1904=True), [spec]).data
    v1900 = re.search(r'<c r="A2"[^>]*><v>(\d+)</v>', sheet_part_xml(data1900, "S").decode())[1]
    v1904 = re.search(r'<c r="A2"[^>]*><v>(\d+)</v>', sheet_part_xml(data1904, "S").decode())[1]
    assert int(v1900) - int(v1904) == 1462
    assert load(data1904)["S"]["A2"].value == dt.datetime(2026, 3, 5)
    assert load(data1904)["S"]["A3"].value == "1903-12-31"
    assert load(data1900)["S"]["A3"].value == dt.datetime(1903, 12, 31)


def test_number_formats_widths_freeze_filter_validation_tab_color():
    spec = SheetSpec("拜访计划", [["日期", "比例", "状态"], [dt.date(2026, 1, 2), 0.5, "计划"]],
                     column_widths={0: 12, 2: 30.5}, number_formats={1: "0.0%", 0: "yyyy/mm/dd"},
                     data_validations=[("C2:C500", ["计划", "已完成", "已取消"])], tab_color="#00B050")
    data = build_workbook(make_book(), [spec]).data
    ws = load(data)["拜访计划"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:C2"
    assert ws["A1"].font.b and not ws["A2"].font.b
    assert ws["A2"].number_format == "yyyy/mm/dd" and ws["B2"].number_format == "0.0%"
    assert ws.column_dimensions["A"].width == 12 and ws.column_dimensions["C"].width == 30.5
    assert ws.sheet_properties.tabColor.rgb == "FF00B050"
    dv = ws.data_validations.dataValidation[0]
    assert dv.type == "list" and dv.formula1 == '"计划,已完成,已取消"' and str(dv.sqref) == "C2:C500"
    names = [d for d in re.findall(r"<definedName[^>]*>[^<]*", member(data, "xl/workbook.xml").decode())]
    assert any(FILTER_DATABASE in n and "拜访计划!$A$1:$C$2" in n for n in names)


def test_bad_validation_lists_are_refused():
    with pytest.raises(SpecError, match="','"):
        build_workbook(make_book(), [SheetSpec("S", [["h"]], data_validations=[("A2:A9", ["a,b"])])])
    with pytest.raises(SpecError, match="255"):
        build_workbook(make_book(), [SheetSpec("S", [["h"]], data_validations=[("A2:A9", ["长" * 100] * 3)])])
    with pytest.raises(SpecError, match="A1 range"):
        build_workbook(make_book(), [SheetSpec("S", [["h"]], data_validations=[("2:9", ["a"])])])


# --------------------------------------------------------------------------- names

@pytest.mark.parametrize("name", ["", "x" * 32, "a/b", "a\\b", "a?b", "a*b", "a:b", "[a]", "'quoted'", "History"])
def test_invalid_sheet_names_are_refused(name, tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(make_book())
    before = path.read_bytes()
    with pytest.raises(InvalidSheetName):
        write_owned_sheets(path, [SheetSpec(name, [["h"]])])
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_names_needing_quotes_work_everywhere():
    names = ["Visit Plan", "2026", "A1", "O'Brien", "客户 复盘", "R1C1", "R&D <部门>", "v1.2"]
    data = build_workbook(make_book(), [SheetSpec(n, [["h"], [1]]) for n in names]).data
    assert [s.name for s in list_sheets(data)] == ["Data", *names]
    wb = load(data)
    assert wb.sheetnames == ["Data", *names]
    text = member(data, "xl/workbook.xml").decode()
    assert "'O''Brien'!$A$1:$A$2" in text and "'Visit Plan'!$A$1:$A$2" in text and "'A1'!" in text
    assert 'name="R&amp;D &lt;部门&gt;"' in text and "'R&amp;D &lt;部门&gt;'!$A$1:$A$2" in text
    assert quote_sheet_name("分级结果") == "分级结果" and quote_sheet_name("Sheet1") == "Sheet1"
    assert sheet_ref("设置", "B3") == "设置!$B$3"


def test_defined_names_are_added_or_replaced_and_others_untouched():
    original = (CORPUS / "defined_name01.xlsx").read_bytes() if CORPUS.is_dir() else None
    if original is None:
        pytest.skip("corpus not found")
    data = build_workbook(original, [SPEC], defined_names={"Abc": "Sheet2!$B$2", "xlc_设置": "='设置'!$B$3"}).data
    wb = load(data)
    assert wb.defined_names["Abc"].attr_text == "Sheet2!$B$2"
    assert wb.defined_names["xlc_设置"].attr_text == "'设置'!$B$3"
    before = member(original, "xl/workbook.xml").decode()
    after = member(data, "xl/workbook.xml").decode()
    # undo the one replaced formula: what is left differs from the original by insertions only
    assert 'name="Abc">Sheet2!$B$2<' in after
    restored = after.replace('name="Abc">Sheet2!$B$2<', 'name="Abc">Sheet1!$A$1<')
    assert insertion_only(before, restored)
    for local in ('name="aaa" localSheetId="1">Sheet2!$A$1', 'name="Bar" localSheetId="2">\'Sheet 3\'!$A$1',
                  'name="Baz">0.98', 'name="_Egg">Sheet1!$A$1'):
        assert local in after
    assert after.count('name="Abc"') == 1


def test_bad_defined_names_are_refused():
    for bad in ("1abc", "a b", "A1", "R1C1", ""):
        with pytest.raises(SpecError):
            validate_defined_name(bad)
    with pytest.raises(SpecError):
        build_workbook(make_book(), [SPEC], defined_names={"ok_name": ""})


# --------------------------------------------------------------------------- replacing

def test_replace_keeps_position_id_rid_and_part():
    def build(wb):
        for name in ("First", "分级结果", "Last"):
            wb.add_worksheet(name).write("A1", name)
    original = make_book(build)
    before = list_sheets(original)
    data = build_workbook(original, [SPEC]).data
    after = list_sheets(data)
    assert after == before
    # workbook.xml gains only the sheet's hidden _FilterDatabase name; no new rel or content type
    assert owned_parts_diff(original, data) == sorted(["xl/styles.xml", "xl/workbook.xml", after[1].part.lstrip("/")])
    assert load(data)["分级结果"]["B2"].value == "=1+1"
    assert load(data).sheetnames == ["First", "分级结果", "Last"]


def test_replacing_is_case_insensitive_and_keeps_existing_name():
    def build(wb):
        wb.add_worksheet("Visit Plan").write("A1", "old")
    data = build_workbook(make_book(build), [SheetSpec("VISIT PLAN", [["new"]])]).data
    assert [s.name for s in list_sheets(data)] == ["Visit Plan"]
    assert load(data)["Visit Plan"]["A1"].value == "new"


def test_replacing_a_sheet_keeps_the_comments_and_drawings_people_put_on_it():
    """SPEC 8: what people add to an owned sheet survives regeneration (the old writer
    dropped a replaced sheet's comments and charts)."""
    def build(wb):
        a = wb.add_worksheet("Notes")
        a.write("A1", 1)
        a.write_comment("A1", "a comment someone wrote on our sheet")
        chart = wb.add_chart({"type": "line"})
        chart.add_series({"values": "=Keep!$A$1:$A$3"})
        a.insert_chart("C3", chart)
        b = wb.add_worksheet("Keep")
        b.write_column("A1", [1, 2, 3])
        b.write_comment("A1", "comment that must stay")
    original = make_book(build)
    data = build_workbook(original, [SheetSpec("Notes", [["h"], ["v"]])]).data
    assert set(members(original)) <= set(members(data))
    wb = load(data)
    assert wb["Notes"]["A1"].comment.text.startswith("a comment someone wrote")
    assert wb["Keep"]["A1"].comment.text.startswith("comment that must stay")
    assert wb["Notes"]["A2"].value == "v" and wb["Notes"]["A1"].value == "h"
    assert len(wb["Notes"]._charts) == 1
    xml = member(data, "xl/worksheets/sheet1.xml").decode()
    assert "<drawing " in xml and "<legacyDrawing " in xml
    # only the replaced sheet and the shared parts changed
    untouched = set(members(data)) - {"xl/workbook.xml", "[Content_Types].xml", "xl/styles.xml",
                                      "xl/worksheets/sheet1.xml"}
    assert not set(owned_parts_diff(original, data)) & untouched


@needs_corpus
def test_replacing_a_sheet_prunes_the_calc_chain():
    original = (CORPUS / "formula_results01.xlsx").read_bytes()
    first = build_workbook(original, [SPEC]).data
    assert "xl/calcChain.xml" in members(first)  # adding a sheet leaves it alone
    data = build_workbook(first, [SheetSpec("Sheet1", [["only values"]])]).data
    assert "xl/calcChain.xml" not in members(data)
    assert "calcChain" not in member(data, "xl/_rels/workbook.xml.rels").decode()
    assert "calcChain" not in member(data, "[Content_Types].xml").decode()
    load(data)


def test_calc_chain_pruning_keeps_other_sheets():
    text = '<calcChain xmlns="m"><c r="A1" i="1"/><c r="A2"/><c r="B1" i="2" l="1"/><c r="B2"/><c r="C1" i="1"/></calcChain>'
    new, removed, kept = remove_sheets_from_calc_chain(text, {2})
    assert (removed, kept) == (2, 3)
    assert new == '<calcChain xmlns="m"><c r="A1" i="1"/><c r="A2"/><c r="C1" i="1"/></calcChain>'
    new, removed, kept = remove_sheets_from_calc_chain(text, {1})
    assert new == '<calcChain xmlns="m"><c r="B1" i="2" l="1"/><c r="B2"/></calcChain>'


@needs_corpus
def test_chartsheet_name_is_refused(tmp_path):
    path = tmp_path / "c.xlsx"
    path.write_bytes((CORPUS / "chartsheet01.xlsx").read_bytes())
    before = path.read_bytes()
    with pytest.raises(SheetKindConflict, match="chartsheet"):
        write_owned_sheets(path, [SheetSpec("chart1", [["x"]])])
    assert path.read_bytes() == before


@needs_corpus
def test_new_part_names_never_collide():
    for name in ("chartsheet01.xlsx", "defined_name01.xlsx", "macro01.xlsm"):
        original = (CORPUS / name).read_bytes()
        data = build_workbook(original, [SheetSpec(f"S{i}", [["h"]]) for i in range(3)]).data
        parts = read_sheet_xml_names(data)
        new = [parts[f"S{i}"] for i in range(3)]
        assert len(set(new)) == 3 and not set(new) & set(members(original))


def test_writing_twice_appends_styles_once_and_is_deterministic():
    original = make_book()
    spec = SheetSpec("S", [["d", "p", "t"], [dt.date(2026, 1, 1), 0.5, "a\nb"]], number_formats={1: "0%"})
    once = build_workbook(original, [spec])
    twice = build_workbook(once.data, [spec])
    assert once.styles_appended > 0 and twice.styles_appended == 0
    assert member(once.data, "xl/styles.xml") == member(twice.data, "xl/styles.xml")
    assert build_workbook(original, [spec]).data == once.data  # same input, same bytes
    assert raw_changed_members(once.data, twice.data) == []  # nothing to change the second time
    ws = load(twice.data)["S"]
    assert ws["C2"].alignment.wrap_text and ws["B2"].number_format == "0%"


def test_prefixed_namespaces_are_kept():
    original = make_book()
    text = member(original, "xl/workbook.xml").decode()
    prefixed = re.sub(r"<(/?)(?!\?)([A-Za-z]+)([\s/>])", r"<\1x:\2\3", text)
    prefixed = prefixed.replace('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                                'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"')
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, prefixed if info.filename == "xl/workbook.xml" else src.read(info))
    data = build_workbook(buf.getvalue(), [SPEC], defined_names={"xlc_a": "Data!$A$1"}).data
    after = member(data, "xl/workbook.xml").decode()
    assert "<x:sheet name=\"分级结果\"" in after and "<x:definedNames>" in after
    assert insertion_only(prefixed, after)
    assert load(data)["分级结果"]["B2"].value == "=1+1"


def test_not_a_workbook_is_refused():
    with pytest.raises(WorkbookFormatError):
        build_workbook(b"not a zip", [SPEC])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "x")
    with pytest.raises(WorkbookFormatError):
        build_workbook(buf.getvalue(), [SPEC])


def test_duplicate_specs_are_refused():
    with pytest.raises(SpecError, match="twice"):
        build_workbook(make_book(), [SheetSpec("A", [["h"]]), SheetSpec("a", [["h"]])])


def test_empty_and_header_only_sheets():
    data = build_workbook(make_book(), [SheetSpec("Empty", []), SheetSpec("Head", [["a", "b"]])]).data
    wb = load(data)
    assert wb["Empty"].max_row == 1 and wb["Empty"]["A1"].value is None
    assert wb["Head"].auto_filter.ref == "A1:B1"


def test_workbook_made_by_openpyxl_with_empty_elements():
    wb = openpyxl.Workbook()
    wb.active.title = "Clients"
    wb.create_sheet("设置")
    buf = io.BytesIO()
    wb.save(buf)
    original = buf.getvalue()
    assert re.search(rb"<definedNames\s*/>", member(original, "xl/workbook.xml"))  # what openpyxl writes
    spec = SheetSpec("分级结果", [["d"], [dt.date(2026, 1, 1)]])
    once = build_workbook(original, [spec, SheetSpec("设置", [["k", "v"], ["x", 1]])],
                          defined_names={"xlc_k": "设置!$B$2"})
    data = build_workbook(once.data, [spec]).data
    assert once.replaced == ["设置"] and once.added == ["分级结果"]
    for name in ("xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"):
        report = insertion_only(member(original, name).decode(), member(data, name).decode())
        assert report, (name, report.problems)
    assert "<definedNames><definedName" in member(data, "xl/workbook.xml").decode()
    got = load(data)
    assert got.sheetnames == ["Clients", "设置", "分级结果"]
    assert got["分级结果"]["A2"].value == dt.datetime(2026, 1, 1) and got["设置"]["B2"].value == 1


def test_style_reuse_needs_the_same_formatting_and_apply_flags():
    from xlclient.xlsx.styles import StyleBook, StyleKey

    styles = ('<styleSheet xmlns="m"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
              '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
              '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
              '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
              '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="0"/>'
              '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
              '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs></styleSheet>')
    book = StyleBook(styles)
    assert book.index(StyleKey()) == 0
    assert book.index(StyleKey(numfmt="yyyy-mm-dd")) == 2  # not 1: that one says "don't apply"
    assert book.index(StyleKey(bold=True)) == 3
    assert book.appended() == 0 and book.render() is None
    assert book.index(StyleKey(bold=True, numfmt="0%")) == 4
    text = book.render()
    assert '<cellXfs count="5">' in text and text.endswith(
        '<xf numFmtId="9" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/>'
        '</cellXfs></styleSheet>')
    assert insertion_only(styles, text)
