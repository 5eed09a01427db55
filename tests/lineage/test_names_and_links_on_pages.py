"""Notebook, run and compare pages name blocks by what they are and link table names."""

from __future__ import annotations

import re

import pytest

from catalog.models import Table
from execution.models import Run, RunStatus, RunStep, StepStatus, Trigger
from tests.lineage.conftest import put_cells, put_sql

pytestmark = pytest.mark.django_db


def _table_pk(name: str) -> int:
    return Table.objects.get(name=name).pk


def _links(html: str) -> dict[str, str]:
    """{link text: href} of the ``<a href><code>name</code></a>`` links a page holds."""
    found = re.findall(r'<a href="([^"]+)"><code>([^<]+)</code></a>', html)
    return {text: href for href, text in found}


@pytest.fixture
def notebooks(workspace, other_workspace, shared_warehouse):
    users = put_cells(
        workspace,
        "users.ipynb",
        ("markdown", "# Users table"),
        ("code", "%%sql\nCREATE OR REPLACE TABLE core.users AS SELECT id, email FROM raw.users"),
    )
    report = put_sql(
        other_workspace,
        "report.ipynb",
        "CREATE OR REPLACE TABLE analytics.report AS SELECT email FROM core.users",
    )
    return users, report


def test_a_notebook_page_names_its_blocks_and_links_its_tables(client, staff, notebooks):
    users, _ = notebooks
    client.force_login(staff)

    html = client.get(f"/notebooks/{users.pk}/").content.decode()

    for block in users.current_version.blocks.all():
        assert f">#{block.block_id}<" not in html
    assert '<a class="anchor block-name" href="#block-' in html
    assert ">Users table</a>" in html
    links = _links(html)
    assert links["core.users"] == f"/tables/{_table_pk('core.users')}/"
    assert links["raw.users"] == f"/tables/{_table_pk('raw.users')}/"


def test_a_table_of_a_hidden_workspace_links_to_a_page_that_only_names_it(
    client, analyst, notebooks
):
    _, report = notebooks
    client.force_login(analyst)

    html = client.get(f"/notebooks/{report.pk}/").content.decode()

    links = _links(html)
    assert links["analytics.report"] == f"/tables/{_table_pk('analytics.report')}/"
    assert links["core.users"] == f"/tables/{_table_pk('core.users')}/"
    named = client.get(links["core.users"]).content.decode()
    assert "named-only" in named
    assert 'id="col-email"' not in named


def test_compare_names_blocks_and_links_tables_and_columns(client, staff, workspace, notebooks):
    put_cells(
        workspace,
        "users.ipynb",
        ("markdown", "# Users table"),
        (
            "code",
            "%%sql\nCREATE OR REPLACE TABLE core.users AS SELECT id, email, plan FROM raw.accounts",
        ),
    )
    users = notebooks[0]
    client.force_login(staff)

    html = client.get(f"/notebooks/{users.pk}/versions/").content.decode()

    assert re.search(r'block <span class="block-name">Users table</span>', html)
    assert "block <code>#" not in html
    links = _links(html)
    assert links["raw.accounts"] == f"/tables/{_table_pk('raw.accounts')}/"
    assert links["core.users.plan"] == f"/tables/{_table_pk('core.users')}/#col-plan"
    assert links["raw.accounts.plan"] == f"/tables/{_table_pk('raw.accounts')}/#col-plan"


def test_a_run_page_names_its_steps_by_their_blocks(client, staff, workspace, notebooks):
    users = notebooks[0]
    version = users.current_version
    run = Run.objects.create(
        workspace=workspace,
        notebook=users,
        version=version,
        target_urn=users.urn,
        actor_name="staff",
        trigger=Trigger.MANUAL,
        status=RunStatus.RUNNING,
        block_timeout_s=10,
        run_timeout_s=60,
    )
    for block in version.blocks.all():
        RunStep.objects.create(
            run=run,
            position=block.position,
            block_id=block.block_id,
            kind=block.kind,
            status=StepStatus.SUCCEEDED,
        )
    client.force_login(staff)

    html = client.get(f"/runs/{run.pk}/").content.decode()

    names = re.findall(r'<span class="block-name">([^<]*)</span>', html)
    assert names == [block.display_name for block in version.blocks.all()]
    assert "Users table" in names
    for block in version.blocks.all():
        assert block.block_id not in names
