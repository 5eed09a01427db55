from __future__ import annotations

import pytest

from catalog.models import Notebook, Table
from lineage.diff import version_diff
from tests.lineage.conftest import put_sql

pytestmark = pytest.mark.django_db

V1 = "CREATE TABLE mart.daily AS SELECT o.id, o.amount FROM raw.orders o"
V2 = (
    "CREATE TABLE mart.weekly AS SELECT o.id, c.region "
    "FROM raw.orders o JOIN raw.customers c ON c.id = o.id"
)


@pytest.fixture
def two_versions(workspace, other_workspace, shared_warehouse):
    """A notebook whose v2 stops writing mart.daily (read in both workspaces) for mart.weekly."""
    put_sql(workspace, "etl.ipynb", V1)
    put_sql(workspace, "report.ipynb", "SELECT id FROM mart.daily")
    put_sql(other_workspace, "kpi.ipynb", "SELECT amount FROM mart.daily")
    nb = put_sql(workspace, "etl.ipynb", V2)
    return nb, nb.versions.get(number=1), nb.versions.get(number=2)


def test_the_diff_lists_tables_and_columns_newly_or_no_longer_read_and_written(staff, two_versions):
    nb, old, new = two_versions

    diff = version_diff(staff, nb, old, new)

    assert diff.reads.added == ["raw.customers"] and diff.reads.removed == []
    assert diff.writes.added == ["mart.weekly"] and diff.writes.removed == ["mart.daily"]
    assert diff.columns_read.added == ["raw.customers.region"]
    assert diff.columns_read.removed == ["raw.orders.amount"]
    assert diff.columns_written.added == ["mart.weekly.id", "mart.weekly.region"]
    assert diff.columns_written.removed == ["mart.daily.amount", "mart.daily.id"]


def test_the_diff_names_the_affected_downstream_the_viewer_may_see(viewer, staff, two_versions):
    nb, old, new = two_versions

    for_staff = version_diff(staff, nb, old, new)
    for_viewer = version_diff(viewer, nb, old, new)

    assert [n.name for n in for_staff.affected] == ["kpi.ipynb", "report.ipynb"]
    assert [n.name for n in for_viewer.affected] == ["report.ipynb"]
    assert for_viewer.affected_hidden == 1


def test_the_history_page_shows_the_lineage_changes(client, viewer, two_versions):
    nb, _, _ = two_versions
    client.force_login(viewer)

    html = client.get(f"/notebooks/{nb.pk}/versions/").content.decode()

    section = html.split('id="lineage-diff"')[1].split("</section>")[0]
    assert "Lineage changes from v1 to v2" in section
    daily, customers = (Table.objects.get(name=n).pk for n in ("mart.daily", "raw.customers"))
    assert (
        '<span class="tag">no longer writes</span> '
        f'<a href="/tables/{daily}/"><code>mart.daily</code></a>'
    ) in section
    assert (
        '<span class="tag">newly reads</span> '
        f'<a href="/tables/{customers}/"><code>raw.customers</code></a>'
    ) in section
    assert "report.ipynb" in section
    assert "kpi.ipynb" not in html
    assert "1 more you may not see" in section


def test_identical_lineage_says_so(client, viewer, workspace, shared_warehouse):
    put_sql(workspace, "etl.ipynb", V1)
    nb = put_sql(workspace, "etl.ipynb", V1 + " WHERE o.amount > 0")
    client.force_login(viewer)

    html = client.get(f"/notebooks/{Notebook.objects.get(pk=nb.pk).pk}/versions/").content.decode()

    assert "Same tables and columns read and written." in html


def test_the_diff_says_what_the_notebook_now_does_to_each_table(staff, workspace, shared_warehouse):
    put_sql(workspace, "etl.ipynb", "INSERT INTO mart.daily SELECT id FROM raw.orders")
    nb = put_sql(
        workspace,
        "etl.ipynb",
        "CREATE OR REPLACE TABLE mart.daily AS SELECT id FROM raw.orders",
        "DELETE FROM raw.orders WHERE id < 0",
    )

    diff = version_diff(staff, nb, nb.versions.get(number=1), nb.versions.get(number=2))

    assert diff.changes.added == [("mart.daily", "overwrite"), ("raw.orders", "delete")]
    assert diff.changes.removed == [("mart.daily", "insert")]
    assert diff.writes.added == [] and diff.has_changes
