"""Say in plain words why a file handed to xlclient is not a workbook it can read and write.

:func:`diagnose` looks at the bytes of a file (and its name) and returns a
:class:`Diagnosis`: a code, the parameters its message needs, and
:meth:`Diagnosis.message` -- one sentence in Chinese or English that names the file and
says what to do.  It never raises: an unexpected failure inside gives ``unknown``.

Codes (broadly in the order they are checked; the first that applies is returned):

``empty``            0 bytes, or nothing but zero bytes (``params["zeros"]``).
``xls_binary``       OLE2 compound file with a ``Workbook`` (Excel 97-2003) or ``Book``
                     (Excel 5.0/95) stream, or any other one named ``.xls``.
``encrypted``        OLE2 compound file with an ``EncryptedPackage`` stream (an OOXML
                     workbook with an open password, or rights-managed).
``not_spreadsheet``  ``params["kind"]``: ``word``, ``powerpoint``, ``opendocument`` (a text or
                     presentation ODF file), ``archive`` (a zip holding ``params["member"]``),
                     ``owner_file`` (Excel's ``~$name`` lock file) or ``other``.
``not_zip``          neither zip nor OLE2; ``params["kind"]`` is ``text`` (CSV, HTML, XML
                     exports renamed) or ``other``.
``truncated_zip``    starts like a zip but its end (the central directory) is missing.
``damaged_zip``      the zip structure itself is inconsistent (directory, offsets, number of
                     entries, bytes after the end record, first bytes).
``too_large``        a zip whose members would unpack to more than any real workbook holds
                     (a "zip bomb"; see :mod:`.zipguard`): ``params`` ``kind`` (``member``,
                     ``ratio``, ``total``, ``total_ratio``), ``member``, ``size``,
                     ``packed``, ``limit``.  Found from the zip's directory before any member
                     is inflated; a member whose local header states other sizes is
                     ``corrupt_member`` instead (damage, not a bomb).
``ods``              OpenDocument spreadsheet.
``xlsb``             Excel binary workbook (``xl/workbook.bin``), whatever its extension.
``strict_ooxml``     "Strict Open XML Spreadsheet" (purl.oclc.org namespaces).
``missing_part``     ``[Content_Types].xml``, ``_rels/.rels``, the workbook part, its
                     relationships, or a part that they or the package relationships
                     name is missing (``params["member"]``).
``corrupt_member``   a member whose data does not inflate or does not match its size or
                     CRC, whose local header does not match the directory, a duplicate
                     name, or one of the parts read here (content types, relationships,
                     workbook, its relationships, the styles part the writer edits too)
                     that is not well-formed XML or cannot be right (a sheet without its
                     relationship); ``params["member"]`` names it.
``ok``               a readable .xlsx/.xlsm/.xltx/.xltm (or .xlam) package.

:meth:`Diagnosis.both` is the message in both languages, for a file refused before its
Settings language is known (the command line).

Cost: every member is inflated once (never beyond its declared size, and only once the
sizes passed :mod:`.zipguard`; in 256 KiB pieces, output discarded) to check its
size and CRC -- inflating is the only way to tell damaged deflate data, and zipfile's
``testzip()`` does the same work.  Measured on one core of an idle machine (Python 3.11,
zlib 1.2.13), best of 5: a 30.1 MB XlsxWriter client book (575,000 rows x 9 columns,
216 MB of XML) 0.26 s; a 20.9 MB one 0.18 s; a 42.5 MB book of random numbers (250 MB of
XML) 0.33 s; the same 30 MB book took 0.37 s while the machine was busy.  That is the same
as reading every member with zipfile (the test compares the two).  Everything else (zip
directory, four small XML parts) is under 5 ms; non-zip input of 30 MB under 25 ms.
"""

from __future__ import annotations

import codecs
import io
import posixpath
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from urllib.parse import unquote
from xml.parsers import expat

from .zipguard import oversize, sizes_disagree

__all__ = ["Diagnosis", "diagnose", "damaged_part", "CODES"]

CODES = ("ok", "empty", "truncated_zip", "damaged_zip", "not_zip", "xls_binary", "encrypted", "xlsb",
         "ods", "strict_ooxml", "not_spreadsheet", "missing_part", "corrupt_member", "too_large", "unknown")

