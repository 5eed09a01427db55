"""The search box of every page, its suggestions, the home page and the facets."""

from __future__ import annotations

import pytest

from accounts import services
from tests.factories import add_member, make_user, make_workspace, put_notebook
from tests.kb_factories import make_metric, make_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def assets(workspace, other_workspace):
    make_table(workspace, "analytics.billing_daily", description="Billing.", tags=["finance"])
    make_table(workspace, "raw.billing_events", description="Billing events.", owner_email="a@x.io")
    make_metric(workspace, "billing_total", title="Billing total", description="Billing.")
    make_table(other_workspace, "secret.billing_plan", description="Billing of the others.")


def test_suggestions_answer_with_the_best_assets_and_a_results_link(client, viewer, assets):
    client.force_login(viewer)

    body = client.get("/api/search/suggest/", {"q": "billing"}).json()

    assert set(body) == {"results", "all_results_url"}
    assert body["all_results_url"] == "/search/?q=billing"
    assert {r["name"] for r in body["results"]} == {
        "analytics.billing_daily",
        "raw.billing_events",
        "Billing total",
    }
    assert set(body["results"][0]) == {"urn", "name", "kind", "workspace", "url"}
    assert {r["workspace"] for r in body["results"]} == {"production"}


def test_suggestions_are_limited_and_refuse_a_bad_limit(client, staff, workspace):
    for index in range(12):
        make_table(workspace, f"s.orders_{index}", description="orders")
    client.force_login(staff)

    assert len(client.get("/api/search/suggest/", {"q": "ord"}).json()["results"]) == 8
    assert len(client.get("/api/search/suggest/", {"q": "ord", "limit": 3}).json()["results"]) == 3
    refused = client.get("/api/search/suggest/", {"q": "ord", "limit": 500})
    assert refused.status_code == 400 and refused.json()["field"] == "limit"


def test_anonymous_people_get_no_suggestions(client, assets):
    assert client.get("/api/search/suggest/", {"q": "billing"}).status_code == 403


def test_every_page_has_the_search_box_and_its_script(client, viewer, workspace):
    client.force_login(viewer)

    for url in ("/", "/search/", f"/w/{workspace.slug}/"):
        page = client.get(url).content.decode()
        assert 'id="site-search"' in page, url
        assert 'data-suggest="/api/search/suggest/"' in page
        assert "/static/search_box.js" in page
        assert "<script>" not in page  # no inline script: CSP


def test_the_home_page_lists_recent_most_used_and_shared_assets(client, workspace):
    analyst = make_user("ana")
    add_member(analyst, workspace, "viewer")
    table = make_table(workspace, "core.users", description="People.")
    metric = make_metric(workspace, "weekly_active_users", title="WAU", description="Weekly.")
    shared = put_notebook(make_workspace("finance"), "ledger.ipynb", "ledger = 1")
    services.share_object(actor="system-test", obj=shared, holder=analyst, level="view")
    client.force_login(analyst)
    client.get(f"/tables/{table.pk}/")
    client.get(f"/metrics/{metric.pk}/")

    home = client.get("/")

    assert [i.name for i in home.context["recent"]] == ["WAU", "core.users"]
    assert {i.name for i in home.context["most_used"]} == {"WAU", "core.users"}
    assert [i.name for i in home.context["shared"]] == [shared.title]
    assert 'id="home-search-input"' in home.content.decode()


def test_results_have_facets_whose_links_keep_the_filters_in_the_url(client, viewer, assets):
    client.force_login(viewer)

    page = client.get("/search/", {"q": "billing", "kind": "table"})
    facets = page.context["facets"]

    assert {(v.value, v.count) for v in facets["kind"]} == {("table", 2)}
    assert facets["kind"][0].is_active
    assert facets["kind"][0].url == "/search/?q=billing"
    assert {(v.value, v.count) for v in facets["workspace"]} == {("production", 2)}
    finance = next(v for v in facets["tag"] if v.value == "finance")
    assert (finance.count, finance.url) == (1, "/search/?q=billing&kind=table&tag=finance")
    assert [(v.value, v.count) for v in facets["owner"]] == [("a@x.io", 1)]
    everything = client.get("/search/", {"q": "billing"}).context["facets"]
    assert {(v.value, v.count) for v in everything["kind"]} == {("table", 2), ("metric", 1)}
