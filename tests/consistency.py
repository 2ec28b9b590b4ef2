"""A consistency checker over the sheets xlclient writes (issue 26).

"A manager who finds one figure on 看板 that disagrees with the plan stops trusting all of
them."  :func:`check_workbook` opens a workbook as it was written (openpyxl,
``data_only=True``: the cached values xlclient wrote, what a colleague without Python
sees), parses the owned sheets -- 分级结果/Classification, 拜访计划/VisitPlan, the
unscheduled list (未安排/Unscheduled, or the block under the plan), 看板/Dashboard,
客户复盘/Review, 运行日志/Log, 客户交接/Handover -- and recomputes every cross-sheet
invariant from them alone.  It returns one human-readable line per disagreement, each
starting with the invariant's name in brackets:

* ``[visits per AE]``   看板's planned / done visits per AE = the 拜访/开发 rows of the plan;
* ``[tiers]``           看板's clients per tier (overall and per AE) and 客户复盘's tiers =
                        分级结果's 等级 column;
* ``[owners]``          分级结果, the plan's new rows, the unscheduled list, 看板's AE list
                        and 客户复盘 name the same owner; a departing AE (客户交接) keeps
                        only the plan rows people kept;
* ``[due means due]``   every client 分级结果 shows overdue / never visited, with an owner,
                        has a 拜访/开发 row (计划 or 已完成) or an unscheduled row with a reason;
* ``[counts agree]``    the last Log line that wrote the plan, and the header's pointer to
                        the unscheduled work, count what the sheets hold;
* ``[not stale]``       看板 and 客户复盘 describe the clients of 分级结果 (totals, per-AE
                        overdue / due soon / flagged, the flagged set, the top clients), or
                        carry a visible line saying they are out of date;
* ``[never zeros]``     a 看板 figure that cannot be known (quadrants without a need score,
                        money without its column) is blank with a note, never 0.

People edit the plan between runs (状态, 锁定, 备注, deleting rows).  Such edits cannot
update a snapshot written earlier (看板, the Log line), so ``edits_since`` names the
snapshots people's edits may have overtaken; for those the comparison becomes the
inequality an edit can produce (a planned visit may become done, cancelled or deleted,
never the other way round), and "due means due" is not asked of a plan people changed
since it was made.

Only :func:`client_columns` reads the client table, and only to learn which input columns
exist (for "never zeros"); every other figure comes from the owned sheets.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl

__all__ = ["check_workbook", "Sheets", "load_sheets", "unscheduled_rows", "INVARIANTS", "STALE_WORDS"]

# ----------------------------------------------------------------------------- vocabulary

#: Owned sheets by role: every name they are written under (zh, en).
SHEET_NAMES: dict[str, tuple[str, ...]] = {
    "classification": ("分级结果", "Classification"),
    "plan": ("拜访计划", "VisitPlan"),
    "unscheduled": ("未安排", "Unscheduled"),
    "dashboard": ("看板", "Dashboard"),
    "review": ("客户复盘", "Review"),
    "issues": ("数据问题", "Issues"),
    "log": ("运行日志", "Log"),
    "handover": ("客户交接", "Handover"),
}

#: Header words of the owned tables -> field.
CLASSIFICATION_HEADERS = {
    "客户编号": "client_id", "ClientID": "client_id", "客户名称": "name", "Client": "name",
    "客户经理": "owner", "Owner": "owner", "等级": "tier", "Tier": "tier", "象限": "quadrant",
    "Quadrant": "quadrant", "意向阶段": "stage", "Stage": "stage", "拜访状态": "visit_status",
    "VisitStatus": "visit_status", "复盘": "review", "Review": "review", "下次拜访": "next_visit",
    "NextVisit": "next_visit",
}
PLAN_HEADERS = {
    "日期": "date", "Date": "date", "客户经理": "owner", "Owner": "owner", "客户编号": "client_id",
    "ClientID": "client_id", "客户名称": "name", "Client": "name", "等级": "tier", "Tier": "tier",
    "类型": "type", "Type": "type", "原因": "reason", "Reason": "reason", "状态": "status",
    "Status": "status", "备注": "notes", "Notes": "notes", "锁定": "locked", "Locked": "locked",
}
UNSCHEDULED_HEADERS = {
    "客户经理": "owner", "Owner": "owner", "客户编号": "client_id", "ClientID": "client_id",
    "客户名称": "name", "Client": "name", "等级": "tier", "Tier": "tier", "类型": "type", "Type": "type",
    "应拜访日期": "due", "应安排日期": "due", "Due": "due", "原因": "reason", "Reason": "reason",
}
REVIEW_HEADERS = {
    "客户编号": "client_id", "ClientID": "client_id", "客户名称": "name", "Client": "name",
    "客户经理": "owner", "Owner": "owner", "等级": "tier", "Tier": "tier", "象限": "quadrant",
    "Quadrant": "quadrant", "标记": "flags", "Flags": "flags",
}
HANDOVER_HEADERS = {
    "客户编号": "client_id", "ClientID": "client_id", "客户名称": "name", "Client": "name",
    "原客户经理": "from_owner", "From": "from_owner", "新客户经理": "to_owner", "To": "to_owner",
}
LOG_HEADERS = {"时间": "when", "Time": "when", "When": "when", "用户": "who", "User": "who", "Who": "who",
               "操作": "what", "Action": "what", "What": "what", "结果": "result", "Result": "result"}

#: Plan words (类型 / 状态) -> code.
TYPE_WORDS = {"拜访": "visit", "Visit": "visit", "开发": "development", "Development": "development",
              "电话": "call", "Call": "call", "节日问候": "greeting", "Festival greeting": "greeting"}
VISIT_TYPES = frozenset({"visit", "development"})
STATUS_WORDS = {"计划": "planned", "Planned": "planned", "已完成": "done", "Done": "done",
                "已取消": "cancelled", "Cancelled": "cancelled"}
LOCKED_WORDS = frozenset({"是", "y", "yes", "true", "1", "✓", "√", "x", "锁定", "locked"})

#: The unscheduled block's title under the plan.
UNSCHEDULED_TITLES = frozenset({"未安排的工作", "Unscheduled"})

#: Log actions that (re)write the plan, and the words of a plan run that wrote none.
PLAN_WRITERS = frozenset({"生成拜访计划", "Visit plan", "交接客户", "Reassign"})
NO_PLAN_MADE = ("未生成拜访计划", "no visit plan made")
PLAN_COUNTS = (
    re.compile(r"新排 (\d+) 项（拜访 (\d+)、开发 (\d+)、问候 (\d+)、电话 (\d+)），保留 (\d+)，未安排 (\d+)"),
    re.compile(r"planned (\d+) \(visits (\d+), development (\d+), greetings (\d+), calls (\d+)\), "
               r"kept (\d+), unscheduled (\d+)"),
)
DATE_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*[–-]\s*(\d{4}-\d{2}-\d{2})")
POINTER = re.compile(r"(?:第\s*(\d+)\s*行起|from row (\d+))")
POINTER_COUNT = re.compile(r"(?:未安排的工作\s*(\d+)\s*项|Unscheduled:\s*(\d+))")

#: Visit status words of 分级结果.
OVERDUE = re.compile(r"^(逾期|Overdue)")
NEVER_VISITED = frozenset({"从未拜访", "Never visited"})
DUE_SOON = frozenset({"即将到期", "Due soon"})
LOST_WORDS = ("已流失", "Lost")
PINNED_WORDS = ("锁定等级", "Pinned tier")

#: Words of a line saying a report sheet is out of date (any text cell of its first rows).
STALE_WORDS = ("过期", "已过时", "不是最新", "未更新", "已不是", "请重新生成", "需重新生成", "out of date",
               "outdated", "stale", "no longer current", "regenerate")
STALE_ROWS = 4

#: 看板 section titles -> role.
DASH_TITLES = {
    "概览": "overview", "Overview": "overview", "客户等级": "tiers", "Tiers": "tiers",
    "按客户经理": "owners", "By account executive": "owners", "潜在客户意向阶段": "pipeline",
    "Prospect pipeline": "pipeline", "客户象限": "quadrants", "Quadrants": "quadrants",
    "投放额前十客户": "top", "Top 10 clients by billings": "top",
    "客户盈利曲线（鲸鱼曲线）": "whale", "Whale curve (cumulative gross profit)": "whale",
    "分层损益：按等级（现有客户）": "pnl_tier", "Segment P&L by tier (current clients)": "pnl_tier",
    "分层损益：按行业（现有客户）": "pnl_industry", "Segment P&L by industry (current clients)": "pnl_industry",
}
NO_OWNER_WORDS = frozenset({"（未指定）", "(none)", "（未指定客户经理）", "(no owner)"})
STAGE_WORDS = {"重要": "committed", "Committed": "committed", "主要": "strong", "Strong": "strong",
               "准": "qualified", "Qualified": "qualified", "意向": "interested", "Interested": "interested",
               "暂缓": "on_hold", "On hold": "on_hold", "拒绝": "refused", "Refused": "refused"}


# ----------------------------------------------------------------------------- reading


def text(v: Any) -> str:
    """A cell as the text a person reads (None -> "")."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def number(v: Any) -> float | None:
    """A numeric cell, else None."""
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def find_sheet(wb: openpyxl.Workbook, role: str):
    """The worksheet of an owned role under any of its names, else None."""
    for name in SHEET_NAMES[role]:
        if name in wb.sheetnames:
            return wb[name]
    return None


