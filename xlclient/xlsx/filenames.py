"""Names of xlclient's own files beside a workbook, made to fit the file system.

xlclient puts a few files of its own next to a workbook: its run lock
(``.~xlclient-lock.<name>``), the temporary file a write is built in, the old file moved
aside for the instant of the swap, and backups (``.xlclient-backup/<stem>.<time><suffix>``).
Each is the workbook's name with something added. A file system allows a name of at most
255 bytes (UTF-8 on Linux and macOS, 255 UTF-16 units on Windows), and a workbook's own
name may already be close to that: its lock name would then be too long and the run would
fail. So the workbook's stem, as these names use it, is:

* the stem itself, when the longest name xlclient makes from it fits (the usual case:
  every name reads as the workbook's);
* otherwise the stem cut, on a character boundary, to what fits, followed by ``~`` and
  eight hex digits of a hash of the whole name: two long names that share their first 150
  bytes still get different lock files, and every run on one workbook derives the same
  names (the lock of one run is the lock of the next).

A suffix longer than :data:`LONGEST_SUFFIX` counts as part of the stem (a workbook's
suffix is ``.xlsx`` or ``.xlsm``; anything else is refused later, with its own message).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

__all__ = ["NAME_MAX", "DECORATION", "fitted_stem", "fitted_suffix", "name_size"]

#: The longest name a file system here takes, when the folder does not say.
NAME_MAX = 255
#: The most that xlclient's own names add to a workbook's stem and suffix (the aside
#: name: ``.~xlclient-`` + stem + ``.<pid>-<ns>`` + suffix + ``.aside``, ~50 bytes).
DECORATION = 72
#: A suffix longer than this is taken as part of the stem.
LONGEST_SUFFIX = 8


def name_size(text: str) -> int:
    """How much of a name's limit ``text`` takes: UTF-16 units on Windows, else bytes."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
    return len(os.fsencode(text))


def _name_max(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):  # no such folder yet, Windows, no answer
        return NAME_MAX


def _parts(path: Path) -> tuple[str, str]:
    stem, suffix = path.stem, path.suffix
    if name_size(suffix) > LONGEST_SUFFIX:
        return path.name, ""
    return stem, suffix


def fitted_suffix(path: Path) -> str:
    """The suffix xlclient's own names for ``path`` end with (see the module's text)."""
    return _parts(Path(path))[1]


def fitted_stem(path: Path) -> str:
    """The stem xlclient's own names for ``path`` are built from (see the module's text)."""
    path = Path(path)
    stem, suffix = _parts(path)
    room = min(_name_max(path.parent), NAME_MAX) - DECORATION - name_size(suffix)
    if name_size(stem) <= room:
        return stem
    tag = "~" + hashlib.sha1(os.fsencode(path.name)).hexdigest()[:8]
    room -= name_size(tag)
    cut = stem
    while cut and name_size(cut) > room:  # at most a few hundred characters: cut from the end
        cut = cut[: max(len(cut) - max((name_size(cut) - room) // 4, 1), 0)]
    return cut + tag
