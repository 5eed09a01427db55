"""Text inputs have a length limit (``APP_INPUT_MAX_CHARS``, default 10,000): a longer one
is a 400 (API) or a form error naming the input, and no run or audit event is stored."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from execution.models import Run
from tests.execution.conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(workspace):
    return publish(workspace, "apps/echo.ipynb", ("code", "note = 'hi'", ["parameters"]))


def post_run(web, app, note):
    return web.post(
        f"/api/apps/{app.pk}/runs/", {"inputs": {"note": note}}, content_type="application/json"
    )


def nothing_stored() -> bool:
    return not Run.objects.exists() and not AuditEvent.objects.filter(action__startswith="run.")


def test_the_default_limit_is_ten_thousand_characters(settings):
    assert settings.APP_INPUT_MAX_CHARS == 10_000


def test_an_input_one_character_too_long_is_a_400_naming_it(web, runner, app):
    web.force_login(runner)

    response = post_run(web, app, "x" * 10_001)

    assert response.status_code == 400
    assert response.json()["error"] == (
        "Input 'note' is 10,001 characters long; the limit is 10,000."
    )
    assert nothing_stored()


def test_a_nine_megabyte_input_is_refused_and_never_reaches_the_audit_log(web, runner, app):
    web.force_login(runner)

    response = post_run(web, app, "x" * (9 * 1024 * 1024))

    assert response.status_code == 400
    assert "Input 'note' is 9,437,184 characters long" in response.json()["error"]
    assert nothing_stored()


def test_an_input_at_the_limit_is_accepted(web, runner, app):
    web.force_login(runner)

    response = post_run(web, app, "x" * 10_000)

    assert response.status_code == 201, response.content
    assert len(Run.objects.get().inputs["note"]) == 10_000


def test_the_limit_is_a_setting(web, runner, app, settings):
    settings.APP_INPUT_MAX_CHARS = 5
    web.force_login(runner)

    response = post_run(web, app, "abcdef")

    assert response.status_code == 400
    assert response.json()["error"] == "Input 'note' is 6 characters long; the limit is 5."


def test_the_page_form_shows_the_limit_and_creates_no_run(web, runner, app):
    web.force_login(runner)

    form = web.get(f"/apps/{app.pk}/run/").text
    response = web.post(f"/apps/{app.pk}/run/", {"note": "y" * 10_001})

    assert 'maxlength="10000"' in form
    assert response.status_code == 400
    assert "Input &#x27;note&#x27; is 10,001 characters long; the limit is 10,000." in (
        response.text
    )
    assert nothing_stored()
