"""The workbook file as an OPC package: parts, relationships and content types.

:class:`Package` reads a ``.xlsx``/``.xlsm`` from bytes, resolves part names (which are
case-insensitive and written with a leading ``/``) to zip members, and writes a new zip
where every member not explicitly replaced, added or removed is copied byte for byte
(compressed bytes included).  :class:`Rels` and :class:`ContentTypes` read and edit the
``.rels`` and ``[Content_Types].xml`` parts by splicing text (see :mod:`.xmltext`).

Helpers for tests and tools: :func:`list_sheets`, :func:`read_sheet_xml_names` and
:func:`sheet_part_xml` (:func:`owned_parts_diff` lives in :mod:`.verify`).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable
from urllib.parse import unquote

from .errors import WorkbookFormatError
from .xmltext import (Node, Splicer, XmlTextError, append_children, decode_part, encode_part,
                      escape_attr, parse)
from .zipio import Deflated, ZipWriter, raw_member

__all__ = [
    "REL", "CT", "Package", "Rel", "Rels", "ContentTypes", "SheetEntry",
    "rels_part_for", "resolve_target", "relative_target",
    "list_sheets", "read_sheet_xml_names", "sheet_part_xml", "owned_parts_diff",
]

_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = "/[Content_Types].xml"


class REL:
    """Relationship type URIs used here."""

    OFFICE_DOCUMENT = _R + "/officeDocument"
    WORKSHEET = _R + "/worksheet"
    CHARTSHEET = _R + "/chartsheet"
    DIALOGSHEET = _R + "/dialogsheet"
    MACROSHEET = "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet"
    INTL_MACROSHEET = "http://schemas.microsoft.com/office/2006/relationships/xlIntlMacrosheet"
    STYLES = _R + "/styles"
    CALC_CHAIN = _R + "/calcChain"


class CT:
    """Content types used here."""

    WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"


SHEET_KINDS = {
    REL.WORKSHEET: "worksheet",
    REL.CHARTSHEET: "chartsheet",
    REL.DIALOGSHEET: "dialogsheet",
    REL.MACROSHEET: "macrosheet",
    REL.INTL_MACROSHEET: "macrosheet",
}


# --------------------------------------------------------------------------- names

def rels_part_for(part: str) -> str:
    """``/xl/workbook.xml`` -> ``/xl/_rels/workbook.xml.rels`` (``/`` -> ``/_rels/.rels``)."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def resolve_target(source_part: str, target: str) -> str:
    """Absolute part name of a relationship target, relative to its source part."""
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        return posixpath.normpath(target)
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def relative_target(source_part: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source_part) or "/")


# --------------------------------------------------------------------------- package

