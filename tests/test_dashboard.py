"""The managers' dashboard (看板): its figures against an independent computation from the
client table, its native charts (parts present, each series on cells of 看板 with the same
cached values), regeneration (xlclient's charts replaced, a person's drawing kept), the
counts shared with the summary, JSON and Log, and LibreOffice rendering it."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import python_calamine as pc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from xlclient.cli import main  # noqa: E402
from xlclient.engine.dashboard import build_dashboard  # noqa: E402
from xlclient.xlsx.charts import MARK, ChartParts, merge_drawing  # noqa: E402

TODAY = "2026-11-26"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo workbook (300 clients, 6 AEs, planted data problems), planned, then the
    dashboard built."""
    path = tmp_path_factory.mktemp("dash") / "demo.xlsx"
    assert main(["demo", "--out", str(path), "-q", "--today", TODAY]) in (0, 1)
    for command in ("plan", "review", "dashboard"):
        assert main([command, str(path), "-q", "--today", TODAY]) in (0, 1)
    return path


def sheet(path: Path, name: str) -> list[list]:
    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def block(rows: list[list], title: str) -> tuple[list, list[list]]:
    """The header and body of the section titled ``title`` (body ends at a blank row)."""
    i = next(k for k, r in enumerate(rows) if r and r[0] == title)
    k = i + 1
    while rows[k][1:] == [""] * (len(rows[k]) - 1) and rows[k][0]:  # a note line
        k += 1
    header = rows[k]
    body = []
    for r in rows[k + 1:]:
        if all(v == "" for v in r):
            break
        body.append(r)
    return header, body


def col(header: list, name: str) -> int:
    return header.index(name)


# ------------------------------------------------------------------ figures

def independent(path: Path) -> dict:
    """Figures computed with pandas from the client table as read (the reading itself is
    tested elsewhere) and the tiers written to 分级结果."""
    import datetime as dt

    from xlclient.jobs import load_inputs  # the same reading as every command
    from xlclient.xlsx.reader import read_workbook
    from xlclient.xlsx.session import take_snapshot

    inputs = load_inputs(read_workbook(take_snapshot(path)), today=dt.date.fromisoformat(TODAY))
    book = inputs.book.frame
    res = sheet(path, "分级结果")
    tiers = pd.DataFrame(res[1:], columns=res[0])
    assert list(tiers["客户编号"]) == list(book["client_id"])  # one row per client, in order
    frame = pd.DataFrame({"tier": tiers["等级"].to_numpy(), "status": book["status"].to_numpy(),
                          "billings": book["billings"].fillna(0).to_numpy(),
                          "gp": book["gross_profit"].fillna(0).to_numpy(),
                          "owner": book["owner"].to_numpy()})
    cur = frame[frame["status"] == "current"]
    out = {"clients_by_tier": {**frame[frame["tier"] != ""].groupby("tier").size().to_dict(),
                               "": int((cur["tier"] == "").sum())},  # current clients without a tier: their own row
           "billings_by_tier": (cur.groupby("tier")["billings"].sum() / 1e4).round(1).to_dict(),
           "total": round(cur["billings"].sum() / 1e4, 1)}
    gp = np.sort(cur["gp"].to_numpy())[::-1]
    out["whale_end"] = gp.cumsum()[-1] / gp.sum()
    out["whale_peak"] = gp.cumsum().max() / gp.sum()
    out["owners"] = frame.groupby("owner").size().to_dict()
    return out


def test_dashboard_figures_equal_an_independent_computation(demo):
    rows = sheet(demo, "看板")
    want = independent(demo)
    header, body = block(rows, "客户等级")
    for r in body:
        t = r[0][0] if r[0][0] in "ABCD" else ""  # 未分级: current clients whose tier was not vouched for
        assert r[col(header, "客户数")] == want["clients_by_tier"].get(t, 0), t
        assert r[col(header, "投放额(万元)")] == pytest.approx(want["billings_by_tier"].get(t, 0.0), abs=0.051), t
    shares = [r[col(header, "投放占比")] for r in body]
    assert sum(shares) == pytest.approx(1.0, abs=0.002)  # four shares rounded to 0.01 %
    overview = {r[0]: r[1] for r in block(rows, "概览")[1]}
    assert overview["年度投放额合计(万元)"] == pytest.approx(want["total"], abs=0.051)
    header, body = block(rows, "客户盈利曲线（鲸鱼曲线）")
    assert body[-1][col(header, "累计毛利占比")] == pytest.approx(want["whale_end"], abs=1e-4)
    assert max(r[col(header, "累计毛利占比")] for r in body) <= want["whale_peak"] + 1e-4
    header, body = block(rows, "按客户经理")
    assert {r[0]: r[1] for r in body} == want["owners"]
    for r in body:  # each AE's clients by tier add up to the AE's clients (lost clients have no tier)
        assert sum(r[col(header, t)] for t in "ABCD") <= r[1]


