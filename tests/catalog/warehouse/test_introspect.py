from __future__ import annotations

import uuid
from io import StringIO

import duckdb
import psycopg
import pytest
from django.core.management import CommandError, call_command

from accounts.errors import InvalidInput
from accounts.models import AuditEvent
from catalog.models import SchemaSnapshot, Table
from catalog.warehouse.introspect import introspect_connection
from tests.kb_factories import make_connection

pytestmark = pytest.mark.django_db

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "wh.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA core")
    con.execute("CREATE TABLE core.Users (user_id INTEGER, email VARCHAR)")
    con.execute("COMMENT ON TABLE core.Users IS 'People'")
    con.execute("COMMENT ON COLUMN core.Users.email IS 'lower-cased'")
    con.execute("CREATE VIEW core.active AS SELECT user_id FROM core.Users")
    con.close()
    return path


def change(path, *statements):
    con = duckdb.connect(str(path))
    for sql in statements:
        con.execute(sql)
    con.close()


def test_it_fills_tables_columns_types_and_comments_from_a_duckdb_file(workspace, warehouse):
    connection = make_connection(workspace, location=str(warehouse), warehouse="duckdb://wh")

    snapshot = introspect_connection(actor=None, connection=connection)

    assert (snapshot.table_count, snapshot.column_count, snapshot.drift) == (2, 3, [])
    users = Table.objects.get(warehouse="duckdb://wh", name="core.users")
    assert users.description == "People" and users.introspected_at is not None
    columns = list(users.columns.values_list("name", "data_type", "position", "description"))
    assert columns == [("user_id", "INTEGER", 1, ""), ("email", "VARCHAR", 2, "lower-cased")]
    assert Table.objects.get(name="core.active").kind == "view"
    assert AuditEvent.objects.filter(action="connection.introspected").count() == 1


def test_a_second_introspection_records_the_drift(workspace, warehouse):
    connection = make_connection(workspace, location=str(warehouse), warehouse="duckdb://wh")
    introspect_connection(actor=None, connection=connection)
    change(
        warehouse,
        "ALTER TABLE core.users DROP COLUMN email",
        "ALTER TABLE core.users ADD COLUMN plan VARCHAR",
        "ALTER TABLE core.users ALTER user_id TYPE BIGINT",
        "DROP VIEW core.active",
        "CREATE TABLE core.plans (id INTEGER)",
    )

    snapshot = introspect_connection(actor=None, connection=connection)

    drift = {(d["change"], d["table"], d["column"], d["old"], d["new"]) for d in snapshot.drift}
    assert drift == {
        ("added_table", "core.plans", "", "", ""),
        ("removed_table", "core.active", "", "", ""),
        ("removed_column", "core.users", "email", "VARCHAR", ""),
        ("added_column", "core.users", "plan", "", "VARCHAR"),
        ("type_changed", "core.users", "user_id", "INTEGER", "BIGINT"),
    }
    users = Table.objects.get(name="core.users")
    assert list(users.columns.values_list("name", "data_type")) == [
        ("user_id", "BIGINT"),
        ("plan", "VARCHAR"),
    ]


def test_a_missing_warehouse_file_is_a_clear_error_and_records_nothing(workspace, tmp_path):
    connection = make_connection(workspace, location=str(tmp_path / "nope.duckdb"))

    with pytest.raises(InvalidInput, match="does not exist"):
        introspect_connection(actor=None, connection=connection)

    assert SchemaSnapshot.objects.count() == 0


def test_the_introspect_command_reports_each_connection(workspace, warehouse):
    make_connection(workspace, location=str(warehouse))
    out = StringIO()

    call_command("introspect", "--workspace", "production", stdout=out)

    assert "production/warehouse: 2 tables, 3 columns, 0 changes" in out.getvalue()
    with pytest.raises(CommandError, match="has no connection"):
        call_command("introspect", "--workspace", "nowhere", stdout=StringIO())


@pytest.fixture
def pg_warehouse():
    """A scratch database on the PostgreSQL server these machines run (.ci/run starts it)."""
    admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    name = f"tributary_introspect_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    dsn = f"postgresql://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute("CREATE SCHEMA billing")
        con.execute("CREATE TABLE billing.invoices (id bigint, amount numeric(10, 2))")
        con.execute("COMMENT ON TABLE billing.invoices IS 'Monthly invoices'")
        con.execute("COMMENT ON COLUMN billing.invoices.amount IS 'In USD'")
    yield dsn
    admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.close()


def test_it_introspects_a_postgresql_warehouse_through_psycopg(workspace, pg_warehouse):
    connection = make_connection(
        workspace,
        engine="postgres",
        dialect="postgres",
        warehouse="postgres://127.0.0.1:5432/scratch",
        location=pg_warehouse,
        default_schema="public",
    )

    snapshot = introspect_connection(actor=None, connection=connection)

    assert snapshot.tables == {
        "billing.invoices": {"kind": "table", "columns": [["id", "bigint"], ["amount", "numeric"]]}
    }
    invoices = Table.objects.get(name="billing.invoices")
    assert invoices.description == "Monthly invoices"
    assert invoices.columns.get(name="amount").description == "In USD"
