from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import AuditEvent, LastSeen

pytestmark = pytest.mark.django_db


def test_reading_a_workspace_notes_when_it_was_last_seen(client, viewer, workspace):
    client.force_login(viewer)

    client.get(f"/w/{workspace.slug}/")

    seen = LastSeen.objects.get()
    assert (seen.user, seen.workspace, seen.target_urn) == (
        viewer,
        workspace,
        "workspace:production",
    )
    assert timezone.now() - seen.seen_at < timedelta(minutes=1)
    assert not AuditEvent.objects.filter(actor=viewer).exists()  # a read is not an audit event


def test_it_writes_at_most_once_an_hour_per_person_and_target(client, viewer, workspace, notebook):
    client.force_login(viewer)
    client.get(f"/notebooks/{notebook.pk}/")
    first = LastSeen.objects.get().seen_at

    client.get(f"/w/{workspace.slug}/")
    client.get(f"/notebooks/{notebook.pk}/")

    assert LastSeen.objects.count() == 1
    assert LastSeen.objects.get().seen_at == first


def test_after_an_hour_the_next_read_moves_the_date(client, viewer, workspace):
    client.force_login(viewer)
    client.get(f"/w/{workspace.slug}/")
    LastSeen.objects.update(seen_at=timezone.now() - timedelta(days=3))
    cache.clear()  # what an hour does to the throttle

    client.get(f"/w/{workspace.slug}/")

    assert timezone.now() - LastSeen.objects.get().seen_at < timedelta(minutes=1)


def test_reading_a_shared_object_is_noted_against_that_object(client, grantee, notebook):
    client.force_login(grantee)

    client.get(f"/notebooks/{notebook.pk}/")

    assert LastSeen.objects.get().target_urn == notebook.urn
