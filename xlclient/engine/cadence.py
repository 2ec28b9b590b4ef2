"""Visit cadence (SPEC 4.5): when each client is next due, and whether it is overdue.

The cadence comes from the tier (A 14 days, B 30, C 90) or, for prospects, the intent
stage (重要 7, 主要 14, 准 21, 意向 30, 暂缓 90); refused prospects and lost clients have none,
and a current client without billings (tier D) is kept on the C cadence. The next visit is
the last visit plus the cadence, moved to the next working day of the Chinese calendar; a
client never visited is due on the first working day from today. The visit status is
正常 (on track), 即将到期 (due within 7 days, Settings) or 逾期 N 天 (N calendar days past).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calendar import WorkingCalendar
from .labels import VISIT_STATUS, Language, label
from .settings import Settings


def cadence_key(tier: np.ndarray, status: np.ndarray, stage: np.ndarray) -> np.ndarray:
    """Which cadence applies: "A"/"B"/"C", a stage code, or "" for none.

    Lost clients and refused prospects have none, whatever tier a manager pinned on them:
    a pinned tier is the client's tier, not a call to visit (the planner plans neither,
    so the classification must not call them due)."""
    tier = np.asarray(tier, dtype=object)
    status = np.asarray(status, dtype=object)
    stage = np.asarray(stage, dtype=object)
    key = np.full(tier.shape, "", dtype=object)
    abc = np.isin(tier, ("A", "B", "C"))
    key[abc] = tier[abc]
    prospect = (status == "prospect") & ~abc
    key[prospect] = stage[prospect]
    key[(status == "current") & (tier == "D")] = "C"
    key[(status == "lost") | ((status == "prospect") & (stage == "refused"))] = ""
    return key


def cadence_days(key: np.ndarray, settings: Settings) -> np.ndarray:
    """Days between visits for each cadence key (NaN for "")."""
    table = {k: settings.cadence(k) for k in ("A", "B", "C", "committed", "strong", "qualified", "interested",
                                              "on_hold")}
    return pd.Series(np.asarray(key, dtype=object)).map(table).to_numpy(dtype=float)


def next_visit(last_visit: np.ndarray, days: np.ndarray, today: np.datetime64,
               calendar: WorkingCalendar) -> np.ndarray:
    """Due date per client: last visit + cadence moved to a working day; never visited ->
    the first working day from today; no cadence -> NaT."""
    last = np.asarray(last_visit, dtype="datetime64[D]")
    days = np.asarray(days, dtype=float)
    has = ~np.isnan(days)
    due = np.full(last.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    visited = has & ~np.isnat(last)
    due[visited] = last[visited] + days[visited].astype("int64")
    due[has & np.isnat(last)] = today
    inside = calendar.covers_array(due)
    due[inside] = calendar.next_workday_array(due[inside])
    return due


def visit_status(due: np.ndarray, last_visit: np.ndarray, today: np.datetime64, due_soon_days: int,
                 lang: Language = "zh") -> tuple[np.ndarray, np.ndarray]:
    """(status code, display text) per client; code is ok / due_soon / overdue / no_visit / ""."""
    due = np.asarray(due, dtype="datetime64[D]")
    last = np.asarray(last_visit, dtype="datetime64[D]")
    ahead = (due - today).astype("timedelta64[D]").astype(float)
    ahead[np.isnat(due)] = np.nan
    code = np.full(due.shape, "", dtype=object)
    code[ahead > due_soon_days] = "ok"
    code[(ahead >= 0) & (ahead <= due_soon_days)] = "due_soon"
    code[ahead < 0] = "overdue"
    code[~np.isnat(due) & np.isnat(last)] = "no_visit"
    text = np.full(due.shape, "", dtype=object)
    for c in ("ok", "due_soon", "no_visit"):
        text[code == c] = label(VISIT_STATUS, c, lang)
    over = code == "overdue"
    if over.any():
        before, after = VISIT_STATUS["overdue"][lang].split("{days}")
        days = pd.Series((-ahead[over]).astype(np.int64)).astype(str).to_numpy(dtype=object)
        text[over] = before + days + after
    return code, text
