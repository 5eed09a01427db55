from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.models import Workspace
from accounts.services import ensure_workspace
from catalog.ingest.folders import ingest_folder
from catalog.models import WarehouseConnection
from catalog.signals import demo_loaded
from catalog.warehouse.introspect import introspect_connection

DEMO_DIR = settings.BASE_DIR / "demo"
# The variable the demo's notebooks and catalog.yml files read the warehouse path from.
WAREHOUSE_ENV = "TRIBUTARY_WAREHOUSE"
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
            # The core and analytics tables exist once the pipeline has run (about 1.5 s).
            run_pipeline(warehouse)
            self.stdout.write("demo pipeline run: core and analytics tables built")
        # The demo's catalog.yml files take the warehouse path from this variable.
        env = {**os.environ, WAREHOUSE_ENV: str(warehouse)}
        for slug, name in DEMO_WORKSPACES.items():
            workspace = ensure_workspace(slug=slug, name=name)
            root = DEMO_DIR / "workspaces" / slug
            report, _ = ingest_folder(
                actor=None, workspace=workspace, root=root, source=f"demo:{slug}", env=env
            )
            self.stdout.write(
                f"{slug}: {report.new} new, {report.changed} changed, "
                f"{report.unchanged} unchanged, {report.failed} failed"
            )
            for error in report.errors:
                self.stderr.write(f"  {error['path']}: {error['error']}")
        for connection in WarehouseConnection.objects.filter(
            workspace__slug__in=list(DEMO_WORKSPACES), engine="duckdb"
        ).select_related("workspace"):
            snapshot = introspect_connection(actor=None, connection=connection)
            self.stdout.write(
                f"{connection.workspace.slug}/{connection.name}: introspected "
                f"{snapshot.table_count} tables, {snapshot.column_count} columns"
            )
        workspaces = list(Workspace.objects.filter(slug__in=list(DEMO_WORKSPACES)))
        for _, published in demo_loaded.send(sender=self.__class__, workspaces=workspaces):
            for app in published or ():
                self.stdout.write(f"{app.urn}: published version {app.published_version.number}")


def run_pipeline(warehouse) -> None:
    """Run the demo's pipeline notebooks, so that the tables they write exist."""
    from demo.run_notebooks import PIPELINE, WORKSPACES_DIR, run_notebook

    for rel in PIPELINE:
        run_notebook(WORKSPACES_DIR / rel, warehouse=warehouse)
