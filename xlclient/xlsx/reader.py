"""Reading a workbook file into plain data for the engine, with python-calamine.

Every sheet becomes a :class:`~xlclient.engine.book.SheetGrid` (raw cells with the
position of the first one, so problems can name the row as Excel shows it) and every Excel
table a :class:`~xlclient.engine.book.TableInfo`. Calamine returns numbers as floats,
date-formatted cells as ``date``/``datetime`` and empty cells as ``""``; the engine's
parsers take exactly that. Nothing is written.
"""

from __future__ import annotations

import html
import io
import re
import threading
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine as pc

from ..engine.grid import ExcelError, SheetGrid, TableInfo, UncomputedFormula
from .readable import readable_copy
from .recalc import formula_facts, remember_facts
from .xmltext import cell_start, formula_starts

if False:  # typing only
    from .session import Snapshot


class WorkbookUnreadable(OSError):
    """The file is missing, not a workbook, encrypted or damaged."""


@dataclass
class WorkbookData:
    """The sheets and tables of one workbook file, as raw cells."""

    path: Path
    sheets: list[SheetGrid]
    tables: list[TableInfo] = field(default_factory=list)
    date1904: bool = False
    snapshot: "Snapshot | None" = None  # the bytes read (file runs), for the writer

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def sheet(self, names: Iterable[str]) -> SheetGrid | None:
        """The first sheet whose name is one of ``names`` (e.g. both languages' names)."""
        wanted = {n.casefold() for n in names}
        for s in self.sheets:
            if s.name.casefold() in wanted:
                return s
        return None


def _zip_source(source: "Path | bytes") -> Any:
    return io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source


def _date1904(path: "Path | bytes") -> bool:
    try:
        with zipfile.ZipFile(_zip_source(path)) as z:
            xml = z.read(_main_part(z)).decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return False
    m = re.search(r"<(?:\w+:)?workbookPr\b[^>]*\bdate1904\s*=\s*[\"'](1|true)[\"']", xml)
    return m is not None


def _main_part(z: zipfile.ZipFile) -> str:
    """The workbook part named by the package relationships (usually xl/workbook.xml)."""
    try:
        rels = z.read("_rels/.rels").decode("utf-8", "replace")
        for m in re.finditer(r"<(?:\w+:)?Relationship\b([^>]*)>", rels):
            attrs = m.group(1)
            if re.search(r"Type\s*=\s*[\"'][^\"']*/officeDocument[\"']", attrs):
                target = re.search(r"Target\s*=\s*[\"']([^\"']+)[\"']", attrs)
                if target:
                    return target.group(1).lstrip("/")
    except KeyError:
        pass
    return "xl/workbook.xml"


# ---------------------------------------------------------------- error cells

_ATTR = r"\s*=\s*[\"']([^\"']*)[\"']"
_CELL_REF_RE = re.compile(rb"\br" + _ATTR.encode() )
_VALUE_RE = re.compile(rb"<(?:[\w.-]+:)?v\b[^>]*>([^<]*)</(?:[\w.-]+:)?v\s*>")
_REF_RE = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member of its worksheet part."""
    main = _main_part(z)
    folder = main.rsplit("/", 1)[0] + "/" if "/" in main else ""
    rels_name = f"{folder}_rels/{main.rsplit('/', 1)[-1]}.rels"
    rels = z.read(rels_name).decode("utf-8", "replace")
    targets: dict[str, str] = {}
    for m in re.finditer(r"<(?:\w+:)?Relationship\b([^>]*)>", rels):
        rid = re.search(r"\bId" + _ATTR, m.group(1))
        target = re.search(r"\bTarget" + _ATTR, m.group(1))
        if rid and target:
            t = target.group(1)
            targets[rid.group(1)] = t.lstrip("/") if t.startswith("/") else _join(folder, t)
    wb = z.read(main).decode("utf-8", "replace")
    out: dict[str, str] = {}
    for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)/?>", wb):
        name = re.search(r"\bname" + _ATTR, m.group(1))
        rid = re.search(r"\br:id" + _ATTR, m.group(1)) or re.search(r"\b\w+:id" + _ATTR, m.group(1))
        if name and rid and rid.group(1) in targets:
            out[html.unescape(name.group(1))] = targets[rid.group(1)]
    return out


@dataclass
class _TableMeta:
    """An Excel table as its part describes it: what calamine's table object gives, without
    the second read of its cells that calamine's ``get_table_by_name`` makes."""

    name: str
    sheet: str
    start: tuple[int, int]  # first data cell, 0-based
    end: tuple[int, int]  # last data cell, 0-based
    columns: list[str]


