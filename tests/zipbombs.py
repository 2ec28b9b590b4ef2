"""Zip bombs made from a real workbook, in milliseconds and a few megabytes of memory.

:func:`bomb_member` deflates ``head + body * n + tail`` without ever making the body
``n`` times: the body is deflated once on its own (a full flush leaves no state behind, so
its deflate bytes can simply be repeated) and the CRC of the repeats is combined by
doubling.  :func:`write_zip` writes members from their deflated bytes, with zip64 sizes
when a member passes 4 GiB, and may state other sizes than the true ones (a member that
lies about its size).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, replace

from xlclient.xlsx.zipio import crc32_combine, raw_member

__all__ = ["Member", "bomb_member", "members_of", "write_zip", "bomb_workbook"]


@dataclass(frozen=True)
class Member:
    name: str
    compressed: bytes
    crc: int
    size: int  # the true unpacked size
    method: int = zipfile.ZIP_DEFLATED
    declared_size: int | None = None  # what the headers say, when it is not the truth


def _repeat_crc(crc: int, length: int, n: int) -> int:
    """crc32 of a piece repeated n times, from its crc32 and length."""
    out, out_len = 0, 0
    while n:
        if n & 1:
            out = crc32_combine(out, crc, length) if out_len else crc
            out_len += length
        crc, length, n = crc32_combine(crc, crc, length), length * 2, n >> 1
    return out


def bomb_member(name: str, head: bytes, body: bytes, n: int, tail: bytes) -> Member:
    """A member whose content is head + body * n + tail."""
    pieces = []
    for part, final in ((head, False), (body, False), (tail, True)):
        comp = zlib.compressobj(9, zlib.DEFLATED, -15)
        pieces.append(comp.compress(part) + comp.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH))
    head_c, body_c, tail_c = pieces
    crc = zlib.crc32(head)
    if n:
        crc = crc32_combine(crc, _repeat_crc(zlib.crc32(body), len(body), n), len(body) * n)
    crc = crc32_combine(crc, zlib.crc32(tail), len(tail))
    return Member(name, head_c + body_c * n + tail_c, crc, len(head) + len(body) * n + len(tail))


def members_of(book: bytes) -> list[Member]:
    """A workbook's members as they stand (compressed bytes copied)."""
    fp = io.BytesIO(book)
    with zipfile.ZipFile(fp) as z:
        return [Member(i.filename, raw_member(fp, i), i.CRC, i.file_size, i.compress_type) for i in z.infolist()]


def write_zip(members: list[Member]) -> bytes:
    """A zip of ``members`` (zip64 fields where a size or offset needs them)."""
    out = io.BytesIO()
    central = []
    for m in members:
        size = m.size if m.declared_size is None else m.declared_size
        name = m.name.encode("utf-8")
        offset = out.tell()
        big = size >= 0xFFFFFFFF or len(m.compressed) >= 0xFFFFFFFF
        extra = struct.pack("<HHQQ", 1, 16, size, len(m.compressed)) if big else b""
        s32, c32 = (0xFFFFFFFF, 0xFFFFFFFF) if big else (size, len(m.compressed))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if big else 20, 0x800, m.method, 0, 0x21,
                              m.crc, c32, s32, len(name), len(extra)))
        out.write(name + extra)
        out.write(m.compressed)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45 if big else 20, 0x800, m.method,
                                   0, 0x21, m.crc, c32, s32, len(name), len(extra), 0, 0, 0, 0, offset)
                       + name + extra)
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), start, 0))
    return out.getvalue()


#: 3 GB of empty rows: what issue 24 measured at 3.4 GB of memory and 28 s.
ROWS_3GB = 3_000_000_000


def bomb_workbook(book: bytes, sheet: str = "xl/worksheets/sheet1.xml", unpacked: int = ROWS_3GB,
                  declared: int | None = None) -> bytes:
    """``book`` with ``sheet`` replaced by a worksheet of ``unpacked`` bytes of ``<row/>``
    (``declared``: the size its headers state instead of the truth)."""
    body = b"<row/>" * (1 << 20)
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
            b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    tail = b"</sheetData></worksheet>"
    n = max(0, (unpacked - len(head) - len(tail)) // len(body))
    bomb = bomb_member(sheet, head, body, n, tail)
    if declared is not None:
        bomb = replace(bomb, declared_size=declared)
    members = [bomb if m.name == sheet else m for m in members_of(book)]
    assert any(m.name == sheet for m in members), sheet
    return write_zip(members)
