"""Every cell value Excel can store is read or reported (issue 24): error values calamine
does not know (``#SPILL!`` ... any future ``#...!``), error values in any input column
(``#N/A`` included: SPEC 2), macro, dialog and chart sheets, and XML parts saved as UTF-16.
Books are the demo (40 clients) with one part rewritten; commands run in-process."""

from __future__ import annotations

import codecs
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from xlclient.cli import main
from xlclient.xlsx.readable import known_errors_only, readable_copy
from xlclient.xlsx.reader import _error_cells, read_workbook

KNOWN = ["#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!",
         "#FIELD!", "#BLOCKED!", "#BUSY!", "#CONNECT!", "#UNKNOWN!", "#PYTHON!", "#EXTERNAL!"]
ERRORS = st.one_of(st.sampled_from(KNOWN), st.from_regex(r"#[A-Z_]{1,20}[!?]", fullmatch=True))
CLIENT_PART = "xl/worksheets/sheet1.xml"
OTHER_PARTS = ["xl/worksheets/sheet3.xml", "xl/worksheets/sheet4.xml", "xl/worksheets/sheet6.xml"]
OWNED = {"xl/worksheets/sheet4.xml", "xl/worksheets/sheet5.xml", "xl/worksheets/sheet6.xml"}
LEFT_OUT = {"no_name", "summary_row", "group_row"}


