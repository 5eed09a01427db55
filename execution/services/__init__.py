"""Every write of the execution layer: keyword-only arguments, actor first, audited."""

from __future__ import annotations

from execution.services.apps import publish_app
from execution.services.runs import (
    cancel_run,
    execute_run,
    fail_stale_runs,
    request_run,
)

__all__ = ["cancel_run", "execute_run", "fail_stale_runs", "publish_app", "request_run"]
