"""Checks that a written workbook kept everything it should: for tests and for ``--check``.

* :func:`owned_parts_diff` -- which zip members differ (added, removed, other content).
* :func:`raw_changed_members` -- which members differ even in their *compressed* bytes
  (members we copy are copied compressed, so they must not).
* :func:`insertion_only` -- whether an edited shared part is the original with text only
  inserted (``count="N"`` attributes of lists may grow), and what was inserted.
"""

from __future__ import annotations

import difflib
import io
import re
import zipfile
from pathlib import Path

from .zipio import raw_member

__all__ = ["owned_parts_diff", "raw_changed_members", "insertion_only", "InsertionReport"]

_TAGS = re.compile(r"(?=<)")
_COUNT = re.compile(r'(\scount=")\d+(")')
_EMPTY = re.compile(r"<([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*/>")


def _data(source: Path | str | bytes) -> bytes:
    return source if isinstance(source, bytes) else Path(source).read_bytes()


def _members(source: Path | str | bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(_data(source))) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def owned_parts_diff(before: Path | str | bytes, after: Path | str | bytes) -> list[str]:
    """Zip members added, removed or with different decompressed content, sorted."""
    a, b = _members(before), _members(after)
    return sorted(n for n in a.keys() | b.keys() if a.get(n) != b.get(n))


def raw_changed_members(before: Path | str | bytes, after: Path | str | bytes) -> list[str]:
    """Members present in both whose compressed bytes, method or CRC differ."""
    da, db = _data(before), _data(after)
    out = []
    with zipfile.ZipFile(io.BytesIO(da)) as za, zipfile.ZipFile(io.BytesIO(db)) as zb:
        infos_b = {i.filename: i for i in zb.infolist()}
        fa, fb = io.BytesIO(da), io.BytesIO(db)
        for ia in za.infolist():
            ib = infos_b.get(ia.filename)
            if ib is None:
                continue
            if (ia.compress_type, ia.CRC, ia.file_size) != (ib.compress_type, ib.CRC, ib.file_size) \
                    or raw_member(fa, ia) != raw_member(fb, ib):
                out.append(ia.filename)
    return sorted(out)


class InsertionReport:
    """Result of :func:`insertion_only`: truthy when only insertions were found."""

    def __init__(self, inserted: list[str], problems: list[str]):
        self.inserted, self.problems = inserted, problems

    def __bool__(self) -> bool:
        return not self.problems

    def __repr__(self) -> str:
        return f"InsertionReport(inserted={self.inserted!r}, problems={self.problems!r})"


def insertion_only(before: str, after: str) -> InsertionReport:
    """Compare two XML texts tag by tag: only insertions (and grown counts) allowed.

    An empty-element tag ``<a/>`` counts as ``<a></a>``, so opening it to insert children
    is an insertion.
    """
    a = [_COUNT.sub(r"\g<1>#\g<2>", t) for t in _TAGS.split(_EMPTY.sub(r"<\1\2></\1>", before))]
    b = [_COUNT.sub(r"\g<1>#\g<2>", t) for t in _TAGS.split(_EMPTY.sub(r"<\1\2></\1>", after))]
    inserted, problems = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "insert":
            inserted.append("".join(b[j1:j2]))
        elif op != "equal":
            problems.append(f"{op}: {''.join(a[i1:i2])[:200]!r} -> {''.join(b[j1:j2])[:200]!r}")
    return InsertionReport(inserted, problems)
