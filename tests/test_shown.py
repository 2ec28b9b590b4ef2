"""What a person sees through a cell's number format, as money (SPEC 2, issue 25): the
shown text, the scale (trailing commas, a literal dot), the unit written in the format, and
the formats that show no money (dates, percentages, text, other words)."""

from __future__ import annotations

import csv
import random
import shutil
import subprocess

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from xlclient.engine.parse import parse_money
from xlclient.engine.shown import (
    BUILTIN_FORMATS, DATE, MONEY, NUMBER, OTHER, PERCENT, TEXT, format_code, reading, shown_text, shown_yuan, telling,
)

# (code, stored, shown text, kind, yuan a person reads with no unit around)
CASES = [
    ('0!.0,"万"', 177000, "17.7万", MONEY, 177000),
    ('0.0"万"', 12.2, "12.2万", MONEY, 122000),
    ('0"."0,"万"', 177000, "17.7万", MONEY, 177000),
    ('0\\.0,"万"', 177000, "17.7万", MONEY, 177000),
    ('0!.0000"万"', 1234567, "123.4567万", MONEY, 1234567),
    ('#,##0.00,,"百万"', 123456789, "123.46百万", MONEY, 123456789),
    ('0"万元"', 12, "12万元", MONEY, 120000),
    ('0\\万', 12, "12万", MONEY, 120000),
    ('G/通用格式"万元"', 12.5, "12.5万元", MONEY, 125000),
    ('#,##0"元"', 3500, "3,500元", MONEY, 3500),
    ('0.0"亿"', 1.2, "1.2亿", MONEY, 1.2e8),
    ('0.0,"万";-0.0,"万";"-"', -177000, "-177.0万", MONEY, -1770000),  # a person reads 177万
    ('0.0,"万";[Red]\\-0.0,"万"', -5000, "-5.0万", MONEY, -50000),
    ('[$¥-804]#,##0', 3500, "¥3,500", NUMBER, 3500),
    ('"¥"#,##0.00', 3500, "¥3,500.00", NUMBER, 3500),
    ('#,##0', 1234567, "1,234,567", NUMBER, 1234567),
    ('#,##0,', 1234567, "1,235", NUMBER, 1234.567),
    ('0.00E+00', 12345, "1.23E+04", NUMBER, 12345),
    ('#,##0.0_);(#,##0.0)', -1234.56, "(1,234.6)", NUMBER, -1234.56),
    ("General", 12345, "12345", NUMBER, 12345),
]


@pytest.mark.parametrize("code,stored,text,kind,yuan", CASES)
def test_shown_examples(code, stored, text, kind, yuan):
    assert shown_text(code, stored) == text
    assert reading(code, stored).kind == kind
    assert shown_yuan(code, stored) == pytest.approx(yuan)


@pytest.mark.parametrize("code,kind", [
    ("yyyy-mm-dd", DATE), ('yyyy"年"m"月"d"日"', DATE), ("[h]:mm:ss", DATE), ('上午/下午h"时"mm"分"', DATE),
    ("0.0%", PERCENT), ("@", TEXT), ('0"户"', OTHER), ('0"次"', OTHER), ("[$$-409]#,##0", OTHER),
    ("[$¥-411]#,##0", OTHER), ('"US$"#,##0', OTHER), ("0!.0.0", OTHER),
])
def test_formats_that_show_no_yuan(code, kind):
    assert reading(code, 12345).kind == kind
    assert shown_yuan(code, 12345) is None


def test_scaled_number_without_unit_takes_the_unit_around_it():
    # 1,234,567 under #,##0, shows 1,235: in a 千元 column that is 1,235 千元
    assert shown_yuan("#,##0,", 1234567, 1000.0) == pytest.approx(1234567)
    assert shown_yuan("#,##0,", 1234567, None) is None


def test_builtin_ids_map_to_codes():
    assert set(range(0, 59)) <= set(BUILTIN_FORMATS)
    for i in list(range(14, 23)) + list(range(27, 37)) + list(range(45, 48)) + list(range(50, 59)):
        assert reading(format_code(i), 46000).kind == DATE, i
    for i in (1, 2, 3, 4, 5, 6, 7, 8, 37, 38, 39, 40, 41, 42, 43, 44):
        assert reading(format_code(i), 1234).kind == NUMBER, i
        assert not telling(format_code(i)), i
    assert reading(format_code(9), 0.5).kind == PERCENT
    assert reading(format_code(49), 5).kind == TEXT
    assert format_code(164, {164: '0.0"万"'}) == '0.0"万"'
    assert format_code(999) == "General"


