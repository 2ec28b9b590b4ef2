"""The jobs behind every command and button: read the inputs of a workbook, run the
engine, and describe the sheets to write.

One code path for the command line (workbook files) and for Excel (xlwings): both hand
over a :class:`~xlclient.xlsx.reader.WorkbookData` (raw cells of every sheet and table)
and get back :class:`~xlclient.xlsx.worksheet.SheetSpec` objects, which the file writer or
the xlwings adapter then writes. Nothing here touches a file or Excel.
"""

from __future__ import annotations

import datetime as dt
import re
import getpass
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .engine.book import ClientBook, SheetGrid, read_client_book
from .engine.reading import CRITICAL_FIELDS, field_label
from .engine.calendar import (SUPPORTED_FIRST_YEAR, SUPPORTED_LAST_YEAR, WorkingCalendar, overrides_from_rows,
                              parse_override_kind, supported_range)
from .engine.classify import Classification, classify
from .engine.dashboard import PERCENT  # one format for a likelihood on every sheet (0.1 %, as computed)
from .engine.grid import SHEET_ROWS
from .engine.labels import (CLASSIFICATION_COLUMNS, ISSUES_COLUMNS, Language, column_headers, sheet_aliases,
                            sheet_name)
from .engine.parse import parse_date, parse_text
from .engine.problems import Problem
from .engine.settings import Settings, SettingsError, settings_from_grid
from .xlsx.reader import WorkbookData
from .xlsx.worksheet import SheetSpec

LOG_KEEP = 2000  # Log lines kept (oldest dropped first)
#: First rows earlier versions of xlclient wrote, so that a workbook they wrote is still
#: recognised as xlclient's and its owned sheets replaced (数据问题 gained 客户编号, 客户名称).
EARLIER_HEADERS = {"issues": [["工作表", "行", "列", "值", "问题"], ["Sheet", "Row", "Column", "Value", "Problem"]]}
RED = ("FF9C0006", "FFFFC7CE")  # font, fill (ARGB): overdue, churn risk
AMBER = ("FF9C5700", "FFFFEB9C")  # due soon
HOLIDAY_MESSAGES = {
    "holiday_date": ("节假日日期无法识别，此行未生效", "holiday date not understood; row not applied"),
    "holiday_kind": ("类型应为「放假」或「调休上班」，此行未生效", "type must be 放假 (day off) or 调休上班 (make-up workday); row not applied"),
    "holiday_range": (f"日期超出工作日历支持的范围（{SUPPORTED_FIRST_YEAR}–{SUPPORTED_LAST_YEAR} 年），此行未生效",
                      f"date outside the working calendar ({SUPPORTED_FIRST_YEAR}-{SUPPORTED_LAST_YEAR}); "
                      f"row not applied"),
}


@dataclass
class Inputs:
    """Everything a job needs from a workbook."""

    data: WorkbookData
    settings: Settings
    calendar: WorkingCalendar
    book: ClientBook
    previous_tiers: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # Holidays- and Handover-sheet problems
    handover_rows: list[list[Any]] = field(default_factory=list)  # the Handover sheet as read
    handover: Any = None  # xlclient.engine.handover.Handover: the sheet as read and applied (None: no sheet)

    @property
    def language(self) -> Language:
        return self.settings.language


class JobRefused(RuntimeError):
    """A job that would lose something the user wrote refuses to write (message says why).

    Given both languages (``JobRefused(zh, en)``), :meth:`message` picks the workbook's."""

    def __init__(self, zh: str, en: str | None = None):
        super().__init__(zh if en is None else f"{zh} / {en}")
        self.zh, self.en = zh, en if en is not None else zh

    def message(self, lang: Language = "zh") -> str:
        return self.zh if lang == "zh" else self.en


LOG_HEADERS = {"zh": ["时间", "用户", "操作", "结果"], "en": ["Time", "User", "Action", "Result"]}
#: The Log's 操作 column in the workbook's language (a job's code -> zh, en); other text as given.
LOG_ACTIONS = {"refresh": ("刷新分级", "Refresh"), "plan": ("生成拜访计划", "Visit plan"), "review": ("客户复盘", "Review"),
               "dashboard": ("管理看板", "Dashboard"), "reassign": ("交接客户", "Reassign"), "init": ("添加工作表", "Init"),
               "demo": ("演示", "Demo"), "values": ("转为数值", "Formulas to values")}


def _owned_first_rows(key: str) -> list[list[str]]:
    """The first row of an owned sheet as xlclient writes it, in both languages."""
    from .engine.handover import HANDOVER_COLUMNS
    from .engine.reports import REVIEW_COLUMNS
    from .engine.visitplan import PLAN_COLUMNS, UNSCHEDULED_COLUMNS

    tables = {"classification": CLASSIFICATION_COLUMNS, "issues": ISSUES_COLUMNS, "visit_plan": PLAN_COLUMNS,
              "unscheduled": UNSCHEDULED_COLUMNS, "review": REVIEW_COLUMNS, "handover": HANDOVER_COLUMNS}
    if key in tables:
        return [column_headers(tables[key], lang) for lang in ("zh", "en")] + EARLIER_HEADERS.get(key, [])
    if key == "log":
        return list(LOG_HEADERS.values())
    if key == "dashboard":
        return [["概览"], ["Overview"]]
    if key == "doctor":
        from .doctor import DOCTOR_HEADERS

        return [list(h) for h in DOCTOR_HEADERS.values()]
    return []


def _looks_owned(grid: SheetGrid, key: str) -> bool:
    """Whether an existing sheet with an owned name is one xlclient wrote (or is empty):
    its first row, from A1, starts with xlclient's header in either language."""
    if not any(any(v not in (None, "") for v in r) for r in grid.rows):  # stops at the first filled row
        return True
    if grid.first_row != 0 or grid.first_col != 0:
        return False
    first = [str(v).strip() if v is not None else "" for v in grid.rows[0]]
    return any(first[:len(h)] == h for h in _owned_first_rows(key))


def owned_sheet_name(data: WorkbookData, key: str, lang: Language) -> str:
    """The name to write an owned sheet under: the existing one (either language) or the
    Settings language's name. A sheet that has an owned name but was not written by
    xlclient (a manager's own 看板 with charts, say) is never overwritten: JobRefused."""
    existing = data.sheet(sheet_aliases(key))
    if existing is None:
        return sheet_name(key, lang)
    if key in ("settings", "holidays") or _looks_owned(existing, key):
        return existing.name
    raise JobRefused(
        f"工作表「{existing.name}」已存在，但不是 xlclient 生成的（第一行不是 xlclient 的标题），为免覆盖其中内容，"
        f"未写入任何内容；请把它改名后重试",
        f"the sheet '{existing.name}' exists but was not written by xlclient "
        f"(its first row is not xlclient's header); nothing was written: rename it and try again")


#: The columns (0-based) xlclient regenerates in each owned sheet; every other column is
#: the people's, and what they add there is kept (SPEC 8, xlclient.xlsx.additions).
def owned_columns(key: str) -> frozenset[int]:
    from .engine.handover import HANDOVER_COLUMNS
    from .engine.reports import REVIEW_COLUMNS
    from .engine.visitplan import PLAN_COLUMNS, REMOVED_NOTE_COLUMNS, SIDE_COLUMN, UNSCHEDULED_COLUMNS

    side = max(len(UNSCHEDULED_COLUMNS), len(REMOVED_NOTE_COLUMNS))
    widths = {"classification": len(CLASSIFICATION_COLUMNS), "issues": len(ISSUES_COLUMNS), "log": 4,
              "review": len(REVIEW_COLUMNS), "handover": len(HANDOVER_COLUMNS), "dashboard": 12,
              "doctor": 3, "unscheduled": side}
    if key == "visit_plan":
        return frozenset(range(len(PLAN_COLUMNS))) | frozenset(range(SIDE_COLUMN, SIDE_COLUMN + side))
    return frozenset(range(widths[key]))


def rows_by_key(data: WorkbookData, key: str, new_rows: Sequence[Sequence[Any]],
                row_key: "Any" = None) -> dict[int, int | None]:
    """Where each row of the existing owned sheet goes in ``new_rows`` (Excel rows; row 1
    is the header in both): matched by ``row_key(cells)`` (default: the first cell, the
    client ID). Equal keys are matched in order; an old row whose key is not in the new
    rows is gone (None)."""
    grid = data.sheet(sheet_aliases(key))
    if grid is None or not grid.rows:
        return {}
    row_key = row_key or (lambda cells: _key_text(cells[0]) if cells else "")
    targets: dict[Any, list[int]] = {}
    for i, cells in enumerate(new_rows[1:], start=2):
        targets.setdefault(row_key(list(cells)), []).append(i)
    for rows in targets.values():
        rows.reverse()
    out: dict[int, int | None] = {}
    for i, cells in enumerate(grid.rows):
        excel_row = grid.first_row + i + 1
        if excel_row == 1:
            continue
        full = [None] * grid.first_col + list(cells)
        if all(_blank_cell(v) for v in full):
            continue
        hits = targets.get(row_key(full))
        out[excel_row] = hits.pop() if hits else None
    return out


