"""Cron-style schedules of apps and notebooks: create, run when due, tell the owner of failures.

Celery beat calls ``run_due_schedules`` every minute (``CELERY_BEAT_SCHEDULE`` in the
settings). Each due schedule is claimed by moving its ``next_run_at`` forward in one
conditional update, so two beats (or a beat and a retry) never start the same run twice;
a missed window runs once, not once per missed minute. The run is recorded with trigger
``schedule`` and its owner as actor; if the owner may no longer run the target, the
refusal is audited and the schedule switched off.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.access import can
from accounts.audit import record_event
from accounts.errors import DomainError, InvalidInput
from catalog.models import App, Notebook
from execution.cron import CronError, next_fire, parse_cron
from execution.forms.inputs import coerce_inputs
from execution.models import Run, Schedule, Trigger
from execution.notifications import notify_owner
from execution.selectors import inputs_of, published_version
from execution.services import request_run

log = logging.getLogger(__name__)


def create_schedule(
    *,
    actor,
    cron: str,
    app: App | None = None,
    notebook: Notebook | None = None,
    inputs: dict | None = None,
) -> Schedule:
    """Schedule runs of an app (or a notebook) as ``actor``; checked like a run request."""
    target = app or notebook
    try:
        parse_cron(cron)
    except CronError as exc:
        raise InvalidInput(str(exc), field="cron") from None
    version = published_version(app) if app is not None else notebook.current_version
    if version is None:
        raise InvalidInput(f"The notebook '{notebook.title}' has no version to run.")
    values = coerce_inputs(inputs_of(version), inputs)
    with transaction.atomic():
        schedule = Schedule.objects.create(
            workspace=target.workspace,
            app=app,
            notebook=notebook if app is None else app.notebook,
            cron=cron.strip(),
            inputs=values,
            owner=actor,
            next_run_at=next_fire(cron, timezone.now()),
        )
        record_event(
            actor=actor,
            action="schedule.created",
            target_urn=target.urn,
            workspace=target.workspace,
            details={"schedule": schedule.pk, "cron": schedule.cron, "inputs": values},
        )
    return schedule


def delete_schedule(*, actor, schedule: Schedule) -> None:
    with transaction.atomic():
        record_event(
            actor=actor,
            action="schedule.deleted",
            target_urn=schedule.target_urn,
            workspace=schedule.workspace,
            details={"schedule": schedule.pk, "cron": schedule.cron},
        )
        schedule.delete()


def run_due_schedules(*, now: datetime | None = None) -> list[Run]:
    """Start a run for each active schedule whose time has come; returns the runs."""
    now = now or timezone.now()
    started = []
    due = Schedule.objects.filter(is_active=True, next_run_at__lte=now).select_related(
        "app", "notebook", "owner", "workspace", "app__published_version", "app__notebook"
    )
    for schedule in due:
        following = next_fire(schedule.cron, now)
        claimed = Schedule.objects.filter(
            pk=schedule.pk, is_active=True, next_run_at=schedule.next_run_at
        ).update(next_run_at=following, last_run_at=now)
        if not claimed:
            continue  # another beat took it
        target = schedule.app if schedule.app_id else schedule.notebook
        if not can(schedule.owner, "run", target):
            _switch_off(schedule, "the owner may no longer run it")
            continue
        try:
            run = request_run(
                actor=schedule.owner,
                app=schedule.app,
                notebook=None if schedule.app_id else schedule.notebook,
                inputs=schedule.inputs,
                trigger=Trigger.SCHEDULE,
                schedule=schedule,
            )
        except DomainError as exc:
            # e.g. the app's new version dropped an input: tell the owner, keep trying.
            log.warning("Schedule %s could not start a run: %s", schedule.pk, exc.message)
            notify_owner(schedule, f"could not start: {exc.message}", url="")
            continue
        started.append(run)
    return started


def _switch_off(schedule: Schedule, reason: str) -> None:
    with transaction.atomic():
        Schedule.objects.filter(pk=schedule.pk).update(is_active=False)
        record_event(
            actor=schedule.owner,
            action="run.refused",
            target_urn=schedule.target_urn,
            workspace=schedule.workspace,
            details={"schedule": schedule.pk, "reason": reason},
        )
