"""Excel's rules for names: sheet names, defined names, and quoting in references.

* :func:`validate_sheet_name` -- 1 to 31 characters, none of ``[ ] : * ? / \\``, not
  starting or ending with an apostrophe, not the reserved ``History``.
* :func:`quote_sheet_name` -- ``分级结果`` stays as is, ``Visit Plan`` becomes
  ``'Visit Plan'``, ``O'Brien`` becomes ``'O''Brien'``.
* :func:`validate_defined_name` -- what Excel's Name Manager accepts.
* :func:`absolute_range` -- ``A1:L20`` -> ``$A$1:$L$20``.
"""

from __future__ import annotations

import re

from .cells import text_units
from .errors import InvalidSheetName, SpecError

__all__ = ["validate_sheet_name", "quote_sheet_name", "sheet_ref", "validate_defined_name",
           "absolute_range"]

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f\ufffe\uffff\ud800-\udfff]")
_PLAIN_SHEET = re.compile(r"^[^\W\d]\w*$")
_CELL_LIKE = re.compile(r"^(?:[A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc]?[0-9]*|[Cc][0-9]*)$")
_DEFINED_NAME = re.compile(r"^(?:[^\W\d]|[_\\])[\w.\\?]*$")
_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")


def validate_sheet_name(name: str) -> None:
    """Raise InvalidSheetName unless Excel accepts ``name`` as a sheet name."""
    if not isinstance(name, str) or not name:
        raise InvalidSheetName("a sheet name must be a non-empty string")
    if text_units(name) > 31:
        raise InvalidSheetName(f"sheet name {name!r} is longer than 31 characters")
    bad = _BAD_SHEET_CHARS.search(name)
    if bad:
        raise InvalidSheetName(f"sheet name {name!r} contains {bad[0]!r}; "
                               "Excel forbids [ ] : * ? / \\ and control characters")
    if name[0] == "'" or name[-1] == "'":
        raise InvalidSheetName(f"sheet name {name!r} cannot start or end with an apostrophe")
    if name.casefold() == "history":
        raise InvalidSheetName("'History' is reserved by Excel")


def quote_sheet_name(name: str) -> str:
    """The sheet name as it appears before ``!`` in a formula."""
    if _PLAIN_SHEET.match(name) and not _CELL_LIKE.match(name) and name.upper() not in ("TRUE", "FALSE"):
        return name
    return "'" + name.replace("'", "''") + "'"


def absolute_range(a1: str) -> str:
    """``A1:L20`` -> ``$A$1:$L$20`` (single cells too)."""
    return _CELL.sub(lambda m: f"${m[1].upper()}${m[2]}", a1)


def sheet_ref(sheet: str, a1: str) -> str:
    """``'Visit Plan'!$A$1:$J$9`` -- an absolute reference usable in a defined name."""
    return f"{quote_sheet_name(sheet)}!{absolute_range(a1)}"


def validate_defined_name(name: str) -> None:
    """Raise SpecError unless Excel accepts ``name`` as a defined name."""
    if not isinstance(name, str) or not name:
        raise SpecError("a defined name must be a non-empty string")
    if len(name) > 255:
        raise SpecError(f"defined name {name[:40]!r}... is longer than 255 characters")
    if not _DEFINED_NAME.match(name) or _CELL_LIKE.match(name):
        raise SpecError(f"{name!r} is not a valid Excel name (start with a letter or _, "
                        "no spaces, not a cell reference)")