def test_telling():
    assert telling('0.0"万"') and telling("#,##0,") and telling("0%") and telling('0"户"')
    assert not any(telling(c) for c in ("General", "0", "#,##0.00", "yyyy-mm-dd", '"¥"#,##0', None, ""))


# ---------------------------------------------------------------- generated formats

UNITS = {"": None, '"万"': 1e4, '\\万': 1e4, '"万元"': 1e4, '"亿"': 1e8, '"元"': 1.0, '"千元"': 1e3, '"百万"': 1e6,
         '" 万元"': 1e4}
DOTS = ["!.", "\\.", '"."']


def make_code(int_part: str, decimals: int, commas: int, unit: str, dot: str | None, shift: int) -> str:
    body = int_part + (f"{dot}{'0' * shift}" if dot else "") + ("." + "0" * decimals if decimals else "")
    return body + "," * commas + unit


@hsettings(max_examples=300, deadline=None)
@given(st.sampled_from(["0", "#,##0", "00"]), st.integers(0, 3), st.integers(0, 3), st.sampled_from(sorted(UNITS)),
       st.sampled_from([None, *DOTS]), st.integers(1, 4), st.integers(-10**10, 10**10), st.integers(0, 3),
       st.sampled_from(["", ";-{}", ";[Red]\\-{}", ";({})"]))
def test_shown_text_reads_as_the_amount(int_part, decimals, commas, unit, dot, shift, n, places, negative):
    """What a person reads from the text shown (parsed as a money text) is the amount
    :func:`shown_yuan` gives, up to the rounding of the display."""
    if dot:
        int_part = int_part.replace("#,##", "")  # grouping around a literal dot shows no readable number
        decimals = 0  # a literal dot and a decimal point ("0!.0.0") show no number: OTHER (below)
    code = make_code(int_part, decimals, commas, unit, dot, shift)
    if negative:
        code = code + negative.format(code)
    value = n / 10 ** places
    r = reading(code, value)
    text = shown_text(code, value)
    assert r.kind == (MONEY if UNITS[unit] else NUMBER)
    assert r.divisor == 1000 ** commas * 10 ** (shift if dot else 0)
    parsed = parse_money([text.replace(" ", "")], allow_negative=True).values[0]
    factor = (UNITS[unit] or 1.0) / r.divisor
    rounding = 0.5 * 10 ** -decimals * 1000 ** commas * factor  # the display rounds the scaled number
    assert abs(parsed - shown_yuan(code, value)) <= rounding * 1.000001 + abs(value) * factor * 1e-12, (code, value, text)


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed")
def test_shown_text_matches_libreoffice(tmp_path):
    """A batch of generated formats and values, rendered by LibreOffice (one conversion to
    CSV, cells as shown) and by :func:`shown_text`. LibreOffice does not know Excel's ``!``
    escape (it shows ``177!.0万``), so its copy of the book writes ``!x`` as ``"x"``."""
    xlsxwriter = pytest.importorskip("xlsxwriter")
    rng = random.Random(25)
    cases = []
    for _ in range(300):
        dot = rng.choice([None, *DOTS])
        code = make_code(rng.choice(["0", "00"] if dot else ["0", "#,##0", "00"]), 0 if dot else rng.randint(0, 3),
                         rng.randint(0, 3), rng.choice(sorted(UNITS)), dot, rng.randint(1, 4))
        if rng.random() < 0.3:
            code = code + ";" + rng.choice(["-", "[Red]\\-", ""]) + code
        value = rng.randint(-10**9, 10**9) / 10 ** rng.randint(0, 3) + rng.choice([0, 0.0001])
        cases.append((code, value))
    path = tmp_path / "formats.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    for i, (code, value) in enumerate(cases):
        ws.write_number(i, 0, value, wb.add_format({"num_format": code.replace("!.", '"."')}))
    wb.close()
    subprocess.run([SOFFICE, "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false",
                    "--outdir", str(tmp_path), str(path)], check=True, timeout=120, capture_output=True)
    with open(tmp_path / "formats.csv", encoding="utf-8", newline="") as f:
        shown = [row[0] for row in csv.reader(f)]
    wrong = [(code, value, shown_text(code, value), lo) for (code, value), lo in zip(cases, shown)
             if shown_text(code, value) != lo]
    assert not wrong, wrong[:10]