def test_whale_curve_marks_the_loss_making_tail():
    n = 40
    gp = np.r_[np.linspace(100_000, 10_000, n - 5), [-5_000, -10_000, -20_000, -40_000, -80_000]]
    frame = pd.DataFrame({"status": ["current"] * n, "tier": ["A"] * 8 + ["B"] * 12 + ["C"] * 20,
                          "owner": ["张伟"] * n, "visit_status_code": [""] * n, "review_codes": [""] * n,
                          "stage": [""] * n, "likelihood": [np.nan] * n, "quadrant": ["Q1"] * n,
                          "name": [f"c{k}" for k in range(n)], "next_visit": [pd.NaT] * n,
                          "visit_status": [""] * n})
    book = pd.DataFrame({"billings": gp * 10, "gross_profit": gp, "service_hours": np.full(n, 10.0),
                         "potential_money": np.full(n, np.nan), "industry": ["广告"] * n})
    board = build_dashboard(frame, book, "zh")
    assert board.figures["loss_making"] == 5
    assert board.figures["whale_peak"] == pytest.approx(gp[gp > 0].sum() / gp.sum(), abs=1e-4)
    whale = next(c for c in board.charts if c.name == "whale curve")
    assert len(whale.series) == 2  # the curve and its loss-making tail
    tail_col = whale.series[1][3]
    r0, r1 = whale.series[1][1], whale.series[1][2]
    tail = [board.rows[r][tail_col] for r in range(r0, r1 + 1)]
    assert tail[-1] == pytest.approx(1.0) and tail[0] is None  # only the tail is drawn red


def test_missing_columns_are_said_not_shown_as_zero():
    n = 3
    frame = pd.DataFrame({"status": ["current"] * n, "tier": ["A", "B", "C"], "owner": ["王芳"] * n,
                          "visit_status_code": [""] * n, "review_codes": [""] * n, "stage": [""] * n,
                          "likelihood": [np.nan] * n, "quadrant": ["Q1"] * n, "name": ["a", "b", "c"],
                          "next_visit": [pd.NaT] * n, "visit_status": [""] * n})
    book = pd.DataFrame({"billings": [3e6, 2e6, 1e6], "gross_profit": [np.nan] * n,
                         "service_hours": [np.nan] * n, "potential_money": [np.nan] * n})
    board = build_dashboard(frame, book, "zh")
    text = [r[0] for r in board.rows if r]
    assert any("没有可读的「毛利」列" in str(t) for t in text)
    assert not any(c.name == "whale curve" for c in board.charts)
    tiers = next(k for k, r in enumerate(board.rows) if r and r[0] == "客户等级")
    assert board.rows[tiers + 1][0] == "台账中没有可读的「毛利」列，相关数字留空"  # said where it is blank
    assert board.rows[tiers + 2][4] == "毛利(万元)" and board.rows[tiers + 3][4] is None  # left empty, not 0
    board = build_dashboard(frame, book, "en", unreadable={"billings": "two columns compete"})
    overview = {r[0]: r[1] for r in board.rows if len(r) == 2}
    assert overview["Billings, total (10k yuan)"] is None


# ------------------------------------------------------------------ charts in the file

def chart_refs(xml: str) -> list[tuple[str, list[float]]]:
    """(formula, cached numbers) of every numeric reference of a chart part."""
    out = []
    for m in re.finditer(r"<c:numRef><c:f>(.*?)</c:f>(.*?)</c:numRef>", xml, re.S):
        cache = {int(i): float(v) for i, v in re.findall(r'<c:pt idx="(\d+)"><c:v>([^<]*)</c:v>', m.group(2))}
        n = int(re.search(r'<c:ptCount val="(\d+)"', m.group(2)).group(1)) if "ptCount" in m.group(2) else 0
        out.append((m.group(1), [cache.get(i) for i in range(n)]))
    return out


