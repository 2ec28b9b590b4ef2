"""Cell formats for owned sheets, appended to the workbook's ``styles.xml``.

Owned sheets need only a few formats: bold (header rows), a number format (dates,
percent, decimals ...) and wrapped text, in combination.  :class:`StyleBook` hands out a
``cellXfs`` index for each combination (a :class:`StyleKey`).  It reuses an entry that
already has exactly that formatting -- including one appended by an earlier run -- and
otherwise appends new ``<numFmt>``, ``<font>`` and ``<xf>`` entries at the *end* of their
lists, so the indices of existing entries never move.  Existing entries are never edited;
only the ``count`` attributes of the lists grow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import WorkbookFormatError
from .xmltext import Node, Splicer, XmlTextError, append_children, escape_attr, parse

__all__ = ["StyleKey", "StyleBook", "BUILTIN_NUMFMTS", "MINIMAL_STYLES"]

# Built-in number formats whose code does not depend on the locale.
BUILTIN_NUMFMTS = {
    "General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10,
    "0.00E+00": 11, "# ?/?": 12, "# ??/??": 13, "mm:ss": 45, "[h]:mm:ss": 46, "mmss.0": 47,
    "##0.0E+0": 48, "@": 49,
}
_FIRST_CUSTOM_NUMFMT = 164
_BOLD = re.compile(r"<(?:[\w.-]+:)?b(?:/>|val=|>)")
_MAX_XFS = 64000
_FONT_ORDER = ("b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz", "color", "name",
               "family", "charset", "scheme")

MINIMAL_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
    'defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
)


@dataclass(frozen=True)
class StyleKey:
    """The formatting of one cell of an owned sheet."""

    bold: bool = False
    numfmt: str | None = None  # Excel format code; None = General
    wrap: bool = False
    align: str | None = None  # horizontal alignment ("right", "center"), None = General

    @property
    def plain(self) -> bool:
        return not self.bold and self.numfmt in (None, "General") and not self.wrap and self.align is None


def _squash(s: str) -> str:
    return "".join(s.split())


class StyleBook:
    """Find or append ``cellXfs`` entries in one ``styles.xml`` text."""

    def __init__(self, text: str):
        self.text = text
        try:
            self.root = parse(text)
        except XmlTextError as exc:
            raise WorkbookFormatError(f"styles.xml: {exc}") from None
        self._p = self.root.prefix + ":" if self.root.prefix else ""
        self.numfmts_node = self.root.child("numFmts")
        self.fonts_node = self._required("fonts")
        self.xfs_node = self._required("cellXfs")
        self._numfmts = self._read_numfmts()
        self._fonts = [self._font_signature(f.inner(text)) for f in self.fonts_node.children_named("font")]
        self._xfs = [self._xf_signature(x) for x in self.xfs_node.children_named("xf")]
        if not self._fonts or not self._xfs:
            raise WorkbookFormatError("styles.xml has no fonts or no cell formats")
        self._new_numfmts: list[str] = []
        self._new_fonts: list[str] = []
        self._new_xfs: list[str] = []
        self._cache: dict[StyleKey, int] = {StyleKey(): 0}
        self.dxfs_node = self.root.child("dxfs")
        self._dxfs = [_squash(d.inner(text)) for d in self.dxfs_node.children_named("dxf")] \
            if self.dxfs_node is not None else []
        self._new_dxfs: list[str] = []

    # ----------------------------------------------------------------- reading
    def _required(self, local: str) -> Node:
        node = self.root.child(local)
        if node is None:
            raise WorkbookFormatError(f"styles.xml has no <{local}>")
        return node

    def _read_numfmts(self) -> dict[str, int]:
        codes: dict[str, int] = {}
        if self.numfmts_node is not None:
            for nf in self.numfmts_node.children_named("numFmt"):
                a = nf.attrs()
                if a.get("numFmtId", "").isdigit():
                    codes.setdefault(a.get("formatCode", ""), int(a["numFmtId"]))
        return codes

    @staticmethod
    def _font_signature(inner: str) -> tuple[str, ...]:
        """Children of a <font> as a sorted tuple of whitespace-free tag texts."""
        root = parse(f"<font>{inner}</font>")
        return tuple(sorted(_squash(c.outer(f"<font>{inner}</font>")) for c in root.children))

    def _xf_signature(self, xf: Node) -> tuple:
        a = xf.attrs()
        align = xf.child("alignment")
        align_attrs = tuple(sorted(align.attrs().items())) if align is not None else ()
        others = tuple(c.local for c in xf.children if c.local != "alignment")
        applied = tuple(a.get(f, "0").lower() in ("1", "true")
                        for f in ("applyNumberFormat", "applyFont", "applyAlignment"))
        return (a.get("numFmtId", "0"), a.get("fontId", "0"), a.get("fillId", "0"),
                a.get("borderId", "0"), a.get("xfId", "0"), align_attrs, others,
                a.get("quotePrefix", "0"), a.get("pivotButton", "0"), applied)

    def decorated(self) -> set[int]:
        """``cellXfs`` indices that carry a format xlclient never writes itself -- a fill, a
        border, a font other than the default (or its bold), a named cell style, an
        alignment other than wrapping or aligning right: a person applied it (see
        :mod:`.additions`)."""
        plain_fonts = {"0"}
        base = tuple(sorted(c for c in self._fonts[0] if not _BOLD.match(c)))
        for i, sig in enumerate(self._fonts):
            if tuple(sorted(c for c in sig if not _BOLD.match(c))) == base:
                plain_fonts.add(str(i))
        out = set()
        for i, (numfmt, font, fill, border, xf_id, align, others, *_rest) in enumerate(self._xfs):
            if fill not in ("0", "1") or border != "0" or font not in plain_fonts or xf_id != "0" \
                    or any(k != "wrapText" and (k, v) != ("horizontal", "right") for k, v in align) or others:
                out.add(i)
        return out

    # ----------------------------------------------------------------- lookup
    def index(self, key: StyleKey) -> int:
        """``cellXfs`` index for ``key`` (found or appended)."""
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._find_or_add_xf(key)
        return hit

    def _numfmt_id(self, code: str | None) -> int:
        if code is None or code == "General":
            return 0
        if code in BUILTIN_NUMFMTS:
            return BUILTIN_NUMFMTS[code]
        if code in self._numfmts:
            return self._numfmts[code]
        new_id = max([_FIRST_CUSTOM_NUMFMT - 1, *self._numfmts.values()]) + 1
        self._numfmts[code] = new_id
        self._new_numfmts.append(f'<{self._p}numFmt numFmtId="{new_id}" formatCode="{escape_attr(code)}"/>')
        return new_id

    def _bold_font_id(self) -> int:
        base = [c for c in self._fonts[0] if not _BOLD.match(c)]
        wanted = tuple(sorted(["<b/>", *base]))
        for i, sig in enumerate(self._fonts):
            if sig == wanted:
                return i
        inner0 = self.fonts_node.children_named("font")[0].inner(self.text)
        font0 = parse(f"<font>{inner0}</font>")
        # in the schema's order (openpyxl and pandas write font 0 as name, family, color, sz,
        # which Excel reads but the Open XML SDK's validator flags): ours is written in order
        children = sorted((c for c in font0.children if c.local != "b"),
                          key=lambda c: _FONT_ORDER.index(c.local) if c.local in _FONT_ORDER else len(_FONT_ORDER))
        kept = "".join(c.outer(f"<font>{inner0}</font>") for c in children)
        self._fonts.append(wanted)
        self._new_fonts.append(f"<{self._p}font><{self._p}b/>{kept}</{self._p}font>")
        return len(self._fonts) - 1

    def _find_or_add_xf(self, key: StyleKey) -> int:
        numfmt = self._numfmt_id(key.numfmt)
        font = self._bold_font_id() if key.bold else 0
        align = tuple(sorted(([("horizontal", key.align)] if key.align else []) + ([("wrapText", "1")] if key.wrap
                                                                                    else [])))
        # reuse only an entry that also says to apply exactly what we need (apply* flags)
        sig = (str(numfmt), str(font), "0", "0", "0", align, (), "0", "0", (bool(numfmt), key.bold, bool(align)))
        for i, existing in enumerate(self._xfs):
            if existing == sig:
                return i
        if len(self._xfs) >= _MAX_XFS:
            raise WorkbookFormatError("workbook has too many cell formats to add more")
        p = self._p
        attrs = f'numFmtId="{numfmt}" fontId="{font}" fillId="0" borderId="0" xfId="0"'
        if numfmt:
            attrs += ' applyNumberFormat="1"'
        if key.bold:
            attrs += ' applyFont="1"'
        if align:
            inner = " ".join(f'{k}="{v}"' for k, v in align)
            xml = f'<{p}xf {attrs} applyAlignment="1"><{p}alignment {inner}/></{p}xf>'
        else:
            xml = f"<{p}xf {attrs}/>"
        self._xfs.append(sig)
        self._new_xfs.append(xml)
        return len(self._xfs) - 1

    def dxf_index(self, font_rgb: str, fill_rgb: str) -> int:
        """``dxfs`` index of a differential format (font colour and fill, ARGB hex) for a
        conditional format: an equal entry is reused (one appended by an earlier run too)."""
        p = self._p
        inner = (f'<{p}font><{p}color rgb="{font_rgb}"/></{p}font><{p}fill><{p}patternFill>'
                 f'<{p}bgColor rgb="{fill_rgb}"/></{p}patternFill></{p}fill>')
        sig = _squash(inner)
        if sig in self._dxfs:
            return self._dxfs.index(sig)
        self._dxfs.append(sig)
        self._new_dxfs.append(f"<{p}dxf>{inner}</{p}dxf>")
        return len(self._dxfs) - 1

    # ----------------------------------------------------------------- writing
    def appended(self) -> int:
        """How many entries (numFmts + fonts + xfs + dxfs) this book appends."""
        return len(self._new_numfmts) + len(self._new_fonts) + len(self._new_xfs) + len(self._new_dxfs)

    def render(self) -> str | None:
        """The edited ``styles.xml`` text, or None if nothing needs appending."""
        if not self.appended():
            return None
        sp = Splicer(self.text)
        if self._new_numfmts:
            if self.numfmts_node is None:
                n = len(self._new_numfmts)
                first = self.root.children[0].start if self.root.children else self.root.close_start
                sp.insert(first, f'<{self._p}numFmts count="{n}">{"".join(self._new_numfmts)}</{self._p}numFmts>')
            else:
                total = len(self.numfmts_node.children_named("numFmt")) + len(self._new_numfmts)
                self._grow(sp, self.numfmts_node, self._new_numfmts, total)
        if self._new_fonts:
            self._grow(sp, self.fonts_node, self._new_fonts, len(self._fonts))
        if self._new_xfs:
            self._grow(sp, self.xfs_node, self._new_xfs, len(self._xfs))
        if self._new_dxfs:
            if self.dxfs_node is not None:
                self._grow(sp, self.dxfs_node, self._new_dxfs, len(self._dxfs))
            else:  # in the schema's order: before tableStyles, colors, extLst
                after = next((c for c in self.root.children if c.local in ("tableStyles", "colors", "extLst")), None)
                at = after.start if after is not None else self.root.close_start
                sp.insert(at, f'<{self._p}dxfs count="{len(self._dxfs)}">{"".join(self._new_dxfs)}</{self._p}dxfs>')
        return sp.apply()

    @staticmethod
    def _grow(sp: Splicer, node: Node, fragments: list[str], total: int) -> None:
        span = node.attr_span("count")
        if span is not None:
            sp.replace(span[0], span[1], str(total))
        append_children(sp, node, fragments)
