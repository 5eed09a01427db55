"""Load (issue 10 §7): the at-scale server under searchers and app runs at once.

    .venv/bin/python bench/load.py [--seconds 60] [--searchers 50] [--runners 4]
        [--workers 4] [--threads 8] [--database NAME]

Starts, every one on loopback (127.0.0.1) and stopped at the end:
  - a PostgreSQL database ``tributary_scale_load`` (dropped and created again), migrated,
    with the demo loaded (``load_demo``) and the static files collected;
  - gunicorn (``config.wsgi``, ``--workers`` processes of ``--threads`` threads), DEBUG off;
  - one Celery worker on Redis database 3 (a queue of this run's own), four processes;
  - one kernel gateway (``jupyter kernelgateway``), which the worker runs kernels on.

Then, for ``--seconds``: ``--searchers`` clients each sending ``/api/search/`` queries one
after the other, and ``--runners`` people each running a demo app through
``POST /api/apps/{id}/runs/`` and reading ``/api/runs/{id}/`` until it has finished, then the
next. Runs started before the end are waited for (bounded). Reports errors (any answer
other than the one expected, or no answer; target 0), search p50/p95 (target p95 < 200 ms)
against the same searches sent one at a time in the same run (the baseline), and runs that
did not succeed (target 0).
"""

from __future__ import annotations

import argparse
import itertools
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, verdict

HOST = "127.0.0.1"
BROKER = "redis://127.0.0.1:6379/3"
POSTGRES = "postgres://postgres@127.0.0.1:5432"
QUERIES = (
    "users",
    "billing",
    "weekly active users",
    "churn",
    "customer",
    "plan",
    "revenue",
    "email",
    "delete user",
    "orders",
    "billing_daily",
    "analytics",
)
# (workspace, app slug, inputs): the demo's apps with inputs their warehouse holds.
APPS = (
    ("analytics", "customer-360", {"customer_email": "ada.lovelace@analytical.example"}),
    ("production", "change-plan", {"new_plan": "pro"}),
    ("production", "delete-user", {"email": "grace.hopper@cobol.example"}),
)
FINISHED = {"succeeded", "failed", "cancelled"}
RUN_WAIT_S = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def recreate_database(name: str) -> str:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{POSTGRES}/{name}"


def manage(env: dict, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-2000:]}")


def wait_for(url: str, process: subprocess.Popen, deadline_s: float = 120) -> None:
    give_up = time.monotonic() + deadline_s
    while True:
        try:
            if requests.get(url, timeout=10).status_code < 500:
                return
        except requests.RequestException:
            pass  # not listening yet, or its workers still loading
        if process.poll() is not None or time.monotonic() > give_up:
            raise RuntimeError(f"{url} did not come up")
        time.sleep(0.3)


@dataclass
class Tally:
    """What the clients saw; each list is appended to by many threads (GIL-atomic)."""

    search_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    runs: list[tuple[str, str, float]] = field(default_factory=list)  # app, status, seconds


def signed_in(cookie: str) -> requests.Session:
    """A client with a person's session, and a CSRF token as a browser would hold it."""
    session = requests.Session()
    csrf = secrets.token_hex(16)  # 32 letters and digits, as Django makes them
    # As a header: a cookie jar does not match cookies to a bare IP address reliably.
    session.headers["Cookie"] = f"sessionid={cookie}; csrftoken={csrf}"
    session.headers["X-CSRFToken"] = csrf
    return session


def search_once(client: requests.Session, base: str, query: str, tally: Tally) -> None:
    started = time.perf_counter()
    try:
        response = client.get(f"{base}/api/search/", params={"q": query}, timeout=30)
    except requests.RequestException as exc:
        tally.errors.append(f"search {query!r}: {type(exc).__name__}: {str(exc)[:160]}")
        return
    elapsed_ms = (time.perf_counter() - started) * 1000
    if response.status_code != 200 or "results" not in response.json():
        tally.errors.append(f"search {query!r}: HTTP {response.status_code}")
        return
    tally.search_ms.append(elapsed_ms)


