"""Nobody learns the name of a node they may not see: not from the API, the page, the SVG."""

from __future__ import annotations

import json

import pytest

from accounts import services
from catalog.models import Notebook
from tests.lineage.conftest import BILLING, BILLING_DAILY, CHURN, CUSTOMER_360, USERS

pytestmark = pytest.mark.django_db

# Names of production notebooks, and of analytics ones, that must not leak across.
PRODUCTION_SECRETS = (
    "denormalize_billing",
    "users_table",
    "delete_user",
    "change_plan",
    "net_revenue",
    "raw.invoices",
)
ANALYTICS_SECRETS = ("churn_prediction", "Customer 360", "customer_360", "onboarding_ab_test")


def api(client, **params):
    return client.get("/api/lineage/", params)


def page(client, **params):
    return client.get("/lineage/", params)


def test_an_analyst_sees_production_notebooks_only_as_placeholders(client, analyst, demo):
    client.force_login(analyst)

    response = api(client, urn=BILLING_DAILY, direction="both", depth="3")

    body = response.json()
    restricted = [n for n in body["nodes"] if n["restricted"]]
    # production's notebooks, the metric it declares, the raw tables only it mentions
    assert {n["kind"] for n in restricted} == {"notebook", "metric", "table"}
    for node in restricted:
        assert node["urn"].startswith("restricted:")
        assert node["name"] is None and node["workspace"] is None
    named = {n["urn"] for n in body["nodes"] if not n["restricted"]}
    assert {CHURN, CUSTOMER_360, BILLING_DAILY} <= named
    text = response.content.decode()
    for secret in PRODUCTION_SECRETS:
        assert secret not in text
    assert '"production"' not in text
    # Placeholders keep their edges, so the graph still reads: something writes the table.
    writers = [e for e in body["edges"] if e["target"] == BILLING_DAILY and e["kind"] == "writes"]
    assert writers and all(e["source"].startswith("restricted:") for e in writers)


def test_the_page_source_names_no_restricted_node(client, viewer, demo):
    client.force_login(viewer)

    response = page(client, urn=BILLING_DAILY, direction="downstream", depth="3")

    html = response.content.decode()
    assert response.status_code == 200
    for secret in ANALYTICS_SECRETS:
        assert secret not in html
    hidden = [
        n
        for n in json.loads(html.split('type="application/json">')[1].split("</script>")[0])[
            "answer"
        ]["nodes"]
        if n["restricted"]
    ]
    assert hidden and {n["workspace"] for n in hidden} == {"analytics"}
    assert all(n["name"] is None and n["label"] is None for n in hidden)
    assert all(n["urn"].startswith("hidden:") for n in hidden)
    assert "you may not see" in html


def test_the_production_viewer_sees_their_side_named(client, viewer, demo):
    client.force_login(viewer)

    body = api(client, urn=BILLING_DAILY, direction="upstream", depth="1").json()

    assert {n["urn"] for n in body["nodes"] if not n["restricted"]} >= {BILLING, BILLING_DAILY}


def test_staff_see_every_node_named(client, staff, demo):
    client.force_login(staff)

    body = api(client, urn=BILLING_DAILY, direction="both", depth="3").json()

    assert not [n for n in body["nodes"] if n["restricted"]]


@pytest.mark.parametrize("urn", [BILLING, BILLING_DAILY, CHURN, "table:duckdb://warehouse/nope"])
def test_a_stranger_gets_the_same_404_for_hidden_and_unknown_urns(client, stranger, demo, urn):
    client.force_login(stranger)

    assert api(client, urn=urn).json() == {"error": "No asset matches the given URN."}
    assert api(client, urn=urn).status_code == 404
    assert page(client, urn=urn).status_code == 404
    assert client.get("/api/lineage/impact/", {"urn": urn}).status_code == 404


def test_an_analyst_cannot_centre_on_a_production_notebook(client, analyst, demo):
    client.force_login(analyst)

    assert api(client, urn=BILLING).status_code == 404
    assert api(client, urn=f"{BILLING.replace('notebook:', 'block:')}#anything").status_code == 404


def test_a_grantee_sees_the_shared_notebook_and_the_tables_it_names(client, stranger, demo):
    churn = Notebook.objects.get(workspace__slug="analytics", path="models/churn_prediction.ipynb")
    services.share_object(actor="test", obj=churn, holder=stranger, level="view")
    client.force_login(stranger)

    body = api(client, urn=CHURN, direction="upstream", depth="2").json()

    named = {n["urn"] for n in body["nodes"] if not n["restricted"]}
    assert {CHURN, BILLING_DAILY} <= named
    assert BILLING not in json.dumps(body)
    assert any(n["restricted"] and n["kind"] == "notebook" for n in body["nodes"])


def test_dependencies_fold_hidden_notebooks_into_a_count(client, viewer, demo):
    billing = Notebook.objects.get(
        workspace__slug="production", path="billing/denormalize_billing.ipynb"
    )
    client.force_login(viewer)

    html = client.get(f"/notebooks/{billing.pk}/").content.decode()

    downstream = html.split('class="deps-downstream"')[1].split("</ul>")[0]
    assert "2 notebooks you may not see" in downstream
    for secret in ANALYTICS_SECRETS:
        assert secret not in html
    upstream = html.split('class="deps-upstream"')[1].split("</ul>")[0]
    assert USERS.split("/", 1)[1] in upstream


def test_impact_counts_what_it_cannot_name(client, viewer, demo):
    client.force_login(viewer)

    body = client.get("/api/lineage/impact/", {"urn": BILLING_DAILY}).json()

    assert body["restricted"]["notebook"] == 2
    assert body["restricted"]["app"] == 1
    text = json.dumps(body)
    for secret in ANALYTICS_SECRETS:
        assert secret not in text
    # The customer-360 app is hidden, and so is its owner; analytics.churn_scores is named
    # (a production notebook uses it) but its owner is analytics' to show; net_revenue's
    # owner is production's own.
    assert body["owners"] == ["finance-data@riverbend.example"]


def test_expanding_a_hidden_notebook_is_ignored_and_not_echoed(client, analyst, demo):
    client.force_login(analyst)

    response = page(client, urn=BILLING_DAILY, depth="2", expand=BILLING)

    html = response.content.decode()
    assert response.status_code == 200
    for secret in PRODUCTION_SECRETS:
        assert secret not in html
