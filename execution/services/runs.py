"""Runs: request (check, then create and audit), execute (in a Celery task), cancel, finish.

``request_run`` checks the inputs and the person's concurrency limit, then creates the
run and its ``run.created`` event in one transaction, and queues ``execute_run`` once
that has committed. ``execute_run`` claims a queued run, executes it through the kernel
gateway and always finishes it: a run is never left running by a failure of ours, the
gateway's or the kernel's. ``finish_run`` writes the final status with the digest of
inputs and outputs and the ``run.finished`` event in one transaction; from then on the
run refuses every change.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.audit import record_event
from accounts.errors import Conflict, InvalidInput, RateLimited
from catalog.models import App, Notebook, WarehouseConnection
from execution import openlineage, sessions
from execution.forms.inputs import coerce_inputs
from execution.gateway import ExecutionResult, GatewayClient, GatewayError, get_gateway
from execution.models import ACTIVE, Run, RunImmutable, RunStatus, RunStep, StepStatus, Trigger
from execution.notifications import notify_failed_run
from execution.observed import COLLECT_CODE, observed_boot, parse_collected, record_observations
from execution.program import (
    RELEASE_CODE,
    Cell,
    assignment_code,
    build_cells,
    plan_rerun,
)
from execution.runner import Outcome, PlannedCell, run_cells
from execution.selectors import program_of, published_version

log = logging.getLogger(__name__)


# -- request --------------------------------------------------------------------------------------


def request_run(
    *,
    actor,
    app: App | None = None,
    notebook: Notebook | None = None,
    inputs: Any = None,
    trigger: str = Trigger.MANUAL,
    schedule=None,
) -> Run:
    """Check a run request and create the run (the caller has authorized ``run``).

    Raises:
        InvalidInput: ``inputs`` is not an object, names an unknown input, or a value has
            the wrong type; nothing is created.
        Conflict: the app is not published, or the notebook has no version.
        RateLimited: the person already has their limit of runs queued or running.
    """
    if inputs is not None and not isinstance(inputs, dict):
        raise InvalidInput("'inputs' must be an object of input names to values.", field="inputs")
    if app is not None:
        version, notebook = published_version(app), app.notebook
    else:
        version = notebook.current_version
        if version is None:
            raise Conflict(f"The notebook '{notebook.title}' has no version to run.")
    values = coerce_inputs(program_of(version)[1], inputs)
    if actor is not None and trigger != Trigger.SCHEDULE:
        _check_concurrency(actor)
    return _create_run(
        actor=actor,
        app=app,
        notebook=notebook,
        version=version,
        values=values,
        trigger=trigger,
        schedule=schedule,
    )


def _check_concurrency(actor) -> None:
    limit = settings.EXECUTION_MAX_ACTIVE_RUNS_PER_USER
    active = Run.objects.filter(actor=actor, status__in=ACTIVE).count()
    if active >= limit:
        raise RateLimited(
            f"You already have {active} runs queued or running (the limit is {limit}); "
            "wait for one to finish."
        )


def _create_run(*, actor, app, notebook, version, values, trigger, schedule) -> Run:
    target = app or notebook
    with transaction.atomic():
        run = Run.objects.create(
            workspace=target.workspace,
            app=app,
            notebook=notebook,
            version=version,
            target_urn=target.urn,
            actor=actor,
            actor_name=actor.get_username() if actor is not None else "system",
            inputs=values,
            trigger=trigger,
            block_timeout_s=settings.EXECUTION_BLOCK_TIMEOUT_S,
            run_timeout_s=settings.EXECUTION_RUN_TIMEOUT_S,
            schedule=schedule,
        )
        record_event(
            actor=actor or "system",
            action="run.created",
            target_urn=run.target_urn,
            workspace=run.workspace,
            details={
                "run": run.pk,
                "trigger": trigger,
                "version": version.number,
                "inputs": values,
            },
        )
        transaction.on_commit(partial(enqueue_run, run.pk))
    return run


def enqueue_run(run_id: int) -> None:
    """Hand the run to a Celery worker (or run it here when Celery is eager)."""
    try:
        # By name: the task module imports this service, not the other way round.
        current_app.tasks["execution.execute_run"].delay(run_id)
    except (OperationalError, OSError) as exc:  # the broker is down: say so on the run
        log.exception("Could not queue run %s", run_id)
        run = Run.objects.filter(pk=run_id, status=RunStatus.QUEUED).first()
        if run is not None:
            finish_run(run, RunStatus.FAILED, f"Could not queue the run: {exc}")


# -- execute --------------------------------------------------------------------------------------


def execute_run(run_id: int, *, client: GatewayClient | None = None) -> Run | None:
    """Execute a queued run to its end. Idempotent: a run already claimed is left alone."""
    claimed = (
        Run.objects.active(RunStatus.QUEUED)
        .filter(pk=run_id)
        .update(status=RunStatus.RUNNING, started_at=timezone.now())
    )
    if not claimed:
        return None
    run = Run.objects.select_related("app", "notebook", "version", "workspace", "actor").get(
        pk=run_id
    )
    writer = _StepWriter(run)
    try:
        outcome = _execute(run, client, writer)
    except GatewayError as exc:
        outcome = Outcome("failed", str(exc), is_kernel_lost=True)
    except Exception as exc:
        log.exception("Run %s failed inside Tributary", run_id)
        outcome = Outcome("failed", f"Internal error: {type(exc).__name__}: {exc}")
    if not writer.is_start_emitted:  # it never reached a kernel
        openlineage.emit_run_event(run, "START")
    steps = writer.written if not writer.pending else None
    finish_run(run, outcome.status, outcome.error, steps=steps)
    run.refresh_from_db()
    return run


@dataclass
class _StepWriter:
    """The runner's recorder: writes the steps, remembers what to keep warm.

    Steps are written in batches: at least every ``FLUSH_EVERY_S`` (so a run's page
    follows a long run), at a failure, and at the end; a short run costs one insert.
    """

    run: Run
    kept: dict[str, list] = field(default_factory=dict)  # block id -> [step id, duration_ms]
    kept_steps: dict[int, RunStep] = field(default_factory=dict)  # step id -> step
    saved_ms: float = 0.0
    pending: list[RunStep] = field(default_factory=list)
    written: list[RunStep] = field(default_factory=list)
    _flushed_at: float = field(default_factory=time.monotonic)
    _checked_at: float = field(default_factory=time.monotonic)
    _is_cancelled: bool = False
    is_start_emitted: bool = False

    FLUSH_EVERY_S = 0.25

    def record(self, position: int, planned: PlannedCell, result: ExecutionResult | None) -> None:
        cell = planned.cell
        if result is None:
            step_id, duration_ms = self.kept[cell.block_id]
            earlier = self.kept_steps[step_id]
            self.pending.append(
                RunStep(
                    run=self.run,
                    position=position,
                    block_id=cell.block_id,
                    kind=_step_kind(cell),
                    status=StepStatus.SKIPPED,
                    outputs=earlier.outputs,
                    execution_count=earlier.execution_count,
                    reused_from_id=earlier.run_id,
                )
            )
            self.saved_ms += duration_ms
        else:
            self.pending.append(
                RunStep(
                    run=self.run,
                    position=position,
                    block_id=cell.block_id,
                    kind=_step_kind(cell),
                    status=StepStatus.SUCCEEDED if result.is_ok else StepStatus.FAILED,
                    outputs=list(result.outputs),
                    execution_count=result.execution_count,
                    duration_ms=round(result.duration_ms, 3),
                    error=result.error or "",
                )
            )
        is_failure = result is not None and not result.is_ok
        if is_failure or time.monotonic() - self._flushed_at >= self.FLUSH_EVERY_S:
            self.flush()

    def flush(self) -> None:
        self._flushed_at = time.monotonic()
        if not self.pending:
            return
        # bulk_create skips RunStep.save(): the finished-run guard is this one read.
        if not Run.objects.filter(pk=self.run.pk, status=RunStatus.RUNNING).exists():
            raise RunImmutable(f"Run {self.run.pk} finished while it was being recorded")
        RunStep.objects.bulk_create(self.pending)
        self.written += self.pending
        self.pending = []

    @property
    def executed(self) -> dict[str, list]:
        """Block id -> [step id, duration_ms] of each block this run executed successfully."""
        return {
            s.block_id: [s.pk, s.duration_ms]
            for s in self.written
            if s.status == StepStatus.SUCCEEDED and s.pk is not None
        }

    def is_cancelled(self) -> bool:
        # A cancel also interrupts the kernel at once; between blocks a read every quarter
        # second is soon enough.
        now = time.monotonic()
        if not self._is_cancelled and now - self._checked_at >= self.FLUSH_EVERY_S:
            self._checked_at = now
            self._is_cancelled = Run.objects.filter(
                pk=self.run.pk, is_cancel_requested=True
            ).exists()
        return self._is_cancelled


def _flush(writer: _StepWriter) -> None:
    try:
        writer.flush()
    except RunImmutable as exc:  # finished meanwhile (failed as stale): keep what we can
        log.warning("%s", exc)


def _step_kind(cell: Cell) -> str:
    return "init" if cell.is_init else cell.kind


def kernel_env(run: Run) -> dict[str, str]:
    """What a run's kernel gets besides the allowlist: never a secret of ours."""
    return {
        "TRIBUTARY_WAREHOUSE": str(warehouse_path(run)),
        "TRIBUTARY_USER": run.actor_name,
        "TRIBUTARY_RUN": str(run.pk),
    }


