"""Turning notebook files into versioned catalog rows.

Each notebook is written in its own transaction, together with its audit event;
a file that cannot be read is recorded with its reason and the batch goes on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.audit import record_event
from accounts.errors import InvalidInput
from accounts.models import Workspace
from catalog.formats import FormatError, ParsedNotebook, read_notebook_file
from catalog.ingest.analysis import analysis_key, analyze_notebook
from catalog.ingest.harvest import NotebookHarvester
from catalog.ingest.sources import SourceFile, normalize_path
from catalog.models import Blob, Block, BlockAnalysis, Notebook, NotebookVersion
from catalog.signals import notebook_deleted, notebook_version_stored
from urns import AssetKind

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]


@dataclass
class IngestReport:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: int = 0
    errors: list[dict] = field(default_factory=list)
    notebooks: list[int] = field(default_factory=list)  # ids touched, for callers

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("notebooks")
        return data

    def fail(self, path: str, error: str) -> None:
        self.failed += 1
        self.errors.append({"path": path, "error": error})


@dataclass(frozen=True)
class _Existing:
    notebook_id: int
    path: str
    file_hash: str | None
    is_deleted: bool


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _notebook_paths(file_path: str, parsed: tuple[ParsedNotebook, ...]) -> list[str]:
    """One path per notebook: the file's own, or ``file/name`` inside a multi-notebook project."""
    if len(parsed) == 1 and not file_path.endswith(".deepnote"):
        return [file_path]
    paths = []
    for index, notebook in enumerate(parsed):
        name = re.sub(r"[/\\\x00-\x1f]+", "-", (notebook.name or "").strip()) or f"notebook-{index}"
        paths.append(f"{file_path}/{name}")
    return paths


def _content_hash(file_hash: str, parsed: ParsedNotebook, is_single: bool) -> str:
    if is_single:
        return file_hash
    canonical = json.dumps(
        [[b.id, b.kind, b.source, b.variable, b.metadata] for b in parsed.blocks],
        sort_keys=True,
        default=str,
    )
    return _sha256(canonical.encode("utf-8", "surrogatepass"))


_BLOCK_COLUMNS = (
    "version_id",
    "position",
    "block_id",
    "kind",
    "source",
    "variable",
    "metadata",
    "outputs",
    "execution_count",
    "analysis_key",
)
_JSON_COLUMNS = {"metadata", "outputs"}


