"""Once finished, a run and its steps refuse every change, through any ORM path."""

from __future__ import annotations

import pytest

from execution.models import Run, RunImmutable, RunStep
from tests.execution.conftest import publish
from tests.execution.factories import make_finished_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(workspace, runner):
    return make_finished_run(publish(workspace, "apps/done.ipynb", ("code", "1")), runner)


def test_saving_a_finished_run_is_refused(run):
    run.error = "rewritten history"

    with pytest.raises(RunImmutable, match=f"Run {run.pk} is finished"):
        run.save()
    assert Run.objects.get(pk=run.pk).error == ""


def test_a_bulk_update_touching_a_finished_run_is_refused(run):
    with pytest.raises(RunImmutable):
        Run.objects.filter(pk=run.pk).update(status="running")
    assert Run.objects.get(pk=run.pk).status == "succeeded"


def test_an_update_of_active_runs_only_never_reaches_a_finished_one(run):
    assert Run.objects.active().filter(pk=run.pk).update(error="too late") == 0
    assert Run.objects.get(pk=run.pk).error == ""


def test_the_steps_of_a_finished_run_cannot_change_or_be_added(run):
    step = run.steps.get()
    step.outputs = [{"output_type": "stream", "name": "stdout", "text": "forged\n"}]

    with pytest.raises(RunImmutable):
        step.save()
    with pytest.raises(RunImmutable):
        RunStep.objects.filter(run=run).update(outputs=[])
    with pytest.raises(RunImmutable):
        RunStep.objects.create(run=run, position=1, block_id="x", kind="code", status="succeeded")
    assert run.steps.get().outputs[0]["text"] == "done\n"


def test_an_active_run_can_still_move_on(workspace, runner):
    from execution.services import request_run

    app = publish(workspace, "apps/queued.ipynb", ("code", "1"))
    run = request_run(actor=runner, app=app, inputs={})  # queued: its task waits for commit

    assert Run.objects.filter(pk=run.pk, status="queued").update(status="running") == 1