def _key_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, dt.datetime) and v.time() == dt.time(0):
        v = v.date()
    return str(v).strip()


def annotated_rows(data: WorkbookData, key: str) -> set[int]:
    """Rows of the existing owned sheet that carry something a person added (see
    :func:`xlclient.xlsx.owned.rows_with_additions`); empty when the workbook was not
    read from a file (Excel runs)."""
    grid = data.sheet(sheet_aliases(key))
    if grid is None:
        return set()
    if data.snapshot is None:  # an open workbook (Excel): what was typed in the people's columns
        owned = owned_columns(key)
        return {grid.first_row + i + 1 for i, cells in enumerate(grid.rows)
                if any(grid.first_col + j not in owned and not _blank_cell(v) for j, v in enumerate(cells))}
    from .xlsx.owned import rows_with_additions

    return rows_with_additions(data.snapshot.data, grid.name, owned_columns(key))


def _blank_cell(v: Any) -> bool:
    return v is None or v == "" or (isinstance(v, float) and v != v)


def load_settings(data: WorkbookData) -> Settings:
    """Settings from the workbook's Settings sheet (defaults when it has none); raises
    SettingsError naming each bad cell."""
    grid = data.sheet(sheet_aliases("settings"))
    if grid is None:
        return Settings()
    return settings_from_grid(grid.rows, grid.name, grid.first_row, grid.first_col)


def load_holidays(data: WorkbookData) -> tuple[dict, list[Problem]]:
    """Holidays-sheet overrides (date -> Override) and the problems of bad rows."""
    grid = data.sheet(sheet_aliases("holidays"))
    if grid is None or not grid.rows:
        return {}, []
    rows = [list(r) + [None] * (3 - len(r)) for r in grid.rows]
    dates = parse_date([r[0] for r in rows], data.date1904)
    kinds = parse_text([r[1] for r in rows])
    names = parse_text([r[2] for r in rows])
    good: list[tuple[dt.date, str, str]] = []
    problems: list[Problem] = []
    header_zh, header_en = ("日期", "类型"), ("Date", "Type")
    first_day, last_day = supported_range()
    for i, r in enumerate(rows):
        excel_row = grid.first_row + i + 1
        if i == 0 and str(r[0]).strip() in (header_zh[0], header_en[0]):
            continue  # header row
        if np.isnat(dates.values[i]):
            if dates.problems[i] is not None or kinds[i]:
                problems.append(Problem(grid.name, excel_row, "日期", r[0], "holiday_date"))
            continue
        try:
            parse_override_kind(kinds[i])
        except ValueError:
            problems.append(Problem(grid.name, excel_row, "类型", r[1], "holiday_kind"))
            continue
        day = dates.values[i].astype("datetime64[D]").item()
        if not isinstance(day, dt.date) or not first_day <= day <= last_day:  # named with its row here
            problems.append(Problem(grid.name, excel_row, "日期", r[0], "holiday_range"))
            continue
        good.append((day, kinds[i], names[i]))
    return overrides_from_rows(good), problems


def load_previous_tiers(data: WorkbookData) -> dict[str, str]:
    """Client ID -> tier from the existing Classification sheet (the last refresh)."""
    grid = data.sheet(sheet_aliases("classification"))
    if grid is None or not grid.rows:
        return {}
    header = [str(h).strip() for h in grid.rows[0]]
    id_names = {c[1] for c in CLASSIFICATION_COLUMNS[:1]} | {c[2] for c in CLASSIFICATION_COLUMNS[:1]}
    tier_names = {"等级", "Tier"}
    try:
        i = next(j for j, h in enumerate(header) if h in id_names)
        t = next(j for j, h in enumerate(header) if h in tier_names)
    except StopIteration:
        return {}
    ids = parse_text([r[i] if i < len(r) else None for r in grid.rows[1:]])
    tiers = parse_text([r[t] if t < len(r) else None for r in grid.rows[1:]])
    seen: dict[str, str] = {}
    dup: set[str] = set()
    for k, v in zip(ids, tiers):
        if k in seen:
            dup.add(k)
        seen[k] = v
    return {k: v for k, v in seen.items() if k and k not in dup and v in ("A", "B", "C", "D")}


def load_inputs(data: WorkbookData, *, today: dt.date | None = None, table: str | None = None) -> Inputs:
    """Read settings, holidays, the client book and the previous tiers of a workbook.

    Raises SettingsError (refused settings) or ClientTableNotFound.
    """
    settings = load_settings(data)
    if today is not None:
        settings = settings.replace(as_of=today)
    overrides, holiday_problems = load_holidays(data)
    refuse_outside_calendar(settings.language, today=settings.today())
    calendar = WorkingCalendar(overrides)
    for d in calendar.ignored_overrides:
        holiday_problems.append(Problem(sheet_name("holidays", settings.language), None, "日期", d, "holiday_range"))
    book = read_client_book(data.sheets, data.tables, settings, table, date1904=data.date1904)
    handover = load_handover(data, book)
    if handover is not None:
        holiday_problems += handover.problems
    apply_done_visits(data, book, settings.today())
    return Inputs(data, settings, calendar, book, load_previous_tiers(data), holiday_problems,
                  handover.rows if handover is not None else [], handover)


def load_handover(data: WorkbookData, book: ClientBook) -> "Any":
    """Apply the Handover sheet to the book's owners (xlclient.engine.handover: the latest
    fact about an owner wins) and return it as read, with its problems; None without one.
    A sheet of that name that xlclient did not write is not input: one problem says so."""
    grid = data.sheet(sheet_aliases("handover"))
    if grid is None or not grid.rows:
        return None
    from .engine.handover import Handover, apply_handover, foreign_sheet_problem, read_handover

    if not _looks_owned(grid, "handover"):
        return Handover([], sheet=grid.name, problems=[foreign_sheet_problem(grid.name)], foreign=True)
    handover = read_handover(grid.rows, set(book.frame["client_id"]), sheet=grid.name, first_row=grid.first_row,
                             date1904=data.date1904)
    book.frame, settled = apply_handover(book.frame, handover)
    handover.problems += settled
    return handover


def refuse_outside_calendar(lang: Language, *, today: dt.date | None = None,
                            plan: tuple[dt.date, int] | None = None) -> None:
    """Refuse (JobRefused, in the Settings language) a run whose as-of date or plan lies
    outside the years the working calendar supports: every other year is planned, the
    years without an official schedule provisionally (SPEC 4.5). ``plan``: (start, weeks)."""
    first, last = supported_range()
    if today is not None and not first <= today <= last:
        raise JobRefused(
            f"计算日期 {today} 超出工作日历支持的范围（{first} 至 {last}），未做任何计算，未写入任何内容；"
            f"请在「设置」的计算日期或 --today 中填写此范围内的日期" if lang == "zh" else
            f"the as-of date {today} is outside the working calendar ({first} to {last}): nothing was computed "
            f"or written; set a date in that range as the As of date in Settings, or with --today")
    if plan is not None:
        start, weeks = plan
        if not first <= start <= last:
            what_zh, what_en = f"拜访计划的开始日期 {start} ", f"the visit plan's start {start} is"
        else:
            end = start + dt.timedelta(days=7 * weeks - 1)
            if first <= end <= last:
                return
            what_zh = f"拜访计划 {start} 至 {end} 的结束日期 {end} "
            what_en = f"the visit plan {start} to {end} ends on {end},"
        raise JobRefused(
            f"{what_zh}超出工作日历支持的范围（{first} 至 {last}），未生成计划，未写入任何内容；"
            f"请用 --start 或计划周数让计划落在此范围内" if lang == "zh" else
            f"{what_en} outside the working calendar ({first} to {last}): no plan was made and nothing was "
            f"written; choose --start or the plan weeks so that the plan lies in that range")


