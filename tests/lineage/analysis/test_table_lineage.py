"""table_lineage: the tables and files a SQL script reads and writes, per statement type
and per dialect (cases in ``sql_cases.py``), plus the API's promises."""

from __future__ import annotations

import doctest
import importlib

import pytest

from lineage.analysis.sql import split_statements, table_lineage
from lineage.analysis.types import TableLineage, WriteKind
from tests.lineage.analysis.sql_cases import TABLE_CASES, TableCase


@pytest.mark.parametrize("case", TABLE_CASES, ids=lambda case: case.id)
def test_it_finds_what_each_statement_reads_and_writes(case: TableCase):
    result = table_lineage(case.sql, case.dialect)

    assert result.sources == case.sources
    assert result.targets == case.targets
    assert result.intermediates == case.intermediates
    assert result.confidence == case.confidence
    if case.writes is not None:
        assert {table: str(kind) for table, kind in result.writes.items()} == dict(case.writes)


def test_the_corpus_covers_every_common_dialect():
    dialects = {case.dialect for case in TABLE_CASES}

    assert dialects >= {
        None, "postgres", "bigquery", "snowflake", "spark", "databricks", "hive", "duckdb",
        "mysql", "tsql", "redshift", "athena", "oracle", "trino", "clickhouse", "sqlite",
    }  # fmt: skip


def test_it_returns_frozen_sets():
    result = table_lineage("INSERT INTO a SELECT * FROM b")

    assert isinstance(result, TableLineage)
    assert result == TableLineage(
        frozenset({"b"}), frozenset({"a"}), frozenset(), "high", None, {"a": WriteKind.INSERT}
    )


def test_it_adds_no_default_schema():
    assert table_lineage("SELECT * FROM orders").sources == {"orders"}


def test_a_parsed_script_carries_no_error():
    result = table_lineage("CREATE TABLE a AS SELECT 1; SELECT * FROM a")

    assert result.confidence == "high"
    assert result.error is None


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [("sparksql", "lake.events"), ("ansi", "lake.events"), ("PostgreSQL", "lake.events")],
)
def test_it_accepts_common_spellings_of_dialect_names(dialect: str, expected: str):
    assert table_lineage("SELECT * FROM lake.events", dialect).sources == {expected}


def test_an_unknown_dialect_falls_back_to_the_generic_one():
    result = table_lineage("SELECT * FROM a JOIN b ON a.id = b.id", "no-such-dialect")

    assert result.sources == {"a", "b"}
    assert result.confidence == "high"


def test_backticks_without_a_dialect_are_retried_in_a_dialect_that_knows_them():
    result = table_lineage("INSERT INTO `mart`.`daily` SELECT * FROM `raw`.`events`")

    assert (result.sources, result.targets) == ({"raw.events"}, {"mart.daily"})
    assert result.confidence == "high"


def test_brackets_without_a_dialect_are_retried_as_tsql():
    result = table_lineage("SELECT * FROM [Sales].[Orders] o JOIN [dbo].[Users] u ON o.uid = u.id")

    assert result.sources == {"Sales.Orders", "dbo.Users"}
    assert result.confidence == "high"


def test_a_long_script_keeps_every_statement():
    script = ";\n".join(f"INSERT INTO t{n + 1} SELECT * FROM t{n}" for n in range(200))

    result = table_lineage(script)

    assert result.sources == {"t0"}
    assert result.targets == {f"t{n}" for n in range(1, 201)}
    assert result.intermediates == {f"t{n}" for n in range(1, 200)}


def test_the_same_table_read_twice_in_one_statement_is_one_source():
    result = table_lineage("SELECT * FROM t a JOIN t b ON a.id = b.parent JOIN T c ON TRUE")

    assert result.sources == {"t"}


def test_a_quoted_and_an_unquoted_lower_case_name_are_the_same_table():
    result = table_lineage('SELECT * FROM "orders" JOIN orders o2 ON TRUE', "postgres")

    assert result.sources == {"orders"}


def test_quoted_names_keep_case_and_differ_from_unquoted_ones():
    result = table_lineage('SELECT * FROM "Orders" JOIN Orders o2 ON TRUE', "postgres")

    assert result.sources == {"Orders", "orders"}


