"""E-mails about scheduled runs: to the schedule's owner, when a run fails or cannot start.

Apart from the schedules themselves, so that the run service, which reports a failed run,
and the schedules, which start runs through it, need not import each other.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from execution.models import Run, Schedule

log = logging.getLogger(__name__)


def notify_failed_run(run: Run) -> None:
    """E-mail the schedule's owner that a scheduled run failed (after it has committed)."""
    if run.schedule is None:
        return
    notify_owner(run.schedule, f"failed: {run.error}", url=reverse("run", args=[run.pk]))


def notify_owner(schedule: Schedule, what: str, *, url: str) -> None:
    """E-mail a schedule's owner that its run ``what`` (a failure), with a link."""
    owner = schedule.owner
    if not owner.email:
        log.warning("Schedule %s failed, and its owner %s has no e-mail", schedule.pk, owner)
        return
    link = f"{settings.SITE_URL.rstrip('/')}{url}" if url else ""
    body = (
        f"The scheduled run of {schedule.target_urn} ({schedule.cron}) {what}\n\n"
        + (f"The run: {link}\n" if link else "")
        + "You receive this because you own the schedule."
    )
    try:
        send_mail(
            subject=f"[Tributary] Scheduled run of {schedule.target_urn} failed",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[owner.email],
        )
    except Exception:
        log.exception("Could not e-mail %s about schedule %s", owner.email, schedule.pk)
