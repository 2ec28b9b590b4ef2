"""Vouch or leave empty (SPEC 2): which of a client's results may be written, from which of
its inputs were read.

A person who cannot read a cell does not guess what it said, and neither does xlclient. A
cell is *unreadable* when it holds something that was not read: an Excel error value, a
formula saved without its result, a text that is not what the column holds (``约五十左右万``
in an amount, ``下周`` in a date), an amount in a unit that conflicts with its column's, a
date after today, a word that is not a status or a stage, a pinned tier that is not A-D. A
blank cell is not unreadable: it says there is nothing (no meetings, never visited).

Each result rests on these inputs, by kind of client (a lost client has none of them):

=============  ==========================================  =====================================
result         current client                              prospect
=============  ==========================================  =====================================
tier           status, the tier metric, pinned and         status, pinned tier
               previous tier (see engine/tier.py for the
               whole book's amounts)
quadrant       the tier's inputs, need                     status, need, potential
stage          --                                          status, stage, meetings, deposit paid
RFM            status, last order, orders, billings        --
likelihood     status, first and last order, orders        the stage's inputs, last visit
next visit     the tier's inputs, last visit               the stage's inputs, last visit
review         the tier's inputs, billings, last period's  the stage's inputs and risk flags
               billings, gross profit, service hours,
               last order, risk flags
=============  ==========================================  =====================================

A result whose input was unreadable is left empty; the unreadable cell is already a problem
on the client's row, which is the reason. A status that could not be read (or was never
given and cannot be told from billings) leaves every result of the client empty. Some
results also need an input to be *present*: a quadrant needs a need score (and a
prospect's potential), RFM needs the three of R, F and M; those blanks are said once per
field as a problem of the table (:func:`blank_inputs`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .fields import RISK_FIELDS
from .problems import UNREADABLE_CODES, Problem

RESULTS = ("tier", "quadrant", "stage", "rfm", "likelihood", "next_visit", "review")

_STAGE_INPUTS = ("stage", "meetings", "deposit_paid")
_TIER_INPUTS = ("tier_override", "previous_tier")


def _needs(metric: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """result -> status -> the fields it rests on (the table of the module docstring)."""
    tier = (metric, *_TIER_INPUTS)
    return {
        "tier": {"current": tier, "prospect": ("tier_override",)},
        "quadrant": {"current": (*tier, "need"), "prospect": ("tier_override", "need", "potential")},
        "stage": {"prospect": _STAGE_INPUTS},
        "rfm": {"current": ("last_order", "orders", "billings")},
        "likelihood": {"current": ("first_order", "last_order", "orders"), "prospect": (*_STAGE_INPUTS, "last_visit")},
        "next_visit": {"current": (*tier, "last_visit"), "prospect": ("tier_override", *_STAGE_INPUTS, "last_visit")},
        "review": {"current": (*tier, "billings", "billings_prev", "gross_profit", "service_hours", "last_order",
                               *RISK_FIELDS),
                   "prospect": ("tier_override", *_STAGE_INPUTS, *RISK_FIELDS)},
    }


#: Inputs that must be present (not blank) for a result, by kind of client; a blank one is
#: said once per field as a problem of the table.
PRESENT: dict[str, dict[str, tuple[str, ...]]] = {
    "quadrant": {"current": ("need",), "prospect": ("need", "potential")},
    "rfm": {"current": ("last_order", "orders", "billings")},
}


def unreadable_cells(rows: np.ndarray, columns: Mapping[str, object], problems: Sequence[Problem],
                     codes: frozenset[str] | None = UNREADABLE_CODES) -> dict[str, np.ndarray]:
    """field -> one flag per client row: its cell in that field held something that was not
    read (a problem with an unreadable code on that row and column; any code when ``codes``
    is None: the cells already reported)."""
    header_field = {getattr(m, "header"): f for f, m in columns.items()}
    hit: dict[str, set[int]] = {}
    for p in problems:
        if p.row is None or codes is not None and p.code not in codes:
            continue
        f = header_field.get(p.column)
        if f is not None:
            hit.setdefault(f, set()).add(p.row)
    if "potential" in hit:  # read as a score or as money, one column either way
        hit["potential_score"] = hit["potential_money"] = hit["potential"]
    rows = np.asarray(rows)
    return {f: np.isin(rows, np.fromiter(r, dtype=rows.dtype if rows.size else np.int64, count=len(r)))
            for f, r in hit.items()}


def withheld(status: np.ndarray, unread: Mapping[str, np.ndarray], metric: str) -> dict[str, np.ndarray]:
    """result -> one flag per client: leave it empty, because an input it rests on was not
    read (the table of the module docstring)."""
    status = np.asarray(status, dtype=object)
    n = status.size
    none = np.zeros(n, dtype=bool)
    unknown = ~np.isin(status, ("current", "prospect", "lost"))
    out = {}
    for result, by_status in _needs(metric).items():
        mask = unknown.copy()
        for kind, inputs in by_status.items():
            bad = none.copy()
            for f in inputs:
                bad |= unread.get(f, none)
            mask |= (status == kind) & bad
        out[result] = mask
    return out


#: How the messages name the results of :data:`PRESENT` (zh, en).
RESULT_NAMES = {"quadrant": ("象限", "quadrant"), "rfm": ("RFM", "RFM")}


def blank_inputs(frame: pd.DataFrame, said: Mapping[str, np.ndarray],
                 potential_kind: str | None) -> dict[str, dict[str, np.ndarray]]:
    """result -> field -> one flag per client: the field is blank for a client whose result
    needs it present (:data:`PRESENT`), and its cell was not reported already (``said``: a
    cell not read, 待定 ...: the cell's own problem is the reason). A field the table has no
    column for is blank for every such client."""
    status = frame["status"].to_numpy(dtype=object)
    out: dict[str, dict[str, np.ndarray]] = {}
    for result, by_status in PRESENT.items():
        per_field: dict[str, np.ndarray] = {}
        for kind, inputs in by_status.items():
            for f in inputs:
                values = _values(frame, f, potential_kind)
                blank = pd.isna(values) & ~said.get(f, np.zeros(len(frame), dtype=bool))
                per_field[f] = per_field.get(f, np.zeros(len(frame), dtype=bool)) | ((status == kind) & blank)
        out[result] = per_field
    return out


def _values(frame: pd.DataFrame, f: str, potential_kind: str | None) -> np.ndarray:
    if f == "potential":
        col = "potential_money" if potential_kind == "money" else "potential_score"
        return frame[col].to_numpy(dtype=float)
    return frame[f].to_numpy()
