"""Native charts on an owned sheet, drawn by XlsxWriter and added to the workbook's package.

XlsxWriter (a well-kept library that writes chart XML Excel and LibreOffice both read) draws
the charts in a scratch workbook whose sheet has the owned sheet's name and values, so each
series points at the owned sheet's cells and carries their cached values. From that
scratch file :func:`chart_parts` takes the drawing part and the chart parts; the package
writer (:mod:`.owned`) gives them free part names in the user's workbook and links the
drawing from the sheet. Nothing else of the scratch file is used.

Each drawing object xlclient adds is named by its description, ``xlclient <what>``
(:data:`MARK`). On the next run those objects, and only those, are replaced: a picture or
chart a person put on the sheet stays in the drawing (:func:`merge_drawing`).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

__all__ = ["MARK", "ChartParts", "chart_parts", "merge_drawing", "CT_CHART", "CT_DRAWING", "REL_CHART",
           "REL_DRAWING"]

MARK = "xlclient"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_CHART = _R + "/chart"
REL_DRAWING = _R + "/drawing"

_ANCHOR = re.compile(r"<((?:[\w.-]+:)?)(twoCellAnchor|oneCellAnchor|absoluteAnchor)\b.*?</\1\2>", re.S)
_DESCR = re.compile(r"<(?:[\w.-]+:)?cNvPr\b[^>]*\bdescr\s*=\s*\"([^\"]*)\"")
_RID = re.compile(r"\br:id\s*=\s*\"([^\"]+)\"")


@dataclass
class ChartParts:
    """The drawing's anchors (XML text, one per chart, each pointing at ``rIdK`` in
    ``charts`` order) and the chart parts' bytes."""

    anchors: list[str]
    charts: list[bytes]
    drawing_root: str  # the scratch drawing's opening tag (namespace declarations)


def _cell(sheet: str, row: int, col: int) -> list[Any]:
    return [sheet, row, col]


