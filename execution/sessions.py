"""Warm kernels: one per person and app, kept between runs, culled when idle.

A person's app session keeps its kernel, the input values its namespace holds and, per
block, the step that last ran it there. A run that finds its session warm, on the same
version, re-runs only what its changed inputs reach (``program.plan_rerun``). A session
idle for ``EXECUTION_SESSION_IDLE_S`` (10 minutes by default) is culled: its kernel is
shut down and the next run starts from the top. Sessions live in the database, so any
worker attaches to the kernel by id; a kernel that has gone (gateway restarted, another
process's local gateway) is replaced, never waited on.

Runs without a person or an app (schedules, notebooks, a session busy with another run)
get a kernel of their own, shut down when they end.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from execution.culler import ensure_culler
from execution.gateway import GatewayClient, GatewayError, KernelDied, KernelSession
from execution.models import FINISHED, AppSession, Run, Trigger

log = logging.getLogger(__name__)


def idle_limit() -> timedelta:
    return timedelta(seconds=settings.EXECUTION_SESSION_IDLE_S)


@dataclass
class Lease:
    """A kernel lent to one run."""

    kernel: KernelSession
    session: AppSession | None
    # The namespace holds what earlier runs of this session left: a reactive re-run may
    # keep their outputs.
    is_warm: bool = False
    # An earlier run of this session used the kernel (it holds Tributary's runtime).
    is_reused: bool = False


def _fresh(client: GatewayClient, env: dict[str, str]) -> Lease:
    return Lease(client.open_session(env=env), None)


# This process's open websockets to session kernels, by (gateway, kernel id): a warm run
# skips the REST check and the handshake. A session runs one run at a time, so an entry
# is used by one thread at a time.
_attached: dict[tuple[str, str], KernelSession] = {}
_attached_lock = threading.Lock()


def _attach(client: GatewayClient, kernel_id: str) -> KernelSession:
    with _attached_lock:
        kernel = _attached.pop((client.base_url, kernel_id), None)
    if kernel is None or kernel.is_dead:
        return client.open_session(kernel_id)
    # The websocket survives idle drops (it resumes), not a kernel shut down meanwhile.
    model = client.get_kernel(kernel_id)
    if model is None or model.execution_state == "dead":
        kernel.close()
        raise KernelDied()
    return kernel


MAX_ATTACHED = 256


def _keep_attached(kernel: KernelSession) -> None:
    with _attached_lock:
        _attached[(kernel.client.base_url, kernel.kernel_id)] = kernel
        # Sessions culled by another process leave entries here: drop the oldest.
        stale = list(_attached)[: max(0, len(_attached) - MAX_ATTACHED)]
        dropped = [_attached.pop(key) for key in stale]
    for old in dropped:
        old.close()


def detach_all() -> None:
    """Close every websocket this process keeps open to session kernels."""
    with _attached_lock:
        kernels = list(_attached.values())
        _attached.clear()
    for kernel in kernels:
        kernel.close()


def _detach(base_url: str, kernel_id: str) -> None:
    with _attached_lock:
        kernel = _attached.pop((base_url, kernel_id), None)
    if kernel is not None:
        kernel.close()  # not owned: drops the websocket only


def open_kernel(run: Run, client: GatewayClient, env: dict[str, str]) -> Lease:
    """The run's kernel: its person's warm session on the app, or a new kernel.

    Raises:
        GatewayError: the gateway cannot start a kernel.
    """
    if run.app_id is None or run.actor_id is None or run.trigger == Trigger.SCHEDULE:
        return _fresh(client, env)
    now = timezone.now()
    mine = AppSession.objects.filter(user_id=run.actor_id, app_id=run.app_id)
    free = Q(busy_run__isnull=True) | Q(busy_run__status__in=FINISHED)
    if not mine.filter(free).update(busy_run=run):
        session, created = AppSession.objects.get_or_create(
            user_id=run.actor_id,
            app_id=run.app_id,
            defaults={"last_used_at": now, "busy_run": run},
        )
        if not created:
            return _fresh(client, env)  # busy with another run of this person's
    else:
        session = mine.get()
    is_reusable = (
        session.kernel_id
        and session.gateway_url == client.base_url
        and session.version_id == run.version_id
        and session.last_used_at > now - idle_limit()
    )
    if is_reusable:
        try:
            kernel = _attach(client, session.kernel_id)
            return Lease(kernel, session, is_warm=bool(session.blocks), is_reused=True)
        except GatewayError as exc:
            log.info("Session %s lost its kernel %s: %s", session.pk, session.kernel_id, exc)
    else:
        _shutdown(client, session)
    try:
        kernel_id = client.start_kernel(env=env)
        kernel = client.open_session(kernel_id)
    except BaseException:
        AppSession.objects.filter(pk=session.pk).update(
            busy_run=None, kernel_id="", blocks={}, inputs={}
        )
        raise
    session.kernel_id = kernel_id
    session.gateway_url = client.base_url
    session.version_id = run.version_id
    session.blocks, session.inputs = {}, {}
    session.save(update_fields=["kernel_id", "gateway_url", "version", "blocks", "inputs"])
    return Lease(kernel, session)


def close_kernel(
    lease: Lease,
    run: Run,
    *,
    is_succeeded: bool,
    is_kernel_lost: bool,
    executed: dict[str, list],
) -> None:
    """Give the kernel back: shut it down, or keep it warm with what the run left in it.

    ``executed`` maps each block this run executed to ``[step id, duration_ms]``.
    """
    if lease.session is None:
        lease.kernel.close()  # owned: shuts the kernel down
        return
    session = lease.session
    if is_kernel_lost:
        lease.kernel.close()  # not owned: drops the websocket only
    else:
        _keep_attached(lease.kernel)
        ensure_culler()  # without beat, something must cull the kernel kept warm
    if is_kernel_lost:
        _shutdown(lease.kernel.client, session)
        session.kernel_id, session.blocks, session.inputs = "", {}, {}
    elif is_succeeded:
        session.blocks = {**session.blocks, **executed} if lease.is_warm else dict(executed)
        session.inputs = dict(run.inputs)
    else:
        # A failed or cancelled run leaves a namespace we cannot vouch for: next time, all.
        session.blocks, session.inputs = {}, {}
    session.busy_run = None
    session.last_used_at = timezone.now()
    session.save(update_fields=["kernel_id", "blocks", "inputs", "busy_run", "last_used_at"])


def _shutdown(client: GatewayClient, session: AppSession) -> None:
    if not session.kernel_id or session.gateway_url != client.base_url:
        return  # none, or on a gateway we cannot reach (another process's local one)
    _detach(client.base_url, session.kernel_id)
    try:
        client.shutdown_kernel(session.kernel_id)
    except GatewayError as exc:
        log.warning("Could not shut down kernel %s: %s", session.kernel_id, exc)


def forget_session(user, app) -> None:
    """Drop a person's session on an app (its kernel is shut down): the next run is full."""
    from execution.gateway import get_gateway

    for session in AppSession.objects.filter(user=user, app=app, busy_run__isnull=True):
        _shutdown(get_gateway(), session)
        session.delete()


def cull_idle_sessions(*, now: datetime | None = None, client: GatewayClient | None = None) -> int:
    """Shut down the kernels of sessions idle past the limit; returns how many went."""
    now = now or timezone.now()
    idle = AppSession.objects.filter(last_used_at__lt=now - idle_limit()).filter(
        Q(busy_run__isnull=True) | Q(busy_run__status__in=FINISHED)
    )
    culled = 0
    for session in idle:
        if session.kernel_id:
            if client is None:
                from execution.gateway import get_gateway

                client = get_gateway()
            _shutdown(client, session)
        # Deleted only if still idle: a run may have claimed it meanwhile.
        deleted, _ = (
            AppSession.objects.filter(pk=session.pk, last_used_at=session.last_used_at)
            .filter(Q(busy_run__isnull=True) | Q(busy_run__status__in=FINISHED))
            .delete()
        )
        culled += deleted
    return culled
