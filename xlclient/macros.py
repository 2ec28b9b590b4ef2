"""The buttons of the workbook (SPEC 6), run from Excel through xlwings' ``RunPython``.

=========================  ==================  =========================================
button                     VBA macro           Python (this module)
=========================  ==================  =========================================
刷新分级 Refresh            XlClientRefresh     :func:`refresh`
生成拜访计划 Visit plan      XlClientVisitPlan   :func:`plan`
客户复盘 Review             XlClientReview      :func:`review`
管理看板 Dashboard          XlClientDashboard   :func:`dashboard`
交接客户 Reassign           XlClientReassign    :func:`reassign` (departing AE asked by VBA)
=========================  ==================  =========================================

Every button takes the same path as the command line: read the workbook
(:func:`xlclient.xlwings_io.read_workbook_data`), ``jobs.load_inputs``, the job of that name
in :mod:`xlclient.jobs` (looked up when the button is pressed, so a job added later works
at once), then :func:`xlclient.xlwings_io.write_sheets` -- plain values only, all sheets or
none. Progress goes to the status bar (restored at the end); the job's Log sheet gets one
line (who, when, what, counts). On any error nothing stays changed and one message box
says what went wrong, in the Settings language (both languages when the Settings cannot
be read); the Python function then returns normally, so xlwings shows no traceback on top.

Reassign: the VBA macro asks, with ``InputBox``, for the departing AE and (optionally) the
AEs who take over, and passes both as Python string literals escaped to ASCII (``\\uXXXX``),
so Chinese names survive the command line of ``RunPython`` on Windows and AppleScript on Mac.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import xlwings as xw

from . import jobs
from .engine.book import ClientTableNotFound
from .engine.labels import Language
from .engine.settings import SettingsError
from .xlsx.errors import CellValueError, SpecError, XlsxWriteError
from .xlsx.worksheet import SheetSpec
from .xlwings_io import RestoreFailed, calculate_cell, read_workbook_data, recalculate_everything, write_sheets

__all__ = ["refresh", "plan", "review", "dashboard", "reassign", "run_job", "JobOutcome", "BUTTONS"]

# job name -> (Chinese caption, English caption, Log "what" zh, en)
BUTTONS: dict[str, tuple[str, str]] = {
    "refresh": ("刷新分级", "Refresh"),
    "plan": ("生成拜访计划", "Regenerate visit plan"),
    "review": ("客户复盘", "Review"),
    "dashboard": ("管理看板", "Dashboard"),
    "reassign": ("交接客户", "Reassign"),
    "values": ("转为数值", "Formulas to values"),
    "doctor": ("诊断", "Doctor"),
}


# --------------------------------------------------------------------------- the buttons


def refresh() -> None:
    """刷新分级: classify every client; write Classification, Issues and Log."""
    _button("refresh")


def plan() -> None:
    """生成拜访计划: regenerate the visit plan (keeps done, cancelled and locked rows and notes)."""
    _button("plan")


def review() -> None:
    """客户复盘: flag downgrades, drop candidates, churn risks and data problems."""
    _button("review")


def dashboard() -> None:
    """管理看板: the managers' dashboard."""
    _button("dashboard")


def reassign(departing_owner: str | None = None, to_owners: str | None = None) -> None:
    """交接客户: move the clients of ``departing_owner`` to others by capacity.

    ``to_owners``: the AEs who take over, separated by commas (blank: every other AE).
    Both come from the VBA macro's InputBox.
    """
    _button("reassign", departing_owner=departing_owner, to_owners=to_owners)


def values() -> None:
    """转为数值: every cell calling an xlclient function keeps its value (before sharing the
    workbook with colleagues who have no Python); a Log line."""
    with _stderr_kept_out("values"):
        run_values(xw.Book.caller())


def doctor() -> None:
    """诊断: what xlclient needs on this PC and in this workbook, written to the 诊断 sheet."""
    with _stderr_kept_out("doctor"):
        run_doctor(xw.Book.caller())


def _button(name: str, **arguments: Any) -> None:
    """A button's run, with nothing written to stderr while it lasts."""
    with _stderr_kept_out(name):
        run_job(xw.Book.caller(), name, **arguments)


@contextlib.contextmanager
def _stderr_kept_out(name: str) -> Iterator[None]:
    """On a Mac, xlwings shows whatever Python wrote to stderr in a message box after the
    run (xlwings' add-in, Main.bas: ExecuteMac sends the process's stderr to
    ~/xlwings.log and CleanUp, called at Python's exit, shows that file when it is not
    empty). A library's warning or a log line would be a second box after xlclient's own
    message: what the run writes to stderr goes to xlclient's log folder instead. An
    error escaping the run (no message box could be shown) still reaches stderr, and so
    xlwings' box."""
    import io
    import logging
    import warnings

    held = io.StringIO()
    saved = sys.stderr
    handler = logging.StreamHandler(held)
    root = logging.getLogger()
    sys.stderr = held
    root.addHandler(handler)  # log records go here, not to logging's last-resort stderr handler
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")  # shown once, into ``held``
            yield
    finally:
        root.removeHandler(handler)
        sys.stderr = saved
        text = held.getvalue()
        if text.strip():
            from .errorlog import write_text_log

            write_text_log(text, f"button {name}: what was written to stderr")


