"""The client book: find the client table among a workbook's sheets and turn it into one
clean row per client (SPEC 2), reporting every unusable cell.

Input is plain data -- each sheet as rows of raw cells with the position of its first
cell, and the workbook's Excel tables -- so the same code serves the file reader and
xlwings. The result, :class:`ClientBook`, has a pandas frame with one column per field
(money in yuan, dates as ``datetime64``, yes/no as 1.0/0.0, NaN where blank or bad) plus
the Excel row of each client and the list of problems. Nothing the user typed is changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from typing import Any, Callable

import numpy as np
import pandas as pd

from .fields import (
    FIELDS,
    HEADER_UNITS,
    MONEY_KINDS,
    ColumnMatch,
    header_unit,
    match_columns,
    match_headers,
    normalise_header,
    split_unit,
)
from .labels import LANGUAGES, SHEET_NAMES, STAGE_NAMES, STAGES
from .parse import (
    BLANK_TOKENS,
    NUMBER,
    STR,
    TRADITIONAL,
    Parsed,
    blank_mask,
    kinds_of,
    parse_bool,
    parse_count,
    parse_date,
    parse_hours,
    parse_money,
    parse_score,
    parse_text,
    share_cell_types,
    shared_columns,
)
from .grid import ExcelError, SheetGrid, TableInfo, UncomputedFormula
from .problems import MAPPING_HINT_CODES, UNREADABLE_CODES, Problem
from .shown import foreign_currency
from .units import UNIT_ROW, UnitConflict, UnitsAround, units_around
from .reading import _PERSON_RE, CRITICAL_FIELDS, Reading, resolve
from . import not_found
from .client_column import client_by_content
from . import vouch
from .vocab import column_words, stage_codes, status_codes, status_stage_reading, tier_codes
from .settings import Settings

HEADER_SCAN_ROWS = 30


@dataclass
class ClientBook:
    """One clean row per client plus the problems found while reading."""

    frame: pd.DataFrame
    problems: list[Problem]
    sheet: str
    header_row: int  # Excel row number of the header
    columns: dict[str, ColumnMatch]
    table: str | None = None
    potential_kind: str | None = None  # "score" | "money" | None
    left_out: int = 0
    reading: Reading | None = None
    unnamed_amounts: list[int] = field(default_factory=list)  # rows left out for a name not read, holding an amount
    unread_elsewhere: int = 0  # rows of sheets that continue the table, not read (engine/tier.py: they may hold amounts)

    @property
    def unread_cells(self) -> dict[str, np.ndarray]:
        """field -> one flag per client: its cell held something that was not read (SPEC 2,
        vouch or leave empty; see :mod:`.vouch`)."""
        return vouch.unreadable_cells(self.frame["row"].to_numpy(), self.columns, self.problems)

    @property
    def unreadable(self) -> dict[str, str]:
        """Fields results depend on that could not be read (field -> problem code)."""
        return self.reading.unreadable if self.reading is not None else {}

    def __len__(self) -> int:
        return len(self.frame)


class ClientTableNotFound(LookupError):
    """No sheet or table of the workbook looks like a client table."""


# ---------------------------------------------------------------- locating the table


def owned_sheet_names() -> set[str]:
    """Names of the sheets xlclient writes (never read as a client table), case-folded."""
    return {SHEET_NAMES[k][lang].casefold() for k in SHEET_NAMES for lang in LANGUAGES} | {"xlwings.conf"}


def _is_owned(sheet: str, owned: set[str]) -> bool:
    return sheet.strip().casefold() in owned


def _refuse_owned(name: str, tables: Sequence[TableInfo], owned: set[str], lang: str) -> None:
    """A table or sheet named by the user that xlclient writes (分级结果, an Excel table over
    拜访计划 ...) is never read as the client table: its rows would be overwritten by the
    results computed from them."""
    sheet = next((t.sheet for t in tables if normalise_header(t.name) == normalise_header(name)), name)
    if _is_owned(sheet, owned):
        raise ClientTableNotFound(
            f"「{name}」是 xlclient 写入结果的工作表（{sheet}），不能作为客户表；请指定客户台账所在的表格或工作表"
            if lang == "zh" else
            f"'{name}' is a sheet xlclient writes its results to ({sheet}), not a client table; name the table or "
            "sheet that holds the client book")


# A bare 名称 / Name says a list of something; with no other known column it may be products.
_BARE_NAMES = frozenset(normalise_header(a) for a in ("名称", "name", "名字", "全称"))


def _score(headers: Sequence[Any], mapping: Mapping[str, str], rows: Sequence[Sequence[Any]] | None = None) -> int:
    """How many fields a header row names; 0 without a column naming the clients. A row
    whose only known column is a bare 名称 / Name scores 0 too (it may list products).
    With the ``rows`` under it, a column of names under a header such as 投保人 or 医院名称
    names the clients too (:mod:`.client_column`)."""
    found = match_headers(headers, mapping)
    client = found.get("name") or found.get("client_id")
    if client is None:
        if rows is not None and "name" not in mapping and client_by_content(
                headers, rows[:CONTENT_ROWS], {m.index for m in found.values()}) is not None:
            return 1 + len(found)
        return 0
    if len(found) == 1 and normalise_header(client.header) in _BARE_NAMES:
        return 0
    return len(found)


MIN_SCORE = 1  # a column that plainly names clients is enough to find the table (issue 30)
CONTENT_ROWS = 200  # rows looked at to find the client column by its values


PREFERRED_SHEET_NAMES = ("客户台账", "客户", "客户列表", "客户名单", "客户清单", "客户信息", "客户资料", "clients", "client",
                         "customers", "accounts", "clientlist", "clientbook")


def _data_rows(rows: Sequence[Sequence[Any]]) -> int:
    """How many rows hold anything (a tie-breaker between candidate tables)."""
    return sum(1 for r in rows if any(not _is_blank_cell(v) for v in r))


def locate_client_table(sheets: Sequence[SheetGrid], tables: Sequence[TableInfo] = (),
                        settings: Settings | None = None, name: str | None = None
                        ) -> tuple[str, str | None, int, int, list[Any], list[Sequence[Any]]]:
    """Find the client table: by table or sheet ``name`` when given, else the Excel table or
    header row naming the most fields; ties go to an Excel table, then to a visible sheet, then
    to a sheet called like 客户台账/Clients, then to the one with more rows. Sheets xlclient owns (Classification,
    VisitPlan, ...) are never taken.

    Returns (sheet, table name or None, 0-based header row, first column, headers, data rows).
    """
    mapping = dict(settings.columns) if settings else {}
    owned = owned_sheet_names()
    lang = settings.language if settings else "zh"
    if name:
        _refuse_owned(name, tables, owned, lang)
        for t in tables:
            if normalise_header(t.name) == normalise_header(name):
                return t.sheet, t.name, t.header_row, t.first_col, list(t.headers), list(t.rows)
        for s in sheets:
            if normalise_header(s.name) == normalise_header(name):
                found = _best_header_row(s, mapping)
                if found is None:
                    raise ClientTableNotFound(not_found.refusal([s], mapping, set(), lang))
                return found
        names = "、".join(f"「{x}」" for x in [t.name for t in tables] + [s.name for s in sheets]
                         if not _is_owned(x, owned))
        raise ClientTableNotFound(f"找不到名为「{name}」的表格或工作表；工作簿里有：{names}" if lang == "zh" else
                                  f"no table or sheet is called '{name}'; the workbook has: {names}")

    hidden = {s.name for s in sheets if s.hidden}
    candidates: list[tuple[tuple[int, int, int, int], tuple]] = []
    for t in tables:
        if _is_owned(t.sheet, owned):
            continue
        score = _score(t.headers, mapping, t.rows)
        if score >= MIN_SCORE:
            pref = 1 if normalise_header(t.sheet) in PREFERRED_SHEET_NAMES else 0
            candidates.append(((score, 1, int(t.sheet not in hidden), pref),
                               (t.sheet, t.name, t.header_row, t.first_col, list(t.headers), list(t.rows))))
    for s in sheets:
        if _is_owned(s.name, owned):
            continue
        found = _best_header_row(s, mapping)
        if found is not None:
            pref = 1 if normalise_header(s.name) in PREFERRED_SHEET_NAMES else 0
            candidates.append(((_score(found[4], mapping, found[5][:CONTENT_ROWS]), 0, int(not s.hidden), pref), found))
    if not candidates:
        raise ClientTableNotFound(not_found.refusal(sheets, mapping, owned, lang))
    best = max(c[0] for c in candidates)
    tied = [c[1] for c in candidates if c[0] == best]
    # Equals: the one with more rows; max() keeps the first of those (tables first, then tab order).
    return tied[0] if len(tied) == 1 else max(tied, key=lambda c: _data_rows(c[5]))


def _best_header_row(s: SheetGrid, mapping: Mapping[str, str]) -> tuple | None:
    """The header row naming the most fields among the first rows -- or a two-level header
    (a group row such as ``投放额（万元）`` merged over ``2025年`` / ``2026年``, or columns whose
    header sits in the upper row, merged down), when the pair names more fields than either
    row alone. The returned header row is the lower one; its cells are composed."""
    best: tuple[int, int, list[Any] | None] | None = None
    # the rows under each candidate header, cut first: slicing a million-row sheet 30 times costs seconds
    scores = [_score(row, mapping, s.rows[i + 1:i + 1 + CONTENT_ROWS]) for i, row in enumerate(s.rows[:HEADER_SCAN_ROWS])]
    for i, score in enumerate(scores):
        if score >= MIN_SCORE and (best is None or score > best[0]) and _has_clients(s, i, score, mapping):
            best = (score, i, None)
        if i > 0:
            composed = _two_level(s, i)
            if composed is not None:
                pair = _score(composed, mapping, s.rows[i + 1:i + 1 + CONTENT_ROWS])
                if pair >= MIN_SCORE and pair > max(score, scores[i - 1]) and (best is None or pair > best[0]):
                    best = (pair, i, composed)
    if best is None:
        return None
    _, i, composed = best
    headers = composed if composed is not None else list(s.rows[i])
    return s.name, None, s.first_row + i, s.first_col, headers, list(s.rows[i + 1:])


def _has_clients(s: SheetGrid, i: int, score: int, mapping: Mapping[str, str]) -> bool:
    """A header row naming only the client column needs two rows of clients under it (a
    lone 客户 in a note is not a table); one naming more fields needs nothing more."""
    if score > 1:
        return True
    found = match_headers(s.rows[i], mapping)
    client = found.get("name") or found.get("client_id")
    if client is None:  # found by its values, which already asked for rows of names
        return True
    col = client.index
    return sum(1 for r in s.rows[i + 1:i + 1 + HEADER_SCAN_ROWS] if col < len(r) and not _is_blank_cell(r[col])) >= 2


def _two_level(s: SheetGrid, i: int) -> list[Any] | None:
    """Row i's headers composed with the group row above it; None when row i - 1 is blank."""
    top, bottom = list(s.rows[i - 1]), list(s.rows[i])
    if not any(not _is_blank_cell(v) for v in top):
        return None
    width = max(len(top), len(bottom))
    top += [None] * (width - len(top))
    bottom += [None] * (width - len(bottom))
    group = list(top)
    r = s.first_row + i - 1  # the group row's sheet position
    for r0, c0, r1, c1 in s.merged:
        if r0 <= r <= r1 and c1 > c0:
            j0 = c0 - s.first_col
            if 0 <= j0 < width:
                for j in range(max(j0, 0), min(c1 - s.first_col + 1, width)):
                    group[j] = top[j0]
    out: list[Any] = []
    for g, b in zip(group, bottom):
        if _is_blank_cell(b):
            out.append(g)
        elif _is_blank_cell(g) or not isinstance(g, str) or not isinstance(b, str):
            out.append(b)
        else:
            out.append(_compose(g, b))
    return out


