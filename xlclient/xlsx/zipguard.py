"""Refuse a zip that would unpack to more than any real workbook holds (a "zip bomb").

A few megabytes of deflate data can stand for gigabytes (deflate reaches ~1,030 to 1;
3 GB of ``<row/>`` is 3 MB), and python-calamine holds a sheet whole before Python sees a
cell: such a file would take gigabytes of memory and minutes, or abort the process under a
memory limit.  :func:`oversize` looks only at the zip's directory -- before any member is
inflated -- and says which limit a file passes, if any:

``member``       a member that declares more than :data:`MAX_MEMBER` bytes unpacked;
``ratio``        a member of at least :data:`RATIO_FLOOR` bytes unpacked that is compressed
                 more than :data:`MAX_RATIO` to 1;
``total``        all members together declare more than :data:`MAX_TOTAL` bytes;
``total_ratio``  the same ratio limit for all members together (many small members).

A member that declares less than it really inflates to is caught by the inflating itself:
:mod:`.diagnose` stops at the declared size (its ``_inflate``), so no member is ever
inflated beyond what passed here.

Why these limits (figures measured for issue 24): the 1,002 Excel-saved workbooks of the
shared corpus compress at most 65 to 1 (a 3 KB bitmap; worksheets at most 12, comments 56,
VML drawings 25); worksheet XML compresses 10-17 to 1 at any zlib level even when every
row is the same but its number (empty styled rows, one value in every cell, a shared
formula), because every row and cell names its own reference.  The benchmark's book of
100,000 clients (``write_demo_workbook``) unpacks to 70 MB (client sheet 62 MB, 7.6 to 1)
and, refreshed, to 138 MB (its result sheet 69 MB, 7.9 to 1): ten times that at 1,000,000
clients, 0.69 GB for the largest member and 1.4 GB for the whole.  An owned sheet at
Excel's row limit (1,048,576) is ~0.75 GB; five of them beside a client sheet ~4.5 GB.
So: 2 GB for one member, 6 GB for the whole, 100 to 1 from 10 MB up (six times the most
regular real sheet; below 10 MB inflating costs milliseconds whatever the ratio).
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass

__all__ = ["Oversize", "oversize", "MAX_MEMBER", "MAX_TOTAL", "MAX_RATIO", "RATIO_FLOOR"]

MAX_MEMBER = 2_000_000_000
MAX_TOTAL = 6_000_000_000
MAX_RATIO = 100
RATIO_FLOOR = 10_000_000

_LOCAL = struct.Struct("<IHHHHHIIIHH")


@dataclass(frozen=True)
class Oversize:
    """The limit a zip passes: ``kind`` (see the module), the member (None for the whole),
    its declared unpacked and packed sizes, and the limit (bytes, or a ratio)."""

    kind: str
    member: str | None
    size: int
    packed: int
    limit: int

    @property
    def ratio(self) -> int:
        return self.size // max(self.packed, 1)


def oversize(infos: list[zipfile.ZipInfo]) -> Oversize | None:
    """The first limit the members ``infos`` (a zip's directory) pass, or None."""
    total = packed = 0
    for info in infos:
        size, comp = info.file_size, info.compress_size
        total, packed = total + size, packed + comp
        if size > MAX_MEMBER:
            return Oversize("member", info.filename, size, comp, MAX_MEMBER)
        if size >= RATIO_FLOOR and size > MAX_RATIO * comp:
            return Oversize("ratio", info.filename, size, comp, MAX_RATIO)
    if total > MAX_TOTAL:
        return Oversize("total", None, total, packed, MAX_TOTAL)
    if total >= RATIO_FLOOR and total > MAX_RATIO * packed:
        return Oversize("total_ratio", None, total, packed, MAX_RATIO)
    return None


def sizes_disagree(data: bytes, info: zipfile.ZipInfo) -> bool:
    """Whether the member's local header states other sizes than the directory (damage,
    not a bomb: a bomb's headers agree).  Only sizes the local header really states count
    (not a data descriptor's zeros, not zip64's 0xFFFFFFFF), and data that would run past
    the end of the file counts as disagreeing."""
    off = info.header_offset
    if off < 0 or off + _LOCAL.size > len(data):
        return True
    fields = _LOCAL.unpack_from(data, off)
    if fields[0] != 0x04034B50:
        return True
    if off + _LOCAL.size + fields[9] + fields[10] + info.compress_size > len(data):
        return True
    if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
        return True
    if fields[2] & 0x8:  # sizes in a data descriptor after the data
        return False
    local_packed, local_size = fields[7], fields[8]
    if 0xFFFFFFFF in (local_packed, local_size):  # zip64: the sizes are in the extra field
        return False
    return (local_packed, local_size) != (info.compress_size, info.file_size)
