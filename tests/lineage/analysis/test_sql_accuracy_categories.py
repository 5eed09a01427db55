# ruff: noqa: E501 - a SQL case reads best on one line, as it would be written
"""The weak spots public SQL-lineage suites found, one table of cases per category:
keywords taken for names, procedure bodies, T-SQL UPDATE through an alias, Teradata
column attributes, and how engines name unaliased expressions."""

from __future__ import annotations

import pytest

from lineage.analysis.sql import column_lineage, table_lineage

# (id, sql, dialect, sources, targets, writes)
KEYWORDS = [
    ("DELETE FROM TABLE t", "DELETE FROM table tab1", None, set(), set(), {"tab1": "delete"}),
    (
        "DELETE FROM TABLE in Spark",
        "DELETE FROM TABLE db.tab1 WHERE a = 1",
        "spark",
        set(),
        set(),
        {"db.tab1": "delete"},
    ),
    (
        "DELETE FROM TABLE with a filter",
        "DELETE FROM TABLE tab1 WHERE a = 1",
        "hive",
        set(),
        set(),
        {"tab1": "delete"},
    ),
    (
        "a table named like a keyword prefix",
        "DELETE FROM table_x t WHERE t.a = 1",
        None,
        set(),
        set(),
        {"table_x": "delete"},
    ),
]
PROCEDURES = [
    (
        "BigQuery: written then read in the body",
        "CREATE PROCEDURE ds.p() BEGIN INSERT INTO ds.t SELECT * FROM ds.s; INSERT INTO ds.u SELECT * FROM ds.t; END",
        "bigquery",
        {"ds.s", "ds.t"},
        {"ds.t", "ds.u"},
        {"ds.t": "insert", "ds.u": "insert"},
    ),
    (
        "T-SQL: each statement counts",
        "CREATE PROCEDURE dbo.p AS BEGIN INSERT INTO dbo.t SELECT * FROM dbo.s; UPDATE dbo.u SET a = 1; SELECT * FROM dbo.t; END",
        "tsql",
        {"dbo.s", "dbo.t"},
        {"dbo.t"},
        {"dbo.t": "insert", "dbo.u": "update"},
    ),
    (
        "Oracle: written then read in the body",
        "CREATE OR REPLACE PROCEDURE p AS BEGIN INSERT INTO t SELECT * FROM s; INSERT INTO u SELECT * FROM t; END;",
        "oracle",
        {"s", "t"},
        {"t", "u"},
        {"t": "insert", "u": "insert"},
    ),
    (
        "a script outside a procedure keeps its intermediates out of the sources",
        "CREATE TABLE ds.t AS SELECT * FROM ds.s; INSERT INTO ds.u SELECT * FROM ds.t",
        "bigquery",
        {"ds.s"},
        {"ds.t", "ds.u"},
        {"ds.t": "create", "ds.u": "insert"},
    ),
]
TSQL_UPDATE = [
    (
        "UPDATE alias … FROM real AS alias JOIN",
        "UPDATE t SET t.col = s.col FROM dbo.real_table AS t JOIN dbo.src s ON t.id = s.id",
        "tsql",
        {"dbo.src"},
        {"dbo.real_table"},
        {"dbo.real_table": "update"},
    ),
    (
        "UPDATE alias … FROM real alias INNER JOIN",
        "UPDATE a SET a.x = b.y FROM dbo.target a INNER JOIN dbo.source b ON a.k = b.k",
        "tsql",
        {"dbo.source"},
        {"dbo.target"},
        {"dbo.target": "update"},
    ),
]
TERADATA = [
    (
        "a column TITLE in a select list",
        "INSERT INTO t SELECT a (TITLE 'Alpha'), b (TITLE 'B''s') FROM s",
        "teradata",
        {"s"},
        {"t"},
        {"t": "insert"},
    ),
    (
        "a column TITLE in a CREATE TABLE",
        "CREATE TABLE t (a INTEGER TITLE 'Alpha', b VARCHAR(10) TITLE 'Beta')",
        "teradata",
        set(),
        {"t"},
        {"t": "create"},
    ),
]


@pytest.mark.parametrize(
    ("sql", "dialect", "sources", "targets", "writes"),
    [
        pytest.param(*case[1:], id=f"{group}: {case[0]}")
        for group, cases in (
            ("keywords", KEYWORDS),
            ("procedures", PROCEDURES),
            ("tsql update", TSQL_UPDATE),
            ("teradata", TERADATA),
        )
        for case in cases
    ],
)
def test_each_weak_spot_gets_the_exact_tables(sql, dialect, sources, targets, writes):
    result = table_lineage(sql, dialect)

    assert (result.sources, result.targets) == (sources, targets)
    assert {table: str(kind) for table, kind in result.writes.items()} == writes
    assert result.confidence == "high"