# --------------------------------------------------------------------------- the shared path


class JobUnavailable(LookupError):
    """This version of xlclient has no job of that name yet."""


class BadArgument(ValueError):
    """A value typed into a prompt is not usable; the message is ready to show."""


@dataclass
class JobOutcome:
    """What a button run did (for tests and callers other than Excel)."""

    job: str
    ok: bool
    message: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    sheets: list[str] = field(default_factory=list)


class StatusBar:
    """Excel's status bar during a run: shows progress, then puts back what was there."""

    def __init__(self, app: Any, title: str):
        self.app, self.title = app, title
        try:
            self.saved = app.status_bar
        except Exception:
            self.saved = False
        if isinstance(self.saved, str) and self.saved.startswith("Running"):
            self.saved = False  # xlwings' own placeholder on Mac, not the user's

    def show(self, text: str) -> None:
        try:
            self.app.status_bar = f"xlclient {self.title}: {text}"
        except Exception:
            pass

    def restore(self) -> None:
        try:
            self.app.status_bar = self.saved if self.saved else False
        except Exception:
            pass


def table_problems_message(problems: Any, lang: Language) -> str:
    """The problems of the client table (a field not found, two columns for one field, many
    unreadable values) as one message for a box; "" when there are none."""
    lines = [p.message(lang) for p in problems if getattr(p, "row", 0) is None]
    if not lines:
        return ""
    head = "已完成，但客户表有以下问题（详见「数据问题」表）：" if lang == "zh" else \
        "Done, but the client table has these problems (see the Issues sheet):"
    return head + "\n\n" + "\n".join("• " + ln for ln in lines)


def run_job(book: Any, name: str, *, alert: Callable[[str, str], Any] | None = None,
            now: dt.datetime | None = None, **arguments: Any) -> JobOutcome:
    """Run the job ``name`` of :mod:`xlclient.jobs` on the open workbook ``book`` and write
    its sheets. Never raises for a failed run: the message is shown (``alert``, default a
    message box) and returned in the outcome; the workbook is as it was."""
    zh, en = BUTTONS.get(name, (name, name))
    lang: Language | None = None
    status = StatusBar(book.app, zh)
    show = alert or (lambda text, title: _alert(book, text, title))
    try:
        status.show("读取工作簿 / reading …")
        data = read_workbook_data(book)
        job = getattr(jobs, name, None)
        if not callable(job):
            raise JobUnavailable(name)
        inputs = jobs.load_inputs(data)
        lang = inputs.language
        status.show("计算中 …" if lang == "zh" else "computing …")
        kwargs = _job_arguments(job, inputs, name, arguments, lang)
        result = job(inputs, **kwargs)
        _stamp_log(result, now)
        status.show("写入 …" if lang == "zh" else "writing …")
        write_sheets(book, result.sheets, progress=lambda text: status.show(("写入 " if lang == "zh" else "writing ")
                                                                            + text))
        if name == "refresh":
            # Settings and Holidays reach the functions as hidden arguments, which Excel does
            # not see as precedents: after a change there, only a full recalculation
            # brings every formula up to date
            recalculate_everything(book)
        counts = dict(getattr(result, "counts", {}) or {})
        message = table_problems_message(getattr(result, "problems", []), lang or "zh")
        if message:  # the run wrote what it could; what it could not read must not pass unseen
            title = "xlclient " + (zh if lang == "zh" else en)
            try:
                show(message, title)
            except Exception:
                pass
        return JobOutcome(name, True, message, counts, [s.name for s in result.sheets])
    except Exception as error:  # every failure becomes one readable message
        log = None
        if not isinstance(error, (SettingsError, ClientTableNotFound, JobUnavailable, BadArgument, XlsxWriteError,
                                  jobs.JobRefused)):
            # a bug: its details go to a log file, never to stderr (xlwings would show them
            # in a second box on a Mac)
            from .errorlog import write_error_log

            log = write_error_log(error, f"button {name} in {getattr(book, 'fullname', '?')}")
        message = error_message(error, lang, zh if lang != "en" else en, log)
        title = "xlclient " + (zh if lang == "zh" else en if lang == "en" else f"{zh} / {en}")
        try:
            show(message, title)
        except Exception:
            raise error  # no message box: let xlwings show the traceback instead
        return JobOutcome(name, False, message)
    finally:
        status.restore()


