"""What the Excel functions of :mod:`xlclient.udfs` share: argument shapes, cell parsing,
messages, the per-workbook Settings/calendar cache and the per-population caches.

Shapes. xlwings hands a UDF a single cell as a scalar (float, ``datetime``, str, bool,
None for blank) and, with ``ndim=2``, any range as a list of rows. Every per-row argument
is brought to a grid, the grids are broadcast against each other (a single cell goes with
every row, as in Excel's own array arithmetic) and flattened; results are reshaped to the
broadcast shape. When every per-row argument is a single cell the result is a scalar, so
``=CLIENT_TIER(H4, H$4:H$300)`` fills one cell and ``=CLIENT_TIER(H4:H300)`` spills a column.
Population arguments come raw, as COM returns them (a tuple of row tuples, a scalar for one
cell, error cells as COM's error numbers, dates as pywintypes datetimes); :func:`flat`
turns them into a flat list of cells when something is built from them.

A column argument is classified once per call (:func:`col_info`: cell types, blank cells,
distinct texts, the numbers as floats when there is nothing else), and parsing, code
lookups and the row messages all reuse that.

Messages. A bad argument never raises into Excel: the row (or the whole call, when the
call itself is wrong, e.g. columns of different lengths) gets text such as
``#参数错误: last_visit 「2026-13-01」不是日期`` -- prefix, argument name as in the function
wizard, the value as xlwings saw it, what was expected. A message that arrives as input
(one UDF feeding another) is passed through unchanged, so the root cause stays visible.
Excel error values (``#N/A`` ...) in an input are reported as such. Prefixes::

    #参数错误 / #ARG ERROR        a bad argument (the row or the call)
    #设置错误 / #SETTINGS ERROR   the workbook's Settings sheet has refused values
    #内部错误 / #INTERNAL ERROR   a bug: the exception text, never a traceback

Parsing. Cells are parsed with the engine's own parsers (:mod:`xlclient.engine.parse`,
``status_codes`` ...), so a UDF reads a cell exactly as Refresh does. For one to four
cells a pure-Python fast path handles float, None, ``datetime`` and bool with the same
results (property-tested against the engine) and hands anything else to the engine. In
columns, the engine's answer for each distinct text (``是``, ``2026年3月5日``) is
remembered across calls: it depends only on the text, the kind, the unit and the date
system.

Caches.

* Workbook context (:func:`context`): the Settings and the working calendar (built-in
  Chinese calendar plus the Holidays sheet) of the calling workbook. They reach Python
  as two hidden arguments that Excel evaluates with the call (:func:`sheet_expression`):
  nothing of the workbook is read from Python while Excel calculates. Kept by content
  (the last :data:`KEPT_CONTEXTS` workbooks): the same sheets find their Settings and
  calendar again with one hash and one comparison of the cells; only an edit builds a
  new one. Without them (tests, VBA, scripts) the defaults are used.
* Populations (:class:`PopulationCache` instances in :mod:`xlclient.udfs`): a sorted tier
  scale, sorted RFM populations and their means, a fitted repeat-purchase model, a review
  cutoff, found again by comparing the population cells as xlwings handed them over with
  the cells they were built from (exact: any changed cell is a miss) and the parameters
  that matter (tier rule, unit, today ...). A hit costs one C-level comparison of the
  cells per population -- no sort, no parse, no fit.
"""

from __future__ import annotations

import gc
import datetime as dt
import itertools
import logging
import re
import operator
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from .engine.book import SheetGrid, stage_codes, status_codes, tier_codes
from .engine.calendar import WorkingCalendar
from .engine.fields import unit_multiplier
from .engine.labels import STAGE_NAMES, Language, sheet_aliases
from .engine.parse import (
    NOTE_CODES,
    SMALL,
    Parsed,
    parse_bool,
    parse_count,
    parse_date,
    parse_hours,
    parse_money,
    parse_score,
    parse_text,
)
from .engine.settings import Settings, SettingsError
from .engine.tier import TierRule

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- messages

PREFIXES: dict[str, tuple[str, str]] = {
    "arg": ("#参数错误", "#ARG ERROR"),
    "settings": ("#设置错误", "#SETTINGS ERROR"),
    "internal": ("#内部错误", "#INTERNAL ERROR"),
    "data": ("#数据问题", "#DATA PROBLEM"),  # a result left empty for an input that was not read
}
_ALL_PREFIXES = tuple(p for pair in PREFIXES.values() for p in pair)

#: Excel's error values as xlwings hands them over with ``err_to_str=True``.
EXCEL_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!",
                          "#CALC!", "#FIELD!", "#GETTING_DATA", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
                          "#PYTHON!"})

