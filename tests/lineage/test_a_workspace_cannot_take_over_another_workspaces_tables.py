"""A table's home is the workspace that declares it or first defined it, and stays so.

The demo's production declares ``raw.plan_changes`` and ``core.users`` in its catalog.yml
(with owners, tags and column docs); analytics notebooks that write them take nothing over.
"""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from catalog.ingest.pipeline import ingest_upload
from catalog.models import Column, Notebook, Table
from tests.factories import add_member, ipynb_bytes, make_user

pytestmark = pytest.mark.django_db

TAKEOVER = ("code", "%%sql\nCREATE OR REPLACE TABLE raw.plan_changes AS SELECT 1 AS x")
COLUMN_DOCS = (
    "markdown",
    "## core.users\n\nHijacked by analytics.\n\n| column | description |\n| --- | --- |\n"
    "| email | analytics says so |\n| user_id | analytics' key |",
)
REWRITE_USERS = ("code", "%%sql\nCREATE OR REPLACE TABLE core.users AS SELECT 1 AS user_id")


def upload(workspace, path, *cells, actor=None):
    report = ingest_upload(
        actor=actor, workspace=workspace, filename=path, data=ipynb_bytes(*cells), path=path
    )
    assert not report.failed, report.errors
    return Notebook.objects.get(workspace=workspace, path=path)


def snapshot(table: Table) -> tuple:
    table.refresh_from_db()
    columns = sorted(table.columns.values_list("name", "description", "tags"))
    return (table.workspace_id, table.description, table.owner_email, table.tags, columns)


@pytest.fixture
def analytics_editor(other_workspace):
    user = make_user("eve-analytics-editor")
    add_member(user, other_workspace, "editor")
    return user


def test_another_workspaces_notebook_writing_a_declared_table_moves_nothing(
    client, demo, viewer, analytics_editor, analyst
):
    production, analytics = demo
    table = Table.objects.get(name="raw.plan_changes")
    before = snapshot(table)
    assert table.workspace == production

    upload(analytics, "takeover.ipynb", TAKEOVER, actor=analytics_editor)

    assert snapshot(table) == before
    client.force_login(viewer)
    page = client.get(f"/tables/{table.pk}/").content.decode()
    assert "Audit trail of plan changes" in page  # production still sees and owns it
    assert "1 notebook you cannot see also uses this table" in page  # analytics' writer
    assert "takeover.ipynb" not in page
    client.force_login(analytics_editor)
    assert client.get(f"/tables/{table.pk}/edit/").status_code == 403
    assert "Audit trail of plan changes" not in client.get(f"/tables/{table.pk}/").content.decode()
    client.force_login(analyst)
    assert "Audit trail" not in client.get(f"/tables/{table.pk}/").content.decode()


def test_markdown_column_docs_of_another_workspace_change_no_documentation(demo):
    _, analytics = demo
    table = Table.objects.get(name="core.users")
    before = snapshot(table)
    columns_before = Column.objects.filter(table=table).count()

    upload(analytics, "users_again.ipynb", COLUMN_DOCS, REWRITE_USERS)

    assert snapshot(table) == before
    assert Column.objects.filter(table=table).count() == columns_before


def test_the_conflict_is_audited_once_per_version_in_the_home_workspaces_log(demo):
    production, analytics = demo
    table = Table.objects.get(name="raw.plan_changes")

    upload(analytics, "takeover.ipynb", TAKEOVER)
    upload(analytics, "takeover.ipynb", TAKEOVER)  # unchanged: no new version
    upload(analytics, "takeover.ipynb", ("markdown", "v2"), TAKEOVER)

    events = AuditEvent.objects.filter(action="table.written_elsewhere", target_urn=table.urn)
    assert [e.workspace_id for e in events] == [production.pk, production.pk]
    assert {e.details["notebook"] for e in events} == {"notebook:analytics/takeover.ipynb"}
    assert sorted(e.details["version"] for e in events) == [1, 2]
    assert not AuditEvent.objects.filter(
        workspace=analytics, target_urn=table.urn, action="table.written_elsewhere"
    ).exists()


def test_the_table_page_names_other_writers_the_person_may_see(client, demo, staff):
    _, analytics = demo
    upload(analytics, "takeover.ipynb", TAKEOVER)
    table = Table.objects.get(name="raw.plan_changes")
    client.force_login(staff)

    page = client.get(f"/tables/{table.pk}/").content.decode()

    also = page.split('class="also-written-by')[1].split("</p>")[0]
    assert "takeover.ipynb" in also
    assert "analytics" in also


def test_the_first_workspace_to_define_an_undeclared_table_keeps_it(workspace, other_workspace):
    from tests.lineage.conftest import connect

    connect(workspace)
    connect(other_workspace)
    upload(other_workspace, "reader.ipynb", ("code", "%%sql\nSELECT * FROM ops.parcels"))
    assert Table.objects.get(name="ops.parcels").workspace == other_workspace  # first mention

    upload(workspace, "maker.ipynb", ("code", "%%sql\nCREATE TABLE ops.parcels AS SELECT 1"))
    upload(other_workspace, "again.ipynb", ("code", "%%sql\nCREATE TABLE ops.parcels AS SELECT 2"))

    table = Table.objects.get(name="ops.parcels")
    assert table.workspace == workspace  # the first to define it
    assert table.defined_by.path == "maker.ipynb"


def test_the_first_workspace_to_define_an_undeclared_table_keeps_it_when_it_stops(
    workspace, other_workspace
):
    from tests.lineage.conftest import connect

    connect(workspace)
    connect(other_workspace)
    upload(workspace, "maker.ipynb", ("code", "%%sql\nCREATE TABLE ops.parcels AS SELECT 1"))
    upload(workspace, "maker.ipynb", ("code", "%%sql\nSELECT * FROM ops.parcels"))  # no longer

    upload(other_workspace, "again.ipynb", ("code", "%%sql\nCREATE TABLE ops.parcels AS SELECT 2"))

    assert Table.objects.get(name="ops.parcels").workspace == workspace
