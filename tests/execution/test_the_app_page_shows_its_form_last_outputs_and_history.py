"""The app's catalog page: the form for those who may run it, the last run's outputs
(sanitized), the run history with its duration chart; and the run page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.execution.conftest import publish
from tests.execution.factories import make_finished_run

pytestmark = pytest.mark.django_db

XSS = '<img src=x onerror="alert(1)"><b>bold</b>'


@pytest.fixture
def app(workspace):
    return publish(
        workspace,
        "apps/page.ipynb",
        ("code", "email = 'a@b.example'\ndry_run = True", ["parameters"]),
        ("code", "print(email)"),
        description="Looks a customer up.",
        owner_email="cx@example.com",
    )


def test_a_runner_sees_the_form_with_typed_fields(web, runner, app):
    web.force_login(runner)

    page = web.get(f"/apps/{app.pk}/").text

    assert "Looks a customer up." in page and "cx@example.com" in page
    assert f'action="/apps/{app.pk}/run/"' in page
    assert 'name="email" value="a@b.example"' in page
    assert 'type="checkbox" name="dry_run"' in page and "checked" in page


def test_a_viewer_sees_no_form(web, viewer, app):
    web.force_login(viewer)

    page = web.get(f"/apps/{app.pk}/").text

    assert "You may read this app but not run it." in page
    assert f'action="/apps/{app.pk}/run/"' not in page


def test_the_last_outputs_and_the_history_are_shown(web, viewer, runner, app):
    for _ in range(3):
        make_finished_run(app, runner)
    last = make_finished_run(app, runner, status="failed", error="Block cell-1 failed: boom")
    web.force_login(runner)

    page = web.get(f"/apps/{app.pk}/").text

    assert f'href="/runs/{last.pk}/"' in page
    assert "Block cell-1 failed: boom" in page
    assert 'class="duration-chart"' in page and page.count("<rect ") == 4
    assert page.count('class="run-status status-failed"') == 2  # last run, and its history row
    # A viewer sees that the runs happened, and none of their outputs, runner or page.
    web.force_login(viewer)
    page = web.get(f"/apps/{app.pk}/").text
    assert page.count("<rect ") == 4 and page.count('class="run-status status-failed"') == 1
    assert "Block cell-1 failed: boom" not in page and f'href="/runs/{last.pk}/"' not in page


def test_an_output_carrying_html_is_sanitized(web, runner, app):
    html = {"output_type": "display_data", "metadata": {}, "data": {"text/html": XSS}}
    make_finished_run(app, runner, outputs=[html])
    web.force_login(runner)

    page = web.get(f"/apps/{app.pk}/").text

    assert "<b>bold</b>" in page
    assert "onerror" not in page and "alert(1)" not in page


def test_the_app_page_reads_a_fixed_number_of_queries(web, viewer, runner, app):
    make_finished_run(app, runner)
    web.force_login(viewer)
    web.get(f"/apps/{app.pk}/")
    with CaptureQueriesContext(connection) as few:
        web.get(f"/apps/{app.pk}/")
    for _ in range(10):
        make_finished_run(app, runner)

    with CaptureQueriesContext(connection) as many:
        web.get(f"/apps/{app.pk}/")

    assert len(many) == len(few)


def test_the_run_page_shows_each_step_and_the_download_link(web, runner, app, gateway, execute):
    run = execute(actor=runner, app=app, inputs={"email": "z@y.example"})
    web.force_login(runner)

    page = web.get(f"/runs/{run.pk}/").text

    assert "succeeded" in page and "z@y.example" in page
    assert f'href="/runs/{run.pk}/download.ipynb"' in page
    assert page.count('class="step step-') == 3
    assert f"sha256:{run.digest}" in page
