from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.checkpoints import CheckpointError, write_checkpoint


class Command(BaseCommand):
    help = "Append a signed checkpoint of the audit chain's head to the checkpoint sink."

    def handle(self, *args, **options):
        try:
            checkpoint = write_checkpoint()
        except CheckpointError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(
            f"audit checkpoint {checkpoint.number}: {checkpoint.events} events, "
            f"head {checkpoint.head_id or 0} {checkpoint.head_hash}"
        )
