"""Writing the sheets xlclient owns into an agency's workbook without losing anything else.

:func:`write_owned_sheets` is the one entry point for a headless write.  It works on the
zip package, not through a spreadsheet library: every zip member that is not ours is
copied byte for byte (VBA, buttons, pivot caches, charts, extension lists, cached formula
values all stay), and only these change:

* the worksheet parts of the owned sheets (replaced, or added as new parts);
* ``xl/workbook.xml``: a ``<sheet>`` per new sheet; the defined names we were given; the
  hidden ``_xlnm._FilterDatabase`` name of an owned sheet with an autofilter;
* ``xl/_rels/workbook.xml.rels`` and ``[Content_Types].xml``: one entry per new sheet;
* ``xl/styles.xml``: a few appended formats (see :mod:`.styles`);
* ``xl/calcChain.xml``: entries of a replaced sheet removed (the part dropped if empty);
* for a replaced sheet only: its own ``.rels`` part, and the parts that only it used
  (a drawing, comments ...), are removed -- owned sheets carry none.

Shared parts are edited by splicing text (see :mod:`.xmltext`), never re-serialized.
:func:`build_workbook` does the same in memory (bytes in, bytes out) for tests and tools.
"""

from __future__ import annotations

import io
import posixpath
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, Sequence

from .calcchain import remove_sheets_from_calc_chain
from .errors import (AdditionsCannotBeKept, SheetKindConflict, SpecError, StructureProtected, WorkbookFormatError,
                     WorkbookWriteReserved)
from .names import sheet_ref, validate_defined_name, validate_sheet_name
from .package import CONTENT_TYPES, CT, REL, SHEET_KINDS, ContentTypes, Package, Rels, rels_part_for
from .safewrite import STEPS, StepHook, check_not_locked, replace_file
from .session import Snapshot, check_copy_target, real_path, take_snapshot
from .styles import MINIMAL_STYLES, StyleBook
from .workbookxml import WorkbookXml
from .worksheet import SheetSpec, worksheet_chunks
from .zipio import Deflated, StreamDeflater
from .xmltext import decode_part, encode_part

if TYPE_CHECKING:
    from .freeze import FrozenSheet

__all__ = ["SheetSpec", "WriteReport", "BuildResult", "write_owned_sheets", "build_workbook", "STEPS",
           "FILTER_DATABASE"]

FILTER_DATABASE = "_xlnm._FilterDatabase"
_SHEET_PART = re.compile(r"sheet(\d+)\.xml$", re.I)


@dataclass
class BuildResult:
    """What :func:`build_workbook` produced and changed."""

    data: bytes
    added: list[str] = field(default_factory=list)  # sheet names appended
    replaced: list[str] = field(default_factory=list)  # sheet names replaced in place
    sheet_parts: dict[str, str] = field(default_factory=dict)  # sheet name -> zip member
    shared_parts_changed: list[str] = field(default_factory=list)  # zip members spliced
    parts_removed: list[str] = field(default_factory=list)  # zip members dropped
    defined_names: dict[str, str] = field(default_factory=dict)  # name -> added/replaced/same
    styles_appended: int = 0
    recalc_cells: int = 0  # formulas of other sheets that read ours: recalculated on the next open
    #: sheet name -> what became values there (``values_of``: see :mod:`.freeze`)
    frozen: dict[str, "FrozenSheet"] = field(default_factory=dict)
    calculated_columns_dropped: int = 0
    #: the extension Excel needs for this package (".xlsx", ".xlsm" ...), None if unknown
    extension: str | None = None
    #: the workbook has a password to modify (it opens read-only for others)
    write_reserved: bool = False


@dataclass
class WriteReport(BuildResult):
    """What :func:`write_owned_sheets` did."""

    path: Path | None = None  # the file written
    source: Path | None = None
    backup: Path | None = None  # copy of the file as it was before (None if there was none)
    size: int = 0  # bytes written (``data`` is left empty: the file holds them)
    seconds: float = 0.0


# --------------------------------------------------------------------------- building

