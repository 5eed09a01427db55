"""Tables, columns, docs and metrics harvested at ingest; browser edits against harvests."""

from __future__ import annotations

import json

import nbformat
import pytest

from accounts.models import AuditEvent
from catalog.documentation.revisions import edit_documentation, mark_reviewed, pending_reviews
from catalog.ingest.catalog_file import parse_catalog_file
from catalog.ingest.declared import apply_catalog_file
from catalog.ingest.folders import ingest_folder
from catalog.ingest.pipeline import ingest_upload
from catalog.models import (
    App,
    Column,
    DocRevision,
    Metric,
    Notebook,
    NotebookTable,
    SearchDocument,
    Table,
)
from tests.factories import ipynb_bytes, make_user, write_notebook
from tests.kb_factories import make_connection

pytestmark = pytest.mark.django_db

DOC = (
    "markdown",
    "## `core.users`\n\nOne row per person.\n\n| column | description |\n| --- | --- |\n"
    "| `email` | lower-cased |",
)
CREATE = ("code", "con.execute('CREATE OR REPLACE TABLE core.users AS SELECT * FROM raw.signups')")
COMMENT = ("code", "con.execute(\"COMMENT ON COLUMN core.users.user_id IS 'the key'\")")
READ = ("code", "df = con.execute('SELECT * FROM core.users JOIN raw.plans USING (plan_id)').df()")


def put(workspace, path, *cells):
    ingest_upload(
        actor=None, workspace=workspace, filename=path, data=ipynb_bytes(*cells), path=path
    )
    return Notebook.objects.get(workspace=workspace, path=path)


def users(name="core.users"):
    return Table.objects.get(name=name)


@pytest.fixture
def connected(workspace):
    make_connection(workspace, warehouse="duckdb://wh", default_database="wh")
    return workspace


def test_ingest_creates_the_tables_a_notebook_reads_and_writes(connected):
    nb = put(connected, "users.ipynb", DOC, CREATE)

    table = users()
    assert table.urn == "table:duckdb://wh/core.users"
    assert (table.defined_by, table.defined_in_block) == (nb, "cell-1")
    assert Table.objects.get(name="raw.signups").defined_by is None
    uses = {(u.table.name, u.is_read, u.is_write, u.is_create) for u in NotebookTable.objects.all()}
    assert uses == {("core.users", False, True, True), ("raw.signups", True, False, False)}


def test_the_markdown_above_the_creating_block_documents_the_table_and_its_columns(connected):
    put(connected, "users.ipynb", DOC, CREATE, COMMENT)

    table = users()
    assert table.description == "One row per person."
    columns = dict(table.columns.values_list("name", "description"))
    assert columns == {"email": "lower-cased", "user_id": "the key"}
    revision = DocRevision.objects.get(urn=table.urn, field="description")
    assert (revision.source, revision.origin) == (
        "harvested",
        "notebook:production/users.ipynb#cell-1",
    )


def test_an_unchanged_reingest_records_no_new_revision(connected):
    put(connected, "users.ipynb", DOC, CREATE)
    before = DocRevision.objects.count()

    put(connected, "users.ipynb", DOC, CREATE, ("code", "x = 1"))

    assert DocRevision.objects.count() == before


def test_the_tables_a_notebook_stops_using_lose_it(connected):
    nb = put(connected, "users.ipynb", DOC, CREATE)

    put(connected, "users.ipynb", READ)

    assert users().defined_by is None
    assert users().description == ""  # its only source of text went away
    assert set(NotebookTable.objects.filter(notebook=nb).values_list("table__name", flat=True)) == {
        "core.users",
        "raw.plans",
    }


def test_an_edit_wins_and_a_later_harvest_change_is_flagged_for_review(connected, editor):
    put(connected, "users.ipynb", DOC, CREATE)
    table = users()

    edit_documentation(actor=editor, obj=table, changes={"description": "Edited by a person."})
    put(connected, "users.ipynb", ("markdown", "## core.users\n\nNew harvested text."), CREATE)

    table.refresh_from_db()
    assert table.description == "Edited by a person."
    (review,) = pending_reviews([table.urn])
    assert (review.field, review.value) == ("description", "New harvested text.")
    audit = AuditEvent.objects.get(action="doc.edited")
    assert (audit.actor, audit.target_urn) == (editor, table.urn)

    assert mark_reviewed(actor=editor, obj=table) == 1
    assert pending_reviews([table.urn]) == []
    assert AuditEvent.objects.filter(action="doc.reviewed", target_urn=table.urn).count() == 1


def test_an_edit_of_tags_owner_and_a_column_is_versioned_and_indexed(connected, editor):
    put(connected, "users.ipynb", DOC, CREATE)
    table = users()
    email = table.columns.get(name="email")

    changed = edit_documentation(
        actor=editor,
        obj=table,
        changes={"tags": "PII, core  tier-1", "owner_email": "data@example.com"},
        column_descriptions={email.pk: "The e-mail, lower-cased"},
    )

    table.refresh_from_db()
    assert table.tags == ["pii", "core", "tier-1"]
    assert sorted(changed) == [
        "column:duckdb://wh/core.users.email#description",
        "table:duckdb://wh/core.users#owner_email",
        "table:duckdb://wh/core.users#tags",
    ]
    doc = SearchDocument.objects.get(urn=table.urn)
    assert doc.tags == " pii core tier-1 " and doc.owner == "data@example.com"
    assert "The e-mail, lower-cased" in SearchDocument.objects.get(urn__endswith=".email").doc_text


