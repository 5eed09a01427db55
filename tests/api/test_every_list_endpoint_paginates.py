"""Every list the API answers pages the same way: ``limit`` and ``offset``, the same bounds,
``X-Total-Count`` and ``Link`` headers; bodies keep the shape they always had."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from accounts.audit import record_event
from accounts.pagination import MAX_LIMIT
from tests.execution.conftest import publish
from tests.factories import add_member, make_user, make_workspace, put_notebook

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(db):
    admin = make_user("ada-admin", is_staff=True)
    for slug in ("alpha", "beta", "gamma"):
        workspace = make_workspace(slug)
        add_member(admin, workspace, "admin")
        put_notebook(workspace, f"{slug}.ipynb")
        publish(
            workspace,
            f"apps/{slug}.ipynb",
            ("code", "n = 1", ["parameters"]),
            slug=f"{slug}-report",
            title=f"{slug.title()} weekly report",
        )
    with transaction.atomic():
        for number in range(3):
            record_event(actor=admin, action="test.event", details={"n": number})
    client = Client()
    client.force_login(admin)
    return client


def _links(response) -> dict[str, str]:
    links = {}
    for part in response.get("Link", "").split(", "):
        if part:
            url, rel = part.split("; ")
            links[rel.removeprefix('rel="').rstrip('"')] = url.strip("<>")
    return links


@pytest.mark.parametrize(
    ("path", "key", "total"),
    [
        ("/api/workspaces/", "slug", 3),
        # One notebook per workspace, and the notebook of each app.
        ("/api/notebooks/", "path", 6),
        ("/api/apps/", "urn", 3),
    ],
)
def test_an_array_endpoint_pages_with_limit_offset_and_headers(web, path, key, total):
    everything = web.get(path)
    first = web.get(path, {"limit": 2})
    second = web.get(_links(first)["next"])
    third = web.get(_links(second)["next"]) if total > 4 else None

    assert first["X-Total-Count"] == str(len(everything.json())) == str(total)
    assert len(first.json()) == 2
    assert "prev" not in _links(first)
    last = third or second
    assert len(last.json()) == total - 2 * (2 if third else 1)
    assert "next" not in _links(last)
    assert "offset" not in _links(second)["prev"]
    pages = first.json() + second.json() + (third.json() if third else [])
    assert [item[key] for item in pages] == [item[key] for item in everything.json()]


def test_the_audit_log_pages_as_an_object_with_the_same_headers(web):
    first = web.get("/api/audit/", {"action": "test.event", "limit": 2})
    body = first.json()
    second = web.get(body["next"]).json()

    assert body["count"] == 3 and first["X-Total-Count"] == "3"
    assert [e["details"]["n"] for e in body["results"]] == [2, 1]
    assert [e["details"]["n"] for e in second["results"]] == [0]
    assert second["next"] is None and second["previous"] is not None
    assert _links(first)["next"] == body["next"]


def test_search_answers_the_paging_fields_and_headers(web):
    response = web.get("/api/search/", {"q": "weekly report", "limit": 1})
    body = response.json()

    assert set(body) >= {"results", "count", "next", "previous"}
    assert response["X-Total-Count"] == str(body["count"])
    assert body["previous"] is None
    assert (body["next"] is None) == (body["count"] <= 1)


@pytest.mark.parametrize(
    ("offset", "count", "next_offset", "previous_offset"),
    [
        (0, 5, "2", None),
        (2, 5, "4", ""),
        (4, 5, None, "2"),
        (9, 5, None, "3"),  # past the end: the previous page is the last one
    ],
)
def test_a_page_links_its_neighbours(rf, offset, count, next_offset, previous_offset):
    from urllib.parse import parse_qs, urlsplit

    from rest_framework.request import Request

    from accounts.pagination import page_of

    request = Request(rf.get("/api/search/", {"q": "x", "offset": offset, "limit": 2}))

    page = page_of(request, [], count=count, limit=2, offset=offset)

    def offset_of(url):
        return parse_qs(urlsplit(url).query).get("offset", [""])[0]

    assert (offset_of(page.next_url) if page.next_url else None) == next_offset
    assert (offset_of(page.previous_url) if page.previous_url else None) == previous_offset
    assert page.headers["X-Total-Count"] == str(count)


LISTS = ["/api/workspaces/", "/api/notebooks/", "/api/apps/", "/api/audit/", "/api/search/"]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("limit", ["0", str(MAX_LIMIT + 1), "²", "", "-1", " 5"])
def test_a_limit_out_of_bounds_is_a_400_naming_it(web, path, limit):
    response = web.get(path, {"limit": limit})

    assert response.status_code == 400
    assert response.json()["field"] == "limit"


def test_an_offset_past_the_end_is_an_empty_page(web):
    response = web.get("/api/notebooks/", {"offset": 1000})

    assert response.status_code == 200
    assert response.json() == []
    assert response["X-Total-Count"] == "6"