class Package:
    """A zip package held in memory; members addressed by part name ("/xl/workbook.xml")."""

    def __init__(self, data: bytes):
        self.data = data
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise WorkbookFormatError(f"not an .xlsx/.xlsm package ({exc}); an old .xls file or a "
                                      "password-protected workbook cannot be written") from None
        self.infos = self._zip.infolist()
        self._by_key: dict[str, zipfile.ZipInfo] = {}
        for info in self.infos:
            key = ("/" + info.filename).lower()
            if key in self._by_key:
                raise WorkbookFormatError(f"duplicate zip member {info.filename!r}")
            self._by_key[key] = info

    @classmethod
    def open(cls, path: Path | str) -> "Package":
        return cls(Path(path).read_bytes())

    # reading
    def member(self, part: str) -> str | None:
        """Zip member name of ``part`` (case-insensitive), or None."""
        info = self._by_key.get(part.lower())
        return info.filename if info else None

    def has(self, part: str) -> bool:
        return part.lower() in self._by_key

    def read(self, part: str) -> bytes:
        info = self._by_key.get(part.lower())
        if info is None:
            raise KeyError(part)
        return self._zip.read(info)

    def read_text(self, part: str) -> tuple[str, bytes]:
        try:
            return decode_part(self.read(part))
        except XmlTextError as exc:
            raise WorkbookFormatError(f"{part}: {exc}") from None

    def part_names(self) -> list[str]:
        return ["/" + info.filename for info in self.infos]

    def rels(self, source_part: str) -> "Rels":
        path = rels_part_for(source_part)
        if not self.has(path):
            return Rels(path, source_part, None)
        text, bom = self.read_text(path)
        return Rels(path, source_part, text, bom)

    def main_part(self) -> str:
        """The workbook part named by the package's officeDocument relationship."""
        for rel in self.rels("/").items:
            if rel.type == REL.OFFICE_DOCUMENT and not rel.external:
                return rel.part
        raise WorkbookFormatError("package has no officeDocument relationship (not a workbook)")

    # writing
    def write(self, fp: BinaryIO, replace: "dict[str, bytes | Deflated]", add: "dict[str, bytes | Deflated]",
              remove: Iterable[str]) -> int:
        """Write a new zip: members in source order, replaced/removed as asked, added last."""
        replace = {k.lower(): v for k, v in replace.items()}
        removed = {k.lower() for k in remove}
        for part in add:
            if self.has(part) and part.lower() not in removed:
                raise WorkbookFormatError(f"part {part} already exists")
        writer = ZipWriter(fp)
        src = io.BytesIO(self.data)
        for info in self.infos:
            key = ("/" + info.filename).lower()
            if key in removed:
                continue
            if key in replace:
                writer.add_bytes(info.filename, replace[key])
            else:
                writer.add_raw(info, raw_member(src, info))
        for part, data in add.items():
            writer.add_bytes(part.lstrip("/"), data)
        return writer.close()


# --------------------------------------------------------------------------- rels

@dataclass
class Rel:
    id: str
    type: str
    target: str
    external: bool
    part: str  # resolved absolute part name ('' for external)
    node: Node


class Rels:
    """A relationships part; edits are spliced into its text."""

    def __init__(self, path: str, source_part: str, text: str | None, bom: bytes = b""):
        self.path = path
        self.source_part = source_part
        self.exists = text is not None
        self.text = text if text is not None else (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            "</Relationships>")
        self.bom = bom
        try:
            self.root = parse(self.text)
        except XmlTextError as exc:
            raise WorkbookFormatError(f"{path}: {exc}") from None
        self.items: list[Rel] = []
        for node in self.root.children_named("Relationship"):
            a = node.attrs()
            external = a.get("TargetMode") == "External"
            target = a.get("Target", "")
            part = "" if external else resolve_target(source_part, target)
            self.items.append(Rel(a.get("Id", ""), a.get("Type", ""), target, external, part, node))
        self._splicer = Splicer(self.text)
        self._new: list[str] = []
        self._reserved: set[str] = set()

    def by_id(self, rid: str) -> Rel | None:
        return next((r for r in self.items if r.id == rid), None)

    def of_type(self, rel_type: str) -> list[Rel]:
        return [r for r in self.items if r.type == rel_type]

    def new_id(self) -> str:
        """An unused ``rIdN`` (never handed out twice by this object)."""
        used = {r.id for r in self.items} | self._reserved
        n = 1 + max((int(i[3:]) for i in used if i.startswith("rId") and i[3:].isdigit()), default=0)
        rid = f"rId{n}"
        self._reserved.add(rid)
        return rid

    def add(self, rid: str, rel_type: str, part: str) -> None:
        target = relative_target(self.source_part, part)
        prefix = self.root.prefix + ":" if self.root.prefix else ""
        self._new.append(f'<{prefix}Relationship Id="{escape_attr(rid)}" Type="{escape_attr(rel_type)}" '
                         f'Target="{escape_attr(target)}"/>')

    def remove(self, rel: Rel) -> None:
        self._splicer.delete(rel.node.start, rel.node.end)

    def changed(self) -> bool:
        return bool(self._splicer) or bool(self._new)

    def render(self) -> bytes:
        append_children(self._splicer, self.root, self._new)
        self._new = []
        return encode_part(self._splicer.apply(), self.bom)


# --------------------------------------------------------------------------- content types

