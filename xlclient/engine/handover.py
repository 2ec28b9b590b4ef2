"""Client handover (交接客户, SPEC 6): move a departing AE's clients to colleagues, by
capacity, without touching the client table.

The moves are kept in an xlclient-owned Handover sheet (客户交接: 日期 | 客户编号 | 客户名称 |
等级 | 原客户经理 | 新客户经理 | 说明). Every run reads it back and applies it: a client listed
there is owned by its 新客户经理 in every result (classification, plans, dashboard) while
the client table still shows what staff typed; once the table is updated, the rows can be
deleted. The latest row for a client wins.

Capacity: each client needs ``30 / cadence`` visits a month (A every 14 days = 2.1, B 1,
C 0.3, prospects by stage; lost and refused none). Each AE can make ``daily_visits x 21``
visits a month. The departing AE's clients, heaviest first (then by ID), each go to the
receiver with the lowest load after taking it, relative to capacity; ties go to the name
first in sort order. The proposal is deterministic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .cadence import cadence_days, cadence_key
from .fields import normalise_header
from .labels import Language
from .parse import parse_text
from .problems import Problem
from .settings import Settings

HANDOVER_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("date", "日期", "Date"),
    ("client_id", "客户编号", "ClientID"),
    ("name", "客户名称", "Client"),
    ("tier", "等级", "Tier"),
    ("from_owner", "原客户经理", "From"),
    ("to_owner", "新客户经理", "To"),
    ("note", "说明", "Note"),
)
WORKING_DAYS_PER_MONTH = 21

MESSAGES: dict[str, tuple[str, str]] = {
    "handover_client": ("客户台账中没有此客户编号，此交接未生效", "no client with this ID in the client book; not applied"),
    "handover_owner": ("没有填新客户经理，此交接未生效", "no new owner given; not applied"),
}


class HandoverProblem(Problem):
    """A problem of a Handover-sheet row (messages of this module)."""

    def message(self, lang: Language = "zh") -> str:
        zh, en = MESSAGES.get(self.code, (self.code, self.code))
        return zh if lang == "zh" else en


@dataclass
class Handover:
    """The Handover sheet as read: its rows (kept as typed) and client ID -> new owner."""

    rows: list[list[Any]]
    owners: dict[str, str]
    problems: list[Problem]


def read_handover(rows: Sequence[Sequence[Any]], known_ids: set[str], *, sheet: str = "客户交接",
                  first_row: int = 0) -> Handover:
    """Read the Handover sheet (header row first, either language); rows naming an unknown
    client or no new owner are kept and reported, not applied."""
    if not rows:
        return Handover([], {}, [])
    names = {normalise_header(n): key for key, zh, en in HANDOVER_COLUMNS for n in (zh, en)}
    head = [names.get(normalise_header(h)) for h in rows[0]]
    col = {k: i for i, k in enumerate(head) if k}
    body = [list(r) for r in rows[1:]]
    kept: list[list[Any]] = []
    owners: dict[str, str] = {}
    problems: list[Problem] = []

    def cell(r: list[Any], key: str) -> Any:
        i = col.get(key)
        return r[i] if i is not None and i < len(r) else None

    ids = parse_text([cell(r, "client_id") for r in body])
    to = parse_text([cell(r, "to_owner") for r in body])
    for i, r in enumerate(body):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in r):
            continue
        width = len(HANDOVER_COLUMNS)
        kept.append([cell(r, k) for k, _, _ in HANDOVER_COLUMNS][:width])
        excel_row = first_row + i + 2
        if ids[i] not in known_ids:
            problems.append(HandoverProblem(sheet, excel_row, rows[0][col.get("client_id", 0)] if col else "客户编号",
                                            ids[i], "handover_client"))
        elif not to[i]:
            problems.append(HandoverProblem(sheet, excel_row, "新客户经理", None, "handover_owner"))
        else:
            owners[ids[i]] = to[i]
    return Handover(kept, owners, problems)


def apply_handover(frame: pd.DataFrame, owners: Mapping[str, str]) -> pd.DataFrame:
    """The client book frame with the handed-over clients' owners replaced (a copy)."""
    if not owners:
        return frame
    out = frame.copy()
    new = out["client_id"].map(owners)
    out["owner"] = new.where(new.notna(), out["owner"])
    return out


def monthly_visits(tier: np.ndarray, status: np.ndarray, stage: np.ndarray, settings: Settings) -> np.ndarray:
    """Visits a month each client needs by its cadence (0 for none)."""
    days = cadence_days(cadence_key(tier, status, stage), settings)
    return np.where(np.isnan(days), 0.0, 30.0 / np.where(np.isnan(days), 1.0, days))


def propose_handover(frame: pd.DataFrame, departing: str, receivers: Sequence[str], settings: Settings,
                     today: dt.date, lang: Language = "zh") -> list[list[Any]]:
    """Rows for the Handover sheet moving every client of ``departing`` to ``receivers``
    (every other AE when empty), balancing visits a month against capacity."""
    zh = lang == "zh"
    owners = frame["owner"].to_numpy(dtype=object)
    load = monthly_visits(frame["tier"].to_numpy(dtype=object), frame["status"].to_numpy(dtype=object),
                          frame["stage"].to_numpy(dtype=object), settings)
    others = sorted({o for o in owners if o and o != departing})
    receivers = sorted(set(receivers)) if receivers else others
    if not receivers:
        raise ValueError("没有可以接手的客户经理" if zh else "no other AE to take over")
    capacity = max(settings.daily_visits * WORKING_DAYS_PER_MONTH, 1)
    current = {r: float(load[owners == r].sum()) for r in receivers}
    mine = np.flatnonzero(owners == departing)
    order = sorted(mine, key=lambda i: (-load[i], str(frame["client_id"].iat[i])))
    out: list[list[Any]] = []
    for i in order:
        to = min(receivers, key=lambda r: ((current[r] + load[i]) / capacity, r))
        current[to] += load[i]
        share = current[to] / capacity
        note = (f"按产能分配：{to} 每月需拜访约 {current[to]:.1f} 次（产能 {capacity} 次，{share:.0%}）" if zh else
                f"by capacity: {to} now needs about {current[to]:.1f} visits a month (capacity {capacity}, {share:.0%})")
        out.append([today, frame["client_id"].iat[i], frame["name"].iat[i], frame["tier"].iat[i], departing, to, note])
    return out

