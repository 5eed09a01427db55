"""Schedules: cron parsing, due schedules run once as their owner, failures e-mailed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.errors import InvalidInput
from accounts.models import AuditEvent, Membership
from execution.cron import CronError, next_fire, parse_cron
from execution.models import Run, Schedule
from execution.schedules import create_schedule, run_due_schedules
from tests.execution.conftest import publish

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("*/15 * * * *", datetime(2024, 6, 5, 12, 7), datetime(2024, 6, 5, 12, 15)),
        ("0 6 * * 1-5", datetime(2024, 6, 7, 6, 0), datetime(2024, 6, 10, 6, 0)),  # Fri -> Mon
        ("30 2 1 * *", datetime(2024, 1, 31, 3, 0), datetime(2024, 2, 1, 2, 30)),
        ("0 0 29 2 *", datetime(2023, 3, 1), datetime(2024, 2, 29, 0, 0)),
        ("@daily", datetime(2024, 12, 31, 23, 59), datetime(2025, 1, 1, 0, 0)),
        ("0 12 13 * 5", datetime(2024, 9, 1), datetime(2024, 9, 6, 12, 0)),  # 13th OR Friday
        ("0 0 * * 7", datetime(2024, 6, 5), datetime(2024, 6, 9, 0, 0)),  # 7 is Sunday
    ],
)
def test_next_fire_finds_the_next_matching_minute(expression, after, expected):
    assert next_fire(expression, after) == expected
    assert next_fire(expression, after.replace(tzinfo=UTC)) == expected.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("* * * *", "A cron expression has 5 fields (minute hour day month weekday), not 4"),
        ("0 24 * * *", "Cron field 'hour' must be within 0-23, not '24'"),
        ("0 5-1 * * *", "Cron field 'hour' has a backwards range '5-1'"),
        ("0 0 * * mon", "Cron field 'day of week' must be numbers, ranges or steps, not 'mon'"),
    ],
)
def test_a_bad_cron_expression_says_what_is_wrong(expression, message):
    with pytest.raises(CronError) as error:
        parse_cron(expression)
    assert str(error.value) == message


def test_a_cron_that_never_fires_is_an_error():
    with pytest.raises(CronError, match="never fires"):
        next_fire("0 0 31 2 *", datetime(2024, 1, 1))


@pytest.fixture
def owner(runner):
    return runner


@pytest.fixture
def app(workspace):
    return publish(
        workspace,
        "apps/nightly.ipynb",
        ("code", "fail = False", ["parameters"]),
        ("code", "assert not fail, 'the nightly check failed'\nprint('all good')"),
    )


def test_creating_a_schedule_checks_its_cron_and_inputs_and_is_audited(owner, app):
    with pytest.raises(InvalidInput, match="must be within 0-59"):
        create_schedule(actor=owner, app=app, cron="99 * * * *")
    with pytest.raises(InvalidInput, match="no input named 'nope'"):
        create_schedule(actor=owner, app=app, cron="0 * * * *", inputs={"nope": 1})

    schedule = create_schedule(actor=owner, app=app, cron="0 * * * *", inputs={"fail": True})

    assert schedule.inputs == {"fail": True}
    assert schedule.next_run_at.minute == 0 and schedule.next_run_at > timezone.now()
    assert AuditEvent.objects.filter(action="schedule.created", target_urn=app.urn).count() == 1


def test_a_due_schedule_runs_once_as_its_owner_with_trigger_schedule(
    owner, app, gateway, django_capture_on_commit_callbacks
):
    schedule = create_schedule(actor=owner, app=app, cron="*/5 * * * *")
    now = schedule.next_run_at + timedelta(seconds=5)

    with django_capture_on_commit_callbacks(execute=True):
        started = run_due_schedules(now=now)
    again = run_due_schedules(now=now)

    assert again == []
    run = Run.objects.get()
    assert [r.pk for r in started] == [run.pk]
    assert (run.trigger, run.actor, run.status, run.schedule) == (
        "schedule",
        owner,
        "succeeded",
        schedule,
    )
    schedule.refresh_from_db()
    assert schedule.next_run_at == now.replace(second=0, microsecond=0) + timedelta(minutes=5)
    assert mail.outbox == []


def test_a_failed_scheduled_run_emails_the_owner(
    owner, app, gateway, django_capture_on_commit_callbacks
):
    schedule = create_schedule(actor=owner, app=app, cron="0 3 * * *", inputs={"fail": True})

    with django_capture_on_commit_callbacks(execute=True):
        [run] = run_due_schedules(now=schedule.next_run_at)

    run.refresh_from_db()
    assert run.status == "failed"
    [message] = mail.outbox
    assert message.to == ["rita@example.com"]
    assert message.subject == f"[Tributary] Scheduled run of {app.urn} failed"
    assert "the nightly check failed" in message.body
    assert f"/runs/{run.pk}/" in message.body


def test_a_schedule_whose_owner_lost_run_permission_is_switched_off_and_audited(owner, app):
    schedule = create_schedule(actor=owner, app=app, cron="0 * * * *")
    Membership.objects.filter(user=owner).update(role="viewer")
    owner = type(owner).objects.get(pk=owner.pk)  # forget the cached role

    assert run_due_schedules(now=schedule.next_run_at) == []

    assert Run.objects.count() == 0
    assert Schedule.objects.get(pk=schedule.pk).is_active is False
    refusal = AuditEvent.objects.get(action="run.refused")
    assert (refusal.actor_name, refusal.target_urn) == ("rita-runner", app.urn)
