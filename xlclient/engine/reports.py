"""Manager reports built from a classified book: the Review sheet (客户复盘) and the
Dashboard (看板). Pure data in, rows of cells out, in the Settings language.

Review lists every flagged client, most urgent first (churn risk, downgrade, drop
candidate, data problem, pinned), with the reasons and a suggested approach (the
quadrant's action, plus the personality hint when the book records one). The Dashboard
stacks small tables: overview, per AE, pipeline by intent stage, quadrants, the top
clients, and the visit plan's progress when a plan exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .labels import QUADRANTS, STAGE_NAMES, STAGES, TIER_NAMES, Language, column_headers, label
from .quadrant import quadrant_action, quadrant_label
from .review import FLAG_NAMES
from .strategy import UnknownType, strategy_for

_SEVERITY = ("churn", "downgrade", "drop", "data", "pinned")

REVIEW_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("client_id", "客户编号", "ClientID"),
    ("name", "客户名称", "Client"),
    ("owner", "客户经理", "Owner"),
    ("tier", "等级", "Tier"),
    ("previous_tier", "上次等级", "Previous tier"),
    ("quadrant", "象限", "Quadrant"),
    ("flags", "标记", "Flags"),
    ("reasons", "原因", "Reasons"),
    ("advice", "建议", "Suggested approach"),
)


#: What to do first about a flag, before the quadrant's usual approach (a client flagged as a
#: drop candidate is not told to get a dedicated team).
FLAG_ADVICE = {
    "churn": ("流失风险：尽快安排高层拜访，了解原因并拿出挽留方案", "churn risk: arrange a senior visit soon, find out why "
              "and bring a plan to keep them"),
    "drop": ("建议淘汰：核算服务成本，降低服务级别或重新报价，必要时有序退出", "drop candidate: cost the service, lower "
             "its level or re-price, and exit in an orderly way if needed"),
    "downgrade": ("已降级：按新等级调整拜访频率和服务团队", "downgraded: adjust visit cadence and team to the new tier"),
    "data": ("数据问题：先核实台账中的数据", "data problem: check the client book's figures first"),
}


def _advice(quadrant: str, personality: str, lang: Language, codes: list[str] | None = None) -> str:
    i = 0 if lang == "zh" else 1
    flagged = [FLAG_ADVICE[c][i] for c in FLAG_ADVICE if c in (codes or [])]  # the most pressing first
    # a flag's advice replaces the quadrant's when they would contradict (a drop candidate or a
    # churn risk is not "a dedicated team"); the personality's approach still helps
    parts = flagged[:1] if flagged else ([quadrant_action(quadrant, lang)] if quadrant else [])
    if personality:
        try:
            parts.append(strategy_for(personality, lang))
        except UnknownType:
            pass
    return (" " if lang == "en" else "；").join(p.rstrip("。") for p in parts if p)


def review_rows(frame: pd.DataFrame, book_frame: pd.DataFrame, lang: Language) -> list[list[Any]]:
    """Header + one row per flagged client, most urgent first, then by AE and billings."""
    flagged = frame[frame["review_codes"] != ""]
    rows: list[list[Any]] = [column_headers(REVIEW_COLUMNS, lang)]
    if flagged.empty:
        return rows
    book = book_frame.loc[flagged.index]
    codes = flagged["review_codes"].str.split(",")
    severity = codes.map(lambda cs: min(_SEVERITY.index(c) for c in cs))
    order = pd.DataFrame({"severity": severity, "owner": flagged["owner"],
                          "billings": -np.nan_to_num(book["billings"].to_numpy(dtype=float)),
                          "key": flagged["key"]}).sort_values(["severity", "owner", "billings", "key"], kind="stable")
    i = 0 if lang == "zh" else 1
    for idx in order.index:
        r = flagged.loc[idx]
        codes_here = list(dict.fromkeys(c for c in r["review_codes"].split(",") if c))  # each flag once
        flags = ("、" if lang == "zh" else ", ").join(FLAG_NAMES[c][i] for c in codes_here)
        rows.append([r["client_id"], r["name"], r["owner"], r["tier"], r["previous_tier"],
                     quadrant_label(r["quadrant"], lang), flags, r["review"],
                     _advice(r["quadrant"], str(book_frame.at[idx, "personality"] or ""), lang, codes_here)])
    return rows


def _wan(v: float) -> float:
    return round(float(v) / 1e4, 1)


def dashboard_rows(frame: pd.DataFrame, book_frame: pd.DataFrame, lang: Language,
                   plan_status: Mapping[str, Mapping[str, int]] | None = None) -> list[list[Any]]:
    """The Dashboard sheet as stacked titled tables (a blank row between them)."""
    zh = lang == "zh"
    f = frame
    billings = np.nan_to_num(book_frame["billings"].to_numpy(dtype=float))
    status = f["status"].to_numpy(dtype=object)
    tier = f["tier"].to_numpy(dtype=object)
    current = status == "current"
    out: list[list[Any]] = []

    def block(title: str, header: list[str], body: list[list[Any]]) -> None:
        if out:
            out.append([])
        out.append([title])
        out.append(header)
        out.extend(body)

    total = billings[current].sum()
    overview = [
        ["客户总数" if zh else "Clients", int(len(f))],
        ["现有客户" if zh else "Current", int(current.sum())],
        ["潜在客户" if zh else "Prospects", int((status == "prospect").sum())],
        ["流失客户" if zh else "Lost", int((status == "lost").sum())],
        ["年度投放额合计(万元)" if zh else "Billings total (10k yuan)", _wan(total)],
        ["逾期拜访" if zh else "Overdue visits", int((f["visit_status_code"] == "overdue").sum())],
        ["复盘标记客户" if zh else "Clients flagged in review", int((f["review_codes"] != "").sum())],
    ]
    block("概览" if zh else "Overview", ["指标" if zh else "Measure", "数值" if zh else "Value"], overview)

    tiers_body = []
    for t in ("A", "B", "C", "D"):
        mask = tier == t
        amount = billings[mask & current].sum()
        tiers_body.append([f"{t} {label(TIER_NAMES, t, lang)}", int(mask.sum()), _wan(amount),
                           round(100 * amount / total, 1) if total > 0 else None])
    block("客户等级" if zh else "Tiers",
          ["等级", "客户数", "投放额(万元)", "投放占比(%)"] if zh else ["Tier", "Clients", "Billings (10k yuan)", "Share (%)"],
          tiers_body)

    per_owner = []
    owners = sorted(set(f["owner"]) - {""}) + ([""] if (f["owner"] == "").any() else [])
    for o in owners:
        m = (f["owner"] == o).to_numpy()
        codes = f["visit_status_code"].to_numpy(dtype=object)[m]
        per_owner.append([o or ("（未指定）" if zh else "(none)"), int(m.sum()),
                          *[int((tier[m] == t).sum()) for t in ("A", "B", "C", "D")],
                          _wan(billings[m & current].sum()), int((codes == "overdue").sum()),
                          int((codes == "due_soon").sum()), int((f["review_codes"].to_numpy()[m] != "").sum())])
    block("按客户经理" if zh else "By account executive",
          (["客户经理", "客户数", "A", "B", "C", "D", "投放额(万元)", "逾期拜访", "即将到期", "复盘标记"] if zh else
           ["Owner", "Clients", "A", "B", "C", "D", "Billings (10k yuan)", "Overdue", "Due soon", "Flagged"]), per_owner)

    stage = f["stage"].to_numpy(dtype=object)
    like = f["likelihood"].to_numpy(dtype=float)
    pipe = []
    for s in STAGES:
        m = stage == s
        pipe.append([label(STAGE_NAMES, s, lang), int(m.sum()),
                     round(100 * float(np.nanmean(like[m])), 1) if m.any() and np.any(~np.isnan(like[m])) else None])
    block("潜在客户意向阶段" if zh else "Prospect pipeline",
          ["阶段", "客户数", "平均购买可能性(%)"] if zh else ["Stage", "Prospects", "Mean likelihood (%)"], pipe)

    quad = f["quadrant"].to_numpy(dtype=object)
    block("客户象限" if zh else "Quadrants", ["象限", "客户数", "建议"] if zh else ["Quadrant", "Clients", "Action"],
          [[quadrant_label(q, lang), int((quad == q).sum()), quadrant_action(q, lang)] for q in QUADRANTS])

    top = np.argsort(-np.where(current, billings, -1), kind="stable")[:10]
    visits = f["next_visit"].to_numpy(dtype="datetime64[D]")
    block("投放额前十客户" if zh else "Top 10 clients by billings",
          (["客户名称", "客户经理", "等级", "投放额(万元)", "下次拜访", "拜访状态"] if zh else
           ["Client", "Owner", "Tier", "Billings (10k yuan)", "Next visit", "Visit status"]),
          [[f["name"].iat[i], f["owner"].iat[i], tier[i], _wan(billings[i]),
            None if np.isnat(visits[i]) else visits[i].astype(object), f["visit_status"].iat[i]]
           for i in top if current[i]])

    if plan_status:
        body = [[o or ("（未指定）" if zh else "(none)"), c.get("planned", 0), c.get("done", 0), c.get("cancelled", 0)]
                for o, c in sorted(plan_status.items())]
        block("拜访计划执行" if zh else "Visit plan progress",
              ["客户经理", "计划", "已完成", "已取消"] if zh else ["Owner", "Planned", "Done", "Cancelled"], body)
    return out
