"""How owned sheets look: colours by content (conditional formats) on 分级结果 and 客户复盘,
wrapped long texts -- written once however often the sheets are regenerated, and a
person's own conditional format kept beside them."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from xlclient.cli import main
from xlclient.xlsx.package import sheet_part_xml

TODAY = "2026-11-26"


@pytest.fixture()
def demo(tmp_path) -> Path:
    path = tmp_path / "demo.xlsx"
    assert main(["demo", "--out", str(path), "-q", "--today", TODAY]) in (0, 1)
    assert main(["review", str(path), "-q", "--today", TODAY]) in (0, 1)
    return path


def formats(path: Path, sheet: str) -> list[str]:
    return re.findall(r"<conditionalFormatting\b.*?</conditionalFormatting>", sheet_part_xml(path, sheet).decode(), re.S)


def dxfs(path: Path) -> int:
    with zipfile.ZipFile(path) as z:
        m = re.search(r'<dxfs count="(\d+)"', z.read("xl/styles.xml").decode())
    return int(m.group(1)) if m else 0


def test_overdue_and_due_soon_are_coloured_once_however_often_refreshed(demo):
    first = formats(demo, "分级结果")
    texts = [t for f in first for t in re.findall(r'text="([^"]*)"', f)]
    assert {"逾期", "即将到期", "从未拜访", "流失风险"} <= set(texts)
    assert all(re.search(r'sqref="[A-Z]+2:[A-Z]+301"', f) for f in first)  # the 300 clients below the header
    n = dxfs(demo)
    assert n >= 2
    for _ in range(2):
        assert main(["refresh", str(demo), "-q", "--today", TODAY]) in (0, 1)
    assert formats(demo, "分级结果") == first and dxfs(demo) == n  # replaced, not piled up
    review = formats(demo, "客户复盘")
    assert {"流失风险", "建议淘汰"} <= {t for f in review for t in re.findall(r'text="([^"]*)"', f)}


def test_a_persons_conditional_format_is_kept(demo, tmp_path):
    from xlclient.xlsx.package import read_sheet_xml_names

    part = read_sheet_xml_names(demo)["分级结果"].lstrip("/")
    theirs = ('<conditionalFormatting sqref="M2:M400"><cfRule type="cellIs" dxfId="0" priority="99" '
              'operator="greaterThan"><formula>100</formula></cfRule></conditionalFormatting>')
    out = io.BytesIO()
    with zipfile.ZipFile(demo) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:
                text = data.decode()
                i = text.index("<conditionalFormatting")
                data = (text[:i] + theirs + text[i:]).encode()
            zout.writestr(info, data)
    book = tmp_path / "theirs.xlsx"
    book.write_bytes(out.getvalue())
    assert main(["refresh", str(book), "-q", "--today", TODAY]) in (0, 1)
    after = formats(book, "分级结果")
    assert sum('sqref="M2:M400"' in f for f in after) == 1
    assert len(after) == len(formats(demo, "分级结果")) + 1


def test_long_reasons_wrap_within_their_column(demo):
    xml = sheet_part_xml(demo, "客户复盘").decode()
    with zipfile.ZipFile(demo) as z:
        styles = z.read("xl/styles.xml").decode()
    xfs = re.findall(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", styles.split("<cellXfs", 1)[1].split("</cellXfs>", 1)[0], re.S)
    cell = re.search(r'<c r="H2"[^>]*\bs="(\d+)"', xml)
    assert cell and 'wrapText="1"' in xfs[int(cell.group(1))]


def test_a_row_with_wrapped_text_is_as_tall_as_its_lines(demo):
    """Neither Excel nor LibreOffice grows a row when it opens a file: a row whose wrapped
    text needs more lines carries that height, a row that fits on one line none."""
    import python_calamine as pc

    from xlclient.xlsx.worksheet import LINE_HEIGHT

    xml = sheet_part_xml(demo, "客户复盘").decode()
    rows = pc.CalamineWorkbook.from_path(str(demo)).get_sheet_by_name("客户复盘").to_python()
    heights = {int(r): float(h) for r, h in re.findall(r'<row r="(\d+)" ht="([\d.]+)" customHeight="1"', xml)}
    assert heights, "no row was given a height"
    for r, h in heights.items():
        assert h % LINE_HEIGHT == 0 and h >= 2 * LINE_HEIGHT
        assert max(len(str(v)) for v in rows[r - 1][7:9]) > 10  # a long reason or advice
    short = [i + 1 for i, row in enumerate(rows[1:], 1) if all(len(str(v)) <= 4 for v in row[7:9])]
    assert not set(short) & set(heights)


def test_wrapped_lines_at_their_boundaries():
    from xlclient.xlsx.worksheet import MAX_LINES, wrapped_lines

    assert wrapped_lines("", 10) == 1
    assert wrapped_lines("a" * 9, 10) == 1 and wrapped_lines("a" * 10, 10) == 2  # a column keeps one char spare
    assert wrapped_lines("流" * 4, 10) == 1 and wrapped_lines("流" * 5, 10) == 2  # a CJK character is two wide
    assert wrapped_lines("ab\ncd", 80) == 2 and wrapped_lines("\n", 80) == 2
    assert wrapped_lines("x" * 10_000, 10) == MAX_LINES
    assert wrapped_lines("x" * 30, 0) == MAX_LINES  # a zero width is taken as one character