def cells(rows: list[list], ref: str) -> list:
    m = re.fullmatch(r"(?:'([^']+)'|([^!]+))!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", ref)
    assert m, ref
    assert (m.group(1) or m.group(2)) == "看板", ref
    c = 0
    for ch in m.group(3):
        c = c * 26 + ord(ch) - 64
    return [rows[r - 1][c - 1] if r - 1 < len(rows) and c - 1 < len(rows[r - 1]) else ""
            for r in range(int(m.group(4)), int(m.group(6)) + 1)]


def test_charts_are_native_parts_on_dashboard_cells(demo):
    parts = members(demo)
    charts = sorted(n for n in parts if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
    assert len(charts) == 7
    ct = parts["[Content_Types].xml"].decode()
    for n in charts:
        assert f'PartName="/{n}" ContentType="application/vnd.openxmlformats-officedocument.drawingml.chart+xml"' in ct
    rows = sheet(demo, "看板")
    series = 0
    for n in charts:
        for ref, cached in chart_refs(parts[n].decode()):
            values = cells(rows, ref)
            assert len(values) == len(cached), ref
            for v, c in zip(values, cached):
                assert (v in ("", None) and c is None) or v == pytest.approx(c), (ref, v, c)
            series += 1
    assert series >= 10
    # linked from 看板, and every anchor is xlclient's
    from xlclient.xlsx.package import Package, read_sheet_xml_names

    pkg = Package(demo.read_bytes())
    part = "/" + read_sheet_xml_names(demo)["看板"].lstrip("/")
    drawing = [r for r in pkg.rels(part).items if r.type.endswith("/drawing")]
    assert len(drawing) == 1
    xml = pkg.read(drawing[0].part).decode()
    assert xml.count(f'descr="{MARK} ') == 7


def test_regenerating_replaces_our_charts_and_keeps_a_persons_shape(demo, tmp_path):
    from xlclient.xlsx.package import Package, read_sheet_xml_names

    book = tmp_path / "again.xlsx"
    data = demo.read_bytes()
    pkg = Package(data)
    part = "/" + read_sheet_xml_names(demo)["看板"].lstrip("/")
    drawing_part = next(r.part for r in pkg.rels(part).items if r.type.endswith("/drawing"))
    xml = pkg.read(drawing_part).decode()
    theirs = ('<xdr:twoCellAnchor><xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>200</xdr:row>'
              '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>3</xdr:col><xdr:colOff>0</xdr:colOff>'
              '<xdr:row>205</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to><xdr:sp macro="" textlink="">'
              '<xdr:nvSpPr><xdr:cNvPr id="99" name="经理批注"/><xdr:cNvSpPr/></xdr:nvSpPr><xdr:spPr>'
              '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr><xdr:txBody><a:bodyPr/><a:p><a:r>'
              '<a:t>下季度重点：A 类续约</a:t></a:r></a:p></xdr:txBody></xdr:sp><xdr:clientData/></xdr:twoCellAnchor>')
    xml = xml.replace("</xdr:wsDr>", theirs + "</xdr:wsDr>")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = xml.encode() if info.filename == drawing_part.lstrip("/") else zin.read(info)
            zout.writestr(info, body)
    book.write_bytes(out.getvalue())
    for _ in range(2):
        assert main(["dashboard", str(book), "-q", "--today", TODAY]) in (0, 1)
    parts = members(book)
    charts = [n for n in parts if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    assert len(charts) == 7  # replaced, not piled up
    drawings = [n for n in parts if re.fullmatch(r"xl/drawings/[^/]+\.xml", n)]
    assert len(drawings) == 1
    text = parts[drawings[0]].decode()
    assert "下季度重点：A 类续约" in text and text.count(f'descr="{MARK} ') == 7
    rels = parts[f"xl/drawings/_rels/{drawings[0].rsplit('/', 1)[1]}.rels"].decode()
    for rid in re.findall(r'r:id="([^"]+)"', text):
        assert f'Id="{rid}"' in rels


def test_merge_drawing_leaves_out_only_xlclient_anchors():
    old = ('<?xml version="1.0"?><xdr:wsDr xmlns:xdr="x" xmlns:a="a">'
           '<xdr:twoCellAnchor><xdr:graphicFrame><xdr:nvGraphicFramePr><xdr:cNvPr id="2" name="Chart 1" '
           f'descr="{MARK} tiers"/></xdr:nvGraphicFramePr><c:chart r:id="rId1"/></xdr:graphicFrame></xdr:twoCellAnchor>'
           '<xdr:oneCellAnchor><xdr:pic><xdr:nvPicPr><xdr:cNvPr id="3" name="Logo" descr="our logo"/></xdr:nvPicPr>'
           '<a:blip r:embed="rId2"/></xdr:pic></xdr:oneCellAnchor></xdr:wsDr>')
    new = ChartParts(['<xdr:twoCellAnchor><c:chart r:id="rIdXLC1"/></xdr:twoCellAnchor>'], [b"<chart/>"],
                     '<xdr:wsDr xmlns:xdr="x" xmlns:a="a" xmlns:c="c">')
    text, dropped, placeholders = merge_drawing(old, {"rId1": "…/chart", "rId2": "…/image"}, new)
    assert dropped == ["rId1"] and placeholders == {"rIdXLC1": 0}
    assert "Logo" in text and f"{MARK} tiers" not in text and "rIdXLC1" in text
    assert 'xmlns:c="c"' in text  # a namespace our anchors need is declared


# ------------------------------------------------------------------ one count everywhere

def test_visits_per_ae_are_the_plans_visit_rows_calls_apart(demo):
    """看板's 计划拜访 / 已完成拜访 per AE are the 拜访 and 开发 rows of 拜访计划 by status: a
    call or a greeting is not a visit (one definition across sheets)."""
    plan = sheet(demo, "拜访计划")
    head = plan[0]
    rows = [r for r in plan[1:] if r[head.index("客户经理")]]
    kinds = {r[head.index("类型")] for r in rows}
    assert {"拜访", "电话"} <= kinds  # the demo's plan has both, so the test can tell them apart
    header, body = block(sheet(demo, "看板"), "按客户经理")
    for r in body:
        mine = [x for x in rows if x[head.index("客户经理")] == r[0] and x[head.index("类型")] in ("拜访", "开发")]
        assert r[col(header, "计划拜访")] == sum(x[head.index("状态")] == "计划" for x in mine), r[0]
        assert r[col(header, "已完成拜访")] == sum(x[head.index("状态")] == "已完成" for x in mine), r[0]


def test_counts_agree_between_summary_json_log_and_dashboard(demo, capsys):
    capsys.readouterr()
    assert main(["dashboard", str(demo), "--today", TODAY, "--json"]) in (0, 1)
    result = json.loads(capsys.readouterr().out)
    counts = result["counts"]
    overview = {r[0]: r[1] for r in block(sheet(demo, "看板"), "概览")[1]}
    assert overview["客户总数"] == counts["clients"]
    assert overview["逾期未拜访客户"] == counts["overdue"]
    assert overview["复盘标记客户"] == counts["flagged"]
    log = sheet(demo, "运行日志")
    last = log[-1]
    assert f"逾期未拜访客户 {counts['overdue']}" in " ".join(str(v) for v in last)
    assert main(["refresh", str(demo), "--today", TODAY, "--json", "--out", str(demo.with_name("r.xlsx"))]) in (0, 1)
    assert json.loads(capsys.readouterr().out)["counts"]["overdue"] == counts["overdue"]


# ------------------------------------------------------------------ what people see

def _has_cjk_font() -> bool:
    fc = shutil.which("fc-list")
    return bool(fc and subprocess.run([fc, ":lang=zh"], capture_output=True, text=True).stdout.strip())


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) or pdftotext (poppler-utils) not installed")
def test_libreoffice_renders_every_owned_sheet_without_errors_and_draws_the_charts(demo, tmp_path):
    """The demo book after demo (refresh), plan, review and dashboard, converted to PDF by
    LibreOffice: the charts' titles are drawn, and no cell of any sheet shows an error value
    or ### (a number too wide for its column)."""
    from xlclient.xlsx.package import list_sheets

    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env.update(LC_ALL="C.UTF-8", HOME=str(tmp_path))
    book = tmp_path / "book.xlsx"
    book.write_bytes(demo.read_bytes())
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(book)], env=env, capture_output=True, timeout=600, check=True)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "book.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    names = {s.name for s in list_sheets(book.read_bytes())}
    assert {"分级结果", "拜访计划", "客户复盘", "看板", "数据问题", "运行日志"} <= names
    flat = re.sub(r"[（）() ]", "", text)  # chart titles come out as "毛利 ( 元 )"
    for title in () if not _has_cjk_font() else ("各等级客户数与投放额", "累计毛利占比按客户毛利排名", "各客户经理的客户等级", "各客户经理的拜访", "意向阶段漏斗客户数",
                  "各等级每工时毛利元", "各行业毛利与每工时毛利"):
        assert title in flat, title
    bad = [line for line in text.splitlines() if "###" in line or re.search(r"#(VALUE|NAME|REF|DIV/0|N/A|NUM)|Err:\d", line)]
    assert not bad, bad[:5]


