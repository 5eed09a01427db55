"""Celery tasks of the catalog: ids in, the job service does the work.

A chunk's task acknowledges its message only once it has run (``acks_late``), and a worker
that dies running it gives the message back (``reject_on_worker_lost``): another worker,
or the same one restarted, runs the chunk again from where its last commit left off.
"""

from __future__ import annotations

from pathlib import Path

from celery import shared_task
from django.db import transaction

from accounts.models import Workspace
from catalog.ingest import jobs
from catalog.models import IngestJob


@shared_task(name="catalog.ingest_chunk", bind=True, acks_late=True, reject_on_worker_lost=True)
def ingest_chunk(self, chunk_id: int) -> None:
    jobs.run_chunk(chunk_id, worker=self.request.hostname or "")


def start_folder_ingest(*, actor, workspace: Workspace, root: Path, **options) -> IngestJob:
    """Make the job of a folder ingest and queue its chunks, once the job is committed."""
    with transaction.atomic():
        job = jobs.create_folder_job(actor=actor, workspace=workspace, root=root, **options)
        chunk_ids = list(job.chunks.values_list("pk", flat=True))
        if chunk_ids:
            transaction.on_commit(lambda: [ingest_chunk.delay(pk) for pk in chunk_ids])
        else:  # an empty folder: nothing to wait for
            transaction.on_commit(lambda: jobs.finish_job(job.pk))
    return job