# Words a group header ends with that hold its columns rather than say what they are.
_CONTAINER_RE = re.compile(r"(?:记录|信息|资料|情况|明细|详情|数据|information|info|details|record|records)$", re.I)


def _compose(group: str, sub: str) -> str:
    """One header from a group header and a sub-header: the sub-header alone when it names a
    field (with the group's money unit if it states none: ``金额（万元）`` over ``投放额``), else
    the group's name with the sub-header and the group's unit (``投放额（万元）`` over ``2026年``
    gives ``投放额 2026年（万元）``)."""
    g_base, g_unit = split_unit(group)
    g_base = _CONTAINER_RE.sub("", g_base) or g_base  # 拜访记录 over 上次: the group's subject is 拜访
    s_base, s_unit = split_unit(sub)
    unit = s_unit or g_unit
    if match_headers([sub]):
        return sub if s_unit or not g_unit or header_unit(g_unit) is None else f"{sub}（{g_unit}）"
    return f"{g_base} {s_base}" + (f"（{unit}）" if unit else "")


_MONEY_HEADER_RE = re.compile(r"预算|金额|投放|budget|amount|spend|万|元")
_SCORE_HEADER_RE = re.compile(r"评分|打分|分数|得分|星级|score|rating")
_UNIT_LINE_RE = re.compile(r"单位\s*[:：]?\s*(?:人民币)?\s*(?P<u>千万元|百万元|亿元|万元|千元|元|万|亿)(?![\w])")


def unit_above(sheets: Sequence[SheetGrid], sheet: str, header_row: int, first_col: int = 0) -> float:
    """The money unit a line above the header states for the whole table (``单位：万元``,
    ``金额单位：万元``, a title ending ``（单位：万元）``); 1.0 (yuan) when there is none."""
    grid = next((g for g in sheets if g.name == sheet), None)
    if grid is None:
        return 1.0
    above = grid.rows[max(0, header_row - grid.first_row - HEADER_SCAN_ROWS):max(0, header_row - grid.first_row)]
    for row in reversed(above):
        for v in row:
            if isinstance(v, str) and ("单位" in v or "單位" in v):
                m = _UNIT_LINE_RE.search(unicodedata.normalize("NFKC", v).translate(TRADITIONAL))
                if m:
                    return HEADER_UNITS[m.group("u")]
    return 1.0


# ---------------------------------------------------------------- reading the rows

# Rows that are not clients: totals (合计, 小计, Total) and notes (注：…, 备注：…, 数据来源：…,
# 数据截至…). Matched on NFKC-normalised, trimmed, lower-cased text.
_TOTAL_RE = re.compile(r"^(?:本页|以上|全部|总|全年)?(?:合\s*计|总\s*计|小\s*计|共\s*计|总和|汇总)(?:$|[\s:(\[【（\d])"
                       r"|^(?:total|totals|subtotal|sub-total|sub total|grand total|sum)\s*:?$")