# problem code -> (zh, en) "what is wrong" after the quoted value
WHAT: dict[str, tuple[str, str]] = {
    "money": ("不是金额（如 120万、1.2亿、¥3,500、12.5k）", "is not an amount (e.g. 1200000, 120万, ¥3,500, 12.5k)"),
    "negative_money": ("是负数，应为金额", "is negative; expected an amount"),
    "unit_conflict": ("写的是「元」，与此列的单位不一致，无法确定是哪一个",
                      "says 元 (yuan) but the column has another unit; cannot tell which is meant"),
    "money_range": ("超出合理金额（超过 1000 万亿元），可能是单位或录入错误", "is beyond any plausible amount (over 10^15 yuan)"),
    "date": ("不是日期（如 2026-03-05、2026/3/5、2026年3月5日）", "is not a date (e.g. 2026-03-05, 2026/3/5)"),
    "future_date": ("晚于今天 {today}", "is after today {today}"),
    "count": ("应为不小于 0 的整数", "should be a whole number of at least 0"),
    "score": ("应为 1–5 分", "should be a score from 1 to 5"),
    "hours": ("应为不小于 0 的工时数", "should be a number of hours of at least 0"),
    "bool": ("应为 是/否（Y/N、TRUE/FALSE、1/0）", "should be yes/no (是/否, Y/N, TRUE/FALSE, 1/0)"),
    "status": ("无法识别，应为 现有/合作中、潜在/意向 或 流失", "is not a status (current 现有, prospect 潜在, lost 流失)"),
    "stage": ("无法识别，应为 重要、主要、准、意向、暂缓 或 拒绝",
              "is not an intent stage (重要, 主要, 准, 意向, 暂缓, 拒绝)"),
    "tier": ("应为等级 A/B/C/D", "should be a tier A, B, C or D"),
    "excel_error": ("是 Excel 错误值", "is an Excel error value"),
    "calendar": ("超出日历范围（{first}–{last}）", "is outside the calendar ({first} to {last})"),
    "recency": ("应为最近合作日期或距今天数（不小于 0）", "should be the last order date or days since it (at least 0)"),
    "tier_or_stage": ("应为等级 A/B/C 或意向阶段（重要、主要、准、意向、暂缓、拒绝）",
                      "should be a tier A/B/C or an intent stage (重要, 主要, 准, 意向, 暂缓, 拒绝)"),
    "tier_d": ("是待开发客户：请给出意向阶段（无投放额的现有客户按 C）",
               "is a prospect tier: give the intent stage instead (a current client without billings: C)"),
    "tier_or_score": ("应为等级 A/B/C/D 或 1–5 的价值评分", "should be a tier A/B/C/D or a value score from 1 to 5"),
    "client": ("应为意向阶段、客户状态（现有/潜在/流失）或等级 A/B/C",
               "should be an intent stage, a status (current/prospect/lost) or a tier A/B/C"),
    "date_order": ("早于首次合作日期", "is before the first order date"),
    # engine/parse.py money words (issue 25): a cell shows no result resting on them
    "no_amount": ("尚无金额（待定、暂无等）", "says there is no amount yet (TBD, none ...)"),
    "approximate_amount": ("是约数，请填写确切金额", "is an approximate amount: give the exact amount"),
}


def text_of(value: Any) -> str:
    """How a cell value is quoted in a message."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def message(kind: str, text: str, lang: Language) -> str:
    """``#参数错误: text`` (or the English prefix)."""
    return f"{PREFIXES[kind][0 if lang == 'zh' else 1]}: {text}"


def arg_message(name: str, value: Any, code: str, lang: Language, **params: Any) -> str:
    """``#参数错误: last_visit 「2026-13-01」不是日期``."""
    zh, en = WHAT[code]
    if lang == "zh":
        return message("arg", f"{name} 「{text_of(value)}」{zh.format(**params)}", lang)
    return message("arg", f"{name} '{text_of(value)}' {en.format(**params)}", lang)


def is_message(value: Any) -> bool:
    """True for text one of the UDFs produced as a message."""
    return isinstance(value, str) and value.startswith(_ALL_PREFIXES)


class ArgError(ValueError):
    """A call that cannot be answered as a whole; the text is the finished message."""


def guarded(f: Callable[..., Any]) -> Callable[..., Any]:
    """Turn an unexpected exception into ``#内部错误: ...`` (logged with its traceback) and
    an :class:`ArgError` into its message, so Excel never shows a traceback. Keeps the
    signature (xlwings reads it through ``__wrapped__``)."""
    import functools

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        # A call allocates tens of thousands of small objects (a column in, a column out);
        # with the caches alive, that can trigger a full cyclic-garbage pass over everything
        # (measured: the same 10,000-row call took 2 ms or 99 ms). The call creates no cycles
        # worth collecting mid-call, so collection waits until it returns.
        paused = gc.isenabled()
        if paused:
            gc.disable()
        try:
            return f(*args, **kwargs)
        except ArgError as e:
            return str(e)
        except Exception as e:  # noqa: BLE001 - the cell must show something readable
            log.exception("UDF %s failed", f.__name__)
            lang = _last_language.get()
            return message("internal", f"{type(e).__name__}: {e}", lang)
        finally:
            if paused:
                gc.enable()

    return wrapper


class _LastLanguage(threading.local):
    value: Language = "zh"

    def get(self) -> Language:
        return self.value


_last_language = _LastLanguage()

# --------------------------------------------------------------------------- shapes


def grid(raw: Any) -> list[list[Any]] | None:
    """An argument as a list of rows; None stays None (omitted). A flat list is a column."""
    if raw is None:
        return None
    if isinstance(raw, (list, tuple)):
        if not raw:
            return [[None]]
        if isinstance(raw[0], (list, tuple)):
            return raw  # type: ignore[return-value]  (rows are only read, never changed)
        return [[v] for v in raw]
    if isinstance(raw, np.ndarray):
        return grid(raw.tolist())
    return [[raw]]


@dataclass
class ColInfo:
    """One pass over a column: the cell types, blank cells, text cells starting with ``#``
    (Excel error values, or messages from another UDF), and the column's distinct texts
    (``text_codes[i]`` indexes ``texts`` for a text cell, -1 otherwise) -- what
    :func:`parse` needs, so a column is classified once per call."""

    types: frozenset
    blank: np.ndarray
    hashed: list[int]
    cells: np.ndarray | None = None
    text_codes: np.ndarray | None = None
    texts: list[str] = field(default_factory=list)
    numbers: np.ndarray | None = None  # the cells as floats (NaN blank) when all are numbers or blank


_NONE = type(None)


