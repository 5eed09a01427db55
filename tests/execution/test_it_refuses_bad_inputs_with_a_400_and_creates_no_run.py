"""A bad input is a 400 with a message naming it, and nothing is created or audited."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from execution.models import Run
from tests.execution.conftest import publish

pytestmark = pytest.mark.django_db

PARAMETERS = """email = 'a@b.example'
dry_run = True
limit = 10
day = '2024-06-01'
plan = 'pro'  # options: free, pro"""


@pytest.fixture
def app(workspace):
    return publish(
        workspace,
        "apps/typed.ipynb",
        (
            "code",
            PARAMETERS,
            ["parameters"],
        ),
    )


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"dry_run": "maybe"}, "Input 'dry_run' must be true or false, not 'maybe'."),
        ({"limit": "ten"}, "Input 'limit' must be a number, not 'ten'."),
        ({"limit": True}, "Input 'limit' must be a number, not True."),
        ({"email": 42}, "Input 'email' must be text, not 42."),
        ({"day": "June 1st"}, "Input 'day' must be a date as YYYY-MM-DD, not 'June 1st'."),
        ({"plan": "gold"}, "Input 'plan' must be one of free, pro; got 'gold'."),
        ({"emial": "x@y.example"}, "This app has no input named 'emial'."),
        ("email=x", "'inputs' must be an object of input names to values."),
    ],
)
def test_a_bad_input_is_a_400_with_its_message_and_no_run(web, runner, app, inputs, message):
    web.force_login(runner)

    response = web.post(
        f"/api/apps/{app.pk}/runs/", {"inputs": inputs}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"] == message
    assert Run.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="run.").exists()


def test_the_page_form_shows_what_is_wrong_and_creates_no_run(web, runner, app):
    web.force_login(runner)

    response = web.post(
        f"/apps/{app.pk}/run/",
        {"email": "a@b.example", "limit": "lots", "day": "2024-13-01", "plan": "pro"},
    )

    assert response.status_code == 400
    assert "Input &#x27;limit&#x27; must be a number, not &#x27;lots&#x27;." in response.text
    assert "must be a date as YYYY-MM-DD" in response.text
    assert Run.objects.count() == 0


def test_an_unpublished_app_cannot_be_run(web, workspace, runner):
    from tests.factories import put_notebook
    from tests.kb_factories import make_app

    app = make_app(workspace, put_notebook(workspace, "apps/draft.ipynb"), "draft")
    web.force_login(runner)

    response = web.post(
        f"/api/apps/{app.pk}/runs/", {"inputs": {}}, content_type="application/json"
    )

    assert response.status_code == 409
    assert (
        response.json()["error"]
        == "The app 'Draft' is not published yet; an editor publishes it first."
    )
    assert Run.objects.count() == 0