_NOTE_RE = re.compile(r"^[*※#\s]*(?:注|备注|说明|注释|附注|注意|数据来源|来源|制表|制表人|填表人|填表说明|审核|note|notes|remark|"
                      r"remarks|source)\s*\d*\s*[:：]|^[*※#\s]*(?:数据)?截[至止]")
# A subtotal named by its group: 张三 小计, 华东区合计, 王芳小计：, East region total.
_GROUP_TOTAL_RE = re.compile(r"^.{1,20}?\s*(?:小\s*计|合\s*计|总\s*计|汇\s*总|sub-?\s*total|total)\s*[:：]?$")
_SUMMARY_RE = re.compile(f"(?:{_TOTAL_RE.pattern})|(?:{_NOTE_RE.pattern})|(?:{_GROUP_TOTAL_RE.pattern})")
_SUMMARY_LAST = frozenset("计總总汇lL:：")
_ENUMERATOR_RE = re.compile(r"^(?:[一二三四五六七八九十]+|\d{1,2}|[a-z]|[ivx]+)\s*[、.．)）:：]\s*|^[(（](?:[一二三四五六七八九十]+|\d{1,2})[)）]\s*")
# A group heading alone on its row: 客户经理：张三, 华东区, 二组, 现有客户 (a block title).
_GROUP_LABEL_RE = re.compile(r"^(?:客户经理|负责人|销售|ae|业务员|区域|地区|大区|事业部|部门|小组|团队|组别|owner|region|team)"
                             r"\s*[:：]|^.{1,12}?(?:组|部|大区|区域|团队|事业部|中心|team|region|group)$")


def _is_blank_cell(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)


def _grid(rows: Sequence[Sequence[Any]], width: int) -> np.ndarray:
    """The first ``width`` columns of ``rows`` as a 2-D object array (short rows padded with
    None). Rows of one length (the usual sheet) are laid out in one pass over their cells
    (``fromiter``: 0.23 s for 1,000,000 x 26 cells, where filling an empty object array
    took 0.84 s); the result is then a view of that block."""
    n = len(rows)
    if n and width:
        lengths = set(map(len, rows))
        length = lengths.pop() if len(lengths) == 1 else -1
        if length >= width:
            block = np.fromiter(chain.from_iterable(rows), dtype=object, count=n * length).reshape(n, length)
            return block[:, :width]
    out = np.full((n, width), None, dtype=object)
    if n == 0 or width == 0:
        return out
    for i, r in enumerate(rows):
        k = min(len(r), width)
        if k:
            out[i, :k] = list(r[:k])
    return out


def _read_only(grid: np.ndarray) -> None:
    """Make ``grid`` and the array it is a view of read-only (see parse.shared_columns)."""
    grid.setflags(write=False)
    if isinstance(grid.base, np.ndarray):
        grid.base.setflags(write=False)


# First characters a total or note can start with, as typed: simplified and traditional,
# half- and full-width, any case (a quick filter before the regex).
_SUMMARY_FIRST = frozenset("合总小共汇本以全注备说附数来制填审截*※#" + "總匯註備說數來審" + "tsgnrTSGNR"
                           + "ｔｓｇｎｒＴＳＧＮＲ＊＃")


def _is_summary(text: np.ndarray) -> np.ndarray:
    """True for cells that say the row is a total or a note (see _TOTAL_RE, _NOTE_RE).
    Candidates are found by their first and last characters with C-level passes (a
    100,000-name column took 0.18 s cell by cell), then each is matched exactly."""
    n = len(text)
    out = np.zeros(n, dtype=bool)
    if n == 0:
        return out
    strs = list(text) if set(map(type, text)) == {str} else [v if isinstance(v, str) else "" for v in text]
    first_char = operator.itemgetter(slice(None, 1))
    last_char = operator.itemgetter(slice(-1, None))
    heads = list(map(first_char, strs))
    candidate = np.fromiter(map(_SUMMARY_FIRST.__contains__, heads), dtype=bool, count=n)
    candidate |= np.fromiter(map(_SUMMARY_LAST.__contains__, map(last_char, map(str.rstrip, strs))), dtype=bool,
                             count=n)
    spaced = np.fromiter(map(str.isspace, heads), dtype=bool, count=n)  # leading spaces: look past them
    for i in np.flatnonzero(spaced & ~candidate):
        candidate[i] = strs[i].lstrip()[:1] in _SUMMARY_FIRST
    for i in np.flatnonzero(candidate):
        if _SUMMARY_RE.match(unicodedata.normalize("NFKC", strs[i]).strip().lower().translate(TRADITIONAL)):
            out[i] = True
    return out


# Amounts that may be below zero: a client can be served at a loss.
NEGATIVE_ALLOWED = frozenset({"gross_profit"})


@dataclass
class _Reader:
    sheet: str
    grid: np.ndarray  # rows x columns of raw cells (recognised columns only are read)
    excel_rows: np.ndarray
    columns: dict[str, ColumnMatch]
    date1904: bool = False
    problems: list[Problem] = field(default_factory=list)
    factors: dict[str, float] = field(default_factory=dict)  # money field -> yuan per stored number (formats)

    def raw(self, f: str) -> np.ndarray | None:
        m = self.columns.get(f)
        return None if m is None else self.grid[:, m.index]

    def report(self, f: str, parsed_problems: np.ndarray, raw: Sequence[Any],
               params: Mapping[str, Any] | None = None) -> None:
        header = self.columns[f].header
        for i in np.flatnonzero(pd.notna(parsed_problems)):
            self.problems.append(Problem(self.sheet, int(self.excel_rows[i]), header, raw[i], str(parsed_problems[i]),
                                         dict(params or {})))

    def parsed(self, f: str, n: int) -> np.ndarray:
        kind = FIELDS[f][0]
        raw = self.raw(f)
        if raw is None:
            if kind == "date":
                return np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
            if kind in ("text", "status", "stage", "tier"):
                return np.full(n, "", dtype=object)
            return np.full(n, np.nan)
        if kind in ("text", "status", "stage", "tier"):
            return parse_text(raw)
        parser = {"money": lambda r: parse_money(r, self.columns[f].multiplier,
                                                 allow_negative=f in NEGATIVE_ALLOWED),
                  "date": lambda r: parse_date(r, self.date1904),
                  "count": parse_count, "hours": parse_hours, "score": parse_score, "bool": parse_bool}[kind]
        result: Parsed = parser(raw)
        if kind == "money" and f in self.factors:  # numbers shown through a format with a unit: 0.0"万"
            result = _numbers_scaled(result, raw, self.factors[f] / self.columns[f].multiplier)
        params = {"lo": 1, "hi": 5} if kind == "score" else None
        if kind == "money":
            params = {"multiplier": self.columns[f].multiplier}  # named in the reader's language
        self.report(f, result.problems, raw, params)
        return result.values


def _numbers_scaled(result: Parsed, raw: np.ndarray, ratio: float) -> Parsed:
    """The amounts of the number cells (not text) scaled by ``ratio``: a number format with a
    unit (``0.0"万"`` shows 12.2 as 12.2万) says what a stored number is worth."""
    if ratio == 1.0:
        return result
    numbers = kinds_of(raw) == NUMBER
    values = result.values.copy()
    values[numbers] = values[numbers] * ratio
    return Parsed(values, result.problems)


