"""Fuzzing: real workbooks damaged at the zip and XML level, through ``check`` and ``refresh``.

The inputs are the demo book (30 clients, built once per session) and a few Excel-made
books of the shared corpus (VBA and a button, comments, an Excel table).  Each example
applies one or two damages, drawn by hypothesis, of these kinds:

* zip level: the file cut short; a member's deflate data cut short; a size or a CRC in a
  local header or in the central directory changed; random bytes flipped; a member
  dropped (the workbook, a relationships part, [Content_Types].xml, sharedStrings, a sheet
  named in workbook.xml, anything); a member name duplicated;
* XML level (the zip itself sound): a part cut short; bad UTF-8 (a lone byte, a
  surrogate, an overlong form) anywhere or inside a text; a huge attribute (new, or an
  existing value made huge); a very long cell text; deep nesting; random bytes flipped;
* a compression method changed (stored, bzip2, LZMA, AES, unknown).

The contract for every example, run in process through ``xlclient.cli.main``: the exit code
is 0, 1 or 2; no "内部错误" / "internal error" / "Traceback" in the output; exit 2 leaves
the file byte-identical; a file written (exit 0 or 1) is a sound zip in which every member
xlclient does not own is as it was, to the compressed byte.

Profiles: ``xlclient-fuzz`` (default, 100 examples: the CI run, well under a minute) and
``xlclient-fuzz-long`` (``XLCLIENT_FUZZ=long``: 1,000 examples, for a run by hand).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from adversary import client_rows, run_main
from corpus_path import corpus_dir
from hypothesis import HealthCheck, event, given, settings, strategies as st
from hypothesis.errors import InvalidArgument
from zipbombs import Member, members_of, write_zip

from xlclient.demo import write_demo_workbook
from xlclient.engine.labels import SHEET_NAMES

settings.register_profile("xlclient-fuzz", max_examples=100, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                 HealthCheck.function_scoped_fixture])
settings.register_profile("xlclient-fuzz-long", parent=settings.get_profile("xlclient-fuzz"), max_examples=1000)
PROFILE = "xlclient-fuzz-long" if os.environ.get("XLCLIENT_FUZZ") == "long" else "xlclient-fuzz"

CORPUS_BOOKS = ("button07.xlsm", "comment01.xlsx", "table01.xlsx")
TODAY = "2026-11-22"
FORBIDDEN = ("内部错误", "internal error", "Traceback")

#: Members xlclient edits by insertion (SPEC 8) or may replace; owned sheets are found by name.
PACKAGE_PARTS = {"[content_types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                 "docprops/app.xml", "xl/calcchain.xml"}
OWNED_NAMES = {n for names in SHEET_NAMES.values() for n in names.values()}


# --------------------------------------------------------------------------- inputs

class Books(dict):
    """name -> bytes; shown by name only in hypothesis's reports."""

    def __repr__(self) -> str:
        return f"Books({sorted(self)})"


@pytest.fixture(scope="session")
def books(tmp_path_factory) -> Books:
    folder = tmp_path_factory.mktemp("fuzz-books")
    demo = folder / "demo.xlsx"
    write_demo_workbook(demo, n_clients=30, seed=24, today=dt.date(2026, 11, 22))
    out = Books({"demo.xlsx": demo.read_bytes()})
    corpus = corpus_dir()
    if corpus is not None:
        from xlclient.xlsx.owned import SheetSpec, build_workbook

        for name in CORPUS_BOOKS:
            if (corpus / name).exists():  # with a client table, so that refresh writes
                out[name] = build_workbook((corpus / name).read_bytes(), [SheetSpec("客户台账", client_rows())]).data
    return out


# --------------------------------------------------------------------------- the zip as laid out

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")


@dataclass(frozen=True)
class Entry:
    name: str
    local: int  # offset of the local header
    data: int  # offset of the compressed data
    packed: int
    central: int  # offset of the central directory entry


def layout(book: bytes) -> list[Entry]:
    """Where each member's headers and data are (a sound zip without a comment)."""
    end = book.rfind(b"PK\x05\x06")
    count, _size, start = struct.unpack_from("<HII", book, end + 10)
    out, pos = [], start
    for _ in range(count):
        f = _CENTRAL.unpack_from(book, pos)
        name = book[pos + 46:pos + 46 + f[10]].decode("utf-8", "replace")
        local = f[16]
        lf = _LOCAL.unpack_from(book, local)
        out.append(Entry(name, local, local + 30 + lf[9] + lf[10], f[8], pos))
        pos += 46 + f[10] + f[11] + f[12]
    return out


