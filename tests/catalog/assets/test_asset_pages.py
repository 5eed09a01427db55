"""The table, metric, app and connection pages; the documentation forms; /assets/?urn=."""

from __future__ import annotations

import pytest

from accounts import services
from catalog.ingest.pipeline import ingest_upload
from catalog.models import DocRevision, Metric, Notebook, Table
from tests.factories import ipynb_bytes, make_user
from tests.kb_factories import make_app, make_connection, make_metric

pytestmark = pytest.mark.django_db

EVIL = '<script>alert("x")</script><img src=x onerror="alert(1)">'
DOC = ("markdown", f"## core.users\n\nOne row per *person*. {EVIL}")
CREATE = ("code", "con.execute('CREATE TABLE core.users AS SELECT * FROM raw.signups')")
READ = ("code", "con.execute('CREATE TABLE mart.x AS SELECT * FROM core.users')")


def put(workspace, path, *cells):
    ingest_upload(
        actor=None, workspace=workspace, filename=path, data=ipynb_bytes(*cells), path=path
    )
    return Notebook.objects.get(workspace=workspace, path=path)


@pytest.fixture
def users_table(workspace):
    make_connection(workspace, warehouse="duckdb://wh", default_database="wh")
    put(workspace, "users.ipynb", DOC, CREATE)
    put(workspace, "mart.ipynb", READ)
    return Table.objects.get(name="core.users")


def test_the_table_page_shows_docs_definer_columns_and_neighbours(client, viewer, users_table):
    client.force_login(viewer)

    html = client.get(f"/tables/{users_table.pk}/").content.decode()

    assert "<em>person</em>" in html
    assert "<script>alert" not in html and 'onerror="' not in html
    assert 'href="/notebooks/' in html and "#block-cell-1" in html
    assert "raw.signups" in html and "mart.x" in html  # built from / feeds
    assert 'href="/lineage/?urn=table%3Aduckdb%3A//wh/core.users"' in html
    assert "Edit documentation" not in html


def test_the_table_page_shows_an_edit_link_to_editors_only(client, editor, users_table):
    client.force_login(editor)

    html = client.get(f"/tables/{users_table.pk}/").content.decode()

    assert f'href="/tables/{users_table.pk}/edit/"' in html


def test_the_table_page_runs_a_fixed_number_of_queries(
    client, viewer, users_table, workspace, django_assert_max_num_queries
):
    for index in range(6):
        put(
            workspace,
            f"reader{index}.ipynb",
            ("code", f"con.execute('SELECT * FROM core.users{index}')"),
        )
        put(workspace, f"user{index}.ipynb", ("code", "con.execute('SELECT * FROM core.users')"))
    client.force_login(viewer)

    # 15 for the page, up to 10 for its lineage section (the edge stamp twice, the graph
    # built once per stamp, the viewer's workspaces and shares), whatever the number of uses;
    # 2 to record the view (recently viewed, usage in search).
    with django_assert_max_num_queries(27):
        response = client.get(f"/tables/{users_table.pk}/")

    assert response.content.decode().count("/notebooks/") >= 7


def test_an_outsider_gets_404_for_every_asset_page(client, outsider, workspace, users_table):
    metric = make_metric(workspace, "net_revenue")
    app = make_app(workspace, Notebook.objects.first(), "delete-user")
    connection = make_connection(workspace)
    client.force_login(outsider)

    for url in (
        f"/tables/{users_table.pk}/",
        f"/tables/{users_table.pk}/edit/",
        f"/metrics/{metric.pk}/",
        f"/metrics/{metric.pk}/edit/",
        f"/apps/{app.pk}/",
        f"/apps/{app.pk}/edit/",
        f"/connections/{connection.pk}/",
        f"/assets/?urn={users_table.urn}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/tables/{users_table.pk}/edit/", {"description": "x"}).status_code == 404
    assert Table.objects.get(pk=users_table.pk).description.startswith("One row")


def test_a_viewer_may_not_edit_documentation(client, viewer, users_table):
    client.force_login(viewer)

    assert client.get(f"/tables/{users_table.pk}/edit/").status_code == 403
    response = client.post(f"/tables/{users_table.pk}/edit/", {"description": "Vandalised"})

    assert response.status_code == 403
    assert "Vandalised" not in Table.objects.get(pk=users_table.pk).description
    assert not DocRevision.objects.filter(source="edit").exists()


def test_an_editor_edits_a_description_and_its_columns(client, editor, users_table):
    column = users_table.columns.create(name="email", position=1)
    client.force_login(editor)

    response = client.post(
        f"/tables/{users_table.pk}/edit/",
        {
            "description": f"Edited. {EVIL}",
            "owner_email": "me@example.com",
            "tags": "pii",
            f"column-{column.pk}": "The e-mail",
        },
    )

    assert response.status_code == 302 and response["Location"] == f"/tables/{users_table.pk}/"
    html = client.get(f"/tables/{users_table.pk}/").content.decode()
    assert "Edited." in html and "<script>alert" not in html
    assert "me@example.com" in html and "The e-mail" in html
    revision = DocRevision.objects.get(source="edit", field="description", urn=users_table.urn)
    assert revision.author == editor


def test_a_bad_edit_shows_the_form_again_with_the_error(client, editor, users_table):
    client.force_login(editor)

    response = client.post(f"/tables/{users_table.pk}/edit/", {"owner_email": "nope"})

    assert response.status_code == 400
    assert "The owner must be an e-mail address." in response.content.decode()


