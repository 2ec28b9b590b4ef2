"""Odd files and odd requests, one line each (SPEC 8; the contract is in tests/adversary.py):
every case gets its exit code, a clear message in the book's language and never an
internal error or a hang; a refusal leaves every file byte for byte; a run that writes
keeps every part xlclient does not own.

The cases were chosen class by class, the way a hurried user or an adversary reaches
them: what the workbook path names (folders, pipes, devices, links, names at the file
system's limit, files that are not workbooks), where a copy goes (existing files, missing
folders, extensions that do not fit the contents), what the cells hold (every Excel error,
dates that are typos, texts that look like formulas, extreme numbers), what Settings say
(another language, impossible parameters), the flags (out-of-range numbers, dates decades
away, tables xlclient owns), and timing (a lock held by another run, Excel's owner file, a
reader that closes the pipe). A new case is one line in CASES.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from adversary import (TEMPLATE, TODAY, Books, Case, column_cell, member_edit, run_case, set_cell)


@pytest.fixture(scope="session")
def books(tmp_path_factory) -> Books:
    return Books(tmp_path_factory.mktemp("adversary-books"))


# ----------------------------------------------------------------- makers (folder, books) -> workbook


def demo(f: Path, b: Books) -> Path:
    return b.copy(f)


def demo_en(f: Path, b: Books) -> Path:
    return b.copy(f, lang="en")


def nothing(f: Path, b: Books) -> Path:
    return f / "book.xlsx"


def folder_named_book(f: Path, b: Books) -> Path:
    (f / "book.xlsx").mkdir()
    return f / "book.xlsx"


def fifo(f: Path, b: Books) -> Path:
    os.mkfifo(f / "book.xlsx")
    return f / "book.xlsx"


def with_file(name: str, content: bytes) -> callable:
    def make(f: Path, b: Books) -> Path:
        (f / name).write_bytes(content)
        return f / name
    return make


def demo_and(*steps) -> callable:
    """The demo book, then each step(folder, book) in turn."""
    def make(f: Path, b: Books) -> Path:
        book = b.copy(f)
        for step in steps:
            step(f, book)
        return book
    return make


def demo_en_and(*steps) -> callable:
    def make(f: Path, b: Books) -> Path:
        book = b.copy(f, lang="en")
        for step in steps:
            step(f, book)
        return book
    return make


def template(f: Path, b: Books) -> Path:
    path = f / "book.xlsm"
    path.write_bytes(TEMPLATE.read_bytes())
    return path


def named(name: str) -> callable:
    def make(f: Path, b: Books) -> Path:
        return b.copy(f, name)
    return make


def long_name(size: int) -> callable:
    """A workbook whose name takes ``size`` bytes in UTF-8 (three a character)."""
    chars = (size - len(".xlsx")) // 3
    return named("客" * chars + "a" * (size - len(".xlsx") - 3 * chars) + ".xlsx")


def link_to_demo(f: Path, b: Books) -> Path:
    real = b.copy(f, "real.xlsx")
    (f / "book.xlsx").symlink_to(real.name)
    return f / "book.xlsx"


def dangling_link(f: Path, b: Books) -> Path:
    (f / "book.xlsx").symlink_to("gone.xlsx")
    return f / "book.xlsx"


# steps (folder, book)

def cell(header: str, xml: str, offset: int = 1):
    def step(f: Path, book: Path) -> None:
        set_cell(book, "客户台账", column_cell(book, header, offset), xml)
    return step


def text_cell(header: str, text: str, offset: int = 1):
    from xml.sax.saxutils import escape
    return cell(header, f't="inlineStr"|<is><t xml:space="preserve">{escape(text)}</t></is>', offset)


def error_cell(header: str, error: str, offset: int = 1):
    return cell(header, f't="e"|<v>{error}</v>', offset)


def number_cell(header: str, number: str, offset: int = 1):
    return cell(header, f'|<v>{number}</v>', offset)


def setting(key: str, value: str):
    """The Settings sheet's value cell (column B) on the row of the parameter ``key``
    (its column D, in either language)."""
    def step(f: Path, book: Path) -> None:
        import python_calamine as pc

        from adversary import sheet_part

        wb = pc.CalamineWorkbook.from_path(str(book))
        name = next(n for n in wb.sheet_names if n in ("设置", "Settings"))
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        r = next(i for i, row in enumerate(rows) if len(row) > 3 and str(row[3]).strip() == key)
        from xml.sax.saxutils import escape
        set_cell(book, name, f"B{r + 1}", f't="inlineStr"|<is><t>{escape(value)}</t></is>')
        del sheet_part
    return step


def workbook_xml(edit):
    def step(f: Path, book: Path) -> None:
        member_edit(book, "xl/workbook.xml", lambda b: edit(b.decode()).encode())
    return step


PASSWORD_TO_MODIFY = workbook_xml(lambda t: t.replace("<workbookPr", '<fileSharing userName="王芳" '
                                                      'reservationPassword="CC3D"/><workbookPr', 1))
HASHED_PASSWORD_TO_MODIFY = workbook_xml(lambda t: t.replace(
    "<workbookPr", '<fileSharing userName="x" algorithmName="SHA-512" hashValue="aGFzaA==" saltValue="c2FsdA==" '
                   'spinCount="100000"/><workbookPr', 1))
STRUCTURE_LOCKED = workbook_xml(lambda t: t.replace("<bookViews", '<workbookProtection lockStructure="1"/><bookViews', 1))


def read_only(f: Path, book: Path) -> None:
    os.chmod(book, stat.S_IRUSR | stat.S_IRGRP)


def excel_owner_file(f: Path, book: Path) -> None:
    (f / ("~$" + book.name)).write_bytes(b"\x06wangfang" + b" " * 47)


def libreoffice_lock(f: Path, book: Path) -> None:
    (f / (".~lock." + book.name + "#")).write_text(",wangfang,PC,07.12.2026 09:00,file:///;", encoding="utf-8")


_HELD: list = []


def held_by_another_run(f: Path, book: Path) -> None:
    """Another xlclient run holds the workbook's lock (released when the next case starts)."""
    from xlclient.xlsx.session import RunLock

    while _HELD:
        _HELD.pop().release()
    _HELD.append(RunLock(book, wait=0).acquire())


