"""Generating the worksheet XML of a sheet xlclient owns, from a :class:`SheetSpec`.

The part is self-contained: no relationships, no shared strings (every text is an inline
string, ``t="inlineStr"``, which Excel never evaluates as a formula, whatever it starts
with), no formulas.  Cell formats come from a :class:`~.styles.StyleBook`.  The output
depends only on the spec, the style indices and the date system: no timestamps, so the
same input gives the same bytes.

Values (by column, 0-based; rows as given, the first ``header_rows`` in bold):

========================  ==================================================================
``str``                   inline string; longer than 32,767 characters -> CellValueError
``bool``                  ``t="b"``
``int``, ``float``        number (``repr``); NaN -> blank; +/-inf -> CellValueError;
                          ``Decimal``/``Fraction`` and integers beyond +/-2**53 are
                          stored as the nearest float (Excel numbers are doubles)
``datetime.date``         serial with the column's number format (default ``yyyy-mm-dd``)
``datetime.datetime``     serial with fraction (default ``yyyy-mm-dd hh:mm:ss``); tzinfo is
                          dropped (wall-clock time is written)
``datetime.time``         fraction of a day (default ``hh:mm:ss``)
``None``                  blank (no cell)
========================  ==================================================================

Dates Excel cannot represent (before 1900-01-01, or 1904-01-01 in the 1904 date system)
are written as ISO text, ``YYYY-MM-DD`` (``YYYY-MM-DD HH:MM:SS`` for a datetime).
Numpy/pandas scalars are accepted through their ``item()``; ``NaT`` is blank.
"""

from __future__ import annotations

import datetime as dt
import decimal
import fractions
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, compress, repeat, zip_longest
from typing import Any, Callable

from ..engine.grid import SHEET_ROWS, ColumnRows
from .cells import (_NEEDS_ESCAPE, MAX_TEXT, column_letter, date_serial, datetime_serial, encode_xstring,
                    format_number, iso_text, text_units, time_fraction)
from .errors import CellValueError, SpecError
from .names import validate_sheet_name
from .styles import StyleBook, StyleKey
from .xmltext import escape_attr

if False:  # typing only
    from .additions import Placed

__all__ = ["SheetSpec", "build_worksheet_xml", "highlight_formula", "validate_sheet_name", "DATE_FORMAT",
           "DATETIME_FORMAT", "TIME_FORMAT"]

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
TIME_FORMAT = "hh:mm:ss"
MAX_ROWS = SHEET_ROWS
MAX_COLS = 16_384

def _too_many_rows(sheet: str) -> str:
    return (f"「{sheet}」超出工作表 {MAX_ROWS:,} 行的上限，未写入任何内容 / sheet {sheet!r} would have more than "
            f"{MAX_ROWS:,} rows (Excel's limit); nothing was written")


_RANGE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})(?::\$?([A-Za-z]{1,3})\$?([0-9]{1,7}))?$")
_HEX_COLOR = re.compile(r"^#?([0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})$")
_WS = (' ', '\t', '\n', '\r')
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _widest(rows: Sequence[Sequence[Any]]) -> int:
    return rows.width if isinstance(rows, ColumnRows) else max(map(len, rows), default=0)


@dataclass
class SheetSpec:
    """What an owned sheet contains and how it looks."""

    name: str
    rows: Sequence[Sequence[object]]  # lists of cells, or a ColumnRows (a table held as columns)
    header_rows: int = 1
    column_widths: dict[int, float] = field(default_factory=dict)
    number_formats: dict[int, str] = field(default_factory=dict)
    freeze_header: bool = True
    autofilter: bool = True
    data_validations: list[tuple[str, list[str]]] = field(default_factory=list)
    tab_color: str | None = None
    #: Columns (0-based) xlclient regenerates; every other column is the people's and
    #: what they typed there is kept (see :mod:`.additions`). None: the columns the rows use.
    owned_columns: frozenset[int] | None = None
    #: Where each row of the sheet as it was went: old Excel row -> new Excel row, or None
    #: when the row is gone. Rows not listed stay where they were. May be a function that
    #: returns the map: it is then called only when the sheet has people's additions.
    row_map: "dict[int, int | None] | Callable[[], dict[int, int | None]] | None" = None
    #: Number formats of single cells, (0-based row, column) -> format code (over the column's).
    cell_formats: dict[tuple[int, int], str] = field(default_factory=dict)
    #: Rows (0-based) written bold: section titles and the headers of stacked tables.
    bold_rows: frozenset[int] = frozenset()
    #: Cells (0-based row, column) aligned right: the header of a column of numbers.
    right_aligned: frozenset[tuple[int, int]] = frozenset()
    #: Native charts drawn beside the rows (see :mod:`.charts`; objects shaped like
    #: ``xlclient.engine.dashboard.ChartSpec``).
    charts: list = field(default_factory=list)
    #: Printed on A4 landscape, one page wide.
    landscape: bool = False
    #: Columns (0-based) whose text wraps within the column's width (long reasons, advice).
    wrap_columns: frozenset[int] = frozenset()
    #: Rows (0-based) whose texts wrap within their columns: the headers of stacked tables.
    wrap_rows: frozenset[int] = frozenset()
    #: Colours by content: (column, words, font ARGB, fill ARGB) -- a cell of the column below
    #: the header that contains one of the words is shown in those colours (a conditional
    #: format, so it follows edits and filters).
    highlights: list[tuple[int, tuple[str, ...], str, str]] = field(default_factory=list)
    #: The table the sheet's filter covers when it is not every row and owned column: (its
    #: last Excel row, its last 0-based column). Rows under it (blocks the plan lists below
    #: itself) stay out of the filter and of an Excel table laid over the sheet.
    table_end: tuple[int, int] | None = None

    def owned(self) -> frozenset[int]:
        """The owned columns (those given, or every column the rows use)."""
        if self.owned_columns is not None:
            return frozenset(self.owned_columns)
        return frozenset(range(_widest(self.rows)))


