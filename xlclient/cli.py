"""The ``xlclient`` command line (SPEC 7): the same engine as the Excel buttons, on a
workbook file, on any OS.

Exit codes: 0 success, 1 data problems found (the job still ran and wrote what it could),
2 failure (nothing written). ``--json`` prints one JSON object on stdout (progress goes to
stderr). Labels and messages follow the workbook's Settings language.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import json
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__

if TYPE_CHECKING:
    from .engine.labels import Language
    from .jobs import Inputs
    from .xlsx.reader import WorkbookData


_LAZY = ("ClientTableNotFound", "SettingsError", "JobRefused", "check", "dashboard", "init_workbook", "load_inputs",
         "plan", "problems_as_dicts", "reassign", "refresh", "review", "summary_line", "XlsxWriteError")


def _import_engine() -> None:
    """Import what the commands use (pandas, numpy, scipy come with it: about half a
    second) once the arguments are parsed, so that ``--version`` and ``--help`` answer at
    once (issue 15). A name already set (a test's stand-in) is left as it is."""
    from .engine.book import ClientTableNotFound
    from .engine.settings import SettingsError
    from .jobs import (JobRefused, check, dashboard, init_workbook, load_inputs, plan, problems_as_dicts, reassign,
                       refresh, review, summary_line)
    from .xlsx.errors import XlsxWriteError

    found = locals()
    for name in _LAZY:
        globals().setdefault(name, found[name])


#: Commands that read the workbook before anything else, and those of them that fit the
#: purchase-likelihood model (scipy): their imports are made while the workbook is read.
_READ_FIRST = frozenset({"check", "refresh", "plan", "review", "dashboard", "reassign", "init"})
_FITS = frozenset({"refresh", "plan", "review", "dashboard", "reassign"})
_PREFETCH: dict[str, Any] = {}  # "wanted": fit or not; "calendar": build its tables; "thread"; "error": what it raised


def _prefetch_engine(fit: bool, calendar: bool = False) -> None:
    """Have the engine (pandas, numpy, holidays; scipy's optimiser when the command fits the
    likelihood model) imported in a background thread while :func:`_open` reads the
    workbook: python-calamine parses without holding the GIL, so ~0.6 s of imports cost
    little on a big book (issue 15). The thread starts when calamine does
    (:func:`_begin_imports`): started earlier, it would slow the file checks before, which
    need the GIL. What reading needs is imported here, in this thread, so the two threads
    never import one module at once; :func:`_engine_ready` joins before anything else is
    used. With ``calendar``, the working calendar's base tables are built there too."""
    from .xlsx import diagnose, errors, reader, session  # noqa: F401 - the reading modules, this thread

    _PREFETCH["wanted"] = fit
    _PREFETCH["calendar"] = calendar


def _begin_imports() -> None:
    """Start the imports :func:`_prefetch_engine` asked for (once)."""
    if "wanted" not in _PREFETCH:
        return
    fit = _PREFETCH.pop("wanted")
    calendar = _PREFETCH.pop("calendar", False)

    def work() -> None:
        try:
            _import_engine()
            if fit:
                import scipy.optimize  # noqa: F401
                import scipy.special  # noqa: F401
        except BaseException as e:  # noqa: BLE001 - raised again in the main thread
            _PREFETCH["error"] = e
            return
        if calendar:
            from .engine.calendar import prepare_default_years

            try:
                prepare_default_years()
            except Exception:  # noqa: BLE001 - the main thread builds it again and reports what fails
                pass

    thread = threading.Thread(target=work, name="xlclient-imports", daemon=True)
    _PREFETCH["thread"] = thread
    thread.start()


def _engine_ready() -> None:
    """The engine imported (waiting for :func:`_prefetch_engine`'s thread if one runs)."""
    _PREFETCH.pop("wanted", None)  # never started (the run stopped before reading)
    _PREFETCH.pop("calendar", None)
    thread = _PREFETCH.pop("thread", None)
    if thread is not None:
        thread.join()
    error = _PREFETCH.pop("error", None)
    if error is not None:
        raise error
    _import_engine()


def __getattr__(name: str) -> Any:
    """``xlclient.cli.plan`` and the others, imported on first use."""
    if name in _LAZY:
        _engine_ready()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

EXIT_OK, EXIT_PROBLEMS, EXIT_FAILURE = 0, 1, 2


class Failure(Exception):
    """A run that could not be done; the message says why and nothing was written."""


class Reporter:
    """Progress on stderr, results on stdout (human text, or one JSON object)."""

    def __init__(self, json_mode: bool, quiet: bool = False):
        self.json_mode = json_mode
        self.quiet = quiet
        self.started = time.perf_counter()
        self.lang: Language = "zh"  # the workbook's Settings language once read (zh before)
        self.held = contextlib.ExitStack()  # the run's lock on its workbook, released at exit
        self.written: Path | None = None  # the file this run wrote, once it has

    def progress(self, text: str) -> None:
        if not self.quiet:
            print(f"[{time.perf_counter() - self.started:5.1f}s] {text}", file=sys.stderr, flush=True)

    def step(self, zh: str, en: str) -> None:
        """Progress in the workbook's language (known once it is read)."""
        self.progress(zh if self.lang == "zh" else en)

    def say(self, text: str = "") -> None:
        if not self.json_mode:
            print(text)

    def warn(self, text: str) -> None:
        """What must not pass unseen (a field of the client table not read): on stderr, always."""
        print(text, file=sys.stderr, flush=True)


def _seconds(text: str) -> float:
    """--wait: seconds from 0 to an hour (NaN or infinity would wait for ever)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"应为 0 到 3600 之间的秒数，而不是 {text!r} / "
                                         f"expected seconds from 0 to 3600, got {text!r}")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"应为日期，如 2026-11-23，而不是 {text!r} / "
                                         f"expected a date like 2026-11-23, got {text!r}") from e


def _open(path: Path, args: argparse.Namespace, rep: Reporter) -> WorkbookData:
    """Read the workbook once, for the whole run. A command that writes first takes
    xlclient's lock on the file it will write (another run on it is waited for, then
    refused), so that what is read here is what the write replaces: the writer checks
    that nobody saved the file since (see xlclient.xlsx.session)."""
    # only the reading modules (no pandas): the engine may still be importing meanwhile
    from .xlsx.diagnose import diagnose
    from .xlsx.errors import XlsxWriteError
    from .xlsx.reader import WorkbookUnreadable, read_workbook
    from .xlsx.session import RunLock, check_copy_target, real_path, require_file, take_snapshot

    rep.progress(f"读取 / reading {path.name} …")  # the book's language is not known before
    try:
        require_file(path)  # a folder, a pipe, a device: said before anything waits on it
        out = getattr(args, "out", None)
        if out is not None and real_path(out) != real_path(path):
            check_copy_target(out)  # never over a file this run did not read (SPEC 8)
        if out is not None or getattr(args, "writes", False):
            target = out if out is not None else path
            if getattr(args, "writes", False) and out is None:
                from .xlsx.safewrite import check_not_locked

                check_not_locked(target)  # open in Excel or LibreOffice: said now, not after the work
            rep.held.enter_context(RunLock(target, wait=getattr(args, "wait", 60.0)))
        snapshot = take_snapshot(path)
    except XlsxWriteError as e:  # before the book's language is known: both
        raise Failure(_in_both(e)) from e
    # A damaged or foreign file is named in words a user can act on, before anything is
    # read from it (a corrupt part would otherwise be copied into the new file).
    found = diagnose(snapshot.data, path.name)
    if found.code != "ok":  # the Settings language is not known yet: both
        raise Failure(found.both(path.name))
    _begin_imports()  # while calamine parses
    try:
        data = read_workbook(snapshot)
    except WorkbookUnreadable as e:
        from .xlsx.diagnose import damaged_part

        damaged = damaged_part(snapshot.data)  # a part that is not well-formed XML, named
        raise Failure(damaged.both(path.name) if damaged is not None else str(e)) from e
    _engine_ready()
    return data


def _in_both(e: Any) -> str:
    """An error's message in both languages, for a run that stops before it has read the
    workbook's Settings language (as :func:`~xlclient.xlsx.diagnose.diagnose` says it)."""
    zh, en = e.message("zh"), e.message("en")
    return zh if zh == en else f"{zh}\n{en}"


