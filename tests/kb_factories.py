"""Factories for knowledge-base assets: tables, columns, metrics, apps, connections."""

from __future__ import annotations

from accounts.models import Workspace
from catalog.models import App, Column, Metric, Notebook, Table, WarehouseConnection
from catalog.search.index import index_objects


def make_connection(workspace: Workspace, **extra) -> WarehouseConnection:
    fields = {
        "name": "warehouse",
        "engine": "duckdb",
        "dialect": "duckdb",
        "warehouse": "duckdb://test",
        "default_database": "test",
        "default_schema": "main",
        "location": "/nonexistent/test.duckdb",
        "is_default": True,
    }
    fields.update(extra)
    connection, _ = WarehouseConnection.objects.get_or_create(
        workspace=workspace, name=fields.pop("name"), defaults=fields
    )
    return connection


def make_table(
    workspace: Workspace,
    name: str = "core.users",
    *,
    warehouse: str = "duckdb://test",
    columns: tuple[str, ...] = (),
    **extra,
) -> Table:
    table, _ = Table.objects.get_or_create(
        warehouse=warehouse, name=name, defaults={"workspace": workspace, **extra}
    )
    for position, column in enumerate(columns, start=1):
        Column.objects.get_or_create(
            table=table, name=column, defaults={"position": position, "data_type": "VARCHAR"}
        )
    index_objects([table])
    return table


def make_metric(workspace: Workspace, name: str = "weekly_active_users", **extra) -> Metric:
    metric, _ = Metric.objects.get_or_create(workspace=workspace, name=name, defaults=extra)
    index_objects([metric])
    return metric


def make_app(workspace: Workspace, notebook: Notebook, slug: str = "delete-user", **extra) -> App:
    extra.setdefault("title", slug.replace("-", " ").title())
    app, _ = App.objects.get_or_create(
        workspace=workspace, slug=slug, defaults={"notebook": notebook, **extra}
    )
    index_objects([app])
    return app