def run_values(book: Any, *, alert: Callable[[str, str], Any] | None = None,
               now: dt.datetime | None = None) -> JobOutcome:
    """The 转为数值 button on ``book`` (see :func:`~xlclient.xlwings_io.formulas_to_values`):
    the cells, then a Log line, then one message with what was done and what was not."""
    from .xlwings_io import formulas_to_values

    status = StatusBar(book.app, "转为数值")
    show = alert or (lambda text, title: _alert(book, text, title, mode="info"))
    lang: Language | None = None
    try:
        status.show("转为数值 / formulas to values …")
        frozen = formulas_to_values(book, jobs.FUNCTIONS)
        data = read_workbook_data(book)  # read once, after the cells became values
        lang = jobs.values_language(data)
        summary = jobs.values_summary(frozen, lang)
        log = jobs.log_sheet(data, lang, jobs.owned_sheet_name(data, "log", lang), "values", summary,
                             when=now)
        if any(f.converted for f in frozen.values()):
            write_sheets(book, [log])
        left = jobs.values_problems(frozen, lang)
        lines = [summary] + [f"{p['sheet']}!{p['column']}{p['row']}：{p['message']}" if lang == "zh" else
                             f"{p['sheet']}!{p['column']}{p['row']}: {p['message']}" for p in left[:10]]
        show("\n".join(lines), "xlclient " + ("转为数值" if lang == "zh" else "Formulas to values"))
        return JobOutcome("values", True, "\n".join(lines), {"converted": sum(f.converted for f in frozen.values()),
                                                             "left": len(left)}, [log.name])
    except Exception as error:  # one readable message, as for every button
        return _failed(book, "values", error, lang, show, ("转为数值", "Formulas to values"))
    finally:
        status.restore()


def run_doctor(book: Any, *, alert: Callable[[str, str], Any] | None = None) -> JobOutcome:
    """The 诊断 button: this PC's checks (xlclient.doctor) and what only Excel shows -- the
    button itself, the workbook's names, ``=CLIENT_TIER(1,{1,2})`` computed in a cell of the
    诊断 sheet -- written to that sheet, with one message."""
    from . import doctor as dr

    status = StatusBar(book.app, "诊断")
    show = alert or (lambda text, title: _alert(book, text, title, mode="info"))
    lang: Language | None = None
    try:
        status.show("诊断 / doctor …")
        data = read_workbook_data(book)
        lang = jobs.values_language(data)
        name = jobs.owned_sheet_name(data, "doctor", lang)
        probe = dr.DOCTOR_HEADERS[lang]
        write_sheets(book, [SheetSpec(name=name, rows=[list(probe)], autofilter=False)])
        sheet = next(s for s in book.sheets if s.name == name)
        cell = sheet.range((1, 5))
        cell.formula = "=CLIENT_TIER(1,{1,2})"  # computed by this workbook's functions, as a user's formula
        calculate_cell(cell)  # that cell only: a full recalculation of a big book could take minutes
        result = cell.value
        cell.value = None
        checks = dr.run_checks(None, lang) + dr.excel_checks(book, lang, result)
        rows = dr.report_rows(checks, lang)
        write_sheets(book, [dr.report_sheet(name, rows)])
        problems = sum(c.status == dr.PROBLEM for c in checks)
        title = "xlclient " + ("诊断" if lang == "zh" else "Doctor")
        show(rows[-1][0] + ("\n" + "\n".join(f"{c.name}: {c.detail}" for c in checks if c.status == dr.PROBLEM)
                            if problems else ""), title)
        return JobOutcome("doctor", True, rows[-1][0], {"problems": problems}, [name])
    except Exception as error:
        return _failed(book, "doctor", error, lang, show, ("诊断", "Doctor"))
    finally:
        status.restore()


def _failed(book: Any, name: str, error: BaseException, lang: Language | None, show: Callable[[str, str], Any],
            titles: tuple[str, str]) -> JobOutcome:
    """One readable message for a failed button; a bug's details go to a log file."""
    log = None
    if not isinstance(error, (SettingsError, XlsxWriteError, jobs.JobRefused)):
        from .errorlog import write_error_log

        log = write_error_log(error, f"button {name} in {getattr(book, 'fullname', '?')}")
    zh, en = titles
    message = error_message(error, lang, zh if lang != "en" else en, log)
    try:
        show(message, "xlclient " + (zh if lang == "zh" else en if lang == "en" else f"{zh} / {en}"))
    except Exception:
        raise error
    return JobOutcome(name, False, message)


