from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.errors import DomainError
from accounts.services import ensure_workspace, validate_slug
from catalog import tasks
from catalog.ingest import jobs
from catalog.ingest.pipeline import IngestReport, ingest_files
from catalog.ingest.sources.folder import iter_folder
from catalog.ingest.sources.jupyter import JupyterContents
from catalog.models import IngestJob, IngestStatus

POLL_S = 0.5


class ProgressBar:
    """A one-line bar on a terminal; silent when stderr is not one."""

    def __init__(self, stream, width: int = 30):
        self.stream = stream
        self.width = width
        self.enabled = stream.isatty()

    def __call__(self, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        if total:
            filled = int(self.width * done / total)
            bar = "#" * filled + "-" * (self.width - filled)
            self.stream.write(f"\r[{bar}] {done}/{total}")
        else:
            self.stream.write(f"\r{done} files")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")


def _job_report(job: IngestJob) -> IngestReport:
    report = IngestReport(errors=list(job.errors))
    for name in ("new", "changed", "unchanged", "deleted", "failed"):
        setattr(report, name, job.counts.get(name, 0))
    return report


class Command(BaseCommand):
    help = (
        "Ingest the notebooks of a folder (or a Jupyter server URL) into a workspace. A folder "
        "is ingested as a job of chunks: by the Celery workers when a broker is configured "
        "(the bar follows the job), else here, chunk after chunk."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a folder, or http(s)://host:port of a Jupyter server")
        parser.add_argument("--workspace", required=True, help="workspace slug (created if new)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument(
            "--token", default=None, help="Jupyter server token (default: $JUPYTER_TOKEN)"
        )
        parser.add_argument(
            "--chunk-files",
            type=int,
            default=jobs.CHUNK_FILES,
            help=f"files per chunk of a folder job (default {jobs.CHUNK_FILES})",
        )

    def handle(self, *args, **options):
        path: str = options["path"]
        try:
            slug = options["workspace"]
            validate_slug(slug)
            if path.startswith(("http://", "https://")):
                server = JupyterContents(path, options["token"] or os.environ.get("JUPYTER_TOKEN"))
                files = list(server.iter_files())
                source = f"jupyter:{server.base_url}"
            else:
                root = Path(path).resolve()
                files = list(iter_folder(root))
                source = f"folder:{root}"
            # Only once the source is readable: a bad PATH changes nothing.
            workspace = ensure_workspace(slug=slug)
            bar = ProgressBar(sys.stderr)
            if source.startswith("folder:"):
                # With the folder's catalog.yml (warehouse, declared tables, metrics, apps).
                job = self._folder_job(workspace, root, options["chunk_files"], bar)
                if job.status == IngestStatus.FAILED and not job.counts:
                    raise CommandError(job.errors[-1]["error"] if job.errors else "failed")
                report = _job_report(job)
            else:
                report = ingest_files(
                    actor=None,
                    workspace=workspace,
                    files=files,
                    source=source,
                    complete=True,
                    total=len(files),
                    progress=bar,
                )
            bar.close()
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json()))
            return
        self.stdout.write(
            f"{workspace.slug}: {report.new} new, {report.changed} changed, "
            f"{report.unchanged} unchanged, {report.deleted} deleted, {report.failed} failed"
        )
        for error in report.errors:
            self.stderr.write(f"  {error['path']}: {error['error']}")

    def _folder_job(self, workspace, root: Path, chunk_files: int, bar: ProgressBar) -> IngestJob:
        if settings.CELERY_TASK_ALWAYS_EAGER:  # no workers: every chunk here, in turn
            job = jobs.create_folder_job(
                actor=None, workspace=workspace, root=root, chunk_files=chunk_files
            )
            jobs.run_job_here(job, progress=bar)
            return jobs.finish_job(job.pk)
        job = tasks.start_folder_ingest(
            actor=None, workspace=workspace, root=root, chunk_files=chunk_files
        )
        while job.status == IngestStatus.RUNNING:
            bar(job.done, job.total)
            time.sleep(POLL_S)
            job = IngestJob.objects.get(pk=job.pk)
        bar(job.done, job.total)
        return job
