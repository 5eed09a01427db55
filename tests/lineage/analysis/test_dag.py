"""The block DAG of a notebook: nearest earlier provider of each name and table."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from lineage.analysis import CodeAnalysis, DagBlock, build_dag


def code(block_id: str, source: str) -> DagBlock:
    return DagBlock(block_id, "code", source)


def sql(block_id: str, source: str, variable: str | None = None, dialect: str | None = None):
    return DagBlock(block_id, "sql", source, variable=variable, dialect=dialect)


def edges_of(blocks) -> list[tuple[str, str, list[str]]]:
    return [(e.source, e.target, sorted(e.names)) for e in build_dag(blocks).edges]


EDGE_CASES = [
    pytest.param(
        [code("a", "x = 1"), code("b", "y = x + 1")],
        [("a", "b", ["x"])],
        id="a use depends on the block that defined the name",
    ),
    pytest.param(
        [code("a", "x = 1"), code("b", "x = 2"), code("c", "print(x)")],
        [("b", "c", ["x"])],
        id="only the nearest earlier definition counts",
    ),
    pytest.param(
        [code("a", "df = load()"), code("b", "df.dropna(inplace=True)"), code("c", "df.plot()")],
        [("a", "b", ["df"]), ("b", "c", ["df"])],
        id="a mutation is the nearest provider for later blocks",
    ),
    pytest.param(
        [code("a", "print(x)"), code("b", "x = 1")],
        [],
        id="never an edge to an earlier block",
    ),
    pytest.param(
        [code("a", "x = 1\ny = 2"), code("b", "z = x + y")],
        [("a", "b", ["x", "y"])],
        id="one edge carries every name it provides",
    ),
    pytest.param(
        [code("a", "x = 1"), code("b", "y = 2"), code("c", "z = x + y")],
        [("a", "c", ["x"]), ("b", "c", ["y"])],
        id="edges into a block are ordered by source",
    ),
    pytest.param(
        [code("a", "total = 0"), code("b", "total += 1"), code("c", "total += 1")],
        [("a", "b", ["total"]), ("b", "c", ["total"])],
        id="augmented assignments chain",
    ),
    pytest.param(
        [code("a", "x = 1"), code("b", "x = x + 1")],
        [("a", "b", ["x"])],
        id="a block that redefines a name still depends on its old value",
    ),
    pytest.param(
        [code("a", "import pandas as pd"), code("b", "df = pd.read_csv('x.csv')")],
        [],
        id="an import is a module dependency, not an edge",
    ),
    pytest.param(
        [code("a", "from helpers import clean"), code("b", "tidy = clean(raw)")],
        [],
        id="a from-import is a module dependency too",
    ),
    pytest.param(
        [code("a", "pd = make_frame_lib()"), code("b", "import pandas as pd"), code("c", "pd.x")],
        [],
        id="an import hides an earlier value of the same name",
    ),
    pytest.param(
        [code("a", "import json"), code("b", "json = {'k': 1}"), code("c", "print(json)")],
        [("b", "c", ["json"])],
        id="a name rebound after its import is data again",
    ),
    pytest.param(
        [code("a", "import numpy as np\nnp = np.float32"), code("b", "x = np(1)")],
        [("a", "b", ["np"])],
        id="a block whose last binding is not the import provides data",
    ),
    pytest.param(
        [code("a", "x = 0"), code("b", "y = x"), code("c", "del x")],
        [("a", "b", ["x"]), ("a", "c", ["x"]), ("b", "c", ["x"])],
        id="a block that deletes a name comes after the blocks that read it",
    ),
    pytest.param(
        [code("a", "x = 0"), code("b", "y = x"), code("c", "def f():\n    global x\n    del x")],
        [("a", "b", ["x"]), ("a", "c", ["x"]), ("b", "c", ["x"])],
        id="a global deleted in a function orders the same way",
    ),
    pytest.param(
        [code("a", "x = 0"), code("b", "del x"), code("c", "print(x)")],
        [("a", "b", ["x"])],
        id="after a del nothing provides the name",
    ),
    pytest.param(
        [code("a", "x = 0"), code("b", "y = x"), code("c", "x = 1"), code("d", "del x")],
        [("a", "b", ["x"]), ("c", "d", ["x"])],
        id="readers of an older value are not ordered before the delete",
    ),
    pytest.param(
        [code("a", "def f(v):\n    return v * K"), code("b", "K = 2"), code("c", "f(3)")],
        [("a", "c", ["f"])],
        id="a function's free names are the defining block's uses",
    ),
    pytest.param(
        [
            DagBlock("i", "input", "", variable="country"),
            sql("s", "SELECT 1 WHERE c = {{ country }}"),
        ],
        [("i", "s", ["country"])],
        id="an input block defines its variable for SQL",
    ),
    pytest.param(
        [sql("s", "SELECT * FROM sales", variable="sales_df"), code("c", "sales_df.head()")],
        [("s", "c", ["sales_df"])],
        id="a SQL block defines its result variable",
    ),
    pytest.param(
        [code("a", "df.to_sql('daily', con)"), sql("b", "SELECT * FROM daily")],
        [("a", "b", ["daily"])],
        id="a table written by Python feeds SQL that reads it",
    ),
    pytest.param(
        [sql("a", "CREATE TABLE mart.x AS SELECT 1"), code("b", "spark.table('mart.x')")],
        [("a", "b", ["mart.x"])],
        id="a table written by SQL feeds Python that reads it",
    ),
    pytest.param(
        [
            sql("a", "CREATE TABLE t AS SELECT 1"),
            sql("b", "INSERT INTO t SELECT 2"),
            sql("c", "SELECT * FROM t"),
        ],
        [("b", "c", ["t"])],
        id="the nearest writer of a table is its provider",
    ),
    pytest.param(
        [code("a", "frame = make()"), sql("b", "SELECT * FROM frame", dialect="duckdb")],
        [("a", "b", ["frame"])],
        id="SQL can read a Python data frame by name",
    ),
    pytest.param(
        [DagBlock("m", "markdown", "x = 1"), code("b", "print(x)")],
        [],
        id="markdown defines nothing even when it looks like code",
    ),
    pytest.param(
        [code("a", "%%sql result <<\nSELECT 1"), code("b", "result.DataFrame()")],
        [("a", "b", ["result"])],
        id="a SQL magic defines its result variable",
    ),
    pytest.param(
        [code("a", "x = 1"), code("b", "def broken(:"), code("c", "y = x")],
        [("a", "c", ["x"])],
        id="a block that does not parse is skipped over",
    ),
    pytest.param(
        [
            code("a", "spark.sql('CREATE OR REPLACE TEMP VIEW v AS SELECT 1')"),
            code("b", "spark.sql('SELECT * FROM v').show()"),
        ],
        [("a", "b", ["v"])],
        id="a temporary view created in one block is read in another",
    ),
    pytest.param(
        [code("a", "x = 1"), code("b", "x = 1"), code("c", "pass")],
        [],
        id="a block that uses nothing has no inputs",
    ),
]


@pytest.mark.parametrize(("blocks", "expected"), EDGE_CASES)
def test_it_draws_an_edge_from_the_nearest_earlier_provider(blocks, expected):
    assert edges_of(blocks) == expected


def test_it_accepts_mappings_and_objects_with_the_block_fields():
    blocks = [
        {"id": "a", "kind": "code", "source": "x = 1"},
        SimpleNamespace(id="b", kind="code", source="y = x"),
        {"id": "c", "kind": "input", "source": "", "variable": "limit"},
        {"id": "d", "kind": "sql", "source": "SELECT {{ limit }}", "variable": None},
    ]

    assert edges_of(blocks) == [("a", "b", ["x"]), ("c", "d", ["limit"])]


def test_edges_unpack_as_from_to_names():
    dag = build_dag([code("a", "x = 1"), code("b", "print(x)")])
    ((source, target, names),) = dag.edges

    assert (source, target, names) == ("a", "b", frozenset({"x"}))


def test_downstream_and_upstream_are_transitive_and_in_notebook_order():
    dag = build_dag(
        [
            code("load", "raw = read()"),
            code("other", "unrelated = 1"),
            code("clean", "df = raw.dropna()"),
            code("plot", "df.plot()"),
            code("model", "m = fit(df)"),
            code("report", "print(m, unrelated)"),
        ]
    )

    assert dag.downstream("load") == ["clean", "plot", "model", "report"]
    assert dag.downstream("plot") == []  # plotting reads df without changing it
    assert dag.upstream("report") == ["load", "other", "clean", "model"]
    assert dag.upstream("load") == []
    assert dag.downstream("report") == []


def test_an_unknown_block_raises_a_key_error():
    dag = build_dag([code("a", "x = 1")])

    with pytest.raises(KeyError, match="Unknown block 'zz'"):
        dag.downstream("zz")


def test_it_keeps_every_block_in_order_with_its_analysis():
    dag = build_dag([code("a", "x = 1"), DagBlock("m", "markdown", "# hi"), code("b", "x")])

    assert dag.order == ("a", "m", "b")
    assert dag.analyses["a"].defines == {"x"}
    assert dag.analyses["m"] == CodeAnalysis()


def test_known_analyses_are_reused_instead_of_recomputed():
    stored = CodeAnalysis(defines=frozenset({"secret"}))
    dag = build_dag([code("a", "x = 1"), code("b", "print(secret)")], analyses={"a": stored})

    assert dag.analyses["a"] is stored
    assert [(e.source, e.target) for e in dag.edges] == [("a", "b")]


def test_an_empty_notebook_has_no_edges():
    dag = build_dag([])

    assert (dag.order, dag.edges) == ((), ())


def test_a_long_notebook_is_built_in_one_pass():
    blocks = [code("b0", "v0 = 0")] + [
        code(f"b{i}", f"v{i} = v{i - 1} + 1") for i in range(1, 3000)
    ]

    dag = build_dag(blocks)

    assert len(dag.edges) == 2999
    assert dag.upstream("b2999")[:2] == ["b0", "b1"]
    assert len(dag.downstream("b0")) == 2999
