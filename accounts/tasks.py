"""Celery tasks of accounts. Beat runs ``audit_checkpoint`` every AUDIT_CHECKPOINT_INTERVAL_S."""

from __future__ import annotations

from celery import shared_task

from accounts.checkpoints import write_checkpoint


@shared_task(name="accounts.audit_checkpoint")
def audit_checkpoint_task() -> int:
    """Sign the audit chain's head into the checkpoint sink; the checkpoint's number."""
    return write_checkpoint().number
