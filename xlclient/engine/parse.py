"""Cell parsers: turn the raw cells of one column into typed values, column at a time.

Agencies type amounts as ``120万``, ``1.2亿``, ``¥3,500`` or ``12.5k``, dates as Excel dates,
serial numbers or text like ``2026年3月5日``, and yes/no as 是/否, Y/N or ✓. Each parser takes
a whole column of raw cells exactly as a reader or xlwings hands them over (floats for
numbers, ``datetime``/``date`` objects, ``str``, ``bool``, ``None`` or ``""`` for blanks) and
returns a :class:`Parsed`: a numpy array of values (NaN / NaT where blank or unusable) and
an array of problem codes (``None`` where the cell was fine or blank). Blank cells are never
problems. Work is vectorised with pandas string methods; only the string cells take the
text path.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

BLANK_TOKENS = frozenset({"", "-", "--", "—", "–", "/", "n/a", "na", "none", "null", "无数据", "#n/a"})

# Money suffixes (after NFKC normalisation and lower-casing) -> multiplier in yuan.
MONEY_SCALES: dict[str, float] = {
    "": 1.0,
    "元": 1.0,
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
_NUMBER = r"\d+(?:\.\d*)?|\.\d+"
_MONEY_RE = re.compile(
    rf"^(?P<sign>[+-]?)(?P<cur>rmb|cny|人民币|¥)?(?P<num>{_NUMBER})(?:e(?P<exp>[+-]?\d+))?"
    r"(?P<unit>千万元|千万|百万元|百万|亿元|亿|万元|万|千元|千|元|k|w|m)?$"
)
_MONEY_COMPOUND_RE = re.compile(rf"^(?P<yi>{_NUMBER})亿(?:(?P<wan>{_NUMBER})万)?元?$")

_DATE_RE = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?"
    r"(?:\s*T?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DATE_COMPACT_RE = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")

TRUE_TOKENS = frozenset({"是", "有", "对", "y", "yes", "true", "t", "1", "1.0", "✓", "✔", "√", "☑", "已付",
                         "已交", "已支付", "已付款", "已收", "已收到"})
FALSE_TOKENS = frozenset({"否", "无", "没有", "不", "n", "no", "false", "f", "0", "0.0", "×", "✗", "✘", "☐",
                          "未付", "未交", "未支付", "未付款", "未收"})

EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
_EPOCH_1900 = np.datetime64("1899-12-30", "D")
_EPOCH_1904 = np.datetime64("1904-01-01", "D")


@dataclass(frozen=True)
class Parsed:
    """Typed values of one column plus a problem code per cell (``None`` = fine or blank)."""

    values: np.ndarray
    problems: np.ndarray

    @property
    def bad(self) -> np.ndarray:
        """True where a cell held something that could not be used."""
        return pd.notna(self.problems) if len(self.problems) else np.zeros(0, dtype=bool)


def _series(raw: object) -> pd.Series:
    if isinstance(raw, pd.Series):
        return raw.reset_index(drop=True).astype(object)
    return pd.Series(list(raw), dtype=object)  # type: ignore[arg-type]


def _kinds(s: pd.Series) -> pd.Series:
    """Classify each cell: 'blank', 'number', 'bool', 'str', 'date', 'other'."""

    def kind(v: object) -> str:
        if v is None:
            return "blank"
        t = type(v)
        if t is str:
            return "str"
        if t is bool or t is np.bool_:
            return "bool"
        if t is float or t is int or isinstance(v, (np.floating, np.integer)):
            return "blank" if v != v else "number"  # NaN is blank
        if isinstance(v, (dt.date, pd.Timestamp, np.datetime64)):
            return "blank" if pd.isna(v) else "date"
        return "other"

    return s.map(kind)


def _normalised_text(s: pd.Series) -> pd.Series:
    """NFKC (full-width to half-width), trimmed, lower-cased text of string cells."""
    return s.astype(str).str.normalize("NFKC").str.strip().str.lower()


def _empty(n: int, dtype: str) -> np.ndarray:
    if dtype == "datetime64[D]":
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    return np.full(n, np.nan, dtype=float)


def parse_money(raw: object, multiplier: float = 1.0) -> Parsed:
    """Amounts in yuan. Plain numbers are scaled by the header's unit (``multiplier``);
    text with its own unit (``120万``, ``3,500元``) keeps that unit. Negative amounts are
    reported; accounting negatives ``(1,200)`` are understood."""
    s = _series(raw)
    n = len(s)
    values = _empty(n, "float")
    problems = np.full(n, None, dtype=object)
    kinds = _kinds(s).to_numpy()

    num = kinds == "number"
    values[num] = s[num].to_numpy(dtype=float) * multiplier

    bad_kind = (kinds == "bool") | (kinds == "date") | (kinds == "other")
    problems[bad_kind] = "money"

    is_str = kinds == "str"
    if is_str.any():
        text = _normalised_text(s[is_str])
        blank = text.isin(BLANK_TOKENS)
        text = text.str.replace(r"[,\s'_]", "", regex=True)
        accounting = text.str.match(r"^\(.*\)$")
        text = text.where(~accounting, "-" + text.str.slice(1, -1))
        m = text.str.extract(_MONEY_RE)
        base = pd.to_numeric(m["num"], errors="coerce")
        exp = pd.to_numeric(m["exp"], errors="coerce").fillna(0)
        scale = m["unit"].fillna("").map(MONEY_SCALES)
        # An explicit unit, or a currency sign, states the amount itself: no header scaling.
        explicit = m["unit"].fillna("").ne("") | m["cur"].notna()
        scale = scale.where(explicit, multiplier)
        amount = base * (10.0**exp) * scale
        amount = amount.where(m["sign"] != "-", -amount)
        compound = text.str.extract(_MONEY_COMPOUND_RE)
        comp_amount = pd.to_numeric(compound["yi"], errors="coerce") * 1e8 + pd.to_numeric(
            compound["wan"], errors="coerce"
        ).fillna(0) * 1e4
        amount = amount.fillna(comp_amount)
        parsed = amount.to_numpy(dtype=float)
        ok = ~np.isnan(parsed) & np.isfinite(parsed)
        idx = np.flatnonzero(is_str)
        values[idx[ok]] = parsed[ok]
        problems[idx[~ok & ~blank.to_numpy()]] = "money"

    negative = values < 0
    problems[negative] = "negative_money"
    values[negative] = np.nan
    return Parsed(values, problems)


def serial_to_date(serial: np.ndarray, date1904: bool = False) -> np.ndarray:
    """Excel serial numbers to dates (time of day dropped); invalid serials give NaT.

    The 1900 system carries Excel's leap-year bug: serial 60 is the non-existent
    1900-02-29 (invalid here) and serials 1..59 are one day earlier than the epoch
    arithmetic gives.
    """
    serial = np.asarray(serial, dtype=float)
    out = np.full(serial.shape, np.datetime64("NaT"), dtype="datetime64[D]")
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


def _ymd_to_dates(y: pd.Series, m: pd.Series, d: pd.Series) -> np.ndarray:
    frame = pd.DataFrame({"year": pd.to_numeric(y), "month": pd.to_numeric(m), "day": pd.to_numeric(d)})
    stamps = pd.to_datetime(frame, errors="coerce")
    return stamps.to_numpy(dtype="datetime64[D]")


def parse_date(raw: object, date1904: bool = False) -> Parsed:
    """Dates from Excel dates, serial numbers, ``yyyymmdd`` numbers and text such as
    ``2026-03-05``, ``2026/3/5``, ``2026.3.5`` or ``2026年3月5日`` (a time part is ignored).
    Day-first or two-digit-year text is ambiguous and reported rather than guessed."""
    s = _series(raw)
    n = len(s)
    values = _empty(n, "datetime64[D]")
    problems = np.full(n, None, dtype=object)
    kinds = _kinds(s).to_numpy()

    is_date = kinds == "date"
    if is_date.any():
        values[is_date] = pd.to_datetime(pd.Series(s[is_date].tolist()), errors="coerce").to_numpy(
            dtype="datetime64[D]"
        )

    num = kinds == "number"
    if num.any():
        nums = s[num].to_numpy(dtype=float)
        compact = (nums >= 19000101) & (nums <= 99991231) & (nums == np.floor(nums))
        out = serial_to_date(nums, date1904)
        if compact.any():
            c = nums[compact].astype("int64")
            out[compact] = _ymd_to_dates(pd.Series(c // 10000), pd.Series(c // 100 % 100), pd.Series(c % 100))
        values[num] = out
        problems[np.flatnonzero(num)[np.isnat(out)]] = "date"

    problems[(kinds == "bool") | (kinds == "other")] = "date"

    is_str = kinds == "str"
    if is_str.any():
        text = _normalised_text(s[is_str])
        blank = text.isin(BLANK_TOKENS).to_numpy()
        m = text.str.extract(_DATE_RE)
        c = text.str.extract(_DATE_COMPACT_RE)
        m = m.fillna(c)
        parsed = _ymd_to_dates(m["y"], m["m"], m["d"])
        idx = np.flatnonzero(is_str)
        values[idx] = parsed
        problems[idx[np.isnat(parsed) & ~blank]] = "date"
    return Parsed(values, problems)


def parse_bool(raw: object) -> Parsed:
    """Yes/no as 1.0 / 0.0 (NaN when blank): 是/否, Y/N, yes/no, TRUE/FALSE, 1/0, ✓/×, 已付/未付."""
    s = _series(raw)
    n = len(s)
    values = _empty(n, "float")
    problems = np.full(n, None, dtype=object)
    kinds = _kinds(s).to_numpy()

    is_bool = kinds == "bool"
    values[is_bool] = s[is_bool].astype(bool).to_numpy(dtype=float)
    num = kinds == "number"
    nums = s[num].to_numpy(dtype=float)
    ok = (nums == 0) | (nums == 1)
    idx = np.flatnonzero(num)
    values[idx[ok]] = nums[ok]
    problems[idx[~ok]] = "bool"
    problems[(kinds == "date") | (kinds == "other")] = "bool"

    is_str = kinds == "str"
    if is_str.any():
        text = _normalised_text(s[is_str])
        blank = text.isin(BLANK_TOKENS - {"无"}).to_numpy()
        yes = text.isin(TRUE_TOKENS).to_numpy()
        no = text.isin(FALSE_TOKENS).to_numpy()
        idx = np.flatnonzero(is_str)
        values[idx[yes]] = 1.0
        values[idx[no]] = 0.0
        problems[idx[~yes & ~no & ~blank]] = "bool"
    return Parsed(values, problems)


def _parse_number(raw: object, suffix: str, code: str, *, integer: bool, lo: float, hi: float) -> Parsed:
    s = _series(raw)
    n = len(s)
    values = _empty(n, "float")
    problems = np.full(n, None, dtype=object)
    kinds = _kinds(s).to_numpy()

    num = kinds == "number"
    values[num] = s[num].to_numpy(dtype=float)
    problems[(kinds == "bool") | (kinds == "date") | (kinds == "other")] = code

    is_str = kinds == "str"
    if is_str.any():
        text = _normalised_text(s[is_str])
        blank = text.isin(BLANK_TOKENS).to_numpy()
        stars = text.str.fullmatch(r"★+").to_numpy(dtype=bool) if code == "score" else np.zeros(len(text), bool)
        text = text.str.replace(r"[,\s]", "", regex=True).str.replace(suffix, "", regex=True)
        parsed = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, copy=True)
        parsed[stars] = text[stars].str.len().to_numpy(dtype=float)
        idx = np.flatnonzero(is_str)
        values[idx] = parsed
        problems[idx[np.isnan(parsed) & ~blank]] = code

    checked = ~np.isnan(values)
    wrong = checked & ((values < lo) | (values > hi) | ~np.isfinite(values))
    if integer:
        wrong |= checked & (values != np.floor(values))
    problems[wrong] = code
    values[wrong] = np.nan
    return Parsed(values, problems)


def parse_count(raw: object) -> Parsed:
    """Whole numbers of at least 0 (``3``, ``3.0``, ``3次``, ``3单``)."""
    return _parse_number(raw, r"(次|个|单|笔|回|times?)$", "count", integer=True, lo=0, hi=1e9)


def parse_hours(raw: object) -> Parsed:
    """Hours of at least 0 (``120``, ``120小时``, ``120h``)."""
    return _parse_number(raw, r"(小时|工时|hours?|hrs?|h)$", "hours", integer=False, lo=0, hi=1e9)


def parse_score(raw: object, lo: float = 1, hi: float = 5) -> Parsed:
    """Scores within [lo, hi] (``4``, ``4分``, ``★★★★``)."""
    return _parse_number(raw, r"(分|星|points?)$", "score", integer=False, lo=lo, hi=hi)


def parse_text(raw: object) -> np.ndarray:
    """Trimmed text; numbers that are whole become ``"1001"`` not ``"1001.0"``; blanks ``""``."""
    s = _series(raw)

    def text(v: object) -> str:
        if v is None:
            return ""
        if isinstance(v, str):
            return v.strip()
        if isinstance(v, float):
            if v != v:
                return ""
            return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)
        if isinstance(v, dt.datetime):
            return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
        if isinstance(v, dt.date):
            return v.isoformat()
        return str(v).strip()

    return s.map(text).to_numpy(dtype=object)
