"""Byte-level zip copying: keep members we do not touch exactly as they are.

Python's :mod:`zipfile` can only re-compress a member when copying it.  For a workbook
that costs time (images, ``vbaProject.bin``) and gains nothing, so :class:`ZipWriter`
copies a member's *compressed* bytes with its CRC as they stand in the source and only
deflates the members we produce.  Reading uses :mod:`zipfile` (central directory,
decompression); this module adds :func:`raw_member` to fetch compressed bytes.

Output is a plain zip (no zip64, no data descriptors, no extra fields); new members get
a fixed timestamp so the same input gives the same bytes.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

__all__ = ["ZipWriter", "Deflated", "deflate", "raw_member", "FIXED_DATE_TIME"]

FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_LIMIT = 0xFFFFFFFF
_UTF8_FLAG = 0x800


def raw_member(fp: BinaryIO, info: zipfile.ZipInfo) -> bytes:
    """Return the compressed bytes of ``info`` from the open source file ``fp``."""
    if info.flag_bits & 0x1:
        raise ValueError(f"zip member {info.filename!r} is encrypted")
    fp.seek(info.header_offset)
    header = fp.read(_LOCAL.size)
    fields = _LOCAL.unpack(header)
    if fields[0] != 0x04034B50:
        raise ValueError(f"bad local header for zip member {info.filename!r}")
    fp.seek(fields[9] + fields[10], 1)
    data = fp.read(info.compress_size)
    if len(data) != info.compress_size:
        raise ValueError(f"zip member {info.filename!r} is truncated")
    return data


def _dos_time(date_time: tuple[int, ...]) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time[:6]
    y = max(1980, min(2107, y))
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


def _name_bytes(name: str) -> tuple[bytes, int]:
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), _UTF8_FLAG


#: zlib's fastest level: a 100,000-client result sheet (69 MB of XML) deflates in 0.17 s
#: instead of 0.46 s at the default level 6, for a part 27 % larger (8.7 MB, not 6.8;
#: measured on this machine, issue 15). Members copied from the source keep theirs.
LEVEL = 1


@dataclass(frozen=True)
class Deflated:
    """A member's content deflated ahead of writing: a big sheet is kept as its ~9 MB of
    deflated bytes, not as its ~70 MB of XML (and never joined into one bytes object)."""

    compressed: bytes
    crc: int
    size: int


def deflate(chunks: Iterable[bytes], level: int = LEVEL) -> Deflated:
    """Deflate the concatenation of ``chunks``, one chunk at a time."""
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    out: list[bytes] = []
    crc = size = 0
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        out.append(comp.compress(chunk))
    out.append(comp.flush())
    return Deflated(b"".join(out), crc, size)


class ZipWriter:
    """Write a zip member by member to ``fp`` (positioned at 0); call :meth:`close`."""

    def __init__(self, fp: BinaryIO, level: int = LEVEL):
        self._fp = fp
        self._level = level
        self._central: list[bytes] = []
        self._names: set[str] = set()
        self._offset = 0

    def add_raw(self, info: zipfile.ZipInfo, compressed: bytes) -> None:
        """Copy a source member: same compressed bytes, CRC, sizes and method."""
        self._add(info.filename, info.compress_type, info.CRC, compressed, info.file_size, info.date_time)

    def add_bytes(self, name: str, data: "bytes | Deflated", date_time: tuple[int, ...] = FIXED_DATE_TIME) -> None:
        """Add a new member: its bytes (deflated here) or its :class:`Deflated` content."""
        packed = data if isinstance(data, Deflated) else deflate([data], self._level)
        self._add(name, zipfile.ZIP_DEFLATED, packed.crc, packed.compressed, packed.size, date_time)

    def _add(self, name, method, crc, compressed, size, date_time) -> None:
        if name in self._names:
            raise ValueError(f"duplicate zip member {name!r}")
        if size >= _LIMIT or len(compressed) >= _LIMIT or self._offset >= _LIMIT:
            raise ValueError("workbook too large for a plain zip (over 4 GiB)")
        self._names.add(name)
        raw_name, flags = _name_bytes(name)
        dtime, ddate = _dos_time(date_time)
        version = 20
        local = _LOCAL.pack(0x04034B50, version, flags, method, dtime, ddate,
                            crc & _LIMIT, len(compressed), size, len(raw_name), 0)
        self._fp.write(local)
        self._fp.write(raw_name)
        self._fp.write(compressed)
        central = _CENTRAL.pack(0x02014B50, version, version, flags, method, dtime, ddate,
                                crc & _LIMIT, len(compressed), size, len(raw_name), 0, 0, 0, 0, 0,
                                self._offset)
        self._central.append(central + raw_name)
        self._offset += len(local) + len(raw_name) + len(compressed)

    def close(self) -> int:
        """Write the central directory; return the total size written."""
        if len(self._central) >= 0xFFFF:
            raise ValueError("too many zip members for a plain zip")
        start = self._offset
        directory = b"".join(self._central)
        self._fp.write(directory)
        n = len(self._central)
        self._fp.write(_END.pack(0x06054B50, 0, 0, n, n, len(directory), start, 0))
        return start + len(directory) + _END.size
