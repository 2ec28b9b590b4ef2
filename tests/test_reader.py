"""Reading workbook files into raw cells (xlclient.xlsx.reader): sheet positions, Excel
tables, the 1904 date system, error cells, .xlsm, and files that are not workbooks."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
from corpus_path import corpus_dir
from hypothesis import given, settings, strategies as st
import xlsxwriter

from xlclient.xlsx.reader import WorkbookUnreadable, _error_cells, read_workbook

CORPUS = corpus_dir() or Path("/nonexistent-corpus")  # XLCLIENT_CORPUS or beside the repo


def test_sheets_keep_the_position_of_their_first_cell(tmp_path):
    path = tmp_path / "a.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("客户")
    ws.write_row("C5", ["客户名称", "客户经理"])
    ws.write_row("C7", ["甲", "张"])
    wb.add_worksheet("空白")
    other = wb.add_worksheet("Other")
    other.write("A1", "x")
    wb.close()
    data = read_workbook(path)
    assert data.sheet_names == ["客户", "空白", "Other"]
    s = data.sheet(["客户"])
    assert (s.first_row, s.first_col) == (4, 2)
    assert s.rows[0] == ["客户名称", "客户经理"] and s.rows[2] == ["甲", "张"] and s.rows[1] == ["", ""]
    assert data.sheet(["OTHER"]).name == "Other"  # case-insensitive
    assert data.sheet(["nope"]) is None
    assert data.date1904 is False


def test_tables_give_header_row_first_column_and_data_without_the_totals_row(tmp_path):
    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Accounts")
    ws.add_table("C5:E8", {"name": "tblClients", "total_row": True,
                           "columns": [{"header": "Client"}, {"header": "Owner"},
                                       {"header": "Billings", "total_function": "sum"}],
                           "data": [["A", "Tom", 1], ["B", "Ann", 2]]})
    wb.close()
    data = read_workbook(path)
    (t,) = data.tables
    assert (t.name, t.sheet, t.header_row, t.first_col) == ("tblClients", "Accounts", 4, 2)
    assert list(t.headers) == ["Client", "Owner", "Billings"]
    assert [list(r) for r in t.rows] == [["A", "Tom", 1.0], ["B", "Ann", 2.0]]


def test_1904_date_system(tmp_path):
    path = tmp_path / "mac.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"date_1904": True})
    ws = wb.add_worksheet()
    ws.write_datetime("A1", dt.datetime(2026, 3, 5), wb.add_format({"num_format": "yyyy-mm-dd"}))
    wb.close()
    data = read_workbook(path)
    assert data.date1904 is True
    assert data.sheets[0].rows[0][0] in (dt.date(2026, 3, 5), dt.datetime(2026, 3, 5))


def test_error_cells_are_read_as_their_error_text(tmp_path):
    path = tmp_path / "e.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.write_row("B2", ["客户名称", "年度投放额"])
    ws.write("B3", "甲")
    ws.write_formula("C3", "=1/0", None, "#DIV/0!")
    ws.write("B4", "乙")
    ws.write_formula("C4", "=NA()", None, "#N/A")
    ws.write_formula("C5", "=A1+1", None, 5)  # a normal formula: its cached value
    t = wb.add_worksheet("T")
    t.add_table("A1:B3", {"name": "tbl", "columns": [{"header": "客户名称"}, {"header": "毛利"}]})
    t.write_row("A2", ["丙"])
    t.write_formula("B2", "=#REF!", None, "#REF!")
    wb.close()
    data = read_workbook(path)
    s = data.sheet(["S"])
    assert s.rows[1][1] == "#DIV/0!" and s.rows[2][1] == "#N/A" and s.rows[3][1] == 5
    assert data.tables[0].rows[0][1] == "#REF!"


def test_a_cell_merged_down_a_column_gives_its_value_to_every_row(tmp_path):
    path = tmp_path / "m.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.write_row("B2", ["客户名称", "客户经理", "年度投放额"])
    ws.write_column("B3", ["甲", "乙", "丙", "丁"])
    ws.merge_range("C3:C5", "张伟")  # one AE over three clients
    ws.write("C6", "李娜")
    ws.merge_range("B8:D8", "注：数据截至10月")  # across columns: stays in its first cell
    ws.merge_range("B10:C11", "block")  # a block: left alone
    wb.close()
    rows = read_workbook(path).sheets[0].rows
    assert [r[1] for r in rows[1:5]] == ["张伟", "张伟", "张伟", "李娜"]
    assert rows[6] == ["注：数据截至10月", "", ""]
    assert rows[8][:2] == ["block", ""] and all(r[:2] != ["block", "block"] and r[0] != "block" for r in rows[9:])


def test_error_cells_scanner():
    xml = (b'<worksheet><sheetData><row r="7"><c r="B7" s="1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
           b'<c r="C7" t="e"/><c r="D7" t="s"><v>0</v></c><x:c r="AA10" t=\'e\'><x:v>#N/A</x:v></x:c>'
           b'<c t="e"><v>#REF!</v></c></row></sheetData></worksheet>')
    assert sorted(_error_cells(xml)) == [(6, 1, "#DIV/0!"), (9, 26, "#N/A")]


def test_xlsm_with_a_vba_project(tmp_path):
    vba = CORPUS / "vbaProject01.bin"
    if not vba.exists():
        pytest.skip("shared corpus not available")
    path = tmp_path / "m.xlsm"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_vba_project(str(vba))
    wb.add_worksheet("客户").write_row("A1", ["客户名称", "客户经理"])
    wb.close()
    data = read_workbook(path)
    assert data.sheet_names == ["客户"] and data.sheets[0].rows[0] == ["客户名称", "客户经理"]


def test_corpus_macro_workbook_reads(tmp_path):
    src = CORPUS / "macro01.xlsm"
    if not src.exists():
        pytest.skip("shared corpus not available")
    data = read_workbook(src)
    assert data.sheets  # worksheets only, the VBA project is not a sheet


def test_chartsheets_are_not_read_as_grids(tmp_path):
    path = tmp_path / "c.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    ws.write_column("A1", [1, 2, 3])
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"values": "=Data!$A$1:$A$3"})
    cs = wb.add_chartsheet("Chart")
    cs.set_chart(chart)
    wb.close()
    assert read_workbook(path).sheet_names == ["Data"]


def test_openpyxl_written_workbook_with_hidden_sheet(tmp_path):
    path = tmp_path / "o.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Visible"
    hidden = wb.create_sheet("Hidden")
    hidden["A1"] = "客户名称"
    hidden.sheet_state = "hidden"
    wb.save(path)
    data = read_workbook(path)
    assert data.sheet_names == ["Visible", "Hidden"]
    assert [s.hidden for s in data.sheets] == [False, True]


def test_unreadable_files(tmp_path):
    with pytest.raises(WorkbookUnreadable):
        read_workbook(tmp_path / "missing.xlsx")
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    with pytest.raises(WorkbookUnreadable):
        read_workbook(bad)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("hello.txt", "no workbook here")
    with pytest.raises(WorkbookUnreadable):
        read_workbook(broken)


# ----------------------------------------------------------------------------- formulas without a saved result

def test_cells_holding_only_a_formula_are_found_in_any_namespace():
    from xlclient.xlsx.reader import _uncomputed_formulas

    xml = (b'<row><c r="A1" t="str"><f>"a"&amp;"b"</f></c><c r="B1"/><c r="C1"><f>B1*2</f><v>4</v></c>'
           b'<x:c r="D2"><x:f>A1+1</x:f></x:c><c r="E3"><f t="shared" si="0"/></c>'
           b'<c r="F4"><f>"x"</f><v /></c><c r="G4"><f>1+1</f><v></v></c><c r="H4"><f>2</f><v>2</v></c></row>')
    assert _uncomputed_formulas(xml) == [(0, 0, '"a"&"b"'), (1, 3, "A1+1"), (2, 4, ""), (3, 5, '"x"'), (3, 6, "1+1")]


@pytest.mark.parametrize("formula, text", [
    ('"客户名称"', "客户名称"), ('"客户"&"名称"', "客户名称"), ('CONCATENATE("客户", "名称")', "客户名称"),
    ('_xlfn.CONCAT("a","b")', "ab"), ('"say ""hi"""', 'say "hi"'), ("A1&B1", None), ('"a"&A1', None), ("", None),
])
def test_literal_formulas_give_their_text(formula, text):
    from xlclient.xlsx.reader import _literal_text

    assert _literal_text(formula) == text


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8), min_size=1, max_size=4))
def test_literal_formula_round_trip(parts):
    from xlclient.xlsx.reader import _literal_text

    formula = "&".join('"' + p.replace('"', '""') + '"' for p in parts)
    assert _literal_text(formula) == "".join(parts)


