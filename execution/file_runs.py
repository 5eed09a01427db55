"""Running a notebook file through the runtime apps run on, without a catalog row.

The same program (`execution.program`: cells, SQL blocks, injected inputs), the same kernel
preparation (`kernel_runtime`, through the kernel gateway) and the same runner as an app's
run; what is not there is the bookkeeping of a `Run` (steps, audit, warm sessions). The
demo builds its warehouse by running its pipeline notebooks this way, and its tests check
the numbers the notebooks compute with it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.formats import ParsedBlock, read_notebook_file
from execution.forms.inputs import coerce_inputs, read_inputs
from execution.gateway import ExecutionResult, GatewayClient, KernelSession, get_gateway
from execution.program import boot_code, build_cells
from execution.runner import PlannedCell, run_cells

BLOCK_TIMEOUT_S = 120.0
RUN_TIMEOUT_S = 600.0


class NotebookError(RuntimeError):
    """A block failed; the message names the notebook and the block."""


@dataclass
class _Results:
    found: list[tuple[str, ExecutionResult]] = field(default_factory=list)

    def record(self, position: int, planned: PlannedCell, result: ExecutionResult | None) -> None:
        if result is not None:
            self.found.append((planned.cell.block_id, result))

    def is_cancelled(self) -> bool:
        return False


@dataclass
class FileRun:
    """A notebook file that ran in a kernel, which stays up until `close` for `value`."""

    path: Path
    kernel: KernelSession
    results: list[tuple[str, ExecutionResult]]

    def value(self, expression: str) -> Any:
        """The value of ``expression`` in the kernel's namespace, through JSON (numbers,
        strings, booleans, lists and dicts of them; NumPy scalars as Python ones)."""
        code = (
            "import json as __json\n"
            f"print(__json.dumps({expression}, default=lambda o: o.item() "
            "if hasattr(o, 'item') else str(o)))\n"
            "del __json"
        )
        result = self.kernel.execute(code, timeout_s=BLOCK_TIMEOUT_S, store_history=False)
        if not result.is_ok:
            raise NotebookError(f"{self.path.name}: {expression!r}: {result.error}")
        text = "".join(
            o.get("text", "") for o in result.outputs if o.get("output_type") == "stream"
        )
        return json.loads(text)

    def close(self) -> None:
        self.kernel.close()

    def __enter__(self) -> FileRun:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def notebook_blocks(
    path: Path, *, notebook: str | None = None
) -> tuple[list[ParsedBlock], list[ParsedBlock]]:
    """(init blocks, blocks) of the notebook at ``path``: for a ``.deepnote`` project, its
    init notebook's (run first, as Deepnote does) and those of ``notebook`` (by name; it may
    be left out when the project has one other notebook)."""
    notebooks = read_notebook_file(Path(path).read_bytes(), Path(path).name)
    init = [nb for nb in notebooks if nb.metadata.get("is_init_notebook")]
    candidates = [nb for nb in notebooks if not nb.metadata.get("is_init_notebook")]
    if notebook is not None:
        candidates = [nb for nb in candidates if nb.name == notebook]
    if len(candidates) != 1:
        names = [nb.name for nb in notebooks if not nb.metadata.get("is_init_notebook")]
        raise ValueError(f"{Path(path).name}: choose one notebook with notebook=..., among {names}")
    return [b for nb in init for b in nb.blocks], list(candidates[0].blocks)


def run_notebook_file(
    path: Path,
    *,
    warehouse: Path,
    inputs: Mapping[str, Any] | None = None,
    notebook: str | None = None,
    client: GatewayClient | None = None,
) -> FileRun:
    """Run every block of the notebook at ``path`` against the DuckDB ``warehouse``, in a
    new kernel. ``inputs`` are checked as an app's are: an unknown name is refused
    (`accounts.errors.InvalidInput`) before anything runs. Close the returned run (or use
    it as a context manager) to shut its kernel down."""
    path = Path(path)
    init, blocks = notebook_blocks(path, notebook=notebook)
    declared = read_inputs(blocks)
    values = coerce_inputs(declared, dict(inputs or {}))
    cells = build_cells(blocks, declared, values, init_blocks=init)
    env = {"TRIBUTARY_WAREHOUSE": str(warehouse), "TRIBUTARY_USER": "system"}
    client = client or get_gateway()
    kernel = client.open_session(env=env)
    run = FileRun(path, kernel, [])
    try:
        boot = kernel.execute(boot_code(env), timeout_s=60, store_history=False)
        if not boot.is_ok:
            raise NotebookError(f"{path.name}: could not prepare the kernel: {boot.error}")
        results = _Results()
        outcome = run_cells(
            kernel,
            [PlannedCell(c, c.code) for c in cells if c.is_executable],
            results,
            block_timeout_s=BLOCK_TIMEOUT_S,
            deadline=time.monotonic() + RUN_TIMEOUT_S,
            run_timeout_s=RUN_TIMEOUT_S,
        )
        run.results = results.found
        if outcome.status != "succeeded":
            raise NotebookError(
                f"{path.name}: block {outcome.failed_block or '?'} failed: {outcome.error}"
            )
        # Like a finished app run: the warehouse file is released for whoever opens it next.
        kernel.execute("__tributary__.release()", timeout_s=30, store_history=False)
    except BaseException:
        run.close()
        raise
    return run


def run_pipeline(paths: Sequence[Path], *, warehouse: Path) -> None:
    """Run notebook files in order, each in its own kernel shut down after it."""
    for path in paths:
        run_notebook_file(path, warehouse=warehouse).close()
