"""``manage.py run_notebook URN -p name=value``: runs an app or a notebook from a script."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from execution.models import Run
from tests.execution.conftest import publish

# Real commits: the command waits for its run, which starts when its transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def app(workspace):
    return publish(
        workspace,
        "apps/cli.ipynb",
        ("code", "name = 'world'\nloud = False", ["parameters"]),
        ("code", "print(('HELLO ' if loud else 'hello ') + name)"),
        slug="cli",
    )


def run_command(*args) -> str:
    out = StringIO()
    call_command("run_notebook", *args, stdout=out)
    return out.getvalue()


def test_it_runs_an_app_with_typed_parameters_and_prints_its_outputs(app, runner, gateway):
    out = run_command(
        "app:production/cli",
        "-p",
        "name=Ada",
        "-p",
        "loud=True",
        "--user",
        "rita-runner",
        "--timeout",
        "120",
    )

    run = Run.objects.get()
    assert "HELLO Ada" in out
    assert out.strip().endswith(f"(digest {run.digest[:12]})")
    assert (run.actor_name, run.inputs, run.trigger) == (
        "rita-runner",
        {"name": "Ada", "loud": True},
        "manual",
    )


def test_it_runs_a_notebook_by_its_urn_as_json(workspace, gateway):
    from tests.factories import put_notebook

    put_notebook(workspace, "jobs/nightly.ipynb", "print(6 * 7)")

    body = json.loads(
        run_command("notebook:production/jobs/nightly.ipynb", "--json", "--timeout", "120")
    )

    assert body["status"] == "succeeded"
    assert body["steps"][0]["outputs"][0]["text"] == "42\n"
    assert body["actor"] == "system"


def test_it_refuses_a_bad_parameter_or_a_person_without_permission(app, viewer):
    with pytest.raises(CommandError, match="Input 'loud' must be true or false, not 'perhaps'"):
        run_command("app:production/cli", "-p", "loud=perhaps")
    with pytest.raises(CommandError, match="victor-viewer may not run app:production/cli"):
        run_command("app:production/cli", "--user", "victor-viewer")
    with pytest.raises(CommandError, match="Nothing is called app:production/nope"):
        run_command("app:production/nope")
    assert Run.objects.count() == 0


def test_it_takes_parameters_the_way_papermill_does(app, runner, gateway, tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text("name: File\nloud: false\n")

    out = run_command(
        "app:production/cli",
        "-f",
        str(params),
        "-y",
        "loud: true\nname: Yaml",
        "-p",
        "name",
        "Grace",
        "--user",
        "rita-runner",
        "--timeout",
        "120",
    )

    run = Run.objects.get()
    assert "HELLO Grace" in out
    assert run.inputs == {"name": "Grace", "loud": True}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "name", "Ada", "extra"], "-p takes NAME VALUE or NAME=VALUE, not 'name Ada extra'"),
        (["-p", "=Ada"], "-p needs a name, not '=Ada'"),
        (["-y", "- a\n- b"], "-y must be a YAML mapping of input names to values"),
        (["-y", "a: [1"], "-y: "),
        (["-f", "/nonexistent/params.yaml"], "-f /nonexistent/params.yaml: cannot be read"),
    ],
)
def test_it_refuses_malformed_parameters_and_runs_nothing(app, args, message):
    with pytest.raises(CommandError) as refused:
        run_command("app:production/cli", *args)

    assert str(refused.value).startswith(message)
    assert Run.objects.count() == 0