def sheet_rows(ws) -> list[list[Any]]:
    """Every row of a sheet as a list of values (1-based Excel row i is index i-1)."""
    return [list(r) for r in ws.iter_rows(values_only=True)] if ws is not None else []


def _blank(row: Iterable[Any]) -> bool:
    return all(text(v) == "" for v in row)


def table_at(rows: list[list[Any]], header_index: int, words: dict[str, str]) -> list[dict[str, Any]]:
    """The table whose header is rows[header_index], read down to the first blank row:
    one dict per row (fields by header word, plus ``row``: the Excel row)."""
    head = [words.get(text(h)) for h in rows[header_index]]
    out = []
    for i in range(header_index + 1, len(rows)):
        row = rows[i]
        cells = [row[j] if j < len(row) else None for j, f in enumerate(head) if f]
        if _blank(cells):
            break
        rec: dict[str, Any] = {"row": i + 1}
        for j, f in enumerate(head):
            if f and f not in rec:
                rec[f] = row[j] if j < len(row) else None
        out.append(rec)
    return out


def key_of(rec: dict[str, Any]) -> tuple[str, str]:
    """A client's key across sheets: (客户编号, 客户名称) (IDs may repeat in a book)."""
    return text(rec.get("client_id")), text(rec.get("name"))


def says_out_of_date(rows: list[list[Any]]) -> str:
    """The text of a visible line in the first rows saying the sheet is out of date, or ""."""
    for row in rows[:STALE_ROWS]:
        for v in row:
            t = text(v)
            if any(w.lower() in t.lower() for w in STALE_WORDS):
                return t
    return ""