def _tables_of(data: "Path | bytes") -> list[_TableMeta] | None:
    """Every worksheet's tables (name, sheet, data range, column names), read from the
    table parts; None when anything about them is unexpected (the caller then asks
    calamine)."""
    try:
        with zipfile.ZipFile(_zip_source(data)) as z:
            names = set(z.namelist())
            out: list[_TableMeta] = []
            for sheet, part in _sheet_parts(z).items():
                folder, base = part.rsplit("/", 1) if "/" in part else ("", part)
                rels_name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
                if rels_name not in names:
                    continue
                rels = z.read(rels_name).decode("utf-8", "replace")
                for m in re.finditer(r"<(?:\w+:)?Relationship\b([^>]*)>", rels):
                    kind = re.search(r"\bType" + _ATTR, m.group(1))
                    target = re.search(r"\bTarget" + _ATTR, m.group(1))
                    if not (kind and target and kind.group(1).endswith("/table")):
                        continue
                    if re.search(r"\bTargetMode" + _ATTR, m.group(1)):
                        return None
                    t = target.group(1)
                    tpart = t.lstrip("/") if t.startswith("/") else _join(folder + "/" if folder else "", t)
                    out.append(_table_meta(z.read(tpart).decode("utf-8", "replace"), sheet))
            return out
    except Exception:  # noqa: BLE001 - calamine will say
        return None


def _table_meta(xml: str, sheet: str) -> _TableMeta:
    root = re.search(r"<(?:\w+:)?table\b([^>]*)>", xml)
    attrs = root.group(1) if root else ""

    def attr(name: str, default: str | None = None) -> str | None:
        m = re.search(r"(?<![\w:])" + name + _QUOTED, attrs)
        return html.unescape(m.group(1) if m.group(1) is not None else m.group(2)) if m else default

    name = attr("displayName") or attr("name")
    ref = _RANGE_RE.match(attr("ref") or "")
    if not name or ref is None:
        raise ValueError("table without name or ref")
    header = int(attr("headerRowCount", "1") or 1)
    totals = int(attr("totalsRowCount", "0") or 0)
    r0, c0 = int(ref.group(2)) - 1, _column_index(ref.group(1))
    r1, c1 = int(ref.group(4)) - 1, _column_index(ref.group(3))
    columns = [html.unescape(m.group(1) if m.group(1) is not None else m.group(2)) for m in
               re.finditer(r"<(?:\w+:)?tableColumn\b[^>]*?(?<![\w:])name" + _QUOTED, xml)]
    return _TableMeta(name, sheet, (r0 + header, c0), (r1 - totals, c1), columns)


_RANGE_RE = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)$")
_QUOTED = r"\s*=\s*(?:\"([^\"]*)\"|'([^']*)')"  # an attribute's value, either quote, the other inside


def _join(folder: str, target: str) -> str:
    parts: list[str] = []
    for p in (folder + target).split("/"):
        if p == "..":
            if parts:
                parts.pop()
        elif p and p != ".":
            parts.append(p)
    return "/".join(parts)


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


_ERROR_CELL_RE = re.compile(rb"<((?:[\w.-]+:)?)c\b[^>]*?\st\s*=\s*[\"']e[\"'][^>]*?(?<!/)>")
_INLINE_RE = re.compile(rb"<(?:[\w.-]+:)?t\b[^>]*>([^<]*)</(?:[\w.-]+:)?t\s*>")


