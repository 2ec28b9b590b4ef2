"""Where an unexpected error's details go, so that no user ever sees a traceback.

When xlclient itself fails (a bug, not bad input), the command line and the buttons show
one sentence saying the workbook was not changed and where the details are; the
traceback goes to a log file in the user's own log folder, which they can send to
whoever supports them:

* Windows: ``%LOCALAPPDATA%\\xlclient\\logs``
* macOS: ``~/Library/Logs/xlclient``
* elsewhere: ``$XDG_STATE_HOME/xlclient/logs`` (``~/.local/state/xlclient/logs``)

``XLCLIENT_LOG_DIR`` overrides the folder. The newest 50 files are kept.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from pathlib import Path

__all__ = ["log_dir", "write_error_log", "KEEP"]

KEEP = 50


def log_dir() -> Path:
    if os.environ.get("XLCLIENT_LOG_DIR"):
        return Path(os.environ["XLCLIENT_LOG_DIR"])
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "xlclient" / "logs"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Logs" / "xlclient"
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "xlclient" / "logs"


def write_error_log(exc: BaseException, context: str = "") -> Path | None:
    """Write ``exc``'s traceback (and ``context``: the command, the workbook) to a new log
    file; returns its path, or None when no log could be written."""
    from . import __version__

    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        now = dt.datetime.now()
        path = folder / f"xlclient-{now:%Y%m%d-%H%M%S}-{os.getpid()}.log"
        text = (f"xlclient {__version__}, Python {sys.version.split()[0]}, {sys.platform}\n{now.isoformat()}\n"
                f"{context}\n\n" + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        path.write_text(text, encoding="utf-8")
        old = sorted(folder.glob("xlclient-*.log"))
        for p in old[:max(0, len(old) - KEEP)]:
            p.unlink(missing_ok=True)
        return path
    except Exception:  # noqa: BLE001 - a log that cannot be written must not hide the real error
        return None


def write_text_log(text: str, context: str = "") -> Path | None:
    """Keep ``text`` (what a button run wrote to stderr: a library's warning, a log line) in
    a new log file beside the error logs; returns its path, or None when it could not."""
    from . import __version__

    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        now = dt.datetime.now()
        path = folder / f"xlclient-{now:%Y%m%d-%H%M%S}-{os.getpid()}-stderr.log"
        path.write_text(f"xlclient {__version__}, Python {sys.version.split()[0]}, {sys.platform}\n"
                        f"{now.isoformat()}\n{context}\n\n{text}", encoding="utf-8")
        return path
    except Exception:  # noqa: BLE001 - nothing may reach stderr from here either
        return None
