from __future__ import annotations

import pytest

from catalog.models import Table
from catalog.warehouse.tables import (
    Unconfigured,
    connection_for,
    find_table,
    fold_introspected,
    get_or_create_table,
    resolve_table,
)
from tests.kb_factories import make_connection

DUCK = Unconfigured("duckdb://demo", "duckdb", "warehouse", "main")
PG = Unconfigured("postgres://db:5432/analytics", "postgres", "analytics", "public")
SNOW = Unconfigured("snowflake://acme", "snowflake", "ANALYTICS", "PUBLIC")
BQ = Unconfigured("bigquery://acme", "bigquery", "proj", "dataset")


@pytest.mark.parametrize(
    ("name", "connection", "expected"),
    [
        ("core.users", DUCK, ("duckdb://demo", "core.users")),
        ("users", DUCK, ("duckdb://demo", "main.users")),
        ("warehouse.core.users", DUCK, ("duckdb://demo", "core.users")),
        ("other.core.users", DUCK, ("duckdb://demo", "other.core.users")),
        ("users", PG, ("postgres://db:5432/analytics", "public.users")),
        ("Sales.Orders", PG, ("postgres://db:5432/analytics", "Sales.Orders")),
        ("core.users", SNOW, ("snowflake://acme", "ANALYTICS.CORE.USERS")),
        ("users", SNOW, ("snowflake://acme", "ANALYTICS.PUBLIC.USERS")),
        ("core.MixedCase", SNOW, ("snowflake://acme", "ANALYTICS.CORE.MixedCase")),
        ("db2.core.users", SNOW, ("snowflake://acme", "DB2.CORE.USERS")),
        ("events", BQ, ("bigquery://acme", "proj.dataset.events")),
        ("out/summary.parquet", DUCK, ("file", "out/summary.parquet")),
        ("s3://bucket/users.csv", PG, ("file", "s3://bucket/users.csv")),
        ("users", Unconfigured("unconfigured://x"), ("unconfigured://x", "users")),
    ],
)
def test_resolve_table_completes_and_folds_names_as_the_dialect_does(name, connection, expected):
    assert resolve_table(name, connection) == expected


def test_introspected_names_fold_to_lower_case_only_on_case_insensitive_duckdb():
    assert fold_introspected("Users", "duckdb") == "users"
    assert fold_introspected("Users", "postgres") == "Users"


@pytest.mark.django_db
def test_a_workspace_without_a_connection_gets_a_namespace_of_its_own(workspace):
    table = get_or_create_table("core.users", workspace=workspace)

    assert table.urn == "table:unconfigured://production/core.users"
    assert table.workspace == workspace


@pytest.mark.django_db
def test_two_workspaces_on_one_warehouse_meet_at_the_same_table(workspace, other_workspace):
    make_connection(workspace, warehouse="duckdb://shared", default_database="warehouse")
    make_connection(other_workspace, warehouse="duckdb://shared", default_database="warehouse")

    first = get_or_create_table("core.users", workspace=workspace)
    second = get_or_create_table("warehouse.core.users", workspace=other_workspace)

    assert first.pk == second.pk == find_table("core.users", workspace=other_workspace).pk
    assert first.workspace == workspace  # the first to mention it, until a definer claims it
    assert Table.objects.count() == 1


@pytest.mark.django_db
def test_files_are_tables_of_kind_file_in_the_file_warehouse(workspace):
    table = get_or_create_table("data/raw.csv", workspace=workspace)

    assert (table.warehouse, table.kind, table.urn) == ("file", "file", "table:file/data/raw.csv")


@pytest.mark.django_db
def test_the_default_connection_is_the_one_resolution_uses(workspace):
    make_connection(workspace, name="old", warehouse="duckdb://old", is_default=False)
    make_connection(workspace, name="main", warehouse="duckdb://main", is_default=True)

    assert connection_for(workspace).warehouse == "duckdb://main"
    assert find_table("x", workspace=workspace) is None
