"""Reading a workbook file into plain data for the engine, with python-calamine.

Every sheet becomes a :class:`~xlclient.engine.book.SheetGrid` (raw cells with the
position of the first one, so problems can name the row as Excel shows it) and every Excel
table a :class:`~xlclient.engine.book.TableInfo`. Calamine returns numbers as floats,
date-formatted cells as ``date``/``datetime`` and empty cells as ``""``; the engine's
parsers take exactly that. Nothing is written.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as pc

from ..engine.book import SheetGrid, TableInfo


class WorkbookUnreadable(OSError):
    """The file is missing, not a workbook, encrypted or damaged."""


@dataclass
class WorkbookData:
    """The sheets and tables of one workbook file, as raw cells."""

    path: Path
    sheets: list[SheetGrid]
    tables: list[TableInfo] = field(default_factory=list)
    date1904: bool = False

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def sheet(self, names: Iterable[str]) -> SheetGrid | None:
        """The first sheet whose name is one of ``names`` (e.g. both languages' names)."""
        wanted = {n.casefold() for n in names}
        for s in self.sheets:
            if s.name.casefold() in wanted:
                return s
        return None


def _date1904(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read("xl/workbook.xml").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError):
        return False
    m = re.search(r"<(?:\w+:)?workbookPr\b[^>]*\bdate1904\s*=\s*\"(1|true)\"", xml)
    return m is not None


def read_workbook(path: str | Path) -> WorkbookData:
    """Read every worksheet and Excel table of ``path`` (xlsx, xlsm, xlsb, xls, ods)."""
    path = Path(path)
    if not path.exists():
        raise WorkbookUnreadable(f"找不到文件 / file not found: {path}")
    try:
        try:
            wb = pc.CalamineWorkbook.from_path(str(path), load_tables=True)
            table_names = list(wb.table_names)
        except (pc.TablesNotSupported, pc.TablesNotLoaded):
            wb = pc.CalamineWorkbook.from_path(str(path))
            table_names = []
    except pc.PasswordError as e:
        raise WorkbookUnreadable(f"工作簿有密码保护，无法读取 / workbook is password protected: {path}") from e
    except Exception as e:  # calamine raises several types for damaged or foreign files
        raise WorkbookUnreadable(f"无法读取工作簿 / cannot read workbook {path}: {e}") from e

    sheets: list[SheetGrid] = []
    for meta in wb.sheets_metadata:
        if meta.typ != pc.SheetTypeEnum.WorkSheet:
            continue
        sheet = wb.get_sheet_by_name(meta.name)
        start = sheet.start or (0, 0)
        rows = sheet.to_python(skip_empty_area=True)
        sheets.append(SheetGrid(meta.name, rows, start[0], start[1]))

    tables: list[TableInfo] = []
    for name in table_names:
        t = wb.get_table_by_name(name)
        start = t.start  # first data cell (row, col), 0-based; the header is the row above
        tables.append(TableInfo(name=t.name, sheet=t.sheet, headers=list(t.columns), rows=t.to_python(),
                                header_row=start[0] - 1, first_col=start[1]))
    wb.close()
    return WorkbookData(path, sheets, tables, _date1904(path))
