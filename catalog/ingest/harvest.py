"""Assets from a batch of stored notebooks: tables, table uses, columns, docs, metrics.

`NotebookHarvester.harvest` runs inside the transaction that stores a batch of notebook
versions, once for the whole batch: every table name of the batch is resolved and looked
up together, table uses and documentation are written in a fixed number of statements, and
the search documents of the batch's notebooks and of the tables they use are written once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from django.db.models import Case, CharField, Q, Value, When

from accounts.audit import record_events
from accounts.models import AuditEvent, Workspace
from catalog.bulk import insert_rows, update_rows
from catalog.documentation.from_notebooks import DocFact, MetricDoc, NotebookDocs, harvest_notebook
from catalog.documentation.revisions import RANKS, Fact, replace_harvested_many
from catalog.formats import ParsedBlock
from catalog.models import (
    Column,
    Metric,
    Notebook,
    NotebookTable,
    NotebookVersion,
    Table,
    TableRole,
)
from catalog.search.index import index_metrics, index_notebooks_stored, index_tables
from catalog.search.index import remove_notebook as remove_from_index
from catalog.warehouse.tables import TableResolver, connection_for, get_or_create_tables
from lineage.analysis import NotebookLineage


@dataclass(frozen=True)
class Harvested:
    """One notebook of a batch: its now-current version, blocks and analysis."""

    notebook: Notebook
    version: NotebookVersion
    blocks: Sequence[ParsedBlock]
    lineage: NotebookLineage
    is_new: bool = False  # created in this transaction: it uses and defines nothing yet


@dataclass
class _Use:
    is_read: bool = False
    is_write: bool = False
    is_create: bool = False
    block_id: str = ""
    blocks: list[list[str]] = field(default_factory=list)


class NotebookHarvester:
    """Harvests the notebooks of one workspace; resolves its table names once per batch."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self._resolver: TableResolver | None = None

    @property
    def resolver(self) -> TableResolver:
        if self._resolver is None:
            self._resolver = TableResolver(connection_for(self.workspace))
        return self._resolver

    def create_tables(self, lineages: Iterable[NotebookLineage]) -> None:
        """Make the tables these notebooks read and write exist, committed at once (call it
        outside a transaction): tables are shared, and two ingests creating the same one in
        their batch transactions would wait for each other's commit."""
        names: dict[str, None] = {}
        for lineage in lineages:
            names.update(dict.fromkeys(lineage.reads + lineage.writes))
        get_or_create_tables(names, workspace=self.workspace, connection=self.resolver)

    def harvest(self, items: Sequence[Harvested]) -> None:
        """Tables, uses, columns, docs and metrics of a batch's new current versions."""
        if not items:
            return
        docs = [harvest_notebook(item.blocks, item.lineage) for item in items]
        named: dict[str, None] = {}
        for item, found in zip(items, docs, strict=True):
            named.update(dict.fromkeys(item.lineage.reads + item.lineage.writes))
            named.update(dict.fromkeys(f.table for f in found.facts))
            named.update(dict.fromkeys(t for m in found.metrics for t in m.reads))
        tables = get_or_create_tables(named, workspace=self.workspace, connection=self.resolver)
        before = self._replace_uses(items, tables)
        created = [_created(item.lineage, tables) for item in items]
        self._release_uncreated(items, created, tables)
        for item, made in zip(items, created, strict=True):
            self._claim_created(item.notebook, made)
        # A notebook documents only its own workspace's tables: another's stay as their
        # home documents them, however this notebook's markdown describes them.
        home = {name for name, t in tables.items() if t.workspace_id == self.workspace.pk}
        docs = [
            replace(found, facts=tuple(f for f in found.facts if f.table in home)) for found in docs
        ]
        audit_foreign_writes(self.workspace, items, tables)
        columns = ensure_columns(tables, [f for found in docs for f in found.facts])
        facts: dict[str, list[Fact]] = {}
        metrics: list[Metric] = []
        for item, found in zip(items, docs, strict=True):
            notebook_facts = facts[item.notebook.urn] = _table_facts(tables, columns, found.facts)
            metrics += self._harvest_metrics(item, found, notebook_facts)
        replace_harvested_many(facts)
        used = before | {t.pk for t in tables.values()}
        index_notebooks_stored([(i.notebook, i.version, i.blocks, i.lineage) for i in items], used)
        index_metrics(metrics)

    def _replace_uses(self, items: Sequence[Harvested], tables: Mapping[str, Table]) -> set[int]:
        """Make each notebook's `NotebookTable` rows what it now reads and writes, writing
        only the rows that changed. Returns the ids of the tables they used before."""
        wanted = {item.notebook.pk: table_uses(item.lineage, tables) for item in items}
        old = [item.notebook.pk for item in items if not item.is_new]
        existing = {
            (u.notebook_id, u.table_id): u
            for u in (NotebookTable.objects.filter(notebook_id__in=old) if old else ())
        }
        fields = ("is_read", "is_write", "is_create", "block_id", "blocks")
        stale = [u.pk for key, u in existing.items() if key[1] not in wanted[key[0]]]
        changed, new = [], []
        for notebook_id, uses in wanted.items():
            for table_id, use in uses.items():
                row = existing.get((notebook_id, table_id))
                if row is None:
                    new.append(
                        {
                            "notebook_id": notebook_id,
                            "table_id": table_id,
                            **{f: getattr(use, f) for f in fields},
                        }
                    )
                elif any(getattr(row, f) != getattr(use, f) for f in fields):
                    for f in fields:
                        setattr(row, f, getattr(use, f))
                    changed.append(row)
        if stale:
            NotebookTable.objects.filter(pk__in=stale).delete()
        if changed:
            update_rows(NotebookTable, fields, changed)
        insert_rows(NotebookTable, new)
        return {table_id for _, table_id in existing}

    def _release_uncreated(
        self,
        items: Sequence[Harvested],
        created: Sequence[Mapping[Table, str]],
        tables: Mapping[str, Table],
    ) -> None:
        """A notebook no longer defines the tables it no longer creates (one UPDATE)."""
        released = {item.notebook.pk for item in items if not item.is_new}
        if not released:  # notebooks created in this transaction define nothing yet
            return
        release = Q(pk__in=[])
        for item, made in zip(items, created, strict=True):
            if item.notebook.pk in released:
                release |= Q(defined_by=item.notebook) & ~Q(pk__in=[t.pk for t in made])
        Table.objects.filter(release).update(defined_by=None, defined_in_block="")
        kept = {
            (item.notebook.pk, t.pk)
            for item, made in zip(items, created, strict=True)
            for t in made
        }
        for table in tables.values():  # the batch's tables, as the UPDATE left them
            if table.defined_by_id in released and (table.defined_by_id, table.pk) not in kept:
                table.defined_by_id, table.defined_in_block = None, ""

    def _claim_created(self, notebook: Notebook, created: Mapping[Table, str]) -> None:
        """The notebook that creates a table defines it (the first one, if several do), if
        the table is its workspace's, or no workspace has settled it yet (declared or
        defined it): then it moves here, to its first definer, for good."""
        claims = {
            table: block_id
            for table, block_id in created.items()
            if table.warehouse != "file"
            and (table.workspace_id == self.workspace.pk or not table.home_is_settled)
            # Already this notebook's, from this block, in this workspace: nothing to write.
            and (table.defined_by_id, table.defined_in_block, table.workspace_id)
            != (notebook.pk, block_id, self.workspace.pk)
            # Another notebook defines it (perhaps one of this batch): it stays theirs.
            and table.defined_by_id in (None, notebook.pk)
        }
        if not claims:
            return
        # One UPDATE for all of them; the condition keeps a table another notebook defines.
        # The conditions again in SQL: a concurrent batch may have settled one meanwhile.
        Table.objects.filter(pk__in=sorted(t.pk for t in claims)).filter(
            Q(defined_by__isnull=True) | Q(defined_by=notebook)
        ).filter(Q(workspace=self.workspace) | Q(home_is_settled=False)).update(
            defined_by=notebook,
            defined_in_block=Case(
                *(When(pk=t.pk, then=Value(b)) for t, b in claims.items()),
                output_field=CharField(),
            ),
            workspace=self.workspace,
            home_is_settled=True,
        )
        for table, block_id in claims.items():
            table.defined_by_id, table.defined_in_block = notebook.pk, block_id
            table.workspace_id, table.home_is_settled = self.workspace.pk, True

    def _harvest_metrics(
        self, item: Harvested, docs: NotebookDocs, facts: list[Fact]
    ) -> list[Metric]:
        metrics = []
        for doc in docs.metrics:
            metric = self._metric(item, doc)
            if doc.description:
                facts.append(Fact(metric, "description", doc.description, RANKS["markdown"]))
            metrics.append(metric)
        return metrics

    def _metric(self, item: Harvested, doc: MetricDoc) -> Metric:
        metric, _ = Metric.objects.get_or_create(
            workspace=self.workspace, name=doc.name[:200], defaults={"title": doc.title[:300]}
        )
        metric.notebook = item.notebook
        metric.block_id = doc.block_id
        metric.definition = metric.definition or doc.definition
        metric.title = metric.title or doc.title[:300]
        metric.save(update_fields=["notebook", "block_id", "definition", "title"])
        upstream = {doc.block_id, *item.lineage.upstream(doc.block_id)}
        reads = {t for b in item.lineage.blocks if b.id in upstream for t in b.reads}
        names = [n for n in {*doc.reads, *reads} if "." in n or "/" in n]
        if names:
            found = get_or_create_tables(names, workspace=self.workspace, connection=self.resolver)
            metric.tables.add(*found.values())
        return metric

    def forget(self, notebook: Notebook) -> None:
        """A notebook deleted from its source no longer reads, writes or documents."""
        before = list(
            NotebookTable.objects.filter(notebook=notebook).values_list("table", flat=True)
        )
        NotebookTable.objects.filter(notebook=notebook).delete()
        Table.objects.filter(defined_by=notebook).update(defined_by=None, defined_in_block="")
        replace_harvested_many({notebook.urn: []})
        remove_from_index(notebook)
        index_tables(Table(pk=pk) for pk in before)

    def stored(self, notebooks: Iterable[Notebook]) -> list[Harvested]:
        """The current versions of ``notebooks`` as stored, to harvest them again."""
        found = []
        for notebook in notebooks:
            version = notebook.current_version
            if version is not None:
                rows = list(version.blocks.order_by("position"))
                lineage = NotebookLineage.from_json(version.lineage, [b.lineage for b in rows])
                found.append(Harvested(notebook, version, [b.as_parsed() for b in rows], lineage))
        return found