class _Build:
    """One build: the package, the shared parts being edited, and the result."""

    def __init__(self, data: bytes):
        self.data = data  # the package as read (its facts may be remembered: recalc.remembered_facts)
        self.pkg = Package(data)
        self.wb_part = self.pkg.main_part()
        self.wb = WorkbookXml(*self.pkg.read_text(self.wb_part))
        self.rels = self.pkg.rels(self.wb_part)
        if not self.rels.exists:
            raise WorkbookFormatError(f"{self.wb_part} has no relationships part")
        self.ct = ContentTypes(*self.pkg.read_text(CONTENT_TYPES))
        self.replace: dict[str, bytes | Deflated] = {}
        self.add: dict[str, bytes | Deflated] = {}
        self.remove: set[str] = set()
        self.replaced_sheet_ids: set[int] = set()
        self.styles_part, self.styles, self.styles_bom, self.new_styles = self._styles()
        self.decorated = self.styles.decorated()

    def _styles(self) -> tuple[str, StyleBook, bytes, bool]:
        for rel in self.rels.of_type(REL.STYLES):
            if not rel.external and self.pkg.has(rel.part):
                text, bom = self.pkg.read_text(rel.part)
                return rel.part, StyleBook(text), bom, False
        part = self._free_part(posixpath.dirname(self.wb_part), "styles", ".xml")
        return part, StyleBook(MINIMAL_STYLES), b"", True

    def _taken(self, part: str) -> bool:
        key = part.lower()
        return (self.pkg.has(part) or key in {p.lower() for p in self.add}
                or key in self.ct.overrides)

    def _free_part(self, folder: str, stem: str, ext: str, numbered: bool = False) -> str:
        part = posixpath.join(folder, stem + ("1" if numbered else "") + ext)
        n = 1
        while self._taken(part):
            n += 1
            part = posixpath.join(folder, f"{stem}{n}{ext}")
        return part

    def new_sheet_part(self) -> str:
        folder = posixpath.join(posixpath.dirname(self.wb_part), "worksheets")
        numbers = [int(m[1]) for p in [*self.pkg.part_names(), *self.add]
                   if posixpath.dirname(p).lower() == folder.lower() and (m := _SHEET_PART.match(posixpath.basename(p)))]
        n = max(numbers, default=0) + 1
        while self._taken(posixpath.join(folder, f"sheet{n}.xml")):
            n += 1
        return posixpath.join(folder, f"sheet{n}.xml")

    # ----------------------------------------------------------------- sheets
    def write_sheet(self, spec: SheetSpec, result: BuildResult) -> None:
        existing = self.wb.find_sheet(spec.name)
        if existing is not None:
            rel = self.rels.by_id(existing.rid)
            if rel is None or rel.external:
                raise WorkbookFormatError(f"sheet {existing.name!r} has no part in the package")
            kind = SHEET_KINDS.get(rel.type, rel.type)
            if kind != "worksheet":
                raise SheetKindConflict(f"a {kind} named {existing.name!r} already exists; xlclient only "
                                        "replaces worksheets. Rename or remove it first.")
            if not self.pkg.has(rel.part):
                raise WorkbookFormatError(f"sheet {existing.name!r}: part {rel.part} is missing")
            part, name, index = rel.part, existing.name, existing.index
            drawing_rid = self._charts(spec, part, True)
            rows = StreamDeflater()  # the rows deflated while they are made, not kept
            try:
                (head, tail), autofilter = self._replacement(spec, part, name, drawing_rid, rows.add)
                self.replace[part] = rows.finish(head, tail)
            finally:
                rows.close()
            self.ct.ensure_override(part, CT.WORKSHEET)
            self.replaced_sheet_ids.add(existing.sheet_id)
            result.replaced.append(name)
        else:
            part, name = self.new_sheet_part(), spec.name
            drawing_rid = self._charts(spec, part, False)
            rows = StreamDeflater()
            try:
                (head, tail), autofilter = worksheet_chunks(spec, self.styles, self.wb.date1904,
                                                            drawing_rid=drawing_rid, rows_to=rows.add)
                deflated = rows.finish(head, tail)
            finally:
                rows.close()
            rid = self.rels.new_id()
            index = self.wb.add_sheet(name, self.wb.next_sheet_id(), rid)
            self.rels.add(rid, REL.WORKSHEET, part)
            self.ct.ensure_override(part, CT.WORKSHEET)
            self.add[part] = deflated
            result.added.append(name)
        result.sheet_parts[name] = part.lstrip("/")
        if autofilter:
            self.wb.set_defined_name(FILTER_DATABASE, sheet_ref(name, autofilter), index, hidden=True)
        else:
            self.wb.remove_defined_name(FILTER_DATABASE, index)

    def _charts(self, spec: SheetSpec, part: str, existing: bool) -> str | None:
        """Add the sheet's charts (:mod:`.charts`), replacing those of an earlier run and
        keeping every other object of its drawing. Returns the relationship id the sheet
        must link its new drawing by, or None (no drawing, or the sheet keeps its own)."""
        from .charts import CT_CHART, CT_DRAWING, REL_CHART, REL_DRAWING, ChartParts, chart_parts, merge_drawing

        new = chart_parts(spec.name, spec.rows, spec.charts, spec.column_widths) if spec.charts else None
        sheet_rels = self.pkg.rels(part) if existing else Rels(rels_part_for(part), part, None)
        old = next((r for r in sheet_rels.items if r.type == REL_DRAWING and not r.external and self.pkg.has(r.part)),
                   None)
        if old is None and new is None:
            return None
        if old is not None:
            drawing_part = old.part
            old_text, bom = self.pkg.read_text(drawing_part)
            d_rels = self.pkg.rels(drawing_part)
            new = new or ChartParts([], [], "")
            text, dropped, placeholders = merge_drawing(old_text, {r.id: r.type for r in d_rels.items}, new)
            for rid in dropped:
                rel = d_rels.by_id(rid)
                if rel is None:
                    continue
                d_rels.remove(rel)
                self._remove_part_tree(rel.part)
        else:
            drawing_part = self._free_part(posixpath.join(posixpath.dirname(self.wb_part), "drawings"), "drawing", ".xml", True)
            d_rels = Rels(rels_part_for(drawing_part), drawing_part, None)
            text, _, placeholders = merge_drawing(None, {}, new)
            bom = b""
        for placeholder, k in placeholders.items():
            chart = self._free_part(posixpath.join(posixpath.dirname(self.wb_part), "charts"), "chart", ".xml", True)
            rid = d_rels.new_id()
            d_rels.add(rid, REL_CHART, chart)
            self.add[chart] = new.charts[k]
            self.ct.ensure_override(chart, CT_CHART)
            text = text.replace(f'"{placeholder}"', f'"{rid}"')
        data = encode_part(text, bom)
        (self.replace if old is not None else self.add)[drawing_part] = data
        self.ct.ensure_override(drawing_part, CT_DRAWING)
        if d_rels.changed():
            (self.replace if d_rels.exists else self.add)[d_rels.path] = d_rels.render()
        if old is not None:
            return None
        rid = sheet_rels.new_id()
        sheet_rels.add(rid, REL_DRAWING, drawing_part)
        (self.replace if sheet_rels.exists else self.add)[sheet_rels.path] = sheet_rels.render()
        return rid

    def _remove_part_tree(self, part: str) -> None:
        """Remove a part xlclient made (an old chart), its relationships and the parts only
        they point to (the style and colours Excel adds to a chart it saved)."""
        if not self.pkg.has(part):
            return
        rels = self.pkg.rels(part)
        for rel in rels.items:
            if not rel.external and self.pkg.has(rel.part) and posixpath.dirname(rel.part) == posixpath.dirname(part):
                self.remove.add(rel.part)
                self.ct.remove_override(rel.part)
        if rels.exists:
            self.remove.add(rels.path)
        self.remove.add(part)
        self.ct.remove_override(part)

    def _replacement(self, spec: SheetSpec, part: str, name: str, drawing_rid: str | None = None,
                     rows_to: "Callable[[bytes], None] | None" = None) -> tuple[list[bytes], str | None]:
        """The new part of an existing owned sheet, with what people added to it kept
        (see :mod:`.additions`); its relationships part stays as it is."""
        from .additions import (Placed, RowMapper, place_cells, place_elements, read_additions, remap_comments,
                                remap_vml, resize_table)

        rels = self.pkg.rels(part)
        owned = spec.owned()
        found = read_additions(self.pkg.read(part), owned, self.decorated, [(r.id, r.type, r.part) for r in rels.items])
        if found.empty:
            return worksheet_chunks(spec, self.styles, self.wb.date1904, drawing_rid=drawing_rid, rows_to=rows_to)
        rows = RowMapper(spec.row_map)
        placed = Placed()
        problems: list[tuple[str, str]] = []
        place_cells(found, rows, name, placed, problems)
        place_elements(found, rows, owned, name, placed, problems)
        header = spec.rows[spec.header_rows - 1] if spec.header_rows and len(spec.rows) >= spec.header_rows else []
        header_texts = {c: str(v) for c, v in enumerate(header) if v is not None}
        for rel in rels.items:
            if rel.external or not self.pkg.has(rel.part):
                continue
            kind = rel.type.rsplit("/", 1)[-1]
            if kind in ("comments", "threadedComment", "vmlDrawing", "table"):
                text, bom = self.pkg.read_text(rel.part)
                if kind == "vmlDrawing":
                    new = remap_vml(text, rows)
                elif kind == "table":
                    new = resize_table(text, header_texts, self._table_last_row(spec, placed, text), name, problems)
                else:
                    new = remap_comments(text, rows, name, problems)
                if new is not None:
                    self.replace[rel.part] = encode_part(new, bom)
        if problems:
            raise AdditionsCannotBeKept(name, problems)
        return worksheet_chunks(spec, self.styles, self.wb.date1904, placed, found.decls, drawing_rid, rows_to)

    @staticmethod
    def _table_last_row(spec: SheetSpec, placed: "object", table_text: str) -> int:
        """The last row of the new sheet with something in the table's columns (within the
        sheet's table, :attr:`SheetSpec.table_end`, when it has one; a person's cells below
        it, in the table's columns, extend it)."""
        from .additions import _split_ref

        m = re.search(r"\bref\s*=\s*[\"']([^\"']+)[\"']", table_text)
        ends = [_split_ref(x) for x in m[1].split(":")] if m else []
        if len(ends) != 2 or not all(ends):
            return 0
        c1, c2 = ends[0][1], ends[1][1]
        last = 0
        rows = spec.rows if spec.table_end is None else spec.rows[:spec.table_end[0]]
        for r, row in enumerate(rows, 1):
            if any(v is not None and v != "" for v in row[c1:c2 + 1]):
                last = r
        for r, cells in placed.cells.items():  # type: ignore[attr-defined]
            if r > last and any(c1 <= c <= c2 for c, _ in cells):
                last = r
        return last

    # ----------------------------------------------------------------- formulas to values
    def freeze(self, functions: Iterable[str], result: BuildResult) -> None:
        """Every cell calling one of ``functions`` keeps its saved value only (see
        :mod:`.freeze`), in every worksheet; such calculated columns of tables go."""
        from .freeze import drop_calculated_columns, freeze_cells, functions_pattern

        calls = functions_pattern(functions)
        for ref in self.wb.sheets:
            rel = self.rels.by_id(ref.rid)
            if rel is None or rel.external or SHEET_KINDS.get(rel.type) != "worksheet" or not self.pkg.has(rel.part):
                continue
            if rel.part in self.replace:
                continue  # an owned sheet written by this run: values only
            text, bom = self.pkg.read_text(rel.part)
            if not calls.search(text):
                continue
            new, done = freeze_cells(text, calls)
            if done.converted or done.left:
                result.frozen[ref.name] = done
            if done.converted:
                self.replace[rel.part] = encode_part(new, bom)
                self.replaced_sheet_ids.add(ref.sheet_id)  # its calc chain entries go
            for trel in self.pkg.rels(rel.part).items:
                if trel.external or not trel.type.endswith("/table") or not self.pkg.has(trel.part):
                    continue
                ttext, tbom = self.pkg.read_text(trel.part)
                tnew, n = drop_calculated_columns(ttext, calls)
                if n:
                    self.replace[trel.part] = encode_part(tnew, tbom)
                    result.calculated_columns_dropped += n

    # ----------------------------------------------------------------- calc chain
    def prune_calc_chain(self) -> None:
        if not self.replaced_sheet_ids:
            return
        for rel in self.rels.of_type(REL.CALC_CHAIN):
            if rel.external or not self.pkg.has(rel.part):
                continue
            text, bom = self.pkg.read_text(rel.part)
            new_text, removed, kept = remove_sheets_from_calc_chain(text, self.replaced_sheet_ids)
            if not removed:
                continue
            if kept:
                self.replace[rel.part] = encode_part(new_text, bom)
            else:
                self.remove.add(rel.part)
                self.rels.remove(rel)
                self.ct.remove_override(rel.part)

    # ----------------------------------------------------------------- recalculation
    def mark_dependents(self, result: BuildResult) -> None:
        """Make Excel and LibreOffice recalculate, on the next open, the formulas of other
        sheets that read the sheets just written (see :mod:`.recalc`)."""
        from .recalc import may_read, reference_patterns, remembered_facts, stale_formulas

        written = set(result.sheet_parts)
        into_ours = reference_patterns(sorted(written))
        names = {d.name for d in self.wb.defined_names  # names that point into a written sheet
                 if not d.name.startswith("_xlnm.") and any(p.search(d.text) for p in into_ours)}
        tables = []
        for name, part in result.sheet_parts.items():
            for rel in self.pkg.rels("/" + part).items if self.pkg.has("/" + part) else []:
                if rel.type.endswith("/table") and self.pkg.has(rel.part):
                    m = re.search(r'displayName\s*=\s*"([^"]+)"', self.pkg.read_text(rel.part)[0])
                    if m:
                        tables.append(m[1])
        others = []
        for s in self.wb.sheets:
            rel = self.rels.by_id(s.rid)
            if rel is None or rel.external or s.name in written or not self.pkg.has(rel.part):
                continue
            if SHEET_KINDS.get(rel.type) in ("worksheet", "macrosheet", "dialogsheet"):
                others.append(rel.part)
        touched = 0
        every = [*written, *tables, *names]
        for part in others:
            known = remembered_facts(self.data, self.pkg.member(part) or part)  # found when the book was read
            if known is not None and not may_read(known, every):
                continue  # not even inflated again
            raw = self.pkg.read(part)
            if not may_read(raw, every):
                continue  # no formula that could name ours (a big client sheet, usually): not decoded
            text, bom = decode_part(raw)
            del raw
            new, n = stale_formulas(text, sorted(written), tables, sorted(names))
            if n:
                self.replace[part] = encode_part(new, bom)
                result.shared_parts_changed.append(part.lstrip("/"))
                touched += n
        result.recalc_cells = touched
        if touched:
            self.wb.set_full_calc_on_load()

    # ----------------------------------------------------------------- finish
    def finish(self, result: BuildResult) -> bytes:
        styles_text = self.styles.render()
        if styles_text is not None:
            data = encode_part(styles_text, self.styles_bom)
            if self.new_styles:
                self.add[self.styles_part] = data
                self.rels.add(self.rels.new_id(), REL.STYLES, self.styles_part)
                self.ct.ensure_override(self.styles_part, CT.STYLES)
            else:
                self.replace[self.styles_part] = data
                result.shared_parts_changed.append(self.styles_part.lstrip("/"))
            result.styles_appended = self.styles.appended()
        for part, editor in ((self.wb_part, self.wb), (self.rels.path, self.rels), (CONTENT_TYPES, self.ct)):
            if editor.changed():
                self.replace[part] = editor.render()
                result.shared_parts_changed.append(part.lstrip("/"))
        calc = [p for p in self.replace if p.lower().endswith("calcchain.xml")]
        result.shared_parts_changed.extend(p.lstrip("/") for p in calc)
        _check_well_formed({p: d for p, d in self.replace.items() if p.lstrip("/") in result.shared_parts_changed})
        result.parts_removed = sorted(p.lstrip("/") for p in self.remove)
        out = io.BytesIO()
        self.pkg.write(out, {k: v for k, v in self.replace.items() if k.lower() not in
                             {r.lower() for r in self.remove}}, self.add, self.remove)
        return out.getvalue()