_UNIT_PLACES = {"title": "title", "unit_row": "unit_row", "note": "note", "format": "format"}


def _units_seen(hm: Any, around: Callable[[Mapping[int, float | None]], UnitsAround] | None,
                sheet: str) -> tuple[dict[str, float], list[Problem], int | None]:
    """Read what a person sees (SPEC 2): the unit of each money column from the places
    around the table (a title, a unit row, a note, the cells' number formats), written into
    ``hm`` where the header states none; returns (field -> yuan per stored number where a
    format says so, the problems of columns whose places disagree, the unit row's index)."""
    if around is None:
        return {}, [], None
    money = {m.index: (m.multiplier if m.unit_from in ("header", "group") else None)
             for f, m in hm.columns.items() if FIELDS[f][0] in MONEY_KINDS}
    if not money:
        return {}, [], None
    seen = around(money)
    factors: dict[str, float] = {}
    problems: list[Problem] = []
    whole = [k for k in seen.conflicts if k.col is None]
    for f, m in list(hm.columns.items()):
        cu = seen.columns.get(m.index)
        if cu is None:
            continue
        own = m.unit_from in ("header", "group")
        if own:  # the column's own unit wins over a title or note for the whole table; not over its cells
            mine = [e for e in cu.evidence if e.place in ("header", "format") or e.place == UNIT_ROW and e.col == m.index]
            clash = [k for k in seen.conflicts if k.col == m.index and k.reason != "places_disagree"]
            if len({e.multiplier for e in mine}) > 1:
                clash.insert(0, UnitConflict("places_disagree", m.index, tuple(mine)))
        else:
            clash = [k for k in seen.conflicts if k.col == m.index] + whole
        if clash:
            k = clash[0]
            currencies = {foreign_currency(text) for _, _, text in k.cells}
            if k.reason == "format_not_money" and k.cells and None not in currencies:
                # the cells show another currency (NT$, US$): an amount, but not in yuan
                problems.append(Problem(sheet, None, m.header, None, "field_foreign",
                                        {"field": f, "unit": "、".join(sorted(currencies))}))
                continue
            places = "；".join(dict.fromkeys(e.text for e in k.evidence)) if k.evidence else \
                "；".join(dict.fromkeys(text for _, _, text in k.cells))
            problems.append(Problem(sheet, None, m.header, None, "unit_unclear",
                                    {"field": f, "places": places, "reason": k.reason}))
            continue
        if own:  # what its cells' formats say a stored number is worth, in the header's unit
            base = m.multiplier
            worth = {rd.factor if rd.kind == "money" else base / rd.divisor
                     for rd, _, _ in cu.formats.readings if rd.kind in ("money", "number")}
            if len(worth) == 1 and (factor := worth.pop()) != base:
                factors[f] = factor
            continue
        if cu.multiplier is not None and m.unit_from not in ("header", "group"):
            place = next((e.place for e in cu.evidence if e.place != "header"), "banner")
            hm.columns[f] = dataclasses.replace(m, multiplier=cu.multiplier, unit_from=_UNIT_PLACES.get(place, "banner"))
        base = hm.columns[f].multiplier
        if cu.factor is not None and cu.factor != base:
            factors[f] = cu.factor
    return factors, problems, seen.unit_row


def read_client_book(sheets: Sequence[SheetGrid], tables: Sequence[TableInfo] = (),
                     settings: Settings | None = None, name: str | None = None, date1904: bool = False) -> ClientBook:
    """Locate the client table and read it (see :func:`build_client_book`). A ``单位：万元``
    line above the header sets the unit of money columns whose header states none."""
    settings = settings or Settings()
    sheet, table, header_row, first_col, headers, rows = locate_client_table(sheets, tables, settings, name)
    continued = [] if name else continuation_sheets(sheets, sheet, headers, settings)
    sheet_status = status_codes(np.array([sheet], dtype=object))[0][0] or None

    last = len(rows)  # the last data row: notes and totals under the table are not data
    while last and all(_is_blank_cell(v) for v in rows[last - 1]) or last and _is_summary(np.array(
            [next((v for v in rows[last - 1] if isinstance(v, str) and v.strip()), "")], dtype=object))[0]:
        last -= 1

    def around(money: Mapping[int, float | None]) -> UnitsAround:
        """The unit a person sees around the table for these money columns (table positions)."""
        found = units_around(sheets, sheet, header_row, first_col, first_col + len(headers) - 1,
                             header_row + last, [first_col + i for i in money],
                             {first_col + i: m for i, m in money.items()})
        return UnitsAround({c - first_col: u for c, u in found.columns.items()}, found.table,
                           None if found.unit_row is None else found.unit_row - header_row - 1,
                           tuple(dataclasses.replace(k, col=None if k.col is None else k.col - first_col)
                                 for k in found.conflicts))

    book = build_client_book(headers, rows, sheet=sheet, header_row=header_row, settings=settings, table=table,
                             date1904=date1904, default_multiplier=unit_above(sheets, sheet, header_row, first_col),
                             around=around, sheet_status=sheet_status)
    if continued:
        _report_continued(book, continued, sheet_status)
    return book


def continuation_sheets(sheets: Sequence[SheetGrid], sheet: str, headers: Sequence[Any],
                        settings: Settings) -> list[tuple[str, int]]:
    """Other sheets that continue the client table: the same header (one sheet per status,
    AE or region, as people keep books). (sheet, data rows) each, in tab order."""
    key = [normalise_header(h) for h in headers if not _is_blank_cell(h)]
    if len(key) < 2:
        return []
    owned = owned_sheet_names()
    out = []
    for s in sheets:
        if s.name == sheet or _is_owned(s.name, owned):
            continue
        found = _best_header_row(s, dict(settings.columns))
        if found is not None and [normalise_header(h) for h in found[4] if not _is_blank_cell(h)] == key:
            out.append((s.name, _data_rows(found[5])))
    return out


def _report_continued(book: ClientBook, continued: list[tuple[str, int]], sheet_status: str | None) -> None:
    """Sheets that continue the table are not read yet: each says so on its own sheet (a
    problem of the table). When they may hold current clients (not every one is named for a
    status other than current), their amounts may be the largest and the Pareto tiers of
    the sheet read are withheld (SPEC 4.1) -- by the rows they hold."""
    names = [n for n, _ in continued]
    codes = status_codes(np.array(names, dtype=object))[0]
    complete = sheet_status == "current" and all(c in ("prospect", "lost") for c in codes)
    for (other, n), code in zip(continued, codes):
        book.problems.append(Problem(other, None, "", None, "table_continued", {"sheet": book.sheet, "n": n}))
    if not complete:
        book.unread_elsewhere += sum(n for _, n in continued)


def build_client_book(headers: Sequence[Any], rows: Sequence[Sequence[Any]], *, sheet: str, header_row: int,
                      settings: Settings | None = None, table: str | None = None,
                      date1904: bool = False, default_multiplier: float = 1.0,
                      around: Callable[[Mapping[int, float | None]], UnitsAround] | None = None,
                      sheet_status: str | None = None) -> ClientBook:
    """Turn a header row and the data rows under it into a :class:`ClientBook` (see
    :func:`_build_client_book`); each column of the grid is sorted by kind once for all
    the looks at it (:func:`~.parse.shared_columns`)."""
    with shared_columns():
        return _build_client_book(headers, rows, sheet=sheet, header_row=header_row, settings=settings, table=table,
                                  date1904=date1904, default_multiplier=default_multiplier, around=around,
                                  sheet_status=sheet_status)