def chart_parts(sheet: str, rows: Sequence[Sequence[Any]], charts: Sequence[Any],
                widths: Mapping[int, float] | None = None) -> ChartParts | None:
    """Draw ``charts`` (objects shaped like :class:`xlclient.engine.dashboard.ChartSpec`)
    over ``rows`` (the sheet's values, 0-based) on sheet ``sheet`` whose columns have these
    ``widths`` (a chart is anchored by the cells it spans, so the scratch sheet has the
    same widths); None when there is no chart with a series."""
    import xlsxwriter

    drawn = [c for c in charts if c.series or c.secondary]
    if not drawn:
        return None
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    ws = book.add_worksheet(sheet)
    for col, w in (widths or {}).items():
        ws.set_column(int(col), int(col), float(w))
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is None or v == "":
                continue
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(r, c, v)
            elif isinstance(v, str):
                ws.write_string(r, c, v)
    for spec in drawn:
        primary, secondary = list(spec.series), list(spec.secondary)
        if not primary:
            primary, secondary = secondary, []
        kind = {"column_stacked": ("column", "stacked")}.get(spec.kind, (spec.kind, None))
        chart = book.add_chart({"type": kind[0], **({"subtype": kind[1]} if kind[1] else {})})
        colors = list(spec.colors)
        r0, r1, cc = spec.categories
        for k, (head, a, b, col) in enumerate(primary):
            color = "#" + colors[k] if k < len(colors) else None
            series: dict[str, Any] = {"name": _cell(sheet, head, col), "categories": [sheet, r0, cc, r1, cc],
                                      "values": [sheet, a, col, b, col]}
            if spec.kind == "line":
                series["line"] = {"color": color, "width": 2.25} if color else {"width": 2.25}
                series["marker"] = {"type": "circle", "size": 4}
            elif color:
                series["fill"] = {"color": color}
            if spec.kind == "pie":
                series["data_labels"] = {"percentage": True}
            chart.add_series(series)
        if secondary:
            line = book.add_chart({"type": "line"})
            for k, (head, a, b, col) in enumerate(secondary):
                color = colors[len(primary) + k] if len(primary) + k < len(colors) else "000000"
                line.add_series({"name": _cell(sheet, head, col), "categories": [sheet, r0, cc, r1, cc],
                                 "values": [sheet, a, col, b, col], "y2_axis": True,
                                 "line": {"color": "#" + color, "width": 2.25},
                                 "marker": {"type": "circle", "size": 5, "fill": {"color": "#" + color},
                                            "border": {"color": "#" + color}}})
            chart.combine(line)
        chart.set_title({"name": spec.title, "name_font": {"size": 11, "bold": True}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 500, "height": 300})
        if spec.kind == "bar":
            chart.set_y_axis({"reverse": True})  # categories top to bottom, hottest stage first
        if spec.kind == "line":
            chart.set_y_axis({"num_format": "0%"})
            chart.set_x_axis({"num_format": "0%", "num_font": {"rotation": -45}})
        ws.insert_chart(spec.anchor[0], spec.anchor[1], chart,
                        {"description": f"{MARK} {spec.name or spec.title}", "object_position": 1})
    book.close()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        drawing = z.read("xl/drawings/drawing1.xml").decode("utf-8")
        rels = z.read("xl/drawings/_rels/drawing1.xml.rels").decode("utf-8")
        targets = dict(re.findall(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
        targets.update({k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
        anchors, parts = [], []
        for m in _ANCHOR.finditer(drawing):
            anchor = m.group(0)
            rid = _RID.search(anchor)
            if rid is None:
                continue
            chart_name = posixpath.normpath(posixpath.join("xl/drawings", targets[rid.group(1)]))
            parts.append(z.read(chart_name))
            anchors.append(anchor[:rid.start(1)] + f"rIdXLC{len(parts)}" + anchor[rid.end(1):])
        root = re.search(r"<(?:[\w.-]+:)?wsDr\b[^>]*>", drawing).group(0)
    return ChartParts(anchors, parts, root)


def merge_drawing(old: str | None, old_rels: dict[str, str], new: ChartParts) -> tuple[str, list[str], dict[str, int]]:
    """The drawing part's text with xlclient's old anchors left out and ``new`` ones added.

    ``old``: the sheet's drawing as it is (None: it has none); ``old_rels``: its
    relationship ids -> types. Returns (text, the relationship ids of the old anchors left
    out, {placeholder id of each new anchor: index into new.charts}); the caller gives
    every placeholder ``rIdXLC<k>`` a real relationship id."""
    dropped: list[str] = []
    if old is None:
        body = "".join(new.anchors)
        close = re.search(r"<((?:[\w.-]+:)?)wsDr\b", new.drawing_root).group(1)
        return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{new.drawing_root}{body}</{close}wsDr>', \
            dropped, {f"rIdXLC{k + 1}": k for k in range(len(new.anchors))}
    pieces, last = [], 0
    for m in _ANCHOR.finditer(old):
        d = _DESCR.search(m.group(0))
        if d and d.group(1).startswith(MARK + " "):
            pieces.append(old[last:m.start()])
            last = m.end()
            dropped += [r for r in _RID.findall(m.group(0)) if old_rels.get(r, "").endswith("/chart")]
    pieces.append(old[last:])
    text = "".join(pieces)
    if not new.anchors:
        return text, dropped, {}
    prefix = re.search(r"<((?:[\w.-]+:)?)wsDr\b", text).group(1)
    ours_prefix = re.search(r"<((?:[\w.-]+:)?)wsDr\b", new.drawing_root).group(1)
    anchors = new.anchors
    if prefix != ours_prefix:  # the person's drawing spells the namespace differently
        anchors = [re.sub(rf"(</?){re.escape(ours_prefix)}", rf"\g<1>{prefix}", a) for a in anchors]
    close = text.rindex(f"</{prefix}wsDr>")
    needed = [d for d in re.findall(r'xmlns:[\w.-]+="[^"]*"', new.drawing_root)
              if d.split("=")[0] not in text[:text.index(">", text.index(f"<{prefix}wsDr")) + 1]]
    if needed:
        open_end = text.index(">", text.index(f"<{prefix}wsDr"))
        text = text[:open_end] + " " + " ".join(needed) + text[open_end:]
        close = text.rindex(f"</{prefix}wsDr>")
    text = text[:close] + "".join(anchors) + text[close:]
    return text, dropped, {f"rIdXLC{k + 1}": k for k in range(len(anchors))}
