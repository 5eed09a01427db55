"""Reads of the lineage graph, always as one viewer may see them.

The graph is built from every persisted edge once per edge stamp and shared by
all requests of the process; each request reads the stamp (one query) to know
whether its copy is current.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.db.models import Q

from accounts.access import can, sight_of, visible
from accounts.errors import InvalidInput, NotFound
from accounts.models import Workspace
from catalog.models import App, Metric, Notebook, Table
from catalog.urns import guarding_object
from lineage.graph import (
    LineageGraph,
    LineageView,
    QueryError,
    ViewNode,
    base_level,
    lineage_kind,
)
from lineage.models import LineageEdge
from lineage.query import LineageQuery
from lineage.services import current_stamp
from lineage.table_edges import table_edge_rows, table_use_rows
from urns import AssetKind, notebook_of, parse_urn

_lock = threading.Lock()
_cached: LineageGraph | None = None


def lineage_graph() -> LineageGraph:
    """The graph of every edge, rebuilt when the edge stamp has changed."""
    global _cached
    stamp = current_stamp()
    graph = _cached
    if graph is not None and graph.stamp == stamp:
        return graph
    with _lock:
        if _cached is not None and _cached.stamp == stamp:
            return _cached
        # Stored edges, and those table usage gives (stored once, by the catalog).
        rows = table_edge_rows(table_use_rows())
        rows += list(
            LineageEdge.objects.values_list(
                "source_urn",
                "target_urn",
                "kind",
                "source_name",
                "target_name",
                "source_workspace_id",
                "target_workspace_id",
                "via_urn",
                "detail",
            )
        )
        workspaces = dict(Workspace.objects.values_list("pk", "slug"))
        homes, definers = {}, {}
        tables = Table.objects.values_list(
            "warehouse", "name", "workspace_id", "defined_by__workspace_id", "defined_by__path"
        )
        slugs = workspaces
        for warehouse, name, ws, definer_ws, definer_path in tables:
            urn = AssetKind.TABLE.urn(warehouse, name)
            homes[urn] = ws
            if definer_ws == ws:  # a notebook of its home: sharing it shares the table's docs
                definers[urn] = AssetKind.NOTEBOOK.urn(slugs[ws], definer_path)
        _cached = LineageGraph(rows, workspaces, stamp=stamp, homes=homes, definers=definers)
        return _cached


def find_asset(urn: str):
    """The catalog object whose access decides who may see ``urn``, or None when unknown."""
    return guarding_object(urn) if lineage_kind(urn) else None


def _asset_attrs(urn: str, obj) -> dict:
    kind = lineage_kind(urn)
    definer = None
    if kind in ("notebook", "block", "app", "metric"):
        name = parse_urn(urn).local_name
    else:
        name = obj.name if kind == "table" else f"{obj.name}.{urn.rpartition('.')[2]}"
        defined_by = obj.defined_by
        if defined_by is not None and defined_by.workspace_id == obj.workspace_id:
            definer = defined_by.urn
    return {
        "kind": kind,
        "name": name,
        "ws": {obj.workspace_id},
        "mentions": set(),
        "home": obj.workspace_id,
        "definer": definer,
    }


def _graph_level_of(kind: str) -> str:
    return {"block": "block", "column": "column"}.get(kind, "notebook")


def authorize_urn(user, graph: LineageGraph, urn: str) -> dict:
    """The attributes of ``urn`` if ``user`` may see it; NotFound when unknown or hidden.

    A node of the graph is judged by the person's `Sight`, an asset without edges by its
    catalog object: both by the one policy of ``accounts.access``.
    """
    attrs = graph.attrs(_graph_level_of(lineage_kind(urn)), urn)
    if attrs is not None:
        if graph.describe(attrs, urn, sight_of(user)).restricted:
            raise NotFound("No asset matches the given URN.")
        return attrs
    obj = find_asset(urn)
    if obj is None or not can(user, "view", obj):
        raise NotFound("No asset matches the given URN.")
    return _asset_attrs(urn, obj)


def describe_urn(user, urn: str) -> ViewNode:
    """The node ``urn`` names, as ``user`` may see it (NotFound when they may not)."""
    graph = lineage_graph()
    attrs = authorize_urn(user, graph, urn)
    return graph.describe(attrs, urn, sight_of(user))


@dataclass(frozen=True)
class RawLineage:
    """A neighbourhood before redaction: node -> hops, and the edges among the nodes."""

    level: str
    distance: dict[str, int]
    edges: list[tuple[str, str, str]]
    truncated: bool
    centres: tuple[str, ...]
    extra: dict[str, dict] = field(default_factory=dict)


def raw_lineage(user, query: LineageQuery, *, max_nodes: int | None = None) -> RawLineage:
    """The neighbourhood ``query`` asks for, once the asked URN is authorized."""
    graph = lineage_graph()
    attrs = authorize_urn(user, graph, query.urn)
    try:
        centres = graph.centres(query.urn, query.graph_level)
    except QueryError as exc:
        raise InvalidInput(str(exc), field="level") from exc
    level = query.graph_level
    found = graph.reach(level, centres, query.direction, query.depth, max_nodes)
    distance = found.distance
    extra: dict[str, dict] = {}
    if not distance:
        # Nothing connects to it at this level: the asset alone.
        distance = {query.urn: 0}
        extra[query.urn] = attrs
        centres = [query.urn]
    edges = graph.edges_among(level, distance)
    return RawLineage(level, distance, edges, found.truncated, tuple(centres), extra)


def redact(user, raw: RawLineage) -> LineageView:
    return lineage_graph().view(
        raw.level,
        raw.distance,
        raw.edges,
        sight_of(user),
        truncated=raw.truncated,
        centres=raw.centres,
        extra=raw.extra,
    )


def lineage_for(user, query: LineageQuery, *, max_nodes: int | None = None) -> LineageView:
    """The API's answer: the neighbourhood of ``query.urn``, redacted for ``user``."""
    return redact(user, raw_lineage(user, query, max_nodes=max_nodes))


