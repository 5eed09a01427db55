"""A lone surrogate cannot be written as UTF-8: it is refused at the boundary, nothing stored."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from execution.models import Run
from tests.execution.conftest import publish
from tests.factories import add_member, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(workspace):
    return publish(workspace, "apps/mail.ipynb", ("code", "email = 'a@b.example'", ["parameters"]))


@pytest.fixture
def runner(workspace):
    user = make_user("rita-runner")
    add_member(user, workspace, "runner")
    return user


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"inputs": {"email": "\\ud800"}}', "inputs.email"),
        ('{"inputs": {"email": "ok \\udfff ok"}}', "inputs.email"),
        ('{"inputs": {"\\ud800": "x"}}', "inputs"),
        ('{"inputs": {"email": ["a", "\\udc80"]}}', "inputs.email[1]"),
    ],
)
def test_a_run_input_with_a_lone_surrogate_is_a_400_and_no_run(client, runner, app, body, field):
    client.force_login(runner)
    events_before = AuditEvent.objects.count()

    response = client.post(f"/api/apps/{app.pk}/runs/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["field"] == field
    assert "cannot be encoded" in response.json()["error"]
    assert Run.objects.count() == 0
    assert AuditEvent.objects.count() == events_before


def test_a_body_nested_a_hundred_thousand_deep_is_a_400_and_no_run(client, runner, app):
    client.force_login(runner)
    depth = 100_000
    body = '{"inputs": ' + "[" * depth + "]" * depth + "}"

    response = client.post(f"/api/apps/{app.pk}/runs/", body, content_type="application/json")

    assert response.status_code == 400
    assert "nested" in response.json()["error"]
    assert Run.objects.count() == 0


def test_a_body_nested_a_little_is_read_as_before(client, runner, app):
    """The depth limit refuses only what no client sends: ordinary bodies still parse."""
    client.force_login(runner)

    response = client.post(
        f"/api/apps/{app.pk}/runs/",
        '{"inputs": {"email": [[["deep"]]]}}',
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"].startswith("Input 'email' must be text")


def test_the_run_form_refuses_a_lone_surrogate_and_stores_nothing(app):
    from execution.forms.inputs import RunInputsForm
    from execution.selectors import app_inputs

    form = RunInputsForm(app_inputs(app), {"email": "\ud800"})

    assert not form.is_valid()
    assert "cannot be encoded" in str(form.errors["email"])