# --------------------------------------------------------------------------- spec checks

def _parse_range(sqref: str) -> tuple[int, int, int, int]:
    m = _RANGE.match(sqref.strip())
    if not m:
        raise SpecError(f"data validation range {sqref!r} is not an A1 range like 'H2:H500'")
    c1, r1 = _col_index(m[1]), int(m[2])
    c2, r2 = (_col_index(m[3]), int(m[4])) if m[3] else (c1, r1)
    if not (1 <= r1 <= r2 <= MAX_ROWS and 0 <= c1 <= c2 < MAX_COLS):
        raise SpecError(f"data validation range {sqref!r} is outside the sheet or reversed")
    return c1, r1, c2, r2


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def _validation_xml(sheet: str, validations: list[tuple[str, list[str]]]) -> str:
    if not validations:
        return ""
    items = []
    for sqref, values in validations:
        refs = []
        for part in sqref.split():
            c1, r1, c2, r2 = _parse_range(part)
            refs.append(f"{column_letter(c1)}{r1}" + (f":{column_letter(c2)}{r2}" if (c1, r1) != (c2, r2) else ""))
        values = [str(v) for v in values]
        if not values:
            raise SpecError(f"sheet {sheet!r}: data validation {sqref!r} has no allowed values")
        for v in values:
            if "," in v or '"' in v:
                raise SpecError(f"sheet {sheet!r}: drop-down value {v!r} contains ',' or '\"', "
                                "which an Excel list cannot hold")
        formula = '"' + ",".join(values) + '"'
        if len(formula) > 257:  # 255 characters between the quotes
            raise SpecError(f"sheet {sheet!r}: drop-down list for {sqref!r} is longer than Excel's 255 characters")
        items.append(f'<dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1" '
                     f'sqref="{" ".join(refs)}"><formula1>{encode_xstring(formula)}</formula1></dataValidation>')
    return f'<dataValidations count="{len(items)}">{"".join(items)}</dataValidations>'


def _tab_color(sheet: str, color: str | None) -> str:
    if color is None:
        return ""
    m = _HEX_COLOR.match(color)
    if not m:
        raise SpecError(f"sheet {sheet!r}: tab colour {color!r} is not RRGGBB hex")
    rgb = m[1].upper()
    return f'<sheetPr><tabColor rgb="{rgb if len(rgb) == 8 else "FF" + rgb}"/></sheetPr>'


def _cols_xml(sheet: str, widths: dict[int, float]) -> str:
    if not widths:
        return ""
    out = []
    for col in sorted(widths):
        w = float(widths[col])
        if not (0 <= col < MAX_COLS) or not (0 <= w <= 255):
            raise SpecError(f"sheet {sheet!r}: bad column width {col}: {widths[col]!r}")
        out.append(f'<col min="{col + 1}" max="{col + 1}" width="{format_number(w)}" customWidth="1"/>')
    return f"<cols>{''.join(out)}</cols>"


# --------------------------------------------------------------------------- cells

class _Styles:
    """Per (header?, column, kind, cell overrides) style index, cached; kind in s/w/n/d/t/h."""

    def __init__(self, book: StyleBook, formats: dict[int, str], spec: "SheetSpec | None" = None):
        self.book, self.formats, self.cache = book, formats, {}
        self.cell_formats = spec.cell_formats if spec is not None else {}
        self.bold_rows = spec.bold_rows if spec is not None else frozenset()
        self.right = spec.right_aligned if spec is not None else frozenset()
        self.row = -1  # the 0-based row being written (set by the row writer)

    def get(self, header: bool, col: int, kind: str) -> str:
        if not (self.cell_formats or self.bold_rows or self.right):  # the common case: by column only
            key0 = (header, col, kind)
            hit = self.cache.get(key0)
            if hit is None:
                hit = self.cache[key0] = self._index(header, col, kind, None, None)
            return hit
        at = (self.row, col)
        fmt = self.cell_formats.get(at) if self.cell_formats else None
        bold = header or self.row in self.bold_rows
        align = "right" if at in self.right else None
        key = (bold, col, kind, fmt, align)
        hit = self.cache.get(key)
        if hit is None:
            hit = self.cache[key] = self._index(bold, col, kind, fmt, align)
        return hit

    def _index(self, bold: bool, col: int, kind: str, fmt: str | None, align: str | None) -> str:
        fmt = fmt or self.formats.get(col)
        numfmt = {"s": None, "w": None, "n": fmt,
                  "d": fmt or DATE_FORMAT, "t": fmt or DATETIME_FORMAT, "h": fmt or TIME_FORMAT}[kind]
        index = self.book.index(StyleKey(bold=bold, numfmt=numfmt, wrap=kind == "w", align=align))
        return f' s="{index}"' if index else ""