def _build_client_book(headers: Sequence[Any], rows: Sequence[Sequence[Any]], *, sheet: str, header_row: int,
                       settings: Settings | None = None, table: str | None = None,
                       date1904: bool = False, default_multiplier: float = 1.0,
                       around: Callable[[Mapping[int, float | None]], UnitsAround] | None = None,
                       sheet_status: str | None = None) -> ClientBook:
    """Turn a header row and the data rows under it into a :class:`ClientBook`.

    ``header_row`` is the 0-based sheet row of the header; data row i is Excel row
    header_row + i + 2. Rows blank in every recognised column are skipped silently; total
    and note rows (合计, 注：…) and rows without a client name are left out and reported (one
    problem each, with the reason; their cells are not checked); duplicates are reported
    and kept. ``default_multiplier`` is the money unit of columns whose header has none.
    """
    settings = settings or Settings()
    today = np.datetime64(settings.today(), "D")
    excel_rows_all = np.arange(len(rows)) + header_row + 2
    hm = match_columns(headers, settings.columns, default_multiplier, default_unit_from="banner")
    factors, unit_problems, unit_row = _units_seen(hm, around, sheet)
    grid_full = _grid(rows, len(headers))
    formula_problems = _uncomputed(grid_full, headers, hm.columns, sheet, excel_rows_all)
    formula_problems += _error_values(grid_full, hm.columns, sheet, excel_rows_all)
    _read_only(grid_full)  # from here its columns' sorted cells are shared: nothing changes it
    share_cell_types(grid_full)  # every cell's type, in one pass in the order the cells were made
    columns, rivals, unreadable, evidence, table_problems = resolve(
        hm, grid_full, headers, sheet, excel_rows_all, settings.columns, date1904)
    if sheet_status and "status" not in columns and "status" not in unreadable:  # 潜在客户: the sheet's name says it
        table_problems = [p for p in table_problems if p.code != "status_from_billings"]
        evidence["status"] = {"zh": f"取自工作表名「{sheet}」", "en": f"from the sheet's name '{sheet}'"}
    for p in unit_problems:  # a money column whose unit the places around it disagree on: not read
        f = p.params["field"]
        if f in columns:
            unreadable[f] = p.code
            del columns[f]
            table_problems.append(p)

    # Skip rows that are blank in every recognised column.
    width = max((m.index for m in columns.values()), default=-1) + 1
    grid_all = grid_full[:, :width] if width <= grid_full.shape[1] else _grid(rows, width)
    _read_only(grid_all)  # its columns' sorted cells are shared too
    nonblank = np.zeros(len(rows), dtype=bool)
    order = sorted(columns.values(), key=lambda m: m.field not in ("name", "client_id"))
    for m in order:  # only rows not yet known to hold something are looked at again
        todo = np.flatnonzero(~nonblank)
        if not len(todo):
            break
        nonblank[todo] = ~blank_mask(grid_all[:, m.index] if len(todo) == len(nonblank) else grid_all[todo, m.index])
    if unit_row is not None and 0 <= unit_row < len(nonblank):
        nonblank[unit_row] = False  # a row of units under the header (（万元）): no client
    keep = np.flatnonzero(nonblank)
    every = len(keep) == len(nonblank)  # the usual case: the grid itself, not a copy of it
    if every:
        grid = grid_all
    else:  # a copy without the blank rows: shared as well, with the types already found
        grid = grid_all[keep]
        _read_only(grid)
        codes = share_cell_types(grid_all)
        share_cell_types(grid, None if codes is None else codes[keep])
    excel_rows = excel_rows_all[keep]
    reader = _Reader(sheet, grid, excel_rows, columns, date1904, factors=factors)
    n = len(keep)

    data: dict[str, Any] = {"row": excel_rows}
    for f in FIELDS:
        if f == "potential":
            continue
        data[f] = reader.parsed(f, n)
    for f in ("name", "client_id"):  # "-", "/", "n/a" name no client
        short = np.flatnonzero(np.fromiter(map(len, data[f]), dtype=np.int64, count=n) <= 4)
        data[f][short[np.fromiter((v.lower() in BLANK_TOKENS for v in data[f][short]), dtype=bool,
                                  count=len(short))]] = ""

    # Potential: a 1-5 score, or money (a budget). The header decides when it says which
    # (预计预算 / a money unit -> money; 评分 -> score); otherwise the values do: money text
    # (``50万``) or most numbers above 5. One typo (a 7 among 1-5 scores) does not turn a
    # score column into money.
    potential_kind = None
    data["potential_score"] = np.full(n, np.nan)
    data["potential_money"] = np.full(n, np.nan)
    pot_raw = reader.raw("potential")
    if pot_raw is not None:
        match = columns["potential"]
        as_money = parse_money(pot_raw, match.multiplier)
        key = normalise_header(match.header)
        money_header = match.multiplier != default_multiplier or bool(_MONEY_HEADER_RE.search(key))
        score_header = bool(_SCORE_HEADER_RE.search(key))
        if money_header or score_header:
            money_like = money_header
        else:
            texts = pd.Series(pot_raw[kinds_of(pot_raw) == STR], dtype=object)
            money_text = len(texts) > 0 and bool(texts.str.contains(r"[万亿元¥￥]|\dk\b", case=False, regex=True).any())
            plain = parse_money(pot_raw).values  # as typed, before any unit
            numbers = plain[~np.isnan(plain)]
            money_like = money_text or (len(numbers) > 0 and float(np.mean(numbers > 5)) > 0.5)
        if money_like:
            potential_kind = "money"
            data["potential_money"] = as_money.values
            reader.report("potential", as_money.problems, pot_raw, {"multiplier": match.multiplier})
        else:
            potential_kind = "score"
            score = parse_score(pot_raw)
            data["potential_score"] = score.values
            reader.report("potential", score.problems, pot_raw, {"lo": 1, "hi": 5})

    frame = pd.DataFrame(data)

    # The header repeated under itself (a book pasted together from printed pages) is not
    # data: skipped silently, like a blank row.
    names = frame["name"].to_numpy(dtype=object)
    ids = frame["client_id"].to_numpy(dtype=object)
    key_col = columns.get("name") or columns.get("client_id")
    repeat = np.zeros(n, dtype=bool)
    if key_col is not None:
        typed = str(headers[key_col.index]).strip()
        repeat = (names if key_col.field == "name" else ids) == typed
        if repeat.any():
            out = set(excel_rows[repeat].tolist())
            reader.problems[:] = [p for p in reader.problems if p.row not in out]
            frame = frame[~repeat].reset_index(drop=True)
            keep = keep[~repeat]
            excel_rows = excel_rows[~repeat]
            names = frame["name"].to_numpy(dtype=object)
            ids = frame["client_id"].to_numpy(dtype=object)

    # Group headings alone on their row (an AE's name above their clients, a region, a block
    # title such as 潜在客户): not clients.
    group = _group_rows(grid_full if len(keep) == len(grid_full) else grid_full[keep], frame, columns)

    # Rows that are not clients: totals and notes (in the name or ID cell, or in any cell of a
    # row without a name), and rows without a name.
    summary = _is_summary(names)
    blank_name = np.flatnonzero(names == "")
    summary[blank_name] = _is_summary(ids[blank_name])  # a total or note typed in the ID column
    # Without a name column the client ID names the client.
    summary &= ~group
    nameless = ((names == "") if "name" in columns else (ids == "")) & ~summary & ~group
    name_col = columns.get("name") or columns.get("client_id") or ColumnMatch("name", 0, "客户名称")
    name_raw = grid_all[keep, name_col.index] if name_col.field in columns else None
    # A row without a name, or whose name is a bare number (a report's "Total | 70"), is a
    # total or note when its first words say so.
    numeric_name = np.zeros(len(names), dtype=bool)
    if name_raw is not None and name_col.field == "name":
        numeric_name = np.fromiter((isinstance(v, (int, float)) and not isinstance(v, bool) for v in name_raw),
                                   dtype=bool, count=len(name_raw)) & ~summary & ~group
    for i in np.flatnonzero(nameless | numeric_name):
        cells = [v for v in rows[keep[i]] if isinstance(v, str) and v.strip()]
        if cells and _is_summary(np.array(cells[:1], dtype=object))[0]:
            summary[i], nameless[i] = True, False
    left: list[Problem] = []
    for i in np.flatnonzero(summary):
        if _is_summary(names[i:i + 1])[0]:
            text = names[i]
        elif names[i] == "" and _is_summary(ids[i:i + 1])[0]:
            text = ids[i]
        else:
            text = next(v for v in rows[keep[i]] if isinstance(v, str) and v.strip())
        left.append(Problem(sheet, int(excel_rows[i]), name_col.header, text, "summary_row"))
    for i in np.flatnonzero(nameless):
        value = name_raw[i] if name_raw is not None and not _is_blank_cell(name_raw[i]) else None
        left.append(Problem(sheet, int(excel_rows[i]), name_col.header, value, "no_name"))
    for i in np.flatnonzero(group):
        text = next(v for v in rows[keep[i]] if not _is_blank_cell(v))
        left.append(Problem(sheet, int(excel_rows[i]), name_col.header, text, "group_row", {"value": text}))
    # a row without a readable name that holds an amount is a client nobody can name: its
    # amount may be the largest and move every Pareto tier (SPEC 4.1)
    name_header = columns["name"].header if "name" in columns else None
    unnamed_errors = {p.row for p in formula_problems if p.column == name_header}
    billed = ~np.isnan(frame["billings"].to_numpy(dtype=float))
    if "billings" in columns:  # an amount not read is an amount too
        billed |= np.isin(excel_rows, [p.row for p in reader.problems if p.column == columns["billings"].header])
    unnamed_amounts = [int(r) for r in excel_rows[nameless & billed] if int(r) in unnamed_errors]
    unnamed_amounts += _unlabelled_clients(frame["billings"].to_numpy(dtype=float), excel_rows, nameless & billed,
                                           summary | group, set(unnamed_amounts))
    seen_owners = _owners_seen(grid_full if len(keep) == len(grid_full) else grid_full[keep], frame, columns, group,
                               summary, {p.row for p in formula_problems if "owner" in columns
                                         and p.column == columns["owner"].header})
    if seen_owners is not None:
        evidence["owner"] = seen_owners
    out = summary | nameless | group
    out_rows = set(excel_rows[out].tolist())
    problems = [p for p in reader.problems if p.row not in out_rows] + left
    left_out = int(out.sum())
    frame = frame[~out].reset_index(drop=True)

    if "owner" in columns:  # a client without an AE: said on its row (the plan lists it as unscheduled)
        header = columns["owner"].header
        said = {p.row for p in problems if p.column == header}
        for i in np.flatnonzero(frame["owner"].to_numpy(dtype=object) == ""):
            if int(frame["row"].iat[i]) not in said:
                problems.append(Problem(sheet, int(frame["row"].iat[i]), header, None, "no_owner"))
    _dates_vs_today(frame, columns, sheet, today, problems)
    if sheet_status and "status" not in columns and "status" not in unreadable:
        frame["status"] = sheet  # every client of the sheet 潜在客户 has the status its name says
    _statuses(frame, columns, sheet, problems, formula_problems)
    _plausible(frame, columns, unreadable, sheet, problems)
    _tiers(frame, columns, sheet, problems)
    _stages(frame, columns, sheet, problems)
    _client_ids(frame, columns, sheet, problems)

    kept_rows = set(frame["row"].tolist())
    # a row left out for its name keeps the problem of its name cell (an error value, a
    # formula without a result): the reason the name is missing
    name_header = columns["name"].header if "name" in columns else None
    problems += [p for p in formula_problems if p.row is None or p.row in kept_rows
                 or p.row in out_rows and p.column == name_header]
    problems += table_problems + _many_unreadable(frame, columns, problems, sheet)
    if settings is not None and not settings.from_sheet:  # the 列映射 a message points to needs `init` first
        problems = [dataclasses.replace(p, params={**p.params, "init_first": True})
                    if p.row is None and p.code in MAPPING_HINT_CODES else p for p in problems]
    problem_rows = {p.row for p in problems}
    frame["has_problem"] = frame["row"].isin(problem_rows)
    taken = {m.index for m in columns.values()} | {r.index for rs in rivals.values() for r in rs}
    unused = [(str(h).strip(), tuple(hm.unclear.get(j, ()))) for j, h in enumerate(headers)
              if j not in taken and not _is_blank_cell(h) and not isinstance(h, UncomputedFormula)]
    reading = Reading(sheet, header_row + 1, table, dict(columns), rivals, unreadable, evidence, unused)
    return ClientBook(frame, problems, sheet, header_row + 1, columns, table, potential_kind, left_out, reading,
                      unnamed_amounts)


