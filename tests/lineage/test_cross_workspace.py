"""The demo: analytics.billing_daily is written in production and read in analytics."""

from __future__ import annotations

import pytest

from catalog.models import Notebook
from tests.lineage.conftest import BILLING, BILLING_DAILY, CHURN, CUSTOMER_360, demo_table

pytestmark = pytest.mark.django_db


def nodes(client, **params) -> dict[str, dict]:
    response = client.get("/api/lineage/", params)
    assert response.status_code == 200, response.content
    return {n["urn"]: n for n in response.json()["nodes"]}


def test_billing_daily_is_written_in_production_and_read_in_analytics(client, staff, demo):
    client.force_login(staff)

    found = nodes(client, urn=BILLING_DAILY, direction="both", depth="1")

    assert found[BILLING]["workspace"] == "production"
    assert found[CHURN]["workspace"] == "analytics"
    assert found[CUSTOMER_360]["workspace"] == "analytics"
    assert found[BILLING_DAILY]["name"] == "analytics.billing_daily"
    assert found["metric:production/net_revenue"]["kind"] == "metric"


def test_both_notebook_pages_show_the_dependency_across_workspaces(client, staff, demo):
    client.force_login(staff)
    billing = Notebook.objects.get(
        workspace__slug="production", path="billing/denormalize_billing.ipynb"
    )
    churn = Notebook.objects.get(workspace__slug="analytics", path="models/churn_prediction.ipynb")

    production_side = client.get(f"/notebooks/{billing.pk}/").content.decode()
    analytics_side = client.get(f"/notebooks/{churn.pk}/").content.decode()

    downstream = production_side.split('class="deps-downstream"')[1].split("</ul>")[0]
    upstream = analytics_side.split('class="deps-upstream"')[1].split("</ul>")[0]
    assert "models/churn_prediction.ipynb" in downstream
    assert '<span class="tag">analytics</span>' in downstream
    assert "billing/denormalize_billing.ipynb" in upstream
    assert "<code>analytics.billing_daily</code>" in upstream
    assert '<span class="tag">production</span>' in upstream


def test_the_graph_crosses_workspaces_in_two_hops(client, staff, demo):
    client.force_login(staff)

    found = nodes(client, urn=BILLING, direction="downstream", depth="2")

    assert {CHURN, CUSTOMER_360, BILLING_DAILY} <= set(found)


def test_columns_flow_from_core_users_into_billing_daily(client, staff, demo):
    client.force_login(staff)

    found = nodes(
        client,
        urn="column:duckdb://warehouse/core.users.email",
        level="column",
        direction="downstream",
    )

    assert "column:duckdb://warehouse/analytics.billing_daily.email" in found


def test_the_impact_of_billing_daily_reaches_notebooks_apps_metrics_and_owners(client, staff, demo):
    client.force_login(staff)

    body = client.get("/api/lineage/impact/", {"urn": BILLING_DAILY}).json()

    notebooks = {n["urn"] for n in body["notebooks"]}
    assert {CHURN, CUSTOMER_360} <= notebooks
    assert "app:analytics/customer-360" in {n["urn"] for n in body["apps"]}
    assert {"metric:production/net_revenue", "metric:analytics/churn_score"} <= {
        n["urn"] for n in body["metrics"]
    }
    assert demo_table("analytics.churn_scores") in {n["urn"] for n in body["tables"]}
    assert "data-science@riverbend.example" in body["owners"]  # owns analytics.churn_scores
    assert "cx-analytics@riverbend.example" in body["owners"]  # owns the customer-360 app