def _error_cells(xml: bytes) -> list[tuple[int, int, str]]:
    """(0-based row, 0-based column, error text) of every cell holding an Excel error value
    (``t="e"``, any quotes and spaces, any namespace prefix; the value in ``<v>``, or inline
    in ``<is><t>``) in a worksheet's XML; calamine reads those cells as empty (known errors)
    or, through :mod:`.readable`, from a copy where they are. Found from each ``"e"`` /
    ``'e'`` in the part (a sheet without error cells has few or none)."""
    out: list[tuple[int, int, str]] = []
    seen: set[int] = set()
    for marker in (b'"e"', b"'e'"):
        at = xml.find(marker)
        while at >= 0:
            start = xml.rfind(b"<", 0, at)
            m = _ERROR_CELL_RE.match(xml, start) if start >= 0 and start not in seen else None
            if m is not None and m.end() > at:
                seen.add(start)
                end = xml.find(b"</" + m.group(1) + b"c>", m.end())
                end = end if end > 0 else len(xml)
                value = _VALUE_RE.search(xml, m.end(), end) or _INLINE_RE.search(xml, m.end(), end)
                ref = _CELL_REF_RE.search(xml, start, m.end())
                if value and ref:
                    rm = _REF_RE.match(ref.group(1).decode("ascii", "replace"))
                    text = html.unescape(value.group(1).decode("utf-8", "replace")).strip()
                    if rm and text:
                        out.append((int(rm.group(2)) - 1, _column_index(rm.group(1)), text))
            at = xml.find(marker, at + 1)
    return out


def _scan_sheets(path: "Path | bytes",
                 scans: Sequence[tuple[Callable[[bytes], bool], Callable[[bytes], list[tuple[int, int, str]]]]]
                 ) -> list[dict[str, list[tuple[int, int, str]]]]:
    """For each ``(wanted, scan)``: sheet name -> ``scan`` of its worksheet XML, for the
    sheets ``wanted`` says may hold something. Each sheet is inflated once for all the scans
    (a 100,000-row sheet takes ~0.14 s to inflate: issue 15). Empty dicts when the file is
    not a zip package or anything about it is unexpected (these passes are a best effort on
    top of calamine)."""
    outs: list[dict[str, list[tuple[int, int, str]]]] = [{} for _ in scans]
    try:
        with zipfile.ZipFile(_zip_source(path)) as z:
            for name, part in _sheet_parts(z).items():
                try:
                    xml = z.read(part)
                except KeyError:
                    continue
                if isinstance(path, bytes):  # the writer then need not inflate it again
                    remember_facts(path, part, formula_facts(xml))
                for out, (wanted, scan) in zip(outs, scans):
                    if wanted(xml):
                        found = scan(xml)
                        if found:
                            out[name] = found
            return outs
    except Exception:  # noqa: BLE001 - never fail a read because of these extra passes
        return [{} for _ in scans]


#: The error-value cells of a sheet (calamine reads those cells as empty).
ERROR_SCAN = (lambda xml: b'"e"' in xml or b"'e'" in xml, _error_cells)


# ---------------------------------------------------------------- number formats (what a person sees)

_NUMFMT_RE = re.compile(r"<(?:[\w.-]+:)?numFmt\b([^>]*?)/?>")
_CELLXFS_RE = re.compile(r"<(?:[\w.-]+:)?cellXfs\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?cellXfs\s*>)", re.S)
_XF_RE = re.compile(r"<(?:[\w.-]+:)?xf\b([^>]*?)(?:/>|>)")
_CELL_R_RE = re.compile(rb"<(?:[\w.-]+:)?c\s[^>]*?\br\s*=\s*[\"']\$?([A-Z]{1,3})\$?(\d{1,7})[\"']")