def _unlabelled_clients(amounts: np.ndarray, excel_rows: np.ndarray, nameless: np.ndarray, other: np.ndarray,
                        known: set[int]) -> list[int]:
    """Rows without a name that hold an amount which is not a total: a client nobody named
    (SPEC 4.1: it may be the largest). A blank-name row whose amount is the sum of the named
    amounts above it -- since the last such row, or since the top; an unnamed client's
    amount counted in -- is an unlabelled subtotal or total and not counted. An amount that
    is not a number (a cell not read) is a client's too."""
    out: list[int] = []
    since_break = since_top = 0.0
    for i in range(len(amounts)):
        a = amounts[i]
        if other[i]:
            since_break = 0.0
            continue
        if not nameless[i]:
            if not np.isnan(a):
                since_break += a
                since_top += a
            continue
        row = int(excel_rows[i])
        is_total = not np.isnan(a) and any(abs(a - s) <= 0.005 * max(abs(s), 1.0) for s in (since_break, since_top)
                                           if s)
        if is_total:
            since_break = 0.0
            continue
        if row not in known:
            out.append(row)
        if not np.isnan(a):  # a client without a name still counts in the totals under it
            since_break += a
            since_top += a
    return out


def _uncomputed(grid: np.ndarray, headers: Sequence[Any], columns: Mapping[str, ColumnMatch], sheet: str,
                excel_rows: np.ndarray) -> list[Problem]:
    """Formulas saved without their result: a header cell is a problem of the table (its
    column cannot be recognised); a data cell of a recognised column is reported and read
    as blank (``grid`` is changed in place; the rows' own lists are not)."""
    out: list[Problem] = []
    from .reading import _letter

    for j, h in enumerate(headers):
        if isinstance(h, UncomputedFormula):
            out.append(Problem(sheet, None, _letter(j), None, "header_formula",
                               {"letter": _letter(j), "formula": str(h)}))
    for m in columns.values():
        if m.index >= grid.shape[1] or not UncomputedFormula.made:  # none made: none in the grid
            continue
        col = grid[:, m.index]
        if UncomputedFormula not in set(map(type, col)):  # the common case, in one C-level pass
            continue
        hit = np.flatnonzero(np.fromiter((isinstance(v, UncomputedFormula) for v in col), dtype=bool, count=len(col)))
        for i in hit:
            out.append(Problem(sheet, int(excel_rows[i]), m.header, str(col[i]), "formula_no_value",
                               {"formula": str(col[i])}))
            col[i] = None
    return out


