"""OpenLineage run events of our runs: START when a run starts, then COMPLETE, FAIL or ABORT.

The job is the app (or notebook), namespace ``tributary:{workspace}`` like the design-time
export in ``lineage.openlineage``; the inputs and outputs are the warehouse tables the
run's notebook version reads and writes, named as the catalog names them: at START as
its analysis says, at the end as the run really did (its runtime lineage,
``execution.observed``) when the kernel recorded any. Events go to
``OPENLINEAGE_URL`` (HTTP POST of the JSON) when set, else are appended to
``OPENLINEAGE_FILE`` (JSON lines). Emitting never fails a run: a sink that refuses is
logged.
"""

from __future__ import annotations

import fcntl
import logging
from pathlib import Path

import requests
from django.conf import settings
from django.utils import timezone
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.generated.error_message_run import ErrorMessageRunFacet
from openlineage.client.generated.job_type_job import JobTypeJobFacet
from openlineage.client.generated.lifecycle_state_change_dataset import (
    LifecycleStateChange,
    LifecycleStateChangeDatasetFacet,
)
from openlineage.client.serde import Serde

from catalog.warehouse.tables import connection_for, resolve_table
from execution.observed import observed_kinds, observed_tables
from lineage.openlineage import LIFECYCLE_STATES, job_namespace

log = logging.getLogger(__name__)

PRODUCER = "https://tributary.example/execution"
FINAL_STATES = {"succeeded": "COMPLETE", "failed": "FAIL", "cancelled": "ABORT"}


def final_state(status: str) -> str:
    return FINAL_STATES[status]


def _job_name(run) -> str:
    if run.app_id is not None:
        return f"app/{run.app.slug}"
    return run.notebook.path


def run_event(run, state: str) -> RunEvent:
    """The OpenLineage event of ``run`` in ``state`` (START, COMPLETE, FAIL, ABORT)."""
    connection = connection_for(run.workspace)
    version = run.version
    lineage = version.notebook_lineage()
    kinds = {
        resolve_table(table, connection): str(kind)
        for block in lineage.blocks
        for table, kind in block.analysis.write_kinds.items()
        if table not in block.local
    }
    reads, writes = version.reads, [*version.writes, *(name for _, name in kinds)]
    if state != "START":
        observed_reads, observed_writes = observed_tables(run)
        if observed_reads or observed_writes:
            reads, writes = observed_reads, observed_writes
            kinds = observed_kinds(run, connection)
    inputs = sorted({resolve_table(name, connection) for name in reads})
    outputs = sorted({resolve_table(name, connection) for name in writes})
    facets = {}
    if state in ("FAIL", "ABORT") and run.error:
        facets["errorMessage"] = ErrorMessageRunFacet(
            message=run.error, programmingLanguage="python", producer=PRODUCER
        )
    when = run.finished_at if state != "START" else run.started_at
    return RunEvent(
        eventTime=(when or timezone.now()).isoformat(),
        producer=PRODUCER,
        eventType=RunState(state),
        run=Run(runId=str(run.lineage_run_id), facets=facets),
        job=Job(
            namespace=job_namespace(run.workspace.slug),
            name=_job_name(run),
            facets={
                "jobType": JobTypeJobFacet(
                    processingType="BATCH",
                    integration="TRIBUTARY",
                    jobType="APP" if run.app_id else "NOTEBOOK",
                    producer=PRODUCER,
                )
            },
        ),
        inputs=[InputDataset(namespace=ns, name=name) for ns, name in inputs],
        outputs=[
            OutputDataset(namespace=ns, name=name, facets=_lifecycle(kinds.get((ns, name))))
            for ns, name in outputs
        ],
    )


def _lifecycle(kind: str | None) -> dict:
    """The ``lifecycleStateChange`` facet of a write of ``kind``, when it is one."""
    state = (kind or "").upper()
    if state not in LIFECYCLE_STATES:
        return {}
    return {
        "lifecycleStateChange": LifecycleStateChangeDatasetFacet(
            lifecycleStateChange=LifecycleStateChange(state), producer=PRODUCER
        )
    }


def emit_run_event(run, state: str) -> None:
    """Send the event to the configured sink; log, never raise, when that fails."""
    try:
        payload = Serde.to_json(run_event(run, state))
        url = getattr(settings, "OPENLINEAGE_URL", None)
        if url:
            response = requests.post(
                url,
                data=payload,
                headers={"Content-Type": "application/json"},
                timeout=settings.OPENLINEAGE_TIMEOUT_S,
            )
            response.raise_for_status()
        else:
            _append(Path(settings.OPENLINEAGE_FILE), payload)
    except Exception:
        log.exception("Could not emit the OpenLineage %s event of run %s", state, run.pk)


def _append(path: Path, payload: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as sink:
        # Several workers append to one file: one whole line at a time.
        fcntl.flock(sink, fcntl.LOCK_EX)
        try:
            sink.write(payload.replace("\n", " ") + "\n")
        finally:
            fcntl.flock(sink, fcntl.LOCK_UN)