@dataclass
class Section:
    """One titled table of 看板: its notes (single-text lines under the title), header and body."""

    title: str
    notes: list[str]
    header: list[str]
    body: list[list[Any]]

    def column(self, *words: str) -> int | None:
        """The index of the first header containing any of ``words``."""
        for j, h in enumerate(self.header):
            if any(w in h for w in words):
                return j
        return None


def dashboard_sections(rows: list[list[Any]]) -> dict[str, Section]:
    """看板 parsed into its sections by role (see :data:`DASH_TITLES`)."""
    out: dict[str, Section] = {}
    i = 0
    while i < len(rows):
        t = text(rows[i][0]) if rows[i] else ""
        role = DASH_TITLES.get(t)
        if role is None or not _blank(rows[i][1:]):
            i += 1
            continue
        i += 1
        notes = []
        while i < len(rows) and not _blank(rows[i]) and _blank(rows[i][1:]):
            notes.append(text(rows[i][0]))
            i += 1
        header = [text(v) for v in rows[i]] if i < len(rows) else []
        i += 1
        body = []
        while i < len(rows) and not _blank(rows[i]):
            body.append(list(rows[i]))
            i += 1
        out[role] = Section(t, notes, header, body)
    return out


def unscheduled_rows(wb: openpyxl.Workbook) -> list[dict[str, Any]] | None:
    """The unscheduled work: from its own sheet (未安排/Unscheduled, header in row 1) when
    the book has one, else from the block titled 未安排的工作/Unscheduled under the plan
    (its header the row after the title).  None when neither exists (nothing unscheduled,
    or no plan).  The only function that knows where the list lives."""
    own = find_sheet(wb, "unscheduled")
    if own is not None:
        rows = sheet_rows(own)
        for i, row in enumerate(rows[:5]):
            if sum(text(v) in UNSCHEDULED_HEADERS for v in row) >= 4:
                return table_at(rows, i, UNSCHEDULED_HEADERS)
        return []
    rows = sheet_rows(find_sheet(wb, "plan"))
    for i, row in enumerate(rows):
        if row and text(row[0]) in UNSCHEDULED_TITLES and _blank(row[1:]) and i + 1 < len(rows):
            return table_at(rows, i + 1, UNSCHEDULED_HEADERS)
    return None


def unscheduled_title_row(wb: openpyxl.Workbook) -> int | None:
    """The Excel row of the unscheduled block's title under the plan (None on its own sheet)."""
    if find_sheet(wb, "unscheduled") is not None:
        return None
    rows = sheet_rows(find_sheet(wb, "plan"))
    for i, row in enumerate(rows):
        if row and text(row[0]) in UNSCHEDULED_TITLES and _blank(row[1:]):
            return i + 1
    return None


def client_columns(path: str | Path) -> set[str] | None:
    """The input fields the client table has (xlclient's own reader; None if it cannot be
    read).  Used only by "never zeros" to know which figures cannot be known."""
    try:
        from xlclient.engine.book import read_client_book
        from xlclient.jobs import load_settings
        from xlclient.xlsx.reader import read_workbook

        data = read_workbook(str(path))
        book = read_client_book(data.sheets, data.tables, load_settings(data), date1904=data.date1904)
    except Exception:  # noqa: BLE001 - a book the reader refuses: nothing to say here
        return None
    return {f for f in book.columns if f not in book.unreadable}


