"""Large ingests as background jobs with progress (a Celery task runs them)."""

from __future__ import annotations

import logging
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from accounts.models import Workspace
from catalog.ingest.pipeline import ingest_files
from catalog.ingest.sources.folder import iter_folder
from catalog.models import IngestJob, IngestStatus

log = logging.getLogger(__name__)
PROGRESS_EVERY = 25


def start_folder_ingest(*, actor, workspace: Workspace, root: Path) -> IngestJob:
    """Queue the ingest of a folder; the job row shows its progress."""
    from catalog.tasks import queue_ingest_job

    files = list(iter_folder(root))  # a bad folder fails here, before anything is queued
    with transaction.atomic():
        job = IngestJob.objects.create(
            workspace=workspace,
            source=f"folder:{Path(root).resolve()}",
            total=len(files),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        queue_ingest_job(job)
    return job


def execute_ingest_job(job: IngestJob) -> IngestJob:
    root = Path(job.source.removeprefix("folder:"))

    def progress(done: int, total: int | None) -> None:
        if done % PROGRESS_EVERY == 0 or done == total:
            IngestJob.objects.filter(pk=job.pk).update(done=done)

    try:
        files = list(iter_folder(root))
        report = ingest_files(
            actor=job.created_by,
            workspace=job.workspace,
            files=files,
            source=job.source,
            complete=True,
            total=len(files),
            progress=progress,
        )
    except Exception as exc:
        log.exception("ingest job %s failed", job.pk)
        job.refresh_from_db()
        job.errors = [{"path": str(root), "error": f"The ingest stopped: {exc.__class__.__name__}"}]
        job.status = IngestStatus.FAILED
        job.finished_at = timezone.now()
        job.save()
        return job
    job.refresh_from_db()
    job.total = len(files)
    job.done = len(files)
    job.counts = {k: v for k, v in report.as_json().items() if k != "errors"}
    job.errors = report.errors
    job.status = IngestStatus.SUCCEEDED
    job.finished_at = timezone.now()
    job.save()
    return job
