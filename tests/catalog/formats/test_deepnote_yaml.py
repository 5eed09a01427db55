"""Reading Deepnote's open `.deepnote` YAML project files."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot.dialects.dialect import Dialect

from catalog.formats import read_notebook_file
from catalog.formats.sql_dialects import guess_sql_dialect, known_integration_types
from tests.catalog.formats.factories import (
    deepnote_block,
    deepnote_bytes,
    deepnote_notebook,
    deepnote_project,
)

WAREHOUSE = {"id": "084f5334-5dbe-41c7-9020-3f66b9418062", "name": "Warehouse", "type": "pgsql"}


def read_project(document, filename="production/billing.deepnote"):
    return read_notebook_file(deepnote_bytes(document), filename)


def billing_project():
    return deepnote_project(
        [
            deepnote_notebook(
                "Denormalize billing",
                [
                    deepnote_block(
                        "text-cell-h1", "Daily billing", block_id="b-title", sorting_key="a0"
                    ),
                    deepnote_block(
                        "sql",
                        "SELECT * FROM raw.invoices",
                        block_id="b-invoices",
                        sorting_key="a1",
                        metadata={
                            "deepnote_variable_name": "invoices",
                            "sql_integration_id": WAREHOUSE["id"],
                        },
                        execution_count=3,
                        outputs=[{"output_type": "stream", "name": "stdout", "text": "42 rows\n"}],
                    ),
                    deepnote_block(
                        "code",
                        "daily = invoices.groupby('day').sum()",
                        block_id="b-daily",
                        sorting_key="a2",
                    ),
                ],
            ),
            deepnote_notebook(
                "Delete user",
                [
                    deepnote_block(
                        "input-text",
                        block_id="b-email",
                        metadata={
                            "deepnote_variable_name": "email",
                            "deepnote_variable_value": "alice@example.com",
                            "deepnote_input_label": "Email",
                        },
                    ),
                    deepnote_block("markdown", "Deletes one user.", block_id="b-doc"),
                ],
            ),
        ],
        integrations=[WAREHOUSE],
    )


def test_it_reads_every_notebook_of_the_project_in_file_order():
    notebooks = read_project(billing_project())

    assert [(nb.name, nb.format, nb.format_version, nb.language) for nb in notebooks] == [
        ("Denormalize billing", "deepnote", "1.0.0", "python"),
        ("Delete user", "deepnote", "1.0.0", "python"),
    ]


def test_blocks_keep_their_ids_kinds_and_sources():
    billing, delete_user = read_project(billing_project())

    assert [(b.id, b.kind, b.source) for b in billing.blocks] == [
        ("b-title", "markdown", "# Daily billing"),
        ("b-invoices", "sql", "SELECT * FROM raw.invoices"),
        ("b-daily", "code", "daily = invoices.groupby('day').sum()"),
    ]
    assert [(b.id, b.kind, b.variable) for b in delete_user.blocks] == [
        ("b-email", "input", "email"),
        ("b-doc", "markdown", None),
    ]


def test_a_sql_block_gets_its_connection_type_and_dialect_from_the_project_integrations():
    sql = read_project(billing_project())[0].blocks[1]

    assert sql.variable == "invoices"
    assert sql.metadata["sql_integration_id"] == WAREHOUSE["id"]
    assert sql.metadata["sql_integration_type"] == "pgsql"
    assert sql.metadata["sql_dialect"] == "postgres"


def test_outputs_and_execution_counts_are_kept():
    sql = read_project(billing_project())[0].blocks[1]

    assert sql.execution_count == 3
    assert sql.outputs == ({"output_type": "stream", "name": "stdout", "text": "42 rows\n"},)


def test_block_metadata_keeps_the_deepnote_type_sorting_key_and_group():
    code = read_project(billing_project())[0].blocks[2]

    assert code.metadata == {
        "deepnote_cell_type": "code",
        "deepnote_sorting_key": "a2",
        "deepnote_block_group": "group-b-daily",
    }


def test_an_input_block_keeps_its_default_value_in_metadata():
    email = read_project(billing_project())[1].blocks[0]

    assert email.metadata["input_type"] == "text"
    assert email.metadata["default_value"] == "alice@example.com"
    assert email.metadata["deepnote_input_label"] == "Email"


def test_blocks_keep_the_list_order_not_the_sorting_key_order():
    blocks = [
        deepnote_block("code", "second = 2", block_id="z", sorting_key="a0"),
        deepnote_block("code", "first = 1", block_id="a", sorting_key="z9"),
    ]

    (notebook,) = read_project(deepnote_project([deepnote_notebook("Main", blocks)]))

    assert [b.id for b in notebook.blocks] == ["z", "a"]


def test_notebook_metadata_names_the_project_and_the_notebook():
    billing, _ = read_project(billing_project())

    assert billing.metadata["deepnote_project_id"] == "2e814690-4f02-465c-8848-5567ab9253b7"
    assert billing.metadata["deepnote_project_name"] == "Billing analytics"
    assert billing.metadata["deepnote_notebook_id"] == "id-denormalize-billing"
    assert billing.metadata["deepnote_notebook_index"] == 0
    assert billing.metadata["execution_mode"] == "block"
    assert billing.metadata["integrations"] == [WAREHOUSE]
    assert billing.metadata["deepnote_settings"]["sqlCacheMaxAge"] == 300


def test_notebooks_do_not_share_mutable_metadata():
    billing, delete_user = read_project(billing_project())

    billing.metadata["integrations"].append({"id": "x"})

    assert delete_user.metadata["integrations"] == [WAREHOUSE]


def test_the_title_is_the_first_heading_then_the_notebook_name():
    billing, delete_user = read_project(billing_project())

    assert billing.title == "Daily billing"
    assert delete_user.title == "Delete user"


def test_integrations_at_the_top_level_of_newer_files_are_used_too():
    blocks = [
        deepnote_block("sql", "SELECT 1", block_id="q", metadata={"sql_integration_id": "sf-prod"})
    ]
    document = deepnote_project(
        [deepnote_notebook("Main", blocks)],
        top_level_integrations=[{"id": "sf-prod", "name": "Snowflake", "type": "snowflake"}],
    )

    (notebook,) = read_project(document)

    assert notebook.blocks[0].metadata["sql_dialect"] == "snowflake"


def test_an_unknown_integration_gives_no_type_and_no_dialect():
    blocks = [
        deepnote_block("sql", "SELECT 1", block_id="q", metadata={"sql_integration_id": "gone"})
    ]

    (notebook,) = read_project(deepnote_project([deepnote_notebook("Main", blocks)]))

    assert "sql_integration_type" not in notebook.blocks[0].metadata
    assert "sql_dialect" not in notebook.blocks[0].metadata


def test_the_dataframe_sql_integration_means_duckdb_without_being_declared():
    blocks = [
        deepnote_block(
            "sql",
            "SELECT * FROM df",
            block_id="q",
            metadata={"sql_integration_id": "deepnote-dataframe-sql"},
        )
    ]

    (notebook,) = read_project(deepnote_project([deepnote_notebook("Main", blocks)]))

    assert notebook.blocks[0].metadata["sql_dialect"] == "duckdb"


@pytest.mark.parametrize(
    ("integration_type", "dialect"),
    [
        ("pgsql", "postgres"),
        ("big-query", "bigquery"),
        ("snowflake", "snowflake"),
        ("redshift", "redshift"),
        ("databricks", "databricks"),
        ("duckdb", "duckdb"),
        ("pandas-dataframe", "duckdb"),
        ("deepnote-dataframe-sql", "duckdb"),
        ("mysql", "mysql"),
        ("mariadb", "mysql"),
        ("clickhouse", "clickhouse"),
        ("athena", "athena"),
        ("spark", "spark"),
        ("trino", "trino"),
        ("sql-server", "tsql"),
        ("sqlserver", "tsql"),
        ("alloydb", "postgres"),
        ("materialize", "materialize"),
        ("dremio", "dremio"),
        ("mongodb", None),
        ("something-new", None),
    ],
)
def test_integration_types_map_to_sqlglot_dialects(integration_type, dialect):
    assert guess_sql_dialect(integration_type) == dialect


def test_every_dialect_guess_is_a_dialect_sqlglot_knows():
    for integration_type in known_integration_types():
        dialect = guess_sql_dialect(integration_type)
        assert Dialect.get(dialect) is not None, integration_type
        assert sqlglot.parse_one("SELECT 1", read=dialect) is not None


@pytest.mark.parametrize(
    ("block_type", "content", "metadata", "markdown"),
    [
        ("text-cell-h2", "Inputs", {}, "## Inputs"),
        ("text-cell-h3", "Notes", {}, "### Notes"),
        ("text-cell-p", "Plain text.", {}, "Plain text."),
        ("text-cell-bullet", "A point", {}, "- A point"),
        ("text-cell-todo", "Done", {"checked": True}, "- [x] Done"),
        ("text-cell-callout", "Heads up", {"color": "yellow"}, "> Heads up"),
    ],
)
def test_text_blocks_become_markdown(block_type, content, metadata, markdown):
    blocks = [deepnote_block(block_type, content, block_id="t", metadata=metadata)]

    (notebook,) = read_project(deepnote_project([deepnote_notebook("Main", blocks)]))

    assert (notebook.blocks[0].kind, notebook.blocks[0].source) == ("markdown", markdown)


@pytest.mark.parametrize(
    "block_type",
    ["big-number", "visualization", "button", "image", "separator", "iframe", "agent", "new-kind"],
)
def test_display_and_unknown_blocks_are_other(block_type):
    blocks = [deepnote_block(block_type, block_id="d", metadata={"deepnote_variable_name": "df"})]

    (notebook,) = read_project(deepnote_project([deepnote_notebook("Main", blocks)]))

    block = notebook.blocks[0]
    assert (block.kind, block.variable, block.metadata["deepnote_cell_type"]) == (
        "other",
        None,
        block_type,
    )


def test_missing_block_ids_are_derived_and_stable_when_blocks_are_inserted_before():
    def project(blocks):
        return deepnote_project([deepnote_notebook("Main", blocks)])

    before = [deepnote_block("code", "total = 1", block_id=None)]
    after = [
        deepnote_block("code", "import pandas", block_id=None),
        deepnote_block("code", "total = 1", block_id=None),
    ]

    (old,) = read_project(project(before))
    (new,) = read_project(project(after))

    assert new.blocks[1].id == old.blocks[0].id
    assert new.blocks[0].id != old.blocks[0].id


def test_duplicate_notebook_names_are_made_unique_with_a_warning():
    document = deepnote_project(
        [
            deepnote_notebook("Report", [], notebook_id="n1"),
            deepnote_notebook("Report", [], notebook_id="n2"),
        ]
    )

    first, second = read_project(document)

    assert (first.name, second.name) == ("Report", "Report (2)")
    assert first.warnings == ()
    assert second.warnings == (
        "Read as 'Report (2)': another notebook in this file is also named 'Report'",
    )


def test_a_notebook_without_blocks_is_an_empty_notebook():
    document = deepnote_project([{"id": "n1", "name": "Empty"}])

    (notebook,) = read_project(document)

    assert (notebook.name, notebook.blocks) == ("Empty", ())


def test_timestamps_and_yaml_1_1_booleans_stay_strings():
    text = b"""\
