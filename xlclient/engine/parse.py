"""Cell parsers: turn the raw cells of one column into typed values, column at a time.

Agencies type amounts as ``120万``, ``1.2亿``, ``¥3,500`` or ``12.5k``, dates as Excel dates,
serial numbers or text like ``2026年3月5日``, and yes/no as 是/否, Y/N or ✓. Each parser takes
a whole column of raw cells exactly as a reader or xlwings hands them over (floats for
numbers, ``datetime``/``date`` objects, ``str``, ``bool``, ``None`` or ``""`` for blanks, and
whatever else a cell can hold: ``time``, ``timedelta``, numpy scalars, ``Decimal``) and
returns a :class:`Parsed`: a numpy array of values (NaN / NaT where blank or unusable) and
an array of problem codes (``None`` where the cell was fine or blank). Blank cells are never
problems; no cell value of any type makes a parser raise.

Work is vectorised: cells are sorted by type with one C-level pass, numbers go through
numpy, and only the distinct strings of a column take the (pandas/regex) text path, so a
column of 100,000 cells costs a few tens of milliseconds.

Text amounts are computed from their decimal digits (``1.2亿`` is 12 x 10^7), so an amount
written in any accepted style reads back as exactly the float of its decimal value. A money
cell may also hold words a person reads (SPEC 2): Chinese numerals (``十七万``, ``两百八十二万``,
``一亿五千万``), an approximate amount (``约50万``, ``50万左右``: read, with the note
``approximate_amount``), or a word saying there is no amount yet (``待定``, ``暂无``, ``TBD``,
``-``: ``no_amount``). A bound or a range (``50万以上``, ``30-50万``) is no amount (``money``).
"""

from __future__ import annotations

import datetime as dt
import decimal
import fractions
import math
import operator
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd

# Text read as a blank cell by the date, yes/no and number parsers. A money cell reads these
# (and 待定, 暂无, TBD ...) as "no amount" instead, which is reported (see _NO_AMOUNT_RE).
BLANK_TOKENS = frozenset({"", "-", "--", "---", "—", "——", "–", "/", "n/a", "na", "none", "null", "无数据"})

# Excel error values (lower case) as a reader may hand them over when it keeps them as text.
# Every one, ``#N/A`` included, is a problem (``excel_error``), never a blank (SPEC 2).
EXCEL_ERRORS = frozenset({"#null!", "#div/0!", "#value!", "#ref!", "#name?", "#num!", "#n/a", "#getting_data",
                          "#spill!", "#calc!", "#field!", "#blocked!", "#busy!", "#connect!", "#unknown!",
                          "#python!", "#external!"})

# Problem codes that are notes: the value was read and is kept (约50万 is read as 50万 and
# noted). Every other code comes with NaN / NaT: the value is not used.
NOTE_CODES = frozenset({"approximate_amount"})

# Larger amounts (1,000 万亿 yuan) are typing or unit mistakes, and beyond what the tier
# rule can add up exactly in fen.
MAX_AMOUNT = 1e15

# Money suffixes (after NFKC normalisation and lower-casing) -> multiplier in yuan.
MONEY_SCALES: dict[str, float] = {
    "": 1.0,
    "元": 1.0,
    "块": 1.0,
    "块钱": 1.0,
    "rmb": 1.0,
    "cny": 1.0,
    "人民币": 1.0,
    "k": 1e3,
    "千": 1e3,
    "千元": 1e3,
    "w": 1e4,
    "万": 1e4,
    "万元": 1e4,
    "m": 1e6,
    "百万": 1e6,
    "百万元": 1e6,
    "千万": 1e7,
    "千万元": 1e7,
    "亿": 1e8,
    "亿元": 1e8,
}
_SCALE_EXP: dict[str, int] = {k: int(round(np.log10(v))) for k, v in MONEY_SCALES.items()}

# A decimal number: digits with optional thousands separators in groups of three (``1,234,567``)
# or plain digits, an optional fraction, an optional exponent. ``1,2`` or ``12,34`` (a decimal
# comma, or a grouping we cannot be sure of) do not match and are reported.
_NUM = r"(?P<int>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<frac>\d*))?(?:e(?P<exp>[+-]?\d{1,4}))?"
_UNITS = r"千万元|千万|百万元|百万|亿元|亿|万元|万|千元|千|元|块钱|块|rmb|cny|人民币|k|w|m"
_CURRENCY = r"rmb|cny|人民币|¥"
_MONEY_RE = re.compile(rf"^(?P<s1>[+-]?)(?:{_CURRENCY})?(?P<s2>[+-]?){_NUM}(?P<unit>{_UNITS})?$")
_CURRENCY_UNITS = frozenset({"", "rmb", "cny", "人民币"})
_YUAN_UNITS = frozenset({"元", "块", "块钱"})
_ACCOUNTING_RE = re.compile(rf"^\+?((?:{_CURRENCY})?)\(([^()]*)\)([^()]*)$")
_PLAIN_RE = re.compile(r"^(?P<int>\d+)(?:\.(?P<frac>\d*))?(?P<exp>)$")
_SIGNED_RE = re.compile(rf"^(?P<sign>[+-]?){_NUM}$")
_SPACES_RE = re.compile(r"\s")
_STARS_RE = re.compile(r"★+☆*")
_COMPOUND_RE = re.compile(
    r"^(?:rmb|cny|人民币|¥)?(?P<yi>\d+(?:\.\d*)?)亿(?P<wan>\d+(?:\.\d*)?)万元?$"
)

_TIME = r"(?:(?:\s+|\s*t\s*)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:z|[+-]\d{2}:?\d{2}|am|pm))?)?"
_WEEKDAY = r"(?:\s*\(?(?:周|星期|礼拜)[一二三四五六日天]\)?)?"
_DATE_RE = re.compile(
    rf"^(?P<y>\d{{4}})\s*[-/.年]\s*(?P<m>\d{{1,2}})\s*[-/.月]\s*(?P<d>\d{{1,2}})\s*[日号]?{_WEEKDAY}{_TIME}{_WEEKDAY}$"
)
_DATE_COMPACT_RE = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
# 3/5/2026: month first (an American export) or day first (a British or Hong Kong one)?
_DATE_YEAR_LAST_RE = re.compile(rf"^(?P<a>\d{{1,2}})\s*[-/.]\s*(?P<b>\d{{1,2}})\s*[-/.]\s*(?P<y>\d{{4}}){_TIME}$")
_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                            "dec"))}
_MON = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE_DMY_NAME_RE = re.compile(rf"^(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s\-/.]*{_MON}[\s\-/.,]*(?P<y>\d{{4}}){_TIME}$")
_DATE_MDY_NAME_RE = re.compile(rf"^{_MON}[\s\-/.]*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s,]+(?P<y>\d{{4}}){_TIME}$")

TRUE_TOKENS = frozenset({"是", "有", "对", "y", "yes", "true", "t", "1", "1.0", "✓", "✔", "√", "☑", "已付",
                         "已交", "已支付", "已付款", "已收", "已收到"})