def rezip(book: bytes, change: dict[str, bytes | None], extra: list[Member] = ()) -> bytes:
    """``book`` with members replaced (bytes), dropped (None) or added (``extra``); the others
    keep their compressed bytes."""
    out = []
    for m in members_of(book):
        if m.name not in change:
            out.append(m)
        elif change[m.name] is not None:
            out.append(deflated(m.name, change[m.name]))
    return write_zip(out + list(extra))


def deflated(name: str, content: bytes) -> Member:
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Member(name, comp.compress(content) + comp.flush(), zlib.crc32(content), len(content))


def content(book: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        return z.read(name)


def xml_names(book: bytes) -> list[str]:
    return [e.name for e in layout(book) if e.name.endswith((".xml", ".rels", ".vml"))]


# --------------------------------------------------------------------------- damages

BAD_UTF8 = [b"\xff", b"\xfe", b"\xc3", b"\xe4\xb8", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf8\x88\x80\x80\x80", b"\x80"]
LONG_CHARS = ["A", "客", "=", "\u00e9", "1", " ", "&amp;", "\U0001F600"]


def _at_text(xml: bytes, draw, pattern: bytes) -> int:
    """A position just after a match of ``pattern`` (else anywhere)."""
    hits = [m.end() for m in re.finditer(pattern, xml)]
    if hits:
        return draw(st.sampled_from(hits))
    return draw(st.integers(0, len(xml)))


def damage(book: bytes, draw) -> tuple[bytes, str]:
    """One damage drawn by hypothesis: (the damaged bytes, what was done)."""
    kind = draw(st.sampled_from(KINDS))
    with contextlib.suppress(InvalidArgument):  # outside a test (the negative control)
        event(kind)
    return DAMAGES[kind](book, draw)


def cut_file(book, draw):
    at = draw(st.integers(0, len(book) - 1))
    return book[:at], f"file cut at {at}"


def cut_member_data(book, draw):
    e = draw(st.sampled_from(layout(book)))
    keep = draw(st.integers(0, max(0, e.packed - 1)))
    members = [Member(m.name, m.compressed[:keep], m.crc, m.size, m.method) if m.name == e.name else m
               for m in members_of(book)]
    return write_zip(members), f"{e.name}: deflate data cut to {keep} of {e.packed} bytes"


def sizes_or_crc(book, draw):
    e = draw(st.sampled_from(layout(book)))
    where = draw(st.sampled_from(["local", "central"]))
    field = draw(st.sampled_from(["crc", "packed", "size", "method"]))
    offset = {"local": {"crc": 14, "packed": 18, "size": 22, "method": 8},
              "central": {"crc": 16, "packed": 20, "size": 24, "method": 10}}[where][field] + (e.local if where == "local" else e.central)
    out = bytearray(book)
    if field == "method":  # stored, shrunk, bzip2, LZMA, AES ...
        old = struct.unpack_from("<H", book, offset)[0]
        new = draw(st.sampled_from([0, 1, 9, 12, 14, 93, 99, 0xFFFF]))
        struct.pack_into("<H", out, offset, new)
        return bytes(out), f"{e.name}: {where} method {old} -> {new}"
    old = struct.unpack_from("<I", book, offset)[0]
    new = draw(st.one_of(st.integers(0, 0xFFFFFFFF), st.sampled_from([0, 0xFFFFFFFF, old * 1000 & 0xFFFFFFFF]),
                         st.integers(-64, 64).map(lambda d: (old + d) & 0xFFFFFFFF)))
    struct.pack_into("<I", out, offset, new)
    return bytes(out), f"{e.name}: {where} {field} {old} -> {new}"


def flip_bytes(book, draw):
    out = bytearray(book)
    done = []
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(book) - 1))
        out[pos] ^= draw(st.integers(1, 255))
        done.append(pos)
    return bytes(out), f"bytes flipped at {done}"


def drop_member(book, draw):
    names = [e.name for e in layout(book)]
    key = ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
           "xl/sharedStrings.xml", "xl/styles.xml"]
    sheets = [n for n in names if n.startswith("xl/worksheets/sheet")]
    name = draw(st.sampled_from([n for n in key if n in names] + sheets + names))
    return rezip(book, {name: None}), f"{name} dropped"