def _load(path: Path, args: argparse.Namespace, rep: Reporter) -> Inputs:
    data = _open(path, args, rep)
    try:
        inputs = load_inputs(data, today=getattr(args, "today", None), table=getattr(args, "table", None))
    except SettingsError as e:
        raise Failure("设置有误，未做任何计算 / settings refused, nothing computed:\n  " + "\n  ".join(e.errors)) from e
    except ClientTableNotFound as e:
        raise Failure(str(e)) from e
    rep.lang = inputs.language
    _warn_table_problems(rep, inputs)
    return inputs


def _warn_table_problems(rep: Reporter, inputs: Inputs) -> None:
    """Problems of the client table (a field not found, two columns for one field, many
    unreadable values) go to stderr whatever the mode: results depend on them."""
    lang = inputs.language
    for p in inputs.book.problems:
        if p.row is None:
            rep.warn(f"注意：{p.sheet}：{p.message(lang)}" if lang == "zh" else f"Warning: {p.sheet}: {p.message(lang)}")


def _write(src: Path, out: Path | None, sheets: list, rep: Reporter, backups: int = 5,
           defined_names: dict[str, str] | None = None, data: WorkbookData | None = None) -> Path:
    target = out or src
    rep.step(f"写入 {target.name} …", f"writing {target.name} …")
    from .xlsx.owned import write_owned_sheets  # not imported by a command that writes nothing

    try:
        write_owned_sheets(src, sheets, out, backups=backups, defined_names=defined_names,
                           snapshot=data.snapshot if data is not None else None)
    except XlsxWriteError as e:
        raise Failure(e.message(rep.lang)) from e
    except OSError as e:
        raise Failure(f"无法写入 {target}：{e}；工作簿未改动" if rep.lang == "zh" else
                      f"cannot write {target}: {e}; the workbook was not changed") from e
    rep.written = target
    return target  # as the user named it (a link stays a link; the real file was replaced)


