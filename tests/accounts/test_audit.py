from __future__ import annotations

import pytest
from django.db import connection, transaction

from accounts.audit import GENESIS_HASH, record_event
from accounts.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


def write(action, **kwargs):
    with transaction.atomic():
        return record_event(actor="system", action=action, **kwargs)


def test_events_form_a_hash_chain(workspace):
    first = write("a.one", workspace=workspace, details={"n": 1})
    second = write("a.two", target_urn="notebook:x/y.ipynb")

    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    for event in AuditEvent.objects.all():
        assert event.compute_hash() == event.hash


def test_an_event_records_the_signed_in_actor(viewer):
    with transaction.atomic():
        event = record_event(actor=viewer, action="x.y", client_ip="127.0.0.1")

    assert (event.actor, event.actor_name, event.client_ip) == (
        viewer,
        "victor-viewer",
        "127.0.0.1",
    )


def test_an_audit_event_cannot_be_changed_or_deleted_through_the_orm(db):
    event = write("a.one")

    with pytest.raises(AppendOnlyError):
        event.action = "edited"
        event.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="edited")
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().action == "a.one"


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="in the transaction of its change"):
        record_event(actor="system", action="x")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_postgresql_refuses_raw_updates_of_the_log(db):
    from django.db import DatabaseError

    write("a.one")

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE accounts_auditevent SET action = 'x'")
