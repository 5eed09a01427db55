from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.errors import DomainError
from accounts.services import ensure_workspace, validate_slug
from catalog.ingest.folders import ingest_folder
from catalog.ingest.pipeline import ingest_files
from catalog.ingest.sources.folder import iter_folder
from catalog.ingest.sources.jupyter import JupyterContents


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


class Command(BaseCommand):
    help = "Ingest the notebooks of a folder (or a Jupyter server URL) into a workspace."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a folder, or http(s)://host:port of a Jupyter server")
        parser.add_argument("--workspace", required=True, help="workspace slug (created if new)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument(
            "--token", default=None, help="Jupyter server token (default: $JUPYTER_TOKEN)"
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
                report, _ = ingest_folder(
                    actor=None, workspace=workspace, root=root, source=source, progress=bar
                )
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