def _print_problems(rep: Reporter, problems: list[dict[str, Any]], lang: Language, limit: int = 20, *,
                    in_sheet: bool = True) -> None:
    """The first ``limit`` problems, and where the others are: the Issues sheet the command
    wrote (``in_sheet``; a sheet lists as many as it holds), else ``--json`` only."""
    if not problems:
        return
    rep.say(("数据问题（共 {n} 个）：" if lang == "zh" else "Data problems ({n}):").format(n=len(problems)))
    for p in problems[:limit]:
        if p["row"] is None:  # a problem of the table, not of a cell
            rep.say(f"  {p['sheet']}（整表）：{p['message']}" if lang == "zh" else f"  {p['sheet']} (table): {p['message']}")
            continue
        where = f"{p['sheet']}!{p['column']} 第{p['row']}行" if lang == "zh" else f"{p['sheet']} row {p['row']}, {p['column']}"
        rep.say(f"  {where}: {p['value']!r} — {p['message']}")
    if len(problems) <= limit:
        return
    more = len(problems) - limit
    from .engine.grid import SHEET_ROWS

    if not in_sheet:  # check, values: nothing written
        rep.say(f"  … 另有 {more:,} 个（--json 列出全部）" if lang == "zh" else f"  … {more:,} more (--json lists all)")
    elif len(problems) > SHEET_ROWS - 1:
        listed = SHEET_ROWS - 2
        rep.say(f"  … 另有 {more:,} 个；「数据问题」表列出前 {listed:,} 个（工作表行数的上限），--json 列出全部"
                if lang == "zh" else
                f"  … {more:,} more; the Issues sheet lists the first {listed:,} (a sheet's limit), --json all")
    else:
        rep.say(f"  … 另有 {more:,} 个，见「数据问题」表" if lang == "zh" else f"  … {more:,} more in the Issues sheet")


def _finish(rep: Reporter, payload: dict[str, Any], problems: list[dict[str, Any]]) -> int:
    code = EXIT_PROBLEMS if problems else EXIT_OK
    if rep.json_mode:
        print(json.dumps({**payload, "problems": problems, "exit_code": code}, ensure_ascii=False, default=str))
    return code


# ---------------------------------------------------------------- commands


def cmd_check(args: argparse.Namespace, rep: Reporter) -> int:
    inputs = _load(args.workbook, args, rep)
    rep.step("检查与分级 …", "checking and classifying …")
    _, found_problems, counts = check(inputs, likelihood=False)  # check shows no likelihood
    lang = inputs.language
    problems = problems_as_dicts(found_problems, lang)
    book = inputs.book
    for line in book.reading.report_lines(lang):
        rep.say(line)
    rep.say(summary_line(counts, lang))
    _print_problems(rep, problems, lang, in_sheet=False)
    return _finish(rep, {"command": "check", "workbook": str(args.workbook), "counts": counts,
                         "reading": book.reading.as_dict(),
                         "client_table": {"sheet": book.sheet, "table": book.table, "header_row": book.header_row,
                                          "columns": {f: m.header for f, m in book.columns.items()}}}, problems)


def cmd_refresh(args: argparse.Namespace, rep: Reporter) -> int:
    inputs = _load(args.workbook, args, rep)
    rep.step("分级 …", "classifying …")
    result = refresh(inputs)
    written = _write(args.workbook, args.out, result.sheets, rep, data=inputs.data)
    lang = inputs.language
    problems = problems_as_dicts(result.problems, lang)
    rep.say(inputs.book.reading.one_line(lang))
    rep.say(summary_line(result.counts, lang))
    rep.say((f"已写入：{written}（{'、'.join(s.name for s in result.sheets)}）" if lang == "zh" else
             f"Written: {written} ({', '.join(s.name for s in result.sheets)})"))
    if result.classification.provisional_years:
        years = ", ".join(map(str, result.classification.provisional_years))
        rep.say(f"注意：{years} 年的官方放假安排尚未公布（或不在内置日历数据中），相关日期为暂定。" if lang == "zh" else
                f"Note: the official holiday schedule of {years} is not yet published (or not in the built-in "
                f"calendar data); those dates are provisional.")
    _print_problems(rep, problems, lang)
    return _finish(rep, {"command": "refresh", "workbook": str(args.workbook), "written": str(written),
                         "sheets": [s.name for s in result.sheets], "counts": result.counts,
                         "likelihood_method": result.classification.likelihood_method,
                         "provisional_years": result.classification.provisional_years,
                         "reading": inputs.book.reading.as_dict()}, problems)


