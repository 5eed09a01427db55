from __future__ import annotations

import pytest

from tests.lineage.conftest import put_sql, table

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(workspace, shared_warehouse):
    """raw.a -> n1 -> core.b -> n2 -> mart.c -> n3, all in production."""
    put_sql(workspace, "n1.ipynb", "CREATE TABLE core.b AS SELECT x FROM raw.a")
    put_sql(workspace, "n2.ipynb", "CREATE TABLE mart.c AS SELECT x FROM core.b")
    put_sql(workspace, "n3.ipynb", "SELECT x FROM mart.c")


def get(client, **params):
    return client.get("/api/lineage/", params)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "The 'urn' parameter is required."),
        ({"urn": "   "}, "The 'urn' parameter is required."),
        (
            {"urn": "users"},
            "'urn' must start with one of notebook:, block:, table:, column:, app:, metric: "
            "got 'users'.",
        ),
        (
            {"urn": "workspace:production"},
            "'urn' must start with one of notebook:, block:, table:, column:, app:, metric: "
            "got 'workspace:production'.",
        ),
        (
            {"urn": "table:duckdb://shared/core.b", "direction": "sideways"},
            "'direction' must be upstream, downstream or both, got 'sideways'.",
        ),
        (
            {"urn": "table:duckdb://shared/core.b", "depth": "0"},
            "'depth' must be a whole number from 1 to 20, got '0'.",
        ),
        (
            {"urn": "table:duckdb://shared/core.b", "depth": "21"},
            "'depth' must be a whole number from 1 to 20, got '21'.",
        ),
        (
            {"urn": "table:duckdb://shared/core.b", "depth": "-1"},
            "'depth' must be a whole number from 1 to 20, got '-1'.",
        ),
        (
            {"urn": "table:duckdb://shared/core.b", "depth": "two"},
            "'depth' must be a whole number from 1 to 20, got 'two'.",
        ),
        (
            {"urn": "table:duckdb://shared/core.b", "level": "file"},
            "'level' must be notebook, block or column, got 'file'.",
        ),
        (
            {"urn": "notebook:production/n1.ipynb", "level": "column"},
            "level=column needs a table or column URN.",
        ),
    ],
)
def test_bad_parameters_get_a_400_that_says_why(client, viewer, chain, params, message):
    client.force_login(viewer)

    response = get(client, **params)

    assert response.status_code == 400
    assert response.json()["error"] == message


def test_an_unknown_urn_is_404(client, viewer, chain):
    client.force_login(viewer)

    response = get(client, urn=table("core.nothing"))

    assert response.status_code == 404
    assert response.json() == {"error": "No asset matches the given URN."}


def test_signed_out_callers_are_refused(client, chain):
    assert get(client, urn=table("core.b")).status_code == 403


def test_the_answer_has_exactly_the_documented_shape(client, viewer, chain):
    client.force_login(viewer)

    body = get(client, urn=table("core.b"), direction="both", depth="1").json()

    assert set(body) == {"nodes", "edges", "truncated"}
    assert {frozenset(n) for n in body["nodes"]} == {
        frozenset({"urn", "kind", "name", "workspace", "restricted"})
    }
    # A writes edge also says what the writer does to the table (create, insert...).
    assert {frozenset(e) for e in body["edges"]} == {
        frozenset({"source", "target", "kind"}),
        frozenset({"source", "target", "kind", "write_kind"}),
    }
    assert {e.get("write_kind") for e in body["edges"] if e["kind"] == "writes"} == {"create"}
    assert sorted((n["urn"], n["kind"], n["name"], n["workspace"]) for n in body["nodes"]) == [
        ("notebook:production/n1.ipynb", "notebook", "n1.ipynb", "production"),
        ("notebook:production/n2.ipynb", "notebook", "n2.ipynb", "production"),
        (table("core.b"), "table", "core.b", "production"),
    ]
    assert sorted((e["source"], e["target"], e["kind"]) for e in body["edges"]) == [
        ("notebook:production/n1.ipynb", table("core.b"), "writes"),
        (table("core.b"), "notebook:production/n2.ipynb", "reads"),
    ]
    assert body["truncated"] is True  # raw.a and mart.c lie one hop further


def test_depth_and_direction_bound_the_answer(client, viewer, chain):
    client.force_login(viewer)

    up = get(client, urn=table("mart.c"), direction="upstream", depth="20").json()
    down = get(client, urn=table("raw.a"), direction="downstream", depth="2").json()

    assert sorted(n["name"] for n in up["nodes"]) == [
        "core.b",
        "mart.c",
        "n1.ipynb",
        "n2.ipynb",
        "raw.a",
    ]
    assert up["truncated"] is False
    assert sorted(n["name"] for n in down["nodes"]) == ["core.b", "n1.ipynb", "raw.a"]
    assert down["truncated"] is True


def test_block_level_shows_blocks_and_their_notebook(client, viewer, chain):
    client.force_login(viewer)

    body = get(client, urn=table("core.b"), level="block", depth="1").json()

    assert sorted((n["kind"], n["name"]) for n in body["nodes"]) == [
        ("block", "n1.ipynb#cell-0"),
        ("block", "n2.ipynb#cell-0"),
        ("table", "core.b"),
    ]


def test_column_level_for_a_table_starts_from_its_columns(client, viewer, chain):
    client.force_login(viewer)

    body = get(client, urn=table("core.b"), level="column", direction="both").json()

    assert sorted(n["urn"] for n in body["nodes"]) == [
        "column:duckdb://shared/core.b.x",
        "column:duckdb://shared/mart.c.x",
        "column:duckdb://shared/raw.a.x",
    ]
    assert {e["kind"] for e in body["edges"]} == {"column"}


def test_an_asset_without_edges_is_answered_alone(client, viewer, workspace):
    from tests.factories import put_notebook

    nb = put_notebook(workspace, "lonely.ipynb")
    client.force_login(viewer)

    body = get(client, urn=nb.urn).json()

    assert body == {
        "nodes": [
            {
                "urn": nb.urn,
                "kind": "notebook",
                "name": "lonely.ipynb",
                "workspace": "production",
                "restricted": False,
            }
        ],
        "edges": [],
        "truncated": False,
    }


def test_the_lineage_api_answers_in_a_few_queries(
    client, viewer, chain, django_assert_max_num_queries
):
    client.force_login(viewer)
    get(client, urn=table("core.b"))  # builds the shared graph

    with django_assert_max_num_queries(8):
        response = get(client, urn=table("core.b"), depth="5")

    assert response.status_code == 200


def test_impact_lists_everything_downstream(client, viewer, chain):
    client.force_login(viewer)

    body = client.get("/api/lineage/impact/", {"urn": table("raw.a")}).json()

    assert [n["name"] for n in body["notebooks"]] == ["n1.ipynb", "n2.ipynb", "n3.ipynb"]
    assert [n["name"] for n in body["tables"]] == ["core.b", "mart.c"]
    assert body["restricted"] == {}
