"""A person opens a table's lineage in a real browser (Debian's Chromium, headless)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import pytest
from django.test import Client

from tests.lineage.conftest import BILLING_DAILY, CHURN

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium package"),
]


def test_a_tables_lineage_spans_two_workspaces_and_re_centres_on_a_click(live_server, staff, demo):
    from playwright.sync_api import sync_playwright

    client = Client()
    client.force_login(staff)
    session = client.cookies["sessionid"].value
    start = f"{live_server.url}/lineage/?urn={quote(BILLING_DAILY, safe='')}&depth=1"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
            page = context.new_page()
            page.goto(start)
            lanes = page.locator("svg.lineage-graph g.lane").evaluate_all(
                "gs => gs.map(g => g.dataset.lane)"
            )
            first_centre = page.locator(".lineage-title .centre-name").inner_text()
            churn = page.locator("svg.lineage-graph a.node-link", has_text="churn_prediction.ipynb")
            churn.click()
            page.wait_for_url("**/lineage/?urn=notebook*")
            url = page.url
            new_centre = page.locator(".lineage-title .centre-name").inner_text()
            centre_label = page.locator(
                "svg.lineage-graph g.node.centre .node-label"
            ).text_content()
            still_there = page.locator("svg.lineage-graph .node-label", has_text="billing_daily")
            billing_daily_count = still_there.count()
        finally:
            browser.close()

    assert lanes == ["analytics", "production"]
    assert first_centre == "analytics.billing_daily"
    assert parse_qs(urlparse(url).query)["urn"] == [CHURN]
    assert new_centre == "churn_prediction.ipynb"
    assert centre_label == "churn_prediction.ipynb"
    assert billing_daily_count == 1  # the table it came from is now upstream of the centre