def test_table_rows_cut_from_their_sheet_equal_calamines_own_table_rows():
    """The client table is read once (issue 15): an Excel table's rows are cut from its
    sheet as read, and equal what calamine reads for the table on every table of the corpus
    (and of the template)."""
    import sys
    from pathlib import Path

    import python_calamine as pc

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from corpus_path import corpus_workbooks

    books = corpus_workbooks() + [Path(__file__).resolve().parents[1] / "workbook" / "xlclient.xlsm"]
    compared = 0
    for path in books:
        try:
            wb = pc.CalamineWorkbook.from_path(str(path), load_tables=True)
            names = list(wb.table_names)
        except Exception:  # noqa: BLE001 - books calamine reads without tables
            continue
        if not names:
            continue
        data = read_workbook(path)
        ours = {t.name: t.rows for t in data.tables}
        info = {t.name: t for t in data.tables}
        for name in names:
            table = wb.get_table_by_name(name)
            # the table's place and column names, read from its part, are calamine's
            mine = info[name]
            assert (mine.sheet, mine.headers, mine.header_row, mine.first_col) == \
                (table.sheet, list(table.columns), table.start[0] - 1, table.start[1]), (path.name, name)
            theirs = table.to_python()
            rows = [[v for v in r] for r in ours[name]]
            # error cells are put in after the cut, as they always were
            assert len(rows) == len(theirs) and all(len(a) == len(b) for a, b in zip(rows, theirs)), (path.name, name)
            assert all(a == b or (isinstance(a, str) and a.startswith("#")) for ra, rb in zip(rows, theirs)
                       for a, b in zip(ra, rb)), (path.name, name)
            compared += 1
    assert compared >= 1


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(st.integers(0, 9), max_size=6), max_size=8), origin=st.tuples(st.integers(0, 3), st.integers(0, 3)),
       first=st.tuples(st.integers(0, 10), st.integers(0, 8)), size=st.tuples(st.integers(0, 4), st.integers(0, 4)))
