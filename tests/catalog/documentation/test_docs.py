"""The pure documentation harvest: markdown, DDL comments, metric tags, local names."""

from __future__ import annotations

import doctest

import pytest

from catalog.documentation import from_notebooks as docs
from catalog.documentation.from_notebooks import (
    harvest_notebook,
    notebook_summary,
    parse_markdown_doc,
)
from catalog.formats import ParsedBlock
from catalog.ingest import catalog_file
from catalog.search import query as search
from catalog.warehouse import introspect, tables
from lineage.analysis import analyze_notebook
from lineage.analysis.block_facts import created_tables, table_comments
from lineage.analysis.notebook import analyze_block

USERS_DOC = """## `core.users`

One row per **person**.

| column | description |
| --- | --- |
| `user_id` | primary key |
| `email` | lower-cased (PII) |
"""


def block(block_id, kind, source, **metadata):
    return ParsedBlock(id=block_id, kind=kind, source=source, metadata=metadata)


def harvest(*blocks):
    return harvest_notebook(blocks, analyze_notebook(blocks))


def sql_block(block_id, sql):
    return block(block_id, "sql", sql, sql_dialect="duckdb")


@pytest.mark.parametrize("module", [docs, catalog_file, introspect, search, tables])
def test_the_docstring_examples_run(module):
    result = doctest.testmod(module)

    assert result.failed == 0 and result.attempted > 0


def test_a_markdown_block_gives_a_description_and_column_descriptions():
    heading, description, columns = parse_markdown_doc(USERS_DOC)

    assert heading == "`core.users`"
    assert description == "One row per **person**."
    assert columns == {"user_id": "primary key", "email": "lower-cased (PII)"}


def test_the_markdown_just_above_a_creating_block_documents_its_table():
    blocks = [
        block("m1", "markdown", USERS_DOC),
        block("c1", "code", "con.execute('CREATE TABLE core.users AS SELECT 1 AS user_id')"),
    ]

    found = harvest(*blocks)

    assert [(c.table, c.block_id) for c in analyze_notebook(blocks).creates] == [
        ("core.users", "c1")
    ]
    facts = {(f.table, f.column, f.value, f.source, f.block_id) for f in found.facts}
    assert ("core.users", None, "One row per **person**.", "markdown", "c1") in facts
    assert ("core.users", "email", "lower-cased (PII)", "markdown", "c1") in facts


def test_markdown_above_a_block_that_only_deletes_documents_nothing():
    blocks = [
        block("m1", "markdown", "## Delete\nEverything goes."),
        sql_block("c1", "DELETE FROM core.users"),
    ]

    found = harvest(*blocks)

    assert analyze_notebook(blocks).creates == ()
    assert found.facts == ()


def test_a_block_that_only_inserts_does_not_define_the_table():
    inserts = analyze_block(sql_block("i", "INSERT INTO raw.log VALUES (1)"))
    exports = analyze_block(block("e", "code", "df.to_parquet('out/x.parquet')"))

    assert inserts.analysis.writes == {"raw.log"}
    assert created_tables(inserts.analysis) == set()
    assert created_tables(exports.analysis) == {"out/x.parquet"}


def test_markdown_separated_from_the_creating_block_by_code_documents_nothing():
    blocks = [
        block("m1", "markdown", USERS_DOC),
        block("c0", "code", "x = 1"),
        sql_block("c1", "CREATE TABLE core.users (a INT)"),
    ]

    facts = harvest(*blocks).facts

    assert [f for f in facts if f.source == "markdown"] == []


def test_comment_on_statements_document_tables_and_columns():
    sql = (
        "COMMENT ON TABLE core.users IS 'People';"
        "COMMENT ON COLUMN core.users.email IS 'It''s lower-cased'"
    )

    facts = harvest(block("b1", "sql", sql, sql_dialect="postgres")).facts

    assert [(f.table, f.column, f.value, f.source, f.block_id) for f in facts] == [
        ("core.users", None, "People", "ddl", "b1"),
        ("core.users", "email", "It's lower-cased", "ddl", "b1"),
    ]


def test_column_comments_and_types_in_create_table_are_harvested():
    sql = "CREATE TABLE a.t (id INT COMMENT 'the key', name VARCHAR(20)) COMMENT='tbl'"

    facts = {(f.column, f.field, f.value) for f in table_comments(sql, "mysql")}

    assert facts == {
        (None, "description", "tbl"),
        ("id", "data_type", "INT"),
        ("id", "description", "the key"),
        ("name", "data_type", "VARCHAR(20)"),
    }


def test_unparseable_sql_yields_no_comments():
    assert table_comments("COMMENT ON NONSENSE ((", "duckdb") == ()


def test_dataframes_registered_views_and_temp_tables_are_not_warehouse_tables():
    blocks = [
        block("a", "code", "events = con.execute('SELECT 1').df()"),
        block("b", "code", 'con.register("frame", events)'),
        block("c", "code", "con.execute('CREATE TEMP TABLE erase AS SELECT 1')"),
        block("d", "code", "con.execute('CREATE TABLE core.kept AS SELECT * FROM frame')"),
    ]

    lineage = analyze_notebook(blocks)

    assert lineage.local_names >= {"events", "frame", "erase"}
    assert [(c.table, c.block_id) for c in lineage.creates] == [("core.kept", "d")]
    assert lineage.reads == () and lineage.writes == ("core.kept",)


def test_a_block_tagged_metric_defines_a_metric_documented_by_the_markdown_above():
    blocks = [
        block("m", "markdown", "## Weekly active users\n\nPeople active in a week."),
        block(
            "q", "code", "wau = duckdb.sql('SELECT count(*) FROM raw.events')", tags=["metric:wau"]
        ),
    ]
    (metric,) = harvest(*blocks).metrics

    assert (metric.name, metric.block_id, metric.title) == ("wau", "q", "Weekly active users")
    assert metric.description == "People active in a week."
    assert metric.definition == "SELECT count(*) FROM raw.events"
    assert metric.reads == ("raw.events",)


def test_the_summary_is_the_first_paragraph_of_the_first_markdown_block_in_plain_text():
    blocks = [
        block("c", "code", "x = 1"),
        block("m", "markdown", "# Users\n\nBuilds **`core.users`** from `raw.sign_ups`.\n\nMore."),
    ]

    assert notebook_summary(blocks) == "Builds core.users from raw.sign_ups."
    assert notebook_summary([block("c", "code", "x")]) == ""
