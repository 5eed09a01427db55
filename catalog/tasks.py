from __future__ import annotations

from celery import shared_task
from django.db import transaction

from catalog.models import IngestJob, IngestStatus


@shared_task(acks_late=True)
def run_ingest_job(job_id: int) -> None:
    """Run a queued folder ingest; a finished job is left alone, so a retry is harmless."""
    from catalog.ingest.jobs import execute_ingest_job

    job = IngestJob.objects.select_related("workspace", "created_by").get(pk=job_id)
    if job.status != IngestStatus.RUNNING or job.finished_at is not None:
        return
    execute_ingest_job(job)


def queue_ingest_job(job: IngestJob) -> None:
    transaction.on_commit(lambda: run_ingest_job.delay(job.pk))
