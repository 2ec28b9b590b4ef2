"""Client handover (交接客户): moves by capacity, recorded in the Handover sheet and applied
to every result, while the client table stays as typed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import python_calamine as pc

from xlclient.cli import main
from xlclient.demo import write_demo_workbook
from xlclient.engine.handover import apply_handover, propose_handover, read_handover
from xlclient.engine.settings import Settings

TODAY = "2026-11-22"


def frame(rows):
    return pd.DataFrame(rows, columns=["client_id", "name", "owner", "tier", "status", "stage"])


def test_proposal_balances_visits_against_capacity_and_is_deterministic():
    f = frame([
        ["K1", "甲", "张伟", "A", "current", ""], ["K2", "乙", "张伟", "A", "current", ""],
        ["K3", "丙", "张伟", "C", "current", ""], ["K4", "丁", "李娜", "A", "current", ""],
        ["K5", "戊", "王芳", "C", "current", ""], ["K6", "己", "张伟", "D", "prospect", "committed"],
    ])
    moves = propose_handover(f, "张伟", [], Settings(), dt.date(2026, 11, 22))
    assert [m[1] for m in moves] == ["K6", "K1", "K2", "K3"]  # heaviest first: weekly follow-up, then A
    to = {m[1]: m[5] for m in moves}
    assert to["K6"] == "王芳"  # the lighter-loaded receiver takes the heaviest client
    assert set(to.values()) <= {"李娜", "王芳"}
    loads = {"李娜": 30 / 14, "王芳": 30 / 90}
    for m in moves:
        loads[m[5]] += {"K6": 30 / 7, "K1": 30 / 14, "K2": 30 / 14, "K3": 30 / 90}[m[1]]
    assert abs(loads["李娜"] - loads["王芳"]) <= 30 / 7
    assert propose_handover(f, "张伟", [], Settings(), dt.date(2026, 11, 22)) == moves


def test_proposal_to_named_receivers_only():
    f = frame([["K1", "甲", "张伟", "B", "current", ""], ["K2", "乙", "李娜", "B", "current", ""],
               ["K3", "丙", "王芳", "B", "current", ""]])
    moves = propose_handover(f, "张伟", ["王芳"], Settings(), dt.date(2026, 11, 22))
    assert [(m[1], m[5]) for m in moves] == [("K1", "王芳")]


def test_reading_the_sheet_applies_the_latest_row_and_reports_unknown_clients():
    rows = [["日期", "客户编号", "客户名称", "等级", "原客户经理", "新客户经理", "说明"],
            [dt.date(2026, 1, 5), "K1", "甲", "A", "张伟", "李娜", ""],
            [dt.date(2026, 2, 5), "K1", "甲", "A", "李娜", "王芳", "再交接"],
            [dt.date(2026, 2, 5), "K9", "不存在", "A", "张伟", "李娜", ""],
            [dt.date(2026, 2, 5), "K2", "乙", "B", "张伟", None, ""]]
    h = read_handover(rows, {"K1", "K2"}, sheet="客户交接")
    assert h.owners == {"K1": "王芳"}
    assert [(p.row, p.code) for p in h.problems] == [(4, "handover_client"), (5, "handover_owner")]
    assert len(h.rows) == 4
    f = frame([["K1", "甲", "张伟", "A", "current", ""], ["K2", "乙", "张伟", "B", "current", ""]])
    assert list(apply_handover(f, h.owners)["owner"]) == ["王芳", "张伟"]
    assert list(f["owner"]) == ["张伟", "张伟"]  # a copy


@pytest.fixture()
def book(tmp_path) -> Path:
    path = tmp_path / "book.xlsx"
    write_demo_workbook(path, n_clients=60, seed=9, today=dt.date(2026, 11, 22))
    return path


def sheet(path: Path, name: str) -> list[list]:
    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def test_reassign_command_moves_every_client_and_keeps_the_table(book, capsys):
    table_before = sheet(book, "客户台账")
    code = main(["reassign", str(book), "--from", "张伟", "--to", "李娜,王芳", "--today", TODAY, "-q", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 1  # the demo book's planted data problems
    moved = {m["client_id"] for m in result["moves"]}
    assert moved and {m["to"] for m in result["moves"]} <= {"李娜", "王芳"}
    assert sheet(book, "客户台账") == table_before
    classification = sheet(book, "分级结果")
    assert not any(r[2] == "张伟" for r in classification[1:])
    owner_of = {r[0]: r[2] for r in classification[1:]}
    for m in result["moves"]:
        assert owner_of[m["client_id"]] == m["to"]
    plan = sheet(book, "拜访计划")
    assert not any(r[1] == "张伟" for r in plan[1:])
    # later runs keep applying the Handover sheet
    assert main(["refresh", str(book), "--today", TODAY, "-q"]) == 1
    assert not any(r[2] == "张伟" for r in sheet(book, "分级结果")[1:])
    # and 张伟 has nothing left to hand over: said as such, not "no such AE"
    capsys.readouterr()
    assert main(["reassign", str(book), "--from", "张伟", "--today", TODAY, "-q"]) == 2
    err = capsys.readouterr().err
    takers = "、".join(sorted({m["to"] for m in result["moves"]}))
    assert f"「张伟」的 {len(moved)} 个客户已在「客户交接」表中交接给{takers}" in err and "没有客户经理" not in err


def test_reassign_refuses_unknown_receivers(book, capsys):
    assert main(["reassign", str(book), "--from", "张伟", "--to", "外人", "-q"]) == 2
    assert "外人" in capsys.readouterr().err