def _styles_part(z: zipfile.ZipFile) -> str:
    """The styles part named by the workbook's relationships (usually xl/styles.xml)."""
    main = _main_part(z)
    folder = main.rsplit("/", 1)[0] + "/" if "/" in main else ""
    try:
        rels = z.read(f"{folder}_rels/{main.rsplit('/', 1)[-1]}.rels").decode("utf-8", "replace")
    except KeyError:
        return folder + "styles.xml"
    for m in re.finditer(r"<(?:\w+:)?Relationship\b([^>]*)>", rels):
        kind = re.search(r"\bType" + _ATTR, m.group(1))
        target = re.search(r"\bTarget" + _ATTR, m.group(1))
        if kind and target and kind.group(1).endswith("/styles"):
            t = target.group(1)
            return t.lstrip("/") if t.startswith("/") else _join(folder, t)
    return folder + "styles.xml"


def _telling_styles(path: "Path | bytes") -> dict[int, str]:
    """``cellXfs`` index -> number format code, for the styles whose format changes what a
    person reads (:func:`~xlclient.engine.shown.telling`); empty when there are none or the
    styles cannot be read (best effort: the values are read all the same)."""
    from ..engine.shown import format_code, telling

    try:
        with zipfile.ZipFile(_zip_source(path)) as z:
            xml = z.read(_styles_part(z)).decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - no styles part, not a zip package (xls, ods)
        return {}
    custom: dict[int, str] = {}
    for m in _NUMFMT_RE.finditer(xml):
        fid = re.search(r"\bnumFmtId" + _QUOTED, m.group(1))
        code = re.search(r"\bformatCode" + _QUOTED, m.group(1))
        if fid and code:
            ident = fid.group(1) if fid.group(1) is not None else fid.group(2)
            text = code.group(1) if code.group(1) is not None else code.group(2)
            if ident.strip().isdigit():
                custom[int(ident)] = html.unescape(text)
    xfs = _CELLXFS_RE.search(xml)
    out: dict[int, str] = {}
    for k, m in enumerate(_XF_RE.finditer(xfs.group(1) or "") if xfs else ()):
        fid = re.search(r"\bnumFmtId" + _QUOTED, m.group(1))
        ident = (fid.group(1) if fid.group(1) is not None else fid.group(2)).strip() if fid else "0"
        code = format_code(int(ident), custom) if ident.isdigit() else "General"
        if telling(code):
            out[k] = code
    return out


def format_scan(styles: dict[int, str]) -> tuple[Callable[[bytes], bool], Callable[[bytes], list[tuple[int, int, str]]]]:
    """The scan of a sheet for cells styled with one of ``styles`` (see
    :func:`_telling_styles`): (0-based row, 0-based column, format code). Each ``s="N"`` of
    those styles is found by one regex pass; its cell's reference is read from the tag."""
    if not styles:
        return (lambda xml: False), (lambda xml: [])
    ids = b"|".join(str(k).encode() for k in sorted(styles, reverse=True))
    marker = re.compile(rb"s\s*=\s*[\"'](" + ids + rb")[\"']")  # a literal first: found by a fast search
    codes = {str(k).encode(): v for k, v in styles.items()}

    def scan(xml: bytes) -> list[tuple[int, int, str]]:
        out: list[tuple[int, int, str]] = []
        rfind, match = xml.rfind, _CELL_R_RE.match
        for m in marker.finditer(xml):
            at = m.start()
            if not xml[at - 1:at].isspace():
                continue  # the end of another attribute's name (ids="2")
            start = rfind(b"<", 0, at)
            cell = match(xml, start, m.end()) if start >= 0 else None  # None for a row's style (<row s="3">)
            if cell is None:
                end = xml.find(b">", at)  # r after s (<c s="3" r="B2">): the whole tag
                cell = match(xml, start, end + 1) if start >= 0 and end > 0 else None
                if cell is None:
                    continue
            out.append((int(cell.group(2)) - 1, _column_index(cell.group(1).decode("ascii")), codes[m.group(1)]))
        return out

    return (lambda xml: True), scan


# ---------------------------------------------------------------- formulas saved without a result

_LITERAL_RE = re.compile(r'\s*"((?:[^"]|"")*)"\s*')
_CONCAT_RE = re.compile(r"^\s*(?:_xlfn\.)?CONCAT(?:ENATE)?\((.*)\)\s*$", re.I | re.S)