_OUT_OF_BLOCK = ("feeds", "writes", "observed_writes")
_INTO_BLOCK = ("feeds", "reads", "observed_reads")
_TABLE_EDGES = ("reads", "writes", "observed_reads", "observed_writes")


def expand_notebooks(raw: RawLineage, notebooks: list[str], user) -> RawLineage:
    """Draw each of ``notebooks`` (at notebook level, visible) as its blocks.

    The blocks take over the notebook's table edges; each block points to its
    notebook, which keeps its %run and app edges.
    """
    if base_level(raw.level) != "notebook":
        return raw
    graph = lineage_graph()
    blocks_graph = graph.level(raw.level.replace("notebook", "block"))
    viewer = sight_of(user)
    distance, extra = dict(raw.distance), dict(raw.extra)
    edges = set(raw.edges)
    for urn in dict.fromkeys(notebooks):
        attrs = graph.attrs("notebook", urn)
        if urn not in distance or attrs is None or not viewer.sees(urn, attrs):
            continue
        blocks = [
            b for b, data in blocks_graph._pred.get(urn, {}).items() if data["kind"] == "part_of"
        ]
        for block in blocks:
            distance[block] = distance[urn]
            extra[block] = blocks_graph._node[block]
            edges.add((block, urn, "part_of"))
            for target, data in blocks_graph._succ[block].items():
                if target in distance and data["kind"] in _OUT_OF_BLOCK:
                    edges.add((block, target, data["kind"]))
            for source, data in blocks_graph._pred[block].items():
                if source in distance and data["kind"] in _INTO_BLOCK:
                    edges.add((source, block, data["kind"]))
        if blocks:
            edges = {e for e in edges if not (urn in e[:2] and e[2] in _TABLE_EDGES)}
    return RawLineage(raw.level, distance, sorted(edges), raw.truncated, raw.centres, extra)


def collapse(raw: RawLineage, limit: int) -> tuple[RawLineage, int]:
    """Keep the ``limit`` nodes nearest the centres; return how many were folded away."""
    if len(raw.distance) <= limit:
        return raw, 0
    keep = dict(sorted(raw.distance.items(), key=lambda item: (item[1], item[0]))[:limit])
    edges = [e for e in raw.edges if e[0] in keep and e[1] in keep]
    hidden = len(raw.distance) - len(keep)
    return RawLineage(raw.level, keep, edges, raw.truncated, raw.centres, raw.extra), hidden


OWNER_CHUNK = 100  # assets per owner query


@dataclass(frozen=True)
class ImpactReport:
    notebooks: list[ViewNode]
    apps: list[ViewNode]
    metrics: list[ViewNode]
    tables: list[ViewNode]
    columns: list[ViewNode]
    owners: list[str]
    restricted: dict[str, int]

    @property
    def is_empty(self) -> bool:
        return (
            not (self.notebooks or self.apps or self.metrics or self.tables or self.columns)
            and not self.restricted
        )


def impact_for(user, urn: str) -> ImpactReport:
    """Everything downstream of ``urn`` that a change to it may break, and who owns it."""
    graph = lineage_graph()
    authorize_urn(user, graph, urn)
    viewer = sight_of(user)
    found = graph.impact(urn)
    shown: dict[str, list[ViewNode]] = {}
    restricted: dict[str, int] = {}
    for kind, urns in found.items():
        level = _graph_level_of(kind)
        for node_urn in sorted(urns):
            node = graph.describe(graph.attrs(level, node_urn), node_urn, viewer)
            if node.restricted:
                restricted[kind] = restricted.get(kind, 0) + 1
            else:
                shown.setdefault(kind, []).append(node)
    return ImpactReport(
        notebooks=shown.get("notebook", []),
        apps=shown.get("app", []),
        metrics=shown.get("metric", []),
        tables=shown.get("table", []),
        columns=shown.get("column", []),
        owners=_owners(
            {
                kind: [
                    n
                    for n in nodes
                    if kind != "table" or viewer.sees_details(graph.attrs("notebook", n.urn))
                ]
                for kind, nodes in shown.items()
            }
        ),
        restricted=restricted,
    )