def test_a_statement_that_writes_and_reads_its_target_is_not_intermediate():
    result = table_lineage("INSERT INTO log SELECT * FROM log WHERE ts > now() - interval '1 day'")

    assert (result.sources, result.targets, result.intermediates) == ({"log"}, {"log"}, set())


def test_a_table_written_read_and_written_again_is_intermediate_once():
    script = (
        "INSERT INTO s SELECT * FROM raw; INSERT INTO s SELECT * FROM s WHERE ok;"
        " INSERT INTO out SELECT * FROM s"
    )

    result = table_lineage(script)

    assert (result.sources, result.targets, result.intermediates) == (
        {"raw"},
        {"s", "out"},
        {"s"},
    )


@pytest.mark.parametrize(
    "module",
    [
        "sql", "sql_block", "sql_column_trace", "sql_columns", "sql_commands",
        "sql_fallback", "sql_names", "sql_split", "sql_tables",
    ],
)  # fmt: skip
def test_the_docstring_examples_of_the_sql_modules_hold(module: str):
    results = doctest.testmod(importlib.import_module(f"lineage.analysis.{module}"))

    assert results.attempted > 0
    assert results.failed == 0


class TestSplitStatements:
    def test_it_splits_at_semicolons_outside_strings_and_comments(self):
        sql = "SELECT ';' AS s FROM a; -- one; two\nSELECT 2 /* ; */ FROM b;"

        assert split_statements(sql) == ["SELECT ';' AS s FROM a", "SELECT 2 /* ; */ FROM b"]

    def test_it_drops_empty_statements_and_leading_comments(self):
        assert split_statements("\n;;\n-- note\nSELECT 1;;;\n") == ["SELECT 1"]

    def test_a_comment_after_the_last_statement_is_not_a_statement(self):
        assert split_statements("SELECT 1;\n\n-- SELECT 2;") == ["SELECT 1"]

    def test_it_keeps_a_procedure_body_whole(self):
        sql = (
            "CREATE PROCEDURE p AS BEGIN INSERT INTO a SELECT 1; "
            "UPDATE b SET x = CASE WHEN y THEN 1 END; END;\nSELECT 3"
        )

        assert split_statements(sql, "tsql") == [
            "CREATE PROCEDURE p AS BEGIN INSERT INTO a SELECT 1; "
            "UPDATE b SET x = CASE WHEN y THEN 1 END; END",
            "SELECT 3",
        ]

    def test_begin_of_a_transaction_is_its_own_statement(self):
        assert split_statements("BEGIN; INSERT INTO a VALUES (1); COMMIT;", "postgres") == [
            "BEGIN",
            "INSERT INTO a VALUES (1)",
            "COMMIT",
        ]

    def test_tsql_statements_without_semicolons_are_split(self):
        sql = "UPDATE t SET a = 1\nINSERT INTO u SELECT * FROM t\nSELECT * FROM u"

        assert split_statements(sql, "tsql") == [
            "UPDATE t SET a = 1",
            "INSERT INTO u SELECT * FROM t",
            "SELECT * FROM u",
        ]

    def test_go_lines_separate_tsql_batches(self):
        sql = "SELECT 1\nGO\nSELECT 2\nGO 3\nSELECT 3"

        assert split_statements(sql, "tsql") == ["SELECT 1", "SELECT 2", "SELECT 3"]

    def test_go_after_a_semicolon_does_not_swallow_the_next_batch(self):
        sql = "SELECT 1;\nGO\nSELECT 2 FROM t;\n  go  \nSELECT 3"

        assert split_statements(sql, "tsql") == ["SELECT 1", "SELECT 2 FROM t", "SELECT 3"]

    def test_a_column_named_go_is_not_a_separator(self):
        assert split_statements("SELECT go FROM t", "tsql") == ["SELECT go FROM t"]

    def test_an_unterminated_string_gives_the_whole_text(self):
        assert split_statements("SELECT 'oops FROM t") == ["SELECT 'oops FROM t"]

    def test_empty_input_gives_no_statements(self):
        assert split_statements("") == []
        assert split_statements("   \n -- nothing\n") == []
