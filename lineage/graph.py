"""The lineage graph on networkx: levels, reach, impact, paths, cycles, and redaction.

No Django here: the selectors hand in edge rows and the viewer's `Sight` (decided in
``accounts.access``), and take back plain values. A graph is built once per edge stamp
and shared by every request.

Levels:
    notebook: tables, notebooks, apps and metrics (block edges lifted to their notebook).
    block: tables, blocks, apps and metrics; each block also points to its notebook.
    column: columns only.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

import networkx as nx

from urns import AssetKind, kind_of, notebook_of, table_of_column

Level = Literal["notebook", "block", "column"]
Direction = Literal["upstream", "downstream", "both"]
LEVELS: tuple[Level, ...] = ("notebook", "block", "column")
DIRECTIONS: tuple[Direction, ...] = ("upstream", "downstream", "both")

# (source_urn, target_urn, kind, source_name, target_name, source_ws, target_ws, via_urn, detail)
EdgeRow = tuple[str, str, str, str, str, int | None, int | None, str, str]

# The kinds of asset a lineage graph holds.
LINEAGE_KINDS: tuple[AssetKind, ...] = (
    AssetKind.NOTEBOOK,
    AssetKind.BLOCK,
    AssetKind.TABLE,
    AssetKind.COLUMN,
    AssetKind.APP,
    AssetKind.METRIC,
)

_LEVEL_KINDS = {
    "notebook": {"reads", "writes", "runs", "app", "metric"},
    "block": {"feeds", "reads", "writes", "runs", "app", "metric"},
    "column": {"column"},
    "notebooks": {"notebook", "runs"},
    # Who reads which column (or table whole): the index column impact asks.
    "uses": {"uses"},
}
# What runs really read and wrote (runtime lineage), drawn only when asked for: levels
# "notebook+observed" and "block+observed" hold them where no static edge says the same.
OBSERVED_KINDS = {"observed_reads": "reads", "observed_writes": "writes"}
OBSERVED = "+observed"
for _base in ("notebook", "block"):
    _LEVEL_KINDS[_base + OBSERVED] = _LEVEL_KINDS[_base] | set(OBSERVED_KINDS)


def base_level(level: str) -> str:
    """The level without its ``+observed`` mark.

    Examples:
        >>> base_level("block+observed"), base_level("column")
        ('block', 'column')
    """
    return level.removesuffix(OBSERVED)


class QueryError(ValueError):
    """A lineage question that cannot be asked (e.g. a notebook at column level)."""


class Sight(Protocol):
    """Who is looking: ``accounts.access.Sight``, which decides what a node shows them."""

    is_admin: bool
    workspace_ids: frozenset[int]

    def sees(self, urn: str, attrs: dict) -> bool: ...


@dataclass(frozen=True)
class ViewNode:
    id: str  # the URN, or "restricted:N" for a node the viewer may not see
    kind: str
    urn: str | None
    name: str | None
    workspace: str | None
    restricted: bool
    distance: int = 0


@dataclass(frozen=True)
class ViewEdge:
    source: str
    target: str
    kind: str
    # For a writes edge: what the writer does to the table (a WriteKind: create, insert...).
    write_kind: str | None = None


@dataclass(frozen=True)
class LineageView:
    nodes: list[ViewNode]
    edges: list[ViewEdge]
    truncated: bool
    centres: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reach:
    distance: dict[str, int]  # node -> hops from the nearest centre
    truncated: bool


@dataclass(frozen=True)
class Impact:
    notebooks: list[ViewNode] = field(default_factory=list)
    apps: list[ViewNode] = field(default_factory=list)
    metrics: list[ViewNode] = field(default_factory=list)
    tables: list[ViewNode] = field(default_factory=list)
    columns: list[ViewNode] = field(default_factory=list)
    restricted: dict[str, int] = field(default_factory=dict)  # kind -> count not shown


def lineage_kind(urn: str) -> AssetKind | None:
    """The kind of ``urn`` when it is one a lineage graph holds, else None.

    Examples:
        >>> lineage_kind("app:production/delete-user"), lineage_kind("workspace:production")
        (<AssetKind.APP: 'app'>, None)
    """
    kind = kind_of(urn)
    return kind if kind in LINEAGE_KINDS else None


def _descendants(graph: nx.DiGraph, starts: Iterable[str]) -> set[str]:
    """Every node reachable from any of ``starts`` (the starts only when on a loop)."""
    seen: set[str] = set()
    stack = [s for s in starts if s in graph]
    while stack:
        for v in graph._succ[stack.pop()]:
            if v not in seen:
                seen.add(v)
                stack.append(v)
    return seen


class LineageGraph:
    """Every persisted edge, as one networkx graph per level, built on first use."""

    def __init__(
        self,
        rows: Sequence[EdgeRow],
        workspaces: dict[int, str],
        stamp=None,
        homes: dict[str, int] | None = None,
        definers: dict[str, str] | None = None,
    ):
        """``homes`` maps table URNs to the workspace the catalog says owns each table,
        ``definers`` to the notebook URN that defines it there."""
        self.stamp = stamp
        self.workspaces = workspaces
        self.homes = homes or {}
        self.definers = definers or {}
        self._rows = rows
        self._levels: dict[str, nx.DiGraph] = {}
        self._columns_of: dict[str, list[str]] = {}
        self._cycles: list[list[str]] | None = None
        self._write_kinds: dict[tuple[str, str], str] | None = None
        self._lock = threading.Lock()

    def level(self, name: str) -> nx.DiGraph:
        graph = self._levels.get(name)
        if graph is None:
            with self._lock:
                graph = self._levels.get(name)
                if graph is None:
                    graph = self._levels[name] = self._build(name)
        return graph

    def _build(self, level: str) -> nx.DiGraph:
        graph = nx.DiGraph()
        nodes = graph._node  # direct access: building 100,000 edges is the slow part
        kinds = _LEVEL_KINDS[level]
        observed: list[EdgeRow] = []
        rows = self._rows
        if level.endswith(OBSERVED):
            # Static edges first, so that an observed edge is drawn only where none is.
            observed = [r for r in rows if r[2] in OBSERVED_KINDS]
            rows = [r for r in rows if r[2] not in OBSERVED_KINDS] + observed
        level = base_level(level)

        def node(urn, name, ws, mention=None, writer=False):
            attrs = nodes.get(urn)
            if attrs is None:
                graph.add_node(urn, kind=lineage_kind(urn), name=name, ws=set(), mentions=set())
                attrs = nodes[urn]
                attrs["home"] = ws
            if ws is not None:
                attrs["ws"].add(ws)
                if writer:
                    attrs["home"] = ws
            if mention and attrs["kind"] in ("table", "column"):
                attrs["mentions"].add(mention)

        for source, target, kind, s_name, t_name, s_ws, t_ws, via, detail in rows:
            if kind not in kinds:
                continue
            plain = OBSERVED_KINDS.get(kind, kind)
            if plain != kind and self._has_edge(graph, level, source, target):
                continue
            if level == "notebook" and plain in ("reads", "writes"):
                if plain == "reads":
                    if detail == "internal":  # reads back what its own notebook wrote
                        continue
                    nb = notebook_of(target)
                    target, t_name = nb, t_name.rpartition("#")[0]
                    node(source, s_name, s_ws, mention=nb)
                    node(target, t_name, t_ws)
                else:
                    nb = notebook_of(source)
                    source, s_name = nb, s_name.rpartition("#")[0]
                    node(source, s_name, s_ws)
                    node(target, t_name, t_ws, mention=nb, writer=True)
                if source != target:
                    graph.add_edge(source, target, kind=kind)
                continue
            mention = None
            if kind == "column":
                mention = notebook_of(via) if via else None
            elif plain == "reads":
                mention = notebook_of(target)
            elif plain == "writes":
                mention = notebook_of(source)
            elif kind == "uses":
                mention = notebook_of(target)
            node(source, s_name, s_ws, mention)
            node(target, t_name, t_ws, mention, writer=plain == "writes")
            if level == "notebooks":
                data = graph._succ[source].get(target) if source in graph._succ else None
                if data is None:
                    graph.add_edge(source, target, kind=kind, via=set())
                    data = graph._succ[source][target]
                if via:
                    data["via"].add(via)
            else:
                graph.add_edge(source, target, kind=kind, nb=mention)
        if self.homes:
            for urn, attrs in nodes.items():
                if attrs["kind"] in ("table", "column"):
                    table = urn if attrs["kind"] == "table" else table_of_column(urn)
                    home = self.homes.get(table)
                    if home is not None:  # its owner sees it and draws it in its lane
                        attrs["home"] = home
                        attrs["ws"].add(home)
                    attrs["definer"] = self.definers.get(table)
        if level == "block":
            for urn, attrs in list(nodes.items()):
                if attrs["kind"] == "block":
                    parent = notebook_of(urn)
                    node(parent, attrs["name"].rpartition("#")[0], attrs["home"])
                    graph.add_edge(urn, parent, kind="part_of")
        if level == "column":
            for urn in nodes:
                self._columns_of.setdefault(table_of_column(urn), []).append(urn)
        return graph

    def write_kind(self, source: str, target: str, kind: str) -> str | None:
        """What ``source`` (a block, or a notebook through its blocks) does to the table
        ``target`` along a writes edge, from the stored changes edges."""
        if kind != "writes":
            return None
        if self._write_kinds is None:
            found: dict[tuple[str, str], str] = {}
            for row in self._rows:
                if row[2] == "changes":
                    found[(row[0], row[1])] = row[8]
                    found.setdefault((notebook_of(row[0]), row[1]), row[8])
            self._write_kinds = found
        return self._write_kinds.get((source, target))

    @staticmethod
    def _has_edge(graph: nx.DiGraph, level: str, source: str, target: str) -> bool:
        if level == "notebook":  # block ends are drawn as their notebooks
            if kind_of(source) == AssetKind.BLOCK:
                source = notebook_of(source)
            if kind_of(target) == AssetKind.BLOCK:
                target = notebook_of(target)
        return source in graph._succ and target in graph._succ[source]

    # Questions -------------------------------------------------------------------------

    def centres(self, urn: str, level: str) -> list[str]:
        """The nodes a question about ``urn`` starts from at ``level``."""
        kind = lineage_kind(urn)
        level = base_level(level)
        if level == "column":
            if kind == "column":
                return [urn]
            if kind == "table":
                self.level("column")
                return sorted(self._columns_of.get(urn, []))
            raise QueryError("level=column needs a table or column URN.")
        if kind == "column":
            return [table_of_column(urn)]
        if level == "notebook" and kind == "block":
            return [notebook_of(urn)]
        return [urn]

    def reach(
        self,
        level: str,
        centres: Iterable[str],
        direction: str,
        depth: int,
        max_nodes: int | None = None,
    ) -> Reach:
        """Nodes within ``depth`` hops of the centres, upstream, downstream or both.

        ``truncated`` says more lay beyond: past the depth, or past ``max_nodes``.
        """
        graph = self.level(level)
        centres = [c for c in centres if c in graph]
        distance: dict[str, int] = dict.fromkeys(centres, 0)
        truncated = False
        sides = []
        if direction in ("upstream", "both"):
            sides.append(graph._pred)
        if direction in ("downstream", "both"):
            sides.append(graph._succ)
        for adjacency in sides:
            seen = set(centres)
            frontier = list(centres)
            for hops in range(1, depth + 1):
                following = []
                for u in frontier:
                    for v in adjacency[u]:
                        if v not in seen:
                            seen.add(v)
                            following.append(v)
                            if distance.get(v, hops + 1) > hops:
                                distance[v] = hops
                frontier = following
                if not frontier:
                    break
            if not truncated and any(v not in seen for u in frontier for v in adjacency[u]):
                truncated = True
        if max_nodes is not None and len(distance) > max_nodes:
            keep = sorted(distance.items(), key=lambda item: (item[1], item[0]))[:max_nodes]
            distance, truncated = dict(keep), True
        return Reach(distance=distance, truncated=truncated)

    def edges_among(self, level: str, nodes: Iterable[str]) -> list[tuple[str, str, str]]:
        graph = self.level(level)
        inside = set(nodes)
        succ = graph._succ
        return [
            (u, v, data["kind"])
            for u in inside
            if u in succ
            for v, data in succ[u].items()
            if v in inside
        ]

    def attrs(self, level: str, urn: str) -> dict | None:
        return self.level(level)._node.get(urn)

    def impact(self, urn: str) -> dict[str, set[str]]:
        """Everything downstream of a table, column, notebook or block, by kind (unredacted).

        A table's, notebook's or block's impact is table-level: everything downstream of
        it. A column's follows column edges only: the columns derived from it, transitively,
        their tables, the notebooks and metrics that read any of those columns (or read
        their table without naming columns), and the apps of those notebooks; not every
        reader of the tables.
        """
        kind = lineage_kind(urn)
        if kind == "column":
            found = self._column_impact(urn)
        else:
            found = defaultdict(set)
            graph = self.level("notebook")
            for node in _descendants(graph, {notebook_of(urn) if kind == "block" else urn}):
                found[graph._node[node]["kind"]].add(node)
        for values in found.values():
            values.discard(urn)
        return {k: v for k, v in found.items() if v}

    def _column_impact(self, urn: str) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        columns = self.level("column")
        closure = _descendants(columns, [urn]) | {urn}
        uses = self.level("uses")._succ
        for column in closure:
            for data in columns._succ[column].values() if column in columns else ():
                if data.get("nb"):
                    found["notebook"].add(data["nb"])
            for reader in (*uses.get(column, ()), *uses.get(table_of_column(column), ())):
                reader_kind = lineage_kind(reader)
                if reader_kind == "block":
                    found["notebook"].add(notebook_of(reader))
                elif reader_kind == "metric":
                    found["metric"].add(reader)
        found["column"] = closure - {urn}
        found["table"] = {table_of_column(c) for c in found["column"]}
        notebooks = self.level("notebook")._succ
        for notebook in found["notebook"]:
            for target, data in notebooks.get(notebook, {}).items():
                if data["kind"] == "app":
                    found["app"].add(target)
        return found

    def path(self, level: str, source: str, target: str) -> list[str]:
        """The shortest directed path between two nodes, either way round; [] when none."""
        graph = self.level(level)
        if source not in graph or target not in graph:
            return []
        for a, b in ((source, target), (target, source)):
            try:
                return nx.bidirectional_shortest_path(graph, a, b)
            except nx.NetworkXNoPath:
                continue
        return []

    def notebook_cycles(self) -> list[list[str]]:
        """Groups of notebooks that feed each other in a loop (through tables or %run)."""
        if self._cycles is None:
            graph = self.level("notebooks")
            self._cycles = sorted(
                sorted(component)
                for component in nx.strongly_connected_components(graph)
                if len(component) > 1
            )
        return self._cycles

    def notebook_neighbours(self, urn: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """(upstream, downstream) notebooks of a notebook, each with the tables between."""
        graph = self.level("notebooks")
        up: dict[str, set[str]] = {}
        down: dict[str, set[str]] = {}
        if urn in graph:
            for source, data in graph._pred[urn].items():
                up.setdefault(source, set()).update(data.get("via", ()))
            for target, data in graph._succ[urn].items():
                down.setdefault(target, set()).update(data.get("via", ()))
        return up, down

    # Redaction -------------------------------------------------------------------------

    def view(
        self,
        level: str,
        distance: dict[str, int],
        edges: Iterable[tuple[str, str, str]],
        viewer: Sight,
        *,
        truncated: bool = False,
        centres: Sequence[str] = (),
        extra: dict[str, dict] | None = None,
    ) -> LineageView:
        """The nodes and edges as ``viewer`` may see them.

        A node they may not see keeps its kind and nothing else: its id is a
        counter that says nothing of its URN. ``extra`` gives the attributes of
        nodes that have no edge (an asset asked about that nothing connects to).
        """
        graph = self.level(level)
        described = []
        for urn in distance:
            attrs = graph._node.get(urn) or (extra or {}).get(urn)
            described.append((urn, self.describe(attrs, urn, viewer, distance[urn])))
        # Visible nodes first at each distance; hidden ones numbered apart, so that neither
        # a number nor a place in the list tells where a hidden URN sorts among visible ones.
        described.sort(
            key=lambda item: (
                item[1].distance,
                item[1].restricted,
                item[1].kind if item[1].restricted else "",
                item[0],
            )
        )
        ids: dict[str, str] = {}
        nodes: list[ViewNode] = []
        hidden = 0
        for urn, node in described:
            if node.restricted:
                node = ViewNode(
                    f"restricted:{hidden}", node.kind, None, None, None, True, node.distance
                )
                hidden += 1
            ids[urn] = node.id
            nodes.append(node)
        view_edges = sorted(
            {
                ViewEdge(ids[u], ids[v], kind, self.write_kind(u, v, kind))
                for u, v, kind in edges
                if u in ids and v in ids
            },
            key=lambda e: (e.source, e.target, e.kind),
        )
        return LineageView(
            nodes=nodes,
            edges=view_edges,
            truncated=truncated,
            centres=tuple(ids[c] for c in centres if c in ids),
        )

    def describe(
        self, attrs: dict | None, urn: str, viewer: Sight, distance: int = 0, counter: int = 0
    ) -> ViewNode:
        kind = lineage_kind(urn)
        if attrs is None or not viewer.sees(urn, attrs):
            return ViewNode(f"restricted:{counter}", kind, None, None, None, True, distance)
        shown = self._shown_workspace(attrs, viewer)
        return ViewNode(urn, kind, urn, attrs["name"], shown, False, distance)

    def _shown_workspace(self, attrs: dict, viewer: Sight) -> str | None:
        home = attrs.get("home")
        if home is not None and (viewer.is_admin or home in viewer.workspace_ids):
            return self.workspaces.get(home)
        if attrs["kind"] in ("table", "column"):
            shared = sorted(attrs["ws"] & viewer.workspace_ids)
            return self.workspaces.get(shared[0]) if shared else None
        return self.workspaces.get(home) if home is not None else None