def apply_done_visits(data: WorkbookData, book: ClientBook, today: dt.date) -> int:
    """A visit marked 已完成 in the VisitPlan sheet counts as the client's latest visit
    (SPEC 4.5) in every result, not only in the plan: the book's last visit becomes the
    later of the two. Returns how many clients moved. The plan sheet's own problems are
    reported by the plan job."""
    grid = data.sheet(sheet_aliases("visit_plan"))
    if grid is None or not grid.rows:
        return 0
    from .engine.visitplan import VISIT_TYPES, read_visit_plan  # only with a plan sheet (16 ms to import)

    existing = read_visit_plan(grid.rows, sheet=grid.name, first_row=grid.first_row, first_col=grid.first_col,
                               date1904=data.date1904)
    latest: dict[str, dt.date] = {}
    for r in existing.rows:
        if r.status == "done" and r.type in VISIT_TYPES and r.date is not None and r.date <= today and r.client_id:
            if r.client_id not in latest or r.date > latest[r.client_id]:
                latest[r.client_id] = r.date
    if not latest:
        return 0
    frame = book.frame
    by_id = pd.Series(list(latest.values()), index=list(latest.keys()), dtype="datetime64[s]")
    done = by_id.reindex(frame["client_id"].to_numpy()).to_numpy(dtype="datetime64[D]")
    current = frame["last_visit"].to_numpy(dtype="datetime64[D]")
    later = ~np.isnat(done) & (np.isnat(current) | (done > current))
    if later.any():
        current = current.copy()
        current[later] = done[later]
        frame["last_visit"] = current
    return int(later.sum())


def problem_message(p: Problem, lang: Language) -> str:
    """A problem's message, including the job-level codes defined here."""
    if p.code in HOLIDAY_MESSAGES:
        return HOLIDAY_MESSAGES[p.code][0 if lang == "zh" else 1]
    return p.message(lang)


def problems_as_dicts(problems: Sequence[Problem], lang: Language) -> list[dict[str, Any]]:
    """Problems in the ``--json`` shape, sorted by sheet and row."""
    out = []
    for p in sort_problems(problems):
        d = p.as_dict(lang)
        d["message"] = problem_message(p, lang)
        out.append(d)
    return out


def sort_problems(problems: Sequence[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.sheet, p.row if p.row is not None else 0))


def _problems_left_out(left_out: Sequence[Problem], sheet_rows: int, lang: Language) -> str:
    """The Issues sheet's last line when problems do not all fit: how many more, and the
    columns they are in (most first)."""
    counts = Counter((p.sheet, p.column) for p in left_out).most_common()
    shown = counts[:12]
    if lang == "zh":
        where = "、".join(f"{sheet}!{column} {n:,} 个" if column else f"{sheet} {n:,} 个" for (sheet, column), n in shown)
        more = f" 等 {len(counts)} 列" if len(counts) > len(shown) else ""
        return (f"…另有 {len(left_out):,} 个数据问题未列出：超出工作表 {sheet_rows:,} 行的上限。未列出的在：{where}{more}。"
                f"全部问题见运行结果（命令行输出、--json）")
    where = "; ".join(f"{sheet}!{column}: {n:,}" if column else f"{sheet}: {n:,}" for (sheet, column), n in shown)
    more = f" and {len(counts) - len(shown)} more columns" if len(counts) > len(shown) else ""
    return (f"… {len(left_out):,} more data problems are not listed: a sheet holds {sheet_rows:,} rows. They are in "
            f"{where}{more}. Every problem is in the run's output (command line, --json)")


# ---------------------------------------------------------------- sheets to write


def classification_sheet(c: Classification, name: str, data: WorkbookData | None = None) -> SheetSpec:
    """The Classification sheet (SPEC 3): plain values, real dates. What people added
    beside a client's row follows the client (``data``: the workbook as read)."""
    rows = c.table()
    keys = [k for k, _, _ in CLASSIFICATION_COLUMNS]
    widths = {"client_id": 11, "name": 28, "owner": 10, "tier": 6, "quadrant": 22, "stage": 9, "rfm": 6,
              "rfm_class": 13, "likelihood": 11, "next_visit": 12, "visit_status": 20, "review": 60}
    return SheetSpec(name=name, rows=rows,
                     column_widths={i: widths[k] for i, k in enumerate(keys)},
                     number_formats={keys.index("likelihood"): PERCENT, keys.index("next_visit"): "yyyy-mm-dd"},
                     tab_color="2E75B6", owned_columns=owned_columns("classification"),
                     wrap_columns=frozenset({keys.index("review")}),
                     highlights=[(keys.index("visit_status"), ("逾期", "Overdue", "从未拜访", "Never visited"), *RED),
                                 (keys.index("visit_status"), ("即将到期", "Due soon"), *AMBER),
                                 (keys.index("review"), ("流失风险", "Churn risk"), *RED)], landscape=True,
                     row_map=(lambda: rows_by_key(data, "classification", rows)) if data is not None else None)


def issues_sheet(problems: Sequence[Problem], lang: Language, name: str, data: WorkbookData | None = None,
                 book: "ClientBook | None" = None, *, sheet_rows: int | None = None) -> SheetSpec:
    """The Issues sheet: one row per problem (sheet, row, the client on that row of the
    client table, column, value, message). What people added beside a problem's row
    follows that problem while it is still found.

    More problems than a sheet holds (``sheet_rows``, Excel's :data:`SHEET_ROWS`: a
    500,000-client book with two unreadable date columns) are listed as far as they fit:
    the problems of whole tables and of every other sheet first, then the rows of the
    sheet with the most problems, and the last row says how many more there are and in
    which columns; the run still writes its results (the command line and ``--json``
    have every problem)."""
    room = (SHEET_ROWS if sheet_rows is None else sheet_rows) - 1  # under the header
    listed = sort_problems(problems)
    left_out: list[Problem] = []
    if len(listed) > room:
        # what is cut is the rows of the sheet with the most problems (the client table's
        # unreadable columns); the problems of whole tables, and of every other sheet (a
        # Holidays row not applied), are listed first
        per_sheet = Counter(p.sheet for p in listed)
        most = max(per_sheet, key=lambda name: (per_sheet[name], name))
        listed.sort(key=lambda p: (p.row is not None, p.sheet == most))  # stable: in order within each
        listed, left_out = listed[:room - 1], listed[room - 1:]
    problems = listed
    on_row: dict[int, tuple[str, str]] = {}
    if book is not None and len(book.frame) and "row" in book.frame:
        f = book.frame
        rows = f["row"].to_numpy()
        wanted = [p.row for p in problems if p.row is not None and p.sheet == book.sheet]
        at = np.flatnonzero(np.isin(rows, wanted))  # only the rows with a problem are looked up
        ids, names = f["client_id"].to_numpy(dtype=object), f["name"].to_numpy(dtype=object)
        on_row = {int(rows[i]): (str(ids[i] or ""), str(names[i] or "")) for i in at}
    rows: list[list[Any]] = [column_headers(ISSUES_COLUMNS, lang)]
    for p in problems:
        d = p.as_dict(lang)
        value = d["value"]
        row = d["row"] if d["row"] is not None else ("整表" if lang == "zh" else "table")  # a problem of the table
        client = on_row.get(d["row"], ("", "")) if book is not None and d["sheet"] == book.sheet else ("", "")
        rows.append([d["sheet"], row, client[0] or None, client[1] or None, d["column"],
                     value if not isinstance(value, bool) else str(value), problem_message(p, lang)])
    if left_out:
        rows.append([_problems_left_out(left_out, room + 1, lang)])
    key = (lambda cells: tuple(_key_text(v) for v in (list(cells) + [None] * 7)[:7]))
    return SheetSpec(name=name, rows=rows, column_widths={0: 14, 1: 7, 2: 11, 3: 24, 4: 18, 5: 20, 6: 70},
                     tab_color="C00000", owned_columns=owned_columns("issues"), wrap_columns=frozenset({6}), landscape=True,
                     row_map=(lambda: rows_by_key(data, "issues", rows, key)) if data is not None else None)


def log_sheet(data: WorkbookData, lang: Language, name: str, what: str, summary: str,
              when: dt.datetime | None = None, who: str | None = None) -> SheetSpec:
    """The Log sheet: the existing lines plus one new line (who, when, what, counts)."""
    header = LOG_HEADERS[lang]
    grid = data.sheet(sheet_aliases("log"))
    old = [list(r) for r in grid.rows[1:]] if grid is not None and grid.rows else []
    when = when or dt.datetime.now().replace(microsecond=0)
    who = who or _user()
    if what in LOG_ACTIONS:
        what = LOG_ACTIONS[what][0 if lang == "zh" else 1]
    lines = (old + [[when, who, what, summary]])[-LOG_KEEP:]
    dropped = len(old) + 1 - len(lines)  # the oldest lines leave when the Log is full
    first = (grid.first_row + 2) if grid is not None else 2
    row_map = {first + i: (2 + i - dropped if i >= dropped else None) for i in range(len(old))} if dropped else None
    return SheetSpec(name=name, rows=[header] + lines, column_widths={0: 20, 1: 12, 2: 16, 3: 80},
                     number_formats={0: "yyyy-mm-dd hh:mm:ss"}, autofilter=False, owned_columns=owned_columns("log"),
                     row_map=row_map, wrap_columns=frozenset({3}), landscape=True)  # a long summary wraps


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (service accounts, containers)
        return "?"