def col_info(col: Sequence[Any]) -> ColInfo:
    n = len(col)
    types = frozenset(map(type, col))
    if types <= {_NONE}:
        return ColInfo(types, np.ones(n, dtype=bool), [])
    if n <= _FAST_MAX:  # a few cells (a single-cell call): plain Python, no pandas
        return _small_col_info(col, types)
    arr = np.fromiter(col, dtype=object, count=n)
    if types <= {float, _NONE}:  # numbers and blanks (the usual money/count column): one pass
        numbers = arr.astype(float)
        return ColInfo(types, np.isnan(numbers), [], arr, numbers=numbers)
    blank = np.asarray(arr == None, dtype=bool)  # noqa: E711 - elementwise, in C
    if float in types:
        blank |= np.asarray(arr != arr, dtype=bool)  # NaN
    if str not in types:
        return ColInfo(types, blank, [], arr)
    # each distinct text is looked at once
    if types <= {str, _NONE}:
        text_codes, uniques = pd.factorize(arr)  # None -> -1
    else:  # only the text cells (hashing dates or numbers would cost more than finding the texts)
        is_text = np.asarray(np.fromiter(map(type, col), dtype=object, count=n) == str, dtype=bool)
        text_codes = np.full(n, -1, dtype=np.int64)
        text_codes[is_text], uniques = pd.factorize(arr[is_text])
    texts: list[str] = list(uniques)
    hashed: list[int] = []
    for j, u in enumerate(texts):
        if not u or u[0] == "#" or u[0].isspace() or u[-1].isspace():
            text = u.strip()
            if not text:
                blank[text_codes == j] = True
            elif text[0] == "#":
                hashed.extend(np.flatnonzero(text_codes == j).tolist())
    hashed.sort()
    return ColInfo(types, blank, hashed, arr, text_codes, texts)


def _small_col_info(col: Sequence[Any], types: frozenset) -> ColInfo:
    """:func:`col_info` of a handful of cells (same result, without numpy's and pandas'
    per-call overhead)."""
    n = len(col)
    cells = np.empty(n, dtype=object)
    for i, v in enumerate(col):
        cells[i] = v
    blank = np.array([is_blank(v) for v in col], dtype=bool)
    if types <= {float, _NONE}:
        return ColInfo(types, blank, [], cells, numbers=cells.astype(float))
    hashed = [i for i, v in enumerate(col) if v.__class__ is str and v.strip()[:1] == "#"]
    if str not in types:
        return ColInfo(types, blank, hashed, cells)
    index: dict[str, int] = {}
    codes = [index.setdefault(v, len(index)) if v.__class__ is str else -1 for v in col]
    return ColInfo(types, blank, hashed, cells, np.array(codes, dtype=np.int64), list(index))


@dataclass
class Rows:
    """Per-row arguments broadcast to one shape, flattened row-major."""

    shape: tuple[int, int]
    scalar: bool
    cols: dict[str, list[Any] | None]
    _infos: dict[str, ColInfo] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.shape[0] * self.shape[1]

    def info(self, name: str) -> ColInfo | None:
        col = self.cols[name]
        if col is None:
            return None
        if name not in self._infos:
            self._infos[name] = col_info(col)
        return self._infos[name]

    def reshape(self, values: Sequence[Any]) -> Any:
        """Scalar for a single-cell call, else a list of rows in the broadcast shape."""
        if self.scalar:
            return values[0]
        r, c = self.shape
        if c == 1:
            return [[v] for v in values]
        return [list(values[i * c:(i + 1) * c]) for i in range(r)]

    def codes(self, errors: "RowErrors", name: str, kind: str, problem: str | None = None) -> np.ndarray:
        """Codes of one per-row text argument (see :func:`codes_col`)."""
        return codes_col(errors, name, kind, self.cols[name], self.n, problem, self.info(name))

    def blank(self) -> np.ndarray:
        """Rows where every given argument is blank."""
        out = np.ones(self.n, dtype=bool)
        for name, col in self.cols.items():
            if col is not None:
                out &= self.info(name).blank  # type: ignore[union-attr]
        return out

    def blank_of(self, name: str) -> np.ndarray:
        info = self.info(name)
        return np.ones(self.n, dtype=bool) if info is None else info.blank

    def parsed(self, errors: "RowErrors", name: str, kind: str, *, mult: float = 1.0, date1904: bool = False,
               report: bool = True) -> np.ndarray:
        """Parse one per-row argument (see :func:`parsed_col`)."""
        return parsed_col(errors, name, kind, self.cols[name], self.n, mult=mult, date1904=date1904, report=report,
                          info=self.info(name))


def is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)


_FIRST = operator.itemgetter(0)


def broadcast(lang: Language, **args: Any) -> Rows:
    """Broadcast per-row arguments (None = omitted) to one shape; raises ArgError when two
    ranges have different numbers of rows or columns."""
    grids = {k: grid(v) for k, v in args.items()}
    given = {k: g for k, g in grids.items() if g is not None}
    if not given:
        return Rows((1, 1), True, {k: None for k in grids})
    dims = {k: (len(g), max(len(g[0]), 1)) for k, g in given.items()}  # xlwings' ranges are rectangular
    shape = [1, 1]
    for axis in (0, 1):
        big = {k: d[axis] for k, d in dims.items() if d[axis] != 1}
        if len(set(big.values())) > 1:
            parts = ("、" if lang == "zh" else ", ").join(f"{k} {s}" for k, s in big.items())
            what = ("行" if axis == 0 else "列") if lang == "zh" else ("rows" if axis == 0 else "columns")
            raise ArgError(message("arg", (f"各区域的{what}数不同（{parts}）：整列参数应一样长，或只给一个单元格"
                                           if lang == "zh" else
                                           f"ranges have different numbers of {what} ({parts}); give columns of "
                                           f"one length, or single cells"), lang))
        shape[axis] = max(d[axis] for d in dims.values())
    r, c = shape
    cols: dict[str, list[Any] | None] = {}
    for k, g in grids.items():
        if g is None:
            cols[k] = None
            continue
        gr, gc = dims[k]
        if c == 1:
            try:
                first = list(map(_FIRST, g))
            except IndexError:  # an empty row (not from xlwings)
                first = [row[0] if row else None for row in g]
            cols[k] = first if gr == r else first * r
            continue
        flat_: list[Any] = []
        for i in range(r):
            row = g[i if gr > 1 else 0]
            for j in range(c):
                jj = j if gc > 1 else 0
                flat_.append(row[jj] if jj < len(row) else None)
        cols[k] = flat_
    scalar = all(d == (1, 1) for d in dims.values())
    return Rows((r, c), scalar, cols)


