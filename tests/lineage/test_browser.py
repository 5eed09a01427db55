"""A person explores lineage in a real browser (Debian's Chromium, headless): zoom, expand
in place, trace a column, go back, and see only placeholders for what they may not see."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlparse

import pytest

from catalog.models import Table
from tests.lineage.conftest import BILLING_DAILY, CHURN
from tests.lineage.test_visibility import PRODUCTION_SECRETS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "column:duckdb://warehouse/analytics.billing_daily.email"
USERS_EMAIL = "column:duckdb://warehouse/core.users.email"
CHURN_SCORES = "table:duckdb://warehouse/analytics.churn_scores"
PAID = "column:duckdb://warehouse/analytics.billing_daily.paid_usd"


def explore(open_as, user, urn: str, **params):
    query = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in {"urn": urn, **params}.items())
    page = open_as(user, "/")
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"/lineage/?{query}")
    page.wait_for_selector("html[data-lineage=ready]")
    return page


def node(page, urn: str):
    return page.locator(f'svg.lineage-graph .node[data-id="{urn}"]')


def centre_of(page) -> str:
    return page.locator("svg.lineage-graph .node.centre").get_attribute("data-id")


def test_the_wheel_zooms_the_drawing(open_as, staff, demo):
    page = explore(open_as, staff, BILLING_DAILY)
    before = page.evaluate("tributaryLineage.pz.getScale()")
    box = page.locator("#lineage-frame").bounding_box()

    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -400)
    # Polled from here: wait_for_function polls a string with eval, which the CSP refuses.
    for _ in range(200):
        if page.evaluate("tributaryLineage.pz.getScale()") > before:
            break
        page.wait_for_timeout(50)
    after = page.evaluate("tributaryLineage.pz.getScale()")
    transform = page.locator("#lineage-stage").evaluate("el => el.style.transform")

    assert after > before
    assert float(re.search(r"scale\(([\d.]+)\)", transform)[1]) == pytest.approx(after, rel=1e-4)


def test_expanding_a_node_adds_its_neighbours_in_place(open_as, staff, demo):
    page = explore(open_as, staff, BILLING_DAILY, depth=1)
    page.evaluate("window.stillTheSamePage = true")
    assert node(page, CHURN_SCORES).count() == 0

    with page.expect_response(lambda r: "/api/lineage/?" in r.url and "downstream" in r.url):
        node(page, CHURN).locator(".handle-down.more").click()
    node(page, CHURN_SCORES).wait_for()

    assert page.evaluate("window.stillTheSamePage") is True  # no navigation
    assert parse_qs(urlparse(page.url).query)["expand"] == [f"down|{CHURN}"]
    assert node(page, BILLING_DAILY).count() == 1
    assert node(page, CHURN).locator(".handle-down text").text_content() == "\u2212"  # folds back


def test_clicking_a_column_highlights_its_path_and_dims_the_rest(open_as, staff, demo):
    page = explore(open_as, staff, BILLING_DAILY)

    page.locator(f'.col[data-col="{EMAIL}"]').click()

    assert page.locator("svg.lineage-graph").get_attribute("class") == "lineage-graph focus"
    assert "lit" in page.locator(f'.col[data-col="{USERS_EMAIL}"]').get_attribute("class")
    assert "lit" in page.locator(f'.col[data-col="{EMAIL}"]').get_attribute("class")
    assert "lit" not in page.locator(f'.col[data-col="{PAID}"]').get_attribute("class")
    assert page.locator(".cedge.lit").count() >= 1
    assert page.locator("#lineage-panel h2").inner_text() == "analytics.billing_daily"


def test_back_restores_the_previous_centre(open_as, staff, demo):
    page = explore(open_as, staff, BILLING_DAILY, depth=1)

    node(page, CHURN).locator(".node-label").dblclick()
    # Locator waits, not wait_for_function: polling a string is eval, which the CSP refuses.
    page.locator(f'.node.centre[data-id="{CHURN}"]').wait_for()
    moved_to = parse_qs(urlparse(page.url).query)["urn"]
    page.go_back()
    page.locator(f'.node.centre[data-id="{BILLING_DAILY}"]').wait_for()

    assert moved_to == [CHURN]
    assert parse_qs(urlparse(page.url).query)["urn"] == [BILLING_DAILY]
    assert centre_of(page) == BILLING_DAILY
    assert page.locator(".lineage-title .centre-name").inner_text() == "analytics.billing_daily"


def test_a_viewer_of_one_workspace_sees_the_other_only_as_folded_placeholders(
    open_as, analyst, demo
):
    page = explore(open_as, analyst, BILLING_DAILY)

    lanes = page.locator("svg.lineage-graph g.lane").evaluate_all(
        "gs => gs.map(g => g.dataset.lane)"
    )
    placeholders = page.locator("svg.lineage-graph .node.restricted")
    labels = placeholders.locator(".node-label").all_text_contents()
    html = page.content()
    api_text = page.evaluate("document.getElementById('lineage-config').textContent")

    assert lanes == ["analytics", "production"]
    assert 1 <= placeholders.count() <= 2  # one per direction, for the production workspace
    assert all(label.endswith("you may not see") for label in labels)
    assert sum(int(label.split()[0]) for label in labels) >= 5
    assert node(page, CHURN).count() == 1
    for secret in PRODUCTION_SECRETS:
        assert secret not in html
        assert secret not in api_text


def test_a_table_page_shows_its_lineage_and_opens_the_explorer_there(open_as, staff, demo):
    table = Table.objects.get(name="analytics.billing_daily")
    page = open_as(staff, f"/tables/{table.pk}/")

    section = page.locator("section#lineage")
    upstream = section.locator(".lineage-upstream").inner_text()
    downstream = section.locator(".lineage-downstream").inner_text()
    section.locator("a.explorer-link").click()
    page.wait_for_selector("html[data-lineage=ready]")

    assert "denormalize_billing.ipynb" in upstream
    assert "churn_prediction.ipynb" in downstream
    assert centre_of(page) == BILLING_DAILY


def test_a_big_neighbourhood_starts_collapsed_with_counts_on_its_nodes(open_as, staff, workspace):
    from lineage.models import EdgeKind, LineageEdge
    from lineage.services import bump_stamp

    hub = "table:duckdb://big/core.hub"
    rows = []
    for i in range(20):
        block = f"block:production/n{i:02}.ipynb#c"
        rows.append((hub, block, EdgeKind.READS, "core.hub", f"n{i:02}.ipynb#c"))
        for j in range(20):
            name = f"mart.t{i:02}_{j:02}"
            rows.append(
                (block, f"table:duckdb://big/{name}", EdgeKind.WRITES, f"n{i:02}.ipynb#c", name)
            )
    LineageEdge.objects.bulk_create(
        LineageEdge(
            source_urn=s,
            target_urn=t,
            kind=k,
            source_name=sn,
            target_name=tn,
            source_workspace=workspace,
            target_workspace=workspace,
        )
        for s, t, k, sn, tn in rows
    )
    bump_stamp()
    first = "notebook:production/n00.ipynb"

    page = explore(open_as, staff, hub, depth=2)
    drawn = page.locator("svg.lineage-graph .nodes > .node").count()
    badge = node(page, first).locator(".handle-down.more text").text_content()
    status = page.locator("#lineage-status").inner_text()
    node(page, first).locator(".handle-down.more").click()
    page.locator("svg .nodes > .node").nth(21).wait_for()  # more than 21 drawn

    assert drawn == 21  # the hub and its 20 readers: 421 nodes at depth 2 are too many
    assert badge == "+20"
    assert "started collapsed at depth 1 of 2" in status
    assert parse_qs(urlparse(page.url).query)["depth"] == ["1"]
    assert page.locator("svg.lineage-graph .nodes > .node").count() == 41
