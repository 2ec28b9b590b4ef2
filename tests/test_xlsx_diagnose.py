"""diagnose(): what is wrong with a file that is not a workbook xlclient can read and write.

Every input is built here: good workbooks with XlsxWriter and openpyxl, damaged ones by
editing their zip, Strict Open XML by rewriting a generated workbook's namespaces, .xlsb,
.docx/.pptx look-alikes and a minimal .ods by hand, OLE2 compound files (.xls, .doc, an
encrypted package) with a small compound-file writer below (checked with olefile), a real
encrypted workbook with msoffcrypto-tool, and real .ods/.xls files with LibreOffice when
``soffice`` is installed.  The Excel-made corpus (shared/corpus/excel-made) must all be ok.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import shutil
import struct
import subprocess
import time
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from corpus_path import corpus_dir
import xlsxwriter
from hypothesis import HealthCheck, given, settings, strategies as st

from xlclient.xlsx.diagnose import CODES, Diagnosis, diagnose
from zipbombs import bomb_member, bomb_workbook, members_of, write_zip
from xlclient.xlsx.zipio import ZipWriter

CORPUS = corpus_dir() or Path("/nonexistent-corpus")  # XLCLIENT_CORPUS or beside the repo
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
PKG_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


# --------------------------------------------------------------------------- inputs

def xlsxwriter_book(sheets: int = 2, vba: bool = False) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    for i in range(sheets):
        ws = wb.add_worksheet(["客户", "Visits"][i] if i < 2 else f"Sheet{i + 1}")
        ws.write_row(0, 0, ["客户编号", "客户名称", "金额", "日期"])
        ws.write_row(1, 0, ["C001", "北京星海传媒有限公司", 1200000.5])
        ws.write_datetime(1, 3, dt.datetime(2026, 3, 5), wb.add_format({"num_format": "yyyy-mm-dd"}))
    if vba:
        wb.add_vba_project(io.BytesIO(b"\xd0\xcf\x11\xe0 not a real VBA project"), is_stream=True)
    wb.close()
    return buf.getvalue()


def openpyxl_book(template: bool = False) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户"
    ws.append(["客户编号", "客户名称", "金额", "日期"])
    ws.append(["C001", "上海天宏广告", 3.5, dt.date(2026, 1, 2)])
    wb.create_sheet("Visits")["A1"] = "=SUM(1,2)"
    wb.template = template
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def members_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.namelist()


def central_entry(data: bytes, name: str) -> int:
    """Offset of ``name``'s central directory entry."""
    eocd = data.rfind(b"PK\x05\x06")
    pos = struct.unpack_from("<I", data, eocd + 16)[0]
    while data[pos:pos + 4] == b"PK\x01\x02":
        n, e, c = struct.unpack_from("<HHH", data, pos + 28)
        if data[pos + 46:pos + 46 + n].decode("utf-8") == name:
            return pos
        pos += 46 + n + e + c
    raise KeyError(name)


def make_zip(parts: dict[str, bytes | str], stored: tuple[str, ...] = ()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, content, zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def rezip(data: bytes, change: dict[str, bytes | str | None]) -> bytes:
    """The package with members replaced (or removed, for None)."""
    parts = members(data)
    for name, content in change.items():
        if content is None:
            parts.pop(name)
        else:
            parts[name] = content
    return make_zip(parts)


def data_span(data: bytes, name: str) -> tuple[int, int]:
    """Where member ``name``'s compressed bytes are in ``data``."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    n, e = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + n + e
    return start, start + info.compress_size


def cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (version 3, 512-byte sectors) holding ``streams`` as
    top-level streams, each padded to 4096 bytes so that none lives in the mini stream."""
    end, free, fatsect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    body, fat = b"", []
    placed = []
    for name, content in streams.items():
        content = content.ljust(4096, b"\0")
        first, count = len(fat), -(-len(content) // 512)
        fat += [first + i + 1 for i in range(count - 1)] + [end]
        body += content.ljust(count * 512, b"\0")
        placed.append((name, first, len(content)))
    # Directory: the root entry, then the streams chained through right siblings in the
    # compound-file order (shorter names first, then by upper-case name).
    order = sorted(range(len(placed)), key=lambda i: (len(placed[i][0]), placed[i][0].upper()))
    def entry(name, kind, left, right, child, start, size):
        raw = name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBBIII", len(raw), kind, 1, left, right, child)
                + b"\0" * 36 + struct.pack("<IQ", start, size))
    entries = [entry("Root Entry", 5, free, free, order[0] + 1 if order else free, end, 0)]
    for i, (name, start, size) in enumerate(placed):
        pos = order.index(i)
        right = order[pos + 1] + 1 if pos + 1 < len(order) else free
        entries.append(entry(name, 2, free, right, free, start, size))
    directory = b"".join(entries)
    directory = directory.ljust(-(-len(directory) // 512) * 512, b"\0")
    dir_first, dir_count = len(fat), len(directory) // 512
    fat += [dir_first + i + 1 for i in range(dir_count - 1)] + [end]
    fat_sector = len(fat)
    fat += [fatsect]
    fat_bytes = b"".join(struct.pack("<I", x) for x in fat).ljust(512, b"\xff")
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, 1, dir_first, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", fat_sector) + b"\xff" * 4 * 108)
    assert len(header) == 512
    return header + body + directory + fat_bytes


def workbook_package(workbook_name: str, workbook_type: str, workbook: bytes, extra: dict | None = None) -> bytes:
    """A package whose officeDocument is ``workbook_name`` with content type ``workbook_type``."""
    types = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="{CT_NS}">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             f'<Override PartName="/{workbook_name}" ContentType="{workbook_type}"/></Types>')
    rels = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_RELS_NS}">'
            f'<Relationship Id="rId1" Type="{OFFICE_DOC}" Target="{workbook_name}"/></Relationships>')
    return make_zip({"[Content_Types].xml": types, "_rels/.rels": rels, workbook_name: workbook, **(extra or {})})


