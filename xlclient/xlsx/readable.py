"""A copy of a workbook package that python-calamine can read, made when it refuses one.

python-calamine (0.9) refuses legal packages of three kinds (issue 24):

* a cell holding an error value it does not know -- Excel 365's ``#SPILL!``, ``#CALC!``,
  ``#FIELD!``, ``#BLOCKED!``, ``#BUSY!``, ``#CONNECT!``, ``#UNKNOWN!``,
  ``#GETTING_DATA``, any future one, or a known one spelled with spaces or a character
  reference -- raises ``CalamineError`` when its sheet is read;
* a sheet that is neither a worksheet, a chart sheet nor a dialog sheet (an Excel 4
  macro sheet, ``xl/macrosheets/``) makes the whole book "Cannot detect file format";
* an XML part saved as UTF-16 (legal XML) is "Cannot detect file format" or an XmlError.

:func:`readable_copy` makes, from the package's bytes, two packages: ``scan`` -- every XML
part as UTF-8, for the reader's own passes over the XML (error cells, formulas saved
without a result, tables), otherwise the same parts -- and ``calamine``: that, with every
error value calamine does not know stored as ``#N/A`` (calamine reads an error cell as
empty; the reader's error scan of ``scan`` puts the real error text back) and every sheet
of a kind calamine does not know left out of ``workbook.xml`` (it is no client table).

The copies are only for reading: the writer builds from the bytes as read, so every part
xlclient does not own stays byte for byte. The reader makes them only after calamine
refused the book as it is, so a book calamine reads costs nothing more.
"""

from __future__ import annotations

import codecs
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

__all__ = ["Readable", "readable_copy", "CALAMINE_ERRORS"]

#: The error values calamine reads (as an empty cell); any other makes it raise.
CALAMINE_ERRORS = frozenset({b"#DIV/0!", b"#N/A", b"#NAME?", b"#NULL!", b"#NUM!", b"#REF!", b"#VALUE!"})

#: The kinds of sheet calamine reads, by the end of their relationship type.
_SHEET_KINDS = ("/worksheet", "/chartsheet", "/dialogsheet")


@dataclass
class Readable:
    """The copies of one package (see the module's docstring) and what was changed."""

    scan: bytes
    calamine: bytes
    reencoded: list[str] = field(default_factory=list)  # parts that were UTF-16
    left_out: list[str] = field(default_factory=list)  # sheets calamine is not shown
    replaced: dict[str, int] = field(default_factory=dict)  # part -> error values stored as #N/A


# ---------------------------------------------------------------- UTF-16 parts

_DECL_ENCODING = re.compile(rb"""^(\s*<\?xml\b[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""")


def _utf16(raw: bytes) -> str | None:
    """The encoding of a UTF-16 XML part (by its BOM, or ``<`` followed or preceded by a NUL),
    or None for anything else."""
    if raw.startswith(codecs.BOM_UTF16_LE):
        return "utf-16"
    if raw.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    if raw.startswith(b"<\0"):
        return "utf-16-le"
    if raw.startswith(b"\0<"):
        return "utf-16-be"
    return None


def as_utf8(raw: bytes) -> bytes | None:
    """A UTF-16 XML part as UTF-8 with its declaration saying so; None when the part is not
    UTF-16 (or does not decode: then it is left for the reader to refuse)."""
    encoding = _utf16(raw)
    if encoding is None:
        return None
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        return None
    out = text.lstrip("\ufeff").encode("utf-8")
    return _DECL_ENCODING.sub(rb"\1\2UTF-8\2", out, count=1)


# ---------------------------------------------------------------- error values

_ERROR_CELL = re.compile(rb"<([\w.-]+:)?c\b[^>]*?\st\s*=\s*[\"']e[\"'][^>]*?(?<!/)>")
_VALUE = re.compile(rb"(<(?:[\w.-]+:)?v\b[^>]*>)([^<]*)(</(?:[\w.-]+:)?v\s*>)")


def known_errors_only(xml: bytes) -> tuple[bytes, int]:
    """A worksheet's XML with the value of every error cell calamine does not know stored
    as ``#N/A``, and how many were; the same bytes object when there are none."""
    if b"e" not in xml:
        return xml, 0
    pieces: list[bytes] = []
    done = 0
    count = 0
    for m in _ERROR_CELL.finditer(xml):
        prefix = m.group(1) or b""
        end = xml.find(b"</" + prefix + b"c>", m.end())
        if end < 0:
            continue
        v = _VALUE.search(xml, m.end(), end)
        if v is None or v.group(2) in CALAMINE_ERRORS or not v.group(2):
            continue
        pieces += [xml[done:v.start(2)], b"#N/A"]
        done = v.end(2)
        count += 1
    if not count:
        return xml, 0
    pieces.append(xml[done:])
    return b"".join(pieces), count


