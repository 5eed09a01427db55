"""Write kinds: what each statement or Python call does to the tables it touches, and
which of them are data flow (sources and targets) and which only change a table."""

from __future__ import annotations

import pytest

from lineage.analysis import CodeAnalysis, WriteKind, analyze_code, analyze_sql_block
from lineage.analysis.sql import table_lineage

C, OW, IN, M, U, D = "create", "overwrite", "insert", "merge", "update", "delete"
T, DR, RN, AL = "truncate", "drop", "rename", "alter"

# (id, sql, dialect, writes, sources, targets)
SQL_KINDS = [
    # create and overwrite
    (
        "CTAS",
        "CREATE TABLE mart.t AS SELECT * FROM raw.s",
        None,
        {"mart.t": C},
        {"raw.s"},
        {"mart.t"},
    ),
    ("CREATE TABLE with columns", "CREATE TABLE t (a INT)", None, {"t": C}, set(), {"t"}),
    (
        "CREATE TABLE IF NOT EXISTS",
        "CREATE TABLE IF NOT EXISTS t AS SELECT 1 AS a",
        "postgres",
        {"t": C},
        set(),
        {"t"},
    ),
    ("CREATE VIEW", "CREATE VIEW v AS SELECT a FROM s", None, {"v": C}, {"s"}, {"v"}),
    (
        "CREATE OR REPLACE TABLE",
        "CREATE OR REPLACE TABLE t AS SELECT * FROM s",
        "snowflake",
        {"t": OW},
        {"s"},
        {"t"},
    ),
    (
        "CREATE OR REPLACE VIEW",
        "CREATE OR REPLACE VIEW v AS SELECT * FROM s",
        "bigquery",
        {"v": OW},
        {"s"},
        {"v"},
    ),
    (
        "INSERT OVERWRITE",
        "INSERT OVERWRITE TABLE t SELECT * FROM s",
        "spark",
        {"t": OW},
        {"s"},
        {"t"},
    ),
    (
        "INSERT OVERWRITE in Hive",
        "INSERT OVERWRITE TABLE db.t PARTITION (d='1') SELECT a FROM db.s",
        "hive",
        {"db.t": OW},
        {"db.s"},
        {"db.t"},
    ),
    (
        "SELECT INTO",
        "SELECT * INTO dbo.copy FROM dbo.src",
        "tsql",
        {"dbo.copy": C},
        {"dbo.src"},
        {"dbo.copy"},
    ),
    (
        "LOAD DATA OVERWRITE",
        "LOAD DATA INPATH '/x' OVERWRITE INTO TABLE t",
        "hive",
        {"t": OW},
        {"/x"},
        {"t"},
    ),
    (
        "COPY TO a file",
        "COPY (SELECT * FROM s) TO 'out.parquet'",
        "duckdb",
        {"out.parquet": OW},
        {"s"},
        {"out.parquet"},
    ),
    # insert and merge
    ("INSERT SELECT", "INSERT INTO t SELECT * FROM s", None, {"t": IN}, {"s"}, {"t"}),
    ("INSERT VALUES", "INSERT INTO t VALUES (1, 2)", None, {"t": IN}, set(), {"t"}),
    ("INSERT INTO Spark", "INSERT INTO TABLE t SELECT * FROM s", "spark", {"t": IN}, {"s"}, {"t"}),
    (
        "INSERT OR REPLACE",
        "INSERT OR REPLACE INTO t SELECT * FROM s",
        "sqlite",
        {"t": M},
        {"s"},
        {"t"},
    ),
    ("REPLACE INTO", "REPLACE INTO t SELECT * FROM s", "mysql", {"t": M}, {"s"}, {"t"}),
    (
        "MERGE",
        "MERGE INTO t USING s ON t.k = s.k WHEN MATCHED THEN UPDATE SET v = s.v",
        None,
        {"t": M},
        {"s"},
        {"t"},
    ),
    (
        "MERGE in BigQuery",
        "MERGE ds.t T USING ds.s S ON T.k = S.k WHEN NOT MATCHED THEN INSERT ROW",
        "bigquery",
        {"ds.t": M},
        {"ds.s"},
        {"ds.t"},
    ),
    (
        "COPY INTO a table",
        "COPY INTO t FROM 's3://b/k' FILE_FORMAT = (TYPE = CSV)",
        "snowflake",
        {"t": IN},
        {"s3://b/k"},
        {"t"},
    ),
    ("LOAD DATA", "LOAD DATA INPATH '/x' INTO TABLE t", "hive", {"t": IN}, {"/x"}, {"t"}),
    # update: data flow only when the new values read another table
    ("UPDATE of constants", "UPDATE t SET a = 1 WHERE b = 2", None, {"t": U}, set(), set()),
    (
        "UPDATE filtered by a subquery",
        "UPDATE t SET a = 1 WHERE id IN (SELECT id FROM s)",
        None,
        {"t": U},
        set(),
        set(),
    ),
    (
        "UPDATE FROM",
        "UPDATE t SET a = s.a FROM s WHERE t.k = s.k",
        "postgres",
        {"t": U},
        {"s"},
        {"t"},
    ),
    (
        "UPDATE SET a subquery",
        "UPDATE t SET a = (SELECT max(x) FROM s)",
        None,
        {"t": U},
        {"s"},
        {"t"},
    ),
    (
        "MySQL UPDATE JOIN",
        "UPDATE t JOIN s ON t.k = s.k SET t.a = s.a",
        "mysql",
        {"t": U},
        {"s"},
        {"t"},
    ),
    (
        "T-SQL UPDATE FROM itself",
        "UPDATE t SET a = 1 FROM t WHERE t.b = 2",
        "tsql",
        {"t": U},
        set(),
        set(),
    ),
    # delete
    ("DELETE", "DELETE FROM t WHERE a < 1", None, {"t": D}, set(), set()),
    ("DELETE USING", "DELETE FROM t USING s WHERE t.k = s.k", "postgres", {"t": D}, set(), set()),
    (
        "T-SQL DELETE JOIN",
        "DELETE t FROM dbo.t t JOIN dbo.s s ON t.k = s.k",
        "tsql",
        {"dbo.t": D},
        set(),
        set(),
    ),
    (
        "Snowflake DELETE",
        "DELETE FROM db.t WHERE d < current_date",
        "snowflake",
        {"db.t": D},
        set(),
        set(),
    ),
    # lifecycle
    ("TRUNCATE", "TRUNCATE TABLE t", None, {"t": T}, set(), set()),
    ("TRUNCATE in Postgres", "TRUNCATE a, b", "postgres", {"a": T, "b": T}, set(), set()),
    ("DROP TABLE", "DROP TABLE IF EXISTS t", None, {"t": DR}, set(), set()),
    ("DROP VIEW", "DROP VIEW v", "bigquery", {"v": DR}, set(), set()),
    ("DROP of several tables", "DROP TABLE a, b", "mysql", {"a": DR, "b": DR}, set(), set()),
    ("ALTER ADD COLUMN", "ALTER TABLE t ADD COLUMN c INT", None, {"t": AL}, set(), set()),
    (
        "ALTER in Spark",
        "ALTER TABLE t SET TBLPROPERTIES ('a' = 'b')",
        "spark",
        {"t": AL},
        set(),
        set(),
    ),
    ("ALTER RENAME", "ALTER TABLE a RENAME TO b", None, {"a": RN, "b": RN}, set(), set()),
    (
        "ALTER RENAME keeps the schema",
        "ALTER TABLE s.a RENAME TO b",
        "postgres",
        {"s.a": RN, "s.b": RN},
        set(),
        set(),
    ),
    (
        "ALTER RENAME in Snowflake",
        "ALTER TABLE IF EXISTS db.a RENAME TO db.b",
        "snowflake",
        {"db.a": RN, "db.b": RN},
        set(),
        set(),
    ),
    (
        "RENAME TABLE pairs",
        "RENAME TABLE a TO b, c TO d",
        "mysql",
        {"a": RN, "b": RN, "c": RN, "d": RN},
        set(),
        set(),
    ),
    # rows moved by ALTER: data flow
    ("Snowflake SWAP", "ALTER TABLE a SWAP WITH b", "snowflake", {"a": OW}, {"b"}, {"a"}),
    ("Redshift APPEND FROM", "ALTER TABLE a APPEND FROM b", "redshift", {"a": IN}, {"b"}, {"a"}),
    # scripts: one kind per table, the one that says the most
    (
        "DROP then CREATE",
        "DROP TABLE IF EXISTS t; CREATE TABLE t AS SELECT * FROM s",
        None,
        {"t": C},
        {"s"},
        {"t"},
    ),
    (
        "CREATE then INSERT",
        "CREATE TABLE t (a INT); INSERT INTO t SELECT a FROM s",
        None,
        {"t": C},
        {"s"},
        {"t"},
    ),
    (
        "DELETE then INSERT",
        "DELETE FROM t WHERE d = 1; INSERT INTO t SELECT * FROM s",
        None,
        {"t": IN},
        {"s"},
        {"t"},
    ),
    (
        "a scratch table dropped at the end",
        "CREATE TABLE tmp AS SELECT * FROM s; INSERT INTO out SELECT * FROM tmp; DROP TABLE tmp",
        None,
        {"tmp": C, "out": IN},
        {"s"},
        {"tmp", "out"},
    ),
]