def _insert_blocks(version_id: int, blocks, keys: list[str]) -> None:
    """One executemany for a version's blocks.

    The ORM's bulk_create spent most of an ingest building model instances and
    preparing each field; these rows are plain values, so they go in directly.
    """
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    placeholders = ", ".join(f"%s{cast}" if c in _JSON_COLUMNS else "%s" for c in _BLOCK_COLUMNS)
    table = connection.ops.quote_name(Block._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _BLOCK_COLUMNS)
    rows = [
        (
            version_id,
            position,
            block.id,
            block.kind,
            block.source,
            block.variable or "",
            json.dumps(block.metadata),
            json.dumps(list(block.outputs)),
            block.execution_count,
            key,
        )
        for position, (block, key) in enumerate(zip(blocks, keys, strict=True))
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


class Ingestor:
    """One batch of files into one workspace."""

    def __init__(self, *, actor, workspace: Workspace, source: str, progress: Progress | None):
        self.actor = actor if getattr(actor, "is_authenticated", False) else None
        self.workspace = workspace
        self.source = source
        self.progress = progress
        self.report = IngestReport()
        self.existing: dict[str, list[_Existing]] = {}
        rows = Notebook.objects.filter(workspace=workspace).values_list(
            "id", "path", "file_path", "file_hash", "is_deleted"
        )
        for notebook_id, path, file_path, file_hash, is_deleted in rows:
            self.existing.setdefault(file_path, []).append(
                _Existing(notebook_id, path, file_hash, is_deleted)
            )
        self.seen_files: set[str] = set()
        self.analyses: dict[str, dict] = {}  # analysis key -> result, for this batch
        self.harvester = NotebookHarvester(workspace)

    def run(self, files: Iterable[SourceFile], *, total: int | None = None) -> IngestReport:
        for done, item in enumerate(files, start=1):
            self.ingest_file(item.path, item.read)
            if self.progress:
                self.progress(done, total)
        return self.report

    def ingest_file(self, raw_path: str, read: Callable[[], bytes]) -> None:
        try:
            path = normalize_path(raw_path)
        except InvalidInput as exc:
            self.report.fail(str(raw_path), exc.message)
            return
        if path in self.seen_files:
            self.report.fail(path, f"Duplicate path '{path}' in this batch; the first was kept.")
            return
        self.seen_files.add(path)
        try:
            data = read()
        except OSError as exc:
            self.report.fail(path, f"Cannot read the file: {exc.strerror or exc}")
            return
        except InvalidInput as exc:
            self.report.fail(path, exc.message)
            return
        if len(data) > settings.MAX_NOTEBOOK_BYTES:
            limit_mb = settings.MAX_NOTEBOOK_BYTES // (1024 * 1024)
            self.report.fail(path, f"The file is larger than the {limit_mb} MB limit.")
            return
        file_hash = _sha256(data)
        known = self.existing.get(path, [])
        if known and all(e.file_hash == file_hash and not e.is_deleted for e in known):
            self.report.unchanged += len(known)
            return
        try:
            parsed = read_notebook_file(data, posixpath.basename(path))
        except FormatError as exc:
            self.report.fail(path, str(exc))
            return
        if not parsed:
            self.report.fail(path, "The file holds no notebook.")
            return
        self._store_file(path, data, file_hash, parsed, known)

    def _store_file(self, path, data, file_hash, parsed, known: list[_Existing]) -> None:
        paths = _notebook_paths(path, parsed)
        if len(set(paths)) != len(paths):
            self.report.fail(path, "Two notebooks in this project have the same name.")
            return
        by_path = {e.path: e for e in known}
        single = len(parsed) == 1 and paths[0] == path
        blob_saved = False
        for nb_path, notebook in zip(paths, parsed, strict=True):
            try:
                outcome = self._store_notebook(
                    nb_path,
                    path,
                    data,
                    file_hash,
                    notebook,
                    single,
                    by_path.get(nb_path),
                    blob_saved,
                )
                blob_saved = True
            except Exception:
                # A bug must not stop the batch, and its transaction has rolled back.
                log.exception("ingest of %s failed", nb_path)
                self.report.fail(nb_path, "Internal error while storing this notebook.")
                continue
            setattr(self.report, outcome, getattr(self.report, outcome) + 1)
        # Notebooks that left a multi-notebook project are deleted, like a removed file.
        for gone in set(by_path) - set(paths):
            self._mark_deleted(by_path[gone])

    def _known_analyses(self, keys: list[str]) -> dict[str, dict]:
        missing = set(keys) - self.analyses.keys()
        if missing:
            rows = BlockAnalysis.objects.filter(key__in=missing).values_list("key", "data")
            self.analyses.update(rows)
        return self.analyses

    def _store_notebook(
        self,
        nb_path,
        file_path,
        data,
        file_hash,
        parsed: ParsedNotebook,
        single,
        existing,
        blob_saved,
    ) -> str:
        content_hash = _content_hash(file_hash, parsed, single)
        keys = [analysis_key(b) for b in parsed.blocks]
        known = self._known_analyses(keys)
        analysis = analyze_notebook(parsed.blocks, keys, known)
        fresh = {
            key: result
            for key, result in zip(keys, analysis.blocks, strict=True)
            if key not in known
        }
        title = (parsed.title or parsed.name or posixpath.basename(nb_path))[:500]
        with transaction.atomic():
            if not blob_saved:
                Blob.objects.bulk_create(
                    [Blob(sha256=file_hash, data=data, size_bytes=len(data))],
                    ignore_conflicts=True,
                )
            if existing is None:
                notebook = Notebook.objects.create(
                    workspace=self.workspace, path=nb_path, title=title, file_path=file_path
                )
                created, current = True, None
            else:
                notebook = (
                    Notebook.objects.select_for_update(of=("self",))
                    .select_related("current_version")
                    .get(pk=existing.notebook_id)
                )
                created, current = False, notebook.current_version
            notebook.workspace = self.workspace  # spares a query for its URN
            if current is not None and current.content_hash == content_hash:
                return self._keep_version(notebook, current, file_hash)
            number = (current.number + 1) if current else 1
            version = NotebookVersion.objects.create(
                notebook=notebook,
                number=number,
                content_hash=content_hash,
                file_hash=file_hash,
                blob_id=file_hash,
                format=parsed.format,
                format_version=parsed.format_version or "",
                language=parsed.language or "",
                source=self.source,
                created_by=self.actor,
                reads=analysis.reads,
                writes=analysis.writes,
                column_edges=analysis.column_edges,
                runs_notebooks=analysis.runs,
                edges=analysis.edges,
            )
            if fresh:
                BlockAnalysis.objects.bulk_create(
                    [BlockAnalysis(key=k, data=v) for k, v in fresh.items()],
                    ignore_conflicts=True,
                )
            _insert_blocks(version.pk, parsed.blocks, keys)
            was_deleted = notebook.is_deleted
            current_fields = {
                "current_version": version,
                "title": title,
                "file_path": file_path,
                "file_hash": file_hash,
                "is_deleted": False,
                "updated_at": timezone.now(),
            }
            Notebook.objects.filter(pk=notebook.pk).update(**current_fields)
            for name, value in current_fields.items():  # the harvest and receivers read them
                setattr(notebook, name, value)
            self.harvester.harvest(
                notebook=notebook,
                version=version,
                blocks=parsed.blocks,
                analyses=analysis.blocks,
                is_new=created,
            )
            notebook_version_stored.send(
                Notebook,
                notebook=notebook,
                version=version,
                blocks=parsed.blocks,
                analyses=analysis.blocks,
                connection=self.harvester.connection,
            )
            outcome = "new" if created or was_deleted or current is None else "changed"
            record_event(
                actor=self.actor or "system",
                action=f"notebook.{'ingested' if outcome == 'new' else 'changed'}",
                target_urn=AssetKind.NOTEBOOK.urn(self.workspace.slug, nb_path),
                workspace=self.workspace,
                details={"version": number, "content_hash": content_hash, "source": self.source},
            )
        self.analyses.update(fresh)
        self.report.notebooks.append(notebook.pk)
        return outcome

    def _keep_version(self, notebook: Notebook, current: NotebookVersion, file_hash: str) -> str:
        """Same content from a changed file (another notebook of its project changed)."""
        restored = notebook.is_deleted
        notebook.is_deleted = False
        notebook.file_hash = file_hash
        notebook.save(update_fields=["is_deleted", "file_hash", "updated_at"])
        if restored:
            self.harvester.reharvest(notebook)
            notebook_version_stored.send(Notebook, notebook=notebook, version=current)
            record_event(
                actor=self.actor or "system",
                action="notebook.restored",
                target_urn=notebook.urn,
                workspace=self.workspace,
                details={"version": current.number, "source": self.source},
            )
        return "new" if restored else "unchanged"

    def _mark_deleted(self, existing: _Existing) -> None:
        if existing.is_deleted:
            return
        with transaction.atomic():
            updated = Notebook.objects.filter(pk=existing.notebook_id, is_deleted=False).update(
                is_deleted=True
            )
            if updated:
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
                self.report.deleted += 1

    def mark_missing_deleted(self) -> None:
        """After a complete listing, notebooks whose file was not seen are marked deleted."""
        for file_path, entries in self.existing.items():
            if file_path not in self.seen_files:
                for entry in entries:
                    self._mark_deleted(entry)


def ingest_files(
    *,
    actor,
    workspace: Workspace,
    files: Iterable[SourceFile],
    source: str,
    complete: bool,
    total: int | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest ``files`` into ``workspace``.

    ``complete`` says the files are the whole workspace (a folder or a server's
    tree), so notebooks missing from them are marked deleted.
    """
    ingestor = Ingestor(actor=actor, workspace=workspace, source=source, progress=progress)
    ingestor.run(files, total=total)
    if complete:
        ingestor.mark_missing_deleted()
    with transaction.atomic():
        record_event(
            actor=ingestor.actor or "system",
            action="workspace.ingested",
            target_urn=workspace.urn,
            workspace=workspace,
            details={"source": source, **ingestor.report.as_json()},
        )
    return ingestor.report


def ingest_upload(
    *, actor, workspace: Workspace, filename: str, data: bytes, path: str | None = None
) -> IngestReport:
    """Ingest one uploaded file; ``path`` defaults to the file's name."""
    target = normalize_path(path or filename)
    if path and posixpath.splitext(target)[1].lower() != posixpath.splitext(filename)[1].lower():
        raise InvalidInput(
            f"The path '{target}' and the file '{filename}' have different extensions.",
            field="path",
        )
    ingestor = Ingestor(actor=actor, workspace=workspace, source="upload", progress=None)
    ingestor.ingest_file(target, lambda: data)
    return ingestor.report