BACKUP_DIR = ".xlclient-backup"  # same as safewrite.BACKUP_DIR (not imported: keep this module standalone)

# What to do, shared by several messages.
_REPAIR_ZH = ("请在 Excel 中打开它（Excel 会提示修复，选择“是”），把修复后的工作簿另存为新的 .xlsx 文件后重试，"
              f"或从同一文件夹下的 {BACKUP_DIR} 文件夹中取回最近一份完好的副本")
_REPAIR_EN = ("open it in Excel (Excel offers to repair it; choose Yes), save the repaired workbook as a new "
              f".xlsx file and try again, or take the last good copy from the {BACKUP_DIR} folder beside it")
# A file read while someone's save was half done looks cut short too: waiting comes first,
# a backup only after (restoring one at once could throw that save away).
_RECOPY_ZH = ("如果有同事正在保存它，请稍等片刻再运行；否则请从原来的位置重新复制一份，"
              f"或从同一文件夹下的 {BACKUP_DIR} 文件夹中取回最近的备份后重试")
_RECOPY_EN = ("if a colleague is saving it right now, wait a moment and run again; otherwise copy it again from "
              f"where it came from, or take the last good copy from the {BACKUP_DIR} folder beside it")
_SAVE_AS_ZH = ("请在 Excel 中打开，用“文件 > 另存为”保存为“Excel 工作簿 (*.xlsx)”或“Excel 启用宏的工作簿 (*.xlsm)”"
               "后重试")
_SAVE_AS_EN = ('open it in Excel and use File > Save As to save it as an "Excel Workbook (*.xlsx)" or '
               '"Excel Macro-Enabled Workbook (*.xlsm)", then try again')
_PICK_ZH = "请选择客户工作簿（.xlsx 或 .xlsm 文件）后重试"
_PICK_EN = "choose the client workbook (an .xlsx or .xlsm file) and try again"

# A zip bomb (code too_large): what was found, then why it is refused and what to do.
_TOO_LARGE_ZH = ("，超过了 xlclient 的上限 {limit}，真实的工作簿远远达不到这个上限（100 万行的客户台账解压后约 0.6 GB，"
                 "压缩比约 8 比 1）。这个文件多半已损坏，或是刻意做成的“压缩炸弹”，xlclient 没有读取它，也没有改动它："
                 "请确认文件的来源；如果它确实是你的工作簿，请在 Excel 中打开，另存为新的 .xlsx 工作簿后重试。")
_TOO_LARGE_EN = (", over xlclient's limit of {limit}, which no real workbook comes near (a client book of 1,000,000 "
                 "rows unpacks to about 0.6 GB, compressed about 8 to 1). The file is probably damaged, or made "
                 'as a "zip bomb"; xlclient neither read nor changed it: check where the file came from, and if it '
                 "really is your workbook, open it in Excel and save it as a new .xlsx workbook, then try again.")

