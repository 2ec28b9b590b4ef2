"""Atomic in-place writes: crashes at every step, Excel's lock, backups, dst mode."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from xlclient.xlsx.errors import WorkbookChanged, WorkbookLocked
from xlclient.xlsx.owned import STEPS, SheetSpec, write_owned_sheets
from xlclient.xlsx.safewrite import BACKUP_DIR, backups_of

SPEC = SheetSpec("拜访计划", [["日期", "客户"], ["2026-03-05", "=cmd|' /C calc'!A0"]])


class Crash(Exception):
    pass


def make_book(path: Path) -> bytes:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("客户台账")
    ws.write_row("A1", ["客户编号", "客户名称"])
    ws.write_row("A2", ["C001", "甲公司"])
    ws.write_formula("C2", "=LEN(B2)", None, 3)
    wb.close()
    return path.read_bytes()


def folder_listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def crash_at(name: str):
    def hook(step: str) -> None:
        if step == name:
            raise Crash(step)
    return hook


@pytest.mark.parametrize("step", STEPS)
def test_crash_at_each_step_leaves_original_intact(tmp_path, step):
    path = tmp_path / "客户台账.xlsx"
    original = make_book(path)
    with pytest.raises(Crash):
        write_owned_sheets(path, [SPEC], on_step=crash_at(step))
    assert path.read_bytes() == original
    openpyxl.load_workbook(path)  # still readable
    leftovers = [p for p in folder_listing(tmp_path) if "tmp" in p or ".~xlclient" in p]
    assert leftovers == []
    # a write that failed replaced nothing, so it leaves no backup either (a killed process
    # may leave one: it equals the original, and the next write prunes it)
    assert backups_of(path) == []


@pytest.mark.parametrize("step", STEPS)
def test_crash_at_each_step_with_dst_leaves_no_copy(tmp_path, step):
    src = tmp_path / "book.xlsx"
    original = make_book(src)
    dst = tmp_path / "out.xlsx"
    with pytest.raises(Crash):
        write_owned_sheets(src, [SPEC], dst, on_step=crash_at(step))
    assert src.read_bytes() == original
    assert not dst.exists()
    assert not [p for p in folder_listing(tmp_path) if ".~xlclient" in p]


def test_dst_never_replaces_a_file(tmp_path):
    """A copy goes only where no file is (SPEC 8: no command overwrites a file it did not
    read): an existing one is refused before any work, one that appears while the copy is
    built is kept and the copy is dropped."""
    from xlclient.xlsx.errors import TargetExists

    src = tmp_path / "book.xlsx"
    original = make_book(src)
    dst = tmp_path / "out.xlsx"
    dst.write_bytes(b"their file")
    with pytest.raises(TargetExists):
        write_owned_sheets(src, [SPEC], dst)
    assert dst.read_bytes() == b"their file"
    for step in ("temp-written", "backup", "replace"):
        dst.unlink()

        def appears(name, step=step):
            if name == step:
                dst.write_bytes(b"saved meanwhile")

        with pytest.raises(TargetExists):
            write_owned_sheets(src, [SPEC], dst, on_step=appears)
        assert dst.read_bytes() == b"saved meanwhile", step
        assert src.read_bytes() == original
        assert not [p for p in folder_listing(tmp_path) if ".~xlclient" in p]


def test_steps_run_in_order(tmp_path):
    path = tmp_path / "b.xlsx"
    make_book(path)
    seen = []
    write_owned_sheets(path, [SPEC], on_step=seen.append)
    assert seen == list(STEPS)


def test_excel_owner_file_refuses_and_writes_nothing(tmp_path):
    path = tmp_path / "客户台账.xlsx"
    original = make_book(path)
    (tmp_path / "~$客户台账.xlsx").write_bytes(b"\x00" * 162)
    before = folder_listing(tmp_path)
    with pytest.raises(WorkbookLocked) as err:
        write_owned_sheets(path, [SPEC])
    message = str(err.value)
    assert "客户台账.xlsx" in message and "close it in Excel first" in message
    assert path.read_bytes() == original
    assert folder_listing(tmp_path) == before


def test_lock_appearing_during_the_write_refuses(tmp_path):
    path = tmp_path / "b.xlsx"
    original = make_book(path)

    def open_in_excel(step):
        if step == "backup":
            (tmp_path / "~$b.xlsx").write_bytes(b"x")
    with pytest.raises(WorkbookLocked):
        write_owned_sheets(path, [SPEC], on_step=open_in_excel)
    assert path.read_bytes() == original
    assert not [p for p in folder_listing(tmp_path) if ".~xlclient" in p]


def test_file_saved_by_someone_else_meanwhile_is_not_overwritten(tmp_path):
    path = tmp_path / "b.xlsx"
    make_book(path)

    def colleague_saves(step):
        if step == "fsynced":
            data = path.read_bytes()
            path.write_bytes(data + b"")  # same bytes, new mtime
            os.utime(path, ns=(1, 1))
    with pytest.raises(WorkbookChanged):
        write_owned_sheets(path, [SPEC], on_step=colleague_saves)
    assert not [p for p in folder_listing(tmp_path) if ".~xlclient" in p]


def test_dst_locked_by_excel_is_refused(tmp_path):
    src = tmp_path / "b.xlsx"
    make_book(src)
    (tmp_path / "~$out.xlsx").write_bytes(b"x")
    with pytest.raises(WorkbookLocked):
        write_owned_sheets(src, [SPEC], tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()


def test_in_place_write_keeps_backups_and_prunes_old_ones(tmp_path):
    path = tmp_path / "b.xlsx"
    versions = [make_book(path)]
    for i in range(4):
        report = write_owned_sheets(path, [SheetSpec("S", [["run"], [i]])], backups=2)
        assert report.backup is not None and report.backup.parent.name == BACKUP_DIR
        versions.append(path.read_bytes())
    kept = backups_of(path)
    assert len(kept) == 2
    assert [k.read_bytes() for k in kept] == versions[-3:-1]
    assert openpyxl.load_workbook(path)["S"]["A2"].value == 3


def test_backups_zero_keeps_none(tmp_path):
    path = tmp_path / "b.xlsx"
    make_book(path)
    report = write_owned_sheets(path, [SPEC], backups=0)
    assert report.backup is None and not (tmp_path / BACKUP_DIR).exists()


def test_dst_mode_leaves_source_untouched(tmp_path):
    src = tmp_path / "b.xlsx"
    original = make_book(src)
    dst = tmp_path / "out" / "copy.xlsx"
    dst.parent.mkdir()
    report = write_owned_sheets(src, [SPEC], dst)
    assert src.read_bytes() == original
    assert report.path == dst and report.backup is None
    assert openpyxl.load_workbook(dst)["拜访计划"]["B2"].value == "=cmd|' /C calc'!A0"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.xlsx", "out"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_permissions_are_kept(tmp_path):
    path = tmp_path / "b.xlsx"
    make_book(path)
    os.chmod(path, 0o640)
    write_owned_sheets(path, [SPEC])
    assert (os.stat(path).st_mode & 0o777) == 0o640


def test_cached_formula_values_survive(tmp_path):
    path = tmp_path / "b.xlsx"
    make_book(path)
    write_owned_sheets(path, [SPEC])
    wb = openpyxl.load_workbook(path, data_only=True)
    assert wb["客户台账"]["C2"].value == 3  # openpyxl itself would have dropped this on save
    assert openpyxl.load_workbook(io.BytesIO(path.read_bytes()))["客户台账"]["C2"].value == "=LEN(B2)"


def test_windows_exclusive_open_failure_is_reported_as_locked(tmp_path, monkeypatch):
    from xlclient.xlsx import safewrite

    path = tmp_path / "b.xlsx"
    original = make_book(path)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "The process cannot access the file because it is being used")
    monkeypatch.setattr(safewrite.sys, "platform", "win32")
    monkeypatch.setattr(safewrite.os, "open", refuse)
    with pytest.raises(WorkbookLocked, match="close it in Excel / WPS first"):  # on Windows: Excel, WPS or another
        write_owned_sheets(path, [SPEC])
    monkeypatch.undo()
    assert path.read_bytes() == original
    assert folder_listing(tmp_path) == ["b.xlsx"]


def test_a_save_after_the_last_check_is_not_overwritten(tmp_path):
    """The instant between the last check and the rename: the old file is renamed aside
    (which takes exactly the file that was there) and checked; a save that landed is put
    back and the write refused."""
    from xlclient.xlsx.session import take_snapshot

    path = tmp_path / "b.xlsx"
    make_book(path)
    snap = take_snapshot(path)
    theirs = make_book(tmp_path / "theirs.xlsx") + b""
    theirs_path = tmp_path / "theirs.xlsx"

    def save_at_the_last_instant(step: str) -> None:
        if step == "replace":
            os.replace(theirs_path, path)
    with pytest.raises(WorkbookChanged):
        write_owned_sheets(path, [SPEC], snapshot=snap, on_step=save_at_the_last_instant)
    assert path.read_bytes() == theirs
    assert [p for p in folder_listing(tmp_path) if ".~xlclient" in p] == []


def test_a_run_killed_with_the_workbook_aside_puts_it_back_next_time(tmp_path):
    """The next writing run (it holds the lock) puts it back; a reader without the lock
    only waits for the instant to pass: it cannot tell a dead writer from a live one."""
    from xlclient.xlsx.errors import WorkbookNotFound
    from xlclient.xlsx.session import ASIDE_MARK, RunLock, take_snapshot

    path = tmp_path / "b.xlsx"
    original = make_book(path)
    aside = tmp_path / f".~xlclient-b.123-456.xlsx{ASIDE_MARK}"
    os.rename(path, aside)  # what a run killed in that instant leaves
    assert take_snapshot(path).data == original  # a reader reads the book where it is
    assert aside.exists() and not path.exists()  # and leaves it there
    os.rename(aside, tmp_path / "elsewhere.xlsx")
    with pytest.raises(WorkbookNotFound):
        take_snapshot(path)
    os.rename(tmp_path / "elsewhere.xlsx", aside)
    with RunLock(path, wait=1):
        assert take_snapshot(path).data == original
    assert path.read_bytes() == original and not aside.exists()
