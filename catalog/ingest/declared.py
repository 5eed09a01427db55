"""What a workspace's catalog.yml declares, applied: its warehouse connection, tables,
columns, metrics, apps and their documentation.

`ensure_connection` runs before a folder's notebooks are ingested (so that their tables
resolve against it), `apply_catalog_file` after.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from django.db import transaction

from accounts.audit import record_event
from accounts.models import Workspace
from catalog.documentation.revisions import RANKS, Fact, replace_harvested
from catalog.ingest.catalog_file import (
    FILE_NAME,
    CatalogFile,
    CatalogFileError,
    WarehouseSpec,
    parse_catalog_file,
)
from catalog.ingest.harvest import ensure_columns
from catalog.ingest.sources.folder import is_inside
from catalog.ingest.store import reharvest
from catalog.models import App, Column, Metric, Notebook, Table, WarehouseConnection
from catalog.search.index import index_apps, index_metrics, index_tables
from catalog.warehouse.tables import connection_for, get_or_create_tables
from lineage.analysis.table_names import normalize_table
from urns import AssetKind


def read_catalog_file(
    folder: Path, *, env: Mapping[str, str], base_dir: Path | None = None
) -> CatalogFile | None:
    """The folder's catalog.yml, parsed (None when there is none)."""
    path = Path(folder) / FILE_NAME
    if not path.is_file():
        return None
    if not is_inside(Path(folder).resolve(), path):
        raise CatalogFileError(
            f"{FILE_NAME} is a symbolic link to a file outside the folder; it was not read."
        )
    return parse_catalog_file(path.read_text(encoding="utf-8"), env=env, base_dir=base_dir)


def ensure_connection(*, actor, workspace: Workspace, spec: WarehouseSpec) -> WarehouseConnection:
    """Create or update the workspace's default connection from its catalog.yml.

    When what its names resolve to changes, the workspace's notebooks are harvested again.
    """
    fields = {
        "engine": spec.engine,
        "dialect": spec.dialect,
        "warehouse": spec.namespace,
        "default_database": spec.database,
        "default_schema": spec.schema,
        "location": spec.location,
        "password_env": spec.password_env,
        "is_default": True,
    }
    with transaction.atomic():
        connection = WarehouseConnection.objects.filter(workspace=workspace, name=spec.name).first()
        resolution = ("warehouse", "dialect", "default_database", "default_schema")
        if connection is not None and all(getattr(connection, k) == v for k, v in fields.items()):
            return connection
        moved = connection is None or any(getattr(connection, k) != fields[k] for k in resolution)
        WarehouseConnection.objects.filter(workspace=workspace).exclude(name=spec.name).update(
            is_default=False
        )
        connection, _ = WarehouseConnection.objects.update_or_create(
            workspace=workspace, name=spec.name, defaults=fields
        )
        record_event(
            actor=actor or "system",
            action="connection.configured",
            target_urn=AssetKind.CONNECTION.urn(workspace.slug, spec.name),
            workspace=workspace,
            details={"warehouse": spec.namespace, "engine": spec.engine},
        )
        if moved:
            current = Notebook.objects.filter(workspace=workspace, is_deleted=False)
            reharvest(workspace, current.select_related("workspace", "current_version"))
    return connection


def _notebook_at(workspace: Workspace, path: str, title: str = "") -> Notebook | None:
    """The notebook a catalog.yml names: by path, or the one notebook of a project file
    (preferring the one titled like the declaration, then the one with most blocks)."""
    if not path:
        return None
    exact = Notebook.objects.filter(workspace=workspace, path=path, is_deleted=False).first()
    if exact is not None:
        return exact
    candidates = list(
        Notebook.objects.filter(
            workspace=workspace, file_path=path, is_deleted=False
        ).select_related("current_version")
    )
    for notebook in candidates:
        if title and notebook.path.endswith(f"/{title}"):
            return notebook
    if not candidates:
        return None
    return max(candidates, key=lambda n: (n.current_version.blocks.count(), -n.pk))


