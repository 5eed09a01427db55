from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def export(capsys, *args) -> list[dict]:
    events, _ = export_with_log(capsys, *args)
    return events


def export_with_log(capsys, *args) -> tuple[list[dict], str]:
    call_command("export_openlineage", *args)
    captured = capsys.readouterr()
    return [json.loads(line) for line in captured.out.splitlines()], captured.err


def test_the_export_is_one_job_event_per_notebook_with_sql_and_column_lineage(capsys, demo):
    events = export(capsys, "--workspace", "production")

    by_job = {e["job"]["name"]: e for e in events}
    assert sorted(by_job) == [
        "apps/change_plan.deepnote/Change plan",
        "apps/delete_user.ipynb",
        "billing/denormalize_billing.ipynb",
        "users/users_table.ipynb",
    ]
    billing = by_job["billing/denormalize_billing.ipynb"]
    assert billing["schemaURL"].endswith("#/$defs/JobEvent")
    assert "run" not in billing and "eventType" not in billing  # design time: a job, no run
    assert billing["job"]["namespace"] == "tributary:production"
    assert billing["job"]["facets"]["jobType"]["jobType"] == "NOTEBOOK"
    sql = billing["job"]["facets"]["sql"]
    assert "analytics.billing_daily" in sql["query"] and sql["dialect"] == "duckdb"
    assert {(i["namespace"], i["name"]) for i in billing["inputs"]} == {
        ("duckdb://warehouse", "core.users"),
        ("duckdb://warehouse", "raw.accounts"),
        ("duckdb://warehouse", "raw.invoices"),
    }
    (output,) = billing["outputs"]
    assert (output["namespace"], output["name"]) == (
        "duckdb://warehouse",
        "analytics.billing_daily",
    )
    lineage = output["facets"]["columnLineage"]
    assert lineage["_schemaURL"].endswith("ColumnLineageDatasetFacet")
    assert lineage["fields"]["email"]["inputFields"] == [
        {
            "namespace": "duckdb://warehouse",
            "name": "core.users",
            "field": "email",
            "transformations": [{"type": "DIRECT", "subtype": "IDENTITY"}],
        }
    ]


def test_the_export_covers_every_workspace_by_default(capsys, demo):
    events, log = export_with_log(capsys)

    assert {e["job"]["namespace"] for e in events} == {
        "tributary:production",
        "tributary:analytics",
    }
    assert len(events) == 9
    assert "9 job events written" in log


def test_an_unknown_workspace_is_refused(db):
    with pytest.raises(CommandError, match="No workspace 'nope'"):
        call_command("export_openlineage", "--workspace", "nope")
