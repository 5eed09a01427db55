"""Failure cases against the real gateway: a killed kernel, a gateway that is down, an
infinite loop, a run past its timeout, a block printing 5 MB."""

from __future__ import annotations

import pytest

from execution.gateway import KERNEL_DIED
from execution.models import AppSession, Run
from execution.services import execute_run
from tests.execution.conftest import publish

pytestmark = pytest.mark.django_db

KILL_SELF = """import os, signal, time
print('about to die', flush=True)
time.sleep(0.5)
os.kill(os.getpid(), signal.SIGKILL)"""


def test_a_kernel_killed_mid_block_fails_the_run_and_keeps_earlier_outputs(
    workspace, runner, gateway, client, execute
):
    app = publish(
        workspace,
        "apps/crash.ipynb",
        ("code", "print('first block ran')"),
        # The sleep lets the print leave the kernel before the kill (as a kill from outside
        # mid-block would find it).
        ("code", KILL_SELF),
        ("code", "print('never')"),
    )

    run = execute(actor=runner, app=app, inputs={})

    assert run.status == "failed"
    assert KERNEL_DIED in run.error and run.finished_at is not None
    steps = list(run.steps.order_by("position"))
    assert [(s.block_id, s.status) for s in steps] == [
        ("cell-0", "succeeded"),
        ("cell-1", "failed"),
    ]
    assert steps[0].outputs[0]["text"] == "first block ran\n"
    assert steps[1].outputs[0]["text"] == "about to die\n"
    assert steps[1].error == KERNEL_DIED
    # The dead kernel is not kept as the person's warm session.
    assert AppSession.objects.get(user=runner, app=app).kernel_id == ""
    assert client.get_kernel(run.kernel_id) is None


def test_a_gateway_that_is_down_fails_the_run_with_a_clear_error(
    workspace, runner, settings, execute
):
    from tests.servers import free_port

    app = publish(workspace, "apps/any.ipynb", ("code", "1"))
    settings.KERNEL_GATEWAY_URL = f"http://127.0.0.1:{free_port()}"
    settings.KERNEL_GATEWAY_TOKEN = "unused"

    run = execute(actor=runner, app=app, inputs={})

    assert run.status == "failed"
    assert (
        run.error
        == f"Kernel gateway at {settings.KERNEL_GATEWAY_URL} is unreachable: connection refused"
    )
    assert run.finished_at is not None and run.digest
    assert not AppSession.objects.filter(busy_run__isnull=False).exists()


def test_an_infinite_loop_is_interrupted_at_the_block_timeout(
    workspace, runner, gateway, settings, execute
):
    settings.EXECUTION_BLOCK_TIMEOUT_S = 2
    app = publish(
        workspace, "apps/loop.ipynb", ("code", "print('start', flush=True)\nwhile True:\n    pass")
    )

    run = execute(actor=runner, app=app, inputs={})

    assert run.status == "failed"
    assert run.error == "Block cell-0 timed out after 2 s; interrupted"
    step = run.steps.get()
    assert step.outputs[0]["text"] == "start\n"
    # It ran until its timeout, not less; how soon after it stops: bench/execution.py.
    assert step.duration_ms >= 2000
    assert run.duration_ms >= step.duration_ms


def test_a_run_past_its_own_timeout_stops_even_when_each_block_is_short(
    workspace, runner, gateway, settings, execute
):
    settings.EXECUTION_RUN_TIMEOUT_S = 2
    app = publish(
        workspace,
        "apps/slow.ipynb",
        ("code", "import time\ntime.sleep(1.2)"),
        ("code", "time.sleep(1.2)"),
        ("code", "print('not reached')"),
    )

    run = execute(actor=runner, app=app, inputs={})

    assert run.status == "failed"
    assert run.error.startswith("The run timed out after 2 s")
    assert "not reached" not in str(list(run.steps.values_list("outputs", flat=True)))


def test_a_block_printing_five_megabytes_is_recorded_whole(workspace, runner, gateway, execute):
    app = publish(
        workspace,
        "apps/loud.ipynb",
        ("code", "for i in range(5000):\n    print(str(i % 10) * 999, flush=True)"),
    )

    run = execute(actor=runner, app=app, inputs={})

    assert run.status == "succeeded", run.error
    text = "".join(o["text"] for o in run.steps.get().outputs if o["output_type"] == "stream")
    assert len(text) == 5000 * 1000
    assert text.splitlines()[4321] == "1" * 999


def test_executing_a_run_twice_does_nothing_the_second_time(workspace, runner, gateway, execute):
    app = publish(workspace, "apps/once.ipynb", ("code", "print('once')"))
    run = execute(actor=runner, app=app, inputs={})

    assert execute_run(run.pk) is None
    assert Run.objects.get(pk=run.pk).steps.count() == 1