def apply_catalog_file(*, actor, workspace: Workspace, catalog: CatalogFile) -> dict[str, int]:
    """Apply a workspace's catalog.yml declarations: tables, columns, metrics, apps and
    their documentation, in one audited transaction."""
    origin = AssetKind.CATALOG_FILE.urn(workspace.slug)
    rank = RANKS["catalog"]
    with transaction.atomic():
        if catalog.warehouse is not None:
            ensure_connection(actor=actor, workspace=workspace, spec=catalog.warehouse)
        connection = connection_for(workspace)
        names = [normalize_table(t.name) for t in catalog.tables]
        names += [normalize_table(n) for m in catalog.metrics for n in m.tables]
        tables = get_or_create_tables(names, workspace=workspace, connection=connection)
        facts: list[Fact] = []
        wanted_columns = []
        declared = []
        for spec in catalog.tables:
            table = tables[normalize_table(spec.name)]
            _claim_declared(table, workspace, _notebook_at(workspace, spec.notebook))
            if table.workspace_id == workspace.pk:  # another's home keeps its own docs
                declared.append((spec, table))
                wanted_columns += [(table, c.name) for c in spec.columns]
        columns = ensure_columns(tables, wanted_columns)
        for spec, table in declared:
            facts += _doc_facts(table, spec, rank)
            for column_spec in spec.columns:
                column = columns[(table.pk, column_spec.name)]
                if column_spec.description:
                    facts.append(Fact(column, "description", column_spec.description, rank))
                if column_spec.tags and list(column_spec.tags) != column.tags:
                    Column.objects.filter(pk=column.pk).update(tags=list(column_spec.tags))
        metrics = []
        for spec in catalog.metrics:
            metric, _ = Metric.objects.get_or_create(workspace=workspace, name=spec.name)
            metric.title = spec.title or metric.title
            metric.definition = spec.definition or metric.definition
            notebook = _notebook_at(workspace, spec.notebook)
            if notebook is not None and metric.notebook_id != notebook.pk:
                metric.notebook, metric.block_id = notebook, ""
            metric.save()
            metric.tables.add(*(tables[normalize_table(n)] for n in spec.tables))
            facts += _doc_facts(metric, spec, rank)
            metrics.append(metric)
        apps = []
        for spec in catalog.apps:
            notebook = _notebook_at(workspace, spec.notebook, spec.title)
            if notebook is None:
                continue  # declared before its notebook exists; applied at the next ingest
            app, _ = App.objects.update_or_create(
                workspace=workspace,
                slug=spec.name,
                defaults={
                    "title": spec.title,
                    "notebook": notebook,
                    "published_version": notebook.current_version,
                },
            )
            facts += _doc_facts(app, spec, rank)
            apps.append(app)
        replace_harvested(origin=origin, facts=facts)
        index_tables(tables.values())
        index_metrics(metrics)
        index_apps(apps)
        counts = {"tables": len(catalog.tables), "metrics": len(metrics), "apps": len(apps)}
        record_event(
            actor=actor or "system",
            action="catalog_file.applied",
            target_urn=workspace.urn,
            workspace=workspace,
            details=counts,
        )
    return counts


def _claim_declared(table: Table, workspace: Workspace, notebook: Notebook | None) -> None:
    """A table a workspace declares is that workspace's for good, unless another workspace
    declared or defined it first."""
    if table.workspace_id != workspace.pk and table.home_is_settled:
        return
    updates = {}
    definer = table.defined_by_id
    if table.workspace_id != workspace.pk:
        updates.update(workspace=workspace, defined_by=None, defined_in_block="")
        definer = None
    if not table.home_is_settled:
        updates["home_is_settled"] = True
    if notebook is not None and definer is None:
        updates.update(defined_by=notebook, defined_in_block="")
    if updates:
        Table.objects.filter(pk=table.pk).update(**updates)
        for key, value in updates.items():
            setattr(table, key, value)


def _doc_facts(obj, spec, rank: int) -> list[Fact]:
    facts = []
    if spec.description:
        facts.append(Fact(obj, "description", spec.description, rank))
    if spec.owner:
        facts.append(Fact(obj, "owner_email", spec.owner, rank))
    if spec.tags:
        facts.append(Fact(obj, "tags", ", ".join(spec.tags), rank))
    return facts
