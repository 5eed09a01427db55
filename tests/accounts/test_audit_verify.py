from __future__ import annotations

import pytest
from django.db import connection, transaction

from tests.accounts.audit_tampering import tampering, verify, write_events

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_without_tampering_rights_postgresql_refuses_the_change():
    from django.db import DatabaseError

    events = write_events(1)

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM accounts_auditevent WHERE id = %s", [events[0].pk])


def test_it_reports_an_intact_chain():
    write_events(5)

    assert verify() == (0, "audit chain intact: 5 events, 0 checkpoints\n")


def test_it_reports_an_empty_log_as_intact():
    assert verify() == (0, "audit chain intact: 0 events, 0 checkpoints\n")


def test_it_names_the_event_whose_content_was_changed():
    events = write_events(5)
    with tampering() as cursor:
        cursor.execute(
            "UPDATE accounts_auditevent SET action = 'test.innocent' WHERE id = %s",
            [events[2].pk],
        )

    assert verify() == (1, f"event {events[2].pk} rewritten\n")


def test_it_names_the_event_after_a_deleted_one():
    events = write_events(4)
    with tampering() as cursor:
        cursor.execute("DELETE FROM accounts_auditevent WHERE id = %s", [events[1].pk])

    assert verify() == (1, f"events missing before event {events[2].pk}\n")


def test_a_row_rehashed_without_the_key_no_longer_matches_its_seal():
    events = write_events(3)
    forged = events[1]
    forged.details = {"n": 999}
    with tampering() as cursor:
        cursor.execute(
            "UPDATE accounts_auditevent SET details = %s, hash = %s WHERE id = %s",
            ['{"n": 999}', forged.compute_hash(), forged.pk],
        )

    assert verify() == (1, f"event {forged.pk} rewritten\n")


def test_a_seal_wiped_to_look_like_an_old_event_is_a_rewrite():
    events = write_events(3)
    with tampering() as cursor:
        cursor.execute("UPDATE accounts_auditevent SET mac = '' WHERE id = %s", [events[0].pk])

    assert verify() == (1, f"event {events[0].pk} rewritten\n")


def test_every_event_carries_a_seal_that_is_not_its_hash():
    events = write_events(2)

    assert all(len(e.mac) == 64 and e.mac != e.hash for e in events)
    assert events[0].mac != events[1].mac


def test_the_command_exits_with_status_one_from_the_shell(capsys):
    """The exit status and the output, as a cron job or CI sees them."""
    events = write_events(2)
    with tampering() as cursor:
        cursor.execute(
            "UPDATE accounts_auditevent SET actor_name = 'x' WHERE id = %s", [events[0].pk]
        )
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "audit_verify"]).execute()

    assert exit_info.value.code == 1
    assert capsys.readouterr().out == f"event {events[0].pk} rewritten\n"
