from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest

from lineage.models import EdgeKind, LineageEdge
from lineage.services import bump_stamp
from tests.lineage.conftest import BILLING, BILLING_DAILY, CHURN, put_sql, table

pytestmark = pytest.mark.django_db


def page(client, **params):
    return client.get("/lineage/", params)


def explorer_config(response) -> dict:
    html = response.content.decode()
    found = re.search(
        r'<script id="lineage-config" type="application/json">(.*?)</script>', html, re.S
    )
    return json.loads(found[1])


def test_the_page_embeds_the_first_answer_for_the_explorer(client, staff, demo):
    client.force_login(staff)

    response = page(client, urn=BILLING_DAILY, depth="1")

    config = explorer_config(response)
    nodes = {n["urn"]: n for n in config["answer"]["nodes"]}
    assert response.status_code == 200
    assert config["query"] == {
        "urn": BILLING_DAILY,
        "level": "notebook",
        "direction": "both",
        "depth": 1,
    }
    assert config["answer"]["centres"] == [BILLING_DAILY]
    assert {n["workspace"] for n in nodes.values()} == {"analytics", "production"}
    assert config["lane_names"] == {"analytics": "Analytics", "production": "Production"}
    assert nodes[CHURN]["label"] == "churn_prediction.ipynb"
    assert nodes[CHURN]["downstream"] == 1 and nodes[CHURN]["upstream"] >= 1
    assert "paid_usd" in nodes[BILLING_DAILY]["columns"]
    assert config["api"] == "/api/lineage/" and config["limit"] == 300
    legend = response.content.decode().split('class="lineage-legend"')[1].split("</div>")[0]
    for kind in ("notebook", "table", "column", "app", "metric", "restricted", "is read by"):
        assert kind in legend


def test_the_page_runs_no_inline_script(client, staff, demo):
    client.force_login(staff)

    html = page(client, urn=BILLING_DAILY).content.decode()

    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in s or 'type="application/json"' in s for s in scripts)
    assert " onclick=" not in html and " onload=" not in html
    assert '<script src="/static/vendor/panzoom.min.js">' in html


def test_each_visible_node_is_listed_with_its_page_and_a_link_to_centre_there(client, staff, demo):
    client.force_login(staff)

    html = page(client, urn=BILLING_DAILY, depth="1").content.decode()

    assert f'href="/assets/?urn={quote(CHURN, safe="/")}"' in html
    assert f'href="?urn={quote(CHURN, safe="/")}&amp;level=notebook">centre here' in html


def test_blocks_are_named_by_what_they_are_never_by_their_ids(client, staff, demo):
    client.force_login(staff)

    config = explorer_config(page(client, urn=BILLING, level="block", depth="1"))

    blocks = [n for n in config["answer"]["nodes"] if n["kind"] == "block"]
    assert blocks
    for block in blocks:
        block_id = block["urn"].rpartition("#")[2]
        assert block_id not in block["label"]
        assert not block["label"].startswith("#")


def test_a_column_question_centres_its_table_and_traces_the_column(client, staff, demo):
    client.force_login(staff)
    email = "column:" + BILLING_DAILY.partition(":")[2] + ".email"

    config = explorer_config(page(client, urn=email, level="column"))

    assert config["focus"] == email
    assert config["query"]["level"] == "notebook"
    assert config["answer"]["centres"] == [BILLING_DAILY]
    sources = {e["source"] for e in config["answer"]["column_edges"] if e["target"] == email}
    assert "column:duckdb://warehouse/core.users.email" in sources


def test_the_limit_of_the_first_drawing_is_checked_and_passed_on(client, staff, workspace):
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

    config = explorer_config(page(client, urn=hub, direction="downstream", depth="1", limit="40"))

    assert config["limit"] == 40
    assert len(config["answer"]["nodes"]) == 451  # the browser decides what to fold
    assert page(client, urn=hub, limit="0").status_code == 400


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
