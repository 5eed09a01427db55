"""Celery tasks: ids in, reload, call one service. Each is safe to run twice.

Eager in the embedded default (no ``CELERY_BROKER_URL``); on Redis with workers at scale.
Beat runs ``run_due_schedules`` and ``cull_idle_sessions`` every minute (in the embedded
default, without beat, ``execution/culler.py`` culls).
"""

from __future__ import annotations

from celery import shared_task

from execution.maintenance import cull_once
from execution.schedules import run_due_schedules
from execution.services import execute_run


@shared_task(name="execution.execute_run", acks_late=True)
def execute_run_task(run_id: int) -> str | None:
    """Execute a queued run; a run already claimed or finished is left alone."""
    run = execute_run(run_id)
    return None if run is None else run.status


@shared_task(name="execution.run_due_schedules")
def run_due_schedules_task() -> list[int]:
    return [run.pk for run in run_due_schedules()]


@shared_task(name="execution.cull_idle_sessions")
def cull_idle_sessions_task() -> dict[str, int]:
    """Shut down idle kernels, and fail runs whose worker went away (never stuck)."""
    return cull_once()
