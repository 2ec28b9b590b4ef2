"""Intent stage of prospects (意向阶段, SPEC 4.2) and its default win probability.

From hottest to coldest: 重要 committed (deposit paid), 主要 strong (at least two meetings and
strong intent), 准 qualified (first meeting held), 意向 interested (initial interest, has not
refused), 暂缓 on hold (not buying now), 拒绝 refused.

How a stage is derived from what the book knows:

1. A typed 暂缓 or 拒绝 is a decision the AE recorded and stands as typed (a paid deposit
   alongside it is reported as a conflict).
2. A paid deposit makes the prospect 重要, whatever else is typed.
3. Strong intent (typed 重要 or 主要) with at least two meetings, or with the meeting count
   unknown, is 主要 (a typed 重要 without a deposit recorded as paid stays 重要 only when
   the deposit column is blank or absent).
4. A meeting held (or a typed 准, or strong intent with fewer than two meetings) is 准.
5. Otherwise 意向.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .labels import STAGES
from .settings import Settings


def derive_stage(typed: np.ndarray, meetings: np.ndarray, deposit_paid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stage code per prospect; returns (stages, conflict mask for deposit vs decision).

    ``typed``: stage codes or "" (see :func:`xlclient.engine.book.stage_codes`);
    ``meetings``: counts (NaN unknown); ``deposit_paid``: 1.0 / 0.0 / NaN.
    """
    typed = np.asarray(typed, dtype=object)
    meetings = np.asarray(meetings, dtype=float)
    deposit = np.asarray(deposit_paid, dtype=float)
    paid = deposit == 1.0
    unknown_deposit = np.isnan(deposit)
    decided = (typed == "on_hold") | (typed == "refused")
    strong_intent = (typed == "committed") | (typed == "strong")
    enough_meetings = np.isnan(meetings) | (meetings >= 2)
    met = meetings >= 1

    stage = np.full(typed.shape, "interested", dtype=object)
    stage[met | (typed == "qualified") | strong_intent] = "qualified"
    stage[strong_intent & enough_meetings] = "strong"
    stage[(typed == "committed") & unknown_deposit & enough_meetings] = "committed"
    stage[paid] = "committed"
    stage[decided] = typed[decided]
    return stage, decided & paid


def stage_probability(stage: np.ndarray, settings: Settings) -> np.ndarray:
    """Default win probability of each stage code (NaN for "" = not a prospect)."""
    table = {s: settings.stage_probability(s) for s in STAGES}
    return pd.Series(np.asarray(stage, dtype=object)).map(table).to_numpy(dtype=float)