def _job_arguments(job: Callable, inputs: jobs.Inputs, name: str, given: dict[str, Any],
                   lang: Language) -> dict[str, Any]:
    """Keyword arguments for the job: the Log's "what" and, for reassign, the checked names."""
    params = inspect.signature(job).parameters
    kwargs: dict[str, Any] = {}
    if "what" in params:
        kwargs["what"] = ("{} (Excel)" if lang == "en" else "{}（Excel 按钮）").format(
            BUTTONS[name][1 if lang == "en" else 0] if name in BUTTONS else name)
    if name == "reassign":
        owners = _owners(inputs)
        leaving = _clean(given.get("departing_owner"))
        if not leaving:
            raise BadArgument("请输入要交接的客户经理姓名。" if lang == "zh" else "Type the name of the departing AE.")
        if leaving not in owners:
            raise BadArgument(_unknown_owner(leaving, owners, lang))
        takers = [t for t in (_clean(x) for x in re.split(r"[,，;；、/\s]+", given.get("to_owners") or "")) if t]
        for t in takers:
            if t not in owners:
                raise BadArgument(_unknown_owner(t, owners, lang))
            if t == leaving:
                raise BadArgument(f"接手人不能是 {leaving} 本人。" if lang == "zh" else
                                  f"{leaving} cannot take over their own clients.")
        kwargs["departing_owner"] = leaving
        kwargs["to_owners"] = takers or None
    else:
        kwargs.update({k: v for k, v in given.items() if k in params})
    return kwargs


def _clean(text: Any) -> str:
    """A name typed into a VBA InputBox: surrogate pairs joined, spaces trimmed."""
    if text is None:
        return ""
    s = str(text)
    try:
        s = s.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeError:
        pass
    return s.strip()


def _owners(inputs: jobs.Inputs) -> list[str]:
    frame = inputs.book.frame
    if "owner" not in frame:
        return []
    return sorted({str(o).strip() for o in frame["owner"].dropna() if str(o).strip()})


def _unknown_owner(name: str, owners: list[str], lang: Language) -> str:
    known = "、".join(owners) if owners else "—"
    if lang == "zh":
        return f"客户台账里没有客户经理「{name}」。现有客户经理：{known}"
    return f"No AE named '{name}' in the client book. AEs found: {', '.join(owners) or '-'}"


def _stamp_log(result: Any, now: dt.datetime | None) -> None:
    """Tests pin the Log line's time; in Excel the job's own clock is used."""
    if now is None:
        return
    for spec in getattr(result, "sheets", []):
        if spec.name in jobs.sheet_aliases("log") and len(spec.rows) > 1:
            spec.rows[-1][0] = now


def error_message(error: BaseException, lang: Language | None, title: str, log: Any = None) -> str:
    """The text of the message box for a failed run (``log``: where an unexpected error's
    details were written)."""
    zh = lang == "zh"
    both = lang is None
    unchanged = ("工作簿未作任何改动。" if zh else "The workbook was not changed." if not both else
                 "工作簿未作任何改动。/ The workbook was not changed.")
    if isinstance(error, RestoreFailed):
        return str(error)
    if isinstance(error, SettingsError):
        head = ("「设置」表有误，未做任何计算：" if zh else "Settings refused, nothing computed:" if not both else
                "「设置」表有误 / Settings refused:")
        return head + "\n  " + "\n  ".join(error.errors) + "\n" + unchanged
    if isinstance(error, ClientTableNotFound):
        return f"{error}\n{unchanged}"
    if isinstance(error, JobUnavailable):
        return (f"「{title}」需要新版 xlclient（缺少任务 {error.args[0]}）。请升级：pip install -U xlclient\n{unchanged}"
                if zh or both else
                f"'{title}' needs a newer xlclient (no job '{error.args[0]}'); upgrade with pip install -U xlclient.\n"
                f"{unchanged}")
    if isinstance(error, BadArgument):
        return f"{error}\n{unchanged}"
    if isinstance(error, (CellValueError, SpecError)):
        return f"{error}\n{unchanged}"
    if isinstance(error, XlsxWriteError):
        return error.message("en" if lang == "en" else "zh")
    if isinstance(error, jobs.JobRefused):
        return error.message("en" if lang == "en" else "zh")
    kind = type(error).__name__
    where = f"\n详细信息：{log}" if log and (zh or both) else f"\nDetails: {log}" if log else ""
    if zh or both:
        return f"xlclient 运行出错（{kind}: {error}）。\n{unchanged}{where}\n请把此信息（及上述文件）发给负责 xlclient 的同事。"
    return (f"xlclient failed ({kind}: {error}).\n{unchanged}{where}\nPlease send this message (and that file) to "
            f"whoever looks after xlclient.")


def _alert(book: Any, text: str, title: str, mode: str = "critical") -> None:
    book.app.alert(text, title=title, mode=mode)
