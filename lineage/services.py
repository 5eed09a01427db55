"""Every write of lineage edges. Each replacement runs in one transaction.

What a notebook reads and writes is stored once, as the catalog's `NotebookTable` rows; the
graph derives the block <-> table and notebook -> notebook edges from them
(`lineage.table_edges`). Stored here are the edges a notebook's analysis gives beyond that:
block -> block (the block DAG), column -> column (the SQL's column lineage) and helper ->
notebook (``%run``); apps and metrics add notebook -> app and table -> metric edges.
"""

from __future__ import annotations

import posixpath
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction

from accounts.models import Workspace
from catalog.bulk import insert_rows
from catalog.models import App, Metric, Notebook
from catalog.signals import StoredVersion
from catalog.warehouse.tables import TableResolver, connection_for
from lineage.analysis import NotebookLineage
from lineage.analysis.column_reads import column_reads
from lineage.models import ANALYSIS_KINDS, OBSERVED_KINDS, EdgeKind, LineageEdge, LineageStamp
from urns import AssetKind


def bump_stamp() -> None:
    """Give the graph a new version. Called first in every edge change: its row lock
    serializes concurrent replacements until they commit.

    The value is random rather than counted, so that a rolled-back change can never
    leave a stamp that another set of edges reuses.
    """
    value = secrets.randbits(62)
    if not LineageStamp.objects.filter(pk=1).update(value=value):
        LineageStamp.objects.update_or_create(pk=1, defaults={"value": value})


def current_stamp() -> int | None:
    return LineageStamp.objects.filter(pk=1).values_list("value", flat=True).first()


def _run_target(notebook_path: str, target: str) -> str | None:
    """The workspace path of a notebook pulled in with %run, or None (a script, outside)."""
    if not target.endswith(".ipynb"):
        return None
    path = posixpath.normpath(posixpath.join(posixpath.dirname(notebook_path), target))
    return None if path.startswith("../") or path.startswith("/") else path


class _EdgeSet:
    def __init__(self, notebook: Notebook) -> None:
        self.notebook = notebook
        self.ws = notebook.workspace_id
        self.edges: dict[tuple[str, str, str], dict] = {}

    def add(self, source, target, kind, *, names, via="", detail=""):
        key = (source, target, kind)
        if source != target and key not in self.edges:
            self.edges[key] = {
                "source_urn": source,
                "target_urn": target,
                "kind": str(kind),
                "source_name": names[0][:1024],
                "target_name": names[1][:1024],
                "source_workspace_id": self.ws,
                "target_workspace_id": self.ws,
                "notebook_id": self.notebook.pk,
                "via_urn": via,
                "detail": detail,
            }


def analysis_edges(
    notebook: Notebook, lineage: NotebookLineage, resolve: TableResolver
) -> list[dict]:
    """The edges one version's analysis gives beyond table usage, as rows to insert.

    ``resolve`` is the resolver the catalog named the notebook's tables with, so that a
    column's table is the same table the catalog holds.
    """
    slug, path = notebook.workspace.slug, notebook.path
    found = _EdgeSet(notebook)
    for block in lineage.blocks:
        block_urn = AssetKind.BLOCK.urn(slug, path, block.id)
        for edge in block.columns:
            source, target = resolve.column(edge.source), resolve.column(edge.target)
            if source is not None and target is not None:
                found.add(
                    source[0],
                    target[0],
                    EdgeKind.COLUMN,
                    names=(source[1], target[1]),
                    via=block_urn,
                    detail=edge.transformation,
                )
        _add_uses(found, block, block_urn, f"{path}#{block.id}", resolve)
        _add_changes(found, block, block_urn, f"{path}#{block.id}", resolve)
    for edge in lineage.edges:
        found.add(
            AssetKind.BLOCK.urn(slug, path, edge.source),
            AssetKind.BLOCK.urn(slug, path, edge.target),
            EdgeKind.FEEDS,
            names=(f"{path}#{edge.source}", f"{path}#{edge.target}"),
        )
    for target in lineage.runs:
        helper = _run_target(path, target)
        if helper:
            found.add(
                AssetKind.NOTEBOOK.urn(slug, helper),
                notebook.urn,
                EdgeKind.RUNS,
                names=(helper, path),
            )
    return list(found.edges.values())