# (code, kind) -> message; {f} is the file name, {member} a zip member.
_ZH = {
    ("ok", None): "「{f}」是 xlclient 可以读写的 Excel 工作簿。",
    ("empty", None): "「{f}」是空文件（0 字节），多半是保存或复制时中断了：" + _RECOPY_ZH + "。",
    ("empty", "zeros"): "「{f}」里只有零字节、没有内容，多半是保存或复制时中断了：" + _RECOPY_ZH + "。",
    ("truncated_zip", None): ("「{f}」不完整，文件在中途被截断了（常见于在网络盘上复制或保存时中断）："
                              + _RECOPY_ZH + "。"),
    ("damaged_zip", None): "「{f}」的文件结构已损坏：" + _REPAIR_ZH + "。",
    ("not_zip", "text"): ("「{f}」是文本文件（例如改了扩展名的 CSV，或从网页、系统导出的表格），不是 Excel 工作簿："
                          "请在 Excel 中打开并另存为 .xlsx 或 .xlsm 工作簿后重试。"),
    ("not_zip", "other"): ("「{f}」不是 Excel 工作簿，也不是能识别的表格文件：请确认选对了文件，"
                           "xlclient 需要 .xlsx 或 .xlsm 格式的工作簿。"),
    ("xls_binary", None): "「{f}」是旧版 Excel 97-2003 工作簿（.xls）：" + _SAVE_AS_ZH + "。",
    ("encrypted", None): ("「{f}」设置了打开密码（已加密），xlclient 无法读取：请在 Excel 中打开它，"
                          "在“文件 > 信息 > 保护工作簿 > 用密码进行加密”中清空密码并保存，或改用一份没有密码的副本后重试。"),
    ("xlsb", None): "「{f}」实际上是 Excel 二进制工作簿（.xlsb）：" + _SAVE_AS_ZH + "。",
    ("ods", None): ("「{f}」是 OpenDocument 电子表格（.ods，LibreOffice 或 WPS 的格式）：请在 LibreOffice、WPS 或 "
                    "Excel 中打开，另存为“Excel 工作簿 (*.xlsx)”后重试。"),
    ("strict_ooxml", None): ("「{f}」保存成了“Strict Open XML 电子表格”格式，xlclient 无法读写：请在 Excel 中用“文件 > "
                             "另存为”，保存类型选“Excel 工作簿 (*.xlsx)”（不要选“Strict Open XML 电子表格”）后重试。"),
    ("not_spreadsheet", "word"): "「{f}」是 Word 文档，不是 Excel 工作簿：" + _PICK_ZH + "。",
    ("not_spreadsheet", "powerpoint"): "「{f}」是 PowerPoint 演示文稿，不是 Excel 工作簿：" + _PICK_ZH + "。",
    ("not_spreadsheet", "opendocument"): "「{f}」是 OpenDocument 文本或演示文档，不是电子表格：" + _PICK_ZH + "。",
    ("not_spreadsheet", "archive"): "「{f}」是一个压缩包，里面有 {member}：请先解压，再对解压出来的工作簿运行 xlclient。",
    ("not_spreadsheet", "owner_file"): ("「{f}」是 Excel（或 WPS、LibreOffice）打开工作簿时生成的临时锁文件，不是工作簿本身："
                                        "请选择文件名不带 ~$ 或 .~lock. 的那个工作簿后重试。"),
    ("not_spreadsheet", "other"): "「{f}」是压缩包或其他类型的文件，不是 Excel 工作簿：" + _PICK_ZH + "。",
    ("missing_part", None): "「{f}」已损坏，缺少内部部件 {member}：" + _REPAIR_ZH + "。",
    ("corrupt_member", None): "「{f}」已损坏，内部部件 {member} 的数据出错：" + _REPAIR_ZH + "。",
    ("too_large", "member"): "「{f}」的内部部件 {member} 声明解压后有 {size}" + _TOO_LARGE_ZH,
    ("too_large", "ratio"): "「{f}」的内部部件 {member} 的压缩比是 {ratio} 比 1（{packed} 解压成 {size}）" + _TOO_LARGE_ZH,
    ("too_large", "total"): "「{f}」的全部内部部件声明解压后共有 {size}" + _TOO_LARGE_ZH,
    ("too_large", "total_ratio"): "「{f}」整体的压缩比是 {ratio} 比 1（{packed} 解压成 {size}）" + _TOO_LARGE_ZH,
    ("unknown", None): "xlclient 无法识别「{f}」的格式：请在 Excel 中打开并另存为 .xlsx 或 .xlsm 工作簿后重试。",
}
_EN = {
    ("ok", None): '"{f}" is an Excel workbook xlclient can read and write.',
    ("empty", None): '"{f}" is empty (0 bytes), probably from an interrupted save or copy: ' + _RECOPY_EN + ".",
    ("empty", "zeros"): ('"{f}" holds nothing but zero bytes, probably from an interrupted save or copy: '
                         + _RECOPY_EN + "."),
    ("truncated_zip", None): ('"{f}" is incomplete: the file was cut short (typically a copy or save to a network '
                              "drive that was interrupted); " + _RECOPY_EN + "."),
    ("damaged_zip", None): '"{f}" is damaged (its zip structure is broken): ' + _REPAIR_EN + ".",
    ("not_zip", "text"): ('"{f}" is a text file (such as a renamed CSV, or a table exported from a web page or '
                          "another system), not an Excel workbook: open it in Excel and save it as an .xlsx or "
                          ".xlsm workbook, then try again."),
    ("not_zip", "other"): ('"{f}" is not an Excel workbook nor any spreadsheet format xlclient recognises: check '
                           "that you picked the right file; xlclient needs an .xlsx or .xlsm workbook."),
    ("xls_binary", None): '"{f}" is an old Excel 97-2003 workbook (.xls): ' + _SAVE_AS_EN + ".",
    ("encrypted", None): ('"{f}" is protected with a password to open (encrypted), so xlclient cannot read it: '
                          "open it in Excel, clear the password under File > Info > Protect Workbook > Encrypt "
                          "with Password and save, or use a copy without a password, then try again."),
    ("xlsb", None): '"{f}" is actually an Excel Binary Workbook (.xlsb): ' + _SAVE_AS_EN + ".",
    ("ods", None): ('"{f}" is an OpenDocument spreadsheet (.ods, from LibreOffice or WPS): open it in '
                    'LibreOffice, WPS or Excel and save it as an "Excel Workbook (*.xlsx)", then try again.'),
    ("strict_ooxml", None): ('"{f}" was saved as a "Strict Open XML Spreadsheet", which xlclient cannot read or '
                             'write: in Excel use File > Save As and choose "Excel Workbook (*.xlsx)" (not '
                             '"Strict Open XML Spreadsheet"), then try again.'),
    ("not_spreadsheet", "word"): '"{f}" is a Word document, not an Excel workbook: ' + _PICK_EN + ".",
    ("not_spreadsheet", "powerpoint"): '"{f}" is a PowerPoint presentation, not an Excel workbook: ' + _PICK_EN + ".",
    ("not_spreadsheet", "opendocument"): ('"{f}" is an OpenDocument text or presentation, not a spreadsheet: '
                                          + _PICK_EN + "."),
    ("not_spreadsheet", "archive"): ('"{f}" is a zip archive holding {member}: extract it first, then run xlclient '
                                     "on the extracted workbook."),
    ("not_spreadsheet", "owner_file"): ('"{f}" is the lock file Excel (or WPS, LibreOffice) keeps beside a workbook '
                                        "it has open, not the workbook itself: choose the workbook without ~$ or "
                                        ".~lock. in its name and try again."),
    ("not_spreadsheet", "other"): ('"{f}" is an archive or another kind of file, not an Excel workbook: '
                                   + _PICK_EN + "."),
    ("missing_part", None): '"{f}" is damaged: its part {member} is missing; ' + _REPAIR_EN + ".",
    ("corrupt_member", None): '"{f}" is damaged: the data of its part {member} is corrupt; ' + _REPAIR_EN + ".",
    ("too_large", "member"): '"{f}" cannot be read: its part {member} declares {size} unpacked' + _TOO_LARGE_EN,
    ("too_large", "ratio"): ('"{f}" cannot be read: its part {member} is compressed {ratio} to 1 ({packed} '
                             "unpacking to {size})" + _TOO_LARGE_EN),
    ("too_large", "total"): '"{f}" cannot be read: its parts together declare {size} unpacked' + _TOO_LARGE_EN,
    ("too_large", "total_ratio"): ('"{f}" cannot be read: the file as a whole is compressed {ratio} to 1 ({packed} '
                                   "unpacking to {size})" + _TOO_LARGE_EN),
    ("unknown", None): ('xlclient could not make sense of "{f}": open it in Excel and save it as an .xlsx or .xlsm '
                        "workbook, then try again."),
}