def _frame(n: int, status: str = "current") -> pd.DataFrame:
    return pd.DataFrame({"status": [status] * n, "tier": ["A"] * n if status == "current" else [""] * n,
                         "owner": ["张伟"] * n, "visit_status_code": [""] * n, "review_codes": [""] * n,
                         "stage": [""] * n, "likelihood": [np.nan] * n, "quadrant": ["Q1"] * n,
                         "name": [f"c{k}" for k in range(n)], "next_visit": [pd.NaT] * n, "visit_status": [""] * n})


def test_whale_curve_leaves_out_and_says_clients_without_gross_profit():
    gp = [300_000.0, np.nan, 100_000.0, np.nan, -50_000.0]
    book = pd.DataFrame({"billings": [1e6] * 5, "gross_profit": gp, "service_hours": [10.0] * 5,
                         "potential_money": [np.nan] * 5})
    board = build_dashboard(_frame(5), book, "zh")
    assert board.figures["whale_left_out"] == 2
    i = next(k for k, r in enumerate(board.rows) if r and r[0] == "客户盈利曲线（鲸鱼曲线）")
    assert "2 个现有客户没有毛利数据，未计入" in board.rows[i + 1][0]
    header = board.rows[i + 2]
    body = board.rows[i + 3:i + 6]
    assert [r[1] for r in body] == [1, 2, 3]  # three clients ranked, not five
    assert body[-1][header.index("累计毛利占比")] == pytest.approx(1.0)
    assert board.figures["whale_peak"] == pytest.approx(400_000 / 350_000, abs=1e-4)