FALSE_TOKENS = frozenset({"否", "无", "没有", "不", "n", "no", "false", "f", "0", "0.0", "×", "✗", "✘", "☐",
                          "未付", "未交", "未支付", "未付款", "未收"})

EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
_EPOCH_1900 = np.datetime64("1899-12-30", "D")
_EPOCH_1904 = np.datetime64("1904-01-01", "D")
# A number in a date column is read as an Excel serial only from 1950 on: smaller numbers
# (a count, a number of days, a typo: 5 would be 1900-01-05) are reported, not guessed;
# so are date cells before 1950 (the same serials, shown as dates: 1900-01-01 is 1).
MIN_SERIAL_DATE = np.datetime64("1950-01-01", "D")
# Text dates must name a year from 1900 (``0001-01-01`` is not a client's date).
MIN_TEXT_DATE = np.datetime64("1900-01-01", "D")
_UNIX_ORDINAL = dt.date(1970, 1, 1).toordinal()

# Traditional Chinese characters of headers, units and the words the parsers know, to their
# simplified forms (a Hong Kong or Taiwan office types 客戶名稱, 萬, 無, 合計): every character
# OpenCC's t2s maps to one other (店鋪, 聯絡, 購買 ... as well), with the words below kept as
# written here where the two differ. A table (str.translate) keeps it as fast as before.
_TRADITIONAL_WORDS = str.maketrans(
    "戶稱經額業狀態負責區規務員銷時數單訪潛評階溝見會類營難競觸層變動鎖級費號碼編約萬億計總註備說據來聯繫電話郵廣預幣簽筆資歷與標準"
    "報價實際對長項進況開發無產屬稅當現紀錄週點個東內淨適顧匯審頁"
    "別絡團隊組場網細協貢獻門間問題視體驗貨運參結達複購買賣傳託頻漲減歸導態狀歲際週續約終停誌戶帳賬該額"
    "歡業務進兩貳陸",
    "户称经额业状态负责区规务员销时数单访潜评阶沟见会类营难竞触层变动锁级费号码编约万亿计总注备说据来联系电话邮广预币签笔资历与标准"
    "报价实际对长项进况开发无产属税当现纪录周点个东内净适顾汇审页"
    "别络团队组场网细协贡献门间问题视体验货运参结达复购买卖传托频涨减归导态状岁际周续约终停志户帐账该额"
    "欢业务进两贰陆")


def _opencc_table() -> dict[int, int]:
    """Traditional -> simplified, character by character, from OpenCC (a well-kept
    dictionary: about 4,000 characters, built once in ~30 ms); empty where OpenCC is not
    installed (the words above still hold)."""
    try:
        import opencc
    except ImportError:  # pragma: no cover - a platform without an OpenCC wheel
        return {}
    chars = [chr(i) for i in (*range(0x3400, 0xA000), *range(0xF900, 0xFB00))]
    out = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(out) != len(chars):  # pragma: no cover - a dictionary that joined lines
        return {}
    return {ord(a): ord(b) for a, b in zip(chars, out) if a != b and len(b) == 1}


TRADITIONAL = {**_opencc_table(), **_TRADITIONAL_WORDS}

# Kinds of cell, as small ints.
BLANK, NUMBER, BOOL, STR, DATE, TIME, DELTA, OTHER = range(8)


@dataclass(frozen=True)
class Parsed:
    """Typed values of one column plus a problem code per cell (``None`` = fine or blank)."""

    values: np.ndarray
    problems: np.ndarray

    @property
    def bad(self) -> np.ndarray:
        """True where a cell has a problem: one that could not be used, or a note on a value
        that was read (:data:`NOTE_CODES`, e.g. an approximate amount)."""
        return pd.notna(self.problems) if len(self.problems) else np.zeros(0, dtype=bool)


# ---------------------------------------------------------------- sorting cells by type


def cells_array(raw: object) -> np.ndarray:
    """A column of raw cells as a 1-D object array (a list, tuple, Series or array). The
    parsers also take a 1-D float array: a column of numbers with NaN for blanks."""
    if isinstance(raw, np.ndarray) and raw.dtype == object and raw.ndim == 1:
        return raw
    if isinstance(raw, pd.Series):
        raw = raw.tolist()
    elif isinstance(raw, np.ndarray):
        raw = list(raw.ravel())
    elif not isinstance(raw, (list, tuple)):
        raw = list(raw)  # type: ignore[call-overload]
    return np.fromiter(raw, dtype=object, count=len(raw))


def _type_kind(t: type) -> int:
    if t is type(None):
        return BLANK
    if issubclass(t, str):
        return STR
    if issubclass(t, (bool, np.bool_)):
        return BOOL
    if issubclass(t, (int, float, np.integer, np.floating, decimal.Decimal, fractions.Fraction)):
        return NUMBER
    if t is type(pd.NaT) or t is type(pd.NA):
        return BLANK
    if issubclass(t, (dt.datetime, dt.date, np.datetime64)):
        return DATE
    if issubclass(t, dt.time):
        return TIME
    if issubclass(t, (dt.timedelta, np.timedelta64)):
        return DELTA
    return OTHER


class _TypeCodes(dict):
    """type -> a small code, made on first sight (a cell's type looked up in C: the
    ``map(codes.__getitem__, map(type, cells))`` of :func:`share_cell_types`)."""

    def __missing__(self, t: type) -> int:
        with _TYPE_CODES_LOCK:  # two threads meeting a new type at once give it one code
            if t in self:
                return self[t]
            if len(_TYPES) >= _MAX_TYPE_CODES:
                raise _TooManyTypes
            code = len(_TYPES)
            _KIND_OF_CODE[code] = _type_kind(t)
            _TYPES.append(t)
            self[t] = code
            return code


class _TooManyTypes(Exception):
    pass


_MAX_TYPE_CODES = 127
_TYPE_CODES_LOCK = threading.Lock()
_TYPES: list[type] = []
_KIND_OF_CODE = np.full(_MAX_TYPE_CODES, OTHER, dtype=np.int8)
_TYPE_CODES = _TypeCodes()


def _floats(cells: np.ndarray) -> np.ndarray:
    """Number cells as floats; ints too large for a float become inf (reported where needed)."""
    try:
        return cells.astype(float)
    except (OverflowError, ValueError, TypeError, decimal.InvalidOperation):
        out = np.empty(len(cells), dtype=float)
        for i, v in enumerate(cells):
            try:
                out[i] = float(v)
            except (OverflowError, ValueError, TypeError, decimal.InvalidOperation):
                out[i] = np.inf if v > 0 else -np.inf  # type: ignore[operator]
        return out


@dataclass
class _Cells:
    """One column sorted by kind, with the numbers already as floats."""

    cells: np.ndarray
    kinds: np.ndarray  # int8 per cell
    numbers: np.ndarray  # float per cell (NaN where not a number)

    def mask(self, kind: int) -> np.ndarray:
        return self.kinds == kind


