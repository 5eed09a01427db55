"""/api/lineage/ with hidden=workspace and columns=1: what the explorer builds its drawing
from, one hop at a time, without ever learning the name of a node it may not see."""

from __future__ import annotations

import pytest

from tests.lineage.conftest import BILLING, BILLING_DAILY, CHURN
from tests.lineage.test_visibility import PRODUCTION_SECRETS

pytestmark = pytest.mark.django_db


def ask(client, **params):
    return client.get("/api/lineage/", {"hidden": "workspace", "columns": "1", **params})


def test_hidden_nodes_keep_one_id_across_answers_and_name_only_their_workspace(
    client, analyst, demo
):
    client.force_login(analyst)

    around = ask(client, urn=BILLING_DAILY, depth="1").json()
    upstream = ask(client, urn=BILLING_DAILY, direction="upstream", depth="1").json()

    hidden = {n["urn"]: n for n in around["nodes"] if n["restricted"]}
    hidden_up = {n["urn"] for n in upstream["nodes"] if n["restricted"]}
    assert hidden and hidden_up and hidden_up <= set(hidden)
    for node in hidden.values():
        assert node["urn"].startswith("hidden:")
        assert node["workspace"] == "production"
        assert node["name"] is None and node["label"] is None
        assert node["upstream"] is None and "columns" not in node
    text = ask(client, urn=BILLING_DAILY, depth="3").content.decode()
    for secret in PRODUCTION_SECRETS:
        assert secret not in text


def test_another_viewer_gets_other_ids_for_the_same_hidden_nodes(client, analyst, demo):
    from tests.factories import add_member, make_user

    second = make_user("second-analyst")
    add_member(second, demo[1], "viewer")
    client.force_login(analyst)
    first_ids = {
        n["urn"] for n in ask(client, urn=BILLING_DAILY).json()["nodes"] if n["restricted"]
    }
    client.force_login(second)
    second_ids = {
        n["urn"] for n in ask(client, urn=BILLING_DAILY).json()["nodes"] if n["restricted"]
    }

    assert len(first_ids) == len(second_ids) > 0
    assert first_ids.isdisjoint(second_ids)


def test_visible_nodes_carry_labels_neighbour_counts_and_table_columns(client, staff, demo):
    client.force_login(staff)

    body = ask(client, urn=BILLING_DAILY, depth="1").json()

    nodes = {n["urn"]: n for n in body["nodes"]}
    centre = nodes[BILLING_DAILY]
    assert body["centres"] == [BILLING_DAILY]
    assert centre["distance"] == 0 and centre["label"] == "analytics.billing_daily"
    # built by Denormalize billing only: the erasure app deletes from it, no data flow
    assert (centre["upstream"], centre["downstream"]) == (1, 3)
    assert len(centre["columns"]) == 10 and len(set(centre["columns"])) == 10
    assert {"paid_usd", "refunded_usd", "email", "user_id"} <= set(centre["columns"])
    assert nodes[BILLING]["label"] == "denormalize_billing.ipynb"
    assert "columns" not in nodes[BILLING]
    # Depth 1 holds no other table, so no column edge joins two drawn tables.
    assert body["column_edges"] == []


def test_column_edges_join_the_columns_of_tables_drawn_together(client, staff, demo):
    client.force_login(staff)

    body = ask(client, urn=BILLING_DAILY, depth="3").json()

    tables = {n["urn"] for n in body["nodes"] if n["kind"] == "table"}
    edges = {(e["source"], e["target"]) for e in body["column_edges"]}
    assert (
        "column:duckdb://warehouse/core.users.email",
        "column:duckdb://warehouse/analytics.billing_daily.email",
    ) in edges
    for source, target in edges:
        assert "table:" + source.partition(":")[2].rpartition(".")[0] in tables
        assert "table:" + target.partition(":")[2].rpartition(".")[0] in tables


def test_one_hop_from_a_node_answers_its_neighbours_only(client, staff, demo):
    client.force_login(staff)

    body = ask(client, urn=CHURN, direction="downstream", depth="1").json()

    assert {n["urn"] for n in body["nodes"]} == {
        CHURN,
        "table:duckdb://warehouse/analytics.churn_scores",
    }


def test_a_bad_flag_is_a_400_that_says_why(client, staff, demo):
    client.force_login(staff)

    hidden = client.get("/api/lineage/", {"urn": BILLING_DAILY, "hidden": "names"})
    columns = client.get("/api/lineage/", {"urn": BILLING_DAILY, "columns": "yes"})

    assert hidden.status_code == 400 and "'hidden' must be 'workspace'" in hidden.content.decode()
    assert columns.status_code == 400 and "'columns' must be '1'" in columns.content.decode()


def test_an_outsider_gets_404_for_an_asset_they_may_not_see(client, stranger, demo):
    client.force_login(stranger)

    response = ask(client, urn=BILLING)

    assert response.status_code == 404
    assert "denormalize" not in response.content.decode()
