"""Cancelling a queued or running run; the per-person limit of active runs; stale runs."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import AuditEvent
from execution.models import Run
from execution.services import cancel_run, execute_run, fail_stale_runs, request_run
from tests.execution.conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(workspace):
    return publish(workspace, "apps/wait.ipynb", ("code", "import time\ntime.sleep(30)"))


def test_a_queued_run_is_cancelled_at_once(web, runner, app):
    run = request_run(actor=runner, app=app, inputs={})
    web.force_login(runner)

    response = web.post(f"/api/runs/{run.pk}/cancel/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "cancelled" and body["error"].startswith("Cancelled by rita-runner")
    assert execute_run(run.pk) is None  # the worker that picks it up later does nothing
    assert list(
        AuditEvent.objects.filter(action__startswith="run.").values_list("action", flat=True)
    ) == ["run.created", "run.cancel_requested", "run.finished"]


def test_only_its_starter_or_an_editor_may_cancel_a_run(web, workspace, runner, editor, app):
    from tests.factories import add_member, make_user

    colleague = make_user("cole-runner")
    add_member(colleague, workspace, "runner")
    run = request_run(actor=runner, app=app, inputs={})

    web.force_login(colleague)  # may not even see another's run: the 404 of a missing one
    assert web.post(f"/api/runs/{run.pk}/cancel/").status_code == 404
    web.force_login(editor)
    assert web.post(f"/api/runs/{run.pk}/cancel/").json()["status"] == "cancelled"
    assert web.post(f"/api/runs/{run.pk}/cancel/").status_code == 409


@pytest.fixture
def held(monkeypatch):
    """Runs stay queued: no task is sent when their transaction commits."""
    monkeypatch.setattr("execution.services.runs.enqueue_run", lambda run_id: None)


@pytest.mark.django_db(transaction=True)
def test_a_running_run_is_interrupted_and_recorded_as_cancelled(workspace, gateway, held):
    from tests.factories import add_member, make_user

    runner = make_user("rita-runner")
    add_member(runner, workspace, "runner")
    app = publish(
        workspace,
        "apps/wait.ipynb",
        ("code", "import time\nprint('waiting', flush=True)\ntime.sleep(60)"),
    )
    run = request_run(actor=runner, app=app, inputs={})
    worker = threading.Thread(target=_execute_in_thread, args=(run.pk,))
    started = time.monotonic()
    worker.start()
    while not Run.objects.filter(pk=run.pk).exclude(kernel_id="").exists():
        assert time.monotonic() - started < 60, "the run never reached its kernel"
        time.sleep(0.05)
    time.sleep(1.0)  # inside the sleeping block by now

    cancel_run(actor=runner, run=Run.objects.get(pk=run.pk))
    worker.join(30)

    run.refresh_from_db()
    assert not worker.is_alive()
    assert run.status == "cancelled"
    assert run.error == "Cancelled during block cell-0"
    # Interrupted inside its 60 s sleep (the thread ended within the 30 s join, the step
    # never finished); how soon after the cancel: bench/execution.py.
    assert run.steps.get().outputs[0]["text"] == "waiting\n"


def _execute_in_thread(run_id: int) -> None:
    try:
        execute_run(run_id)
    finally:
        connection.close()


def test_a_person_may_have_only_so_many_runs_queued_or_running(web, runner, app, settings, held):
    settings.EXECUTION_MAX_ACTIVE_RUNS_PER_USER = 2
    web.force_login(runner)
    url = f"/api/apps/{app.pk}/runs/"

    codes = [
        web.post(url, {"inputs": {}}, content_type="application/json").status_code for _ in range(3)
    ]

    assert codes == [201, 201, 429]
    assert Run.objects.filter(actor=runner).count() == 2
    assert (
        "wait for one to finish"
        in web.post(url, {}, content_type="application/json").json()["error"]
    )


def test_runs_whose_worker_went_away_are_failed_never_stuck(runner, app, held):
    stuck = request_run(actor=runner, app=app, inputs={})
    Run.objects.filter(pk=stuck.pk).update(
        status="running", started_at=timezone.now() - timedelta(hours=2)
    )
    lost = request_run(actor=runner, app=app, inputs={})
    Run.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=2))
    fresh = request_run(actor=runner, app=app, inputs={})

    assert fail_stale_runs() == 2

    stuck.refresh_from_db(), lost.refresh_from_db(), fresh.refresh_from_db()
    assert (stuck.status, stuck.error) == (
        "failed",
        "The worker executing this run stopped before it finished",
    )
    assert lost.status == "failed" and "is a Celery worker running?" in lost.error
    assert fresh.status == "queued"


def test_a_broker_that_is_down_fails_the_run_with_a_clear_error(
    runner, app, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    def refuse(run_id):
        raise OperationalError("[Errno 111] Connection refused")

    monkeypatch.setattr("execution.tasks.execute_run_task.delay", refuse)

    with django_capture_on_commit_callbacks(execute=True):
        run = request_run(actor=runner, app=app, inputs={})

    run.refresh_from_db()
    assert run.status == "failed"
    assert run.error == "Could not queue the run: [Errno 111] Connection refused"
