"""The demo's "Delete a user (GDPR erasure)" deletes rows from raw.*, core.users and the
analytics tables: it modifies them, it does not feed them. Its temporary table and
registered frames (and the other notebooks' frames) are no warehouse tables."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from catalog.models import NotebookTable, Table
from lineage.models import EdgeKind, LineageEdge
from tests.lineage.conftest import BILLING, BILLING_DAILY, USERS, demo_table

pytestmark = pytest.mark.django_db

DELETE_USER = "notebook:production/apps/delete_user.ipynb"
LOCAL_NAMES = {"erase", "erase_frame", "wau_frame", "churn_frame"}


def nodes(client, **params) -> set[str]:
    response = client.get("/api/lineage/", params)
    assert response.status_code == 200, response.content
    return {n["urn"] for n in response.json()["nodes"]}


def test_the_delete_notebook_is_upstream_of_nothing(client, staff, demo):
    client.force_login(staff)

    upstream_of_billing = nodes(client, urn=BILLING, direction="upstream", depth="6")
    downstream = nodes(client, urn=DELETE_USER, direction="downstream", depth="6")

    assert USERS in upstream_of_billing  # the real upstream is there
    assert DELETE_USER not in upstream_of_billing
    assert not {u for u in downstream if u.startswith("table:")} - {
        demo_table("raw.accounts"),
        demo_table("raw.signups"),
    }  # it only reads the person's accounts


def test_it_is_not_a_writer_of_the_tables_it_deletes_from(client, staff, demo):
    client.force_login(staff)
    billing_daily = Table.objects.get(name="analytics.billing_daily")

    html = client.get(f"/tables/{billing_daily.pk}/").content.decode()

    written_by = html.split("<h3>Written by</h3>")[1].split("</div>")[0]
    assert "Denormalize" in written_by or "denormalize" in written_by
    assert "delete_user" not in written_by and "Delete a user" not in written_by
    assert not NotebookTable.objects.filter(
        notebook__path="apps/delete_user.ipynb", is_write=True
    ).exists()


def test_it_is_shown_as_deleting_from_each_table_in_their_history(client, staff, demo):
    client.force_login(staff)
    billing_daily = Table.objects.get(name="analytics.billing_daily")

    html = client.get(f"/tables/{billing_daily.pk}/").content.decode()

    history = html.split('id="history"')[1].split("</section>")[0]
    assert '<span class="tag">delete</span> by' in history
    assert "apps/delete_user.ipynb#49e6a13b" in history
    # Denormalize billing builds it (CREATE OR REPLACE TABLE ... AS SELECT).
    assert '<span class="tag">overwrite</span> by' in history
    changed = set(
        LineageEdge.objects.filter(
            kind=EdgeKind.CHANGES, source_urn__contains="delete_user"
        ).values_list("target_urn", "detail")
    )
    assert {
        (demo_table(t), "delete") for t in ("raw.events", "core.users", "raw.signups")
    } <= changed


def test_the_graph_marks_what_each_writer_does_to_the_table(client, staff, demo):
    client.force_login(staff)

    answer = client.get("/api/lineage/", {"urn": BILLING_DAILY, "depth": "1"}).json()

    writes = {(e["source"], e.get("write_kind")) for e in answer["edges"] if e["kind"] == "writes"}
    assert writes == {(BILLING, "overwrite")}  # CREATE OR REPLACE TABLE ... AS SELECT


def test_notebook_local_names_are_never_catalogued_or_written(client, staff, demo):
    client.force_login(staff)

    tables = set(Table.objects.values_list("name", flat=True))
    written = set(NotebookTable.objects.filter(is_write=True).values_list("table__name", flat=True))
    pages = "".join(
        client.get(f"/notebooks/{pk}/").content.decode()
        for pk in NotebookTable.objects.values_list("notebook_id", flat=True).distinct()
    )

    for name in LOCAL_NAMES:
        assert not {t for t in tables if t.rpartition(".")[2] == name}, name
        assert not {t for t in written if t.rpartition(".")[2] == name}, name
        assert f"<code>{name}</code> " not in pages.split("<dt>writes</dt>")[-1]


def test_the_openlineage_export_says_it_deletes_and_marks_lifecycle_changes(capsys, demo):
    call_command("export_openlineage")
    events = {
        e["job"]["name"]: e for e in map(json.loads, capsys.readouterr().out.splitlines()) if e
    }

    deleting = events["apps/delete_user.ipynb"]
    outputs = {d["name"]: d for d in deleting["outputs"]}
    assert {"raw.events", "core.users", "analytics.billing_daily"} <= set(outputs)
    assert "lifecycleStateChange" not in outputs["raw.events"]["facets"]  # a DELETE is no state
    building = {d["name"]: d for d in events["billing/denormalize_billing.ipynb"]["outputs"]}
    facet = building["analytics.billing_daily"]["facets"]["lifecycleStateChange"]
    assert facet["lifecycleStateChange"] in ("CREATE", "OVERWRITE")
