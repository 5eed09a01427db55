"""Assets from notebooks and catalog.yml files: tables, columns, metrics, apps, their docs.

`NotebookHarvester.harvest` runs inside the ingest transaction of each stored
notebook version; `apply_catalog_file` runs after a folder's notebooks are ingested
(`ensure_connection` before, so that the notebooks' tables resolve against it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from django.db import transaction
from django.db.models import Case, CharField, Q, Value, When

from accounts.audit import record_event
from accounts.models import Workspace
from catalog.documentation.from_notebooks import DocFact, MetricDoc, harvest_notebook, is_local
from catalog.documentation.revisions import RANKS, Fact, replace_harvested
from catalog.ingest.catalog_file import FILE_NAME, CatalogFile, WarehouseSpec, parse_catalog_file
from catalog.models import (
    App,
    Column,
    Metric,
    Notebook,
    NotebookTable,
    NotebookVersion,
    Table,
    WarehouseConnection,
)
from catalog.search.index import (
    index_apps,
    index_metrics,
    index_notebook,
    index_tables,
)
from catalog.search.index import remove_notebook as remove_from_index
from catalog.warehouse.tables import connection_for, get_or_create_tables
from lineage.analysis.table_names import normalize_table
from urns import AssetKind


class NotebookHarvester:
    """Harvests the notebooks of one workspace; remembers its connection for a batch."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self._connection = None

    @property
    def connection(self):
        if self._connection is None:
            self._connection = connection_for(self.workspace)
        return self._connection

    def harvest(
        self,
        *,
        notebook: Notebook,
        version: NotebookVersion,
        blocks: Sequence,
        analyses: Sequence[Mapping],
        is_new: bool = False,
    ) -> None:
        """Tables, columns, docs and metrics of a notebook's new current version.

        ``blocks`` are objects or mappings with ``id``, ``kind``, ``source`` and
        ``metadata``, in order; ``analyses`` their analysis results. ``is_new`` says
        the notebook was created in this transaction (so it uses and defines nothing yet).
        """
        urn = AssetKind.NOTEBOOK.urn(self.workspace.slug, notebook.path)
        docs = harvest_notebook(blocks, analyses)
        reads = [n for n in version.reads if not is_local(n, docs.local_names)]
        writes = [n for n in version.writes if not is_local(n, docs.local_names)]
        first_block = _first_blocks(blocks, analyses)
        named = set(reads) | set(writes) | {f.table for f in docs.facts}
        named |= {t for m in docs.metrics for t in m.reads}
        tables = get_or_create_tables(
            sorted(named), workspace=self.workspace, connection=self.connection
        )
        before = self._replace_uses(
            notebook, tables, reads, writes, docs.creates, first_block, is_new=is_new
        )
        self._claim_created(
            notebook,
            {tables[n]: b for n, b in docs.creates.items() if n in tables},
            is_new=is_new,
        )
        columns = _ensure_columns(tables, docs.facts)
        facts = _table_facts(tables, columns, docs.facts)
        metrics = self._harvest_metrics(notebook, version, docs.metrics, analyses, blocks, facts)
        replace_harvested(origin=urn, facts=facts)
        index_notebook(
            notebook,
            version=version,
            blocks=blocks,
            tables=[Table(pk=pk) for pk in before | {t.pk for t in tables.values()}],
        )
        index_metrics(metrics)

    def _replace_uses(
        self, notebook, tables, reads, writes, creates, first_block, *, is_new: bool
    ) -> set[int]:
        """Make the notebook's `NotebookTable` rows what it now reads and writes, writing
        only the rows that changed. Returns the ids of the tables it used before."""
        uses: dict[int, NotebookTable] = {}
        for name in sorted(set(reads) | set(writes)):
            table = tables[name]
            use = uses.setdefault(
                table.pk, NotebookTable(notebook=notebook, table=table, block_id="")
            )
            use.is_read |= name in reads
            use.is_write |= name in writes
            use.is_create |= name in creates
            use.block_id = use.block_id or creates.get(name) or first_block.get(name, "")
        # A notebook created in this transaction has no rows yet.
        existing = {} if is_new else {u.table_id: u for u in notebook.table_uses.all()}
        fields = ("is_read", "is_write", "is_create", "block_id")
        stale = [u.pk for pk, u in existing.items() if pk not in uses]
        changed = []
        for pk, use in uses.items():
            row = existing.get(pk)
            if row is not None and any(getattr(row, f) != getattr(use, f) for f in fields):
                for f in fields:
                    setattr(row, f, getattr(use, f))
                changed.append(row)
        if stale:
            NotebookTable.objects.filter(pk__in=stale).delete()
        if changed:
            NotebookTable.objects.bulk_update(changed, fields)
        NotebookTable.objects.bulk_create([u for pk, u in uses.items() if pk not in existing])
        return set(existing)

    def _claim_created(
        self, notebook: Notebook, created: Mapping[Table, str], *, is_new: bool = False
    ) -> None:
        """The notebook that creates a table defines it (the first one, if several do)."""
        if not is_new:  # a notebook created in this transaction defines nothing yet
            Table.objects.filter(defined_by=notebook).exclude(
                pk__in=[t.pk for t in created]
            ).update(defined_by=None, defined_in_block="")
        claims = {
            table: block_id
            for table, block_id in created.items()
            if table.warehouse != "file"
            # Already this notebook's, from this block, in this workspace: nothing to write.
            and (table.defined_by_id, table.defined_in_block, table.workspace_id)
            != (notebook.pk, block_id, self.workspace.pk)
        }
        if not claims:
            return
        # One UPDATE for all of them; the condition keeps a table another notebook defines.
        Table.objects.filter(pk__in=[t.pk for t in claims]).filter(
            Q(defined_by__isnull=True) | Q(defined_by=notebook)
        ).update(
            defined_by=notebook,
            defined_in_block=Case(
                *(When(pk=t.pk, then=Value(b)) for t, b in claims.items()),
                output_field=CharField(),
            ),
            workspace=self.workspace,
        )
        for table, block_id in claims.items():
            if table.defined_by_id in (None, notebook.pk):
                table.defined_by_id, table.defined_in_block = notebook.pk, block_id
                table.workspace_id = self.workspace.pk

    def _harvest_metrics(
        self, notebook, version, found: Sequence[MetricDoc], analyses, blocks, facts: list[Fact]
    ) -> list[Metric]:
        metrics = []
        for doc in found:
            metric, _ = Metric.objects.get_or_create(
                workspace=self.workspace, name=doc.name[:200], defaults={"title": doc.title[:300]}
            )
            metric.notebook = notebook
            metric.block_id = doc.block_id
            metric.definition = metric.definition or doc.definition
            metric.title = metric.title or doc.title[:300]
            metric.save(update_fields=["notebook", "block_id", "definition", "title"])
            upstream = _upstream_reads(version.edges, blocks, analyses, doc.block_id)
            names = [n for n in {*doc.reads, *upstream} if "." in n or "/" in n]
            if names:
                found_tables = get_or_create_tables(
                    names, workspace=self.workspace, connection=self.connection
                )
                metric.tables.add(*found_tables.values())
            if doc.description:
                facts.append(Fact(metric, "description", doc.description, RANKS["markdown"]))
            metrics.append(metric)
        return metrics

    def forget(self, notebook: Notebook) -> None:
        """A notebook deleted from its source no longer reads, writes or documents."""
        before = list(
            NotebookTable.objects.filter(notebook=notebook).values_list("table", flat=True)
        )
        NotebookTable.objects.filter(notebook=notebook).delete()
        Table.objects.filter(defined_by=notebook).update(defined_by=None, defined_in_block="")
        replace_harvested(origin=notebook.urn, facts=[])
        remove_from_index(notebook)
        index_tables(Table(pk=pk) for pk in before)

    def reharvest(self, notebook: Notebook) -> None:
        """Harvest a notebook's current version again from its stored blocks."""
        version = notebook.current_version
        if version is None:
            return
        rows = list(version.blocks.select_related("analysis").order_by("position"))
        blocks = [
            {"id": b.block_id, "kind": b.kind, "source": b.source, "metadata": b.metadata}
            for b in rows
        ]
        self.harvest(
            notebook=notebook,
            version=version,
            blocks=blocks,
            analyses=[b.analysis.data for b in rows],
        )