def warehouse_path(run: Run) -> Path:
    """The workspace's DuckDB file when it has one configured, else the demo warehouse."""
    location = (
        WarehouseConnection.objects.filter(workspace_id=run.workspace_id, engine="duckdb")
        .order_by("-is_default", "name")
        .values_list("location", flat=True)
        .first()
    )
    if location and Path(location).is_file():
        return Path(location)
    return Path(settings.DEMO_WAREHOUSE_PATH)


def _execute(run: Run, client: GatewayClient | None, writer: _StepWriter) -> Outcome:
    started = time.monotonic()
    version = run.version
    blocks, inputs, init = program_of(version)
    cells = build_cells(blocks, inputs, run.inputs, init_blocks=init)
    env = kernel_env(run)
    client = client or get_gateway()
    lease = sessions.open_kernel(run, client, env)
    outcome = Outcome("failed", "The run did not start")
    try:
        # The kernel prepares itself while the run is planned.
        boot_text = observed_boot(env, is_short=lease.is_reused)
        booting = lease.kernel.submit(boot_text, store_history=False)
        openlineage.emit_run_event(run, "START")
        writer.is_start_emitted = True
        Run.objects.active(RunStatus.RUNNING).filter(pk=run.pk).update(
            kernel_id=lease.kernel.kernel_id
        )
        planned = _plan(run, cells, lease, writer)
        boot = lease.kernel.wait(booting, timeout_s=60)
        if not boot.is_ok and lease.is_reused:  # restarted behind our back: the whole boot
            boot = lease.kernel.execute(observed_boot(env), timeout_s=60, store_history=False)
        if not boot.is_ok:
            outcome = Outcome(
                "failed", f"Could not prepare the kernel: {boot.error}", boot.status == "died"
            )
            return outcome
        outcome = run_cells(
            lease.kernel,
            planned,
            writer,
            block_timeout_s=run.block_timeout_s,
            deadline=started + run.run_timeout_s,
            run_timeout_s=run.run_timeout_s,
        )
        collected = {}
        if not outcome.is_kernel_lost:  # what the blocks really read and wrote
            collected = parse_collected(
                lease.kernel.execute(COLLECT_CODE, timeout_s=30, store_history=False)
            )
        releasing = None
        if lease.session is not None and not outcome.is_kernel_lost:
            releasing = lease.kernel.submit(RELEASE_CODE, store_history=False)
        _flush(writer)  # while the kernel releases the warehouse
        record_observations(run, collected, writer.written)
        if releasing is not None and not lease.kernel.wait(releasing, timeout_s=30).is_ok:
            outcome = Outcome(outcome.status, outcome.error, is_kernel_lost=True)
        return outcome
    finally:
        _flush(writer)
        if writer.kept or writer.saved_ms:
            Run.objects.active(RunStatus.RUNNING).filter(pk=run.pk).update(
                skipped_blocks=list(writer.kept), saved_ms=round(writer.saved_ms, 3)
            )
        sessions.close_kernel(
            lease,
            run,
            is_succeeded=outcome.status == "succeeded",
            is_kernel_lost=outcome.is_kernel_lost,
            executed=writer.executed,
        )


