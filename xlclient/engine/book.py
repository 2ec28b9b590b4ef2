"""The client book: find the client table among a workbook's sheets and turn it into one
clean row per client (SPEC 2), reporting every unusable cell.

Input is plain data -- each sheet as rows of raw cells with the position of its first
cell, and the workbook's Excel tables -- so the same code serves the file reader and
xlwings. The result, :class:`ClientBook`, has a pandas frame with one column per field
(money in yuan, dates as ``datetime64``, yes/no as 1.0/0.0, NaN where blank or bad) plus
the Excel row of each client and the list of problems. Nothing the user typed is changed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .fields import FIELDS, ColumnMatch, match_headers, normalise_header
from .labels import LANGUAGES, SHEET_NAMES, STAGE_NAMES, STAGES, STATUS_NAMES
from .parse import (
    Parsed,
    parse_bool,
    parse_count,
    parse_date,
    parse_hours,
    parse_money,
    parse_score,
    parse_text,
)
from .problems import Problem
from .settings import Settings

HEADER_SCAN_ROWS = 30


@dataclass(frozen=True)
class SheetGrid:
    """One sheet as rows of raw cells; ``first_row``/``first_col`` are the 0-based sheet
    position of ``rows[0][0]`` (so Excel's row number of ``rows[i]`` is first_row + i + 1)."""

    name: str
    rows: Sequence[Sequence[Any]]
    first_row: int = 0
    first_col: int = 0


@dataclass(frozen=True)
class TableInfo:
    """An Excel table (ListObject): its name, sheet, header cells and data rows."""

    name: str
    sheet: str
    headers: Sequence[Any]
    rows: Sequence[Sequence[Any]]
    header_row: int  # 0-based sheet row of the header
    first_col: int


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

    def __len__(self) -> int:
        return len(self.frame)


class ClientTableNotFound(LookupError):
    """No sheet or table of the workbook looks like a client table."""


# ---------------------------------------------------------------- locating the table


def owned_sheet_names() -> set[str]:
    """Names of the sheets xlclient writes (never read as a client table)."""
    return {SHEET_NAMES[k][lang] for k in SHEET_NAMES for lang in LANGUAGES} | {"xlwings.conf"}


def _score(headers: Sequence[Any], mapping: Mapping[str, str]) -> int:
    found = match_headers(headers, mapping)
    if "name" not in found and "client_id" not in found:
        return 0
    return len(found)


PREFERRED_SHEET_NAMES = ("客户台账", "客户", "客户列表", "客户名单", "clients", "client", "customers", "accounts")


def locate_client_table(sheets: Sequence[SheetGrid], tables: Sequence[TableInfo] = (),
                        settings: Settings | None = None, name: str | None = None) -> tuple[str, str | None, int, int, list[Any], list[Sequence[Any]]]:
    """Find the client table: by table or sheet ``name`` when given, else the Excel table or
    header row naming the most fields (ties go to a sheet called like 客户台账/Clients).

    Returns (sheet, table name or None, 0-based header row, first column, headers, data rows).
    """
    mapping = dict(settings.columns) if settings else {}
    owned = owned_sheet_names()
    if name:
        for t in tables:
            if normalise_header(t.name) == normalise_header(name):
                return t.sheet, t.name, t.header_row, t.first_col, list(t.headers), list(t.rows)
        for s in sheets:
            if normalise_header(s.name) == normalise_header(name):
                found = _best_header_row(s, mapping)
                if found is None:
                    raise ClientTableNotFound(f"工作表「{s.name}」中找不到客户表的标题行（需要至少有客户名称或客户编号列）")
                return found
        raise ClientTableNotFound(f"找不到名为「{name}」的表格或工作表")

    candidates: list[tuple[int, int, tuple]] = []
    for t in tables:
        if t.sheet in owned:
            continue
        score = _score(t.headers, mapping)
        if score >= 2:
            pref = 1 if normalise_header(t.sheet) in PREFERRED_SHEET_NAMES else 0
            candidates.append((score, pref + 1, (t.sheet, t.name, t.header_row, t.first_col, list(t.headers), list(t.rows))))
    for s in sheets:
        if s.name in owned:
            continue
        found = _best_header_row(s, mapping)
        if found is not None:
            pref = 1 if normalise_header(s.name) in PREFERRED_SHEET_NAMES else 0
            candidates.append((_score(found[4], mapping), pref, found))
    if not candidates:
        raise ClientTableNotFound(
            "找不到客户表：没有哪个工作表的标题行同时含有客户名称（或客户编号）和其他已知列；"
            "可在设置的「列映射」中指定列名 / no sheet has a header row naming the client and other known fields"
        )
    candidates.sort(key=lambda c: (-c[0], -c[1]))
    return candidates[0][2]


def _best_header_row(s: SheetGrid, mapping: Mapping[str, str]) -> tuple | None:
    best: tuple[int, int] | None = None
    for i, row in enumerate(s.rows[:HEADER_SCAN_ROWS]):
        score = _score(row, mapping)
        if score >= 2 and (best is None or score > best[0]):
            best = (score, i)
    if best is None:
        return None
    i = best[1]
    return s.name, None, s.first_row + i, s.first_col, list(s.rows[i]), list(s.rows[i + 1:])


# ---------------------------------------------------------------- reading the rows

_STATUS_WORDS: dict[str, str] = {}
for _code, _names in STATUS_NAMES.items():
    for _n in _names.values():
        _STATUS_WORDS[normalise_header(_n)] = _code
for _word, _code in {
    "合作中": "current", "在合作": "current", "现有客户": "current", "老客户": "current", "签约": "current",
    "已签约": "current", "active": "current", "existing": "current", "client": "current",
    "潜在客户": "prospect", "意向": "prospect", "意向客户": "prospect", "新客户": "prospect", "待开发": "prospect",
    "lead": "prospect", "prospective": "prospect", "跟进中": "prospect",
    "已流失": "lost", "流失客户": "lost", "终止合作": "lost", "停止合作": "lost", "churned": "lost",
    "inactive": "lost", "former": "lost",
}.items():
    _STATUS_WORDS[normalise_header(_word)] = _code

_STAGE_WORDS: dict[str, str] = {}
for _code in STAGES:
    for _n in STAGE_NAMES[_code].values():
        _STAGE_WORDS[normalise_header(_n)] = _code
for _word, _code in {
    "重要客户": "committed", "已付定金": "committed", "hot": "committed",
    "主要客户": "strong", "强意向": "strong", "意向强烈": "strong",
    "准客户": "qualified", "已见面": "qualified",
    "意向客户": "interested", "初步意向": "interested", "lead": "interested",
    "暂缓客户": "on_hold", "暂不需要": "on_hold", "onhold": "on_hold", "搁置": "on_hold",
    "已拒绝": "refused", "拒绝客户": "refused", "不需要": "refused", "lost": "refused",
}.items():
    _STAGE_WORDS[normalise_header(_word)] = _code

_TIER_RE = re.compile(r"^([abcd])(?:类|级|级客户|类客户|tier|客户)?$")
_TIER_WORDS = {"重点客户": "A", "重点": "A", "主要客户": "B", "普通客户": "C", "一般客户": "C", "待开发": "D"}
_SUMMARY_RE = re.compile(r"^\s*(合计|总计|小计|共计|总和|total|subtotal|grand total|sum)\s*[:：]?\s*$|^\s*(注|备注|说明|note)\s*[:：]",
                         re.IGNORECASE)


def _codes(text: np.ndarray, words: Mapping[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Map text cells to codes; returns (codes or "", unknown-nonblank mask)."""
    s = pd.Series(text, dtype=object).map(lambda v: normalise_header(v) if v else "")
    codes = s.map(words).fillna("").to_numpy(dtype=object)
    unknown = (s != "").to_numpy() & (codes == "")
    return codes, unknown


def tier_codes(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A/B/C/D from cells like ``A``, ``a类``, ``B级``, ``重点客户``; returns (codes, unknown)."""
    s = pd.Series(text, dtype=object).map(lambda v: unicodedata.normalize("NFKC", v).strip().lower() if v else "")
    m = s.str.extract(_TIER_RE)[0].str.upper()
    words = s.map(_TIER_WORDS)
    codes = m.fillna(words).fillna("").to_numpy(dtype=object)
    unknown = (s != "").to_numpy() & (codes == "")
    return codes, unknown


def status_codes(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """current / prospect / lost from the status cells; returns (codes, unknown)."""
    return _codes(text, _STATUS_WORDS)


def stage_codes(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Intent-stage codes from the stage cells; returns (codes, unknown)."""
    return _codes(text, _STAGE_WORDS)


def _column(rows: Sequence[Sequence[Any]], index: int) -> list[Any]:
    return [r[index] if index < len(r) else None for r in rows]


def _is_blank_cell(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)


@dataclass
class _Reader:
    sheet: str
    rows: Sequence[Sequence[Any]]
    excel_rows: np.ndarray
    columns: dict[str, ColumnMatch]
    date1904: bool = False
    problems: list[Problem] = field(default_factory=list)

    def raw(self, f: str) -> list[Any] | None:
        m = self.columns.get(f)
        return None if m is None else _column(self.rows, m.index)

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
        parser = {"money": lambda r: parse_money(r, self.columns[f].multiplier), "date": lambda r: parse_date(r, self.date1904),
                  "count": parse_count, "hours": parse_hours, "score": parse_score, "bool": parse_bool}[kind]
        result: Parsed = parser(raw)
        params = {"lo": 1, "hi": 5} if kind == "score" else None
        self.report(f, result.problems, raw, params)
        return result.values


def read_client_book(sheets: Sequence[SheetGrid], tables: Sequence[TableInfo] = (),
                     settings: Settings | None = None, name: str | None = None, date1904: bool = False) -> ClientBook:
    """Locate the client table and read it (see :func:`build_client_book`)."""
    settings = settings or Settings()
    sheet, table, header_row, first_col, headers, rows = locate_client_table(sheets, tables, settings, name)
    return build_client_book(headers, rows, sheet=sheet, header_row=header_row, settings=settings, table=table,
                             date1904=date1904)


def build_client_book(headers: Sequence[Any], rows: Sequence[Sequence[Any]], *, sheet: str, header_row: int,
                      settings: Settings | None = None, table: str | None = None,
                      date1904: bool = False) -> ClientBook:
    """Turn a header row and the data rows under it into a :class:`ClientBook`.

    ``header_row`` is the 0-based sheet row of the header; data row i is Excel row
    header_row + i + 2. Blank rows are skipped silently; total/note rows and rows without
    a client name are left out and reported; duplicates are reported and kept.
    """
    settings = settings or Settings()
    today = np.datetime64(settings.today(), "D")
    columns = match_headers(headers, settings.columns)
    excel_rows_all = np.arange(len(rows)) + header_row + 2

    # Skip rows that are blank in every recognised column.
    idx = [m.index for m in columns.values()]
    keep = [i for i, r in enumerate(rows) if any(not _is_blank_cell(r[j]) for j in idx if j < len(r))]
    rows = [rows[i] for i in keep]
    excel_rows = excel_rows_all[keep]
    reader = _Reader(sheet, rows, excel_rows, columns, date1904)
    n = len(rows)

    data: dict[str, Any] = {"row": excel_rows}
    for f in FIELDS:
        if f == "potential":
            continue
        data[f] = reader.parsed(f, n)

    # Potential: a 1-5 score, or money (a budget) when the header has a money unit or values exceed 5.
    potential_kind = None
    data["potential_score"] = np.full(n, np.nan)
    data["potential_money"] = np.full(n, np.nan)
    pot_raw = reader.raw("potential")
    if pot_raw is not None:
        match = columns["potential"]
        _, unit = match.header, None
        as_money = parse_money(pot_raw, match.multiplier)
        money_like = match.multiplier != 1.0 or bool(np.nanmax(np.append(as_money.values, 0)) > 5) or any(
            isinstance(v, str) and re.search(r"[万亿元k¥]", v, re.I) for v in pot_raw)
        if money_like:
            potential_kind = "money"
            data["potential_money"] = as_money.values
            reader.report("potential", as_money.problems, pot_raw)
        else:
            potential_kind = "score"
            score = parse_score(pot_raw)
            data["potential_score"] = score.values
            reader.report("potential", score.problems, pot_raw, {"lo": 1, "hi": 5})

    frame = pd.DataFrame(data)
    problems = reader.problems

    # Rows that are not clients.
    names = frame["name"].to_numpy(dtype=object)
    ids = frame["client_id"].to_numpy(dtype=object)
    summary = pd.Series(names, dtype=object).str.match(_SUMMARY_RE).fillna(False).to_numpy(dtype=bool) | pd.Series(
        ids, dtype=object).str.match(_SUMMARY_RE).fillna(False).to_numpy(dtype=bool)
    nameless = (names == "") & ~summary
    name_header = columns["name"].header if "name" in columns else columns.get("client_id", ColumnMatch("name", 0, "客户名称")).header
    for i in np.flatnonzero(summary):
        problems.append(Problem(sheet, int(excel_rows[i]), name_header, names[i] or ids[i], "summary_row"))
    for i in np.flatnonzero(nameless):
        problems.append(Problem(sheet, int(excel_rows[i]), name_header, None, "no_name"))
    left_out = int(summary.sum() + nameless.sum())
    frame = frame[~summary & ~nameless].reset_index(drop=True)

    _dates_vs_today(frame, columns, sheet, today, problems)
    _statuses(frame, columns, sheet, problems)
    _tiers(frame, columns, sheet, problems)
    _stages(frame, columns, sheet, problems)
    _client_ids(frame, columns, sheet, problems)

    problem_rows = {p.row for p in problems}
    frame["has_problem"] = frame["row"].isin(problem_rows)
    return ClientBook(frame, problems, sheet, header_row + 1, columns, table, potential_kind, left_out)


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


def _statuses(frame: pd.DataFrame, columns: Mapping[str, ColumnMatch], sheet: str, problems: list[Problem]) -> None:
    codes, unknown = status_codes(frame["status"].to_numpy(dtype=object))
    billed = np.nan_to_num(frame["billings"].to_numpy(dtype=float)) > 0
    inferred = np.where(billed, "current", "prospect")
    for i in np.flatnonzero(unknown):
        problems.append(Problem(sheet, int(frame["row"].iat[i]), columns["status"].header, frame["status"].iat[i],
                                "status", {"guess": STATUS_NAMES[inferred[i]]["zh"]}))
    frame["status_text"] = frame["status"]
    frame["status"] = np.where(codes == "", inferred, codes)


def _tiers(frame: pd.DataFrame, columns: Mapping[str, ColumnMatch], sheet: str, problems: list[Problem]) -> None:
    for f in ("tier_override", "previous_tier"):
        codes, unknown = tier_codes(frame[f].to_numpy(dtype=object))
        for i in np.flatnonzero(unknown):
            problems.append(Problem(sheet, int(frame["row"].iat[i]), columns[f].header, frame[f].iat[i], f))
        frame[f] = codes


def _stages(frame: pd.DataFrame, columns: Mapping[str, ColumnMatch], sheet: str, problems: list[Problem]) -> None:
    codes, unknown = stage_codes(frame["stage"].to_numpy(dtype=object))
    known = "、".join(STAGE_NAMES[s]["zh"] for s in STAGES)
    for i in np.flatnonzero(unknown):
        problems.append(Problem(sheet, int(frame["row"].iat[i]), columns["stage"].header, frame["stage"].iat[i],
                                "stage", {"known": known}))
    frame["stage_typed"] = codes
    frame.drop(columns=["stage"], inplace=True)


def _client_ids(frame: pd.DataFrame, columns: Mapping[str, ColumnMatch], sheet: str, problems: list[Problem]) -> None:
    """Fill missing IDs from the name; report duplicate IDs/names and make keys unique."""
    ids = frame["client_id"].to_numpy(dtype=object).copy()
    names = frame["name"].to_numpy(dtype=object)
    missing = ids == ""
    ids[missing] = names[missing]
    rows = frame["row"].to_numpy()
    key_field = "client_id" if "client_id" in columns else "name"
    header = columns[key_field].header if key_field in columns else columns["name"].header
    code = "duplicate_id" if key_field == "client_id" else "duplicate_name"
    series = pd.Series(ids)
    dup = series.duplicated(keep=False).to_numpy() & (ids != "")
    if dup.any():
        groups = pd.Series(rows[dup]).groupby(series[dup].to_numpy()).agg(list)
        for i in np.flatnonzero(dup):
            others = [r for r in groups[ids[i]] if r != rows[i]]
            problems.append(Problem(sheet, int(rows[i]), header, ids[i], code,
                                    {"rows": "、".join(str(r) for r in others)}))
        later = series.duplicated(keep="first").to_numpy()
        ids[later] = [f"{ids[i]}#{rows[i]}" for i in np.flatnonzero(later)]
    frame["key"] = ids
    frame["client_id"] = np.where(frame["client_id"].to_numpy(dtype=object) == "", names,
                                  frame["client_id"].to_numpy(dtype=object))