# ---------------------------------------------------------------- sheets calamine does not know

_ATTR = r"""\s*=\s*["']([^"']*)["']"""
_REL = re.compile(rb"<(?:[\w.-]+:)?Relationship\b([^>]*)>")
_SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet\b([^>]*?)(?:/>|>.*?</(?:[\w.-]+:)?sheet\s*>)", re.S)
_SHEETS_END = re.compile(rb"</(?:[\w.-]+:)?sheets\s*>")


def _attr(name: str, attrs: bytes) -> str | None:
    m = re.search(rb"(?<![\w:.-])" + name.encode() + _ATTR.encode(), attrs)
    return m.group(1).decode("utf-8", "replace") if m else None


def _main_part(parts: dict[str, bytes]) -> str:
    for m in _REL.finditer(parts.get("_rels/.rels", b"")):
        kind, target = _attr("Type", m.group(1)) or "", _attr("Target", m.group(1))
        if kind.endswith("/officeDocument") and target:
            return _resolve("", target)
    return "xl/workbook.xml"


def _resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target)).lstrip("/")


def _sheets(parts: dict[str, bytes], main: str) -> tuple[list[tuple[re.Match[bytes], str, str]], bytes]:
    """Each ``<sheet>`` of the workbook part as (its match, relationship type, part)."""
    rels_name = posixpath.join(posixpath.dirname(main), "_rels", posixpath.basename(main) + ".rels")
    kinds: dict[str, tuple[str, str]] = {}
    for m in _REL.finditer(parts.get(rels_name, b"")):
        rid, kind, target = _attr("Id", m.group(1)), _attr("Type", m.group(1)), _attr("Target", m.group(1))
        if rid and kind and target:
            kinds[rid] = (kind, _resolve(main, target))
    workbook = parts.get(main, b"")
    out = []
    for m in _SHEET.finditer(workbook):
        rid = next((v for k, v in re.findall(rb"""([\w.-]+:id)\s*=\s*["']([^"']*)["']""", m.group(1))
                    if k.endswith(b":id")), None)
        kind, part = kinds.get(rid.decode("utf-8", "replace") if rid else "", ("", ""))
        out.append((m, kind, part))
    return out, workbook


def _without(workbook: bytes, drop: list[re.Match[bytes]]) -> bytes:
    pieces, done = [], 0
    for m in drop:
        pieces += [workbook[done:m.start()]]
        done = m.end()
    pieces.append(workbook[done:])
    return b"".join(pieces)


# ---------------------------------------------------------------- the copies

def readable_copy(data: bytes) -> Readable | None:
    """The copies of a package calamine refused (module docstring); None when the bytes are
    not a zip package or nothing in them is of a kind made readable here."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = [i for i in z.infolist() if not i.is_dir()]
            parts = {i.filename: z.read(i.filename) for i in infos}
    except Exception:  # noqa: BLE001 - not a zip, or damaged: the reader's message stands
        return None
    found = Readable(b"", b"")
    for name, raw in parts.items():
        if name.lower().endswith((".xml", ".rels", ".vml")) or name == "[Content_Types].xml":
            utf8 = as_utf8(raw)
            if utf8 is not None:
                parts[name] = utf8
                found.reencoded.append(name)
    scan_parts = dict(parts)
    main = _main_part(parts)
    sheets, workbook = _sheets(parts, main)
    drop = [m for m, kind, _ in sheets if not kind.endswith(_SHEET_KINDS)]
    if drop and len(drop) < len(sheets):
        parts[main] = _without(workbook, drop)
        found.left_out = [_attr("name", m.group(1)) or "?" for m in drop]
    for _, kind, part in sheets:
        if kind.endswith("/worksheet") and part in parts:
            new, count = known_errors_only(parts[part])
            if count:
                parts[part] = new
                found.replaced[part] = count
    if not (found.reencoded or found.left_out or found.replaced):
        return None
    found.scan = _zip(infos, scan_parts) if found.reencoded else data
    found.calamine = _zip(infos, parts)
    return found


def _zip(infos: list[zipfile.ZipInfo], parts: dict[str, bytes]) -> bytes:
    """A package of ``parts`` in the order of ``infos``, stored (a copy only read once, in
    memory: deflating it again would cost more than it saves)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
        for info in infos:
            z.writestr(zipfile.ZipInfo(info.filename, info.date_time), parts[info.filename])
    return out.getvalue()
