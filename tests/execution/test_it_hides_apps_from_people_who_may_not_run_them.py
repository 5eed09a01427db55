"""No run permission: the same 404 as for an app that does not exist, and an audited refusal."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from accounts.services import share_object
from execution.models import Run
from tests.execution.conftest import publish
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(workspace):
    return publish(workspace, "apps/secret.ipynb", ("code", "print('ok')"))


def refusals():
    return list(
        AuditEvent.objects.filter(action="run.refused").values_list(
            "actor_name", "target_urn", "workspace__slug"
        )
    )


@pytest.mark.parametrize("persona", ["viewer", "outsider"])
def test_a_person_without_run_permission_gets_a_404_and_an_audited_refusal(
    web, app, persona, request
):
    user = request.getfixturevalue(persona)
    web.force_login(user)

    api = web.post(f"/api/apps/{app.pk}/runs/", {"inputs": {}}, content_type="application/json")
    page = web.post(f"/apps/{app.pk}/run/", {})

    assert api.status_code == 404 and page.status_code == 404
    assert api.json() == {"error": "No app matches the given query."}
    # Audited once per person, target and hour, however many times they try.
    assert refusals() == [(user.username, app.urn, "production")]
    assert Run.objects.count() == 0


def test_an_app_that_does_not_exist_is_the_same_404(web, runner, app):
    web.force_login(runner)

    response = web.post("/api/apps/999999/runs/", {"inputs": {}}, content_type="application/json")

    assert response.status_code == 404
    assert response.json() == {"error": "No app matches the given query."}
    assert refusals() == [("rita-runner", "", None)]


def test_anonymous_visitors_are_sent_to_sign_in_and_nothing_is_audited(web, app):
    api = web.post(f"/api/apps/{app.pk}/runs/", {"inputs": {}}, content_type="application/json")
    page = web.get(f"/apps/{app.pk}/run/")

    assert api.status_code == 403
    assert page.status_code == 302 and page["Location"].startswith("/login")
    assert refusals() == []


def test_a_run_grant_on_the_app_lets_someone_without_a_role_run_it(
    web, app, gateway, django_capture_on_commit_callbacks
):
    guest = make_user("gus-guest")
    share_object(actor="test", obj=app, holder=guest, level="run")
    web.force_login(guest)

    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(
            f"/api/apps/{app.pk}/runs/", {"inputs": {}}, content_type="application/json"
        )

    assert response.status_code == 201
    run = web.get(f"/api/runs/{response.json()['id']}/").json()
    assert (run["status"], run["actor"], run["app"]) == ("succeeded", "gus-guest", app.pk)
    assert refusals() == []


def test_a_view_grant_shows_the_app_but_does_not_run_it(web, app):
    guest = make_user("vera-guest")
    share_object(actor="test", obj=app, holder=guest, level="view")
    web.force_login(guest)

    assert web.get(f"/apps/{app.pk}/").status_code == 200
    response = web.post(
        f"/api/apps/{app.pk}/runs/", {"inputs": {}}, content_type="application/json"
    )

    assert response.status_code == 404
    assert refusals() == [("vera-guest", app.urn, "production")]


def test_the_runs_of_an_app_are_hidden_from_people_who_cannot_see_it(web, app, runner, outsider):
    from tests.execution.factories import make_finished_run

    run = make_finished_run(app, runner)
    web.force_login(outsider)

    assert web.get(f"/runs/{run.pk}/").status_code == 404
    assert web.get(f"/api/runs/{run.pk}/").json() == {"error": "No run matches the given query."}
    assert web.get(f"/runs/{run.pk}/download.ipynb").status_code == 404