def _check_well_formed(parts: Mapping[str, bytes]) -> None:
    """Parse every spliced shared part once: a splicing bug must never reach the user's file."""
    for part, data in parts.items():
        try:
            ET.fromstring(data)
        except ET.ParseError as exc:
            raise WorkbookFormatError(f"internal error: edited {part} is not well-formed XML ({exc}); "
                                      "nothing was written") from None


def _validate_request(sheets: Sequence[SheetSpec], defined_names: Mapping[str, str] | None) -> None:
    seen = set()
    for spec in sheets:
        validate_sheet_name(spec.name)
        key = spec.name.casefold()
        if key in seen:
            raise SpecError(f"sheet {spec.name!r} is given twice")
        seen.add(key)
    for name, formula in (defined_names or {}).items():
        validate_defined_name(name)
        if not isinstance(formula, str) or not formula.strip():
            raise SpecError(f"defined name {name!r} needs a formula such as \"'设置'!$B$3\"")


#: The extension Excel needs for each kind of workbook package: it refuses to open a
#: macro-enabled workbook named .xlsx, and the reverse.
EXTENSION_OF = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": ".xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.main+xml": ".xlsm",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": ".xltx",
    "application/vnd.ms-excel.template.macroenabled.main+xml": ".xltm",
    "application/vnd.ms-excel.addin.macroenabled.main+xml": ".xlam",
}


