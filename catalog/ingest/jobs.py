"""Large ingests as jobs: a folder's files split into chunks that workers ingest in parallel.

`create_folder_job` lists the folder, applies its catalog.yml warehouse (so that every
chunk resolves tables against it) and writes the job and its chunks. `run_chunk` ingests
one chunk; its progress, counts and errors move in the same transaction as the notebooks
they count, so a worker killed mid-chunk leaves nothing half-written and a retry goes on
where the last commit left off (an unchanged file costs nothing: content hashes make it
idempotent). The last chunk to finish finishes the job: notebooks whose file is gone are
marked deleted, the catalog.yml declarations applied, the ingest audited.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.errors import DomainError, InvalidInput
from accounts.models import Workspace
from catalog.ingest.catalog_file import CatalogFileError
from catalog.ingest.declared import apply_catalog_file, ensure_connection, read_catalog_file
from catalog.ingest.pipeline import Ingestor, IngestReport, Progress, record_ingested
from catalog.ingest.sources import SourceFile
from catalog.ingest.sources.folder import iter_folder
from catalog.models import IngestChunk, IngestJob, IngestStatus

log = logging.getLogger(__name__)

# Files per chunk: enough to amortise a worker's start, few enough to spread over workers.
CHUNK_FILES = 500
_COUNTS = ("new", "changed", "unchanged", "deleted", "failed")


def create_folder_job(
    *,
    actor,
    workspace: Workspace,
    root: Path,
    env: Mapping[str, str] | None = None,
    chunk_files: int = CHUNK_FILES,
) -> IngestJob:
    """The job (and its chunks) that ingests the folder ``root`` into ``workspace``.

    A folder that cannot be listed, or whose catalog.yml cannot be read, is refused here,
    before anything is written.
    """
    root = Path(root).resolve()
    paths = [item.path for item in iter_folder(root)]
    catalog = _catalog_of(root, env)
    with transaction.atomic():
        if catalog is not None and catalog.warehouse is not None:
            ensure_connection(actor=actor, workspace=workspace, spec=catalog.warehouse)
        job = IngestJob.objects.create(
            workspace=workspace,
            source=f"folder:{root}",
            total=len(paths),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        step = max(1, chunk_files)
        IngestChunk.objects.bulk_create(
            IngestChunk(job=job, index=i, paths=paths[start : start + step])
            for i, start in enumerate(range(0, len(paths), step))
        )
    return job


def _catalog_of(root: Path, env: Mapping[str, str] | None):
    try:
        return read_catalog_file(root, env=os.environ if env is None else env, base_dir=Path.cwd())
    except CatalogFileError as exc:
        raise InvalidInput(str(exc)) from exc


def _root(job: IngestJob) -> Path:
    return Path(job.source.removeprefix("folder:"))


def _files(root: Path, wanted: Iterable[str]) -> Iterator[SourceFile]:
    """The chunk's files as the folder source lists them (its checks apply), in order."""
    wanted = list(wanted)
    listed = {item.path: item for item in iter_folder(root)} if wanted else {}
    for path in wanted:
        item = listed.get(path)
        if item is not None:
            yield item
        else:  # gone since the job was made: recorded, like any unreadable file
            yield SourceFile(path, _gone(path))


def _gone(path: str):
    def read() -> bytes:
        raise FileNotFoundError(2, "No such file", path)

    return read