def _plan(run: Run, cells: list[Cell], lease: sessions.Lease, writer: _StepWriter) -> list:
    """Every executable cell, or in a warm session only those the changed inputs reach."""
    executable = [c for c in cells if c.is_executable]
    full = [PlannedCell(c, c.code) for c in executable]
    session = lease.session
    if not lease.is_warm or session is None:
        return full
    changed = {n for n, v in run.inputs.items() if session.inputs.get(n, object()) != v}
    if not changed:
        return full  # the same inputs again: the person wants fresh results
    plan = plan_rerun(cells, changed)
    # The init notebook ran when the kernel started; it is kept like any skipped block.
    kept = [c.block_id for c in executable if c.is_init] + list(plan.skipped)
    if not set(kept) <= set(session.blocks):
        return full  # something to keep never ran in this kernel
    writer.kept = {block_id: session.blocks[block_id] for block_id in kept}
    writer.kept_steps = RunStep.objects.in_bulk([step_id for step_id, _ in writer.kept.values()])
    rerun = set(plan.rerun)
    Run.objects.active(RunStatus.RUNNING).filter(pk=run.pk).update(trigger=Trigger.REACTIVE)
    planned = []
    for cell in executable:
        if cell.block_id not in rerun:
            planned.append(PlannedCell(cell, None))
        elif cell.kind == "injected":
            changed_here = {n: run.inputs[n] for n in cell.assigns if n in changed}
            planned.append(PlannedCell(cell, assignment_code(changed_here, "# Parameters")))
        else:
            planned.append(PlannedCell(cell, cell.code))
    return planned


