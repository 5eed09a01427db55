"""``python manage.py run_notebook URN -p name value``: run an app or a notebook from a script.

Parameters are given the way papermill's command line takes them: ``-f params.yaml``
(a YAML mapping file), ``-y 'yaml'`` (a YAML mapping), ``-p name value`` (or
``-p name=value``), later ones winning in that order, as papermill merges them. The run is
recorded and audited like any other (trigger ``manual``); the command prints each block's
text output and exits 1 unless the run succeeded.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.access import can
from accounts.errors import DomainError
from catalog.formats.model import FormatError
from catalog.formats.safe_yaml import load_yaml
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
            "--parameters",
            dest="params",
            action="append",
            nargs="+",
            default=[],
            metavar="NAME VALUE",
            help="an input value, as NAME VALUE or NAME=VALUE (repeat for several); typed "
            "like the app's form",
        )
        parser.add_argument(
            "-y",
            "--parameters_yaml",
            dest="params_yaml",
            action="append",
            default=[],
            metavar="YAML",
            help="input values as a YAML mapping (repeat for several)",
        )
        parser.add_argument(
            "-f",
            "--parameters_file",
            dest="params_files",
            action="append",
            default=[],
            metavar="FILE",
            help="input values from a YAML mapping file (repeat for several)",
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
        params: list[list[str]],
        params_yaml: list[str],
        params_files: list[str],
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
        inputs = parameters(params, params_yaml, params_files)
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


def parameters(pairs: list[list[str]], yaml_texts: list[str], files: list[str]) -> dict[str, Any]:
    """The inputs papermill's way: files, then YAML texts, then ``-p`` pairs, later winning."""
    inputs: dict[str, Any] = {}
    for path in files:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"-f {path}: cannot be read ({exc.__class__.__name__})") from None
        inputs.update(_mapping(text, f"-f {path}"))
    for text in yaml_texts:
        inputs.update(_mapping(text, "-y"))
    for pair in pairs:
        if len(pair) == 2:
            name, value = pair
        elif len(pair) == 1 and "=" in pair[0]:
            name, _, value = pair[0].partition("=")
        else:
            raise CommandError(f"-p takes NAME VALUE or NAME=VALUE, not {' '.join(pair)!r}")
        if not name.strip():
            raise CommandError(f"-p needs a name, not {' '.join(pair)!r}")
        inputs[name.strip()] = value
    return inputs


def _mapping(text: str, where: str) -> dict[str, Any]:
    try:
        loaded = load_yaml(text)
    except FormatError as exc:
        raise CommandError(f"{where}: {exc}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict) or not all(isinstance(k, str) for k in loaded):
        raise CommandError(f"{where} must be a YAML mapping of input names to values")
    return loaded


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
