"""Reads for the asset pages (tables, metrics, apps, connections), filtered by the viewer."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from accounts.access import access_object, can, is_signed_in, named_filter, visible
from accounts.errors import NotFound
from accounts.models import Workspace
from catalog.documentation.revisions import PendingReview, history, pending_reviews
from catalog.models import (
    App,
    Column,
    Metric,
    Notebook,
    NotebookTable,
    SchemaSnapshot,
    SearchDocument,
    Table,
    WarehouseConnection,
)
from catalog.search.query import index_visibility
from urns import AssetKind, UrnError, kind_of, parse_urn


def get_table(user, pk: int, action: str = "view") -> Table:
    return access_object(
        user,
        action,
        Table.objects.select_related("workspace", "defined_by", "defined_by__current_version"),
        pk=pk,
    )


def get_metric(user, pk: int, action: str = "view") -> Metric:
    return access_object(
        user, action, Metric.objects.select_related("workspace", "notebook"), pk=pk
    )


def get_app(user, pk: int, action: str = "view") -> App:
    return access_object(
        user,
        action,
        App.objects.select_related("workspace", "notebook", "published_version"),
        pk=pk,
    )


def get_connection(user, pk: int) -> WarehouseConnection:
    return access_object(
        user, "view", WarehouseConnection.objects.select_related("workspace"), pk=pk
    )


def url_for_urn(user, urn: str) -> str:
    """The page of the asset ``urn`` names, if the user may see it (else NotFound)."""
    urn = urn.strip()
    anchor = ""
    if kind_of(urn) is AssetKind.BLOCK:
        try:
            block = parse_urn(urn)
        except UrnError as exc:
            raise NotFound("No asset matches that URN.") from exc
        urn, anchor = block.notebook_urn, f"#block-{block.block}"
    row = None
    if urn and is_signed_in(user):
        seen = index_visibility(user)
        named = named_filter(user, Table, pk_field="object_id")
        if named:  # Q() for an instance admin, who sees every row already
            seen |= Q(kind="table") & named
        row = SearchDocument.objects.filter(seen, urn=urn).only("url").first()
    if row is None:
        raise NotFound("No asset matches that URN.")
    return row.url + anchor


@dataclass(frozen=True)
class TableUse:
    notebook: Notebook
    block_id: str
    is_read: bool
    is_write: bool
    is_create: bool


@dataclass
class TablePage:
    table: Table
    columns: list[Column]
    readers: list[TableUse] = field(default_factory=list)
    writers: list[TableUse] = field(default_factory=list)
    upstream: list[Table] = field(default_factory=list)
    downstream: list[Table] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    reviews: list[PendingReview] = field(default_factory=list)
    revisions: list = field(default_factory=list)
    hidden_uses: int = 0
    # Writers from other workspaces than the table's home (which they never take over).
    also_written_by: list[TableUse] = field(default_factory=list)


def _visible_uses(user, table: Table) -> tuple[list[NotebookTable], list[TableUse]]:
    """Every use of the table, and those by notebooks the user may see."""
    notebooks = visible(user, Notebook.objects.filter(is_deleted=False)).values("pk")
    uses = list(
        NotebookTable.objects.filter(table=table)
        .select_related("notebook", "notebook__workspace")
        .order_by("notebook__workspace__slug", "notebook__path")
    )
    allowed = set(
        NotebookTable.objects.filter(table=table, notebook__in=notebooks).values_list(
            "notebook_id", flat=True
        )
    )
    shown = [
        TableUse(u.notebook, u.block_id, u.is_read, u.is_write, u.is_create)
        for u in uses
        if u.notebook_id in allowed
    ]
    return uses, shown


def table_uses_page(user, table: Table) -> TablePage:
    """What someone who sees only the table's name sees: the notebooks of theirs that use it."""
    _, shown = _visible_uses(user, table)
    return TablePage(
        table=table,
        columns=[],
        readers=[u for u in shown if u.is_read and not u.is_write],
        writers=[u for u in shown if u.is_write],
    )


