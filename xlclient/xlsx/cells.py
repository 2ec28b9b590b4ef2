"""Turning Python cell values into the text Excel stores in a worksheet part.

* Strings: Excel's ``ST_Xstring`` rules.  Characters XML cannot carry (C0 controls other
  than tab/newline, U+FFFE/U+FFFF, lone surrogates) are written ``_xHHHH_``; an ``_`` that
  would otherwise start such an escape is written ``_x005F_``, so the text ``_x0041_``
  survives as itself.  A carriage return is written ``&#13;`` (XML would fold it into a
  newline).  :func:`decode_xstring` is the inverse, for readers that do not apply it
  themselves (openpyxl returns the escaped form as is).
* Dates: serial day numbers in the workbook's date system.  In the 1900 system Excel
  counts a 29 February 1900 that never existed, so serials from 61 (1900-03-01) on are one
  more than the real day count.  Dates Excel cannot hold (before 1900-01-01, or before
  1904-01-01 in the 1904 system) are returned as ``None`` by :func:`date_serial`; the
  worksheet writer then stores them as ISO text (``YYYY-MM-DD``, or
  ``YYYY-MM-DD HH:MM:SS[.ffffff]`` for a datetime).
* Numbers: ``repr`` of the float, which Excel and every reader parse back to the same
  double.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = [
    "MAX_TEXT",
    "column_letter",
    "encode_xstring",
    "decode_xstring",
    "text_units",
    "date_serial",
    "datetime_serial",
    "time_fraction",
    "iso_text",
    "format_number",
]

MAX_TEXT = 32767  # characters (UTF-16 code units) Excel holds in one cell

_NEEDS_ESCAPE = re.compile(
    r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]|_(?=x[0-9A-Fa-f]{4}_)"
)
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;", "_": "_x005F_"}
_DECODE = re.compile(r"_x([0-9A-Fa-f]{4})_")

_EPOCH_1900 = dt.date(1899, 12, 31)  # serial 1 = 1900-01-01 (before the fake leap day)
_EPOCH_1900_LATE = dt.date(1899, 12, 30)  # from 1900-03-01 on, one day more
_LEAP_BUG_FIRST = dt.date(1900, 3, 1)
_EPOCH_1904 = dt.date(1904, 1, 1)


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 25 -> Z, 26 -> AA)."""
    if index < 0:
        raise ValueError("negative column index")
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _escape_char(m: re.Match) -> str:
    ch = m[0]
    hit = _ESCAPES.get(ch)
    return hit if hit is not None else f"_x{ord(ch):04X}_"


def encode_xstring(s: str) -> str:
    """Text for ``<t>``: XML-escaped, plus Excel's ``_xHHHH_`` escapes."""
    return _NEEDS_ESCAPE.sub(_escape_char, s)


def _decode_char(m: re.Match) -> str:
    return chr(int(m[1], 16))


def decode_xstring(s: str) -> str:
    """Undo ``_xHHHH_`` escapes (after XML parsing), as Excel does when it reads a cell."""
    if "_x" not in s:
        return s
    out = _DECODE.sub(_decode_char, s)
    # re-pair surrogates that were escaped one unit at a time
    return out.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def text_units(s: str) -> int:
    """Length as Excel counts it (UTF-16 code units)."""
    if len(s) * 2 <= MAX_TEXT:  # cannot exceed the limit: skip the encode
        return len(s)
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def date_serial(d: dt.date, date1904: bool) -> int | None:
    """Excel serial of a date, or None if Excel cannot represent it."""
    if date1904:
        return (d - _EPOCH_1904).days if d >= _EPOCH_1904 else None
    if d >= _LEAP_BUG_FIRST:
        return (d - _EPOCH_1900_LATE).days
    serial = (d - _EPOCH_1900).days
    return serial if serial >= 1 else None


def time_fraction(t: dt.time | dt.datetime) -> float:
    """Fraction of a day for a time of day (microseconds kept)."""
    return (t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6) / 86400.0


def datetime_serial(v: dt.datetime, date1904: bool) -> float | None:
    """Excel serial (day + fraction) of a datetime, or None if not representable."""
    day = date_serial(v.date(), date1904)
    if day is None:
        return None
    return day + time_fraction(v)


def iso_text(v: dt.date) -> str:
    """The text stored for a date Excel cannot represent."""
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None).isoformat(sep=" ")
    return v.isoformat()


def format_number(x: float) -> str:
    """Shortest text that reads back as the same double (``repr``)."""
    return repr(x)