def _owners(shown: dict[str, list[ViewNode]]) -> list[str]:
    """Owners of the downstream tables, metrics and apps given (from their documentation):
    those whose details the person may see (a table named through a notebook keeps its
    owner to its home)."""
    owners: set[str] = set()
    # By name, then the warehouse checked here: ORing every warehouse/name split of each
    # URN made a query SQLite refused past a few hundred tables, and slow elsewhere.
    tables = shown.get("table", [])[:500]
    wanted = {node.urn for node in tables}
    rows = Table.objects.filter(name__in={node.name for node in tables}).values_list(
        "warehouse", "name", "owner_email"
    )
    owners.update(owner for wh, name, owner in rows if f"table:{wh}/{name}" in wanted)
    # Metrics and apps in chunks: SQLite refuses an expression tree deeper than 1,000.
    for model, kind, field_name in ((Metric, "metric", "name"), (App, "app", "slug")):
        nodes = shown.get(kind, [])[:500]
        for start in range(0, len(nodes), OWNER_CHUNK):
            q = Q(pk__in=[])
            for node in nodes[start : start + OWNER_CHUNK]:
                parsed = parse_urn(node.urn)
                q |= Q(workspace__slug=parsed.workspace, **{field_name: parsed.name})
            owners.update(model.objects.filter(q).values_list("owner_email", flat=True))
    return sorted(o for o in owners if o)


def cycles_through(user, urn: str) -> list[list[ViewNode]]:
    """The notebook loops ``urn``'s notebook is part of, each member redacted."""
    graph = lineage_graph()
    notebook = notebook_of(urn) or urn
    viewer = sight_of(user)
    nodes = graph.level("notebooks")._node
    return [
        [graph.describe(nodes.get(member), member, viewer) for member in members]
        for members in graph.notebook_cycles()
        if notebook in members
    ]


@dataclass(frozen=True)
class Neighbour:
    node: ViewNode
    via: list[str]  # the tables between, or "%run"


@dataclass(frozen=True)
class Dependencies:
    upstream: list[Neighbour]
    downstream: list[Neighbour]
    hidden_upstream: int
    hidden_downstream: int
    cycles: list[list[ViewNode]]


def notebook_dependencies(user, notebook: Notebook) -> Dependencies:
    """The notebooks upstream and downstream of ``notebook`` (through tables or %run)."""
    graph = lineage_graph()
    viewer = sight_of(user)
    up, down = graph.notebook_neighbours(notebook.urn)
    notebooks_graph = graph.level("notebooks")

    def side(found: dict[str, set[str]]) -> tuple[list[Neighbour], int]:
        shown, hidden = [], 0
        for urn in sorted(found):
            node = graph.describe(notebooks_graph._node.get(urn), urn, viewer)
            if node.restricted:
                hidden += 1
                continue
            via = sorted((graph.attrs("notebook", t) or {}).get("name", t) for t in found[urn]) or [
                "%run"
            ]
            shown.append(Neighbour(node, via))
        return shown, hidden

    upstream, hidden_up = side(up)
    downstream, hidden_down = side(down)
    return Dependencies(
        upstream, downstream, hidden_up, hidden_down, cycles_through(user, notebook.urn)
    )


def path_between(user, source: str, target: str, level: str = "notebook") -> list[ViewNode]:
    """The shortest chain of edges joining two assets the user may see, redacted."""
    graph = lineage_graph()
    authorize_urn(user, graph, source)
    authorize_urn(user, graph, target)
    viewer = sight_of(user)
    return [
        graph.describe(graph.attrs(level, urn), urn, viewer, i, i)
        for i, urn in enumerate(graph.path(level, source, target))
    ]


@dataclass(frozen=True)
class TableChange:
    """One block that changes a table, and how (a WriteKind; ``renamed_to`` for a rename)."""

    notebook: Notebook
    block_name: str
    kind: str
    renamed_to: str = ""

    @property
    def is_lifecycle(self) -> bool:
        return self.kind in ("drop", "truncate", "rename", "alter")


def table_changes(user, table_urn: str) -> tuple[list[TableChange], int]:
    """What the notebooks ``user`` may see do to a table (create, insert, delete, drop,
    rename...), block by block, and how many changes by notebooks they may not see."""
    rows = list(
        LineageEdge.objects.filter(kind="changes", target_urn=table_urn)
        .order_by("source_name", "detail")
        .values_list("notebook_id", "source_name", "detail", "via_urn")
    )
    shown = visible(user, Notebook.objects.filter(pk__in={row[0] for row in rows}))
    notebooks = {nb.pk: nb for nb in shown.select_related("workspace")}
    changes = [
        TableChange(notebooks[nb], name, kind, parse_urn(via).table if via else "")
        for nb, name, kind, via in rows
        if nb in notebooks
    ]
    return changes, len(rows) - len(changes)
