"""Which table a name in a notebook means: resolution against a warehouse connection.

A table's identity is its warehouse plus its fully qualified name (DESIGN.md). A
notebook writes ``users`` or ``core.users`` or ``"Core"."Users"``; the workspace's
default `WarehouseConnection` says which warehouse that is and what the missing
database and schema are. `resolve_table` is pure; `get_or_create_table` and
`find_table` are the ORM side, for ingest, introspection and the lineage graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from accounts.models import Workspace
from catalog.models import Table, WarehouseConnection
from lineage.analysis.table_names import is_path
from urns import AssetKind

FILE_WAREHOUSE = "file"
UNCONFIGURED = "unconfigured://"

# How deep a dialect's names go below the warehouse namespace. Two levels: the
# namespace names the database (postgres://host/db, duckdb://name) and a table is
# schema.table. Three: the namespace names an account and a table is db.schema.table.
_THREE_LEVELS = {"snowflake", "bigquery", "databricks", "tsql", "trino", "presto", "athena"}
# Dialects that fold unquoted identifiers to upper case; the others fold to lower.
_UPPER_CASE = {"snowflake", "oracle", "exasol"}


class ConnectionLike(Protocol):
    warehouse: str
    dialect: str
    default_database: str
    default_schema: str


@dataclass(frozen=True)
class Unconfigured:
    """Stands for a workspace without a warehouse connection: names stay as written,
    in a namespace of the workspace's own, so that they never meet another's by chance."""

    warehouse: str
    dialect: str = ""
    default_database: str = ""
    default_schema: str = ""


def resolve_table(name: str, connection: ConnectionLike) -> tuple[str, str]:
    """The ``(warehouse, fully qualified name)`` that ``name`` means on ``connection``.

    ``name`` is spelled the way the analysis core spells it: unquoted parts already
    lower-cased, quoted parts as written, files and URIs verbatim. Files resolve to
    the ``file`` warehouse. Missing parts are completed with the connection's default
    database and schema as deep as the dialect's names go, and a leading default
    database is dropped where the warehouse namespace already names it.

    Examples:
        >>> duck = Unconfigured("duckdb://demo", "duckdb", "warehouse", "main")
        >>> resolve_table("core.users", duck)
        ('duckdb://demo', 'core.users')
        >>> resolve_table("onboarding_ab_results", duck)
        ('duckdb://demo', 'main.onboarding_ab_results')
        >>> resolve_table("warehouse.raw.events", duck)
        ('duckdb://demo', 'raw.events')
        >>> snow = Unconfigured("snowflake://acme", "snowflake", "ANALYTICS", "PUBLIC")
        >>> resolve_table("core.users", snow)
        ('snowflake://acme', 'ANALYTICS.CORE.USERS')
        >>> resolve_table("s3://bucket/users.parquet", duck)
        ('file', 's3://bucket/users.parquet')
    """
    name = name.strip()
    if is_path(name):
        return FILE_WAREHOUSE, name
    dialect = (connection.dialect or "").lower()
    parts = [_fold(part, dialect) for part in name.split(".") if part != ""]
    if not dialect:
        return connection.warehouse, ".".join(parts)
    database = _fold(connection.default_database, dialect)
    schema = _fold(connection.default_schema, dialect)
    if dialect in _THREE_LEVELS:
        if len(parts) == 1:
            parts = [database, schema, *parts]
        elif len(parts) == 2:
            parts = [database, *parts]
        parts = [p for p in parts if p]
    else:
        if len(parts) == 1 and schema:
            parts = [schema, *parts]
        elif len(parts) == 3 and database and parts[0].lower() == database.lower():
            parts = parts[1:]
    return connection.warehouse, ".".join(parts)


def _fold(part: str, dialect: str) -> str:
    """Unquoted parts arrive lower-cased; a part with an upper-case letter was quoted."""
    part = (part or "").strip()
    if dialect in _UPPER_CASE and part == part.lower():
        return part.upper()
    return part


class TableResolver:
    """`resolve_table` on one connection, each name resolved once: the one resolution a
    batch of notebooks shares (harvest makes the tables, lineage names their columns).

    Examples:
        >>> names = TableResolver(Unconfigured("duckdb://demo", "duckdb", "warehouse", "main"))
        >>> names.urn("users")
        'table:duckdb://demo/main.users'
        >>> names.column("core.users.email")
        ('column:duckdb://demo/core.users.email', 'core.users.email')
    """

    def __init__(self, connection: ConnectionLike):
        self.connection = connection
        self._found: dict[str, tuple[str, str]] = {}

    def __call__(self, name: str) -> tuple[str, str]:
        found = self._found.get(name)
        if found is None:
            found = self._found[name] = resolve_table(name, self.connection)
        return found

    def urn(self, name: str) -> str:
        return AssetKind.TABLE.urn(*self(name))

    def column(self, dotted: str) -> tuple[str, str] | None:
        """(URN, display name) of ``schema.table.column``; None when no table is named."""
        table, _, column = dotted.rpartition(".")
        if not table or not column or column == "*" or "/" in table:
            return None
        warehouse, qualified = self(table)
        return AssetKind.COLUMN.urn(warehouse, qualified, column), f"{qualified}.{column}"


def fold_introspected(part: str, dialect: str) -> str:
    """A name as a warehouse's catalog reports it, spelled as `resolve_table` spells it.

    DuckDB matches identifiers case-insensitively whatever their case, so its names
    are lower-cased; PostgreSQL and Snowflake report the exact stored name.
    """
    return part.lower() if dialect == "duckdb" else part


def connection_for(workspace: Workspace) -> WarehouseConnection | Unconfigured:
    """The workspace's default connection, or its own unconfigured namespace."""
    connection = (
        WarehouseConnection.objects.filter(workspace=workspace)
        .order_by("-is_default", "name")
        .first()
    )
    return connection or Unconfigured(f"{UNCONFIGURED}{workspace.slug}")


