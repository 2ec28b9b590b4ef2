"""Finding the few formulas of a big worksheet part without a regex pass over every tag
(xmltext.formula_starts / cell_start), and the two scans that use it -- formulas saved
without a result (reader) and formulas that read xlclient's sheets (recalc) -- giving what
the cell-by-cell regex pass gives, on random sheets with and without a namespace prefix."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from xlclient.xlsx import reader, recalc
from xlclient.xlsx.xmltext import cell_start, formula_starts

cells = st.lists(st.tuples(
    st.sampled_from(["", ' t="s"', ' t="str"', ' s="3"']),
    st.sampled_from([None, "SUM(A1:A3)", "'分级结果'!D2", "分级结果!A1&\"x\"", "CLIENT_TIER(B1)", ""]),
    st.sampled_from([None, "1", "", "文字"]),
    st.booleans(),  # a shared-formula child (empty <f/>)
), max_size=12)


def sheet(spec, prefix: str) -> str:
    p = prefix
    out = []
    for i, (attrs, formula, value, shared) in enumerate(spec):
        f = ""
        if shared:
            f = f'<{p}f t="shared" si="0"/>'
        elif formula is not None:
            f = f"<{p}f>{formula}</{p}f>" if formula else f"<{p}f/>"
        v = "" if value is None else f"<{p}v>{value}</{p}v>"
        out.append(f'<{p}c r="A{i + 1}"{attrs}>{f}{v}</{p}c>' if f or v else f'<{p}c r="A{i + 1}"{attrs}/>')
    ns = f'xmlns:{p[:-1]}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"' if p else \
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    return (f'<{p}worksheet {ns}><{p}cols><{p}col min="1" max="1" width="9"/></{p}cols><{p}sheetData>'
            f'<{p}row r="1">{"".join(out)}</{p}row></{p}sheetData></{p}worksheet>')


@settings(max_examples=300, deadline=None)
@given(spec=cells, prefix=st.sampled_from(["", "x:", "ss:"]))
def test_formula_starts_and_their_cells(spec, prefix):
    text = sheet(spec, prefix)
    want = [m.start() for m in re.finditer(rf"<{re.escape(prefix)}f[\s>/]", text)]
    assert formula_starts(text) == want and formula_starts(text.encode()) == \
        [m.start() for m in re.finditer(rb"<" + re.escape(prefix.encode()) + rb"f[\s>/]", text.encode())]
    for p in want:
        c = cell_start(text, p)
        assert text.startswith(f"<{prefix}c ", c) and "</" not in text[c:p]


@settings(max_examples=300, deadline=None)
@given(spec=cells, prefix=st.sampled_from(["", "x:"]))
def test_the_fast_scans_equal_the_cell_by_cell_pass(spec, prefix):
    text = sheet(spec, prefix)
    data = text.encode()
    fast = reader._uncomputed_formulas(data)
    slow = []
    for m in reader._UNCOMPUTED_RE.finditer(data):  # the pass the fast scan replaces
        ref = reader._CELL_REF_RE.search(m.group(1))
        rm = reader._REF_RE.match(ref.group(1).decode())
        slow.append((int(rm.group(2)) - 1, reader._column_index(rm.group(1)),
                     reader.html.unescape(m.group(2).decode()) if m.group(2) else ""))
    assert fast == slow
    new, n = recalc.stale_formulas(text, ["分级结果"])
    without_sheetdata = text.replace("sheetData", "sheetDataX")  # formula_starts gives None: the slow path
    old, n_old = recalc.stale_formulas(without_sheetdata, ["分级结果"])
    assert n == n_old and new == old.replace("sheetDataX", "sheetData")


def test_a_part_without_sheetdata_takes_the_slow_path():
    assert formula_starts("<worksheet/>") is None and formula_starts(b"<worksheet/>") is None
    assert formula_starts('<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>') == []


@settings(max_examples=200, deadline=None)
@given(spec=cells, prefix=st.sampled_from(["", "x:"]))
def test_may_read_never_skips_a_part_that_has_a_formula_reading_us(spec, prefix):
    """The bytes-level look before decoding a part: when it says no, the cell-by-cell pass
    finds nothing either."""
    text = sheet(spec, prefix)
    _, n = recalc.stale_formulas(text, ["分级结果"])
    if not recalc.may_read(text.encode(), ["分级结果"]):
        assert n == 0
    if n:
        assert recalc.may_read(text.encode(), ["分级结果"])


@settings(max_examples=200, deadline=None)
@given(spec=cells, prefix=st.sampled_from(["", "x:"]), every=st.sampled_from(
    [["分级结果"], ["Log"], ["R&D plan"], ["分级结果", "计划表", "xlc_pareto_a"]]))
def test_the_facts_kept_of_a_part_answer_as_the_part_does(spec, prefix, every):
    """What the reader keeps of a part (recalc.formula_facts) gives the writer the same
    answer as the part itself."""
    data = sheet(spec, prefix).encode()
    assert recalc.may_read(recalc.formula_facts(data), every) == recalc.may_read(data, every)
    charref = data.replace("分级结果".encode(), b"&#20998;&#32423;&#32467;&#26524;")
    assert recalc.may_read(recalc.formula_facts(charref), every) == recalc.may_read(charref, every)


def _book_with_a_formula_reading_ours(path):
    import xlsxwriter

    wb = xlsxwriter.Workbook(path)
    clients = wb.add_worksheet("客户台账")
    clients.write_row("A1", ["客户编号", "客户名称", "年度投放额"])
    for i in range(2, 50):
        clients.write_row(f"A{i}", [f"C{i:03d}", f"客户{i}", i * 10])
    summary = wb.add_worksheet("汇总")
    summary.write_formula("A1", '=COUNTIF(分级结果!D:D,"A")', None, 7)
    summary.write_formula("A2", "=SUM(客户台账!C:C)", None, 99)
    wb.add_worksheet("分级结果").write_row("A1", ["客户编号"])
    wb.close()


def test_the_writer_uses_what_the_reader_found_and_inflates_no_sheet_again(tmp_path, monkeypatch):
    """A sheet the reader found without a formula naming ours is not inflated again by the
    writer (issue 15: a 100,000-row client sheet took 0.37 s); a sheet with one still gets
    its stale value removed; facts are used only for the very bytes they were found in."""
    from xlclient.xlsx.owned import SheetSpec, build_workbook
    from xlclient.xlsx.package import Package
    from xlclient.xlsx.reader import read_workbook
    from xlclient.xlsx.session import take_snapshot

    path = tmp_path / "book.xlsx"
    _book_with_a_formula_reading_ours(path)
    snapshot = take_snapshot(path)
    read_workbook(snapshot)
    inflated: list[str] = []
    real_read = Package.read
    monkeypatch.setattr(Package, "read", lambda self, part: inflated.append(part.lower()) or real_read(self, part))
    spec = SheetSpec("分级结果", [["客户编号", "等级"], ["C002", "A"]])

    result = build_workbook(snapshot.data, [spec])
    assert result.recalc_cells == 1  # COUNTIF(分级结果!…) lost its value; SUM(客户台账!…) kept it
    assert "/xl/worksheets/sheet1.xml" not in inflated  # the client sheet: known to read nothing of ours
    assert "/xl/worksheets/sheet2.xml" in inflated  # 汇总: may read ours, looked at

    inflated.clear()
    copy = bytes(bytearray(snapshot.data))  # equal bytes, another object: nothing is taken as known
    assert copy is not snapshot.data
    assert build_workbook(copy, [spec]).recalc_cells == 1
    assert "/xl/worksheets/sheet1.xml" in inflated
