"""The managers' dashboard (看板, SPEC 3): figures and the charts drawn from them.

Pure data in, a laid-out sheet out: :func:`build_dashboard` stacks titled tables
(overview, tiers, the whale curve, each AE's clients and visits, the prospect pipeline,
segment P&L by tier and by industry, quadrants, the top clients) and describes the charts
that sit beside them (:class:`ChartSpec`, cell positions 0-based in the sheet's rows), with
the number format of every figure. The writers (:mod:`xlclient.xlsx.charts`, the xlwings
path) draw the charts; this module knows nothing of Excel.

Every figure comes from the classified book, once; where a figure needs a column the
book does not have (billings, gross profit, service hours, a prospect budget), the table
says so instead of showing zeros.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .labels import QUADRANTS, STAGE_NAMES, STAGES, TIER_NAMES, Language, label
from .quadrant import quadrant_action, quadrant_label

__all__ = ["ChartSpec", "Dashboard", "build_dashboard", "WAN", "COUNT", "PERCENT", "DATE", "YUAN"]

WAN = "#,##0.0"  # 万元, one decimal, thousands separators
COUNT = "#,##0"
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"
YUAN = "#,##0"
CHART_ROWS = 16  # rows a chart takes beside its table (288 px at 20 px a row)


@dataclass
class ChartSpec:
    """One native chart: its data are cells of the dashboard (0-based row, column)."""

    kind: str  # column | column_stacked | bar | line | pie
    title: str
    categories: tuple[int, int, int]  # first row, last row, column
    series: list[tuple[int, int, int, int]]  # (header row, first row, last row, column) each
    anchor: tuple[int, int]  # top-left cell
    secondary: list[tuple[int, int, int, int]] = field(default_factory=list)  # drawn as a line on a 2nd axis
    y_title: str = ""
    colors: list[str] = field(default_factory=list)  # one per series (hex RGB)
    name: str = ""  # what the chart shows; its drawing object is named "xlclient <name>"


@dataclass
class Dashboard:
    rows: list[list[Any]]
    formats: dict[tuple[int, int], str]  # (row, col) -> number format
    titles: list[int]  # rows holding a section title
    headers: list[int]  # rows holding a table header
    charts: list[ChartSpec]
    figures: dict[str, Any]  # the headline figures, for summaries and tests


_TIER_COLORS = {"A": "C00000", "B": "ED7D31", "C": "4472C4", "D": "A5A5A5"}


class _Sheet:
    """Stacks sections; each is a title, a header and a body, with its charts to the right."""

    def __init__(self) -> None:
        self.rows: list[list[Any]] = []
        self.formats: dict[tuple[int, int], str] = {}
        self.titles: list[int] = []
        self.headers: list[int] = []
        self.charts: list[ChartSpec] = []
        self.widths: dict[int, int] = {}  # title row -> columns its table uses

    def section(self, title: str, header: list[str], body: list[list[Any]], formats: Mapping[int, str],
                note: str = "") -> tuple[int, int]:
        """Adds a section; returns (header row, last body row)."""
        if self.rows:
            self.rows.append([])
        self.titles.append(len(self.rows))
        self.widths[len(self.rows)] = max([len(header), *(len(r) for r in body)])
        self.rows.append([title])
        if note:
            self.rows.append([note])
        head = len(self.rows)
        self.headers.append(head)
        self.rows.append(list(header))
        for r in body:
            for c, fmt in formats.items():
                if c < len(r) and r[c] is not None and not isinstance(r[c], str):
                    self.formats[len(self.rows), c] = fmt
            self.rows.append(list(r))
        return head, len(self.rows) - 1

    def next_title(self) -> int:
        """The row the next section's title goes on."""
        return len(self.rows) + (1 if self.rows else 0)

    def chart(self, title_row: int, spec: ChartSpec, slot: int = 0) -> None:
        spec.anchor = (title_row, max(3, self.widths.get(title_row, 2)) + 1 + 8 * slot)
        self.charts.append(spec)

    def pad_for_charts(self, title_row: int) -> None:
        """Blank rows so that the next section starts below this section's charts."""
        while len(self.rows) < title_row + CHART_ROWS:
            self.rows.append([])


def _wan(v: float) -> float:
    return round(float(v) / 1e4, 1)


def _share(part: float, whole: float) -> float | None:
    return round(float(part) / float(whole), 4) if whole else None


