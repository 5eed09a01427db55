"""Draws a laid-out lineage graph as one SVG string. No Django: callers pass plain values.

Every text and attribute is escaped here. A restricted node is drawn from its
kind alone: the caller gives no name for it, so none can reach the drawing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

from lineage.layout import NODE_HEIGHT, NODE_WIDTH, Layout, NodeId

KIND_COLOURS = {
    "notebook": "#1f6feb",
    "block": "#5b8def",
    "table": "#7a5af8",
    "column": "#9e77ed",
    "app": "#12b76a",
    "metric": "#f79009",
}
RESTRICTED_COLOUR = "#98a2b3"
EDGE_STYLES = {
    # kind: (stroke colour, dash pattern)
    "reads": ("#7a5af8", ""),
    "writes": ("#1f6feb", ""),
    "feeds": ("#5b8def", "4 3"),
    "column": ("#9e77ed", ""),
    "runs": ("#344054", "6 3"),
    "app": ("#12b76a", ""),
    "metric": ("#f79009", ""),
    "part_of": ("#98a2b3", "2 3"),
    "notebook": ("#1f6feb", "1 3"),
    # What a run really read or wrote where the analysis says nothing (runtime lineage).
    "observed_reads": ("#f04438", "5 2"),
    "observed_writes": ("#f04438", "5 2"),
}
LANE_FILLS = ("#eef4ff", "#ecfdf3", "#fef6ee", "#f4f3ff", "#fdf2fa", "#f0f9ff", "#fefbe8")
LABEL_CHARS = 26


@dataclass(frozen=True)
class DrawnNode:
    """What the drawing shows of one node; ``title`` and ``label`` are already redacted."""

    kind: str
    label: str
    title: str
    href: str | None = None
    restricted: bool = False
    is_centre: bool = False
    links: tuple[tuple[str, str], ...] = field(default=())  # (text, href) under the label


def lane_colours(keys: Sequence[str]) -> dict[str, str]:
    return {key: LANE_FILLS[i % len(LANE_FILLS)] for i, key in enumerate(keys)}


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


def render_svg(
    layout: Layout,
    nodes: Mapping[NodeId, DrawnNode],
    edges: Sequence[tuple[NodeId, NodeId, str]],
    lane_labels: Mapping[str, str],
) -> str:
    """The SVG for ``layout``: lanes, then edges, then nodes on top.

    ``lane_labels`` maps a lane key to the name drawn on it (already redacted).
    """
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage-graph" role="img" '
        f'aria-label="Lineage graph" width="{layout.width}" height="{layout.height}" '
        f'viewBox="0 0 {layout.width} {layout.height}">',
        "<defs>",
    ]
    for kind, (colour, _) in EDGE_STYLES.items():
        out.append(
            f'<marker id="arrow-{kind}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            f'fill="{colour}"/></marker>'
        )
    out.append("</defs>")
    fills = lane_colours([lane.key for lane in layout.lanes])
    for lane in layout.lanes:
        label = escape(_short(lane_labels.get(lane.key, lane.key), 18))
        out.append(
            f'<g class="lane" data-lane="{escape(lane.key)}">'
            f'<rect x="4" y="{lane.y}" width="{layout.width - 8}" height="{lane.height}" '
            f'rx="8" fill="{fills[lane.key]}"/>'
            f'<text x="14" y="{lane.y + 20}" class="lane-label">{label}</text></g>'
        )
    out.append('<g class="edges">')
    for source, target, kind in edges:
        a, b = layout.nodes.get(source), layout.nodes.get(target)
        if a is None or b is None:
            continue
        colour, dash = EDGE_STYLES.get(kind, ("#667085", ""))
        x1, y1 = a.x + NODE_WIDTH, a.y + NODE_HEIGHT // 2
        x2, y2 = b.x, b.y + NODE_HEIGHT // 2
        if x2 <= x1:  # a reversed (cycle) edge or one within a layer: loop below the nodes
            bend = max(a.y, b.y) + NODE_HEIGHT + 30
            path = f"M{x1},{y1} C{x1 + 60},{bend} {x2 - 60},{bend} {x2},{y2}"
        else:
            mid = (x1 + x2) // 2
            path = f"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<path class="edge edge-{escape(kind)}" d="{path}" fill="none" stroke="{colour}" '
            f'stroke-width="1.4"{dash_attr} marker-end="url(#arrow-{escape(kind)})"/>'
        )
    out.append("</g>")
    out.append('<g class="nodes">')
    for node_id, placed in layout.nodes.items():
        node = nodes[node_id]
        out.append(_node(node, placed.x, placed.y))
    out.append("</g></svg>")
    return "".join(out)


def _node(node: DrawnNode, x: int, y: int) -> str:
    colour = RESTRICTED_COLOUR if node.restricted else KIND_COLOURS.get(node.kind, "#667085")
    classes = f"node node-{escape(node.kind)}"
    if node.restricted:
        classes += " restricted"
    if node.is_centre:
        classes += " centre"
    stroke = ' stroke="#0d1b2a" stroke-width="2.5"' if node.is_centre else ""
    dash = ' stroke-dasharray="4 3" stroke="#667085"' if node.restricted else ""
    box = (
        f'<rect x="{x}" y="{y}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="6" '
        f'fill="#fff"{stroke}{dash}/>'
        f'<rect x="{x}" y="{y}" width="6" height="{NODE_HEIGHT}" rx="3" fill="{colour}"/>'
        f'<text x="{x + 14}" y="{y + 15}" class="node-kind">{escape(node.kind)}</text>'
        f'<text x="{x + 14}" y="{y + 29}" class="node-label">{escape(_short(node.label))}</text>'
    )
    title = f"<title>{escape(node.title)}</title>"
    if node.href:
        body = f'<a href="{escape(node.href)}" class="node-link">{title}{box}</a>'
    else:
        body = title + box
    extra = []
    for i, (text, href) in enumerate(node.links):
        extra.append(
            f'<a href="{escape(href)}" class="node-action"><text x="{x + 14 + i * 70}" '
            f'y="{y + NODE_HEIGHT + 12}">{escape(text)}</text></a>'
        )
    return f'<g class="{classes}">{body}{"".join(extra)}</g>'
