"""One run of xlclient on one workbook file: the real file, a lock, and what was read.

A headless run (command line, scheduled job) reads a workbook, computes for a while and
writes back.  On a shared drive other people save the same file meanwhile, and another
xlclient run may start on it.  This module makes that safe:

* :func:`real_path` resolves symbolic links (and, on Windows, junctions) to the real
  file, so that the real workbook is read, backed up and replaced, and the link stays a
  link.  A Windows shortcut (``.lnk``) is not a link the file system follows: it is
  refused with a message naming it.
* :class:`RunLock` serialises xlclient's runs on one workbook with a lock file of its
  own beside it, ``.~xlclient-lock.<name>``, held with an operating-system lock
  (``flock`` / ``msvcrt.locking``).  The system releases that lock when a run
  dies, however it dies, so a crashed run can never leave the workbook locked: the next
  run takes the lock over.  The file says who holds it (user, machine, process, since
  when) so that the run that waits or refuses can say so.
* :class:`Snapshot` is the file as it was read: its bytes, its stamp (size, time, inode)
  and a SHA-256 of the bytes.  The reader reads those bytes and the writer builds from
  them, so what was computed and what is written come from one and the same file; just
  before the new file replaces the old one, the writer checks that the file on disk is
  still that snapshot (:func:`~.safewrite.replace_file`) and refuses otherwise.  The hash
  matters on network drives whose file times have a 2-second granularity.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import hashlib
import json
import os
import socket
import stat
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import (ExtensionMismatch, FolderMissing, FolderNotWritable, NameTooLong, NotAWorkbookFile,
                     TargetExists, WorkbookBusy, WorkbookNotFound, WorkbookNotReadable, WorkbookShortcut)
from .filenames import NAME_MAX, fitted_stem, fitted_suffix, name_size

__all__ = ["Snapshot", "RunLock", "real_path", "take_snapshot", "LOCK_PREFIX", "lock_path", "require_file",
           "check_copy_target", "file_kind"]

LOCK_PREFIX = ".~xlclient-lock."


def real_path(path: Path | str) -> Path:
    """The real file behind ``path``: symbolic links and junctions resolved (the link's
    own folder stays where the user sees it; the real file may be anywhere)."""
    path = Path(path)
    if path.suffix.lower() == ".lnk":
        raise WorkbookShortcut(path)
    real = Path(os.path.realpath(path))
    return real


@dataclass(frozen=True)
class FileStamp:
    """Enough of ``os.stat`` to notice that a file was rewritten."""

    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> "FileStamp | None":
        try:
            st = os.stat(path)
        except (OSError, ValueError):  # not there (or a name no file can have)
            return None
        return cls(st.st_size, st.st_mtime_ns, st.st_ino)


@dataclass(frozen=True)
class Snapshot:
    """A workbook file as one run read it."""

    path: Path  # the real file (links resolved)
    given: Path  # the name the user gave (a link, perhaps)
    data: bytes
    stamp: FileStamp
    digest: str  # SHA-256 of data, hex

    def matches_disk(self, path: Path | None = None) -> bool:
        """Whether the file on disk (at ``path``, default where it was read) is still
        exactly what was read: its stamp, then its bytes."""
        path = self.path if path is None else Path(path)
        if FileStamp.of(path) != self.stamp:
            return False
        try:
            return hashlib.sha256(path.read_bytes()).hexdigest() == self.digest
        except OSError:
            return False


def file_kind(path: Path | str) -> str | None:
    """What ``path`` (through links) is when it is not a regular file: "folder", "pipe",
    "device", "socket" or "special file"; None for a regular file or nothing there."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):  # missing, a name too long, a NUL in it: not there
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def require_file(path: Path | str) -> None:
    """Raise NotAWorkbookFile when ``path`` is a folder, a pipe, a device or a socket:
    reading a pipe or ``/dev/zero`` would wait or run forever."""
    kind = file_kind(path)
    if kind is not None:
        raise NotAWorkbookFile(Path(path), kind)


def check_copy_target(target: Path, extension: str | None = None) -> None:
    """A copy is written only as a new file, into a folder that exists, under a name whose
    extension fits its contents (``extension``, when known): never over a file the run
    did not read. Raises TargetExists, FolderMissing or ExtensionMismatch."""
    target = Path(target)
    require_file(target)
    if os.path.lexists(target):
        raise TargetExists(target)
    if not target.parent.is_dir():
        raise FolderMissing(target.parent)
    if name_size(target.name) > NAME_MAX:
        raise NameTooLong(target, NAME_MAX)
    if extension is not None and target.suffix.lower() != extension:
        raise ExtensionMismatch(target, extension)