def test_a_bad_edit_is_refused_and_changes_nothing(connected, editor):
    from accounts.errors import InvalidInput

    put(connected, "users.ipynb", DOC, CREATE)

    with pytest.raises(InvalidInput, match="The owner must be an e-mail address"):
        edit_documentation(actor=editor, obj=users(), changes={"owner_email": "nobody"})

    assert DocRevision.objects.filter(source="edit").count() == 0


def test_a_cell_tagged_metric_defines_a_metric_with_the_tables_it_is_computed_from(connected):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("## Weekly active users\n\nPeople active in a week."),
        nbformat.v4.new_code_cell("events = con.execute('SELECT * FROM raw.events').df()"),
        nbformat.v4.new_code_cell("wau = duckdb.sql('SELECT count(*) FROM events').df()"),
    ]
    nb.cells[2].metadata["tags"] = ["metric:weekly_active_users"]
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"c{index}"
    ingest_upload(
        actor=None, workspace=connected, filename="wau.ipynb", data=json.dumps(nb).encode()
    )

    metric = Metric.objects.get(name="weekly_active_users")
    assert (metric.block_id, metric.title) == ("c2", "Weekly active users")
    assert metric.description == "People active in a week."
    assert [t.name for t in metric.tables.all()] == ["raw.events"]
    assert not Table.objects.filter(name__in=["events", "main.events"]).exists()


def test_a_deleted_notebook_no_longer_defines_or_reads(connected, tmp_path):
    write_notebook(tmp_path, "users.ipynb", ipynb_bytes(DOC, CREATE))
    ingest_folder(actor=None, workspace=connected, root=tmp_path, source="t", env={})
    (tmp_path / "users.ipynb").unlink()

    ingest_folder(actor=None, workspace=connected, root=tmp_path, source="t", env={})

    assert users().defined_by is None
    assert NotebookTable.objects.count() == 0
    assert not SearchDocument.objects.filter(kind="notebook").exists()


CATALOG = """
warehouse: {name: wh, type: duckdb, path: /data/wh.duckdb}
tables:
  - name: core.users
    description: Declared description.
    owner: platform@example.com
    tags: [pii, core]
    notebook: users.ipynb
    columns:
      - {name: email, description: Declared e-mail., tags: [pii]}
metrics:
  - {name: user_count, title: Users, description: How many., tables: [core.users]}
apps:
  - {name: users-app, title: Users app, notebook: users.ipynb, description: Look people up.}
"""


def test_a_folder_catalog_file_sets_the_connection_and_wins_over_notebook_text(workspace, tmp_path):
    write_notebook(tmp_path, "users.ipynb", ipynb_bytes(DOC, CREATE))
    (tmp_path / "catalog.yml").write_text(CATALOG)

    report, counts = ingest_folder(
        actor=None, workspace=workspace, root=tmp_path, source="t", env={}
    )

    assert report.new == 1 and counts == {"tables": 1, "metrics": 1, "apps": 1}
    table = users()
    assert table.urn == "table:duckdb://wh/core.users"
    assert (table.description, table.owner_email, table.tags) == (
        "Declared description.",
        "platform@example.com",
        ["pii", "core"],
    )
    email = table.columns.get(name="email")
    assert (email.description, email.tags) == ("Declared e-mail.", ["pii"])
    metric = Metric.objects.get(name="user_count")
    assert (metric.title, [t.name for t in metric.tables.all()]) == ("Users", ["core.users"])
    app = App.objects.get(slug="users-app")
    assert app.notebook.path == "users.ipynb" and app.published_version is not None
    assert {"table", "column", "metric", "app", "notebook"} <= set(
        SearchDocument.objects.values_list("kind", flat=True)
    )
    assert AuditEvent.objects.filter(action="catalog_file.applied").count() == 1


def test_a_new_connection_moves_the_workspaces_tables_to_its_warehouse(workspace):
    put(workspace, "users.ipynb", DOC, CREATE)
    assert users().warehouse == "unconfigured://production"
    spec = parse_catalog_file("warehouse: {name: wh, type: duckdb, path: /x/wh.duckdb}")

    apply_catalog_file(actor=None, workspace=workspace, catalog=spec)

    moved = Table.objects.get(warehouse="duckdb://wh", name="core.users")
    assert moved.defined_by.path == "users.ipynb"
    assert moved.description == "One row per person."


def test_a_table_documented_in_two_places_shows_the_stronger_source(connected):
    put(connected, "users.ipynb", DOC, CREATE)
    spec = parse_catalog_file("tables: [{name: core.users, description: From the catalog.}]")

    apply_catalog_file(actor=make_user("u"), workspace=connected, catalog=spec)
    assert users().description == "From the catalog."

    apply_catalog_file(actor=None, workspace=connected, catalog=parse_catalog_file("version: 1"))
    assert users().description == "One row per person."
    assert Column.objects.filter(table=users(), name="email").exists()