FOREIGN_WRITE = "table.written_elsewhere"


def audit_foreign_writes(
    workspace: Workspace, items: Sequence[Harvested], tables: Mapping[str, Table]
) -> None:
    """Note in each table's home log that another workspace's notebook writes it: once per
    notebook version and table (a re-harvest of the same version adds nothing)."""
    found: dict[tuple[int, str, int], AuditEvent] = {}
    for item in items:
        for name in item.lineage.writes:
            table = tables.get(name)
            if table is None or table.workspace_id == workspace.pk or table.warehouse == "file":
                continue
            key = (table.pk, item.notebook.urn, item.version.number)
            found[key] = AuditEvent(
                action=FOREIGN_WRITE,
                target_urn=table.urn,
                workspace_id=table.workspace_id,
                details={
                    "notebook": item.notebook.urn,
                    "version": item.version.number,
                    "writer_workspace": workspace.slug,
                    "home_kept": True,
                },
            )
    if not found:
        return
    seen = AuditEvent.objects.filter(
        action=FOREIGN_WRITE, target_urn__in={e.target_urn for e in found.values()}
    ).values_list("target_urn", "details")
    done = {(urn, d.get("notebook"), d.get("version")) for urn, d in seen}
    events = [
        e
        for e in found.values()
        if (e.target_urn, *(e.details[k] for k in ("notebook", "version"))) not in done
    ]
    record_events(events, actor=items[0].version.created_by or "system")


