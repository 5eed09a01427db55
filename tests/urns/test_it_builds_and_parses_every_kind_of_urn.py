"""One module builds and parses every URN: what `AssetKind.urn` makes, `parse_urn` takes
apart again, for every kind; malformed URNs are refused with a reason."""

from __future__ import annotations

import doctest

import pytest

import urns
from urns import AssetKind, UrnError, kind_of, notebook_of, parse_urn, table_of_column

EXAMPLES = {
    AssetKind.WORKSPACE: (("production",), "workspace:production"),
    AssetKind.NOTEBOOK: (("production", "billing/a.ipynb"), "notebook:production/billing/a.ipynb"),
    AssetKind.BLOCK: (("production", "a.ipynb", "3f2a"), "block:production/a.ipynb#3f2a"),
    AssetKind.TABLE: (
        ("postgres://wh:5432/db", "core.users"),
        "table:postgres://wh:5432/db/core.users",
    ),
    AssetKind.COLUMN: (
        ("duckdb://demo", "core.users", "email"),
        "column:duckdb://demo/core.users.email",
    ),
    AssetKind.METRIC: (("analytics", "wau"), "metric:analytics/wau"),
    AssetKind.APP: (("production", "delete-user"), "app:production/delete-user"),
    AssetKind.CONNECTION: (("production", "warehouse"), "connection:production/warehouse"),
    AssetKind.INVITE: (("production", "12"), "invite:production/12"),
    AssetKind.USER: (("ada",), "user:ada"),
    AssetKind.TEAM: (("finance",), "team:finance"),
    AssetKind.REVIEW: (("3",), "review:3"),
    AssetKind.RUN: (("41",), "run:41"),
    AssetKind.CATALOG_FILE: (("analytics",), "catalog.yml:analytics"),
    AssetKind.WAREHOUSE: (("duckdb://demo",), "warehouse:duckdb://demo"),
}


def test_every_kind_has_an_example():
    assert set(EXAMPLES) == set(AssetKind)


@pytest.mark.parametrize("kind", list(AssetKind))
def test_what_a_kind_builds_parses_back_into_its_parts(kind):
    parts, expected = EXAMPLES[kind]

    urn = kind.urn(*parts)
    parsed = parse_urn(urn)

    assert urn == expected
    assert parsed.kind is kind
    assert tuple(getattr(parsed, name) for name in kind.parts) == parts
    assert str(parsed) == urn
    assert kind_of(urn) is kind


def test_a_table_in_a_warehouse_whose_namespace_holds_slashes_splits_at_the_last_one():
    parsed = parse_urn("table:postgres://wh:5432/analytics/core.users")

    assert (parsed.warehouse, parsed.table) == ("postgres://wh:5432/analytics", "core.users")
    assert parsed.table_urn == "table:postgres://wh:5432/analytics/core.users"


def test_a_file_keeps_its_own_slashes_in_the_file_warehouse():
    parsed = parse_urn("table:file/s3://bucket/raw/users.parquet")

    assert (parsed.warehouse, parsed.table) == ("file", "s3://bucket/raw/users.parquet")


def test_a_block_belongs_to_its_notebook_and_a_column_to_its_table():
    assert notebook_of("block:production/a/b.ipynb#c1") == "notebook:production/a/b.ipynb"
    assert notebook_of("notebook:production/a.ipynb") == "notebook:production/a.ipynb"
    assert notebook_of("table:duckdb://demo/x.y") is None
    assert table_of_column("column:duckdb://demo/core.users.email") == (
        "table:duckdb://demo/core.users"
    )
    assert parse_urn("block:production/a/b.ipynb#c1").local_name == "a/b.ipynb#c1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nonsense", "has no kind prefix"),
        ("planet:earth", "'planet' is not a kind of asset"),
        ("notebook:", "names no notebook"),
        ("notebook:production", "needs a workspace and a name"),
        ("block:production/a.ipynb", "needs a block id"),
        ("column:duckdb://demo/users", "needs a column"),
        ("table:users", "needs a warehouse and a table"),
    ],
)
def test_a_malformed_urn_is_refused_saying_why(text, message):
    with pytest.raises(UrnError, match=message):
        parse_urn(text)


def test_a_kind_refuses_the_wrong_number_of_parts():
    with pytest.raises(TypeError, match="made of workspace, path"):
        AssetKind.NOTEBOOK.urn("production")


def test_the_docstring_examples_run():
    result = doctest.testmod(urns, optionflags=doctest.ELLIPSIS)

    assert result.failed == 0 and result.attempted > 0
