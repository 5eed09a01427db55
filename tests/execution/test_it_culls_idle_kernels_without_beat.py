"""The embedded default (Celery eager, no beat) culls idle warm kernels with a thread of its
own; at scale it leaves culling to beat."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from execution.culler import is_culler_running, stop_culler
from execution.models import AppSession
from tests.execution.conftest import publish

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def embedded_culling(settings):
    settings.EXECUTION_CULL_IN_PROCESS = True
    settings.EXECUTION_SESSION_IDLE_S = 1
    settings.EXECUTION_CULL_EVERY_S = 1
    yield
    stop_culler()


def wait_until(condition, *, deadline_s: float) -> bool:
    """Polls ``condition``; a hang guard, not a measurement (how soon: not asserted)."""
    give_up = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > give_up:
            return False
        time.sleep(0.1)
    return True


def test_an_idle_warm_kernel_is_shut_down_without_beat(
    workspace, runner, gateway, execute, embedded_culling
):
    client = gateway.client()
    app = publish(workspace, "apps/warm.ipynb", ("code", "total = 42"))

    run = execute(actor=runner, app=app, inputs={})

    assert run.status == "succeeded", run.error
    session = AppSession.objects.get(user=runner, app=app)
    assert client.get_kernel(session.kernel_id) is not None  # kept warm after the run
    assert is_culler_running()
    assert wait_until(lambda: not AppSession.objects.filter(pk=session.pk).exists(), deadline_s=60)
    assert client.get_kernel(session.kernel_id) is None
    assert session.kernel_id not in {kernel.id for kernel in client.list_kernels()}


def test_a_kernel_used_within_the_idle_limit_is_kept_by_the_thread(
    workspace, runner, gateway, settings, execute, embedded_culling
):
    client = gateway.client()
    settings.EXECUTION_SESSION_IDLE_S = 600
    app = publish(workspace, "apps/kept.ipynb", ("code", "total = 42"))

    execute(actor=runner, app=app, inputs={})
    session = AppSession.objects.get(user=runner, app=app)
    time.sleep(2.5)  # two passes of the thread

    assert AppSession.objects.filter(pk=session.pk).exists()
    assert client.get_kernel(session.kernel_id) is not None


def test_no_thread_starts_when_beat_culls(workspace, runner, gateway, settings, execute):
    settings.EXECUTION_CULL_IN_PROCESS = False
    app = publish(workspace, "apps/beat.ipynb", ("code", "total = 42"))

    run = execute(actor=runner, app=app, inputs={})

    assert run.status == "succeeded", run.error
    assert not is_culler_running()


def culling_setting(tmp_path, **env) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL",)}
    clean.update(env, TRIBUTARY_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.EXECUTION_CULL_IN_PROCESS)"],
        env=clean,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return result.stdout.strip()


def test_the_thread_is_on_by_default_only_without_a_broker(tmp_path):
    assert culling_setting(tmp_path) == "True"
    assert culling_setting(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/3") == "False"
    assert culling_setting(tmp_path, EXECUTION_CULL_IN_PROCESS="True") == "True"
