"""Turning notebook files into versioned catalog rows.

Files are read, hashed (an unchanged file costs nothing more) and parsed one by one, and
their notebooks analysed; they are stored in batches (`catalog.ingest.store`), each batch
in one transaction with its assets, search documents, lineage edges and audit events. A
file that cannot be read is recorded with its reason and the ingest goes on.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import transaction

from accounts.audit import record_event
from accounts.checkpoints import checkpoint_after_commit
from accounts.errors import InvalidInput
from accounts.models import Workspace
from catalog.formats import FormatError, ParsedNotebook, read_notebook_file
from catalog.ingest.analysis import BlockFactsCache
from catalog.ingest.sources import SourceFile, normalize_path
from catalog.ingest.store import BatchWriter, Existing, Outcome, Pending
from catalog.models import Notebook

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

    def add(self, outcomes: Iterable[Outcome]) -> None:
        for outcome in outcomes:
            if outcome.status == "failed":
                self.fail(outcome.path, outcome.error)
                continue
            setattr(self, outcome.status, getattr(self, outcome.status) + 1)
            if outcome.status in ("new", "changed"):
                self.notebooks.append(outcome.notebook_id)

    def merge(self, other: IngestReport) -> None:
        for name in ("new", "changed", "unchanged", "deleted", "failed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors
        self.notebooks += other.notebooks


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


class Ingestor:
    """One ingest of files into one workspace.

    ``checkpoint`` (a job's chunk bookkeeping) runs inside every transaction that stores
    notebooks, with what that transaction recorded (a report) and how many more files it
    completes, so that what a job records as done is exactly what was committed.
    """

    def __init__(
        self,
        *,
        actor,
        workspace: Workspace,
        source: str,
        progress: Progress | None,
        checkpoint: Callable[[IngestReport, int], None] | None = None,
    ):
        self.actor = actor if getattr(actor, "is_authenticated", False) else None
        self.workspace = workspace
        self.source = source
        self.progress = progress
        self.checkpoint = checkpoint
        self.report = IngestReport()
        self.existing: dict[str, list[Existing]] = {}
        rows = Notebook.objects.filter(workspace=workspace).values_list(
            "id", "path", "file_path", "file_hash", "is_deleted", "current_version__content_hash"
        )
        for notebook_id, path, file_path, file_hash, is_deleted, content_hash in rows:
            self.existing.setdefault(file_path, []).append(
                Existing(notebook_id, path, file_hash, is_deleted, content_hash)
            )
        self.seen_files: set[str] = set()
        self.facts = BlockFactsCache()
        self.writer = BatchWriter(
            workspace=workspace,
            actor=self.actor,
            source=source,
            analyze=lambda item: self.facts.analyze(item.parsed.blocks),
            checkpoint=self._checkpoint if checkpoint else None,
        )
        self._pending: list[Pending] = []
        self._pending_blocks = 0
        self._gone: list[Existing] = []
        self._files = 0  # files read
        self._total: int | None = None
        # What the checkpoint has not recorded yet: files read, failures and unchanged files.
        self._unrecorded_files = 0
        self._unrecorded = IngestReport()

    # -- reading ------------------------------------------------------------------------

    def run(self, files: Iterable[SourceFile], *, total: int | None = None) -> IngestReport:
        self._total = total
        for item in files:
            self.ingest_file(item.path, item.read)
        self.flush()
        return self.report

    def ingest_file(self, raw_path: str, read: Callable[[], bytes]) -> None:
        self._read_file(raw_path, read)
        self._files += 1
        self._unrecorded_files += 1
        # A file's notebooks are never split across batches: a project file may make a
        # larger one.
        if (
            len(self._pending) >= settings.INGEST_BATCH_NOTEBOOKS
            or self._pending_blocks >= settings.INGEST_BATCH_BLOCKS
        ):
            self.flush()
        elif self.progress:
            self.progress(self._files, self._total)

    def _fail(self, path: str, error: str) -> None:
        self.report.fail(path, error)
        self._unrecorded.fail(path, error)

    def _read_file(self, raw_path: str, read: Callable[[], bytes]) -> None:
        try:
            path = normalize_path(raw_path)
        except InvalidInput as exc:
            self._fail(str(raw_path), exc.message)
            return
        if path in self.seen_files:
            self._fail(path, f"Duplicate path '{path}' in this batch; the first was kept.")
            return
        self.seen_files.add(path)
        try:
            data = read()
        except OSError as exc:
            self._fail(path, f"Cannot read the file: {exc.strerror or exc}")
            return
        except InvalidInput as exc:
            self._fail(path, exc.message)
            return
        if len(data) > settings.MAX_NOTEBOOK_BYTES:
            limit_mb = settings.MAX_NOTEBOOK_BYTES // (1024 * 1024)
            self._fail(path, f"The file is larger than the {limit_mb} MB limit.")
            return
        file_hash = _sha256(data)
        known = self.existing.get(path, [])
        if known and all(e.file_hash == file_hash and not e.is_deleted for e in known):
            self.report.unchanged += len(known)
            self._unrecorded.unchanged += len(known)
            return
        try:
            parsed = read_notebook_file(data, posixpath.basename(path))
        except FormatError as exc:
            self._fail(path, str(exc))
            return
        if not parsed:
            self._fail(path, "The file holds no notebook.")
            return
        self._queue_file(path, data, file_hash, parsed, known)

    def _queue_file(self, path, data, file_hash, parsed, known: list[Existing]) -> None:
        paths = _notebook_paths(path, parsed)
        if len(set(paths)) != len(paths):
            self._fail(path, "Two notebooks in this project have the same name.")
            return
        by_path = {e.path: e for e in known}
        single = len(parsed) == 1 and paths[0] == path
        for nb_path, notebook in zip(paths, parsed, strict=True):
            existing = by_path.get(nb_path)
            content_hash = _content_hash(file_hash, notebook, single)
            self._pending.append(
                Pending(
                    path=nb_path,
                    file_path=path,
                    file_hash=file_hash,
                    data=data,
                    parsed=notebook,
                    content_hash=content_hash,
                    title=(notebook.title or notebook.name or posixpath.basename(nb_path))[:500],
                    existing=existing,
                )
            )
            self._pending_blocks += len(notebook.blocks)
        # Notebooks that left a multi-notebook project are deleted, like a removed file.
        self._gone += [by_path[gone] for gone in sorted(set(by_path) - set(paths))]

    # -- storing ------------------------------------------------------------------------

    def flush(self) -> None:
        """Store the notebooks read so far, as one batch, and forget what left a project."""
        batch, self._pending, self._pending_blocks = self._pending, [], 0
        gone, self._gone = self._gone, []
        changed = [p for p in batch if p.existing and p.existing.content_hash != p.content_hash]
        self.facts.load_versions(_current_versions(changed))
        for item in batch:
            if item.existing is None or item.existing.content_hash != item.content_hash:
                item.lineage = self.facts.analyze(item.parsed.blocks)
        self.report.add(self.writer.write(batch))
        for existing in gone:
            if outcome := self.writer.mark_deleted(existing):
                self.report.add([outcome])
        if (
            self.checkpoint
            and not batch
            and (self._unrecorded_files or self._unrecorded.failed or self._unrecorded.unchanged)
        ):
            with transaction.atomic():
                self._checkpoint([], True)
        if self.progress:
            self.progress(self._files, self._total)

    def _checkpoint(self, outcomes: list[Outcome], ends_batch: bool) -> None:
        delta, self._unrecorded = self._unrecorded, IngestReport()
        delta.add(outcomes)
        files = 0
        if ends_batch:  # every file read so far is now stored (or failed, or unchanged)
            files, self._unrecorded_files = self._unrecorded_files, 0
        self.checkpoint(delta, files)

    def mark_missing_deleted(self, listing: Iterable[str] | None = None) -> None:
        """After a complete listing (the files seen, unless given), notebooks whose file
        is not in it are marked deleted."""
        seen = self.seen_files if listing is None else set(listing)
        for file_path, entries in self.existing.items():
            if file_path not in seen:
                for entry in entries:
                    if outcome := self.writer.mark_deleted(entry):
                        self.report.add([outcome])


def _current_versions(items: Iterable[Pending]) -> list[int]:
    ids = [item.existing.notebook_id for item in items if item.existing]
    if not ids:
        return []
    return list(
        Notebook.objects.filter(pk__in=ids, current_version__isnull=False).values_list(
            "current_version_id", flat=True
        )
    )


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
    record_ingested(ingestor.actor, workspace, source, ingestor.report)
    return ingestor.report


def record_ingested(actor, workspace: Workspace, source: str, report: IngestReport) -> None:
    with transaction.atomic():
        record_event(
            actor=actor or "system",
            action="workspace.ingested",
            target_urn=workspace.urn,
            workspace=workspace,
            details={"source": source, **report.as_json()},
        )
        checkpoint_after_commit()


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
    ingestor.flush()
    checkpoint_after_commit()
    return ingestor.report