#: COM's code for an error cell (VT_ERROR: 0x800A0000 plus Excel's xlErr number, as a
#: signed int) -> the error's text. A population is read raw (no per-cell conversion by
#: xlwings), so its error cells arrive as these numbers.
_COM_ERROR_BASE = -2146828288  # 0x800A0000 as a signed 32-bit int
COM_ERRORS: dict[int, str] = {_COM_ERROR_BASE + code: text for code, text in (
    (2000, "#NULL!"), (2007, "#DIV/0!"), (2015, "#VALUE!"), (2023, "#REF!"), (2029, "#NAME?"), (2036, "#NUM!"),
    (2042, "#N/A"), (2043, "#GETTING_DATA"), (2045, "#SPILL!"), (2046, "#CONNECT!"), (2047, "#BLOCKED!"),
    (2048, "#UNKNOWN!"), (2049, "#FIELD!"), (2050, "#CALC!"))}


def com_error_text(v: Any) -> str | None:
    """The text of an error cell as COM hands it over (an int), else None."""
    if v.__class__ is int and _COM_ERROR_BASE <= v < _COM_ERROR_BASE + 0x10000:
        return COM_ERRORS.get(v, "#UNKNOWN!")
    return None


def flat(raw: Any) -> list[Any] | None:
    """A population argument as a flat list of cells (None when omitted; a single blank
    cell or ``""`` also counts as omitted, so ``=CLIENT_TIER(H4:H300, "", D4:D300)`` works).
    Takes what xlwings hands over raw (a tuple of row tuples, a scalar for one cell; error
    cells as COM's numbers, which become their text) as well as lists."""
    if raw is None or (not isinstance(raw, (list, tuple, np.ndarray)) and is_blank(raw)):
        return None
    if isinstance(raw, (list, tuple)):
        if raw and isinstance(raw[0], (list, tuple)):
            cells = list(itertools.chain.from_iterable(raw))
        else:
            cells = list(raw)
    elif isinstance(raw, np.ndarray):
        cells = raw.ravel().tolist()
    else:
        cells = [raw]
    if int in set(map(type, cells)):
        cells = [v if (text := com_error_text(v)) is None else text for v in cells]
    return cells


def omitted(raw: Any) -> bool:
    """A population argument that was not given (None, or one blank cell / ``""``)."""
    if raw is None:
        return True
    if isinstance(raw, (list, tuple)):  # only a single cell can be "omitted" (no copy of a long list)
        if len(raw) != 1:
            return False
        cell = raw[0]
        if isinstance(cell, (list, tuple)):
            return len(cell) == 1 and is_blank(cell[0])
        return is_blank(cell)
    return not isinstance(raw, np.ndarray) and is_blank(raw)


def _frozen(cells: Any) -> Any:
    """A copy of a population argument that later changes to the caller's lists cannot reach."""
    if isinstance(cells, list):
        return [_frozen(v) if isinstance(v, list) else v for v in cells]
    if isinstance(cells, np.ndarray):
        return cells.copy()
    return cells


def same_cells(a: Any, b: Any) -> bool:
    """True when two population arguments hold equal cells in the same places: one C-level
    comparison (no hashing, so no collisions). Python's equality is used, so TRUE equals 1
    and FALSE equals 0 here (:class:`KeptCells` also compares those cells' types); a NaN
    never equals itself (xlwings hands over blanks as None, never NaN)."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and a == b
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b))
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - not comparable: not the same
        return False


def _two_faced(v: Any) -> bool:
    """A cell that equals a cell of another type: TRUE and 1, FALSE and 0."""
    c = v.__class__
    return c is bool or ((c is float or c is int) and (v == 0 or v == 1))


class KeptCells:
    """A population's cells as a cache entry keeps them, and the places where a cell equals
    a cell of another type (1 and TRUE, 0 and FALSE): there the types are compared too, so
    a cell typed over from 1 to TRUE is a change, as it is to the parsers."""

    def __init__(self, cells: Any):
        self.cells = _frozen(cells)
        self.rows, self.cols = _two_faced_places(self.cells)
        # picking those rows is one C-level call; in a column, a cell is its row's first
        self._pick = operator.itemgetter(*self.rows) if len(self.rows) > 1 else (
            lambda c, i=(self.rows or [0])[0]: (c[i],))
        self._shape = "column" if all(j == 0 for j in self.cols) else (
            "flat" if all(j < 0 for j in self.cols) else "grid")
        self.classes = self._classes(self.cells)

    def _classes(self, cells: Any) -> list[type]:
        if not self.rows:
            return []
        picked = self._pick(cells)
        if self._shape == "column":
            return list(map(type, map(_FIRST, picked)))
        if self._shape == "flat":
            return list(map(type, picked))
        return [type(r if j < 0 else r[j]) for r, j in zip(picked, self.cols)]

    def matches(self, cells: Any) -> bool:
        return same_cells(self.cells, cells) and (not self.rows or self._classes(cells) == self.classes)


def _two_faced_places(cells: Any) -> tuple[list[int], list[int]]:
    """(rows, columns) of the cells that equal a cell of another type; column -1 for a flat
    list. A column (what xlwings hands over for H4:H300) or a flat list is looked at in one
    vectorised pass; other shapes cell by cell."""
    if not isinstance(cells, (list, tuple)) or not cells:
        return [], []
    first = cells[0]
    if isinstance(first, (list, tuple)):
        if set(map(len, cells)) != {1}:  # several columns
            places = [(i, j) for i, row in enumerate(cells) for j, v in enumerate(row) if _two_faced(v)]
            return [i for i, _ in places], [j for _, j in places]
        values, col = list(map(_FIRST, cells)), 0
    else:
        values, col = cells, -1
    n = len(values)
    arr = np.fromiter(values, dtype=object, count=n)
    types = np.fromiter(map(type, values), dtype=object, count=n)
    number = (types == float) | (types == int)
    with np.errstate(all="ignore"):
        two = (types == bool) | (number & (np.asarray(arr == 0, dtype=bool) | np.asarray(arr == 1, dtype=bool)))
    rows = np.flatnonzero(two).tolist()
    return rows, [col] * len(rows)


class PopulationCache:
    """What a UDF derives from population ranges (a sorted tier scale, sorted RFM columns,
    a fitted repeat-purchase model ...), found again by comparing the population cells with
    the cells it was built from, plus the parameters that matter (tier rule, unit, today).

    A hit costs one comparison of the cells per population -- no parse, no sort, no fit.
    The comparison is exact: a changed cell anywhere in a population is a miss, TRUE typed
    over 1 included (:class:`KeptCells`). Entries are kept most-recently-used first, at most
    ``maxsize`` of them."""

    def __init__(self, maxsize: int = 16):
        self.maxsize = maxsize
        self._entries: list[tuple[Any, tuple[KeptCells, ...], Any]] = []
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, params: Any, populations: tuple, build: Callable[[], Any]) -> Any:
        with self._lock:
            for i, (p, kept, value) in enumerate(self._entries):
                if p == params and all(k.matches(x) for k, x in zip(kept, populations)):
                    if i:
                        self._entries.insert(0, self._entries.pop(i))
                    self.hits += 1
                    return value
        value = build()
        with self._lock:
            self.misses += 1
            self._entries.insert(0, (params, tuple(KeptCells(x) for x in populations), value))
            del self._entries[self.maxsize:]
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


# --------------------------------------------------------------------------- parsing


class RowErrors:
    """Row messages (sparse: row -> text); the first problem found in a row is the one shown."""

    def __init__(self, n: int, lang: Language):
        self.n = n
        self.lang = lang
        self.msg: dict[int, str] = {}

    def set(self, i: int, text: str) -> None:
        if i not in self.msg:
            self.msg[i] = text

    def any(self) -> bool:
        return bool(self.msg)

    def upstream(self, name: str, col: list[Any] | None, info: ColInfo | None = None) -> None:
        """Messages from other UDFs pass through; Excel error values are reported."""
        if col is None:
            return
        info = info or col_info(col)
        for i in info.hashed:
            v = col[i]
            if is_message(v):
                self.set(i, v)
            elif v.strip().upper() in EXCEL_ERRORS:
                self.set(i, arg_message(name, v.strip(), "excel_error", self.lang))

    def report(self, name: str, col: list[Any], problems: np.ndarray, **params: Any) -> None:
        """Each unreadable argument cell becomes its row's message; a note (an approximate
        amount, read as written) does not: the row's answer uses the value."""
        bad = [i for i in np.flatnonzero(np.not_equal(problems, None)) if problems[i] not in NOTE_CODES]
        for i in bad:
            self.set(int(i), arg_message(name, col[i], str(problems[i]), self.lang, **params))


