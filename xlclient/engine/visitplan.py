"""The VisitPlan sheet (拜访计划, SPEC 3): its columns and words, reading back what staff
wrote in it, and the result of planning (:class:`VisitPlan`) rendered as sheet rows.

The scheduling rules live in :mod:`xlclient.engine.planner`; this module is the sheet.

Columns, in this order::

    日期 | 客户经理 | 客户编号 | 客户名称 | 等级 | 类型 | 原因 | 状态 | 备注 | 锁定
    Date | Owner | ClientID | Client | Tier | Type | Reason | Status | Notes | Locked

类型 is 拜访 (visit), 开发 (development visit to a prospect), 节日问候 (festival greeting,
a call) or 电话 (courtesy call); 状态 is 计划, 已完成 or 已取消.  Staff edit 状态, 备注 and
锁定 (and may add rows of their own).

The sheet holds plan rows only, so a filter or an Excel table over it sees nothing
else.  What goes with the plan sits on its own sheet, 未安排 / Unscheduled (SPEC 3;
:meth:`VisitPlan.unscheduled_sheet_rows`), and the plan's header row says what is there
(:meth:`VisitPlan.pointer`, in column L):

* the unscheduled work -- one row per visit, greeting or development visit that should
  happen in the horizon but did not fit, with its reason, from A1::

      客户经理 | 客户编号 | 客户名称 | 等级 | 类型 | 应拜访日期 | 原因
      Owner | ClientID | Client | Tier | Type | Due | Reason

  Regenerated every time; nothing typed there is read back.
* then, after :data:`GAP_ROWS` blank rows, blocks each starting with a title cell in
  column A and separated by a blank row: 拜访容量不足 / Visit capacity short (per AE, the
  due clients not seen and the visit-days that would see them); 已移除计划行的备注 / Notes
  from removed rows -- notes that staff typed on plan rows which the new plan no longer
  has (see "Keeping what people wrote"), read back and kept until someone deletes them;
  提示 / Notice -- e.g. that part of the plan lies in a year whose official holiday
  schedule is not published yet.

Earlier versions wrote these blocks under the plan (and before that beside it, from
column L); such a sheet is still read -- the plan ends at the first block title, or at a
block's header row should the title have been typed over, and its removed notes are
kept -- and the next run moves them to their own sheet.

Keeping what people wrote -- the rule, per row of the existing plan:

1. A row whose 状态 is 已完成 or 已取消, or whose 锁定 is ticked (是, ✓, TRUE, 1 ...), is
   **kept**: written back cell for cell (its date, words, notes, even its language).
2. A row with an empty 原因 was typed by a person (the planner always fills 原因) and is
   kept like a locked row (when the sheet has no 原因 column this rule is off).  So is a
   row that carries something a person added beside the plan's words (a comment, a
   hyperlink, a colour, text in a column of their own): it keeps its place, and with it
   what was added (see :mod:`xlclient.xlsx.additions`).
3. A row the planner cannot read -- blank or bad date, unknown 状态 or 类型, no client --
   is kept as it was and reported as a data problem.
4. Every other row is a plain planned row (计划, not locked): it is replaced by the new
   plan.  Its note (备注) goes onto the new row with the same date, client and type when
   the new plan has one; otherwise it moves to the "notes from removed rows" block with
   the row's date, owner, client and type, and the date the client's next row of that
   type now has.  A note in that block returns onto a plan row when its date, client and
   type are planned again.  So no note is ever dropped; to move a visit to another day,
   change its date and tick 锁定.

What kept rows mean for the plan (see the planner): 已完成 visits (拜访/开发) count as the
client's visits (the latest moves the next due date); locked and typed rows are planned
work that takes capacity on its day and counts as that client's visit; a 已取消 visit
keeps the planner off that client on that day; a 已取消 greeting or call means "not this
time" for that festival or call period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import Any

import numpy as np

from .fields import normalise_header
from .grid import SHEET_ROWS
from .labels import QUADRANTS, STAGE_NAMES, Language, column_headers, sheet_name
from .parse import TRUE_TOKENS, FALSE_TOKENS, parse_date, parse_text
from .problems import MESSAGES, Problem

__all__ = [
    "PLAN_COLUMNS",
    "TYPE_NAMES",
    "STATUS_NAMES",
    "VISIT_TYPES",
    "CALL_TYPES",
    "ExistingPlan",
    "ExistingRow",
    "RemovedNote",
    "PlanRow",
    "Unscheduled",
    "OwnerSummary",
    "VisitPlan",
    "PlanProblem",
    "read_visit_plan",
    "read_removed_notes",
    "reason_text",
]

# ----------------------------------------------------------------------------- words

#: (key, zh header, en header) of the plan table.
PLAN_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("date", "日期", "Date"),
    ("owner", "客户经理", "Owner"),
    ("client_id", "客户编号", "ClientID"),
    ("name", "客户名称", "Client"),
    ("tier", "等级", "Tier"),
    ("type", "类型", "Type"),
    ("reason", "原因", "Reason"),
    ("status", "状态", "Status"),
    ("notes", "备注", "Notes"),
    ("locked", "锁定", "Locked"),
)
_COL = {key: i for i, (key, _, _) in enumerate(PLAN_COLUMNS)}

#: The 未安排 / Unscheduled sheet (SPEC 3).
UNSCHEDULED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("owner", "客户经理", "Owner"),
    ("client_id", "客户编号", "ClientID"),
    ("name", "客户名称", "Client"),
    ("tier", "等级", "Tier"),
    ("type", "类型", "Type"),
    ("due", "应拜访日期", "Due"),
    ("reason", "原因", "Reason"),
)
#: The unscheduled block's header under the plan in earlier versions (read, never written):
#: the due date first, as 应安排日期.
_EARLIER_UNSCHEDULED_COLUMNS: tuple[tuple[str, str, str], ...] = (("due", "应安排日期", "Due"),) + tuple(
    c for c in UNSCHEDULED_COLUMNS if c[0] != "due")
REMOVED_NOTE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("date", "日期", "Date"),
    ("owner", "客户经理", "Owner"),
    ("client_id", "客户编号", "ClientID"),
    ("name", "客户名称", "Client"),
    ("type", "类型", "Type"),
    ("notes", "备注", "Notes"),
    ("now_planned", "现计划日期", "Now planned"),
)
SUMMARY_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("owner", "客户经理", "Owner"),
    ("visits", "拜访", "Visits"),
    ("development", "其中开发", "of which development"),
    ("calls", "电话", "Calls"),
    ("greetings", "其中节日问候", "of which greetings"),
    ("overdue", "逾期补访", "Overdue caught up"),
    ("unscheduled", "未安排", "Unscheduled"),
    ("unseen", "未能拜访的到期客户", "Due clients not seen"),
    ("extra_days", "还需拜访日", "Extra visit-days needed"),
)

#: 0-based column of the header row's pointer to the 未安排 sheet (L: the plan is A-J, K
#: empty). Earlier versions stacked blocks from this column, beside the plan; such a sheet
#: is still read, and the next run clears those columns.
SIDE_COLUMN = len(PLAN_COLUMNS) + 1

#: Blank rows between the unscheduled work and the first block under it (and, in earlier
#: versions, between the plan and the blocks under it).
GAP_ROWS = 2

#: How the summary names clients without an owner.
NO_OWNER: dict[str, str] = {"zh": "（未指定客户经理）", "en": "(no owner)"}

#: Block titles (the cell that starts a block on the 未安排 sheet; under or beside the plan
#: in earlier versions).
BLOCK_TITLES: dict[str, dict[str, str]] = {
    "unscheduled": {"zh": "未安排的工作", "en": "Unscheduled"},
    "removed_notes": {"zh": "已移除计划行的备注", "en": "Notes from removed rows"},
    "notice": {"zh": "提示", "en": "Notice"},
    "shortfall": {"zh": "拜访容量不足", "en": "Visit capacity short"},
}

#: Plan row types, in the order rows of one day are listed.
TYPES: tuple[str, ...] = ("visit", "development", "greeting", "call")
TYPE_NAMES: dict[str, dict[str, str]] = {
    "visit": {"zh": "拜访", "en": "Visit"},
    "development": {"zh": "开发", "en": "Development"},
    "greeting": {"zh": "节日问候", "en": "Festival greeting"},
    "call": {"zh": "电话", "en": "Call"},
}
#: Types that take a visit slot of the day / a call slot of the day.
VISIT_TYPES = frozenset({"visit", "development"})
CALL_TYPES = frozenset({"greeting", "call"})

STATUSES: tuple[str, ...] = ("planned", "done", "cancelled")
STATUS_NAMES: dict[str, dict[str, str]] = {
    "planned": {"zh": "计划", "en": "Planned"},
    "done": {"zh": "已完成", "en": "Done"},
    "cancelled": {"zh": "已取消", "en": "Cancelled"},
}

_TYPE_WORDS: dict[str, str] = {}
for _code, _names in TYPE_NAMES.items():
    for _n in _names.values():
        _TYPE_WORDS[normalise_header(_n)] = _code
for _w, _code in {
    "走访": "visit", "上门拜访": "visit", "面访": "visit", "visits": "visit",
    "开发拜访": "development", "陌拜": "development", "develop": "development", "dev": "development",
    "问候": "greeting", "节日": "greeting", "greeting": "greeting", "greetings": "greeting",
    "电话回访": "call", "电访": "call", "phone": "call", "phonecall": "call", "calls": "call",
    "courtesycall": "call",
}.items():
    _TYPE_WORDS[normalise_header(_w)] = _code

_STATUS_WORDS: dict[str, str] = {}
for _code, _names in STATUS_NAMES.items():
    for _n in _names.values():
        _STATUS_WORDS[normalise_header(_n)] = _code
for _w, _code in {
    "计划中": "planned", "待办": "planned", "待拜访": "planned", "plan": "planned", "todo": "planned",
    "完成": "done", "已拜访": "done", "已联系": "done", "completed": "done", "complete": "done",
    "取消": "cancelled", "canceled": "cancelled", "cancel": "cancelled",
}.items():
    _STATUS_WORDS[normalise_header(_w)] = _code

_BLOCK_WORDS = {normalise_header(t[lang]): key for key, t in BLOCK_TITLES.items() for lang in ("zh", "en")}

# ----------------------------------------------------------------------------- problems

#: Messages of the plan's data problems: code -> (zh, en).  Rendered by PlanProblem.
PLAN_MESSAGES: dict[str, tuple[str, str]] = {
    "plan_date": ("计划行的日期无法识别，此行原样保留，未参与排期",
                  "the plan row's date is not a date; row kept as it was, not used for planning"),
    "plan_date_blank": ("计划行没有日期，此行原样保留，未参与排期",
                        "the plan row has no date; row kept as it was, not used for planning"),
    "plan_type": ("类型应为 拜访、开发、节日问候 或 电话，此行原样保留，未参与排期",
                  "type must be Visit, Development, Festival greeting or Call; row kept as it was"),
    "plan_status": ("状态应为 计划、已完成 或 已取消，此行原样保留，未参与排期",
                    "status must be Planned, Done or Cancelled; row kept as it was"),
    "plan_locked": ("锁定应为 是/否（✓、TRUE、1），已按锁定保留此行",
                    "locked must be yes/no (✓, TRUE, 1); row kept as if locked"),
    "plan_client": ("计划行没有客户编号或客户名称，此行原样保留，未参与排期",
                    "the plan row names no client; row kept as it was"),
    "plan_unknown_client": ("客户台账中没有此客户，此行原样保留，不影响排期",
                            "client not in the client book; row kept, not used for planning"),
    "plan_no_header": ("拜访计划表中找不到标题行（日期、客户经理、客户编号…），无法读取已有计划；"
                       "为免丢失内容，请先修正或清空此表",
                       "no header row (Date, Owner, ClientID ...) in the visit plan sheet; "
                       "existing plan not read: fix or clear the sheet first so nothing is lost"),
    "plan_outside_calendar": ("日期超出工作日历范围 {first}–{last}，此行原样保留，未参与排期",
                              "date outside the working calendar {first}-{last}; row kept, not used"),
}


@dataclass(frozen=True)
class PlanProblem(Problem):
    """A data problem in the VisitPlan sheet (codes of :data:`PLAN_MESSAGES`)."""

    def message(self, lang: Language = "zh") -> str:
        templates = PLAN_MESSAGES.get(self.code) or MESSAGES.get(self.code)
        if templates is None:
            return self.code
        template = templates[0] if lang == "zh" else templates[1]
        try:
            return template.format(**self.params)
        except (KeyError, IndexError):
            return template


# ----------------------------------------------------------------------------- reasons

#: Reasons written in the 原因 column: code -> (zh, en), filled with rendered params.
REASONS: dict[str, tuple[str, str]] = {
    "overdue": ("逾期 {days} 天 · {group}每 {cadence} 天", "Overdue {days} days · {group} every {cadence} days"),
    "never": ("从未拜访 · {group}每 {cadence} 天", "Never visited · {group} every {cadence} days"),
    "due": ("到期 {due} · {group}每 {cadence} 天", "Due {due} · {group} every {cadence} days"),
    "development": ("开发潜在客户 · {quadrant} · 成交可能性 {likelihood}",
                    "Develop prospect · {quadrant} · likelihood {likelihood}"),
    "greeting": ("{festival}（{date}）节前问候", "{festival} ({date}) greeting"),
    "call": ("电话维护（两次拜访之间）", "Courtesy call between visits"),
    # unscheduled
    "capacity": ("容量已满 {first}..{last}", "capacity full {first}..{last}"),
    "no_workday": ("{first}..{last} 没有工作日", "no working day {first}..{last}"),
    "greeting_capacity": ("{festival}问候：容量已满 {first}..{last}",
                          "{festival} greeting: capacity full {first}..{last}"),
    "greeting_no_workday": ("{festival}问候：{first}..{last} 没有工作日",
                            "{festival} greeting: no working day {first}..{last}"),
    "no_owner": ("未指定客户经理", "no owner"),
    "dev_pool": ("{month} 开发拜访还差 {count} 次：没有可开发的潜在客户",
                 "{month}: {count} development visit(s) short: no prospect left to develop"),
    "dev_pool_more": ("{month} 开发拜访还差 {count} 次：除容量已满的，没有其他可开发的潜在客户",
                      "{month}: {count} development visit(s) short: no prospect left to develop "
                      "besides those whose days are full"),
    "dev_capacity": ("{month} 开发拜访还差 {count} 次：拜访容量已满", "{month}: {count} development visit(s) short: "
                     "no visit slot left"),
    "dev_off": ("「设置」中每月开发拜访次数为 0：不安排开发拜访", "Settings plan no development visits (0 a month)"),
    "dev_quota": ("开发拜访名额已排满（每月 {quota} 次，按成交可能性先后安排）",
                  "development quota full ({quota} a month, taken by likelier prospects)"),
}

_FESTIVALS = {
    "spring_festival": ("春节", "Spring Festival"),
    "dragon_boat": ("端午节", "Dragon Boat Festival"),
    "mid_autumn": ("中秋节", "Mid-Autumn Festival"),
    "national_day": ("国庆节", "National Day"),
}


def _group_text(group: str, lang: Language) -> str:
    if group in ("A", "B", "C", "D"):
        return f"{group}类客户" if lang == "zh" else f"tier {group}"
    names = STAGE_NAMES.get(group)
    if names is None:
        return group
    return f"{names['zh']}客户" if lang == "zh" else f"{names['en'].lower()} prospect"


def _render_param(key: str, value: Any, lang: Language) -> Any:
    if key == "group":
        return _group_text(value, lang)
    if key == "quadrant":
        return f"{value} {QUADRANTS[value][lang]}" if value in QUADRANTS else ("-" if lang == "en" else "未分象限")
    if key == "likelihood":
        return "-" if value is None or value != value else f"{value:.0%}"
    if key == "festival":
        if "+" in value:  # festivals close together, one greeting: 中秋国庆双节 / Mid-Autumn Festival & National Day
            names = [_FESTIVALS.get(k, (k, k)) for k in value.split("+")]
            return ("".join(z.removesuffix("节") for z, _ in names) + "双节" if lang == "zh" else
                    " & ".join(e for _, e in names))
        names = _FESTIVALS.get(value, (value, value))
        return names[0] if lang == "zh" else names[1]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def reason_text(code: str, params: Mapping[str, Any], lang: Language = "zh") -> str:
    """The words of a reason code (see :data:`REASONS`) in the given language."""
    zh, en = REASONS.get(code, (code, code))
    template = zh if lang == "zh" else en
    return template.format(**{k: _render_param(k, v, lang) for k, v in params.items()})


# ----------------------------------------------------------------------------- existing plan


@dataclass(frozen=True)
class ExistingRow:
    """One row of the existing plan, as typed, with what the planner understood of it.

    ``cells`` are the raw cells in :data:`PLAN_COLUMNS` order (written back unchanged when
    the row is kept).  ``kept`` is why the row survives regeneration: "done", "cancelled",
    "locked", "typed" (a row a person added: empty 原因), "annotated" (a person added a
    comment, a link, a colour or text of their own beside it), "problem" (unreadable), or
    "" for a plain planned row that the new plan replaces.
    """

    excel_row: int | None
    cells: tuple[Any, ...]
    date: dt.date | None
    owner: str
    client_id: str
    name: str
    type: str | None
    status: str | None
    locked: bool
    kept: str

    @property
    def note(self) -> Any:
        return self.cells[_COL["notes"]]

    @property
    def has_note(self) -> bool:
        """Anything typed in 备注 (even spaces) is a note to keep."""
        note = self.note
        return not (note is None or note == "" or (type(note) is float and note != note))

    @property
    def usable(self) -> bool:
        """Kept and readable: the planner takes it into account."""
        return self.kept not in ("", "problem")

    @property
    def takes_capacity(self) -> bool:
        """Work that happens (or happened) on its day: done, locked or typed, not cancelled."""
        return self.usable and self.status != "cancelled"


@dataclass(frozen=True)
class RemovedNote:
    """A row of the "notes from removed rows" block: the cells of the removed plan row's
    date, owner, client, type and note (raw, written back unchanged)."""

    excel_row: int | None
    cells: tuple[Any, ...]  # date, owner, client_id, name, type, notes (raw)
    date: dt.date | None
    client_id: str
    name: str
    type: str | None

    @property
    def note(self) -> Any:
        return self.cells[5]


@dataclass
class ExistingPlan:
    """What the VisitPlan sheet held before regeneration."""

    rows: list[ExistingRow] = field(default_factory=list)
    removed_notes: list[RemovedNote] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: True when the sheet has content but no recognisable plan header: the caller must
    #: not overwrite it (nothing could be kept).
    unreadable: bool = False
    sheet: str = ""
    #: column key -> the header as typed in the sheet (for problem reports)
    headers: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)

    def header(self, key: str) -> str:
        return self.headers.get(key) or next(zh for k, zh, _ in PLAN_COLUMNS if k == key)


def _blank(v: Any) -> bool:
    if v is None:
        return True
    t = type(v)
    if t is str:
        return not v.strip()
    if t is float:
        return v != v
    return False


def _header_map(row: Sequence[Any], columns: tuple[tuple[str, str, str], ...]) -> dict[str, int]:
    wanted = {}
    for key, zh, en in columns:
        wanted[normalise_header(zh)] = key
        wanted[normalise_header(en)] = key
        wanted[normalise_header(key)] = key
    found: dict[str, int] = {}
    for i, cell in enumerate(row):
        key = wanted.get(normalise_header(cell)) if isinstance(cell, str) else None
        if key is not None and key not in found:
            found[key] = i
    return found


#: What the first cell of a block's header row says (its date column's header).
_BLOCK_HEADER_FIRST = frozenset(normalise_header(w) for _, zh, en in (_EARLIER_UNSCHEDULED_COLUMNS[0],
                                                                   REMOVED_NOTE_COLUMNS[0]) for w in (zh, en))


def _title(cell: Any) -> str | None:
    """The block a title cell starts, or None."""
    if type(cell) is not str or not cell:
        return None
    return _BLOCK_WORDS.get(_norm_text(cell))


def _block_header(row: Sequence[Any]) -> str | None:
    """The block whose header row ``row`` is (its columns under the plan's), or None."""
    if not row or type(row[0]) is not str or _norm_text(row[0]) not in _BLOCK_HEADER_FIRST:
        return None  # cheap: every plan row goes through here
    found = _header_map(row, _EARLIER_UNSCHEDULED_COLUMNS)
    if "due" in found and len(found) >= 5:
        return "unscheduled"
    found = _header_map(row, REMOVED_NOTE_COLUMNS)
    if "now_planned" in found and len(found) >= 4:
        return "removed_notes"
    return None


def _pick(row: Sequence[Any], index: int | None) -> Any:
    if index is None or index >= len(row):
        return None
    return row[index]


@lru_cache(maxsize=4096)
def _norm_text(text: str) -> str:
    return normalise_header(text)


def _word(value: Any, words: Mapping[str, str]) -> str | None:
    """The code of a type/status cell, None when blank, "?" when unknown."""
    if _blank(value):
        return None
    return words.get(_norm_text(value) if type(value) is str else normalise_header(value), "?")


def _locked(value: Any) -> bool | None:
    """True / False, or None when the value is not a yes/no."""
    if _blank(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return {1: True, 0: False}.get(value)  # type: ignore[arg-type]
    text = normalise_header(value) if isinstance(value, str) else ""
    raw = str(value).strip().lower()
    if raw in TRUE_TOKENS or text in TRUE_TOKENS or text in ("锁定", "locked", "lock"):
        return True
    if raw in FALSE_TOKENS or text in FALSE_TOKENS or text in ("未锁定", "unlocked"):
        return False
    return None


def read_visit_plan(rows: Sequence[Sequence[Any]], *, sheet: str = "拜访计划", first_row: int = 0,
                    first_col: int = 0, date1904: bool = False,
                    annotated: "frozenset[int] | set[int]" = frozenset(),
                    unscheduled: Sequence[Sequence[Any]] = (), unscheduled_first_row: int = 0,
                    unscheduled_first_col: int = 0) -> ExistingPlan:
    """Read a VisitPlan sheet given as rows of raw cells (``first_row`` is the 0-based sheet
    row of ``rows[0]``, so Excel shows ``rows[i]`` as row first_row + i + 1).

    Headers and words are recognised in Chinese and English; dates may be dates,
    datetimes, Excel serials or text.  Every row that cannot be read is reported and
    kept as it was.  An empty sheet gives an empty plan.  ``annotated``: Excel rows that
    carry something a person added beside the plan's cells (a comment, a hyperlink, text
    in a column of their own, a colour): such a row is kept like a locked one.
    ``unscheduled``: the 未安排 sheet's rows (its ``first_row``/``first_col`` likewise), where
    the notes from removed rows are kept (:func:`read_removed_notes`).
    """
    notes = read_removed_notes(unscheduled, first_row=unscheduled_first_row, first_col=unscheduled_first_col,
                               date1904=date1904)
    del first_col  # cells are addressed by header, not by position
    plan = ExistingPlan(sheet=sheet)
    header_at = None
    columns: dict[str, int] = {}
    for i, row in enumerate(rows[:50]):
        found = _header_map(row, PLAN_COLUMNS)
        if len(found) >= 5 and "date" in found and ("client_id" in found or "name" in found):
            header_at, columns = i, found
            break
    if header_at is None:
        if any(not _blank(c) for row in rows for c in row):
            plan.unreadable = True
            plan.problems.append(PlanProblem(sheet, None, "", None, "plan_no_header"))
        plan.removed_notes = notes
        return plan

    plan_cols = [columns.get(key) for key, _, _ in PLAN_COLUMNS]
    last_plan_col = max(columns.values())
    full = None not in plan_cols
    getter = itemgetter(*plan_cols) if full else None
    titles: list[tuple[int, int, str]] = []  # (row, column, block) under or beside the plan
    plan_rows: list[tuple[int, tuple[Any, ...]]] = []
    for i in range(header_at, len(rows)):
        row = rows[i]
        for j in range(last_plan_col + 1, len(row)):
            cell = row[j]
            if type(cell) is str and cell:
                block = _title(cell)
                if block is not None:
                    titles.append((i, j, block))
        if i == header_at:
            continue
        if row and (_title(row[0]) is not None or _block_header(row) is not None):
            # a block under the plan ends it (its title, or its header should the title
            # have been typed over)
            for k in range(i, len(rows)):
                if not rows[k]:
                    continue
                block = _title(rows[k][0])
                if block is not None:
                    titles.append((k, 0, block))
                elif (block := _block_header(rows[k])) is not None and (k == 0 or not rows[k - 1]
                                                                       or _title(rows[k - 1][0]) is None):
                    titles.append((k - 1, 0, block))
            break
        n = len(row)
        if full and n > last_plan_col:
            cells = getter(row)  # type: ignore[misc]
        else:
            cells = tuple(row[c] if c is not None and c < n else None for c in plan_cols)
        if all(_blank(c) for c in cells):
            continue
        plan_rows.append((first_row + i + 1, cells))

    note_rows = _note_rows(rows, titles, first_row)
    headers = {key: str(_pick(rows[header_at], columns[key]) if key in columns else zh) for key, zh, _ in PLAN_COLUMNS}
    plan.headers = headers
    plan.rows = _parse_rows(plan_rows, headers, sheet, date1904, plan.problems, has_reason="reason" in columns,
                            annotated=annotated)
    plan.removed_notes = _parse_notes(note_rows, date1904) + notes
    return plan


def _note_rows(rows: Sequence[Sequence[Any]], titles: list[tuple[int, int, str]],
               first_row: int) -> list[tuple[int, tuple[Any, ...]]]:
    """(Excel row, raw cells) of every row of the "notes from removed rows" blocks that
    start at ``titles`` ((row, column, block) of each block title found)."""
    out: list[tuple[int, tuple[Any, ...]]] = []
    for i, j, block in titles:
        if block != "removed_notes":
            continue
        stop = min([k for k, jj, _ in titles if jj == j and k > i] + [len(rows)])
        note_cols: dict[str, int] = {}
        for k in range(i + 1, stop):
            row = rows[k]
            if not note_cols:
                found = _header_map(row[j:], REMOVED_NOTE_COLUMNS)
                if len(found) >= 4:
                    note_cols = {key: j + c for key, c in found.items()}
                    continue
                note_cols = {key: j + c for c, (key, _, _) in enumerate(REMOVED_NOTE_COLUMNS)}
            cells = tuple(_pick(row, note_cols.get(key)) for key, _, _ in REMOVED_NOTE_COLUMNS[:6])
            if all(_blank(c) for c in cells):
                continue
            out.append((first_row + k + 1, cells))
    return out


def read_removed_notes(rows: Sequence[Sequence[Any]], *, first_row: int = 0, first_col: int = 0,
                       date1904: bool = False) -> list[RemovedNote]:
    """The notes from removed plan rows kept on the 未安排 / Unscheduled sheet (its block
    titled 已移除计划行的备注 / Notes from removed rows, title in the sheet's column A),
    given as rows of raw cells like :func:`read_visit_plan`.  Nothing else on that sheet
    is read back: the unscheduled work is regenerated every time."""
    if first_col:  # the block's title is in column A: rows given from a later column have none
        return []
    titles = [(i, 0, block) for i, row in enumerate(rows) if row and (block := _title(row[0])) is not None]
    return _parse_notes(_note_rows(rows, titles, first_row), date1904)


def _dates(cells: list[Any], date1904: bool) -> tuple[list[dt.date | None], list[bool]]:
    """Dates of a column (plain ``date`` cells taken as they are, the rest parsed)."""
    values: list[dt.date | None] = [c if type(c) is dt.date else None for c in cells]
    bad = [False] * len(cells)
    rest = [k for k, c in enumerate(cells) if type(c) is not dt.date]
    if rest:
        parsed = parse_date([cells[k] for k in rest], date1904)
        flags = parsed.bad
        for k, v, b in zip(rest, parsed.values, flags):
            values[k] = None if np.isnat(v) else v.astype(dt.date)
            bad[k] = bool(b)
    return values, bad


def _parse_rows(plan_rows: list[tuple[int, tuple[Any, ...]]], headers: Mapping[str, Any], sheet: str,
                date1904: bool, problems: list[Problem], has_reason: bool = True,
                annotated: "frozenset[int] | set[int]" = frozenset()) -> list[ExistingRow]:
    if not plan_rows:
        return []
    cells = [c for _, c in plan_rows]
    dates, bad_date = _dates([c[_COL["date"]] for c in cells], date1904)
    owners = parse_text([c[_COL["owner"]] for c in cells])
    ids = parse_text([c[_COL["client_id"]] for c in cells])
    names = parse_text([c[_COL["name"]] for c in cells])
    out: list[ExistingRow] = []
    for k, (excel_row, c) in enumerate(plan_rows):
        codes: list[tuple[str, str]] = []  # (problem code, column key)
        if bad_date[k]:
            codes.append(("plan_date", "date"))
        elif dates[k] is None:
            codes.append(("plan_date_blank", "date"))
        type_code = _word(c[_COL["type"]], _TYPE_WORDS)
        if type_code is None or type_code == "?":
            codes.append(("plan_type", "type"))
            type_code = None
        status = _word(c[_COL["status"]], _STATUS_WORDS)
        if status == "?":
            codes.append(("plan_status", "status"))
            status = None
        elif status is None:
            status = "planned"  # a blank status is a plain planned row
        locked = _locked(c[_COL["locked"]])
        if locked is None:
            codes.append(("plan_locked", "locked"))
        if not ids[k] and not names[k]:
            codes.append(("plan_client", "client_id"))
        for code, col in codes:
            problems.append(PlanProblem(sheet, excel_row, str(headers[col]), c[_COL[col]], code))
        fatal = any(code != "plan_locked" for code, _ in codes)
        if fatal:
            kept = "problem"
        elif locked is None or locked:
            kept = "locked"
        elif status in ("done", "cancelled"):
            kept = status
        elif has_reason and _blank(c[_COL["reason"]]):  # no 原因 column: no way to tell
            kept = "typed"
        elif excel_row in annotated:
            kept = "annotated"
        else:
            kept = ""
        if kept == "locked" and status in ("done", "cancelled"):
            kept = status
        out.append(ExistingRow(excel_row, c, dates[k], owners[k], ids[k], names[k], type_code, status,
                               bool(locked) or locked is None, kept))
    return out


def _parse_notes(note_rows: list[tuple[int, tuple[Any, ...]]], date1904: bool) -> list[RemovedNote]:
    if not note_rows:
        return []
    cells = [c for _, c in note_rows]
    dates, _ = _dates([c[0] for c in cells], date1904)
    ids = parse_text([c[2] for c in cells])
    names = parse_text([c[3] for c in cells])
    out = []
    for k, (excel_row, c) in enumerate(note_rows):
        t = _word(c[4], _TYPE_WORDS)
        out.append(RemovedNote(excel_row, c, dates[k], ids[k], names[k], None if t == "?" else t))
    return out


# ----------------------------------------------------------------------------- the result


@dataclass
class PlanRow:
    """One row of the new plan.

    A generated row has ``existing`` None and its words are rendered in the requested
    language; a kept row carries its :class:`ExistingRow` and is written back as it was.
    """

    date: dt.date | None
    owner: str
    client_id: str
    name: str
    tier: str
    type: str | None
    reason: str = ""
    reason_params: dict[str, Any] = field(default_factory=dict)
    status: str | None = "planned"
    note: Any = None
    locked_cell: Any = None
    overdue: bool = False
    existing: ExistingRow | None = None

    @property
    def kept(self) -> bool:
        return self.existing is not None

    def cells(self, lang: Language = "zh") -> list[Any]:
        """The row's cells in :data:`PLAN_COLUMNS` order."""
        if self.existing is not None:
            return list(self.existing.cells)
        return [
            self.date,
            self.owner,
            self.client_id,
            self.name,
            self.tier,
            TYPE_NAMES[self.type][lang] if self.type else None,
            reason_text(self.reason, self.reason_params, lang),
            STATUS_NAMES[self.status][lang] if self.status else None,
            self.note,
            self.locked_cell,
        ]


@dataclass(frozen=True)
class Unscheduled:
    """Work that should happen in the horizon but is not in the plan, and why."""

    owner: str
    client_id: str
    name: str
    tier: str
    type: str
    reason: str
    reason_params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    due: dt.date | None = None

    def cells(self, lang: Language = "zh") -> list[Any]:
        return [self.owner, self.client_id, self.name, self.tier, TYPE_NAMES[self.type][lang], self.due,
                reason_text(self.reason, self.reason_params, lang)]


@dataclass
class OwnerSummary:
    """Per-AE counts over the horizon (kept rows included, cancelled ones not)."""

    owner: str
    visits: int = 0  # 拜访 + 开发
    development: int = 0
    calls: int = 0  # 电话 + 节日问候
    greetings: int = 0
    overdue: int = 0  # planned visits that were overdue (or never made) at the start
    unscheduled: int = 0
    unseen: int = 0  # clients due a visit in the horizon who get none (capacity short)
    extra_days: int = 0  # full visit-days more that would see them all

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k, _, _ in SUMMARY_COLUMNS}


@dataclass
class VisitPlan:
    """The regenerated plan: rows (kept and new, in sheet order), unscheduled work, notes
    of removed rows, per-AE summary, whether it reaches into a provisional year, and the
    data problems of the existing plan."""

    start: dt.date
    end: dt.date
    rows: list[PlanRow]
    unscheduled: list[Unscheduled]
    removed_notes: list[tuple[RemovedNote, dt.date | None]]  # (note, now planned on)
    summary: dict[str, OwnerSummary]
    provisional_years: list[int]
    problems: list[Problem]
    language: Language = "zh"
    #: The existing sheet had content but no plan header (:attr:`ExistingPlan.unreadable`):
    #: writing this plan over it would lose what is there, so callers must not.
    existing_unreadable: bool = False

    @property
    def provisional(self) -> bool:
        """Whether the horizon reaches into a year whose official schedule is not known
        (planned on the statutory festivals only, see the working calendar)."""
        return bool(self.provisional_years)

    def _lang(self, lang: Language | None) -> Language:
        return lang or self.language

    def plan_table(self, lang: Language | None = None) -> list[list[Any]]:
        """Header + one row per plan row."""
        lang = self._lang(lang)
        return [column_headers(PLAN_COLUMNS, lang)] + [r.cells(lang) for r in self.rows]

    def unscheduled_table(self, lang: Language | None = None) -> list[list[Any]]:
        lang = self._lang(lang)
        return [column_headers(UNSCHEDULED_COLUMNS, lang)] + [u.cells(lang) for u in self.unscheduled]

    def removed_notes_table(self, lang: Language | None = None) -> list[list[Any]]:
        lang = self._lang(lang)
        return [column_headers(REMOVED_NOTE_COLUMNS, lang)] + [list(n.cells) + [when] for n, when in self.removed_notes]

    def summary_table(self, lang: Language | None = None) -> list[list[Any]]:
        lang = self._lang(lang)
        rows = [column_headers(SUMMARY_COLUMNS, lang)]
        for owner in sorted(self.summary):
            row = list(self.summary[owner].as_dict().values())
            if not owner:
                row[0] = NO_OWNER[lang]
            rows.append(row)
        return rows

    def notice(self, lang: Language | None = None) -> str:
        """The provisional-calendar warning, or "" when the plan is on official days only."""
        lang = self._lang(lang)
        if not self.provisional_years:
            return ""
        years = "、".join(str(y) for y in self.provisional_years) if lang == "zh" else \
            ", ".join(str(y) for y in self.provisional_years)
        if lang == "zh":
            return (f"{years} 年的放假安排尚未公布（或不在内置日历数据中）：这部分计划按法定节日暂排（没有调休上班日），"
                    f"公布后请在「节假日」表中补充并重新生成")
        return (f"The official {years} holiday schedule is not published yet (or not in the built-in calendar "
                f"data): that part of the plan assumes the statutory festivals only (no make-up workdays); add "
                f"it to the Holidays sheet when it is published and regenerate")

    def shortfall_lines(self, lang: Language | None = None) -> list[str]:
        """One line per AE whose visit capacity is short: due clients not seen and the
        visit-days that would see them (what a manager acts on)."""
        lang = self._lang(lang)
        out = []
        for owner in sorted(self.summary):
            s = self.summary[owner]
            if not s.unseen:
                continue
            name = owner or NO_OWNER[lang]
            out.append(f"{name}：{s.unseen} 个到期客户未能安排拜访，再加约 {s.extra_days} 个拜访日（按每天上限）可以全部安排"
                       if lang == "zh" else
                       f"{name}: {s.unseen} due client(s) get no visit; about {s.extra_days} more visit-day(s) "
                       f"(at the daily limit) would see them all")
        return out

    def blocks(self, lang: Language | None = None) -> list[tuple[str, list[list[Any]]]]:
        """The blocks under the unscheduled work on the 未安排 sheet, each (key, rows: its
        title row then its table or lines), only those with something to say."""
        lang = self._lang(lang)
        out: list[tuple[str, list[list[Any]]]] = []
        short = self.shortfall_lines(lang)
        if short:
            out.append(("shortfall", [[BLOCK_TITLES["shortfall"][lang]]] + [[line] for line in short]))
        if self.removed_notes:
            out.append(("removed_notes", [[BLOCK_TITLES["removed_notes"][lang]]] + self.removed_notes_table(lang)))
        text = self.notice(lang)
        if text:
            out.append(("notice", [[BLOCK_TITLES["notice"][lang]], [text]]))
        return out

    def unscheduled_sheet_rows(self, lang: Language | None = None, limit: int | None = None) -> list[list[Any]]:
        """The 未安排 / Unscheduled sheet as rows of cells from A1: the unscheduled work
        (header, one row each), then :data:`GAP_ROWS` blank rows and the :meth:`blocks`, a
        blank row between blocks. More than a sheet holds (``limit`` rows; a very large
        book): the unscheduled work lists what fits and a line says how many more there
        are (default: :data:`SHEET_ROWS`). Rows are ragged (a row ends with its last cell)."""
        lang = self._lang(lang)
        limit = SHEET_ROWS if limit is None else limit
        table = self.unscheduled_table(lang)
        below: list[list[Any]] = []
        for _key, rows in self.blocks(lang):
            below += ([[]] if below else []) + [list(r) for r in rows]
        gap = [[] for _ in range(GAP_ROWS)] if below else []
        if len(table) + len(gap) + len(below) > limit:
            room = max(1, limit - len(gap) - len(below) - 2)  # rows listed, under the header
            left = len(table) - 1 - room
            line = (f"…另有 {left:,} 项未安排的工作未列出：超出工作表 {limit:,} 行的上限；各客户经理的未安排数"
                    f"见运行结果（命令行输出、--json）" if lang == "zh" else
                    f"… {left:,} more unscheduled items are not listed: a sheet holds {limit:,} rows; "
                    f"each AE's count of unscheduled work is in the run's summary (command output, --json)")
            table = table[:1 + room] + [[line]]
        return table + gap + below

    def unscheduled_last_row(self, lang: Language | None = None, limit: int | None = None,
                             rows: list[list[Any]] | None = None) -> int:
        """The unscheduled work's last Excel row on its sheet (its header is row 1): where
        its filter ends (the blocks under it are out of the filter's reach). ``rows``: the
        sheet already made by :meth:`unscheduled_sheet_rows` (not made again)."""
        rows = self.unscheduled_sheet_rows(lang, limit) if rows is None else rows
        return next((i for i, r in enumerate(rows) if not r), len(rows))

    def pointer(self, sheet: str, lang: Language | None = None) -> str:
        """The plan's header-row line saying what the 未安排 sheet (named ``sheet``) holds
        for this plan; "" when it holds nothing."""
        lang = self._lang(lang)
        parts = []
        counts = {"removed_notes": len(self.removed_notes)}
        if self.unscheduled:
            n = len(self.unscheduled)
            parts.append(f"{BLOCK_TITLES['unscheduled'][lang]} {n:,} 项" if lang == "zh" else
                         f"{BLOCK_TITLES['unscheduled'][lang]}: {n:,}")
        for key, _rows in self.blocks(lang):
            title = BLOCK_TITLES[key][lang]
            n = counts.get(key, 0)
            parts.append((f"{title} {n:,} 项" if lang == "zh" else f"{title}: {n:,}") if n else title)
        if not parts:
            return ""
        if lang == "zh":
            return f"→ 见「{sheet}」表：" + "、".join(parts)
        return f"→ See the '{sheet}' sheet: " + "; ".join(parts)

    def table_last_row(self) -> int:
        """The plan's last Excel row (its header is row 1): where its filter ends."""
        return len(self.rows) + 1

    def sheet_rows(self, lang: Language | None = None, unscheduled_sheet: str | None = None) -> list[list[Any]]:
        """The whole VisitPlan sheet as rows of cells from A1: the plan table in columns
        A-J and, in the header row (column L, :data:`SIDE_COLUMN`), the :meth:`pointer` to
        the 未安排 sheet (named ``unscheduled_sheet``, default its name in ``lang``). Rows
        are ragged (a row ends with its last cell)."""
        lang = self._lang(lang)
        out = [list(r) for r in self.plan_table(lang)]
        text = self.pointer(unscheduled_sheet or sheet_name("unscheduled", lang), lang)
        if text:
            out[0] = out[0] + [None] * (SIDE_COLUMN - len(out[0])) + [text]
        return out

    def row_map(self, existing: "ExistingPlan | None") -> dict[int, int | None]:
        """Where each plan row of the existing sheet went in :meth:`sheet_rows` (Excel rows;
        None: replaced by the new plan). Kept rows keep what was added beside them."""
        if existing is None:
            return {}
        out: dict[int, int | None] = {r.excel_row: None for r in existing.rows if r.excel_row is not None}
        for i, r in enumerate(self.rows):
            if r.existing is not None and r.existing.excel_row is not None:
                out[r.existing.excel_row] = i + 2  # row 1 is the header
        return out

    def counts(self) -> dict[str, int]:
        """Totals for the command line's summary and --json, named as the per-AE summary
        counts them: visits include development visits ("development" is the part of
        them), calls include festival greetings ("greetings" is the part of them), so the
        per-AE rows add up to these. "overdue_caught_up" counts planned visits to clients
        that were overdue (not the overdue clients of a refresh)."""
        new = [r for r in self.rows if not r.kept]
        return {
            "rows": len(self.rows),
            "planned": len(new),
            "kept": len(self.rows) - len(new),
            "visits": sum(r.type in VISIT_TYPES for r in new),
            "development": sum(r.type == "development" for r in new),
            "calls": sum(r.type in ("call", "greeting") for r in new),
            "greetings": sum(r.type == "greeting" for r in new),
            "overdue_caught_up": sum(r.overdue for r in new),
            "unscheduled": len(self.unscheduled),
            "removed_notes": len(self.removed_notes),
            "problems": len(self.problems),
        }
