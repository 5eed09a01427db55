"""``python manage.py run_notebook URN -p name=value``: run an app or a notebook from a script.

The run is recorded and audited like any other (trigger ``manual``); the command prints
each block's text output and exits 1 unless the run succeeded.
"""

from __future__ import annotations

import json
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.access import can
from accounts.errors import DomainError
from catalog.models import App, Notebook
from catalog.urns import find_asset
from execution.models import Run, Trigger
from execution.services import request_run
from urns import AssetKind, kind_of


class Command(BaseCommand):
    help = "Run an app (app:workspace/slug) or a notebook (notebook:workspace/path) and wait."

    def add_arguments(self, parser):
        parser.add_argument("urn", help="app:production/delete-user or notebook:ws/path.ipynb")
        parser.add_argument(
            "-p",
            dest="params",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="an input value (repeat for several); typed like the app's form",
        )
        parser.add_argument("--user", help="run as this person (their permission is checked)")
        parser.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="print the run as JSON"
        )

    def handle(
        self,
        *args,
        urn: str,
        params: list[str],
        user: str | None,
        timeout: float,
        as_json: bool,
        **options,
    ):
        target = _target(urn)
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user, is_active=True).first()
            if actor is None or not can(actor, "run", target):
                raise CommandError(f"{user} may not run {urn} (or does not exist)")
        inputs = {}
        for item in params:
            name, sep, value = item.partition("=")
            if not sep or not name:
                raise CommandError(f"-p takes NAME=VALUE, not {item!r}")
            inputs[name.strip()] = value
        try:
            run = request_run(
                actor=actor,
                app=target if isinstance(target, App) else None,
                notebook=target if isinstance(target, Notebook) else None,
                inputs=inputs,
                trigger=Trigger.MANUAL,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        run = _wait(run, timeout)
        if as_json:
            from execution.serializers import RunSerializer

            self.stdout.write(_dumps(RunSerializer(run).data))
        else:
            self._print(run)
        if run.status != "succeeded":
            raise CommandError(f"run {run.pk} {run.status}: {run.error}")

    def _print(self, run: Run) -> None:
        for step in run.steps.order_by("position"):
            for output in step.outputs:
                text = output.get("text") or (output.get("data") or {}).get("text/plain") or ""
                if output.get("output_type") == "error":
                    text = f"{output.get('ename')}: {output.get('evalue')}"
                if text:
                    self.stdout.write(text.rstrip("\n"))
        self.stdout.write(
            f"run {run.pk} {run.status} in {(run.duration_ms or 0) / 1000:.2f} s "
            f"(digest {run.digest[:12]})"
        )


def _target(urn: str):
    if kind_of(urn) not in (AssetKind.APP, AssetKind.NOTEBOOK):
        raise CommandError(f"Give an app: or notebook: URN, not {urn!r}")
    target = find_asset(urn, include_deleted=False)
    if target is None:
        raise CommandError(f"Nothing is called {urn}")
    return target


def _wait(run: Run, timeout_s: float) -> Run:
    """The run once finished: at once when Celery is eager, else polled."""
    deadline = time.monotonic() + timeout_s
    while True:
        run = Run.objects.select_related("notebook", "version").get(pk=run.pk)
        if run.is_finished:
            return run
        if time.monotonic() > deadline:
            raise CommandError(f"run {run.pk} is still {run.status} after {timeout_s:g} s")
        time.sleep(0.5)


def _dumps(data) -> str:
    return json.dumps(data, indent=2, default=str)