STRICT_REWRITES = [
    ("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main"),
    ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
     "http://purl.oclc.org/ooxml/officeDocument/relationships"),
    ("http://schemas.openxmlformats.org/drawingml/2006/main", "http://purl.oclc.org/ooxml/drawingml/main"),
]


def strict(data: bytes, only: str | None = None) -> bytes:
    """Rewrite a transitional package into Strict Open XML namespaces (all XML parts, or ``only``)."""
    change = {}
    for name, content in members(data).items():
        if name.endswith((".xml", ".rels")) and (only is None or name == only):
            text = content.decode("utf-8")
            for old, new in STRICT_REWRITES:
                text = text.replace(old, new)
            change[name] = text.encode("utf-8")
    return rezip(data, change)


GOOD = xlsxwriter_book()
GOOD_OPENPYXL = openpyxl_book()
XLSM = xlsxwriter_book(vba=True)


# --------------------------------------------------------------------------- good workbooks

@pytest.mark.parametrize("data", [
    pytest.param(GOOD, id="xlsxwriter"),
    pytest.param(GOOD_OPENPYXL, id="openpyxl"),
    pytest.param(XLSM, id="xlsm"),
    pytest.param(openpyxl_book(template=True), id="xltx"),
    pytest.param(rezip(XLSM, {"[Content_Types].xml": members(XLSM)["[Content_Types].xml"].replace(
        b"sheet.macroEnabled.main", b"template.macroEnabled.main")}), id="xltm"),
    pytest.param(make_zip(members(GOOD), stored=tuple(members(GOOD))), id="stored-members"),
])
def test_good_workbooks_are_ok(data):
    assert diagnose(data, "客户.xlsx") == Diagnosis("ok", {})


def test_any_bytes_like_input():
    assert diagnose(bytearray(GOOD)).code == diagnose(memoryview(GOOD)).code == "ok"


def test_templates_really_are_templates():
    assert b"template.main+xml" in members(openpyxl_book(template=True))["[Content_Types].xml"]
    assert b"sheet.macroEnabled.main" in members(XLSM)["[Content_Types].xml"]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared/corpus/excel-made not found beside the repo")
def test_every_excel_made_workbook_is_ok():
    """All 993 workbooks of the corpus, none sampled: about 0.35 s in all."""
    files = sorted(p for p in CORPUS.iterdir() if p.is_file())
    books = [p for p in files if p.suffix.lower() in (".xlsx", ".xlsm", ".xltx", ".xltm")]
    assert len(books) >= 990
    start = time.perf_counter()
    wrong = {p.name: diagnose(p.read_bytes(), p.name) for p in books}
    elapsed = time.perf_counter() - start
    wrong = {name: d for name, d in wrong.items() if d.code != "ok"}
    assert not wrong
    assert elapsed < 20, f"{len(books)} workbooks took {elapsed:.1f} s"
    # The corpus's other files are inputs of XlsxWriter's tests, not workbooks.
    for p in files:
        if p not in books:
            assert diagnose(p.read_bytes(), p.name).code in ("not_zip", "not_spreadsheet"), p.name


def big_workbook(target_mb: int = 30) -> bytes:
    """A ~30 MB workbook of four sheets of client rows (each about 45 MB of XML); the
    sheets' compressed bytes are made once and copied, so building it takes a few seconds."""
    rng = random.Random(30)
    names = [rng.randrange(20000) for _ in range(4096)]
    rows = []
    for r in range(1, 150001):
        rows.append(
            f'<row r="{r}" spans="1:8"><c r="A{r}" t="s"><v>{names[r % 4096]}</v></c>'
            f'<c r="B{r}" t="s"><v>{rng.randrange(20000)}</v></c><c r="C{r}"><v>{rng.random() * 1e6:.2f}</v></c>'
            f'<c r="D{r}" s="1"><v>{43831 + rng.randrange(2000)}</v></c><c r="E{r}"><v>{rng.randrange(10 ** 9)}</v></c>'
            f'<c r="F{r}" t="s"><v>{rng.randrange(6)}</v></c></row>')
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxml'
           'formats.org/spreadsheetml/2006/main"><sheetData>' + "".join(rows) + "</sheetData></worksheet>").encode()
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    sheet = comp.compress(xml) + comp.flush()
    copies = max(1, round(target_mb * 1e6 / len(sheet)))
    base = xlsxwriter_book(sheets=copies)
    out = io.BytesIO()
    writer = ZipWriter(out)
    with zipfile.ZipFile(io.BytesIO(base)) as z:
        for info in z.infolist():
            if info.filename.startswith("xl/worksheets/sheet"):
                fake = zipfile.ZipInfo(info.filename, info.date_time)
                fake.compress_type, fake.CRC, fake.file_size = zipfile.ZIP_DEFLATED, zlib.crc32(xml), len(xml)
                writer.add_raw(fake, sheet)
            else:
                writer.add_bytes(info.filename, z.read(info))
    writer.close()
    return out.getvalue()


