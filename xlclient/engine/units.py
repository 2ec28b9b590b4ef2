"""The money unit a person sees around a client table (SPEC 2, "Read what a person sees").

Besides the header (``年度投放额(万元)``), a group header and a ``单位：万元`` banner, a person
reading the sheet takes the unit from

* a title line above the header: ``2026年度客户投放汇总表（万元）`` (any bracketed unit at the
  end of a title, with or without 单位), or a ``单位：万元`` line;
* a unit row just under the header: ``（万元）`` / ``万元`` under a money column, or one
  ``单位：万元`` for the whole row (that row is no client: :attr:`UnitsAround.unit_row`);
* a note under the table: ``注：金额单位为万元``, ``注：以上金额均为人民币万元``, ``备注：单位 万元``;
* the cells' number formats: ``0.0"万"`` shows 12.2 as 12.2万, ``0!.0,"万"`` shows 177000
  as 17.7万 (:mod:`.shown`).

:func:`units_around` finds each place with its evidence (cell and text) and, per money
column, the one unit they agree on; places that disagree (a title saying 万元, a note saying
元) are a :class:`UnitConflict`, never a guess. Pure: it reads the grids it is given.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .fields import header_unit
from .grid import SheetGrid
from .parse import TRADITIONAL
from .shown import DATE, MONEY, NUMBER, OTHER, PERCENT, TEXT, Reading, reading

#: Places a unit is read from.
HEADER = "header"  # the column's own header (given by the caller)
TITLE = "title"  # a title or banner line above the header
UNIT_ROW = "unit_row"  # a unit row just under the header
NOTE = "note"  # a note under the table
FORMAT = "format"  # the cells' number format

#: Rows looked at above the header and below the table.
ABOVE_ROWS = 30
BELOW_ROWS = 30
#: Cells of a disagreeing kind quoted in a conflict.
QUOTED_CELLS = 5


@dataclass(frozen=True)
class UnitEvidence:
    """One place stating a money unit: where (0-based sheet row and column), what it says."""

    place: str
    row: int
    col: int
    text: str  # the cell's text; for FORMAT the format code
    multiplier: float  # yuan per unit stated (万元: 10000.0)


@dataclass(frozen=True)
class FormatUse:
    """What the number formats of a money column's numeric cells show (zeros left out: they
    show no unit)."""

    cells: int = 0  # numeric, non-zero cells looked at
    #: Each kind of reading found, with how many cells show it and the first one's (row, code).
    readings: tuple[tuple[Reading, int, tuple[int, str]], ...] = ()

    @property
    def consistent(self) -> bool:
        """One reading for every numeric cell of the column (or no numeric cell)."""
        return len(self.readings) <= 1

    @property
    def reading(self) -> Reading | None:
        """The column's one reading, when consistent and there is one."""
        return self.readings[0][0] if len(self.readings) == 1 else None


@dataclass(frozen=True)
class ColumnUnit:
    """The unit a person reads in one money column.

    ``multiplier`` is the unit shown (yuan per unit: 万 -> 10000.0) that every place stating
    one agrees on; None when no place states one (the reader's default applies) or when
    they disagree (a conflict says which). ``factor`` is yuan per *stored* number for the
    column's numeric cells: the format's unit and scale (``0!.0,"万"``: 1.0, ``0.0"万"``:
    10000.0, ``#,##0,`` under 万元: 10.0), or the agreed multiplier when the formats show
    the stored number; None when no single factor holds for all of them (then they are in
    a conflict) or nothing states a unit and no format scales. Text cells (``120万``, ``35``)
    are read with ``multiplier``."""

    col: int
    multiplier: float | None
    factor: float | None
    evidence: tuple[UnitEvidence, ...] = ()
    formats: FormatUse = field(default_factory=FormatUse)


@dataclass(frozen=True)
class UnitConflict:
    """Places that disagree about a unit, or cells whose format shows no money.

    ``reason``: ``places_disagree`` (two places name different units), ``formats_mixed``
    (the cells of a column show their numbers in different units or scales),
    ``format_not_money`` (cells whose format shows a date, a percentage, text or another
    word). ``col`` None: table-wide places (titles, notes) disagree among themselves.
    ``cells``: (row, col, code) of the disagreeing cells (at most :data:`QUOTED_CELLS`)."""

    reason: str
    col: int | None
    evidence: tuple[UnitEvidence, ...] = ()
    cells: tuple[tuple[int, int, str], ...] = ()


