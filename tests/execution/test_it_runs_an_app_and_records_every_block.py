"""A run through the API: every block's outputs recorded, audited, digest in the chain."""

from __future__ import annotations

import pytest

from accounts.audit import verify_chain
from accounts.models import AuditEvent
from execution.models import Run
from tests.execution.conftest import publish

pytestmark = pytest.mark.django_db

CELLS = (
    ("markdown", "# Greeter"),
    ("code", "name = 'Ada'\ntimes = 2", ["parameters"]),
    ("code", "greeting = f'hello {name}'\nprint(greeting * times)"),
    ("code", "len(greeting)"),
)


@pytest.fixture
def app(workspace):
    return publish(workspace, "apps/greeter.ipynb", *CELLS)


def test_an_api_run_records_each_block_in_order_with_its_outputs(
    web, runner, app, gateway, lineage_file, django_capture_on_commit_callbacks
):
    web.force_login(runner)

    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(
            f"/api/apps/{app.pk}/runs/",
            {"inputs": {"name": "Grace", "times": 3}},
            content_type="application/json",
        )

    assert response.status_code == 201, response.content
    body = web.get(f"/api/runs/{response.json()['id']}/").json()
    assert body["status"] == "succeeded"
    assert body["trigger"] == "api"
    assert body["inputs"] == {"name": "Grace", "times": 3}
    assert [(s["block_id"], s["kind"], s["status"]) for s in body["steps"]] == [
        ("cell-1", "parameters", "succeeded"),
        ("cell-1/injected-parameters", "injected", "succeeded"),
        ("cell-2", "code", "succeeded"),
        ("cell-3", "code", "succeeded"),
    ]
    printed = body["steps"][2]["outputs"]
    assert printed == [
        {"output_type": "stream", "name": "stdout", "text": "hello Grace" * 3 + "\n"}
    ]
    assert body["steps"][3]["outputs"][0]["data"]["text/plain"] == "11"
    assert body["skipped_blocks"] == [] and body["error"] == ""
    assert body["kernel_id"]


def test_the_run_is_audited_and_its_digest_is_in_the_chain(runner, app, gateway, execute):
    run = execute(actor=runner, app=app, inputs={"name": "Alan"})

    events = AuditEvent.objects.filter(action__startswith="run.").order_by("id")
    assert [(e.action, e.target_urn, e.workspace_id) for e in events] == [
        ("run.created", app.urn, app.workspace_id),
        ("run.finished", app.urn, app.workspace_id),
    ]
    finished = events.last()
    assert finished.details["digest"] == run.digest == run.compute_digest()
    assert finished.details["status"] == "succeeded"
    assert events.first().details["inputs"] == {"name": "Alan", "times": 2}
    assert verify_chain().is_intact


def test_the_digest_changes_with_what_a_block_printed(runner, app, gateway, execute):
    run = execute(actor=runner, app=app, inputs={"name": "Alan"})
    steps = list(run.steps.order_by("position"))
    steps[2].outputs = [{"output_type": "stream", "name": "stdout", "text": "forged\n"}]

    assert len(run.digest) == 64
    assert run.compute_digest() == run.digest
    assert run.compute_digest(steps) != run.digest


def test_a_run_of_an_app_without_inputs_has_no_injected_cell(workspace, runner, gateway, execute):
    app = publish(workspace, "apps/plain.ipynb", ("code", "print(40 + 2)"))

    run = execute(actor=runner, app=app, inputs={})

    assert run.status == "succeeded"
    assert list(run.steps.values_list("block_id", "outputs")) == [
        ("cell-0", [{"output_type": "stream", "name": "stdout", "text": "42\n"}])
    ]
    assert Run.objects.count() == 1
