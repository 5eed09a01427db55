"""A person opens a table's lineage in a real browser (Debian's Chromium, headless)."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlparse

import pytest

from tests.lineage.conftest import BILLING_DAILY, CHURN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_tables_lineage_spans_two_workspaces_and_re_centres_on_a_click(open_as, staff, demo):
    page = open_as(staff, f"/lineage/?urn={quote(BILLING_DAILY, safe='')}&depth=1")
    page.set_viewport_size({"width": 1400, "height": 900})

    lanes = page.locator("svg.lineage-graph g.lane").evaluate_all(
        "gs => gs.map(g => g.dataset.lane)"
    )
    first_centre = page.locator(".lineage-title .centre-name").inner_text()
    churn = page.locator("svg.lineage-graph a.node-link", has_text="churn_prediction.ipynb")
    churn.click()
    page.wait_for_url("**/lineage/?urn=notebook*")
    url = page.url
    new_centre = page.locator(".lineage-title .centre-name").inner_text()
    centre_label = page.locator("svg.lineage-graph g.node.centre .node-label").text_content()
    still_there = page.locator("svg.lineage-graph .node-label", has_text="billing_daily")
    billing_daily_count = still_there.count()

    assert lanes == ["analytics", "production"]
    assert first_centre == "analytics.billing_daily"
    assert parse_qs(urlparse(url).query)["urn"] == [CHURN]
    assert new_centre == "churn_prediction.ipynb"
    assert centre_label == "churn_prediction.ipynb"
    assert billing_daily_count == 1  # the table it came from is now upstream of the centre
