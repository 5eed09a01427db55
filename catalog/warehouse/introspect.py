"""The schema browser's source: a warehouse's own information_schema.

`introspect_connection` reads the tables, columns, types and comments of a
connection (DuckDB through the duckdb package, read-only; PostgreSQL through
psycopg), fills `Table` and `Column` rows, and records a `SchemaSnapshot` with the
drift since the previous one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from accounts.audit import record_event
from accounts.errors import InvalidInput
from catalog.documentation.revisions import RANKS, Fact, replace_harvested
from catalog.models import Column, SchemaSnapshot, Table, WarehouseConnection
from catalog.search.index import index_tables
from catalog.warehouse.tables import fold_introspected
from urns import AssetKind

_SYSTEM_SCHEMAS = ("information_schema", "pg_catalog")


@dataclass(frozen=True)
class ColumnInfo:
    schema: str
    table: str
    table_kind: str  # table | view
    column: str
    data_type: str
    position: int
    table_comment: str = ""
    column_comment: str = ""


_DUCKDB_SQL = """
    SELECT c.schema_name, c.table_name,
           CASE WHEN v.view_name IS NULL THEN 'table' ELSE 'view' END,
           c.column_name, c.data_type, c.column_index,
           coalesce(t.comment, v.comment, ''), coalesce(c.comment, '')
    FROM duckdb_columns() AS c
    LEFT JOIN duckdb_tables() AS t
      ON t.database_name = c.database_name AND t.schema_name = c.schema_name
     AND t.table_name = c.table_name
    LEFT JOIN duckdb_views() AS v
      ON v.database_name = c.database_name AND v.schema_name = c.schema_name
     AND v.view_name = c.table_name
    WHERE c.database_name = current_database() AND NOT c.internal
      AND c.schema_name NOT IN ('information_schema', 'pg_catalog')
    ORDER BY 1, 2, 6
"""

_POSTGRES_SQL = """
    SELECT c.table_schema, c.table_name,
           CASE WHEN t.table_type = 'VIEW' THEN 'view' ELSE 'table' END,
           c.column_name,
           CASE WHEN c.data_type = 'USER-DEFINED' THEN c.udt_name ELSE c.data_type END,
           c.ordinal_position,
           coalesce(obj_description(cls.oid, 'pg_class'), ''),
           coalesce(col_description(cls.oid, c.ordinal_position::int), '')
    FROM information_schema.columns AS c
    JOIN information_schema.tables AS t
      ON t.table_catalog = c.table_catalog AND t.table_schema = c.table_schema
     AND t.table_name = c.table_name
    JOIN pg_catalog.pg_namespace AS ns ON ns.nspname = c.table_schema
    JOIN pg_catalog.pg_class AS cls ON cls.relnamespace = ns.oid AND cls.relname = c.table_name
    WHERE c.table_schema NOT IN ('information_schema', 'pg_catalog')
      AND c.table_schema NOT LIKE 'pg_toast%%' AND c.table_schema NOT LIKE 'pg_temp%%'
    ORDER BY 1, 2, 6
"""


def read_schema(connection: WarehouseConnection) -> list[ColumnInfo]:
    """Every column of every user table and view the connection's warehouse holds."""
    if connection.engine == "duckdb":
        rows = _read_duckdb(connection.location)
    elif connection.engine == "postgres":
        rows = _read_postgres(connection.location, connection.password_env)
    else:
        raise InvalidInput(f"Cannot introspect a '{connection.engine}' connection.")
    return [ColumnInfo(*row) for row in rows]


def _read_duckdb(location: str) -> list[tuple]:
    import duckdb

    if not location or not Path(location).is_file():
        raise InvalidInput(f"The DuckDB file '{location}' does not exist.")
    try:
        con = duckdb.connect(location, read_only=True)
    except duckdb.Error as exc:
        raise InvalidInput(f"Cannot open the DuckDB file '{location}': {exc}") from exc
    try:
        return [tuple(r) for r in con.execute(_DUCKDB_SQL.replace("%%", "%")).fetchall()]
    finally:
        con.close()


def _read_postgres(dsn: str, password_env: str) -> list[tuple]:
    import psycopg

    password = os.environ.get(password_env) if password_env else None
    try:
        with psycopg.connect(dsn, password=password, connect_timeout=10) as con:
            con.read_only = True
            with con.cursor() as cursor:
                cursor.execute(_POSTGRES_SQL.replace("%%", "%"))
                return [tuple(r) for r in cursor.fetchall()]
    except psycopg.Error as exc:
        raise InvalidInput(f"Cannot read the PostgreSQL warehouse: {exc}".strip()) from exc


def schema_of(columns: Iterable[ColumnInfo], dialect: str) -> dict[str, dict]:
    """{fq table name: {"kind", "columns": [[name, type], ...]}} as snapshots keep it."""
    tables: dict[str, dict] = {}
    for info in columns:
        name = f"{fold_introspected(info.schema, dialect)}.{fold_introspected(info.table, dialect)}"
        entry = tables.setdefault(name, {"kind": info.table_kind, "columns": []})
        entry["columns"].append([info.column, info.data_type])
    return tables


_LABELS = {
    "added_table": "table added",
    "removed_table": "table removed",
    "added_column": "column added",
    "removed_column": "column removed",
    "type_changed": "type changed",
}


