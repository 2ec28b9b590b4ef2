"""Client quadrants (客户象限, SPEC 4.3): value high/low x need high/low x current/potential.

Q1-Q4 are current clients, Q5-Q8 prospects (潜在):

    Q1 高价值/高需求   Q2 高价值/低需求   Q3 低价值/高需求   Q4 低价值/低需求
    Q5 潜在高价值/高需求 ... Q8 潜在低价值/低需求

Value is high for current clients of tier A or B, and for prospects with a potential score
of at least 4 (Settings) or, when potential is a budget, at least the median budget of the
book's prospects. Need is high for a need score of at least 3 of 5; an unknown need counts
as low. Lost clients have no quadrant.
"""

from __future__ import annotations

import numpy as np

from .labels import QUADRANT_ACTIONS, QUADRANTS, Language, label


def quadrant_codes(status: np.ndarray, tier: np.ndarray, need: np.ndarray, potential_score: np.ndarray,
                   potential_money: np.ndarray, *, potential_high: float = 4.0, need_high: float = 3.0,
                   budget_median: float | None = None) -> np.ndarray:
    """Quadrant code Q1..Q8 per client ("" for lost clients).

    ``budget_median`` is the median potential budget of the population; computed from the
    prospects given when None.
    """
    status = np.asarray(status, dtype=object)
    tier = np.asarray(tier, dtype=object)
    need = np.asarray(need, dtype=float)
    score = np.asarray(potential_score, dtype=float)
    money = np.asarray(potential_money, dtype=float)
    prospect = status == "prospect"
    current = status == "current"
    if budget_median is None:
        budgets = money[prospect & ~np.isnan(money)]
        budget_median = float(np.median(budgets)) if budgets.size else np.inf
    high_value = np.where(current, np.isin(tier, ("A", "B")), (score >= potential_high) | (money >= budget_median))
    high_need = need >= need_high
    index = np.where(high_value, 0, 2) + np.where(high_need, 0, 1) + np.where(prospect, 4, 0)
    codes = np.array([f"Q{i + 1}" for i in range(8)], dtype=object)[index]
    return np.where(current | prospect, codes, "").astype(object)


def quadrant_label(code: str, lang: Language = "zh") -> str:
    """``Q1 高价值/高需求`` style text for a code ("" stays "")."""
    return f"{code} {label(QUADRANTS, code, lang)}" if code else ""


def quadrant_action(code: str, lang: Language = "zh") -> str:
    """The one-line recommended action of a quadrant."""
    return label(QUADRANT_ACTIONS, code, lang) if code else ""