def _get(block, name):
    return block.get(name) if isinstance(block, Mapping) else getattr(block, name, None)


def _first_blocks(blocks: Sequence, analyses: Sequence[Mapping]) -> dict[str, str]:
    """Table name -> the first block that writes it, else the first that reads it."""
    found: dict[str, str] = {}
    for key in ("writes", "reads"):
        for block, analysis in zip(blocks, analyses, strict=True):
            for name in analysis.get(key, ()):
                found.setdefault(name, str(_get(block, "id")))
    return found


def _upstream_reads(edges, blocks, analyses, block_id: str) -> set[str]:
    """Tables read by the block and every block it depends on (through the block DAG)."""
    parents: dict[str, set[str]] = {}
    for source, target, _names in edges or ():
        parents.setdefault(target, set()).add(source)
    by_id = {str(_get(b, "id")): a for b, a in zip(blocks, analyses, strict=True)}
    seen, stack, reads = {block_id}, [block_id], set()
    while stack:
        current = stack.pop()
        reads.update(by_id.get(current, {}).get("reads", ()))
        for parent in parents.get(current, ()):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return reads


def _ensure_columns(
    tables: Mapping[str, Table], facts: Iterable[DocFact | tuple]
) -> dict[tuple[int, str], Column]:
    """(table id, column name) -> column, creating the columns the docs name."""
    by_pk = {t.pk: t for t in tables.values()}
    wanted: dict[tuple[int, str], str] = {}
    for fact in facts:
        if isinstance(fact, DocFact):
            if fact.column and fact.table in tables:
                key = (tables[fact.table].pk, fact.column)
                if fact.field == "data_type" or key not in wanted:
                    wanted[key] = fact.value if fact.field == "data_type" else wanted.get(key, "")
        else:
            table, column = fact
            by_pk[table.pk] = table
            wanted.setdefault((table.pk, column), "")
    if not wanted:
        return {}
    table_ids = {pk for pk, _ in wanted}
    existing = {
        (c.table_id, c.name): c
        for c in Column.objects.filter(table_id__in=table_ids, name__in={n for _, n in wanted})
    }
    positions = {pk: 1000 for pk in table_ids}  # documented-only columns go after real ones
    new = [
        Column(table_id=pk, name=name[:255], data_type=data_type[:255], position=positions[pk])
        for (pk, name), data_type in wanted.items()
        if (pk, name) not in existing
    ]
    if new:
        Column.objects.bulk_create(new, ignore_conflicts=True)
        # Only the rows just inserted are read back, for their ids.
        rows = Column.objects.filter(
            table_id__in={c.table_id for c in new}, name__in={c.name for c in new}
        )
        existing.update(((c.table_id, c.name), c) for c in rows)
    typed = [
        c
        for key, c in existing.items()
        if wanted.get(key) and not c.data_type and not by_pk[c.table_id].introspected_at
    ]
    for column in typed:
        column.data_type = wanted[(column.table_id, column.name)][:255]
    if typed:
        Column.objects.bulk_update(typed, ["data_type"])
    found = {}
    for key in wanted:
        if key in existing:
            found[key] = column = existing[key]
            column.table = by_pk[column.table_id]
    return found


