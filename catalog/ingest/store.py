"""Storing a batch of read and analysed notebooks: versions, blocks, assets, edges, audit.

A batch is written in one transaction, in a fixed number of statements whatever its size:
the new notebooks in one insert, their versions in one, every block in one (``COPY`` on
PostgreSQL), then the harvest, the search documents, the lineage edges and the audit events
once for the whole batch. When anything in it fails, the batch is rolled back and written
again one notebook per transaction, so that a bad notebook fails alone and leaves nothing
half-written, and the others are stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction
from django.utils import timezone

from accounts.audit import record_event, record_events
from accounts.models import AuditEvent, Workspace
from catalog.bulk import JsonText, insert_rows, update_rows
from catalog.formats import ParsedNotebook
from catalog.ingest.harvest import Harvested, NotebookHarvester
from catalog.models import Blob, Block, Notebook, NotebookVersion
from catalog.signals import StoredVersion, notebook_deleted, notebook_version_stored
from lineage.analysis import NotebookLineage
from lineage.analysis.notebook import block_json_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Existing:
    """What the catalog held for a notebook path when the ingest started."""

    notebook_id: int
    path: str
    file_hash: str | None
    is_deleted: bool
    content_hash: str | None


@dataclass
class Pending:
    """One notebook read from a file, waiting to be stored with its batch."""

    path: str
    file_path: str
    file_hash: str
    data: bytes
    parsed: ParsedNotebook
    content_hash: str
    title: str
    existing: Existing | None
    lineage: NotebookLineage | None = None


@dataclass(frozen=True)
class Outcome:
    """What storing one notebook did: new | changed | unchanged | deleted | failed."""

    path: str
    status: str
    notebook_id: int | None = None
    error: str = ""


# Runs inside each transaction that stores notebooks, with what it stored and whether it
# ends its batch (a batch written one notebook at a time takes several transactions).
Checkpoint = Callable[[list[Outcome], bool], None]


@dataclass
class _Written:
    pending: Pending
    notebook: Notebook
    version: NotebookVersion
    status: str
    is_new: bool = False
    number: int = 1
    blocks: list = field(default_factory=list)


class BatchWriter:
    """Writes batches of notebooks into one workspace."""

    def __init__(
        self,
        *,
        workspace: Workspace,
        actor,
        source: str,
        analyze: Callable[[Pending], NotebookLineage],
        checkpoint: Checkpoint | None = None,
    ):
        self.workspace = workspace
        self.actor = actor
        self.source = source
        self.analyze = analyze
        self.checkpoint = checkpoint  # runs in each batch's transaction, with its outcomes
        self.harvester = NotebookHarvester(workspace)

    def write(self, batch: Sequence[Pending], *, ends_batch: bool = True) -> list[Outcome]:
        """Store ``batch``; a notebook that cannot be stored fails alone."""
        if not batch:
            return []
        if len(batch) > 1 and not transaction.get_connection().in_atomic_block:
            self.harvester.create_tables(item.lineage for item in batch if item.lineage)
        try:
            with transaction.atomic():
                outcomes = self._write(batch)
                if self.checkpoint:
                    self.checkpoint(outcomes, ends_batch)
            return outcomes
        except Exception as exc:
            if len(batch) > 1:  # find the bad one: each notebook in a transaction of its own
                last = len(batch) - 1
                return [
                    outcome
                    for i, item in enumerate(batch)
                    for outcome in self.write([item], ends_batch=ends_batch and i == last)
                ]
            # A bug must not stop the ingest: logged with its traceback, reported, rolled back.
            log.exception("ingest of %s failed", batch[0].path)
            error = (
                "The database refused to store it."
                if isinstance(exc, DatabaseError)
                else "Internal error while storing it."
            )
            failed = [Outcome(batch[0].path, "failed", error=error)]
            if self.checkpoint:
                with transaction.atomic():
                    self.checkpoint(failed, ends_batch)
            return failed

    def _write(self, batch: Sequence[Pending]) -> list[Outcome]:
        blobs = {item.file_hash: item.data for item in batch}
        stored = set(Blob.objects.filter(sha256__in=list(blobs)).values_list("sha256", flat=True))
        insert_rows(
            Blob,
            [
                {"sha256": h, "data": d, "size_bytes": len(d)}
                for h, d in sorted(blobs.items())
                if h not in stored
            ],
        )
        known = [item.existing.notebook_id for item in batch if item.existing]
        locked = {
            n.pk: n
            for n in Notebook.objects.select_for_update(of=("self",))
            .select_related("current_version")
            .filter(pk__in=known)
            .order_by("pk")
        }
        created = iter(
            Notebook.objects.bulk_create(
                [
                    Notebook(
                        workspace=self.workspace,
                        path=item.path,
                        title=item.title,
                        file_path=item.file_path,
                    )
                    for item in batch
                    if item.existing is None
                ]
            )
        )
        written: list[_Written] = []
        kept: list[tuple[Pending, Notebook]] = []
        for item in batch:
            notebook = next(created) if item.existing is None else locked[item.existing.notebook_id]
            notebook.workspace = self.workspace  # spares a query for its URN
            current = notebook.current_version
            if current is not None and current.content_hash == item.content_hash:
                kept.append((item, notebook))
                continue
            if item.lineage is None:  # its content changed since the ingest looked
                item.lineage = self.analyze(item)
            status = "new" if current is None or notebook.is_deleted else "changed"
            version = NotebookVersion(
                notebook=notebook,
                number=(current.number + 1) if current else 1,
                content_hash=item.content_hash,
                file_hash=item.file_hash,
                blob_id=item.file_hash,
                format=item.parsed.format,
                format_version=item.parsed.format_version or "",
                language=item.parsed.language or "",
                source=self.source,
                created_by=self.actor,
                lineage=item.lineage.to_json(blocks=False),
            )
            written.append(_Written(item, notebook, version, status, item.existing is None))
        self._insert_versions(written)
        insert_rows(Block, [row for w in written for row in _block_rows(w)])
        self._make_current(written)
        restored = self._keep(kept)
        stored = [
            Harvested(w.notebook, w.version, w.pending.parsed.blocks, w.pending.lineage, w.is_new)
            for w in written
        ] + restored
        self.harvester.harvest(stored)
        _send_stored(stored, self.harvester)
        events = [
            AuditEvent(
                action=f"notebook.{'ingested' if w.status == 'new' else 'changed'}",
                target_urn=w.notebook.urn,
                workspace=self.workspace,
                details={
                    "version": w.version.number,
                    "content_hash": w.pending.content_hash,
                    "source": self.source,
                },
            )
            for w in written
        ]
        events += [
            AuditEvent(
                action="notebook.restored",
                target_urn=r.notebook.urn,
                workspace=self.workspace,
                details={"version": r.version.number, "source": self.source},
            )
            for r in restored
        ]
        record_events(events, actor=self.actor or "system")
        restored_ids = {r.notebook.pk for r in restored}
        return [Outcome(w.pending.path, w.status, w.notebook.pk) for w in written] + [
            Outcome(item.path, "new" if nb.pk in restored_ids else "unchanged", nb.pk)
            for item, nb in kept
        ]

    def _insert_versions(self, written: Sequence[_Written]) -> None:
        """One insert for the batch's versions, then one select for their ids."""
        now = timezone.now()
        rows = []
        for w in written:
            v = w.version
            v.created_at = now
            rows.append({f.attname: getattr(v, f.attname) for f in _VERSION_FIELDS})
        insert_rows(NotebookVersion, rows)
        wanted = {(w.notebook.pk, w.version.number): w.version for w in written}
        found = NotebookVersion.objects.filter(notebook_id__in=[n for n, _ in wanted]).values_list(
            "notebook_id", "number", "pk"
        )
        for notebook_id, number, pk in found:
            version = wanted.get((notebook_id, number))
            if version is not None:
                version.pk = version.id = pk
                version._state.adding = False

    def _make_current(self, written: Sequence[_Written]) -> None:
        now = timezone.now()
        for w in written:
            notebook, item = w.notebook, w.pending
            notebook.current_version = w.version
            notebook.title = item.title
            notebook.file_path = item.file_path
            notebook.file_hash = item.file_hash
            notebook.is_deleted = False
            notebook.updated_at = now
        update_rows(
            Notebook,
            ["current_version", "title", "file_path", "file_hash", "is_deleted", "updated_at"],
            [w.notebook for w in written],
        )

    def _keep(self, kept: Sequence[tuple[Pending, Notebook]]) -> list[Harvested]:
        """Same content from a changed file (another notebook of its project changed):
        only the file's hash moves on; a deleted notebook that came back is harvested again."""
        if not kept:
            return []
        now = timezone.now()
        restored = [notebook for _, notebook in kept if notebook.is_deleted]
        for item, notebook in kept:
            notebook.file_hash, notebook.is_deleted, notebook.updated_at = (
                item.file_hash,
                False,
                now,
            )
        update_rows(Notebook, ["file_hash", "is_deleted", "updated_at"], [n for _, n in kept])
        return self.harvester.stored(restored)

    def mark_deleted(self, existing: Existing) -> Outcome | None:
        """A notebook gone from its source: kept, marked deleted, its assets released."""
        if existing.is_deleted:
            return None
        with transaction.atomic():
            updated = Notebook.objects.filter(pk=existing.notebook_id, is_deleted=False).update(
                is_deleted=True
            )
            if not updated:
                return None
            notebook = Notebook.objects.select_related("workspace").get(pk=existing.notebook_id)
            self.harvester.forget(notebook)
            notebook_deleted.send(Notebook, notebook=notebook)
            record_event(
                actor=self.actor or "system",
                action="notebook.deleted",
                target_urn=notebook.urn,
                workspace=self.workspace,
                details={"source": self.source},
            )
            outcome = Outcome(existing.path, "deleted", existing.notebook_id)
            if self.checkpoint:
                self.checkpoint([outcome], False)
        return outcome


