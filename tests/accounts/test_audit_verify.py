from __future__ import annotations

from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from accounts.audit import record_event

pytestmark = pytest.mark.django_db


def write_events(count: int) -> list:
    with transaction.atomic():
        return [
            record_event(actor="system", action=f"test.event{i}", details={"n": i})
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


def verify() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit_verify", stdout=out)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


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
    events = write_events(5)

    code, output = verify()

    assert code == 0
    assert output.splitlines()[0] == "audit chain intact: 5 events"
    assert output.splitlines()[1] == f"head: {events[-1].hash}"


def test_it_reports_an_empty_log_as_intact():
    assert verify() == (0, f"audit chain intact: 0 events\nhead: {'0' * 64}\n")


def test_it_names_the_first_event_whose_content_was_changed():
    events = write_events(5)
    with tampering() as cursor:
        cursor.execute(
            "UPDATE accounts_auditevent SET action = 'test.innocent' WHERE id = %s",
            [events[2].pk],
        )

    code, message = verify()

    assert code == 1
    assert f"audit chain broken at event {events[2].pk}" in message
    assert "does not match its hash" in message


def test_it_names_the_event_after_a_deleted_one():
    events = write_events(4)
    with tampering() as cursor:
        cursor.execute("DELETE FROM accounts_auditevent WHERE id = %s", [events[1].pk])

    code, message = verify()

    assert code == 1
    assert f"audit chain broken at event {events[2].pk}" in message
    assert "link to the previous event" in message


def test_a_rehashed_row_still_breaks_the_next_link():
    events = write_events(3)
    forged = events[1]
    forged.details = {"n": 999}
    new_hash = forged.compute_hash()
    with tampering() as cursor:
        cursor.execute(
            "UPDATE accounts_auditevent SET details = %s, hash = %s WHERE id = %s",
            ['{"n": 999}', new_hash, forged.pk],
        )

    code, message = verify()

    assert code == 1
    assert f"audit chain broken at event {events[2].pk}" in message


def test_the_command_exits_with_status_one_from_the_shell(tmp_path):
    """The exit status, as a cron job or CI sees it."""
    events = write_events(2)
    with tampering() as cursor:
        cursor.execute(
            "UPDATE accounts_auditevent SET actor_name = 'x' WHERE id = %s", [events[0].pk]
        )
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "audit_verify"]).execute()

    assert exit_info.value.code == 1