version: 1.0.0
metadata:
  createdAt: 2025-01-27T12:00:00Z
  modifiedAt: 2025-01-27
project:
  id: p1
  name: Flags
  notebooks:
    - id: n1
      name: Main
      blocks:
        - id: b1
          type: input-checkbox
          sortingKey: a0
          content: yes
          metadata:
            deepnote_variable_name: enabled
            deepnote_variable_value: true
            deepnote_variable_default_value: off
"""

    (notebook,) = read_notebook_file(text, "flags.deepnote")

    assert notebook.metadata["deepnote_file_metadata"] == {
        "createdAt": "2025-01-27T12:00:00Z",
        "modifiedAt": "2025-01-27",
    }
    block = notebook.blocks[0]
    assert block.source == "yes"
    assert block.metadata["deepnote_variable_value"] is True
    assert block.metadata["default_value"] == "off"


@pytest.mark.parametrize(
    ("scalar", "source"),
    [
        ("1:20", "1:20"),
        ("1_000", "1_000"),
        ("=", "="),
        ("on", "on"),
        ("2025-01-27 10:00:00", "2025-01-27 10:00:00"),
        ("017", "17"),
        ("0o17", "15"),
        ("1.5e3", "1500.0"),
        ("'017'", "017"),
        ("null", ""),
    ],
)
def test_plain_scalars_are_read_by_the_yaml_1_2_core_schema_deepnote_writes(scalar, source):
    text = (
        "version: 1.0.0\nproject:\n  notebooks:\n    - name: Main\n      blocks:\n"
        f"        - {{id: b1, type: code, content: {scalar}}}\n"
    )

    (notebook,) = read_notebook_file(text.encode(), "scalars.deepnote")

    assert notebook.blocks[0].source == source


def test_numbers_in_ids_and_content_are_read_as_text():
    text = b"""\
version: 1.0
project:
  id: 7
  name: Numbers
  notebooks:
    - id: 1
      name: 2024
      blocks:
        - {id: 123, type: code, sortingKey: a0, content: 42}
"""

    (notebook,) = read_notebook_file(text, "numbers.deepnote")

    assert (notebook.format_version, notebook.name) == ("1.0", "2024")
    assert [(b.id, b.source) for b in notebook.blocks] == [("123", "42")]


def test_a_snapshot_file_is_a_deepnote_file():
    notebooks = read_project(billing_project(), "billing_2e81_latest.snapshot.deepnote")

    assert [nb.format for nb in notebooks] == ["deepnote", "deepnote"]


def test_the_file_stem_is_the_title_when_nothing_better_is_known():
    document = deepnote_project([{"id": "n1", "blocks": []}])
    document["project"]["name"] = ""

    (notebook,) = read_project(document, "exports/legacy_project.deepnote")

    assert (notebook.name, notebook.title) == ("n1", "legacy_project")
