"""Replacing a workbook file safely: lock check, temp file, fsync, backup, atomic rename.

:func:`replace_file` writes new bytes to a temporary file in the target's folder, flushes
and fsyncs it, keeps a timestamped copy of the current file in ``.xlclient-backup/`` next
to it (the last ``backups`` are kept), checks again that nobody opened or changed the
file meanwhile, and only then renames the temporary file over the target with
:func:`os.replace` (atomic on one file system).  Any exception on the way removes the
temporary file and leaves the target as it was.

Excel marks a workbook it has open with an owner file ``~$<name>`` beside it; on Windows
it also keeps the file opened without write sharing.  Either refuses the write with
:class:`~.errors.WorkbookLocked`.  LibreOffice's ``.~lock.<name>#`` is honoured too.

Tests inject faults through ``on_step``: it is called with each name in :data:`STEPS`
(``read`` and ``build`` by the caller, the rest here) and may raise to simulate a crash.
``replace`` is announced just *before* the rename.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import stat
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from .errors import FolderNotWritable, TargetExists, WorkbookChanged, WorkbookLocked, WorkbookReadOnly
from .filenames import fitted_stem, fitted_suffix
from .session import ASIDE_MARK, LOCK_PREFIX, FileStamp, Snapshot, recover_aside

__all__ = ["STEPS", "StepHook", "FileStamp", "BACKUP_DIR", "owner_files", "check_not_locked",
           "check_writable", "replace_file", "put_new", "backups_of", "remove_stale_temps", "STALE_TEMP_SECONDS"]

STEPS = ("read", "build", "temp-written", "fsynced", "backup", "replace")
BACKUP_DIR = ".xlclient-backup"
TEMP_PREFIX = ".~xlclient-"
STALE_TEMP_SECONDS = 6 * 3600  # far longer than any run; a temp file this old was left by a killed run
StepHook = Callable[[str], None]


def _no_hook(step: str) -> None:
    return None


def owner_files(path: Path) -> list[Path]:
    """Lock files that Excel (``~$name``) or LibreOffice (``.~lock.name#``) put beside ``path``."""
    path = Path(path)
    return [path.with_name("~$" + path.name), path.with_name(".~lock." + path.name + "#")]


def _windows_locked(path: Path) -> bool:
    if sys.platform != "win32" or not path.exists():
        return False
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    except PermissionError:
        return True
    except OSError:
        return False
    os.close(fd)
    return False


def check_not_locked(path: Path) -> None:
    """Raise WorkbookLocked if Excel (or LibreOffice) has ``path`` open."""
    path = Path(path)
    for owner in owner_files(path):
        try:
            present = owner.exists()
        except OSError:  # a name too long for an owner file: Excel cannot have made it
            present = False
        if present:
            program = "LibreOffice" if owner.name.startswith(".~lock.") else "Excel"
            raise WorkbookLocked(path, f"owner file {owner.name} present", program)
    if _windows_locked(path):  # Excel, WPS or another program holds it
        raise WorkbookLocked(path, "the file cannot be opened for writing", "Excel / WPS")


def _default_mode() -> int:
    """Permissions a newly created file gets here (0o666 less the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _fsync_dir(folder: Path) -> None:
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_STAMP = re.compile(r"\.(\d{8}-\d{6})(?:-(\d+))?$")


def _backup_key(p: Path) -> tuple[str, int]:
    """(timestamp, sequence) of a backup file name; sequence 1 when it has no suffix."""
    m = _STAMP.search(p.name[: -len(p.suffix)] if p.suffix else p.name)
    return (m[1], int(m[2] or 1)) if m else ("", 0)


def backups_of(path: Path) -> list[Path]:
    """Backups of ``path``, oldest first."""
    path = Path(path)
    folder = path.parent / BACKUP_DIR
    if not folder.is_dir():
        return []
    found = []
    stem, suffix = fitted_stem(path), fitted_suffix(path)
    for p in folder.iterdir():
        if p.suffix != suffix or not p.name.startswith(stem + "."):
            continue
        m = _STAMP.search(p.name[: -len(suffix)] if suffix else p.name)
        if m and p.name[: m.start()] == stem:
            found.append((_backup_key(p), p))
    return [p for _, p in sorted(found)]


def _make_backup(path: Path) -> Path:
    folder = path.parent / BACKUP_DIR
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise FolderNotWritable(path.parent, str(exc)) from None
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    # several backups in one second: number them above any already there, so that the
    # name order stays the age order even after older ones were pruned; the name is
    # reserved with O_EXCL, so two processes can never pick the same one
    same_second = [_backup_key(p)[1] for p in backups_of(path) if _backup_key(p)[0] == stamp]
    n = max(same_second, default=0) + 1
    stem, suffix = fitted_stem(path), fitted_suffix(path)
    while True:
        dest = folder / (f"{stem}.{stamp}{suffix}" if n == 1 else f"{stem}.{stamp}-{n}{suffix}")
        try:
            os.close(os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o666))
            break
        except FileExistsError:
            n += 1
        except OSError as exc:
            raise FolderNotWritable(folder, str(exc)) from None
    tmp = folder / (TEMP_PREFIX + dest.name + ".tmp")
    try:
        shutil.copy2(path, tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        dest.unlink(missing_ok=True)
        raise
    return dest


def remove_stale_temps(folder: Path, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove xlclient's own temporary files (``.~xlclient-*.tmp``) that a killed run left
    in ``folder`` and its backup folder; returns what was removed. Never touches lock
    files or anything else."""
    removed = []
    now = time.time()
    for where in (Path(folder), Path(folder) / BACKUP_DIR):
        try:
            entries = list(os.scandir(where))
        except OSError:
            continue
        for e in entries:
            if not (e.name.startswith(TEMP_PREFIX) and e.name.endswith(".tmp")) or e.name.startswith(LOCK_PREFIX):
                continue
            try:
                if e.is_file(follow_symlinks=False) and now - e.stat(follow_symlinks=False).st_mtime > older_than:
                    os.unlink(e.path)
                    removed.append(Path(e.path))
            except OSError:
                continue
    return removed


def check_writable(target: Path) -> None:
    """Raise WorkbookReadOnly when the target file is marked read-only."""
    try:
        st = os.stat(target)
    except (OSError, ValueError):  # not there (a copy to be made)
        return
    if not st.st_mode & stat.S_IWUSR or not os.access(target, os.W_OK) or \
            getattr(st, "st_file_attributes", 0) & getattr(stat, "FILE_ATTRIBUTE_READONLY", 0):
        raise WorkbookReadOnly(target)


def _prune_backups(path: Path, keep: int) -> None:
    old = backups_of(path)
    for p in old[: max(0, len(old) - keep)]:
        p.unlink(missing_ok=True)


def _still(target: Path, expect: FileStamp | Snapshot | None) -> bool:
    if expect is None:
        return True
    if isinstance(expect, Snapshot):
        return expect.matches_disk(target)
    return FileStamp.of(target) == expect


def _swap_in(tmp: Path, target: Path, expect: FileStamp | Snapshot) -> None:
    """Put ``tmp`` at ``target`` only if the file there is still ``expect``, leaving no
    instant in which someone's save could be overwritten unseen: the file at ``target``
    is first renamed aside (one atomic step that takes exactly the file that was there),
    checked there, and the new file is then hard-linked into place, which fails if a save
    put a file at ``target`` meanwhile. Raises WorkbookChanged (theirs stays) otherwise."""
    aside = target.with_name(f"{TEMP_PREFIX}{fitted_stem(target)}.{os.getpid()}-{time.monotonic_ns()}"
                             f"{fitted_suffix(target)}{ASIDE_MARK}")
    os.rename(target, aside)
    if not _still(aside, expect):  # a save landed after the last check: put it back
        _put_back(aside, target)
        raise WorkbookChanged(target)
    try:
        os.link(tmp, target)
    except FileExistsError:  # a save landed while the old file was aside: theirs stays
        aside.unlink(missing_ok=True)
        raise WorkbookChanged(target) from None
    except OSError:  # a file system without hard links
        if target.exists():
            aside.unlink(missing_ok=True)
            raise WorkbookChanged(target) from None
        os.rename(tmp, target)
    else:
        tmp.unlink(missing_ok=True)
    aside.unlink(missing_ok=True)


def put_new(tmp: Path, target: Path) -> None:
    """Give ``tmp`` the name ``target`` only if no file has that name (a hard link fails
    on an existing name in one atomic step), else raise TargetExists."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise TargetExists(target) from None
    except OSError:  # a file system without hard links: as close as it allows
        if os.path.lexists(target):
            raise TargetExists(target) from None
        os.rename(tmp, target)
        return
    tmp.unlink(missing_ok=True)


def _put_back(aside: Path, target: Path) -> None:
    """Return someone's save from the aside name to the workbook's name; if yet another
    save is there already, keep theirs and file this one with the backups."""
    if recover_aside(target) is not None:
        return
    if aside.exists():
        folder = target.parent / BACKUP_DIR
        folder.mkdir(exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        os.replace(aside, folder / f"{fitted_stem(target)}.{stamp}-displaced-{os.getpid()}{fitted_suffix(target)}")


def replace_file(target: Path, payload: bytes, *, backups: int = 5, on_step: StepHook | None = None,
                 expect: FileStamp | Snapshot | None = None, exclusive: bool = False) -> Path | None:
    """Atomically make ``target`` hold ``payload``; return the backup made (or None).

    ``expect``: the file as the run read it (a :class:`~.session.Snapshot`: stamp and
    hash of the bytes; or just a stamp); if the file on disk is no longer that before the
    backup or just before the rename, :class:`WorkbookChanged` is raised and nothing is
    replaced.  ``target`` must be the real file (links resolved by the caller).
    ``exclusive``: ``target`` is a new file (a copy): if any file is there, even one that
    appeared during the run, :class:`TargetExists` is raised and it is left as it is.
    """
    target = Path(target)
    step = on_step or _no_hook
    check_not_locked(target)
    check_writable(target)
    remove_stale_temps(target.parent)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX, suffix=fitted_suffix(target) + ".tmp")
    except OSError as exc:
        raise FolderNotWritable(target.parent, str(exc)) from None
    tmp = Path(tmp_name)
    backup = None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            step("temp-written")
            f.flush()
            os.fsync(f.fileno())
        step("fsynced")
        existing = FileStamp.of(target)
        if exclusive and (existing is not None or os.path.lexists(target)):
            raise TargetExists(target)
        os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode) if existing is not None else _default_mode())
        if existing is not None:
            if not _still(target, expect):
                raise WorkbookChanged(target)
            if backups > 0:
                backup = _make_backup(target)
        elif expect is not None:
            raise WorkbookChanged(target)  # the file it was read from is gone
        step("backup")
        check_not_locked(target)
        if not _still(target, expect):
            if backup is not None:
                backup.unlink(missing_ok=True)
            raise WorkbookChanged(target)
        step("replace")
        if exclusive:
            put_new(tmp, target)
        elif expect is not None and existing is not None:
            _swap_in(tmp, target, expect)
        else:
            os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        recover_aside(target)  # interrupted while the old file was aside: put it back
        if backup is not None and target.exists():  # nothing was replaced: this copy adds nothing
            backup.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    if backups > 0:
        _prune_backups(target, backups)
    return backup