def test_a_harvest_change_after_an_edit_shows_a_banner_until_reviewed(
    client, editor, workspace, users_table
):
    client.force_login(editor)
    client.post(f"/tables/{users_table.pk}/edit/", {"description": "Mine."})
    put(workspace, "users.ipynb", ("markdown", "## core.users\n\nChanged upstream."), CREATE)

    html = client.get(f"/tables/{users_table.pk}/").content.decode()
    assert "Harvested text changed" in html and "Changed upstream." in html and "Mine." in html

    response = client.post(f"/tables/{users_table.pk}/edit/", {"action": "reviewed"})
    assert response.status_code == 302
    assert "Harvested text changed" not in client.get(f"/tables/{users_table.pk}/").content.decode()


def test_the_metric_and_app_pages_show_their_documentation(client, viewer, workspace, users_table):
    nb = Notebook.objects.get(path="users.ipynb")
    metric = make_metric(
        workspace, "user_count", title="User count", definition="SELECT count(*) FROM core.users"
    )
    metric.tables.add(users_table)
    metric.notebook = nb
    metric.save()
    app = make_app(workspace, nb, "lookup", title="Look up", description=f"**Find** {EVIL}")
    client.force_login(viewer)

    metric_html = client.get(f"/metrics/{metric.pk}/").content.decode()
    app_html = client.get(f"/apps/{app.pk}/").content.decode()

    assert "User count" in metric_html and f'href="/tables/{users_table.pk}/"' in metric_html
    assert "count" in metric_html and 'class="hl"' in metric_html
    assert "<strong>Find</strong>" in app_html and "<script>alert" not in app_html
    assert "This app asks for no inputs." in app_html


def test_an_editor_edits_a_metric(client, editor, workspace):
    metric = make_metric(workspace, "user_count")
    client.force_login(editor)

    client.post(f"/metrics/{metric.pk}/edit/", {"description": "How many people.", "tags": "kpi"})

    metric = Metric.objects.get(pk=metric.pk)
    assert (metric.description, metric.tags) == ("How many people.", ["kpi"])


def test_assets_redirects_a_urn_to_its_page(client, viewer, users_table):
    client.force_login(viewer)

    response = client.get("/assets/", {"urn": users_table.urn})
    block = client.get("/assets/", {"urn": "block:production/users.ipynb#cell-1"})

    assert response.status_code == 302 and response["Location"] == f"/tables/{users_table.pk}/"
    assert block["Location"].endswith("#block-cell-1")
    assert client.get("/assets/", {"urn": "table:nowhere/x"}).status_code == 404
    assert client.get("/assets/").status_code == 400


def test_a_grantee_reaches_a_shared_notebook_and_its_tables_but_no_other_of_its_workspace(
    client, users_table
):
    grantee = make_user("gina")
    notebook = Notebook.objects.get(path="users.ipynb")
    services.share_object(actor="system-test", obj=notebook, holder=grantee, level="view")
    client.force_login(grantee)

    assert client.get("/assets/", {"urn": notebook.urn}).status_code == 302
    # core.users is defined by the shared notebook: shared with it, documentation and all.
    assert client.get("/assets/", {"urn": users_table.urn}).status_code == 302
    assert "One row per" in client.get(f"/tables/{users_table.pk}/").content.decode()
    mart = Table.objects.get(name="mart.x")  # only the notebook not shared uses it
    assert client.get("/assets/", {"urn": mart.urn}).status_code == 404
    assert client.get(f"/tables/{mart.pk}/").status_code == 404


def test_the_connection_page_shows_the_introspected_schema_and_drift(
    client, viewer, workspace, tmp_path
):
    import duckdb

    from catalog.warehouse.introspect import introspect_connection

    path = tmp_path / "wh.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA core; CREATE TABLE core.users (id INTEGER)")
    con.close()
    connection = make_connection(workspace, location=str(path), warehouse="duckdb://wh")
    introspect_connection(actor=None, connection=connection)
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE core.users ADD COLUMN email VARCHAR")
    con.close()
    introspect_connection(actor=None, connection=connection)
    client.force_login(viewer)

    html = client.get(f"/connections/{connection.pk}/").content.decode()

    users = Table.objects.get(name="core.users")
    assert f'href="/tables/{users.pk}/"' in html
    assert "column added" in html and "core.users.email" in html


def test_the_notebook_page_shows_a_summary_from_its_first_markdown_block(client, viewer, workspace):
    nb = put(workspace, "n.ipynb", ("markdown", "# Title\n\nBuilds the **users** table.\n\nMore."))
    client.force_login(viewer)

    html = client.get(f"/notebooks/{nb.pk}/").content.decode()

    assert '<p class="summary">Builds the users table.</p>' in html


def test_the_demo_table_page_documents_core_users(client, demo):
    staff = make_user("sam", is_staff=True)
    client.force_login(staff)
    table = Table.objects.get(name="core.users")

    html = client.get(f"/tables/{table.pk}/").content.decode()

    assert "data-platform@riverbend.example" in html
    assert "Users table" in html  # the defining notebook
    assert 'id="col-email"' in html and "VARCHAR" in html
    assert "analytics.billing_daily" in html  # downstream
    assert "raw.signups" in html  # upstream