_VERSION_FIELDS = [f for f in NotebookVersion._meta.concrete_fields if not f.primary_key]


def _block_rows(written: _Written) -> Iterable[dict]:
    version_id = written.version.pk
    for position, (block, found) in enumerate(
        zip(written.pending.parsed.blocks, written.pending.lineage.blocks, strict=True)
    ):
        yield {
            "version_id": version_id,
            "position": position,
            "block_id": block.id,
            "kind": block.kind,
            "source": block.source,
            "variable": block.variable or "",
            "metadata": block.metadata,
            "outputs": list(block.outputs),
            "execution_count": block.execution_count,
            "lineage": JsonText(block_json_text(found)),
        }


def _send_stored(stored: Sequence[Harvested], harvester: NotebookHarvester) -> None:
    if stored:
        notebook_version_stored.send(
            Notebook,
            stored=[StoredVersion(s.notebook, s.version, s.lineage) for s in stored],
            resolver=harvester.resolver,
        )


def reharvest(workspace: Workspace, notebooks: Iterable[Notebook]) -> None:
    """Harvest notebooks' current versions again from what is stored (the workspace's
    connection changed what their table names mean), in the caller's transaction."""
    harvester = NotebookHarvester(workspace)
    stored = harvester.stored(notebooks)
    harvester.harvest(stored)
    _send_stored(stored, harvester)
