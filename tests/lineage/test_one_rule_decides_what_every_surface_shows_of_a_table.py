"""A table a notebook you may see reads or writes: its name everywhere, its details nowhere.

The demo's ``analytics.billing_daily`` belongs to production (declared in its catalog.yml)
and is read by analytics notebooks. An analytics viewer may read those notebooks' SQL, so
may see the table's name: on its page, in search, as a lineage node and in impact. Its
documentation, owner, tags and columns are production's: shown to no one outside it.
"""

from __future__ import annotations

import json

import pytest

from accounts.access import can, can_see_details
from catalog.models import App, Metric, Table
from catalog.search.query import search_assets
from tests.lineage.conftest import BILLING_DAILY, demo_table

pytestmark = pytest.mark.django_db

DESCRIPTION_WORDS = "revenue can be sliced without joins"
OWNER = "finance-data@riverbend.example"


@pytest.fixture
def billing_daily(demo) -> Table:
    return Table.objects.get(name="analytics.billing_daily")


def test_the_policy_names_the_table_but_keeps_its_details_home(analyst, viewer, billing_daily):
    assert can(analyst, "view", billing_daily)
    assert not can_see_details(analyst, billing_daily)
    assert can_see_details(viewer, billing_daily)
    assert not can(analyst, "view", billing_daily.columns.first())


def test_the_table_page_shows_the_name_and_no_documentation(client, analyst, billing_daily):
    client.force_login(analyst)

    response = client.get(f"/tables/{billing_daily.pk}/")
    by_urn = client.get("/assets/", {"urn": BILLING_DAILY})

    html = response.content.decode()
    assert response.status_code == 200
    assert by_urn["Location"] == f"/tables/{billing_daily.pk}/"
    assert "analytics.billing_daily" in html
    assert DESCRIPTION_WORDS not in html
    assert OWNER not in html
    assert "paid_usd" not in html  # a column
    assert "tier-1" not in html  # a tag
    assert "denormalize_billing" not in html  # production's defining notebook


def test_the_table_page_is_404_to_someone_no_notebook_of_theirs_names_it(
    client, outsider, billing_daily
):
    unnamed = Table.objects.filter(workspace__slug="production").exclude(
        notebook_uses__notebook__workspace__slug="analytics"
    )
    assert unnamed.count() >= 3
    client.force_login(outsider)  # admin of analytics

    for table in unnamed:
        assert client.get(f"/tables/{table.pk}/").status_code == 404, table.name


def test_search_finds_it_by_name_without_a_word_of_its_documentation(analyst, billing_daily):
    results = search_assets(analyst, "billing_daily")

    hit = next(h for h in results.hits if h.urn == BILLING_DAILY)
    assert hit.name == "analytics.billing_daily"
    assert hit.snippet == ""
    assert hit.workspace == ""
    assert BILLING_DAILY not in [h.urn for h in search_assets(analyst, "sliced without").hits]
    assert BILLING_DAILY not in [h.urn for h in search_assets(analyst, "billing", owner=OWNER).hits]


def test_the_lineage_api_names_it_and_hides_its_columns(client, analyst, billing_daily):
    client.force_login(analyst)

    node = client.get("/api/lineage/", {"urn": BILLING_DAILY, "depth": "1"}).json()
    columns = client.get("/api/lineage/", {"urn": BILLING_DAILY, "level": "column"})

    assert node["nodes"][0]["name"] == "analytics.billing_daily"
    assert columns.status_code == 200
    assert "paid_usd" not in columns.content.decode()


def test_impact_names_owners_only_of_assets_whose_details_the_person_may_see(client, analyst, demo):
    analytics_owners = set()
    for model in (Table, Metric, App):
        owners = model.objects.filter(workspace__slug="analytics").values_list("owner_email")
        analytics_owners.update(owner for (owner,) in owners)
    client.force_login(analyst)

    for urn in (demo_table("core.users"), BILLING_DAILY):
        body = client.get("/api/lineage/impact/", {"urn": urn}).json()

        assert body["tables"], urn  # production tables named downstream...
        assert set(body["owners"]) <= analytics_owners, urn  # ...their owners not
        assert "data-science@riverbend.example" in body["owners"]  # analytics' churn table
    assert OWNER not in json.dumps(body)


@pytest.mark.parametrize("typo", ["privasy", "erasre"])
def test_an_outsider_gets_no_spelling_suggestion_from_production(outsider, demo, typo):
    results = search_assets(outsider, typo)

    assert (results.count, results.corrected, results.hits) == (0, "", [])


def test_a_suggestion_comes_from_a_document_the_person_may_see(analyst, demo):
    results = search_assets(analyst, "chrun")

    assert results.corrected == "churn"
    assert results.count >= 1


def test_the_explorers_side_panel_names_it_without_its_documentation(client, analyst, demo):
    client.force_login(analyst)

    response = client.get("/api/lineage/asset/", {"urn": BILLING_DAILY})

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "analytics.billing_daily"
    assert (body["owner"], body["description"], body["tags"]) == ("", "", [])