def run_chunk(chunk_id: int, *, progress: Progress | None = None, worker: str = "") -> IngestChunk:
    """Ingest one chunk (again from where it stopped, if a worker died in it)."""
    with transaction.atomic():
        chunk = IngestChunk.objects.select_for_update().select_related("job").get(pk=chunk_id)
        if chunk.status != IngestStatus.RUNNING:
            return chunk  # a finished chunk delivered twice: nothing to do
        chunk.attempts += 1
        chunk.worker = f"{worker or socket.gethostname()}:{os.getpid()}"
        chunk.save(update_fields=["attempts", "worker"])
    job = IngestJob.objects.select_related("workspace", "created_by").get(pk=chunk.job_id)

    def checkpoint(delta: IngestReport, files: int) -> None:
        # In the transaction of the notebooks it counts: committed, or not at all, with them.
        row = IngestChunk.objects.select_for_update().get(pk=chunk.pk)
        row.done += files
        row.counts = _added(row.counts, delta)
        row.errors = row.errors + delta.errors
        row.save(update_fields=["done", "counts", "errors"])
        if files:
            IngestJob.objects.filter(pk=job.pk).update(done=F("done") + files)

    ingestor = Ingestor(
        actor=job.created_by,
        workspace=job.workspace,
        source=job.source,
        progress=progress,
        checkpoint=checkpoint,
    )
    status = IngestStatus.SUCCEEDED
    try:
        ingestor.run(_files(_root(job), chunk.paths[chunk.done :]), total=len(chunk.paths))
    except DomainError as exc:  # the folder itself went away or became unreadable
        log.warning("chunk %s of ingest %s stopped: %s", chunk.index, job.pk, exc.message)
        status = IngestStatus.FAILED
        IngestChunk.objects.filter(pk=chunk.pk).update(
            errors=[*chunk.errors, {"path": str(_root(job)), "error": exc.message}]
        )
    with transaction.atomic():
        IngestChunk.objects.filter(pk=chunk.pk).update(status=status, finished_at=timezone.now())
    finish_job(job.pk)
    return IngestChunk.objects.get(pk=chunk.pk)


def _added(counts: Mapping[str, int], delta: IngestReport) -> dict[str, int]:
    return {name: counts.get(name, 0) + getattr(delta, name) for name in _COUNTS}


def finish_job(job_id: int) -> IngestJob:
    """Once every chunk of a job has finished: the folder-wide steps, once, by whoever
    finishes last (its row lock keeps two from doing it)."""
    with transaction.atomic():
        job = (
            IngestJob.objects.select_for_update(of=("self",))
            .select_related("workspace", "created_by")
            .get(pk=job_id)
        )
        chunks = list(job.chunks.all())
        if job.status != IngestStatus.RUNNING or any(
            c.status == IngestStatus.RUNNING for c in chunks
        ):
            return job
        report = IngestReport()
        for chunk in chunks:
            for name in _COUNTS:
                setattr(report, name, getattr(report, name) + chunk.counts.get(name, 0))
            report.errors += chunk.errors
        failed = any(c.status == IngestStatus.FAILED for c in chunks)
        if not failed:
            _finish_folder(job, [p for c in chunks for p in c.paths], report)
        record_ingested(job.created_by, job.workspace, job.source, report)
        job.counts = {name: getattr(report, name) for name in _COUNTS}
        job.errors = report.errors
        job.done = sum(c.done for c in chunks)
        job.status = IngestStatus.FAILED if failed else IngestStatus.SUCCEEDED
        job.finished_at = timezone.now()
        job.save()
    return job


def _finish_folder(job: IngestJob, listing: list[str], report: IngestReport) -> None:
    ingestor = Ingestor(
        actor=job.created_by, workspace=job.workspace, source=job.source, progress=None
    )
    ingestor.mark_missing_deleted(listing)
    report.deleted += ingestor.report.deleted
    try:
        catalog = _catalog_of(_root(job), None)
    except InvalidInput as exc:  # changed since the job started: the notebooks stay stored
        report.errors.append({"path": "catalog.yml", "error": exc.message})
        return
    if catalog is not None:
        apply_catalog_file(actor=job.created_by, workspace=job.workspace, catalog=catalog)


def run_job_here(job: IngestJob, *, progress: Progress | None = None) -> IngestJob:
    """Every chunk of ``job`` in this process, one after another (no workers), with
    ``progress`` counting files across chunks."""
    offset = 0
    for chunk in job.chunks.order_by("index"):

        def chunk_progress(done: int, _total: int | None, base=offset) -> None:
            if progress:
                progress(base + done, job.total)

        run_chunk(chunk.pk, progress=chunk_progress)
        offset += len(chunk.paths)
    return IngestJob.objects.get(pk=job.pk)
