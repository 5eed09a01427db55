"""Under /api/ every error is JSON: unknown routes, wrong methods, refusals, crashes."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import add_member, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(workspace):
    user = make_user("vic-viewer")
    add_member(user, workspace, "viewer")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "path", ["/api/nothing-here/", "/api/notebooks/999999/", "/api/runs/999999/", "/api/x"]
)
def test_an_unknown_api_route_is_a_json_404(web, path):
    response = web.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("delete", "/api/notebooks/"),
        ("put", "/api/audit/"),
        ("post", "/api/lineage/"),
        ("get", "/api/apps/1/runs/"),
        ("post", "/api/schema/"),
        ("patch", "/api/search/"),
    ],
)
def test_a_wrong_method_on_an_api_route_is_a_json_405(web, method, path):
    response = getattr(web, method)(path)

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert method.upper() in (body.get("error") or body["detail"])
    assert "Allow" in response


def test_a_page_route_still_answers_an_html_404(web):
    response = web.get("/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_api_refusal_is_json_for_an_anonymous_caller():
    response = Client().get("/api/notebooks/")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"


def test_the_error_handlers_answer_json_under_api(rf):
    from config import errors

    request = rf.get("/api/whatever/")
    for handler, status in [
        (errors.bad_request, 400),
        (errors.permission_denied, 403),
        (errors.server_error, 500),
    ]:
        response = handler(request) if status == 500 else handler(request, Exception("x"))
        assert response.status_code == status
        assert response["Content-Type"] == "application/json"


def test_a_crash_under_api_is_a_json_500_when_debug_is_off(settings, web, monkeypatch):
    settings.DEBUG = False
    from catalog import selectors

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "workspaces_for", crash)

    response = web.get("/api/workspaces/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "boom" not in response.content.decode()
