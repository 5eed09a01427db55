"""Events written before seals existed are sealed by the migration that adds them."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.audit import GENESIS_HASH, is_sealed
from accounts.models import AuditEvent
from tests.accounts.audit_tampering import verify

BEFORE = [("accounts", "0003_governance")]
AFTER = [("accounts", "0004_audit_event_seal")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_the_events_already_written(back_to_the_latest_schema):
    old = migrate(BEFORE)
    OldEvent = old.get_model("accounts", "AuditEvent")
    previous = GENESIS_HASH
    for n in range(3):
        event = AuditEvent(
            action=f"old.event{n}",
            actor_name="system",
            created_at=timezone.now(),
            details={"n": n},
            prev_hash=previous,
        )
        event.hash = previous = event.compute_hash()
        OldEvent.objects.create(
            action=event.action,
            actor_name=event.actor_name,
            created_at=event.created_at,
            details=json.loads(json.dumps(event.details)),
            prev_hash=event.prev_hash,
            hash=event.hash,
        )

    migrate(AFTER)

    events = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in events] == ["old.event0", "old.event1", "old.event2"]
    assert all(is_sealed(e) for e in events)
    assert verify() == (0, "audit chain intact: 3 events, 0 checkpoints\n")