@dataclass(frozen=True)
class UnitsAround:
    """The units around a table: per money column (sheet column index), the table-wide
    places, the unit row under the header (0-based sheet row, to skip as data) and the
    conflicts."""

    columns: dict[int, ColumnUnit]
    table: tuple[UnitEvidence, ...] = ()
    unit_row: int | None = None
    conflicts: tuple[UnitConflict, ...] = ()


# ---------------------------------------------------------------- reading a unit out of a text

_MAGNITUDE_RE = re.compile(r"元|千|万|亿|百万|k|m|000|thousand|million|w")
_UNITS = r"千万元|千万|百万元|百万|亿元|亿|万元|万|千元|千|元"
_NOT_AMOUNT = r"(?<![\d.,〇零一二三四五六七八九十百两壹贰叁肆伍陆柒捌玖拾佰仟])"
_BANNER_RE = re.compile(rf"单位\s*(?:为|是)?\s*[:：]?\s*(?:人民币|rmb|cny)?\s*{_NOT_AMOUNT}(?P<u>{_UNITS})")
_BRACKET_END_RE = re.compile(r"[(\[【〔《<]\s*(?P<u>[^()\[\]【】〔〕《》<>]{1,24}?)\s*[)\]】〕》>]\s*$")
_NOTE_START_RE = re.compile(r"^[*※#\s]*(?:注|备注|说明|注释|附注|注意|note|notes|remark|remarks)\s*\d*\s*[:：]?")
_NOTE_UNIT_RE = re.compile(rf"(?:单位|金额|数额|数值|数据|投放额|营业额|毛利)[^，。；;,.!！?？\d]{{0,10}}?"
                           rf"(?:人民币|rmb|cny)?\s*{_NOT_AMOUNT}(?P<u>{_UNITS})(?:计|为单位|为准)?")
_UNIT_CELL_RE = re.compile(r"^[(\[【〔]?\s*(?:单位\s*[:：]?)?\s*(?P<u>[^()\[\]【】〔〕]{1,12}?)\s*[)\]】〕]?$")
# Words a unit row may hold under columns that are no money (a count, hours, a score ...).
_OTHER_UNITS = frozenset({"次", "小时", "时", "h", "hr", "hrs", "个", "人", "天", "日", "分", "%", "年", "月", "笔",
                          "家", "户", "单", "件", "次/年", "小时/年", "人次", "分/5分", "1-5", "1~5", "是/否", "y/n",
                          "日期", "yyyy-mm-dd", "yyyy/m/d", "/", "-", "—", "星", "级", "人天", "工时"})


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(TRADITIONAL).strip().lower()


def _money_unit(text: str) -> float | None:
    """The multiplier of a unit text (``万元``, ``人民币万元``, ``单位：千元``, ``含税,万元``);
    None when it names no magnitude (``人民币`` alone is a currency, not a unit)."""
    if not _MAGNITUDE_RE.search(text):
        return None
    return header_unit(text)


def title_unit(text: str) -> float | None:
    """The unit a title or banner line states: ``单位：万元`` anywhere, or a bracketed unit at
    its end (``2026年度客户投放汇总表（万元）``, ``（金额单位：万元）``)."""
    s = _norm(text)
    m = _BANNER_RE.search(s)
    if m:
        return _money_unit(m.group("u"))
    m = _BRACKET_END_RE.search(s)
    if m:
        inner = m.group("u")
        b = _BANNER_RE.search(inner)
        return _money_unit(b.group("u")) if b else _money_unit(inner)
    return None


def note_unit(text: str) -> float | None:
    """The unit a note under the table states (``注：金额单位为万元``, ``注：以上金额均为人民币
    万元``, ``备注：单位 万元``); None for any other text (``注：投放额超过100万元的为A类``: an
    amount, not a unit)."""
    s = _norm(text)
    if not _NOTE_START_RE.match(s) and "单位" not in s:
        return None
    m = _BANNER_RE.search(s) or _NOTE_UNIT_RE.search(s)
    return _money_unit(m.group("u")) if m else None