@pytest.mark.parametrize(
    ("sql", "dialect", "writes", "sources", "targets"),
    [pytest.param(*case[1:], id=f"{case[2] or 'generic'}: {case[0]}") for case in SQL_KINDS],
)
def test_each_statement_says_what_it_does_to_each_table(sql, dialect, writes, sources, targets):
    result = table_lineage(sql, dialect)

    assert {table: str(kind) for table, kind in result.writes.items()} == writes
    assert all(isinstance(kind, WriteKind) for kind in result.writes.values())
    assert (result.sources, result.targets) == (sources, targets)


def test_a_rename_names_the_old_and_the_new_table_in_order():
    result = table_lineage("RENAME TABLE a TO b, c TO d", "mysql")

    assert result.renames == (("a", "b"), ("c", "d"))
    assert table_lineage("ALTER TABLE s.a RENAME TO b", "postgres").renames == (("s.a", "s.b"),)


def test_a_delete_reads_its_filter_tables_without_making_them_upstream():
    result = table_lineage("DELETE FROM raw.events WHERE user_id IN (SELECT id FROM gdpr.requests)")

    assert (result.sources, result.targets) == (frozenset(), frozenset())
    assert result.filter_reads == {"gdpr.requests"}


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ("DELETE FROM raw.t WHERE x IN (SELECT FROM", {"raw.t": D}),
        ("DROP TABLE t CASCADE CONSTRAINTS PURGE extra junk ((", {"t": DR}),
        ("UPDATE t SET a = WHERE", {"t": U}),
    ],
)
def test_a_statement_the_parser_rejects_gets_its_kind_from_its_first_word(sql, writes):
    result = table_lineage(sql)

    assert result.confidence == "low"
    assert (result.sources, result.targets) == (frozenset(), frozenset())
    assert {table: str(kind) for table, kind in result.writes.items()} == writes