#: While :func:`shared_columns` is active: (owner array id, data address, strides, shape) ->
#: (owner array, its sorted cells).
_SHARED: ContextVar["dict[tuple, tuple[np.ndarray, _Cells]] | None"] = ContextVar("xlclient_shared_columns",
                                                                                  default=None)


@contextmanager
def shared_columns() -> Iterator[None]:
    """Within this block a column given again -- the same cells of the same read-only
    array -- is sorted by kind once, not by every parser and check that looks at it (a
    1,000,000-row column costs 10-80 ms a look, and the client table's columns are looked
    at 40 times). Only views of an array whose owner is read-only are shared (the client
    book's grid is made so); the sorted cells are read-only too."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def _shared_key(what: str, raw: object) -> tuple | None:
    """The key of a column of a read-only grid while :func:`shared_columns` is active, else
    None (a copy, which nobody gives again, or a view of cells that could still change)."""
    if _SHARED.get() is None or not (isinstance(raw, np.ndarray) and raw.dtype == object and raw.ndim == 1
                                     and isinstance(raw.base, np.ndarray) and not raw.base.flags.writeable):
        return None
    return (what, id(raw.base), raw.__array_interface__["data"][0], raw.strides, raw.shape)


def share_cell_types(grid: np.ndarray, codes: np.ndarray | None = None) -> np.ndarray | None:
    """Inside :func:`shared_columns`: the type of every cell of a read-only grid, found in
    one pass in the order the cells were made (row by row: 0.85 s for 1,000,000 x 26 cells,
    where asking each column for its types took 1.4-3 s, every step a cache miss), for
    :func:`_sort_cells` to take its columns' from. ``codes``: those of this grid, already
    known (e.g. picked from the grid it was cut from). Returns the grid's codes (None
    outside the block, for a grid that may still change, or with more cell types than
    codes)."""
    shared = _SHARED.get()
    owner = grid.base if isinstance(grid.base, np.ndarray) else grid
    if shared is None or grid.dtype != object or owner.dtype != object or owner.flags.writeable \
            or not owner.flags.c_contiguous:
        return None
    if ("types", id(owner)) not in shared:
        if codes is not None:  # given for the grid: the grid must be the whole owner, in its order
            if codes.shape != grid.shape or grid.size != owner.size or not grid.flags.c_contiguous \
                    or _address(grid) != _address(owner):
                return None
            flat = np.ascontiguousarray(codes, dtype=np.int8).ravel()
        else:
            try:
                flat = np.fromiter(map(_TYPE_CODES.__getitem__, map(type, owner.ravel())), dtype=np.int8,
                                   count=owner.size)
            except _TooManyTypes:
                return None
        flat.setflags(write=False)
        shared[("types", id(owner))] = (owner, flat)  # the owner is kept: its id and address stay its own
    return _codes_of_view(grid)


def _address(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


def _codes_of_view(view: np.ndarray) -> np.ndarray | None:
    """The shared type codes of the cells of ``view`` (any view of a grid given to
    :func:`share_cell_types`: a column, a block of rows), laid out as the view is; None
    for anything else."""
    shared = _SHARED.get()
    owner = view.base if isinstance(view.base, np.ndarray) else view
    hit = shared.get(("types", id(owner))) if shared is not None else None
    if hit is None or hit[0] is not owner or view.dtype != object:
        return None
    flat = hit[1]
    item = owner.itemsize
    offset, rest = divmod(_address(view) - _address(owner), item)
    steps = [st // item for st in view.strides]
    if rest or any(st % item for st in view.strides):
        return None
    reach = [(n - 1) * st for n, st in zip(view.shape, steps) if n]
    if 0 in view.shape:
        return np.zeros(view.shape, dtype=np.int8)
    low = offset + sum(r for r in reach if r < 0)
    high = offset + sum(r for r in reach if r > 0)
    if low < 0 or high >= len(flat):
        return None
    return np.lib.stride_tricks.as_strided(flat[offset:], shape=view.shape, strides=tuple(steps), writeable=False)


def _made_once(what: str, raw: object, make: Callable[[object], np.ndarray]) -> np.ndarray:
    """``make(raw)``; inside :func:`shared_columns`, made once per shared column and handed
    out as a copy (a caller may change its own)."""
    key = _shared_key(what, raw)
    if key is None:
        return make(raw)
    shared = _SHARED.get()
    assert shared is not None
    if key not in shared:
        shared[key] = (raw.base, make(raw))  # type: ignore[union-attr]
    return shared[key][1].copy()


def _sort_cells(raw: object) -> _Cells:
    key = _shared_key("sorted", raw)
    if key is None:
        return _sort_cells_now(raw)
    shared = _SHARED.get()
    assert shared is not None
    hit = shared.get(key)
    if hit is not None:
        return hit[1]
    c = _sort_cells_now(raw)
    c.kinds.setflags(write=False)
    if c.numbers.flags.writeable:
        c.numbers.setflags(write=False)
    shared[key] = (raw.base, c)  # the grid is kept: its id and address stay its own meanwhile
    return c


def _sort_cells_now(raw: object) -> _Cells:
    if isinstance(raw, np.ndarray) and raw.dtype.kind == "f" and raw.ndim == 1:
        # a column already read as numbers (NaN = blank): nothing to sort
        numbers = raw.astype(float)
        blank = np.isnan(numbers)
        return _Cells(raw, np.where(blank, BLANK, NUMBER).astype(np.int8), numbers)
    cells = cells_array(raw)
    n = len(cells)
    kinds = np.full(n, OTHER, dtype=np.int8)
    numbers = np.broadcast_to(np.float64(np.nan), (n,))  # no room taken unless there are numbers
    if n == 0:
        return _Cells(cells, kinds, numbers)
    codes = _codes_of_view(cells) if isinstance(raw, np.ndarray) else None
    if codes is not None:  # the types were found for the whole grid at once (share_cell_types)
        kinds = _KIND_OF_CODE[codes]
        for code in np.flatnonzero(np.bincount(codes, minlength=len(_TYPES))):
            if issubclass(_TYPES[code], np.datetime64):  # NaT is blank
                where = np.flatnonzero(codes == code)
                isnat = np.fromiter((np.isnat(v) for v in cells[where]), dtype=bool, count=len(where))
                kinds[where[isnat]] = BLANK
        return _with_numbers(cells, kinds)
    present = set(map(type, cells))
    given = present - {type(None)}
    only = next(iter(given)) if len(given) == 1 else None
    if only is not None and _type_kind(only) in (NUMBER, DATE, STR, BOOL) and not issubclass(only, np.datetime64):
        # one type of cell, maybe with blanks (the usual column): no per-cell type lookup
        kinds[:] = _type_kind(only)
        if len(present) > 1:
            kinds[np.asarray(cells == None, dtype=bool)] = BLANK  # noqa: E711 - elementwise, in C
    else:
        types = list(map(type, cells))
        type_ids = np.fromiter(map(id, types), dtype=np.int64, count=n)
        for t in present:
            of_type = type_ids == id(t)
            kinds[of_type] = _type_kind(t)
            if issubclass(t, np.datetime64):  # NaT is blank
                where = np.flatnonzero(of_type)
                isnat = np.fromiter((np.isnat(v) for v in cells[where]), dtype=bool, count=len(where))
                kinds[where[isnat]] = BLANK
    return _with_numbers(cells, kinds)


def _with_numbers(cells: np.ndarray, kinds: np.ndarray) -> _Cells:
    """The sorted cells, with the numbers as floats (a NaN number is blank)."""
    numbers = np.broadcast_to(np.float64(np.nan), (len(cells),))  # no room taken unless there are numbers
    num = kinds == NUMBER
    if num.any():
        numbers = np.full(len(cells), np.nan)
        numbers[num] = _floats(cells[num])
        kinds[num & np.isnan(numbers)] = BLANK
    return _Cells(cells, kinds, numbers)



def _scatter_text(c: _Cells, values: np.ndarray, problems: np.ndarray, code: str, parse_unique) -> None:
    """Parse each distinct string cell once (``parse_unique(uniques) -> (values, blank)``)
    and scatter the results; a non-blank text that gives NaN/NaT gets ``code``."""
    is_str = c.kinds == STR
    if not is_str.any():
        return
    codes, uniques = pd.factorize(c.cells[is_str])
    vals_u, blank_u = parse_unique(uniques)
    parsed, blank = vals_u[codes], blank_u[codes]
    idx = np.flatnonzero(is_str)
    values[idx] = parsed
    missing = np.isnat(parsed) if parsed.dtype.kind == "M" else np.isnan(parsed)
    problems[idx[missing & ~blank]] = code


def _optional_floats(parsed: list[float | None]) -> tuple[np.ndarray, np.ndarray]:
    """(floats with NaN for None, blank mask = None) of per-text results."""
    blank = np.fromiter((v is None for v in parsed), dtype=bool, count=len(parsed))
    return np.array([np.nan if v is None else v for v in parsed], dtype=float), blank

def _excel_errors(c: "_Cells", problems: np.ndarray) -> np.ndarray:
    """Mark string cells holding an Excel error value (``#N/A``, ``#DIV/0!``, ``#REF!`` …)
    as ``excel_error`` instead of the field's own message."""
    text = c.kinds == STR
    idx = np.flatnonzero(text & pd.notna(problems))
    for i in idx:
        v = c.cells[i]
        if isinstance(v, str) and v.strip()[:1] == "#" and v.strip().lower() in EXCEL_ERRORS:
            problems[i] = "excel_error"
    return problems

def kinds_of(raw: object) -> np.ndarray:
    """The kind of each cell (BLANK, NUMBER, BOOL, STR, DATE, TIME, DELTA, OTHER); blank
    strings are STR here (see :func:`blank_mask`)."""
    return _sort_cells(raw).kinds


def blank_mask(raw: object) -> np.ndarray:
    """True where a cell is empty: None, NaN/NaT, or a string of only spaces. Inside
    :func:`shared_columns`, made once per column (each caller gets its own copy)."""
    return _made_once("blank", raw, _blank_mask_now)


def _blank_mask_now(raw: object) -> np.ndarray:
    c = _sort_cells(raw)
    blank = c.kinds == BLANK
    s = c.kinds == STR
    if s.any():
        strings = list(c.cells[s])  # empty or only spaces, in two C-level passes
        blank[s] = (np.fromiter(map(len, strings), dtype=np.int64, count=len(strings)) == 0) | \
            np.fromiter(map(str.isspace, strings), dtype=bool, count=len(strings))
    return blank


def _normalised(u: pd.Series) -> pd.Series:
    """NFKC (full-width to half-width), simplified, trimmed, lower-cased text."""
    return pd.Series([unicodedata.normalize("NFKC", str(v)).strip().lower().translate(TRADITIONAL) for v in u],
                     dtype=object, index=u.index)


def _empty(n: int, dtype: str) -> np.ndarray:
    if dtype == "datetime64[D]":
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    return np.full(n, np.nan, dtype=float)


# ---------------------------------------------------------------- money


_SEPARATORS_RE = re.compile(r"[\s'_]")


def _decimal(m: re.Match[str], extra_exp: int) -> float:
    """The decimal number of a match's ``int``/``frac``/``exp`` groups times 10**extra_exp,
    correctly rounded (Python integers are exact); NaN when it has no digit."""
    ints = (m.group("int") or "").replace(",", "")
    frac = m.group("frac") or ""
    if not ints and not frac:
        return math.nan
    return _exact(int(ints + frac), int(m.group("exp") or 0) + extra_exp - len(frac), len(ints))


def _exact(mant: int, exp: int, ints: int) -> float:
    """``mant`` x 10**exp as the correctly rounded float (``ints``: digits before the point,
    to see an overflow coming)."""
    if mant == 0:
        return 0.0
    if exp > 400 or ints + exp > 400:
        return math.inf
    if exp < -400:
        return 0.0
    try:
        return float(mant * 10**exp) if exp >= 0 else mant / 10**-exp
    except OverflowError:
        return math.inf


# ---- what a money cell says besides its number
#
# Words that make an amount approximate ("about 50万"): the amount is read and noted on the
# row (``approximate_amount``). Only words that mean "about" in both directions; "nearly"
# (近, 将近, 接近) says the amount is close to the figure, which is what a reader takes too.
# A bound (50万以上, 不少于50万, 超过50万, 50万+, 50多万), a range (30-50万, 30万~50万) or a
# forecast (预计50万) is not an amount: it matches no form below and stays unreadable.
_APPROX_BEFORE_RE = re.compile(
    rf"^(?P<cur>{_CURRENCY})?(?:约合|大约|大概|差不多|将近|接近|约|近|approximately|approx\.?|about|around|circa|ca\."
    r"|~|≈|〜)")
_APPROX_AFTER_RE = re.compile(r"(?:左右|上下)$")
_YUAN_ZHENG_RE = re.compile(r"(?:[元圆]整|圆)$")  # 3500元整, 叁仟伍佰圆整: yuan, as on an invoice

# A cell that says there is no amount (yet): dashes or slashes, question marks, a word that
# starts with 待 / 未 / 暂 / 尚 / 无 / 没 (待定, 待确认, 未定, 暂无, 尚无, 无数据 ...) and holds no
# figure, or n/a, TBD, TBC, none ... It is ``no_amount`` (reported: that client is left
# untiered), never a blank and never an unreadable amount.
_FIGURE = "0-9零〇一二两三四五六七八九十百千万亿壹贰叁参肆伍陆柒捌玖拾佰仟廿¥$"
_NO_AMOUNT_RE = re.compile(
    rf"^(?:[-‐‑‒—–―_/\\…]+|[?？]+|(?:还未|还没|待|未|暂|尚|无|没)[^{_FIGURE}]{{0,8}}"
    r"|n\.?/?a\.?|tb[dca]|none|null|nil|unknown|pending|不详|不明|不清楚)$")

# Chinese numerals (十七万, 两百八十二万, 一亿五千万, 三千五百元, 三点五万, mixed 2万5千), read by
# cn2an (normal mode: the numeral grammar, zeros, spoken 一万五); Arabic digit runs between
# the characters are spelled out first. After a decimal point (点) come digits and a magnitude.
_CN_DIGITS = "零〇一二两三四五六七八九壹贰叁参肆伍陆柒捌玖廿"
_CN_UNITS = "十百千万亿拾佰仟"
_CN_RE = re.compile(
    rf"^(?P<sign>[+-]|负)?(?P<cur>{_CURRENCY})?(?P<int>[0-9{_CN_DIGITS}{_CN_UNITS}]+)"
    rf"(?:点(?P<frac>[0-9{_CN_DIGITS.replace('两', '').replace('廿', '')}]+)(?P<mag>千万|百万|万|亿)?)?"
    r"(?P<unit>元|块钱|块|rmb|cny|人民币)?$")
_CN_FRAC = str.maketrans("零〇一二三四五六七八九壹贰叁参肆伍陆柒捌玖", "001234567891234356789")
_ARABIC_RUN_RE = re.compile(r"\d+")
_MAG_EXP = {"千万": 7, "百万": 6, "万": 4, "亿": 8}


def _cn_int(text: str) -> int | None:
    """The whole number a Chinese numeral names (Arabic digit runs allowed before a unit
    character: 3千5百, 2万5), or None when it is not a well-formed numeral."""
    if not any(ch in _CN_UNITS for ch in text) and len(text) > 1:
        return None  # 一二三: digits read out one by one, not an amount
    if any(len(run) > 1 and run[0] == "0" for run in _ARABIC_RUN_RE.findall(text)) or text.isdigit():
        return None
    import cn2an  # noqa: PLC0415 - its import takes ~0.3 s; only a numeral written in characters needs it

    try:
        spelled = _ARABIC_RUN_RE.sub(lambda m: cn2an.an2cn(m.group()), text.replace("参", "叁"))
        value = cn2an.cn2an(spelled, "normal")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None
    return value if isinstance(value, int) and value >= 0 else None


def _cn_amount(t: str) -> tuple[int, int, str, bool] | None:
    """A Chinese-numeral amount: (mantissa, power of ten, its unit kind, negative?) with the kind
    ``"explicit"`` (it names 万 / 亿 itself: the value is in yuan), ``"yuan"`` (元, 块) or
    ``""`` (a bare number, in the column's unit); None when it is not one."""
    m = _CN_RE.match(t)
    if m is None or not any(ch in _CN_DIGITS or ch in _CN_UNITS for ch in m.group("int") + (m.group("frac") or "")):
        return None
    whole, frac, mag = m.group("int"), m.group("frac") or "", m.group("mag")
    if mag and ("万" in whole or "亿" in whole):
        return None  # 一万点五万
    n = _cn_int(whole)
    if n is None:
        return None
    digits = frac.translate(_CN_FRAC)
    unit = m.group("unit") or ""
    kind = "explicit" if mag or "万" in whole or "亿" in whole else ("yuan" if unit[:1] in ("元", "块") else "")
    return int(str(n) + digits), _MAG_EXP.get(mag or "", 0) - len(digits), kind, m.group("sign") in ("-", "负")


def _money_body(text: str) -> tuple[str, bool] | str | None:
    """A money text normalised (NFKC, simplified, lower case, no spaces or separators) and
    its approximation words taken off: (body, approximate?); ``"no_amount"`` for a text that
    says there is no amount; None when blank."""
    t = unicodedata.normalize("NFKC", text).strip().lower().translate(TRADITIONAL)
    if not t:
        return None
    t = _SEPARATORS_RE.sub("", t)
    if not t or _NO_AMOUNT_RE.match(t):
        return "no_amount"
    approx = False
    m = _APPROX_BEFORE_RE.match(t)
    if m is not None and m.end() < len(t):
        t, approx = (m.group("cur") or "") + t[m.end():], True
    m = _APPROX_AFTER_RE.search(t)
    if m is not None and m.start() > 0:
        t, approx = t[:m.start()], True
    return _YUAN_ZHENG_RE.sub("元", t), approx


def _money_one(text: str, mult_exp: int | None, multiplier: float) -> tuple[float, str | None, bool]:
    """One text amount in yuan: (value, problem code, written in 元?). Blank: (NaN, None);
    ``no_amount`` and ``money`` (unreadable) come with NaN; ``approximate_amount`` (约50万,
    50万左右) with the amount read."""
    body = _money_body(text)
    if body is None:
        return math.nan, None, False
    if isinstance(body, str):
        return math.nan, body, False
    t, approx = body
    value, yuan = _amount(t, mult_exp, multiplier)
    if math.isnan(value):
        return value, "money", False
    return value, "approximate_amount" if approx else None, yuan


def _amount(t: str, mult_exp: int | None, multiplier: float) -> tuple[float, bool]:
    """A normalised amount text in yuan, NaN when it is not one; and whether it is written in
    元 (块, 块钱) as its own unit."""
    if t[:1].isdigit() and mult_exp == 0:  # the common "number stored as text": float() rounds correctly
        try:
            value = float(t)
        except ValueError:
            pass
        else:
            return (value if math.isfinite(value) else math.nan), False
    if "(" in t:  # (1,200) or ¥(1,200)元: an accounting negative
        a = _ACCOUNTING_RE.match(t)
        if a is None:
            return math.nan, False
        t = "-" + (a.group(1) or "") + a.group(2) + a.group(3)
    m = _MONEY_RE.match(t)
    if m is None:
        c = _COMPOUND_RE.match(t)
        if c is not None:
            yi, wan = _PLAIN_RE.match(c.group("yi")), _PLAIN_RE.match(c.group("wan"))
            return _decimal(yi, 8) + _decimal(wan, 4), False  # type: ignore[arg-type]
        cn = _cn_amount(t)
        if cn is None:
            return math.nan, False
        mant, exp, kind, negative = cn
        if kind:
            number = _exact(mant, exp, len(str(mant)))
        elif mult_exp is not None:  # a bare number: in the column's unit, as the digits 3500 are
            number = _exact(mant, exp + mult_exp, len(str(mant)))
        else:
            number = _exact(mant, exp, len(str(mant))) * multiplier
        return (-number if negative else number), kind == "yuan"
    s1, s2, unit = m.group("s1"), m.group("s2"), m.group("unit") or ""
    if s1 and s2:
        return math.nan, False
    # A unit that names a magnitude (万, 亿, k, 元 ...) is the cell's own; a currency (¥, RMB,
    # CNY, 人民币) is not a magnitude: ``¥48.1`` in a 万元 column is 48.1万.
    explicit = unit not in _CURRENCY_UNITS
    if explicit or mult_exp is not None:
        value = _decimal(m, _SCALE_EXP[unit] if explicit else mult_exp)  # type: ignore[arg-type]
    else:
        value = _decimal(m, 0) * multiplier
    if math.isnan(value):
        return value, False
    return (-value if "-" in (s1, s2) else value), unit in _YUAN_UNITS


# ---------------------------------------------------------------- a few plain cells
# A single-cell formula parses one to four cells per call; numpy and pandas cost ~25 us per
# call whatever the size. Cells of the types Excel hands over for numbers, blanks, booleans
# and dates are answered in plain Python here -- the same values and problem codes as the
# vectorised path below (property-tested in tests/test_parse.py); anything else (text,
# numpy values, a Series) goes the vectorised way.

SMALL = 4
_UNIX_ORDINAL = dt.date(1970, 1, 1).toordinal()
_NAT_D = np.datetime64("NaT", "D")


def _small(raw: object, one: Callable[[Any], tuple[Any, str | None] | None], dtype: str) -> Parsed | None:
    if (type(raw) is not list and type(raw) is not tuple) or len(raw) > SMALL:  # type: ignore[arg-type]
        return None
    values, problems = [], []
    for v in raw:  # type: ignore[union-attr]
        r = one(v)
        if r is None:
            return None
        values.append(r[0])
        problems.append(r[1])
    return Parsed(np.array(values, dtype=dtype), np.array(problems, dtype=object))


def _one_float(v: Any, check: Callable[[float], tuple[float, str | None]],
               bool_code: str) -> tuple[float, str | None] | None:
    """A blank, a float (answered by ``check``), a boolean (``bool_code``), or None for the
    vectorised path."""
    if v is None:
        return math.nan, None
    t = type(v)
    if t is float:
        return (math.nan, None) if v != v else check(v)
    if t is bool:
        return math.nan, bool_code
    return None


def _one_money(v: Any, mult: float, allow_negative: bool) -> tuple[float, str | None] | None:
    def check(f: float) -> tuple[float, str | None]:
        x = f * mult
        if x in (math.inf, -math.inf):
            return math.nan, "money"
        if abs(x) > MAX_AMOUNT:
            return math.nan, "money_range"
        if x < 0 and not allow_negative:
            return math.nan, "negative_money"
        return x, None

    return _one_float(v, check, "money")


def _one_date(v: Any) -> tuple[np.datetime64, str | None] | None:
    if v is None:
        return _NAT_D, None
    t = type(v)
    if t is dt.datetime or t is dt.date:
        day = np.datetime64(v.toordinal() - _UNIX_ORDINAL, "D")
        return (_NAT_D, "date") if day < MIN_SERIAL_DATE else (day, None)
    if t is bool:
        return _NAT_D, "date"
    if t is float and v != v:
        return _NAT_D, None
    return None


def _one_number(v: Any, code: str, integer: bool, lo: float, hi: float) -> tuple[float, str | None] | None:
    def check(f: float) -> tuple[float, str | None]:
        if f < lo or f > hi or not math.isfinite(f) or (integer and f != math.floor(f)):
            return math.nan, code
        return f, None

    return _one_float(v, check, code)


def _one_bool(v: Any) -> tuple[float, str | None] | None:
    if v is None:
        return math.nan, None
    t = type(v)
    if t is bool:
        return (1.0 if v else 0.0), None
    if t is float:
        if v != v:
            return math.nan, None
        if v == 0 or v == 1:
            return v, None
        return math.nan, "bool"
    return None


def parse_money(raw: object, multiplier: float = 1.0, *, allow_negative: bool = False) -> Parsed:
    """Amounts in yuan. Plain numbers are scaled by the header's unit (``multiplier``);
    text with its own magnitude (``120万``, ``1.2亿``, ``12.5k``) keeps it, and a currency
    sign is no magnitude (``¥48.1`` in a 万元 column is 48.1万). A cell in 元 in a column of
    another unit (``48.1元`` under 投放额(万元)) is ``unit_conflict``: reported, not guessed.
    Negative amounts are reported (unless ``allow_negative``: a gross profit can be a
    loss); accounting negatives ``(1,200)`` are understood. Thousands separators must come in
    groups of three (``1,2`` is reported, not guessed). Chinese numerals are amounts;
    ``approximate_amount`` is a note on a value that was read (:data:`NOTE_CODES`);
    ``no_amount`` (待定, 暂无, TBD, -) is no value and not an unreadable one; an error value
    typed as text (``#N/A``) is ``excel_error``; only an empty cell is blank."""
    small = _small(raw, lambda v: _one_money(v, multiplier, allow_negative), "float")
    if small is not None:
        return small
    c = _sort_cells(raw)
    n = len(c.cells)
    values = _empty(n, "float")
    problems = np.full(n, None, dtype=object)

    num = c.kinds == NUMBER
    with np.errstate(over="ignore", invalid="ignore"):
        values[num] = c.numbers[num] * multiplier
    problems[(c.kinds == BOOL) | (c.kinds == DATE) | (c.kinds == TIME) | (c.kinds == DELTA)
             | (c.kinds == OTHER)] = "money"

    lg = np.log10(multiplier) if multiplier > 0 and np.isfinite(multiplier) else np.nan
    mult_exp = int(round(lg)) if np.isfinite(lg) and abs(10.0 ** round(lg) - multiplier) < 1e-9 * multiplier else None
    is_str = np.flatnonzero(c.kinds == STR)
    if len(is_str):  # each distinct text read once
        codes, uniques = pd.factorize(c.cells[is_str])
        read = [_money_one(u, mult_exp, multiplier) for u in uniques]
        values[is_str] = np.array([r[0] for r in read], dtype=float)[codes]
        problems[is_str] = np.array([r[1] for r in read] + [None], dtype=object)[:-1][codes]
        if multiplier != 1.0:  # written in 元 under another unit: reported, not guessed
            conflict = np.array([r[2] for r in read], dtype=bool)[codes]
            values[is_str[conflict]] = np.nan
            problems[is_str[conflict]] = "unit_conflict"

    infinite = np.isinf(values)
    problems[infinite] = "money"
    values[infinite] = np.nan
    with np.errstate(invalid="ignore"):
        huge = np.abs(values) > MAX_AMOUNT
    problems[huge] = "money_range"
    values[huge] = np.nan
    if not allow_negative:
        negative = values < 0
        problems[negative] = "negative_money"
        values[negative] = np.nan
    return Parsed(values, _excel_errors(c, problems))


# ---------------------------------------------------------------- dates


def serial_to_date(serial: np.ndarray, date1904: bool = False) -> np.ndarray:
    """Excel serial numbers to dates (time of day dropped); invalid serials give NaT.

    The 1900 system carries Excel's leap-year bug: serial 60 is the non-existent
    1900-02-29 (invalid here) and serials 1..59 are one day earlier than the epoch
    arithmetic gives.
    """
    serial = np.asarray(serial, dtype=float)
    out = np.full(serial.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    with np.errstate(invalid="ignore"):
        whole = np.floor(serial)
    if date1904:
        ok = (whole >= 0) & (whole <= EXCEL_MAX_SERIAL - 1462)
        out[ok] = _EPOCH_1904 + whole[ok].astype("int64")
        return out
    ok = (whole >= 1) & (whole <= EXCEL_MAX_SERIAL) & (whole != 60)
    days = whole.copy()
    days[whole < 60] += 1
    out[ok] = _EPOCH_1900 + days[ok].astype("int64")
    return out


def _ymd_to_dates(y: object, m: object, d: object) -> np.ndarray:
    """Year, month and day columns (numbers or digit strings, NaN allowed) to dates; impossible
    dates (2026-02-30) give NaT."""
    y = pd.to_numeric(pd.Series(y), errors="coerce").to_numpy(dtype=float)
    m = pd.to_numeric(pd.Series(m), errors="coerce").to_numpy(dtype=float)
    d = pd.to_numeric(pd.Series(d), errors="coerce").to_numpy(dtype=float)
    out = np.full(len(y), np.datetime64("NaT"), dtype="datetime64[D]")
    ok = (y >= 1) & (y <= 9999) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31)
    if not ok.any():
        return out
    yi, mi, di = y[ok].astype(np.int64), m[ok].astype(np.int64), d[ok].astype(np.int64)
    months = (yi - 1970) * 12 + (mi - 1)
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    next_first = (months + 1).astype("datetime64[M]").astype("datetime64[D]")
    date = first + (di - 1)
    valid = date < next_first
    res = np.full(len(yi), np.datetime64("NaT"), dtype="datetime64[D]")
    res[valid] = date[valid]
    out[ok] = res
    return out


def _date_objects(cells: np.ndarray) -> np.ndarray:
    """``date``/``datetime``/``Timestamp``/``datetime64`` cells to dates (the day shown)."""
    out = np.full(len(cells), np.datetime64("NaT"), dtype="datetime64[D]")
    is64 = np.zeros(len(cells), dtype=bool)
    if any(issubclass(t, np.datetime64) for t in set(map(type, cells))):
        is64[:] = [isinstance(v, np.datetime64) for v in cells]
    if is64.any():
        out[is64] = np.array(list(cells[is64])).astype("datetime64[D]")
    py = ~is64
    if py.any():
        ordinals = np.fromiter(map(operator.methodcaller("toordinal"), cells[py]), dtype=np.int64, count=int(py.sum()))
        out[py] = (ordinals - _UNIX_ORDINAL).astype("datetime64[D]")
    return out


def _date_text(u: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Distinct strings -> (date or NaT, blank?)."""
    t = _normalised(u)
    blank = t.isin(BLANK_TOKENS).to_numpy(dtype=bool)
    m = t.str.extract(_DATE_RE)
    m = m.fillna(t.str.extract(_DATE_COMPACT_RE))
    if t.str.contains(r"[a-z]{3}", regex=True).any():
        for rx in (_DATE_DMY_NAME_RE, _DATE_MDY_NAME_RE):
            named = t.str.extract(rx)
            named["m"] = named["mon"].map(_MONTHS)
            m = m.fillna(named[["y", "m", "d"]])
    m = m.fillna(_year_last(t))
    dates = _ymd_to_dates(m["y"], m["m"], m["d"])
    dates[dates < MIN_TEXT_DATE] = np.datetime64("NaT")
    return dates, blank


def _year_last(t: pd.Series) -> pd.DataFrame:
    """Year-last dates (``11/18/2026``, ``3/5/2026``) as y, m, d, read the way a person reads
    a column of them: when some have a first number over 12 and none a second one, the
    column is day-first; the other way round, month-first; when neither (or both) shows,
    the order cannot be told and the dates stay unread (reported, never guessed)."""
    parts = t.str.extract(_DATE_YEAR_LAST_RE)
    out = pd.DataFrame(index=t.index, columns=["y", "m", "d"], dtype=object)
    found = parts["y"].notna()
    if not found.any():
        return out
    a = parts.loc[found, "a"].astype(int)
    b = parts.loc[found, "b"].astype(int)
    day_first, month_first = bool((a > 12).any()), bool((b > 12).any())
    if day_first == month_first:
        return out
    out.loc[found, "y"] = parts.loc[found, "y"]
    out.loc[found, "m"] = (b if day_first else a).astype(str)
    out.loc[found, "d"] = (a if day_first else b).astype(str)
    return out


def parse_date(raw: object, date1904: bool = False) -> Parsed:
    """Dates from Excel dates, serial numbers, ``yyyymmdd`` numbers and text such as
    ``2026-03-05``, ``2026/3/5``, ``2026.3.5``, ``2026年3月5日``, ``5 Mar 2026`` (a time
    part or weekday is ignored). Day-first or two-digit-year text is ambiguous and reported
    rather than guessed; so are numbers too small to be a date of this era (before 1950)."""
    small = _small(raw, _one_date, "datetime64[D]")
    if small is not None:
        return small
    c = _sort_cells(raw)
    n = len(c.cells)
    values = _empty(n, "datetime64[D]")
    problems = np.full(n, None, dtype=object)

    is_date = c.kinds == DATE
    if is_date.any():
        # A date cell is an Excel serial shown as a date: before 1950 it is the same typo
        # or placeholder as a small number (1900-01-01 is the serial 1), reported alike.
        shown = _date_objects(c.cells[is_date])
        early = shown < MIN_SERIAL_DATE
        shown[early] = np.datetime64("NaT")
        values[is_date] = shown
        problems[np.flatnonzero(is_date)[early]] = "date"

    num = c.kinds == NUMBER
    if num.any():
        nums = c.numbers[num]
        with np.errstate(invalid="ignore"):
            compact = (nums >= 19000101) & (nums <= 99991231) & (nums == np.floor(nums))
        out = serial_to_date(nums, date1904)
        if compact.any():
            cc = nums[compact].astype("int64")
            out[compact] = _ymd_to_dates(cc // 10000, cc // 100 % 100, cc % 100)
        out[out < MIN_SERIAL_DATE] = np.datetime64("NaT")
        values[num] = out
        problems[np.flatnonzero(num)[np.isnat(out)]] = "date"

    problems[(c.kinds == BOOL) | (c.kinds == TIME) | (c.kinds == DELTA) | (c.kinds == OTHER)] = "date"

    _scatter_text(c, values, problems, "date", lambda uniques: _date_text(pd.Series(uniques, dtype=object)))
    return Parsed(values, _excel_errors(c, problems))


# ---------------------------------------------------------------- yes/no


def _bool_text(u: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    t = _normalised(u)
    blank = t.isin(BLANK_TOKENS - {"无"}).to_numpy(dtype=bool)
    yes = t.isin(TRUE_TOKENS).to_numpy(dtype=bool)
    no = t.isin(FALSE_TOKENS).to_numpy(dtype=bool)
    out = np.full(len(t), np.nan)
    out[yes] = 1.0
    out[no] = 0.0
    return out, blank


def parse_bool(raw: object) -> Parsed:
    """Yes/no as 1.0 / 0.0 (NaN when blank): 是/否, Y/N, yes/no, TRUE/FALSE, 1/0, ✓/×, 已付/未付."""
    small = _small(raw, _one_bool, "float")
    if small is not None:
        return small
    c = _sort_cells(raw)
    n = len(c.cells)
    values = _empty(n, "float")
    problems = np.full(n, None, dtype=object)

    is_bool = c.kinds == BOOL
    values[is_bool] = np.array([bool(v) for v in c.cells[is_bool]], dtype=float)
    num = c.kinds == NUMBER
    nums = c.numbers[num]
    ok = (nums == 0) | (nums == 1)
    idx = np.flatnonzero(num)
    values[idx[ok]] = nums[ok]
    problems[idx[~ok]] = "bool"
    problems[(c.kinds == DATE) | (c.kinds == TIME) | (c.kinds == DELTA) | (c.kinds == OTHER)] = "bool"

    _scatter_text(c, values, problems, "bool", lambda uniques: _bool_text(pd.Series(uniques, dtype=object)))
    return Parsed(values, _excel_errors(c, problems))


# ---------------------------------------------------------------- counts, hours, scores


def _number_one(text: str, suffix: re.Pattern[str], stars: bool) -> float | None:
    """One text number; None when blank, NaN when not a number."""
    t = unicodedata.normalize("NFKC", text).strip().lower().translate(TRADITIONAL)
    if t in BLANK_TOKENS:
        return None
    t = suffix.sub("", _SPACES_RE.sub("", t))
    if t[:1].isdigit():  # a plain number: float() rounds correctly
        try:
            value = float(t)
        except ValueError:
            pass
        else:
            return value if math.isfinite(value) else math.nan
    m = _SIGNED_RE.match(t)
    if m is None:
        if stars and _STARS_RE.fullmatch(t):  # ★★★ or ★★★☆☆: the filled stars
            return float(t.count("★"))
        return math.nan
    value = _decimal(m, 0)
    return -value if m.group("sign") == "-" else value


def _duration_hours(v: object) -> float:
    if isinstance(v, dt.timedelta):
        return v.total_seconds() / 3600
    try:
        return float(v / np.timedelta64(1, "s")) / 3600  # type: ignore[operator]
    except (TypeError, ValueError, OverflowError):
        return math.nan


def _parse_number(raw: object, suffix: str, code: str, *, integer: bool, lo: float, hi: float,
                  stars: bool = False, durations: bool = False) -> Parsed:
    small = _small(raw, lambda v: _one_number(v, code, integer, lo, hi), "float")
    if small is not None:
        return small
    c = _sort_cells(raw)
    n = len(c.cells)
    values = _empty(n, "float")
    problems = np.full(n, None, dtype=object)

    num = c.kinds == NUMBER
    values[num] = c.numbers[num]
    bad_kinds = (c.kinds == BOOL) | (c.kinds == DATE) | (c.kinds == TIME) | (c.kinds == OTHER)
    delta = c.kinds == DELTA
    if durations and delta.any():  # a [h]:mm duration cell
        values[delta] = [_duration_hours(v) for v in c.cells[delta]]
    else:
        bad_kinds |= delta
    problems[bad_kinds] = code

    rx = re.compile(suffix)
    _scatter_text(c, values, problems, code, lambda uniques: _optional_floats([_number_one(u, rx, stars) for u in uniques]))

    checked = ~np.isnan(values)
    with np.errstate(invalid="ignore"):
        wrong = checked & ((values < lo) | (values > hi) | ~np.isfinite(values))
        if integer:
            wrong |= checked & (values != np.floor(values))
    problems[wrong] = code
    values[wrong] = np.nan
    return Parsed(values, _excel_errors(c, problems))


def parse_count(raw: object) -> Parsed:
    """Whole numbers of at least 0 (``3``, ``3.0``, ``3次``, ``3单``)."""
    return _parse_number(raw, r"(次|个|单|笔|回|times?)$", "count", integer=True, lo=0, hi=1e9)


def parse_hours(raw: object) -> Parsed:
    """Hours of at least 0 (``120``, ``120小时``, ``120h``, or an ``[h]:mm`` duration cell)."""
    return _parse_number(raw, r"(小时|工时|hours?|hrs?|h)$", "hours", integer=False, lo=0, hi=1e9, durations=True)


def parse_score(raw: object, lo: float = 1, hi: float = 5) -> Parsed:
    """Scores within [lo, hi] (``4``, ``4分``, ``★★★★``, ``★★★☆☆``)."""
    return _parse_number(raw, r"(分|星|points?)$", "score", integer=False, lo=lo, hi=hi, stars=True)


# ---------------------------------------------------------------- text


def _text_one(v: object) -> str:
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v).strip()


def parse_text(raw: object) -> np.ndarray:
    """Trimmed text; numbers that are whole become ``"1001"`` not ``"1001.0"``; blanks and
    Excel error values (``#N/A``, ``#REF!``) become ``""``. Inside :func:`shared_columns`,
    a column's text is made once (each caller gets its own copy)."""
    return _made_once("text", raw, _parse_text_now)


#: Text cells looked at to tell a column of a few repeated values (owners, statuses: made
#: text once per distinct value) from one of names or IDs (each cell on its own).
TEXT_SAMPLE = 2000


def _trimmed_texts(strings: np.ndarray) -> np.ndarray:
    """Each string trimmed, an Excel error value (``#N/A``, ``#REF!``) made "" (C-level
    passes; only text starting with ``#`` is looked at again)."""
    out = np.fromiter(map(str.strip, strings), dtype=object, count=len(strings))
    hashed = np.flatnonzero(np.fromiter(map(str.startswith, out, repeat("#")), dtype=bool, count=len(out)))
    for i in hashed:
        if out[i].lower() in EXCEL_ERRORS:
            out[i] = ""
    return out


def _parse_text_now(raw: object) -> np.ndarray:
    c = _sort_cells(raw)
    n = len(c.cells)
    out = np.full(n, "", dtype=object)
    is_str = c.kinds == STR
    if is_str.any():
        strings = c.cells[is_str]
        sample = strings[:TEXT_SAMPLE]
        if len(set(sample)) > len(sample) // 2:  # names, IDs: nearly every cell its own text
            out[is_str] = _trimmed_texts(strings)
        else:  # most text columns repeat a few values: each made once (and shared by its cells)
            codes, uniques = pd.factorize(strings)
            out[is_str] = np.append(_trimmed_texts(np.asarray(uniques, dtype=object)), "")[codes]
    num = c.kinds == NUMBER
    if num.any():
        x = c.numbers[num]
        with np.errstate(invalid="ignore"):
            whole = np.isfinite(x) & (x == np.floor(x)) & (np.abs(x) < 2**53)
        texts = np.empty(len(x), dtype=object)
        texts[whole] = x[whole].astype(np.int64).astype(str).astype(object)
        texts[~whole] = [str(int(v)) if isinstance(v, (int, np.integer)) else repr(float(v))
                         for v in c.cells[num][~whole]]
        out[num] = texts
    other = ~is_str & ~num & (c.kinds != BLANK)
    if other.any():
        out[other] = [_text_one(v) for v in c.cells[other]]
    return out
