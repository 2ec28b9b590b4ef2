"""Keeping what people added to an owned sheet (xlclient.xlsx.additions), at the package level."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from xlclient.xlsx.additions import RowMapper, read_additions, remap_vml, shift_formula
from xlclient.xlsx.cells import column_letter
from xlclient.xlsx.errors import AdditionsCannotBeKept, WorkbookFormatError
from xlclient.xlsx.owned import SheetSpec, build_workbook, rows_with_additions


# ---------------------------------------------------------------- formulas moved with their row

refs = st.builds(lambda c, r, dc, dr: f"{'$' if dc else ''}{column_letter(c)}{'$' if dr else ''}{r}",
                 st.integers(0, 200), st.integers(200, 5000), st.booleans(), st.booleans())
strings = st.text(alphabet="AB1:$'!xy 客户", max_size=8).map(lambda s: '"' + s.replace('"', '""') + '"')
formulas = st.lists(st.one_of(refs, strings, st.sampled_from(["SUM(", ")", "+", ",", "LOG10(", "TRUE"])),
                    min_size=1, max_size=8).map("".join)


@given(formulas, st.integers(-150, 150))
@settings(max_examples=300, deadline=None)
def test_shifting_there_and_back_gives_the_formula(formula, d):
    assert shift_formula(shift_formula(formula, d), -d) == formula


@given(refs, st.integers(-150, 150))
def test_only_relative_rows_move(ref, d):
    moved = shift_formula(ref, d)
    m = re.fullmatch(r"(\$?)([A-Z]+)(\$?)(\d+)", moved)
    o = re.fullmatch(r"(\$?)([A-Z]+)(\$?)(\d+)", ref)
    assert m[2] == o[2] and int(m[4]) == int(o[4]) + (0 if o[3] else d)


@pytest.mark.parametrize("formula, d, expected", [
    ('=D4&"（已约）"', 3, '=D7&"（已约）"'),
    ('COUNTIF(分级结果!D:D,"A5")', 2, 'COUNTIF(分级结果!D:D,"A5")'),  # whole columns and text stay
    ("SUM($A$1:A5)*LOG10(B5)", -2, "SUM($A$1:A3)*LOG10(B3)"),
    ("'Q1 客户'!B7+计划表[@日期]", 1, "'Q1 客户'!B8+计划表[@日期]"),
    ("SUM(5:6)", 4, "SUM(9:10)"),
    ("A2", -5, "#REF!"),
])
def test_formula_examples(formula, d, expected):
    assert shift_formula(formula, d) == expected


# ---------------------------------------------------------------- finding and placing


def _sheet_xml(cells: dict[tuple[int, int], str]) -> str:
    rows: dict[int, list[str]] = {}
    for (r, c), v in sorted(cells.items()):
        rows.setdefault(r, []).append(f'<c r="{column_letter(c)}{r}" t="inlineStr"><is><t>{v}</t></is></c>')
    body = "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
    return ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{body}</sheetData></worksheet>")


@given(st.dictionaries(st.tuples(st.integers(1, 40), st.integers(0, 30)), st.text("abc甲乙", min_size=1, max_size=4),
                       max_size=60))
@settings(max_examples=150, deadline=None)
def test_free_cells_are_exactly_the_cells_outside_the_owned_columns(cells):
    owned = frozenset(range(10)) | frozenset(range(11, 18))
    found = read_additions(_sheet_xml(cells), owned, set())
    got = {(c.row, c.col) for c in found.free_cells}
    assert got == {k for k in cells if k[1] not in owned}
    assert found.rows_with_additions() == {r for r, _ in got}


_SPACES = st.sampled_from(["", " ", "\t", "\n ", "\r\n"])


@st.composite
def spelled_sheets(draw):
    """A sheetData as any writer may spell it: ``r`` and ``s`` with spaces around ``=`` and
    either quote, a cell's ``r`` left out (it is then the column after the previous cell),
    an ``x:`` prefix; with the cells (row, column) and styles it holds."""
    prefix = draw(st.sampled_from(["", "x:"]))
    cells: dict[tuple[int, int], int] = {}
    rows_xml = []
    for r in sorted(draw(st.sets(st.integers(1, 30), max_size=8))):
        col = -1
        parts = []
        for _ in range(draw(st.integers(0, 5))):
            col += draw(st.integers(1, 4))
            if col > 30:
                break
            style = draw(st.sampled_from([0, 1, 7]))
            q = draw(st.sampled_from(['"', "'"]))
            attrs = []
            if draw(st.booleans()) or not parts:  # the first cell of a row has its r
                attrs.append(f"r{draw(_SPACES)}={draw(_SPACES)}{q}{column_letter(col)}{r}{q}")
            else:  # without r the cell is the one right after the previous cell
                col = max(c for (rr, c) in cells if rr == r) + 1
            if style:
                attrs.append(f"s{draw(_SPACES)}={draw(_SPACES)}{q}{style}{q}")
            attrs.append('t="inlineStr"')
            order = draw(st.permutations(attrs))
            parts.append(f"<{prefix}c {' '.join(order)}><{prefix}is><{prefix}t>v</{prefix}t></{prefix}is></{prefix}c>")
            cells[(r, col)] = style
        rows_xml.append(f'<{prefix}row r="{r}">{"".join(parts)}</{prefix}row>')
    ns = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"' if prefix else \
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    xml = (f"<{prefix}worksheet {ns}><{prefix}sheetData>{''.join(rows_xml)}</{prefix}sheetData>"
           f"</{prefix}worksheet>")
    return xml, cells


@given(spelled_sheets(), st.frozensets(st.integers(0, 12), max_size=8), st.sets(st.sampled_from([1, 7]), max_size=2))
@settings(max_examples=300, deadline=None)
def test_the_quick_checks_never_hide_an_addition_however_it_is_spelled(sheet, owned, decorated):
    """read_additions skips reading every cell when quick text searches find nothing of
    the people's; whatever the spelling, it finds exactly the cells outside the owned
    columns and the formats on owned cells."""
    xml, cells = sheet
    for part in (xml, xml.encode("utf-8")):  # its text, or its bytes (rows decoded only when needed)
        found = read_additions(part, owned, decorated)
        assert {(c.row, c.col) for c in found.free_cells} == {k for k in cells if k[1] not in owned}
        assert {(c.row, c.col) for c in found.formats} == \
            {k for k, s in cells.items() if k[1] in owned and s in decorated}


def test_the_parts_bytes_give_what_its_text_gives():
    """An owned sheet's old part is read from its bytes: the rest of the part (print setup,
    protection, namespaces) is the same as from its text, with or without a BOM."""
    xml = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac">'
           '<sheetPr codeName="计划"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>日期</t></is></c></row>'
           '</sheetData><sheetProtection sheet="1"/><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
           'header="0.3" footer="0.3"/></worksheet>')
    text = read_additions(xml, frozenset({0}), set())
    for data in (xml.encode(), b"\xef\xbb\xbf" + xml.encode()):
        raw = read_additions(data, frozenset({0}), set())
        assert raw.rest == text.rest and raw.decls == text.decls and raw.empty == text.empty is False
        assert [raw.outer(n) for n in raw.root.children] == [text.outer(n) for n in text.root.children]
    with pytest.raises(WorkbookFormatError):
        read_additions(b"<worksheet><sheetData><row r='1'/></sheetData>\xff</worksheet>", frozenset({1}), set())


def test_a_cell_without_its_reference_outside_the_owned_columns_is_found():
    xml = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           '<row r="2"><c r="B2" t="inlineStr"><is><t>ours</t></is></c><c t="inlineStr"><is><t>mine</t></is></c></row>'
           "</sheetData></worksheet>")
    found = read_additions(xml, frozenset({0, 1}), set())
    assert [(c.row, c.col) for c in found.free_cells] == [(2, 2)]


def test_the_old_rows_are_matched_only_when_something_moves_with_them():
    """Matching every old row to its new one costs ~0.6 s at 100,000 rows: a sheet whose
    people's additions are only elements (print setup, protection) never asks, and its rows
    are written column by column with the same bytes as cell by cell."""
    from xlclient.xlsx import worksheet as W

    def extra(wb, ws):
        ws.protect()
        ws.set_landscape()
    data = _book_with_plan(extra)
    asked = []

    def row_map():
        asked.append(1)
        return {}
    rows = [["日期", "客户"]] + [[f"d{r}", f"c{r}"] for r in range(1, 40)]
    spec = SheetSpec("拜访计划", rows, owned_columns=frozenset({0, 1}), row_map=row_map)
    fast = build_workbook(data, [spec]).data
    assert asked == []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(W, "FAST_ROWS", False)
        slow = build_workbook(data, [spec]).data

    def sheet_xml(book):
        with zipfile.ZipFile(io.BytesIO(book)) as z:
            return next(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    assert sheet_xml(fast) == sheet_xml(slow) and b"<sheetProtection" in sheet_xml(fast)
    RowMapper(row_map)(3)
    assert asked == [1]  # asked the first time a row is


def test_a_value_outside_the_owned_columns_is_refused_by_either_writer():
    from xlclient.xlsx import worksheet as W
    from xlclient.xlsx.errors import SpecError

    data = _book_with_plan(lambda wb, ws: ws.protect())
    spec = SheetSpec("拜访计划", [["日期", "客户", "x"]], owned_columns=frozenset({0, 1}))
    for flag in (True, False):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(W, "FAST_ROWS", flag)
            with pytest.raises(SpecError, match="column C"):
                build_workbook(data, [spec])


def _book_with_plan(extra) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("拜访计划")
    ws.write_row(0, 0, ["日期", "客户"])
    for r in range(1, 6):
        ws.write_row(r, 0, [f"d{r}", f"c{r}"])
    extra(wb, ws)
    wb.close()
    return buf.getvalue()


def test_rows_move_with_their_comments_cells_and_vml_shapes():
    def extra(wb, ws):
        ws.write("E3", "mine")  # row 3
        ws.write_comment("B4", "note on row 4")
    data = _book_with_plan(extra)
    assert rows_with_additions(data, "拜访计划", frozenset({0, 1})) == {3, 4}
    new_rows = [["日期", "客户"], ["x", "y"], ["d3", "c3"], ["d4", "c4"]]
    spec = SheetSpec("拜访计划", new_rows, owned_columns=frozenset({0, 1}), row_map={2: None, 3: 3, 4: 4, 5: None})
    out = build_workbook(data, [spec]).data
    ws = openpyxl.load_workbook(io.BytesIO(out))["拜访计划"]
    assert ws["E3"].value == "mine" and ws["B4"].comment.text == "note on row 4"
    spec.row_map = {2: None, 3: 2, 4: 3, 5: None}
    out = build_workbook(data, [spec]).data
    ws = openpyxl.load_workbook(io.BytesIO(out))["拜访计划"]
    assert ws["E2"].value == "mine" and ws["E3"].value is None
    assert ws["B3"].comment.text == "note on row 4" and ws["B4"].comment is None
    with zipfile.ZipFile(io.BytesIO(out)) as z:
        vml = next(z.read(n).decode() for n in z.namelist() if n.endswith(".vml"))
    assert "<x:Row>2</x:Row>" in vml  # 0-based row of B3


def test_an_addition_on_a_row_that_is_gone_refuses_and_names_it():
    data = _book_with_plan(lambda wb, ws: ws.write("E3", "mine"))
    spec = SheetSpec("拜访计划", [["日期", "客户"]], owned_columns=frozenset({0, 1}), row_map={3: None})
    with pytest.raises(AdditionsCannotBeKept) as err:
        build_workbook(data, [spec])
    assert "E3" in err.value.message("zh") and "E3" in str(err.value)


def test_two_additions_landing_on_one_cell_refuse():
    def extra(wb, ws):
        ws.write("E2", "a")
        ws.write("E3", "b")
    spec = SheetSpec("拜访计划", [["日期", "客户"]], owned_columns=frozenset({0, 1}), row_map={2: 2, 3: 2})
    with pytest.raises(AdditionsCannotBeKept, match="E2"):
        build_workbook(_book_with_plan(extra), [spec])


def test_a_table_over_the_sheet_is_resized_and_the_sheet_autofilter_left_out():
    def extra(wb, ws):
        ws.add_table("A1:B6", {"name": "计划表", "columns": [{"header": "日期"}, {"header": "客户"}],
                               "data": [[f"d{r}", f"c{r}"] for r in range(1, 6)]})
    data = _book_with_plan(extra)
    spec = SheetSpec("拜访计划", [["日期", "客户"], ["a", "b"], ["c", "d"]], owned_columns=frozenset({0, 1}))
    out = build_workbook(data, [spec]).data
    ws = openpyxl.load_workbook(io.BytesIO(out))["拜访计划"]
    assert ws.tables["计划表"].ref == "A1:B3" and ws.auto_filter.ref is None
    with zipfile.ZipFile(io.BytesIO(out)) as z:
        assert "_FilterDatabase" not in z.read("xl/workbook.xml").decode()
    renamed = SheetSpec("拜访计划", [["Date", "客户"], ["a", "b"]], owned_columns=frozenset({0, 1}))
    with pytest.raises(AdditionsCannotBeKept, match="计划表"):
        build_workbook(data, [renamed])


def test_formats_and_protection_and_code_name_are_kept():
    def extra(wb, ws):
        yellow = wb.add_format({"bg_color": "#FFFF00"})
        ws.write("A3", "d2", yellow)
        ws.protect()
        ws.set_vba_name("PlanSheet")
    data = _book_with_plan(extra)
    spec = SheetSpec("拜访计划", [["日期", "客户"], ["x", "y"], ["p", "q"]], owned_columns=frozenset({0, 1}))
    out = build_workbook(data, [spec]).data
    with zipfile.ZipFile(io.BytesIO(out)) as z:
        xml = next(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    assert 'codeName="PlanSheet"' in xml and "<sheetProtection" in xml
    ws = openpyxl.load_workbook(io.BytesIO(out))["拜访计划"]
    assert ws["A3"].value == "p" and ws["A3"].fill.fgColor.rgb.endswith("FFFF00")


def test_vml_anchor_moves_with_the_note():
    vml = ('<xml><v:shape id="_x0000_s1025"><x:ClientData ObjectType="Note"><x:Anchor>2, 15, 3, 10, 4, 15, 7, 4'
           '</x:Anchor><x:Row>3</x:Row><x:Column>1</x:Column></x:ClientData></v:shape></xml>')
    moved = remap_vml(vml, RowMapper({4: 9}))
    assert "<x:Row>8</x:Row>" in moved and "<x:Anchor>2, 15, 8, 10, 4, 15, 12, 4</x:Anchor>" in moved
    assert remap_vml(vml, RowMapper({5: 9})) is None