def _string_cell(ref: str, s: str, style: str) -> str:
    text = encode_xstring(s)
    if s[:1] in _WS or s[-1:] in _WS or "\n" in s:
        return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    return f'<c r="{ref}"{style} t="inlineStr"><is><t>{text}</t></is></c>'


def _normalise(value: Any) -> Any:
    """Map numpy/pandas scalars and other stand-ins to plain Python values."""
    item = getattr(value, "item", None)
    if item is not None and not isinstance(value, (str, bytes, dt.date, dt.time)):
        try:
            value = item()
        except (TypeError, ValueError):
            pass
    if isinstance(value, dt.datetime) and value != value:  # pandas NaT
        return None
    return value


#: The column-by-column row writer (:meth:`_RowWriter._rows_by_column`); False: cell by cell.
FAST_ROWS = True
#: Rows written as one chunk by the column-by-column writer.
BLOCK_ROWS = 4096
_encode = encode_xstring
_INFINITE = (math.inf, -math.inf)
_INT53 = 2 ** 53
#: A text that starts or ends with a space or holds a line break (kept with xml:space), in
#: distinct texts joined by DEL.
_EDGE_SPACE_OR_BREAK = re.compile("(?:^|\x7f)[ \t\n\r]|[ \t\n\r](?:\x7f|$)|\n")
#: Either of the two, in one pass: distinct texts joined by DEL that all go in as they are.
_NOT_PLAIN = re.compile(f"{_NEEDS_ESCAPE.pattern}|{_EDGE_SPACE_OR_BREAK.pattern}")