@dataclass(frozen=True)
class Diagnosis:
    """What a file is, as far as xlclient is concerned; ``code`` is one of :data:`CODES`."""

    code: str
    params: dict = field(default_factory=dict)

    def message(self, lang: str, path_name: str) -> str:
        """One sentence naming ``path_name`` and saying what to do; ``lang`` "zh" (default) or "en"."""
        kind = self.params.get("kind")
        if kind is None and self.params.get("zeros"):
            kind = "zeros"
        english = str(lang).lower().startswith("en")
        table = _EN if english else _ZH
        text = table.get((self.code, kind)) or table.get((self.code, None)) or table[("unknown", None)]
        return text.format(f=path_name, member=self.params.get("member", "?"), **self._sizes(english))

    def both(self, path_name: str) -> str:
        """The message in Chinese, then in English (a file refused before it is read)."""
        return self.message("zh", path_name) + "\n" + self.message("en", path_name)

    def _sizes(self, english: bool) -> dict[str, str]:
        """``size``, ``packed``, ``limit``, ``ratio`` of a too_large diagnosis, as written."""
        p = self.params
        size, packed, limit = int(p.get("size", 0)), int(p.get("packed", 0)), int(p.get("limit", 0))
        if p.get("kind") in ("ratio", "total_ratio"):
            limit_text = f"{limit:,} to 1" if english else f"{limit:,} 比 1"
        else:
            limit_text = _bytes(limit)
        return {"size": _bytes(size), "packed": _bytes(packed), "ratio": f"{size // max(packed, 1):,}",
                "limit": limit_text}