@pytest.mark.parametrize("gp, status", [([-10_000.0, -20_000.0], "current"), ([0.0, 0.0], "current"),
                                        ([np.nan, np.nan], "prospect")])
def test_whale_curve_without_profit_to_share_says_so_and_draws_nothing(gp, status):
    book = pd.DataFrame({"billings": [1e6, 2e6], "gross_profit": gp, "service_hours": [1.0, 1.0],
                         "potential_money": [np.nan] * 2})
    frame = _frame(2, status)
    if status != "current":  # no current client at all: a book of prospects
        book["gross_profit"] = [5_000.0, 6_000.0]
    board = build_dashboard(frame, book, "en")
    assert not any(c.name == "whale curve" for c in board.charts)
    i = next(k for k, r in enumerate(board.rows) if r and r[0] == "Whale curve (cumulative gross profit)")
    assert "not positive" in board.rows[i + 1][0]


def test_each_aes_row_counts_its_own_clients():
    n = 7
    frame = _frame(n)
    frame["owner"] = ["乙", "甲", "乙", "", "甲", "乙", "乙"]
    frame["tier"] = ["A", "B", "C", "D", "A", "A", "B"]
    frame["visit_status_code"] = ["overdue", "", "due_soon", "overdue", "overdue", "", ""]
    frame["review_codes"] = ["", "churn", "", "", "", "drop", ""]
    book = pd.DataFrame({"billings": [1e4 * (k + 1) for k in range(n)], "gross_profit": [1.0] * n,
                         "service_hours": [1.0] * n, "potential_money": [np.nan] * n})
    board = build_dashboard(frame, book, "zh", plan_status={"甲": {"planned": 3, "done": 1}})
    h = next(k for k, r in enumerate(board.rows) if r and r[0] == "客户经理")
    rows = {r[0]: r for r in board.rows[h + 1:h + 4]}
    assert list(rows) == ["乙", "甲", "（未指定）"]
    assert rows["乙"][1:10] == [4, 2, 1, 1, 0, 1 + 3 + 6 + 7, 1, 1, 0]
    assert rows["甲"][1:12] == [2, 1, 1, 0, 0, 2 + 5, 1, 0, 3, 1, 1]
    assert rows["（未指定）"][1] == 1 and rows["（未指定）"][5] == 1


