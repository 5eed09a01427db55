"""The graph service on hand-made edge rows, seen through `accounts.access.Sight`: no database."""

from __future__ import annotations

from accounts.access import Sight
from lineage.graph import LineageGraph

PROD, ANA = 1, 2
T = "table:wh/"


def row(source, target, kind, s_ws, t_ws, via="", detail=""):
    def name(urn):
        rest = urn.partition(":")[2]
        return rest.split("/", 1)[1] if not urn.startswith(("table:", "column:")) else rest[3:]

    return (source, target, kind, name(source), name(target), s_ws, t_ws, via, detail)


def nb(ws, path):
    return f"notebook:{ws}/{path}"


def blk(ws, path, block):
    return f"block:{ws}/{path}#{block}"


def graph(*extra) -> LineageGraph:
    """prod/a.ipynb writes core.x; ana/b.ipynb reads it and writes mart.y; ana/c reads mart.y."""
    rows = [
        row(blk("prod", "a.ipynb", "1"), T + "core.x", "writes", PROD, PROD),
        row(T + "core.x", blk("ana", "b.ipynb", "1"), "reads", ANA, ANA),
        row(blk("ana", "b.ipynb", "1"), blk("ana", "b.ipynb", "2"), "feeds", ANA, ANA),
        row(blk("ana", "b.ipynb", "2"), T + "mart.y", "writes", ANA, ANA),
        row(T + "mart.y", blk("ana", "c.ipynb", "1"), "reads", ANA, ANA),
        row(nb("prod", "a.ipynb"), nb("ana", "b.ipynb"), "notebook", PROD, ANA, T + "core.x"),
        row(nb("ana", "b.ipynb"), nb("ana", "c.ipynb"), "notebook", ANA, ANA, T + "mart.y"),
        row(
            "column:wh/core.x.id",
            "column:wh/mart.y.id",
            "column",
            ANA,
            ANA,
            via=blk("ana", "b.ipynb", "2"),
            detail="identity",
        ),
        *extra,
    ]
    return LineageGraph(rows, {PROD: "prod", ANA: "ana"})


def test_reach_follows_the_direction_and_stops_at_the_depth():
    g = graph()

    down = g.reach("notebook", [T + "core.x"], "downstream", 2)
    up = g.reach("notebook", [T + "mart.y"], "upstream", 1)

    assert down.distance == {T + "core.x": 0, nb("ana", "b.ipynb"): 1, T + "mart.y": 2}
    assert down.truncated is True
    assert up.distance == {T + "mart.y": 0, nb("ana", "b.ipynb"): 1}


def test_reach_both_ways_keeps_the_nearest_distance_and_a_node_cap_truncates():
    g = graph()

    both = g.reach("notebook", [nb("ana", "b.ipynb")], "both", 5)
    capped = g.reach("notebook", [nb("ana", "b.ipynb")], "both", 5, max_nodes=3)

    assert both.distance[nb("prod", "a.ipynb")] == 2
    assert both.distance[nb("ana", "c.ipynb")] == 2
    assert both.truncated is False
    assert len(capped.distance) == 3 and capped.truncated is True


def test_block_level_links_each_block_to_its_notebook():
    g = graph()

    edges = set(g.edges_among("block", [blk("ana", "b.ipynb", "1"), nb("ana", "b.ipynb")]))

    assert edges == {(blk("ana", "b.ipynb", "1"), nb("ana", "b.ipynb"), "part_of")}


def test_the_path_between_two_assets_goes_either_way():
    g = graph()

    forward = g.path("notebook", nb("prod", "a.ipynb"), nb("ana", "c.ipynb"))
    backward = g.path("notebook", nb("ana", "c.ipynb"), nb("prod", "a.ipynb"))

    assert forward == [
        nb("prod", "a.ipynb"),
        T + "core.x",
        nb("ana", "b.ipynb"),
        T + "mart.y",
        nb("ana", "c.ipynb"),
    ]
    assert backward == forward
    assert g.path("notebook", nb("prod", "a.ipynb"), "table:wh/none") == []


def test_cycles_between_notebooks_are_reported():
    loop = row(nb("ana", "c.ipynb"), nb("prod", "a.ipynb"), "notebook", ANA, PROD, T + "z")
    g = graph(loop)

    assert g.notebook_cycles() == [
        [nb("ana", "b.ipynb"), nb("ana", "c.ipynb"), nb("prod", "a.ipynb")]
    ]
    assert graph().notebook_cycles() == []


def test_the_impact_of_a_column_reaches_the_readers_of_the_columns_derived_from_it():
    g = graph(
        row("column:wh/mart.y.id", blk("ana", "c.ipynb", "1"), "uses", ANA, ANA),
        row(T + "mart.y", blk("ana", "d.ipynb", "1"), "reads", ANA, ANA),
        row("column:wh/mart.y.other", blk("ana", "d.ipynb", "1"), "uses", ANA, ANA),
        row(T + "mart.y", blk("ana", "e.ipynb", "1"), "uses", ANA, ANA, detail="all"),
        row(nb("ana", "c.ipynb"), "app:ana/c", "app", ANA, ANA),
    )

    found = g.impact("column:wh/core.x.id")

    assert found["column"] == {"column:wh/mart.y.id"}
    # b derives mart.y.id; c reads it; e reads mart.y whole; d reads only another column.
    assert found["notebook"] == {nb("ana", "b.ipynb"), nb("ana", "c.ipynb"), nb("ana", "e.ipynb")}
    assert found["table"] == {T + "mart.y"}
    assert found["app"] == {"app:ana/c"}
    assert nb("ana", "d.ipynb") in g.impact(T + "core.x")["notebook"]  # a table: table-level


def test_a_viewer_sees_tables_their_notebooks_mention_and_nothing_of_the_rest():
    g = graph()
    analyst = Sight(workspace_ids=frozenset({ANA}))
    attrs = lambda urn: g.attrs("notebook", urn)  # noqa: E731

    assert analyst.sees(T + "core.x", attrs(T + "core.x"))  # read in ana
    assert not analyst.sees(nb("prod", "a.ipynb"), attrs(nb("prod", "a.ipynb")))
    grantee = Sight(notebooks=frozenset({nb("prod", "a.ipynb")}))
    assert grantee.sees(nb("prod", "a.ipynb"), attrs(nb("prod", "a.ipynb")))
    assert grantee.sees(T + "core.x", attrs(T + "core.x"))  # a.ipynb names it
    assert not grantee.sees(T + "mart.y", attrs(T + "mart.y"))
    assert Sight(is_admin=True).sees(T + "mart.y", attrs(T + "mart.y"))


def test_redaction_replaces_hidden_nodes_with_numbered_placeholders():
    g = graph()
    found = g.reach("notebook", [T + "core.x"], "both", 1)

    view = g.view(
        "notebook",
        found.distance,
        g.edges_among("notebook", found.distance),
        Sight(workspace_ids=frozenset({ANA})),
        centres=[T + "core.x"],
    )

    hidden = [n for n in view.nodes if n.restricted]
    assert [(n.id, n.kind, n.urn, n.name, n.workspace) for n in hidden] == [
        ("restricted:0", "notebook", None, None, None)
    ]
    assert ("restricted:0", T + "core.x", "writes") in {
        (e.source, e.target, e.kind) for e in view.edges
    }
    assert view.centres == (T + "core.x",)
