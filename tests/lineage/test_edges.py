from __future__ import annotations

import pytest
from django.core.management import call_command

from catalog.ingest.pipeline import ingest_files
from catalog.ingest.sources import SourceFile
from catalog.models import App, Metric, Notebook, Table
from lineage.models import EdgeKind, LineageEdge
from lineage.table_edges import table_edge_rows, table_use_rows
from tests.factories import ipynb_bytes
from tests.lineage.conftest import connect, put_cells, put_sql, table

pytestmark = pytest.mark.django_db

DAILY = (
    "CREATE TABLE analytics.daily AS "
    "SELECT o.id, sum(o.amount) AS total FROM raw.orders o GROUP BY o.id"
)


def edges_of(notebook, kind) -> set[tuple[str, str]]:
    """A notebook's edges of one kind: stored, or (table usage) derived from its uses."""
    if kind in (EdgeKind.READS, EdgeKind.WRITES):
        rows = table_edge_rows(table_use_rows(notebook=notebook))
        return {(r[0], r[1]) for r in rows if r[2] == kind}
    rows = LineageEdge.objects.filter(notebook=notebook, kind=kind)
    return set(rows.values_list("source_urn", "target_urn"))


def derived(kind) -> list[tuple]:
    """(source, target, via, detail) of every derived edge of ``kind``, as the graph gets them."""
    return [(r[0], r[1], r[7], r[8]) for r in table_edge_rows(table_use_rows()) if r[2] == kind]


def test_ingest_stores_table_block_and_column_edges(workspace, shared_warehouse):
    nb = put_sql(workspace, "daily.ipynb", DAILY)
    block = "block:production/daily.ipynb#cell-0"

    assert edges_of(nb, EdgeKind.READS) == {(table("raw.orders"), block)}
    assert edges_of(nb, EdgeKind.WRITES) == {(block, table("analytics.daily"))}
    assert edges_of(nb, EdgeKind.COLUMN) == {
        ("column:duckdb://shared/raw.orders.id", "column:duckdb://shared/analytics.daily.id"),
        (
            "column:duckdb://shared/raw.orders.amount",
            "column:duckdb://shared/analytics.daily.total",
        ),
    }
    column = LineageEdge.objects.get(notebook=nb, kind=EdgeKind.COLUMN, detail="aggregate")
    assert column.via_urn == block
    assert column.target_name == "analytics.daily.total"


def test_block_edges_follow_the_block_dag(workspace):
    nb = put_cells(workspace, "flow.ipynb", ("code", "a = 1"), ("code", "b = a + 1"))

    assert edges_of(nb, EdgeKind.FEEDS) == {
        ("block:production/flow.ipynb#cell-0", "block:production/flow.ipynb#cell-1")
    }


def test_re_ingest_replaces_the_notebooks_edges(workspace, shared_warehouse):
    put_sql(workspace, "daily.ipynb", DAILY)

    nb = put_sql(
        workspace, "daily.ipynb", "CREATE TABLE analytics.weekly AS SELECT id FROM raw.customers"
    )

    assert {t for _, t in edges_of(nb, EdgeKind.WRITES)} == {table("analytics.weekly")}
    assert {s for s, _ in edges_of(nb, EdgeKind.READS)} == {table("raw.customers")}
    assert not [e for e in derived(EdgeKind.READS) if e[0] == table("raw.orders")]


def test_a_notebook_deleted_from_its_source_keeps_no_edges(workspace, shared_warehouse):
    data = ipynb_bytes(("code", f"%%sql\n{DAILY}"))
    ingest_files(
        actor=None,
        workspace=workspace,
        files=[SourceFile("d.ipynb", lambda: data)],
        source="t",
        complete=True,
    )
    assert LineageEdge.objects.filter(notebook__path="d.ipynb").exists()

    ingest_files(actor=None, workspace=workspace, files=[], source="t", complete=True)

    assert Notebook.objects.get(path="d.ipynb").is_deleted
    assert not LineageEdge.objects.exists()
    assert table_edge_rows(table_use_rows()) == []


def test_two_workspaces_on_one_warehouse_meet_at_the_same_table(workspace, other_workspace):
    connect(workspace, schema="analytics")
    connect(other_workspace)
    # "daily" means analytics.daily in production (its default schema is analytics).
    writer = put_sql(workspace, "w.ipynb", "CREATE TABLE daily AS SELECT 1 AS x")
    reader = put_sql(other_workspace, "r.ipynb", "SELECT x FROM Analytics.Daily")

    written = {t for _, t in edges_of(writer, EdgeKind.WRITES)}
    read = {s for s, _ in edges_of(reader, EdgeKind.READS)}
    assert written == read == {table("analytics.daily")}
    assert derived(EdgeKind.NOTEBOOK) == [
        ("notebook:production/w.ipynb", "notebook:analytics/r.ipynb", table("analytics.daily"), "")
    ]