def test_speed_on_a_30_mb_workbook():
    """Measured on an idle machine: about 0.27 s for this 33 MB book.  Asserted relative to
    plain inflating of every member (the least any CRC check must do), so that a busy test
    machine does not fail it, plus a generous absolute bound."""
    data = big_workbook()
    assert 25e6 < len(data) < 36e6

    def inflate_all():
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in z.infolist():
                with z.open(info) as f:
                    while f.read(1 << 20):
                        pass

    def best(run) -> float:
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            run()
            timings.append(time.perf_counter() - start)
        return min(timings)

    assert diagnose(data, "big.xlsx").code == "ok"
    ours, baseline = best(lambda: diagnose(data, "big.xlsx")), best(inflate_all)
    print(f"diagnose of {len(data) / 1e6:.1f} MB: {ours:.3f} s; zipfile reading every member: {baseline:.3f} s")
    assert ours < 1.5 * baseline + 0.05
    assert ours < 2.0
    # Damage near the very end of the last big sheet is still found.
    last = [n for n in members_names(data) if n.startswith("xl/worksheets/sheet")][-1]
    start, stop = data_span(data, last)
    broken = bytearray(data)
    broken[stop - 100] ^= 0x55
    assert diagnose(bytes(broken)) == Diagnosis("corrupt_member", {"member": last})


# --------------------------------------------------------------------------- not a zip

def test_empty_and_zero_filled():
    assert diagnose(b"", "a.xlsx") == Diagnosis("empty", {})
    assert diagnose(b"\0" * 9000, "a.xlsx") == Diagnosis("empty", {"zeros": True})


@pytest.mark.parametrize("text", [
    "客户编号,客户名称,金额\nC001,北京星海,1200\n".encode("utf-8"),
    "客户编号,客户名称,金额\r\nC001,北京星海,1200\r\n".encode("gbk"),
    "\ufeff客户编号\t客户名称\n".encode("utf-8"),
    "客户编号\t客户名称\n".encode("utf-16"),
    b"<html><body><table><tr><td>1</td></tr></table></body></html>",
    b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>',
])
def test_text_files_renamed(text):
    assert diagnose(text, "客户.xlsx") == Diagnosis("not_zip", {"kind": "text"})


