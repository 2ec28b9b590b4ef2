"""The cell parsers (SPEC 2): money, dates, yes/no, counts, hours, scores, text.

Boundaries of every accepted form, and hypothesis properties on random cells of every type a
reader or xlwings can hand over: no parser raises; a column parses exactly as its cells do
one by one; blanks are never problems; a problem always comes with NaN/NaT; an amount or
date written in any accepted style reads back exactly.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings as hsettings, strategies as st

from xlclient.engine.parse import (
    BLANK_TOKENS,
    EXCEL_ERRORS,
    FALSE_TOKENS,
    NOTE_CODES,
    TRUE_TOKENS,
    parse_bool,
    parse_count,
    parse_date,
    parse_hours,
    parse_money,
    parse_score,
    parse_text,
    serial_to_date,
)

NAN = float("nan")
# China Standard Time as a fixed offset: a tz-aware stamp without needing the tz database
CST = dt.timezone(dt.timedelta(hours=8), "CST")
FULL = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def one(parser, v, *args):
    p = parser([v], *args)
    return p.values[0], p.problems[0]


def day(v) -> str | None:
    return None if np.isnat(v) else str(v)


# ----------------------------------------------------------------------------- money

@pytest.mark.parametrize("text, amount", [
    ("120万", 1_200_000), ("1.2亿", 120_000_000), ("¥3,500", 3500), ("3,500元", 3500), ("12.5k", 12_500),
    ("12.5K", 12_500), ("3.5w", 35_000), ("1.2万元", 12_000), ("1.5千万", 15_000_000), ("2百万", 2_000_000),
    ("1亿2000万", 120_000_000 + 0 * 1), ("1.2亿3000万", 150_000_000), ("￥3,500", 3500), ("RMB 3500", 3500),
    ("3,500 RMB", 3500), ("人民币3500元", 3500), ("3500.00元", 3500), ("１２０万", 1_200_000), (".5万", 5000),
    ("5.", 5), ("+100", 100), ("1,234,567.89", 1_234_567.89), ("1,234.5万", 12_345_000), ("1e3", 1000),
    ("0.07万", 700), ("0", 0), ("0元", 0), (" 85 万 ", 850_000), ("3,500块", 3500), ("1_000", 1000),
    ("¥ 3,500", 3500), ("85万元", 850_000), ("2m", 2_000_000), ("1.2億", 120_000_000), ("85萬元", 850_000),
])
def test_money_text_forms(text, amount):
    value, problem = one(parse_money, text)
    assert problem is None and value == amount


@pytest.mark.parametrize("text", ["50万+", "USD 100", "$100", "1,2", "12,34,567", "1.2.3", "abc", "万",
                                  "NaN", "inf", "Infinity", "1e400", "--5", "3,5", "1,0000", "50%",
                                  "(note)", "¥¥5"])
def test_money_text_that_is_not_an_amount_is_reported(text):
    value, problem = one(parse_money, text)
    assert problem == "money" and math.isnan(value)


@pytest.mark.parametrize("parser", [parse_money, parse_date, parse_bool, parse_count])
@pytest.mark.parametrize("text", ["#DIV/0!", "#VALUE!", "#REF!", " #name? "])
def test_excel_error_values_get_their_own_message(parser, text):
    value, problem = one(parser, text)
    assert problem == "excel_error"
    assert one(parser, "#N/A")[1] == "excel_error"  # an error value, never a blank (SPEC 2)


@pytest.mark.parametrize("v", ["-5", "(1,200)", "¥-100", "-¥100", "- 100", "¥(1,200)", "(3,500)元", -0.5, -1e9])
def test_negative_amounts_are_reported_not_used(v):
    value, problem = one(parse_money, v)
    assert problem == "negative_money" and math.isnan(value)


def test_negative_amounts_when_allowed():
    p = parse_money(["-5", "(1,200)", -3.0, "-1.5万", "abc"], allow_negative=True)
    assert p.values[:4].tolist() == [-5, -1200, -3, -15_000] and p.problems.tolist() == [None] * 4 + ["money"]


@pytest.mark.parametrize("v", [True, False, dt.date(2026, 1, 1), dt.datetime(2026, 1, 1), dt.time(10, 0),
                               dt.timedelta(days=1), float("inf"), float("-inf"), 10**400, object()])
def test_money_from_a_cell_that_is_not_a_number(v):
    value, problem = one(parse_money, v)
    assert problem in ("money", "negative_money") and math.isnan(value)


@pytest.mark.parametrize("v", [None, "", "   ", NAN, np.float64("nan"), pd.NaT, "　"])
def test_blank_money_cells_are_not_problems(v):
    value, problem = one(parse_money, v)
    assert problem is None and math.isnan(value)


def test_header_unit_scales_plain_numbers_but_not_text_with_its_own_unit():
    p = parse_money([120, "120", "120万", "¥3,500", "1.2亿", 0.07, "0.07", decimal.Decimal("2.5"),
                     np.float64(3), np.int64(4), "12.5k", "RMB 48.1", "48.1人民币"], 1e4)
    # a currency sign or word is no magnitude: ¥3,500 in a 万元 column is 3,500万
    assert list(p.values) == [1_200_000, 1_200_000, 1_200_000, 35_000_000, 120_000_000, 700.0000000000001, 700,
                              25_000, 30_000, 40_000, 12_500, 481_000, 481_000]
    assert all(x is None for x in p.problems)
    # A multiplier that is not a power of ten still scales plain text numbers.
    assert parse_money(["2", "¥2"], 2.5).values.tolist() == [5.0, 5.0]


@pytest.mark.parametrize("text", ["3,500元", "48.1元", "¥48.1元", "5块", "(1,200)元", "12块钱"])
def test_a_cell_in_yuan_under_another_unit_is_reported_not_guessed(text):
    p = parse_money([text, 5], 1e4, allow_negative=True)
    assert math.isnan(p.values[0]) and p.problems[0] == "unit_conflict"
    assert p.values[1] == 50_000 and p.problems[1] is None
    # in a column of yuan (stated or assumed) the same cell is simply yuan
    q = parse_money([text], 1.0, allow_negative=True)
    assert q.problems[0] is None and not math.isnan(q.values[0])


@hsettings(deadline=None)  # no timing limit: a loaded machine must not fail it
@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
       st.sampled_from([1.0, 1e3, 1e4, 1e6, 1e8]), st.sampled_from(["¥", "￥", "RMB", "CNY", "人民币", ""]))
def test_currency_signs_never_change_the_magnitude(amount, multiplier, sign):
    plain = parse_money([str(amount)], multiplier)
    signed = parse_money([f"{sign}{amount}"], multiplier)
    np.testing.assert_equal(signed.values, plain.values)  # NaN (beyond any plausible amount) on both sides
    assert signed.problems[0] == plain.problems[0]


def test_money_exactness_of_decimal_text():
    # 1.2亿 is 12 x 10^7 exactly, not 1.2 * 1e8 in floating point.
    assert parse_money(["0.1亿", "0.3万", "1.1k", "123456.789万"]).values.tolist() == [
        10_000_000, 3000, 1100, 1_234_567_890]


# ----------------------------------------------------------------------------- dates

@pytest.mark.parametrize("v", [
    "2026-03-05", "2026-3-5", "2026/3/5", "2026/03/05", "2026.3.5", "2026年3月5日", "2026年3月5号", "2026年03月05日",
    "２０２６年３月５日", " 2026 年 3 月 5 日 ", "2026-03-05 10:30", "2026-03-05T10:30:00", "2026/3/5 3:00 PM",
    "2026/03/05 00:00:00", "2026-03-05 周四", "2026年3月5日（星期四）", "20260305", "Mar 5, 2026", "March 5 2026",
    "5 Mar 2026", "5-Mar-2026", "5th March 2026", 46086.0, 46086, 46086.75, 20260305.0, dt.date(2026, 3, 5),
    dt.datetime(2026, 3, 5, 23, 59), pd.Timestamp("2026-03-05 08:00"), np.datetime64("2026-03-05"),
    np.datetime64("2026-03-05T10:00:00.000000000"), pd.Timestamp("2026-03-05", tz=CST),
])
def test_date_forms(v):
    value, problem = one(parse_date, v)
    assert problem is None and day(value) == "2026-03-05"


@pytest.mark.parametrize("v", [
    "2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "5/3/2026", "03/05/2026", "26-3-5", "2026年3月",
    "2026-03", "明天", "Q1", "0001-01-01", "1899-12-31", 0.0, 1.0, 60.0, 61.0, 18263.0, -1.0, 2958466.0, 12345678.0,
    19000101.0, 19491231.0, float("inf"), True, dt.time(10, 0), dt.timedelta(days=3),
])
def test_impossible_ambiguous_or_implausible_dates_are_reported(v):
    value, problem = one(parse_date, v)
    assert problem == "date" and np.isnat(value)


def test_date_boundaries():
    assert day(one(parse_date, 18264.0)[0]) == "1950-01-01"  # the first serial read as a date
    assert day(one(parse_date, 2958465.0)[0]) == "9999-12-31"
    assert day(one(parse_date, "2024-02-29")[0]) == "2024-02-29"
    assert day(one(parse_date, "1900-01-01")[0]) == "1900-01-01"  # typed text names its year
    assert day(one(parse_date, 19500101.0)[0]) == "1950-01-01"
    # A date cell is a serial shown as a date: before 1950 it is the same typo or
    # placeholder as a small number (1900-01-01 is the serial 1), reported, never taken.
    assert day(one(parse_date, dt.date(1950, 1, 1))[0]) == "1950-01-01"
    for early in (dt.date(1949, 12, 31), dt.datetime(1900, 1, 1), dt.date(1900, 1, 1)):
        value, problem = one(parse_date, early)
        assert (day(value), problem) == (None, "date"), early
    many = parse_date(np.array([dt.datetime(1900, 1, 1), dt.date(2026, 3, 5)] * 40, dtype=object))
    assert list(many.problems[:2]) == ["date", None] and str(many.values[1]) == "2026-03-05"


def test_1904_date_system():
    assert day(one(parse_date, 46086.0 - 1462, True)[0]) == "2026-03-05"
    assert day(one(parse_date, "2026-03-05", True)[0]) == "2026-03-05"
    assert day(one(parse_date, 20260305.0, True)[0]) == "2026-03-05"
    assert one(parse_date, 10.0, True)[1] == "date"


def test_serial_to_date_carries_excels_1900_leap_bug():
    out = serial_to_date(np.array([1.0, 59.0, 60.0, 61.0, 0.0, np.nan]))
    assert [day(v) for v in out] == ["1900-01-01", "1900-02-28", None, "1900-03-01", None, None]
    assert day(serial_to_date(np.array([0.0]), True)[0]) == "1904-01-01"


@pytest.mark.parametrize("v", [None, "", "  ", NAN, pd.NaT, np.datetime64("NaT"), "-", "—", "n/a"])
def test_blank_date_cells_are_not_problems(v):
    value, problem = one(parse_date, v)
    assert problem is None and np.isnat(value)


# ----------------------------------------------------------------------------- yes / no

@pytest.mark.parametrize("v, expected", [
    ("是", 1), ("否", 0), ("Y", 1), ("n", 0), ("Yes", 1), ("NO", 0), ("TRUE", 1), ("false", 0), ("1", 1), ("0", 0),
    ("✓", 1), ("✔", 1), ("√", 1), ("×", 0), ("有", 1), ("无", 0), ("已付", 1), ("未付", 0), ("Ｙ", 1), (" 是 ", 1),
    ("1.0", 1), ("無", 0), (1.0, 1), (0.0, 0), (1, 1), (0, 0), (True, 1), (False, 0), (np.True_, 1), (np.int64(1), 1),
])
def test_yes_no_forms(v, expected):
    value, problem = one(parse_bool, v)
    assert problem is None and value == expected


@pytest.mark.parametrize("v", ["maybe", "是的", "x", "ok", 2.0, -1.0, 0.5, float("inf"), dt.date(2026, 1, 1),
                               dt.time(1, 0)])
def test_yes_no_reports_anything_else(v):
    value, problem = one(parse_bool, v)
    assert problem == "bool" and math.isnan(value)


@pytest.mark.parametrize("v", [None, "", " ", NAN, "-", "n/a"])
def test_blank_yes_no_cells(v):
    value, problem = one(parse_bool, v)
    assert problem is None and math.isnan(value)


# ----------------------------------------------------------------------------- counts, hours, scores

@pytest.mark.parametrize("parser, v, expected", [
    (parse_count, "3", 3), (parse_count, "3次", 3), (parse_count, "3 次", 3), (parse_count, "3.0", 3),
    (parse_count, "３次", 3), (parse_count, "1,200", 1200), (parse_count, 0.0, 0), (parse_count, 1e9, 1e9),
    (parse_count, "5单", 5), (parse_count, "2 times", 2),
    (parse_hours, "120h", 120), (parse_hours, "120小时", 120), (parse_hours, " 4.5 ", 4.5), (parse_hours, 0.0, 0),
    (parse_hours, dt.timedelta(hours=30, minutes=30), 30.5), (parse_hours, "12 hrs", 12),
    (parse_score, "4分", 4), (parse_score, "4 分", 4), (parse_score, "★★★", 3), (parse_score, "★★★☆☆", 3),
    (parse_score, 1.0, 1), (parse_score, 5.0, 5), (parse_score, 3.5, 3.5), (parse_score, "５", 5),
])
def test_number_forms(parser, v, expected):
    value, problem = one(parser, v)
    assert problem is None and value == expected


@pytest.mark.parametrize("parser, v", [
    (parse_count, "3.5"), (parse_count, 2.5), (parse_count, -1.0), (parse_count, "-1"), (parse_count, 1e9 + 1),
    (parse_count, "4分"), (parse_count, "1,2"), (parse_count, True), (parse_count, float("inf")),
    (parse_count, dt.timedelta(hours=1)), (parse_count, "abc"),
    (parse_hours, -0.5), (parse_hours, "3次"), (parse_hours, dt.date(2026, 1, 1)), (parse_hours, "nan"),
    (parse_score, 0.99), (parse_score, 5.01), (parse_score, 0.0), (parse_score, "★★★★★★"), (parse_score, "1e3"),
    (parse_score, dt.time(1, 0)),
])
def test_numbers_out_of_range_or_unreadable(parser, v):
    value, problem = one(parser, v)
    assert problem is not None and math.isnan(value)


def test_score_range_is_a_parameter():
    p = parse_score([0, 10, 11], lo=0, hi=10)
    assert p.values[:2].tolist() == [0, 10] and math.isnan(p.values[2]) and p.problems[2] == "score"


# ----------------------------------------------------------------------------- text

def test_text():
    out = parse_text([" a ", 1001.0, 1001, 10**20, 1e20, 1.5, True, dt.date(2026, 1, 1), dt.datetime(2026, 1, 1, 10),
                      None, NAN, -0.0, np.float64(3.0), np.int64(7), "ＡＢ", "#REF!", "#N/A", dt.time(1, 2), "  "])
    assert out.tolist() == ["a", "1001", "1001", "100000000000000000000", "1e+20", "1.5", "True", "2026-01-01",
                            "2026-01-01 10:00:00", "", "", "0", "3", "7", "ＡＢ", "", "", "01:02:00", ""]


@hsettings(max_examples=300, deadline=None)
@given(cells=st.lists(st.one_of(st.text(alphabet=" \t\u3000#!/?aAnNrRfFe甲", max_size=6),
                                st.sampled_from(["#N/A", " #REF! ", "#ref!", "#", "#甲", "甲", " 甲 ", "#DIV/0!"]),
                                st.none(), st.floats(allow_nan=False, allow_infinity=False)), max_size=30),
       sample=st.integers(1, 8))
def test_text_cells_are_trimmed_and_error_values_blank_in_columns_of_any_repetition(cells, sample):
    """parse_text makes a column of a few repeated values text once per value and a column
    of names or IDs cell by cell (told apart by a sample of its cells): either way each
    text cell is trimmed, and an Excel error value is ""."""
    from xlclient.engine import parse as P

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(P, "TEXT_SAMPLE", sample)
        out = parse_text(np.array(cells, dtype=object) if cells else [])
    for v, text in zip(cells, out):
        if isinstance(v, str):
            assert text == ("" if v.strip().lower() in P.EXCEL_ERRORS else v.strip())


def test_parsers_take_lists_tuples_series_and_arrays():
    for raw in (["1", 2.0], ("1", 2.0), pd.Series(["1", 2.0]), np.array(["1", 2.0], dtype=object),
                pd.Series([1.0, 2.0]), np.array([1.0, 2.0])):
        assert parse_count(raw).values.tolist() == [1, 2]
    assert day(parse_date(np.array(["2026-03-05"], dtype="datetime64[ns]")).values[0]) == "2026-03-05"
    assert len(parse_money([]).values) == 0 and len(parse_text([])) == 0


# ----------------------------------------------------------------------------- properties

def _full_width(s: str) -> str:
    return s.translate(FULL)


cells = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.text(alphabet="0123456789.,-+()¥元万亿千kKwW年月日/ 　：:#✓×是否", max_size=10),
    st.sampled_from(sorted(BLANK_TOKENS | TRUE_TOKENS | FALSE_TOKENS | EXCEL_ERRORS)),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.builds(np.float64, st.floats()),
    st.builds(np.int64, st.integers(-(2**63), 2**63 - 1)),
)

PARSERS = {
    "money": lambda c: parse_money(c),
    "money_wan": lambda c: parse_money(c, 1e4),
    "date": lambda c: parse_date(c),
    "date1904": lambda c: parse_date(c, True),
    "bool": parse_bool,
    "count": parse_count,
    "hours": parse_hours,
    "score": parse_score,
}


def _is_blank(v) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and not v.strip()


@hsettings(max_examples=300, deadline=None)
@given(column=st.lists(cells, max_size=12))
def test_no_parser_raises_and_columns_parse_like_their_cells(column):
    for name, parser in PARSERS.items():
        p = parser(column)
        assert len(p.values) == len(p.problems) == len(column)
        for i, v in enumerate(column):
            value, problem = p.values[i], p.problems[i]
            missing = np.isnat(value) if name.startswith("date") else math.isnan(value)
            assert problem is None or isinstance(problem, str)
            if problem is not None and problem not in NOTE_CODES:
                assert missing, (name, v)  # a bad value is never used
            if problem in NOTE_CODES:
                assert not missing, (name, v)  # a note is on a value that was read
            if _is_blank(v):
                assert problem is None, (name, v)  # blanks are never problems
            alone = parser([v])
            assert (alone.problems[0] is None) == (problem is None), (name, v)
            if name.startswith("date"):
                assert (np.isnat(alone.values[0]) and missing) or alone.values[0] == value, (name, v)
            else:
                assert (math.isnan(alone.values[0]) and missing) or alone.values[0] == value, (name, v)
    text = parse_text(column)
    assert len(text) == len(column) and all(isinstance(t, str) for t in text)


@hsettings(max_examples=300, deadline=None)
@given(column=st.lists(cells, max_size=12))
def test_a_non_blank_cell_gives_a_value_or_a_problem(column):
    for name, parser in PARSERS.items():
        p = parser(column)
        for i, v in enumerate(column):
            if _is_blank(v) or (isinstance(v, str) and v.strip().lower() in BLANK_TOKENS):
                continue
            if isinstance(v, str) and name == "bool" and v.strip() == "无":
                continue
            value = p.values[i]
            missing = np.isnat(value) if name.startswith("date") else math.isnan(value)
            if missing and not (name.startswith("date") and isinstance(v, (dt.date, np.datetime64))):
                assert p.problems[i] is not None, (name, v)


amounts = st.one_of(st.integers(0, 10**13).map(decimal.Decimal),
                    st.integers(0, 10**13).map(lambda n: decimal.Decimal(n) / 100))


def _plain(d: decimal.Decimal) -> str:
    s = format(d, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


def _grouped(d: decimal.Decimal) -> str:
    s = format(d, ",f")
    return s.rstrip("0").rstrip(".") if "." in s else s


@hsettings(max_examples=400, deadline=None)
@given(amount=amounts, style=st.integers(0, 13))
def test_an_amount_written_in_any_accepted_style_reads_back_exactly(amount, style):
    text = [
        lambda: _plain(amount),
        lambda: _grouped(amount),
        lambda: "¥" + _grouped(amount),
        lambda: _grouped(amount) + "元",
        lambda: "RMB " + _plain(amount),
        lambda: _plain(amount / 10_000) + "万",
        lambda: _plain(amount / 10_000) + "万元",
        lambda: _plain(amount / 100_000_000) + "亿",
        lambda: _plain(amount / 1000) + "k",
        lambda: _plain(amount / 1000) + "K",
        lambda: _plain(amount / 10_000) + "w",
        lambda: _full_width(_plain(amount / 10_000)) + "万",
        lambda: " " + _grouped(amount) + " 元 ",
        lambda: "人民币" + _plain(amount) + "元",
    ][style]()
    value, problem = one(parse_money, text)
    assert problem is None and value == float(amount), (text, value)


@hsettings(max_examples=200, deadline=None)
@given(amount=amounts)
def test_plain_text_in_a_wan_column_reads_back_exactly(amount):
    value, problem = one(parse_money, _plain(amount / 10_000), 1e4)
    assert problem is None and value == float(amount)


@hsettings(max_examples=400, deadline=None)
@given(d=st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2199, 12, 31)), style=st.integers(0, 14),
       date1904=st.booleans())
def test_a_date_written_in_any_accepted_style_reads_back_exactly(d, style, date1904):
    epoch = dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30)
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    v = [
        lambda: d.isoformat(),
        lambda: f"{d.year}/{d.month}/{d.day}",
        lambda: f"{d.year}年{d.month}月{d.day}日",
        lambda: f"{d.year}.{d.month}.{d.day}",
        lambda: _full_width(f"{d.year}年{d.month}月{d.day}日"),
        lambda: d.strftime("%Y%m%d"),
        lambda: f"{d.isoformat()} 14:30",
        lambda: f"{d.isoformat()}T14:30:00",
        lambda: d,
        lambda: dt.datetime(d.year, d.month, d.day, 18, 5),
        lambda: float((d - epoch).days),
        lambda: float((d - epoch).days) + 0.75,
        lambda: float(d.strftime("%Y%m%d")),
        lambda: f"{d.day} {months[d.month - 1]} {d.year}",
        lambda: f"{months[d.month - 1]} {d.day}, {d.year}",
    ][style]()
    value, problem = one(parse_date, v, date1904)
    assert problem is None and day(value) == d.isoformat(), v


@hsettings(max_examples=200, deadline=None)
@given(n=st.integers(0, 10**9), style=st.integers(0, 4))
def test_a_count_written_in_any_accepted_style_reads_back(n, style):
    v = [str(n), f"{n}次", f"{n:,}", float(n), _full_width(str(n)) + "单"][style]
    value, problem = one(parse_count, v)
    assert problem is None and value == n


@hsettings(max_examples=200, deadline=None)
@given(token=st.sampled_from(sorted(TRUE_TOKENS | FALSE_TOKENS)), pad=st.sampled_from(["", " ", "　"]),
       upper=st.booleans())
def test_yes_no_tokens_in_any_case_or_padding(token, pad, upper):
    v = pad + (token.upper() if upper else token) + pad
    value, problem = one(parse_bool, v)
    assert problem is None and value == (1.0 if token in TRUE_TOKENS else 0.0)


@hsettings(max_examples=100, deadline=None)
@given(ids=st.lists(st.integers(0, 2**53 - 1), max_size=10))
def test_numeric_ids_show_without_decimals(ids):
    assert parse_text([float(i) for i in ids]).tolist() == [str(i) for i in ids]


@hsettings(max_examples=100, deadline=None)
@given(column=st.lists(cells, max_size=8), prefix=st.lists(cells, max_size=4))
def test_results_do_not_depend_on_the_neighbours(column, prefix):
    assume(column)
    for parser in PARSERS.values():
        a = parser(column)
        b = parser(prefix + column)
        k = len(prefix)
        assert [x is None for x in a.problems] == [x is None for x in b.problems[k:]]


@pytest.mark.parametrize("v", [1e16, "2e16", -1e300, "1000000亿亿"])
def test_implausible_amounts_are_reported(v):
    value, problem = one(parse_money, v)
    assert problem in ("money_range", "money", "negative_money") and math.isnan(value)
    if v == 1e16:
        assert problem == "money_range"


one_type_columns = st.one_of(
    st.lists(st.one_of(st.none(), st.floats(), st.integers(-3, 10).map(float)), max_size=12),
    st.lists(st.one_of(st.none(), st.datetimes(min_value=dt.datetime(1, 1, 1)),
                       st.dates(min_value=dt.date(1, 1, 1))), max_size=12),
    st.lists(st.one_of(st.none(), st.text(max_size=6),
                       st.sampled_from(["是", "否", "2026-03-05", "120万", "3次", "#N/A", "#REF!", "  "])), max_size=12),
    st.lists(st.one_of(st.none(), st.booleans()), max_size=12))


def _same_parse(name: str, a, b) -> bool:
    if name.startswith("date"):
        same = (np.isnat(a.values) & np.isnat(b.values)) | (a.values == b.values)
    else:
        same = (np.isnan(a.values) & np.isnan(b.values)) | (a.values == b.values)
    return bool(np.all(same)) and list(a.problems) == list(b.problems)


@hsettings(max_examples=300, deadline=None)
@given(column=one_type_columns)
def test_one_type_columns_parse_as_in_a_mixed_column(column):
    """A column of one type of cell (plus blanks) takes a shortcut past the per-cell type
    lookup; a cell of another type appended forces the general path, which must agree."""
    for name, parser in PARSERS.items():
        fast = parser(column)
        general = parser(column + [dt.time(1, 2)])
        n = len(column)
        cut = type(fast)(general.values[:n], general.problems[:n])
        assert _same_parse(name, fast, cut), (name, column)


@hsettings(max_examples=200, deadline=None)
@given(column=st.lists(st.one_of(st.none(), st.floats(), st.integers(-3, 10).map(float)), max_size=12))
def test_a_float_array_parses_like_the_list_of_its_cells(column):
    """The parsers take a column already read as floats (NaN for blanks): the UDFs hand
    over numeric columns that way."""
    array = np.array([np.nan if v is None else v for v in column], dtype=float)
    for name, parser in PARSERS.items():
        assert _same_parse(name, parser(column), parser(array)), (name, column)


# ---------------------------------------------------------------- a few plain cells

_plain_cells = st.one_of(
    st.none(), st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, 1.0, -1.0, 2.5, 5.0, 6.0, 1e15, 1.0000001e15, -0.0, 3.0, 1e9, 1e9 + 1]),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 12, 31)),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
)


def _same_parsed(a, b) -> bool:
    if a.values.dtype != b.values.dtype or len(a.values) != len(b.values):
        return False
    if a.values.dtype.kind == "M":
        same_values = all((np.isnat(x) and np.isnat(y)) or x == y for x, y in zip(a.values, b.values))
    else:
        same_values = all((np.isnan(x) and np.isnan(y)) or x == y for x, y in zip(a.values, b.values))
    return same_values and list(a.problems) == list(b.problems)


@hsettings(max_examples=400, deadline=None)
@given(cells=st.lists(_plain_cells, min_size=1, max_size=4), mult=st.sampled_from([1.0, 1e4, 1e8]))
def test_a_few_plain_cells_get_the_vectorised_answers(cells, mult):
    """A single-cell formula's one to four cells are parsed in plain Python (no numpy or
    pandas): the same values and problem codes as the vectorised path, for every parser."""
    from xlclient.engine import parse as P

    as_array = np.array(cells + [None], dtype=object)[:-1]  # not a list: the vectorised path
    for name, small, big in (
        ("money", P.parse_money(cells, mult), P.parse_money(as_array, mult)),
        ("profit", P.parse_money(cells, mult, allow_negative=True), P.parse_money(as_array, mult, allow_negative=True)),
        ("date", P.parse_date(cells), P.parse_date(as_array)),
        ("count", P.parse_count(cells), P.parse_count(as_array)),
        ("hours", P.parse_hours(cells), P.parse_hours(as_array)),
        ("score", P.parse_score(cells), P.parse_score(as_array)),
        ("bool", P.parse_bool(cells), P.parse_bool(as_array)),
    ):
        assert _same_parsed(small, big), (name, cells, small, big)


def test_the_small_path_is_taken_only_for_lists_of_a_few_plain_cells(monkeypatch):
    from xlclient.engine import parse as P

    calls = []
    real = P._sort_cells
    monkeypatch.setattr(P, "_sort_cells", lambda raw: calls.append(len(raw)) or real(raw))
    P.parse_money([1.0, None, True])
    assert calls == []  # plain Python
    P.parse_money([1.0, "120万"])
    P.parse_money([1.0] * (P.SMALL + 1))
    P.parse_money(np.array([1.0]))
    assert calls == [2, P.SMALL + 1, 1]


@hsettings(max_examples=300, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.floats(allow_nan=True), st.integers(-5, 5), st.booleans(),
                                 st.text(alphabet=" \t\n\u3000\xa0ab甲", max_size=4),
                                 st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 1, 1))),
                       max_size=10))
def test_blank_mask_is_none_nan_or_only_spaces(values):
    """parse.blank_mask: None, NaN, and a text of only spaces (or empty) are blank; nothing else."""
    from xlclient.engine.parse import blank_mask

    want = [v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and (not v or v.isspace()))
            for v in values]
    assert blank_mask(np.array(values, dtype=object)).tolist() == want


# ----------------------------------------------------------------------------- words in money cells (issue 25)
# Chinese numerals and approximate amounts are amounts a person reads; an approximate one is
# noted on the row (``approximate_amount``, the value kept). A bound or a range is no amount
# (``money``: unreadable). A word saying there is no amount yet is ``no_amount``; a blank cell
# stays blank, and an error value typed as text (#N/A) is an error, never a blank.

_CN_DIGITS = "零一二三四五六七八九"


def _cn_section(n: int) -> str:
    out, zero = "", False
    for unit, p in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        d = n // p % 10
        if d == 0:
            zero = bool(out)
            continue
        out += ("零" if zero else "") + _CN_DIGITS[d] + unit
        zero = False
    return out


def cn_spell(n: int) -> str:
    """A whole number below 10^12 in Chinese numerals, as a person writes it (十七万,
    二百八十二万, 一亿零五万, 三千五百): written here on its own, not with the parser's library."""
    if n == 0:
        return "零"
    out, gap = "", False
    for part, unit in (((n // 10**8) % 10**4, "亿"), ((n // 10**4) % 10**4, "万"), (n % 10**4, "")):
        if part == 0:
            gap = bool(out)
            continue
        out += ("零" if out and (gap or part < 1000) else "") + _cn_section(part) + unit
        gap = False
    return out[1:] if out.startswith("一十") else out


_CAPITAL = str.maketrans("一二三四五六七八九十百千", "壹贰叁肆伍陆柒捌玖拾佰仟")
_TRADITIONAL = str.maketrans("万亿两贰陆", "萬億兩貳陸")


def _variant(text: str, style: int) -> str:
    if style == 1:  # 两 for a 2 before 百 / 千 / 万 / 亿 (two hundred: 两百)
        return "".join("两" if ch == "二" and text[i + 1:i + 2] in ("百", "千", "万", "亿") else ch
                       for i, ch in enumerate(text))
    if style == 2:  # financial capitals (壹佰万)
        return text.translate(_CAPITAL)
    if style == 3:  # traditional characters (十七萬, 一億)
        return text.translate(_TRADITIONAL)
    if style == 4:
        return text.translate(_CAPITAL).translate(_TRADITIONAL)
    return text


@pytest.mark.parametrize("text, amount", [
    ("十七万", 170_000), ("两百八十二万", 2_820_000), ("一亿五千万", 150_000_000), ("三千五百元", 3500),
    ("五十万元", 500_000), ("3千万", 30_000_000), ("十七萬", 170_000), ("兩百萬", 2_000_000), ("一億五千萬", 150_000_000),
    ("壹佰万元整", 1_000_000), ("贰拾万", 200_000), ("貳拾萬", 200_000), ("三点五万", 35_000), ("一点二亿", 120_000_000),
    ("十二点五万元", 125_000), ("2万5千", 25_000), ("一万五", 15_000), ("十万零一千", 101_000), ("3千5百万", 35_000_000),
    ("1亿5千万", 150_000_000), ("¥十七万", 170_000), ("人民币五十万元", 500_000), ("十七 万", 170_000), ("一百〇五", 105),
    ("零", 0), ("一百零五万", 1_050_000), ("3500元整", 3500), ("叁仟伍佰圆整", 3500),
])
def test_chinese_numerals_are_amounts(text, amount):
    value, problem = one(parse_money, text)
    assert (value, problem) == (amount, None), text


@pytest.mark.parametrize("text", ["一二三", "一〇五", "一二三万", "十十万", "一万万", "万", "亿", "十万十", "一万点五万", "12万0500",
                                  "五十多万", "几十万", "十几万", "百来万", "一点", "点五万"])
def test_malformed_chinese_numerals_are_reported(text):
    value, problem = one(parse_money, text)
    assert problem == "money" and math.isnan(value), text


def test_chinese_numerals_in_a_column_of_another_unit():
    # a number that names 万 / 亿 is in yuan; a bare number is in the column's unit, as 3500
    # is; one in 元 under another unit is reported, as 3,500元 is
    p = parse_money(["十七万", "三千五百", "三千五百元", "一点五", "约三千五百元"], 1e4)
    assert p.values[:4].tolist()[:2] == [170_000, 35_000_000] and math.isnan(p.values[2]) and p.values[3] == 15_000
    assert p.problems.tolist() == [None, None, "unit_conflict", None, "unit_conflict"]


@hsettings(max_examples=400, deadline=None)
@given(n=st.one_of(st.integers(0, 10**12 - 1), st.integers(1, 9999).map(lambda k: k * 10**4),
                   st.integers(1, 9999).map(lambda k: k * 10**8)),
       style=st.integers(0, 4), suffix=st.sampled_from(["", "元", "元整", "块"]), mult=st.sampled_from([1.0, 1e4]))
def test_the_chinese_spelling_of_any_amount_reads_as_that_amount(n, style, suffix, mult):
    text = _variant(cn_spell(n), style) + suffix
    value, problem = one(parse_money, text, mult)
    big = any(ch in text for ch in "万亿萬億")
    if big or mult == 1.0:
        assert (value, problem) == (n, None), text
    elif suffix:  # 元 under a 万元 column
        assert problem == "unit_conflict" and math.isnan(value), text
    else:  # a bare number: in the column's unit
        assert (value, problem) == (n * 10**4, None), text


@hsettings(max_examples=200, deadline=None)
@given(k=st.integers(1, 9999), frac=st.integers(1, 99), unit=st.sampled_from([("万", 10**4), ("亿", 10**8)]))
def test_a_chinese_decimal_reads_exactly(k, frac, unit):
    digits = str(frac).rstrip("0")
    text = cn_spell(k) + "点" + "".join(_CN_DIGITS[int(d)] for d in digits) + unit[0]
    value, problem = one(parse_money, text)
    assert problem is None and value == float(decimal.Decimal(f"{k}.{digits}") * unit[1]), text


# Amount texts of every accepted style with their value in yuan (a column in yuan).
def _amount_texts(amount: decimal.Decimal) -> list[str]:
    texts = [_plain(amount), _grouped(amount), "¥" + _grouped(amount), _grouped(amount) + "元",
             _plain(amount / 10_000) + "万", _plain(amount / 10_000) + "万元", _plain(amount / 1000) + "k"]
    if amount == int(amount) and amount < 10**12:
        texts.append(cn_spell(int(amount)) + "元")
        if int(amount) % 10**4 == 0 and amount:
            texts.append(cn_spell(int(amount)))
    return texts


APPROX_BEFORE = ["约", "大约", "约合", "大概", "差不多", "近", "将近", "接近", "approx. ", "approx ", "about ", "around ",
                 "~", "～", "≈", "約", "大約"]
APPROX_AFTER = ["左右", "上下", " 左右"]


@hsettings(max_examples=400, deadline=None)
@given(amount=amounts, pick=st.integers(0, 20), before=st.sampled_from(APPROX_BEFORE + [""]),
       after=st.sampled_from(APPROX_AFTER + [""]))
def test_an_approximate_amount_reads_as_the_amount_with_a_note(amount, pick, before, after):
    texts = _amount_texts(amount)
    text = texts[pick % len(texts)]
    plain = one(parse_money, text)
    assert plain[1] is None and plain[0] == float(amount), text
    value, problem = one(parse_money, before + text + after)
    if before or after:
        assert (value, problem) == (float(amount), "approximate_amount"), before + text + after
    else:
        assert (value, problem) == plain


BOUNDS = ["{}以上", "{}以下", "{}以内", "{}之内", "不少于{}", "不低于{}", "不小于{}", "超过{}", "超{}", "高于{}", "大于{}",
          "至少{}", "最少{}", "起码{}", "不到{}", "不足{}", "少于{}", "低于{}", "最多{}", "至多{}", "不超过{}", "{}+", "{}+以上",
          ">{}", ">={}", "≥{}", "<{}", "≤{}", "{}起", "{}多", "{}余", "30-{}", "{}-{}", "{}~{}", "{}～{}", "{}至{}",
          "{}到{}", "{}或{}", "约{}以上", "{}左右以上", "大约{}-{}", "预计{}", "over {}", "more than {}", "up to {}",
          "{}/年", "{}?", "{}？", "估{}"]


@hsettings(max_examples=500, deadline=None)
@given(amount=amounts, pick=st.integers(0, 20), bound=st.sampled_from(BOUNDS), mult=st.sampled_from([1.0, 1e4]))
def test_a_bound_or_a_range_is_never_an_amount(amount, pick, bound, mult):
    texts = _amount_texts(amount)
    t = texts[pick % len(texts)]
    value, problem = one(parse_money, bound.format(t, t), mult)
    assert problem in ("money", "unit_conflict") and math.isnan(value), bound.format(t, t)


@pytest.mark.parametrize("text", ["50万以上", "不少于50万", "超过50万", "50万+", "30-50万", "30万~50万", "50多万", "五十多万",
                                  "50余万", "三五十万", "约50-60万", "50万左右以上", "约约50万", "约", "左右"])
def test_bounds_and_ranges_stay_unreadable(text):
    value, problem = one(parse_money, text)
    assert problem == "money" and math.isnan(value), text


@pytest.mark.parametrize("text", ["约50万", "大约50万", "50万左右", "50万上下", "约¥50万", "¥约50万", "近50万",
                                  "约合人民币50万", "约五十万", "五十万左右", "大概 50 万", "About 500K", "~500,000"])
def test_approximate_amounts(text):
    value, problem = one(parse_money, text)
    assert (value, problem) == (500_000, "approximate_amount"), text


NO_AMOUNT = ["待定", "暂无", "未定", "待确认", "待核实", "尚无", "暂缺", "未提供", "无", "没有", "无数据", "TBD", "tbc", "TBA",
             "N/A", "n/a", "NA", "n.a.", "none", "None", "null", "-", "--", "—", "——", "–", "/", "／", "?", "？", "___",
             "－", "待定 ", " 暂无", "待定（等合同）", "未定/待补充"]


@pytest.mark.parametrize("text", NO_AMOUNT)
def test_a_cell_saying_there_is_no_amount_yet(text):
    for mult in (1.0, 1e4):
        value, problem = one(parse_money, text, mult)
        assert problem == "no_amount" and math.isnan(value), text


@hsettings(max_examples=300, deadline=None)
@given(lead=st.sampled_from(["待", "未", "暂", "尚", "还未"]), rest=st.text(alphabet="定认核实补充签约合同确等更新统计知提供", max_size=5))
def test_any_word_of_a_pending_amount_is_no_amount(lead, rest):
    value, problem = one(parse_money, lead + rest)
    assert problem == "no_amount" and math.isnan(value)


@pytest.mark.parametrize("text", ["待定50万", "未税50万", "暂定五十万", "无50万"])
def test_a_pending_word_with_a_figure_is_not_no_amount(text):
    # a figure makes it an attempt at an amount: unreadable, never "no amount"
    value, problem = one(parse_money, text)
    assert problem == "money" and math.isnan(value), text


@pytest.mark.parametrize("parser", [parse_money, parse_date, parse_bool, parse_count, parse_hours, parse_score])
@pytest.mark.parametrize("text", ["#N/A", "#n/a", " #N/A "])
def test_an_error_value_typed_as_text_is_an_error_never_a_blank(parser, text):
    value, problem = one(parser, text)
    assert problem == "excel_error"
    assert (np.isnat(value) if parser is parse_date else math.isnan(value))


def test_blank_tokens_are_no_amount_in_money_cells_and_blank_elsewhere():
    # the difference kept explicit: only an empty cell is blank in a money column
    for token in BLANK_TOKENS - {""}:
        assert one(parse_money, token)[1] == "no_amount", token
        assert one(parse_date, token)[1] is None, token
    assert "#n/a" not in BLANK_TOKENS


def test_money_words_in_a_long_column_read_as_alone():
    texts = ["十七万", "约50万", "待定", "50万以上", "#N/A", "", None, 3.0, "50万左右", "-"] * 30
    p = parse_money(np.array(texts, dtype=object))
    for i, v in enumerate(texts[:10]):
        alone = one(parse_money, v)
        assert p.problems[i] == alone[1] and ((math.isnan(p.values[i]) and math.isnan(alone[0]))
                                              or p.values[i] == alone[0]), v
    assert p.problems[:10].tolist() == [None, "approximate_amount", "no_amount", "money", "excel_error", None, None,
                                        None, "approximate_amount", "no_amount"]
