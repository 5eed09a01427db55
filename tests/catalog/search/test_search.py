"""Search: one contract on both databases, permissions inside the query, synonyms, typos."""

from __future__ import annotations

import pytest

from accounts import services
from catalog.models import Notebook, SearchDocument, SearchSynonym
from catalog.search.query import search_assets, tokenize
from tests.factories import add_member, make_user, make_workspace, put_notebook
from tests.kb_factories import make_metric, make_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def assets(workspace, other_workspace):
    make_table(
        workspace,
        "analytics.billing_daily",
        description="Invoices per user and billing day. <b>bold</b> & co",
        owner_email="finance@example.com",
        tags=["pii", "finance"],
        columns=("paid_usd", "refunded_usd"),
    )
    make_table(workspace, "core.users", description="One row per person.", tags=["pii"])
    make_metric(
        workspace,
        "weekly_active_users",
        title="Weekly active users (WAU)",
        description="Distinct people active in a week.",
    )
    make_table(
        other_workspace, "analytics.secret_billing", description="Billing of the other team."
    )


def urns(results):
    return [hit.urn for hit in results.hits]


def test_the_api_answers_with_exactly_the_contract(client, viewer, assets):
    client.force_login(viewer)

    body = client.get("/api/search/", {"q": "billing"}).json()

    assert {"results", "count", "next", "previous"} <= set(body)
    assert body["count"] == len(body["results"]) >= 1
    first = body["results"][0]
    assert set(first) == {"urn", "kind", "name", "workspace", "snippet", "score"}
    assert first == {
        "urn": "table:duckdb://test/analytics.billing_daily",
        "kind": "table",
        "name": "analytics.billing_daily",
        "workspace": "production",
        "snippet": first["snippet"],
        "score": first["score"],
    }
    assert isinstance(first["score"], float) and first["score"] >= 0


def test_snippets_are_escaped_then_highlighted(viewer, assets):
    (hit,) = [h for h in search_assets(viewer, "invoices").hits if h.kind == "table"]

    assert "<mark>Invoices</mark>" in hit.snippet
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in hit.snippet
    assert "<b>" not in hit.snippet


def test_results_never_include_what_the_user_may_not_see(viewer, outsider, assets):
    mine = urns(search_assets(viewer, "billing"))
    theirs = urns(search_assets(outsider, "billing"))

    assert "table:duckdb://test/analytics.secret_billing" not in mine
    assert theirs == ["table:duckdb://test/analytics.secret_billing"]


def test_permissions_are_applied_before_pagination(workspace, other_workspace):
    hidden = make_workspace("hidden")
    for index in range(30):
        make_table(hidden, f"h.revenue_{index:02d}", description="revenue revenue revenue")
    make_table(workspace, "p.revenue_mine", description="revenue")
    viewer = make_user("v")
    add_member(viewer, workspace, "viewer")

    first_page = search_assets(viewer, "revenue", limit=5)

    assert first_page.count == 1
    assert urns(first_page) == ["table:duckdb://test/p.revenue_mine"]


def test_a_notebook_shared_by_grant_is_found_by_its_grantee_alone(workspace):
    notebook = put_notebook(workspace, "finance/forecast.ipynb", "forecast = 1")
    grantee = make_user("gina")
    stranger = make_user("stan")
    services.share_object(actor="system-test", obj=notebook, holder=grantee, level="view")

    # The notebook, then its code block (seen through the notebook's grant).
    assert urns(search_assets(grantee, "forecast")) == [
        notebook.urn,
        "block:production/finance/forecast.ipynb#cell-0",
    ]
    assert urns(search_assets(stranger, "forecast")) == []


def test_anonymous_people_find_nothing(client, assets):
    from django.contrib.auth.models import AnonymousUser

    assert search_assets(AnonymousUser(), "billing").count == 0
    assert client.get("/api/search/", {"q": "billing"}).status_code == 403
    assert client.get("/search/", {"q": "billing"}).status_code == 302


def test_filters_narrow_by_kind_workspace_owner_and_tag(staff, assets):
    assert set(h.kind for h in search_assets(staff, "billing", kind="table").hits) == {"table"}
    assert urns(search_assets(staff, "billing", workspace="analytics")) == [
        "table:duckdb://test/analytics.secret_billing"
    ]
    assert urns(search_assets(staff, "billing", kind="table", owner="FINANCE@example.com")) == [
        "table:duckdb://test/analytics.billing_daily"
    ]
    tagged = urns(search_assets(staff, "", tag="pii", kind="table"))
    assert sorted(tagged) == [
        "table:duckdb://test/analytics.billing_daily",
        "table:duckdb://test/core.users",
    ]