def test_random_bytes_and_other_binaries():
    assert diagnose(random.Random(1).randbytes(5000), "a.xlsx") == Diagnosis("not_zip", {"kind": "other"})
    assert diagnose(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x01\x02", "a.pdf").params == {"kind": "other"}


def test_excel_owner_file():
    # Excel's ~$ owner file: 165 bytes, the user name in the ANSI code page and in UTF-16
    owner = bytes([6]) + b"zhangw".ljust(53) + struct.pack("<H", 6) + "zhangw".ljust(53).encode("utf-16-le")
    assert diagnose(owner, "~$客户.xlsx") == Diagnosis("not_spreadsheet", {"kind": "owner_file"})
    assert diagnose(b"zhangw,PC-01,zhangw,26.11.2025 10:00,file:///home/zhangw/.config;", ".~lock.客户.xlsx#").params == {
        "kind": "owner_file"}


# --------------------------------------------------------------------------- OLE2 files

def test_compound_file_writer_makes_real_compound_files():
    olefile = pytest.importorskip("olefile")
    ole = olefile.OleFileIO(cfb({"Workbook": b"\x09\x08" * 3000, "\x05SummaryInformation": b"x"}))
    assert sorted(ole.listdir()) == [["\x05SummaryInformation"], ["Workbook"]]
    assert ole.openstream("Workbook").read()[:6000] == b"\x09\x08" * 3000


@pytest.mark.parametrize("streams, expected", [
    ({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00", "\x05SummaryInformation": b""}, Diagnosis("xls_binary", {})),
    ({"Book": b"\x09\x08"}, Diagnosis("xls_binary", {})),  # Excel 5.0/95
    ({"EncryptionInfo": b"\x04\x00\x04\x00\x40", "EncryptedPackage": b"\x10\x27",
      "\x06DataSpaces": b""}, Diagnosis("encrypted", {})),
    ({"WordDocument": b"\xec\xa5", "1Table": b""}, Diagnosis("not_spreadsheet", {"kind": "word"})),
    ({"PowerPoint Document": b"", "Current User": b""}, Diagnosis("not_spreadsheet", {"kind": "powerpoint"})),
    ({"VBA": b"", "PROJECT": b"ID="}, Diagnosis("not_spreadsheet", {"kind": "other"})),
])
def test_ole2_files(streams, expected):
    assert diagnose(cfb(streams), "客户.xlsx") == expected


def test_unrecognised_compound_file_named_xls():
    cut_short = cfb({"Workbook": b"\x09\x08" * 3000})[:3000]  # the directory is lost
    assert diagnose(cut_short, "客户.xls") == Diagnosis("xls_binary", {})
    assert diagnose(cut_short, "客户.xlsx") == Diagnosis("not_spreadsheet", {"kind": "other"})


def test_stream_names_inside_data_are_not_directory_entries():
    # "Workbook" in UTF-16 inside a VBA stream (a module named ThisWorkbook) is no .xls
    data = cfb({"VBA": b"\0" * 100 + "ThisWorkbook".encode("utf-16-le") + b"\0\0" + "Workbook".encode("utf-16-le")})
    assert diagnose(data).code == "not_spreadsheet"


def test_workbook_encrypted_by_msoffcrypto():
    msoffcrypto_ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    out = io.BytesIO()
    msoffcrypto_ooxml.OOXMLFile(io.BytesIO(GOOD)).encrypt("客户2026", out)
    data = out.getvalue()
    assert data[:8] == bytes.fromhex("D0CF11E0A1B11AE1")
    assert diagnose(data, "客户.xlsx") == Diagnosis("encrypted", {})


# --------------------------------------------------------------------------- other zips

def test_truncated_zip():
    for cut in (4, 30, len(GOOD) // 3, len(GOOD) // 2, len(GOOD) - 22, len(GOOD) - 1):
        assert diagnose(GOOD[:cut], "客户.xlsx") == Diagnosis("truncated_zip", {}), cut


def test_damaged_zip_structure():
    assert diagnose(GOOD + b"\0" * 100).code == "damaged_zip"          # bytes after the end record
    assert diagnose(b"XX" + GOOD[2:]).code == "damaged_zip"           # first bytes overwritten
    broken = bytearray(GOOD)
    eocd = GOOD.rfind(b"PK\x05\x06")
    broken[eocd + 16] ^= 0x01                                          # central directory offset
    assert diagnose(bytes(broken)).code == "truncated_zip"             # end record no longer fits
    assert diagnose(b"PK\x05\x06" + b"\0" * 18) == Diagnosis("not_spreadsheet", {"kind": "other"})


def test_xlsb_even_when_renamed():
    xlsb_type = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
    data = workbook_package("xl/workbook.bin", xlsb_type, b"\x83\x01\x00\x80\x01\x00",
                            {"xl/_rels/workbook.bin.rels": "<Relationships/>", "xl/worksheets/sheet1.bin": b"\x81\x01"})
    assert diagnose(data, "客户.xlsb") == Diagnosis("xlsb", {})
    assert diagnose(data, "客户.xlsx") == Diagnosis("xlsb", {})
    # Found by the content type or the relationship too, not only by the usual part name.
    assert diagnose(workbook_package("xl/book.dat", xlsb_type, b"\x83\x01")).code == "xlsb"
    assert diagnose(workbook_package("xl/wb.bin", "application/octet-stream", b"\x83\x01")).code == "xlsb"


def test_ods_by_hand():
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                'opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type='
                '"application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>')
    parts = {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<office:document-content/>",
             "META-INF/manifest.xml": manifest}
    assert diagnose(make_zip(parts, stored=("mimetype",)), "客户.xlsx") == Diagnosis("ods", {})
    parts["mimetype"] = "application/vnd.oasis.opendocument.text"
    assert diagnose(make_zip(parts, stored=("mimetype",))) == Diagnosis("not_spreadsheet", {"kind": "opendocument"})


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed")
def test_ods_and_xls_saved_by_libreoffice(tmp_path):
    source = tmp_path / "客户.xlsx"
    source.write_bytes(GOOD)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env.update(HOME=str(tmp_path), SAL_USE_VCLPLUGIN="svp", LC_ALL="C.UTF-8", LANG="C.UTF-8")
    for fmt in ("ods", "xls"):
        cmd = [SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--norestore",
               "--nologo", "--convert-to", fmt, "--outdir", str(tmp_path), str(source)]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
    assert diagnose((tmp_path / "客户.ods").read_bytes(), "客户.ods") == Diagnosis("ods", {})
    assert diagnose((tmp_path / "客户.xls").read_bytes(), "客户.xls") == Diagnosis("xls_binary", {})


def test_strict_open_xml():
    assert diagnose(strict(GOOD), "客户.xlsx") == Diagnosis("strict_ooxml", {})
    assert diagnose(strict(GOOD_OPENPYXL)).code == "strict_ooxml"
    # A strict workbook part behind transitional relationships is still strict.
    assert diagnose(strict(GOOD, only="xl/workbook.xml")).code == "strict_ooxml"


def test_word_powerpoint_and_archives():
    word = workbook_package("word/document.xml", "application/vnd.openxmlformats-officedocument."
                            "wordprocessingml.document.main+xml", b"<w:document/>")
    ppt = workbook_package("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument."
                           "presentationml.presentation.main+xml", b"<p:presentation/>")
    assert diagnose(word, "客户.xlsx") == Diagnosis("not_spreadsheet", {"kind": "word"})
    assert diagnose(ppt) == Diagnosis("not_spreadsheet", {"kind": "powerpoint"})
    # A Word document with an embedded workbook is still a Word document.
    assert diagnose(rezip(word, {"word/embeddings/Microsoft_Excel_Worksheet.xlsx": GOOD})).params == {"kind": "word"}
    archive = make_zip({"readme.txt": "见附件", "2026/客户.xlsx": GOOD})
    assert diagnose(archive, "客户.zip") == Diagnosis("not_spreadsheet", {"kind": "archive", "member": "2026/客户.xlsx"})
    assert diagnose(make_zip({"a.txt": "x", "b.png": b"\x89PNG"})) == Diagnosis("not_spreadsheet", {"kind": "other"})
    visio = workbook_package("visio/document.xml", "application/vnd.ms-visio.drawing.main+xml", b"<VisioDocument/>")
    assert diagnose(visio) == Diagnosis("not_spreadsheet", {"kind": "other"})
    # A workbook part outside xl/ is still a workbook, known by its content type.
    elsewhere = workbook_package("book/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml."
                                 "sheet.main+xml", members(GOOD)["xl/workbook.xml"])
    assert diagnose(elsewhere) == Diagnosis("missing_part", {"member": "book/_rels/workbook.xml.rels"})


# --------------------------------------------------------------------------- damaged packages

@pytest.mark.parametrize("name", sorted(members(GOOD)))
def test_every_missing_member_is_named(name):
    """Every part of an XlsxWriter workbook is named by the package's or the workbook's
    relationships (or is one of them, or the content types), so removing any is found."""
    assert diagnose(rezip(GOOD, {name: None}), "客户.xlsx") == Diagnosis("missing_part", {"member": name})


def test_relationship_to_a_missing_part():
    rels = members(GOOD)["xl/_rels/workbook.xml.rels"].replace(b"worksheets/sheet2.xml", b"worksheets/sheet9.xml")
    assert diagnose(rezip(GOOD, {"xl/_rels/workbook.xml.rels": rels})) == Diagnosis(
        "missing_part", {"member": "xl/worksheets/sheet9.xml"})


def test_part_names_are_case_insensitive():
    parts = members(GOOD)
    parts["xl/Workbook.xml"] = parts.pop("xl/workbook.xml")
    parts["xl/_rels/Workbook.xml.rels"] = parts.pop("xl/_rels/workbook.xml.rels")
    assert diagnose(make_zip(parts)).code == "ok"


def test_corrupt_member_data():
    start, stop = data_span(GOOD, "xl/worksheets/sheet2.xml")
    flipped = bytearray(GOOD)
    flipped[(start + stop) // 2] ^= 0xFF
    assert diagnose(bytes(flipped), "客户.xlsx") == Diagnosis("corrupt_member", {"member": "xl/worksheets/sheet2.xml"})
    garbage = bytearray(GOOD)
    garbage[start:stop] = b"\xff" * (stop - start)                    # not deflate data at all
    assert diagnose(bytes(garbage)).params == {"member": "xl/worksheets/sheet2.xml"}


def test_crc_mismatch_and_local_header_mismatch():
    info = zipfile.ZipFile(io.BytesIO(GOOD)).getinfo("xl/styles.xml")
    bad_crc = bytearray(GOOD)
    bad_crc[central_entry(GOOD, "xl/styles.xml") + 16] ^= 0x01        # the CRC in the central directory
    assert diagnose(bytes(bad_crc)) == Diagnosis("corrupt_member", {"member": "xl/styles.xml"})
    bad_name = bytearray(GOOD)
    bad_name[info.header_offset + 30] ^= 0x01                          # local header's copy of the name
    assert diagnose(bytes(bad_name)) == Diagnosis("corrupt_member", {"member": "xl/styles.xml"})


@pytest.mark.parametrize("name", ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
                                  "xl/_rels/workbook.xml.rels"])
def test_package_xml_that_is_not_well_formed(name):
    broken = members(GOOD)[name].replace(b"</", b"<", 1)
    assert diagnose(rezip(GOOD, {name: broken})) == Diagnosis("corrupt_member", {"member": name})


def test_doctype_in_a_package_part_is_refused():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            + members(GOOD)["xl/workbook.xml"].split(b"?>", 1)[1])
    assert diagnose(rezip(GOOD, {"xl/workbook.xml": bomb})) == Diagnosis("corrupt_member",
                                                                        {"member": "xl/workbook.xml"})


def test_duplicate_member():
    buf = io.BytesIO(GOOD)
    with pytest.warns(UserWarning), zipfile.ZipFile(buf, "a") as z:
        z.writestr("xl/styles.xml", b"<styleSheet/>")
    assert diagnose(buf.getvalue()) == Diagnosis("corrupt_member", {"member": "xl/styles.xml"})


def test_sheet_without_its_relationship():
    rels = members(GOOD)["xl/_rels/workbook.xml.rels"]
    rels = rels.replace(b'Id="rId2"', b'Id="rId42"')
    assert diagnose(rezip(GOOD, {"xl/_rels/workbook.xml.rels": rels})) == Diagnosis(
        "corrupt_member", {"member": "xl/_rels/workbook.xml.rels"})


# --------------------------------------------------------------------------- messages

ALL = [Diagnosis("ok", {}), Diagnosis("empty", {}), Diagnosis("empty", {"zeros": True}),
       Diagnosis("truncated_zip", {}), Diagnosis("damaged_zip", {}), Diagnosis("not_zip", {"kind": "text"}),
       Diagnosis("not_zip", {"kind": "other"}), Diagnosis("xls_binary", {}), Diagnosis("encrypted", {}),
       Diagnosis("xlsb", {}), Diagnosis("ods", {}), Diagnosis("strict_ooxml", {}),
       *[Diagnosis("not_spreadsheet", {"kind": k})
         for k in ("word", "powerpoint", "opendocument", "owner_file", "other")],
       Diagnosis("not_spreadsheet", {"kind": "archive", "member": "2026/客户.xlsx"}),
       Diagnosis("missing_part", {"member": "xl/worksheets/sheet2.xml"}),
       Diagnosis("corrupt_member", {"member": "xl/worksheets/sheet2.xml"}), Diagnosis("unknown", {"error": "x"}),
       *[Diagnosis("too_large", {"kind": kind, "size": 3_000_000_000, "packed": 4_000_000, "limit": limit,
                                 **({"member": "xl/worksheets/sheet2.xml"} if member else {})})
         for kind, limit, member in (("member", 2_000_000_000, True), ("ratio", 100, True),
                                     ("total", 6_000_000_000, False), ("total_ratio", 100, False))]]


@pytest.mark.parametrize("d", ALL, ids=lambda d: d.code + "-" + str(d.params.get("kind", "")))
def test_messages_name_the_file_and_say_what_to_do(d):
    zh, en = d.message("zh", "D:/共享/客户 2026.xlsx"), d.message("en", "D:/共享/客户 2026.xlsx")
    assert "「D:/共享/客户 2026.xlsx」" in zh and '"D:/共享/客户 2026.xlsx"' in en
    assert zh.endswith("。") and en.endswith(".")
    assert "{" not in zh + en and "?" not in zh + en
    assert any("\u4e00" <= c <= "\u9fff" for c in zh.replace("共享", "").replace("客户", ""))
    assert d.message("zh-CN", "a") == d.message("", "a") == d.message("zh", "a")  # Chinese unless English
    assert d.message("EN", "a") == d.message("en", "a")
    if "member" in d.params:
        assert d.params["member"] in zh and d.params["member"] in en
    if d.code in ("missing_part", "corrupt_member", "damaged_zip", "truncated_zip", "empty"):
        assert ".xlclient-backup" in zh and ".xlclient-backup" in en
    saves_as_xlsx = ("xls_binary", "xlsb", "ods", "not_zip", "strict_ooxml", "unknown")
    if d.code in saves_as_xlsx and d.params.get("kind") != "other":
        assert ".xlsx" in zh and ".xlsx" in en
    if d.code == "too_large":  # what was found, the limit passed, and that no real workbook reaches it
        assert "3.0 GB" in zh and "3.0 GB" in en
        limit = "2.0 GB" if d.params["kind"] == "member" else "6.0 GB" if d.params["kind"] == "total" else "100"
        assert limit in zh and limit in en
        assert "真实的工作簿远远达不到" in zh and "no real workbook comes near" in en
        assert "没有读取它，也没有改动它" in zh and "neither read nor changed it" in en
    both = d.both("客户.xlsx")
    assert both == d.message("zh", "客户.xlsx") + "\n" + d.message("en", "客户.xlsx")


def test_message_details():
    assert "用密码进行加密" in Diagnosis("encrypted", {}).message("zh", "a.xlsx")
    assert "Encrypt with Password" in Diagnosis("encrypted", {}).message("en", "a.xlsx")
    zh = Diagnosis("strict_ooxml", {}).message("zh", "a.xlsx")
    assert "Excel 工作簿 (*.xlsx)" in zh and "不要选“Strict Open XML 电子表格”" in zh
    assert "在 Excel 中打开" in Diagnosis("missing_part", {"member": "xl/styles.xml"}).message("zh", "a.xlsx")
    assert "另存为" in Diagnosis("xls_binary", {}).message("zh", "a.xls")
    assert "LibreOffice" in Diagnosis("ods", {}).message("zh", "a.ods")


def test_codes_are_documented():
    import xlclient.xlsx.diagnose as module

    for code in CODES:
        assert f"``{code}``" in module.__doc__


# --------------------------------------------------------------------------- properties

PREFIXES = [b"", bytes.fromhex("D0CF11E0A1B11AE1"), b"PK\x03\x04", b"PK\x05\x06", GOOD[:200], b"\xef\xbb\xbf"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PREFIXES), st.binary(max_size=3000), st.sampled_from(["", "a.xlsx", "~$a.xlsx"]))
def test_random_bytes_never_raise(prefix, body, name):
    d = diagnose(prefix + body, name)
    assert d.code in CODES and d.code not in ("unknown", "ok")
    assert d.message("zh", "a.xlsx") and d.message("en", "a.xlsx")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([GOOD, GOOD_OPENPYXL]), st.data())
