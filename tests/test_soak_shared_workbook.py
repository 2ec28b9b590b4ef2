"""Soak: xlclient runs and other people's saves, randomly interleaved on one workbook.

The requirement (issue 11): "200 random interleavings of xlclient runs and 'saves' by another
process on one workbook; every save and every reported write is in the final file or was
refused out loud; the file always opens" -- and "two runs at once: each either lands with
its Log line or refuses out loud".

The actors, each in its own process (``fork``: imports are paid once):

* **runs**: ``xlclient.cli.main([cmd, book, "--json", "-q", "--wait", w])`` in a pool of
  worker processes, so that several run at once: ``refresh``, ``plan``, ``review``,
  ``dashboard`` (they write), and ``check`` (reads only, takes no lock).  Each run has its
  own login name (``LOGNAME``/``USER`` = ``soak-r017``), which xlclient writes into the Log
  line of its run: a run's line is found by that name.  Between reading the workbook and
  writing it a run "computes" for a random time (the job is wrapped with a sleep, as a
  bigger book would take), so that saves land between its read and its write.
* **a person** saving the workbook, one save after another: the whole file is read,
  opened with openpyxl (it must open), one NEW cell is written (save #k writes row k+2 of
  the person's own sheet 备忘; every fifth save also writes a note beside a client on the
  classification sheet, which xlclient must carry along) and a whole new file is put at
  the path.  Three kinds of save:

  - ``excel``: like Excel, the owner file ``~$name`` exists while the person has the book
    open; the new file is written to a temporary file and renamed over the book;
  - ``sync``: no owner file (another program, a sync client), same atomic rename;
  - ``inplace``: no owner file and the book is overwritten in place, in chunks with pauses
    (some network-drive clients): meanwhile the file at the path is half written.

  Like Excel's "this file was changed since you opened it", a save checks just before it
  writes that the file is still the one it read, and else reads it again and redoes its
  edit (counted): a save never knowingly overwrites a write of xlclient.
* **a reader** (a thread here) opens the file with python-calamine every few milliseconds,
  as a colleague opening the book would: outside an in-place save it must always open.
  (For an instant during each write xlclient has moved the old file aside and the new one
  is not in place yet -- see ``xlclient/xlsx/safewrite.py``, ``_swap_in`` -- so a reader
  may find no file: counted, and the book must be back at once.)

Every change of the file at the path is recorded with the SHA-256 of the file it was based
on and of the file it put there, and its monotonic time (``replace_file``,
``Snapshot.matches_disk``, ``os.rename``/``os.link``/``os.replace`` of the book are
wrapped in the run processes to *observe* them; nothing xlclient does is changed).
Replaying them in time order shows, for each, whether the file at the path was the one it
was built from: xlclient putting its file over a file that was not its snapshot loses a
save (or a run) -- the failure this soak is looking for.

At the end: the file opens with openpyxl and python-calamine; every save's marker is in it
(a missing marker is a lost save); every run that reported ``written`` has its Log line in it
exactly once, with its command, and every run that refused has none; the Log has exactly
the reported writes added; every file xlclient put in place opens; no temporary, aside,
lock or owner file is left; at most 5 backups, each opens.

``bench/soak_shared_workbook.py`` runs longer soaks with several seeds and writes the
figures to ``bench/results/soak_shared_workbook.txt``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import multiprocessing
import os
import random
import re
import shutil
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
import python_calamine

import xlclient.cli as cli
import xlclient.jobs as jobs
import xlclient.xlsx.owned as owned
import xlclient.xlsx.session as session
from xlclient.demo import write_demo_workbook
from xlclient.jobs import LOG_ACTIONS
from xlclient.xlsx.safewrite import BACKUP_DIR, backups_of
from xlclient.xlsx.session import Snapshot

TODAY = "2026-11-20"
MEMO = "备忘"  # the person's own sheet: save #k writes row k + 2
LOG = "运行日志"
CLASSIFICATION = "分级结果"
NOTE_COLUMN = 15  # a free column beside the classification: a person's note on a client
BACKUPS_KEPT = 5
WRITING = ("refresh", "plan", "review", "dashboard")
COMMANDS = (("refresh", 0.5), ("plan", 0.18), ("review", 0.11), ("dashboard", 0.11), ("check", 0.1))
WAITS = ((0.1, 0.25), (1.0, 0.35), (10.0, 0.40))  # --wait seconds, probability
SAVE_KINDS = (("excel", 0.5), ("sync", 0.3), ("inplace", 0.2))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pick(rng: random.Random, choices) -> object:
    x, acc = rng.random(), 0.0
    for value, p in choices:
        acc += p
        if x < acc:
            return value
    return choices[-1][0]


# ---------------------------------------------------------------- the schedule


@dataclass
class Event:
    index: int
    kind: str  # "run" or "save"
    at: float  # seconds after the start
    command: str = ""  # run
    wait: float = 0.0  # run: --wait
    compute: float = 0.0  # run: seconds between its read and its write
    slow_fs: float = 0.0  # run: seconds each step of putting its file in place takes (a slow share)
    save_kind: str = ""  # save: excel / sync / inplace
    edit: float = 0.0  # save: seconds between the person's read and save
    note_row: int | None = None  # save: also a note beside this classification row


def schedule(seed: int, n: int, mean_gap: float = 0.1, save_share: float = 0.33) -> list[Event]:
    rng = random.Random(seed)
    events, at, saves = [], 0.3, 0
    for i in range(n):
        at += rng.expovariate(1 / mean_gap)
        if rng.random() < save_share:
            kind = pick(rng, SAVE_KINDS)
            note = 2 + saves // 5 if saves % 5 == 0 and saves // 5 < 38 else None
            edit = rng.uniform(0, 0.06 if kind == "excel" else 0.12)  # Excel's owner file is there meanwhile
            events.append(Event(i, "save", at, save_kind=kind, edit=edit, note_row=note))
            saves += 1
        else:
            events.append(Event(i, "run", at, command=pick(rng, COMMANDS), wait=pick(rng, WAITS),
                                compute=rng.uniform(0, 0.15),
                                slow_fs=rng.uniform(0, 0.015) if rng.random() < 0.5 else 0.0))
    return events


def run_user(index: int) -> str:
    return f"soak-r{index:03d}"


def save_marker(ev: Event) -> str:
    return f"save #{ev.index:03d} {ev.save_kind}"


# ---------------------------------------------------------------- a run (in a pool worker)

_W: dict = {}  # this worker's state


def _run_worker_init(book: str, log_dir: str, versions: str, blind: bool = False) -> None:
    """Wrap, in this worker process only, what a run does so that it can be observed: the
    job (a sleep before it: the run computes between its read and its write), the write
    (base and new SHA-256, outcome; the new file is kept in ``versions`` to be opened at
    the end), its checks of the file on disk, every rename, link and replace that takes
    the book away or puts a file at its path (monotonic times), and the lock attempts.

    ``blind``: the write is not given the snapshot (a writer that does not check what is
    on disk) -- only to prove that the soak sees what such a writer loses."""
    os.environ["XLCLIENT_LOG_DIR"] = log_dir
    book = os.path.realpath(book)
    _W.update(book=book, compute=0.0, slow_fs=0.0, rec={})

    def computing(job):
        def wrapped(*args, **kwargs):
            time.sleep(_W["compute"])
            return job(*args, **kwargs)
        return wrapped

    for name in WRITING:
        setattr(cli, name, computing(getattr(jobs, name)))

    real_replace_file = owned.replace_file

    def observed_replace_file(target, payload, **kwargs):
        expect = kwargs.get("expect")
        rec = _W["rec"]
        rec["write"] = {"base": expect.digest if isinstance(expect, Snapshot) else None, "new": sha(payload)}
        if blind:
            kwargs["expect"] = None
        try:
            result = real_replace_file(target, payload, **kwargs)
        except BaseException as e:
            rec["write"]["error"] = type(e).__name__
            raise
        rec["write"]["ok"] = True
        Path(versions, rec["write"]["new"] + ".xlsx").write_bytes(payload)
        return result

    owned.replace_file = observed_replace_file

    def fs_event(op: str, src, dst, call):
        """Record an operation that takes the book away or puts a file at its path; on a
        slow share (``slow_fs``) moving the book aside and linking the new file in each
        take a while, so that saves, readers and check runs meet that instant."""
        src, dst = os.fspath(src), os.fspath(dst)
        away, onto = os.path.realpath(src) == book, os.path.realpath(dst) == book
        if not (away or onto):
            return call()
        if away or src.endswith(".tmp"):
            time.sleep(_W["slow_fs"])
        t0 = time.monotonic_ns()
        try:
            result = call()
            ok = "ok"
        except OSError as e:
            ok = type(e).__name__
            raise
        finally:
            _W["rec"].setdefault("fs", []).append(
                {"op": op, "away": away, "from": os.path.basename(src), "ok": ok, "t": (t0, time.monotonic_ns())})
        return result

    real_rename, real_link, real_replace = os.rename, os.link, os.replace
    os.rename = lambda src, dst, *a, **k: fs_event("rename", src, dst, lambda: real_rename(src, dst, *a, **k))
    os.link = lambda src, dst, *a, **k: fs_event("link", src, dst, lambda: real_link(src, dst, *a, **k))
    os.replace = lambda src, dst, *a, **k: fs_event("replace", src, dst, lambda: real_replace(src, dst, *a, **k))

    real_matches_disk = Snapshot.matches_disk

    def counted_matches_disk(self, *args, **kwargs):
        same = real_matches_disk(self, *args, **kwargs)
        _W["rec"]["checks"] = _W["rec"].get("checks", 0) + 1
        return same

    Snapshot.matches_disk = counted_matches_disk

    real_try_lock = session._try_lock

    def counted_try_lock(fd):
        ok = real_try_lock(fd)
        _W["rec"]["lock_tries"] = _W["rec"].get("lock_tries", 0) + 1
        if not ok:
            _W["rec"]["lock_busy"] = _W["rec"].get("lock_busy", 0) + 1
        return ok

    session._try_lock = counted_try_lock


def _run_task(ev: Event) -> dict:
    user = run_user(ev.index)
    os.environ["LOGNAME"] = os.environ["USER"] = user
    _W["compute"], _W["slow_fs"] = ev.compute, ev.slow_fs
    _W["rec"] = rec = {}
    out, err = io.StringIO(), io.StringIO()
    argv = [ev.command, _W["book"], "--today", TODAY, "--json", "-q"]
    if ev.command in WRITING:
        argv += ["--wait", str(ev.wait)]
    start = time.monotonic_ns()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    end = time.monotonic_ns()
    try:
        result = json.loads(out.getvalue())
    except ValueError:
        result = {"unparsable": out.getvalue()[-500:]}
    return {"index": ev.index, "user": user, "command": ev.command, "wait": ev.wait, "code": code,
            "result": {k: v for k, v in result.items() if k in ("written", "error", "exit_code", "counts", "unparsable")},
            "stderr": err.getvalue()[-500:], "start": start, "end": end, **rec}


# ---------------------------------------------------------------- a person saving (one process)

_P: dict = {}


def _person_init(book: str, inplace_seq) -> None:
    _P.update(book=Path(os.path.realpath(book)), seq=inplace_seq)


def _read_stable(path: Path, rec: dict) -> bytes:
    """The file as a person's program reads it: whole, not while it is being written (and
    again a moment later if, for an instant, there is no file at the path)."""
    for _ in range(400):
        try:
            before = os.stat(path)
            data = path.read_bytes()
            after = os.stat(path)
        except FileNotFoundError:
            rec["absent"] = rec.get("absent", 0) + 1
            time.sleep(0.002)
            continue
        if (before.st_ino, before.st_size, before.st_mtime_ns) == (after.st_ino, after.st_size, after.st_mtime_ns) \
                and len(data) == after.st_size:
            return data
        time.sleep(0.005)
    raise RuntimeError("the workbook never stopped changing (or never came back)")


def _bump(seq) -> None:
    with seq.get_lock():
        seq.value += 1


def _save_task(ev: Event) -> dict:
    path: Path = _P["book"]
    marker = save_marker(ev)
    rec = {"index": ev.index, "kind": ev.save_kind, "marker": marker, "note_row": ev.note_row, "retries": 0}
    owner = path.with_name("~$" + path.name)
    rec["start"] = time.monotonic_ns()
    if ev.save_kind == "excel":  # Excel opens the book: its owner file first
        owner.write_bytes(b"\x0csoak-person" + b" " * 40)
        time.sleep(0.02)
    try:
        while True:
            data = _read_stable(path, rec)
            try:
                wb = openpyxl.load_workbook(io.BytesIO(data))
            except Exception as e:  # noqa: BLE001 - the book must always open
                rec["unopenable"] = f"{type(e).__name__}: {e}"[:300]
                time.sleep(0.05)
                rec["retries"] += 1
                if rec["retries"] > 50:
                    return rec
                continue
            wb[MEMO].cell(ev.index + 2, 1, marker)
            wb[MEMO].cell(ev.index + 2, 2, ev.save_kind)
            if ev.note_row is not None:
                wb[CLASSIFICATION].cell(ev.note_row, NOTE_COLUMN, marker)
            time.sleep(ev.edit)
            buf = io.BytesIO()
            wb.save(buf)
            new = buf.getvalue()
            rec.update(base=sha(data), new=sha(new))
            tmp = path.with_name(f".~soak-person-{ev.index}{path.suffix}")
            if ev.save_kind in ("excel", "sync"):
                with open(tmp, "wb") as f:
                    f.write(new)
                    f.flush()
                    os.fsync(f.fileno())
            else:
                _bump(_P["seq"])  # odd: a half-written file may be at the path
            # "this file was changed since you opened it": read it again and redo the edit.
            # From this check to the rename is as short as xlclient's own check to its rename.
            checked = time.monotonic_ns()
            if sha(_read_stable(path, rec)) != rec["base"]:
                rec["retries"] += 1
                tmp.unlink(missing_ok=True)
                if ev.save_kind == "inplace":
                    _bump(_P["seq"])
                continue
            if ev.save_kind in ("excel", "sync"):
                t0 = time.monotonic_ns()
                os.replace(tmp, path)
                rec["rename"] = (t0, time.monotonic_ns())
                rec["landed"] = True
            else:
                t0 = time.monotonic_ns()
                try:
                    f = open(path, "r+b")
                except FileNotFoundError:  # moved aside for an instant: start again
                    rec["absent"] = rec.get("absent", 0) + 1
                    rec["retries"] += 1
                    _bump(_P["seq"])
                    continue
                with f:
                    inode = os.fstat(f.fileno()).st_ino
                    f.truncate(0)
                    cuts = sorted(random.Random(ev.index).sample(range(1, len(new)), 2))
                    for a, b in zip([0, *cuts], [*cuts, len(new)]):
                        f.write(new[a:b])
                        f.flush()
                        time.sleep(0.01 + 0.01 * (ev.index % 3))
                    os.fsync(f.fileno())
                t1 = time.monotonic_ns()
                _bump(_P["seq"])
                rec["rename"] = (t0, t1)
                # in place: the save reached the book only if the book is still that file
                for _ in range(100):
                    try:
                        rec["landed"] = os.stat(path).st_ino == inode
                        break
                    except FileNotFoundError:
                        time.sleep(0.002)
            rec["checked"] = checked
            return rec
    finally:
        if ev.save_kind == "excel":
            owner.unlink(missing_ok=True)
        rec["end"] = time.monotonic_ns()


# ---------------------------------------------------------------- a reader (thread)


class Reader(threading.Thread):
    """Opens the book every few milliseconds, as a colleague would."""

    def __init__(self, path: Path, inplace_seq):
        super().__init__(daemon=True)
        self.path, self.seq = path, inplace_seq
        self.stop = threading.Event()
        self.opened = self.skipped = self.absent = self.longest_absence = 0
        self.failures: list[str] = []

    def run(self) -> None:
        missing_since = None
        while not self.stop.wait(0.004):
            s0 = self.seq.value
            try:
                data = self.path.read_bytes()
            except FileNotFoundError:
                self.absent += 1
                missing_since = missing_since or time.monotonic_ns()
                continue
            if missing_since:
                self.longest_absence = max(self.longest_absence, time.monotonic_ns() - missing_since)
                missing_since = None
            if s0 % 2 or self.seq.value != s0:
                self.skipped += 1  # during an in-place save the file is half written
                continue
            try:
                wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
                wb.get_sheet_by_name(LOG).to_python()
                self.opened += 1
            except Exception as e:  # noqa: BLE001
                self.failures.append(f"{type(e).__name__}: {e}"[:200])
        if missing_since:
            self.failures.append("the book was missing when the soak ended")


# ---------------------------------------------------------------- the soak


@dataclass
class Figures:
    seed: int
    events: int
    runs: int = 0  # writing runs
    written: int = 0
    refused: Counter = field(default_factory=Counter)
    refusal_examples: dict = field(default_factory=dict)
    refusal_messages: Counter = field(default_factory=Counter)  # (kind, message without names and times)
    refused_saved_without_a_save: int = 0  # "saved by someone" although no save landed during the run
    checks: Counter = field(default_factory=Counter)  # check runs (no lock): read / refused kind
    waited: int = 0  # runs that found the lock taken, waited, then ran
    overlapping_runs: int = 0  # runs whose run time overlapped another run's
    saves: Counter = field(default_factory=Counter)
    save_retries: int = 0  # the person found the book changed (an xlclient write) before saving
    saves_landed: int = 0
    person_found_no_file: int = 0
    markers_found: int = 0
    markers_expected: int = 0
    notes_found: int = 0
    notes_expected: int = 0
    log_lines_found: int = 0
    versions_opened: int = 0  # files xlclient put in place, each opened with openpyxl and calamine
    versions_written: int = 0
    reader_opened: int = 0
    reader_skipped: int = 0
    reader_absent: int = 0  # samples that found no file at the path
    longest_absence_ms: float = 0.0
    asides: int = 0  # times a run moved the book aside to check it and put its own file in
    put_back: int = 0  # ... and found a save there and put it back
    check_put_back: int = 0  # a check run (no lock) found the book aside and put it back
    lost_race_to_save: int = 0  # ... and a save came in meanwhile: the run's link failed, theirs stays
    aside_us: list = field(default_factory=list)  # per write: book moved aside -> new file in place, us
    displaced: list = field(default_factory=list)  # saves xlclient filed in the backup folder
    replaced_not_snapshot: list = field(default_factory=list)  # xlclient put a file over one it had not read
    saves_over_xlclient: list = field(default_factory=list)  # a save renamed over a write it had not read
    lost_to_saves: int = 0  # reported writes that such a save overwrote (the other program's doing)
    seconds: float = 0.0
    problems: list = field(default_factory=list)

    def line(self) -> str:
        r, w = self.refused, sorted(self.aside_us)
        aside = (f"book aside during a write {w[len(w) // 2]:.0f} us median, {w[-1]:.0f} us max" if w else
                 "no write moved the book aside")
        return (f"soak seed {self.seed}: {self.events} events in {self.seconds:.1f} s; writing runs {self.runs}: "
                f"written {self.written}, refused {sum(r.values())} (saved meanwhile {r['saved']}, "
                f"open in Excel {r['excel']}, another run busy {r['busy']}, half-written or missing file "
                f"{r['unreadable'] + r['changing'] + r['missing']}, other {r['other']}); waited for another run "
                f"then ran {self.waited}; ran alongside another run {self.overlapping_runs}; check runs "
                f"{sum(self.checks.values())} (read {self.checks['read']}); saves {sum(self.saves.values())} "
                f"({', '.join(f'{k} {v}' for k, v in sorted(self.saves.items()))}), landed {self.saves_landed}, "
                f"redone after an xlclient write {self.save_retries}; in the final file: save markers "
                f"{self.markers_found}/{self.markers_expected}, notes on clients {self.notes_found}/"
                f"{self.notes_expected}, Log lines {self.log_lines_found}/{self.written}; files xlclient wrote "
                f"that open {self.versions_opened}/{self.versions_written}; reader opened the book "
                f"{self.reader_opened} times (skipped {self.reader_skipped} mid in-place save, no file "
                f"{self.reader_absent}, longest {self.longest_absence_ms:.1f} ms); {aside}; saves put back "
                f"{self.put_back}, put back by a check run {self.check_put_back}, saves that beat the link "
                f"{self.lost_race_to_save}, refused as saved with no save during the run "
                f"{self.refused_saved_without_a_save}, displaced "
                f"{len(self.displaced)}; xlclient files over a file it had not read "
                f"{len(self.replaced_not_snapshot)}, saves over a write they had not read "
                f"{len(self.saves_over_xlclient)}; problems {len(self.problems)}")


def make_book(path: Path) -> None:
    """A 40-client demo book, refreshed and planned, with the person's own sheet 备忘."""
    write_demo_workbook(path, n_clients=40, seed=17, today=dt.date.fromisoformat(TODAY))
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert cli.main(["refresh", str(path), "--today", TODAY, "-q"]) in (0, 1)
        assert cli.main(["plan", str(path), "--today", TODAY, "-q"]) in (0, 1)
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet(MEMO)
    ws["A1"], ws["B1"] = "备忘", "保存方式"
    tmp = path.with_name("~setup-" + path.name)
    wb.save(tmp)
    os.replace(tmp, path)
    shutil.rmtree(path.parent / BACKUP_DIR, ignore_errors=True)