def _table_facts(
    tables: Mapping[str, Table], columns: Mapping[tuple[int, str], Column], facts
) -> list[Fact]:
    out = []
    for fact in facts:
        if fact.field != "description" or fact.table not in tables:
            continue
        table = tables[fact.table]
        target = columns.get((table.pk, fact.column)) if fact.column else table
        if target is not None:
            detail = f"#{fact.block_id}" if fact.block_id else ""
            out.append(Fact(target, "description", fact.value, RANKS[fact.source], detail))
    return out


# --- catalog.yml -------------------------------------------------------------------------


def read_catalog_file(
    folder: Path, *, env: Mapping[str, str], base_dir: Path | None = None
) -> CatalogFile | None:
    """The folder's catalog.yml, parsed (None when there is none)."""
    path = Path(folder) / FILE_NAME
    if not path.is_file():
        return None
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
            harvester = NotebookHarvester(workspace)
            current = Notebook.objects.filter(workspace=workspace, is_deleted=False)
            for notebook in current.select_related("workspace", "current_version"):
                harvester.reharvest(notebook)
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
        for spec in catalog.tables:
            table = tables[normalize_table(spec.name)]
            wanted_columns += [(table, c.name) for c in spec.columns]
        columns = _ensure_columns(tables, wanted_columns)
        for spec in catalog.tables:
            table = tables[normalize_table(spec.name)]
            _claim_declared(table, workspace, _notebook_at(workspace, spec.notebook))
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
    """A table a workspace declares is that workspace's, unless another's notebook makes it."""
    updates = {}
    if table.defined_by_id is None or table.defined_by_id == getattr(notebook, "pk", None):
        if table.workspace_id != workspace.pk:
            updates["workspace"] = workspace
        if notebook is not None and table.defined_by_id != notebook.pk:
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