# (id, python source, write_kinds, writes)
PYTHON_KINDS = [
    ("to_sql by default creates", "df.to_sql('t', con)", {"t": C}, {"t"}),
    ("to_sql replace overwrites", "df.to_sql('t', con, if_exists='replace')", {"t": OW}, {"t"}),
    (
        "to_sql append inserts",
        "df.to_sql('t', con, if_exists='append', schema='mart')",
        {"mart.t": IN},
        {"mart.t"},
    ),
    (
        "saveAsTable overwrite mode",
        "df.write.mode('overwrite').saveAsTable('db.t')",
        {"db.t": OW},
        {"db.t"},
    ),
    (
        "saveAsTable append mode",
        "df.write.mode('append').saveAsTable('db.t')",
        {"db.t": IN},
        {"db.t"},
    ),
    (
        "saveAsTable mode keyword",
        "df.write.saveAsTable('db.t', mode='overwrite')",
        {"db.t": OW},
        {"db.t"},
    ),
    (
        "saveAsTable by default creates",
        "df.write.format('delta').saveAsTable('db.t')",
        {"db.t": C},
        {"db.t"},
    ),
    ("insertInto appends", "df.write.insertInto('db.t')", {"db.t": IN}, {"db.t"}),
    ("insertInto overwrite", "df.write.insertInto('db.t', overwrite=True)", {"db.t": OW}, {"db.t"}),
    ("writeTo append", "df.writeTo('db.t').append()", {"db.t": IN}, {"db.t"}),
    (
        "writeTo createOrReplace",
        "df.writeTo('db.t').using('delta').createOrReplace()",
        {"db.t": OW},
        {"db.t"},
    ),
    (
        "a parquet file is replaced",
        "df.to_parquet('out/x.parquet')",
        {"out/x.parquet": OW},
        {"out/x.parquet"},
    ),
    ("a csv appended to", "df.to_csv('log.csv', mode='a')", {"log.csv": IN}, {"log.csv"}),
    (
        "open for append",
        "with open('log.txt', 'a') as f:\n    f.write('x')",
        {"log.txt": IN},
        {"log.txt"},
    ),
    (
        "Spark files in overwrite mode",
        "df.write.mode('overwrite').parquet('s3://b/p')",
        {"s3://b/p": OW},
        {"s3://b/p"},
    ),
    (
        "BigQuery load jobs append",
        "client.load_table_from_dataframe(df, 'ds.t')",
        {"ds.t": IN},
        {"ds.t"},
    ),
    ("to_gbq replace", "df.to_gbq('ds.t', if_exists='replace')", {"ds.t": OW}, {"ds.t"}),
    (
        "SQL run from Python",
        "con.execute('DELETE FROM raw.t WHERE x'); con.execute('DROP TABLE old')",
        {"raw.t": D, "old": DR},
        set(),
    ),
    (
        "SQL and Python on one table",
        "con.execute('TRUNCATE TABLE t')\ndf.to_sql('t', con, if_exists='append')",
        {"t": IN},
        {"t"},
    ),
]