@dataclass
class Sheets:
    """The owned sheets of one workbook, parsed."""

    path: Path
    wb: Any
    classification: list[dict[str, Any]] | None = None
    plan: list[dict[str, Any]] | None = None
    plan_header: list[Any] = field(default_factory=list)
    unscheduled: list[dict[str, Any]] | None = None
    dashboard: dict[str, Section] | None = None
    dashboard_stale: str = ""
    review: list[dict[str, Any]] | None = None
    review_stale: str = ""
    log: list[dict[str, Any]] = field(default_factory=list)
    handover: list[dict[str, Any]] = field(default_factory=list)

    def by_key(self) -> dict[tuple[str, str], dict[str, Any]]:
        return {key_of(r): r for r in self.classification or []}


def _header_index(rows: list[list[Any]], words: dict[str, str], need: int) -> int | None:
    for i, row in enumerate(rows[:10]):
        if sum(text(v) in words for v in row) >= need:
            return i
    return None


def load_sheets(path: str | Path) -> Sheets:
    """Open ``path`` (cached values) and parse every owned sheet present."""
    wb = openpyxl.load_workbook(path, data_only=True)
    s = Sheets(Path(path), wb)
    rows = sheet_rows(find_sheet(wb, "classification"))
    if rows and (i := _header_index(rows, CLASSIFICATION_HEADERS, 5)) is not None:
        # a header alone (``xlclient init``, never refreshed) describes no client: as if absent
        s.classification = [r for r in table_at(rows, i, CLASSIFICATION_HEADERS) if any(key_of(r))] or None
    rows = sheet_rows(find_sheet(wb, "plan"))
    if rows and (i := _header_index(rows, PLAN_HEADERS, 6)) is not None:
        s.plan_header = rows[i]
        s.plan = table_at(rows, i, PLAN_HEADERS)
        for r in s.plan:
            r["type_code"] = TYPE_WORDS.get(text(r.get("type")))
            r["status_code"] = STATUS_WORDS.get(text(r.get("status")))
            r["is_locked"] = text(r.get("locked")).lower() in LOCKED_WORDS
    s.unscheduled = unscheduled_rows(wb)
    rows = sheet_rows(find_sheet(wb, "log"))
    if rows and (i := _header_index(rows, LOG_HEADERS, 3)) is not None:
        s.log = table_at(rows, i, LOG_HEADERS)
    if s.plan is not None and not s.plan and not s.unscheduled and last_plan_line(s) is None:
        s.plan = None  # the empty sheet of ``xlclient init``: no plan made yet
    rows = sheet_rows(find_sheet(wb, "dashboard"))
    if rows:
        s.dashboard = dashboard_sections(rows)
        s.dashboard_stale = says_out_of_date(rows)
    rows = sheet_rows(find_sheet(wb, "review"))
    if rows and (i := _header_index(rows, REVIEW_HEADERS, 4)) is not None:
        s.review = [r for r in table_at(rows, i, REVIEW_HEADERS) if any(key_of(r))]
        s.review_stale = says_out_of_date(rows)
    rows = sheet_rows(find_sheet(wb, "handover"))
    if rows and (i := _header_index(rows, HANDOVER_HEADERS, 3)) is not None:
        s.handover = table_at(rows, i, HANDOVER_HEADERS)
    return s


# ----------------------------------------------------------------------------- helpers


def owner_text(v: Any) -> str:
    """An owner as the sheets name it ("" for no owner)."""
    t = text(v)
    return "" if t in NO_OWNER_WORDS else t


def dashboard_owner_rows(s: Sheets) -> dict[str, dict[str, Any]] | None:
    """看板's per-AE table: owner -> {column header: value}."""
    sec = (s.dashboard or {}).get("owners")
    if sec is None:
        return None
    return {owner_text(r[0]): {h: (r[j] if j < len(r) else None) for j, h in enumerate(sec.header)} for r in sec.body}


def fresh_dashboard(s: Sheets) -> dict[str, Section] | None:
    """看板's sections unless it is absent or says it is out of date."""
    return None if s.dashboard is None or s.dashboard_stale else s.dashboard


def fresh_review(s: Sheets) -> list[dict[str, Any]] | None:
    return None if s.review is None or s.review_stale else s.review


def column_value(row: dict[str, Any], *words: str) -> Any:
    for h, v in row.items():
        if h in words:
            return v
    return None


def plan_visits_by_owner(plan: list[dict[str, Any]]) -> dict[str, Counter]:
    """owner -> Counter of 拜访/开发 rows by status code."""
    out: dict[str, Counter] = defaultdict(Counter)
    for r in plan:
        if r["type_code"] in VISIT_TYPES and r["status_code"]:
            out[owner_text(r.get("owner"))][r["status_code"]] += 1
    return out