def cmd_plan(args: argparse.Namespace, rep: Reporter) -> int:
    inputs = _load(args.workbook, args, rep)
    if args.weeks is not None and not 1 <= args.weeks <= 52:
        zh = rep.lang == "zh"
        raise Failure(f"--weeks 应在 1 到 52 之间，而不是 {args.weeks}；未写入任何内容" if zh else
                      f"--weeks must be between 1 and 52, got {args.weeks}; nothing was written")
    rep.step("分级与排期 …", "classifying and planning …")
    try:
        result = plan(inputs, start=args.start, weeks=args.weeks)
    except JobRefused as e:
        raise Failure(str(e)) from e
    written = _write(args.workbook, args.out, result.sheets, rep, data=inputs.data)
    lang = inputs.language
    vp = result.visit_plan
    zh = lang == "zh"
    problems = problems_as_dicts(result.problems, lang)
    if vp is None:
        rep.say(result.not_made)
        _print_problems(rep, problems, lang)
        return _finish(rep, {"command": "plan", "workbook": str(args.workbook), "written": str(written),
                             "plan_made": False, "reason": result.not_made, "counts": result.counts,
                             "reading": inputs.book.reading.as_dict()}, problems)
    rep.say(inputs.book.reading.one_line(lang))
    rep.say((f"拜访计划 {vp.start:%Y-%m-%d} 至 {vp.end:%Y-%m-%d}，已写入 {written}" if zh else
             f"Visit plan {vp.start:%Y-%m-%d} to {vp.end:%Y-%m-%d}, written to {written}"))
    rep.say(_columns(vp.summary_table(lang)))
    c = result.counts
    where = ""
    if c["unscheduled"]:
        sheet = result.sheets[1].name  # the 未安排 sheet, after the plan's
        where = f"（见「{sheet}」表）" if zh else f" (listed on the '{sheet}' sheet)"
    rep.say((f"新排 {c['planned']} 项，保留已完成/已取消/锁定 {c['kept']} 项，未安排 {c['unscheduled']} 项{where}" if zh else
             f"Planned {c['planned']}, kept {c['kept']} done/cancelled/locked rows, unscheduled {c['unscheduled']}"
             f"{where}"))
    for line in vp.shortfall_lines(lang):
        rep.say(("容量不足：" if zh else "Capacity short: ") + line)
    if vp.provisional:
        rep.say(("注意：" if zh else "Note: ") + vp.notice(lang))
    _print_problems(rep, problems, lang)
    return _finish(rep, {"command": "plan", "workbook": str(args.workbook), "written": str(written),
                         "start": vp.start.isoformat(), "end": vp.end.isoformat(), "counts": c,
                         "provisional_years": vp.provisional_years, "plan_made": True,
                         "reading": inputs.book.reading.as_dict(),
                         "owners": {(o or ""): s.as_dict() for o, s in vp.summary.items()}}, problems)


def _columns(table: list[list[Any]]) -> str:
    """A table for the terminal, each column as wide as its widest cell as a terminal shows
    it (a Chinese character takes two columns: wcwidth), numbers to the right."""
    from wcwidth import wcswidth

    cells = [[str(v) for v in row] for row in table]
    widths = [max(max(wcswidth(r[i]), 0) for r in cells) for i in range(len(cells[0]))]
    right = [all(isinstance(r[i], (int, float)) for r in table[1:]) for i in range(len(cells[0]))]
    lines = []
    for row in cells:
        pads = [" " * (w - max(wcswidth(v), 0)) for v, w in zip(row, widths)]
        lines.append("  " + "  ".join(p + v if r else v + p for v, p, r in zip(row, pads, right)).rstrip())
    return "\n".join(lines)


def _report(args: argparse.Namespace, rep: Reporter, name: str) -> int:
    inputs = _load(args.workbook, args, rep)
    job: Callable = {"review": review, "dashboard": dashboard}[name]  # imported by now (while reading)
    rep.step("分级 …", "classifying …")
    result = job(inputs)
    written = _write(args.workbook, args.out, result.sheets, rep, data=inputs.data)
    lang = inputs.language
    problems = problems_as_dicts(result.problems, lang)
    rep.say((f"已写入：{written}（{'、'.join(s.name for s in result.sheets)}）" if lang == "zh" else
             f"Written: {written} ({', '.join(s.name for s in result.sheets)})"))
    rep.say(result.sheets[-1].rows[-1][3])  # the Log line just written
    _print_problems(rep, problems, lang)
    return _finish(rep, {"command": name, "workbook": str(args.workbook), "written": str(written),
                         "sheets": [s.name for s in result.sheets], "counts": result.counts,
                         "reading": inputs.book.reading.as_dict()}, problems)


def cmd_review(args: argparse.Namespace, rep: Reporter) -> int:
    return _report(args, rep, "review")


def cmd_dashboard(args: argparse.Namespace, rep: Reporter) -> int:
    return _report(args, rep, "dashboard")


def cmd_reassign(args: argparse.Namespace, rep: Reporter) -> int:
    inputs = _load(args.workbook, args, rep)
    # names are checked by the job (trimmed, blanks and repeats dropped; "--to ," names no one: refused)
    takers = None if args.to is None else args.to.replace("，", ",").split(",")
    rep.step("交接与排期 …", "handing over and planning …")
    try:
        result = reassign(inputs, args.departing, takers)
    except JobRefused as e:
        raise Failure(e.message(inputs.language)) from e
    written = _write(args.workbook, args.out, result.sheets, rep, data=inputs.data)
    lang = inputs.language
    problems = problems_as_dicts(result.problems, lang)
    rep.say(result.sheets[-1].rows[-1][3])
    rep.say((f"已写入：{written}（{'、'.join(s.name for s in result.sheets)}）" if lang == "zh" else
             f"Written: {written} ({', '.join(s.name for s in result.sheets)})"))
    _print_problems(rep, problems, lang)
    return _finish(rep, {"command": "reassign", "workbook": str(args.workbook), "written": str(written),
                         "counts": result.counts,
                         "moves": [{"client_id": m[1], "from": m[4], "to": m[5]} for m in result.moves]}, problems)


