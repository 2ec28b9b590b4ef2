"""``xlclient doctor`` on this machine (no Excel): every check reported, what cannot be
checked here said with its reason, a workbook's own problems found, nothing written."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from xlclient.cli import main

TEMPLATE = Path(__file__).resolve().parents[1] / "workbook" / "xlclient.xlsm"


def test_doctor_on_the_template_reports_every_check(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # no user xlwings.conf of the machine running the tests
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    before = TEMPLATE.read_bytes()
    report = tmp_path / "report.txt"
    code = main(["doctor", str(TEMPLATE), "--report", str(report)])
    text = capsys.readouterr().out
    assert TEMPLATE.read_bytes() == before  # nothing written
    assert report.read_text(encoding="utf-8").strip() == text.strip()
    for name in ("Python", "xlclient", "pandas", "python_calamine", "xlwings add-in", "xlwings.conf sheet",
                 "VBA buttons", "CLIENT_TIER in Excel"):
        assert name in text, name
    assert "UDF Modules = xlclient.udfs" in text and "有 VBA 工程" in text
    if sys.platform not in ("win32", "darwin"):
        assert code == 0
        assert "无法检查" in text and "没有桌面版 Excel" in text
        assert text.strip().splitlines()[-1].startswith("问题 0 项")


def test_doctor_reads_the_users_xlwings_conf(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    (tmp_path / ".xlwings").mkdir()
    other = "INTERPRETER_MAC" if sys.platform == "win32" else "INTERPRETER_WIN"
    (tmp_path / ".xlwings" / "xlwings.conf").write_text(
        f'"INTERPRETER","/nowhere/python"\n"{other}","/elsewhere/python"\n', encoding="utf-8")
    assert main(["doctor", "--json"]) == 1
    checks = {c["check"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert checks["xlwings.conf"]["status"] == "problem" and "nowhere" in checks["xlwings.conf"]["detail"]
    assert "elsewhere" not in checks["xlwings.conf"]["detail"]  # another platform's interpreter is not this PC's
    assert "elsewhere" not in checks["xlwings.conf"]["detail"]  # another platform's interpreter is not this PC's


def test_doctor_finds_a_workbook_without_functions_or_buttons(capsys, tmp_path):
    book = tmp_path / "plain.xlsx"
    assert main(["demo", "--out", str(book), "-q"]) in (0, 1)
    capsys.readouterr()
    code = main(["doctor", str(book), "--json"])
    result = json.loads(capsys.readouterr().out)
    status = {c["check"]: c["status"] for c in result["checks"]}
    assert code == 1 and result["exit_code"] == 1
    assert status["xlwings.conf sheet"] == "problem" and status["VBA buttons"] == "problem"
    assert status["plain.xlsx"] == "ok"


def test_doctor_checks_the_names_the_functions_find_their_sheets_by(capsys, tmp_path):
    """xlc_settings / xlc_holidays: in the template and in a book set up by init, at A1 of the
    Settings and Holidays sheets; a book without them is told how to mend it."""
    import xlsxwriter

    def names_check(path):
        capsys.readouterr()
        main(["doctor", str(path), "--json"])
        return next(c for c in json.loads(capsys.readouterr().out)["checks"] if c["check"] == "xlc_settings/holidays")

    assert names_check(TEMPLATE)["status"] == "ok"
    book = tmp_path / "clients.xlsx"
    wb = xlsxwriter.Workbook(book)
    wb.add_worksheet("客户").write_row(0, 0, ["客户名称", "客户经理", "年度投放额", "最近拜访日期"])
    wb.close()
    assert names_check(book)["status"] == "problem"  # no Settings sheet, no names
    assert main(["init", str(book), "-q"]) == 0
    assert names_check(book)["status"] == "ok"
    broken = tmp_path / "broken.xlsx"
    wb = xlsxwriter.Workbook(broken)
    wb.add_worksheet("设置")
    wb.add_worksheet("节假日")
    wb.define_name("xlc_settings", "='设置'!$A$1")
    wb.define_name("xlc_holidays", "=#REF!$A$1")  # its sheet was deleted
    wb.close()
    check = names_check(broken)
    assert check["status"] == "problem" and "xlc_holidays" in check["detail"] and "xlc_settings" not in check["detail"]


@pytest.mark.parametrize("content, words", [(b"", "empty"), (b"PK\x03\x04broken", "")])
def test_doctor_names_a_damaged_file(capsys, tmp_path, content, words):
    book = tmp_path / "bad.xlsx"
    book.write_bytes(content)
    assert main(["doctor", str(book), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if "bad.xlsx" in ln)
    assert "PROBLEM" in line and words in line.lower()