def build_dashboard(frame: pd.DataFrame, book_frame: pd.DataFrame, lang: Language, *,
                    unreadable: Mapping[str, str] | None = None,
                    plan_status: Mapping[str, Mapping[str, int]] | None = None) -> Dashboard:
    """The dashboard of a classified book (``frame``: the classification, ``book_frame``:
    the client table as read). ``unreadable``: fields the book could not read, with the
    reason; ``plan_status``: per AE, the visit plan's rows by status."""
    zh = lang == "zh"
    missing = dict(unreadable or {})
    f = frame
    n = len(f)
    status = f["status"].to_numpy(dtype=object)
    tier = f["tier"].to_numpy(dtype=object)
    current = status == "current"

    def money(col: str) -> np.ndarray | None:
        if col not in book_frame or col in missing:
            return None
        values = book_frame[col].to_numpy(dtype=float)
        return None if np.all(np.isnan(values)) else np.nan_to_num(values)

    billings, profit, hours = money("billings"), money("gross_profit"), money("service_hours")
    potential = money("potential_money")

    def lacking(field_zh: str, field_en: str) -> str:
        return (f"台账中没有可读的「{field_zh}」列，相关数字留空" if zh else
                f"the client table has no readable {field_en} column: those figures are left empty")

    def lacking_all(fields: list[tuple[str, str, np.ndarray | None]]) -> str:
        """The note for a table whose columns rest on these inputs: each one missing named."""
        gone = [(z, e) for z, e, values in fields if values is None]
        if not gone:
            return ""
        return (("台账中没有可读的" + "、".join(f"「{z}」" for z, _ in gone) + "列，相关数字留空") if zh else
                ("the client table has no readable " + " or ".join(e for _, e in gone) +
                 " column: those figures are left empty"))

    sh = _Sheet()
    figures: dict[str, Any] = {}

    # ------------------------------------------------------------ overview
    total = float(billings[current].sum()) if billings is not None else None
    overdue = int((f["visit_status_code"] == "overdue").sum())
    flagged = int((f["review_codes"] != "").sum())
    overview: list[list[Any]] = [
        ["客户总数" if zh else "Clients", n],
        ["现有客户" if zh else "Current clients", int(current.sum())],
        ["潜在客户" if zh else "Prospects", int((status == "prospect").sum())],
        ["流失客户" if zh else "Lost clients", int((status == "lost").sum())],
        ["年度投放额合计(万元)" if zh else "Billings, total (10k yuan)", _wan(total) if total is not None else None],
        ["逾期未拜访客户" if zh else "Clients overdue for a visit", overdue],
        ["复盘标记客户" if zh else "Clients flagged in review", flagged],
    ]
    figures.update(clients=n, current=int(current.sum()), overdue=overdue, flagged=flagged,
                   billings_wan=_wan(total) if total is not None else None)
    note = ""
    if billings is not None and total:
        order = np.argsort(-np.where(current, billings, -np.inf), kind="stable")
        top_i = int(order[0])
        top_share = billings[top_i] / total
        top20 = max(1, int(np.ceil(0.2 * int(current.sum()))))
        share20 = float(billings[order[:top20]].sum() / total)
        overview += [
            ["最大客户" if zh else "Largest client", str(f["name"].iat[top_i])],
            ["最大客户投放占比" if zh else "Largest client's share of billings", round(float(top_share), 4)],
            ["前20%客户投放占比" if zh else "Top 20% of clients' share of billings", round(share20, 4)],
        ]
        figures.update(top_client=str(f["name"].iat[top_i]), top_share=round(float(top_share), 4))
        if top_share >= 0.2:
            note = (f"注意：{f['name'].iat[top_i]} 一家占投放额的 {top_share:.0%}，客户集中度高" if zh else
                    f"Note: {f['name'].iat[top_i]} alone is {top_share:.0%} of billings: the book is concentrated")
    elif billings is None:
        note = lacking("年度投放额", "billings")
    title = sh.next_title()
    head, last = sh.section("概览" if zh else "Overview", ["指标" if zh else "Measure", "数值" if zh else "Value"],
                            overview, {1: COUNT}, note)
    for r in range(head + 1, last + 1):
        label_text = sh.rows[r][0]
        if "万元" in label_text or "10k yuan" in label_text:
            sh.formats[r, 1] = WAN
        elif "占比" in label_text or "share" in label_text:
            sh.formats[r, 1] = PERCENT

    # ------------------------------------------------------------ tiers
    tiers_body = []
    for t in ("A", "B", "C", "D"):
        mask = tier == t
        amount = billings[mask & current].sum() if billings is not None else None
        gp = profit[mask & current].sum() if profit is not None else None
        tiers_body.append([f"{t} {label(TIER_NAMES, t, lang)}", int(mask.sum()),
                           _wan(amount) if amount is not None else None,
                           _share(amount, total) if amount is not None and total else None,
                           _wan(gp) if gp is not None else None])
    untiered = current & (tier == "")  # their tier could not be vouched for (see Issues): billings still counted
    if untiered.any():
        amount = billings[untiered].sum() if billings is not None else None
        gp = profit[untiered].sum() if profit is not None else None
        tiers_body.append(["未分级（见数据问题）" if zh else "No tier (see Issues)", int(untiered.sum()),
                           _wan(amount) if amount is not None else None,
                           _share(amount, total) if amount is not None and total else None,
                           _wan(gp) if gp is not None else None])
    title = sh.next_title()
    head, last = sh.section(
        "客户等级" if zh else "Tiers",
        ["等级", "客户数", "投放额(万元)", "投放占比", "毛利(万元)"] if zh else
        ["Tier", "Clients", "Billings (10k yuan)", "Share of billings", "Gross profit (10k yuan)"],
        tiers_body, {1: COUNT, 2: WAN, 3: PERCENT, 4: WAN},
        lacking_all([("年度投放额", "billings", billings), ("毛利", "gross profit", profit)]))
    figures["tier_clients"] = {r[0][0]: r[1] for r in tiers_body[:4]}
    sh.chart(title, ChartSpec("column", "各等级客户数与投放额" if zh else "Clients and billings by tier",
                              (head + 1, last, 0), [(head, head + 1, last, 2)] if billings is not None else [],
                              (0, 0), secondary=[(head, head + 1, last, 1)], colors=["4472C4", "C00000"],
                              name="tiers"))
    sh.pad_for_charts(title)

    # ------------------------------------------------------------ whale curve
    title = sh.next_title()
    if profit is None:
        sh.section("客户盈利曲线（鲸鱼曲线）" if zh else "Whale curve (cumulative gross profit)",
                   ["客户排名", "累计毛利占比"] if zh else ["Client rank", "Cumulative share of gross profit"], [], {},
                   lacking("毛利", "gross profit"))
    else:
        raw_gp = book_frame["gross_profit"].to_numpy(dtype=float)[current]
        unknown = int(np.isnan(raw_gp).sum())  # left out, and said: not taken as 0
        gp = np.sort(raw_gp[~np.isnan(raw_gp)])[::-1]
        m = len(gp)
        whole = float(gp.sum())
        cum = np.cumsum(gp)
        losing = int((gp < 0).sum())
        body = []
        peak = None
        if m and whole > 0:
            steps = list(range(1, m + 1)) if m <= 20 else sorted({max(1, int(round(m * k / 20))) for k in range(1, 21)})
            for k in steps:
                share = float(cum[k - 1] / whole)
                body.append([round(k / m, 4), k, _wan(cum[k - 1]), share,
                             share if losing and k >= m - losing else None])
            peak = float(cum.max() / whole)
            note = ((f"亏损客户 {losing} 个，合计毛利 {_wan(gp[gp < 0].sum()):,.1f} 万元：累计毛利最高到 {peak:.0%}，"
                     f"被亏损客户拉回 100%" if zh else
                     f"{losing} loss-making clients, {_wan(gp[gp < 0].sum()):,.1f} (10k yuan) together: cumulative "
                     f"gross profit peaks at {peak:.0%} and the loss-making tail brings it back to 100%")
                    if losing else ("没有亏损客户" if zh else "No loss-making clients"))
        else:  # no profit to share out: a curve of shares would mean nothing
            note = (f"现有客户的毛利合计 {_wan(whole):,.1f} 万元，不为正：无法画出累计占比" if zh else
                    f"current clients' gross profit totals {_wan(whole):,.1f} (10k yuan), not positive: no shares to draw")
        if unknown:
            note += (f"；{unknown} 个现有客户没有毛利数据，未计入" if zh else
                     f"; {unknown} current clients without a gross profit figure are left out")
        head, last = sh.section(
            "客户盈利曲线（鲸鱼曲线）" if zh else "Whale curve (cumulative gross profit)",
            ["客户排名(前%)", "客户数", "累计毛利(万元)", "累计毛利占比", "亏损客户段"] if zh else
            ["Client rank (top %)", "Clients", "Cum. gross profit (10k yuan)", "Cumulative share",
             "Loss-making tail"], body, {0: PERCENT, 1: COUNT, 2: WAN, 3: PERCENT, 4: PERCENT}, note)
        figures.update(whale_peak=round(peak, 4) if peak is not None else None, loss_making=losing,
                       whale_left_out=unknown)
        if body:
            sh.chart(title, ChartSpec("line", "累计毛利占比（按客户毛利排名）" if zh else "Cumulative gross profit by client rank",
                                      (head + 1, last, 0),
                                      [(head, head + 1, last, 3)] + ([(head, head + 1, last, 4)] if losing else []),
                                      (0, 0), colors=["2F5597", "C00000"], name="whale curve"))
            sh.pad_for_charts(title)

    # ------------------------------------------------------------ account executives
    # one pass over the clients: a count per AE of each tier, visit status and flag
    codes_all = f["visit_status_code"].to_numpy(dtype=object)
    counts = pd.DataFrame({
        "owner": f["owner"].to_numpy(dtype=object), "n": 1,
        **{t: tier == t for t in ("A", "B", "C", "D")},
        "billings": np.where(current, billings, 0.0) if billings is not None else 0.0,
        "overdue": codes_all == "overdue", "due_soon": codes_all == "due_soon",
        "flagged": f["review_codes"].to_numpy(dtype=object) != ""}).groupby("owner", sort=True).sum()
    # every AE with clients, and every AE the plan still names (a departed AE's done visits,
    # kept in the plan, are visits done: the table adds up to the plan)
    planners = sorted(o for o in (plan_status or {}) if o and o not in counts.index)
    if planners:
        counts = pd.concat([counts, pd.DataFrame(0, index=planners, columns=counts.columns)]).sort_index()
    owners = [o for o in counts.index if o != ""] + ([""] if "" in counts.index else [])
    per_owner = []
    for o in owners:  # one row per AE
        c = counts.loc[o]
        ps = (plan_status or {}).get(o, {})
        per_owner.append([o or ("（未指定）" if zh else "(none)"), int(c["n"]), *[int(c[t]) for t in ("A", "B", "C", "D")],
                          _wan(c["billings"]) if billings is not None else None, int(c["overdue"]), int(c["due_soon"]),
                          ps.get("planned", 0), ps.get("done", 0), int(c["flagged"])])
    title = sh.next_title()
    head, last = sh.section(
        "按客户经理" if zh else "By account executive",
        ["客户经理", "客户数", "A", "B", "C", "D", "投放额(万元)", "逾期未拜访", "即将到期", "计划拜访", "已完成拜访", "复盘标记"] if zh else
        ["Owner", "Clients", "A", "B", "C", "D", "Billings (10k yuan)", "Overdue", "Due soon", "Visits planned",
         "Visits done", "Flagged"],
        per_owner, {1: COUNT, 2: COUNT, 3: COUNT, 4: COUNT, 5: COUNT, 6: WAN, 7: COUNT, 8: COUNT, 9: COUNT, 10: COUNT,
                    11: COUNT},
        "" if plan_status else ("还没有拜访计划：计划与完成数为 0" if zh else "No visit plan yet: planned and done are 0"))
    if per_owner:
        sh.chart(title, ChartSpec("column_stacked", "各客户经理的客户等级" if zh else "Each AE's clients by tier",
                                  (head + 1, last, 0), [(head, head + 1, last, c) for c in (2, 3, 4, 5)], (0, 0),
                                  colors=[_TIER_COLORS[t] for t in "ABCD"], name="owners tiers"))
        sh.chart(title, ChartSpec("column", "各客户经理的拜访" if zh else "Each AE's visits",
                                  (head + 1, last, 0), [(head, head + 1, last, c) for c in (9, 10, 7)], (0, 0),
                                  colors=["4472C4", "70AD47", "C00000"], name="owners visits"), slot=1)
        sh.pad_for_charts(title)

    # ------------------------------------------------------------ pipeline
    stage = f["stage"].to_numpy(dtype=object)
    like = f["likelihood"].to_numpy(dtype=float)
    pipe = []
    for s in STAGES:
        ms = stage == s
        mean = float(np.nanmean(like[ms])) if ms.any() and np.any(~np.isnan(like[ms])) else None
        budget = float(potential[ms].sum()) if potential is not None else None
        expected = float(np.nansum(potential[ms] * np.nan_to_num(like[ms]))) if potential is not None else None
        pipe.append([label(STAGE_NAMES, s, lang), int(ms.sum()), round(mean, 4) if mean is not None else None,
                     _wan(budget) if budget is not None else None, _wan(expected) if expected is not None else None])
    def present(col: str) -> bool:  # a column of the book with something in it
        if col not in book_frame or col in missing:
            return False
        values = book_frame[col]
        return bool((values.notna() & (values.astype(str).str.strip() != "")).any())

    if not any(present(c) for c in ("stage_typed", "meetings", "deposit_paid")):
        # nothing in the book tells one stage from another: every prospect is at the first
        # stage by the rule (意向, as 分级结果 shows), and the other stages are unknown, not 0
        for row in pipe:
            if row[0] != label(STAGE_NAMES, "interested", lang):
                row[1] = None
        stages_note = ("台账中没有意向阶段、沟通次数、已付定金列：潜在客户都按最初的「意向」阶段计，其他阶段无法区分，留空" if zh else
                       "the client table has no stage, meetings or deposit column: every prospect counts at the "
                       "first stage (interested); the other stages cannot be told and are left empty")
    else:
        stages_note = ""
    if potential is None:
        pipe_note = (("台账的潜力是评分而非预算金额：预算与期望价值留空" if zh else
                      "Potential is a score, not a budget: budget and expected value are empty")
                     if present("potential_score") else
                     ("台账中没有可读的「预计年度预算」列：预算与期望价值留空" if zh else
                      "the client table has no readable expected budget column: budget and expected value are empty"))
    else:  # a prospect in the pipeline without a budget adds nothing to the sums: say how many
        staged = np.isin(stage, STAGES)
        no_budget = int((staged & np.isnan(book_frame["potential_money"].to_numpy(dtype=float))).sum())
        pipe_note = ((f"{no_budget} 个潜在客户没有预计预算，未计入预算与期望价值" if zh else
                      f"{no_budget} prospects without a budget are not in the budget and expected value")
                     if no_budget else "")
    unstaged = int(((f["status"].to_numpy(dtype=object) == "prospect") & (stage == "")).sum())
    if unstaged:  # a stage resting on a cell that was not read: not counted under any stage (SPEC 2)
        unknown = (f"{unstaged} 个潜在客户的意向阶段无法确定（见数据问题），未计入各阶段" if zh else
                   f"{unstaged} prospects' stage could not be told (see Issues) and is in no stage")
        pipe_note = f"{pipe_note}；{unknown}" if zh and pipe_note else f"{pipe_note}; {unknown}" if pipe_note else unknown
    if stages_note:
        pipe_note = f"{stages_note}；{pipe_note}" if zh else f"{stages_note}; {pipe_note}"
    title = sh.next_title()
    head, last = sh.section(
        "潜在客户意向阶段" if zh else "Prospect pipeline",
        ["阶段", "客户数", "平均购买可能性", "预计年度预算(万元)", "期望价值(万元)"] if zh else
        ["Stage", "Prospects", "Mean likelihood", "Expected budget (10k yuan)", "Expected value (10k yuan)"],
        pipe, {1: COUNT, 2: PERCENT, 3: WAN, 4: WAN},
        pipe_note)
    figures["pipeline"] = {r[0]: r[1] for r in pipe}
    series = [(head, head + 1, last, 1)]
    sh.chart(title, ChartSpec("bar", "意向阶段漏斗（客户数）" if zh else "Pipeline by stage (prospects)",
                              (head + 1, last, 0), series, (0, 0), colors=["ED7D31"], name="pipeline"))
    if potential is not None:
        sh.chart(title, ChartSpec("bar", "各阶段期望价值(万元)" if zh else "Expected value by stage (10k yuan)",
                                  (head + 1, last, 0), [(head, head + 1, last, 4)], (0, 0), colors=["70AD47"],
                                  name="pipeline value"), slot=1)
    sh.pad_for_charts(title)

    # ------------------------------------------------------------ segment P&L
    def pnl(groups: list[tuple[str, np.ndarray]]) -> list[list[Any]]:
        out = []
        for name, mg in groups:
            b = billings[mg].sum() if billings is not None else None
            g = profit[mg].sum() if profit is not None else None
            h = hours[mg].sum() if hours is not None else None
            out.append([name, int(mg.sum()), _wan(b) if b is not None else None, _wan(g) if g is not None else None,
                        round(float(h), 1) if h is not None else None,
                        round(float(g) / float(h), 1) if g is not None and h else None])
        return out

    pnl_header = (["分组", "客户数", "投放额(万元)", "毛利(万元)", "服务工时", "每工时毛利(元)"] if zh else
                  ["Segment", "Clients", "Billings (10k yuan)", "Gross profit (10k yuan)", "Service hours",
                   "Gross profit per hour (yuan)"])
    pnl_formats = {1: COUNT, 2: WAN, 3: WAN, 4: COUNT, 5: YUAN}
    pnl_note = lacking_all([("年度投放额", "billings", billings), ("毛利", "gross profit", profit),
                            ("服务工时", "service hours", hours)])
    title = sh.next_title()
    by_tier = pnl([(f"{t} {label(TIER_NAMES, t, lang)}", (tier == t) & current) for t in ("A", "B", "C")])
    head, last = sh.section("分层损益：按等级（现有客户）" if zh else "Segment P&L by tier (current clients)", pnl_header,
                            by_tier, pnl_formats, pnl_note)
    figures["pnl_tier"] = by_tier
    if profit is not None and hours is not None:
        sh.chart(title, ChartSpec("column", "各等级每工时毛利(元)" if zh else "Gross profit per service hour by tier",
                                  (head + 1, last, 0), [(head, head + 1, last, 5)], (0, 0), colors=["2F5597"],
                                  name="pnl tier"))
    industry = (book_frame["industry"].fillna("").astype(str).to_numpy(dtype=object) if "industry" in book_frame
                else np.full(n, "", dtype=object))
    if (industry[current] != "").any():
        totals = pd.Series(billings[current] if billings is not None else 0.0,
                           index=industry[current]).groupby(level=0).sum().to_dict()
        ranked = sorted(totals, key=lambda k: (-totals[k], k))
        named = [k for k in ranked if k][:10]
        groups = [(k, (industry == k) & current) for k in named]
        rest = current & ~np.isin(industry, named)
        if rest.any():
            groups.append(("其他/未填" if zh else "Other / blank", rest))
        by_ind = pnl(groups)
        head, last = sh.section("分层损益：按行业（现有客户）" if zh else "Segment P&L by industry (current clients)",
                                pnl_header, by_ind, pnl_formats, pnl_note)
        figures["pnl_industry"] = by_ind
        if profit is not None:
            sh.chart(title, ChartSpec("column", "各行业毛利与每工时毛利" if zh else "Gross profit and profit per hour by industry",
                                      (head + 1, last, 0), [(head, head + 1, last, 3)], (0, 0),
                                      secondary=[(head, head + 1, last, 5)] if hours is not None else [],
                                      colors=["70AD47", "2F5597"], name="pnl industry"), slot=1)
    sh.pad_for_charts(title)

    # ------------------------------------------------------------ quadrants, top clients
    quad = f["quadrant"].to_numpy(dtype=object)
    active = np.isin(f["status"].to_numpy(dtype=object), ("current", "prospect"))
    unplaced = int((active & (quad == "")).sum())
    known = unplaced < int(active.sum()) or not active.any()
    # a quadrant no client could be placed in is unknown, not 0 (SPEC 2: a missing column is no zero)
    sh.section("客户象限" if zh else "Quadrants", ["象限" if zh else "Quadrant", "客户数" if zh else "Clients",
                                              "建议" if zh else "Action"],
               [[quadrant_label(q, lang), int((quad == q).sum()) if known else None, quadrant_action(q, lang)]
                for q in QUADRANTS], {1: COUNT},
               ((f"{unplaced} 个客户的象限无法确定（缺需求评分等，见数据问题），未计入" if zh else
                 f"{unplaced} clients' quadrant could not be told (no need score etc., see Issues) and is not counted")
                if unplaced else ""))
    if billings is not None:
        top = np.argsort(-np.where(current, billings, -np.inf), kind="stable")[:10]
        visits = f["next_visit"].to_numpy(dtype="datetime64[D]")
        body = [[f["name"].iat[i], f["owner"].iat[i], tier[i], _wan(billings[i]), _share(billings[i], total),
                 None if np.isnat(visits[i]) else visits[i].astype(object), f["visit_status"].iat[i]]
                for i in top if current[i]]
        sh.section("投放额前十客户" if zh else "Top 10 clients by billings",
                   ["客户名称", "客户经理", "等级", "投放额(万元)", "投放占比", "下次拜访", "拜访状态"] if zh else
                   ["Client", "Owner", "Tier", "Billings (10k yuan)", "Share", "Next visit", "Visit status"],
                   body, {3: WAN, 4: PERCENT, 5: DATE})
    while sh.rows and not sh.rows[-1]:
        sh.rows.pop()
    return Dashboard(sh.rows, sh.formats, sh.titles, sh.headers, sh.charts, figures)
