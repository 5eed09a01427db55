from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.audit import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain; exit 1 at the first event that does not fit."

    def handle(self, *args, **options):
        check = verify_chain()
        if not check.is_intact:
            raise CommandError(
                f"audit chain broken at event {check.broken_id}: {check.reason} "
                f"({check.count} events before it are intact)",
                returncode=1,
            )
        self.stdout.write(f"audit chain intact: {check.count} events")
        self.stdout.write(f"head: {check.head}")
