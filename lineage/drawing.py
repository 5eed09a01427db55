"""From a redacted `LineageView` to a drawing: lanes, labels, links, then layout and SVG.

Everything drawn comes from the redacted view, so a restricted node can only
ever show its kind.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import urlencode

from lineage.graph import LineageView, ViewNode
from lineage.layout import Layout, layered_layout
from lineage.query import LineageQuery
from lineage.svg import DrawnNode, lane_colours, render_svg
from urns import table_of_column

RESTRICTED_LANE = "~restricted"
WAREHOUSE_LANE = "~warehouse"


@dataclass(frozen=True)
class Drawing:
    svg: str
    layout: Layout
    lanes: list[tuple[str, str, str]]  # (key, label, colour), top to bottom


def label_of(node: ViewNode) -> str:
    if node.restricted or node.name is None:
        return f"restricted {node.kind}"
    if node.kind == "notebook":
        return posixpath.basename(node.name) or node.name
    if node.kind == "block":
        return "#" + node.name.rpartition("#")[2][:12]
    if node.kind == "column":  # table.column, the table without its schema
        table, _, column = node.name.rpartition(".")
        return f"{table.rpartition('.')[2]}.{column}"
    return node.name


def title_of(node: ViewNode) -> str:
    if node.restricted or node.name is None:
        return f"A {node.kind} you may not see"
    where = f" ({node.workspace})" if node.workspace else ""
    return f"{node.kind} {node.name}{where}"


def lane_of(node: ViewNode) -> str:
    if node.restricted:
        return RESTRICTED_LANE
    return node.workspace or WAREHOUSE_LANE


def page_url(base: str, query: LineageQuery, **changes) -> str:
    params = {
        "urn": query.urn,
        "level": query.level,
        "direction": query.direction,
        "depth": query.depth,
    }
    expand = changes.pop("expand", ())
    params.update(changes)
    pairs = [(k, v) for k, v in params.items() if v not in (None, "")]
    pairs += [("expand", urn) for urn in expand]
    return f"{base}?{urlencode(pairs)}"


def node_links(
    node: ViewNode, base: str, query: LineageQuery, expanded: list[str]
) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """Where clicking the node goes (re-centre there), and its small actions."""
    if node.restricted or node.urn is None:
        return None, ()
    level = query.level
    if node.kind == "block":
        level = "block"
    elif node.kind == "column":
        level = "column"
    elif level == "column":
        level = "notebook"
    href = page_url(base, query, urn=node.urn, level=level)
    actions: list[tuple[str, str]] = []
    if node.kind == "notebook" and query.level == "notebook":
        if node.urn in expanded:
            rest = [u for u in expanded if u != node.urn]
            actions.append(("- blocks", page_url(base, query, expand=rest)))
        else:
            actions.append(("+ blocks", page_url(base, query, expand=[*expanded, node.urn])))
    if node.kind == "table":
        actions.append(("columns", page_url(base, query, urn=node.urn, level="column")))
    if node.kind == "column":
        table = table_of_column(node.urn)
        actions.append(("table", page_url(base, query, urn=table, level="notebook")))
    return href, tuple(actions)


def draw(
    view: LineageView,
    query: LineageQuery,
    *,
    base: str,
    expanded: list[str],
    lane_names: dict[str, str],
) -> Drawing:
    """Lay out and draw ``view``; ``lane_names`` maps workspace slugs to their names."""
    by_id = {n.id: n for n in view.nodes}
    lanes = {n.id: lane_of(n) for n in view.nodes}
    order = sorted(
        set(lanes.values()),
        key=lambda k: (k == RESTRICTED_LANE, k == WAREHOUSE_LANE, k),
    )
    layout = layered_layout(
        [n.id for n in view.nodes],
        [(e.source, e.target) for e in view.edges],
        lanes=lanes,
        lane_order=order,
    )
    labels = {
        **{k: lane_names.get(k, k) for k in order},
        RESTRICTED_LANE: "Restricted",
        WAREHOUSE_LANE: "Warehouse",
    }
    drawn = {}
    centres = set(view.centres)
    for node_id, node in by_id.items():
        href, actions = node_links(node, base, query, expanded)
        drawn[node_id] = DrawnNode(
            kind=node.kind,
            label=label_of(node),
            title=title_of(node),
            href=href,
            restricted=node.restricted,
            is_centre=node_id in centres,
            links=actions,
        )
    svg = render_svg(layout, drawn, [(e.source, e.target, e.kind) for e in view.edges], labels)
    colours = lane_colours([lane.key for lane in layout.lanes])
    return Drawing(
        svg=svg,
        layout=layout,
        lanes=[(lane.key, labels[lane.key], colours[lane.key]) for lane in layout.lanes],
    )
