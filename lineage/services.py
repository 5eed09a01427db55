"""Every write of lineage edges. Each replacement runs in one transaction.

A notebook's edges come from its current version's analysis: block -> block
(the block DAG), table -> block and block -> table (what each block reads and
writes), column -> column (the SQL's column lineage), helper -> notebook (``%run``),
and the notebook -> notebook edges derived through the tables one writes and
another reads. Apps and metrics add notebook -> app and table -> metric edges.
"""

from __future__ import annotations

import posixpath
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from accounts.models import Workspace
from catalog.documentation.from_notebooks import is_local, local_names
from catalog.models import App, Metric, Notebook, NotebookVersion
from catalog.warehouse.tables import connection_for, resolve_table
from lineage.models import ANALYSIS_KINDS, EdgeKind, LineageEdge, LineageStamp
from urns import AssetKind, notebook_of, parse_urn

_CHUNK = 500


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


@dataclass(frozen=True)
class _Resolved:
    urn: str
    name: str


class TableNames:
    """Turns table and column names as a workspace's SQL wrote them into URNs.

    Identity comes from ``catalog.warehouse.tables.resolve_table``: the warehouse of the
    workspace's default connection plus the fully qualified, case-folded name.
    """

    def __init__(
        self, workspace: Workspace, local: frozenset[str] = frozenset(), *, connection=None
    ):
        self.connection = connection or connection_for(workspace)
        self.local = local
        self._tables: dict[str, tuple[str, str]] = {}

    def _table(self, name: str) -> tuple[str, str]:
        found = self._tables.get(name)
        if found is None:
            found = self._tables[name] = resolve_table(name, self.connection)
        return found

    def table(self, name: str) -> _Resolved | None:
        """The table ``name`` means; None for a DataFrame, registered view or temp table."""
        if is_local(name, self.local):
            return None
        warehouse, qualified = self._table(name)
        return _Resolved(AssetKind.TABLE.urn(warehouse, qualified), qualified)

    def column(self, dotted: str) -> _Resolved | None:
        """``schema.table.column`` as a column URN; None when no warehouse table is named."""
        table, _, column = dotted.rpartition(".")
        if not table or not column or column == "*" or "/" in table or is_local(table, self.local):
            return None
        warehouse, qualified = self._table(table)
        return _Resolved(
            AssetKind.COLUMN.urn(warehouse, qualified, column), f"{qualified}.{column}"
        )


def _run_target(notebook_path: str, target: str) -> str | None:
    """The workspace path of a notebook pulled in with %run, or None (a script, outside)."""
    if not target.endswith(".ipynb"):
        return None
    path = posixpath.normpath(posixpath.join(posixpath.dirname(notebook_path), target))
    return None if path.startswith("../") or path.startswith("/") else path


class _EdgeSet:
    def __init__(self) -> None:
        self.edges: dict[tuple[str, str, str, str], LineageEdge] = {}

    def add(self, source, target, kind, *, names, workspaces, notebook_id, via="", detail=""):
        key = (source, target, kind, via if kind == EdgeKind.NOTEBOOK else "")
        if source != target and key not in self.edges:
            self.edges[key] = LineageEdge(
                source_urn=source,
                target_urn=target,
                kind=kind,
                source_name=names[0][:1024],
                target_name=names[1][:1024],
                source_workspace_id=workspaces[0],
                target_workspace_id=workspaces[1],
                notebook_id=notebook_id,
                via_urn=via,
                detail=detail,
            )

    def of_kind(self, kind: str) -> Iterator[LineageEdge]:
        return (e for e in self.edges.values() if e.kind == kind)


