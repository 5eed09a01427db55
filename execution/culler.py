"""Culling without beat: the embedded default's own timer.

At scale, Celery beat runs ``execution.cull_idle_sessions`` every minute. The embedded
default (``make run``: Celery eager, no broker, no beat) has nothing to run it, so warm
kernels would live forever: there, a daemon thread of the process does beat's job every
``EXECUTION_CULL_EVERY_S``. It starts with the first session kept warm (before that there
is nothing to cull: a local gateway's kernels die with the process that started it) and
only when ``EXECUTION_CULL_IN_PROCESS`` is on (by default, when there is no broker).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)

_lock = threading.Lock()
_thread: threading.Thread | None = None
_stop = threading.Event()


def _no_job() -> dict[str, int]:
    return {"culled": 0, "failed_stale": 0}


_job: Callable[[], dict[str, int]] = _no_job


def ensure_culler() -> None:
    """Start this process's culling thread if the embedded mode wants one and it is not
    running yet."""
    global _thread, _stop
    if not settings.EXECUTION_CULL_IN_PROCESS:
        return
    with _lock:
        if _thread is not None and _thread.is_alive():
            return
        _stop = threading.Event()
        _thread = threading.Thread(
            target=_cull_until_stopped, args=(_stop,), name="tributary-culler", daemon=True
        )
        _thread.start()


def is_culler_running() -> bool:
    with _lock:
        return _thread is not None and _thread.is_alive()


def stop_culler(*, timeout_s: float = 30.0) -> None:
    """Stop the thread (tests, and processes that hand culling to beat)."""
    global _thread
    with _lock:
        thread, _thread = _thread, None
        _stop.set()
    if thread is not None:
        thread.join(timeout_s)


def set_job(job: Callable[[], dict[str, int]]) -> None:
    """What each pass does (``execution.maintenance.cull_once``, set when the app is ready:
    this module imports nothing of the sessions it culls, so they may start it)."""
    global _job
    _job = job


def _cull_until_stopped(stop: threading.Event) -> None:
    while not stop.wait(max(1, settings.EXECUTION_CULL_EVERY_S)):
        try:
            done = _job()
            if done["culled"] or done["failed_stale"]:
                log.info("Culled %(culled)s idle sessions, failed %(failed_stale)s runs", done)
        except Exception:
            # The thread must outlive one bad pass (a locked SQLite file, a gateway gone):
            # logged with its traceback, tried again next time.
            log.exception("Culling idle sessions failed")
        finally:
            connections.close_all()  # this thread's own connections