def is_new(r: dict[str, Any]) -> bool:
    """A plan row as a plan run writes it new: 计划, not locked."""
    return r["status_code"] == "planned" and not r["is_locked"]


def departing_owners(s: Sheets) -> set[str]:
    """AEs whose clients were handed over (客户交接's 原客户经理), minus any that took over some."""
    from_ = {owner_text(r.get("from_owner")) for r in s.handover}
    to = {owner_text(r.get("to_owner")) for r in s.handover}
    return {o for o in from_ - to if o}


# ----------------------------------------------------------------------------- invariants


def inv_visits_per_ae(s: Sheets, edits_since: frozenset[str]) -> list[str]:
    """看板's 计划拜访 / 已完成拜访 per AE = the plan's 拜访/开发 rows per owner and status."""
    board = fresh_dashboard(s)
    owners = dashboard_owner_rows(s) if board else None
    if owners is None or s.plan is None:
        return []
    counted = plan_visits_by_owner(s.plan)
    out = []
    for o in sorted(set(owners) | set(counted)):
        row = owners.get(o, {})
        planned_d = number(column_value(row, "计划拜访", "Visits planned")) or 0
        done_d = number(column_value(row, "已完成拜访", "Visits done")) or 0
        planned_s, done_s = counted[o]["planned"], counted[o]["done"]
        name = o or "(no owner)"
        if "dashboard" in edits_since:
            if planned_s > planned_d or planned_s + done_s > planned_d + done_d:
                out.append(f"[visits per AE] 看板 {name}: planned {planned_d:g}, done {done_d:g}; the plan (edited by "
                           f"people since) has planned {planned_s}, done {done_s}: more than an edit can make")
        elif (planned_d, done_d) != (planned_s, done_s):
            out.append(f"[visits per AE] 看板 {name}: 计划拜访 {planned_d:g}, 已完成拜访 {done_d:g}; 拜访计划 has "
                       f"{planned_s} planned and {done_s} done 拜访/开发 rows of {name}")
    return out


def inv_tiers(s: Sheets, edits_since: frozenset[str]) -> list[str]:
    """看板's clients per tier (overall, per AE) and 客户复盘's tiers = 分级结果's 等级."""
    if s.classification is None:
        return []
    out = []
    tiers = Counter(text(r.get("tier")) for r in s.classification)
    board = fresh_dashboard(s)
    if board and "tiers" in board:
        sec = board["tiers"]
        for r in sec.body:
            label = text(r[0])
            t = label[:1] if label[:2] in ("A ", "B ", "C ", "D ") else None
            if t is not None and number(r[1]) != tiers[t]:
                out.append(f"[tiers] 看板 {label}: {text(r[1])} clients; 分级结果 has {tiers[t]} clients of tier {t}")
        for t in "ABCD":
            if tiers[t] and not any(text(r[0]).startswith(t + " ") for r in sec.body):
                out.append(f"[tiers] 看板 has no row for tier {t}; 分级结果 has {tiers[t]}")
        # billings per tier add up to the overview's total (both on 看板)
        bcol = sec.column("投放额", "Billings")
        over = board.get("overview")
        if bcol is not None and over is not None:
            total = next((number(r[1]) for r in over.body if text(r[0]).startswith(("年度投放额合计", "Billings, total"))),
                         None)
            parts = [number(r[bcol]) for r in sec.body if bcol < len(r)]
            if total is not None and all(p is not None for p in parts) and abs(sum(parts) - total) > 0.1 * len(parts) + 0.1:
                out.append(f"[tiers] 看板 billings by tier add up to {sum(parts):.1f}; 概览 says {total:.1f}")
    owners = dashboard_owner_rows(s) if board else None
    if owners is not None:
        per = defaultdict(Counter)
        for r in s.classification:
            per[owner_text(r.get("owner"))][text(r.get("tier"))] += 1
        for o, row in owners.items():
            for t in "ABCD":
                if t in row and number(row[t]) != per[o][t]:
                    out.append(f"[tiers] 看板 {o or '(no owner)'} tier {t}: {text(row[t])}; 分级结果 has {per[o][t]}")
    by_key = s.by_key()
    for r in fresh_review(s) or []:
        c = by_key.get(key_of(r))
        if c is not None and text(r.get("tier")) != text(c.get("tier")):
            out.append(f"[tiers] 客户复盘 row {r['row']} {key_of(r)}: tier {text(r.get('tier')) or '(blank)'}; "
                       f"分级结果 row {c['row']}: {text(c.get('tier')) or '(blank)'}")
    return out