def test_a_truncated_workbook_is_never_ok(book, data):
    cut = data.draw(st.integers(0, len(book) - 1))
    d = diagnose(book[:cut], "客户.xlsx")
    assert d.code == ("empty" if cut == 0 else "not_zip" if cut < 4 else "truncated_zip")


def regions(book: bytes) -> list[tuple[int, int, str]]:
    return [(*data_span(book, i.filename), i.filename) for i in zipfile.ZipFile(io.BytesIO(book)).infolist()]


REGIONS = {id(b): regions(b) for b in (GOOD, GOOD_OPENPYXL)}


def inflate_same(book: bytes, broken: bytes, start: int, stop: int) -> bool:
    """Does the damaged deflate data still give the same bytes?"""
    try:
        inflater = zlib.decompressobj(-15)
        out = inflater.decompress(broken[start:stop]) + inflater.flush()
    except zlib.error:
        return False
    return inflater.eof and out == zlib.decompress(book[start:stop], -15)


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from([GOOD, GOOD_OPENPYXL]), st.data())
def test_a_flipped_byte_is_found_unless_it_does_not_matter(book, data):
    """A byte inside a member's compressed data: corrupt_member naming that member, or ok
    only if the damaged data still inflates to the same bytes.  Anywhere else (local
    headers, central directory, end record): a damage code, or ok only if every member
    still reads back the same.  (Checked exhaustively once for both books, every
    position and every xor value of the header bytes: no exception.)"""
    pos = data.draw(st.integers(0, len(book) - 1))
    broken = bytearray(book)
    broken[pos] ^= data.draw(st.integers(1, 255))
    broken = bytes(broken)
    d = diagnose(broken, "客户.xlsx")
    assert d.code in CODES and d.code != "unknown"
    hit = [(start, stop, name) for start, stop, name in REGIONS[id(book)] if start <= pos < stop]
    if hit:
        start, stop, name = hit[0]
        if inflate_same(book, broken, start, stop):  # e.g. the unused bits of the last byte
            assert d.code == "ok"
        else:
            assert d == Diagnosis("corrupt_member", {"member": name})
        return
    # A zip header or directory byte: never taken for another format ...
    assert d.code in ("ok", "corrupt_member", "missing_part", "damaged_zip", "truncated_zip")
    if d.code == "ok":  # ... and ok only for a field nobody reads (time, attributes, ...)
        with zipfile.ZipFile(io.BytesIO(broken)) as z:
            got = {i.filename.lower(): z.read(i) for i in z.infolist()}
        assert got == {k.lower(): v for k, v in members(book).items()}


