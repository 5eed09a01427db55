"""Big inputs (issue 10 §4): each figure against a baseline measured in the same run.

    .venv/bin/python bench/big_inputs.py [--cells 100000] [--project 1000] [--database URL]

Prints:
  1. a notebook of ``--cells`` cells (100,000: about 12 MB): its upload through the API,
     its page (time to the first screen, bytes) and its API answer (time, bytes), each
     against ``json.loads`` of the same file; targets: the page under 1 s and 2 MB;
  2. a ``.deepnote`` project of N one-line notebooks and of 5N: the time, against
     ``yaml.load`` of the same file, target N=1,000 under 5 s and linear growth;
  3. what tests used to time: a 50 MB output and a 30 MB ``.deepnote`` read whole, against
     ``json.loads`` / ``yaml.load`` of the same bytes; an alias bomb refused (< 1 s).

In-process requests through Django's test client (no network), on a fresh SQLite file
unless ``--database`` names one (for PostgreSQL, a database of your own: it is flushed).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus
from _setup import setup_django, verdict


def timed(fn, rounds: int = 1) -> tuple[float, object]:
    """The best of ``rounds`` runs, in seconds, and the last result."""
    best, result = float("inf"), None
    for _ in range(rounds):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def big_notebook(cells: int) -> bytes:
    """An .ipynb of ``cells`` cells, each code cell using the one before (a chain of edges),
    every tenth a markdown cell, every fifth code cell with a short printed output."""
    out = []
    for i in range(cells):
        if i % 10 == 0:
            text = f"## Step {i}\nWhat step {i} of the pipeline computes."
            out.append({"cell_type": "markdown", "id": f"m{i}", "metadata": {}, "source": text})
            continue
        outputs = []
        if i % 5 == 1:
            outputs = [{"output_type": "stream", "name": "stdout", "text": f"value {i}\n"}]
        out.append(
            {
                "cell_type": "code",
                "id": f"c{i}",
                "metadata": {},
                "execution_count": i,
                "source": f"value_{i} = value_{i - 1} + {i}  # step {i}",
                "outputs": outputs,
            }
        )
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": out}
    return json.dumps(notebook, indent=1).encode()


def notebook_figures(cells: int) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from accounts.models import Membership
    from accounts.services import ensure_workspace
    from catalog.models import Notebook

    data = big_notebook(cells)
    baseline_s, _ = timed(lambda: json.loads(data), rounds=3)
    workspace = ensure_workspace(slug="bench-big")
    user = get_user_model().objects.create_user("bench-admin")
    Membership.objects.create(user=user, workspace=workspace, role="admin")
    client = Client()
    client.force_login(user)

    def upload():
        from django.core.files.uploadedfile import SimpleUploadedFile

        file = SimpleUploadedFile("big.ipynb", data, content_type="application/json")
        response = client.post(f"/api/workspaces/{workspace.slug}/notebooks/", {"file": file})
        assert response.status_code == 201, response.content[:500]
        return response

    upload_s, _ = timed(upload)
    notebook = Notebook.objects.get(workspace=workspace, path="big.ipynb")
    page_s, page = timed(lambda: client.get(f"/notebooks/{notebook.pk}/"), rounds=3)
    assert page.status_code == 200
    api_s, api = timed(lambda: client.get(f"/api/notebooks/{notebook.pk}/"), rounds=3)
    assert api.status_code == 200
    page_mb, api_mb = len(page.content) / 1e6, len(api.content) / 1e6
    print(f"1. a notebook of {cells:,} cells, {len(data) / 1e6:.1f} MB")
    print(f"   baseline json.loads of the file: {baseline_s * 1000:.0f} ms")
    print(f"   upload (API, stored and analysed): {upload_s:.2f} s = {upload_s / baseline_s:.0f}x")
    print(
        f"   page, first screen: {page_s * 1000:.0f} ms = {page_s / baseline_s:.2f}x, "
        f"{page_mb:.2f} MB (target < 1 s, < 2 MB) {verdict(page_s < 1 and page_mb < 2)}"
    )
    body = api.json()
    extra = {k: body[k] for k in ("blocks_total", "blocks_next") if k in body}
    print(
        f"   API: {api_s * 1000:.0f} ms = {api_s / baseline_s:.2f}x, {api_mb:.2f} MB, "
        f"{len(body['blocks']):,} blocks {extra}"
    )


def project_figures(count: int) -> None:
    import yaml

    from accounts.services import ensure_workspace
    from catalog.ingest.pipeline import ingest_upload

    rows = []
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for n in (count, 5 * count):
        data = corpus.deepnote_project(n)
        baseline_s, _ = timed(lambda data=data: yaml.load(data, Loader=loader), rounds=2)
        workspace = ensure_workspace(slug=f"bench-project-{n}")
        seconds, report = timed(
            lambda data=data, workspace=workspace: ingest_upload(
                actor=None, workspace=workspace, filename="big.deepnote", data=data
            )
        )
        assert (report.new, report.failed) == (n, 0), report
        rows.append((n, seconds, baseline_s))
    print("2. a .deepnote project of one-line notebooks")
    for n, seconds, baseline_s in rows:
        print(
            f"   {n:,} notebooks: {seconds:.2f} s = {seconds / baseline_s:.1f}x yaml.load "
            f"({baseline_s * 1000:.0f} ms)"
        )
    (n1, s1, _), (n5, s5, _) = rows
    growth = (s5 / n5) / (s1 / n1)
    print(f"   {n1:,} notebooks < 5 s: {verdict(s1 < 5)}")
    print(f"   time per notebook at {n5:,} / {n1:,}: {growth:.2f} (linear: about 1) "
          f"{verdict(growth < 1.5)}")  # fmt: skip


def format_figures() -> None:
    import yaml

    from catalog.formats import FormatError, read_notebook_file

    line = "step {:>7}: loss=0.0123 accuracy=0.9876 " + "." * 30 + "\n"
    text = "".join(line.format(i) for i in range(700_000))
    cell = {
        "cell_type": "code",
        "id": "train",
        "metadata": {},
        "execution_count": 1,
        "source": "train()",
        "outputs": [{"output_type": "stream", "name": "stdout", "text": text}],
    }
    data = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]})
    data = data.encode()
    baseline_s, _ = timed(lambda: json.loads(data), rounds=3)
    read_s, _ = timed(lambda: read_notebook_file(data, "big.ipynb"), rounds=3)
    print("3. the readers on big and hostile files")
    print(
        f"   a {len(data) / 1e6:.0f} MB output: {read_s * 1000:.0f} ms = "
        f"{read_s / baseline_s:.1f}x json.loads (was asserted < 10 s) {verdict(read_s < 10)}"
    )
    lines = "".join(f"                row {i:>8}: value=0.0123\n" for i in range(1_000_000))
    deepnote = (
        "version: 1.0.0\nmetadata: {createdAt: '2025-01-27T12:00:00Z'}\nproject:\n  id: p1\n"
        "  name: Big\n  notebooks:\n    - id: n1\n      name: Main\n      blocks:\n"
        "        - id: b1\n          type: code\n          sortingKey: a0\n"
        "          content: print_rows()\n          outputs:\n            - output_type: stream\n"
        "              name: stdout\n              text: |\n" + lines
    ).encode()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    baseline_s, _ = timed(lambda: yaml.load(deepnote, Loader=loader), rounds=2)
    read_s, _ = timed(lambda: read_notebook_file(deepnote, "big.deepnote"), rounds=2)
    print(
        f"   a {len(deepnote) / 1e6:.0f} MB .deepnote: {read_s * 1000:.0f} ms = "
        f"{read_s / baseline_s:.1f}x yaml.load (was asserted < 10 s) {verdict(read_s < 10)}"
    )
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        previous, name = chr(ord("a") + level - 1), chr(ord("a") + level)
        levels.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    bomb = ("\n".join(levels) + "\nproject: *j\n").encode()

    def refuse():
        try:
            read_notebook_file(bomb, "bomb.deepnote")
        except FormatError:
            return
        raise AssertionError("the alias bomb was read")

    refuse_s, _ = timed(refuse, rounds=3)
    print(f"   an alias bomb refused: {refuse_s * 1000:.1f} ms (was asserted < 1 s) "
          f"{verdict(refuse_s < 1)}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--project", type=int, default=1000)
    parser.add_argument("--database", help="a database URL (default: a fresh SQLite file)")
    parser.add_argument("--skip", nargs="*", default=(), choices=("notebook", "project", "formats"))
    args = parser.parse_args()
    setup_django(args.database)
    from django.core.management import call_command
    from django.urls import reverse

    if args.database:
        call_command("flush", interactive=False, verbosity=0)
    reverse("home")  # the URLconf loaded, as in a running server
    if "notebook" not in args.skip:
        notebook_figures(args.cells)
    if "project" not in args.skip:
        project_figures(args.project)
    if "formats" not in args.skip:
        format_figures()


if __name__ == "__main__":
    main()