def inv_owners(s: Sheets, edits_since: frozenset[str]) -> list[str]:
    """One owner per client on every sheet; a departing AE keeps only rows people kept."""
    if s.classification is None:
        return []
    out = []
    by_key = s.by_key()
    for r in s.plan or []:
        c = by_key.get(key_of(r))
        if c is not None and is_new(r) and owner_text(r.get("owner")) != owner_text(c.get("owner")):
            out.append(f"[owners] 拜访计划 row {r['row']} {key_of(r)}: owner {text(r.get('owner'))}; 分级结果 row "
                       f"{c['row']}: {text(c.get('owner')) or '(none)'}")
    for r in s.unscheduled or []:
        c = by_key.get(key_of(r))
        if c is not None and owner_text(r.get("owner")) != owner_text(c.get("owner")):
            out.append(f"[owners] unscheduled row {r['row']} {key_of(r)}: owner {text(r.get('owner'))}; 分级结果: "
                       f"{text(c.get('owner')) or '(none)'}")
    for r in fresh_review(s) or []:
        c = by_key.get(key_of(r))
        if c is None:
            continue
        if owner_text(r.get("owner")) != owner_text(c.get("owner")):
            out.append(f"[owners] 客户复盘 row {r['row']} {key_of(r)}: owner {text(r.get('owner'))}; 分级结果: "
                       f"{text(c.get('owner')) or '(none)'}")
    board = fresh_dashboard(s)
    owners = dashboard_owner_rows(s) if board else None
    if owners is not None:
        have = Counter(owner_text(r.get("owner")) for r in s.classification)
        listed = {o for o, row in owners.items() if (number(column_value(row, "客户数", "Clients")) or 0) > 0}
        for o in sorted(set(have) ^ listed):
            out.append(f"[owners] AE {o or '(no owner)'}: 看板 lists {'them' if o in listed else 'no such AE'} with "
                       f"clients; 分级结果 gives them {have.get(o, 0)}")
    for d in sorted(departing_owners(s)):
        n = sum(owner_text(r.get("owner")) == d for r in s.classification)
        if n:
            out.append(f"[owners] departing AE {d} (客户交接) still owns {n} clients on 分级结果")
        for r in s.plan or []:
            if owner_text(r.get("owner")) == d and is_new(r):
                out.append(f"[owners] departing AE {d} (客户交接) has a new planned row {r['row']} {key_of(r)} "
                           f"on 拜访计划")
        for r in s.unscheduled or []:
            if owner_text(r.get("owner")) == d:
                out.append(f"[owners] departing AE {d} (客户交接) has unscheduled work, row {r['row']} {key_of(r)}")
    return out


def inv_due_means_due(s: Sheets, edits_since: frozenset[str]) -> list[str]:
    """Every overdue / never-visited client with an owner is visited in the plan or
    listed as unscheduled with a reason; no new 拜访 row goes to a lost client."""
    if s.classification is None or s.plan is None or "plan" in edits_since:
        return []
    planned = {key_of(r) for r in s.plan if r["type_code"] in VISIT_TYPES and r["status_code"] in ("planned", "done")}
    waiting = {key_of(r) for r in s.unscheduled or [] if text(r.get("reason"))}
    out = []
    for c in s.classification:
        status = text(c.get("visit_status"))
        if not (OVERDUE.match(status) or status in NEVER_VISITED) or not owner_text(c.get("owner")):
            continue
        k = key_of(c)
        if k not in planned and k not in waiting:
            out.append(f"[due means due] 分级结果 row {c['row']} {k} ({text(c.get('owner'))}, tier "
                       f"{text(c.get('tier')) or '-'}, stage {text(c.get('stage')) or '-'}): {status}; no 拜访/开发 "
                       f"row on 拜访计划 and no unscheduled row with a reason")
    by_key = s.by_key()
    for r in s.plan:
        c = by_key.get(key_of(r))
        if c is not None and is_new(r) and r["type_code"] in VISIT_TYPES and \
                text(c.get("visit_status")).startswith(LOST_WORDS):
            out.append(f"[due means due] 拜访计划 row {r['row']} visits {key_of(r)}, which 分级结果 shows as "
                       f"{text(c.get('visit_status'))}")
    return out


def last_plan_line(s: Sheets) -> dict[str, Any] | None:
    """The last Log line of a run that (re)wrote the plan."""
    for r in reversed(s.log):
        if text(r.get("what")) in PLAN_WRITERS and not text(r.get("result")).startswith(NO_PLAN_MADE):
            return r
    return None


