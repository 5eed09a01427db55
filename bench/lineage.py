"""Lineage graph speed on a generated organisation of about 100,000 edges.

    .venv/bin/python bench/lineage.py [--notebooks 6000] [--database-url URL]

Prints, measured in one run:
  - a 5-hop query (both directions, notebook level) through the whole service path
    (edge stamp, viewer, authorization, reach, redaction), for staff and for a viewer of
    one workspace, against a bare networkx BFS on the same graph; target < 50 ms, ratio shown
  - layout + SVG of a 2,000-node neighbourhood; target < 1 s
  - the one-off cost of building the graph from the database (stored edges, and those
    derived from the catalog's table uses), for reference
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import best_of, setup_django, verdict

WORKSPACES = 40
BLOCKS = 5  # per notebook, chained
READS = 3  # tables per notebook, from upstream notebooks
WRITES = 2
COLUMNS = 5  # column edges per notebook
HUB_TABLES = 40  # tables written by the first notebooks, read all over the organisation
WAREHOUSE = "duckdb://bench"


def generate(notebooks: int, seed: int = 5) -> int:
    """Store an organisation where notebook i writes tables 2i, 2i+1 and reads tables
    written by notebooks up to 200 before it (raw tables for the first ones): its table
    usage as NotebookTable rows (the graph derives block <-> table and notebook -> notebook
    edges from them), its block DAG and column lineage as stored edges. Returns the number
    of edges the graph gets."""
    from catalog.models import Notebook, NotebookTable, Table
    from lineage.models import EdgeKind, LineageEdge
    from lineage.table_edges import table_edge_rows, table_use_rows
    from urns import AssetKind

    rng = random.Random(seed)
    workspaces = _workspaces()
    rows: list[LineageEdge] = []
    uses: dict[tuple[int, str], dict] = {}  # (notebook index, table name) -> its use

    def edge(source, target, kind, s_name, t_name, ws, via="", detail=""):
        rows.append(
            LineageEdge(
                source_urn=source,
                target_urn=target,
                kind=kind,
                source_name=s_name,
                target_name=t_name,
                source_workspace_id=ws,
                target_workspace_id=ws,
                via_urn=via,
                detail=detail,
            )
        )

    def table(n: int) -> str:
        return f"s{n % 97}.t{n}" if n >= 0 else f"raw.r{-n}"

    def use(i: int, name: str, block: str, role: str) -> None:
        found = uses.setdefault((i, name), {"is_read": False, "is_write": False, "blocks": []})
        found["is_read" if role == "reads" else "is_write"] = True
        if [block, role] not in found["blocks"]:
            found["blocks"].append([block, role])

    paths = []
    for i in range(notebooks):
        ws_id, slug = workspaces[i % WORKSPACES]
        path = f"team{i % 7}/nb{i}.ipynb"
        paths.append((ws_id, path))
        blocks = [(AssetKind.BLOCK.urn(slug, path, f"b{b}"), f"{path}#b{b}") for b in range(BLOCKS)]
        for (a, a_name), (b, b_name) in itertools.pairwise(blocks):
            edge(a, b, EdgeKind.FEEDS, a_name, b_name, ws_id)
        low = max(0, 2 * i - 400)
        if i <= HUB_TABLES:
            sources = [-rng.randrange(1, 50) for _ in range(READS)]
        else:  # mostly nearby tables, sometimes one of the hubs everybody reads (core.users)
            sources = [
                rng.randrange(HUB_TABLES) if rng.random() < 0.2 else rng.randrange(low, 2 * i)
                for _ in range(READS)
            ]
        for n in sources:
            use(i, table(n), "b0", "reads")
        for k in range(WRITES):
            use(i, table(2 * i + k), f"b{BLOCKS - 1}", "writes")
        for c in range(COLUMNS):
            s_name, t_name = table(sources[c % READS]), table(2 * i + c % WRITES)
            edge(
                AssetKind.COLUMN.urn(WAREHOUSE, s_name, f"c{c}"),
                AssetKind.COLUMN.urn(WAREHOUSE, t_name, f"c{c}"),
                EdgeKind.COLUMN,
                f"{s_name}.c{c}",
                f"{t_name}.c{c}",
                ws_id,
                via=blocks[-1][0],
                detail="identity",
            )
    stored = Notebook.objects.bulk_create(
        [Notebook(workspace_id=ws, path=path, title=path, file_path=path) for ws, path in paths],
        batch_size=5000,
    )
    names = sorted({name for _, name in uses})
    home = {name: paths[i][0] for (i, name) in sorted(uses, reverse=True)}
    Table.objects.bulk_create(
        [Table(warehouse=WAREHOUSE, name=name, workspace_id=home[name]) for name in names],
        batch_size=5000,
    )
    table_ids = dict(Table.objects.values_list("name", "pk"))
    NotebookTable.objects.bulk_create(
        [
            NotebookTable(notebook_id=stored[i].pk, table_id=table_ids[name], **found)
            for (i, name), found in uses.items()
        ],
        batch_size=5000,
    )
    LineageEdge.objects.bulk_create(rows, batch_size=5000)
    return len(rows) + len(table_edge_rows(table_use_rows()))


def _workspaces() -> list[tuple[int, str]]:
    from accounts.services import ensure_workspace

    return [
        (ensure_workspace(slug=f"ws{i}", name=f"Workspace {i}").pk, f"ws{i}")
        for i in range(WORKSPACES)
    ]


def bare_bfs(graph: nx.DiGraph, source: str, hops: int) -> int:
    down = nx.single_source_shortest_path_length(graph, source, cutoff=hops)
    up = nx.single_source_shortest_path_length(graph.reverse(copy=False), source, cutoff=hops)
    return len(down.keys() | up.keys())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notebooks", type=int, default=6000)
    parser.add_argument("--database-url", help="default: a throwaway SQLite file")
    args = parser.parse_args()
    setup_django(args.database_url)

    from django.contrib.auth import get_user_model

    from accounts.models import Membership, Workspace
    from lineage import selectors
    from lineage.drawing import draw
    from lineage.query import LineageQuery
    from lineage.services import bump_stamp
    from urns import AssetKind

    edges = generate(args.notebooks)
    bump_stamp()

    start = time.perf_counter()
    graph = selectors.lineage_graph()
    level = graph.level("notebook")
    build_s = time.perf_counter() - start

    users = get_user_model().objects
    staff = users.create_user("bench-staff", is_staff=True)
    member = users.create_user("bench-member")
    # The centre table is written by notebook n // 2; its member sees it, the rest is mixed.
    n = args.notebooks
    home = Workspace.objects.get(slug=f"ws{(n // 2) % WORKSPACES}")
    Membership.objects.create(user=member, workspace=home, role="viewer")
    centre = AssetKind.TABLE.urn(WAREHOUSE, f"s{n % 97}.t{n}")
    # Written by notebook 0 (in ws0), read by about 1 in 65.
    hub = AssetKind.TABLE.urn(WAREHOUSE, "s0.t0")

    def ours(user, urn):
        fresh = users.get(pk=user.pk)  # a new request: nothing remembered on the user
        q = LineageQuery(urn=urn, direction="both", depth=5, level="notebook")
        return selectors.lineage_for(fresh, q, max_nodes=None)

    results = []
    for label, urn in (("a typical table", centre), ("a hub table", hub)):
        found = ours(staff, urn)
        bare_count = bare_bfs(level, urn, 5)
        assert len(found.nodes) == bare_count, (len(found.nodes), bare_count)
        bare_s = best_of(10, lambda urn=urn: bare_bfs(level, urn, 5))
        staff_s = best_of(10, lambda urn=urn: ours(staff, urn))
        restricted = sum(1 for n in ours(member, urn).nodes if n.restricted)
        member_s = best_of(10, lambda urn=urn: ours(member, urn))
        results.append((label, found, bare_s, staff_s, member_s, restricted))

    wide = LineageQuery(urn=centre, direction="both", depth=20, level="notebook")
    big = selectors.lineage_for(staff, wide, max_nodes=2000)
    drawn_s = best_of(
        3,
        lambda: draw(big, wide, base="/lineage/", expanded=[], lane_names={}),
    )
    drawing = draw(big, wide, base="/lineage/", expanded=[], lane_names={})

    print(f"edges: {edges}, notebooks: {args.notebooks}, workspaces: {WORKSPACES}")
    print(f"graph build (once per edge change): {build_s * 1000:.0f} ms")
    for label, found, bare_s, staff_s, member_s, restricted in results:
        print(f"5 hops both ways from {label}: {len(found.nodes)} nodes, {len(found.edges)} edges")
        print(f"  bare networkx BFS:          {bare_s * 1000:.2f} ms")
        print(
            f"  lineage query, staff:       {staff_s * 1000:.2f} ms "
            f"({staff_s / bare_s:.1f}x bare) target < 50 ms {verdict(staff_s < 0.05)}"
        )
        print(
            f"  lineage query, one-ws view: {member_s * 1000:.2f} ms "
            f"({member_s / bare_s:.1f}x bare, {restricted} restricted) "
            f"target < 50 ms {verdict(member_s < 0.05)}"
        )
    print(
        f"layout + SVG of {len(big.nodes)} nodes, {len(big.edges)} edges: {drawn_s * 1000:.0f} ms "
        f"({len(drawing.svg) // 1024} KiB, {drawing.layout.crossings} crossings) "
        f"target < 1 s {verdict(drawn_s < 1 and len(big.nodes) == 2000)}"
    )


if __name__ == "__main__":
    main()
