"""What beat's culling task does, and the embedded culler's thread too."""

from __future__ import annotations

from execution.services import fail_stale_runs
from execution.sessions import cull_idle_sessions


def cull_once() -> dict[str, int]:
    """Shut down idle kernels, fail runs whose worker went away."""
    return {"culled": cull_idle_sessions(), "failed_stale": fail_stale_runs()}
