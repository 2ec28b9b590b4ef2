"""Exceptions raised when a run cannot read or write a workbook file.

All derive from :class:`XlsxWriteError`, so a caller (the command line, a button) can
report any of them as "the workbook was not changed".  Whenever one of these is raised,
the workbook on disk is exactly as it was.

Errors a user can meet carry a message in both languages: :meth:`XlsxWriteError.message`
gives it in the workbook's Settings language, naming the user's file and saying what to
do; ``str(e)`` is the English text (for logs and developers).
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "XlsxWriteError",
    "WorkbookLocked",
    "WorkbookChanged",
    "WorkbookBusy",
    "WorkbookNotFound",
    "WorkbookShortcut",
    "WorkbookReadOnly",
    "WorkbookWriteReserved",
    "NotAWorkbookFile",
    "TargetExists",
    "WorkbookNotReadable",
    "FolderMissing",
    "NameTooLong",
    "ExtensionMismatch",
    "FolderNotWritable",
    "StructureProtected",
    "AdditionsCannotBeKept",
    "WorkbookFormatError",
    "SpecError",
    "InvalidSheetName",
    "SheetKindConflict",
    "CellValueError",
]


class XlsxWriteError(Exception):
    """Base class: nothing was written."""

    zh: str | None = None  # the Chinese message, when the subclass has one

    def message(self, lang: str = "zh") -> str:
        """The message in ``lang`` ("zh" or "en")."""
        return self.zh if lang == "zh" and self.zh else str(self)


def _holder(holder: dict | None, lang: str) -> str:
    if not holder:
        return ""
    user, host, since = holder.get("user", "?"), holder.get("host", "?"), holder.get("since", "?")
    return (f"（{user} 在 {host} 上，自 {since} 起）" if lang == "zh" else f" ({user} on {host}, since {since})")


class WorkbookLocked(XlsxWriteError):
    """The file is open in Excel (owner file ``~$name`` present, or locked on Windows) or in
    LibreOffice (``.~lock.name#``): ``program`` names which, as the lock shows it."""

    def __init__(self, path: Path, evidence: str, program: str = "Excel"):
        self.path = Path(path)
        self.evidence = evidence
        self.program = program
        self.zh = (f"工作簿 {self.path.name} 正在 {program} 中打开（{evidence}），未写入任何内容；"
                   f"请先在 {program} 中关闭它再运行。")
        super().__init__(f"{self.path} is open in {program} ({evidence}); close it in {program} first, "
                         "then run again. Nothing was written.")


class WorkbookChanged(XlsxWriteError):
    """The file on disk is no longer the one this run read (someone saved it meanwhile)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.zh = (f"工作簿 {self.path.name} 在 xlclient 读取之后被他人保存过，为免覆盖其修改，未写入任何内容；"
                   "请重新运行（将基于最新的文件计算）。")
        super().__init__(f"{self.path} was saved by someone after xlclient read it; nothing was written, "
                         "so their changes are kept. Run again: it will work on the new file.")


class WorkbookBusy(XlsxWriteError):
    """Another xlclient run holds the workbook (or the file kept changing while read)."""

    def __init__(self, path: Path, holder: dict | None, evidence: str):
        self.path, self.holder, self.evidence = Path(path), holder, evidence
        if evidence.startswith("another"):
            self.zh = (f"另一个 xlclient 任务正在处理工作簿 {self.path.name}{_holder(holder, 'zh')}，"
                       "未写入任何内容；请等它完成后再运行。")
            text = (f"another xlclient run is working on {self.path}{_holder(holder, 'en')}; nothing was "
                    "written: run again when it has finished.")
        else:
            self.zh = f"工作簿 {self.path.name} 在读取时一直在被写入，未做任何处理；请稍后再运行。"
            text = f"{self.path} kept changing while xlclient read it; nothing was done: run again shortly."
        super().__init__(text)


class WorkbookNotFound(XlsxWriteError, FileNotFoundError):
    def __init__(self, path: Path):
        self.path = Path(path)
        self.zh = f"找不到文件 {self.path}；请检查路径和文件名。"
        super().__init__(f"file not found: {self.path}; check the path and the name.")


class WorkbookShortcut(XlsxWriteError):
    """A Windows shortcut (.lnk) was given instead of the workbook."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.zh = f"{self.path.name} 是 Windows 快捷方式，不是工作簿；请给出它指向的工作簿文件（右键 > 属性 > 目标）。"
        super().__init__(f"{self.path.name} is a Windows shortcut, not a workbook; give the workbook it points to "
                         "(right-click > Properties > Target).")


class WorkbookReadOnly(XlsxWriteError):
    """The workbook file is marked read-only."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.zh = (f"工作簿 {self.path.name} 是只读文件，未写入任何内容；请取消其只读属性，"
                   "或用 --out 把结果写到另一个文件。")
        super().__init__(f"{self.path} is read-only; nothing was written. Clear its read-only attribute, or "
                         "write the result to another file with --out.")


class WorkbookWriteReserved(XlsxWriteError):
    """The workbook has a password to modify (Excel's 常规选项 > 修改权限密码): whoever lacks
    it may open the file read-only only, so xlclient does not write it in place."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.zh = (f"工作簿 {self.path.name} 设有修改权限密码，只能以只读方式打开，未写入任何内容；"
                   "请由设置密码的人在 Excel 中取消它（文件 > 另存为 > 工具 > 常规选项），或用 --out 把结果写到另一个文件。")
        super().__init__(f"{self.path.name} has a password to modify, so it opens read-only; nothing was written. "
                         "Ask whoever set it to remove it in Excel (File > Save As > Tools > General Options), "
                         "or write the result to another file with --out.")


class NotAWorkbookFile(XlsxWriteError):
    """The path names a folder, a pipe, a device or a socket, not a file."""

    def __init__(self, path: Path, kind: str):
        self.path, self.kind = Path(path), kind
        zh_kind = {"folder": "文件夹", "pipe": "管道", "device": "设备", "socket": "套接字"}.get(kind, "特殊文件")
        self.zh = f"{self.path} 是{zh_kind}，不是工作簿文件，未做任何处理；请给出 .xlsx 或 .xlsm 文件的路径。"
        super().__init__(f"{self.path} is a {kind}, not a workbook file; nothing was done. Give the path of an "
                         ".xlsx or .xlsm file.")


class WorkbookNotReadable(XlsxWriteError):
    """The file is there but the system would not let xlclient read it."""

    def __init__(self, path: Path, detail: str):
        self.path, self.detail = Path(path), detail
        self.zh = f"无法读取文件 {self.path}（{detail}），未做任何处理；请检查文件的权限。"
        super().__init__(f"cannot read {self.path} ({detail}); nothing was done. Check the file's permissions.")


class TargetExists(XlsxWriteError):
    """A copy (``--out``, ``demo``) would replace a file this run did not read."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.zh = (f"文件 {self.path} 已存在；xlclient 不会覆盖它没有读取的文件，未写入任何内容。"
                   "请换一个文件名，或先把原文件移走。")
        super().__init__(f"{self.path} already exists; xlclient never overwrites a file it did not read, so "
                         "nothing was written. Choose another name, or move that file away first.")


class FolderMissing(XlsxWriteError):
    """The folder a file would be written into does not exist."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.zh = f"文件夹 {self.folder} 不存在，未写入任何内容；请先创建它，或换一个位置。"
        super().__init__(f"the folder {self.folder} does not exist; nothing was written. Create it first, or "
                         "write elsewhere.")


class NameTooLong(XlsxWriteError):
    """The name a file would be written under is longer than the file system allows."""

    def __init__(self, path: Path, limit: int):
        self.path, self.limit = Path(path), limit
        self.zh = f"文件名 {self.path.name[:40]}… 太长（文件系统最多允许 {limit} 字节），未写入任何内容；请用一个短一些的文件名。"
        super().__init__(f"the file name {self.path.name[:40]}... is too long (the file system allows {limit} bytes); "
                         "nothing was written. Choose a shorter name.")


class ExtensionMismatch(XlsxWriteError):
    """The name a copy would get ends in another extension than its contents need: Excel
    refuses to open a macro-enabled workbook named .xlsx (and the reverse)."""

    def __init__(self, path: Path, wanted: str):
        self.path, self.wanted = Path(path), wanted
        self.zh = (f"{self.path.name} 的扩展名与工作簿内容不符（内容需要 {wanted}），Excel 将无法打开它，未写入任何内容；"
                   f"请把文件名改为以 {wanted} 结尾。")
        super().__init__(f"the name {self.path.name} does not fit the workbook's contents (they need {wanted}): "
                         f"Excel would refuse to open it, so nothing was written. Give a name ending in {wanted}.")


class FolderNotWritable(XlsxWriteError):
    """xlclient cannot create files in the workbook's folder (temporary file, backup)."""

    def __init__(self, folder: Path, detail: str = ""):
        self.folder = Path(folder)
        self.zh = (f"无法在文件夹 {self.folder} 中创建文件（没有写入权限？），未写入任何内容；"
                   "请检查该文件夹的权限，或用 --out 写到别处。")
        super().__init__(f"cannot create files in the folder {self.folder}{': ' + detail if detail else ''}; "
                         "nothing was written. Check the folder's permissions, or write elsewhere with --out.")


class StructureProtected(XlsxWriteError):
    """The workbook's structure is protected and the run would add sheets."""

    def __init__(self, path: Path, sheets: list[str]):
        self.path, self.sheets = Path(path), list(sheets)
        names = "、".join(f"「{s}」" for s in self.sheets)
        self.zh = (f"工作簿 {self.path.name} 的结构受保护，不能添加工作表 {names}，未写入任何内容；"
                   "请在 Excel 中点「审阅 > 保护工作簿」取消保护（需要密码时请找设置保护的人），保存后再运行。")
        super().__init__(f"the structure of {self.path.name} is protected, so the sheets "
                         f"{', '.join(repr(s) for s in self.sheets)} cannot be added; nothing was written. In Excel, "
                         "Review > Protect Workbook lifts it (ask whoever set the password), save, then run again.")


class AdditionsCannotBeKept(XlsxWriteError):
    """Something a person added to an owned sheet has no place in the new sheet."""

    def __init__(self, sheet: str, items: list[tuple[str, str]]):
        # items: (Chinese description, English description), e.g. ("M7 的批注", "the comment on M7")
        self.sheet, self.items = sheet, list(items)
        shown = self.items[:5]
        more_zh = f" 等 {len(self.items)} 处" if len(self.items) > 5 else ""
        more_en = f" and {len(self.items) - 5} more" if len(self.items) > 5 else ""
        self.zh = (f"工作表「{sheet}」中有人添加的内容在新结果中没有对应的位置：" + "；".join(z for z, _ in shown) + more_zh
                   + "。为免丢失，未写入任何内容；请把这些内容移到别处或删除后再运行。")
        super().__init__(f"what people added to the sheet '{sheet}' has no place in the new result: "
                         + "; ".join(e for _, e in shown) + more_en
                         + ". Nothing was written, so nothing is lost: move or delete it, then run again.")


class WorkbookFormatError(XlsxWriteError):
    """The file is not a workbook package this writer can edit safely."""


class SpecError(XlsxWriteError, ValueError):
    """A sheet specification or defined name is not valid for Excel."""


class InvalidSheetName(SpecError):
    """Sheet name empty, longer than 31 characters, or with one of ``[]:*?/\\``."""


class SheetKindConflict(XlsxWriteError):
    """A sheet of that name exists but is not a worksheet (e.g. a chartsheet)."""


class CellValueError(SpecError):
    """A cell value cannot be stored (too long, unsupported type, infinite number)."""

    def __init__(self, sheet: str, row: int, column: int, message: str):
        from .cells import column_letter

        self.sheet, self.row, self.column = sheet, row, column
        cell = f"{column_letter(column)}{row}"
        super().__init__(f"sheet {sheet!r}, row {row}, column {column_letter(column)} ({cell}): {message}")
