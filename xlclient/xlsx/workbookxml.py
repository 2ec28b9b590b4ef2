"""Reading and splicing ``xl/workbook.xml``: the sheet list, date system, defined names.

Edits are insertions of ``<sheet>`` and ``<definedName>`` elements (a ``<definedNames>``
element is created where the schema wants it if there is none), replacement of the text
of a defined name we were asked to set, and removal of a defined name we own.  Nothing
else in the part changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import WorkbookFormatError
from .xmltext import (Node, Splicer, XmlTextError, append_children, encode_part, escape_attr, escape_text,
                      open_empty, parse)

__all__ = ["WorkbookXml", "SheetRef", "DefinedName", "MAIN_NS", "REL_NS"]

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
# children of <workbook> that come before <definedNames> in the schema
_BEFORE_DEFINED_NAMES = ("sheets", "functionGroups", "externalReferences")
_BEFORE_CALC_PR = _BEFORE_DEFINED_NAMES + ("definedNames",)


@dataclass
class SheetRef:
    name: str
    sheet_id: int
    rid: str
    state: str
    index: int
    node: Node


@dataclass
class DefinedName:
    name: str
    local_sheet_id: int | None
    text: str
    node: Node


class WorkbookXml:
    """The workbook part's text with the offsets of what we read or edit."""

    def __init__(self, text: str, bom: bytes = b""):
        self.text, self.bom = text, bom
        try:
            self.root = parse(text)
        except XmlTextError as exc:
            raise WorkbookFormatError(f"workbook.xml: {exc}") from None
        ns = self.root.namespaces()
        if _STRICT_NS in ns.values():
            raise WorkbookFormatError("Strict Open XML workbooks are not supported; save as a normal .xlsx")
        self._p = self.root.prefix + ":" if self.root.prefix else ""
        self._rp = next((p for p, uri in ns.items() if uri == REL_NS and p), None)
        self.sheets_node = self.root.child("sheets")
        if self.sheets_node is None:
            raise WorkbookFormatError("workbook.xml has no <sheets>")
        self.sheets = [self._sheet(i, n) for i, n in enumerate(self.sheets_node.children_named("sheet"))]
        pr = self.root.child("workbookPr")
        self.date1904 = pr is not None and pr.attrs().get("date1904", "0").lower() in ("1", "true")
        self.names_node = self.root.child("definedNames")
        self.defined_names = self._read_names()
        protection = self.root.child("workbookProtection")
        self.structure_locked = protection is not None and \
            protection.attrs().get("lockStructure", "0").lower() in ("1", "true")
        sharing = self.root.child("fileSharing")
        sharing_attrs = sharing.attrs() if sharing is not None else {}
        #: a password to modify (legacy reservationPassword, or its hashed form)
        self.write_reserved = bool(sharing_attrs.get("reservationPassword") or sharing_attrs.get("hashValue"))
        self._sp = Splicer(text)
        self._full_calc = False
        self._new_sheets: list[str] = []
        self._new_names: list[str] = []
        self._removed_names: list[Node] = []

    # ----------------------------------------------------------------- reading
    def _sheet(self, index: int, node: Node) -> SheetRef:
        a = node.attrs()
        rid = ""
        for qname, value in a.items():
            prefix, _, local = qname.rpartition(":")
            if local == "id" and prefix:
                uri = node.namespaces().get(prefix) or self.root.namespaces().get(prefix)
                if uri == REL_NS:
                    rid = value
        try:
            sheet_id = int(a.get("sheetId", "0"))
        except ValueError:
            raise WorkbookFormatError(f"sheet {a.get('name')!r} has a bad sheetId") from None
        return SheetRef(a.get("name", ""), sheet_id, rid, a.get("state", "visible"), index, node)

    def _read_names(self) -> list[DefinedName]:
        if self.names_node is None:
            return []
        out = []
        for node in self.names_node.children_named("definedName"):
            a = node.attrs()
            local = a.get("localSheetId")
            out.append(DefinedName(a.get("name", ""), int(local) if local and local.isdigit() else None,
                                   node.inner(self.text), node))
        return out

    def find_sheet(self, name: str) -> SheetRef | None:
        """The sheet called ``name`` (Excel compares sheet names case-insensitively)."""
        key = name.casefold()
        return next((s for s in self.sheets if s.name.casefold() == key), None)

    def next_sheet_id(self) -> int:
        used = [s.sheet_id for s in self.sheets]
        return max(used, default=0) + 1 + len(self._new_sheets)

    def find_name(self, name: str, local_sheet_id: int | None) -> DefinedName | None:
        key = name.casefold()
        return next((d for d in self.defined_names
                     if d.name.casefold() == key and d.local_sheet_id == local_sheet_id), None)

    # ----------------------------------------------------------------- editing
    def add_sheet(self, name: str, sheet_id: int, rid: str) -> int:
        """Append a ``<sheet>``; returns its 0-based index (its localSheetId)."""
        p = self._p
        if self._rp:
            rel = f'{self._rp}:id="{escape_attr(rid)}"'
        else:
            rel = f'xmlns:r="{REL_NS}" r:id="{escape_attr(rid)}"'
        self._new_sheets.append(f'<{p}sheet name="{escape_attr(name)}" sheetId="{sheet_id}" {rel}/>')
        return len(self.sheets) + len(self._new_sheets) - 1

    def set_defined_name(self, name: str, formula: str, local_sheet_id: int | None = None,
                         hidden: bool = False) -> str:
        """Insert the name, or replace the formula of the existing one; returns 'added'/'replaced'/'same'."""
        existing = self.find_name(name, local_sheet_id)
        body = escape_text(formula)
        if existing is not None:
            if existing.text == body:
                return "same"
            node = existing.node
            if node.empty:
                open_empty(self._sp, node, body)
            else:
                self._sp.replace(node.open_end, node.close_start, body)
            return "replaced"
        attrs = f'name="{escape_attr(name)}"'
        if local_sheet_id is not None:
            attrs += f' localSheetId="{local_sheet_id}"'
        if hidden:
            attrs += ' hidden="1"'
        self._new_names.append(f"<{self._p}definedName {attrs}>{body}</{self._p}definedName>")
        return "added"

    def remove_defined_name(self, name: str, local_sheet_id: int | None) -> bool:
        existing = self.find_name(name, local_sheet_id)
        if existing is None or any(n is existing.node for n in self._removed_names):
            return False
        self._removed_names.append(existing.node)
        return True

    def set_full_calc_on_load(self) -> None:
        """``<calcPr fullCalcOnLoad="1">``: Excel recalculates every formula on the next open."""
        self._full_calc = True

    def _apply_full_calc(self) -> None:
        calc = self.root.child("calcPr")
        if calc is None:
            anchor = max(c.end for c in self.root.children if c.local in _BEFORE_CALC_PR)
            self._sp.insert(anchor, f'<{self._p}calcPr fullCalcOnLoad="1"/>')
            return
        span = calc.attr_span("fullCalcOnLoad")
        if span is not None:
            self._sp.replace(span[0], span[1], "1")
        else:
            tag_end = calc.open_end - (2 if calc.empty else 1)
            self._sp.insert(tag_end, ' fullCalcOnLoad="1"')

    def changed(self) -> bool:
        return (bool(self._sp) or bool(self._new_sheets) or bool(self._new_names) or bool(self._removed_names)
                or self._full_calc)

    def render(self) -> bytes:
        append_children(self._sp, self.sheets_node, self._new_sheets)
        names_left = len(self.defined_names) - len(self._removed_names) + len(self._new_names)
        if self.names_node is not None and names_left == 0:
            self._sp.delete(self.names_node.start, self.names_node.end)
        else:
            for node in self._removed_names:
                self._sp.delete(node.start, node.end)
        if self._new_names:
            if self.names_node is not None:
                append_children(self._sp, self.names_node, self._new_names)
            else:
                anchor = max((c.end for c in self.root.children if c.local in _BEFORE_DEFINED_NAMES))
                p = self._p
                self._sp.insert(anchor, f"<{p}definedNames>{''.join(self._new_names)}</{p}definedNames>")
        if self._full_calc:
            self._apply_full_calc()
        self._new_sheets, self._new_names, self._removed_names = [], [], []
        self._full_calc = False
        return encode_part(self._sp.apply(), self.bom)
