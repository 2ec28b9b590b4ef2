"""Locate elements in XML *text* and splice edits into it without reserializing.

Shared parts of a workbook (``workbook.xml``, ``styles.xml``, the ``.rels`` and content
type parts) must keep every byte we do not deliberately change: quoting, namespace
prefixes, whitespace, attribute order.  A parser round trip would change those, so this
module only *finds* things: :func:`parse` scans the text once and returns a light tree of
:class:`Node` objects that remember character offsets; :class:`Splicer` then applies
insertions, replacements and deletions at those offsets.

It handles the XML that Office writes (elements, attributes in either quote style,
comments, processing instructions, CDATA).  It does not validate and does not resolve
namespaces beyond the prefixes declared on the root element.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = [
    "XmlTextError",
    "Node",
    "parse",
    "Splicer",
    "escape_text",
    "escape_attr",
    "unescape",
    "decode_part",
    "encode_part",
    "append_children",
    "open_empty",
]


class XmlTextError(ValueError):
    """The text is not XML this scanner can follow (unbalanced tags, bad encoding)."""


_TOKEN = re.compile(
    r"<!--.*?-->"
    r"|<!\[CDATA\[.*?\]\]>"
    r"|<\?.*?\?>"
    r"|<!DOCTYPE[^>]*>"
    r"|<(/?)([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>",
    re.S,
)
_ATTR = re.compile(r"([^\s=/>]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


@dataclass(eq=False)
class Node:
    """One element: its qualified name and where its pieces sit in the text.

    ``start``..``open_end`` is the start tag (or the whole empty-element tag);
    ``close_start``..``end`` is the end tag.  For an empty element ``<a/>``,
    ``open_end == close_start == end``.
    """

    name: str
    start: int
    open_end: int
    attrs_raw: str
    empty: bool
    close_start: int = -1
    end: int = -1
    parent: "Node | None" = None
    children: list["Node"] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return self.name.partition(":")[0] if ":" in self.name else ""

    @property
    def local(self) -> str:
        return self.name.rpartition(":")[2]

    def attrs(self) -> dict[str, str]:
        """Attributes by qualified name, values unescaped."""
        return {m[1]: unescape(m[2] if m[2] is not None else m[3]) for m in _ATTR.finditer(self.attrs_raw)}

    def attr_span(self, qname: str) -> tuple[int, int] | None:
        """Text offsets of the *value* (inside the quotes) of attribute ``qname``."""
        base = self.start + 1 + len(self.name)
        for m in _ATTR.finditer(self.attrs_raw):
            if m[1] == qname:
                group = 2 if m[2] is not None else 3
                return base + m.start(group), base + m.end(group)
        return None

    def child(self, local: str) -> "Node | None":
        for c in self.children:
            if c.local == local:
                return c
        return None

    def children_named(self, local: str) -> list["Node"]:
        return [c for c in self.children if c.local == local]

    def inner(self, text: str) -> str:
        return "" if self.empty else text[self.open_end:self.close_start]

    def outer(self, text: str) -> str:
        return text[self.start:self.end]

    def namespaces(self) -> dict[str, str]:
        """Prefix -> URI declared on this element ('' for the default namespace)."""
        out = {}
        for q, v in self.attrs().items():
            if q == "xmlns":
                out[""] = v
            elif q.startswith("xmlns:"):
                out[q[6:]] = v
        return out


def parse(text: str) -> Node:
    """Scan ``text`` and return the root element with offsets of every element."""
    root: Node | None = None
    stack: list[Node] = []
    for m in _TOKEN.finditer(text):
        name = m[2]
        if name is None:
            continue
        if m[1]:  # end tag
            if not stack or stack[-1].name != name:
                raise XmlTextError(f"unbalanced end tag </{name}> at offset {m.start()}")
            node = stack.pop()
            node.close_start, node.end = m.start(), m.end()
            continue
        node = Node(name, m.start(), m.end(), m[3], bool(m[4]))
        if stack:
            node.parent = stack[-1]
            stack[-1].children.append(node)
        elif root is None:
            root = node
        else:
            raise XmlTextError("more than one root element")
        if node.empty:
            node.close_start = node.end = node.open_end
        else:
            stack.append(node)
    if stack or root is None:
        raise XmlTextError("unterminated element" if stack else "no root element")
    return root


class Splicer:
    """Collect edits at text offsets of the original and apply them in one pass.

    Edits must not overlap.  Insertions at the same offset keep the order in which
    they were added.
    """

    def __init__(self, text: str):
        self.text = text
        self._edits: list[tuple[int, int, int, str]] = []

    def insert(self, pos: int, new: str) -> None:
        self._edits.append((pos, pos, len(self._edits), new))

    def replace(self, start: int, end: int, new: str) -> None:
        if end < start:
            raise ValueError("end before start")
        self._edits.append((start, end, len(self._edits), new))

    def delete(self, start: int, end: int) -> None:
        self.replace(start, end, "")

    def __bool__(self) -> bool:
        return bool(self._edits)

    def apply(self) -> str:
        edits = sorted(self._edits, key=lambda e: (e[0], e[1] != e[0], e[2]))
        out, pos = [], 0
        for start, end, _, new in edits:
            if start < pos:
                raise XmlTextError(f"overlapping edits at offset {start}")
            out.append(self.text[pos:start])
            out.append(new)
            pos = end
        out.append(self.text[pos:])
        return "".join(out)


def open_empty(splicer: Splicer, node: Node, body: str) -> None:
    """Turn ``<a x="1" />`` into ``<a x="1">body</a>`` (whitespace before ``/>`` dropped)."""
    tag = splicer.text[node.start:node.open_end]
    keep = len(tag[:-2].rstrip())
    splicer.replace(node.start + keep, node.open_end, f">{body}</{node.name}>")


def append_children(splicer: Splicer, node: Node, fragments: list[str]) -> None:
    """Insert ``fragments`` as the last children of ``node``, opening ``<a/>`` if needed."""
    if not fragments:
        return
    body = "".join(fragments)
    if node.empty:
        open_empty(splicer, node, body)
    else:
        splicer.insert(node.close_start, body)


def escape_text(s: str) -> str:
    """Escape character data for element content."""
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    return s


def escape_attr(s: str) -> str:
    """Escape an attribute value for double quotes (whitespace kept by char refs)."""
    s = escape_text(s).replace('"', "&quot;")
    return s.replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")


def _entity(m: re.Match) -> str:
    ref = m[1]
    if ref[0] == "#":
        return chr(int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:]))
    return _NAMED[ref]


def unescape(s: str) -> str:
    """Resolve the five XML entities and numeric character references."""
    return _ENTITY.sub(_entity, s) if "&" in s else s


_UTF16 = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


def decode_part(data: bytes) -> tuple[str, bytes]:
    """Decode an XML part and return (text, bom) so it re-encodes identically: UTF-8 (with
    or without its BOM), or UTF-16 with its BOM (legal XML, written by some tools; the
    part stays UTF-16 when :func:`encode_part` writes it back)."""
    bom = b""
    if data.startswith(b"\xef\xbb\xbf"):
        bom, data = data[:3], data[3:]
    elif data[:2] in _UTF16:
        bom = data[:2]
        try:
            return data[2:].decode(_UTF16[bom]), bom
        except UnicodeDecodeError as exc:
            raise XmlTextError(f"part is not UTF-16: {exc}") from None
    try:
        return data.decode("utf-8"), bom
    except UnicodeDecodeError as exc:
        raise XmlTextError(f"part is not UTF-8: {exc}") from None


def encode_part(text: str, bom: bytes = b"") -> bytes:
    """The bytes of a part decoded by :func:`decode_part`, in the encoding it had."""
    return bom + text.encode(_UTF16.get(bom, "utf-8"))


# --------------------------------------------------------------------------- formulas in a big sheet

_SHEETDATA_PREFIX = re.compile(r"<([\w.-]+:)?sheetData\b")
_SHEETDATA_PREFIX_B = re.compile(rb"<([\w.-]+:)?sheetData\b")
_AFTER_NAME = frozenset(" >/\t\r\n")
_AFTER_NAME_B = frozenset(b" >/\t\r\n")


def formula_starts(text: "str | bytes") -> "list[int] | None":
    """Positions of every ``<f`` (formula) element in a worksheet part, found with C-level
    ``find`` calls: a 100,000-row sheet is ~60 MB of XML that may hold one formula, and a
    regex over every tag costs several times more. The element prefix is the one of
    ``sheetData``. None when the part has no ``sheetData`` (the caller then looks at every
    cell the slow way)."""
    is_bytes = isinstance(text, bytes)
    m = (_SHEETDATA_PREFIX_B if is_bytes else _SHEETDATA_PREFIX).search(text)  # type: ignore[arg-type]
    if m is None:
        return None
    prefix = m.group(1) or (b"" if is_bytes else "")
    needle = (b"<" + prefix + b"f") if is_bytes else ("<" + prefix + "f")  # type: ignore[operator]
    after = _AFTER_NAME_B if is_bytes else _AFTER_NAME
    out: list[int] = []
    i = text.find(needle, m.start())  # type: ignore[arg-type]
    n = len(needle)
    while i >= 0:
        if i + n < len(text) and text[i + n] in after:
            out.append(i)
        i = text.find(needle, i + n)  # type: ignore[arg-type]
    return out


def cell_start(text: "str | bytes", formula_at: int) -> int:
    """Where the cell holding the formula at ``formula_at`` starts (its ``<c`` tag, with the
    formula's own prefix), or -1."""
    is_bytes = isinstance(text, bytes)
    close = text.find(b"f" if is_bytes else "f", formula_at)  # type: ignore[arg-type]
    prefix = text[formula_at + 1:close]  # "" or "x:"
    needle = (b"<" if is_bytes else "<") + prefix + (b"c" if is_bytes else "c")  # type: ignore[operator]
    after = _AFTER_NAME_B if is_bytes else _AFTER_NAME
    i = text.rfind(needle, 0, formula_at)  # type: ignore[arg-type]
    while i >= 0 and not (i + len(needle) < len(text) and text[i + len(needle)] in after):
        i = text.rfind(needle, 0, i)  # type: ignore[arg-type]
    return i


def formula_cells(text: str, cell_re: "re.Pattern[str]") -> "Iterator[re.Match[str]]":
    """The cells of a worksheet part that hold a formula, in order, each once, as matches of
    ``cell_re`` (a pattern matching one whole ``<c>`` element at its start): found by their
    ``<f`` (:func:`formula_starts`), or every match of ``cell_re`` when the part has no
    ``sheetData`` to go by (the caller then skips the cells without a formula)."""
    starts = formula_starts(text)
    if starts is None:
        yield from cell_re.finditer(text)
        return
    last = -1
    for p in starts:
        c = cell_start(text, p)
        if c < 0 or c <= last:
            continue
        m = cell_re.match(text, c)
        if m is not None and m.end() > p:
            last = c
            yield m
