"""xlclient's own files beside a workbook (lock, temporary, aside, backup) fit the file
system's name limit whatever the workbook is called (xlclient/xlsx/filenames.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlclient.xlsx.filenames import DECORATION, NAME_MAX, fitted_stem, fitted_suffix, name_size
from xlclient.xlsx.session import RunLock, lock_path

# names a person may give a workbook: CJK, Latin, digits, spaces, brackets, emoji
_CHARS = st.sampled_from(list("客户台账终版甲乙丙 abcXYZ019-_()（）【】.") + ["😀", "é", "ß"])


@given(stem=st.text(_CHARS, min_size=1, max_size=120), suffix=st.sampled_from([".xlsx", ".xlsm", ".XLSX", ""]))
@settings(max_examples=300, deadline=None)
def test_every_derived_name_fits(stem: str, suffix: str) -> None:
    name = stem + suffix
    if name_size(name) > NAME_MAX or name in (".", ".."):
        return  # no such file can exist
    path = Path("/tmp") / name
    short = fitted_stem(path)
    assert name_size(short) + name_size(fitted_suffix(path)) + DECORATION <= NAME_MAX
    assert fitted_stem(path) == short  # every run derives the same names
    if name_size(name) + DECORATION <= NAME_MAX:
        assert (short, fitted_suffix(path)) in ((path.stem, path.suffix), (path.name, ""))  # short names untouched


def test_long_names_that_share_a_beginning_get_different_locks() -> None:
    a = Path("/tmp") / ("客" * 78 + "甲.xlsx")
    b = Path("/tmp") / ("客" * 78 + "乙.xlsx")
    assert name_size(a.name) > NAME_MAX - DECORATION
    assert fitted_stem(a) != fitted_stem(b)
    assert fitted_stem(a).startswith("客" * 20)  # still reads as the workbook's name


def test_a_workbook_at_the_limit_is_locked_written_and_backed_up(tmp_path: Path) -> None:
    """The names are real: a lock, a temporary file, a backup of a 255-byte workbook."""
    from xlclient.xlsx.owned import SheetSpec, write_owned_sheets
    from xlclient.xlsx.safewrite import backups_of

    name = "客" * 83 + "a.xlsx"
    assert name_size(name) == 255
    path = tmp_path / name
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("客户台账").write_row(0, 0, ["客户名称", "客户经理"])
    wb.close()
    with RunLock(path, wait=0):
        assert lock_path(path).exists()
        assert name_size(lock_path(path).name) <= NAME_MAX
    for _ in range(2):
        write_owned_sheets(path, [SheetSpec(name="分级结果", rows=[["客户编号"], ["K1"]])])
    assert len(backups_of(path)) == 2


def test_a_folder_that_takes_no_new_files_is_said_so(tmp_path: Path, monkeypatch) -> None:
    """Where xlclient may not create its lock (no permission, a read-only drive), the run
    is refused in words, not with an internal error (root ignores permissions, so the
    system's answer is stood in for)."""
    from xlclient.xlsx.errors import FolderMissing, FolderNotWritable

    real_open = os.open

    def no_permission(path, flags, *args):
        if flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", no_permission)
    with pytest.raises(FolderNotWritable) as e:
        RunLock(tmp_path / "book.xlsx", wait=0).acquire()
    assert "没有写入权限" in e.value.message("zh")
    monkeypatch.setattr(os, "open", real_open)
    with pytest.raises(FolderMissing):
        RunLock(tmp_path / "no" / "book.xlsx", wait=0).acquire()