#: Excel's default column width (characters) and the height of one line of text (points).
DEFAULT_WIDTH = 8.43
LINE_HEIGHT = 15.0
#: Lines a wrapped text is given at most (a longer text scrolls within its cell).
MAX_LINES = 8


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes when it wraps in a column ``width`` characters wide:
    a wide (CJK) character takes two, a line break starts a new line. An estimate from
    the text alone (fonts differ), capped at :data:`MAX_LINES`."""
    usable = max(float(width) - 1.0, 1.0)
    if len(text) * 2 <= usable and "\n" not in text:
        return 1  # fits whatever its characters
    lines = 0
    for part in text.split("\n"):
        units = len(part) + len(_WIDE.findall(part))
        lines += max(1, math.ceil(units / usable))
    return min(lines, MAX_LINES)


#: East Asian wide and full-width characters (Hangul, CJK, kana, full-width forms: the
#: ranges unicodedata.east_asian_width calls W or F, as one regex for speed).
_WIDE = re.compile("[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
                   "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]")


class _RowWriter:
    """Turns one sheet's values into ``<row>`` elements."""

    def __init__(self, spec: SheetSpec, styles: _Styles, date1904: bool, sink: "Callable[[bytes], None] | None" = None):
        self.spec, self.styles, self.date1904 = spec, styles, date1904
        self.sink = sink  # where the <row> chunks go as they are made (None: rows_xml returns them)
        self.max_col = -1
        self.max_row = 0
        self.lines = 1  # the most lines a wrapped text of the current row needs

    def cell(self, ref: str, value: Any, header: bool, col: int, row: int) -> str | None:
        t = type(value)
        if t is str:
            return self._text(ref, value, header, col, row)
        if t is bool:
            return f'<c r="{ref}"{self.styles.get(header, col, "n")} t="b"><v>{int(value)}</v></c>'
        if t is int:
            if -(2 ** 53) <= value <= 2 ** 53:
                return f'<c r="{ref}"{self.styles.get(header, col, "n")}><v>{value}</v></c>'
            return self._float(ref, float(value), header, col, row)
        if t is float:
            return self._float(ref, value, header, col, row)
        if isinstance(value, dt.datetime):
            if value != value:
                return None
            serial = datetime_serial(value, self.date1904)
            if serial is None:
                return self._text(ref, iso_text(value), header, col, row)
            return f'<c r="{ref}"{self.styles.get(header, col, "t")}><v>{format_number(serial)}</v></c>'
        if isinstance(value, dt.date):
            serial = date_serial(value, self.date1904)
            if serial is None:
                return self._text(ref, iso_text(value), header, col, row)
            return f'<c r="{ref}"{self.styles.get(header, col, "d")}><v>{serial}</v></c>'
        if isinstance(value, dt.time):
            return f'<c r="{ref}"{self.styles.get(header, col, "h")}><v>{format_number(time_fraction(value))}</v></c>'
        if isinstance(value, str):
            return self._text(ref, str(value), header, col, row)
        if isinstance(value, int):
            return self.cell(ref, int(value), header, col, row)
        if isinstance(value, (float, decimal.Decimal, fractions.Fraction)):
            return self._float(ref, float(value), header, col, row)
        normalised = _normalise(value)
        if normalised is None:
            return None
        if normalised is not value and type(normalised) in (str, bool, int, float, dt.date, dt.datetime, dt.time):
            return self.cell(ref, normalised, header, col, row)
        raise CellValueError(self.spec.name, row, col, f"cannot store a {type(value).__name__} value: {value!r}")

    def _text(self, ref: str, s: str, header: bool, col: int, row: int) -> str:
        if len(s) > MAX_TEXT // 2 and text_units(s) > MAX_TEXT:  # short texts skip the count
            raise CellValueError(self.spec.name, row, col,
                                 f"text of {text_units(s)} characters is longer than Excel's {MAX_TEXT}")
        wrap = "\n" in s or (not header and col in self.spec.wrap_columns) or self.styles.row in self.spec.wrap_rows
        if wrap:
            self.lines = max(self.lines, wrapped_lines(s, self.spec.column_widths.get(col, DEFAULT_WIDTH)))
        return _string_cell(ref, s, self.styles.get(header, col, "w" if wrap else "s"))

    def _float(self, ref: str, x: float, header: bool, col: int, row: int) -> str | None:
        if math.isnan(x):
            return None
        if math.isinf(x):
            raise CellValueError(self.spec.name, row, col, "infinite numbers cannot be stored in Excel")
        return f'<c r="{ref}"{self.styles.get(header, col, "n")}><v>{format_number(x)}</v></c>'

    def rows_xml(self, placed: "Placed | None" = None) -> list[bytes]:
        """The ``<row>`` elements, each UTF-8 encoded as it is made (a 100,000-row sheet held
        as Python text of CJK characters takes twice the room)."""
        spec = self.spec
        # what people added that goes into rows: their cells, their formats on our cells (a
        # sheet whose additions are only elements, such as print setup, has none)
        into_rows = placed is not None and bool(placed.cells or placed.styles)
        if not into_rows and not (spec.cell_formats or spec.bold_rows or spec.right_aligned or spec.wrap_rows) \
                and FAST_ROWS:
            return self._rows_by_column(spec.owned() if placed is not None else None)
        return self._rows_by_cell(placed)

    def _rows_by_column(self, owned: frozenset[int] | None = None) -> list[bytes]:
        """The common case (no per-cell styles, nothing of people's to put back), column by
        column: the data rows are taken in blocks of :data:`BLOCK_ROWS`; in each, a column
        of one usual type (texts, numbers, dates) is written by one comprehension, each
        distinct text escaped and measured once; anything unusual goes through
        :meth:`cell`. Styles are asked for in the order the cell-by-cell writer asks (row by
        row), so the bytes are those of :meth:`_rows_by_cell` (property-tested). Each block
        is one UTF-8 chunk. ``owned``: the only columns it may write (the sheet keeps people's
        things), as :meth:`_rows_by_cell` checks."""
        spec = self.spec
        rows = spec.rows
        if len(rows) > MAX_ROWS:
            raise SpecError(_too_many_rows(spec.name))
        widest = _widest(rows)
        if widest > MAX_COLS:
            too_wide = next(r for r, values in enumerate(rows, 1) if len(values) > MAX_COLS)
            raise SpecError(f"sheet {spec.name!r} row {too_wide} has more than {MAX_COLS} columns")
        if owned is not None:
            _only_owned(spec.name, rows, owned, widest)
        letters = [column_letter(c) for c in range(widest)]
        out: list[bytes] = []
        emit = self.sink or out.append  # each chunk to the sink (not kept) or kept
        heads = min(spec.header_rows, len(rows))
        for r in range(1, heads + 1):  # the headers, cell by cell
            self.styles.row = r - 1
            self.lines = 1
            parts, last = [], -1
            for c, v in enumerate(rows[r - 1]):
                xml = None if v is None else self.cell(letters[c] + str(r), v, True, c, r)
                if xml is not None:
                    parts.append(xml)
                    last = c
            if parts:
                height = f' ht="{LINE_HEIGHT * self.lines:g}" customHeight="1"' if self.lines > 1 else ""
                emit(f'<row r="{r}"{height}>{"".join(parts)}</row>'.encode("utf-8"))
                self.max_row = r
                self.max_col = max(self.max_col, last)
        by_column = isinstance(rows, ColumnRows) and heads == 1
        for lo in range(heads, len(rows), BLOCK_ROWS):
            hi = min(lo + BLOCK_ROWS, len(rows))
            columns = rows.block_columns(lo, hi) if by_column else \
                list(zip_longest(*rows[lo:hi]))  # short rows padded with None
            emit(self._block(columns, hi - lo, lo, letters))
        return out

    def _block(self, columns: list, m: int, lo: int, letters: list[str]) -> bytes:
        """Data rows ``lo + 1`` to ``lo + m`` (Excel numbering), given column by column, as
        one chunk."""
        spec = self.spec
        rs = [str(r) for r in range(lo + 1, lo + m + 1)]
        # 1. each cell's kind: s/w (text, wrapped), n (number), d (date); "" for a cell
        # written by cell(); None for nothing. Texts and dates: each distinct value once.
        kinds_of: list[list[str | None]] = []
        memos: list = []  # value -> (kind, xml after the style, lines); or the distinct plain texts
        events: list[tuple[int, int, str | None]] = []  # (row in block, column, kind; None: by cell())
        uniform: list[str | None] = []  # a column of texts of one kind, no cell by cell(): its kind
        half = MAX_TEXT // 2
        for c, col in enumerate(columns):
            types = set(map(type, col))
            types.discard(type(None))
            memo: dict[Any, tuple[str, str, int]] = {}
            if types == {str}:
                wrap_col, width = c in spec.wrap_columns, spec.column_widths.get(c, DEFAULT_WIDTH)
                distinct = set(col)
                distinct.discard(None)
                joined = "\x7f".join(distinct)  # one look at every distinct text: the usual, plain case
                if not _NOT_PLAIN.search(joined) \
                        and max(map(len, distinct)) <= half:
                    kind = "w" if wrap_col else "s"
                    uniform.append(kind)
                    first = 0 if col[0] is not None else next(i for i, v in enumerate(col) if v is not None)
                    kinds_of.append([])
                    memos.append(distinct)  # written in step 3, once the style is known
                    events.append((first, c, kind))
                    continue
                for v in distinct:
                    if len(v) > half:  # long: measured and refused (or not) by cell()
                        memo[v] = ("", "", 1)
                        continue
                    wrap = wrap_col or "\n" in v
                    text = _encode(v) if _NEEDS_ESCAPE.search(v) else v
                    space = ' xml:space="preserve"' if (v[:1] in _WS or v[-1:] in _WS or "\n" in v) else ""
                    memo[v] = ("w" if wrap else "s", f' t="inlineStr"><is><t{space}>{text}</t></is></c>',
                               wrapped_lines(v, width) if wrap else 1)
                kinds = [None if v is None else memo[v][0] for v in col]
            elif types == {dt.date}:
                for v in set(col):
                    if v is not None:
                        serial = date_serial(v, self.date1904)
                        memo[v] = ("", "", 1) if serial is None else ("d", f"><v>{serial}</v></c>", 1)
                kinds = [None if v is None else memo[v][0] for v in col]
            elif types <= {float, int}:
                kinds = [None if v is None or v != v else  # NaN: no cell
                         "n" if (v not in _INFINITE if type(v) is float else -_INT53 <= v <= _INT53) else ""
                         for v in col]
            else:
                kinds = [None if v is None else "" for v in col]
            uniform.append(None)
            kinds_of.append(kinds)
            memos.append(memo)
            events.extend((kinds.index(k), c, k) for k in set(kinds) if k)
            if "" in kinds:
                events.extend((i, c, None) for i, k in enumerate(kinds) if k == "")
        # 2. styles in the cell-by-cell writer's order, and the cells cell() writes
        events.sort()
        styles: dict[tuple[int, str], str] = {}
        slow: dict[int, dict[int, tuple[str | None, int]]] = {}
        for i, c, kind in events:
            if kind is not None:
                styles[c, kind] = self.styles.get(False, c, kind)
                continue
            r = lo + i + 1
            self.styles.row = r - 1
            self.lines = 1
            slow.setdefault(c, {})[i] = (self.cell(letters[c] + rs[i], columns[c][i], False, c, r), self.lines)
        # 3. each column's cells as UTF-8: a list of cells (b"" for none), or, for a column
        # with a cell on every row, the pieces of each cell as iterators (joined once, below;
        # bytes throughout, so that ASCII tags are never widened to the CJK texts' width and
        # the whole is never encoded again)
        rb = list(map(str.encode, rs))
        pieces: list = []
        full = False  # a column with a cell on every row: no row is empty
        lines: list[int] | None = None
        for c, (col, kinds, memo, kind) in enumerate(zip(columns, kinds_of, memos, uniform)):
            pre = f'<c r="{letters[c]}'
            if kind is not None:  # plain texts of one kind (memo: the distinct texts)
                st = styles[c, kind]
                if None not in col:
                    tail = {v: f'"{st} t="inlineStr"><is><t>{v}</t></is></c>'.encode() for v in memo}
                    pieces.extend((repeat(pre.encode(), m), rb, map(tail.__getitem__, col)))
                    full = True
                else:
                    text_tail = {v: f'"{st} t="inlineStr"><is><t>{v}</t></is></c>' for v in memo}
                    xml = [f"{pre}{r}{text_tail[v]}".encode() if v is not None else b"" for r, v in zip(rs, col)]
                    pieces.append(xml)
                    full = full or b"" not in xml
                if kind == "w":
                    width = spec.column_widths.get(c, DEFAULT_WIDTH)
                    lines_of = {v: wrapped_lines(v, width) for v in memo}
                    if any(n > 1 for n in lines_of.values()):
                        lines_of[None] = 1
                        col_lines = list(map(lines_of.__getitem__, col))
                        lines = col_lines if lines is None else list(map(max, lines, col_lines))
                self.max_col = max(self.max_col, c)
                continue
            if memo:
                after = {v: styles[c, e[0]] + e[1] for v, e in memo.items() if e[0]}
                texts = [f'{pre}{r}"{after[v]}' if k else "" for r, v, k in zip(rs, col, kinds)]
                if any(e[2] > 1 for e in memo.values()):
                    col_lines = [memo[v][2] if k == "w" else 1 for v, k in zip(col, kinds)]
                    lines = col_lines if lines is None else list(map(max, lines, col_lines))
            elif (c, "n") in styles:
                st = styles[c, "n"]
                texts = [f'{pre}{r}"{st}><v>{v!r}</v></c>' if k else "" for r, v, k in zip(rs, col, kinds)]
            else:
                texts = [""] * m
            for i, (text, n) in slow.get(c, {}).items():
                texts[i] = text or ""
                if n > 1:
                    lines = lines or [1] * m
                    lines[i] = max(lines[i], n)
            xml = list(map(str.encode, texts))
            if any(xml):
                self.max_col = max(self.max_col, c)
            pieces.append(xml)
            full = full or b"" not in xml
        # 4. the rows: opening tags (with a height where a wrapped text needs one), cells, joined once
        if lines is None:
            opens = [b'<row r="%s">' % r for r in rb]
        else:
            opens = [f'<row r="{r}" ht="{LINE_HEIGHT * n:g}" customHeight="1">'.encode() if n > 1 else
                     b'<row r="%s">' % r.encode() for r, n in zip(rs, lines)]
        rows_xml = zip(opens, *pieces, repeat(b"</row>", m))
        if full:
            self.max_row = lo + m
        else:  # rows without a cell are left out (every column here is a list of cells)
            filled = list(map(any, zip(*pieces))) if pieces else [False] * m
            rows_xml = compress(rows_xml, filled)
            if any(filled):
                self.max_row = lo + m - filled[::-1].index(True)
        return b"".join(chain.from_iterable(rows_xml))

    def _rows_by_cell(self, placed: "Placed | None" = None) -> list[bytes]:
        out: list[bytes] = []
        emit = self.sink or out.append
        header_rows = self.spec.header_rows
        letters: list[str] = []
        extra_rows = placed.cells if placed is not None else {}
        styles = placed.styles if placed is not None else {}
        styled_rows: dict[int, dict[int, int]] = {}
        for (r, c), xf in styles.items():
            styled_rows.setdefault(r, {})[c] = xf
        owned = self.spec.owned() if placed is not None else None
        n_rows = len(self.spec.rows)
        last = max([n_rows, *extra_rows, *styled_rows]) if (extra_rows or styled_rows) else n_rows
        for r in range(1, last + 1):
            values = self.spec.rows[r - 1] if r <= n_rows else ()
            if r > MAX_ROWS:
                raise SpecError(_too_many_rows(self.spec.name))
            if len(values) > len(letters):
                if len(values) > MAX_COLS:
                    raise SpecError(f"sheet {self.spec.name!r} row {r} has more than {MAX_COLS} columns")
                letters.extend(column_letter(i) for i in range(len(letters), len(values)))
            header = r <= header_rows
            self.styles.row = r - 1
            self.lines = 1
            cells = []
            last_col = -1
            rs = str(r)
            for c, value in enumerate(values):
                if value is None:
                    continue
                if owned is not None and c not in owned:
                    raise SpecError(f"sheet {self.spec.name!r}: column {column_letter(c)} is not one of "
                                    "xlclient's columns (owned_columns)")
                xml = self.cell(letters[c] + rs, value, header, c, r)
                if xml is not None:
                    cells.append((c, xml))
                    last_col = c
            if r in styled_rows:
                cells = _restyle(cells, styled_rows[r], rs)
            if r in extra_rows:
                cells = sorted(cells + extra_rows[r], key=lambda t: t[0])
            if cells:
                # a row whose wrapped text needs more than one line is given its height: neither
                # Excel nor LibreOffice grows a row on opening a file, so the lines would overlap
                height = f' ht="{LINE_HEIGHT * self.lines:g}" customHeight="1"' if self.lines > 1 else ""
                emit(f'<row r="{r}"{height}>{"".join(x for _, x in cells)}</row>'.encode("utf-8"))
                self.max_row = r
                last_col = max(last_col, cells[-1][0])
                if last_col > self.max_col:
                    self.max_col = last_col
        return out