def cmd_init(args: argparse.Namespace, rep: Reporter) -> int:
    data = _open(args.workbook, args, rep)
    lang = args.lang
    rep.lang = lang
    result = init_workbook(data, lang)
    zh = lang == "zh"
    written = None
    if result.sheets:
        written = _write(args.workbook, args.out, result.sheets, rep, defined_names=result.defined_names, data=data)
        added = result.added + result.repaired
        rep.say((f"已添加：{'、'.join(added)} → {written}" if zh else f"Added: {', '.join(added)} → {written}"))
    else:
        rep.say("xlclient 的工作表都已存在，未做更改。" if zh else "All xlclient sheets already exist; nothing changed.")
    if result.client_table:
        rep.say((f"客户表：{result.client_table}；列映射：" if zh else f"Client table: {result.client_table}; columns: ")
                + ", ".join(f"{f}={h}" for f, h in result.columns.items()))
    else:
        rep.say(result.message or "")
    if rep.json_mode:
        print(json.dumps({"command": "init", "workbook": str(args.workbook), "written": str(written) if written else None,
                          "added": result.added, "names_repaired": result.repaired, "client_table": result.client_table, "columns": result.columns,
                          "defined_names": len(result.defined_names), "problems": [], "exit_code": EXIT_OK},
                         ensure_ascii=False))
    return EXIT_OK


def _new_demo_file(out: Path | None, rep: Reporter) -> Path:
    """Where the demo goes: ``--out`` when that names no file yet (never over one), else
    the first free name of xlclient-demo.xlsx, xlclient-demo-2.xlsx, ... here."""
    from .xlsx.errors import XlsxWriteError
    from .xlsx.session import check_copy_target

    try:
        if out is not None:
            check_copy_target(out, ".xlsx")
            return out
        for n in range(1, 1000):
            candidate = Path("xlclient-demo.xlsx" if n == 1 else f"xlclient-demo-{n}.xlsx")
            if not candidate.exists() and not candidate.is_symlink():
                check_copy_target(candidate, ".xlsx")
                return candidate
    except XlsxWriteError as e:
        raise Failure(e.message(rep.lang)) from e
    raise Failure("当前文件夹已有太多演示工作簿，请用 --out 指定文件名 / "
                  "too many demo workbooks here already: name one with --out")


