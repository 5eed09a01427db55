"""What an attacker with write access to the database (but not the signing key) does to
the audit log, and how the tests call ``audit_verify``."""

from __future__ import annotations

import json
from contextlib import contextmanager
from io import StringIO

from django.core.management import call_command
from django.db import connection, transaction

from accounts.audit import record_event
from accounts.models import AuditEvent


def write_events(count: int, *, actor="system") -> list[AuditEvent]:
    with transaction.atomic():
        return [
            record_event(actor=actor, action=f"test.event{i}", details={"n": i})
            for i in range(count)
        ]


@contextmanager
def tampering():
    """Raw SQL past the model; on PostgreSQL, past the append-only trigger too (as a
    superuser can: replica mode skips ordinary triggers)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        try:
            yield cursor
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")


def delete_newest(count: int) -> None:
    ids = list(AuditEvent.objects.order_by("-id").values_list("id", flat=True)[:count])
    with tampering() as cursor:
        cursor.execute(
            f"DELETE FROM accounts_auditevent WHERE id IN ({','.join(['%s'] * len(ids))})", ids
        )


def rewrite_and_rechain(event_id: int, *, actor_name: str, details: dict) -> None:
    """Change one event, then recompute its hash and every later one, so that the chain
    links up again: all the unkeyed chain could ever catch."""
    events = list(AuditEvent.objects.filter(id__gte=event_id).order_by("id"))
    previous = AuditEvent.objects.filter(id__lt=event_id).order_by("-id").first()
    events[0].actor_name, events[0].details = actor_name, details
    with tampering() as cursor:
        for event in events:
            event.prev_hash = previous.hash
            event.hash = event.compute_hash()
            cursor.execute(
                "UPDATE accounts_auditevent SET actor_name = %s, details = %s, prev_hash = %s, "
                "hash = %s WHERE id = %s",
                [
                    event.actor_name,
                    json.dumps(event.details),
                    event.prev_hash,
                    event.hash,
                    event.pk,
                ],
            )
            previous = event


def verify() -> tuple[int, str]:
    """``audit_verify``'s exit status and its whole output."""
    out = StringIO()
    try:
        call_command("audit_verify", stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()