def test_a_table_cut_from_its_sheet_is_each_cell_or_blank(rows, origin, first, size):
    """reader._cut: the table's cells from the sheet as read, "" where the sheet stops short
    (ragged rows, a table above or left of what calamine read)."""
    from xlclient.xlsx.reader import _cut

    last = (first[0] + size[0], first[1] + size[1])
    want = []
    for r in range(first[0], last[0] + 1):
        i = r - origin[0]
        row = rows[i] if 0 <= i < len(rows) else []
        want.append([row[c - origin[1]] if 0 <= c - origin[1] < len(row) else "" for c in range(first[1], last[1] + 1)])
    assert _cut(rows, origin, first, last) == want


def test_a_table_as_wide_as_its_sheet_shares_its_rows_and_keeps_them_as_read(tmp_path):
    """A client table alone on its sheet gets the sheet's own row lists (no copy of a big
    table, issue 15); a row the reader changes afterwards in the sheet (a formula saved
    without its result) becomes a new list there, so the table still has the cell as
    calamine read it, as before."""
    from xlclient.engine.grid import UncomputedFormula

    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("客户台账")
    data = [["K1", "甲", 10], ["K2", "乙", 20], ["K3", "丙", 30]]
    ws.add_table(0, 0, 3, 2, {"name": "客户表", "data": data,
                              "columns": [{"header": "客户编号"}, {"header": "客户名称"}, {"header": "投放额"}]})
    wb.close()
    with zipfile.ZipFile(path) as z:  # K3's amount: a formula saved without its result
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace('<c r="C4"><v>30</v></c>', '<c r="C4"><f>SUM(C2:C3)</f></c>')
    assert "SUM(C2:C3)" in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)
    book = read_workbook(path)
    rows = book.sheets[0].rows
    table = book.tables[0].rows
    assert table[0] is rows[1] and table[1] is rows[2]  # shared, not copied
    assert isinstance(rows[3][2], UncomputedFormula) and table[2] == ["K3", "丙", ""]


def test_the_scans_run_beside_calamine_and_are_done_when_the_read_is(tmp_path):
    """The zip-level scans (error cells, formulas without a result) run in a thread while
    calamine parses (issue 15); read_workbook returns only when they are done, with what they
    found in the sheet."""
    import threading

    path = tmp_path / "e.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("客户台账")
    ws.write_row(0, 0, ["客户名称", "投放额"])
    ws.write_row(1, 0, ["甲", 1])
    ws.write_formula("B3", "=1/0", None, "#DIV/0!")
    wb.close()
    data = read_workbook(path)
    assert not [t for t in threading.enumerate() if t.name == "xlclient-scan"]
    assert data.sheets[0].rows[2][1] == "#DIV/0!"