def _bytes(n: int) -> str:
    """A size as people read it: 3.2 GB, 15.0 MB, 2.1 KB, 12 bytes (decimal units)."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n} bytes"


def diagnose(data: bytes, name: str = "") -> Diagnosis:
    """Diagnose the bytes of a file the user gave (``name``: its file name, for lock files)."""
    try:
        return _diagnose(bytes(data), posixpath.basename(str(name).replace("\\", "/")))
    except Exception as exc:  # never let a traceback reach the user
        return Diagnosis("unknown", {"error": f"{type(exc).__name__}: {exc}"[:300]})


# --------------------------------------------------------------------------- top level

_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
_LOCAL_SIG = b"PK\x03\x04"
_EOCD_SIG = b"PK\x05\x06"
_EOCD = struct.Struct("<IHHHHIIH")
_LOCAL = struct.Struct("<IHHHHHIIIHH")


def _diagnose(data: bytes, name: str) -> Diagnosis:
    if not data:
        return Diagnosis("empty", {})
    if data[:1] == b"\0" and data.count(0) == len(data):
        return Diagnosis("empty", {"zeros": True})
    if data[:8] == _OLE2:
        return _diagnose_ole2(data, name)
    end, entries = _end_record(data)
    if end == "none" and data[:4] != _LOCAL_SIG:
        if name.startswith(("~$", ".~lock.")) and len(data) <= 4096:
            return Diagnosis("not_spreadsheet", {"kind": "owner_file"})
        return Diagnosis("not_zip", {"kind": "text" if _looks_like_text(data[:4096]) else "other"})
    if end in ("none", "cut"):
        return Diagnosis("truncated_zip", {})
    if data[:4] == _EOCD_SIG:  # an empty zip archive
        return Diagnosis("not_spreadsheet", {"kind": "other"})
    if end == "trailing" or data[:4] != _LOCAL_SIG:
        return Diagnosis("damaged_zip", {})
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except Exception:  # BadZipFile, NotImplementedError, struct/Unicode errors on a damaged directory
        return Diagnosis("damaged_zip", {})
    if entries != 0xFFFF and len(infos) != entries:  # zipfile does not compare the two
        return Diagnosis("damaged_zip", {})
    too_large = _too_large(data, infos)  # before anything is inflated
    if too_large is not None:
        return too_large
    return _Package(data, infos).diagnose()


def damaged_part(data: bytes) -> Diagnosis | None:
    """The first XML part (``.xml``, ``.rels``; not legacy ``.vml``, which Excel itself writes
    with HTML-style ``<br>``) of a package that :func:`diagnose`
    passed which is not well-formed XML (bad UTF-8, cut short, tags that do not match) as
    ``corrupt_member`` naming it, else None.  For when the reader refused the workbook: its
    own words name no part and say nothing a user can do; only then is every part parsed
    (a sheet of 1,000,000 rows takes seconds).  Never raises."""
    try:
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
            for info in z.infolist():
                if info.filename.lower().endswith((".xml", ".rels")):
                    try:
                        _well_formed(z.open(info))
                    except (expat.ExpatError, ValueError):
                        return Diagnosis("corrupt_member", {"member": info.filename})
    except Exception:  # noqa: BLE001 - the reader's own message stands
        return None
    return None


def _well_formed(stream) -> None:
    """Parse a part piece by piece (never held whole); raises ExpatError if not well-formed."""
    parser = expat.ParserCreate(namespace_separator="}")
    while piece := stream.read(1 << 20):
        parser.Parse(piece, False)
    parser.Parse(b"", True)


def _too_large(data: bytes, infos: list[zipfile.ZipInfo]) -> Diagnosis | None:
    """A zip bomb (see :mod:`.zipguard`); a member that only seems large because its
    directory entry is damaged (the local header states other sizes) is corrupt_member."""
    found = oversize(infos)
    if found is None:
        return None
    suspects = [i for i in infos if i.filename == found.member] if found.member is not None else infos
    damaged = next((i for i in suspects if sizes_disagree(data, i)), None)
    if damaged is not None:
        return Diagnosis("corrupt_member", {"member": damaged.filename})
    params = {"kind": found.kind, "size": found.size, "packed": found.packed, "limit": found.limit}
    if found.member is not None:
        params["member"] = found.member
    return Diagnosis("too_large", params)


def _end_record(data: bytes) -> tuple[str, int]:
    """Where the zip's end-of-central-directory record is: "exact" (ends the file),
    "trailing" (bytes follow it), "cut" (its comment is cut short) or "none"; and the
    number of entries it announces."""
    start = max(0, len(data) - _EOCD.size - 0xFFFF)
    pos = data.rfind(_EOCD_SIG, start)
    while pos >= 0:
        if pos + _EOCD.size <= len(data):
            fields = _EOCD.unpack_from(data, pos)
            size_cd, offset_cd, comment = fields[5], fields[6], fields[7]
            zip64 = 0xFFFFFFFF in (size_cd, offset_cd) or 0xFFFF in fields[3:5]
            if pos >= 20 and data[pos - 20:pos - 16] == b"PK\x06\x07" if zip64 else offset_cd + size_cd == pos:
                rest = len(data) - pos - _EOCD.size
                state = "exact" if rest == comment else "trailing" if rest > comment else "cut"
                return state, fields[4]
        pos = data.rfind(_EOCD_SIG, start, pos)
    return "none", 0


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    if b"\0" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for c in text if c < " " and c not in "\t\r\n\f")
        return controls <= len(text) // 100
    return False


def _diagnose_ole2(data: bytes, name: str) -> Diagnosis:
    """Tell an OLE2 compound file by its directory entries' names (UTF-16LE, 128-byte aligned);
    one named .xls whose directory cannot be found (damaged, cut short) is taken at its word."""
    if _ole_stream(data, "EncryptedPackage"):
        return Diagnosis("encrypted", {})
    if _ole_stream(data, "Workbook") or _ole_stream(data, "Book"):
        return Diagnosis("xls_binary", {})
    if _ole_stream(data, "WordDocument"):
        return Diagnosis("not_spreadsheet", {"kind": "word"})
    if _ole_stream(data, "PowerPoint Document"):
        return Diagnosis("not_spreadsheet", {"kind": "powerpoint"})
    if name.lower().endswith((".xls", ".xlt", ".xla")):
        return Diagnosis("xls_binary", {})
    return Diagnosis("not_spreadsheet", {"kind": "other"})


def _ole_stream(data: bytes, stream: str) -> bool:
    """Is there a directory entry named ``stream``?  An entry starts on a 128-byte boundary
    with the UTF-16LE name and its NUL, and holds the name's byte length at offset 64."""
    pattern = stream.encode("utf-16-le") + b"\0\0"
    pos = data.find(pattern)
    while pos >= 0:
        if pos % 128 == 0 and data[pos + 64:pos + 66] == len(pattern).to_bytes(2, "little"):
            return True
        pos = data.find(pattern, pos + 1)
    return False


