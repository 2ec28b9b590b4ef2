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


@pytest.mark.parametrize("content, words", [(b"", "empty"), (b"PK\x03\x04broken", "")])
def test_doctor_names_a_damaged_file(capsys, tmp_path, content, words):
    book = tmp_path / "bad.xlsx"
    book.write_bytes(content)
    assert main(["doctor", str(book), "--english"]) == 1
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if "bad.xlsx" in ln)
    assert "PROBLEM" in line and words in line.lower()
