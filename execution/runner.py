"""Executes a run's cells, in order, through one ``KernelSession``.

No database here: what happened is handed to a ``Recorder`` cell by cell (the service
writes the steps), and the runner asks it whether the run was cancelled between blocks.
The run stops at its first failing block; what ran before it is kept.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal, Protocol

from execution.gateway import KERNEL_DIED, ExecutionResult, GatewayError, KernelSession
from execution.gateway.session import PendingExecution
from execution.program import Cell

OutcomeStatus = Literal["succeeded", "failed", "cancelled"]


@dataclass(frozen=True)
class PlannedCell:
    """A cell and the code to send, or ``code=None`` to keep its earlier outputs (skipped)."""

    cell: Cell
    code: str | None


@dataclass(frozen=True)
class Outcome:
    status: OutcomeStatus
    error: str = ""
    # The kernel's namespace is gone (died, restarted, unreachable): no warm state left.
    is_kernel_lost: bool = False
    failed_block: str | None = None


class Recorder(Protocol):
    def record(self, position: int, planned: PlannedCell, result: ExecutionResult | None) -> None:
        """Called after each cell: ``result`` is None for a skipped (kept) cell."""

    def is_cancelled(self) -> bool:
        """Whether someone asked to cancel the run."""


def run_cells(
    kernel: KernelSession,
    planned: list[PlannedCell],
    recorder: Recorder,
    *,
    block_timeout_s: float,
    deadline: float,
    run_timeout_s: float,
) -> Outcome:
    """Run ``planned`` in order until the end, the first failure, a cancel or the deadline.

    ``deadline`` is a ``time.monotonic()`` value: each block gets the smaller of its own
    timeout and what is left of the run's. When a block succeeds the next one is sent
    before this one is recorded, so that writing a step overlaps the kernel's next block
    (still one block at a time in the kernel, as a failure must stop the run).
    """
    sent: dict[int, tuple[PendingExecution, float]] = {}

    def send(position: int) -> Outcome | None:
        if recorder.is_cancelled():
            return Outcome("cancelled", "Cancelled before block " + planned[position].cell.block_id)
        left_s = deadline - time.monotonic()
        if left_s <= 0:
            return Outcome("failed", f"The run timed out after {run_timeout_s:g} s")
        timeout_s = min(block_timeout_s, left_s)
        sent[position] = (kernel.submit(planned[position].code), timeout_s)
        return None

    for position, item in enumerate(planned):
        if item.code is None:
            recorder.record(position, item, None)
            continue
        if position not in sent and (stopped := send(position)) is not None:
            return stopped
        pending, timeout_s = sent.pop(position)
        try:
            result = kernel.wait(pending, timeout_s=timeout_s)
        except GatewayError as exc:
            if exc.partial is not None:
                recorder.record(position, item, _with_error(exc.partial, str(exc)))
            return Outcome("failed", str(exc), is_kernel_lost=True, failed_block=item.cell.block_id)
        following = _next_code(planned, position)
        stopped = send(following) if result.is_ok and following is not None else None
        recorder.record(position, item, result)
        if stopped is not None:
            return stopped
        if not result.is_ok:
            return _failure(
                item.cell,
                result,
                recorder,
                is_run_deadline=timeout_s < block_timeout_s,
                run_timeout_s=run_timeout_s,
            )
    return Outcome("succeeded")


def _next_code(planned: list[PlannedCell], position: int) -> int | None:
    for following in range(position + 1, len(planned)):
        if planned[following].code is not None:
            return following
    return None


def _failure(
    cell: Cell,
    result: ExecutionResult,
    recorder: Recorder,
    *,
    is_run_deadline: bool,
    run_timeout_s: float,
) -> Outcome:
    block = cell.block_id
    if result.status == "died":
        return Outcome(
            "failed", f"{KERNEL_DIED} while running block {block}", True, failed_block=block
        )
    if recorder.is_cancelled():
        # The cancel interrupted the block: a KeyboardInterrupt, not a failure of the code.
        return Outcome(
            "cancelled",
            f"Cancelled during block {block}",
            result.is_kernel_restarted,
            failed_block=block,
        )
    if result.status == "timeout":
        if is_run_deadline:
            error = f"The run timed out after {run_timeout_s:g} s, in block {block}: {result.error}"
        else:
            error = f"Block {block} {result.error}"
        return Outcome("failed", error, result.is_kernel_restarted, failed_block=block)
    return Outcome("failed", f"Block {block} failed: {result.error}", failed_block=block)


def _with_error(result: ExecutionResult, error: str) -> ExecutionResult:
    return ExecutionResult(
        status=result.status,
        outputs=result.outputs,
        execution_count=result.execution_count,
        duration_ms=result.duration_ms,
        error=error,
        is_kernel_restarted=result.is_kernel_restarted,
    )
