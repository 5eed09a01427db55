from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.errors import DomainError
from catalog.models import WarehouseConnection
from catalog.warehouse.introspect import introspect_connection


class Command(BaseCommand):
    help = "Introspect warehouse connections: tables, columns, types, comments; record drift."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", help="only this workspace's connections (a slug)")

    def handle(self, *args, **options):
        connections = WarehouseConnection.objects.select_related("workspace").order_by(
            "workspace__slug", "name"
        )
        if options["workspace"]:
            connections = connections.filter(workspace__slug=options["workspace"])
            if not connections.exists():
                raise CommandError(f"Workspace '{options['workspace']}' has no connection.")
        failed = 0
        for connection in connections:
            label = f"{connection.workspace.slug}/{connection.name}"
            try:
                snapshot = introspect_connection(actor=None, connection=connection)
            except DomainError as exc:
                failed += 1
                self.stderr.write(f"{label}: {exc.message}")
                continue
            self.stdout.write(
                f"{label}: {snapshot.table_count} tables, {snapshot.column_count} columns, "
                f"{len(snapshot.drift)} changes since the last introspection"
            )
        if failed:
            raise CommandError(f"{failed} connection(s) could not be introspected.")