_FAST_MAX = SMALL  # up to this many cells, plain Python (the engine's own small path)
_NAT = np.datetime64("NaT", "D")


_ENGINE: dict[str, Callable[..., Parsed]] = {
    "money": parse_money,
    "date": parse_date,
    "count": parse_count,
    "hours": parse_hours,
    "score": parse_score,
    "bool": parse_bool,
}


def parse(kind: str, col: Sequence[Any], *, mult: float = 1.0, date1904: bool = False,
          info: ColInfo | None = None) -> Parsed:
    """Parse a column of raw cells like the engine does (see module docstring). Kinds:
    money, profit (money that may be negative), date, count, hours, score, bool. ``info``:
    the column's :func:`col_info` when the caller already has it."""
    n = len(col)
    if n <= _FAST_MAX:  # a single-cell call: the engine's own plain-Python path for a few cells
        if not any(v.__class__ is str for v in col):
            return _engine_parse(kind, list(col), mult, date1904)
        found = [_text_results(kind, mult, date1904, [v])[0] if v.__class__ is str else _one(kind, v, mult, date1904)
                 for v in col]
        dtype = "datetime64[D]" if kind == "date" else float
        return Parsed(np.array([f[0] for f in found], dtype=dtype), np.array([f[1] for f in found], dtype=object))
    info = info if info is not None else col_info(col)
    if info.numbers is not None:
        return _engine_parse(kind, info.numbers, mult, date1904)
    if str not in info.types:
        return _engine_parse(kind, info.cells if info.cells is not None else list(col), mult, date1904)
    # text cells: the engine reads each text on its own (given kind, unit, date system), so
    # its answer per distinct text is remembered across calls
    text_codes = info.text_codes
    assert text_codes is not None and info.cells is not None
    is_text = text_codes >= 0
    dtype = "datetime64[D]" if kind == "date" else float
    values = np.full(n, _NAT) if kind == "date" else np.full(n, np.nan)
    problems = np.full(n, None, dtype=object)
    if not info.types <= {str, _NONE}:  # blank cells need no parsing
        other_idx = np.flatnonzero(~is_text)
        rest = _engine_parse(kind, info.cells[other_idx], mult, date1904)
        values[other_idx], problems[other_idx] = rest.values, rest.problems
    found = _text_results(kind, mult, date1904, info.texts)
    codes = text_codes[is_text]
    values[is_text] = np.array([f[0] for f in found], dtype=dtype)[codes]
    problems[is_text] = np.array([f[1] for f in found] + [None], dtype=object)[:-1][codes]
    return Parsed(values, problems)


_TEXT_MEMO: dict[tuple, dict[str, tuple[Any, Any]]] = {}
_TEXT_MEMO_MAX = 200_000


def _text_results(kind: str, mult: float, date1904: bool, texts: list[str]) -> list[tuple[Any, Any]]:
    """(value, problem) of each distinct text as the engine parses it, remembered across
    calls (the answer depends only on the text, the kind, the unit and the date system)."""
    memo = _TEXT_MEMO.setdefault((kind, mult, date1904), {})
    local = {u: memo[u] for u in texts if u in memo}
    missing = [u for u in texts if u not in local]
    if missing:
        p = _engine_parse(kind, missing, mult, date1904)
        local.update(zip(missing, zip(p.values.tolist() if kind != "date" else list(p.values), p.problems)))
        if len(memo) + len(missing) > _TEXT_MEMO_MAX:
            memo.clear()
        memo.update((u, local[u]) for u in missing)
    return [local[u] for u in texts]


def _one(kind: str, v: Any, mult: float, date1904: bool) -> tuple[Any, Any]:
    p = _engine_parse(kind, [v], mult, date1904)
    return p.values[0], p.problems[0]