def searcher(cookie: str, base: str, start: int, stop_at: float, tally: Tally) -> None:
    client = signed_in(cookie)
    for query in itertools.islice(itertools.cycle(QUERIES), start, None):
        if time.monotonic() >= stop_at:
            return
        search_once(client, base, query, tally)


def run_app(client: requests.Session, base: str, app: tuple, tally: Tally) -> None:
    app_id, slug, inputs = app
    started = time.perf_counter()
    try:
        response = client.post(
            f"{base}/api/apps/{app_id}/runs/", json={"inputs": inputs}, timeout=60
        )
        if response.status_code != 201:
            tally.errors.append(f"run {slug}: HTTP {response.status_code} {response.text[:200]}")
            return
        run = response.json()
        give_up = time.monotonic() + RUN_WAIT_S
        while run["status"] not in FINISHED and time.monotonic() < give_up:
            time.sleep(0.2)
            answer = client.get(f"{base}/api/runs/{run['id']}/", timeout=30)
            if answer.status_code != 200:
                tally.errors.append(f"run {slug} status: HTTP {answer.status_code}")
                return
            run = answer.json()
    except requests.RequestException as exc:
        tally.errors.append(f"run {slug}: {type(exc).__name__}: {str(exc)[:160]}")
        return
    status = run["status"] if run["status"] in FINISHED else "not finished"
    if status != "succeeded":
        tally.errors.append(f"run {slug} #{run['id']}: {status}: {str(run.get('error'))[:200]}")
    tally.runs.append((slug, status, time.perf_counter() - started))


def runner(cookie: str, base: str, apps: list, start: int, stop_at: float, tally: Tally) -> None:
    client = signed_in(cookie)
    for app in itertools.islice(itertools.cycle(apps), start, None):
        if time.monotonic() >= stop_at:
            return
        run_app(client, base, app, tally)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def prepare(env: dict, runners: int) -> tuple[str, list[str], list]:
    """Migrate, load the demo, and make the people: returns the searcher's session cookie,
    one per runner, and the apps as (id, slug, inputs)."""
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    manage(env, "collectstatic", "--noinput")
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import Membership, Workspace
    from catalog.models import App

    def person(username: str, role: str) -> str:
        user = get_user_model().objects.create_user(username, email=f"{username}@example.com")
        for workspace in Workspace.objects.all():
            Membership.objects.create(user=user, workspace=workspace, role=role)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    searcher_cookie = person("load-searcher", "viewer")
    runner_cookies = [person(f"load-runner-{i}", "runner") for i in range(runners)]
    apps = [
        (App.objects.get(workspace__slug=ws, slug=slug).pk, slug, inputs)
        for ws, slug, inputs in APPS
    ]
    return searcher_cookie, runner_cookies, apps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--searchers", type=int, default=50)
    parser.add_argument("--runners", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn process")
    parser.add_argument("--database", default="tributary_scale_load")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="tributary-bench-load-"))
    port = free_port()
    base = f"http://{HOST}:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "KERNEL_"))},
        "DATABASE_URL": recreate_database(args.database),
        "TRIBUTARY_VAR_DIR": str(workdir / "var"),
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_SIGNING_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "CELERY_BROKER_URL": BROKER,
        "CELERY_TASK_DEFAULT_QUEUE": f"tributary-load-{uuid.uuid4().hex}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    sys.path.insert(0, str(ROOT))
    from execution.gateway import LocalGateway

    processes: list[subprocess.Popen] = []
    with LocalGateway() as gateway:
        env["KERNEL_GATEWAY_URL"], env["KERNEL_GATEWAY_TOKEN"] = gateway.url, gateway.token
        searcher_cookie, runner_cookies, apps = prepare(env, args.runners)
        logs = workdir / "logs"
        logs.mkdir()
        try:
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable, "-m", "celery", "-A", "config", "worker",
                        "--pool", "prefork", "--concurrency", str(max(args.runners, 1)),
                        "--queues", env["CELERY_TASK_DEFAULT_QUEUE"],
                        "--without-gossip", "--without-mingle", "--loglevel", "WARNING",
                    ],
                    cwd=ROOT, env=env, stdout=open(logs / "celery.log", "wb"),  # noqa: SIM115
                    stderr=subprocess.STDOUT,
                )
            )  # fmt: skip
            gunicorn = subprocess.Popen(
                [
                    sys.executable, "-m", "gunicorn", "config.wsgi:application",
                    "--bind", f"{HOST}:{port}", "--workers", str(args.workers),
                    "--threads", str(args.threads), "--timeout", "120",
                    # Longer than a client waits between two requests on a loaded machine:
                    # a connection closed as a request is sent on it is a client error.
                    "--keep-alive", "75",
                    "--access-logfile", "-",
                ],
                cwd=ROOT, env=env, stdout=open(logs / "gunicorn.log", "wb"),  # noqa: SIM115
                stderr=subprocess.STDOUT,
            )  # fmt: skip
            processes.append(gunicorn)
            wait_for(f"{base}/login/", gunicorn)
            report(args, base, searcher_cookie, runner_cookies, apps, logs)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()


