"""Ranking people trust: exact names first, a table above its columns, usage counts, a
deprecated asset sinks, snippets quote descriptions, notebook blocks are found."""

from __future__ import annotations

import pytest

from catalog.search.index import refresh_index
from catalog.search.query import search_assets
from catalog.search.usage import record_view
from tests.factories import make_user, put_notebook
from tests.kb_factories import make_table

pytestmark = pytest.mark.django_db


def urns(results):
    return [hit.urn for hit in results.hits]


def test_an_exact_name_ranks_first_with_or_without_schema_quoted_or_not(staff, workspace):
    make_table(
        workspace,
        "analytics.billing_daily",
        description="Revenue by country and by day, per billing plan; revenue_by_country feeds it.",
    )
    make_table(workspace, "analytics.revenue_by_country", description="Sums per country.")

    for query in (
        "revenue_by_country",
        "analytics.revenue_by_country",
        '"revenue_by_country"',
        "'analytics.revenue_by_country'",
        "Revenue By Country",
    ):
        first = search_assets(staff, query).hits[0]
        assert first.urn == "table:duckdb://test/analytics.revenue_by_country", query


def test_a_table_ranks_above_its_columns_and_they_come_only_for_their_own_words(staff, workspace):
    make_table(
        workspace,
        "analytics.billing_daily",
        description="Invoices per day.",
        columns=("paid_usd", "refunded_usd", "email", "country"),
    )

    billing = urns(search_assets(staff, "billing"))
    refunded = urns(search_assets(staff, "refunded"))

    # The table's name has "billing"; none of its columns does.
    assert billing == ["table:duckdb://test/analytics.billing_daily"]
    # A column's own name has "refunded": it comes first, then the table that holds it.
    assert refunded == [
        "column:duckdb://test/analytics.billing_daily.refunded_usd",
        "table:duckdb://test/analytics.billing_daily",
    ]
    assert urns(search_assets(staff, "billing_daily.refunded_usd"))[0] == refunded[0]


def test_a_deprecated_asset_sinks_below_a_worse_text_match(staff, workspace):
    make_table(workspace, "raw.orders_v1", description="Orders.", tags=["deprecated"])
    make_table(workspace, "raw.orders_v2", description="Every order placed in the shop.")

    assert urns(search_assets(staff, "orders")) == [
        "table:duckdb://test/raw.orders_v2",
        "table:duckdb://test/raw.orders_v1",
    ]


def test_the_assets_more_people_view_rank_first_among_equal_matches(staff, workspace):
    make_table(workspace, "sales.orders_eu", description="Orders.")
    make_table(workspace, "sales.orders_us", description="Orders.")
    assert urns(search_assets(staff, "orders"))[0] == "table:duckdb://test/sales.orders_eu"

    for name in ("ada", "bob", "cy"):
        record_view(
            make_user(name),
            urn="table:duckdb://test/sales.orders_us",
            kind="table",
            name="sales.orders_us",
            url="/tables/2/",
            workspace_id=workspace.pk,
        )
    refresh_index()

    assert urns(search_assets(staff, "orders"))[0] == "table:duckdb://test/sales.orders_us"


def test_snippets_quote_the_description_never_the_index_text(staff, workspace):
    make_table(
        workspace,
        "core.users",
        description="One row per person; <script>x</script> inactive accounts dropped.",
        columns=("user_id", "email"),
    )

    snippet = str(search_assets(staff, "person").hits[0].snippet)

    assert snippet == (
        "One row per <mark>person</mark>; &lt;script&gt;x&lt;/script&gt; inactive accounts dropped."
    )
    assert "core users" not in str(search_assets(staff, "users").hits[0].snippet)


def test_who_queries_a_table_finds_the_blocks_linked_into_their_notebook(staff, workspace):
    notebook = put_notebook(
        workspace, "billing/report.ipynb", "df = con.execute('SELECT * FROM raw.invoices')"
    )
    put_notebook(workspace, "other.ipynb", "x = con.execute('SELECT * FROM raw.accounts')")

    hits = search_assets(staff, "who queries raw.invoices?").hits

    assert hits[0].urn == "block:production/billing/report.ipynb#cell-0"
    assert hits[0].kind == "block"
    assert hits[0].url == f"/notebooks/{notebook.pk}/#block-cell-0"
    assert "<mark>invoices</mark>" in str(hits[0].snippet)
    assert "raw.accounts" not in {h.name for h in hits}


def test_what_depends_on_an_asset_counts_as_its_usage(staff, workspace):
    from catalog.search.usage import usage_counts
    from lineage.models import EdgeKind, LineageEdge

    make_table(workspace, "sales.orders_eu", description="Orders.")
    make_table(workspace, "sales.orders_us", description="Orders.")
    us = "table:duckdb://test/sales.orders_us"
    for index in range(3):
        LineageEdge.objects.create(
            source_urn=us,
            target_urn=f"metric:production/orders_{index}",
            kind=EdgeKind.METRIC,
            source_name="sales.orders_us",
            target_name=f"orders_{index}",
        )
    assert usage_counts([us]) == {us: 3}
    refresh_index()

    assert urns(search_assets(staff, "orders"))[0] == us