def _engine_parse(kind: str, col: Sequence[Any] | np.ndarray, mult: float, date1904: bool) -> Parsed:
    if kind == "money":
        return parse_money(col, mult)
    if kind == "profit":  # gross profit: a loss is a negative amount, not a mistake
        return parse_money(col, mult, allow_negative=True)
    if kind == "date":
        return parse_date(col, date1904)
    return _ENGINE[kind](col)


def parsed_col(errors: RowErrors, name: str, kind: str, col: list[Any] | None, n: int, *, mult: float = 1.0,
               date1904: bool = False, report: bool = True, info: ColInfo | None = None) -> np.ndarray:
    """Parse one per-row argument; bad cells become row messages. Omitted -> all NaN/NaT."""
    if col is None:
        return np.full(n, _NAT) if kind == "date" else np.full(n, np.nan)
    p = parse(kind, col, mult=mult, date1904=date1904, info=info)
    if report:
        errors.report(name, col, p.problems, lo=1, hi=5)
    return p.values


def text_one(v: Any) -> str:
    """One cell as the engine's ``parse_text`` reads it."""
    return str(parse_text([v])[0]) if not (v is None or isinstance(v, str)) else (v or "").strip()


_CODE_FUNCS = {"status": status_codes, "stage": stage_codes, "tier": tier_codes}


@lru_cache(maxsize=8192)
def _code(kind: str, typ: type, value: Any) -> tuple[str, bool]:
    text = text_one(value)
    if not text:
        return "", False
    codes, unknown = _CODE_FUNCS[kind](np.array([text], dtype=object))
    return str(codes[0]), bool(unknown[0])


def code_of(kind: str, value: Any) -> tuple[str, bool]:
    """(code, unknown) of one cell for kind status/stage/tier, memoised per distinct value."""
    if value is None:
        return "", False
    try:
        return _code(kind, type(value), value)
    except TypeError:  # unhashable: not a cell value
        return "", True


def codes_col(errors: RowErrors | None, name: str, kind: str, col: list[Any] | None, n: int,
              problem: str | None = None, info: ColInfo | None = None) -> np.ndarray:
    """Codes of a per-row text argument; unknown text becomes a row message."""
    out = np.full(n, "", dtype=object)
    if col is None:
        return out
    uniques, where = distinct(col, info)
    found = [code_of(kind, v) for v in uniques]
    out = np.array([c for c, _ in found] + [""], dtype=object)[where]
    if errors is not None:
        for j, (_, unknown) in enumerate(found):
            if unknown and not is_message(uniques[j]):
                for i in np.flatnonzero(where == j):
                    errors.set(int(i), arg_message(name, col[i], problem or kind, errors.lang))
    return out


def distinct(col: Sequence[Any], info: ColInfo | None = None) -> tuple[list[Any], np.ndarray]:
    """(distinct cells, index of each cell's value among them); True and 1.0 stay apart.
    ``info``: the column's :func:`col_info`, whose distinct texts are reused."""
    n = len(col)
    if info is not None and info.text_codes is not None and info.types <= {str, _NONE}:
        values = info.texts + [None]
        return values, np.where(info.text_codes < 0, len(values) - 1, info.text_codes)
    types = frozenset(map(type, col))
    if types <= {str, _NONE}:
        codes, uniques = pd.factorize(np.fromiter(col, dtype=object, count=n))
        values = list(uniques) + [None]
        return values, np.where(codes < 0, len(values) - 1, codes)
    index: dict[Any, int] = {}
    values = []
    where = np.empty(n, dtype=np.int64)
    for i, v in enumerate(col):
        key = v if v.__class__ is str else (v.__class__, v)
        try:
            j = index[key]
        except KeyError:
            j = index[key] = len(values)
            values.append(v)
        except TypeError:  # unhashable (not a cell value)
            j = len(values)
            values.append(v)
        where[i] = j
    return values, where


def unit_of(unit: Any, lang: Language) -> float:
    """Multiplier of a ``unit`` argument: omitted or 元 -> 1, 万元 -> 10000, or a number."""
    if is_blank(unit):
        return 1.0
    if isinstance(unit, (list, tuple)):
        cells = flat(list(unit)) or [None]
        return unit_of(cells[0], lang)
    if isinstance(unit, (int, float)) and not isinstance(unit, bool) and unit > 0:
        return float(unit)
    if isinstance(unit, str):
        m = _text_unit(unit.strip())
        if m is not None:
            return m
    raise ArgError(message("arg", (f"unit 「{text_of(unit)}」应为 元、千元、万元、百万元、亿 或倍数（如 10000）"
                                   if lang == "zh" else
                                   f"unit '{text_of(unit)}' should be 元, 千元, 万元, 百万元, 亿 or a multiplier "
                                   f"such as 10000"), lang))


@lru_cache(maxsize=256)
def _text_unit(text: str) -> float | None:
    return unit_multiplier(text)


def to_fen(v: float) -> int:
    """Yuan to whole fen, as :func:`xlclient.engine.tier.to_fen` (NaN -> 0)."""
    return 0 if v != v else int(round(v * 100))


# --------------------------------------------------------------------------- workbook context

#: Workbook names (set by ``xlclient init`` and in the template) at cell A1 of the Settings
#: and Holidays sheets: the hidden arguments find the sheets through them, whatever the
#: sheets are called (设置 / Settings) and wherever they are renamed or moved.
SETTINGS_NAME = "xlc_settings"
HOLIDAYS_NAME = "xlc_holidays"


def hidden_name_targets(workbook: bytes) -> dict[str, str]:
    """Where the workbook's names :data:`SETTINGS_NAME` and :data:`HOLIDAYS_NAME` point
    (``'设置'!$A$1``), "" for a name that is missing; read from the workbook file's bytes."""
    from .xlsx.package import Package
    from .xlsx.workbookxml import WorkbookXml
    from .xlsx.xmltext import unescape

    pkg = Package(workbook)
    wb = WorkbookXml(*pkg.read_text(pkg.main_part()))
    out = {}
    for name in (SETTINGS_NAME, HOLIDAYS_NAME):
        found = wb.find_name(name, None)
        out[name] = unescape(found.text).lstrip("=") if found is not None else ""
    return out


