"""Shared bench plumbing: a throwaway Django database and best-of-N timing."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database_url: str | None = None) -> Path:
    """Point Django at a fresh database (SQLite in a temp dir unless given) and migrate it."""
    workdir = Path(tempfile.mkdtemp(prefix="tributary-bench-"))
    os.environ["TRIBUTARY_VAR_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return workdir


def best_of(n: int, fn: Callable[[], object], setup: Callable[[], object] | None = None) -> float:
    """The fastest of ``n`` runs, in seconds: the least disturbed by a noisy machine."""
    best = float("inf")
    for _ in range(n):
        if setup:
            setup()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"
