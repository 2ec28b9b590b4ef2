"""Where the shared corpus of Excel-made workbooks is: ``XLCLIENT_CORPUS``, else
``shared/corpus/excel-made`` beside the repository (as CI lays it out)."""

from __future__ import annotations

import os
from pathlib import Path


def corpus_dir() -> Path | None:
    here = Path(__file__).resolve().parents[1]
    for candidate in (os.environ.get("XLCLIENT_CORPUS"), here.parent / "shared" / "corpus" / "excel-made"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


def corpus_workbooks() -> list[Path]:
    """The corpus's workbooks (its other files are inputs of XlsxWriter's own tests)."""
    folder = corpus_dir()
    if folder is None:
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm"))
