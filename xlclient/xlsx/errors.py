"""Exceptions raised when writing xlclient's sheets into a workbook file.

All derive from :class:`XlsxWriteError`, so a caller (the command line) can report any of
them as "the workbook was not changed".  Whenever one of these is raised, the workbook on
disk is exactly as it was.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "XlsxWriteError",
    "WorkbookLocked",
    "WorkbookChanged",
    "WorkbookFormatError",
    "SpecError",
    "InvalidSheetName",
    "SheetKindConflict",
    "CellValueError",
]


class XlsxWriteError(Exception):
    """Base class: nothing was written."""


class WorkbookLocked(XlsxWriteError):
    """The file is open in Excel (owner file ``~$name`` present, or locked on Windows)."""

    def __init__(self, path: Path, evidence: str):
        self.path = Path(path)
        self.evidence = evidence
        super().__init__(f"{self.path} is open in Excel ({evidence}); close it in Excel first, "
                         "then run again. Nothing was written.")


class WorkbookChanged(XlsxWriteError):
    """The file changed on disk while we were writing (someone saved it meanwhile)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        super().__init__(f"{self.path} changed on disk while xlclient was writing; "
                         "nothing was written, run again.")


class WorkbookFormatError(XlsxWriteError):
    """The file is not a workbook package this writer can edit safely."""


class SpecError(XlsxWriteError, ValueError):
    """A sheet specification or defined name is not valid for Excel."""


class InvalidSheetName(SpecError):
    """Sheet name empty, longer than 31 characters, or with one of ``[]:*?/\\``."""


class SheetKindConflict(XlsxWriteError):
    """A sheet of that name exists but is not a worksheet (e.g. a chartsheet)."""


class CellValueError(SpecError):
    """A cell value cannot be stored (too long, unsupported type, infinite number)."""

    def __init__(self, sheet: str, row: int, column: int, message: str):
        from .cells import column_letter

        self.sheet, self.row, self.column = sheet, row, column
        cell = f"{column_letter(column)}{row}"
        super().__init__(f"sheet {sheet!r}, row {row}, column {column_letter(column)} ({cell}): {message}")
