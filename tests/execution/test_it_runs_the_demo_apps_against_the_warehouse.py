"""The demo's three apps, run through a real kernel against a copy of the demo warehouse."""

from __future__ import annotations

import duckdb
import pytest

from tests.execution.conftest import publish_demo

pytestmark = pytest.mark.django_db


def rows(path, sql, params=None):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def text_of(run) -> str:
    parts = []
    for step in run.steps.order_by("position"):
        for output in step.outputs:
            parts.append(output.get("text") or (output.get("data") or {}).get("text/plain", ""))
    return "\n".join(parts)


def test_change_plan_moves_the_workspace_and_records_who_did_it(
    workspace, runner, gateway, warehouse, execute
):
    app = publish_demo(workspace, "production/apps/change_plan.deepnote", "change-plan")
    before = rows(warehouse, "SELECT plan_id FROM raw.workspaces WHERE workspace_id = 1002")

    run = execute(actor=runner, app=app, inputs={"workspace_id": "1002", "new_plan": "enterprise"})

    assert run.status == "succeeded", run.error
    assert rows(warehouse, "SELECT plan_id FROM raw.workspaces WHERE workspace_id = 1002") == [
        ("enterprise",)
    ]
    changes = rows(warehouse, "SELECT old_plan_id, new_plan_id, changed_by FROM raw.plan_changes")
    # The kernel got TRIBUTARY_USER: the warehouse records the person, not the app.
    assert changes == [(before[0][0], "enterprise", "rita-runner")]
    assert f"{before[0][0]} -> enterprise" in text_of(run)


def test_a_table_page_lists_the_runs_that_touched_it(
    web, workspace, runner, viewer, gateway, warehouse, execute
):
    from catalog.models import NotebookTable

    app = publish_demo(workspace, "production/apps/change_plan.deepnote", "change-plan")
    run = execute(actor=runner, app=app, inputs={"new_plan": "free"})
    use = NotebookTable.objects.select_related("table").get(
        notebook=app.notebook, table__name__endswith="plan_changes"
    )
    web.force_login(runner)
    page = web.get(f"/tables/{use.table.pk}/").text
    web.force_login(viewer)
    seen_by_viewer = web.get(f"/tables/{use.table.pk}/").text

    assert f'href="/runs/{run.pk}/"' in page and app.urn in page
    # A run is its runner's (and the workspace editors'): a viewer is not shown it.
    assert f'href="/runs/{run.pk}/"' not in seen_by_viewer


def test_customer_360_runs_its_init_notebook_first_and_shows_the_customer(
    other_workspace, gateway, warehouse, execute
):
    from tests.factories import add_member, make_user

    support = make_user("sue-support")
    add_member(support, other_workspace, "runner")
    app = publish_demo(other_workspace, "analytics/customer_360.deepnote", "customer-360")

    run = execute(
        actor=support, app=app, inputs={"customer_email": " Ada.Lovelace@analytical.example"}
    )

    assert run.status == "succeeded", run.error
    steps = list(run.steps.order_by("position"))
    # The Init notebook's code block (it opens the warehouse as `con`) runs first.
    assert (steps[0].kind, steps[0].block_id) == ("init", "6d0ef4c8305f2c3c6a609db7e9b25724")
    assert "Ada Lovelace (pro plan)" in text_of(run)
    assert [s.kind for s in steps].count("display") == 2


def test_delete_user_dry_run_deletes_nothing_and_a_real_run_deletes_the_person(
    workspace, runner, gateway, warehouse, execute
):
    app = publish_demo(workspace, "production/apps/delete_user.ipynb", "delete-user")
    person = "grace.hopper@cobol.example"
    count = "SELECT count(*) FROM raw.signups WHERE lower(trim(email)) = ?"
    assert rows(warehouse, count, [person])[0][0] == 2

    dry = execute(actor=runner, app=app, inputs={"email": person})
    assert dry.status == "succeeded", dry.error
    assert rows(warehouse, count, [person])[0][0] == 2
    assert "Would delete" in text_of(dry)

    real = execute(actor=runner, app=app, inputs={"email": person, "dry_run": False})
    assert real.status == "succeeded", real.error
    assert rows(warehouse, count, [person])[0][0] == 0
    assert f"rows about {person} in total" in text_of(real)


def test_a_pipeline_notebook_using_sql_magics_runs_without_jupysql(
    workspace, editor, gateway, warehouse, execute
):
    from catalog.ingest.pipeline import ingest_upload
    from catalog.models import Notebook
    from tests.execution.conftest import DEMO

    rel = "users/users_table.ipynb"
    data = (DEMO / "production" / rel).read_bytes()
    ingest_upload(
        actor=None, workspace=workspace, filename="users_table.ipynb", data=data, path=rel
    )
    notebook = Notebook.objects.get(workspace=workspace, path=rel)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("DELETE FROM core.users")

    run = execute(actor=editor, notebook=notebook, inputs={})

    assert run.status == "succeeded", run.error
    assert rows(warehouse, "SELECT count(*) FROM core.users")[0][0] > 400
    assert "people have more than one account" in text_of(run)