def _unit_cell(v: Any) -> tuple[str, float | None] | None:
    """A unit row's cell: ('money', multiplier), ('other', None) for a unit of no money, or
    None when the cell is no unit (a name, a number: then the row is data)."""
    if not isinstance(v, str) or not v.strip():
        return None
    s = _norm(v)
    m = _UNIT_CELL_RE.match(s)
    if not m:
        return None
    inner = m.group("u").strip()
    mult = _money_unit(inner)
    if mult is not None and len(inner) <= 8:
        return "money", mult
    bracketed = s[:1] in "([【〔" and s[-1:] in ")]】〕"
    if inner in _OTHER_UNITS or bracketed:
        return "other", None
    return None


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)


def _cell(grid: SheetGrid, r: int, c: int) -> Any:
    i, j = r - grid.first_row, c - grid.first_col
    if 0 <= i < len(grid.rows) and 0 <= j < len(grid.rows[i]):
        return grid.rows[i][j]
    return None


def _row_cells(grid: SheetGrid, r: int) -> Iterable[tuple[int, Any]]:
    i = r - grid.first_row
    if 0 <= i < len(grid.rows):
        for j, v in enumerate(grid.rows[i]):
            if not _blank(v):
                yield grid.first_col + j, v


# ---------------------------------------------------------------- the places

def _titles(grid: SheetGrid, header_row: int) -> list[UnitEvidence]:
    """Title and banner lines above the header: rows of at most three texts (a group header
    row has more, and is the header's business)."""
    out = []
    for r in range(max(grid.first_row, header_row - ABOVE_ROWS), header_row):
        cells = list(_row_cells(grid, r))
        if not cells or len(cells) > 3:
            continue
        for c, v in cells:
            if isinstance(v, str):
                m = title_unit(v)
                if m is not None:
                    out.append(UnitEvidence(TITLE, r, c, v, m))
    return out


def _notes(grid: SheetGrid, last_row: int) -> list[UnitEvidence]:
    out = []
    for r in range(last_row + 1, min(grid.first_row + len(grid.rows), last_row + 1 + BELOW_ROWS)):
        for c, v in _row_cells(grid, r):
            if isinstance(v, str):
                m = note_unit(v)
                if m is not None:
                    out.append(UnitEvidence(NOTE, r, c, v, m))
    return out


def _unit_row(grid: SheetGrid, header_row: int, first_col: int, last_col: int
              ) -> tuple[int | None, dict[int, UnitEvidence], list[UnitEvidence]]:
    """The unit row just under the header, if that row holds units only (at least one of
    money): (its row, per-column money units, whole-row units)."""
    r = header_row + 1
    cells = [(c, v) for c, v in _row_cells(grid, r) if first_col <= c <= last_col]
    if not cells:
        return None, {}, []
    found = []
    for c, v in cells:
        u = _unit_cell(v)
        if u is None:
            whole = title_unit(v) if isinstance(v, str) and "单位" in _norm(v) else None
            if whole is None:
                return None, {}, []  # a name, a number, a date: data
            found.append((c, v, "whole", whole))
        else:
            found.append((c, v, u[0], u[1]))
    if not any(kind in ("money", "whole") for _, _, kind, _ in found):
        return None, {}, []
    per_col = {c: UnitEvidence(UNIT_ROW, r, c, v, m) for c, v, kind, m in found if kind == "money"}
    whole = [UnitEvidence(UNIT_ROW, r, c, v, m) for c, v, kind, m in found if kind == "whole"]
    if len(found) == 1 and per_col and not whole:
        whole = list(per_col.values())  # one unit alone on the row: for every money column
    return r, per_col, whole


def _formats(grid: SheetGrid, col: int, rows: range) -> FormatUse:
    """The readings of a column's numeric, non-zero cells through their number formats."""
    j = col - grid.first_col
    formats = grid.formats
    groups: dict[Reading, list[Any]] = {}
    n = 0
    for r in rows:
        i = r - grid.first_row
        if not (0 <= i < len(grid.rows)) or not (0 <= j < len(grid.rows[i])):
            continue
        v = grid.rows[i][j]
        if type(v) not in (int, float) or v == 0 or v != v:
            continue
        n += 1
        code = formats.get((r, col), "") if formats else ""
        rd = reading(code, v)
        g = groups.get(rd)
        if g is None:
            groups[rd] = [1, (r, code or "General")]
        else:
            g[0] += 1
    return FormatUse(n, tuple((rd, k, first) for rd, (k, first) in groups.items()))