def broken_hidden_names(workbook: bytes, sheets: Iterable[str]) -> dict[str, str]:
    """The names of :func:`hidden_name_targets` that are missing or do not point into one of
    ``sheets`` (a deleted sheet leaves ``#REF!``), with what they point at."""
    names = set(sheets)
    bad = {}
    for name, target in hidden_name_targets(workbook).items():
        sheet = target.rsplit("!", 1)[0].strip("'").replace("''", "'") if "!" in target else ""
        if sheet not in names or "#REF!" in target:
            bad[name] = target
    return bad


def sheet_expression(name: str) -> str:
    """The VBA expression a hidden argument passes (xlwings ``@xw.arg(..., vba=...)``: the
    wrapper that *Import Functions* generates evaluates it in place of a parameter, and
    the function wizard shows no such parameter -- xlwings udfs.py, generate_vba_wrapper).
    Its value is ``Array(date system, sheet name, used range address, used range values)``
    of the sheet the workbook name points into, as Excel itself reads them in VBA while it
    calculates (in-process and read-only, which a calculation allows; a call back from
    Python into the workbook is what xlwings' own prepare_sys_path warns against). ASCII
    and short: the generated module is plain VBA source, whose lines may not pass 1,023
    characters (a test checks every wrapper line)."""
    w = f'ThisWorkbook.Names("{name}").RefersToRange.Worksheet'
    return f"Array(ThisWorkbook.Date1904, {w}.Name, {w}.UsedRange.Address, {w}.UsedRange.Value)"


SETTINGS_VBA = sheet_expression(SETTINGS_NAME)
HOLIDAYS_VBA = sheet_expression(HOLIDAYS_NAME)

#: How many workbooks' contexts are kept (each is found again by its sheets' contents).
KEPT_CONTEXTS = 16


@dataclass
class Context:
    """What a UDF call needs from its workbook."""

    settings: Settings
    calendar: WorkingCalendar
    error: str | None = None  # a #设置错误 message when Settings were refused
    date1904: bool = False
    key: Any = None
    builds: int = 0  # how many contexts were built before this one (for tests)

    @property
    def lang(self) -> Language:
        return self.settings.language

    @property
    def tier_rule(self) -> TierRule:
        """The Settings' tier rule (built once per Settings)."""
        rule = self.__dict__.get("_tier_rule")
        if rule is None or rule[0] is not self.settings:
            rule = self.__dict__["_tier_rule"] = (self.settings, TierRule.from_settings(self.settings))
        return rule[1]

    @property
    def tier_from_rest(self) -> bool:
        """Settings 金额无法读取时 = 按其余客户分级 (SPEC 4.1)."""
        return self.settings.unreadable_amounts == "rest"

    def today(self) -> dt.date:
        return self.settings.today()


_contexts: "OrderedDict[Any, Context]" = OrderedDict()
_contexts_lock = threading.Lock()
_default: Context | None = None
_built = 0


def default_context() -> Context:
    """Defaults: no workbook (tests, scripts, a call from VBA)."""
    global _default
    if _default is None:
        _default = Context(Settings(), WorkingCalendar(), key=None)
    return _default


def clear_caches() -> None:
    """Forget every workbook context and memoised code (tests, 'Restart UDF server')."""
    global _default
    with _contexts_lock:
        _contexts.clear()
    _default = None
    _code.cache_clear()
    _TEXT_MEMO.clear()


def _hidden_key(value: Any) -> Any:
    """A hidden argument as a hashable key, compared cell for cell. COM hands over tuples of
    tuples, which are one already (hashed in C); lists (tests, scripts) become tuples."""
    try:
        hash(value)
        return value
    except TypeError:
        return _tuples(value)


def _tuples(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_tuples(v) for v in value)
    return value


def context(settings: Any = None, holidays: Any = None) -> Context:
    """The Settings and calendar of the calling workbook, from what Excel handed over with
    the call: the hidden arguments ``settings`` and ``holidays`` (each
    ``(date1904, sheet name, address, cells)``, see :func:`sheet_expression`). Nothing of the
    workbook is read from Python. Kept by content: a call with the same sheets finds its
    Settings and calendar again (one hash and one comparison of the cells), an edited
    Settings sheet gives a new context. Without them (tests, scripts, a call from VBA)
    the defaults."""
    if settings is None and holidays is None:
        ctx = default_context()
        _last_language.value = ctx.lang
        return ctx
    key = (_hidden_key(settings), _hidden_key(holidays))
    try:
        with _contexts_lock:
            ctx = _contexts.get(key)
            if ctx is not None:
                _contexts.move_to_end(key)
    except TypeError:  # a cell Python cannot hash (not from COM): build, do not keep
        key, ctx = None, None
    if ctx is None:
        ctx = _build(settings, holidays, key)
        if key is not None:
            with _contexts_lock:
                _contexts[key] = ctx
                while len(_contexts) > KEPT_CONTEXTS:
                    _contexts.popitem(last=False)
    _last_language.value = ctx.lang
    return ctx


_ADDRESS = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?[A-Z]{1,3}\$?\d{1,7})?$")


def _sheet_arg(value: Any, what: str) -> tuple[bool, SheetGrid | None, str | None]:
    """``(date1904, grid, problem)`` of a hidden argument; a problem when it is not the
    ``(date1904, name, address, cells)`` the wrapper passes."""
    if value is None:
        return False, None, None
    at = _ADDRESS.match(value[2]) if isinstance(value, (tuple, list)) and len(value) == 4 and \
        isinstance(value[1], str) and isinstance(value[2], str) else None
    if at is None:
        return False, None, f"{what}: {str(value)[:60]!r}"
    date1904, name, _, cells = value
    col = 0
    for ch in at[1]:
        col = col * 26 + ord(ch) - 64
    rows = grid(cells)
    rows = [list(r) for r in rows] if rows else [[None]]
    return bool(date1904), SheetGrid(name, rows, int(at[2]) - 1, col - 1), None