def inv_counts_agree(s: Sheets, edits_since: frozenset[str]) -> list[str]:
    """The last plan-writing Log line and the header's pointer count what the sheets hold."""
    if s.plan is None:
        return []
    out = []
    unsched = s.unscheduled or []
    line = last_plan_line(s)
    if line is not None:
        result = text(line.get("result"))
        m = next((p.search(result) for p in PLAN_COUNTS if p.search(result)), None)
        if m is None:
            out.append(f"[counts agree] 运行日志 row {line['row']} ({text(line.get('what'))}) rewrote the plan but "
                       f"its line does not say what the plan holds: {result!r}")
        else:
            n, visits, dev, greet, calls, kept, unsch = map(int, m.groups())
            new = [r for r in s.plan if is_new(r)]
            sheet = {"新排": len(new), "拜访": sum(r["type_code"] in VISIT_TYPES for r in new),
                     "开发": sum(r["type_code"] == "development" for r in new),
                     "问候": sum(r["type_code"] == "greeting" for r in new),
                     "电话": sum(r["type_code"] in ("call", "greeting") for r in new),
                     "保留": len(s.plan) - len(new), "未安排": len(unsched)}
            logged = {"新排": n, "拜访": visits, "开发": dev, "问候": greet, "电话": calls, "保留": kept, "未安排": unsch}
            edited = "log" in edits_since
            for k in logged:
                if edited and k != "未安排":
                    # people only turn new rows into kept ones or delete rows
                    bad = sheet[k] > logged[k] if k != "保留" else sheet["新排"] + sheet["保留"] > n + kept
                else:
                    bad = sheet[k] != logged[k]
                if bad:
                    out.append(f"[counts agree] 运行日志 row {line['row']} says {k} {logged[k]}; the sheets hold "
                               f"{sheet[k]}" + (" (after people's edits)" if edited else ""))
            d = DATE_RANGE.search(result)
            if d:
                first, last = (dt.datetime.strptime(x, "%Y-%m-%d") for x in d.groups())
                for r in new:
                    when = r.get("date")
                    if isinstance(when, dt.datetime) and not first <= when <= last:
                        out.append(f"[counts agree] 拜访计划 row {r['row']} new on {when:%Y-%m-%d}, outside the "
                                   f"logged horizon {d.group(0)}")
    pointer = next((text(v) for v in s.plan_header[10:] if text(v)), "")
    title_row = unscheduled_title_row(s.wb)
    if pointer:
        m = POINTER.search(pointer)
        c = POINTER_COUNT.search(pointer)
        start = int(next(g for g in m.groups() if g)) if m else None
        blocks_at = len(s.plan) + 1 + 3  # header, plan rows, two blank rows
        if start is not None and start != blocks_at and "log" not in edits_since:  # a deleted row moves them
            out.append(f"[counts agree] 拜访计划 header says the blocks start at row {start}; they start at {blocks_at}")
        if c and int(next(g for g in c.groups() if g)) != len(unsched):
            out.append(f"[counts agree] 拜访计划 header says {c.group(0)}; the list holds {len(unsched)} rows")
    elif title_row is not None:
        out.append(f"[counts agree] unscheduled block at row {title_row} but no pointer to it in the header row")
    return out


def inv_not_stale(s: Sheets, edits_since: frozenset[str]) -> list[str]:
    """看板 and 客户复盘 describe 分级结果's clients, or say they are out of date."""
    if s.classification is None:
        return []
    out = []
    cl = s.classification
    overdue = Counter(owner_text(r.get("owner")) for r in cl if OVERDUE.match(text(r.get("visit_status"))))
    soon = Counter(owner_text(r.get("owner")) for r in cl if text(r.get("visit_status")) in DUE_SOON)
    flagged = Counter(owner_text(r.get("owner")) for r in cl if text(r.get("review")))
    clients = Counter(owner_text(r.get("owner")) for r in cl)
    board = fresh_dashboard(s)
    if board and "overview" in board:
        fig = {text(r[0]): r[1] for r in board["overview"].body}
        for words, want in ((("客户总数", "Clients"), len(cl)),
                            (("逾期未拜访客户", "Clients overdue for a visit"), sum(overdue.values())),
                            (("复盘标记客户", "Clients flagged in review"), sum(flagged.values()))):
            got = next((fig[w] for w in words if w in fig), None)
            if got is not None and number(got) != want:
                out.append(f"[not stale] 看板 概览 {words[0]}: {text(got)}; 分级结果 has {want}")
    owners = dashboard_owner_rows(s) if board else None
    if owners is not None:
        for o, row in owners.items():
            for words, want in ((("客户数", "Clients"), clients[o]), (("逾期未拜访", "Overdue"), overdue[o]),
                                (("即将到期", "Due soon"), soon[o]), (("复盘标记", "Flagged"), flagged[o])):
                got = column_value(row, *words)
                if got is not None and number(got) != want:
                    out.append(f"[not stale] 看板 {o or '(no owner)'} {words[0]}: {text(got)}; 分级结果 has {want}")
    if board and "top" in board:
        names = {(text(r.get("name")), owner_text(r.get("owner")), text(r.get("tier"))) for r in cl}
        for r in board["top"].body:
            got = (text(r[0]), owner_text(r[1]), text(r[2]))
            if got not in names:
                out.append(f"[not stale] 看板 top client {got[0]} ({got[1]}, tier {got[2]}): no such row on 分级结果")
    review = fresh_review(s)
    if review is not None:
        want = {key_of(r) for r in cl if text(r.get("review"))}
        got = {key_of(r) for r in review}
        for k in sorted(want - got):
            out.append(f"[not stale] 分级结果 flags {k} for review; 客户复盘 does not list it")
        for k in sorted(got - want):
            out.append(f"[not stale] 客户复盘 lists {k}; 分级结果 flags nothing for it")
    return out


