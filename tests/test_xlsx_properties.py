"""Property tests: random owned sheets read back exactly, and output is deterministic."""

from __future__ import annotations

import datetime as dt
import io
import math

import openpyxl
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from xlclient.xlsx.cells import decode_xstring, encode_xstring
from xlclient.xlsx.owned import SheetSpec, build_workbook
from xlclient.xlsx.package import sheet_part_xml


def fresh_book(date1904: bool) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "date_1904": date1904})
    wb.add_worksheet("客户台账").write("A1", "客户")
    wb.close()
    return buf.getvalue()


BOOKS = {False: fresh_book(False), True: fresh_book(True)}

plain_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
tricky = st.sampled_from(["=", "+", "-", "@", "=SUM(A1:A3)", "_x0041_", "_x005F_", "_xD83D_", "_x00",
                          "\x01", "\x1f", "\r", "\r\n", "\t", " ", "\n", "😀", "广告公司", "&<>\"'", "\ufffe"])
texts = st.one_of(plain_text, st.lists(st.one_of(tricky, plain_text), min_size=1, max_size=5).map("".join))
ms_datetimes = st.datetimes(dt.datetime(1800, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59)).map(
    lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))
values = st.one_of(
    st.none(), texts, st.booleans(), st.integers(-(2 ** 53), 2 ** 53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(dt.date(1800, 1, 1), dt.date(9999, 12, 31)), ms_datetimes,
)
tables = st.lists(st.lists(values, min_size=1, max_size=6), min_size=1, max_size=8)


def expected(value, date1904: bool):
    if isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        floor = dt.date(1904, 1, 1) if date1904 else dt.date(1900, 1, 1)
        if day < floor:
            return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
        if not isinstance(value, dt.datetime):
            return dt.datetime.combine(value, dt.time())
    return value


def openpyxl_rows(data: bytes, name: str) -> list[list]:
    ws = openpyxl.load_workbook(io.BytesIO(data))[name]
    return [[c.value for c in row] for row in ws.iter_rows()]


def agree(got, want) -> bool:
    if isinstance(want, str):
        return isinstance(got, str) and decode_xstring(got) == want
    if isinstance(want, bool):
        return got is want
    if isinstance(want, float):
        return isinstance(got, float) and (got == want or (math.isnan(got) and math.isnan(want)))
    if isinstance(want, int):
        return type(got) is int and got == want
    return got == want


def check_openpyxl(rows, date1904):
    spec = SheetSpec("随机 数据", [["h"]] + rows)
    data = build_workbook(BOOKS[date1904], [spec]).data
    got = openpyxl_rows(data, "随机 数据")[1:]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = got[r][c] if r < len(got) and c < len(got[r]) else None
            want = expected(value, date1904)
            if date1904 and isinstance(want, dt.datetime) and want < dt.datetime(1904, 1, 2):
                continue  # openpyxl turns 1904 serials below 1 into a time of day
            assert agree(cell, want), (r, c, value, cell)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables)
def test_openpyxl_reads_back_what_we_wrote_1900(rows):
    check_openpyxl(rows, False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables)
def test_openpyxl_reads_back_what_we_wrote_1904(rows):
    check_openpyxl(rows, True)


def calamine_expected(value):
    want = expected(value, False)
    if isinstance(want, dt.datetime) and not isinstance(value, dt.datetime):
        return want.date()  # calamine gives dates for date-only formats
    if isinstance(want, int) and not isinstance(want, bool):
        return float(want)
    return want


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables)
def test_calamine_reads_back_what_we_wrote(rows):
    spec = SheetSpec("S", [["h"]] + rows)
    data = build_workbook(BOOKS[False], [spec]).data
    got = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("S").to_python()[1:]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = got[r][c] if r < len(got) and c < len(got[r]) else ""
            want = "" if value is None else calamine_expected(value)
            if isinstance(want, str) and any(ch in want for ch in "\ufffe\uffff"):
                continue  # calamine leaves _xFFFE_/_xFFFF_ escaped (noncharacters)
            if isinstance(want, str):
                assert isinstance(cell, str) and cell == want, (r, c, value, cell)
            elif isinstance(want, float):
                assert isinstance(cell, float) and cell == want, (r, c, value, cell)
            elif isinstance(want, dt.datetime) and want.time() == dt.time() and type(cell) is dt.date:
                assert cell == want.date(), (r, c, value, cell)  # calamine: midnight -> date
            else:
                assert cell == want, (r, c, value, cell)


@settings(max_examples=60, deadline=None)
@given(tables, st.booleans())
def test_output_is_deterministic(rows, date1904):
    spec = SheetSpec("S", [["h"]] + rows, number_formats={1: "0.00"})
    once = build_workbook(BOOKS[date1904], [spec]).data
    assert build_workbook(BOOKS[date1904], [spec]).data == once
    again = build_workbook(once, [spec]).data  # replacing our own sheet with the same content
    assert sheet_part_xml(again, "S") == sheet_part_xml(once, "S")
    assert again == once


@settings(deadline=None)  # no timing limit: a loaded machine must not fail it
@given(texts)
def test_xstring_round_trip(s):
    import xml.etree.ElementTree as ET

    text = ET.fromstring(f"<t>{encode_xstring(s)}</t>").text or ""
    assert decode_xstring(text) == s