def _build(settings_arg: Any, holidays_arg: Any, key: Any) -> Context:
    from .jobs import load_holidays, load_settings  # jobs imports the xlsx layer; keep it lazy

    global _built
    _built += 1
    date1904, settings_grid, bad_s = _sheet_arg(settings_arg, "settings")
    h1904, holidays_grid, bad_h = _sheet_arg(holidays_arg, "holidays")
    date1904 = date1904 or h1904
    lang: Language = "zh"
    if bad_s or bad_h:
        text = "；".join(b for b in (bad_s, bad_h) if b)
        return Context(Settings(), default_context().calendar,
                       message("settings", f"设置或节假日表的内容无法识别 / Settings or Holidays unreadable ({text})", lang), date1904, key, _built)
    data = _GridData([settings_grid, holidays_grid], date1904)
    error = None
    try:
        settings = load_settings(data)  # type: ignore[arg-type]
    except SettingsError as e:
        settings = Settings()
        error = message("settings", "；".join(e.errors) if hasattr(e, "errors") else str(e), lang)
    if holidays_grid is None:
        calendar = default_context().calendar
    else:
        overrides, _problems = load_holidays(data)  # type: ignore[arg-type]
        calendar = WorkingCalendar(overrides) if overrides else default_context().calendar
    return Context(settings, calendar, error, date1904, key, _built)


class _GridData:
    """The two sheets :mod:`xlclient.jobs` needs, in the shape of a WorkbookData."""

    def __init__(self, grids: Iterable[SheetGrid | None], date1904: bool):
        self._grids = [g for g in grids if g is not None]
        self.date1904 = date1904

    def sheet(self, names: Iterable[str]) -> SheetGrid | None:
        wanted = {n.casefold() for n in names}
        return next((s for s in self._grids if s.name.casefold() in wanted), None)


# --------------------------------------------------------------------------- small helpers


def stage_label(code: str, lang: Language) -> str:
    return STAGE_NAMES[code][lang] if code else ""


def date_out(d: np.datetime64) -> dt.date | None:
    """A numpy day as the ``datetime.date`` xlwings writes as an Excel date."""
    return None if np.isnat(d) else d.astype(dt.date)


def dates_out(days: np.ndarray) -> list[dt.date | None]:
    """Numpy days as ``datetime.date`` objects (None for NaT), converted in one go."""
    return np.asarray(days, dtype="datetime64[D]").astype(object).tolist()


def blank_mask(col: Sequence[Any] | None) -> np.ndarray:
    """True where a cell is blank (None, empty text, NaN)."""
    if col is None:
        return np.ones(0, dtype=bool)
    return col_info(col).blank


def memo_map(col: Sequence[Any], fn: Callable[[Any], Any], info: ColInfo | None = None) -> list[Any]:
    """``[fn(v) for v in col]`` with fn called once per distinct cell value (``info``: the
    column's :func:`col_info`, if known)."""
    values, where = distinct(col, info)
    results = [fn(v) for v in values]
    return [results[j] for j in where.tolist()]


def xlwings_udf_module(module_name: str = "xlclient.udfs") -> tuple[Any, Any]:
    """``(xlwings.udfs, module)``: the UDF module as Excel sees it, decorated by xlwings'
    Windows decorators (each function with its ``__xlfunc__``: argument names, help text,
    converters), loaded on any OS -- for tests and for building the workbook template
    (``xlwings.udfs.generate_vba_wrapper(module_name, module, file, workbook)`` writes the
    VBA module that *Import Functions* would import). On Linux ``xw.func`` returns functions
    unchanged and ``xlwings.udfs`` needs pywin32: stand-ins for pythoncom, pywintypes and
    win32com are put in ``sys.modules`` for the import only, and everything is restored
    afterwards. The returned module is a separate copy, not ``sys.modules[module_name]``."""
    import importlib
    import importlib.util
    import sys
    import types

    import xlwings as xw

    names = ("pythoncom", "pywintypes", "win32com", "win32com.client")
    saved = {k: sys.modules.get(k) for k in names + ("xlwings.udfs",)}
    try:
        if saved["pythoncom"] is None:
            for k in names:
                sys.modules[k] = types.ModuleType(k)
            sys.modules["pythoncom"].CoInitialize = lambda: None  # type: ignore[attr-defined]
            sys.modules["pywintypes"].com_error = Exception  # type: ignore[attr-defined]
            sys.modules["pywintypes"].TimeType = type("TimeType", (), {})  # type: ignore[attr-defined]
            sys.modules["pywintypes"].IID = str  # type: ignore[attr-defined]
            sys.modules["win32com.client"].Dispatch = lambda *a, **k: None  # type: ignore[attr-defined]
            sys.modules["win32com"].client = sys.modules["win32com.client"]  # type: ignore[attr-defined]
        xu = importlib.import_module("xlwings.udfs")
        before = (xw.func, xw.arg, xw.ret)
        xw.func, xw.arg, xw.ret = xu.xlfunc, xu.xlarg, xu.xlret
        try:
            spec = importlib.util.find_spec(module_name)
            module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
            spec.loader.exec_module(module)  # type: ignore[union-attr]
        finally:
            xw.func, xw.arg, xw.ret = before
        return xu, module
    finally:
        for k, m in saved.items():
            if m is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = m


__all__ = [
    "ArgError", "Context", "EXCEL_ERRORS", "PopulationCache", "PREFIXES", "RowErrors", "Rows",
    "SETTINGS_NAME", "HOLIDAYS_NAME", "SETTINGS_VBA", "HOLIDAYS_VBA", "sheet_expression",
    "arg_message", "broadcast", "clear_caches", "code_of", "codes_col", "context", "date_out", "default_context",
    "same_cells", "KeptCells", "flat", "COM_ERRORS", "com_error_text", "grid", "guarded", "is_blank", "is_message", "message", "parse", "parsed_col",
    "stage_label", "text_of", "to_fen", "unit_of", "dates_out", "blank_mask", "memo_map", "ColInfo",
    "col_info", "distinct", "omitted", "xlwings_udf_module",
]
