"""One run end to end through a real Celery worker on the Redis at 127.0.0.1:6379 (CI starts
it): a script requests the run, the worker executes it through the gateway, both processes
see this test's database (committed rows: a PostgreSQL test database or a SQLite file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from accounts.audit import verify_chain
from accounts.models import AuditEvent
from execution.models import Run
from tests.execution.conftest import publish

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/15"


def database_url() -> str:
    """The URL of the test database this process uses, for the worker's settings."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        assert db["NAME"] != ":memory:" and "mode=memory" not in str(db["NAME"])
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def worker_env(gateway, tmp_path):
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER,
        # A queue of this test's own: no other worker on this Redis takes its task.
        "CELERY_TASK_DEFAULT_QUEUE": f"tributary-test-{uuid.uuid4().hex}",
        "KERNEL_GATEWAY_URL": gateway.url,
        "KERNEL_GATEWAY_TOKEN": gateway.token,
        "TRIBUTARY_VAR_DIR": str(tmp_path / "var"),
        # One deployment, one key: the worker's audit events are sealed as ours are.
        "AUDIT_SIGNING_KEY": settings.AUDIT_SIGNING_KEY,
        "OPENLINEAGE_FILE": str(tmp_path / "openlineage.jsonl"),
    }


@pytest.fixture
def worker(worker_env, tmp_path):
    with open(tmp_path / "worker.log", "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "config", "worker",
                "--pool", "solo", "--queues", worker_env["CELERY_TASK_DEFAULT_QUEUE"],
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                "--loglevel", "INFO",
            ],
            cwd=ROOT, env=worker_env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def test_a_run_requested_by_a_script_is_executed_by_a_real_worker(
    workspace, runner, worker, worker_env, tmp_path
):
    publish(
        workspace,
        "apps/queued.ipynb",
        ("code", "who = 'x'", ["parameters"]),
        ("code", "import os\nprint(f'{who} ran in kernel for run', os.environ['TRIBUTARY_RUN'])"),
        slug="queued",
    )

    script = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "run_notebook",
            "app:production/queued",
            "-p",
            "who=Ada",
            "--user",
            "rita-runner",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=worker_env,
        capture_output=True,
        text=True,
        timeout=180,
    )

    log = (tmp_path / "worker.log").read_text()
    assert script.returncode == 0, script.stderr + "\n--- worker log ---\n" + log
    run = Run.objects.get()
    assert (run.status, run.trigger, run.actor) == ("succeeded", "manual", runner)
    assert f"Ada ran in kernel for run {run.pk}" in script.stdout
    assert "Task execution.execute_run[" in log and "succeeded" in log
    assert worker.poll() is None  # the worker is still up: it served, it did not crash
    assert list(
        AuditEvent.objects.filter(action__startswith="run.").values_list("action", flat=True)
    ) == [
        "run.created",
        "run.finished",
    ]
    assert verify_chain().is_intact  # the worker's events are sealed under the same key
    events = [
        json.loads(line) for line in (tmp_path / "openlineage.jsonl").read_text().splitlines()
    ]
    assert [e["eventType"] for e in events] == ["START", "COMPLETE"]