def duplicate_member(book, draw):
    name = draw(st.sampled_from([e.name for e in layout(book)]))
    same = draw(st.booleans())
    data = content(book, name) if same else draw(st.binary(max_size=200))
    return rezip(book, {}, [deflated(name, data)]), f"{name} duplicated ({'same' if same else 'other'} content)"


def _xml_edit(book, draw, edit) -> tuple[bytes, str]:
    name = draw(st.sampled_from(xml_names(book)))
    xml = content(book, name)
    new, what = edit(xml, draw)
    return rezip(book, {name: new}), f"{name}: {what}"


def cut_xml(book, draw):
    def edit(xml, draw):
        at = draw(st.integers(0, max(0, len(xml) - 1)))
        return xml[:at], f"cut at {at} of {len(xml)}"
    return _xml_edit(book, draw, edit)


def bad_utf8(book, draw):
    def edit(xml, draw):
        bad = draw(st.sampled_from(BAD_UTF8))
        at = _at_text(xml, draw, rb"<[tv]>|<t [^>]*>|=\"") if draw(st.booleans()) else draw(st.integers(0, len(xml)))
        return xml[:at] + bad + xml[at:], f"bad UTF-8 {bad!r} at {at}"
    return _xml_edit(book, draw, edit)


def huge_attribute(book, draw):
    def edit(xml, draw):
        n = draw(st.sampled_from([70_000, 1 << 20, 4 << 20]))
        ch = draw(st.sampled_from(["A", "9", "客"])).encode()
        if draw(st.booleans()):  # a new attribute on some element
            at = _at_text(xml, draw, rb"<[A-Za-z][\w:]*")
            return xml[:at] + b' fuzz="' + ch * n + b'"' + xml[at:], f"new attribute of {n} x {ch!r} at {at}"
        at = _at_text(xml, draw, rb"=\"")  # an existing value made huge
        return xml[:at] + ch * n + xml[at:], f"attribute value grown by {n} x {ch!r} at {at}"
    return _xml_edit(book, draw, edit)


def long_text(book, draw):
    names = [n for n in xml_names(book) if "sharedStrings" in n or "worksheets/sheet" in n]
    name = draw(st.sampled_from(names))
    xml = content(book, name)
    n = draw(st.sampled_from([32_768, 100_000, 1 << 20, 5 << 20]))
    text = draw(st.sampled_from(LONG_CHARS)).encode() * n
    at = _at_text(xml, draw, rb"<t>|<t [^>]*>|<v>")
    return rezip(book, {name: xml[:at] + text + xml[at:]}), f"{name}: text of {n} x {text[:8]!r} at {at}"


def deep_nesting(book, draw):
    def edit(xml, draw):
        depth = draw(st.sampled_from([1_000, 50_000, 200_000]))
        tag = draw(st.sampled_from([b"x", b"c", b"row", b"r", b"si"]))
        at = _at_text(xml, draw, rb"<sheetData>|<sst[^>]*>|<si>|<Relationships[^>]*>|<sheets>|<c [^>]*>")
        nested = (b"<" + tag + b">") * depth + (b"</" + tag + b">") * depth
        return xml[:at] + nested + xml[at:], f"{depth} nested <{tag.decode()}> at {at}"
    return _xml_edit(book, draw, edit)


def flip_xml(book, draw):
    def edit(xml, draw):
        out = bytearray(xml)
        done = []
        for _ in range(draw(st.integers(1, 4))):
            if not out:
                break
            pos = draw(st.integers(0, len(out) - 1))
            out[pos] = draw(st.integers(0, 255))
            done.append(pos)
        return bytes(out), f"bytes set at {done}"
    return _xml_edit(book, draw, edit)


DAMAGES = {"cut_file": cut_file, "cut_member_data": cut_member_data, "sizes_or_crc": sizes_or_crc,
           "flip_bytes": flip_bytes, "drop_member": drop_member, "duplicate_member": duplicate_member,
           "cut_xml": cut_xml, "bad_utf8": bad_utf8, "huge_attribute": huge_attribute, "long_text": long_text,
           "deep_nesting": deep_nesting, "flip_xml": flip_xml}
#: ``XLCLIENT_FUZZ_KINDS=bad_utf8,deep_nesting`` narrows a run by hand to some kinds.
KINDS = os.environ["XLCLIENT_FUZZ_KINDS"].split(",") if os.environ.get("XLCLIENT_FUZZ_KINDS") else sorted(DAMAGES)


