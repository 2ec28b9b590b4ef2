"""A real spreadsheet application opens what we wrote: LibreOffice converts a sample of
written corpus workbooks (incl. the .xlsm files with VBA and buttons, chartsheets, the
1904 date system) to CSV, every sheet, and our sheets' values appear as Excel shows them.

Needs ``soffice`` (Debian: ``apt-get install -y libreoffice-calc-nogui``); skipped without.
LibreOffice runs headless with its own throw-away profile and HOME.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_xlsx_corpus import CN_NAME, CN_SPEC, CN_SPEC_AGAIN, CORPUS, EN_NAME, EN_SPEC, NAMES  # noqa: E402

from xlclient.xlsx.owned import build_workbook  # noqa: E402
from xlclient.xlsx.package import list_sheets  # noqa: E402

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed: "
                                               "apt-get install -y libreoffice-calc-nogui"),
    pytest.mark.skipif(CORPUS is None, reason="shared/corpus/excel-made not found"),
    pytest.mark.slow,
]

SAMPLE = [
    "button07.xlsm", "macro01.xlsm", "macro04.xlsm", "chartsheet01.xlsx", "chartsheet10.xlsx",
    "defined_name01.xlsx", "table08.xlsx", "table33.xlsx", "comment02.xlsx", "image01.xlsx",
    "data_validation01.xlsx", "cond_format01.xlsx", "autofilter01.xlsx", "utf8_01.xlsx",
    "rich_string01.xlsx", "protect01.xlsx", "hyperlink01.xlsx", "textbox01.xlsx", "checkbox01.xlsx",
    "embed_image01.xlsx", "dynamic_array01.xlsx", "array_formula01.xlsx", "print_area01.xlsx",
    "merge_range01.xlsx", "outline01.xlsx", "quote_name01.xlsx", "chart_bar01.xlsx",
    "header_image01.xlsx", "formula_results01.xlsx", "date_1904_02.xlsx", "background01.xlsx",
    "shared_strings01.xlsx",
]
# Not comment03.xlsx: its used range is A1:XFD1048576 (a comment in the very last cell), and
# LibreOffice 7.4's all-sheets CSV export of the *original* file already runs for minutes.
# CSV filter: comma, double quote, UTF-8, from line 1, ..., cells as shown, all sheets (-1)
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"

# our Chinese sheet as LibreOffice shows it (formats applied: yyyy-mm-dd, 0%)
EXPECTED_CN = [
    ["客户编号", "客户名称", "下次拜访", "最近联系", "购买可能性", "金额", "状态", "备注"],
    ["C001", "=SUM(A1:A9)", "2026-03-05", "2026-03-05 14:30:00", "35%", "1200000", "计划", "+86 138"],
    ["C002", "@mention", "1999-12-31", "2026-01-01 09:00:00", "100%", "3.14159", "已完成", "-5%"],
    ["C009", "replaced", "2026-05-01", "", "50%", "7", "计划", ""],
]
EXPECTED_EN = [["Date", "Owner", "ClientID"], ["2026-04-01", "张三", "C001"]]


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return [row for row in csv.reader(f)]


def test_libreoffice_opens_written_workbooks(tmp_path):
    books = tmp_path / "books"
    out = tmp_path / "out"
    home = tmp_path / "home"
    for d in (books, out, home):
        d.mkdir()
    originals = {}
    for name in SAMPLE:
        data = (CORPUS / name).read_bytes()
        originals[name] = [s.name for s in list_sheets(data)]
        data = build_workbook(data, [CN_SPEC, EN_SPEC], defined_names=NAMES).data
        data = build_workbook(data, [CN_SPEC_AGAIN]).data
        (books / name).write_bytes(data)
    # A UTF-8 locale of its own, whatever the caller's: under LC_ALL=C (or a locale the
    # machine lacks) LibreOffice cannot name the 分级结果 CSV file, and the numbers it shows
    # ("3.14159", "35%") follow its locale.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env.update(HOME=str(home), SAL_USE_VCLPLUGIN="svp", LC_ALL="C.UTF-8", LANG="C.UTF-8")
    cmd = [SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--norestore",
           "--nologo", "--convert-to", CSV_FILTER, "--outdir", str(out), *[str(books / n) for n in SAMPLE]]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    problems = []
    for name in SAMPLE:
        stem = Path(name).stem
        cn = out / f"{stem}-{CN_NAME}.csv"
        en = out / f"{stem}-{EN_NAME}.csv"
        if not cn.exists() or not en.exists():
            problems.append(f"{name}: our sheets not exported ({sorted(p.name for p in out.glob(stem + '-*'))})")
            continue
        got = [r + [""] * (8 - len(r)) for r in read_csv(cn)]
        if got[: len(EXPECTED_CN)] != EXPECTED_CN:
            problems.append(f"{name}: {CN_NAME} reads {got[:4]}")
        if read_csv(en)[:2] != EXPECTED_EN:
            problems.append(f"{name}: {EN_NAME} reads {read_csv(en)[:2]}")
        first = originals[name][0]
        if not (out / f"{stem}-{first}.csv").exists():
            problems.append(f"{name}: original sheet {first!r} not exported")
    assert not problems, problems