def analysis_edges(
    notebook: Notebook,
    version: NotebookVersion,
    *,
    blocks: Sequence | None = None,
    analyses: Sequence[Mapping] | None = None,
    connection=None,
) -> list[LineageEdge]:
    """The edges one version's analysis gives, unsaved.

    ``blocks`` (with ``id``, ``kind`` and ``source``) and their ``analyses``, in order,
    spare reading them back when the caller holds them (ingest, which just wrote
    them); ``connection`` is the workspace's resolved warehouse connection.
    """
    ws = notebook.workspace
    both = (ws.pk, ws.pk)
    if blocks is None or analyses is None:
        rows = list(
            version.blocks.order_by("position").values(
                "block_id", "kind", "source", "analysis__data"
            )
        )
        blocks = [{"id": b["block_id"], "kind": b["kind"], "source": b["source"]} for b in rows]
        analyses = [b["analysis__data"] for b in rows]
    tables = TableNames(ws, local_names(blocks, analyses), connection=connection)
    found = _EdgeSet()
    written: set[str] = set()  # tables written by the blocks so far
    for block, data in zip(blocks, analyses, strict=True):
        block_id = block["id"] if isinstance(block, Mapping) else block.id
        block, block_name = (
            AssetKind.BLOCK.urn(ws.slug, notebook.path, block_id),
            f"{notebook.path}#{block_id}",
        )
        for name in data.get("reads", ()):
            if (t := tables.table(name)) is None:
                continue
            found.add(
                t.urn,
                block,
                EdgeKind.READS,
                names=(t.name, block_name),
                workspaces=both,
                notebook_id=notebook.pk,
                # Reading back what the notebook itself wrote earlier is no input of it.
                detail="internal" if t.urn in written else "",
            )
        for name in data.get("writes", ()):
            if (t := tables.table(name)) is None:
                continue
            found.add(
                block,
                t.urn,
                EdgeKind.WRITES,
                names=(block_name, t.name),
                workspaces=both,
                notebook_id=notebook.pk,
            )
            written.add(t.urn)
        for edge in data.get("columns", ()):
            source, target = tables.column(edge["source"]), tables.column(edge["target"])
            if source is not None and target is not None:
                found.add(
                    source.urn,
                    target.urn,
                    EdgeKind.COLUMN,
                    names=(source.name, target.name),
                    workspaces=both,
                    notebook_id=notebook.pk,
                    via=block,
                    detail=edge.get("transformation", ""),
                )
    for source, target, _names in version.edges:
        found.add(
            AssetKind.BLOCK.urn(ws.slug, notebook.path, source),
            AssetKind.BLOCK.urn(ws.slug, notebook.path, target),
            EdgeKind.FEEDS,
            names=(f"{notebook.path}#{source}", f"{notebook.path}#{target}"),
            workspaces=both,
            notebook_id=notebook.pk,
        )
    for target in version.runs_notebooks:
        path = _run_target(notebook.path, target)
        if path:
            found.add(
                AssetKind.NOTEBOOK.urn(ws.slug, path),
                notebook.urn,
                EdgeKind.RUNS,
                names=(path, notebook.path),
                workspaces=both,
                notebook_id=notebook.pk,
            )
    return list(found.edges.values())


def derived_notebook_edges(notebook: Notebook, edges: list[LineageEdge]) -> list[LineageEdge]:
    """Notebook -> notebook edges through the tables ``edges`` write and read.

    Other notebooks' table edges are read from the database, so this runs after
    theirs are stored (serialized by the stamp's lock).
    """
    written = {e.target_urn for e in edges if e.kind == EdgeKind.WRITES}
    read = {e.source_urn for e in edges if e.kind == EdgeKind.READS and e.detail != "internal"}
    ws_id, urn = notebook.workspace_id, notebook.urn
    found = _EdgeSet()
    tables = [(t, "w") for t in written] + [(t, "r") for t in read]
    for start in range(0, len(tables), _CHUNK):
        chunk = tables[start : start + _CHUNK]
        # One query for both sides: who reads what this writes, who writes what this reads.
        others = (
            LineageEdge.objects.filter(
                Q(kind=EdgeKind.READS, source_urn__in=[t for t, side in chunk if side == "w"])
                | Q(kind=EdgeKind.WRITES, target_urn__in=[t for t, side in chunk if side == "r"])
            )
            .exclude(notebook_id=notebook.pk)
            .exclude(detail="internal")
            .values_list("kind", "source_urn", "target_urn", "source_workspace_id", "notebook_id")
        )
        for kind, source, target, other_ws, other_id in others:
            if kind == EdgeKind.READS:  # table -> reader block
                reader = notebook_of(target)
                found.add(
                    urn,
                    reader,
                    EdgeKind.NOTEBOOK,
                    names=(notebook.path, parse_urn(reader).local_name),
                    workspaces=(ws_id, other_ws),
                    notebook_id=other_id,
                    via=source,
                )
            else:  # writer block -> table
                writer = notebook_of(source)
                found.add(
                    writer,
                    urn,
                    EdgeKind.NOTEBOOK,
                    names=(parse_urn(writer).local_name, notebook.path),
                    workspaces=(other_ws, ws_id),
                    notebook_id=notebook.pk,
                    via=target,
                )
    return list(found.edges.values())


