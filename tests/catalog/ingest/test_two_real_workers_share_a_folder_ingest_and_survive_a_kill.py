"""A folder ingest through two real Celery workers on the Redis at 127.0.0.1:6379 (CI starts
it), database 6: `manage.py ingest` queues the job's chunks and follows the job; both
workers take chunks; one worker's process is killed mid-chunk, and the chunk is given back
and finished with nothing half-written and nothing counted twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from accounts.models import AuditEvent
from catalog.models import Block, IngestChunk, IngestJob, Notebook, NotebookVersion
from tests.factories import ipynb_bytes, write_notebook

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
BROKER = "redis://127.0.0.1:6379/6"
NOTEBOOKS = 120
CHUNK_FILES = 40
CELLS = 6


def database_url() -> str:
    """The URL of the test database this process uses, for the workers' settings."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        assert db["NAME"] != ":memory:" and "mode=memory" not in str(db["NAME"])
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def worker_env(tmp_path):
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER,
        # A queue of this test's own: no other worker on this Redis takes its tasks.
        "CELERY_TASK_DEFAULT_QUEUE": f"tributary-ingest-test-{uuid.uuid4().hex}",
        "TRIBUTARY_VAR_DIR": str(tmp_path / "var"),
        # Small batches: a chunk commits many times, so a kill lands between two commits.
        "INGEST_BATCH_NOTEBOOKS": "2",
    }


@pytest.fixture
def workers(worker_env, tmp_path):
    started = []
    for name in ("one", "two"):
        log = open(tmp_path / f"worker-{name}.log", "wb")  # noqa: SIM115 (closed below)
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "config", "worker",
                "--pool", "prefork", "--concurrency", "1", "-n", f"{name}@%h",
                "--queues", worker_env["CELERY_TASK_DEFAULT_QUEUE"],
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                "--loglevel", "INFO",
            ],
            cwd=ROOT, env=worker_env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        started.append((process, log))
    try:
        yield [process for process, _ in started]
    finally:
        for process, log in started:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
            log.close()


def _kill_a_worker_mid_chunk(deadline_s: float) -> IngestChunk:
    """Wait until some chunk has committed part of its files, then kill the process
    running it (SIGKILL: no goodbye, no acknowledgement)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        for chunk in IngestChunk.objects.filter(status="running", done__gt=0):
            if chunk.done < len(chunk.paths) - 4 and chunk.worker:
                os.kill(int(chunk.worker.rpartition(":")[2]), signal.SIGKILL)
                return chunk
        time.sleep(0.02)
    raise AssertionError("no chunk was caught mid-way")


def test_two_workers_ingest_a_folder_and_a_killed_chunk_is_retried_whole(
    workspace, workers, worker_env, tmp_path
):
    folder = tmp_path / "notebooks"
    for i in range(NOTEBOOKS):
        cells = [("code", f"value_{i}_{c} = {c}") for c in range(CELLS)]
        write_notebook(folder, f"team{i % 3}/n{i:03}.ipynb", ipynb_bytes(*cells))

    command = subprocess.Popen(
        [
            sys.executable, "manage.py", "ingest", str(folder), "--workspace", workspace.slug,
            "--chunk-files", str(CHUNK_FILES), "--json",
        ],
        cwd=ROOT, env=worker_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    killed = _kill_a_worker_mid_chunk(deadline_s=120)
    out, err = command.communicate(timeout=300)

    logs = "\n".join(p.read_text() for p in sorted(tmp_path.glob("worker-*.log")))
    assert command.returncode == 0, err + "\n--- worker logs ---\n" + logs
    report = json.loads(out)
    assert (report["new"], report["failed"], report["unchanged"]) == (NOTEBOOKS, 0, 0)
    job = IngestJob.objects.get()
    assert (job.status, job.total, job.done) == ("succeeded", NOTEBOOKS, NOTEBOOKS)
    chunks = {c.pk: c for c in job.chunks.all()}
    assert chunks[killed.pk].attempts == 2
    assert {c.done for c in chunks.values()} == {CHUNK_FILES}
    # Both workers took chunks.
    for name in ("one", "two"):
        assert "Task catalog.ingest_chunk[" in (tmp_path / f"worker-{name}.log").read_text()
    # Nothing half-written, nothing stored twice.
    assert Notebook.objects.filter(workspace=workspace).count() == NOTEBOOKS
    assert NotebookVersion.objects.count() == NOTEBOOKS
    assert Block.objects.count() == NOTEBOOKS * CELLS
    assert AuditEvent.objects.filter(action="notebook.ingested").count() == NOTEBOOKS
    assert all(w.poll() is None for w in workers)  # the killed child was replaced, not the worker
