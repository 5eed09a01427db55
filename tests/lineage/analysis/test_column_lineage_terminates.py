"""Column tracing always ends: table functions whose columns resolve back to themselves
(Db2's ``WITH l(a, b) AS (VALUES (x, y))``) used to recurse once per column per level.

Each case runs in a child process with a timeout, so a regression fails the test instead
of hanging the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[3]

_CHILD = """
import json, sys
from lineage.analysis.sql_columns import column_lineage
edges = column_lineage(sys.argv[1], sys.argv[2] or None)
print(json.dumps([[e.source, e.target, e.transformation] for e in edges]))
"""

CASES = [
    pytest.param(
        "WITH L(A, B) AS (VALUES (XI, YI)) SELECT * FROM L",
        "",
        [],
        id="a CTE over VALUES of unresolvable names (Db2)",
    ),
    pytest.param(
        "WITH L(A, B, C, D) AS (VALUES (W, X, Y, Z), (Z, Y, X, W)) SELECT A, D FROM L",
        "",
        [],
        id="a wider VALUES with several rows",
    ),
    pytest.param(
        "WITH l(a) AS (VALUES (1)), m(b, c) AS (VALUES (p, q)) "
        "INSERT INTO t SELECT l.a, m.b, m.c FROM l, m",
        "",
        [],
        id="two VALUES CTEs joined into an insert",
    ),
    pytest.param(
        "SELECT x FROM t, UNNEST(t.arr) AS x",
        "",
        [["t.arr", "x", "transform"]],
        id="UNNEST still traces to the array it reads",
    ),
    pytest.param(
        "SELECT a FROM t LATERAL VIEW explode(t.arr) e AS a",
        "hive",
        [["t.arr", "a", "transform"]],
        id="LATERAL VIEW still traces to the array it reads",
    ),
]


@pytest.mark.parametrize(("sql", "dialect", "edges"), CASES)
def test_column_tracing_through_table_functions_ends(sql, dialect, edges):
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, sql, dialect],
        cwd=_ROOT,
        capture_output=True,
        text=True,
        timeout=60,  # a generous bound for a loaded machine; the fixed trace takes ms
        check=True,
    )

    assert json.loads(done.stdout) == edges
