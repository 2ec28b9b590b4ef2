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

__all__ = ["ZipWriter", "Deflated", "StreamDeflater", "crc32_combine", "deflate", "raw_member", "FIXED_DATE_TIME"]

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


def _gf2_times(matrix: list[int], vector: int) -> int:
    total, i = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[i]
        vector >>= 1
        i += 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, row) for row in matrix]


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """The CRC-32 of A + B from crc32(A), crc32(B) and len(B): zlib's ``crc32_combine``
    (which Python's zlib does not offer), so that a part's pieces can be checksummed in any
    order. O(log len2)."""
    if len2 <= 0:
        return crc1
    op = [0xEDB88320] + [1 << i for i in range(31)]  # the operator for one zero bit
    for _ in range(3):
        op = _gf2_square(op)  # 2, 4, then 8 zero bits: one zero byte
    while len2:  # apply len2 zero bytes to crc1, one bit of len2 at a time
        if len2 & 1:
            crc1 = _gf2_times(op, crc1)
        len2 >>= 1
        op = _gf2_square(op)
    return (crc1 ^ crc2) & 0xFFFFFFFF


class StreamDeflater:
    """Deflates a part's middle (a sheet's rows) in a background thread while they are still
    being made -- zlib holds no GIL while it compresses -- and keeps only the deflated bytes
    (a 1,000,000-row sheet's XML, ~700 MB, is never held). :meth:`finish` puts the head and
    the tail around it, each deflated on its own: independent deflate streams joined at
    byte boundaries (a sync flush, no final block until the tail) are one valid stream, and
    the CRC of the whole comes from the pieces' CRCs (:func:`crc32_combine`)."""

    BATCH = 1 << 20  # bytes handed to the thread at a time

    def __init__(self, level: int = LEVEL):
        import queue
        import threading

        self._level = level
        self._queue: "queue.Queue[bytes | None]" = queue.Queue(maxsize=8)
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._out: list[bytes] = []
        self._crc = 0
        self._size = 0
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="xlclient-deflate", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        comp = zlib.compressobj(self._level, zlib.DEFLATED, -15)
        try:
            while (chunk := self._queue.get()) is not None:
                self._crc = zlib.crc32(chunk, self._crc)
                self._size += len(chunk)
                self._out.append(comp.compress(chunk))
            self._out.append(comp.flush(zlib.Z_SYNC_FLUSH))
        except BaseException as e:  # noqa: BLE001 - raised again by finish()
            self._error = e
            while self._queue.get() is not None:  # let add() and close() go on
                pass

    def add(self, chunk: bytes) -> None:
        """The next piece of the middle, in order."""
        self._pending.append(chunk)
        self._pending_size += len(chunk)
        if self._pending_size >= self.BATCH:
            self._queue.put(b"".join(self._pending))
            self._pending, self._pending_size = [], 0

    def close(self) -> None:
        """No more middle; waits for the thread (also when the part is abandoned)."""
        if self._thread.is_alive():
            if self._pending:
                self._queue.put(b"".join(self._pending))
                self._pending, self._pending_size = [], 0
            self._queue.put(None)
            self._thread.join()

    def finish(self, head: bytes, tail: bytes) -> Deflated:
        """The whole part deflated: ``head``, the middle added so far, ``tail``."""
        self.close()
        if self._error is not None:
            raise self._error
        comp = zlib.compressobj(self._level, zlib.DEFLATED, -15)
        head_c = comp.compress(head) + comp.flush(zlib.Z_SYNC_FLUSH)
        comp = zlib.compressobj(self._level, zlib.DEFLATED, -15)
        tail_c = comp.compress(tail) + comp.flush()
        crc = crc32_combine(zlib.crc32(head), self._crc, self._size)
        crc = crc32_combine(crc, zlib.crc32(tail), len(tail))
        return Deflated(b"".join([head_c, *self._out, tail_c]), crc, len(head) + self._size + len(tail))


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