def _only_owned(sheet: str, rows: Sequence[Sequence[Any]], owned: frozenset[int], widest: int) -> None:
    """Raise when a row has a value in a column outside ``owned`` (the same error, for the
    same first cell, as the cell-by-cell writer). Only those columns are looked at, each
    in one pass."""
    first: tuple[int, int] | None = None  # (row, column) of the first such cell, row by row
    for c in range(widest):
        if c in owned:
            continue
        r = next((i for i, values in enumerate(rows) if len(values) > c and values[c] is not None), None)
        if r is not None and (first is None or r < first[0]):
            first = (r, c)
    if first is not None:
        raise SpecError(f"sheet {sheet!r}: column {column_letter(first[1])} is not one of "
                        "xlclient's columns (owned_columns)")


_S_ATTR = re.compile(r'\ss="\d+"')


def _restyle(cells: list[tuple[int, str]], styles: dict[int, int], rs: str) -> list[tuple[int, str]]:
    """Put the formats people applied (xf index by column) onto the row's new cells;
    a formatted cell that is now empty stays as an empty formatted cell."""
    out = []
    done = set()
    for c, xml in cells:
        if c in styles:
            end = xml.index(">")
            closing = xml[end - 1] == "/"
            head = _S_ATTR.sub("", xml[:end - 1] if closing else xml[:end])
            xml = f'{head} s="{styles[c]}"' + ("/>" if closing else ">" + xml[end + 1:])
            done.add(c)
        out.append((c, xml))
    for c, xf in styles.items():
        if c not in done:
            out.append((c, f'<c r="{column_letter(c)}{rs}" s="{xf}"/>'))
    return sorted(out, key=lambda t: t[0])


