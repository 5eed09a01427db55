"""Refused attempts, audited without letting anyone flood the log.

A refusal is a 404 like "does not exist"; the audit event records it for the target's
workspace, at most once per person, target and hour: anyone signed in could otherwise
add an event per request to another workspace's log.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.access import is_signed_in
from accounts.audit import record_event
from accounts.models import AuditEvent

REFUSAL_WINDOW = timedelta(hours=1)


def note_refused(user, *, action: str, event: str, obj, object_id, reason: str) -> None:
    """Audit that ``user`` was refused ``action`` on ``obj`` (None when it does not exist,
    then keyed by ``object_id``), unless already audited within the hour."""
    if not is_signed_in(user):
        return
    target_urn = getattr(obj, "urn", "")
    with transaction.atomic():
        recent = AuditEvent.objects.filter(
            actor=user,
            action=event,
            target_urn=target_urn,
            created_at__gte=timezone.now() - REFUSAL_WINDOW,
        )
        if not target_urn:
            recent = recent.filter(details__object_id=object_id)
        if recent.filter(details__action=action).exists():
            return
        record_event(
            actor=user,
            action=event,
            target_urn=target_urn,
            workspace=getattr(obj, "workspace", None),
            details={"action": action, "object_id": object_id, "reason": reason},
        )
