from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Notebook
from tests.factories import ipynb_bytes, write_notebook

pytestmark = pytest.mark.django_db


def run_ingest(*args) -> str:
    out = StringIO()
    call_command("ingest", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_ingest_with_json_prints_one_object_with_the_counts(tmp_path):
    write_notebook(tmp_path, "a.ipynb", ipynb_bytes(("code", "x = 1")))
    write_notebook(tmp_path, "bad.ipynb", b"{oops")

    output = run_ingest(str(tmp_path), "--workspace", "team-a", "--json")

    report = json.loads(output)
    assert {k: report[k] for k in ("new", "changed", "unchanged", "deleted", "failed")} == {
        "new": 1,
        "changed": 0,
        "unchanged": 0,
        "deleted": 0,
        "failed": 1,
    }
    assert report["errors"][0]["path"] == "bad.ipynb"
    assert Notebook.objects.get().workspace.slug == "team-a"


def test_ingest_again_reports_everything_unchanged(tmp_path):
    write_notebook(tmp_path, "a.ipynb", ipynb_bytes(("code", "x = 1")))
    run_ingest(str(tmp_path), "--workspace", "team-a", "--json")

    report = json.loads(run_ingest(str(tmp_path), "--workspace", "team-a", "--json"))

    assert (report["new"], report["unchanged"]) == (0, 1)


def test_ingest_without_json_prints_a_summary(tmp_path):
    write_notebook(tmp_path, "a.ipynb", ipynb_bytes(("code", "x = 1")))

    output = run_ingest(str(tmp_path), "--workspace", "team-a")

    assert output.strip() == "team-a: 1 new, 0 changed, 0 unchanged, 0 deleted, 0 failed"


@pytest.mark.parametrize(
    ("path", "slug", "message"),
    [("/no/such/folder", "team-a", "is not a folder"), (".", "Bad Slug!", "not a valid workspace")],
)
def test_ingest_with_bad_arguments_fails_clearly(path, slug, message):
    with pytest.raises(CommandError, match=message):
        run_ingest(path, "--workspace", slug)
