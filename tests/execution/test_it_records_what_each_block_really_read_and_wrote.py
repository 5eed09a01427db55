"""Runtime lineage: the kernel records the SQL each block really ran (DuckDB, PostgreSQL) and
the tables pandas wrote; the run's events, its page and the notebook page say so, and show
where that differs from the static analysis."""

from __future__ import annotations

import json

import pytest

from execution.models import ObservedBlock
from tests.execution.conftest import publish
from tests.kb_factories import make_connection

pytestmark = pytest.mark.django_db

CONNECT = "import os\nimport duckdb\ncon = duckdb.connect(os.environ['TRIBUTARY_WAREHOUSE'])"
# The table name comes from the environment at run time: no parser can see it in the text.
DYNAMIC = (
    "name = os.environ.get('OBSERVED_TABLE', 'raw.events')\n"
    "events = con.execute('SELECT count(*) FROM ' + name).fetchone()[0]"
)
COPY = "con.execute('CREATE OR REPLACE TABLE analytics.plans_copy AS SELECT * FROM raw.plans')"
LOCALS = (
    "import pandas as pd\n"
    "frame = pd.DataFrame({'plan_id': ['free']})\n"
    "con.register('picked', frame)\n"
    "con.execute('CREATE OR REPLACE TEMP TABLE scratch AS SELECT * FROM picked')\n"
    "rows = duckdb.sql('SELECT * FROM frame').fetchall()\n"
    "con.unregister('picked')"
)
PANDAS = (
    "import sqlite3\n"
    "target = 'exported_' + 'plans'\n"
    "frame.to_sql(target, sqlite3.connect(':memory:'), if_exists='append', index=False)"
)


def blocks_of(run) -> dict[str, ObservedBlock]:
    return {row.block_id: row for row in run.observed_blocks.all()}


@pytest.fixture
def observed_run(workspace, runner, gateway, warehouse, lineage_file, execute):
    make_connection(workspace, warehouse="duckdb://demo", location=str(warehouse))
    app = publish(
        workspace,
        "apps/observed.ipynb",
        ("code", CONNECT),
        ("code", DYNAMIC),
        ("code", COPY),
        ("code", LOCALS),
        ("code", PANDAS),
    )
    run = execute(actor=runner, app=app, inputs={})
    assert run.status == "succeeded", run.error
    return run


def test_each_block_records_the_tables_its_sql_really_touched(observed_run):
    found = blocks_of(observed_run)

    assert found["cell-1"].reads == ["raw.events"]
    assert any("FROM raw.events" in s["text"] for s in found["cell-1"].statements)
    assert found["cell-2"].reads == ["raw.plans"]
    assert found["cell-2"].written_tables == ["analytics.plans_copy"]
    assert found["cell-4"].writes == [["main.exported_plans", "insert"]]  # if_exists=append


def test_frames_registered_views_and_temp_tables_are_not_warehouse_tables(observed_run):
    found = blocks_of(observed_run)

    local = found["cell-3"]
    assert len(local.statements) >= 3  # the register, the temp table, the scan of `frame`
    assert local.reads == [] and local.writes == []


def test_the_complete_event_names_what_the_run_really_read_and_wrote(observed_run, lineage_file):
    start, complete = (json.loads(line) for line in lineage_file.read_text().splitlines())

    started = {d["name"] for d in start["inputs"]}
    inputs = {d["name"] for d in complete["inputs"]}
    outputs = {d["name"] for d in complete["outputs"]}
    assert "raw.events" not in started  # the analysis cannot see it
    assert {"raw.events", "raw.plans"} == inputs
    assert {"analytics.plans_copy", "main.exported_plans"} == outputs


def test_the_run_page_shows_what_each_block_did_and_where_the_analysis_missed_it(
    observed_run, web, runner
):
    web.force_login(runner)

    html = web.get(f"/runs/{observed_run.pk}/").content.decode()

    really_read = html.split('class="observed-reads"')[1].split("</dd>")[0]
    assert "<code>raw.events</code>" in really_read
    dynamic = html.split('class="observed-difference small" data-block="cell-1"')[1].split("</p>")[
        0
    ]
    assert '<span class="tag">also read</span> <code>raw.events</code>' in dynamic
    assert 'data-block="cell-2"' in html  # what it ran ...
    assert 'observed-difference small" data-block="cell-2"' not in html  # ... as expected


def test_the_notebook_page_shows_the_difference_per_block(observed_run, web, admin_user):
    web.force_login(admin_user)

    html = web.get(f"/notebooks/{observed_run.notebook_id}/").content.decode()

    assert f'href="/runs/{observed_run.pk}/"' in html
    block = html.split('id="block-cell-1"')[1].split("</li>")[0]
    assert '<span class="tag">also read</span> <code>raw.events</code>' in block
    copy = html.split('id="block-cell-2"')[1].split("</li>")[0]
    assert "observed-difference" not in copy


def test_postgresql_statements_are_recorded(workspace, runner, gateway, warehouse, execute):
    app = publish(
        workspace,
        "apps/pg.ipynb",
        (
            "code",
            "import psycopg\n"
            "with psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres') as pg:\n"
            "    tables = pg.execute('SELECT count(*) FROM pg_catalog.pg_namespace').fetchone()",
        ),
    )

    run = execute(actor=runner, app=app, inputs={})

    assert run.status == "succeeded", run.error
    (row,) = run.observed_blocks.all()
    assert row.reads == ["pg_catalog.pg_namespace"]
    assert row.statements[0]["engine"] == "postgres"


def test_the_lineage_graph_shows_observed_edges_only_when_asked(observed_run, web, admin_user):
    web.force_login(admin_user)
    events = "table:duckdb://demo/raw.events"
    notebook = f"notebook:production/{observed_run.notebook.path}"
    block = f"block:production/{observed_run.notebook.path}#cell-1"
    asked = {"urn": notebook, "direction": "upstream", "depth": "1"}

    plain = web.get("/api/lineage/", asked).json()
    observed = web.get("/api/lineage/", {**asked, "observed": "1"}).json()
    blocks = web.get(
        "/api/lineage/", {**asked, "urn": block, "observed": "1", "level": "block"}
    ).json()
    copy = web.get(
        "/api/lineage/",
        {"urn": "table:duckdb://demo/raw.plans", "direction": "downstream", "observed": "1"},
    ).json()

    assert events not in {n["urn"] for n in plain["nodes"]}
    assert {"source": events, "target": notebook, "kind": "observed_reads"} in observed["edges"]
    assert {"source": events, "target": block, "kind": "observed_reads"} in blocks["edges"]
    # The analysis already says the copy reads raw.plans: a static edge, not an observed one.
    assert {e["kind"] for e in copy["edges"] if e["source"] == "table:duckdb://demo/raw.plans"} == {
        "reads"
    }
    assert web.get("/api/lineage/", {**asked, "observed": "yes"}).status_code == 400
