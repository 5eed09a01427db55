"""Factories for execution tests: published apps, finished runs."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from execution.models import Run, RunStatus, RunStep, Trigger


def make_finished_run(
    app, actor, *, status: str = RunStatus.SUCCEEDED, inputs=None, outputs=None, **extra
):
    """A finished run of ``app`` written directly (no kernel), one step of output."""
    now = timezone.now()
    run = Run.objects.create(
        workspace=app.workspace,
        app=app,
        notebook=app.notebook,
        version=app.published_version or app.notebook.current_version,
        target_urn=app.urn,
        actor=actor,
        actor_name=actor.get_username(),
        inputs=inputs or {},
        trigger=extra.pop("trigger", Trigger.MANUAL),
        status=RunStatus.RUNNING,
        started_at=now - timedelta(seconds=2),
        block_timeout_s=60,
        run_timeout_s=600,
        **extra,
    )
    RunStep.objects.create(
        run=run,
        position=0,
        block_id="cell-0",
        kind="code",
        status="succeeded",
        outputs=outputs or [{"output_type": "stream", "name": "stdout", "text": "done\n"}],
        execution_count=1,
        duration_ms=12.5,
    )
    Run.objects.filter(pk=run.pk).update(status=status, finished_at=now, digest="0" * 64)
    run.refresh_from_db()
    return run