def warm_up(folder: Path) -> None:
    """Every lazy import of every command, before the workers are forked."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "warm.xlsx"
    make_book(path)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for command in ("review", "dashboard", "check"):
            cli.main([command, str(path), "--today", TODAY, "-q"])
    python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(LOG).to_python()
    shutil.rmtree(folder)


def classify_refusal(message: str) -> str:
    if "内部错误" in message:
        return "other"  # an internal error
    if "被他人保存过" in message:
        return "saved"  # WorkbookChanged
    if "正在 Excel 中打开" in message:
        return "excel"  # WorkbookLocked: the owner file ~$name
    if "另一个 xlclient 任务正在处理" in message:
        return "busy"  # WorkbookBusy: another run holds the lock
    if "一直在被写入" in message:
        return "changing"  # WorkbookBusy: the file kept changing while read
    if "找不到文件" in message:
        return "missing"  # WorkbookNotFound: read in the instant the book was aside
    if any(w in message for w in ("无法读取", "不完整", "空文件", "损坏")):
        return "unreadable"  # read while an in-place save had emptied the file or written half of it
    return "other"


def replay(initial: str, writes: list[dict]) -> tuple[str, list[dict]]:
    """Apply the changes of the file at the path in time order; return the last file's
    hash and the changes that put a file there over a file they were not built from.  Two
    changes whose monotonic brackets overlap may have happened either way round: the one
    built from the file on disk is taken first."""
    pending = sorted(writes, key=lambda w: w["at"][0])
    disk, over = initial, []
    while pending:
        horizon = min(w["at"][1] for w in pending)
        candidates = [w for w in pending if w["at"][0] <= horizon] or pending[:1]
        w = next((c for c in candidates if c["base"] == disk), candidates[0])
        pending.remove(w)
        if w["base"] != disk:
            over.append({**w, "over": disk})
        disk = w["new"]
    return disk, over


def soak(folder: Path, seed: int, n_events: int, workers: int = 4, mean_gap: float = 0.1,
         blind: bool = False) -> Figures:
    """Run one soak in ``folder`` and check everything; the figures, with ``problems``
    listing every violation found (empty when nothing was lost)."""
    folder.mkdir(parents=True, exist_ok=True)
    warm_up(folder / "warm")
    book_dir = folder / "share"
    book_dir.mkdir()
    book = book_dir / "客户台账.xlsx"
    make_book(book)
    log_dir, versions = folder / "logs", folder / "versions"
    versions.mkdir()
    initial = book.read_bytes()
    initial_log = python_calamine.CalamineWorkbook.from_path(str(book)).get_sheet_by_name(LOG).to_python()
    events = schedule(seed, n_events, mean_gap)
    fig = Figures(seed, n_events)

    ctx = multiprocessing.get_context("fork")
    inplace_seq = ctx.Value("l", 0)
    started = time.perf_counter()
    with ctx.Pool(workers, initializer=_run_worker_init,
                  initargs=(str(book), str(log_dir), str(versions), blind)) as runs_pool, \
            ctx.Pool(1, initializer=_person_init, initargs=(str(book), inplace_seq)) as person:
        reader = Reader(book, inplace_seq)
        reader.start()
        t0 = time.monotonic()
        pending = []
        for ev in events:
            delay = t0 + ev.at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool, task = (runs_pool, _run_task) if ev.kind == "run" else (person, _save_task)
            pending.append((ev, pool.apply_async(task, (ev,))))
        done = [(ev, r.get(timeout=300)) for ev, r in pending]
        reader.stop.set()
        reader.join(10)
    fig.seconds = time.perf_counter() - started
    fig.reader_opened, fig.reader_skipped, fig.reader_absent = reader.opened, reader.skipped, reader.absent
    fig.longest_absence_ms = reader.longest_absence / 1e6
    fig.problems += [f"the book did not open for a reader: {f}" for f in reader.failures[:5]]

    runs = [r for ev, r in done if ev.kind == "run" and ev.command in WRITING]
    checks = [r for ev, r in done if ev.kind == "run" and ev.command not in WRITING]
    saves = [r for ev, r in done if ev.kind == "save"]
    final = book.read_bytes()
    save_spans = [s["rename"] for s in saves if s.get("landed")]

    # -------- what each run said, and what it did to the file at the path
    written_users, refused_users, placements = set(), set(), []
    for r in runs:
        fig.runs += 1
        res, code, fs = r["result"], r["code"], r.get("fs", [])
        if r.get("lock_busy") and r.get("lock_tries", 0) > r.get("lock_busy", 0):
            fig.waited += 1
        # its own new file put at the path (not a save it put back from aside)
        placed = [e for e in fs if not e["away"] and e["ok"] == "ok" and e["from"].endswith(".tmp")]
        for e in fs:
            if e["away"]:
                fig.asides += 1
                done_at = next((x["t"][1] for x in fs if not x["away"] and x["t"][0] >= e["t"][0]), None)
                if done_at is not None:
                    fig.aside_us.append((done_at - e["t"][0]) / 1000)
            elif e["from"].endswith(".aside") and e["ok"] == "ok":
                fig.put_back += 1
            elif e["op"] == "link" and e["ok"] == "FileExistsError":
                fig.lost_race_to_save += 1
        placements += [{"who": r["user"], "xlclient": True, "base": r["write"]["base"], "new": r["write"]["new"],
                        "at": e["t"]} for e in placed]
        if code in (0, 1) and res.get("written") and "error" not in res:
            fig.written += 1
            written_users.add(r["user"])
            if len(placed) != 1:
                fig.problems.append(f"{r['user']} reported written but put {len(placed)} files at the book's path")
        elif code == 2 and res.get("error") and "written" not in res:
            kind = classify_refusal(res["error"])
            fig.refused[kind] += 1
            fig.refusal_examples.setdefault(kind, res["error"])
            fig.refusal_messages[(kind, re.sub(r"soak-r\d+|\d{4}-\d\d-\d\dT[\d:]+|/\S+\.log", "…", res["error"]))] += 1
            refused_users.add(r["user"])
            if kind == "saved" and not any(t0 <= r["end"] and r["start"] <= t1 for t0, t1 in save_spans):
                fig.refused_saved_without_a_save += 1
            if kind == "other":
                fig.problems.append(f"{r['user']} ({r['command']}) refused for an unexpected reason: "
                                    f"{res['error'][:400]}")
            if placed:
                fig.problems.append(f"{r['user']} reported a refusal but put its file at the book's path: "
                                    f"{res['error']}")
        else:
            fig.problems.append(f"{r['user']} neither wrote nor refused out loud: exit {code}, {res}, {r['stderr']}")
    spans = sorted((r["start"], r["end"]) for r in runs)
    fig.overlapping_runs = sum(any(s < e2 and s2 < e for s2, e2 in spans if (s2, e2) != (s, e)) for s, e in spans)
    for r in checks:
        res = r["result"]
        if r["code"] in (0, 1) and "counts" in res:
            fig.checks["read"] += 1
        elif r["code"] == 2 and res.get("error"):
            kind = classify_refusal(res["error"])
            fig.checks[kind] += 1
            fig.refusal_messages[("check " + kind, res["error"])] += 1
            if kind == "other":
                fig.problems.append(f"check {r['user']} failed for an unexpected reason: {res['error'][:400]}")
        else:
            fig.problems.append(f"check {r['user']} neither read nor refused out loud: exit {r['code']}, {res}")
        if any(not e["away"] and e["from"].endswith(".tmp") for e in r.get("fs", [])):
            fig.problems.append(f"check {r['user']} put a file at the book's path")
        fig.check_put_back += sum(not e["away"] and e["ok"] == "ok" and e["from"].endswith(".aside")
                                  for e in r.get("fs", []))

    # -------- what each save did
    for s in saves:
        fig.saves[s["kind"]] += 1
        fig.save_retries += s["retries"]
        fig.person_found_no_file += s.get("absent", 0)
        if s.get("landed"):
            fig.saves_landed += 1
        else:
            fig.problems.append(f"save #{s['index']:03d} ({s['kind']}) did not reach the book: "
                                f"{s.get('unopenable') or 'the file at the path was replaced while it was written'}")
        if s.get("unopenable"):
            fig.problems.append(f"the book did not open for save #{s['index']:03d}: {s['unopenable']}")

    # -------- the changes of the file at the path, in time order
    placements += [{"who": f"save #{s['index']:03d} ({s['kind']})", "xlclient": False, "base": s["base"],
                    "new": s["new"], "at": s["rename"], "checked": s["checked"]} for s in saves if s.get("landed")]
    last, over = replay(sha(initial), placements)
    if last != sha(final):
        fig.problems.append("replaying the recorded changes does not give the final file: something else wrote it")
    for w in over:
        victim = next((x for x in placements if x["new"] == w["over"]), None)
        whose = victim["who"] if victim else "the initial file"
        if w["xlclient"]:
            fig.replaced_not_snapshot.append(w["who"])
            fig.problems.append(f"{w['who']} put its file over a file it had not read (written by {whose}): "
                                "that is lost")
        else:  # the simulated person's own race: its last check, then its rename
            at = (victim["at"][1] - w["checked"]) / 1000 if victim else float("nan")
            fig.saves_over_xlclient.append(
                f"{w['who']} overwrote {whose}: that came {at:.0f} us after the save's last check, "
                f"the save's rename {(w['at'][1] - w['checked']) / 1000:.0f} us after it")

    # -------- every file xlclient put in place opens
    for v in sorted(versions.iterdir()):
        fig.versions_written += 1
        try:
            openpyxl.load_workbook(v)
            python_calamine.CalamineWorkbook.from_path(str(v)).get_sheet_by_name(LOG).to_python()
            fig.versions_opened += 1
        except Exception as e:  # noqa: BLE001
            fig.problems.append(f"a file xlclient wrote does not open: {type(e).__name__}: {e}")

    # -------- the final file
    try:
        openpyxl.load_workbook(io.BytesIO(final))
    except Exception as e:  # noqa: BLE001
        fig.problems.append(f"openpyxl cannot open the final file: {type(e).__name__}: {e}")
    cal = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(final))
    log = cal.get_sheet_by_name(LOG).to_python()
    new_lines = log[len(initial_log):]
    log_users = Counter(row[1] for row in new_lines)
    if log[:len(initial_log)] != initial_log:
        fig.problems.append("the Log lines present before the soak changed")
    for r in runs:
        action = next((row[2] for row in new_lines if row[1] == r["user"]), LOG_ACTIONS[r["command"]][0])
        if action != LOG_ACTIONS[r["command"]][0]:  # the book is Chinese: 刷新分级, 生成拜访计划 ...
            fig.problems.append(f"{r['user']} ran {r['command']}, its Log line says {action}")
    clobbered_by_saves = {w["over"] for w in over if not w["xlclient"]}
    excused = {x["who"] for x in placements if x["new"] in clobbered_by_saves}  # lost to a save's own overwrite
    for user in sorted(written_users):
        n = log_users.get(user, 0)
        fig.log_lines_found += n == 1
        fig.lost_to_saves += n == 0 and user in excused
        if n != 1 and not (n == 0 and user in excused):
            fig.problems.append(f"{user} reported written; its Log line is in the final file {n} times")
    for user in sorted(refused_users):
        if log_users.get(user):
            fig.problems.append(f"{user} refused, yet its Log line is in the final file")
    extra = set(log_users) - written_users - refused_users
    if extra:
        fig.problems.append(f"Log lines of no writing run: {sorted(extra)}")
    if len(log) != len(initial_log) + fig.written - fig.lost_to_saves:
        fig.problems.append(f"the Log has {len(log)} lines: {len(initial_log)} before the soak + {fig.written} "
                            f"reported writes - {fig.lost_to_saves} overwritten by saves would be "
                            f"{len(initial_log) + fig.written - fig.lost_to_saves}")
    landed = [s for s in saves if s.get("landed")]
    memo = cal.get_sheet_by_name(MEMO).to_python()
    fig.markers_expected = len(landed)
    for s in landed:
        row = memo[s["index"] + 1] if len(memo) > s["index"] + 1 else []
        if row and row[0] == s["marker"]:
            fig.markers_found += 1
        else:
            fig.problems.append(f"save #{s['index']:03d} ({s['kind']}) is lost: its marker is not in {MEMO}")
    noted = [s for s in landed if s["note_row"] is not None]
    notes = {row[NOTE_COLUMN - 1] for row in cal.get_sheet_by_name(CLASSIFICATION).to_python() if len(row) >= NOTE_COLUMN}
    fig.notes_expected = len(noted)
    fig.notes_found = sum(s["marker"] in notes for s in noted)
    if fig.notes_found != fig.notes_expected:
        fig.problems.append(f"notes beside clients lost: {[s['marker'] for s in noted if s['marker'] not in notes]}")

    # -------- what is left beside the book (temporary, aside, lock and owner files)
    left = sorted(p.name for p in book_dir.iterdir() if p.name not in (book.name, BACKUP_DIR))
    if left:
        fig.problems.append(f"left beside the book: {left}")
    backup_dir = book_dir / BACKUP_DIR
    kept = backups_of(book)
    others = sorted(p for p in backup_dir.iterdir() if p not in kept) if backup_dir.is_dir() else []
    fig.displaced = [p.name for p in others if "-displaced-" in p.name]
    strays = [p.name for p in others if "-displaced-" not in p.name]
    if strays:
        fig.problems.append(f"left in {BACKUP_DIR}: {strays}")
    if len(kept) > BACKUPS_KEPT:
        fig.problems.append(f"{len(kept)} backups kept, more than {BACKUPS_KEPT}")
    for b in kept + [p for p in others if "-displaced-" in p.name]:
        try:
            python_calamine.CalamineWorkbook.from_path(str(b)).get_sheet_by_name(LOG).to_python()
        except Exception as e:  # noqa: BLE001
            fig.problems.append(f"backup {b.name} does not open: {type(e).__name__}: {e}")
    if log_dir.is_dir() and any(log_dir.iterdir()):
        fig.problems.append(f"internal error logs written: {sorted(p.name for p in log_dir.iterdir())}")
    return fig


# ---------------------------------------------------------------- the tests


@pytest.mark.slow
def test_soak_200_interleavings_of_runs_and_saves_lose_nothing(tmp_path):
    fig = soak(tmp_path, seed=20261120, n_events=200)
    print("\n" + fig.line())
    for (kind, message), n in sorted(fig.refusal_messages.items(), key=lambda kv: -kv[1]):
        print(f"  {n:4d} x {kind}: {message}")
    for line in fig.saves_over_xlclient:
        print(f"  {line}")
    assert fig.problems == [], "\n".join(fig.problems)
    assert fig.markers_found == fig.markers_expected == fig.saves_landed == sum(fig.saves.values())
    assert fig.notes_found == fig.notes_expected > 0
    # a save that renamed over an xlclient write it had not read is the other program's doing
    # (its own last check, then its rename), not xlclient's: counted, and rare
    assert fig.log_lines_found + fig.lost_to_saves == fig.written
    assert fig.lost_to_saves <= 2, fig.saves_over_xlclient
    assert fig.written + sum(fig.refused.values()) == fig.runs
    assert fig.versions_opened == fig.versions_written >= fig.written
    # the soak means something only if the dangerous cases happened, and often
    assert fig.refused["saved"] >= 5, fig.line()  # a save landed between a run's read and its write
    assert fig.refused["excel"] >= 5 and fig.refused["busy"] >= 1, fig.line()
    assert fig.waited >= 5 and fig.overlapping_runs >= 20, fig.line()  # two runs at once
    assert fig.save_retries >= 1, fig.line()  # an xlclient write landed while the person edited
    # (how many runs get written depends on the machine's load: a loaded one times out more lock waits)
    assert fig.written >= 10 and fig.saves["inplace"] >= 5 and fig.checks["read"] >= 5, fig.line()
    assert fig.reader_opened >= 500, fig.line()


@pytest.mark.slow
def test_the_soak_sees_what_a_writer_that_does_not_check_the_disk_loses(tmp_path):
    """The soak's own check: the same soak with the write not given its snapshot (as the
    writer was before the snapshot check) must report lost saves."""
    fig = soak(tmp_path, seed=7, n_events=80, blind=True)
    print("\n(blind writer) " + fig.line())
    assert fig.replaced_not_snapshot, fig.line()
    assert any("is lost" in p for p in fig.problems), fig.problems


def test_a_check_run_in_the_instant_the_book_is_aside_does_not_make_a_write_refuse(tmp_path, monkeypatch):
    """Two runs at once, one of them read-only: ``check`` takes no lock, and its
    ``take_snapshot`` puts back any file it finds moved aside (``recover_aside``, meant for a
    run killed in that instant).  In the instant a write has the book aside (``_swap_in``:
    renamed aside, checked, new file about to be linked in) that puts the *old* book back:
    the write's link then fails and it refuses, saying someone saved the book -- nobody did.
    (On a share each of those steps is a round trip: the instant is not short.)"""
    book = tmp_path / "客户台账.xlsx"
    make_book(book)
    real_link = os.link
    during = {}

    def link_after_a_check(src, dst, *args, **kwargs):
        if os.fspath(dst) == str(book) and os.fspath(src).endswith(".tmp") and not during:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                during["exit"] = cli.main(["check", str(book), "--today", TODAY, "--json", "-q"])
            during["result"] = json.loads(out.getvalue())
        return real_link(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "link", link_after_a_check)
    monkeypatch.setenv("LOGNAME", "soak-aside")
    monkeypatch.setenv("USER", "soak-aside")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["refresh", str(book), "--today", TODAY, "--json", "-q"])
    result = json.loads(out.getvalue())
    assert during, "the write did not link its file into place"
    assert during["exit"] in (0, 1), during  # the check read the book
    assert code in (0, 1) and result.get("written"), (
        f"the write was refused ({result.get('error')}) because a check run put the old book back from aside "
        "while the write had it aside: xlclient/xlsx/session.py recover_aside, called by take_snapshot for a run "
        "that holds no lock; xlclient/xlsx/safewrite.py _swap_in then fails to link and reports a save")
    log = python_calamine.CalamineWorkbook.from_path(str(book)).get_sheet_by_name(LOG).to_python()
    assert log[-1][1] == "soak-aside" and log[-1][2] == LOG_ACTIONS["refresh"][0]
