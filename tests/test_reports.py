"""Review (客户复盘) and Dashboard (看板): the jobs, the commands and their sheets."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import python_calamine as pc
import xlsxwriter

from xlclient.cli import main

TODAY = "2026-11-22"


@pytest.fixture()
def book(tmp_path) -> Path:
    path = tmp_path / "book.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("客户台账")
    ws.write_row(0, 0, ["客户编号", "客户名称", "客户经理", "客户状态", "年度投放额", "上年投放额", "毛利", "服务工时",
                        "最近合作日期", "最近拜访日期", "需求评分", "竞品接触", "性格类型", "上次等级", "意向阶段", "合作次数",
                        "潜力评分"])
    rows = [
        ["K1", "大客户", "张伟", "合作中", 8_000_000, 8_000_000, 900_000, 900, "2026-11-01", "2026-11-10", 5, "否", "理智型", "A", "", 12, None],
        ["K2", "下滑客户", "张伟", "合作中", 1_000_000, 2_000_000, 100_000, 100, "2026-10-01", "2026-11-01", 2, "是", "", "B", "", 4, None],
        ["K3", "亏本客户", "李娜", "合作中", 500_000, None, -20_000, 300, "2025-06-01", "2026-09-01", 3, "否", "犹豫型", "A", "", 2, None],
        ["K4", "潜在客户", "李娜", "潜在", None, None, None, None, None, "2026-11-15", 4, "否", "", "", "主要", 0, 4],
        ["K5", "普通客户", "李娜", "合作中", 300_000, 280_000, 60_000, 50, "2026-11-05", "2026-11-05", 1, "否", "", "C", "", 6, None],
    ]
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
    wb.close()
    return path


def rows(path: Path, sheet: str) -> list[list]:
    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def test_review_lists_flagged_clients_most_urgent_first(book, capsys):
    assert main(["review", str(book), "-q", "--today", TODAY]) == 0
    capsys.readouterr()
    sheet = rows(book, "客户复盘")
    assert sheet[0] == ["客户编号", "客户名称", "客户经理", "等级", "上次等级", "象限", "标记", "原因", "建议"]
    ids = [r[0] for r in sheet[1:]]
    assert ids[0] == "K2"  # churn risk: competitor contact and billings halved
    assert set(ids) == {"K2", "K3"}  # K3: loss-making and no order for 12+ months, downgraded A -> C
    k3 = next(r for r in sheet if r[0] == "K3")
    assert "降级" in k3[6] and "建议淘汰" in k3[6]
    assert "亏本" in k3[7] and "A → " in k3[7]
    assert "犹豫" not in k3[8] and k3[8]  # advice text, not the type name
    # a drop candidate is not told to give the client a dedicated team; each flag named once
    assert "专人" not in k3[8] and "核算服务成本" in k3[8]
    assert all(len(r[6].split("、")) == len(set(r[6].split("、"))) for r in sheet[1:])
    assert k2[8].startswith("流失风险") if (k2 := next(r for r in sheet if r[0] == "K2")) else False
    k2 = next(r for r in sheet if r[0] == "K2")
    assert "竞品接触" in k2[7] and "50%" in k2[7]


def test_dashboard_tables(book, capsys):
    code = main(["dashboard", str(book), "-q", "--today", TODAY, "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["sheets"][0] == "看板"
    sheet = rows(book, "看板")
    firsts = [r[0] for r in sheet]
    expected = ["概览", "客户等级", "客户盈利曲线（鲸鱼曲线）", "按客户经理", "潜在客户意向阶段", "分层损益：按等级（现有客户）",
                "客户象限", "投放额前十客户"]
    assert all(t in firsts for t in expected)
    assert [firsts.index(t) for t in expected] == sorted(firsts.index(t) for t in expected)
    assert "注意：大客户 一家占投放额的 82%，客户集中度高" in firsts  # the concentration is pointed at
    overview = {r[0]: r[1] for r in sheet[3:13]}
    assert overview["客户总数"] == 5 and overview["现有客户"] == 4 and overview["年度投放额合计(万元)"] == 980.0
    per_owner = {r[0]: r for r in sheet if r[0] in ("张伟", "李娜") and isinstance(r[1], float)}
    assert per_owner["张伟"][1] == 2 and per_owner["李娜"][1] == 3
    top = sheet[[r[0] for r in sheet].index("投放额前十客户") + 2]
    assert top[0] == "大客户" and top[3] == 800.0


def test_dashboard_shows_plan_progress_after_a_plan(book, capsys):
    assert main(["plan", str(book), "-q", "--today", TODAY]) == 0
    assert main(["dashboard", str(book), "-q", "--today", TODAY]) == 0
    capsys.readouterr()
    sheet = rows(book, "看板")
    header = next(r for r in sheet if r[0] == "客户经理")
    planned, done = header.index("计划拜访"), header.index("已完成拜访")
    per_owner = [r for r in sheet if r[0] in ("张伟", "李娜")]
    assert sum(r[planned] for r in per_owner) > 0 and all(r[done] == 0 for r in per_owner)