def report(args, base: str, searcher_cookie: str, runner_cookies: list, apps: list, logs) -> None:
    warm = Tally()
    for cookie in runner_cookies[:1]:  # every app once: the kernels' imports, the worker
        for app in apps:
            run_app(signed_in(cookie), base, app, warm)
    client = signed_in(searcher_cookie)
    for query in QUERIES:
        search_once(client, base, query, warm)
    assert not warm.errors, warm.errors
    alone = Tally()
    for _ in range(5):
        for query in QUERIES:
            search_once(client, base, query, alone)

    tally = Tally()
    stop_at = time.monotonic() + args.seconds
    threads = [
        threading.Thread(target=searcher, args=(searcher_cookie, base, i, stop_at, tally))
        for i in range(args.searchers)
    ] + [
        threading.Thread(target=runner, args=(cookie, base, apps, i, stop_at, tally))
        for i, cookie in enumerate(runner_cookies)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took_s = time.monotonic() - started

    searches = len(tally.search_ms)
    p50, p95 = percentile(tally.search_ms, 0.5), percentile(tally.search_ms, 0.95)
    alone_p50, alone_p95 = percentile(alone.search_ms, 0.5), percentile(alone.search_ms, 0.95)
    failed_runs = [r for r in tally.runs if r[1] != "succeeded"]
    run_s = [r[2] for r in tally.runs]
    print(
        f"load: {args.searchers} searchers + {args.runners} runners for {args.seconds:.0f} s "
        f"(all done after {took_s:.0f} s); gunicorn {args.workers}x{args.threads} threads, "
        f"PostgreSQL, a Celery worker on Redis, loopback only"
    )
    print(f"searches: {searches:,} ({searches / took_s:.0f}/s)")
    print(
        f"search p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {max(tally.search_ms):.0f} ms "
        f"(target p95 < 200 ms) {verdict(p95 < 200)}"
    )
    print(
        f"  the same searches one at a time: p50 {alone_p50:.0f} ms, p95 {alone_p95:.0f} ms; "
        f"p95 under load / alone = {p95 / alone_p95:.1f}x"
    )
    print(
        f"runs: {len(tally.runs)} finished, median {statistics.median(run_s):.1f} s, "
        f"max {max(run_s):.1f} s; not succeeded: {len(failed_runs)} (target 0) "
        f"{verdict(not failed_runs)}"
        if run_s
        else "runs: none finished (target: every run succeeds) MISS"
    )
    print(f"errors: {len(tally.errors)} (target 0) {verdict(not tally.errors)}")
    for error in tally.errors[:10]:
        print(f"  {error}")
    print(f"logs: {logs}")


if __name__ == "__main__":
    main()