def table_page(user, table: Table) -> TablePage:
    """Everything the table page shows, in a fixed number of queries."""
    columns = list(table.columns.order_by("position", "name"))
    uses, shown = _visible_uses(user, table)
    writers = [u for u in shown if u.is_write]
    readers = [u for u in shown if u.is_read and not u.is_write]
    tables = visible(user, Table.objects.all())
    writer_ids = [u.notebook.pk for u in writers]
    reader_ids = [u.notebook.pk for u in shown if u.is_read]
    upstream = (
        tables.filter(notebook_uses__notebook__in=writer_ids, notebook_uses__is_read=True)
        .exclude(pk=table.pk)
        .distinct()
        .order_by("name")
    )
    downstream = (
        tables.filter(notebook_uses__notebook__in=reader_ids, notebook_uses__is_write=True)
        .exclude(pk=table.pk)
        .distinct()
        .order_by("name")
    )
    urns = [table.urn] + [
        AssetKind.COLUMN.urn(table.warehouse, table.name, c.name) for c in columns
    ]
    return TablePage(
        table=table,
        columns=columns,
        readers=readers,
        writers=writers,
        upstream=list(upstream),
        downstream=list(downstream),
        metrics=list(visible(user, table.metrics.select_related("workspace"))),
        reviews=pending_reviews(urns),
        revisions=history(urns, limit=20),
        hidden_uses=len(uses) - len(shown),
        also_written_by=[u for u in writers if u.notebook.workspace_id != table.workspace_id],
    )


def move_targets(user, table: Table) -> list:
    """The workspaces an admin of the table's home may move it to (those they administer)."""
    if not can(user, "admin", table):
        return []
    others = Workspace.objects.exclude(pk=table.workspace_id).order_by("slug")
    return list(visible(user, others, "admin").only("slug", "name"))


def apps_showing(user, metric: Metric) -> QuerySet[App]:
    """Apps whose notebook reads a table the metric's notebook writes, or that are built
    on the metric's own notebook."""
    written = NotebookTable.objects.filter(notebook=metric.notebook_id, is_write=True).values(
        "table"
    )
    readers = NotebookTable.objects.filter(table__in=written, is_read=True).values("notebook")
    apps = App.objects.filter(notebook__in=readers) | App.objects.filter(
        notebook=metric.notebook_id
    )
    return visible(user, apps.distinct()).select_related("workspace")


def metric_tables(user, metric: Metric) -> QuerySet[Table]:
    return visible(user, metric.tables.all()).order_by("name")


def app_inputs(app: App) -> list[dict]:
    """The inputs an app's published version asks for: input blocks and the names a
    ``parameters``-tagged cell assigns."""
    version = app.published_version or app.notebook.current_version
    if version is None:
        return []
    found = []
    for block in version.blocks.order_by("position"):
        if block.kind == "input" and block.variable:
            default = block.metadata.get("deepnote_variable_value")
            kind = block.metadata.get("deepnote_cell_type", "input")
            found.append({"name": block.variable, "kind": kind, "default": default})
        elif block.kind == "code" and "parameters" in (block.metadata.get("tags") or []):
            for name in sorted(block.block_lineage.analysis.defines):
                found.append({"name": name, "kind": "parameter", "default": None})
    return found


def connections_for(user, workspace) -> QuerySet[WarehouseConnection]:
    return visible(user, WarehouseConnection.objects.filter(workspace=workspace))


@dataclass
class SchemaPage:
    connection: WarehouseConnection
    snapshot: SchemaSnapshot | None
    schemas: list[tuple[str, list[dict]]]
    drifts: list[SchemaSnapshot]


def schema_page(user, connection: WarehouseConnection) -> SchemaPage:
    """The latest introspection of a connection, grouped by schema, linked to table pages
    the user may see; and the snapshots that found drift."""
    snapshots = list(connection.snapshots.all()[:20])
    latest = snapshots[0] if snapshots else None
    schemas: dict[str, list[dict]] = {}
    if latest is not None:
        names = list(latest.tables)
        pages = dict(
            visible(
                user, Table.objects.filter(warehouse=connection.warehouse, name__in=names)
            ).values_list("name", "pk")
        )
        for name in sorted(names):
            schema = name.rsplit(".", 1)[0] if "." in name else ""
            info = latest.tables[name]
            schemas.setdefault(schema, []).append(
                {
                    "name": name,
                    "short": name.rsplit(".", 1)[-1],
                    "kind": info.get("kind", "table"),
                    "columns": info.get("columns", []),
                    "pk": pages.get(name),
                }
            )
    return SchemaPage(
        connection=connection,
        snapshot=latest,
        schemas=sorted(schemas.items()),
        drifts=[s for s in snapshots if s.drift],
    )


def column_prefetch() -> Prefetch:
    return Prefetch("columns", queryset=Column.objects.order_by("position", "name"))


def visible_workspaces(user):
    return visible(user, Workspace.objects.all()).only("slug", "name")