def _delete_notebook_edges(notebook: Notebook) -> None:
    urn = notebook.urn
    LineageEdge.objects.filter(
        Q(notebook_id=notebook.pk, kind__in=ANALYSIS_KINDS)
        | Q(kind=EdgeKind.NOTEBOOK, source_urn=urn)
        | Q(kind=EdgeKind.NOTEBOOK, target_urn=urn)
    ).delete()


def replace_notebook_edges(
    notebook: Notebook,
    *,
    version: NotebookVersion | None = None,
    blocks: Sequence | None = None,
    analyses: Sequence[Mapping] | None = None,
    connection=None,
) -> int:
    """Replace every edge a notebook's analysis gives, in one transaction.

    ``version`` is the version now current (ingest passes the one it just stored,
    with its ``blocks``, their ``analyses`` and the workspace's ``connection``);
    without it the notebook is read afresh, and a deleted notebook keeps no edges.
    Returns the number of edges stored.
    """
    # No savepoint inside a caller's transaction (ingest's, per notebook): a failure
    # here fails that whole transaction anyway, and a savepoint costs two round trips.
    with transaction.atomic(savepoint=False):
        bump_stamp()
        if version is None:
            notebook = Notebook.objects.select_related("workspace", "current_version").get(
                pk=notebook.pk
            )
            version = None if notebook.is_deleted else notebook.current_version
        _delete_notebook_edges(notebook)
        if version is None:
            return 0
        edges = analysis_edges(
            notebook, version, blocks=blocks, analyses=analyses, connection=connection
        )
        edges += derived_notebook_edges(notebook, edges)
        LineageEdge.objects.bulk_create(edges, batch_size=1000)
        return len(edges)


def remove_notebook_edges(notebook: Notebook) -> None:
    """Drop a notebook's analysis edges (deleted from its source, or deleted outright)."""
    with transaction.atomic():
        bump_stamp()
        _delete_notebook_edges(notebook)


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
            kind__in=[EdgeKind.APP, EdgeKind.METRIC], target_urn=urn
        ).delete()


def replace_metric_edges(metric: Metric) -> None:
    """The table -> metric edges of one metric, one per table it is computed from."""
    with transaction.atomic():
        bump_stamp()
        LineageEdge.objects.filter(kind=EdgeKind.METRIC, target_urn=metric.urn).delete()
        LineageEdge.objects.bulk_create(
            [
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
                for table in metric.tables.all()
            ]
        )


@dataclass(frozen=True)
class RebuildReport:
    notebooks: int
    apps: int
    metrics: int
    edges: int


def rebuild_edges(*, workspace: Workspace | None = None) -> RebuildReport:
    """Recompute every edge (of one workspace, or of all, dropping orphans too).

    Notebooks go one by one, each in its own transaction: a notebook processed
    later re-derives its notebook -> notebook edges against those done before it,
    so after the pass every pair is current.
    """
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
            LineageEdge.objects.all().delete()
    count = 0
    for notebook in notebooks.select_related("workspace", "current_version").iterator():
        count += replace_notebook_edges(notebook, version=notebook.current_version)
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