def rewrite(src: bytes, change) -> bytes:
    """The package with ``change(name, data)`` applied to each member (None drops it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info, data)
    return out.getvalue()


def put_cell(xml: bytes, ref: str, cell: bytes) -> bytes:
    m = re.search(rb'<c r="%s"[^>]*?(?:/>|>.*?</c>)' % ref.encode(), xml)
    assert m, ref
    return xml[:m.start()] + cell + xml[m.end():]


def run(capsys, argv) -> tuple[int, dict]:
    code = main(argv + ["--json", "-q"])
    return code, json.loads(capsys.readouterr().out)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """(the bytes of the demo book, None)."""
    path = tmp_path_factory.mktemp("cells") / "d.xlsx"
    assert main(["demo", "--out", str(path), "--today", "2026-11-22", "--clients", "40", "-q"]) == 0
    return path.read_bytes(), None


@pytest.fixture(scope="module")
def base(demo, tmp_path_factory):
    data, _ = demo
    path = tmp_path_factory.mktemp("base") / "d.xlsx"
    path.write_bytes(data)
    return path


def check_json(path: Path, capsys) -> tuple[int, dict]:
    return run(capsys, ["check", str(path)])


def cells_of(data: bytes, part: str, first_row: int = 1) -> list[str]:
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part)
    return [m.decode() for m in re.findall(rb'<c r="([A-Z]+\d+)"', xml)
            if int(re.sub(r"[A-Z]", "", m.decode())) >= first_row]


def error_cell(ref: str, text: str, form: str) -> bytes:
    v = text.replace("&", "&amp;").encode()
    return {"plain": b'<c r="%s" t="e"><v>%s</v></c>',
            "formula": b'<c r="%s" t="e"><f>1/0</f><v>%s</v></c>',
            "spaced": b"<c r=\"%s\" t = 'e' ><v>%s</v></c>"}[form] % (ref.encode(), v)


# ---------------------------------------------------------------- error values, any spelling, any cell

@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), error=ERRORS, other_error=ERRORS, form=st.sampled_from(["plain", "formula", "spaced"]))
def test_any_error_value_in_any_cell_is_reported_or_harmless_never_a_crash(demo, base, tmp_path_factory, capsys,
                                                                            data, error, other_error, form):
    book, _ = demo
    code0, before = check_json(base, capsys)
    fields = before["reading"]["fields"]
    letters = {f["letter"]: f["column"] for f in fields.values() if f.get("letter")}
    left_rows = {p["row"] for p in before["problems"] if p["code"] in LEFT_OUT}
    # the client rows: inside the Excel table (the demo's 合计 line under it is read by nobody:
    # an error there is harmless), less the rows left out as no clients
    last = int(re.search(rb'ref="[A-Z]+\d+:[A-Z]+(\d+)"', zipfile.ZipFile(io.BytesIO(book)).read(
        "xl/tables/table1.xml")).group(1))
    candidates = [r for r in cells_of(book, CLIENT_PART, first_row=4)
                  if int(re.sub(r"[A-Z]", "", r)) not in left_rows and int(re.sub(r"[A-Z]", "", r)) <= last]
    ref = data.draw(st.sampled_from(candidates), label="client cell")
    other = data.draw(st.sampled_from(OTHER_PARTS), label="other sheet")
    other_ref = data.draw(st.sampled_from(cells_of(book, other)), label="other cell")

    def change(name, xml):
        if name == CLIENT_PART:
            return put_cell(xml, ref, error_cell(ref, error, form))
        if name == other:
            return put_cell(xml, other_ref, error_cell(other_ref, other_error, form))
        return xml

    path = tmp_path_factory.mktemp("e") / "e.xlsx"
    path.write_bytes(rewrite(book, change))
    code, out = check_json(path, capsys)
    assert code in (0, 1), out
    letter, row = re.match(r"([A-Z]+)(\d+)", ref).groups()
    if letter in letters:
        named = [p for p in out["problems"] if p["row"] == int(row) and p["column"] == letters[letter]
                 and p["value"] == error]
        assert named and named[0]["code"] == "excel_error", (ref, error, out["problems"])
        assert code == 1


@pytest.mark.parametrize("error", ["#SPILL!", "#GETTING_DATA", "#NEW_ERROR?", "#N/A"])
def test_refresh_keeps_every_part_it_does_not_own(demo, tmp_path, capsys, error):
    book, _ = demo
    src = tmp_path / "e.xlsx"
    src.write_bytes(rewrite(book, lambda n, x: put_cell(x, "P5", error_cell("P5", error, "plain")) if n == CLIENT_PART
                            else put_cell(x, "E1", error_cell("E1", error, "formula")) if n == "xl/worksheets/sheet3.xml"
                            else x))
    out = tmp_path / "out.xlsx"
    code, res = run(capsys, ["refresh", str(src), "--out", str(out)])
    assert code == 1
    assert any(p["row"] == 5 and p["value"] == error and p["code"] == "excel_error" for p in res["problems"])
    a, b = parts(src), parts(out)
    for name in a:
        if name not in OWNED and name != "xl/workbook.xml":
            assert a[name] == b[name], name


def test_a_book_calamine_reads_is_not_copied(demo, base, monkeypatch):
    import xlclient.xlsx.reader as reader

    monkeypatch.setattr(reader, "readable_copy", lambda data: pytest.fail("copied a readable book"))
    assert read_workbook(base).sheet_names[0] == "客户台账"
    assert readable_copy(demo[0]) is None


@pytest.mark.parametrize("xml, found", [
    (b'<c r="B2" t="e"><v>#SPILL!</v></c>', [(1, 1, "#SPILL!")]),
    (b'<x:c r="AA10" t=\'e\'><x:f>A1</x:f><x:v>#CALC!</x:v></x:c>', [(9, 26, "#CALC!")]),
    (b'<c r="C3" t = "e" s="1"><v> #N&#47;A </v></c>', [(2, 2, "#N/A")]),
    (b'<c r="D4" t="e"><is><t>#BUSY!</t></is></c>', [(3, 3, "#BUSY!")]),
    (b'<c r="E5" t="e"/><c r="E6" t="s"><v>0</v></c><c r="E7" s="e"><v>1</v></c>', []),
])
def test_error_cells_in_every_form_are_found(xml, found):
    assert sorted(_error_cells(b"<sheetData><row>" + xml + b"</row></sheetData>")) == found


@given(st.lists(st.tuples(ERRORS, st.booleans()), max_size=6))
def test_only_errors_calamine_does_not_know_are_stored_as_na(cells):
    xml = b"".join((b'<c r="A%d" t="e"><v>%s</v></c>' if err else b'<c r="A%d" t="s"><v>%s</v></c>')
                   % (i + 1, text.encode()) for i, (text, err) in enumerate(cells))
    new, n = known_errors_only(xml)
    assert n == sum(1 for text, err in cells if err and text not in
                    ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"))
    assert [t for _, _, t in _error_cells(xml)] == [t for t, e in cells if e]  # the scan reads the original
    assert len(new) == len(xml) - sum(len(t) - 4 for t, e in cells if e and t not in
                                      ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"))


# ---------------------------------------------------------------- sheets that are not worksheets

SHEETS = {
    "macro": ("xl/macrosheets/sheet1.xml", "application/vnd.ms-excel.macrosheet+xml",
              "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet",
              b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<xm:macrosheet xmlns="http://schemas.'
              b'openxmlformats.org/spreadsheetml/2006/main" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/'
              b'main"><sheetData><row r="1"><c r="A1" t="b"><f>RETURN()</f><v>1</v></c></row></sheetData>'
              b'</xm:macrosheet>'),
    "dialog": ("xl/dialogsheets/sheet1.xml",
               "application/vnd.openxmlformats-officedocument.spreadsheetml.dialogsheet+xml",
               "http://schemas.openxmlformats.org/officeDocument/2006/relationships/dialogsheet",
               b'<?xml version="1.0" encoding="UTF-8"?>\n<dialogsheet xmlns="http://schemas.openxmlformats.org/'
               b'spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"/></sheetViews></dialogsheet>'),
    "chart": ("xl/chartsheets/sheet1.xml",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.chartsheet+xml",
              "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet",
              b'<?xml version="1.0" encoding="UTF-8"?>\n<chartsheet xmlns="http://schemas.openxmlformats.org/'
              b'spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"/></sheetViews></chartsheet>'),
}


def with_sheet(book: bytes, kind: str) -> bytes:
    part, ctype, rtype, body = SHEETS[kind]

    def change(name, data):
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", b'<Override PartName="/%s" ContentType="%s"/></Types>'
                                % (part.encode(), ctype.encode()))
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", b'<Relationship Id="rIdX9" Type="%s" Target="%s"/>'
                                b"</Relationships>" % (rtype.encode(), part[3:].encode()))
        if name == "xl/workbook.xml":
            return data.replace(b"</sheets>", '<sheet name="宏表" sheetId="90" r:id="rIdX9"/></sheets>'.encode())
        return data

    out = io.BytesIO(rewrite(book, change))
    with zipfile.ZipFile(out, "a") as z:
        z.writestr(part, body)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["macro", "dialog", "chart"])
def test_books_with_macro_dialog_and_chart_sheets_are_read_and_written(demo, base, tmp_path, capsys, kind):
    src = tmp_path / "m.xlsx"
    src.write_bytes(with_sheet(demo[0], kind))
    _, before = check_json(base, capsys)
    code, out = check_json(src, capsys)
    assert (code, out["problems"]) == (1, before["problems"])
    written = tmp_path / "w.xlsx"
    assert run(capsys, ["plan", str(src), "--out", str(written)])[0] == 1  # adds a sheet: workbook.xml edited
    a, b = parts(src), parts(written)
    assert a[SHEETS[kind][0]] == b[SHEETS[kind][0]]
    assert b"rIdX9" in b["xl/workbook.xml"] and check_json(written, capsys)[0] == 1


# ---------------------------------------------------------------- UTF-16 parts

def utf16(data: bytes) -> bytes:
    text = data.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", CLIENT_PART, "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                                  "[Content_Types].xml", "xl/styles.xml", "xl/tables/table1.xml"])
def test_utf16_parts_are_read_and_kept(demo, base, tmp_path, capsys, part):
    src = tmp_path / "u.xlsx"
    src.write_bytes(rewrite(demo[0], lambda n, d: utf16(d) if n == part else d))
    _, before = check_json(base, capsys)
    code, out = check_json(src, capsys)
    assert (code, out["problems"], out["counts"]) == (1, before["problems"], before["counts"])
    written = tmp_path / "w.xlsx"
    assert run(capsys, ["plan", str(src), "--out", str(written)])[0] == 1
    new = parts(written)[part]
    assert new.startswith(codecs.BOM_UTF16_LE)  # still UTF-16, edited or not
    if part in (CLIENT_PART, "xl/sharedStrings.xml", "xl/tables/table1.xml"):
        assert new == parts(src)[part]
    import xml.dom.minidom

    xml.dom.minidom.parseString(new)
    assert check_json(written, capsys)[0] == 1
