# ruff: noqa: E501 - a SQL case reads best on one line, as it would be written
"""column_lineage: which source columns feed which target columns, and how."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from lineage.analysis.sql import column_lineage
from lineage.analysis.types import ColumnEdge


@dataclass(frozen=True)
class ColumnCase:
    name: str
    sql: str
    edges: frozenset[tuple[str, str, str]]
    dialect: str | None = None
    schema: dict = field(default_factory=dict)


def _case(name, sql, edges, dialect=None, schema=None) -> ColumnCase:
    return ColumnCase(name, sql, frozenset(edges), dialect, schema or {})


ID, TF, AG = "identity", "transform", "aggregate"

SHOP = {
    "shop": {
        "orders": {"id": "int", "customer_id": "int", "amount": "decimal", "ts": "timestamp"},
        "customers": {"id": "int", "name": "text", "region": "text"},
    }
}

CASES = [
    # plain projections
    _case(
        "a selected column feeds the inserted column of the same name",
        "INSERT INTO mart.users SELECT id FROM raw.users",
        [("raw.users.id", "mart.users.id", ID)],
    ),
    _case(
        "an alias renames the target column",
        "INSERT INTO mart.users SELECT email AS contact FROM raw.users",
        [("raw.users.email", "mart.users.contact", ID)],
    ),
    _case(
        "a table-qualified column resolves through the alias",
        "INSERT INTO t SELECT u.email FROM raw.users AS u",
        [("raw.users.email", "t.email", ID)],
    ),
    _case(
        "alias qualifiers ignore case",
        "INSERT INTO t SELECT U.email FROM raw.users u",
        [("raw.users.email", "t.email", ID)],
    ),
    _case(
        "DISTINCT keeps identity",
        "INSERT INTO t SELECT DISTINCT country FROM visits",
        [("visits.country", "t.country", ID)],
    ),
    _case(
        "the same column selected twice in different case is one edge",
        "INSERT INTO t SELECT name, NAME FROM people",
        [("people.name", "t.name", ID)],
    ),
    _case(
        "a constant feeds nothing",
        "INSERT INTO t SELECT 'fixed' AS source_name, now() AS loaded_at, id FROM s",
        [("s.id", "t.id", ID)],
    ),
    # expressions
    _case(
        "arithmetic is a transform of every input",
        "INSERT INTO t SELECT price * qty AS total FROM lines",
        [("lines.price", "t.total", TF), ("lines.qty", "t.total", TF)],
    ),
    _case(
        "an unaliased expression is named by its SQL",
        "INSERT INTO t SELECT price + tax FROM lines",
        [("lines.price", "t.price + tax", TF), ("lines.tax", "t.price + tax", TF)],
    ),
    _case(
        "CASE WHEN reads its conditions and results",
        "INSERT INTO t SELECT CASE WHEN score > 90 THEN grade_a ELSE grade_b END AS grade FROM exams",
        [
            ("exams.score", "t.grade", TF),
            ("exams.grade_a", "t.grade", TF),
            ("exams.grade_b", "t.grade", TF),
        ],
    ),
    _case(
        "an unaliased CAST is named by its text, as engines name it",
        "INSERT INTO t SELECT CAST(amount AS DECIMAL(10, 2)) FROM payments",
        [("payments.amount", "t.cast(amount as decimal(10, 2))", TF)],
    ),
    _case(
        "a Postgres CAST keeps the column name",
        "INSERT INTO t SELECT CAST(amount AS NUMERIC) FROM payments",
        [("payments.amount", "t.amount", TF)],
        dialect="postgres",
    ),
    _case(
        "a Postgres :: cast keeps the column name",
        "INSERT INTO t SELECT created_at::date FROM signups",
        [("signups.created_at", "t.created_at", TF)],
        dialect="postgres",
    ),
    _case(
        "a function of a column is a transform",
        "INSERT INTO t SELECT lower(trim(email)) AS email FROM users",
        [("users.email", "t.email", TF)],
    ),
    _case(
        "COALESCE reads every argument",
        "INSERT INTO t SELECT coalesce(a.phone, b.phone) AS phone FROM a JOIN b ON a.id = b.id",
        [("a.phone", "t.phone", TF), ("b.phone", "t.phone", TF)],
    ),
    _case(
        "string concatenation reads every operand",
        "INSERT INTO t SELECT first_name || ' ' || last_name AS full_name FROM people",
        [("people.first_name", "t.full_name", TF), ("people.last_name", "t.full_name", TF)],
    ),
    _case(
        "columns only in WHERE and JOIN do not feed the output",
        "INSERT INTO t SELECT o.amount FROM orders o JOIN users u ON o.user_id = u.id WHERE u.active",
        [("orders.amount", "t.amount", ID)],
    ),
    # aggregates and windows
    _case(
        "SUM is an aggregate",
        "INSERT INTO t SELECT region, sum(amount) AS revenue FROM sales GROUP BY region",
        [("sales.region", "t.region", ID), ("sales.amount", "t.revenue", AG)],
    ),
    _case(
        "COUNT(*) reads the whole table",
        "INSERT INTO t SELECT count(*) AS n FROM sales",
        [("sales.*", "t.n", AG)],
    ),
    _case(
        "COUNT DISTINCT is an aggregate",
        "INSERT INTO t SELECT count(DISTINCT user_id) AS users FROM visits",
        [("visits.user_id", "t.users", AG)],
    ),
    _case(
        "an expression over aggregates is an aggregate",
        "INSERT INTO t SELECT max(amount) - min(amount) AS spread FROM sales",
        [("sales.amount", "t.spread", AG)],
    ),
    _case(
        "a ranking window reads its partition and order columns",
        "INSERT INTO t SELECT row_number() OVER (PARTITION BY user_id ORDER BY ts) AS visit_no FROM visits",
        [("visits.user_id", "t.visit_no", TF), ("visits.ts", "t.visit_no", TF)],
    ),
    _case(
        "an aggregate window is an aggregate of its argument",
        "INSERT INTO t SELECT sum(amount) OVER (PARTITION BY region) AS region_total FROM sales",
        [("sales.amount", "t.region_total", AG), ("sales.region", "t.region_total", TF)],
    ),
    # joins and resolution
    _case(
        "columns come from the table their qualifier names",
        "INSERT INTO t SELECT o.id, c.name FROM orders o JOIN customers c ON o.customer_id = c.id",
        [("orders.id", "t.id", ID), ("customers.name", "t.name", ID)],
    ),
    _case(
        "the same table joined twice under two aliases",
        "INSERT INTO t SELECT e.name AS employee, m.name AS manager FROM staff e JOIN staff m ON e.manager_id = m.id",
        [("staff.name", "t.employee", ID), ("staff.name", "t.manager", ID)],
    ),
    _case(
        "an unqualified column with one source resolves to it",
        "INSERT INTO t SELECT amount FROM payments p WHERE p.ok",
        [("payments.amount", "t.amount", ID)],
    ),
    _case(
        "an unqualified column of a join resolves with a schema",
        "INSERT INTO t SELECT amount, name FROM shop.orders o JOIN shop.customers c ON o.customer_id = c.id",
        [("shop.orders.amount", "t.amount", ID), ("shop.customers.name", "t.name", ID)],
        schema=SHOP,
    ),
    _case(
        "an ambiguous unqualified column without a schema is left out",
        "INSERT INTO t SELECT o.id, mystery FROM orders o JOIN customers c ON o.customer_id = c.id",
        [("orders.id", "t.id", ID)],
    ),
    _case(
        "an unqualified column resolves to the subquery that selects it",
        "INSERT INTO t SELECT b, d FROM (SELECT a, b FROM x) p JOIN (SELECT c, d FROM y) q ON p.a = q.c",
        [("x.b", "t.b", ID), ("y.d", "t.d", ID)],
    ),
    # CTEs and subqueries
    _case(
        "a column passes through a CTE",
        "WITH recent AS (SELECT id, ts FROM events) INSERT INTO t SELECT id FROM recent",
        [("events.id", "t.id", ID)],
    ),
    _case(
        "a column passes through two CTEs",
        "WITH a AS (SELECT k, v FROM src), b AS (SELECT k, v * 2 AS v2 FROM a) INSERT INTO t SELECT k, v2 FROM b",
        [("src.k", "t.k", ID), ("src.v", "t.v2", TF)],
    ),
    _case(
        "an aggregate inside a CTE makes the edge an aggregate",
        "WITH totals AS (SELECT user_id, sum(amount) AS spent FROM orders GROUP BY 1) "
        "INSERT INTO t SELECT user_id, spent FROM totals",
        [("orders.user_id", "t.user_id", ID), ("orders.amount", "t.spent", AG)],
    ),
    _case(
        "INSERT after WITH and WITH after INSERT trace alike",
        "INSERT INTO t WITH c AS (SELECT x FROM s) SELECT x FROM c",
        [("s.x", "t.x", ID)],
    ),
    _case(
        "a column passes through nested derived tables",
        "INSERT INTO t SELECT z FROM (SELECT y AS z FROM (SELECT x AS y FROM s) a) b",
        [("s.x", "t.z", ID)],
    ),
    _case(
        "a scalar subquery feeds the column it computes",
        "INSERT INTO t SELECT id, (SELECT max(ts) FROM logins l WHERE l.user_id = u.id) AS last_login FROM users u",
        [("users.id", "t.id", ID), ("logins.ts", "t.last_login", AG)],
    ),
    _case(
        "subqueries inside CASE feed the column",
        "INSERT INTO t SELECT CASE WHEN (SELECT count(*) FROM flags) > 0 THEN level ELSE 0 END AS lvl FROM settings",
        [("flags.*", "t.lvl", AG), ("settings.level", "t.lvl", TF)],
    ),
    _case(
        "a recursive CTE traces its anchor",
        "WITH RECURSIVE r (n) AS (SELECT start FROM seeds UNION ALL SELECT n + 1 FROM r WHERE n < 9) INSERT INTO t SELECT n FROM r",
        [("seeds.start", "t.n", ID)],
        dialect="postgres",
    ),
    # set operations
    _case(
        "every UNION branch feeds the output by position",
        "INSERT INTO t SELECT id, email FROM a UNION ALL SELECT uid, mail FROM b",
        [
            ("a.id", "t.id", ID),
            ("a.email", "t.email", ID),
            ("b.uid", "t.id", ID),
            ("b.mail", "t.email", ID),
        ],
    ),
    _case(
        "UNION branches read through their own CTEs",
        "WITH x AS (SELECT k FROM s1), y AS (SELECT k FROM s2) INSERT INTO t SELECT k FROM x UNION SELECT k FROM y",
        [("s1.k", "t.k", ID), ("s2.k", "t.k", ID)],
    ),
    # target naming
    _case(
        "an INSERT column list names the targets by position",
        "INSERT INTO t (user_id, total) SELECT id, sum(amount) FROM orders GROUP BY id",
        [("orders.id", "t.user_id", ID), ("orders.amount", "t.total", AG)],
    ),
    _case(
        "without a column list the schema's column order names the targets",
        "INSERT INTO t SELECT id, amount FROM shop.orders",
        [("shop.orders.id", "t.key", ID), ("shop.orders.amount", "t.value", ID)],
        schema={"t": {"key": "int", "value": "int"}, "shop.orders": {"id": "int", "amount": "int"}},
    ),
    _case(
        "CREATE TABLE AS names targets by output names",
        "CREATE TABLE mart.users AS SELECT id AS user_id, upper(name) AS name FROM raw.users",
        [("raw.users.id", "mart.users.user_id", ID), ("raw.users.name", "mart.users.name", TF)],
    ),
    _case(
        "a CREATE VIEW column list names the targets",
        "CREATE VIEW v (a, b) AS SELECT x, y FROM s",
        [("s.x", "v.a", ID), ("s.y", "v.b", ID)],
    ),
    _case(
        "a parenthesised query in an INSERT is traced",
        "INSERT INTO t (a, b) (SELECT x, y FROM s)",
        [("s.x", "t.a", ID), ("s.y", "t.b", ID)],
    ),
    _case(
        "SELECT INTO writes the new table's columns",
        "SELECT id, total INTO archive_orders FROM orders",
        [("orders.id", "archive_orders.id", ID), ("orders.total", "archive_orders.total", ID)],
        dialect="postgres",
    ),
    _case(
        "a bare SELECT has bare target column names",
        "SELECT region, count(*) AS n FROM sales GROUP BY region",
        [("sales.region", "region", ID), ("sales.*", "n", AG)],
    ),
    # stars
    _case(
        "a star without a schema maps table star to table star",
        "INSERT INTO t SELECT * FROM s",
        [("s.*", "t.*", ID)],
    ),
    _case(
        "a star over a join without a schema reads every table's star",
        "INSERT INTO t SELECT * FROM a JOIN b ON a.id = b.id",
        [("a.*", "t.*", ID), ("b.*", "t.*", ID)],
    ),
    _case(
        "a qualified star reads only its table",
        "INSERT INTO t SELECT a.* FROM a JOIN b ON a.id = b.id",
        [("a.*", "t.*", ID)],
    ),
    _case(
        "a star is expanded with a schema",
        "INSERT INTO t SELECT * FROM shop.customers",
        [
            ("shop.customers.id", "t.id", ID),
            ("shop.customers.name", "t.name", ID),
            ("shop.customers.region", "t.region", ID),
        ],
        schema=SHOP,
    ),
    _case(
        "a star over a CTE with known columns is expanded without a schema",
        "WITH c AS (SELECT id, name FROM people) INSERT INTO t SELECT * FROM c",
        [("people.id", "t.id", ID), ("people.name", "t.name", ID)],
    ),
    _case(
        "a named column read through an inner star",
        "INSERT INTO t SELECT name FROM (SELECT * FROM people) p",
        [("people.name", "t.name", ID)],
    ),
    _case(
        "a star next to a window column keeps the named columns traceable",
        "INSERT INTO t SELECT id, city FROM (SELECT *, row_number() OVER (PARTITION BY id) AS rn FROM addresses) a WHERE rn = 1",
        [("addresses.id", "t.id", ID), ("addresses.city", "t.city", ID)],
    ),
    _case(
        "a table created earlier in the script tells later stars its columns",
        "CREATE TABLE stage AS SELECT id, v FROM raw; INSERT INTO final SELECT * FROM stage",
        [
            ("raw.id", "stage.id", ID),
            ("raw.v", "stage.v", ID),
            ("stage.id", "final.id", ID),
            ("stage.v", "final.v", ID),
        ],
    ),
    # lateral alias references
    _case(
        "a later item may use an earlier alias (Snowflake)",
        "INSERT INTO t SELECT amount * rate AS local_amount, local_amount * 1.2 AS gross FROM payments",
        [
            ("payments.amount", "t.local_amount", TF),
            ("payments.rate", "t.local_amount", TF),
            ("payments.amount", "t.gross", TF),
            ("payments.rate", "t.gross", TF),
        ],
        dialect="snowflake",
    ),
    _case(
        "a source column wins over an alias of the same name",
        "INSERT INTO t SELECT 'x' || code AS code, code AS raw_code FROM items",
        [("items.code", "t.code", TF), ("items.code", "t.raw_code", ID)],
    ),
    # UPDATE and MERGE
    _case(
        "UPDATE ... FROM feeds the assigned column",
        "UPDATE stock SET qty = s.qty FROM shipments s WHERE stock.sku = s.sku",
        [("shipments.qty", "stock.qty", ID)],
        dialect="postgres",
    ),
    _case(
        "an UPDATE computed from its own column",
        "UPDATE accounts SET balance = balance * 1.01",
        [("accounts.balance", "accounts.balance", TF)],
    ),
    _case(
        "a T-SQL UPDATE through an alias",
        "UPDATE o SET o.status = f.status FROM dbo.orders o JOIN dbo.feed f ON o.id = f.id",
        [("dbo.feed.status", "dbo.orders.status", ID)],
        dialect="tsql",
    ),
    _case(
        "a MySQL UPDATE with a JOIN",
        "UPDATE orders o JOIN customers c ON o.customer_id = c.id SET o.region = c.region",
        [("customers.region", "orders.region", ID)],
        dialect="mysql",
    ),
    _case(
        "MERGE feeds updated and inserted columns",
        "MERGE INTO dim d USING (SELECT k, max(v) AS v FROM facts GROUP BY k) f ON d.k = f.k "
        "WHEN MATCHED THEN UPDATE SET d.v = f.v WHEN NOT MATCHED THEN INSERT (k, v) VALUES (f.k, f.v)",
        [("facts.v", "dim.v", AG), ("facts.k", "dim.k", ID)],
    ),
    # dialect specifics
    _case(
        "T-SQL assignment aliases name the target",
        "INSERT INTO dbo.labels SELECT Code = p.ProductCode, Label = 'x' FROM dbo.products p",
        [("dbo.products.productcode", "dbo.labels.code", ID)],
        dialect="tsql",
    ),
    _case(
        "a Spark LATERAL VIEW column comes from the exploded array",
        "INSERT OVERWRITE TABLE tags SELECT p.id, tag FROM posts p LATERAL VIEW explode(p.tags) t AS tag",
        [("posts.id", "tags.id", ID), ("posts.tags", "tags.tag", TF)],
        dialect="spark",
    ),
    _case(
        "a BigQuery UNNEST column comes from the array",
        "CREATE TABLE ds.items AS SELECT o.id, item FROM ds.orders o, UNNEST(o.items) AS item",
        [("ds.orders.id", "ds.items.id", ID), ("ds.orders.items", "ds.items.item", TF)],
        dialect="bigquery",
    ),
    _case(
        "Snowflake upper-case names are lower-cased like tables",
        'INSERT INTO MART.T SELECT ID, "Mixed" FROM RAW.S',
        [("raw.s.id", "mart.t.id", ID), ("raw.s.Mixed", "mart.t.Mixed", ID)],
        dialect="snowflake",
    ),
    _case(
        "a duckdb file source names the columns by path",
        "CREATE TABLE trips AS SELECT fare FROM 'trips.parquet'",
        [("trips.parquet.fare", "trips.fare", ID)],
        dialect="duckdb",
    ),
    _case(
        "statements of a procedure body are traced",
        "CREATE PROCEDURE p AS BEGIN INSERT INTO dbo.b SELECT x FROM dbo.a; END",
        [("dbo.a.x", "dbo.b.x", ID)],
        dialect="tsql",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_it_traces_each_target_column_to_its_sources(case: ColumnCase):
    edges = column_lineage(case.sql, case.dialect, case.schema or None)

    assert {tuple(edge) for edge in edges} == case.edges
    assert len(edges) == len(case.edges), "one edge per (source, target) pair"


def test_it_returns_column_edges_in_select_list_order():
    edges = column_lineage("INSERT INTO t SELECT b, a FROM s")

    assert edges == [
        ColumnEdge("s.b", "t.b", "identity"),
        ColumnEdge("s.a", "t.a", "identity"),
    ]


def test_one_pair_keeps_its_strongest_transformation():
    edges = column_lineage("INSERT INTO t SELECT x + sum(x) OVER () AS y FROM s")

    assert edges == [ColumnEdge("s.x", "t.y", "aggregate")]


def test_a_schema_may_list_column_names_only():
    edges = column_lineage("SELECT * FROM s", schema={"s": ["a", "b"]})

    assert [e.source for e in edges] == ["s.a", "s.b"]


def test_a_schema_keyed_by_dotted_names_resolves_unqualified_columns():
    schema = {"crm.people": ["id", "email"], "crm.accounts": ["id", "plan"]}

    edges = column_lineage(
        "INSERT INTO out SELECT email, plan FROM crm.people p JOIN crm.accounts a ON p.id = a.id",
        schema=schema,
    )

    assert edges == [
        ColumnEdge("crm.people.email", "out.email", "identity"),
        ColumnEdge("crm.accounts.plan", "out.plan", "identity"),
    ]


def test_a_column_in_several_known_tables_is_left_out():
    schema = {"a": ["id", "x"], "b": ["id", "y"]}

    edges = column_lineage("INSERT INTO t SELECT id, y FROM a JOIN b USING (k)", schema=schema)

    assert edges == [ColumnEdge("b.y", "t.y", "identity")]


def test_a_schema_of_the_wrong_shape_is_ignored():
    edges = column_lineage("INSERT INTO t SELECT a FROM s", schema={"s": 42})

    assert edges == [ColumnEdge("s.a", "t.a", "identity")]


@pytest.mark.parametrize(
    "sql", ["", "   ", "-- nothing", "not sql at all (", "DROP TABLE t", "SELECT 1"]
)
def test_statements_without_column_flow_give_no_edges(sql: str):
    assert column_lineage(sql) == []