def _created(lineage: NotebookLineage, tables: Mapping[str, Table]) -> dict[Table, str]:
    """The tables a notebook creates -> the first block that creates each."""
    created: dict[Table, str] = {}
    for creation in lineage.creates:
        if creation.table in tables:
            created.setdefault(tables[creation.table], creation.block_id)
    return created


def table_uses(lineage: NotebookLineage, tables: Mapping[str, Table]) -> dict[int, _Use]:
    """Table id -> how the notebook uses it: read from outside, written, created; the first
    block that creates (else writes, else reads) it; and every block that uses it."""
    reads, writes = set(lineage.reads), set(lineage.writes)
    first: dict[str, str] = {}
    for creation in lineage.creates:
        first.setdefault(creation.table, creation.block_id)
    for role in ("writes", "reads"):
        for block in lineage.blocks:
            for name in getattr(block, role):
                first.setdefault(name, block.id)
    uses: dict[int, _Use] = {}
    created = {c.table for c in lineage.creates}
    for name in sorted(reads | writes):
        if name not in tables:
            continue
        use = uses.setdefault(tables[name].pk, _Use())
        use.is_read |= name in reads
        use.is_write |= name in writes
        use.is_create |= name in created
        use.block_id = use.block_id or first.get(name, "")
    for block in lineage.blocks:
        roles = [
            (name, TableRole.READS_BACK if name in block.reads_back else TableRole.READS)
            for name in sorted(block.reads)
        ] + [(name, TableRole.WRITES) for name in sorted(block.writes)]
        for name, role in roles:
            table = tables.get(name)
            if table is not None and table.pk in uses:
                entry = [block.id, str(role)]
                if entry not in uses[table.pk].blocks:
                    uses[table.pk].blocks.append(entry)
    return uses


def ensure_columns(
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
        for (pk, name), data_type in sorted(wanted.items())
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