def build_workbook(data: bytes, sheets: Sequence[SheetSpec], *,
                   defined_names: Mapping[str, str] | None = None, path: Path | None = None,
                   values_of: Iterable[str] = ()) -> BuildResult:
    """Return the workbook package ``data`` with ``sheets`` written in (bytes in, bytes out);
    with ``values_of`` (function names), the cells calling them turned into their values."""
    _validate_request(sheets, defined_names)
    build = _Build(data)
    result = BuildResult(b"")
    for spec in sheets:
        build.write_sheet(spec, result)
    if values_of:
        build.freeze(values_of, result)
    for name, formula in (defined_names or {}).items():
        formula = formula[1:] if formula.startswith("=") else formula
        result.defined_names[name] = build.wb.set_defined_name(name, formula)
    if result.added and build.wb.structure_locked:
        raise StructureProtected(path or Path("workbook"), result.added)
    build.prune_calc_chain()
    build.mark_dependents(result)
    result.extension = EXTENSION_OF.get((build.ct.content_type(build.wb_part) or "").lower())
    result.write_reserved = build.wb.write_reserved
    result.data = build.finish(result)
    return result


# --------------------------------------------------------------------------- writing

def write_owned_sheets(src: Path | str, sheets: Sequence[SheetSpec], dst: Path | str | None = None, *,
                       defined_names: Mapping[str, str] | None = None, backups: int = 5,
                       on_step: StepHook | None = None, snapshot: Snapshot | None = None,
                       values_of: Iterable[str] = ()) -> WriteReport:
    """Write ``sheets`` into the workbook ``src`` (in place, or to ``dst``).

    A sheet whose name exists (case-insensitively) as a worksheet is replaced in place
    (same tab position, sheetId, relationship id and part), keeping what people added to
    it (see :mod:`.additions`); other sheets are appended.  ``defined_names`` (name ->
    formula such as ``"'设置'!$B$3"``) are added or replaced as workbook-level names; no
    other name is touched.  Formulas of other sheets that read the written sheets are
    recalculated on the next open (see :mod:`.recalc`).

    ``snapshot``: the file as the run read it (:func:`~.session.take_snapshot`); the new
    file is built from exactly those bytes and replaces the old one only if the file on
    disk is still that snapshot.  Without it, the file is read here.  Links are followed:
    the real file is backed up and replaced, the link stays.

    In place, the file is replaced atomically after a copy of it is kept in
    ``.xlclient-backup/`` (the last ``backups`` copies).  With ``dst``, ``src`` is only
    read and ``dst`` is written the same way.  ``on_step`` is called with each name of
    :data:`STEPS` and may raise (fault injection); the original is then untouched.

    Raises WorkbookLocked (open in Excel), WorkbookChanged (saved by someone since it was
    read), WorkbookReadOnly, FolderNotWritable, StructureProtected (sheets to add to a
    protected structure), AdditionsCannotBeKept, InvalidSheetName / SpecError /
    CellValueError (bad input), SheetKindConflict (a chartsheet has that name),
    WorkbookFormatError (not a workbook this writer can edit), OSError.  Nothing is
    written when any of them is raised.
    """
    started = time.perf_counter()
    step = on_step or (lambda name: None)
    _validate_request(sheets, defined_names)
    if snapshot is None:
        snapshot = take_snapshot(src)
    target = real_path(dst) if dst is not None else snapshot.path
    in_place = target == snapshot.path
    if not in_place:
        check_copy_target(target)
    check_not_locked(target)
    step("read")
    built = build_workbook(snapshot.data, sheets, defined_names=defined_names, path=snapshot.given,
                           values_of=values_of)
    step("build")
    if in_place and built.write_reserved:
        raise WorkbookWriteReserved(snapshot.given)
    if not in_place:
        check_copy_target(target, built.extension)
    expect = snapshot if in_place else None
    backup = replace_file(target, built.data, backups=backups, on_step=step, expect=expect, exclusive=not in_place)
    report = WriteReport(**{**built.__dict__, "data": b""})
    report.path, report.source, report.backup, report.size = target, snapshot.given, backup, len(built.data)
    report.seconds = time.perf_counter() - started
    return report