# --------------------------------------------------------------------------- zip bombs (issue 24)

SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture
def no_inflating(monkeypatch):
    """Any member inflated by diagnose fails the test: bombs are refused from the directory."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("a member was inflated")

    monkeypatch.setattr(zlib, "decompressobj", refuse)


@pytest.mark.parametrize("unpacked, kind, limit", [
    (3_000_000_000, "member", 2_000_000_000),  # 3 GB of <row/> in 4.4 MB
    (5_000_000_000, "member", 2_000_000_000),  # one 5 GB member (zip64 sizes)
    (50_000_000, "ratio", 100),  # 50 MB in 75 KB: small, but 690 to 1
])
def test_a_zip_bomb_is_refused_before_anything_is_inflated(unpacked, kind, limit, no_inflating):
    bomb = bomb_workbook(GOOD, SHEET, unpacked)
    d = diagnose(bomb, "客户.xlsx")
    assert (d.code, d.params["kind"], d.params["member"], d.params["limit"]) == ("too_large", kind, SHEET, limit)
    assert d.params["size"] > unpacked * 0.8 and d.params["packed"] < unpacked / 500  # rows come 6 MiB at a time


def test_many_small_bombs_are_refused_together(no_inflating):
    """Each member below the size from which the ratio counts, all of them together not."""
    pad = [bomb_member(f"xl/media/pad{i}.bin", b"", b"\0" * (1 << 20), 9, b"") for i in range(40)]
    bomb = write_zip(members_of(GOOD) + pad)
    d = diagnose(bomb, "客户.xlsx")
    assert (d.code, d.params["kind"], d.params["limit"]) == ("too_large", "total_ratio", 100)
    assert "member" not in d.params and d.params["size"] > 40 * 9 * (1 << 20)


def zip_infos(sizes: dict[str, tuple[int, int]]) -> list[zipfile.ZipInfo]:
    infos = []
    for name, (size, packed) in sizes.items():
        info = zipfile.ZipInfo(name)
        info.file_size, info.compress_size = size, packed
        infos.append(info)
    return infos


def test_the_limits_let_the_largest_real_workbooks_through():
    """The benchmark's 1,000,000-client book once refreshed (ten times the members measured
    at 100,000 clients), and the largest book xlclient itself could make (five owned sheets
    at Excel's row limit beside the client sheet): under every limit.  More: refused."""
    from xlclient.xlsx.zipguard import oversize

    refreshed_million = {SHEET: (617_696_890, 81_143_910), "xl/worksheets/sheet4.xml": (687_429_880, 86_657_230),
                         "xl/sharedStrings.xml": (79_039_640, 9_525_560), "xl/styles.xml": (60_000, 6_000)}
    assert oversize(zip_infos(refreshed_million)) is None
    fullest = {f"xl/worksheets/sheet{i}.xml": (750_000_000, 95_000_000) for i in range(2, 7)}
    assert oversize(zip_infos({SHEET: (700_000_000, 90_000_000), **fullest})) is None
    found = oversize(zip_infos({f"xl/worksheets/sheet{i}.xml": (1_900_000_000, 200_000_000) for i in range(4)}))
    assert (found.kind, found.member, found.size, found.limit) == ("total", None, 7_600_000_000, 6_000_000_000)
    assert oversize(zip_infos({SHEET: (2_000_000_001, 300_000_000)})).kind == "member"
    assert oversize(zip_infos({SHEET: (20_000_000, 199_999)})).kind == "ratio"
    assert oversize(zip_infos({SHEET: (9_999_999, 10)})) is None  # below 10 MB the ratio does not count


def test_a_member_that_inflates_to_more_than_it_declares_stops_there(monkeypatch):
    """3 GB of rows declared as 20 KB: damage, found after inflating 20 KB and at most one more
    piece (1 MiB), not 3 GB."""
    inflated = []
    real = zlib.decompressobj

    class Counting:
        def __init__(self, *args):
            self.inner = real(*args)

        def decompress(self, data, max_length=0):
            out = self.inner.decompress(data, max_length)
            inflated.append(len(out))
            return out

        def __getattr__(self, name):
            return getattr(self.inner, name)

    monkeypatch.setattr(zlib, "decompressobj", Counting)
    liar = bomb_workbook(GOOD, SHEET, declared=20_000)
    assert diagnose(liar, "客户.xlsx") == Diagnosis("corrupt_member", {"member": SHEET})
    others = sum(m.size for m in members_of(GOOD) if m.name != SHEET)
    assert sum(inflated) <= others + 20_000 + (1 << 20)


def test_a_damaged_size_in_the_directory_is_damage_not_a_bomb():
    """A central directory entry whose size got a high byte (the local header still states
    the true sizes) is corrupt_member, not too_large."""
    pos = central_entry(GOOD, SHEET)
    broken = bytearray(GOOD)
    broken[pos + 27] ^= 0x40  # the high byte of the uncompressed size: + 1 GB
    d = diagnose(bytes(broken), "客户.xlsx")
    assert d == Diagnosis("corrupt_member", {"member": SHEET})


def test_a_bomb_through_the_command_line(tmp_path):
    """refresh on a 3 GB bomb: exit 2, the message in both languages (the Settings language is
    not known before reading), the file unchanged."""
    import contextlib

    from xlclient.cli import main

    path = tmp_path / "客户.xlsx"
    path.write_bytes(bomb_workbook(GOOD, SHEET))
    before = path.read_bytes()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["refresh", str(path), "-q"])
    text = out.getvalue() + err.getvalue()
    assert code == 2 and path.read_bytes() == before
    assert "超过了 xlclient 的上限 2.0 GB" in text and "over xlclient's limit of 2.0 GB" in text
    assert "压缩炸弹" in text and "zip bomb" in text and "内部错误" not in text and "internal error" not in text