def test_pipeline_says_how_many_prospects_have_no_budget():
    frame = _frame(4, "prospect")
    frame["stage"] = ["committed", "strong", "strong", "qualified"]
    frame["likelihood"] = [0.9, 0.6, 0.6, 0.35]
    book = pd.DataFrame({"billings": [np.nan] * 4, "gross_profit": [np.nan] * 4, "service_hours": [np.nan] * 4,
                         "potential_money": [1e6, np.nan, 2e6, np.nan], "stage_typed": ["重要", "主要", "主要", "准"]})
    board = build_dashboard(frame, book, "zh")
    i = next(k for k, r in enumerate(board.rows) if r and r[0] == "潜在客户意向阶段")
    assert board.rows[i + 1][0] == "2 个潜在客户没有预计预算，未计入预算与期望价值"
    header = board.rows[i + 2]
    strong = next(r for r in board.rows[i + 3:] if r and r[0] == "主要")
    assert strong[header.index("期望价值(万元)")] == pytest.approx(0.6 * 200, abs=0.05)


@pytest.mark.parametrize("told_by", [None, "stage_typed", "meetings", "deposit_paid"])
@pytest.mark.parametrize("score", [False, True])
def test_a_pipeline_no_column_tells_apart_is_blank_beyond_the_first_stage(told_by, score):
    """Issue 26: a book without stage, meetings or deposit columns shows every prospect at
    意向 (the rule's first stage, as 分级结果 does) and the other stages blank with a note,
    never 0; the budget note says whether potential is a score or missing."""
    frame = _frame(3, "prospect")
    frame["stage"] = ["interested"] * 3
    book = pd.DataFrame({"billings": [np.nan] * 3, "gross_profit": [np.nan] * 3, "service_hours": [np.nan] * 3,
                         "potential_money": [np.nan] * 3, "stage_typed": [""] * 3,
                         "potential_score": [4.0, 2.0, np.nan] if score else [np.nan] * 3})
    if told_by:
        book[told_by] = ["意向", "", ""] if told_by == "stage_typed" else [0.0, np.nan, np.nan]
    board = build_dashboard(frame, book, "zh")
    i = next(k for k, r in enumerate(board.rows) if r and r[0] == "潜在客户意向阶段")
    note, rows = board.rows[i + 1][0], {r[0]: r[1] for r in board.rows[i + 3:i + 9]}
    assert rows["意向"] == 3
    others = [rows[s] for s in ("重要", "主要", "准", "暂缓", "拒绝")]
    if told_by:
        assert others == [0] * 5 and "无法区分" not in note
    else:
        assert others == [None] * 5 and note.startswith("台账中没有意向阶段、沟通次数、已付定金列：潜在客户都按最初的「意向」阶段计")
    assert ("潜力是评分而非预算金额" in note) == score
    assert ("没有可读的「预计年度预算」列" in note) == (not score)
    en = build_dashboard(frame, book, "en")
    j = next(k for k, r in enumerate(en.rows) if r and r[0] == "Prospect pipeline")
    assert ("cannot be told" in en.rows[j + 1][0]) == (not told_by)


def test_an_ae_the_plan_still_names_has_a_row_so_the_visits_add_up_to_the_plan():
    """Issue 26 (found by the consistency checker): after a handover the departed AE's done
    visits stay in the plan (kept rows); 看板's per-AE table lists that AE with no clients and
    those visits, so its visit columns add up to the plan's rows."""
    frame = _frame(2)
    book = pd.DataFrame({"billings": [1e6, 2e6], "gross_profit": [np.nan] * 2, "service_hours": [np.nan] * 2,
                         "potential_money": [np.nan] * 2})
    board = build_dashboard(frame, book, "zh", plan_status={"张伟": {"planned": 3}, "王芳": {"done": 1, "planned": 0}})
    i = next(k for k, r in enumerate(board.rows) if r and r[0] == "客户经理")
    rows = {r[0]: r for r in board.rows[i + 1:i + 4] if r}
    header = board.rows[i]
    assert set(rows) == {"张伟", "王芳"}
    assert rows["王芳"][header.index("客户数")] == 0 and rows["王芳"][header.index("已完成拜访")] == 1
    assert rows["张伟"][header.index("计划拜访")] == 3 and rows["张伟"][header.index("客户数")] == 2
