"""Cheap evidence of reading: when a person last saw a workspace or a shared object.

Reads are far too frequent for the audit log, so each (person, target) pair is
upserted into ``LastSeen`` at most once per ``SEEN_RESOLUTION_S``: the cache
remembers that it was written, and the write itself is one statement. The
result is accurate to the hour, which is all an access review needs.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.utils import timezone

from accounts.models import LastSeen, Workspace

SEEN_RESOLUTION_S = 3600


def note_seen(user, workspace: Workspace, target_urn: str) -> None:
    digest = hashlib.sha256(target_urn.encode()).hexdigest()[:32]
    key = f"tributary:seen:{user.pk}:{workspace.pk}:{digest}"
    if not cache.add(key, 1, timeout=SEEN_RESOLUTION_S):
        return
    LastSeen.objects.bulk_create(
        [LastSeen(user=user, workspace=workspace, target_urn=target_urn, seen_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "workspace", "target_urn"],
        update_fields=["seen_at"],
    )