# --------------------------------------------------------------------------- the contract

run_cli = run_main  # xlclient.cli.main in this process (tests/adversary.py)


def raw_members(book: bytes) -> dict[str, tuple[bytes, bytes]]:
    """name -> (compressed bytes, content) of a sound zip."""
    fp = io.BytesIO(book)
    with zipfile.ZipFile(fp) as z:
        return {m.name: (m.compressed, z.read(m.name)) for m in members_of(book)}


def owned_members(book: bytes) -> set[str]:
    """Members of a written book xlclient may have written: the package parts it edits by
    insertion and the parts (and their relationships) of the sheets it owns, by name."""
    owned = set()
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        names = {n.lower(): n for n in z.namelist()}
        workbook = z.read(names["xl/workbook.xml"]).decode("utf-8")
        rels = z.read(names["xl/_rels/workbook.xml.rels"]).decode("utf-8")
    targets = dict(re.findall(r'<Relationship [^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets |= {i: t for t, i in re.findall(r'<Relationship [^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)}
    for name, rid in re.findall(r'<sheet [^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"', workbook):
        if name in OWNED_NAMES and rid in targets:
            part = targets[rid].lstrip("/")
            part = part if part.startswith("xl/") else "xl/" + part
            owned |= {part.lower(), part.lower().replace("worksheets/", "worksheets/_rels/") + ".rels"}
    return owned | PACKAGE_PARTS


def check_contract(path: Path, command: str, before: bytes, what: str) -> None:
    code, out, err = run_cli([command, str(path), "--today", TODAY, "-q"])
    text = out + err
    with contextlib.suppress(InvalidArgument):
        event(f"{command} exit {code}")
    assert code in (0, 1, 2), f"{what}: exit {code}\n{text[-3000:]}"
    for word in FORBIDDEN:
        assert word not in text, f"{what}: {word!r} in the output\n{text[-3000:]}"
    after = path.read_bytes()
    if code == 2 or command == "check":
        assert after == before, f"{what}: {command} exited {code} and changed the file"
        return
    if after == before:
        return
    try:
        written = raw_members(after)
    except Exception as e:  # noqa: BLE001
        raise AssertionError(f"{what}: {command} exited {code} and wrote a broken zip: {e}") from e
    try:
        given = raw_members(before)
    except Exception as e:  # noqa: BLE001
        raise AssertionError(f"{what}: {command} exited {code} and wrote a file from an unreadable zip: {e}") from e
    owned = owned_members(after)
    for name, (packed, data) in given.items():
        if name.lower() in owned:
            continue
        assert name in written, f"{what}: {command} dropped {name}"
        assert written[name] == (packed, data), f"{what}: {command} changed {name}"


@settings(settings.get_profile(PROFILE))
@given(data=st.data())
def test_damaged_workbooks_meet_the_contract(books, data):
    name = data.draw(st.sampled_from(sorted(books)), label="book")
    book = books[name]
    damaged, what = damage(book, data.draw)
    if data.draw(st.integers(0, 3), label="second damage") == 0:
        try:
            damaged, more = damage(damaged, data.draw)
            what += "; then " + more
        except Exception:  # noqa: BLE001 - the first damage left nothing a second one can work on
            pass
    command = data.draw(st.sampled_from(["check", "refresh"]), label="command")
    what = f"{name}: {what}"
    with tempfile.TemporaryDirectory(prefix="xlclient-fuzz-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(damaged)
        check_contract(path, command, damaged, what)


def test_the_contract_sees_a_changed_member(books, tmp_path, monkeypatch):
    """Negative control: a refresh that also rewrote a member it does not own is caught."""
    from xlclient.xlsx import owned

    real = owned.build_workbook

    def meddling(data, *args, **kwargs):
        result = real(data, *args, **kwargs)
        result.data = rezip(result.data, {"xl/theme/theme1.xml": content(result.data, "xl/theme/theme1.xml") + b" "})
        return result

    monkeypatch.setattr(owned, "build_workbook", meddling)
    path = tmp_path / "demo.xlsx"
    path.write_bytes(books["demo.xlsx"])
    with pytest.raises(AssertionError, match="changed xl/theme/theme1.xml"):
        check_contract(path, "refresh", books["demo.xlsx"], "control")
