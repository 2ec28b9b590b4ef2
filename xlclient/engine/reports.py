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