def rows_with_additions(data: bytes, sheet: str, owned: frozenset[int]) -> set[int]:
    """Excel rows of the worksheet ``sheet`` in the workbook ``data`` that carry something
    a person added (a cell in a column outside ``owned``, a format, a comment, a
    hyperlink): a job that regenerates the sheet keeps such rows in place (the plan) or
    maps them (see :attr:`SheetSpec.row_map`). Empty when there is no such sheet."""
    from .additions import _split_ref, read_additions

    pkg = Package(data)
    main = pkg.main_part()
    wb = WorkbookXml(*pkg.read_text(main))
    ref = wb.find_sheet(sheet)
    rels = pkg.rels(main)
    rel = rels.by_id(ref.rid) if ref is not None else None
    if rel is None or rel.external or not pkg.has(rel.part):
        return set()
    styles = next((StyleBook(pkg.read_text(r.part)[0]) for r in rels.of_type(REL.STYLES)
                   if not r.external and pkg.has(r.part)), None)
    found = read_additions(pkg.read(rel.part), owned, styles.decorated() if styles else set())
    rows = found.rows_with_additions()
    for r in pkg.rels(rel.part).items:
        if r.external or not pkg.has(r.part) or r.type.rsplit("/", 1)[-1] not in ("comments", "threadedComment"):
            continue
        for m in re.finditer(r"<(?:[\w.-]+:)?(?:comment|threadedComment)\b[^>]*?\bref\s*=\s*[\"']([^\"']+)",
                             pkg.read_text(r.part)[0]):
            pos = _split_ref(m[1])
            if pos:
                rows.add(pos[0])
    return rows