def test_workspaces_on_different_warehouses_never_meet(workspace, other_workspace):
    connect(workspace, warehouse="duckdb://one")
    connect(other_workspace, warehouse="duckdb://two")
    put_sql(workspace, "w.ipynb", "CREATE TABLE analytics.daily AS SELECT 1 AS x")
    put_sql(other_workspace, "r.ipynb", "SELECT x FROM analytics.daily")

    assert derived(EdgeKind.NOTEBOOK) == []


@pytest.mark.parametrize("writer_first", [True, False])
def test_notebook_edges_are_derived_whichever_side_is_ingested_first(
    workspace, shared_warehouse, writer_first
):
    def writer():
        put_sql(workspace, "w.ipynb", "CREATE TABLE core.users AS SELECT id FROM raw.accounts")

    def reader():
        put_sql(workspace, "r.ipynb", "SELECT id FROM core.users")

    for step in (writer, reader) if writer_first else (reader, writer):
        step()

    assert derived(EdgeKind.NOTEBOOK) == [
        ("notebook:production/w.ipynb", "notebook:production/r.ipynb", table("core.users"), "")
    ]


def test_a_writer_that_stops_writing_loses_its_downstream_edge(workspace, shared_warehouse):
    put_sql(workspace, "w.ipynb", "CREATE TABLE core.users AS SELECT id FROM raw.accounts")
    put_sql(workspace, "r.ipynb", "SELECT id FROM core.users")

    put_sql(workspace, "w.ipynb", "SELECT 1")

    assert derived(EdgeKind.NOTEBOOK) == []


def test_reading_back_what_the_notebook_wrote_is_not_an_input(workspace, shared_warehouse):
    nb = put_sql(
        workspace, "w.ipynb", "CREATE TABLE core.t AS SELECT 1 AS x", "SELECT count(*) FROM core.t"
    )

    assert derived(EdgeKind.READS) == [
        (table("core.t"), "block:production/w.ipynb#cell-1", "", "internal")
    ]
    assert edges_of(nb, EdgeKind.FEEDS) == {
        ("block:production/w.ipynb#cell-0", "block:production/w.ipynb#cell-1")
    }
    other = put_sql(workspace, "o.ipynb", "CREATE TABLE core.t AS SELECT 2 AS x")
    # Another writer of core.t does not feed w.ipynb's read-back.
    assert not [e for e in derived(EdgeKind.NOTEBOOK) if e[0] == other.urn]


def test_run_magic_links_the_helper_notebook(workspace):
    nb = put_cells(workspace, "etl/main.ipynb", ("code", "%run ../lib/helpers.ipynb\nx = 1"))

    assert edges_of(nb, EdgeKind.RUNS) == {
        ("notebook:production/lib/helpers.ipynb", "notebook:production/etl/main.ipynb")
    }


def test_apps_and_metrics_add_their_edges_and_take_them_away(workspace, shared_warehouse):
    nb = put_sql(workspace, "m.ipynb", "SELECT count(*) FROM core.users")
    app = App.objects.create(workspace=workspace, slug="counter", title="Counter", notebook=nb)
    metric = Metric.objects.create(workspace=workspace, name="users", notebook=nb)
    users = Table.objects.get_or_create(
        warehouse="duckdb://shared", name="core.users", defaults={"workspace": workspace}
    )[0]
    metric.tables.add(users)

    assert LineageEdge.objects.filter(kind=EdgeKind.APP).values_list(
        "source_urn", "target_urn"
    ).get() == (nb.urn, "app:production/counter")
    assert LineageEdge.objects.filter(kind=EdgeKind.METRIC).values_list(
        "source_urn", "target_urn"
    ).get() == (table("core.users"), "metric:production/users")

    app.delete()
    metric.tables.clear()

    assert not LineageEdge.objects.filter(kind__in=[EdgeKind.APP, EdgeKind.METRIC]).exists()


def test_rebuild_lineage_recreates_the_same_edges(workspace, shared_warehouse, capsys):
    put_sql(workspace, "w.ipynb", "CREATE TABLE core.users AS SELECT id FROM raw.accounts")
    put_sql(workspace, "r.ipynb", "SELECT id FROM core.users")
    fields = ("source_urn", "target_urn", "kind", "via_urn", "detail")
    before = sorted(LineageEdge.objects.values_list(*fields))
    LineageEdge.objects.all().delete()

    call_command("rebuild_lineage")

    assert sorted(LineageEdge.objects.values_list(*fields)) == before
    assert f"{len(before)} edges from 2 notebooks" in capsys.readouterr().out