def stale_lock_file(f: Path, book: Path) -> None:
    """A lock file left by a run that died: nobody holds its lock."""
    from xlclient.xlsx.session import lock_path

    lock_path(book).write_text('\n{"user": "ghost", "pid": 1}', encoding="utf-8")


def existing(name: str, content: bytes = b"their file"):
    def step(f: Path, book: Path) -> None:
        (f / name).write_bytes(content)
    return step


def subfolder(name: str):
    def step(f: Path, book: Path) -> None:
        (f / name).mkdir()
    return step


def link(name: str, target: str):
    def step(f: Path, book: Path) -> None:
        (f / name).symlink_to(target)
    return step


def zip_of(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in members.items():
            z.writestr(k, v)
    return buf.getvalue()


def truncated(f: Path, b: Books) -> Path:
    data = b.zh.read_bytes()
    (f / "book.xlsx").write_bytes(data[: len(data) // 2])
    return f / "book.xlsx"


def flipped(offset_fraction: float):
    def make(f: Path, b: Books) -> Path:
        data = bytearray(b.zh.read_bytes())
        i = int(len(data) * offset_fraction)
        data[i] ^= 0xFF
        (f / "book.xlsx").write_bytes(bytes(data))
        return f / "book.xlsx"
    return make


def no_shared_strings_part(f: Path, b: Books) -> Path:
    """sharedStrings.xml gone (its relationship left dangling)."""
    import io
    import zipfile

    src = zipfile.ZipFile(b.zh)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in src.infolist():
            if i.filename != "xl/sharedStrings.xml":
                z.writestr(i, src.read(i))
    (f / "book.xlsx").write_bytes(buf.getvalue())
    return f / "book.xlsx"


def plain_zip(f: Path, b: Books) -> Path:
    (f / "book.xlsx").write_bytes(zip_of({"readme.txt": b"hello"}))
    return f / "book.xlsx"


def ole_file(f: Path, b: Books) -> Path:
    (f / "book.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4088)
    return f / "book.xlsx"


def small_book(owners: list[str], extra_sheets: dict[str, list[list]] | None = None) -> callable:
    """A plain client book made by hand (xlsxwriter): one row per owner, plus sheets."""
    def make(f: Path, b: Books) -> Path:
        import xlsxwriter

        path = f / "book.xlsx"
        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet("客户台账")
        ws.write_row(0, 0, ["客户编号", "客户名称", "客户经理", "客户状态", "年度投放额(万元)", "最近拜访日期"])
        for i, owner in enumerate(owners):
            ws.write_row(i + 1, 0, [f"K{i:03d}", f"客户{i}", owner, "合作中", 100 + 7 * i, f"2026-{i % 9 + 1:02d}-10"])
        for name, rows in (extra_sheets or {}).items():
            sheet = wb.add_worksheet(name)
            for r, row in enumerate(rows):
                sheet.write_row(r, 0, row)
        wb.close()
        return path
    return make


def with_kind_of_sheet(kind: str) -> callable:
    """The demo with an Excel 4 macro sheet, a dialog sheet or a chart sheet (legal .xlsx)."""
    def make(f: Path, b: Books) -> Path:
        from test_cell_values import with_sheet

        path = f / "book.xlsx"
        path.write_bytes(with_sheet(b.zh.read_bytes(), kind))
        return path
    return make


def utf16_part(part: str):
    def step(f: Path, book: Path) -> None:
        from test_cell_values import utf16

        member_edit(book, part, utf16)
    return step


def bomb(**kw) -> callable:
    """The demo whose client sheet inflates to gigabytes (tests/zipbombs.py)."""
    def make(f: Path, b: Books) -> Path:
        from zipbombs import bomb_workbook

        path = f / "book.xlsx"
        path.write_bytes(bomb_workbook(b.zh.read_bytes(), **kw))
        return path
    return make


THEIR_HANDOVER = {"客户交接": [["交接人", "客户", "接手人", "备注"], ["张伟", "客户1", "李娜", "口头说过"]]}


BILLINGS, LAST_VISIT, LAST_ORDER, FIRST_ORDER = "年度投放额(万元)", "最近拜访日期", "最近合作日期", "首次合作日期"
NAME, OWNER, STATUS = "客户名称", "客户经理", "客户状态"
FILE_REFUSED = "未做任何处理"  # "nothing was done" (a path that is no workbook)
NOT_WRITTEN = "未写入任何内容"  # "nothing was written"
Q = "--json -q --today " + TODAY

CASES = [
    # ------------------------------------------------------------- what the path names
    Case("path is a folder (check)", folder_named_book, f"check {{book}} {Q}", 2, "是文件夹"),
    Case("path is a folder (refresh)", folder_named_book, f"refresh {{book}} {Q}", 2, "是文件夹"),
    Case("path is a folder (plan)", folder_named_book, f"plan {{book}} {Q}", 2, "是文件夹"),
    Case("path is a pipe (check)", fifo, f"check {{book}} {Q}", 2, "是管道", child=True),
    Case("path is a pipe (refresh)", fifo, f"refresh {{book}} {Q}", 2, "是管道", child=True),
    Case("path is /dev/zero", nothing, f"check /dev/zero {Q}", 2, "是设备", child=True),
    Case("path is /dev/null (refresh)", nothing, f"refresh /dev/null {Q}", 2, "是设备", child=True),
    Case("path does not exist", nothing, f"check {{dir}}/missing.xlsx {Q}", 2, "找不到文件"),
    Case("path in a missing folder (refresh)", nothing, f"refresh {{dir}}/no/such.xlsx {Q}", 2),
    Case("dangling link", dangling_link, f"refresh {{book}} {Q}", 2, "找不到文件"),
    Case("link to the book: written through", link_to_demo, f"refresh {{book}} {Q}", (0, 1)),
    Case("empty file", with_file("book.xlsx", b""), f"check {{book}} {Q}", 2, "空文件"),
    Case("text file named .xlsx", with_file("book.xlsx", "客户,投放\n甲,1\n".encode()), f"refresh {{book}} {Q}", 2,
         "文本文件"),
    Case("half a workbook", truncated, f"refresh {{book}} {Q}", 2, "截断"),
    Case("a zip that is no workbook", plain_zip, f"check {{book}} {Q}", 2),
    Case("an OLE file that is no workbook", ole_file, f"check {{book}} {Q}", 2),
    Case("a byte flipped in the middle", flipped(0.5), f"refresh {{book}} {Q}", (0, 1, 2)),
    Case("a byte flipped near the end", flipped(0.98), f"refresh {{book}} {Q}", (0, 1, 2)),
    Case("a byte flipped near the start", flipped(0.01), f"refresh {{book}} {Q}", (0, 1, 2)),
    Case("a zip bomb of 3 GB", bomb(), f"refresh {{book}} {Q}", 2, "2.0 GB", child=True),
    Case("a zip64 bomb of 5 GB", bomb(unpacked=5_000_000_000), f"check {{book}} {Q}", 2, "2.0 GB", child=True),
    Case("a bomb by ratio", bomb(unpacked=50_000_000), f"refresh {{book}} {Q}", 2, "压缩比", child=True),
    Case("a member lying about its size", bomb(declared=20000), f"refresh {{book}} {Q}", 2, "数据出错"),
    Case("an Excel 4 macro sheet", with_kind_of_sheet("macro"), f"plan {{book}} {Q}", 1),
    Case("a dialog sheet", with_kind_of_sheet("dialog"), f"refresh {{book}} {Q}", 1),
    Case("a chart sheet", with_kind_of_sheet("chart"), f"dashboard {{book}} {Q}", 1),
    Case("shared strings saved as UTF-16", demo_and(utf16_part("xl/sharedStrings.xml")), f"refresh {{book}} {Q}", 1),
    Case("workbook.xml saved as UTF-16", demo_and(utf16_part("xl/workbook.xml")), f"plan {{book}} {Q}", 1),
    Case("content types saved as UTF-16", demo_and(utf16_part("[Content_Types].xml")), f"refresh {{book}} {Q}", 1),
    Case("sharedStrings part missing", no_shared_strings_part, f"refresh {{book}} {Q}", (1, 2)),
    Case("name of 241 bytes (refresh)", long_name(241), f"refresh {{book}} {Q}", 1),
    Case("name of 255 bytes (plan)", long_name(255), f"plan {{book}} {Q}", 1),
    Case("name of 250 bytes, a second refresh keeps a backup", long_name(250), f"refresh {{book}} {Q}", 1),
    Case("name with spaces and CJK", named("客户 台账 2026 (终版).xlsx"), f"refresh {{book}} {Q}", 1),
    Case("read-only file", demo_and(read_only), f"refresh {{book}} {Q}", 2, "只读"),
    Case("read-only file, check only", demo_and(read_only), f"check {{book}} {Q}", 1),
    Case("password to modify", demo_and(PASSWORD_TO_MODIFY), f"refresh {{book}} {Q}", 2, "修改权限密码"),
    Case("hashed password to modify", demo_and(HASHED_PASSWORD_TO_MODIFY), f"plan {{book}} {Q}", 2, "修改权限密码"),
    Case("password to modify, a copy is fine", demo_and(PASSWORD_TO_MODIFY),
         f"refresh {{book}} --out {{dir}}/copy.xlsx {Q}", 1),
    Case("password to modify, check reads", demo_and(PASSWORD_TO_MODIFY), f"check {{book}} {Q}", 1),
    Case("protected structure, sheets to add", demo_and(STRUCTURE_LOCKED), f"refresh {{book}} {Q}", 2, "结构受保护"),
    Case("open in Excel", demo_and(excel_owner_file), f"refresh {{book}} {Q}", 2, "正在 Excel 中打开"),
    Case("open in LibreOffice", demo_and(libreoffice_lock), f"plan {{book}} {Q}", 2, "正在 LibreOffice 中打开"),
    Case("another run holds it", demo_and(held_by_another_run), f"refresh {{book}} --wait 0.2 {Q}", 2,
         "另一个 xlclient 任务"),
    Case("--wait nan while another run holds it", demo_and(held_by_another_run), f"refresh {{book}} --wait nan {Q}",
         2, "3600", child=True),
    Case("--wait inf", demo, f"refresh {{book}} --wait inf {Q}", 2, "3600"),
    Case("--wait -5", demo, f"plan {{book}} --wait -5 {Q}", 2, "3600"),
    Case("a stale lock file from a dead run", demo_and(stale_lock_file), f"refresh {{book}} {Q}", 1),
    # ------------------------------------------------------------- where a copy goes
    Case("--out onto an existing file", demo_and(existing("copy.xlsx")), f"refresh {{book}} --out {{dir}}/copy.xlsx {Q}",
         2, "已存在"),
    Case("--out onto an existing .xlsm", demo_and(existing("mine.xlsm")), f"plan {{book}} --out {{dir}}/mine.xlsm {Q}",
         2, "已存在"),
    Case("--out onto a link to a file", demo_and(existing("theirs.xlsx"), link("copy.xlsx", "theirs.xlsx")),
         f"refresh {{book}} --out {{dir}}/copy.xlsx {Q}", 2, "已存在"),
    Case("--out names a folder", demo_and(subfolder("out")), f"refresh {{book}} --out {{dir}}/out {Q}", 2, "是文件夹"),
    Case("--out into a missing folder", demo, f"refresh {{book}} --out {{dir}}/no/copy.xlsx {Q}", 2, "不存在"),
    Case("--out into a missing folder (init)", demo, f"init {{book}} --out {{dir}}/no/copy.xlsx {Q}", 2, "不存在"),
    Case("--out .xlsm for an .xlsx book", demo, f"refresh {{book}} --out {{dir}}/copy.xlsm {Q}", 2, "扩展名"),
    Case("--out .xlsx for the .xlsm template", template, f"refresh {{book}} --out {{dir}}/copy.xlsx {Q}", 2,
         "扩展名"),
    Case("--out .xlsm for the .xlsm template", template, f"refresh {{book}} --out {{dir}}/copy.xlsm {Q}", (0, 1)),
    Case("--out with a name too long", demo, f"refresh {{book}} --out {{dir}}/{'客' * 90}.xlsx {Q}", 2, "太长"),
    Case("--out is the book itself", demo, f"refresh {{book}} --out {{book}} {Q}", 1),
    Case("--out of values onto an existing file", demo_and(existing("v.xlsx")),
         "values {book} --out {dir}/v.xlsx -q", (0, 2)),
    Case("demo --out onto an existing workbook", demo, f"demo --out {{book}} {Q}", 2, "已存在"),
    Case("demo --out onto an existing .xlsm", template, f"demo --out {{book}} {Q}", 2, "已存在"),
    Case("demo --out .xlsm", nothing, f"demo --out {{dir}}/new.xlsm {Q}", 2, "扩展名"),
    Case("demo --out into a missing folder", nothing, f"demo --out {{dir}}/no/demo.xlsx {Q}", 2, "不存在"),
    Case("demo --out a folder", demo_and(subfolder("d")), f"demo --out {{dir}}/d {Q}", 2, "是文件夹"),
    Case("demo --clients 0", nothing, f"demo --out {{dir}}/d.xlsx --clients 0 {Q}", 2, "--clients"),
    Case("demo --seed -1", nothing, f"demo --out {{dir}}/d.xlsx --seed -1 {Q}", 2, "--seed"),
    Case("demo --clients -5", nothing, f"demo --out {{dir}}/d.xlsx --clients -5 {Q}", 2, "--clients"),
    # ------------------------------------------------------------- what the cells hold
    Case("#N/A in billings", demo_and(error_cell(BILLINGS, "#N/A", 3)), f"check {{book}} {Q}", 1, "#N/A"),
    Case("#N/A in a last visit", demo_and(error_cell(LAST_VISIT, "#N/A", 2)), f"refresh {{book}} {Q}", 1, "#N/A"),
    Case("#REF! in the owner", demo_and(error_cell(OWNER, "#REF!", 2)), f"refresh {{book}} {Q}", 1, "#REF!"),
    Case("#SPILL! in billings", demo_and(error_cell(BILLINGS, "#SPILL!", 3)), f"check {{book}} {Q}", 1, "#SPILL!"),
    Case("#CALC! in a name", demo_and(error_cell(NAME, "#CALC!", 4)), f"refresh {{book}} {Q}", 1, "#CALC!"),
    Case("#FIELD! in the status", demo_and(error_cell(STATUS, "#FIELD!", 5)), f"refresh {{book}} {Q}", 1),
    Case("#BLOCKED! in a last visit", demo_and(error_cell(LAST_VISIT, "#BLOCKED!", 2)), f"plan {{book}} {Q}", 1),
    Case("#BUSY! in billings", demo_and(error_cell(BILLINGS, "#BUSY!", 6)), f"dashboard {{book}} {Q}", 1),
    Case("#CONNECT! in billings", demo_and(error_cell(BILLINGS, "#CONNECT!", 7)), f"review {{book}} {Q}", 1),
    Case("#UNKNOWN! in billings", demo_and(error_cell(BILLINGS, "#UNKNOWN!", 3)), f"check {{book}} {Q}", 1),
    Case("#GETTING_DATA in billings", demo_and(error_cell(BILLINGS, "#GETTING_DATA", 3)), f"check {{book}} {Q}", 1),
    Case("a future error #NEWTHING! in billings", demo_and(error_cell(BILLINGS, "#NEWTHING!", 3)),
         f"check {{book}} {Q}", 1),
    Case("#SPILL! in the Settings sheet", demo_and(lambda f, b: set_cell(b, "设置", "C2", 't="e"|<v>#SPILL!</v>')),
         f"refresh {{book}} {Q}", (1, 2)),
    Case("1900-01-01 as a last order date", demo_and(number_cell(LAST_ORDER, "1", 2)), f"check {{book}} {Q}", 1,
         "1950"),
    Case("serial 0 as a last visit", demo_and(number_cell(LAST_VISIT, "0", 2)), f"plan {{book}} {Q}", 1),
    Case("9999-12-31 as a last visit", demo_and(number_cell(LAST_VISIT, "2958465", 2)), f"plan {{book}} {Q}", 1),
    Case("a serial past 9999 as a last visit", demo_and(number_cell(LAST_VISIT, "99999999", 2)), f"plan {{book}} {Q}", 1),
    Case("1e308 billings", demo_and(number_cell(BILLINGS, "1e308", 3)), f"refresh {{book}} {Q}", 1),
    Case("negative billings", demo_and(number_cell(BILLINGS, "-500", 3)), f"refresh {{book}} {Q}", 1),
    Case("a name that is a formula", demo_and(text_cell(NAME, "=HYPERLINK(\"http://x\",\"点我\")", 2)),
         f"refresh {{book}} {Q}", 1),
    Case("a name of 32,767 characters", demo_and(text_cell(NAME, "长" * 32767, 2)), f"refresh {{book}} {Q}", 1),
    Case("control characters in a name", demo_and(text_cell(NAME, "甲_x0001_乙\t丙", 2)), f"refresh {{book}} {Q}", 1),
    Case("an owner of spaces only", demo_and(text_cell(OWNER, "   ", 2)), f"plan {{book}} {Q}", 1),
    Case("billings as 'inf'", demo_and(text_cell(BILLINGS, "inf", 3)), f"refresh {{book}} {Q}", 1),
    Case("billings as '1e999'", demo_and(text_cell(BILLINGS, "1e999", 3)), f"refresh {{book}} {Q}", 1),
    Case("billings in Chinese numerals", demo_and(text_cell(BILLINGS, "一亿五千万", 3)), f"check {{book}} {Q}", (0, 1)),
    # ------------------------------------------------------------- what Settings say
    Case("English book: --out onto an existing file", demo_en_and(existing("copy.xlsx")),
         f"refresh {{book}} --out {{dir}}/copy.xlsx {Q}", 2, "already exists", lang="en"),
    Case("English book: password to modify", demo_en_and(PASSWORD_TO_MODIFY), f"refresh {{book}} {Q}", 2,
         "password to modify", lang="en"),
    Case("English book: --table of an owned sheet", demo_en, f"refresh {{book}} --table Settings {Q}", 2,
         "not a client table", lang="en"),
    Case("English book: #SPILL! in billings", demo_en_and(error_cell(BILLINGS, "#SPILL!", 3)),
         f"check {{book}} {Q}", 1, "#SPILL!"),
    Case("English book: --weeks 0", demo_en, f"plan {{book}} --weeks 0 {Q}", 2, "--weeks must be", lang="en"),
    Case("English book: read-only file", demo_en_and(read_only), f"plan {{book}} {Q}", 2, "read-only", lang="en"),
    Case("English book: reassign to oneself", demo_en, f"reassign {{book}} --from 赵磊 --to 赵磊 {Q}", 2, lang="en"),
    Case("English book: plan starting 9999-12-31", demo_en, f"plan {{book}} --start 9999-12-31 {Q}", 2,
         "outside the working calendar", lang="en"),
    Case("a language Settings does not know", demo_and(setting("language", "fr")), f"refresh {{book}} {Q}", 2),
    Case("values on a book whose Settings are refused", demo_and(setting("language", "fr")), "values {book} -q", 0,
         "没有 xlclient 函数公式"),
    Case("Pareto A share over 100%", demo_and(setting("pareto_a", "120%")), f"refresh {{book}} {Q}", 2),
    Case("as-of date in 2030 in Settings", demo_and(setting("as_of", "2030-03-01")), "plan {book} --json -q", (0, 1)),
    Case("as-of date of text in Settings", demo_and(setting("as_of", "下周一")), "plan {book} --json -q", 2),
    Case("horizon of 1000 weeks in Settings", demo_and(setting("plan_weeks", "1000")), f"plan {{book}} {Q}", 2),
    Case("daily capacity of text", demo_and(setting("daily_visits", "很多")), f"plan {{book}} {Q}", 2),
    # ------------------------------------------------------------- the flags
    Case("--weeks 52: a year's plan ends", demo, f"plan {{book}} --weeks 52 {Q}", 1, child=True),
    Case("--weeks 0", demo, f"plan {{book}} --weeks 0 {Q}", 2, "--weeks"),
    Case("--weeks 53", demo, f"plan {{book}} --weeks 53 {Q}", 2, "--weeks"),
    Case("--weeks -1", demo, f"plan {{book}} --weeks -1 {Q}", 2, "--weeks"),
    Case("--today not a date", demo, "check {book} --today 2026-13-45", 2, "2026-13-45"),
    Case("--start not a date", demo, "plan {book} --start tomorrow", 2, "tomorrow"),
    Case("--table of a result sheet", demo, f"refresh {{book}} --table 分级结果 {Q}", 2, "不能作为客户表"),
    Case("--table of the Settings sheet", demo, f"plan {{book}} --table 设置 {Q}", 2, "不能作为客户表"),
    Case("--table of a result sheet in English", demo, f"refresh {{book}} --table Classification {Q}", 2,
         "不能作为客户表"),
    Case("--table that does not exist", demo, f"refresh {{book}} --table 不存在的表 {Q}", 2, "找不到"),
    Case("plan as of 2030", demo, "plan {book} --today 2030-03-01 --json -q", (0, 1)),
    Case("plan starting 2031", demo, f"plan {{book}} --start 2031-03-03 {Q}", (0, 1)),
    Case("refresh as of 2045", demo, "refresh {book} --today 2045-06-01 --json -q", (0, 1)),
    Case("plan as of 1999", demo, "plan {book} --today 1999-06-01 --json -q", (0, 1)),
    Case("plan starting 9999-12-31", demo, f"plan {{book}} --start 9999-12-31 {Q}", 2, "超出工作日历支持的范围"),
    Case("plan ending after 2100", demo, f"plan {{book}} --start 2100-12-20 {Q}", 2, "2100-12-31"),
    Case("check as of 2150", demo, "check {book} --today 2150-01-01 --json -q", 2, "超出"),
    Case("refresh as of 1900", demo, "refresh {book} --today 1900-06-01 --json -q", 2, "1950-01-01"),
    Case("English book: as-of date 2150 in Settings", demo_en_and(setting("as_of", "2150-01-05")),
         "review {book} --json -q", 2, "outside the working calendar", lang="en"),
    Case("reassign an AE the book does not have", demo, f"reassign {{book}} --from 不存在的人 {Q}", 2),
    Case("reassign to the departing AE", demo, f"reassign {{book}} --from 赵磊 --to 赵磊 {Q}", 2),
    Case("reassign --from an empty name", demo, f"reassign {{book}} --from '' {Q}", 2, "没有给出"),
    Case("reassign --to only a comma", demo, f"reassign {{book}} --from 赵磊 --to , {Q}", 2),
    Case("reassign to a near-miss name", demo, f"reassign {{book}} --from 赵磊 --to '刘 洋' {Q}", 2, "刘洋"),
    Case("reassign the only AE", small_book(["张伟"] * 6), f"reassign {{book}} --from 张伟 {Q}", 2, "唯一"),
    Case("reassign twice", demo, f"reassign {{book}} --from 王芳 {Q}", (0, 1)),
    Case("a 客户交接 sheet people made is not applied", small_book(["张伟", "李娜"] * 3, THEIR_HANDOVER),
         f"refresh {{book}} {Q}", 1, "不是 xlclient 生成的"),
    Case("reassign beside a 客户交接 sheet people made", small_book(["张伟", "李娜"] * 3, THEIR_HANDOVER),
         f"reassign {{book}} --from 张伟 {Q}", 2, "改名"),
    Case("unknown command", demo, "frobnicate {book}", 2),
    Case("no workbook", nothing, "refresh", 2),
    # ------------------------------------------------------------- output and timing
    Case("check | head -1 still says problems were found", demo, f"check {{book}} -q --today {TODAY}", 1, head=True),
    Case("refresh | head -1", demo, f"refresh {{book}} -q --today {TODAY}", 1, head=True),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_adversarial_case(case: Case, books: Books, tmp_path: Path) -> None:
    if case.make is fifo and not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this system")
    if sys.platform == "win32" and "/dev/" in case.argv:
        pytest.skip("no /dev on Windows")
    run_case(case, tmp_path, books)


def test_the_suite_is_wide() -> None:
    """At least 80 cases, and every class of input the module's text names is present."""
    assert len(CASES) >= 80
    names = " ".join(c.name for c in CASES)
    for word in ("folder", "pipe", "link", "--out", "demo", "#SPILL!", "Settings", "--weeks", "--table", "head"):
        assert word in names, word


def test_the_contract_catches_a_change_on_refusal(books: Books, tmp_path: Path, monkeypatch) -> None:
    """Negative control: a refusal that changed the file fails the contract."""
    import adversary

    case = Case("control", demo, f"refresh {{book}} --weeks 3 {Q}", 2)  # argparse refuses: no --weeks on refresh
    run_case(case, tmp_path / "honest" if (tmp_path / "honest").mkdir() is None else tmp_path, books)
    real = adversary.run_main

    def lying_main(argv):
        Path(argv[1]).write_bytes(b"overwritten")
        return real(argv)

    monkeypatch.setattr(adversary, "run_main", lying_main)
    (tmp_path / "lying").mkdir()
    with pytest.raises(AssertionError, match="files changed"):
        run_case(case, tmp_path / "lying", books)


def test_the_contract_catches_a_foreign_part_changed(books: Books, tmp_path: Path) -> None:
    """Negative control: a write that touched a part xlclient does not own (the client
    sheet) is named; one that touched only owned sheets is not."""
    from adversary import foreign_parts_changed, sheet_part

    book = books.copy(tmp_path)
    before = book.read_bytes()
    set_cell(book, "客户台账", column_cell(book, NAME, 2), 't="inlineStr"|<is><t>改过</t></is>')
    assert foreign_parts_changed(before, book.read_bytes()) == ["/" + sheet_part(book, "客户台账").lower()]
    settings_only = books.copy(tmp_path, "b.xlsx")
    before = settings_only.read_bytes()
    set_cell(settings_only, "设置", "C6", 't="inlineStr"|<is><t>改过</t></is>')
    assert foreign_parts_changed(before, settings_only.read_bytes()) == []