def column_uses(
    columns: Iterable[str], tables: Iterable[str], resolve: TableResolver
) -> list[tuple[str, str, str]]:
    """(source URN, source name, detail) of what a reader of ``columns`` (``table.column``,
    or ``table.*``) and ``tables`` uses: each column, and each table it reads without
    naming any of its columns (``*``, Python I/O, SQL past the parser) whole, detail "all".
    """
    found: dict[str, tuple[str, str, str]] = {}
    named: set[str] = set()
    whole: dict[str, str] = {}
    for dotted in sorted(columns):
        table, _, column = dotted.rpartition(".")
        if column == "*":
            whole[resolve.urn(table)] = table
            continue
        resolved = resolve.column(dotted)
        if resolved is not None:
            found[resolved[0]] = (resolved[0], resolved[1], "")
            named.add(resolve.urn(table))
    for table in sorted(tables):
        urn = resolve.urn(table)
        if urn not in named:
            whole.setdefault(urn, table)
    for urn, table in whole.items():
        found[urn] = (urn, resolve(table)[1], "all")
    return list(found.values())


def _add_uses(found: _EdgeSet, block, block_urn: str, block_name: str, resolve) -> None:
    for source, name, detail in column_uses(block.column_reads, block.reads, resolve):
        found.add(source, block_urn, EdgeKind.USES, names=(name, block_name), detail=detail)


def _add_changes(found: _EdgeSet, block, block_urn: str, block_name: str, resolve) -> None:
    analysis = block.analysis
    renamed = dict(analysis.renames)
    for table, kind in sorted(analysis.write_kinds.items()):
        if table in block.local or "/" in table:
            continue
        via = resolve.urn(renamed[table]) if table in renamed else ""
        found.add(
            block_urn,
            resolve.urn(table),
            EdgeKind.CHANGES,
            names=(block_name, resolve(table)[1]),
            via=via,
            detail=str(kind),
        )


def _delete_notebook_edges(notebook_ids: Sequence[int]) -> None:
    LineageEdge.objects.filter(notebook_id__in=notebook_ids, kind__in=ANALYSIS_KINDS).delete()


def replace_version_edges(stored: Sequence[StoredVersion], resolver: TableResolver) -> int:
    """Replace the analysis edges of a batch of notebooks whose versions were just stored,
    in the caller's transaction (one delete, one insert per thousand edges). Returns the
    number of edges stored."""
    # No savepoint inside a caller's transaction (ingest's, per batch): a failure here
    # fails that whole transaction anyway, and a savepoint costs two round trips.
    with transaction.atomic(savepoint=False):
        bump_stamp()
        _delete_notebook_edges([item.notebook.pk for item in stored])
        edges = [
            edge
            for item in stored
            for edge in analysis_edges(item.notebook, item.lineage, resolver)
        ]
        return insert_rows(LineageEdge, edges)


def replace_notebook_edges(notebook: Notebook) -> int:
    """Replace a notebook's analysis edges from its stored current version (none for a
    deleted notebook). Returns the number of edges stored."""
    with transaction.atomic():
        notebook = Notebook.objects.select_related("workspace", "current_version").get(
            pk=notebook.pk
        )
        version = None if notebook.is_deleted else notebook.current_version
        if version is None:
            bump_stamp()
            _delete_notebook_edges([notebook.pk])
            return 0
        resolver = TableResolver(connection_for(notebook.workspace))
        item = StoredVersion(notebook, version, version.notebook_lineage())
        return replace_version_edges([item], resolver)


def replace_observed_edges(
    notebook: Notebook, blocks: Sequence[tuple[str, Sequence[str], Sequence[str]]]
) -> int:
    """The runtime lineage of ``notebook``'s newest observed run, as observed_reads (table ->
    block) and observed_writes (block -> table) edges: ``blocks`` are (block id, tables
    read, tables written), named as the catalog names them. Returns how many are stored."""
    slug, path = notebook.workspace.slug, notebook.path
    resolve = TableResolver(connection_for(notebook.workspace))
    found = _EdgeSet(notebook)
    for block_id, reads, writes in blocks:
        block_urn = AssetKind.BLOCK.urn(slug, path, block_id)
        block_name = f"{path}#{block_id}"
        for table in reads:
            found.add(resolve.urn(table), block_urn, EdgeKind.OBSERVED_READS,
                      names=(table, block_name))  # fmt: skip
        for table in writes:
            found.add(block_urn, resolve.urn(table), EdgeKind.OBSERVED_WRITES,
                      names=(block_name, table))  # fmt: skip
    with transaction.atomic():
        bump_stamp()
        LineageEdge.objects.filter(notebook_id=notebook.pk, kind__in=OBSERVED_KINDS).delete()
        return insert_rows(LineageEdge, list(found.edges.values()))