def _literal_text(formula: str) -> str | None:
    """The text a formula of string literals gives (``"客户名称"``, ``"客户"&"名称"``,
    ``CONCATENATE("客户","名称")``); None for any other formula."""
    m = _CONCAT_RE.match(formula)
    parts = re.split(r",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", m.group(1)) if m else \
        re.split(r"&(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", formula)
    out = []
    for part in parts:
        lit = _LITERAL_RE.fullmatch(part)
        if lit is None:
            return None
        out.append(lit.group(1).replace('""', '"'))
    return "".join(out)


_UNCOMPUTED_RE = re.compile(rb"<(?:\w+:)?c\b([^>]*)(?<!/)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*)</(?:\w+:)?f>)\s*"
                            rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>")


def _uncomputed_formulas(xml: bytes) -> list[tuple[int, int, str]]:
    """(0-based row, 0-based column, formula text) of every cell that holds a formula and
    no value (no ``<v>``, or an empty one as openpyxl writes: saved without its result), found in one regex pass over the
    worksheet XML (any namespace prefix); calamine reads those cells as empty."""
    out: list[tuple[int, int, str]] = []
    starts = formula_starts(xml)  # a big sheet's few formulas, found without a regex pass over it
    if starts is None:
        found: Iterable[re.Match[bytes]] = _UNCOMPUTED_RE.finditer(xml)
    else:
        found = [m for p in starts if (c := cell_start(xml, p)) >= 0
                 and (m := _UNCOMPUTED_RE.match(xml, c)) is not None and m.end() > p]
    for m in found:
        ref = _CELL_REF_RE.search(m.group(1))
        rm = _REF_RE.match(ref.group(1).decode("ascii", "replace")) if ref else None
        if rm is None:
            continue
        text = html.unescape(m.group(2).decode("utf-8", "replace")) if m.group(2) else ""
        out.append((int(rm.group(2)) - 1, _column_index(rm.group(1)), text))
    return out


#: The formulas of a sheet saved without a result (the scan finds them).
UNCOMPUTED_SCAN = (lambda xml: b"f" in xml, _uncomputed_formulas)


def _put_uncomputed(rows: list[list[Any]], first_row: int, first_col: int,
                    cells: list[tuple[int, int, str]]) -> tuple[int, int]:
    """Put each formula's literal text, or an :class:`UncomputedFormula`, into its empty
    cell (growing the grid where calamine cut it short); returns the new (first_row,
    first_col) of the grid. A row changed here becomes a new list: a table's rows may be the
    sheet's own row lists (see :func:`_cut`), and they stay as calamine read them."""
    if not cells:
        return first_row, first_col
    top = min(first_row, min(r for r, _, _ in cells))
    left = min(first_col, min(c for _, c, _ in cells))
    if top < first_row:
        rows[:0] = [[] for _ in range(first_row - top)]
    if left < first_col:
        rows[:] = [[""] * (first_col - left) + r for r in rows]
    for r, c, formula in cells:
        i, j = r - top, c - left
        while len(rows) <= i:
            rows.append([])
        row = rows[i]
        if len(row) <= j:
            row = rows[i] = row + [""] * (j + 1 - len(row))
        if _blank(row[j]):
            text = _literal_text(formula)
            row = rows[i] = list(row)  # a new list: a table's rows may be these (see _cut)
            row[j] = text if text is not None else UncomputedFormula(formula)
    width = max((len(r) for r in rows), default=0)
    rows[:] = [r if len(r) == width else r + [""] * (width - len(r)) for r in rows]
    return top, left


def _fill_merged_down(rows: list[list[Any]], first_row: int, first_col: int, merged: Any) -> None:
    """A cell merged down over several rows of one column (an AE's name merged over the rows
    of their clients) shows its value on every one of those rows: give it to each of them.
    Merges across columns (a banner, a note over the table) stay in their first cell."""
    for (r0, c0), (r1, c1) in merged or ():
        if c0 != c1 or r1 <= r0:
            continue
        i0, j = r0 - first_row, c0 - first_col
        if not (0 <= i0 < len(rows) and 0 <= j < len(rows[i0])):
            continue
        value = rows[i0][j]
        if _blank(value):
            continue
        for i in range(i0 + 1, min(r1 - first_row + 1, len(rows))):
            if j < len(rows[i]) and _blank(rows[i][j]):
                rows[i] = list(rows[i])  # a new list: a table's rows may be these (see _cut)
                rows[i][j] = value


def _put_errors(rows: list[list[Any]], first_row: int, first_col: int, errors: list[tuple[int, int, str]]) -> None:
    """Put each error value, as an :class:`ExcelError`, into its cell (read as empty, or as
    its text when stored inline)."""
    for r, c, text in errors:
        i, j = r - first_row, c - first_col
        if 0 <= i < len(rows) and 0 <= j < len(rows[i]) and (_blank(rows[i][j]) or rows[i][j] == text):
            rows[i][j] = ExcelError(text)


def _cut(rows: list[list[Any]], origin: tuple[int, int], first: tuple[int, int],
         last: tuple[int, int]) -> list[list[Any]]:
    """The cells from ``first`` to ``last`` (0-based (row, col), inclusive) of a sheet read
    from ``origin``, blank ("") where the sheet's rows stop short. A table as wide as the
    sheet read (a client table alone on its sheet, the usual case) gets the sheet's own row
    lists, not copies (a 1,000,000-row table's copies took ~260 MB); what changes a row of
    the sheet afterwards (:func:`_put_uncomputed`, :func:`_fill_merged_down`) makes it a
    new list, so the table keeps the cells as read (an error value, put into both, is the
    same text)."""
    (r0, c0), (r1, c1) = first, last
    a, b = c0 - origin[1], c1 - origin[1] + 1
    lo, hi = r0 - origin[0], r1 - origin[0] + 1
    if 0 <= a and 0 <= lo and hi <= len(rows):
        if a == 0 and all(len(row) == b for row in rows[lo:hi]):
            return rows[lo:hi]
        out = [row[a:b] for row in rows[lo:hi]]  # the usual case, in one pass
        if all(len(row) == b - a for row in out):
            return out
    out = []
    for i in range(lo, hi):
        row = rows[i] if 0 <= i < len(rows) else ()
        if 0 <= a and b <= len(row):
            out.append(row[a:b])
        else:
            out.append([row[c] if 0 <= c < len(row) else "" for c in range(a, b)])
    return out


def _blank(v: Any) -> bool:
    return v is None or v == ""


#: A second calamine reader is used when the sheets it would take hold at least this much
#: XML (the open costs it a second parse of the workbook's shared strings) ...
SECOND_READER_BYTES = 16 << 20
#: ... and all the sheets together no more than this: both readers' copies of the cells are
#: held at once (at 100,000 clients a second refresh reads 0.4 s faster for ~110 MiB more;
#: at 1,000,000 it would be ~1.5 GiB more on top of ~6 GiB).
SECOND_READER_MAX_BYTES = 384 << 20


def _second_reader_share(data: "Path | bytes", names: list[str]) -> list[str]:
    """The sheets a second reader should parse beside the first: with the sheets dealt
    biggest first to whichever reader has less XML so far, the second reader's, when they
    come to :data:`SECOND_READER_BYTES` or more and all sheets to no more than
    :data:`SECOND_READER_MAX_BYTES`; else none (one big sheet, small sheets, a book too
    big to hold twice, or a file that is not a zip package)."""
    try:
        with zipfile.ZipFile(_zip_source(data)) as z:
            parts = _sheet_parts(z)
            sizes = {name: z.getinfo(parts[name]).file_size for name in names if name in parts}
    except Exception:  # noqa: BLE001 - xls, ods, xlsb or a package calamine reads its own way
        return []
    loads = [0, 0]
    second: list[str] = []
    for name in sorted(sizes, key=lambda n: -sizes[n]):
        k = 0 if loads[0] <= loads[1] else 1
        loads[k] += sizes[name]
        if k:
            second.append(name)
    return second if loads[1] >= SECOND_READER_BYTES and sum(loads) <= SECOND_READER_MAX_BYTES else []


def _sheet_cells(wb: Any, name: str) -> tuple[Any, tuple[int, int], list[list[Any]]]:
    """(merged ranges, first cell, rows) of one worksheet as calamine reads them."""
    sheet = wb.get_sheet_by_name(name)
    rows = sheet.to_python(skip_empty_area=True)
    try:
        merged = sheet.merged_cell_ranges
    except Exception:  # noqa: BLE001 - formats without merge information
        merged = None
    return merged, sheet.start or (0, 0), [] if rows == [[]] or rows == [[""]] else rows


class _Refused(Exception):
    """calamine refused the package as it is (raised by :func:`_read`, caught by
    :func:`read_workbook`, which tries once more with a readable copy)."""


def read_workbook(source: "str | Path | Snapshot") -> WorkbookData:
    """Read every worksheet and Excel table of a workbook (xlsx, xlsm, xlsb, xls, ods):
    a path, or a :class:`~.session.Snapshot` of it (the bytes one run works on). A package
    calamine refuses for what :mod:`.readable` makes readable (an error value it does not
    know, a macro sheet, a UTF-16 part) is read from a copy made so; the snapshot stays the
    bytes as read, which the writer builds from."""
    from .session import Snapshot

    snapshot = source if isinstance(source, Snapshot) else None
    path = snapshot.given if snapshot is not None else Path(source)
    if snapshot is None and not path.exists():
        raise WorkbookUnreadable(f"找不到文件 / file not found: {path}")
    data: "Path | bytes" = snapshot.data if snapshot is not None else path
    try:
        return _read(path, snapshot, data, data)
    except _Refused as refused:
        first = refused
    try:
        raw = data if isinstance(data, bytes) else path.read_bytes()
    except OSError:
        raw = b""
    copy = readable_copy(raw)
    if copy is not None:
        try:
            return _read(path, snapshot, copy.scan, copy.calamine)
        except _Refused as again:
            first = again
    raise WorkbookUnreadable(f"无法读取工作簿 / cannot read workbook {path}: {first}") from first.__cause__


def _calamine_failed(e: BaseException) -> _Refused:
    """What calamine raised while reading, as a refusal (never an internal error)."""
    if isinstance(e, MemoryError):
        raise e
    return _Refused(str(e) or type(e).__name__)


def _read(path: Path, snapshot: "Snapshot | None", data: "Path | bytes", book: "Path | bytes") -> WorkbookData:
    """Read the workbook: calamine from ``book``, the reader's own passes from ``data`` (the
    same, or the copies :func:`~.readable.readable_copy` made); raises :class:`_Refused`
    when calamine refuses the package."""
    try:
        opened = (lambda **kw: pc.CalamineWorkbook.from_filelike(io.BytesIO(book), **kw)) \
            if isinstance(book, (bytes, bytearray)) else (lambda **kw: pc.CalamineWorkbook.from_path(str(book), **kw))
        try:
            wb = opened(load_tables=True)
            table_names = list(wb.table_names)
        except (pc.TablesNotSupported, pc.TablesNotLoaded):
            wb = opened()
            table_names = []
    except pc.PasswordError as e:
        raise WorkbookUnreadable(f"工作簿有密码保护，无法读取 / workbook is password protected: {path}") from e
    except Exception as e:  # calamine raises several types for damaged or foreign files
        raise _calamine_failed(e) from e
    try:
        return _read_opened(path, snapshot, data, book, wb, table_names, opened)
    except pc.CalamineError as e:  # an error value, a part calamine refused (XmlError, ZipError ...)
        raise _calamine_failed(e) from e
    finally:
        wb.close()


def _read_opened(path: Path, snapshot: "Snapshot | None", data: "Path | bytes", book: "Path | bytes", wb: Any,
                 table_names: list[str], opened: Callable[..., Any]) -> WorkbookData:
    # calamine parses without holding the GIL: the engine's imports (cli._begin_imports) and
    # the zip-level scans (mostly inflating, which holds no GIL either) run meanwhile
    scanned: dict[str, Any] = {}

    def scan() -> None:
        scanned["found"] = _scan_sheets(data, [ERROR_SCAN, UNCOMPUTED_SCAN, format_scan(_telling_styles(data))])

    scanning = threading.Thread(target=scan, name="xlclient-scan", daemon=True)
    scanning.start()
    metas = [meta for meta in wb.sheets_metadata if meta.typ == pc.SheetTypeEnum.WorkSheet]
    cells: dict[str, tuple[Any, tuple[int, int], list[list[Any]]]] = {}
    helper: threading.Thread | None = None
    try:
        # Two big sheets (the client book and the results of the last run, say) are parsed
        # side by side: a second calamine reader on the same bytes takes a share of them.
        theirs = _second_reader_share(book, [m.name for m in metas])
        if theirs:
            helped: dict[str, Any] = {}

            def help_read() -> None:
                try:
                    other = opened()
                    try:
                        for name in theirs:
                            helped[name] = _sheet_cells(other, name)
                    finally:
                        other.close()
                except BaseException as e:  # noqa: BLE001 - raised again in the reading thread
                    helped["\0error"] = e

            helper = threading.Thread(target=help_read, name="xlclient-read", daemon=True)
            helper.start()
        for meta in metas:
            if meta.name not in theirs:
                cells[meta.name] = _sheet_cells(wb, meta.name)
        if helper is not None:
            helper.join()
            helper = None
            if "\0error" in helped:
                raise helped["\0error"]
            cells.update(helped)
    finally:
        if helper is not None:
            helper.join()
        scanning.join()  # nothing left running, whatever calamine did
    read = [(meta, *cells.pop(meta.name)) for meta in metas]
    errors, uncomputed, formatted = scanned.get("found") or ({}, {}, {})  # the scans never raise (best effort)
    # An Excel table's rows are cut from its sheet as read (reading them again cost as much
    # as reading the sheet: issue 15); identical to calamine's own table rows on every table
    # of the corpus.
    table_meta: list[Any] | None = _tables_of(data) if table_names else []
    if table_meta is None or sorted(t.name for t in table_meta) != sorted(table_names):
        table_meta = [wb.get_table_by_name(name) for name in table_names]  # calamine's own (reads the cells)
    table_rows: dict[str, list[list[Any]]] = {}
    sheets: list[SheetGrid] = []
    for meta, merged, start, rows in read:
        for t in table_meta:
            if t.sheet == meta.name:
                table_rows[t.name] = _cut(rows, start, t.start, t.end)
        if meta.name in errors:
            _put_errors(rows, start[0], start[1], errors[meta.name])
        if meta.name in uncomputed:
            start = _put_uncomputed(rows, start[0], start[1], uncomputed[meta.name])
        _fill_merged_down(rows, start[0], start[1], merged)
        spans = tuple((r0, c0, r1, c1) for (r0, c0), (r1, c1) in (merged or ()))
        sheets.append(SheetGrid(meta.name, rows, start[0], start[1],
                                hidden=meta.visible != pc.SheetVisibleEnum.Visible, merged=spans,
                                formats={(r, c): code for r, c, code in formatted.get(meta.name, ())}))
    del read

    tables: list[TableInfo] = []
    for t in table_meta:
        start = t.start  # first data cell (row, col), 0-based; the header is the row above
        rows = table_rows[t.name] if t.name in table_rows else wb.get_table_by_name(t.name).to_python()
        if t.sheet in errors:
            _put_errors(rows, start[0], start[1], errors[t.sheet])
        tables.append(TableInfo(name=t.name, sheet=t.sheet, headers=list(t.columns), rows=rows,
                                header_row=start[0] - 1, first_col=start[1]))
    return WorkbookData(path, sheets, tables, _date1904(data), snapshot)
