"""`column_reads`: every column a statement looks at, attributed to its table."""

from __future__ import annotations

import pytest

from lineage.analysis.column_reads import column_reads
from lineage.analysis.notebook import analyze_notebook
from lineage.analysis.types import DagBlock

CASES = [
    ("SELECT u.email FROM core.users AS u", None, {"core.users.email"}),
    ("SELECT core.users.email FROM core.users", None, {"core.users.email"}),
    ("SELECT id FROM t WHERE day > 3 GROUP BY id HAVING count(x) > 1", None,
     {"t.id", "t.day", "t.x"}),
    ("SELECT a.k, b.v FROM s.a JOIN s.b ON a.k = b.k", None, {"s.a.k", "s.b.k", "s.b.v"}),
    ("SELECT k FROM s.a JOIN s.b USING (k)", None, {"s.a.k", "s.b.k"}),
    ("SELECT * FROM raw.events", None, {"raw.events.*"}),
    ("SELECT e.*, u.name FROM raw.events e JOIN core.users u ON u.id = e.uid", None,
     {"raw.events.*", "raw.events.uid", "core.users.name", "core.users.id"}),
    ("SELECT count(*) AS n FROM t ORDER BY n", None, set()),
    ("SELECT a FROM t WHERE d > $since AND e = :until", "duckdb", {"t.a", "t.d", "t.e"}),
    ("WITH c AS (SELECT a, b FROM raw.t) SELECT c.a FROM c", None, {"raw.t.a", "raw.t.b"}),
    ("SELECT s.a FROM (SELECT a FROM raw.t WHERE z = 1) AS s", None, {"raw.t.a", "raw.t.z"}),
    ("INSERT INTO mart.x SELECT a FROM raw.t", None, {"raw.t.a"}),
    ("CREATE TABLE mart.x AS SELECT a FROM raw.t", None, {"raw.t.a"}),
    ("DELETE FROM raw.events WHERE account_id = 3", None, {"raw.events.account_id"}),
    ("UPDATE core.users SET plan = 'pro' WHERE id = 3", None, {"core.users.plan", "core.users.id"}),
    ("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET t.v = s.v", None,
     {"t.id", "s.id", "t.v", "s.v"}),
    ("SELECT a FROM t; SELECT b FROM u", None, {"t.a", "u.b"}),
    ("DROP TABLE t", None, set()),
    ("this is not sql at all (", None, set()),
]  # fmt: skip


@pytest.mark.parametrize("sql,dialect,expected", CASES)
def test_it_names_the_columns_each_statement_reads(sql, dialect, expected):
    assert column_reads(sql, dialect) == expected


def test_a_notebook_block_leaves_its_local_frames_out():
    nb = analyze_notebook(
        [
            DagBlock("a", "code", "con.register('frame', df)\n"
                     "con.execute('CREATE TABLE mart.t AS SELECT x FROM frame')"),
            DagBlock("b", "sql", "SELECT u.email FROM core.users u JOIN mart.t ON mart.t.x = u.id"),
        ]
    )  # fmt: skip

    assert nb.block("a").column_reads == frozenset()
    assert nb.block("b").column_reads == {"core.users.email", "core.users.id", "mart.t.x"}
