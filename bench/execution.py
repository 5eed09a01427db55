"""Execution: an audited run against the same notebook run directly, and reactive re-runs.

    .venv/bin/python bench/execution.py [--quick] [--interrupts-only]

Prints, measured in one run on the demo (built in a temporary directory):

1. customer_360 run as an audited Tributary run (request, audit events, Celery eager,
   the kernel gateway, every step written, digest, OpenLineage events) against the same
   cells sent straight to a local kernel with jupyter_client (papermill's path), both in
   a kernel that is already running; target <= 1.1x.
2. each demo app after one input change: the reactive re-run (only the blocks the input
   reaches, in the person's warm kernel) against a full re-run from the top in a new
   kernel (what runs after a session is culled, or without sessions); target >= 40%
   saved. Also shown, not judged: against re-running every block in the warm kernel.
3. tiny executes through our gateway client against jupyter_client: the cost of the
   extra hop per block (what was bench/execution_gateway.py).
4. interrupts (what tests used to time): a block looping forever stopped at a 2 s block
   timeout, against a block that sleeps 2 s and ends by itself; a run cancelled inside a
   60 s sleep, from the cancel to the finished run, against a run of one short block.

Each figure is the best of several rounds, alternating the two sides.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup_django, verdict

DEMO_APPS = {
    "app:analytics/customer-360": (
        {"customer_email": "ada.lovelace@analytical.example"},
        {"customer_email": "katherine.johnson@langley.example"},
    ),
    "app:production/change-plan": ({"new_plan": "pro"}, {"new_plan": "enterprise"}),
    "app:production/delete-user": (
        {"email": "grace.hopper@cobol.example"},
        {"email": "alan.turing@bletchley.example"},
    ),
}


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


# -- 1. audited run against the same cells straight to a kernel ---------------------------------


def direct_kernel(env: dict[str, str]):
    from jupyter_client.manager import KernelManager

    manager = KernelManager(kernel_name="python3")
    # The kernel's stderr is only a warning about plain-TCP ZMQ on loopback.
    manager.start_kernel(stderr=subprocess.DEVNULL, env={**os.environ, **env})
    client = manager.blocking_client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    return manager, client


def run_direct(client, codes: list[str]) -> list[list[dict]]:
    """Every cell through jupyter_client, outputs collected as nbclient would."""
    recorded = []
    for code in codes:
        outputs: list[dict] = []

        def hook(msg, outputs=outputs):
            if msg["msg_type"] in ("stream", "execute_result", "display_data", "error"):
                outputs.append(msg["content"])

        reply = client.execute_interactive(code, timeout=60, output_hook=hook)
        assert reply["content"]["status"] == "ok", reply["content"]
        recorded.append(outputs)
    return recorded


def audited_against_direct(runner, rounds: int) -> tuple[float, float, float]:
    """Best seconds of: the audited run, the same cells through our gateway client alone
    (no database, no audit: the hop), the same cells straight to a kernel."""
    from catalog.models import App
    from execution.gateway import get_local_gateway
    from execution.program import RELEASE_CODE, boot_code
    from execution.selectors import cells_of_run
    from execution.services import request_run
    from execution.services.runs import kernel_env

    app = App.objects.get(workspace__slug="analytics", slug="customer-360")
    first = request_run(actor=runner, app=app, inputs={})  # warms the person's session
    first.refresh_from_db()
    assert first.status == "succeeded", first.error
    env = kernel_env(first)
    cells = [c.code for c in cells_of_run(first) if c.is_executable]
    # What a warm run sends: configure the runtime the kernel already holds, the cells,
    # then release the warehouse.
    codes = [boot_code(env, is_short=True), *cells, RELEASE_CODE]
    manager, client = direct_kernel(env)
    hop = get_local_gateway().client().open_session(env=env)

    def through_gateway() -> None:
        for code in codes:
            assert hop.execute(code, timeout_s=60).is_ok

    try:
        # Warm both kernels as the session's is: runtime loaded, imports done.
        run_direct(client, [boot_code(env), *codes])
        assert hop.execute(boot_code(env), timeout_s=60).is_ok
        through_gateway()
        best = {"audited": float("inf"), "hop": float("inf"), "direct": float("inf")}
        for _ in range(rounds):
            seconds, _ = timed(lambda: run_direct(client, codes))
            best["direct"] = min(best["direct"], seconds)
            seconds, _ = timed(through_gateway)
            best["hop"] = min(best["hop"], seconds)
            seconds, run = timed(lambda: request_run(actor=runner, app=app, inputs={}))
            run.refresh_from_db()
            assert run.status == "succeeded" and not run.skipped_blocks, run.error
            best["audited"] = min(best["audited"], seconds)
    finally:
        hop.close()
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return best["audited"], best["hop"], best["direct"]


# -- 2. reactive re-run against full re-runs ---------------------------------------------------


def reactive_against_full(runner, rounds: int) -> list[tuple[str, float, float, float, float]]:
    from catalog.models import App
    from execution.models import AppSession
    from execution.services import request_run
    from execution.sessions import forget_session
    from urns import parse_urn

    rows = []
    for urn, (base, changed) in DEMO_APPS.items():
        parsed = parse_urn(urn)
        app = App.objects.get(workspace__slug=parsed.workspace, slug=parsed.name)
        best = {"reactive": float("inf"), "cold": float("inf"), "warm": float("inf")}
        saved_estimate = 0.0
        for _ in range(rounds):
            for side in ("reactive", "cold", "warm"):
                request_run(actor=runner, app=app, inputs=base)  # the session holds `base`
                if side == "cold":
                    forget_session(runner, app)  # culled: the next run starts a new kernel
                elif side == "warm":
                    AppSession.objects.filter(user=runner, app=app).update(blocks={})
                seconds, run = timed(
                    lambda app=app, changed=changed: request_run(
                        actor=runner, app=app, inputs=changed
                    )
                )
                run.refresh_from_db()
                assert run.status == "succeeded", run.error
                assert bool(run.skipped_blocks) == (side == "reactive"), (side, run.skipped_blocks)
                best[side] = min(best[side], seconds)
                if side == "reactive":
                    saved_estimate = run.saved_ms
        rows.append((urn, best["reactive"], best["cold"], best["warm"], saved_estimate))
    return rows


# -- 3. tiny executes: the hop ------------------------------------------------------------------


def tiny_executes(count: int, rounds: int) -> tuple[float, float]:
    from execution.gateway import get_local_gateway

    def best_ms(execute) -> float:
        execute()
        best = float("inf")
        for _ in range(rounds):
            started = time.perf_counter()
            for _ in range(count):
                execute()
            best = min(best, (time.perf_counter() - started) / count)
        return best * 1000

    with get_local_gateway().client().open_session() as session:
        ours = best_ms(lambda: session.execute("x = 1", timeout_s=30))
    manager, client = direct_kernel({})
    try:
        direct = best_ms(lambda: client.execute_interactive("x = 1", timeout=30))
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return ours, direct


# -- 4. interrupts ------------------------------------------------------------------------------


def publish_cells(workspace, slug: str, code: str):
    from catalog.ingest.pipeline import ingest_upload
    from catalog.models import App, Notebook
    from execution.services import publish_app

    path = f"bench/{slug}.ipynb"
    cells = [{"cell_type": "code", "source": code, "metadata": {}, "outputs": []}]
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}
    import json

    ingest_upload(
        actor=None, workspace=workspace, filename=path, data=json.dumps(nb).encode(), path=path
    )
    notebook = Notebook.objects.get(workspace=workspace, path=path)
    app = App.objects.create(workspace=workspace, slug=slug, title=slug, notebook=notebook)
    return publish_app(actor=None, app=app)


def interrupts(runner) -> dict[str, float]:
    """Seconds: timed-out loop, 2 s sleep; cancel to finished, one short run."""
    import threading

    from django.conf import settings

    from accounts.models import Workspace
    from execution.models import Run
    from execution.services import cancel_run, execute_run, request_run

    # Every side in the same warm kernel path: a session of the person's on each app.
    workspace = Workspace.objects.get(slug="production")
    loop = publish_cells(workspace, "bench-loop", "while True:\n    pass")
    sleep = publish_cells(workspace, "bench-sleep", "import time\ntime.sleep(2)")
    long = publish_cells(workspace, "bench-long", "import time\ntime.sleep(60)")
    short = publish_cells(workspace, "bench-short", "x = 1")
    figures = {}
    default_timeout_s = settings.EXECUTION_BLOCK_TIMEOUT_S
    try:
        for name, app in (("timeout", loop), ("sleep", sleep), ("short", short)):
            if name == "short":
                request_run(actor=runner, app=app, inputs={})  # a warm session: the least
            settings.EXECUTION_BLOCK_TIMEOUT_S = 2 if name == "timeout" else default_timeout_s
            seconds, run = timed(lambda app=app: request_run(actor=runner, app=app, inputs={}))
            run.refresh_from_db()
            assert run.status == ("failed" if name == "timeout" else "succeeded"), run.error
            figures[name] = seconds
    finally:
        settings.EXECUTION_BLOCK_TIMEOUT_S = default_timeout_s
    from execution.services import runs

    enqueue, runs.enqueue_run = runs.enqueue_run, lambda run_id: None  # the thread runs it
    try:
        run = request_run(actor=runner, app=long, inputs={})
    finally:
        runs.enqueue_run = enqueue
    worker = threading.Thread(target=execute_run, args=(run.pk,))
    worker.start()
    while not Run.objects.filter(pk=run.pk).exclude(kernel_id="").exists():
        time.sleep(0.05)
    time.sleep(1.0)
    started = time.perf_counter()
    cancel_run(actor=runner, run=Run.objects.get(pk=run.pk))
    worker.join(60)
    figures["cancel"] = time.perf_counter() - started
    run.refresh_from_db()
    assert run.status == "cancelled", run.status
    return figures


def main() -> None:
    quick = "--quick" in sys.argv
    rounds = 3 if quick else 7
    workdir = Path(tempfile.mkdtemp(prefix="tributary-bench-execution-"))
    os.environ["DEMO_WAREHOUSE_PATH"] = str(workdir / "warehouse.duckdb")
    os.environ["OPENLINEAGE_FILE"] = str(workdir / "openlineage.jsonl")
    setup_django()
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from accounts.models import Membership, Workspace

    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    runner = get_user_model().objects.create_user("bench-runner")
    for workspace in Workspace.objects.all():
        Membership.objects.create(user=runner, workspace=workspace, role="runner")

    if "--interrupts-only" not in sys.argv:
        measure_runs(runner, rounds, quick)
    report_interrupts(runner)


def measure_runs(runner, rounds: int, quick: bool) -> None:
    audited, hop, direct = audited_against_direct(runner, rounds)
    ratio = audited / direct
    print(f"1. customer_360, every block in a running kernel, best of {rounds}")
    print(f"   audited Tributary run (request to finished run):      {audited * 1000:7.1f} ms")
    print(f"   the same cells through our gateway client only:        {hop * 1000:7.1f} ms")
    print(f"   the same cells straight to a kernel (jupyter_client):  {direct * 1000:7.1f} ms")
    print(f"   bookkeeping (database, audit, session, lineage): {(audited - hop) * 1000:.1f} ms")
    print(f"   gateway hop alone: {hop / direct:.2f}x")
    print(f"   ratio: {ratio:.2f}x (target <= 1.1x) {verdict(ratio <= 1.1)}")

    print(f"2. one input changed, best of {rounds}")
    savings = []
    for urn, reactive, cold, warm, estimate in reactive_against_full(runner, rounds):
        saved, saved_warm = 1 - reactive / cold, 1 - reactive / warm
        savings.append(saved)
        print(
            f"   {urn:30} reactive {reactive * 1000:6.1f} ms | full from the top "
            f"{cold * 1000:6.1f} ms: {saved:5.1%} saved | every block warm {warm * 1000:6.1f} "
            f"ms: {saved_warm:5.1%} saved | recorded estimate {estimate:6.1f} ms"
        )
    print(f"   least saved: {min(savings):.1%} (target >= 40%) {verdict(min(savings) >= 0.4)}")

    count = 50 if quick else 200
    ours, plain = tiny_executes(count, rounds=2 if quick else 3)
    print(f"3. tiny executes, best of rounds of {count}")
    print(f"   through the gateway (our client): {ours:6.2f} ms | jupyter_client {plain:6.2f} ms")
    print(f"   ratio: {ours / plain:.2f}x")


def report_interrupts(runner) -> None:
    figures = interrupts(runner)
    overshoot = figures["timeout"] / figures["sleep"]
    print("4. interrupts (the bounds the tests used to assert: step < 10 s, cancel < 30 s)")
    print(
        f"   loop stopped at its 2 s timeout: {figures['timeout']:.2f} s | a 2 s sleep that "
        f"ends: {figures['sleep']:.2f} s | ratio {overshoot:.2f}x "
        f"{verdict(figures['timeout'] < 10)}"
    )
    print(
        f"   cancel inside a 60 s sleep to finished run: {figures['cancel']:.2f} s | a run of "
        f"one short block: {figures['short']:.2f} s | ratio "
        f"{figures['cancel'] / figures['short']:.1f}x {verdict(figures['cancel'] < 30)}"
    )


if __name__ == "__main__":
    main()
