"""The layered layout and the SVG: pure functions, no database."""

from __future__ import annotations

import random

from lineage.layout import (
    NODE_HEIGHT,
    acyclic_edges,
    assign_layers,
    count_crossings,
    layered_layout,
)
from lineage.svg import DrawnNode, render_svg


def random_dag(seed: int, nodes: int = 60, edges: int = 120) -> tuple[list[int], list[tuple]]:
    rng = random.Random(seed)
    found = set()
    while len(found) < edges:
        a, b = sorted(rng.sample(range(nodes), 2))
        found.add((a, b))
    order = list(range(nodes))
    rng.shuffle(order)
    return order, sorted(found)


def test_layers_respect_every_edge_of_a_dag():
    for seed in range(5):
        nodes, edges = random_dag(seed)

        layout = layered_layout(nodes, edges)

        for u, v in edges:
            assert layout.nodes[u].layer < layout.nodes[v].layer, (seed, u, v)
            assert layout.nodes[u].x < layout.nodes[v].x


def test_a_crossed_pair_of_edges_is_uncrossed():
    # Given in the order a, b, c, d with a -> d and b -> c, the edges start crossed.
    nodes, edges = ["a", "b", "c", "d"], [("a", "d"), ("b", "c")]

    layout = layered_layout(nodes, edges)

    assert layout.crossings == 0
    rows = {n: p.row for n, p in layout.nodes.items()}
    assert (rows["a"] < rows["b"]) == (rows["d"] < rows["c"])


def test_a_tree_is_drawn_without_crossings():
    rng = random.Random(3)
    edges = [(parent, child) for child in range(1, 80) for parent in [rng.randrange(child)]]
    nodes = list(range(80))
    rng.shuffle(nodes)

    layout = layered_layout(nodes, edges)

    assert layout.crossings == 0


def test_a_complete_bipartite_graph_keeps_its_unavoidable_crossings_only():
    edges = [(a, b) for a in ("a1", "a2") for b in ("b1", "b2")]

    layout = layered_layout(["a1", "a2", "b1", "b2"], edges)

    assert layout.crossings == 1  # K2,2 cannot be drawn in two layers without one


def test_barycenter_ordering_reduces_crossings_on_random_graphs():
    nodes, edges = random_dag(11, nodes=40, edges=60)
    layer = assign_layers(nodes, edges)
    naive_rows: dict = {}
    for n in nodes:  # the input order, layer by layer
        naive_rows[n] = sum(1 for m in naive_rows if layer[m] == layer[n])

    layout = layered_layout(nodes, edges)

    assert layout.crossings < count_crossings(naive_rows, layer, edges)


def test_cycles_are_laid_out_with_one_edge_reversed():
    edges = [("a", "b"), ("b", "c"), ("c", "a")]

    assert len([e for e in acyclic_edges(["a", "b", "c"], edges) if e not in edges]) == 1
    layout = layered_layout(["a", "b", "c"], edges)
    assert sorted(p.layer for p in layout.nodes.values()) == [0, 1, 2]


def test_sources_sit_just_before_their_successor():
    layer = assign_layers(["a", "b", "c", "x"], [("a", "b"), ("b", "c"), ("x", "c")])

    assert layer == {"a": 0, "b": 1, "c": 2, "x": 1}


def test_lanes_are_bands_that_hold_their_own_nodes_only():
    nodes = ["p1", "p2", "a1", "a2", "t"]
    edges = [("p1", "t"), ("p2", "t"), ("t", "a1"), ("t", "a2")]
    lanes = {
        "p1": "production",
        "p2": "production",
        "t": "production",
        "a1": "analytics",
        "a2": "analytics",
    }

    layout = layered_layout(nodes, edges, lanes=lanes, lane_order=["production", "analytics"])

    bands = {lane.key: lane for lane in layout.lanes}
    assert [lane.key for lane in layout.lanes] == ["production", "analytics"]
    assert bands["production"].y + bands["production"].height <= bands["analytics"].y
    for node, placed in layout.nodes.items():
        band = bands[lanes[node]]
        assert band.y <= placed.y and placed.y + NODE_HEIGHT <= band.y + band.height


def test_the_svg_escapes_names_and_gives_restricted_nodes_no_name_or_link():
    layout = layered_layout(["x", "y"], [("x", "y")], lanes={"x": "a", "y": "~r"})
    nodes = {
        "x": DrawnNode(
            "table", '<b>"evil"</b>', "table <script>alert(1)</script>", href="/l/?urn=a&b"
        ),
        "y": DrawnNode(
            "notebook", "restricted notebook", "A notebook you may not see", restricted=True
        ),
    }

    svg = render_svg(layout, nodes, [("x", "y", "reads")], {"a": "Prod & Co", "~r": "Restricted"})

    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;b&gt;&quot;evil&quot;&lt;/b&gt;" in svg
    assert 'href="/l/?urn=a&amp;b"' in svg
    assert "Prod &amp; Co" in svg
    restricted = svg.split('class="node node-notebook restricted"')[1].split("</g>")[0]
    assert "href" not in restricted
    assert "<title>A notebook you may not see</title>" in restricted
    assert svg.count('class="edge edge-reads"') == 1