def test_styles_that_are_not_well_formed_are_damage():
    """The writer edits the styles part by insertion: a damaged one is found before reading
    (it was an internal error of refresh, found by tests/test_fuzz_workbooks.py)."""
    styles = members(GOOD)["xl/styles.xml"]
    broken = rezip(GOOD, {"xl/styles.xml": styles[:2] + b"<x></x>" + styles[2:]})
    assert diagnose(broken, "客户.xlsx") == Diagnosis("corrupt_member", {"member": "xl/styles.xml"})


@pytest.mark.parametrize("damage", [b"\xff", b"\xed\xa0\x80", b"</x>"], ids=["byte", "surrogate", "close-tag"])
def test_a_worksheet_the_reader_refuses_is_named(tmp_path, damage):
    """A worksheet that is not well-formed (diagnose does not parse worksheets: that would
    cost seconds on every big book): once the reader refused it, the message names the part
    and says what to do, in both languages, instead of the reader's own words."""
    import contextlib

    from xlclient.cli import main
    from xlclient.xlsx.diagnose import damaged_part

    sheet = members(GOOD)[SHEET]
    at = sheet.index(b"<sheetData>") + len(b"<sheetData>")
    broken = rezip(GOOD, {SHEET: sheet[:at] + damage + sheet[at:]})
    assert diagnose(broken, "客户.xlsx").code == "ok" and damaged_part(GOOD) is None
    assert damaged_part(broken) == Diagnosis("corrupt_member", {"member": SHEET})
    path = tmp_path / "客户.xlsx"
    path.write_bytes(broken)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", str(path), "-q"])
    text = out.getvalue() + err.getvalue()
    assert code == 2 and path.read_bytes() == broken
    assert f"内部部件 {SHEET} 的数据出错" in text and f"the data of its part {SHEET} is corrupt" in text