def inv_never_zeros(s: Sheets, edits_since: frozenset[str]) -> list[str]:
    """A figure that cannot be known is blank with a note, not 0 (quadrants, stages,
    money without its column)."""
    board = fresh_dashboard(s)
    if not board or s.classification is None:
        return []
    out = []
    cl = s.classification
    quads = Counter(text(r.get("quadrant"))[:2] for r in cl)
    # clients a quadrant is told for: tiered or staged, except pinned tiers (a pinned lost
    # client has a tier and no quadrant; 分级结果 does not show the status itself)
    active = [r for r in cl if (text(r.get("tier")) or text(r.get("stage"))) and
              not (any(w in text(r.get("review")) for w in PINNED_WORDS) and not text(r.get("quadrant")))]
    unplaced = sum(not text(r.get("quadrant")) for r in active)
    sec = board.get("quadrants")
    if sec is not None:
        for r in sec.body:
            q = text(r[0])[:2]
            n = number(r[1])
            if n is None:
                if quads[q] and unplaced < len(active):
                    out.append(f"[never zeros] 看板 quadrant {text(r[0])}: blank; 分级结果 places {quads[q]} there")
                elif not sec.notes:
                    out.append(f"[never zeros] 看板 quadrant {text(r[0])} is blank without a note")
            elif active and unplaced == len(active):
                out.append(f"[never zeros] 看板 quadrant {text(r[0])}: {n:g} ({'a 0' if n == 0 else 'a figure'} for an "
                           f"unknown); no active client on 分级结果 has a quadrant")
            elif n != quads[q]:
                kind = "a count"
                out.append(f"[never zeros] 看板 quadrant {text(r[0])}: {n:g} ({kind}); 分级结果 places {quads[q]} "
                           f"there" + (f" and {unplaced} of {len(active)} active clients have no quadrant"
                                        if unplaced else ""))
        if unplaced and not sec.notes:
            out.append(f"[never zeros] {unplaced} active clients have no quadrant on 分级结果; 看板's 象限 says nothing")
    sec = board.get("pipeline")
    if sec is not None:
        stages = Counter(STAGE_WORDS.get(text(r.get("stage"))) for r in cl)
        for r in sec.body:
            code = STAGE_WORDS.get(text(r[0]))
            n = number(r[1])
            if code and n is not None and n != stages[code]:
                out.append(f"[never zeros] 看板 stage {text(r[0])}: {n:g}; 分级结果 has {stages[code]}")
    have = client_columns(s.path)
    if have is not None:
        for field_, words in (("billings", ("投放额", "Billings")), ("gross_profit", ("毛利", "Gross profit")),
                              ("service_hours", ("工时", "Service hours"))):
            if field_ in have:
                continue
            for role, sec in board.items():
                j = sec.column(*words)
                if j is None:
                    continue
                shown = [r[j] for r in sec.body if j < len(r) and number(r[j]) is not None]
                if shown:
                    out.append(f"[never zeros] 看板 {sec.title} column {sec.header[j]}: {len(shown)} figures "
                               f"({', '.join(text(v) for v in shown[:3])}…) though the client table has no "
                               f"{field_} column")
                elif sec.body and not sec.notes and role != "overview":
                    out.append(f"[never zeros] 看板 {sec.title} column {sec.header[j]} is blank without a note")
    return out


#: Every invariant by the name its lines start with.
INVARIANTS = {
    "visits per AE": inv_visits_per_ae,
    "tiers": inv_tiers,
    "owners": inv_owners,
    "due means due": inv_due_means_due,
    "counts agree": inv_counts_agree,
    "not stale": inv_not_stale,
    "never zeros": inv_never_zeros,
}


def check_workbook(path: str | Path, *, edits_since: Iterable[str] = (),
                   only: Iterable[str] | None = None) -> list[str]:
    """One line per disagreement between the owned sheets of the workbook at ``path``.

    ``edits_since``: which snapshots people's edits to the plan may have overtaken since
    they were written: "dashboard" (看板), "log" (the plan's Log line), "plan" (the plan
    itself, since its run: due means due is then not asked).  ``only``: the invariants to
    run (names of :data:`INVARIANTS`), default all."""
    s = load_sheets(path)
    edits = frozenset(edits_since)
    out: list[str] = []
    for name, fn in INVARIANTS.items():
        if only is None or name in set(only):
            out += fn(s, edits)
    return out