def schema_drift(before: dict[str, dict], after: dict[str, dict]) -> list[dict]:
    """What changed between two snapshots' tables: tables and columns added or removed,
    column types changed.

    Examples:
        >>> old = {"s.t": {"columns": [["a", "INTEGER"], ["b", "VARCHAR"]]}}
        >>> new = {"s.t": {"columns": [["a", "BIGINT"], ["c", "DATE"]]}, "s.u": {"columns": []}}
        >>> for d in schema_drift(old, new):
        ...     print(d["change"], d["table"], d["column"] or "-")
        added_table s.u -
        removed_column s.t b
        added_column s.t c
        type_changed s.t a
    """
    drift: list[dict] = []

    def add(change, table, column="", old="", new=""):
        drift.append(
            {
                "change": change,
                "label": _LABELS[change],
                "table": table,
                "column": column,
                "old": old,
                "new": new,
            }
        )

    for table in sorted(after.keys() - before.keys()):
        add("added_table", table)
    for table in sorted(before.keys() - after.keys()):
        add("removed_table", table)
    for table in sorted(before.keys() & after.keys()):
        old = dict(map(tuple, before[table]["columns"]))
        new = dict(map(tuple, after[table]["columns"]))
        for column in [c for c in old if c not in new]:
            add("removed_column", table, column, old=old[column])
        for column in [c for c in new if c not in old]:
            add("added_column", table, column, new=new[column])
        for column in [c for c in new if c in old and old[c] != new[c]]:
            add("type_changed", table, column, old=old[column], new=new[column])
    return drift


def introspect_connection(*, actor, connection: WarehouseConnection) -> SchemaSnapshot:
    """Read the warehouse, update its tables and columns, and record a snapshot."""
    columns = read_schema(connection)
    dialect = connection.dialect
    tables_now = schema_of(columns, dialect)
    comments = {}
    for info in columns:
        name = f"{fold_introspected(info.schema, dialect)}.{fold_introspected(info.table, dialect)}"
        comments.setdefault(name, [info.table_comment, {}])
        if info.column_comment:
            comments[name][1][info.column] = info.column_comment
    now = timezone.now()
    with transaction.atomic():
        previous = connection.snapshots.order_by("-taken_at", "-id").first()
        drift = schema_drift(previous.tables, tables_now) if previous else []
        tables = _sync_tables(connection, tables_now, now)
        facts = []
        for name, table in tables.items():
            table_comment, column_comments = comments.get(name, ["", {}])
            if table_comment:
                facts.append(Fact(table, "description", table_comment, RANKS["warehouse"]))
            for column in table.synced_columns:
                if column.name in column_comments:
                    facts.append(
                        Fact(
                            column, "description", column_comments[column.name], RANKS["warehouse"]
                        )
                    )
        replace_harvested(origin=AssetKind.WAREHOUSE.urn(connection.warehouse), facts=facts)
        snapshot = SchemaSnapshot.objects.create(
            connection=connection,
            tables=tables_now,
            drift=drift,
            table_count=len(tables_now),
            column_count=sum(len(t["columns"]) for t in tables_now.values()),
        )
        record_event(
            actor=actor or "system",
            action="connection.introspected",
            target_urn=AssetKind.CONNECTION.urn(connection.workspace.slug, connection.name),
            workspace=connection.workspace,
            details={"tables": snapshot.table_count, "drift": len(drift)},
        )
        index_tables(tables.values())
    return snapshot


def _sync_tables(
    connection: WarehouseConnection, tables_now: dict[str, dict], now
) -> dict[str, Table]:
    """Tables and columns as the warehouse has them; columns it dropped go away."""
    existing = {
        t.name: t
        for t in Table.objects.filter(warehouse=connection.warehouse, name__in=list(tables_now))
    }
    Table.objects.bulk_create(
        [
            Table(
                warehouse=connection.warehouse,
                name=name,
                kind=info["kind"],
                workspace=connection.workspace,
            )
            for name, info in tables_now.items()
            if name not in existing
        ],
        ignore_conflicts=True,
    )
    tables = {
        t.name: t
        for t in Table.objects.filter(warehouse=connection.warehouse, name__in=list(tables_now))
    }
    Table.objects.filter(pk__in=[t.pk for t in tables.values()]).update(introspected_at=now)
    for name, info in tables_now.items():
        table = tables[name]
        if table.kind != info["kind"] and table.kind != Table.Kind.FILE:
            Table.objects.filter(pk=table.pk).update(kind=info["kind"])
    current = {}
    for column in Column.objects.filter(table__in=tables.values()):
        current[(column.table_id, column.name)] = column
    wanted, changed, new = set(), [], []
    for name, info in tables_now.items():
        table = tables[name]
        for position, (column_name, data_type) in enumerate(info["columns"], start=1):
            key = (table.pk, column_name)
            wanted.add(key)
            column = current.get(key)
            if column is None:
                new.append(
                    Column(table=table, name=column_name, data_type=data_type, position=position)
                )
            elif (column.data_type, column.position) != (data_type, position):
                column.data_type, column.position = data_type, position
                changed.append(column)
    Column.objects.bulk_create(new, ignore_conflicts=True)
    Column.objects.bulk_update(changed, ["data_type", "position"])
    gone = [c.pk for key, c in current.items() if key not in wanted]
    Column.objects.filter(pk__in=gone).delete()
    by_table: dict[int, list[Column]] = {}
    for column in Column.objects.filter(table__in=tables.values()).select_related("table"):
        by_table.setdefault(column.table_id, []).append(column)
    for table in tables.values():
        table.synced_columns = by_table.get(table.pk, [])
    return tables


def introspect_workspace(*, actor, workspace) -> list[SchemaSnapshot]:
    """Introspect every connection of a workspace."""
    return [
        introspect_connection(actor=actor, connection=c)
        for c in WarehouseConnection.objects.filter(workspace=workspace).select_related("workspace")
    ]
