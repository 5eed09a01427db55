"""Writing the audit log: one call, inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEvent, Workspace

GENESIS_HASH = "0" * 64


def record_event(
    *,
    actor,
    action: str,
    target_urn: str = "",
    workspace: Workspace | None = None,
    details: dict[str, Any] | None = None,
    client_ip: str | None = None,
) -> AuditEvent:
    """Append an event to the chain. Call it inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("An audit event must be written in the transaction of its change")
    # Locking the newest row serialises writers on PostgreSQL; SQLite's IMMEDIATE
    # transactions already do.
    last = AuditEvent.objects.select_for_update().order_by("-id").only("hash").first()
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        actor=user,
        actor_name=user.get_username() if user else (actor if isinstance(actor, str) else "system"),
        action=action,
        target_urn=target_urn,
        workspace=workspace,
        created_at=timezone.now(),
        client_ip=client_ip,
        details=details or {},
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    event.hash = event.compute_hash()
    event.save()
    return event