# --------------------------------------------------------------------------- sheet

def _sheet_views(header_rows: int, freeze: bool) -> str:
    if freeze and header_rows > 0:
        top = f"A{header_rows + 1}"
        return (f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{header_rows}" topLeftCell="{top}" '
                f'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="{top}" '
                f'sqref="{top}"/></sheetView></sheetViews>')
    return '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'


def build_worksheet_xml(spec: SheetSpec, styles: StyleBook, date1904: bool = False,
                        placed: "Placed | None" = None, decls: str = "",
                        drawing_rid: str | None = None) -> tuple[bytes, str | None]:
    """The worksheet part for ``spec`` and the autofilter range (A1 form) or None (see
    :func:`worksheet_chunks`)."""
    chunks, autofilter = worksheet_chunks(spec, styles, date1904, placed, decls, drawing_rid)
    return b"".join(chunks), autofilter


def worksheet_chunks(spec: SheetSpec, styles: StyleBook, date1904: bool = False,
                     placed: "Placed | None" = None, decls: str = "",
                     drawing_rid: str | None = None,
                     rows_to: "Callable[[bytes], None] | None" = None) -> tuple[list[bytes], str | None]:
    """The worksheet part for ``spec``, as UTF-8 chunks to be written one after the other
    (never joined: a 1,000,000-row sheet is ~700 MB of XML), and the autofilter range (A1
    form) or None. With ``rows_to``, the ``<row>`` chunks are handed to it as they are made
    and not kept: the chunks returned are then the part's head and tail, the rows between.

    ``placed``: what people added to the sheet as it was, at its new places (see
    :mod:`.additions`); ``decls``: the namespace declarations those pieces need;
    ``drawing_rid``: the relationship of xlclient's drawing (charts) when the sheet had none."""
    validate_sheet_name(spec.name)
    if not isinstance(spec.header_rows, int) or spec.header_rows < 0:
        raise SpecError(f"sheet {spec.name!r}: header_rows must be a non-negative integer")
    formats = {int(k): str(v) for k, v in spec.number_formats.items()}
    writer = _RowWriter(spec, _Styles(styles, formats, spec), date1904, rows_to)
    rows = writer.rows_xml(placed)
    last_col = max(writer.max_col, 0)
    last_row = max(writer.max_row, 1)
    dimension = "A1" if writer.max_row == 0 else f"A1:{column_letter(last_col)}{last_row}"
    autofilter = None
    if spec.autofilter and spec.header_rows > 0 and writer.max_col >= 0 and not (placed and placed.has_table):
        owned_last = max(spec.owned(), default=last_col) if spec.owned_columns is not None else last_col
        owned_last = min(owned_last, last_col) if spec.owned_columns is None else owned_last
        end_row = last_row
        if spec.table_end is not None:
            end_row, owned_last = spec.table_end
        autofilter = f"A{spec.header_rows}:{column_letter(owned_last)}{max(end_row, spec.header_rows)}"
    kept = placed.elements if placed is not None else {}
    cols = _cols_xml(spec.name, spec.column_widths)
    if placed is not None and placed.extra_cols:
        ours = cols[len("<cols>"):-len("</cols>")] if cols else ""
        cols = "<cols>" + "".join(sorted([*re.findall(r"<col\b[^>]*/>", ours), *placed.extra_cols],
                                         key=lambda x: int(re.search(r'min="(\d+)"', x)[1]))) + "</cols>"
    sheet_pr = _tab_color(spec.name, spec.tab_color)
    if placed is not None and (placed.sheet_pr_attrs or placed.sheet_pr_children):
        tab = sheet_pr[len("<sheetPr>"):-len("</sheetPr>")] if sheet_pr else ""
        attrs = (" " + placed.sheet_pr_attrs) if placed.sheet_pr_attrs else ""
        sheet_pr = f"<sheetPr{attrs}>{tab}{placed.sheet_pr_children}</sheetPr>"
    if spec.landscape and not kept.get("pageSetup"):
        fit = "<pageSetUpPr fitToPage=\"1\"/>"
        if not sheet_pr:
            sheet_pr = f"<sheetPr>{fit}</sheetPr>"
        elif "pageSetUpPr" not in sheet_pr:
            sheet_pr = sheet_pr.replace("</sheetPr>", fit + "</sheetPr>") if sheet_pr.endswith("</sheetPr>") else sheet_pr
    validations = _validation_xml(spec.name, spec.data_validations)
    if kept.get("dataValidations"):
        validations = _merge_validations(validations, kept["dataValidations"])
    highlights = _highlights_xml(spec, styles, max(last_row, spec.header_rows + 1))
    if kept.get("conditionalFormatting"):
        highlights = _merge_highlights(highlights, kept["conditionalFormatting"])
    ours = {
        "sheetPr": [sheet_pr], "dimension": [f'<dimension ref="{dimension}"/>'],
        "sheetViews": [_sheet_views(spec.header_rows, spec.freeze_header)],
        "sheetFormatPr": ['<sheetFormatPr defaultRowHeight="15"/>'], "cols": [cols],
        "sheetData": ["<sheetData>", "\0ROWS\0", "</sheetData>"],  # the encoded rows go there, below
        "autoFilter": [f'<autoFilter ref="{autofilter}"/>' if autofilter else ""],
        "dataValidations": [validations],
        "conditionalFormatting": highlights,
        "pageMargins": ['<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'],
    }
    if spec.landscape and not kept.get("pageSetup"):
        ours["pageSetup"] = ['<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>']
    if drawing_rid and not kept.get("drawing"):
        ours["drawing"] = [f'<drawing r:id="{drawing_rid}"/>']
        if 'xmlns:r="' not in decls:
            decls = (decls + " " if decls else "") + 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    from .additions import ELEMENT_ORDER

    body = []
    for local in ELEMENT_ORDER:
        if local in ours and (local != "pageMargins" or not kept.get(local)):
            body.extend(ours[local])
        elif local in kept:
            body.extend(kept[local])
    root_attrs = f'xmlns="{_MAIN_NS}"' + (" " + decls if decls else "")
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n', f"<worksheet {root_attrs}>", *body,
             "</worksheet>"]
    # the rows are bytes already: the rest is encoded around them
    head, tail = "".join(parts).split("\0ROWS\0")
    return [head.encode("utf-8"), *rows, tail.encode("utf-8")], autofilter


