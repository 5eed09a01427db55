"""The knowledge base in a real browser: search as you type, a table page, its lineage
link, and editing documentation as an editor but not as a viewer."""

from __future__ import annotations

import re

import pytest

from catalog.models import Table
from tests.kb_factories import make_table

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def billing(workspace):
    return make_table(
        workspace,
        "analytics.billing_daily",
        description="Invoices per user and billing day.",
        owner_email="finance@example.com",
        columns=("paid_usd", "refunded_usd"),
    )


def test_typing_shows_results_and_the_keyboard_opens_a_table_page(open_as, viewer, billing):
    page = open_as(viewer, "/search/")

    page.locator("#search-input").press_sequentially("billing da", delay=30)
    first = page.locator("#search-results .result-link").first
    first.wait_for()
    assert "analytics.billing_daily" in first.inner_text()
    assert page.locator("#search-results mark").first.inner_text().lower().startswith("billing")

    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/tables/{billing.pk}/"))
    assert page.locator("h1").inner_text().startswith("analytics.billing_daily")
    assert "paid_usd" in page.locator("table.columns").inner_text()


def test_the_table_page_links_to_its_lineage(open_as, viewer, billing):
    page = open_as(viewer, f"/tables/{billing.pk}/")

    link = page.locator("a.lineage-link")

    assert (
        link.get_attribute("href")
        == "/lineage/?urn=table%3Aduckdb%3A//test/analytics.billing_daily"
    )
    with page.expect_navigation() as navigation:
        link.click()
    assert "/lineage/?urn=" in page.url
    assert navigation.value.status < 500


def test_an_editor_edits_a_description_in_the_browser(open_as, editor, billing):
    page = open_as(editor, f"/tables/{billing.pk}/")

    page.locator("a.edit-link").click()
    page.locator("textarea[name=description]").fill("Paid, refunded and open **amounts** per day.")
    page.get_by_role("button", name="Save").click()

    page.wait_for_url(re.compile(rf"/tables/{billing.pk}/$"))
    assert page.locator("section.description strong").inner_text() == "amounts"
    assert Table.objects.get(pk=billing.pk).description.startswith("Paid, refunded")


def test_a_viewer_cannot_edit_a_description(open_as, viewer, billing):
    page = open_as(viewer, f"/tables/{billing.pk}/")
    assert page.locator("a.edit-link").count() == 0

    response = page.goto(f"/tables/{billing.pk}/edit/")

    assert response.status == 403
    assert "You may not edit this table." in page.content()
    assert Table.objects.get(pk=billing.pk).description == "Invoices per user and billing day."
