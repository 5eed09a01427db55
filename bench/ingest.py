"""Ingest speed, each figure a ratio against a baseline measured in the same run.

    .venv/bin/python bench/ingest.py [--notebooks 1000] [--project 1000]
        [--workers-notebooks 10000] [--database URL] [FOLDER]

Prints:
  - the floor: json.loads of every file + ast.parse of its code cells (best of 3);
  - first ingest / floor, target <= 3x, on FOLDER or a generated corpus shaped like real
    public notebooks (bench/corpus.py);
  - first ingest / re-ingest of the unchanged folder, target >= 50x;
  - a .deepnote project of N one-line notebooks, target < 5 s, and the time per notebook
    at 5N against N (linear: about 1);
  - a folder of 10,000 notebooks ingested as one job by one Celery worker, then by two
    (Redis at 127.0.0.1:6379, database 6), and one / two.

The database is a fresh SQLite file unless ``--database`` names one (for PostgreSQL, a
database of your own: it is flushed first). Django's URLs are loaded before anything is
timed, as in a running server or worker.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus
from _setup import ROOT, setup_django, verdict

BROKER = "redis://127.0.0.1:6379/6"


def floor(folder: Path) -> float:
    start = time.perf_counter()
    for path in sorted(folder.rglob("*.ipynb")):
        nb = json.loads(path.read_bytes())
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "code":
                source = cell["source"]
                with contextlib.suppress(SyntaxError):
                    ast.parse("".join(source) if isinstance(source, list) else source)
    return time.perf_counter() - start


def _ingest(workspace, folder: Path):
    from catalog.ingest.pipeline import ingest_files
    from catalog.ingest.sources.folder import iter_folder

    return ingest_files(
        actor=None, workspace=workspace, files=iter_folder(folder), source="bench", complete=True
    )


def first_and_again(folder: Path) -> tuple[float, float, object]:
    from accounts.services import ensure_workspace

    workspace = ensure_workspace(slug="bench")
    start = time.perf_counter()
    first = _ingest(workspace, folder)
    first_s = time.perf_counter() - start
    again_s = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        report = _ingest(workspace, folder)
        again_s = min(again_s, time.perf_counter() - start)
    assert report.unchanged == first.new, (report, first)
    return first_s, again_s, first


def project(count: int, slug: str) -> float:
    from accounts.services import ensure_workspace
    from catalog.ingest.pipeline import ingest_upload

    data = corpus.deepnote_project(count)
    workspace = ensure_workspace(slug=slug)
    start = time.perf_counter()
    report = ingest_upload(actor=None, workspace=workspace, filename="big.deepnote", data=data)
    elapsed = time.perf_counter() - start
    assert (report.new, report.failed) == (count, 0), report
    return elapsed


def _start_workers(count: int, env: dict, logs: Path) -> list[subprocess.Popen]:
    workers = []
    for i in range(count):
        log = open(logs / f"worker-{i}.log", "wb")  # noqa: SIM115 (the process owns it)
        workers.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--pool",
                    "prefork",
                    "--concurrency",
                    "1",
                    "-n",
                    f"bench{i}@%h",
                    "--queues",
                    env["CELERY_TASK_DEFAULT_QUEUE"],
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel",
                    "INFO",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if all(" ready." in (logs / f"worker-{i}.log").read_text() for i in range(count)):
            return workers
        time.sleep(0.2)
    raise RuntimeError("the workers did not start; see " + str(logs))


def _stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()


def with_workers(count: int, folder: Path, slug: str) -> float:
    """Seconds from queueing the folder's job to its end, with ``count`` workers."""
    from accounts.services import ensure_workspace
    from catalog.models import IngestJob
    from catalog.tasks import start_folder_ingest

    logs = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    workers = _start_workers(count, dict(os.environ), logs)
    try:
        workspace = ensure_workspace(slug=slug)
        start = time.perf_counter()
        job = start_folder_ingest(actor=None, workspace=workspace, root=folder)
        while job.status == "running":
            time.sleep(0.1)
            job = IngestJob.objects.get(pk=job.pk)
        elapsed = time.perf_counter() - start
    finally:
        _stop(workers)
    assert job.status == "succeeded" and job.counts["failed"] == 0, (job.counts, job.errors)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?", help="a folder of notebooks (default: generated)")
    parser.add_argument("--notebooks", type=int, default=1000)
    parser.add_argument("--project", type=int, default=1000, help="notebooks in the project")
    parser.add_argument("--workers-notebooks", type=int, default=10_000, help="0: skip")
    parser.add_argument("--database", help="a database URL (default: a fresh SQLite file)")
    args = parser.parse_args()

    if args.workers_notebooks:
        os.environ["CELERY_BROKER_URL"] = BROKER
        os.environ["CELERY_TASK_DEFAULT_QUEUE"] = f"tributary-bench-{uuid.uuid4().hex}"
    workdir = setup_django(args.database)
    from django.core.management import call_command
    from django.urls import reverse

    if args.database:
        call_command("flush", interactive=False, verbosity=0)
    reverse("home")  # load the URLconf, as a server or worker has

    folder = Path(args.folder) if args.folder else workdir / "notebooks"
    if not args.folder:
        corpus.generate(folder, args.notebooks)
    files = len(list(folder.rglob("*.ipynb"))) + len(list(folder.rglob("*.deepnote")))
    floor(folder)  # warm the page cache, so both sides read from memory
    floor_s = min(floor(folder) for _ in range(3))
    first_s, again_s, first = first_and_again(folder)
    cells = sum(len(json.loads(p.read_bytes())["cells"]) for p in folder.rglob("*.ipynb"))

    print(f"database: {os.environ['DATABASE_URL'].partition(':')[0]}")
    print(
        f"files: {files} ({cells} cells), notebooks ingested: {first.new}, failed: {first.failed}"
    )
    print(f"floor (json.loads + ast.parse): {floor_s * 1000:.0f} ms")
    print(f"first ingest:                   {first_s * 1000:.0f} ms")
    print(f"re-ingest unchanged:            {again_s * 1000:.0f} ms")
    ratio, speedup = first_s / floor_s, first_s / again_s
    print(f"first ingest / floor = {ratio:.2f}x (target <= 3x) {verdict(ratio <= 3)}")
    print(f"first / re-ingest = {speedup:.0f}x cheaper (target >= 50x) {verdict(speedup >= 50)}")

    if args.project:
        small_s = project(args.project, "bench-project")
        large_s = project(5 * args.project, "bench-project-5x")
        growth = (large_s / (5 * args.project)) / (small_s / args.project)
        print(
            f"a .deepnote project of {args.project:,} notebooks: {small_s:.2f} s "
            f"(target < 5 s) {verdict(small_s < 5)}"
        )
        print(
            f"  {5 * args.project:,} notebooks: {large_s:.2f} s; time per notebook at 5x / 1x "
            f"= {growth:.2f} (linear: about 1) {verdict(growth < 1.5)}"
        )

    if args.workers_notebooks:
        big = workdir / "notebooks-workers"
        corpus.generate(big, args.workers_notebooks, seed=13)
        one_s = with_workers(1, big, "bench-one-worker")
        two_s = with_workers(2, big, "bench-two-workers")
        gain = one_s / two_s
        n = args.workers_notebooks
        print(f"{n:,} notebooks, one worker:  {one_s:.1f} s ({n / one_s:.0f} notebooks/s)")
        print(f"{n:,} notebooks, two workers: {two_s:.1f} s ({n / two_s:.0f} notebooks/s)")
        print(
            f"one / two workers = {gain:.2f}x (more workers, more notebooks/s) {verdict(gain > 1)}"
        )


if __name__ == "__main__":
    main()
