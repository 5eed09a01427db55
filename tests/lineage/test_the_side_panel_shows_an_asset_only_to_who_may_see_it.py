"""/api/lineage/asset/: the explorer's side panel (kind, workspace, owner, description)."""

from __future__ import annotations

import pytest

from tests.lineage.conftest import BILLING, BILLING_DAILY

pytestmark = pytest.mark.django_db


def summary(client, urn):
    return client.get("/api/lineage/asset/", {"urn": urn})


def test_a_table_is_described_with_its_owner_description_and_pages(client, viewer, demo):
    client.force_login(viewer)

    body = summary(client, BILLING_DAILY).json()

    assert body["kind"] == "table" and body["name"] == "analytics.billing_daily"
    assert body["workspace"] == "production"
    assert body["owner"] and "@" in body["owner"]
    assert body["description"]
    assert body["url"] == "/assets/?urn=table%3Aduckdb%3A%2F%2Fwarehouse%2Fanalytics.billing_daily"
    assert body["lineage_url"].startswith("/lineage/?urn=table%3A")


def test_a_block_is_named_by_what_it_is(client, viewer, demo):
    from catalog.models import Notebook

    notebook = Notebook.objects.get(
        workspace__slug="production", path="billing/denormalize_billing.ipynb"
    )
    block = notebook.current_version.blocks.exclude(kind="markdown").first()
    client.force_login(viewer)

    body = summary(client, block.urn_for(notebook)).json()

    assert body["kind"] == "block" and body["title"] == notebook.title
    assert block.block_id not in body["label"]


def test_a_viewer_of_another_workspace_gets_404_and_no_name(client, analyst, demo):
    client.force_login(analyst)

    response = summary(client, BILLING)

    assert response.status_code == 404
    assert "denormalize" not in response.content.decode()


def test_anonymous_callers_are_refused(client, demo):
    assert summary(client, BILLING_DAILY).status_code == 403


def test_a_malformed_urn_is_a_400(client, viewer, demo):
    client.force_login(viewer)

    assert summary(client, "nonsense").status_code == 400
    assert summary(client, "table:" + "x" * 3000).status_code == 400
