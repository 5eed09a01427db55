"""A run as an executed Jupyter notebook, like a papermill output notebook.

Every block of the run's version in order (a Deepnote project's init notebook first), with
the outputs and execution counts the run recorded; an ``injected-parameters`` cell with
the run's inputs after the ``parameters`` cell (at the top when there is none); SQL blocks
as code cells carrying Deepnote's ``sql`` metadata; and the run in the notebook metadata
(``papermill`` for tools that read it, ``tributary`` for the rest: digest included).
"""

from __future__ import annotations

import json
from typing import Any

import nbformat
from nbformat import v4

from execution.models import Run, RunStep
from execution.program import Cell, assignment_code

PAPERMILL_STATUS = {"succeeded": "completed", "failed": "failed", "skipped": "completed"}


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _code_cell(
    source: str, step: RunStep | None, metadata: dict[str, Any]
) -> nbformat.NotebookNode:
    cell = v4.new_code_cell(source, metadata=metadata)
    if step is None:
        cell.metadata["papermill"] = {"status": "pending"}
        return cell
    cell.execution_count = step.execution_count
    cell.outputs = [nbformat.from_dict(output) for output in step.outputs]
    cell.metadata["papermill"] = {
        "status": PAPERMILL_STATUS.get(step.status, step.status),
        "duration": round(step.duration_ms / 1000, 6),
        "exception": step.status == "failed",
    }
    if step.status == "skipped":
        cell.metadata["tributary"] = {"kept_from_run": step.reused_from_id}
    return cell


def executed_notebook(run: Run, cells: list[Cell]) -> nbformat.NotebookNode:
    """The executed notebook of ``run``, whose program was ``cells`` (``program.build_cells``)."""
    steps = {step.block_id: step for step in run.steps.all()}
    nb = v4.new_notebook()
    has_parameters = any(c.kind == "parameters" for c in cells)
    # In the app's order: a JSON column need not keep the order of keys (jsonb does not).
    order = [name for cell in cells for name in cell.assigns]
    inputs = {n: run.inputs[n] for n in order if n in run.inputs}
    inputs.update({n: v for n, v in run.inputs.items() if n not in inputs})
    injected = v4.new_code_cell(
        assignment_code(inputs, "# Parameters"),
        metadata={"tags": ["injected-parameters"]},
    )
    if not has_parameters and run.inputs:
        nb.cells.append(injected)
    for cell in cells:
        metadata = {k: v for k, v in cell.metadata.items() if _is_json(v)}
        if cell.is_init:
            metadata["tributary"] = {"init": True}
        step = steps.get(cell.block_id)
        if cell.kind == "markdown":
            nb.cells.append(v4.new_markdown_cell(cell.source, metadata=metadata))
        elif cell.kind == "injected":
            source = assignment_code({n: run.inputs.get(n) for n in cell.assigns}, "# Parameters")
            nb.cells.append(_code_cell(source, step, {"tags": ["injected-parameters"]}))
        elif cell.kind == "sql":
            metadata.update(deepnote_cell_type="sql", deepnote_variable_name=cell.variable or "")
            nb.cells.append(_code_cell(cell.source, step, metadata))
        elif cell.kind in ("code", "parameters", "input", "display"):
            nb.cells.append(_code_cell(cell.code or "", step, metadata))
        else:
            nb.cells.append(v4.new_raw_cell(cell.source, metadata=metadata))
    duration_s = run.duration_ms / 1000 if run.duration_ms is not None else None
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "language": "python",
        "display_name": "Python 3",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["papermill"] = {
        "parameters": inputs,
        "start_time": _iso(run.started_at),
        "end_time": _iso(run.finished_at),
        "duration": duration_s,
        "exception": run.status == "failed",
        "input_path": run.notebook.urn,
        "output_path": f"run-{run.pk}.ipynb",
    }
    nb.metadata["tributary"] = {
        "run": run.pk,
        "urn": run.target_urn,
        "notebook": run.notebook.urn,
        "version": run.version.number,
        "actor": run.actor_name,
        "trigger": run.trigger,
        "status": run.status,
        "error": run.error,
        "created_at": _iso(run.created_at),
        "kernel_id": run.kernel_id,
        "skipped_blocks": run.skipped_blocks,
        "saved_ms": run.saved_ms,
        "digest": run.digest,
    }
    return nb


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True