def _error_values(grid: np.ndarray, columns: Mapping[str, ColumnMatch], sheet: str,
                  excel_rows: np.ndarray) -> list[Problem]:
    """Excel error values the reader marked (:class:`ExcelError`: ``#N/A``, ``#SPILL!``,
    any spelling) in a recognised column: each is reported with its cell and read as blank
    (``grid`` is changed in place, as by :func:`_uncomputed`). An error in a text column
    (a name, an owner, a status) would otherwise read as that text or as nothing."""
    out: list[Problem] = []
    if not ExcelError.made:  # none made: none in the grid
        return out
    for m in columns.values():
        if m.index >= grid.shape[1]:
            continue
        col = grid[:, m.index]
        if ExcelError not in set(map(type, col)):  # the common case, in one C-level pass
            continue
        hit = np.flatnonzero(np.fromiter((type(v) is ExcelError for v in col), dtype=bool, count=len(col)))
        for i in hit:
            out.append(Problem(sheet, int(excel_rows[i]), m.header, str(col[i]), "excel_error"))
            col[i] = None
    return out


def _group_rows(grid: np.ndarray, frame: pd.DataFrame, columns: Mapping[str, ColumnMatch]) -> np.ndarray:
    """Rows holding one text cell that heads a group: a value of the owner, region or
    industry column of other rows, a status word (a block title such as 潜在客户), or a
    heading such as ``客户经理：张三`` / ``华东区``."""
    n = len(grid)
    out = np.zeros(n, dtype=bool)
    if n == 0 or grid.ndim != 2 or grid.shape[1] == 0:
        return out
    # Candidates first, from the columns that make a client (a heading fills at most one of
    # them); then the whole row of each candidate.
    keys = [m.index for f, m in columns.items() if f in ("client_id", "name", "owner", "status", "billings",
                                                             "last_visit") and m.index < grid.shape[1]]
    count = np.zeros(n, dtype=int)
    for j in keys:
        count += ~blank_mask(grid[:, j])
    candidates = np.flatnonzero(count <= 1)
    if not len(candidates):
        return out
    filled = np.zeros((len(candidates), grid.shape[1]), dtype=bool)
    for j in range(grid.shape[1]):
        filled[:, j] = ~blank_mask(grid[candidates, j])
    single = candidates[filled.sum(axis=1) == 1]
    filled = dict(zip(candidates.tolist(), filled))
    if not len(single):
        return out
    heads: set[str] = set()
    for f in ("owner", "region", "industry"):
        if f in frame:
            heads |= {normalise_header(v) for v in frame[f].to_numpy(dtype=object) if isinstance(v, str) and v}
    owners = frame["owner"].to_numpy(dtype=object) if "owner" in columns else None
    for i in single:
        v = grid[i, int(np.flatnonzero(filled[int(i)])[0])]
        if not isinstance(v, str):
            continue
        text = _ENUMERATOR_RE.sub("", unicodedata.normalize("NFKC", v).strip().lower())  # 二、潜在客户
        key = normalise_header(text)
        # a person's name alone above clients whose owner cell is blank: their AE
        person_over_blanks = owners is not None and i + 1 < n and owners[i + 1] == "" and bool(_PERSON_RE.match(v.strip()))
        if key in heads or status_codes(np.array([text], dtype=object))[0][0] or _GROUP_LABEL_RE.match(text) \
                or person_over_blanks:
            out[i] = True
    return out


_OWNER_HEADING_RE = re.compile(r"^(?:客户经理|负责人|业务员|销售|ae|owner|account manager)\s*[:：]\s*(?P<name>.+)$", re.I)


def _owners_seen(grid: np.ndarray, frame: pd.DataFrame, columns: Mapping[str, ColumnMatch], group: np.ndarray,
                 summary: np.ndarray, unread: set[int]) -> dict[str, str] | None:
    """Owners a person reads where the owner cell is blank (SPEC 2, read what a person sees):
    under a heading row that names the AE (``李娜`` or ``客户经理：李娜`` alone on its row), and
    in a pivot table's outline (the owner column first, its value on a group's first row
    only, ``李娜 汇总`` closing the group). A cell that held something not read (an error
    value: ``unread``, Excel rows) is not blank and is not filled. ``frame["owner"]`` is
    filled in place; returns the evidence for the reading report, or None when nothing was
    filled."""
    if "owner" not in columns:
        return None
    owner = frame["owner"].to_numpy(dtype=object).copy()
    if not (owner == "").any():  # every owner typed: nothing to read from headings (the usual book, no row loop)
        return None
    filled = 0
    current = ""
    pivot = columns["owner"].index == min(m.index for m in columns.values()) and bool(summary.any())
    for i in range(len(owner)):
        if group[i]:
            v = next((c for c in grid[i] if isinstance(c, str) and c.strip()), "")
            m = _OWNER_HEADING_RE.match(unicodedata.normalize("NFKC", v).strip())
            name = m.group("name").strip() if m else v.strip()
            current = name if (m or _PERSON_RE.match(name)) else ""
            continue
        if summary[i]:
            current = ""  # a group's total closes it
            continue
        if owner[i]:
            current = owner[i] if pivot else current
            continue
        if current and int(frame["row"].iat[i]) not in unread:
            owner[i] = current
            filled += 1
    if not filled:
        return None
    frame["owner"] = owner
    return {"zh": f"{filled} 个客户的客户经理取自上方的分组标题或透视表分组",
            "en": f"the owner of {filled} clients taken from the group heading above them or the pivot outline"}



def _many_unreadable(frame: pd.DataFrame, columns: Mapping[str, ColumnMatch], problems: Sequence[Problem],
                     sheet: str) -> list[Problem]:
    """A problem of the table when many of a result-bearing field's cells could not be read
    (at least 3 and a tenth of the non-blank ones): said out loud, not only row by row."""
    out = []
    rows = set(frame["row"].tolist())
    for f in CRITICAL_FIELDS:
        if f not in columns:
            continue
        header = columns[f].header
        bad = sum(1 for p in problems if p.column == header and p.row in rows and p.code in UNREADABLE_CODES
                  and p.code != "future_date")
        if f == "billings":
            total = int((~np.isnan(frame[f].to_numpy(dtype=float))).sum()) + bad
        elif f == "last_visit":
            total = int((~np.isnat(frame[f].to_numpy(dtype="datetime64[D]"))).sum()) + bad
        else:
            total = int((frame["status_text"] if f == "status" else frame[f]).astype(bool).sum())  # typed, non-blank
        if bad >= 3 and bad >= 0.1 * max(total, 1):
            out.append(Problem(sheet, None, header, None, "many_unreadable", {"field": f, "bad": bad, "total": total}))
    return out


