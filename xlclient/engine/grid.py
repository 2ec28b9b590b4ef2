"""What a workbook reader hands the engine: each sheet as rows of raw cells, the Excel
tables, and the marker of a formula saved without its result. Plain data without pandas,
so that a workbook can be read while the engine is still being imported (issue 15)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

#: The rows of a worksheet (Excel's limit): a sheet xlclient writes holds no more.
SHEET_ROWS = 1_048_576


@dataclass(frozen=True)
class UncomputedFormula:
    """A cell holding a formula the file was saved without the result of (scripts and some
    tools write formulas and leave the computing to Excel): its value is unknown here."""

    formula: str
    #: How many were made in this process: with none made there is none to look for in a
    #: grid (a 100,000-row table is not walked cell by cell for them).
    made: ClassVar[int] = 0

    def __new__(cls, *args: Any, **kwargs: Any) -> "UncomputedFormula":
        UncomputedFormula.made += 1  # in __new__: a copy or an unpickled one counts too
        return super().__new__(cls)

    def __str__(self) -> str:
        return "=" + self.formula


class ExcelError(str):
    """A cell holding an Excel error value (``#N/A``, ``#REF!``, ``#SPILL!``, any future
    ``#...!``): its text, marked as no text the user typed. It reads as that text anywhere;
    in an input column of the client table it is a reported problem, never a blank (SPEC 2)."""

    __slots__ = ()
    #: How many were made in this process: with none made there is none to look for.
    made: ClassVar[int] = 0

    def __new__(cls, text: str) -> "ExcelError":
        ExcelError.made += 1
        return super().__new__(cls, text)


@dataclass(frozen=True)
class SheetGrid:
    """One sheet as rows of raw cells; ``first_row``/``first_col`` are the 0-based sheet
    position of ``rows[0][0]`` (so Excel's row number of ``rows[i]`` is first_row + i + 1)."""

    name: str
    rows: Sequence[Sequence[Any]]
    first_row: int = 0
    first_col: int = 0
    hidden: bool = False  # a hidden sheet loses a tie against a visible one
    merged: Sequence[tuple[int, int, int, int]] = ()  # merged ranges (r0, c0, r1, c1), 0-based sheet positions
    #: The number format code of each cell whose format changes what a person reads (a scale,
    #: a unit or other words, a percentage, text: :func:`~.shown.telling`), by 0-based sheet
    #: (row, col). A cell not in it shows its value as stored (General, ``#,##0``, ``¥#,##0``;
    #: date formats too: the reader already gives those cells as dates). Empty when the reader
    #: cannot tell (xlwings hands over values only).
    formats: Mapping[tuple[int, int], str] = field(default_factory=dict)


@dataclass(frozen=True)
class TableInfo:
    """An Excel table (ListObject): its name, sheet, header cells and data rows."""

    name: str
    sheet: str
    headers: Sequence[Any]
    rows: Sequence[Sequence[Any]]
    header_row: int  # 0-based sheet row of the header
    first_col: int


class ColumnRows(Sequence):
    """A header row and a table held as columns, read as rows: what a big result sheet is
    made of (the classification's columns) without making a list per row; the column
    writer takes its blocks straight from the columns (:meth:`block_columns`), anything else
    sees ordinary rows (made when asked for)."""

    def __init__(self, header: Sequence[Any], columns: Sequence[Sequence[Any]]):
        lengths = {len(c) for c in columns}
        if len(lengths) > 1 or len(header) != len(columns):
            raise ValueError("the columns of a table must be as many as its header and of one length")
        self.header = list(header)
        self.columns = list(columns)
        self._n = lengths.pop() if lengths else 0

    @property
    def width(self) -> int:
        return len(self.header)

    def __len__(self) -> int:
        return 1 + self._n

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return list(self.header) if i == 0 else [c[i - 1] for c in self.columns]

    def block_columns(self, lo: int, hi: int) -> list[list[Any]]:
        """Rows ``lo`` to ``hi - 1`` (0-based, the header is row 0; data rows only) column by column."""
        return [c[lo - 1:hi - 1].tolist() if hasattr(c, "tolist") else list(c[lo - 1:hi - 1])  # numpy's, as Python's
                for c in self.columns]