def find_table(name: str, *, workspace: Workspace, connection=None) -> Table | None:
    """The table ``name`` means in ``workspace`` (as a notebook there writes it), if known."""
    connection = connection or connection_for(workspace)
    warehouse, fq_name = resolve_table(name, connection)
    return Table.objects.filter(warehouse=warehouse, name=fq_name).first()


def get_or_create_table(
    name: str, *, workspace: Workspace, connection=None, kind: str | None = None
) -> Table:
    """The table ``name`` means in ``workspace``, created (owned by ``workspace``) if new."""
    connection = connection or connection_for(workspace)
    return get_or_create_tables([name], workspace=workspace, connection=connection, kind=kind)[name]


def get_or_create_tables(
    names: Iterable[str], *, workspace: Workspace, connection, kind: str | None = None
) -> dict[str, Table]:
    """Written name -> table, for many names in two queries (one select, one insert).

    ``connection`` may be a `TableResolver`, so that names already resolved are not again.
    """
    resolve = connection if isinstance(connection, TableResolver) else TableResolver(connection)
    resolved = {name: resolve(name) for name in names}
    if not resolved:
        return {}
    wanted = set(resolved.values())
    existing = {
        (t.warehouse, t.name): t
        for t in Table.objects.filter(
            warehouse__in={w for w, _ in wanted}, name__in={n for _, n in wanted}
        )
    }
    missing = [key for key in wanted if key not in existing]
    if missing:
        Table.objects.bulk_create(
            [
                Table(
                    warehouse=warehouse,
                    name=fq_name,
                    workspace=workspace,
                    kind=kind
                    or (Table.Kind.FILE if warehouse == FILE_WAREHOUSE else Table.Kind.TABLE),
                )
                for warehouse, fq_name in sorted(missing)
            ],
            ignore_conflicts=True,  # a concurrent ingest may have created it meanwhile
        )
        for t in Table.objects.filter(
            warehouse__in={w for w, _ in missing}, name__in={n for _, n in missing}
        ):
            existing[(t.warehouse, t.name)] = t
    return {name: existing[key] for name, key in resolved.items() if key in existing}