def highlight_formula(word: str, col: int, first_row: int) -> str:
    """The condition (no "=") under which a cell of column ``col`` (0-based), written for
    its first row ``first_row``, contains ``word``: Excel's own form of a "text that
    contains" rule. The headless writer and the Excel path write this same text, so a rule
    of an earlier run is known by it."""
    quoted = word.replace('"', '""')
    return f'NOT(ISERROR(SEARCH("{quoted}",{column_letter(col)}{first_row})))'


def _highlights_xml(spec: SheetSpec, styles: StyleBook, last_row: int) -> list[str]:
    """One ``<conditionalFormatting>`` per highlighted column: a containsText rule per word."""
    out = []
    first = spec.header_rows + 1
    priority = 1
    for col, words, font, fill in spec.highlights:
        letter = column_letter(col)
        dxf = styles.dxf_index(font, fill)
        rules = []
        for word in words:
            text = escape_attr(word)
            formula = escape_attr(highlight_formula(encode_xstring(word), col, first))
            rules.append(f'<cfRule type="containsText" dxfId="{dxf}" priority="{priority}" operator="containsText" '
                         f'text="{text}"><formula>{formula}</formula></cfRule>')
            priority += 1
        out.append(f'<conditionalFormatting sqref="{letter}{first}:{letter}{last_row}">{"".join(rules)}'
                   '</conditionalFormatting>')
    return out


