"""Notebook-local names: DataFrames SQL reads by name, registered frames, temp tables.

They are edges of the block DAG and never warehouse tables: the DAG says, per block,
which of the tables it reads and writes are the notebook's own.
"""

from __future__ import annotations

import pytest

from lineage.analysis import (
    CodeAnalysis,
    DagBlock,
    WriteKind,
    analyze_code,
    analyze_sql_block,
    build_dag,
)


def code(block_id: str, source: str) -> DagBlock:
    return DagBlock(block_id, "code", source)


def sql(block_id: str, source: str, variable: str | None = None, dialect: str | None = None):
    return DagBlock(block_id, "sql", source, variable=variable, dialect=dialect)


LOCAL_CASES = [
    pytest.param(
        [code("a", "users = load()"), sql("b", "SELECT * FROM users", dialect="duckdb")],
        [("a", "b", ["users"])],
        {"b": {"users"}},
        {},
        id="a DataFrame SQL on DataFrames reads by name is a local edge",
    ),
    pytest.param(
        [
            code("a", "users = load()"),
            sql("b", "SELECT * FROM users", dialect="duckdb"),
            code("c", "del users"),
        ],
        [("a", "b", ["users"]), ("a", "c", ["users"]), ("b", "c", ["users"])],
        {"b": {"users"}},
        {},
        id="SQL that reads a DataFrame comes before the block that deletes it",
    ),
    pytest.param(
        [code("a", "users = load()"), sql("b", "SELECT * FROM users", dialect="postgres")],
        [],
        {},
        {},
        id="a warehouse's SQL cannot see the notebook's DataFrames",
    ),
    pytest.param(
        [code("a", "users = load()"), sql("b", "SELECT * FROM users")],
        [("a", "b", ["users"])],
        {"b": {"users"}},
        {},
        id="a SQL block of unknown connection may read a DataFrame",
    ),
    pytest.param(
        [code("a", "users = load()"), sql("b", "SELECT * FROM app.users", dialect="duckdb")],
        [],
        {},
        {},
        id="a qualified name is never a DataFrame",
    ),
    pytest.param(
        [sql("a", "SELECT * FROM users", dialect="duckdb"), code("b", "users = load()")],
        [],
        {},
        {},
        id="a DataFrame defined after the SQL is not what it reads",
    ),
    pytest.param(
        [
            code("a", "users = load()"),
            sql("b", "CREATE TABLE users AS SELECT 1", dialect="duckdb"),
            sql("c", "SELECT * FROM users", dialect="duckdb"),
        ],
        [("b", "c", ["users"])],
        {},
        {},
        id="a warehouse table written after the DataFrame is the nearer provider",
    ),
    pytest.param(
        [
            code("a", "import duckdb\ncon = duckdb.connect()\ncon.register('frame', df)"),
            code("b", "con.execute('INSERT INTO mart.t SELECT * FROM frame')"),
        ],
        [("a", "b", ["con", "frame"])],
        {"b": {"frame"}},
        {"a": {"frame"}},
        id="a registered DataFrame is a local table",
    ),
    pytest.param(
        [
            code("a", "spark.sql('CREATE OR REPLACE TEMP VIEW recent AS SELECT * FROM raw.e')"),
            code("b", "spark.sql('INSERT INTO mart.t SELECT * FROM recent')"),
        ],
        [("a", "b", ["recent"])],
        {"b": {"recent"}},
        {"a": {"recent"}},
        id="a SQL temp view is a local table",
    ),
    pytest.param(
        [
            code("a", "df.createOrReplaceTempView('staged')"),
            sql("b", "SELECT * FROM staged", dialect="spark"),
        ],
        [("a", "b", ["staged"])],
        {"b": {"staged"}},
        {"a": {"staged"}},
        id="a Spark temp view is a local table",
    ),
    pytest.param(
        [
            code("a", "con.execute('CREATE TEMP TABLE erase AS SELECT 1')"),
            code("b", "con.execute('CREATE TABLE erase AS SELECT 2')"),
            code("c", "con.execute('SELECT * FROM erase')"),
        ],
        [("a", "b", ["con"]), ("b", "c", ["con", "erase"])],
        {},
        {"a": {"erase"}},
        id="a real table written over a temp one is the warehouse's again",
    ),
]


@pytest.mark.parametrize(("blocks", "edges", "local_reads", "local_writes"), LOCAL_CASES)
def test_the_dag_says_which_tables_are_the_notebooks_own(blocks, edges, local_reads, local_writes):
    dag = build_dag(blocks)

    assert [(e.source, e.target, sorted(e.names)) for e in dag.edges] == edges
    assert dag.local_reads == {b: frozenset(t) for b, t in local_reads.items()}
    assert dag.local_writes == {b: frozenset(t) for b, t in local_writes.items()}


def test_the_demo_erasure_keeps_its_frame_and_temp_table_local():
    register = (
        'con.register("erase_frame", accounts[["account_id"]])\n'
        'con.execute("CREATE OR REPLACE TEMP TABLE erase AS SELECT * FROM erase_frame")\n'
        'con.unregister("erase_frame")\n'
        'con.execute("DELETE FROM raw.events WHERE account_id IN (SELECT account_id FROM erase)")'
    )
    dag = build_dag([code("a", "accounts = con.execute('SELECT 1').df()"), code("b", register)])

    assert dag.local_names == {"erase_frame", "erase"}
    assert dag.warehouse_writes("b") == frozenset()  # a DELETE: no data flow
    assert dict(dag.analyses["b"].write_kinds) == {"raw.events": WriteKind.DELETE}
    assert dag.warehouse_reads("b") == frozenset()
    assert dag.analyses["b"].local_reads == {"erase_frame", "erase"}


def test_a_block_reading_its_own_dataframe_by_name_reads_no_table():
    analysis = analyze_code(
        "import duckdb\nframe = load()\nout = duckdb.sql('SELECT * FROM frame')"
    )

    assert analysis.reads == frozenset()
    assert analysis.local_reads == {"frame"}


def test_a_block_reading_a_dataframe_before_binding_it_reads_it_from_outside():
    analysis = analyze_code("import duckdb\nframe = duckdb.sql('SELECT * FROM frame').df()")

    assert (analysis.reads, analysis.frame_reads) == ({"frame"}, {"frame"})


def test_only_sql_that_can_see_dataframes_marks_frame_reads():
    assert analyze_sql_block("SELECT * FROM t", dialect="duckdb").frame_reads == {"t"}
    assert analyze_sql_block("SELECT * FROM t", dialect="snowflake").frame_reads == frozenset()
    assert analyze_code("pd.read_sql('SELECT * FROM t', engine)").frame_reads == frozenset()


def test_analyses_stored_without_their_sql_fall_back_to_every_unqualified_read():
    stored = {"b": CodeAnalysis(reads=frozenset({"users", "raw.events"}))}
    dag = build_dag([code("a", "users = load()"), code("b", "")], analyses=stored)

    assert [(e.source, e.target) for e in dag.edges] == [("a", "b")]
    assert dag.local_reads == {"b": frozenset({"users"})}
    assert dag.warehouse_reads("b") == {"raw.events"}


def test_warehouse_reads_of_an_unknown_block_raise_a_key_error():
    with pytest.raises(KeyError, match="Unknown block 'zz'"):
        build_dag([]).warehouse_reads("zz")