@dataclass
class RefreshResult:
    """What a refresh computed and the sheets to write."""

    classification: Classification
    problems: list[Problem]
    sheets: list[SheetSpec]
    counts: dict[str, int]


def check(inputs: Inputs, *, likelihood: bool = True) -> tuple[Classification, list[Problem], dict[str, int]]:
    """Classify every client without describing any sheet: the classification, every
    problem and the counts (``xlclient check``, which shows no likelihood and so does not
    compute it: ``likelihood=False``)."""
    c = classify(inputs.book, inputs.settings, inputs.calendar, inputs.previous_tiers, likelihood=likelihood)
    problems = list(c.problems) + list(inputs.problems)
    return c, problems, c.counts() | {"problems": len(problems), "left_out": inputs.book.left_out}


def refresh(inputs: Inputs, *, what: str = "refresh") -> RefreshResult:
    """Classify every client and describe the Classification, Issues and Log sheets, and
    the 客户复盘 / 看板 the workbook has (:func:`summaries_made_again`)."""
    c, problems, counts = check(inputs)
    lang = inputs.language
    summaries = summaries_made_again(inputs, c, besides=("classification",))
    summary = summary_line(counts, lang) + summaries_note(summaries, lang)
    sheets = [
        classification_sheet(c, owned_sheet_name(inputs.data, "classification", lang), inputs.data),
        *summaries,
        issues_sheet(problems, lang, owned_sheet_name(inputs.data, "issues", lang), inputs.data, inputs.book),
        log_sheet(inputs.data, lang, owned_sheet_name(inputs.data, "log", lang), what, summary),
    ]
    return RefreshResult(c, problems, sheets, counts)


def summary_line(counts: dict[str, int], lang: Language) -> str:
    """One line of counts for the Log sheet and the command line."""
    if lang == "zh":
        return (f"客户 {counts['clients']} 个：A {counts['tier_A']}、B {counts['tier_B']}、C {counts['tier_C']}、"
                f"D {counts['tier_D']}、无等级 {counts['no_tier']}；锁定 {counts['pinned']}；逾期未拜访客户 {counts['overdue']}；"
                f"复盘标记 {counts['flagged']}；数据问题 {counts['problems']}")
    return (f"{counts['clients']} clients: A {counts['tier_A']}, B {counts['tier_B']}, C {counts['tier_C']}, "
            f"D {counts['tier_D']}, no tier {counts['no_tier']}; pinned {counts['pinned']}; clients overdue for a visit "
            f"{counts['overdue']}; review flags {counts['flagged']}; data problems {counts['problems']}")



# ---------------------------------------------------------------- init


@dataclass
class InitResult:
    """What ``xlclient init`` adds: only the owned sheets that are missing."""

    sheets: list[SheetSpec]
    defined_names: dict[str, str]
    columns: dict[str, str]
    client_table: str | None
    message: str | None = None  # why the client table was not found, if it was not

    existing_log: bool = False  # the Log sheet was there (its new line is not a sheet added)
    repaired: list[str] = field(default_factory=list)  # workbook names mended (xlc_settings ...)

    @property
    def added(self) -> list[str]:
        """The sheets this init adds (the Log gets a line; it is added only if it was missing)."""
        names = [s.name for s in self.sheets]
        return names[:-1] if self.existing_log and names else names


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _hidden_names_to_repair(data: WorkbookData) -> dict[str, str]:
    """The names the Excel functions find Settings and Holidays by (udf_support), for the
    sheets that exist, when a name is missing or broken: what ``doctor`` reports, ``init``
    mends (a sheet added by this init gets its name where it is made)."""
    from .udf_support import HOLIDAYS_NAME, SETTINGS_NAME, broken_hidden_names

    if data.snapshot is None:
        return {}
    broken = broken_hidden_names(data.snapshot.data, data.sheet_names)
    out = {}
    for key, name in (("settings", SETTINGS_NAME), ("holidays", HOLIDAYS_NAME)):
        sheet = data.sheet(sheet_aliases(key))
        if sheet is not None and name in broken:
            out[name] = f"{_quoted(sheet.name)}!$A$1"
    return out


def init_workbook(data: WorkbookData, lang: Language = "zh") -> InitResult:
    """The xlclient sheets a workbook is missing: Settings (defaults, with the Columns
    mapping filled from the client table's headers as found), Holidays, Classification,
    VisitPlan, Issues and Log with their headers. Sheets that exist are left alone, so a
    second run adds nothing. Parameters get workbook names (``xlc_pareto_a`` …) pointing
    at their value cells when the Settings sheet is created, and the Settings and Holidays
    sheets get ``xlc_settings`` / ``xlc_holidays`` at A1 when they are created: through
    them the Excel functions' hidden arguments find the two sheets (udf_support)."""
    from .engine.book import ClientTableNotFound, read_client_book
    from .engine.settings import PARAM_BY_KEY, settings_rows
    from .engine.visitplan import PLAN_COLUMNS, UNSCHEDULED_COLUMNS
    from .udf_support import HOLIDAYS_NAME, SETTINGS_NAME

    settings = Settings(language=lang)
    columns: dict[str, str] = {}
    evidence: dict[str, str] = {}
    table_label, message = None, None
    try:  # the best guess, read as `check` reads it, with how each column was recognised
        book = read_client_book(data.sheets, data.tables, settings, date1904=data.date1904)
        reading = book.reading
        columns = {f: m.header for f, m in reading.columns.items()}
        evidence = {f: reading.how_text(f, lang) for f in reading.columns}
        for p in book.problems:  # a field left unread (two columns, a foreign unit ...): why, to decide
            f = p.params.get("field")
            if p.row is None and f and f not in columns and f not in evidence:
                evidence[f] = p.message(lang)
        table_label = f"{reading.sheet}" + (f" / {reading.table}" if reading.table else "") + f" #{reading.header_row}"
    except ClientTableNotFound:  # said as it applies once init has added Settings: fill the 列映射 row
        from .engine.book import owned_sheet_names
        from .engine.not_found import refusal

        message = refusal(data.sheets, {}, owned_sheet_names(), lang, settings_exist=True)

    sheets: list[SheetSpec] = []
    names: dict[str, str] = {}

    def missing(key: str) -> bool:
        return data.sheet(sheet_aliases(key)) is None

    if missing("settings"):
        name = sheet_name("settings", lang)
        rows = settings_rows(settings, lang, columns, evidence)
        for r, row in enumerate(rows):
            if len(row) == 4 and row[3] in PARAM_BY_KEY:
                names[f"xlc_{row[3]}"] = f"{_quoted(name)}!$B${r + 1}"
        sheets.append(SheetSpec(name=name, rows=rows, header_rows=0, freeze_header=False, autofilter=False,
                                column_widths={0: 26, 1: 16, 2: 50, 3: 20}, tab_color="7F7F7F"))
        names[SETTINGS_NAME] = f"{_quoted(name)}!$A$1"  # where the Excel functions find Settings
    if missing("holidays"):
        header = ["日期", "类型", "名称"] if lang == "zh" else ["Date", "Type", "Name"]
        note = ("每行一天：类型填「放假」或「调休上班」。国务院公布次年安排后即可录入，优先于内置日历。" if lang == "zh" else
                "One row per day: type Day off or Make-up workday. Overrides the built-in calendar.")
        kinds = ["放假", "调休上班"] if lang == "zh" else ["Day off", "Make-up workday"]  # calendar.DAY_OFF_WORDS ...
        names[HOLIDAYS_NAME] = f"{_quoted(sheet_name('holidays', lang))}!$A$1"  # ... and Holidays
        sheets.append(SheetSpec(name=sheet_name("holidays", lang), rows=[header + [None, note]],
                                column_widths={0: 12, 1: 16, 2: 24, 4: 60}, number_formats={0: "yyyy-mm-dd"},
                                data_validations=[("B2:B1000", kinds)], autofilter=False))
    if missing("classification"):
        sheets.append(SheetSpec(name=sheet_name("classification", lang),
                                rows=[column_headers(CLASSIFICATION_COLUMNS, lang)], tab_color="2E75B6"))
    if missing("visit_plan"):
        sheets.append(SheetSpec(name=sheet_name("visit_plan", lang), rows=[column_headers(PLAN_COLUMNS, lang)],
                                tab_color="548235"))
    if missing("unscheduled"):
        sheets.append(SheetSpec(name=sheet_name("unscheduled", lang), rows=[column_headers(UNSCHEDULED_COLUMNS, lang)],
                                tab_color="548235"))
    if missing("issues"):
        sheets.append(issues_sheet([], lang, sheet_name("issues", lang)))
    repaired = _hidden_names_to_repair(data)
    names.update(repaired)
    if sheets or repaired:
        what = "init"
        new = [s.name for s in sheets] + ([sheet_name("log", lang)] if missing("log") else []) + list(repaired)
        summary = (f"添加 {'、'.join(new)}" if lang == "zh" else f"added {', '.join(new)}")
        sheets.append(log_sheet(data, lang, owned_sheet_name(data, "log", lang), what, summary))
    return InitResult(sheets, names, columns, table_label, message, existing_log=not missing("log"),
                      repaired=list(repaired))


