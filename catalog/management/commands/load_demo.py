from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.services import ensure_workspace
from catalog.ingest import ingest_files
from catalog.sources.folder import iter_folder

DEMO_DIR = settings.BASE_DIR / "demo"
DEMO_WORKSPACES = {
    "production": "Production",
    "analytics": "Analytics",
}


class Command(BaseCommand):
    help = "Build the demo warehouse (when missing) and ingest the demo workspaces. Idempotent."

    def handle(self, *args, **options):
        from demo.seed import build_warehouse

        warehouse = settings.DEMO_WAREHOUSE_PATH
        if not warehouse.exists():
            warehouse.parent.mkdir(parents=True, exist_ok=True)
            build_warehouse(warehouse)
            self.stdout.write(f"demo warehouse built at {warehouse}")
        for slug, name in DEMO_WORKSPACES.items():
            workspace = ensure_workspace(slug=slug, name=name)
            root = DEMO_DIR / "workspaces" / slug
            files = list(iter_folder(root))
            report = ingest_files(
                actor=None,
                workspace=workspace,
                files=files,
                source=f"demo:{slug}",
                complete=True,
                total=len(files),
            )
            self.stdout.write(
                f"{slug}: {report.new} new, {report.changed} changed, "
                f"{report.unchanged} unchanged, {report.failed} failed"
            )
            for error in report.errors:
                self.stderr.write(f"  {error['path']}: {error['error']}")