class ContentTypes:
    """``[Content_Types].xml``: look up a part's type, add or remove Overrides."""

    def __init__(self, text: str, bom: bytes = b""):
        self.text, self.bom = text, bom
        try:
            self.root = parse(text)
        except XmlTextError as exc:
            raise WorkbookFormatError(f"[Content_Types].xml: {exc}") from None
        self.defaults = {}
        self.overrides: dict[str, tuple[str, Node]] = {}
        for node in self.root.children:
            a = node.attrs()
            if node.local == "Default":
                self.defaults[a.get("Extension", "").lower()] = a.get("ContentType", "")
            elif node.local == "Override":
                self.overrides[a.get("PartName", "").lower()] = (a.get("ContentType", ""), node)
        self._splicer = Splicer(text)
        self._new: list[str] = []

    def content_type(self, part: str) -> str | None:
        hit = self.overrides.get(part.lower())
        if hit:
            return hit[0]
        ext = posixpath.splitext(part)[1].lstrip(".").lower()
        return self.defaults.get(ext)

    def ensure_override(self, part: str, content_type: str) -> None:
        hit = self.overrides.get(part.lower())
        if hit and hit[0] == content_type:
            return
        if hit:
            self._splicer.delete(hit[1].start, hit[1].end)
        prefix = self.root.prefix + ":" if self.root.prefix else ""
        self._new.append(f'<{prefix}Override PartName="{escape_attr(part)}" '
                         f'ContentType="{escape_attr(content_type)}"/>')

    def remove_override(self, part: str) -> None:
        hit = self.overrides.get(part.lower())
        if hit:
            self._splicer.delete(hit[1].start, hit[1].end)

    def changed(self) -> bool:
        return bool(self._splicer) or bool(self._new)

    def render(self) -> bytes:
        append_children(self._splicer, self.root, self._new)
        self._new = []
        return encode_part(self._splicer.apply(), self.bom)


# --------------------------------------------------------------------------- inspection helpers

@dataclass(frozen=True)
class SheetEntry:
    """One ``<sheet>`` of ``workbook.xml``."""

    name: str
    sheet_id: int
    rid: str
    kind: str  # worksheet, chartsheet, dialogsheet, macrosheet or unknown
    part: str  # absolute part name ('' if the relationship is missing)
    state: str  # visible, hidden or veryHidden
    index: int  # 0-based position (what localSheetId counts)


def _sheet_entries(pkg: Package) -> list[SheetEntry]:
    from .workbookxml import WorkbookXml

    main = pkg.main_part()
    wb = WorkbookXml(*pkg.read_text(main))
    rels = pkg.rels(main)
    out = []
    for s in wb.sheets:
        rel = rels.by_id(s.rid)
        kind = SHEET_KINDS.get(rel.type, "unknown") if rel else "unknown"
        out.append(SheetEntry(s.name, s.sheet_id, s.rid, kind, rel.part if rel else "", s.state, s.index))
    return out


def list_sheets(path: Path | str | bytes) -> list[SheetEntry]:
    """Every sheet of a workbook file in tab order, with its kind and part name."""
    return _sheet_entries(Package(path) if isinstance(path, bytes) else Package.open(path))


def read_sheet_xml_names(path: Path | str | bytes) -> dict[str, str]:
    """Sheet name -> zip member name of its part (e.g. ``xl/worksheets/sheet3.xml``)."""
    return {s.name: s.part.lstrip("/") for s in list_sheets(path)}


def sheet_part_xml(path: Path | str | bytes, sheet_name: str) -> bytes:
    """The raw XML of the named sheet's part."""
    pkg = Package(path) if isinstance(path, bytes) else Package.open(path)
    for s in _sheet_entries(pkg):
        if s.name == sheet_name:
            return pkg.read(s.part)
    raise KeyError(sheet_name)


def owned_parts_diff(before: Path | str | bytes, after: Path | str | bytes) -> list[str]:
    """Zip members added, removed or with different decompressed content (see :mod:`.verify`)."""
    from .verify import owned_parts_diff as diff

    return diff(before, after)