@pytest.mark.parametrize(
    ("source", "write_kinds", "writes"),
    [pytest.param(*case[1:], id=case[0]) for case in PYTHON_KINDS],
)
def test_each_python_call_says_what_it_does_to_its_table(source, write_kinds, writes):
    analysis = analyze_code(source)

    assert {table: str(kind) for table, kind in analysis.write_kinds.items()} == write_kinds
    assert analysis.writes == writes


def test_a_sql_block_keeps_the_kinds_of_every_rendering_and_leaves_temp_tables_out():
    analysis = analyze_sql_block(
        "CREATE TEMP TABLE scratch AS SELECT * FROM s;\n"
        "{% if purge %}DELETE FROM mart.t WHERE id IN (SELECT id FROM scratch);{% endif %}\n"
        "ALTER TABLE mart.old RENAME TO mart.older"
    )

    assert dict(analysis.write_kinds) == {
        "mart.t": WriteKind.DELETE,
        "mart.old": WriteKind.RENAME,
        "mart.older": WriteKind.RENAME,
    }
    assert analysis.writes == frozenset()
    assert analysis.locals == {"scratch"}
    assert analysis.renames == (("mart.old", "mart.older"),)


def test_write_kinds_survive_the_json_round_trip():
    analysis = analyze_code("con.execute('ALTER TABLE a RENAME TO b')\ndf.to_sql('c', con)")

    data = analysis.to_json()

    assert data["write_kinds"] == {"a": "rename", "b": "rename", "c": "create"}
    assert data["renames"] == [["a", "b"]]
    assert CodeAnalysis.from_json(data) == analysis
    assert CodeAnalysis.from_json({"writes": ["x"]}).write_kinds == {}  # stored before kinds


def test_a_block_that_only_deletes_still_comes_before_the_next_reader():
    from lineage.analysis import DagBlock, build_dag

    dag = build_dag(
        [
            DagBlock("make", "sql", "CREATE TABLE t AS SELECT * FROM s"),
            DagBlock("purge", "sql", "DELETE FROM t WHERE bad"),
            DagBlock("read", "sql", "SELECT * FROM t"),
        ]
    )

    assert [(e.source, e.target) for e in dag.edges] == [("purge", "read")]