# ---------------------------------------------------------------- plan


@dataclass
class PlanResult:
    """The regenerated visit plan and the sheets to write."""

    visit_plan: Any  # None when the client table could not be read well enough to plan
    classification: Classification
    problems: list[Problem]
    sheets: list[SheetSpec]
    counts: dict[str, int]
    not_made: str = ""  # why no plan was made


def visit_plan_sheet(vp: Any, lang: Language, name: str, unscheduled_name: str) -> SheetSpec:
    """The VisitPlan sheet: the plan in A-J with drop-downs on the columns staff edit
    (类型, 状态, 锁定) down to the blank rows under it, its filter over the plan, and in
    the header row a line saying what the 未安排 sheet (``unscheduled_name``) holds."""
    from .engine.visitplan import PLAN_COLUMNS, STATUS_NAMES, TYPE_NAMES

    rows = vp.sheet_rows(lang, unscheduled_name)
    keys = [k for k, _, _ in PLAN_COLUMNS]
    last = min(max(vp.table_last_row() + 200, 1000), SHEET_ROWS)  # room for rows staff add, within the sheet
    col = {k: chr(ord("A") + i) for i, k in enumerate(keys)}
    yes_no = ["是", "否"] if lang == "zh" else ["Yes", "No"]
    validations = [
        (f"{col['status']}2:{col['status']}{last}", [STATUS_NAMES[s][lang] for s in ("planned", "done", "cancelled")]),
        (f"{col['type']}2:{col['type']}{last}", [TYPE_NAMES[t][lang] for t in ("visit", "development", "greeting", "call")]),
        (f"{col['locked']}2:{col['locked']}{last}", yes_no),
    ]
    widths = {"date": 11, "owner": 10, "client_id": 11, "name": 28, "tier": 6, "type": 10, "reason": 34,
              "status": 8, "notes": 30, "locked": 6}
    return SheetSpec(name=name, rows=rows, column_widths={i: widths[k] for i, k in enumerate(keys)},
                     number_formats={0: "yyyy-mm-dd"}, data_validations=validations, tab_color="548235",
                     owned_columns=owned_columns("visit_plan"), table_end=(vp.table_last_row(), len(keys) - 1),
                     landscape=True)  # printed one page wide for each AE


def unscheduled_sheet(vp: Any, lang: Language, name: str, data: WorkbookData | None = None) -> SheetSpec:
    """The 未安排 / Unscheduled sheet (SPEC 3): the work the plan could not fit, one row
    each with its reason, its filter over that list only; under it the capacity shortfall
    per AE, the notes from removed plan rows and the calendar notice (see
    :meth:`~xlclient.engine.visitplan.VisitPlan.unscheduled_sheet_rows`). What people
    type beside a row moves with it (matched by its owner, client, type and date)."""
    from .engine.visitplan import UNSCHEDULED_COLUMNS

    rows = vp.unscheduled_sheet_rows(lang)
    end = vp.unscheduled_last_row(rows=rows)
    due = next(i for i, (k, _, _) in enumerate(UNSCHEDULED_COLUMNS) if k == "due")
    title_rows = frozenset(i for i in range(end, len(rows)) if rows[i] and rows[i][0] is not None
                           and not rows[i - 1])
    headers = frozenset(i + 1 for i in title_rows if i + 1 < len(rows) and len(rows[i + 1]) > 1)
    dates = {(i, j): "yyyy-mm-dd" for i in range(end, len(rows)) for j, v in enumerate(rows[i])
             if isinstance(v, dt.date)}  # a removed note's dates
    widths = dict(enumerate((10, 11, 28, 6, 12, 11, 52)))  # 类型 holds "Development"
    key = lambda cells: tuple(_key_text(v) for v in list(cells)[:6])  # noqa: E731
    return SheetSpec(name=name, rows=rows, column_widths=widths, number_formats={due: "yyyy-mm-dd"},
                     tab_color="548235", owned_columns=owned_columns("unscheduled"),
                     table_end=(end, len(UNSCHEDULED_COLUMNS) - 1) if len(rows) > end else None,
                     bold_rows=title_rows | headers, cell_formats=dates, wrap_columns=frozenset({6}), landscape=True,
                     row_map=(lambda: rows_by_key(data, "unscheduled", rows, key)) if data is not None else None)


def _refuse_a_plan_too_long(vp: Any, weeks: int, name: str) -> None:
    """Raise JobRefused, before any sheet is made, when the plan's own rows do not fit in a
    sheet (hundreds of AEs planned for a year): saying how many weeks would fit -- about:
    the rows of the plan's first weeks, and every kept row -- or, when not even one week
    does, to split the book by AE. (The 未安排 sheet lists what fits and says how much
    more there is instead, see
    :meth:`~xlclient.engine.visitplan.VisitPlan.unscheduled_sheet_rows`.)"""
    needed = vp.table_last_row()
    if needed <= SHEET_ROWS:
        return
    kept = sum(1 for r in vp.rows if r.kept)
    new_dates = np.array([r.date for r in vp.rows if not r.kept and r.date is not None], dtype="datetime64[D]")
    undated = sum(1 for r in vp.rows if not r.kept and r.date is None)
    fits, about = 0, 0
    for w in range(weeks - 1, 0, -1):
        end = np.datetime64(vp.start + dt.timedelta(weeks=w), "D")
        rows = 1 + kept + undated + int((new_dates < end).sum())
        if rows <= SHEET_ROWS:
            fits, about = w, rows
            break
    if fits:
        zh_do = (f"请把计划周数（「设置」或 --weeks）从 {weeks} 改为 {fits} 或更少（约 {about:,} 行），"
                 f"或把客户台账按客户经理分成几个工作簿")
        en_do = (f"set the plan weeks (Settings, or --weeks) from {weeks} to {fits} or fewer (about {about:,} rows), "
                 f"or split the client book by AE into several workbooks")
    else:
        zh_do = "即使只排 1 周也放不下：请把客户台账按客户经理分成几个工作簿"
        en_do = "not even one week fits: split the client book by AE into several workbooks"
    raise JobRefused(
        f"「{name}」需要 {needed:,} 行，超出工作表 {SHEET_ROWS:,} 行的上限，未生成计划，未写入任何内容；{zh_do}",
        f"the plan sheet '{name}' would need {needed:,} rows, more than a sheet holds ({SHEET_ROWS:,}): no plan "
        f"was made and nothing was written; {en_do}")


def plan_summary_line(vp: Any, counts: dict[str, int], lang: Language) -> str:
    """The Log's line for a plan: its dates and what it holds (counts as on its sheets)."""
    zh = lang == "zh"
    line = (f"{vp.start:%Y-%m-%d}–{vp.end:%Y-%m-%d}：新排 {counts['planned']} 项（拜访 {counts['visits']}、开发 "
            f"{counts['development']}、问候 {counts['greetings']}、电话 {counts['calls']}），保留 {counts['kept']}，"
            f"未安排 {counts['unscheduled']}，数据问题 {counts['problems']}" if zh else
            f"{vp.start:%Y-%m-%d}–{vp.end:%Y-%m-%d}: planned {counts['planned']} (visits {counts['visits']}, "
            f"development {counts['development']}, greetings {counts['greetings']}, calls {counts['calls']}), "
            f"kept {counts['kept']}, unscheduled {counts['unscheduled']}, data problems {counts['problems']}")
    if vp.provisional:
        line += "；日历暂定" if zh else "; provisional calendar"
    return line


