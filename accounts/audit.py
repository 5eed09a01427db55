"""Writing and checking the audit log: one call, inside the caller's transaction."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEvent, Workspace

GENESIS_HASH = "0" * 64


def sign(message: str) -> str:
    """HMAC-SHA256 of ``message`` under AUDIT_SIGNING_KEY (hex): the key lives in the
    environment (or var/ for local use), never in the database."""
    key = settings.AUDIT_SIGNING_KEY.encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def seal_of(event_hash: str) -> str:
    """An event's seal: its hash signed, so a rewritten event cannot be re-chained
    without the key."""
    return sign(f"audit-event:{event_hash}")


def is_sealed(event: AuditEvent) -> bool:
    return hmac.compare_digest(event.mac, seal_of(event.hash))


# The address of the request being served, set by ``accounts.middleware``, so that every
# service a web request calls records it without passing it down by hand.
current_client_ip: ContextVar[str | None] = ContextVar("current_client_ip", default=None)


def client_ip_of(request) -> str | None:
    """The client's IP address: REMOTE_ADDR, or the address our trusted proxies saw.

    With ``TRUSTED_PROXY_COUNT`` = n, the n-th address from the right of
    X-Forwarded-For is the one the outermost trusted proxy received; anything
    left of it was written by the client and is not believed.
    """
    address = request.META.get("REMOTE_ADDR")
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if hops > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def record_event(
    *,
    actor,
    action: str,
    target_urn: str = "",
    workspace: Workspace | None = None,
    details: dict[str, Any] | None = None,
    client_ip: str | None = None,
) -> AuditEvent:
    """Append an event to the chain. Call it inside the transaction of the change it records.

    ``client_ip`` defaults to the address of the web request being served, if any.
    """
    event = AuditEvent(
        action=action, target_urn=target_urn, workspace=workspace, details=details or {}
    )
    return record_events([event], actor=actor, client_ip=client_ip)[0]


def record_events(
    events: Sequence[AuditEvent], *, actor, client_ip: str | None = None
) -> list[AuditEvent]:
    """Append several events by one actor (``action``, ``target_urn``, ``workspace`` and
    ``details`` set on each, unsaved) to the chain, in order, in one insert: a batch of
    ingested notebooks. Call it inside the transaction of the changes they record."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("An audit event must be written in the transaction of its change")
    if not events:
        return []
    # Locking the newest row serialises writers on PostgreSQL; SQLite's IMMEDIATE
    # transactions already do.
    last = AuditEvent.objects.select_for_update().order_by("-id").only("hash").first()
    user = actor if getattr(actor, "is_authenticated", False) else None
    name = user.get_username() if user else (actor if isinstance(actor, str) else "system")
    previous = last.hash if last else GENESIS_HASH
    now = timezone.now()
    for event in events:
        event.actor = user
        event.actor_name = name
        event.created_at = now
        event.client_ip = client_ip or current_client_ip.get()
        event.prev_hash = previous
        event.hash = previous = event.compute_hash()
        event.mac = seal_of(event.hash)
    if len(events) == 1:
        events[0].save()
    else:
        AuditEvent.objects.bulk_create(events)
    return list(events)


@dataclass(frozen=True)
class ChainCheck:
    count: int
    head: str
    broken_id: int | None = None
    reason: str = ""

    @property
    def is_intact(self) -> bool:
        return self.broken_id is None


REWRITTEN = "its content does not match its hash or its seal"
UNLINKED = "its link to the previous event is wrong"


def verify_chain(
    events: Iterator[AuditEvent] | None = None,
    *,
    on_event: Callable[[AuditEvent, int], None] | None = None,
) -> ChainCheck:
    """Recompute the chain in id order; stop at the first event that does not fit.

    A changed row no longer hashes to its stored hash; a row rehashed without the
    signing key no longer matches its seal; a deleted or reordered row breaks the next
    row's link to its predecessor. ``on_event(event, position)`` sees each event that
    fits (position counts from 1).
    """
    if events is None:
        events = AuditEvent.objects.order_by("id").iterator(chunk_size=2000)
    previous = GENESIS_HASH
    count = 0
    for event in events:
        if event.compute_hash() != event.hash or not is_sealed(event):
            return ChainCheck(count, previous, event.pk, REWRITTEN)
        if event.prev_hash != previous:
            return ChainCheck(count, previous, event.pk, UNLINKED)
        previous = event.hash
        count += 1
        if on_event is not None:
            on_event(event, count)
    return ChainCheck(count, previous)
