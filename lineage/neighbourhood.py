"""The compact lineage of one asset for its catalog page: a few hops up and down."""

from __future__ import annotations

from dataclasses import dataclass

from lineage import selectors
from lineage.graph import LineageView, ViewNode
from lineage.query import LineageQuery

COMPACT_DEPTH = 2
COMPACT_NODES = 12  # per side; the explorer shows the rest


@dataclass(frozen=True)
class Side:
    nodes: list[ViewNode]  # visible ones, nearest first
    more: int  # visible ones past COMPACT_NODES
    hidden: int  # ones the viewer may not see
    truncated: bool  # more lies beyond COMPACT_DEPTH


@dataclass(frozen=True)
class CompactLineage:
    urn: str
    upstream: Side
    downstream: Side

    @property
    def sides(self) -> list[tuple[str, Side, str]]:
        return [
            ("Upstream", self.upstream, "lineage-upstream"),
            ("Downstream", self.downstream, "lineage-downstream"),
        ]

    @property
    def is_empty(self) -> bool:
        return not any(s.nodes or s.hidden or s.more for s in (self.upstream, self.downstream))


def _within(view: LineageView, forward: bool) -> set[str]:
    """Ids reachable from the centres along (or against) the edges in COMPACT_DEPTH hops."""
    step: dict[str, list[str]] = {}
    for edge in view.edges:
        a, b = (edge.source, edge.target) if forward else (edge.target, edge.source)
        step.setdefault(a, []).append(b)
    seen = set(view.centres)
    frontier = list(view.centres)
    for _ in range(COMPACT_DEPTH):
        frontier = [n for u in frontier for n in step.get(u, ()) if n not in seen]
        seen.update(frontier)
    return seen - set(view.centres)


def _side(view: LineageView, ids: set[str]) -> Side:
    around = [n for n in view.nodes if n.id in ids]
    shown = [n for n in around if not n.restricted]
    return Side(
        nodes=shown[:COMPACT_NODES],
        more=max(0, len(shown) - COMPACT_NODES),
        hidden=sum(1 for n in around if n.restricted),
        truncated=view.truncated,
    )


def compact_lineage(user, urn: str) -> CompactLineage:
    """What feeds ``urn`` and what it feeds, within two hops, as ``user`` may see them."""
    view = selectors.lineage_for(user, LineageQuery(urn=urn, direction="both", depth=COMPACT_DEPTH))
    return CompactLineage(
        urn=urn,
        upstream=_side(view, _within(view, forward=False)),
        downstream=_side(view, _within(view, forward=True)),
    )