def _make_new(out: Path, make: Callable[[Path], Any]) -> Any:
    """Have ``make`` write a file at a temporary name beside ``out``, then give it the name
    ``out`` only if no file took that name meanwhile (TargetExists otherwise)."""
    import os
    import tempfile

    from .xlsx.safewrite import TEMP_PREFIX, put_new

    fd, name = tempfile.mkstemp(dir=out.parent if str(out.parent) else ".", prefix=TEMP_PREFIX, suffix=".xlsx")
    os.close(fd)
    tmp = Path(name)
    try:
        made = make(tmp)
        put_new(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return made


def cmd_demo(args: argparse.Namespace, rep: Reporter) -> int:
    from .demo import write_demo_workbook

    today = args.today or dt.date.today()
    if not 1 <= args.clients <= 100_000:
        raise Failure(f"--clients 应在 1 到 100000 之间，而不是 {args.clients} / "
                      f"--clients must be between 1 and 100000, not {args.clients}")
    if args.seed < 0:
        raise Failure(f"--seed 应为不小于 0 的整数，而不是 {args.seed} / --seed must be 0 or more, not {args.seed}")
    out = _new_demo_file(args.out, rep)
    rep.progress(f"生成演示工作簿 {out} …")
    planted = _make_new(out, lambda tmp: write_demo_workbook(tmp, n_clients=args.clients, seed=args.seed,
                                                              today=today))
    inputs = _load(out, args, rep)
    rep.step("分级 …", "classifying …")
    result = refresh(inputs, what="demo")
    _write(out, None, result.sheets, rep, backups=0, data=inputs.data)  # a file we just made needs no backup
    c = result.classification.frame
    problems = problems_as_dicts(result.problems, "zh")
    rep.say(f"演示工作簿：{out.resolve()}")
    rep.say(f"  客户台账 {len(c)} 个客户，{c['owner'].nunique()} 位客户经理；已写入「分级结果」「数据问题」「运行日志」三张表")
    rep.say("  " + summary_line(result.counts, "zh"))
    billings = inputs.book.frame["billings"].fillna(0)
    top = c.assign(billings=billings)[c["tier"] == "A"].sort_values(["billings", "key"], ascending=[False, True]).head(5)
    if len(top):
        rep.say("  投放额最高的 A 类重点客户：" + "、".join(
            f"{n}（{o}，{b / 1e4:,.0f}万）" for n, o, b in zip(top["name"], top["owner"], top["billings"])))
    rep.say(f"  预埋的数据问题 {len(planted)} 个，已报告 {len(problems)} 个（见「数据问题」表），例如：")
    for p in problems[:3]:
        rep.say(f"    {p['sheet']} 第{p['row']}行 {p['column']}：{p['value']!r} — {p['message']}")
    rep.say(f"下一步：xlclient plan {out}（生成拜访计划）· xlclient dashboard {out}（管理看板）· "
            f"xlclient check {out} --json")
    if rep.json_mode:
        print(json.dumps({"command": "demo", "workbook": str(out), "counts": result.counts,
                          "planted_problems": len(planted), "problems": problems, "exit_code": EXIT_OK},
                         ensure_ascii=False, default=str))
    return EXIT_OK  # the planted problems are the point of the demo


# ---------------------------------------------------------------- parser


def _both(zh: str, en: str) -> str:
    """Help text in both languages: the command line runs before any workbook's Settings
    language is known."""
    return f"{zh} / {en}"


def cmd_doctor(args: argparse.Namespace, rep: Reporter) -> int:
    """What this PC has for xlclient (xlclient.doctor): a report to send to support."""
    from .doctor import PROBLEM, report_text, run_checks

    lang = args.lang
    checks = run_checks(args.workbook, lang)
    text = report_text(checks, lang)
    if args.report is not None:
        args.report.write_text(text + "\n", encoding="utf-8")
    problems = sum(c.status == PROBLEM for c in checks)
    if rep.json_mode:
        print(json.dumps({"command": "doctor", "checks": [c.as_dict() for c in checks], "problems": [],
                          "exit_code": EXIT_PROBLEMS if problems else EXIT_OK}, ensure_ascii=False))
    else:
        print(text)
    return EXIT_PROBLEMS if problems else EXIT_OK


def cmd_values(args: argparse.Namespace, rep: Reporter) -> int:
    """Every cell calling an xlclient function keeps its saved value only, for sharing the
    workbook with colleagues without Python (see xlclient.xlsx.freeze); a Log line."""
    from .jobs import FUNCTIONS, log_sheet, owned_sheet_name, values_language, values_problems, values_summary
    from .xlsx.owned import build_workbook, write_owned_sheets

    data = _open(args.workbook, args, rep)
    lang = values_language(data)
    rep.lang = lang
    zh = lang == "zh"
    found = build_workbook(data.snapshot.data, [], values_of=FUNCTIONS).frozen  # a dry run: what would change
    converted = sum(f.converted for f in found.values())
    summary = values_summary(found, lang)
    problems = values_problems(found, lang)
    written = None
    if converted:
        log = log_sheet(data, lang, owned_sheet_name(data, "log", lang), "values", summary)
        target = args.out or args.workbook
        rep.step(f"写入 {target.name} …", f"writing {target.name} …")
        try:
            write_owned_sheets(args.workbook, [log], args.out, values_of=FUNCTIONS, snapshot=data.snapshot)
        except XlsxWriteError as e:
            raise Failure(e.message(lang)) from e
        written = target
        rep.say(summary + (f"，已写入 {written}" if zh else f"; written to {written}"))
    else:
        rep.say((summary + "；未做更改" if zh else summary + "; nothing changed") if problems else
                ("工作簿中没有 xlclient 函数公式，未做更改" if zh else "no xlclient function formulas; nothing changed"))
    _print_problems(rep, problems, lang, in_sheet=False)
    return _finish(rep, {"command": "values", "workbook": str(args.workbook),
                         "written": str(written) if written else None,
                         "counts": {"converted": converted, "left": len(problems)},
                         "sheets": {s: f.converted for s, f in found.items()}}, problems)


class _Parser(argparse.ArgumentParser):
    """argparse, with its refusals said in both languages (the workbook's language is not
    known before the command line is understood)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 命令行有误，未做任何处理 / invalid command line, nothing was done: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="xlclient",
        description=_both("广告公司客户分级与拜访计划", "client tiering and visit planning for an agency's Excel client book."),
        epilog=_both("退出码：0 成功，1 发现数据问题（结果已写入），2 失败（未写入任何内容）",
                     "exit codes: 0 success, 1 data problems found (results written), 2 failure (nothing written)."),
    )
    parser.add_argument("--version", action="version", version=f"xlclient {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser, writes: bool) -> None:
        p.add_argument("--json", action="store_true",
                       help=_both("在标准输出打印一个 JSON 对象（数据问题、计数）", "print one JSON object (problems, counts) on stdout"))
        p.add_argument("--quiet", "-q", action="store_true", help=_both("不显示进度", "no progress lines on stderr"))
        p.add_argument("--today", type=_date, metavar="DATE",
                       help=_both("按此日期计算（默认：设置中的日期，否则今天）",
                                  "compute as of this date (default: Settings, else today)"))
        if writes:
            p.add_argument("--out", type=Path, metavar="PATH",
                           help=_both("把结果写到另一个文件，不改动原工作簿", "write a copy to PATH instead of changing the workbook"))
            p.add_argument("--wait", type=_seconds, default=60.0, metavar="SECONDS",
                           help=_both("等待同一工作簿上另一个 xlclient 任务的秒数（默认 60）",
                                      "how long to wait for another xlclient run on the same workbook (default 60)"))
            p.set_defaults(writes=True)

    def with_workbook(name: str, help_text: str, func: Callable, writes: bool) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("workbook", type=Path, metavar="WORKBOOK", help=_both("客户工作簿（.xlsx 或 .xlsm）",
                                                                             ".xlsx or .xlsm client book"))
        p.add_argument("--table", metavar="NAME",
                       help=_both("客户表的 Excel 表格名或工作表名（默认按标题识别）",
                                  "the client table's Excel table or sheet name (default: found by its headers)"))
        common(p, writes)
        p.set_defaults(func=func)
        return p

    demo = sub.add_parser("demo", help=_both("生成演示工作簿并刷新分级", "write a demo workbook and refresh it"),
                          description=_both("生成一个演示工作簿（数百个客户、六位客户经理、预埋的数据问题）并运行刷新分级",
                                            "write a demo workbook (a few hundred clients, six AEs, planted data "
                                            "problems) and run refresh on it; exits 0 when the demo ran"))
    demo.add_argument("--clients", type=int, default=300, help=_both("客户数（默认 300）", "number of clients (default 300)"))
    demo.add_argument("--seed", type=int, default=2026, help=_both("随机种子（默认 2026）", "random seed (default 2026)"))
    common(demo, True)
    demo.set_defaults(func=cmd_demo)

    doctor = sub.add_parser("doctor", help=_both("自检：Python、依赖、xlwings 加载项、信任设置和工作簿，写出可发给支持同事的报告",
                                                 "check this PC: Python, libraries, the xlwings add-in, trust settings "
                                                 "and a workbook; a report to send to support"),
                            description=_both("检查这台电脑上 xlclient 所需的一切，能查的查，查不了的说明原因；不改动工作簿",
                                              "check what xlclient needs on this PC, say what could not be checked and "
                                              "why; the workbook is not changed. Exit 1 when a problem is found"))
    doctor.add_argument("workbook", type=Path, nargs="?", metavar="WORKBOOK",
                        help=_both("要检查的工作簿（可选）", "a workbook to check (optional)"))
    doctor.add_argument("--report", type=Path, metavar="FILE", help=_both("把报告写入文件", "write the report to FILE"))
    doctor.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help=_both("报告的语言（默认 zh）", "the report's language (default zh)"))
    doctor.add_argument("--json", action="store_true", help=_both("打印一个 JSON 对象", "print one JSON object"))
    doctor.set_defaults(func=cmd_doctor, quiet=True)

    values = sub.add_parser("values", help=_both("把 xlclient 函数公式转为数值，便于发给没有 Python 的同事",
                                                 "turn xlclient's function formulas into their values, to share the "
                                                 "workbook with colleagues without Python"),
                            description=_both(
                                "每个调用 xlclient 函数（CLIENT_TIER 等）的单元格只保留上次计算并保存的结果，其他单元格不变；"
                                "没有保存结果或结果为错误值的单元格保留公式并列为问题（退出码 1）",
                                "every cell calling an xlclient function (CLIENT_TIER ...) keeps only the result Excel "
                                "last saved; other cells are untouched; a cell without a saved result, or with an "
                                "error, stays a formula and is listed as a problem (exit 1)"))
    values.add_argument("workbook", type=Path, metavar="WORKBOOK", help=_both("工作簿（.xlsx 或 .xlsm）",
                                                                              ".xlsx or .xlsm workbook"))
    common(values, True)
    values.set_defaults(func=cmd_values)

    p = with_workbook("plan", _both("重新生成每位客户经理的拜访计划（拜访计划表），保留已完成、已取消、锁定的行和所有备注",
                                    "regenerate every AE's visit plan (VisitPlan sheet), keeping done, cancelled and "
                                    "locked rows and every note"), cmd_plan, True)
    p.add_argument("--start", type=_date, metavar="DATE", help=_both("计划第一天（默认今天）", "first day of the plan (default: today)"))
    p.add_argument("--weeks", type=int, metavar="N", help=_both("计划周数（默认：设置，4）", "weeks to plan (default: Settings, 4)"))
    with_workbook("review", _both("客户复盘：降级、建议淘汰、流失风险和数据问题，附原因（客户复盘表）",
                                  "flag downgrades, drop candidates, churn risks and data problems, with reasons "
                                  "(Review sheet)"), cmd_review, True)
    with_workbook("dashboard", _both("管理看板：等级、客户经理、商机、象限、重点客户、计划进度（看板表）",
                                     "the managers' dashboard: tiers, per AE, pipeline, quadrants, top clients, plan "
                                     "progress (Dashboard sheet)"), cmd_dashboard, True)
    r = with_workbook("reassign", _both("把离职客户经理的客户按容量交接给同事（记入客户交接表，不改客户台账），然后刷新分级并重新生成计划",
                                        "hand a departing AE's clients over to colleagues by capacity (Handover sheet; "
                                        "the client table is not changed), then refresh and regenerate the plan"),
                      cmd_reassign, True)
    r.add_argument("--from", dest="departing", required=True, metavar="AE", help=_both("离职的客户经理", "the departing AE"))
    r.add_argument("--to", metavar="AE,AE", help=_both("接手的客户经理（默认：其他所有人）",
                                                       "the AEs who take over (default: every other AE)"))
    init = with_workbook("init", _both("给现有工作簿添加 xlclient 的工作表（设置、节假日、分级结果、拜访计划、数据问题、运行日志），已有的不动",
                                       "attach the xlclient sheets (Settings, Holidays, Classification, VisitPlan, "
                                       "Issues, Log) to an existing workbook; sheets that exist are left alone"),
                         cmd_init, True)
    init.add_argument("--lang", choices=("zh", "en"), default="zh",
                      help=_both("新工作表的语言（默认 zh）", "language of the new sheets (default zh)"))
    with_workbook("check", _both("读取客户台账并报告所有数据问题；不写入任何内容",
                                 "read the client book and report every data problem; writes nothing"), cmd_check, False)
    with_workbook("refresh", _both("为每个客户分级，写入分级结果、数据问题和运行日志表",
                                   "classify every client and write the Classification, Issues and Log sheets"),
                  cmd_refresh, True)
    return parser


def main_failure(rep: Reporter, args: argparse.Namespace, message: str) -> int:
    """Report a run that could not be done (exit 2, nothing written)."""
    if rep.json_mode:
        print(json.dumps({"command": args.command, "error": message, "problems": [], "exit_code": EXIT_FAILURE},
                         ensure_ascii=False))
    print(f"xlclient: {message}", file=sys.stderr)
    return EXIT_FAILURE


class _ClosablePipe:
    """Standard output that a reader who stops early (``xlclient check book | head -1``)
    cannot break: once the pipe is closed, what is printed is dropped and the run goes on
    to its own exit code (a check that found problems still exits 1)."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.broken = False

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                return self.inner.write(text)
            except BrokenPipeError:
                self._drop()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self.inner.flush()
            except BrokenPipeError:
                self._drop()

    def _drop(self) -> None:
        """Nothing more reaches the reader; the interpreter's last flush must not fail either."""
        import os

        self.broken = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.inner.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):  # not a real file (a test's buffer)
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def main(argv: Sequence[str] | None = None) -> int:
    stdout = _ClosablePipe(sys.stdout)
    with contextlib.redirect_stdout(stdout):
        try:
            return _main(argv)
        finally:
            stdout.flush()


