"""Client review (客户复盘, SPEC 4.6): flags per client, each with its reason.

* downgrade (降级): the tier fell from the previous tier (A/B/C -> lower, or to D).
* drop candidate (建议淘汰): gross profit per service hour among the lowest share of current
  clients (10% by default; in a book of n clients the floor(n x share) lowest, ties with
  the last one included, so a book of fewer than ten clients flags none this way), or a
  loss (gross profit <= 0 with service hours), or no order for 12 months.
* churn risk (流失风险): any risk flag set (经营困难, 竞品接触, 管理层变动, 付款逾期), or
  billings fallen by more than 20% against the previous period.
* data problems (数据问题): the row has entries in the Issues sheet.
* pinned (锁定等级): the tier is a manager's pinned tier (informational).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .labels import Language

FLAG_NAMES = {
    "downgrade": ("降级", "Downgrade"),
    "drop": ("建议淘汰", "Drop candidate"),
    "churn": ("流失风险", "Churn risk"),
    "data": ("数据问题", "Data problem"),
    "pinned": ("锁定等级", "Pinned tier"),
}
RISK_NAMES = {
    "risk_hardship": ("经营困难", "business difficulty"),
    "risk_competitor": ("竞品接触", "talking to competitors"),
    "risk_management": ("管理层变动", "management change"),
    "risk_overdue": ("付款逾期", "payment overdue"),
}
_TIER_RANK = {"A": 0, "B": 1, "C": 2, "D": 3}


@dataclass(frozen=True)
class ReviewInput:
    """Per-client arrays the review needs (NaN / "" where unknown)."""

    status: np.ndarray
    tier: np.ndarray
    previous_tier: np.ndarray
    pinned: np.ndarray
    gross_profit: np.ndarray
    service_hours: np.ndarray
    days_since_last_order: np.ndarray
    billings: np.ndarray
    billings_prev: np.ndarray
    risks: dict[str, np.ndarray]
    problem_count: np.ndarray


def _fmt_money(v: float, lang: Language) -> str:
    if lang == "zh" and abs(v) >= 1e4:
        return f"{v / 1e4:,.1f}万元"
    return f"{v:,.0f}元" if lang == "zh" else f"{v:,.0f} yuan"


def _join(parts: list[tuple[np.ndarray, object]], n: int, sep: str) -> np.ndarray:
    """Join per-flag texts into one string per row. Each part is (mask, text) where text is
    one string for every flagged row or an array with one string per flagged row."""
    out = np.full(n, "", dtype=object)
    for mask, text in parts:
        idx = np.flatnonzero(mask)
        if idx.size == 0:
            continue
        current = out[idx]
        out[idx] = np.where(current == "", text, current + sep + text)
    return out


def _texts(mask: np.ndarray, fmt, *columns: np.ndarray, distinct: bool = False) -> np.ndarray:
    """One formatted text per flagged row (only the flagged rows are formatted; with
    ``distinct``, a one-column text is formatted once per distinct value)."""
    idx = np.flatnonzero(mask)
    if distinct and len(columns) == 1 and idx.size > 16:
        codes, uniques = pd.factorize(columns[0][idx])
        return np.array([fmt(u) for u in uniques], dtype=object)[codes]
    return np.array([fmt(*(c[i] for c in columns)) for i in idx], dtype=object)


def _ranks(tiers: np.ndarray) -> np.ndarray:
    """A=0 … D=3 per row, NaN for anything else (each distinct code looked up once)."""
    if len(tiers) <= 16:  # a few rows (a single-cell call): plain Python
        return np.array([_TIER_RANK.get(t, np.nan) for t in tiers], dtype=float)
    codes, uniques = pd.factorize(np.asarray(tiers, dtype=object))
    lookup = np.array([_TIER_RANK.get(u, np.nan) for u in uniques] + [np.nan], dtype=float)
    return lookup[codes]


def profit_per_hour(gross_profit: np.ndarray, service_hours: np.ndarray) -> np.ndarray:
    """Gross profit per service hour (NaN without hours)."""
    gp = np.asarray(gross_profit, dtype=float)
    hours = np.asarray(service_hours, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(hours > 0, gp / hours, np.nan)


def drop_cutoff(per_hour: np.ndarray, share: float) -> float | None:
    """The profit per hour at or below which a client is in the lowest ``share``: the
    floor(n x share)-th lowest of the (current clients') values; None when that is 0."""
    pop = np.sort(np.asarray(per_hour, dtype=float)[~np.isnan(per_hour)])
    k = int(np.floor(len(pop) * share + 1e-9))
    return float(pop[k - 1]) if k > 0 else None


def review_flags(x: ReviewInput, *, drop_share: float = 0.10, no_order_days: int = 365,
                 billings_drop: float = 0.20, lang: Language = "zh",
                 cutoff: float | None | str = "book") -> tuple[np.ndarray, np.ndarray]:
    """(flag codes joined by ',', reasons text) per client; empty strings when nothing.

    ``cutoff``: the lowest-share profit per hour from the book's own current clients
    ("book", the default), or one computed on another population with :func:`drop_cutoff`
    (a UDF's population range), or None for no such cut-off."""
    n = len(x.status)
    zh = lang == "zh"
    codes: list[tuple[np.ndarray, object]] = []
    reasons: list[tuple[np.ndarray, object]] = []

    def add(mask: np.ndarray, code: str, texts: object) -> None:
        name = FLAG_NAMES[code][0 if zh else 1]
        prefix = f"{name}：" if zh else f"{name}: "
        codes.append((mask, code))
        reasons.append((mask, prefix + texts))

    status = np.asarray(x.status, dtype=object)
    current = status == "current"
    tier = np.asarray(x.tier, dtype=object)
    previous = np.asarray(x.previous_tier, dtype=object)

    # Downgrade
    tier_rank = _ranks(tier)
    prev_rank = _ranks(previous)
    down = tier_rank > prev_rank
    add(down, "downgrade", _texts(down, lambda p, t: f"{p} → {t}", previous, tier))

    # Drop candidates
    gp = np.asarray(x.gross_profit, dtype=float)
    hours = np.asarray(x.service_hours, dtype=float)
    per_hour = profit_per_hour(gp, hours)
    usable = current & ~np.isnan(per_hour)
    loss = usable & (gp <= 0)
    if isinstance(cutoff, str):
        cutoff = drop_cutoff(per_hour[usable], drop_share)
    if cutoff is not None:
        low = usable & (per_hour <= cutoff) & ~loss
        tail = (f" 元，处于最低 {drop_share:.0%}（≤ {cutoff:,.0f} 元）" if zh else
                f" in the lowest {drop_share:.0%} (≤ {cutoff:,.0f})")
        add(low, "drop", _texts(low, (lambda v: f"每工时毛利 {v:,.0f}{tail}") if zh else
                                (lambda v: f"gross profit per hour {v:,.0f}{tail}"), per_hour))
    add(loss, "drop", _texts(loss, (lambda g, h: f"毛利 {_fmt_money(g, lang)}，服务 {h:,.0f} 小时，亏本服务") if zh else
                             (lambda g, h: f"gross profit {_fmt_money(g, lang)} for {h:,.0f} hours: serving at a loss"),
                             gp, hours))
    days = np.asarray(x.days_since_last_order, dtype=float)
    stale = current & (days > no_order_days)
    add(stale, "drop", _texts(stale, (lambda d: f"已 {d:.0f} 天未合作") if zh else (lambda d: f"no order for {d:.0f} days"),
                              days))

    # Churn risk
    active = current | (status == "prospect")
    for field, (zh_name, en_name) in RISK_NAMES.items():
        flag = (np.asarray(x.risks.get(field, np.full(n, np.nan)), dtype=float) == 1.0) & active
        add(flag, "churn", zh_name if zh else en_name)
    bill = np.asarray(x.billings, dtype=float)
    prev = np.asarray(x.billings_prev, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(prev > 0, (bill - prev) / prev, np.nan)  # a billings cell not read is no fall
    falling = current & (change < -billings_drop)
    drop_pct = np.round(-change * 100)  # the text shows whole percents: format each one once
    add(falling, "churn", _texts(falling, (lambda c: f"投放额较上期下降 {c:.0f}%") if zh else
                                 (lambda c: f"billings down {c:.0f}% on the previous period"), drop_pct, distinct=True))

    # Data problems and pinned tiers
    count = np.asarray(x.problem_count, dtype=int)
    has = count > 0
    add(has, "data", _texts(has, (lambda c: f"{c} 项，见数据问题表") if zh else (lambda c: f"{c}, see the Issues sheet"),
                            count))
    pinned = np.asarray(x.pinned, dtype=bool)
    add(pinned, "pinned", _texts(pinned, (lambda t: f"经理指定为 {t}") if zh else (lambda t: f"set to {t} by a manager"),
                                 tier))

    return _join(codes, n, ","), _join(reasons, n, "；" if zh else "; ")
