"""The explorer's answer: a neighbourhood with what an interactive drawing needs.

Beside the plain API answer, each visible node carries its label (blocks named by what
they are), how many neighbours it has upstream and downstream in the whole graph (the
counts a collapsed node shows), and, for tables, its columns; the column edges among
the tables drawn come with them.

A node the viewer may not see keeps only its kind and the workspace it belongs to,
under an opaque id that is stable for this viewer (so that answers fetched one hop at
a time can be merged without counting a hidden node twice) and says nothing of its
URN. The browser folds them into one placeholder per workspace and direction.
Whether a node is visible is decided by the graph's viewer, as for every other read.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.crypto import salted_hmac

from accounts.access import sight_of
from catalog.models import Column
from lineage import selectors
from lineage.drawing import label_of
from lineage.graph import LineageGraph, ViewEdge, ViewNode, table_of_column
from lineage.labels import block_names
from lineage.query import LineageQuery

HIDDEN_PREFIX = "hidden:"
COLUMN_EDGE_LIMIT = 20_000


@dataclass(frozen=True)
class ExploreNode:
    id: str  # the URN, or "hidden:<token>" for a node the viewer may not see
    kind: str
    name: str | None
    label: str | None
    workspace: str | None  # for a hidden node: the workspace it belongs to, if any
    restricted: bool
    distance: int
    upstream: int | None  # neighbours upstream in the whole graph (None when hidden)
    downstream: int | None
    columns: tuple[str, ...] | None  # a visible table's columns, when asked for


@dataclass(frozen=True)
class ExploreView:
    nodes: list[ExploreNode]
    edges: list[ViewEdge]
    column_edges: list[tuple[str, str]]  # column URN -> column URN, among drawn tables
    truncated: bool
    centres: tuple[str, ...]


def hidden_id(user, urn: str) -> str:
    """An id for a hidden node: the same for one viewer on every answer, opaque to them."""
    owner = getattr(user, "pk", None)
    token = salted_hmac("tributary.lineage.hidden", f"{owner}:{urn}").hexdigest()[:20]
    return HIDDEN_PREFIX + token


def _hidden_workspace(graph: LineageGraph, attrs: dict | None) -> str | None:
    if not attrs:
        return None
    home = attrs.get("home")
    if home is None and attrs.get("ws"):
        home = min(attrs["ws"])
    return graph.workspaces.get(home) if home is not None else None


def explore(
    user, query: LineageQuery, *, max_nodes: int | None = None, with_columns: bool = False
) -> ExploreView:
    """The neighbourhood of ``query.urn`` for the explorer, as ``user`` may see it."""
    raw = selectors.raw_lineage(user, query, max_nodes=max_nodes)
    graph = selectors.lineage_graph()
    viewer = sight_of(user)
    level = graph.level(raw.level)
    ids: dict[str, str] = {}
    described: list[tuple[str, ViewNode, dict | None]] = []
    for urn, hops in raw.distance.items():
        attrs = level._node.get(urn) or raw.extra.get(urn)
        node = graph.describe(attrs, urn, viewer, hops)
        ids[urn] = hidden_id(user, urn) if node.restricted else urn
        described.append((urn, node, attrs))
    shown = [urn for urn, node, _ in described if not node.restricted]
    names = block_names(shown)
    # A table named through a notebook keeps its columns to whoever may see its details.
    tables = [
        urn
        for urn, node, attrs in described
        if node.kind == "table" and not node.restricted and viewer.sees_details(attrs)
    ]
    columns = _columns_of(graph, tables) if with_columns else {}
    nodes = []
    for urn, node, attrs in described:
        if node.restricted:
            nodes.append(
                ExploreNode(
                    ids[urn],
                    node.kind,
                    None,
                    None,
                    _hidden_workspace(graph, attrs),
                    True,
                    node.distance,
                    None,
                    None,
                    None,
                )
            )
            continue
        inside = urn in level
        nodes.append(
            ExploreNode(
                urn,
                node.kind,
                node.name,
                names.get(urn) or label_of(node),
                node.workspace,
                False,
                node.distance,
                len(level._pred[urn]) if inside else 0,
                len(level._succ[urn]) if inside else 0,
                tuple(columns.get(urn, ())) if with_columns and node.kind == "table" else None,
            )
        )
    nodes.sort(key=lambda n: (n.distance, n.restricted, n.id))
    edges = sorted(
        {
            ViewEdge(ids[u], ids[v], kind, graph.write_kind(u, v, kind))
            for u, v, kind in raw.edges
            if u in ids and v in ids
        },
        key=lambda e: (e.source, e.target, e.kind),
    )
    return ExploreView(
        nodes=nodes,
        edges=edges,
        column_edges=_column_edges(graph, viewer, columns) if with_columns else [],
        truncated=raw.truncated,
        centres=tuple(ids[c] for c in raw.centres if c in ids),
    )


def _columns_of(graph: LineageGraph, tables: list[str]) -> dict[str, list[str]]:
    """``{table URN: column names}``: the catalog's in their order, then lineage-only ones."""
    found: dict[str, list[str]] = {urn: [] for urn in tables}
    names = {}
    for urn in tables:
        attrs = graph.attrs("notebook", urn) or graph.attrs("block", urn) or {}
        if attrs.get("name"):
            names[urn] = attrs["name"]
    wanted = {f"table:{warehouse_of(urn, name)}/{name}": urn for urn, name in names.items()}
    rows = (
        Column.objects.filter(table__name__in=set(names.values()))
        .order_by("table_id", "position", "name")
        .values_list("table__warehouse", "table__name", "name")
    )
    for warehouse, table_name, column in rows:
        urn = wanted.get(f"table:{warehouse}/{table_name}")
        if urn is not None and column not in found[urn]:
            found[urn].append(column)
    for urn in tables:
        known = set(found[urn])
        extra = [c.rpartition(".")[2] for c in graph.centres(urn, "column")]
        found[urn].extend(sorted(c for c in extra if c not in known))
    return found


def warehouse_of(table_urn: str, name: str) -> str:
    """The warehouse part of a table URN whose name is known (a warehouse may hold "/").

    Examples:
        >>> warehouse_of("table:postgres://db/x/analytics.users", "analytics.users")
        'postgres://db/x'
    """
    rest = table_urn.partition(":")[2]
    return rest[: -len(name) - 1] if rest.endswith("/" + name) else rest.rpartition("/")[0]


def _column_edges(graph: LineageGraph, viewer, columns: dict[str, list[str]]) -> list:
    level = graph.level("column")
    drawn = set(columns)
    edges = []
    for table, names in columns.items():
        base = "column:" + table.partition(":")[2]
        for name in names:
            source = f"{base}.{name}"
            if source not in level:
                continue
            for target in level._succ[source]:
                if table_of_column(target) not in drawn:
                    continue
                if graph.describe(level._node[target], target, viewer).restricted:
                    continue
                edges.append((source, target))
                if len(edges) >= COLUMN_EDGE_LIMIT:
                    return sorted(edges)
    return sorted(edges)