def plan(inputs: Inputs, *, start: dt.date | None = None, weeks: int | None = None,
         what: str = "plan") -> PlanResult:
    """Regenerate every AE's visit plan (SPEC 4.5), keeping what staff wrote in the
    existing VisitPlan sheet. Raises JobRefused when the existing sheet cannot be read
    (writing over it would lose its content)."""
    from .engine.planner import plan_from_classification
    from .engine.visitplan import read_visit_plan

    settings = inputs.settings
    lang = inputs.language
    plan_start = start or settings.today()
    refuse_outside_calendar(lang, plan=(plan_start, weeks or settings.plan_weeks))
    c = classify(inputs.book, settings, inputs.calendar, inputs.previous_tiers)
    name = owned_sheet_name(inputs.data, "visit_plan", lang)
    unread = [f for f in CRITICAL_FIELDS if f in inputs.book.unreadable]
    if unread:
        # A plan from a table whose owner, status, billings or last visits could not be read
        # would be wrong: none is made, the existing plan stays as it is, the reasons go to
        # Issues (and the command line) and the Log says so.
        problems = list(c.problems) + list(inputs.problems)
        labels = "、".join(field_label(f, lang) for f in unread) if lang == "zh" else \
            ", ".join(field_label(f, lang) for f in unread)
        summary = (f"未生成拜访计划：未能读取{labels}（见「数据问题」）" if lang == "zh" else
                   f"no visit plan made: could not read {labels} (see Issues)")
        sheets = [issues_sheet(problems, lang, owned_sheet_name(inputs.data, "issues", lang), inputs.data, inputs.book),
                  log_sheet(inputs.data, lang, owned_sheet_name(inputs.data, "log", lang), what, summary)]
        return PlanResult(None, c, problems, sheets, {"clients": len(c.frame), "problems": len(problems),
                                                      "planned": 0, "kept": 0, "unscheduled": 0, "owners": 0},
                          summary)
    grid = inputs.data.sheet(sheet_aliases("visit_plan"))
    unscheduled_name = owned_sheet_name(inputs.data, "unscheduled", lang)  # a foreign 未安排 sheet: refused here
    kept = inputs.data.sheet(sheet_aliases("unscheduled"))  # the notes from removed plan rows live there
    existing = None
    if (grid is not None and grid.rows) or (kept is not None and kept.rows):
        existing = read_visit_plan(grid.rows if grid is not None else [], sheet=grid.name if grid is not None else name,
                                   first_row=grid.first_row if grid is not None else 0,
                                   first_col=grid.first_col if grid is not None else 0,
                                   date1904=inputs.data.date1904, annotated=annotated_rows(inputs.data, "visit_plan"),
                                   unscheduled=kept.rows if kept is not None else (),
                                   unscheduled_first_row=kept.first_row if kept is not None else 0,
                                   unscheduled_first_col=kept.first_col if kept is not None else 0)
    vp = plan_from_classification(c, inputs.book, inputs.calendar, start=plan_start,
                                  weeks=weeks or settings.plan_weeks, existing=existing)
    if vp.existing_unreadable:
        raise JobRefused(
            f"「{name}」表中找不到计划的标题行（日期、客户经理、客户编号…），为免丢失其中内容，未生成计划；"
            f"请修正或清空该表后重试",
            f"the sheet '{name}' has content but no plan header (日期/Date, 客户经理/Owner, 客户编号/ClientID …); "
            f"nothing was written, so nothing in it is lost: fix or clear the sheet and try again")
    _refuse_a_plan_too_long(vp, weeks or settings.plan_weeks, name)
    problems = list(c.problems) + list(inputs.problems) + list(vp.problems)
    counts = vp.counts() | {"clients": len(c.frame), "problems": len(problems),
                            "owners": len(vp.summary)}
    summary = plan_summary_line(vp, counts, lang)
    plan_sheet = visit_plan_sheet(vp, lang, name, unscheduled_name)
    plan_sheet.row_map = vp.row_map(existing)
    summaries = summaries_made_again(inputs, c, plan_sheet.rows)  # its done visits move next visits
    summary += summaries_note(summaries, lang)
    sheets = [
        plan_sheet,
        unscheduled_sheet(vp, lang, unscheduled_name, inputs.data),
        *summaries,
        issues_sheet(problems, lang, owned_sheet_name(inputs.data, "issues", lang), inputs.data, inputs.book),
        log_sheet(inputs.data, lang, owned_sheet_name(inputs.data, "log", lang), what, summary),
    ]
    return PlanResult(vp, c, problems, sheets, counts)


# ---------------------------------------------------------------- review and dashboard


@dataclass
class ReportResult:
    """A manager report (Review or Dashboard) and the sheets to write."""

    classification: Classification
    problems: list[Problem]
    sheets: list[SheetSpec]
    counts: dict[str, int]


def review_sheet(inputs: Inputs, c: Classification, name: str) -> tuple[SheetSpec, list[list[Any]]]:
    """The Review sheet for classification ``c`` (and its rows, header first)."""
    from .engine.reports import review_rows

    rows = review_rows(c.frame, inputs.book.frame, inputs.language)
    widths = dict(enumerate((11, 28, 10, 6, 8, 22, 16, 60, 60)))
    spec = SheetSpec(name=name, rows=rows, column_widths=widths, tab_color="BF8F00",
                     owned_columns=owned_columns("review"), wrap_columns=frozenset({7, 8}), landscape=True,
                     highlights=[(6, ("流失风险", "Churn risk"), *RED), (6, ("建议淘汰", "Drop"), *AMBER)],
                     row_map=lambda: rows_by_key(inputs.data, "review", rows))
    return spec, rows


def review(inputs: Inputs, *, what: str = "review") -> ReportResult:
    """客户复盘: every flagged client with reasons and a suggested approach (Review sheet),
    plus Issues and Log."""
    c = classify(inputs.book, inputs.settings, inputs.calendar, inputs.previous_tiers)
    lang = inputs.language
    sheet, rows = review_sheet(inputs, c, owned_sheet_name(inputs.data, "review", lang))
    problems = list(c.problems) + list(inputs.problems)
    codes = c.frame["review_codes"]
    counts = {"clients": len(c.frame), "flagged": len(rows) - 1, "problems": len(problems)}
    for flag in ("churn", "downgrade", "drop", "data", "pinned"):
        counts[flag] = int(codes.str.contains(flag).sum())
    zh = lang == "zh"
    summary = (f"复盘标记 {counts['flagged']} 个客户：流失风险 {counts['churn']}、降级 {counts['downgrade']}、"
               f"建议淘汰 {counts['drop']}、数据问题 {counts['data']}、锁定 {counts['pinned']}" if zh else
               f"{counts['flagged']} clients flagged: churn risk {counts['churn']}, downgrade {counts['downgrade']}, "
               f"drop {counts['drop']}, data {counts['data']}, pinned {counts['pinned']}")
    others = summaries_made_again(inputs, c, besides=("review",))
    sheets = [
        sheet,
        *others,
        issues_sheet(problems, lang, owned_sheet_name(inputs.data, "issues", lang), inputs.data, inputs.book),
        log_sheet(inputs.data, lang, owned_sheet_name(inputs.data, "log", lang), what,
                  summary + summaries_note(others, lang)),
    ]
    return ReportResult(c, problems, sheets, counts)


def _plan_status(inputs: Inputs, plan_rows: Sequence[Sequence[Any]] | None = None) -> dict[str, dict[str, int]]:
    """Per AE: how many visits of the VisitPlan sheet are planned / done / cancelled -- the
    sheet in the workbook, or ``plan_rows`` (the sheet about to be written, from A1). A
    visit is a 拜访 or 开发 row (engine.visitplan.VISIT_TYPES), as everywhere: calls and
    greetings are not visits."""
    from .engine.visitplan import VISIT_TYPES, read_visit_plan

    if plan_rows is not None:
        existing = read_visit_plan(plan_rows, date1904=inputs.data.date1904)
    else:
        grid = inputs.data.sheet(sheet_aliases("visit_plan"))
        if grid is None or not grid.rows:
            return {}
        existing = read_visit_plan(grid.rows, sheet=grid.name, first_row=grid.first_row, first_col=grid.first_col,
                                   date1904=inputs.data.date1904)
    out: dict[str, dict[str, int]] = {}
    for r in existing.rows:
        if r.status in ("planned", "done", "cancelled") and r.type in VISIT_TYPES:
            counts = out.setdefault(r.owner, {})
            counts[r.status] = counts.get(r.status, 0) + 1
    return out


