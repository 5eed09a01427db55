"""The search box of every page in a real browser: "/" then typing on a table page
suggests assets and Enter opens the first; the home page shows what was viewed; an exact
name ranks its asset first on the results page."""

from __future__ import annotations

import re

import pytest

from tests.kb_factories import make_metric, make_table

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tables(workspace):
    users = make_table(workspace, "core.users", description="One row per person.")
    billing = make_table(
        workspace,
        "analytics.billing_daily",
        description="Revenue by country and billing day; revenue_by_country sums it.",
        columns=("paid_usd", "country"),
    )
    by_country = make_table(
        workspace, "analytics.revenue_by_country", description="Sums per country."
    )
    return users, billing, by_country


def test_slash_then_typing_on_a_table_page_suggests_and_enter_opens_the_first(
    open_as, viewer, tables
):
    users, billing, _ = tables
    page = open_as(viewer, f"/tables/{users.pk}/")

    page.locator("h1").click()  # focus on the page, not on a field
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-search"
    page.keyboard.type("billing_da", delay=30)
    first = page.locator("#site-search-suggestions li[role=option] a").first
    first.wait_for()

    assert "analytics.billing_daily" in first.inner_text()
    assert "table" in first.inner_text()
    assert "production" in first.inner_text()
    all_results = page.locator("#site-search-suggestions li.all a")
    assert all_results.get_attribute("href") == "/search/?q=billing_da"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/tables/{billing.pk}/$"))
    assert page.locator("h1").inner_text().startswith("analytics.billing_daily")


def test_arrows_choose_a_suggestion_and_the_last_line_opens_all_results(open_as, viewer, tables):
    page = open_as(viewer, "/")

    page.locator("#home-search-input").press_sequentially("revenue", delay=30)
    page.locator("#home-search-input-suggestions li[role=option] a").first.wait_for()
    options = page.locator("#home-search-input-suggestions li[role=option]")
    count = options.count()
    for _ in range(count - 1):
        page.keyboard.press("ArrowDown")
    assert options.nth(count - 1).get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=revenue$"))
    assert page.locator("#search-results .result").count() >= 2


def test_the_home_page_shows_the_two_assets_just_visited(open_as, viewer, workspace, tables):
    users, _, _ = tables
    metric = make_metric(workspace, "weekly_active_users", title="Weekly active users")
    page = open_as(viewer, f"/tables/{users.pk}/")
    page.goto(f"/metrics/{metric.pk}/")

    page.goto("/")
    recent = page.locator("#home-recent li a")

    assert recent.count() == 2
    assert "Weekly active users" in recent.nth(0).inner_text()
    assert "core.users" in recent.nth(1).inner_text()
    recent.nth(1).click()
    page.wait_for_url(re.compile(rf"/tables/{users.pk}/$"))


def test_an_exact_name_ranks_its_asset_first_in_the_results(open_as, viewer, tables):
    _, _, by_country = tables
    page = open_as(viewer, "/search/?q=revenue_by_country")

    first = page.locator("#search-results .result-link").first
    first.wait_for()

    assert "analytics.revenue_by_country" in first.inner_text()
    assert first.get_attribute("href") == f"/tables/{by_country.pk}/"
    assert page.locator("#search-facets [data-facet=kind]").inner_text().startswith("kind")