# -- cancel and finish ----------------------------------------------------------------------------


def cancel_run(*, actor, run: Run) -> Run:
    """Cancel a queued run at once; ask a running one to stop (its block is interrupted)."""
    if run.is_finished:
        raise Conflict(f"Run {run.pk} has already finished ({run.status}).")
    with transaction.atomic():
        Run.objects.active().filter(pk=run.pk).update(is_cancel_requested=True)
        record_event(
            actor=actor,
            action="run.cancel_requested",
            target_urn=run.target_urn,
            workspace=run.workspace,
            details={"run": run.pk},
        )
    if Run.objects.filter(pk=run.pk, status=RunStatus.QUEUED).exists():
        finish_run(
            run, RunStatus.CANCELLED, f"Cancelled by {actor.get_username()} before it started"
        )
    else:
        kernel_id = Run.objects.filter(pk=run.pk).values_list("kernel_id", flat=True).first()
        if kernel_id:
            try:
                get_gateway().interrupt_kernel(kernel_id)
            except GatewayError as exc:
                log.warning("Could not interrupt kernel %s of run %s: %s", kernel_id, run.pk, exc)
    run.refresh_from_db()
    return run


def finish_run(
    run: Run, status: str, error: str = "", *, steps: list[RunStep] | None = None
) -> bool:
    """Finish an active run: final status, digest and ``run.finished``, in one transaction.

    ``steps`` are the run's steps when the caller has just written them all (the digest
    is then computed without reading them back). Returns False when the run had already
    finished (e.g. cancelled while it ran).
    """
    with transaction.atomic():
        current = (
            Run.objects.select_for_update(of=("self",))
            .select_related("actor", "workspace")
            .filter(pk=run.pk, status__in=ACTIVE)
            .first()
        )
        if current is None:
            return False
        if status == RunStatus.FAILED and current.is_cancel_requested:
            status = RunStatus.CANCELLED
        current.status, current.error = status, error
        current.finished_at = timezone.now()
        if steps is None:
            steps = list(current.steps.order_by("position"))
        digest = current.compute_digest(sorted(steps, key=lambda step: step.position))
        Run.objects.active().filter(pk=run.pk).update(
            status=status, error=error, finished_at=current.finished_at, digest=digest
        )
        record_event(
            actor=current.actor or "system",
            action="run.finished",
            target_urn=current.target_urn,
            workspace=current.workspace,
            details={
                "run": current.pk,
                "status": status,
                "digest": digest,
                "trigger": current.trigger,
                "steps": len(steps),
                "skipped": len(current.skipped_blocks),
                "duration_ms": round(current.duration_ms or 0.0, 1),
            },
        )
        transaction.on_commit(partial(_after_finish, current.pk))
    return True


def _after_finish(run_id: int) -> None:
    """Side effects of a finished run, once it has committed: lineage event, e-mail."""
    run = Run.objects.select_related("workspace", "app", "notebook", "version", "schedule").get(
        pk=run_id
    )
    openlineage.emit_run_event(run, openlineage.final_state(run.status))
    if run.trigger == Trigger.SCHEDULE and run.status == RunStatus.FAILED:
        notify_failed_run(run)


def fail_stale_runs(*, now=None) -> int:
    """Finish runs whose worker went away: running past their timeout (and a grace), or
    queued for longer than ``EXECUTION_QUEUED_STALE_S``. Returns how many."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.EXECUTION_STALE_GRACE_S)
    failed = 0
    for run in Run.objects.filter(status=RunStatus.RUNNING, started_at__isnull=False):
        if run.started_at + timedelta(seconds=run.run_timeout_s) + grace < now:
            failed += finish_run(
                run, RunStatus.FAILED, "The worker executing this run stopped before it finished"
            )
    queued_before = now - timedelta(seconds=settings.EXECUTION_QUEUED_STALE_S)
    for run in Run.objects.filter(status=RunStatus.QUEUED, created_at__lt=queued_before):
        failed += finish_run(
            run, RunStatus.FAILED, "No worker picked this run up; is a Celery worker running?"
        )
    return failed