def dashboard_sheet(inputs: Inputs, c: Classification, name: str,
                    plan_rows: Sequence[Sequence[Any]] | None = None) -> tuple[SheetSpec, Any]:
    """The Dashboard sheet for classification ``c`` and the visit plan in the workbook (or
    ``plan_rows``, the plan sheet about to be written), and the board it lays out."""
    from .engine.dashboard import build_dashboard

    board = build_dashboard(c.frame, inputs.book.frame, inputs.language, unreadable=inputs.book.unreadable,
                            plan_status=_plan_status(inputs, plan_rows))
    right = set()
    for h in board.headers:  # a column of numbers has its header on the right, above them
        for below in board.rows[h + 1:]:
            if not below:
                break
            right.update((h, col) for col, v in enumerate(below)
                         if isinstance(v, (int, float)) and not isinstance(v, bool))
    spec = SheetSpec(name=name, rows=board.rows, header_rows=0, freeze_header=False, autofilter=False,
                     column_widths=dict(enumerate((30, 12, 14, 14, 14, 12, 14, 12, 12, 12, 12, 12))),
                     cell_formats=board.formats, bold_rows=frozenset(board.titles + board.headers),
                     right_aligned=frozenset(right), wrap_rows=frozenset(board.headers), charts=board.charts,
                     landscape=True, tab_color="7030A0", owned_columns=owned_columns("dashboard"))
    return spec, board


def dashboard(inputs: Inputs, *, what: str = "dashboard") -> ReportResult:
    """管理看板: the managers' one-page view (xlclient.engine.dashboard) -- overview, tiers,
    whale curve, each AE's clients and visits, pipeline, segment P&L, quadrants, top
    clients -- as plain values with native charts (Dashboard sheet), plus Issues and Log."""
    c = classify(inputs.book, inputs.settings, inputs.calendar, inputs.previous_tiers)
    lang = inputs.language
    sheet, board = dashboard_sheet(inputs, c, owned_sheet_name(inputs.data, "dashboard", lang))
    problems = list(c.problems) + list(inputs.problems)
    counts = c.counts() | {"problems": len(problems), "charts": len(board.charts)}
    others = summaries_made_again(inputs, c, besides=("dashboard",))
    sheets = [
        sheet,
        *others,
        issues_sheet(problems, lang, owned_sheet_name(inputs.data, "issues", lang), inputs.data, inputs.book),
        log_sheet(inputs.data, lang, owned_sheet_name(inputs.data, "log", lang), what,
                  summary_line(counts, lang) + summaries_note(others, lang)),
    ]
    return ReportResult(c, problems, sheets, counts)


#: The sheets that show the classification (分级结果) and summarise it and the plan (客户复盘,
#: 看板): every command that classifies writes those the workbook has again (issue 26: a
#: done visit typed into the plan, a client table edited, a handover -- one story, never
#: yesterday's figures beside today's).
SUMMARY_SHEETS = ("classification", "review", "dashboard")


def summaries_made_again(inputs: Inputs, c: Classification, plan_rows: Sequence[Sequence[Any]] | None = None,
                         besides: Sequence[str] = ()) -> list[SheetSpec]:
    """分级结果, 客户复盘 and 看板 made again from classification ``c`` (and ``plan_rows``,
    the plan sheet about to be written, if the command writes one), for those the workbook
    already has and xlclient wrote, but ``besides`` (the command's own sheet): a command
    brings them up to date in the same write. A sheet of that name that xlclient did not
    write is not touched (it is the people's)."""
    out = []
    for key in SUMMARY_SHEETS:
        if key in besides:
            continue
        grid = inputs.data.sheet(sheet_aliases(key))
        if grid is None or not _looks_owned(grid, key):
            continue
        if key == "classification":
            out.append(classification_sheet(c, grid.name, inputs.data))
        elif key == "review":
            out.append(review_sheet(inputs, c, grid.name)[0])
        else:
            out.append(dashboard_sheet(inputs, c, grid.name, plan_rows)[0])
    return out


def summaries_note(sheets: Sequence[SheetSpec], lang: Language) -> str:
    """The Log's words for the summaries made again ("" when none)."""
    if not sheets:
        return ""
    names = "、".join(f"「{s.name}」" for s in sheets) if lang == "zh" else ", ".join(f"'{s.name}'" for s in sheets)
    return f"；{names}已同步更新" if lang == "zh" else f"; {names} brought up to date"


# ---------------------------------------------------------------- reassign


@dataclass
class ReassignResult:
    """The handover rows added, and the sheets to write (Handover, Classification,
    VisitPlan, Issues, Log)."""

    moves: list[list[Any]]
    problems: list[Problem]
    sheets: list[SheetSpec]
    counts: dict[str, int]


def reassign(inputs: Inputs, departing_owner: str, to_owners: Sequence[str] | None = None, *,
             what: str = "reassign") -> ReassignResult:
    """交接客户: move every client of ``departing_owner`` to ``to_owners`` (default, None:
    every other AE) by capacity; record the moves in the Handover sheet (the client table is
    not changed), then refresh the classification and regenerate the visit plan with the new
    owners (done, cancelled and locked plan rows are kept as they were). Names are trimmed;
    a name that is not an AE of the book (after the Handover sheet), an empty list of
    receivers, the departing AE among them, no one left to take over, or a Handover sheet
    xlclient did not write: JobRefused before anything is computed."""
    from .engine.handover import HANDOVER_COLUMNS, propose_handover

    lang = inputs.language
    zh = lang == "zh"
    handover_name = owned_sheet_name(inputs.data, "handover", lang)  # a foreign 客户交接 sheet: refused here
    departing_owner, takers = _reassign_names(inputs, departing_owner, to_owners)
    handover = inputs.handover
    latest = handover.latest_date() if handover is not None else None
    today = inputs.settings.today()
    if latest is not None and latest > today:  # a new row must be the latest fact, or it might not apply
        raise JobRefused(
            f"计算日期 {today:%Y-%m-%d} 早于「{handover_name}」表中最近一次交接的日期 {latest:%Y-%m-%d}，"
            f"新的交接不会是最新的，未交接，工作簿未改动；请用不早于 {latest:%Y-%m-%d} 的日期（--today 或「设置」的计算日期）",
            f"the date of this run, {today:%Y-%m-%d}, is before the latest handover in the '{handover_name}' sheet "
            f"({latest:%Y-%m-%d}), so the new one would not be the latest; nothing was handed over or written. "
            f"Use a date on or after {latest:%Y-%m-%d} (--today, or the Settings calculation date)")
    c = classify(inputs.book, inputs.settings, inputs.calendar, inputs.previous_tiers)
    moves = propose_handover(c.frame, departing_owner, takers, inputs.settings, inputs.settings.today(), lang)
    rows = [column_headers(HANDOVER_COLUMNS, lang)] + inputs.handover_rows + moves
    _settle_again(inputs, rows, handover_name)
    refreshed = refresh(inputs, what=what)
    planned = plan(inputs, what=what)
    handover_sheet = SheetSpec(name=handover_name, rows=rows,
                               column_widths=dict(enumerate((11, 11, 28, 6, 11, 11, 60))),
                               number_formats={0: "yyyy-mm-dd"}, tab_color="C55A11",
                               owned_columns=owned_columns("handover"))
    receivers: dict[str, int] = {}
    for m in moves:
        receivers[m[5]] = receivers.get(m[5], 0) + 1
    summary = (f"{departing_owner} 的 {len(moves)} 个客户交接给 " + "、".join(f"{k} {v} 个" for k, v in sorted(receivers.items()))
               if zh else f"{len(moves)} clients of {departing_owner} handed over to "
               + ", ".join(f"{k} ({v})" for k, v in sorted(receivers.items())))
    # the plan's sheets but its log (with the summaries made again for the new owners; no
    # plan is made when a field it needs was not read: then Issues alone, and the summaries
    # come from the refresh), and one log line for the whole handover
    summaries = refreshed.sheets[1:-2] if planned.visit_plan is None else []
    made_again = summaries or [sp for sp in planned.sheets if sp.name in {n for k in SUMMARY_SHEETS
                                                                            for n in sheet_aliases(k)}]
    made_again = [sp for sp in made_again if sp.name not in sheet_aliases("classification")]
    if planned.visit_plan is not None:  # the plan was made again: its line, as a plan run writes it
        summary += (f"；拜访计划 {plan_summary_line(planned.visit_plan, planned.counts, lang)}" if zh else
                    f"; visit plan {plan_summary_line(planned.visit_plan, planned.counts, lang)}")
    else:
        summary += f"；{planned.not_made}" if zh else f"; {planned.not_made}"
    log = log_sheet(inputs.data, lang, owned_sheet_name(inputs.data, "log", lang), what,
                    summary + summaries_note(made_again, lang))
    problems = planned.problems
    given = {refreshed.sheets[0].name} | {sp.name for sp in summaries}
    sheets = [handover_sheet, refreshed.sheets[0], *summaries, *(sp for sp in planned.sheets[:-1] if sp.name not in given),
              log]
    counts = {"moved": len(moves), "receivers": len(receivers), "problems": len(problems)}
    return ReassignResult(moves, problems, sheets, counts)