def _merge_highlights(ours: list[str], theirs: list[str]) -> list[str]:
    """Our colours plus every conditional format of the people's: one whose rules are ours
    from an earlier run (same words on the same column) is left out."""
    def signature(block: str) -> tuple:
        ref = re.search(r"sqref\s*=\s*[\"']([A-Z]+)\d", block)
        texts = tuple(re.findall(r'<(?:[\w.-]+:)?cfRule\b[^>]*\btext="([^"]*)"', block))
        return (ref[1] if ref else None, texts)

    mine = {signature(b) for b in ours}
    kept = [b for b in theirs if not (signature(b)[1] and signature(b) in mine)]
    return ours + kept


def _merge_validations(ours: str, theirs: list[str]) -> str:
    """Our drop-downs plus every data validation of the people's: one with the range or
    the list of one of ours is ours from an earlier run and is left out."""
    mine = re.findall(r"<dataValidation\b.*?</dataValidation>", ours, re.S)
    my_refs = {re.search(r'sqref="([^"]*)"', m)[1] for m in mine}
    my_lists = {re.search(r"<formula1>(.*?)</formula1>", m, re.S)[1] for m in mine}
    kept = []
    for block in theirs:
        for m in re.finditer(r"<((?:[\w.-]+:)?)dataValidation\b(?:[^>]*?/>|.*?</\1dataValidation>)", block, re.S):
            ref = re.search(r"sqref\s*=\s*[\"']([^\"']*)[\"']", m[0])
            formula = re.search(r"<(?:[\w.-]+:)?formula1>(.*?)</(?:[\w.-]+:)?formula1>", m[0], re.S)
            if (ref and ref[1] in my_refs) or (formula and formula[1] in my_lists):
                continue
            kept.append(m[0])
    items = mine + kept
    if not items:
        return ""
    return f'<dataValidations count="{len(items)}">{"".join(items)}</dataValidations>'
