from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Workspace
from lineage.selectors import lineage_graph
from lineage.services import rebuild_edges


class Command(BaseCommand):
    help = "Recompute every lineage edge from the stored analyses (a backfill). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", metavar="SLUG", help="only this workspace's notebooks")

    def handle(self, *args, **options):
        workspace = None
        if options["workspace"]:
            workspace = Workspace.objects.filter(slug=options["workspace"]).first()
            if workspace is None:
                raise CommandError(f"No workspace '{options['workspace']}'.")
        report = rebuild_edges(workspace=workspace)
        self.stdout.write(
            f"{report.edges} edges from {report.notebooks} notebooks, "
            f"{report.apps} apps and {report.metrics} metrics"
        )
        for members in lineage_graph().notebook_cycles():
            self.stdout.write("cycle: " + " -> ".join(members))