# --------------------------------------------------------------------------- zip packages

_STRICT = "http://purl.oclc.org/ooxml/"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_STRICT_MAIN_NS = _STRICT + "spreadsheetml/main"
_WORKBOOKISH = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xlsb", ".xls", ".ods", ".csv", ".et")


class _Corrupt(Exception):
    def __init__(self, member: str):
        self.member = member


class _Package:
    def __init__(self, data: bytes, infos: list[zipfile.ZipInfo]):
        self.data = data
        self.view = memoryview(data)
        self.infos = infos
        self.by_key: dict[str, zipfile.ZipInfo] = {}
        self.duplicate: str | None = None
        self.checked: set[str] = set()
        for info in infos:
            key = info.filename.lower()
            if key in self.by_key and self.duplicate is None:
                self.duplicate = info.filename
            self.by_key[key] = info

    def diagnose(self) -> Diagnosis:
        try:
            return self._diagnose()
        except _Corrupt as exc:
            return Diagnosis("corrupt_member", {"member": exc.member})

    def _diagnose(self) -> Diagnosis:
        if self.duplicate:
            raise _Corrupt(self.duplicate)
        names = [i.filename.lower() for i in self.infos]
        if "mimetype" in self.by_key and "[content_types].xml" not in self.by_key:
            mime = self.read("mimetype", limit=200).decode("ascii", "replace").strip()
            if mime.startswith("application/vnd.oasis.opendocument.spreadsheet"):
                return Diagnosis("ods", {})
            if mime.startswith("application/vnd.oasis.opendocument"):
                return Diagnosis("not_spreadsheet", {"kind": "opendocument"})
        if "xl/workbook.bin" in self.by_key:
            return Diagnosis("xlsb", {})

        root_rels = self.xml("_rels/.rels") if "_rels/.rels" in self.by_key else None
        main, main_type = None, ""
        for attrs in _relationships(root_rels or []):
            if attrs.get("Type", "").endswith("/officeDocument") and attrs.get("TargetMode") != "External":
                main, main_type = _resolve("", attrs.get("Target", "")), attrs["Type"]
                break
        top = main.split("/", 1)[0].lower() if main and "/" in main else ""
        if top == "word" or not main and any(n.startswith("word/") for n in names):
            return Diagnosis("not_spreadsheet", {"kind": "word"})
        if top == "ppt" or not main and any(n.startswith("ppt/") for n in names):
            return Diagnosis("not_spreadsheet", {"kind": "powerpoint"})
        spreadsheet = top == "xl" or any(n.startswith("xl/") for n in names)
        if main and not spreadsheet:  # main part elsewhere: trust its content type, if any
            spreadsheet = any(t in self._content_type_or_blank(main) for t in ("spreadsheetml", "ms-excel"))
        if not spreadsheet:
            inner = next((i.filename for i in self.infos if i.filename.lower().endswith(_WORKBOOKISH)), None)
            if inner and "[content_types].xml" not in self.by_key:
                return Diagnosis("not_spreadsheet", {"kind": "archive", "member": inner})
            return Diagnosis("not_spreadsheet", {"kind": "other"})

        # A spreadsheet package from here on.
        for part in ("[Content_Types].xml", "_rels/.rels"):
            if part.lower() not in self.by_key:
                return Diagnosis("missing_part", {"member": part})
        types = self.xml("[Content_Types].xml")
        if main is None:
            raise _Corrupt("_rels/.rels")
        if main.lower().endswith(".bin") or "sheet.binary" in _content_type(types, main):
            return Diagnosis("xlsb", {})
        if main_type.startswith(_STRICT):
            return Diagnosis("strict_ooxml", {})
        for attrs in _relationships(root_rels):
            if attrs.get("TargetMode") != "External" and not self.has(_resolve("", attrs.get("Target", ""))):
                return Diagnosis("missing_part", {"member": _resolve("", attrs.get("Target", ""))})
        workbook = self.xml(main)
        ns, local, _ = workbook[0]
        if ns == _STRICT_MAIN_NS:
            return Diagnosis("strict_ooxml", {})
        if (ns, local) != (_MAIN_NS, "workbook"):
            raise _Corrupt(self.member(main))
        rels_name = posixpath.join(posixpath.dirname(main), "_rels", posixpath.basename(main) + ".rels")
        if not self.has(rels_name):
            return Diagnosis("missing_part", {"member": rels_name})
        ids = set()
        edited = []  # parts the writer edits by insertion besides those above: styles
        for attrs in _relationships(self.xml(rels_name)):
            ids.add(attrs.get("Id"))
            target = _resolve(main, attrs.get("Target", ""))
            if attrs.get("TargetMode") != "External" and not self.has(target):
                return Diagnosis("missing_part", {"member": target})
            if attrs.get("TargetMode") != "External" and attrs.get("Type", "").endswith("/styles"):
                edited.append(target)
        for ns, local, attrs in workbook:
            if local == "sheet" and ns == _MAIN_NS:
                rid = next((v for k, v in attrs.items() if k.endswith("/relationships}id")), None)
                if rid not in ids:
                    raise _Corrupt(self.member(rels_name))
        for part in edited:
            self.xml(part)
        for info in self.infos:
            if info.filename not in self.checked:
                self._inflate(info, keep=False)
        return Diagnosis("ok", {})

    def _content_type_or_blank(self, part: str) -> str:
        try:
            return _content_type(self.xml("[Content_Types].xml"), part)
        except _Corrupt:
            return ""

    # members
    def has(self, part: str) -> bool:
        return part.lower() in self.by_key or unquote(part).lower() in self.by_key

    def member(self, part: str) -> str:
        info = self.by_key.get(part.lower()) or self.by_key.get(unquote(part).lower())
        return info.filename if info else part

    def read(self, part: str, limit: int = 256 << 20) -> bytes:
        info = self.by_key.get(part.lower()) or self.by_key.get(unquote(part).lower())
        if info is None:
            raise _Corrupt(part)
        if info.file_size > limit:
            raise _Corrupt(info.filename)
        return self._inflate(info, keep=True)

    def xml(self, part: str) -> list[tuple[str, str, dict]]:
        raw = self.read(part)
        try:
            elements = _elements(raw)
        except Exception:
            raise _Corrupt(self.member(part)) from None
        if not elements:
            raise _Corrupt(self.member(part))
        return elements

    def _inflate(self, info: zipfile.ZipInfo, keep: bool) -> bytes:
        """The member's bytes (``keep``) after checking its local header, size and CRC."""
        try:
            out = self._inflate_unchecked(info, keep)
        except (zlib.error, ValueError, struct.error, UnicodeDecodeError):
            out = None
        if out is None:
            raise _Corrupt(info.filename)
        self.checked.add(info.filename)
        return out

    def _inflate_unchecked(self, info: zipfile.ZipInfo, keep: bool) -> bytes | None:
        data, off = self.data, info.header_offset
        if off < 0 or off + _LOCAL.size > len(data) or info.flag_bits & 0x61:  # encrypted, patched, strong
            return None
        fields = _LOCAL.unpack_from(data, off)
        start = off + _LOCAL.size + fields[9] + fields[10]
        stop = start + info.compress_size
        if fields[0] != 0x04034B50 or stop > len(data):
            return None
        local_name = data[off + _LOCAL.size:off + _LOCAL.size + fields[9]]
        if local_name.decode("utf-8" if fields[2] & 0x800 else "cp437") != info.orig_filename:
            return None
        chunks: list[bytes] = []
        crc = total = 0
        if info.compress_type == zipfile.ZIP_STORED:
            piece = self.view[start:stop]
            crc, total = zlib.crc32(piece), len(piece)
            chunks.append(bytes(piece) if keep else b"")
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            inflater = zlib.decompressobj(-15)
            step = 256 << 10
            for pos in range(start, stop, step):
                pending = self.view[pos:min(pos + step, stop)]
                while pending and not inflater.eof:
                    out = inflater.decompress(pending, 1 << 20)
                    crc, total = zlib.crc32(out, crc), total + len(out)
                    if total > info.file_size:
                        return None
                    if keep:
                        chunks.append(out)
                    pending = inflater.unconsumed_tail
                if inflater.eof:
                    break
            if not inflater.eof:  # all input consumed: take what zlib still holds back
                out = inflater.flush()
                crc, total = zlib.crc32(out, crc), total + len(out)
                chunks.append(out if keep else b"")
            if not inflater.eof:
                return None
        else:
            return None
        if total != info.file_size or crc != info.CRC:
            return None
        return b"".join(chunks)


def _elements(raw: bytes) -> list[tuple[str, str, dict]]:
    """(namespace, local name, attributes) of every element; raises if not well-formed
    or if it has a DOCTYPE (not allowed in OOXML parts)."""
    found: list[tuple[str, str, dict]] = []

    def start(tag, attrs):
        ns, _, local = tag.rpartition("}")
        found.append((ns, local, attrs))

    def doctype(*_args):
        raise ValueError("DOCTYPE in a package part")

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    parser.Parse(raw, True)
    return found


def _relationships(elements) -> list[dict]:
    return [attrs for _ns, local, attrs in elements if local == "Relationship"]


def _resolve(source: str, target: str) -> str:
    """Zip member name of a relationship target, relative to its source part's folder."""
    target = target.split("#", 1)[0].replace("\\", "/")
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target)).lstrip("/")


def _content_type(types, part: str) -> str:
    part = "/" + part.lower()
    default = ""
    for _ns, local, attrs in types:
        if local == "Override" and attrs.get("PartName", "").lower() == part:
            return attrs.get("ContentType", "")
        if local == "Default" and part.endswith("." + attrs.get("Extension", "").lower()):
            default = attrs.get("ContentType", "")
    return default