def take_snapshot(path: Path | str) -> Snapshot:
    """Read ``path`` (through any link) with a stamp taken around the read, retried while
    someone is writing it; raises WorkbookNotFound or WorkbookBusy (still being written)."""
    given = Path(path)
    real = real_path(given)
    require_file(real)
    for attempt in range(5):
        source = real
        before = FileStamp.of(real)
        if before is None:
            # In the instant a write has the book aside (safewrite._swap_in), the file there
            # is the book as it was: read it (the writer holds the lock; a reader only reads).
            asides = aside_files(real)
            if not asides:
                raise WorkbookNotFound(given)
            source = asides[-1]
            before = FileStamp.of(source)
            if before is None:  # the write just finished: read the new file
                continue
        try:
            data = source.read_bytes()
        except FileNotFoundError:
            continue
        except OSError as e:  # no permission, an I/O error of the drive
            raise WorkbookNotReadable(given, e.strerror or type(e).__name__) from None
        if FileStamp.of(source) == before and len(data) == before.size:
            return Snapshot(real, given, data, before, hashlib.sha256(data).hexdigest())
        time.sleep(0.05 * (attempt + 1))
    raise WorkbookBusy(given, None, "the file kept changing while it was read")


ASIDE_MARK = ".aside"  # the workbook moved aside for an instant while the new one goes in


def aside_files(real: Path) -> list[Path]:
    """Files a write moved ``real`` to (see :func:`~.safewrite.replace_file`): normally none,
    one only if a run died in the instant between moving the old file aside and putting
    the new one in place."""
    try:
        return sorted(p for p in real.parent.iterdir()
                      if p.name.startswith(".~xlclient-") and p.name.endswith(fitted_suffix(real) + ASIDE_MARK)
                      and p.name[len(".~xlclient-"):].startswith(fitted_stem(real) + "."))
    except OSError:
        return []


def recover_aside(real: Path) -> Path | None:
    """Put the workbook back if a run died with it moved aside and nothing at its place.

    Only a run that holds the workbook's :class:`RunLock` may call this (the lock does,
    when it is taken): the writer that moved the file aside holds that lock until its new
    file is in place, so an aside file found under the lock was left by a run that died.
    A reader without the lock waits for the instant to pass instead (``take_snapshot``)."""
    if real.exists():
        return None
    for aside in reversed(aside_files(real)):
        try:
            os.link(aside, real)
            aside.unlink()
        except FileExistsError:
            return None
        except OSError:
            if real.exists():
                return None
            os.rename(aside, real)
        return real
    return None


def lock_path(real: Path) -> Path:
    return real.with_name(LOCK_PREFIX + fitted_stem(real) + fitted_suffix(real))


def _holder_text() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (services, containers)
        user = "?"
    return json.dumps({"user": user, "host": socket.gethostname(), "pid": os.getpid(),
                       "since": dt.datetime.now().replace(microsecond=0).isoformat()}, ensure_ascii=False)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)


class RunLock:
    """xlclient's own lock on one workbook, held for a whole run (read to write).

    ``wait`` seconds are spent waiting for another run to finish before giving up with
    :class:`WorkbookBusy` naming who holds the lock.  Use as a context manager.
    """

    def __init__(self, workbook: Path | str, wait: float = 60.0, poll: float = 0.1):
        self.workbook = real_path(workbook)
        self.path = lock_path(self.workbook)
        self.wait, self.poll = wait, poll
        self.fd: int | None = None

    def holder(self) -> dict | None:
        """Who holds the lock, as the lock file says (None if unreadable)."""
        try:
            text = self.path.read_text(encoding="utf-8")
            return json.loads(text[1:]) if text[:1] == "\n" else json.loads(text)
        except (OSError, ValueError):
            return None

    def acquire(self) -> "RunLock":
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o666)
            except FileNotFoundError:
                raise FolderMissing(self.path.parent) from None
            except OSError as e:  # no permission to create files there, a read-only drive
                raise FolderNotWritable(self.path.parent, e.strerror or type(e).__name__) from None
            if _try_lock(fd):
                # The file may have been removed (and another created) between our open
                # and our lock: only the file now at the path counts.
                try:
                    same = os.path.samestat(os.fstat(fd), os.stat(self.path))
                except FileNotFoundError:
                    same = False
                if same:
                    # byte 0 is the locked byte on Windows; the holder text follows it
                    os.ftruncate(fd, 0)
                    os.lseek(fd, 0, os.SEEK_SET)
                    os.write(fd, ("\n" + _holder_text()).encode("utf-8"))
                    self.fd = fd
                    recover_aside(self.workbook)  # a run that died in its last instant
                    return self
                _unlock(fd)
            os.close(fd)
            if time.monotonic() >= deadline:
                raise WorkbookBusy(self.workbook, self.holder(), "another xlclient run is working on it")
            time.sleep(self.poll)

    def release(self) -> None:
        fd, self.fd = self.fd, None
        if fd is None:
            return
        if sys.platform == "win32":  # pragma: no cover - an open file cannot be removed there
            _unlock(fd)
            os.close(fd)
            with contextlib.suppress(OSError):
                self.path.unlink()
            return
        # Remove the file while still holding the lock: a run that opened it meanwhile
        # notices (samestat) and starts again on the new file.
        with contextlib.suppress(OSError):
            self.path.unlink()
        _unlock(fd)
        os.close(fd)

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