def _main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in _READ_FIRST:
        _prefetch_engine(fit=args.command in _FITS, calendar=args.command != "init")
    else:
        _import_engine()
    from .xlsx.errors import XlsxWriteError

    rep = Reporter(getattr(args, "json", False), getattr(args, "quiet", False))
    # A run makes millions of objects that live as long as it does (the cells read, the
    # rows written): the cyclic garbage collector would walk them over and over (0.7 s of a
    # 100,000-client refresh, 7 s of a 1,000,000-client one, issue 15). It rests during the
    # run (reference counting still frees what is let go) and is back when main returns.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with rep.held:
            try:
                return args.func(args, rep)
            finally:
                try:
                    _engine_ready()  # no import left running, whatever happened
                finally:
                    if collecting:
                        gc.enable()
    except Failure as e:
        return main_failure(rep, args, str(e))
    except XlsxWriteError as e:
        return main_failure(rep, args, e.message(rep.lang))
    except KeyboardInterrupt:
        print("xlclient: 已中断，工作簿未改动" if rep.lang == "zh" else "xlclient: interrupted; the workbook was not changed",
              file=sys.stderr)
        return EXIT_FAILURE
    except Exception as e:
        refused = globals().get("JobRefused")  # not there when the engine could not be imported
        if refused is not None and isinstance(e, refused):
            return main_failure(rep, args, e.message(rep.lang))
        return _internal_error(rep, args, argv, e)


