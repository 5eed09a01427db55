"""A layered (Sugiyama-style) layout for lineage graphs. Pure: standard library only.

Upstream on the left, downstream on the right. The steps, one function each:
cycles broken (`acyclic_edges`), nodes put in layers by longest path
(`assign_layers`), nodes ordered in each layer by barycenter sweeps that keep
the ordering with the fewest crossings (`order_layers`, `count_crossings`),
then coordinates, with each lane (a workspace) a horizontal band.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

NodeId = Hashable
Edge = tuple[NodeId, NodeId]

NODE_WIDTH = 190
NODE_HEIGHT = 36
LAYER_GAP = 250  # x distance between layers
ROW_GAP = 50  # y distance between rows
LANE_PAD = 14  # space above and below the rows of a lane
MARGIN = 20
LANE_LABEL_WIDTH = 130  # room on the left for the lane's name


@dataclass(frozen=True)
class Placed:
    """Where one node goes: its layer and row, and its top-left corner."""

    layer: int
    row: int
    x: int
    y: int
    lane: str


@dataclass(frozen=True)
class Lane:
    key: str
    y: int
    height: int


@dataclass(frozen=True)
class Layout:
    nodes: dict[NodeId, Placed]
    lanes: tuple[Lane, ...]
    width: int
    height: int
    crossings: int


def acyclic_edges(nodes: Sequence[NodeId], edges: Sequence[Edge]) -> list[Edge]:
    """The edges with each back edge of a depth-first search reversed, so none form a cycle.

    Self-loops are dropped.

    Examples:
        >>> acyclic_edges(["a", "b"], [("a", "b"), ("b", "a")])
        [('a', 'b'), ('a', 'b')]
    """
    succ: dict[NodeId, list[NodeId]] = defaultdict(list)
    for u, v in edges:
        if u != v:
            succ[u].append(v)
    state: dict[NodeId, int] = {}  # 1 on the stack, 2 done
    back: set[Edge] = set()
    for root in nodes:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(succ.get(root, ())))]
        while stack:
            node, children = stack[-1]
            for child in children:
                seen = state.get(child)
                if seen == 1:
                    back.add((node, child))
                elif seen is None:
                    state[child] = 1
                    stack.append((child, iter(succ.get(child, ()))))
                    break
            else:
                state[node] = 2
                stack.pop()
    return [(v, u) if (u, v) in back else (u, v) for u, v in edges if u != v]


def assign_layers(nodes: Sequence[NodeId], edges: Sequence[Edge]) -> dict[NodeId, int]:
    """Layer of each node of a DAG: the longest path from a source, with sources then moved
    right to just before their nearest successor so that their edges stay short.

    Examples:
        >>> assign_layers(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("d", "c")])
        {'a': 0, 'b': 1, 'c': 2, 'd': 1}
    """
    succ: dict[NodeId, list[NodeId]] = defaultdict(list)
    indegree = dict.fromkeys(nodes, 0)
    for u, v in edges:
        succ[u].append(v)
        indegree[v] += 1
    layer = dict.fromkeys(nodes, 0)
    queue = deque(n for n in nodes if indegree[n] == 0)
    remaining = dict(indegree)
    while queue:
        u = queue.popleft()
        for v in succ[u]:
            layer[v] = max(layer[v], layer[u] + 1)
            remaining[v] -= 1
            if remaining[v] == 0:
                queue.append(v)
    for n in nodes:
        if indegree[n] == 0 and succ[n]:
            layer[n] = max(layer[n], min(layer[v] for v in succ[n]) - 1)
    return layer


def count_crossings(rows: Mapping[NodeId, int], layer: Mapping[NodeId, int], edges) -> int:
    """Crossings between edges that join adjacent layers, given each node's row.

    Examples:
        >>> count_crossings({"a": 0, "b": 1, "c": 0, "d": 1}, {"a": 0, "b": 0, "c": 1, "d": 1},
        ...                 [("a", "d"), ("b", "c")])
        1
    """
    by_gap: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for u, v in edges:
        if layer[v] - layer[u] == 1:
            by_gap[layer[u]].append((rows[u], rows[v]))
    total = 0
    for pairs in by_gap.values():
        pairs.sort()
        total += _inversions([v for _, v in pairs])
    return total


def _inversions(values: list[int]) -> int:
    """Pairs i < j with values[i] > values[j], by a Fenwick tree over the value ranks."""
    if len(values) < 2:
        return 0
    ranks = {v: i + 1 for i, v in enumerate(sorted(set(values)))}
    tree = [0] * (len(ranks) + 1)
    count = 0
    for seen, value in enumerate(values):
        rank = ranks[value]
        not_greater, i = 0, rank
        while i > 0:
            not_greater += tree[i]
            i -= i & -i
        count += seen - not_greater
        i = rank
        while i < len(tree):
            tree[i] += 1
            i += i & -i
    return count


def order_layers(
    layer: Mapping[NodeId, int],
    edges: Sequence[Edge],
    lane_of: Mapping[NodeId, int],
    initial: Sequence[NodeId],
    sweeps: int = 4,
) -> dict[NodeId, int]:
    """Row of each node in its layer: lanes first, then barycenter of neighbours' rows.

    Alternating down and up sweeps; the ordering with the fewest crossings wins.
    ``initial`` gives the starting order (e.g. breadth-first from the centre).
    """
    columns: dict[int, list[NodeId]] = defaultdict(list)
    for n in initial:
        columns[layer[n]].append(n)
    preds: dict[NodeId, list[NodeId]] = defaultdict(list)
    succs: dict[NodeId, list[NodeId]] = defaultdict(list)
    for u, v in edges:
        preds[v].append(u)
        succs[u].append(v)
    for key in columns:
        columns[key].sort(key=lambda n: lane_of[n])  # stable: keeps the initial order in a lane
    rows = _rows(columns)
    best, best_crossings = dict(rows), count_crossings(rows, layer, edges)
    order = sorted(columns)
    for sweep in range(sweeps):
        if best_crossings == 0:
            break
        down = sweep % 2 == 0
        neighbours = preds if down else succs
        for key in order if down else reversed(order):
            current = columns[key]
            current.sort(key=lambda n: (lane_of[n], _barycenter(n, neighbours, rows)))
            for i, n in enumerate(current):
                rows[n] = i
        crossings = count_crossings(rows, layer, edges)
        if crossings < best_crossings:
            best, best_crossings = dict(rows), crossings
    return best


def _barycenter(node: NodeId, neighbours: Mapping[NodeId, list], rows: Mapping[NodeId, int]):
    linked = neighbours.get(node)
    if not linked:
        return rows[node]
    return sum(rows[m] for m in linked) / len(linked)


def _rows(columns: Mapping[int, list[NodeId]]) -> dict[NodeId, int]:
    return {n: i for nodes in columns.values() for i, n in enumerate(nodes)}


def layered_layout(
    nodes: Sequence[NodeId],
    edges: Sequence[Edge],
    lanes: Mapping[NodeId, str] | None = None,
    lane_order: Sequence[str] = (),
    sweeps: int = 4,
) -> Layout:
    """Lay out a directed graph left to right, each lane a horizontal band.

    Args:
        nodes: node ids, in a preferred starting order (e.g. breadth-first from the centre).
        edges: (source, target) pairs; cycles are allowed and drawn with one edge reversed.
        lanes: lane key of each node (a workspace slug); one lane when not given.
        lane_order: the lanes' top-to-bottom order; unnamed lanes follow in order of appearance.
        sweeps: barycenter sweeps to try.

    Examples:
        >>> layout = layered_layout(["a", "b", "c"], [("a", "b"), ("b", "c")])
        >>> [layout.nodes[n].layer for n in "abc"], layout.crossings
        ([0, 1, 2], 0)
    """
    nodes = list(dict.fromkeys(nodes))
    known = set(nodes)
    edges = [(u, v) for u, v in edges if u in known and v in known]
    lanes = lanes or {}
    lane_keys = list(dict.fromkeys([*lane_order, *(lanes.get(n, "") for n in nodes)]))
    lane_index = {key: i for i, key in enumerate(lane_keys)}
    lane_of = {n: lane_index[lanes.get(n, "")] for n in nodes}
    dag = acyclic_edges(nodes, edges)
    layer = assign_layers(nodes, dag)
    rows = order_layers(layer, dag, lane_of, nodes, sweeps)
    # Rows within each lane of each layer, then lane bands as tall as their fullest layer.
    lane_rows: dict[NodeId, int] = {}
    fill: dict[tuple[int, int], int] = defaultdict(int)
    for n in sorted(nodes, key=lambda n: (layer[n], rows[n])):
        key = (layer[n], lane_of[n])
        lane_rows[n] = fill[key]
        fill[key] += 1
    height_rows = [0] * len(lane_keys)
    for (_, lane), count in fill.items():
        height_rows[lane] = max(height_rows[lane], count)
    bands: list[Lane] = []
    y = MARGIN
    for i, key in enumerate(lane_keys):
        if height_rows[i] == 0:
            continue
        height = height_rows[i] * ROW_GAP - (ROW_GAP - NODE_HEIGHT) + 2 * LANE_PAD
        bands.append(Lane(key=key, y=y, height=height))
        y += height + 8
    band_y = {band.key: band.y for band in bands}
    placed = {
        n: Placed(
            layer=layer[n],
            row=rows[n],
            x=MARGIN + LANE_LABEL_WIDTH + layer[n] * LAYER_GAP,
            y=band_y[lane_keys[lane_of[n]]] + LANE_PAD + lane_rows[n] * ROW_GAP,
            lane=lane_keys[lane_of[n]],
        )
        for n in nodes
    }
    layers = max(layer.values(), default=0) + 1
    width = MARGIN * 2 + LANE_LABEL_WIDTH + (layers - 1) * LAYER_GAP + NODE_WIDTH
    return Layout(
        nodes=placed,
        lanes=tuple(bands),
        width=width,
        height=y + MARGIN,
        crossings=count_crossings(rows, layer, dag),
    )
