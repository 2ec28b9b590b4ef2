"""Client handover (交接客户, SPEC 6 and 8): move a departing AE's clients to colleagues, by
capacity, without touching the client table.

The moves are kept in an xlclient-owned Handover sheet (客户交接: 日期 | 客户编号 | 客户名称 |
等级 | 原客户经理 | 新客户经理 | 说明) and every later result applies them, while the client
table still shows what staff typed. Only a sheet xlclient wrote is read (its first row, from
A1, is this header in either language; the job reading the workbook decides that): a sheet
people made under that name is not input.

The rule: the latest fact about an owner wins. For each client (each row of the client
table; its 客户经理 there is the *table owner* T), the handover rows naming the client are
taken in date order (then sheet order, the order xlclient appended them):

* The row that last names T, as 原客户经理 or as 新客户经理, is where the table stands in
  the client's history; the rows before it are history and change nothing.
* If that row hands the client over *from* T, the table was not changed since: the row
  applies, and the client's owner becomes its 新客户经理.
* If it hands the client over *to* T, the table was updated to it: the row is done.
* After it, each row whose 原客户经理 is the owner at that point applies in turn (a chain:
  王芳 -> 李明, then 李明 -> 赵强); a row to the owner at that point is done; any other row
  does not apply and is reported (the owner it starts from is not the client's owner then).
* If no row names T, the table was changed to a third owner after the handovers: the
  table's change is the later fact and wins; the client's latest row is reported (a
  conflict naming the row, the client, the table's owner and the row's two owners).

So the owner shown is always T or the 新客户经理 of a chain of rows starting from T; an owner
shown, once typed into the table, changes nothing (the rows become done); and a new handover
of the owner shown (what ``reassign`` appends) always takes effect. Rows with no date, an
unknown client, or no 原 / 新客户经理 are reported and not applied.

Capacity: each client needs ``30 / cadence`` visits a month (A every 14 days = 2.1, B 1,
C 0.3, prospects by stage; lost and refused none). Each AE can make ``daily_visits x 21``
visits a month. The departing AE's clients, heaviest first (then by ID), each go to the
receiver with the lowest load after taking it, relative to capacity; ties go to the name
first in sort order. The proposal is deterministic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .cadence import cadence_days, cadence_key
from .fields import normalise_header
from .labels import Language
from .parse import parse_date, parse_text
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
    "handover_from": ("没有填原客户经理，此交接未生效", "no previous owner given; not applied"),
    "handover_date": ("交接日期为空或无法识别（应为日期，如 2026-03-01），无法确定先后，此交接未生效",
                      "the handover date is empty or not a date (e.g. 2026-03-01), so its order is unknown; "
                      "not applied"),
    "handover_conflict": (
        "客户 {client}：客户台账现在的客户经理是「{table}」，既不是此行的原客户经理「{from_owner}」，也不是新客户经理"
        "「{to_owner}」——台账在交接之后改过，以台账为准（「{table}」），此交接未生效。若应按此交接，请把台账改为"
        "「{to_owner}」；否则可删去此行",
        "client {client}: the client table now shows '{table}', neither this row's previous owner '{from_owner}' "
        "nor its new owner '{to_owner}': the table was changed after the handover and wins ('{table}'); this "
        "handover is not applied. If it should apply, change the table to '{to_owner}'; otherwise delete this row"),
    "handover_stale": (
        "客户 {client}：按客户台账（「{table}」）和此前的交接，此时的客户经理是「{owner}」，不是此行的原客户经理"
        "「{from_owner}」，此交接（→「{to_owner}」）未生效，客户仍归「{owner}」。请核对台账和此表",
        "client {client}: by the client table ('{table}') and the earlier handovers the owner at this point is "
        "'{owner}', not this row's previous owner '{from_owner}'; this handover (to '{to_owner}') is not applied "
        "and the client stays with '{owner}'. Please check the table and this sheet"),
    "handover_foreign": (
        "「{sheet}」表不是 xlclient 生成的（第一行不是「{header_zh}」），其中的内容不作为交接读取，未生效；"
        "交接客户请用「交接客户」按钮或 xlclient reassign，并把这张表改名",
        "the sheet '{sheet}' was not written by xlclient (its first row is not '{header_en}'), so nothing in it is "
        "read as a handover; use the Reassign button or xlclient reassign to hand clients over, and rename "
        "this sheet"),
}


class HandoverProblem(Problem):
    """A problem of a Handover-sheet row (messages of this module)."""

    def message(self, lang: Language = "zh") -> str:
        zh, en = MESSAGES.get(self.code, (self.code, self.code))
        template = zh if lang == "zh" else en
        params = dict(self.params)
        if params.get("table") == "":  # a blank owner cell in the client table
            params["table"] = "（空白）" if lang == "zh" else "(blank)"
        try:
            return template.format(**params)
        except (KeyError, IndexError):
            return template


@dataclass(frozen=True)
class Move:
    """One readable row of the Handover sheet: client ``client_id`` moved from
    ``from_owner`` to ``to_owner`` on ``date`` (``row``: the Excel row)."""

    row: int
    date: dt.date
    client_id: str
    from_owner: str
    to_owner: str


@dataclass
class Handover:
    """The Handover sheet as read: its rows (kept as typed), the moves that can be
    applied (by client ID, in date then sheet order), and the problems of the rows."""

    rows: list[list[Any]]
    moves: dict[str, list[Move]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    sheet: str = "客户交接"
    headers: dict[str, str] = field(default_factory=dict)  # key -> the header as typed
    foreign: bool = False  # a sheet of that name xlclient did not write: not read
    applied: dict[str, tuple[Move, ...]] = field(default_factory=dict)  # client ID -> the rows that applied
    table_owners: Any = None  # the owners as the client table shows them (set by apply_handover)

    def latest_date(self) -> dt.date | None:
        """The date of the latest readable row (None without one)."""
        return max((m.date for ms in self.moves.values() for m in ms), default=None)


def read_handover(rows: Sequence[Sequence[Any]], known_ids: set[str], *, sheet: str = "客户交接",
                  first_row: int = 0, date1904: bool = False) -> Handover:
    """Read the Handover sheet (header row first, either language); rows with no date, an
    unknown client, or no previous or new owner are kept and reported, not applied."""
    if not rows:
        return Handover([], sheet=sheet)
    names = {normalise_header(n): key for key, zh, en in HANDOVER_COLUMNS for n in (zh, en)}
    head = [names.get(normalise_header(h)) for h in rows[0]]
    col: dict[str, int] = {}
    for i, k in enumerate(head):
        if k:
            col.setdefault(k, i)
    headers = {k: (str(rows[0][col[k]]).strip() if k in col else zh) for k, zh, _ in HANDOVER_COLUMNS}
    body = [list(r) for r in rows[1:]]
    kept: list[list[Any]] = []
    moves: dict[str, list[Move]] = {}
    problems: list[Problem] = []

    def cell(r: list[Any], key: str) -> Any:
        i = col.get(key)
        return r[i] if i is not None and i < len(r) else None

    ids = parse_text([cell(r, "client_id") for r in body])
    frm = parse_text([cell(r, "from_owner") for r in body])
    to = parse_text([cell(r, "to_owner") for r in body])
    dates = parse_date([cell(r, "date") for r in body], date1904)
    for i, r in enumerate(body):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in r):
            continue
        kept.append([cell(r, k) for k, _, _ in HANDOVER_COLUMNS])
        excel_row = first_row + i + 2
        day = dates.values[i]
        if ids[i] not in known_ids:
            problems.append(HandoverProblem(sheet, excel_row, headers["client_id"], ids[i] or None, "handover_client"))
        elif not to[i]:
            problems.append(HandoverProblem(sheet, excel_row, headers["to_owner"], None, "handover_owner"))
        elif not frm[i]:
            problems.append(HandoverProblem(sheet, excel_row, headers["from_owner"], None, "handover_from"))
        elif np.isnat(day):
            problems.append(HandoverProblem(sheet, excel_row, headers["date"], cell(r, "date"), "handover_date"))
        else:
            moves.setdefault(ids[i], []).append(Move(excel_row, day.astype(dt.date), ids[i], frm[i], to[i]))
    for rows_of_client in moves.values():
        rows_of_client.sort(key=lambda m: (m.date, m.row))
    return Handover(kept, moves, problems, sheet, headers)


@dataclass(frozen=True)
class Settled:
    """One client's owner after its handover rows (module docstring): the owner, the rows
    that applied (a chain from the table's owner), and the rows reported with why
    (``"conflict"`` or ``"stale"``) and the owner in effect there."""

    owner: str
    applied: tuple[Move, ...]
    reported: tuple[tuple[Move, str, str], ...]


def owner_after(table_owner: str, moves: Sequence[Move]) -> Settled:
    """The rule of the module docstring for one client: ``moves`` in date then sheet order."""
    last = max((i for i, m in enumerate(moves) if table_owner in (m.from_owner, m.to_owner)), default=None)
    if last is None:  # the table names an owner no handover knows: the table changed since, and wins
        return Settled(table_owner, (), ((moves[-1], "conflict", table_owner),) if moves else ())
    owner = table_owner
    applied: list[Move] = []
    reported: list[tuple[Move, str, str]] = []
    for m in moves[last:]:
        if m.from_owner == owner:
            if m.to_owner != owner:
                applied.append(m)
            owner = m.to_owner
        elif m.to_owner != owner:  # neither from nor to the owner at this point
            reported.append((m, "stale", owner))
    return Settled(owner, tuple(applied), tuple(reported))


def apply_handover(frame: pd.DataFrame, handover: Handover) -> tuple[pd.DataFrame, list[Problem]]:
    """The client book frame with each client's owner settled by the Handover sheet's rows
    (a copy when anything changed), and the rows reported (each once). The rows that
    applied are noted in ``handover.applied``."""
    handover.table_owners = frame["owner"].copy()
    if not handover.moves or not len(frame):
        return frame, []
    ids = frame["client_id"].to_numpy(dtype=object)
    table = frame["owner"].to_numpy(dtype=object)
    owners = table.copy()
    problems: dict[tuple[int, str], Problem] = {}
    for i in np.flatnonzero(pd.Series(ids).isin(list(handover.moves)).to_numpy()):
        t = table[i] if isinstance(table[i], str) else ""
        settled = owner_after(t, handover.moves[ids[i]])
        owners[i] = settled.owner
        if settled.applied:
            handover.applied[ids[i]] = tuple(dict.fromkeys(handover.applied.get(ids[i], ()) + settled.applied))
        for m, why, at in settled.reported:
            params = {"client": m.client_id, "table": t, "owner": at, "from_owner": m.from_owner,
                      "to_owner": m.to_owner}
            problems.setdefault((m.row, t), HandoverProblem(handover.sheet, m.row, handover.headers["from_owner"],
                                                            m.from_owner, f"handover_{why}", params))
    if (owners == table).all():
        return frame, list(problems.values())
    out = frame.copy()
    out["owner"] = pd.Series(owners, index=out.index, dtype=frame["owner"].dtype)
    return out, list(problems.values())


def foreign_sheet_problem(sheet: str) -> Problem:
    """The one problem of a sheet named 客户交接 / Handover that xlclient did not write."""
    return HandoverProblem(sheet, None, "", None, "handover_foreign", {
        "sheet": sheet, "header_zh": " | ".join(zh for _, zh, _ in HANDOVER_COLUMNS),
        "header_en": " | ".join(en for _, _, en in HANDOVER_COLUMNS)})


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