def _internal_error(rep: Reporter, args: argparse.Namespace, argv: Sequence[str] | None, e: Exception) -> int:
    """A bug: one sentence for the user, the details in a log file."""
    from .errorlog import write_error_log

    log = write_error_log(e, f"xlclient {' '.join(map(str, argv if argv is not None else sys.argv[1:]))}")
    where = str(log) if log else "-"
    if rep.written is not None:  # the error came after the write: say so, the results are in the file
        state_zh, state_en = f"结果已写入 {rep.written}，之后的报告未完成", f"the results were written to {rep.written}, " \
            f"the report after that did not finish"
    else:
        state_zh, state_en = "工作簿未改动", "the workbook was not changed"
    return main_failure(rep, args, (
        f"内部错误（{type(e).__name__}），{state_zh}；详细信息已写入 {where}，请把该文件发给负责支持的同事。"
        if rep.lang == "zh" else
        f"internal error ({type(e).__name__}); {state_en}. The details are in {where}: "
        f"please send that file to whoever supports you."))


def run(argv: Sequence[str] | None = None) -> int:
    """The ``xlclient`` command (the console script): :func:`main`, then the process ends
    without Python's last sweeps of the cyclic garbage collector over every object the
    engine imported (pandas, numpy: ~0.08 s of a 0.4 s ``check``, issue 15).
    ``gc.freeze()`` moves the objects still alive out of the collector's reach; files,
    ``atexit`` handlers and the modules' own teardown are finished as usual. Tests and other
    callers that go on running use :func:`main`."""
    code = main(argv)
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(run())
