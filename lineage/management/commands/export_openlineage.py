from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Workspace
from lineage.openlineage import notebook_events, to_json_line


class Command(BaseCommand):
    help = (
        "Write design-time lineage as OpenLineage job events, one JSON object a line: "
        "manage.py export_openlineage [--workspace SLUG] > events.jsonl"
    )

    def add_arguments(self, parser):
        parser.add_argument("--workspace", metavar="SLUG", help="only this workspace's notebooks")

    def handle(self, *args, **options):
        workspace = None
        if options["workspace"]:
            workspace = Workspace.objects.filter(slug=options["workspace"]).first()
            if workspace is None:
                raise CommandError(f"No workspace '{options['workspace']}'.")
        count = 0
        for event in notebook_events(workspace):
            self.stdout.write(to_json_line(event))
            count += 1
        self.stderr.write(f"{count} job event{'s' if count != 1 else ''} written")