def _dates_vs_today(frame: pd.DataFrame, columns: Mapping[str, ColumnMatch], sheet: str, today: np.datetime64,
                    problems: list[Problem]) -> None:
    for f in ("first_order", "last_order", "last_visit"):
        if f not in columns:
            continue
        values = frame[f].to_numpy(dtype="datetime64[D]")
        future = values > today
        for i in np.flatnonzero(future):
            problems.append(Problem(sheet, int(frame["row"].iat[i]), columns[f].header, values[i].astype(dt.date),
                                    "future_date", {"today": str(today)}))
        if future.any():
            values = values.copy()
            values[future] = np.datetime64("NaT")
            frame[f] = values
    if "first_order" in columns and "last_order" in columns:
        first = frame["first_order"].to_numpy(dtype="datetime64[D]")
        last = frame["last_order"].to_numpy(dtype="datetime64[D]")
        wrong = last < first
        for i in np.flatnonzero(wrong):
            problems.append(Problem(sheet, int(frame["row"].iat[i]), columns["first_order"].header,
                                    first[i].astype(dt.date), "date_order"))
        if wrong.any():
            first = first.copy()
            first[wrong] = np.datetime64("NaT")
            frame["first_order"] = first


def _statuses(frame: pd.DataFrame, columns: Mapping[str, ColumnMatch], sheet: str, problems: list[Problem],
              cell_problems: Sequence[Problem] = ()) -> None:
    """Status codes: current / prospect / lost, or "" where unknown. A word that is not a
    status is reported and the client's status stays unknown (never guessed). A blank
    cell, or a book without a status column (SPEC 2), is told by billings: read and above
    zero is current, blank or zero a prospect; billings that could not be read leave it
    unknown."""
    m = columns.get("status")  # its header says what the words mean (正常 in 账户状态; Lost in a stage column)
    reading = status_stage_reading(frame["status"].to_numpy(dtype=object), m.header if m else None,
                                   context="client" if m is not None and m.how == "mapping" else None)
    codes, unknown, ambiguous = reading.codes, reading.unknown, reading.ambiguous
    words = column_words(frame["status"].to_numpy(dtype=object), codes) if unknown.any() else ()
    for i in np.flatnonzero(unknown):
        problems.append(Problem(sheet, int(frame["row"].iat[i]), columns["status"].header, frame["status"].iat[i],
                                "status_ambiguous" if ambiguous[i] else "status", {"words": words}))
    frame["status_stage"] = reading.stages  # Qualified: a prospect at 准; used where no stage is typed
    billings = frame["billings"].to_numpy(dtype=float)
    inferred = np.where(np.nan_to_num(billings) > 0, "current", "prospect").astype(object)
    unread = vouch.unreadable_cells(frame["row"].to_numpy(), {f: columns[f] for f in ("billings", "status")
                                                             if f in columns}, [*problems, *cell_problems])
    none = np.zeros(len(frame), dtype=bool)
    inferred[unread.get("billings", none)] = ""
    unknown = unknown | unread.get("status", none)  # an error value in the status cell: not a blank one
    frame["status_text"] = frame["status"]
    frame["status"] = np.where(unknown, "", np.where(codes == "", inferred, codes)).astype(object)


#: The median yearly amount of an agency's current clients lies between these (yuan): a unit
#: that puts most of them outside is not the unit the book means (SPEC 2, plausibility).
PLAUSIBLE_MEDIAN = (1_000.0, 1e9)


def _plausible(frame: pd.DataFrame, columns: dict[str, ColumnMatch], unreadable: dict[str, str], sheet: str,
               problems: list[Problem]) -> None:
    """Billings in the chosen unit must be amounts an agency could bill a client in a year:
    when the median current client's is under ¥1,000 or over ¥10亿, the unit is asked for
    (a problem of the table) and billings are not used."""
    if "billings" not in columns:
        return
    values = frame["billings"].to_numpy(dtype=float)
    current = (frame["status"].to_numpy(dtype=object) == "current") & (values > 0)
    if current.sum() < 3:
        return
    median = float(np.median(values[current]))
    lo, hi = PLAUSIBLE_MEDIAN
    if lo <= median <= hi:
        return
    m = columns.pop("billings")
    unreadable["billings"] = "unit_implausible"
    problems.append(Problem(sheet, None, m.header, None, "unit_implausible",
                            {"field": "billings", "multiplier": m.multiplier, "median": f"{median:,.0f}"}))
    frame["billings"] = np.nan


def _tiers(frame: pd.DataFrame, columns: Mapping[str, ColumnMatch], sheet: str, problems: list[Problem]) -> None:
    for f in ("tier_override", "previous_tier"):
        codes, unknown = tier_codes(frame[f].to_numpy(dtype=object))
        for i in np.flatnonzero(unknown):
            problems.append(Problem(sheet, int(frame["row"].iat[i]), columns[f].header, frame[f].iat[i], f))
        frame[f] = codes


def _stages(frame: pd.DataFrame, columns: Mapping[str, ColumnMatch], sheet: str, problems: list[Problem]) -> None:
    codes, unknown = stage_codes(frame["stage"].to_numpy(dtype=object))
    if "status_stage" in frame:  # the stage the status word says (Needs Analysis, 输单), where none is typed
        codes = np.where((codes == "") & ~unknown, frame.pop("status_stage").to_numpy(dtype=object), codes)
    known = "、".join(STAGE_NAMES[s]["zh"] for s in STAGES)
    for i in np.flatnonzero(unknown):
        problems.append(Problem(sheet, int(frame["row"].iat[i]), columns["stage"].header, frame["stage"].iat[i],
                                "stage", {"known": known}))
    frame["stage_typed"] = codes
    del frame["stage"]


_NFKC = partial(unicodedata.normalize, "NFKC")


def _client_ids(frame: pd.DataFrame, columns: Mapping[str, ColumnMatch], sheet: str, problems: list[Problem]) -> None:
    """Fill missing IDs from the name; report duplicate IDs/names and make keys unique."""
    ids = frame["client_id"].to_numpy(dtype=object).copy()
    names = frame["name"].to_numpy(dtype=object)
    missing = ids == ""
    ids[missing] = names[missing]
    rows = frame["row"].to_numpy()
    key_field = "client_id" if "client_id" in columns else "name"
    header = columns[key_field].header if key_field in columns else "客户名称"
    code = "duplicate_id" if key_field == "client_id" else "duplicate_name"
    # Compared width- and case-insensitively: ``KH001`` and ``ｋｈ001 `` are the same client.
    series = pd.Series(np.fromiter(map(str.casefold, map(str.strip, map(_NFKC, map(str, ids)))), dtype=object,
                                   count=len(ids)), dtype=object)
    dup = series.duplicated(keep=False).to_numpy() & (ids != "")
    if dup.any():
        groups = pd.Series(rows[dup]).groupby(series[dup].to_numpy()).agg(list)
        for i in np.flatnonzero(dup):
            others = [r for r in groups[series.iat[i]] if r != rows[i]]
            problems.append(Problem(sheet, int(rows[i]), header, ids[i], code,
                                    {"rows": "、".join(str(r) for r in others)}))
        later = series.duplicated(keep="first").to_numpy()
        ids[later] = [f"{ids[i]}#{rows[i]}" for i in np.flatnonzero(later)]
    frame["key"] = ids
    frame["client_id"] = np.where(frame["client_id"].to_numpy(dtype=object) == "", names,
                                  frame["client_id"].to_numpy(dtype=object))