def _as_read(data):
    return ([(s.name, s.first_row, s.first_col, s.hidden, s.merged, [list(r) for r in s.rows]) for s in data.sheets],
            [(t.name, t.sheet, t.headers, t.header_row, t.first_col, [list(r) for r in t.rows]) for t in data.tables],
            data.date1904)


def test_two_readers_read_what_one_reads():
    """Big sheets are parsed side by side by a second calamine reader (issue 15): with the
    second reader taking a share of every book's sheets, each book of the corpus and the
    template reads exactly as with one reader."""
    import sys

    from xlclient.xlsx import reader as R

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from corpus_path import corpus_workbooks

    books = corpus_workbooks()[::2] + [Path(__file__).resolve().parents[1] / "workbook" / "xlclient.xlsm"]
    shared = 0
    for path in books:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(R, "SECOND_READER_BYTES", 10 ** 12)
            try:
                alone = read_workbook(path)
            except WorkbookUnreadable:
                continue
            mp.setattr(R, "SECOND_READER_BYTES", 0)
            mp.setattr(R, "SECOND_READER_MAX_BYTES", 10 ** 12)
            names = [s.name for s in alone.sheets]
            shared += bool(R._second_reader_share(path, names))
            both = read_workbook(path)
        assert _as_read(both) == _as_read(alone), path.name
    assert shared >= (10 if len(books) > 1 else 1)  # the second reader really took sheets (the template's too)


@settings(max_examples=300, deadline=None)
@given(sizes=st.lists(st.integers(0, 10 ** 6), min_size=0, max_size=7), threshold=st.integers(0, 2 * 10 ** 6),
       most=st.integers(0, 8 * 10 ** 6))
def test_the_second_reader_takes_the_lighter_share_of_the_biggest_first_deal(sizes, threshold, most):
    from xlclient.xlsx import reader as R

    names = [f"S{i}" for i in range(len(sizes))]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(R, "SECOND_READER_BYTES", threshold)
        mp.setattr(R, "SECOND_READER_MAX_BYTES", most)
        mp.setattr(R, "_sheet_parts", lambda z: {n: n for n in names})

        class Zip:
            def __init__(self, _):
                pass

            def __enter__(self):
                return self

            def __exit__(self, *a):
                return False

            def getinfo(self, member):
                return type("Info", (), {"file_size": sizes[names.index(member)]})

        mp.setattr(R.zipfile, "ZipFile", Zip)
        theirs = R._second_reader_share(b"", names)
    assert set(theirs) <= set(names) and len(set(theirs)) == len(theirs)
    mine = sum(s for n, s in zip(names, sizes) if n not in theirs)
    other = sum(s for n, s in zip(names, sizes) if n in theirs)
    if theirs:
        assert other >= threshold and sum(sizes) <= most
        assert max(sizes) in [s for n, s in zip(names, sizes) if n not in theirs]  # the biggest stays
        assert abs(mine - other) <= max(sizes)  # dealt biggest first: no share exceeds the other by more
    else:  # the second reader always gets the second biggest sheet (when it is not empty)
        second = sorted(sizes)[-2] if len(sizes) >= 2 else 0
        assert second == 0 or second < threshold or sum(sizes) > most


def test_the_second_reader_is_not_used_for_a_file_that_is_not_a_package(tmp_path):
    from xlclient.xlsx import reader as R

    assert R._second_reader_share(b"not a zip", ["a", "b"]) == []


def test_a_failure_in_the_second_reader_reaches_the_caller(tmp_path):
    from xlclient.xlsx import reader as R

    path = tmp_path / "two.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    for name in ("甲", "乙"):
        wb.add_worksheet(name).write_row(0, 0, [name, 1])
    wb.close()
    real = R._sheet_cells

    def failing(book, name):
        if name == "乙":
            raise RuntimeError("calamine failed on 乙")
        return real(book, name)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(R, "SECOND_READER_BYTES", 0)
        mp.setattr(R, "_sheet_cells", failing)
        assert R._second_reader_share(path, ["甲", "乙"]) == ["乙"]
        with pytest.raises(RuntimeError, match="乙"):
            read_workbook(path)