def test_an_exact_name_ranks_first(staff, workspace):
    make_table(workspace, "mart.users_daily", description="users users users users daily users")
    make_table(workspace, "core.users", description="People.")

    assert urns(search_assets(staff, "users"))[0] == "table:duckdb://test/core.users"
    assert urns(search_assets(staff, "users_daily"))[0] == "table:duckdb://test/mart.users_daily"


def test_much_used_assets_rank_first_among_equal_matches(staff, workspace):
    make_table(workspace, "a.orders_x", description="orders")
    popular = make_table(workspace, "a.orders_y", description="orders")
    SearchDocument.objects.filter(urn=popular.urn).update(popularity=20, boost=0.3)

    assert urns(search_assets(staff, "orders"))[0] == popular.urn


def test_synonyms_and_abbreviations_expand_the_query(staff, assets):
    assert urns(search_assets(staff, "wau"))[0] == "metric:production/weekly_active_users"
    SearchSynonym.objects.create(term="money", expansion="invoices")

    assert "table:duckdb://test/analytics.billing_daily" in urns(search_assets(staff, "money"))


def test_a_typo_is_corrected_when_the_query_as_typed_finds_nothing(viewer, assets):
    results = search_assets(viewer, "billng")

    assert results.count >= 1
    assert urns(results)[0] == "table:duckdb://test/analytics.billing_daily"


def test_a_typo_of_a_word_indexed_a_moment_ago_is_corrected(staff, workspace):
    table = make_table(workspace, "ops.parcels", description="Parcels leaving the Zanzibar depot.")

    results = search_assets(staff, "zanzbar depot")

    assert results.corrected == "zanzibar depot"
    assert urns(results) == [table.urn]


def test_a_word_no_asset_has_does_not_hide_the_assets_with_the_others(viewer, assets):
    results = search_assets(viewer, "billing qwxzvk")

    assert results.count >= 1
    assert urns(results)[0] == "table:duckdb://test/analytics.billing_daily"


def test_prefixes_match_as_people_type(staff, assets):
    assert urns(search_assets(staff, "weekly act"))[0] == "metric:production/weekly_active_users"


def test_columns_are_found_and_lead_to_their_tables_page(staff, assets):
    hit = next(h for h in search_assets(staff, "refunded_usd").hits if h.kind == "column")

    assert hit.urn == "column:duckdb://test/analytics.billing_daily.refunded_usd"
    assert hit.url.endswith("#col-refunded_usd")


def test_words_are_tokenized_without_stopwords_and_compounds_kept_together():
    assert tokenize("the weekly active users") == ["weekly", "active", "users"]
    assert tokenize("A/B e-mail") == ["ab", "email"]
    assert tokenize("the") == ["the"]


def test_the_search_page_renders_results_and_htmx_gets_only_the_results(
    client, viewer, assets, django_assert_max_num_queries
):
    client.force_login(viewer)

    # Three of them count the facets.
    with django_assert_max_num_queries(15):
        page = client.get("/search/", {"q": "billing"})
    partial = client.get("/search/", {"q": "billing"}, HTTP_HX_REQUEST="true")

    assert page.status_code == 200 and partial.status_code == 200
    assert 'id="search-input"' in page.content.decode()
    assert "htmx.min.js" in page.content.decode()
    assert "<html" not in partial.content.decode()
    assert 'href="/tables/' in partial.content.decode()


def test_a_search_page_lists_results_in_few_queries_however_many(
    client, staff, workspace, django_assert_max_num_queries
):
    for index in range(40):
        make_table(workspace, f"s.orders_{index}", description="orders")
    client.force_login(staff)

    with django_assert_max_num_queries(10):
        response = client.get("/api/search/", {"q": "orders", "limit": 40})

    assert len(response.json()["results"]) == 40


def test_bad_parameters_are_refused_clearly(client, viewer):
    client.force_login(viewer)

    assert client.get("/api/search/", {"q": "x", "kind": "planet"}).json() == {
        "error": "'kind' must be one of table, column, metric, app, notebook, block.",
        "field": "kind",
    }
    assert client.get("/api/search/", {"q": "x", "limit": "ten"}).status_code == 400


def test_the_index_follows_ingest_of_a_notebook(staff, workspace):
    notebook = put_notebook(workspace, "kpis/forecast.ipynb", "forecast = 1")

    assert urns(search_assets(staff, "forecast")) == [
        notebook.urn,
        "block:production/kpis/forecast.ipynb#cell-0",
    ]
    Notebook.objects.filter(pk=notebook.pk).delete()
    assert search_assets(staff, "forecast").count == 0
