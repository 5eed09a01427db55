from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from lineage.models import EdgeKind, LineageEdge
from lineage.services import bump_stamp
from tests.lineage.conftest import BILLING, BILLING_DAILY, CHURN, put_sql, table

pytestmark = pytest.mark.django_db


def page(client, **params):
    return client.get("/lineage/", params)


def test_the_page_draws_both_workspaces_as_lanes_with_a_legend(client, staff, demo):
    client.force_login(staff)

    response = page(client, urn=BILLING_DAILY, depth="1")

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'<g class="lane" data-lane="([^"]+)"', html) == ["analytics", "production"]
    assert ">Analytics</text>" in html and ">Production</text>" in html
    assert 'class="node node-table centre"' in html
    assert html.count('class="node node-notebook"') >= 3
    legend = html.split('class="lineage-legend"')[1].split("</div>")[0]
    for kind in ("notebook", "table", "column", "app", "metric", "restricted", "is read by"):
        assert kind in legend


def test_each_visible_node_links_to_its_own_lineage(client, staff, demo):
    client.force_login(staff)

    html = page(client, urn=BILLING_DAILY, depth="1").content.decode()

    assert f'href="/lineage/?urn={quote(CHURN, safe="")}&amp;level=notebook' in html


def test_a_notebook_expands_into_its_blocks_and_folds_back(client, staff, demo):
    client.force_login(staff)
    collapsed = page(client, urn=BILLING_DAILY, depth="1").content.decode()
    assert 'class="node node-block"' not in collapsed
    assert f"expand={quote(BILLING, safe='')}" in collapsed

    html = page(client, urn=BILLING_DAILY, depth="1", expand=BILLING).content.decode()

    assert html.count('class="node node-block"') >= 2
    assert 'class="edge edge-part_of"' in html
    assert ">- blocks</text>" in html


def test_a_table_has_a_column_view(client, staff, demo):
    client.force_login(staff)

    html = page(client, urn=BILLING_DAILY, level="column", direction="upstream").content.decode()

    assert 'class="node node-column' in html
    assert "<title>column core.users.email" in html
    assert 'class="edge edge-column"' in html


def test_a_big_graph_is_collapsed_with_show_more(client, staff, workspace):
    hub = table("core.hub")
    LineageEdge.objects.bulk_create(
        LineageEdge(
            source_urn=hub,
            target_urn=f"block:production/n{i:03}.ipynb#c",
            kind=EdgeKind.READS,
            source_name="core.hub",
            target_name=f"n{i:03}.ipynb#c",
            source_workspace=workspace,
            target_workspace=workspace,
        )
        for i in range(450)
    )
    bump_stamp()
    client.force_login(staff)

    first = page(client, urn=hub, direction="downstream", depth="1").content.decode()
    everything = page(client, urn=hub, direction="downstream", depth="1", limit="451")

    assert first.count('class="node node-notebook"') == 299  # 300 drawn, the table included
    assert "151 more nodes further from the centre are folded away." in first
    assert re.search(r'class="show-more" href="[^"]*limit=451', first)
    assert everything.content.decode().count('class="node node-notebook"') == 450


def test_without_a_urn_the_page_offers_a_form(client, viewer):
    client.force_login(viewer)

    html = page(client).content.decode()

    assert '<input type="text" name="urn"' in html


def test_bad_parameters_render_a_400_page_that_says_why(
    client, viewer, workspace, shared_warehouse
):
    put_sql(workspace, "a.ipynb", "SELECT 1 FROM core.t")
    client.force_login(viewer)

    response = page(client, urn=table("core.t"), depth="99")

    assert response.status_code == 400
    assert "&#x27;depth&#x27; must be a whole number from 1 to 20" in response.content.decode()
    assert page(client, urn=table("core.t"), limit="0").status_code == 400


def test_the_page_is_drawn_in_a_few_queries(client, staff, demo, django_assert_max_num_queries):
    client.force_login(staff)
    page(client, urn=BILLING_DAILY)

    with django_assert_max_num_queries(15):
        response = page(client, urn=BILLING_DAILY, depth="3")

    assert response.status_code == 200


def test_the_page_shows_the_path_between_two_assets(client, viewer, workspace, shared_warehouse):
    put_sql(workspace, "n1.ipynb", "CREATE TABLE core.b AS SELECT x FROM raw.a")
    put_sql(workspace, "n2.ipynb", "CREATE TABLE mart.c AS SELECT x FROM core.b")
    client.force_login(viewer)

    html = page(client, urn=table("raw.a"), to=table("mart.c")).content.decode()

    section = html.split('class="card lineage-path"')[1].split("</section>")[0]
    names = re.findall(r"<code>([^<]+)</code>", section)
    assert names == ["raw.a", "n1.ipynb", "core.b", "n2.ipynb", "mart.c"]


def test_a_path_to_an_asset_one_may_not_see_is_404(client, viewer, other_workspace, demo):
    client.force_login(viewer)

    response = page(client, urn=BILLING_DAILY, to=CHURN)

    assert response.status_code == 404


def test_notebooks_that_feed_each_other_are_reported_as_a_cycle(
    client, viewer, workspace, shared_warehouse
):
    first = put_sql(workspace, "a.ipynb", "CREATE TABLE core.one AS SELECT x FROM core.two")
    put_sql(workspace, "b.ipynb", "CREATE TABLE core.two AS SELECT x FROM core.one")
    client.force_login(viewer)

    notebook_page = client.get(f"/notebooks/{first.pk}/").content.decode()
    lineage_page = page(client, urn=first.urn).content.decode()

    assert "This notebook is in a cycle: <code>a.ipynb</code> → <code>b.ipynb</code>" in (
        notebook_page
    )
    assert 'class="card notice cycles"' in lineage_page