def remove_notebook_edges(notebook: Notebook) -> None:
    """Drop a notebook's analysis edges (deleted from its source, or deleted outright)."""
    with transaction.atomic():
        bump_stamp()
        _delete_notebook_edges([notebook.pk])


def replace_app_edges(app: App) -> None:
    """The notebook -> app edge of one app."""
    with transaction.atomic():
        bump_stamp()
        LineageEdge.objects.filter(kind=EdgeKind.APP, target_urn=app.urn).delete()
        notebook = app.notebook
        LineageEdge.objects.create(
            source_urn=notebook.urn,
            target_urn=app.urn,
            kind=EdgeKind.APP,
            source_name=notebook.path,
            target_name=app.slug,
            source_workspace_id=notebook.workspace_id,
            target_workspace_id=app.workspace_id,
            notebook=notebook,
        )


def remove_asset_edges(urn: str) -> None:
    """Drop the declared edges of an app or metric that is gone."""
    with transaction.atomic():
        bump_stamp()
        LineageEdge.objects.filter(
            kind__in=[EdgeKind.APP, EdgeKind.METRIC, EdgeKind.USES], target_urn=urn
        ).delete()


def replace_metric_edges(metric: Metric) -> None:
    """The table -> metric edges of one metric, one per table it is computed from, and the
    columns its definition reads (uses edges; its tables whole when it names none)."""
    with transaction.atomic():
        bump_stamp()
        LineageEdge.objects.filter(
            kind__in=[EdgeKind.METRIC, EdgeKind.USES], target_urn=metric.urn
        ).delete()
        tables = list(metric.tables.all())
        edges = [
            LineageEdge(
                source_urn=table.urn,
                target_urn=metric.urn,
                kind=EdgeKind.METRIC,
                source_name=table.name,
                target_name=metric.name,
                source_workspace_id=metric.workspace_id,
                target_workspace_id=metric.workspace_id,
                notebook_id=metric.notebook_id,
            )
            for table in tables
        ]
        connection = connection_for(metric.workspace)
        resolve = TableResolver(connection)
        read = column_reads(metric.definition, getattr(connection, "dialect", None) or None)
        for source, name, detail in column_uses(read, [t.name for t in tables], resolve):
            edges.append(
                LineageEdge(
                    source_urn=source,
                    target_urn=metric.urn,
                    kind=EdgeKind.USES,
                    source_name=name[:1024],
                    target_name=metric.name,
                    source_workspace_id=metric.workspace_id,
                    target_workspace_id=metric.workspace_id,
                    notebook_id=metric.notebook_id,
                    detail=detail,
                )
            )
        LineageEdge.objects.bulk_create(edges)


@dataclass(frozen=True)
class RebuildReport:
    notebooks: int
    apps: int
    metrics: int
    edges: int


def rebuild_edges(*, workspace: Workspace | None = None) -> RebuildReport:
    """Recompute every stored edge (of one workspace, or of all, dropping orphans too)."""
    notebooks = Notebook.objects.filter(is_deleted=False, current_version__isnull=False)
    apps = App.objects.select_related("workspace", "notebook__workspace")
    metrics = Metric.objects.select_related("workspace")
    if workspace is not None:
        notebooks, apps, metrics = (
            q.filter(workspace=workspace) for q in (notebooks, apps, metrics)
        )
    else:
        with transaction.atomic():
            bump_stamp()
            # Observed edges come from runs, which a rebuild does not replay.
            LineageEdge.objects.exclude(kind__in=OBSERVED_KINDS).delete()
    count = 0
    for notebook in notebooks.only("pk").iterator():
        count += replace_notebook_edges(notebook)
    for app in apps:
        replace_app_edges(app)
    for metric in metrics:
        replace_metric_edges(metric)
    return RebuildReport(
        notebooks=notebooks.count(),
        apps=apps.count(),
        metrics=metrics.count(),
        edges=count + apps.count() + LineageEdge.objects.filter(kind=EdgeKind.METRIC).count(),
    )