def _settle_again(inputs: Inputs, rows: list[list[Any]], sheet: str) -> None:
    """The owners and the Handover-sheet problems of ``inputs`` as the next run will see
    them, from the client table's owners and the Handover sheet about to be written
    (``rows``, header first, from A1): the new moves apply, and a conflict they settle is
    no longer reported."""
    from .engine.handover import apply_handover, read_handover

    frame = inputs.book.frame
    old = inputs.handover
    table = frame if old is None or old.table_owners is None else frame.assign(owner=old.table_owners)
    after = read_handover(rows, set(frame["client_id"]), sheet=sheet, date1904=inputs.data.date1904)
    settled, problems = apply_handover(table, after)
    inputs.book.frame = frame.assign(owner=settled["owner"])
    gone = {id(p) for p in (old.problems if old is not None else [])}
    inputs.problems = [p for p in inputs.problems if id(p) not in gone] + after.problems + problems
    inputs.handover = after


def _name_key(name: str) -> str:
    """A name compared loosely, to suggest the AE meant: NFKC, no spaces, case folded."""
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _reassign_names(inputs: Inputs, departing: Any, to_owners: Sequence[Any] | None) -> tuple[str, list[str]]:
    """The departing AE and the receivers of a reassign, checked against the AEs of the book
    (after the Handover sheet): trimmed, blanks and repeats dropped; ``to_owners`` None is
    every other AE. JobRefused (in the Settings language) naming what is wrong."""
    lang = inputs.language
    zh = lang == "zh"
    sheet = sheet_name("handover", lang)
    if "owner" in inputs.book.unreadable:  # not "no such AE": the owner column itself could not be read
        problem = next(p for p in inputs.book.problems if p.row is None and p.params.get("field") == "owner")
        raise JobRefused(("无法交接：" if zh else "cannot reassign: ") + problem.message(lang))
    owners = sorted({o.strip() for o in inputs.book.frame["owner"].tolist() if isinstance(o, str) and o.strip()})
    listed = ("、".join(owners) if zh else ", ".join(owners)) or "—"

    def unknown(name: str, role_zh: str, role_en: str) -> JobRefused:
        near = [o for o in owners if _name_key(o) == _name_key(name)]
        hint_zh = f"是否指「{near[0]}」？" if near else ""
        hint_en = f"did you mean '{near[0]}'? " if near else ""
        return JobRefused(f"{role_zh}「{name}」不是客户台账中的客户经理，未交接，工作簿未改动。{hint_zh}现有客户经理：{listed}",
                          f"the {role_en} '{name}' is not an AE of the client book; nothing was handed over or "
                          f"written. {hint_en}AEs found: {listed}")

    departing = str(departing or "").strip()
    if not departing:
        raise JobRefused(f"没有给出要交接的客户经理（姓名为空），未交接，工作簿未改动。现有客户经理：{listed}",
                         f"no departing AE given (the name is empty); nothing was handed over or written. "
                         f"AEs found: {listed}")
    if departing not in owners:
        handover = inputs.handover
        done = {cid: ms for cid, ms in (handover.applied.items() if handover is not None else ())
                if any(m.from_owner == departing for m in ms)}
        if done:  # handed over before: the Handover sheet already applies to every result
            takers = sorted({m.to_owner for ms in done.values() for m in ms if m.from_owner == departing})
            raise JobRefused(
                f"「{departing}」的 {len(done)} 个客户已在「{sheet}」表中交接给{'、'.join(takers)}，无需再次交接",
                f"the {len(done)} clients of '{departing}' were already handed over to {', '.join(takers)} "
                f"(see the {sheet} sheet); nothing to do")
        raise unknown(departing, "要交接的客户经理", "departing AE")
    others = [o for o in owners if o != departing]
    if to_owners is None:
        takers = others
    else:
        takers = list(dict.fromkeys(t for t in (str(x or "").strip() for x in to_owners) if t))
        if not takers:
            raise JobRefused("没有给出接手的客户经理（名单为空），未交接，工作簿未改动；不指定接手人时由其他所有客户经理按容量接手",
                             "no AE named to take over (the list is empty); nothing was handed over or written. "
                             "Name no receivers at all to hand over to every other AE by capacity")
        for t in takers:
            if t == departing:
                raise JobRefused(f"接手人不能是「{departing}」本人，未交接，工作簿未改动",
                                 f"'{departing}' cannot take over their own clients; nothing was handed over or written")
            if t not in owners:
                raise unknown(t, "接手人", "receiver")
    if not takers:
        raise JobRefused(f"「{departing}」是客户台账中唯一的客户经理，没有人可以接手，未交接，工作簿未改动；"
                         f"请先在客户台账中给接手的同事分配客户（至少一个），再交接",
                         f"'{departing}' is the only AE in the client book, so there is no one to hand over to; "
                         f"nothing was written. Give the colleague taking over at least one client in the client "
                         f"table first, then reassign")
    return departing, takers


# ---------------------------------------------------------------- formulas to values


#: The functions whose formula cells ``values`` turns into values (xlclient.udfs.__all__,
#: kept here so that this job does not import xlwings; a test keeps the two equal).
FUNCTIONS: tuple[str, ...] = ("CLIENT_TIER", "CLIENT_QUADRANT", "INTENT_STAGE", "NEXT_VISIT", "VISIT_STATUS",
                              "RFM_SCORE", "RFM_SEGMENT", "PURCHASE_LIKELIHOOD", "CLIENT_REVIEW", "CLIENT_STRATEGY")


def values_language(data: WorkbookData) -> Language:
    """The workbook's language for the values job (which needs no client table): the
    Settings' language, Chinese when the Settings cannot be read."""
    try:
        return load_settings(data).language
    except SettingsError:
        return "zh"


def values_summary(frozen: dict[str, Any], lang: Language) -> str:
    """One line for the Log and the command line: cells turned into values, per sheet."""
    n = sum(f.converted for f in frozen.values())
    left = sum(len(f.left) for f in frozen.values())
    per = ("、".join(f"{s} {f.converted}" for s, f in frozen.items() if f.converted) if lang == "zh" else
           ", ".join(f"{s} {f.converted}" for s, f in frozen.items() if f.converted))
    if lang == "zh":
        return f"xlclient 函数单元格转为数值 {n} 个（{per or '无'}）" + (f"；{left} 个没有可保留的值，仍为公式" if left else "")
    return f"{n} xlclient function cells turned into values ({per or 'none'})" + (
        f"; {left} had no value to keep and stay formulas" if left else "")


def values_problems(frozen: dict[str, Any], lang: Language) -> list[dict[str, Any]]:
    """The cells left as formulas, as problems (sheet, row, column, value, message)."""
    out = []
    for sheet, f in frozen.items():
        for ref, why in f.left:
            m = re.match(r"([A-Z]+)(\d+)", ref)
            text = {("no_value", "zh"): "没有保存的计算结果：请在装有加载项的 Excel 中重新计算（Ctrl+Alt+F9）并保存后再转",
                    ("no_value", "en"): "no saved result: recalculate in Excel with the add-in (Ctrl+Alt+F9), save, "
                                        "then run this again",
                    ("error_value", "zh"): "保存的结果是错误值：请先在装有加载项的 Excel 中改正并重新计算",
                    ("error_value", "en"): "the saved result is an error value: correct it in Excel with the add-in "
                                           "and recalculate first",
                    ("shared_group", "zh"): "与没有结果的单元格共用一个公式，一起保留为公式：请先在装有加载项的 Excel 中重新计算",
                    ("shared_group", "en"): "shares its formula with a cell that has no result, so it stays a formula "
                                            "with it: recalculate in Excel with the add-in first"}[(why, lang)]
            out.append({"sheet": sheet, "row": int(m[2]) if m else None, "column": m[1] if m else ref,
                        "value": None, "message": text, "code": f"values_{why}", "field": None})
    return out