# (id, sql, dialect, edges)
COLUMN_NAMES = [
    (
        "a generic cast is named by its text",
        "INSERT INTO tab1 SELECT cast(col1 as timestamp) FROM tab2",
        None,
        {("tab2.col1", "tab1.cast(col1 as timestamp)", "transform")},
    ),
    (
        "a Spark cast is named by its text",
        "INSERT INTO tab1 SELECT CAST(col1 AS TIMESTAMP) FROM tab2",
        "spark",
        {("tab2.col1", "tab1.cast(col1 as timestamp)", "transform")},
    ),
    (
        "a MySQL cast is named by its text",
        "INSERT INTO tab1 SELECT CAST(col1 AS CHAR) FROM tab2",
        "mysql",
        {("tab2.col1", "tab1.cast(col1 as char)", "transform")},
    ),
    (
        "a Postgres :: cast keeps the column name",
        "INSERT INTO tab1 SELECT col1::int FROM tab2",
        "postgres",
        {("tab2.col1", "tab1.col1", "transform")},
    ),
    (
        "an aliased cast takes its alias",
        "INSERT INTO tab1 SELECT cast(col1 as int) AS c FROM tab2",
        None,
        {("tab2.col1", "tab1.c", "transform")},
    ),
    (
        "a function is named by its text",
        "INSERT INTO tab1 SELECT max(col1) FROM tab2",
        None,
        {("tab2.col1", "tab1.max(col1)", "aggregate")},
    ),
    (
        "an operation is named by its text",
        "INSERT INTO tab1 SELECT col1 + col2 FROM tab2",
        None,
        {
            ("tab2.col1", "tab1.col1 + col2", "transform"),
            ("tab2.col2", "tab1.col1 + col2", "transform"),
        },
    ),
    (
        "a Teradata column title is no name",
        "INSERT INTO tab1 SELECT col1 (TITLE 'One') FROM tab2",
        "teradata",
        {("tab2.col1", "tab1.col1", "identity")},
    ),
]


@pytest.mark.parametrize(
    ("sql", "dialect", "edges"), [pytest.param(*case[1:], id=case[0]) for case in COLUMN_NAMES]
)
def test_unaliased_expressions_are_named_as_engines_name_them(sql, dialect, edges):
    assert {tuple(edge) for edge in column_lineage(sql, dialect)} == edges


# (id, sql, dialect, edges)
THROUGH_THE_SCRIPT = [
    (
        "a CTE inside UPDATE … FROM",
        "WITH c AS (SELECT id, v FROM src) UPDATE t SET v = c.v FROM c WHERE t.id = c.id",
        "postgres",
        {("src.v", "t.v", "identity")},
    ),
    (
        "a CTE inside MERGE … USING",
        "WITH c AS (SELECT id, v * 2 AS v FROM src) MERGE INTO t USING c ON t.id = c.id WHEN MATCHED THEN UPDATE SET v = c.v",
        None,
        {("src.v", "t.v", "transform")},
    ),
    (
        "a view created and read by star in the same script",
        "CREATE VIEW v1 AS SELECT a, b FROM s; INSERT INTO t SELECT * FROM v1",
        None,
        {
            ("s.a", "v1.a", "identity"),
            ("s.b", "v1.b", "identity"),
            ("v1.a", "t.a", "identity"),
            ("v1.b", "t.b", "identity"),
        },
    ),
    (
        "a table then a view then a star, end to end",
        "CREATE TABLE x AS SELECT a + 1 AS a2 FROM s; CREATE VIEW y AS SELECT a2 FROM x; INSERT INTO t SELECT * FROM y",
        None,
        {("s.a", "x.a2", "transform"), ("x.a2", "y.a2", "identity"), ("y.a2", "t.a2", "identity")},
    ),
    (
        "UNION branches of different widths",
        "INSERT INTO t SELECT a, b FROM s1 UNION ALL SELECT a FROM s2",
        None,
        {("s1.a", "t.a", "identity"), ("s2.a", "t.a", "identity"), ("s1.b", "t.b", "identity")},
    ),
    (
        "alias.* in a join",
        "INSERT INTO t SELECT a.*, b.x FROM ta a JOIN tb b ON a.id = b.id",
        None,
        {("ta.*", "t.*", "identity"), ("tb.x", "t.x", "identity")},
    ),
    (
        "a lateral column alias (Snowflake)",
        "INSERT INTO t SELECT a * 2 AS d, d + 1 AS e FROM s",
        "snowflake",
        {("s.a", "t.d", "transform"), ("s.a", "t.e", "transform")},
    ),
]


@pytest.mark.parametrize(
    ("sql", "dialect", "edges"),
    [pytest.param(*case[1:], id=case[0]) for case in THROUGH_THE_SCRIPT],
)
def test_column_lineage_follows_ctes_views_and_tables_of_the_script(sql, dialect, edges):
    assert {tuple(edge) for edge in column_lineage(sql, dialect)} == edges
