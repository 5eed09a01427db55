from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.services import ensure_workspace
from catalog.ingest.folders import ingest_folder
from catalog.models import App, WarehouseConnection
from catalog.warehouse.introspect import introspect_connection
from demo.notebooks import pipeline_paths
from execution.file_runs import run_pipeline
from execution.services import publish_app

DEMO_DIR = settings.BASE_DIR / "demo"
# The variable the demo's notebooks and catalog.yml files read the warehouse path from.
WAREHOUSE_ENV = "TRIBUTARY_WAREHOUSE"
DEMO_WORKSPACES = {
    "production": "Production",
    "analytics": "Analytics",
}
# The demo's apps (see demo/README.md), declared by the workspaces' catalog.yml files.
DEMO_APPS = (
    ("production", "delete-user"),
    ("production", "change-plan"),
    ("analytics", "customer-360"),
)


class Command(BaseCommand):
    help = "Build the demo warehouse (when missing) and ingest the demo workspaces. Idempotent."

    def handle(self, *args, **options):
        from demo.seed import build_warehouse

        warehouse = settings.DEMO_WAREHOUSE_PATH
        if not warehouse.exists():
            warehouse.parent.mkdir(parents=True, exist_ok=True)
            build_warehouse(warehouse)
            self.stdout.write(f"demo warehouse built at {warehouse}")
            # The core and analytics tables exist once the pipeline notebooks have run, on
            # the runtime apps run on.
            run_pipeline(pipeline_paths(), warehouse=warehouse)
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
        for workspace, slug in DEMO_APPS:
            app = (
                App.objects.filter(workspace__slug=workspace, slug=slug)
                .select_related("workspace", "notebook", "notebook__current_version")
                .first()
            )
            if app is not None and app.notebook.current_version is not None:
                app = publish_app(actor=None, app=app)
                self.stdout.write(f"{app.urn}: published version {app.published_version.number}")