def _cells_of(grid: SheetGrid, col: int, rows: range, wanted: set[Reading], limit: int = QUOTED_CELLS
              ) -> tuple[tuple[int, int, str], ...]:
    out = []
    for r in rows:
        v = _cell(grid, r, col)
        if type(v) in (int, float) and v != 0 and v == v:
            code = grid.formats.get((r, col), "")
            if reading(code, v) in wanted:
                out.append((r, col, code or "General"))
                if len(out) >= limit:
                    break
    return tuple(out)


def units_around(sheets: Sequence[SheetGrid], sheet: str, header_row: int, first_col: int, last_col: int,
                 last_row: int, money_cols: Iterable[int],
                 header_units: Mapping[int, float | None] | None = None) -> UnitsAround:
    """The money unit a person sees around the table on ``sheet`` whose header is on
    (0-based) ``header_row`` from ``first_col`` to ``last_col`` with data down to
    ``last_row``; ``money_cols`` are the sheet columns holding money, ``header_units`` the
    unit each one's header (or group header) states, if any (column -> multiplier; a column
    absent or None: the header states none)."""
    grid = next((g for g in sheets if g.name == sheet), None)
    money_cols = sorted(set(money_cols))
    header_units = dict(header_units or {})
    if grid is None:
        return UnitsAround({c: ColumnUnit(c, header_units.get(c), header_units.get(c)) for c in money_cols})
    table = _titles(grid, header_row) + _notes(grid, last_row)
    unit_row, row_units, row_whole = _unit_row(grid, header_row, first_col, last_col)
    table += row_whole
    conflicts: list[UnitConflict] = []
    if len({e.multiplier for e in table}) > 1:
        conflicts.append(UnitConflict("places_disagree", None, tuple(table)))
    data_rows = range(header_row + 1 + (unit_row is not None), last_row + 1)
    columns: dict[int, ColumnUnit] = {}
    for c in money_cols:
        evidence = list(table)
        if header_units.get(c) is not None:
            evidence.insert(0, UnitEvidence(HEADER, header_row, c, str(_cell(grid, header_row, c) or ""),
                                            float(header_units[c])))
        if c in row_units and row_units[c] not in evidence:
            evidence.append(row_units[c])
        use = _formats(grid, c, data_rows) if grid.formats else FormatUse(0, ())
        money = [(rd, k, first) for rd, k, first in use.readings if rd.kind == MONEY]
        for rd, _, (r, code) in money:
            evidence.append(UnitEvidence(FORMAT, r, c, code, rd.multiplier))
        stated = {e.multiplier for e in evidence}
        agreed = next(iter(stated)) if len(stated) == 1 else None
        if len(stated) > 1:
            conflicts.append(UnitConflict("places_disagree", c, tuple(evidence)))
        strange = {rd for rd, _, _ in use.readings if rd.kind in (DATE, PERCENT, TEXT, OTHER)}
        if strange:
            conflicts.append(UnitConflict("format_not_money", c, (), _cells_of(grid, c, data_rows, strange)))
        amounts = [(rd, first) for rd, _, first in use.readings if rd.kind in (MONEY, NUMBER)]
        # a number without a unit word is read in the unit stated around it (yuan when none);
        # another cell's format is no statement about it
        around = {e.multiplier for e in evidence if e.place != FORMAT}
        base = around.pop() if len(around) == 1 else 1.0
        factors = {rd.factor if rd.kind == MONEY else base / rd.divisor for rd, _ in amounts}
        if len(stated) > 1:
            factor = None
        elif len(factors) > 1:
            factor = None
            conflicts.append(UnitConflict("formats_mixed", c, tuple(e for e in evidence if e.place == FORMAT),
                                          tuple((r, c, code) for _, (r, code) in amounts)))
        elif factors and not (agreed is None and all(rd.kind == NUMBER and rd.divisor == 1.0 for rd, _ in amounts)):
            factor = factors.pop()
        else:
            factor = agreed  # no format says more than the places around
        columns[c] = ColumnUnit(c, agreed, factor, tuple(evidence), use)
    return UnitsAround(columns, tuple(table), unit_row, tuple(conflicts))
