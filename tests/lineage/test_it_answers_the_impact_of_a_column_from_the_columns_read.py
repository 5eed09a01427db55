"""A column's impact follows column edges and who reads those columns, not every reader of
the table; a table's impact stays table-level."""

from __future__ import annotations

import pytest

from catalog.models import App, Metric
from catalog.warehouse.tables import get_or_create_table
from lineage.diff import version_diff
from tests.lineage.conftest import BILLING, CHURN, USERS, put_sql, table

pytestmark = pytest.mark.django_db

EMAIL = "column:duckdb://shared/core.users.email"
BILLING_SQL = (
    "CREATE TABLE mart.billing AS SELECT u.id, u.email, u.country, i.amount "
    "FROM core.users AS u JOIN raw.invoices AS i ON i.user_id = u.id"
)


@pytest.fixture
def billing(workspace, other_workspace, shared_warehouse):
    """core.users -> mart.billing (email carried) -> mart.revenue_by_country (no email)."""
    put_sql(
        workspace, "users.ipynb", "CREATE TABLE core.users AS SELECT id, email, country FROM raw.s"
    )
    put_sql(workspace, "billing.ipynb", BILLING_SQL)
    revenue = put_sql(
        workspace,
        "revenue_by_country.ipynb",
        "CREATE TABLE mart.revenue_by_country AS "
        "SELECT country, sum(amount) AS revenue FROM mart.billing GROUP BY country",
    )
    mailer = put_sql(
        other_workspace, "mailer.ipynb", "SELECT email FROM mart.billing WHERE amount > 0"
    )
    put_sql(other_workspace, "dump.ipynb", "SELECT * FROM mart.billing")
    put_sql(
        other_workspace, "counts.ipynb", "SELECT country, count(id) FROM mart.billing GROUP BY 1"
    )
    App.objects.create(workspace=other_workspace, slug="mailer", title="Mailer", notebook=mailer)
    App.objects.create(workspace=workspace, slug="revenue", title="Revenue", notebook=revenue)
    for name, sql, source in (
        ("revenue", "SELECT sum(revenue) FROM mart.revenue_by_country", "mart.revenue_by_country"),
        ("emails", "SELECT count(DISTINCT email) FROM mart.billing", "mart.billing"),
        ("billed", "", "mart.billing"),  # no definition: it reads its table whole
    ):
        metric = Metric.objects.create(workspace=workspace, name=name, definition=sql)
        metric.tables.add(get_or_create_table(source, workspace=workspace))


def impact(client, urn: str) -> dict[str, set[str]]:
    response = client.get("/api/lineage/impact/", {"urn": urn})
    assert response.status_code == 200, response.content
    body = response.json()
    return {
        key: {n["name"] for n in body[key]}
        for key in ("notebooks", "apps", "metrics", "tables", "columns")
    }


def test_the_impact_of_a_column_lists_what_reads_it_or_columns_derived_from_it(
    client, staff, billing
):
    client.force_login(staff)

    found = impact(client, EMAIL)

    assert found["columns"] == {"mart.billing.email"}
    assert found["tables"] == {"mart.billing"}
    # billing derives the column; mailer reads it; dump reads every column of mart.billing.
    assert found["notebooks"] == {"billing.ipynb", "mailer.ipynb", "dump.ipynb"}
    assert found["apps"] == {"mailer"}
    assert found["metrics"] == {"emails", "billed"}


def test_the_impact_of_a_column_leaves_out_readers_of_other_columns(client, staff, billing):
    client.force_login(staff)

    found = impact(client, EMAIL)

    assert "revenue_by_country.ipynb" not in found["notebooks"]
    assert "counts.ipynb" not in found["notebooks"]
    assert "mart.revenue_by_country" not in found["tables"]
    assert "revenue" not in found["apps"] | found["metrics"]


def test_the_impact_of_a_table_stays_table_level(client, staff, billing):
    client.force_login(staff)

    found = impact(client, table("core.users"))

    assert {"revenue_by_country.ipynb", "counts.ipynb", "mailer.ipynb"} <= found["notebooks"]
    assert "mart.revenue_by_country" in found["tables"]
    assert {"revenue", "emails", "billed"} <= found["metrics"]


def test_a_column_read_only_in_a_filter_is_still_read(client, staff, billing):
    client.force_login(staff)

    found = impact(client, "column:duckdb://shared/mart.billing.amount")

    assert "mailer.ipynb" in found["notebooks"]  # WHERE amount > 0
    assert "revenue_by_country.ipynb" in found["notebooks"]
    assert found["columns"] == {"mart.revenue_by_country.revenue"}
    assert "revenue" in found["metrics"]  # reads the derived revenue column


def test_compare_names_only_what_reads_the_changed_columns(staff, workspace, billing):
    nb = put_sql(
        workspace,
        "billing.ipynb",
        BILLING_SQL.replace("u.email", "lower(u.email) AS email"),
    )

    diff = version_diff(staff, nb, nb.versions.get(number=1), nb.versions.get(number=2))

    names = {node.name for node in diff.affected}
    assert {"mailer.ipynb", "dump.ipynb", "mailer", "emails", "billed"} <= names
    assert not names & {"revenue_by_country.ipynb", "counts.ipynb", "revenue"}


def test_on_the_demo_changing_the_email_of_core_users_spares_its_other_readers(client, staff, demo):
    client.force_login(staff)

    body = client.get(
        "/api/lineage/impact/", {"urn": "column:duckdb://warehouse/core.users.email"}
    ).json()

    notebooks = {n["urn"] for n in body["notebooks"]}
    assert {BILLING, CHURN} <= notebooks  # billing copies it; the churn model selects it
    assert USERS in notebooks  # reads it back to check it
    assert "notebook:analytics/metrics/weekly_active_users.ipynb" not in notebooks
    assert "metric:production/net_revenue" not in {n["urn"] for n in body["metrics"]}
    assert "column:duckdb://warehouse/analytics.billing_daily.email" in {
        n["urn"] for n in body["columns"]
    }
    assert set(body) >= {"notebooks", "apps", "metrics", "tables", "columns", "owners"}
