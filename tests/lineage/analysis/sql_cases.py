# ruff: noqa: E501 - a SQL case reads best on one line, as it would be written
"""Table-lineage cases shared by the tests and ``bench/sql_lineage.py``.

Each case is one SQL text (a statement or a script) with the tables it must read
and write under Tributary's rules (see `lineage.analysis.sql_tables`), and where
given the kind of each write (``writes``). Cases whose expectation is a convention
other lineage tools do not share — an UPDATE of constants or a filtered DELETE as no
data flow, statements flattened out of procedure bodies — are marked
``portable=False``; the benchmark scores other tools on portable cases only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableCase:
    name: str
    sql: str
    sources: frozenset[str]
    targets: frozenset[str]
    intermediates: frozenset[str]
    dialect: str | None = None
    portable: bool = True
    confidence: str = "high"
    writes: tuple[tuple[str, str], ...] | None = None  # expected write kinds, when given

    @property
    def id(self) -> str:
        prefix = self.dialect or "generic"
        return f"{prefix}: {self.name}"


def _case(
    name: str,
    sql: str,
    sources: tuple[str, ...] = (),
    targets: tuple[str, ...] = (),
    intermediates: tuple[str, ...] = (),
    dialect: str | None = None,
    portable: bool = True,
    confidence: str = "high",
    writes: dict[str, str] | None = None,
) -> TableCase:
    return TableCase(
        name,
        sql,
        frozenset(sources),
        frozenset(targets),
        frozenset(intermediates),
        dialect,
        portable,
        confidence,
        None if writes is None else tuple(sorted(writes.items())),
    )


SELECT_CASES = [
    _case("a select reads its one table", "SELECT id, email FROM users", ("users",)),
    _case(
        "a schema-qualified table keeps its schema", "SELECT * FROM sales.orders", ("sales.orders",)
    ),
    _case(
        "a three-part name keeps every part",
        "SELECT id FROM warehouse.sales.orders",
        ("warehouse.sales.orders",),
    ),
    _case("unquoted names are lower-cased", "SELECT Id FROM Sales.Orders", ("sales.orders",)),
    _case("a table alias is not a table", "SELECT o.id FROM orders AS o", ("orders",)),
    _case(
        "an alias without AS is not a table",
        "SELECT o.id FROM orders o WHERE o.id > 3",
        ("orders",),
    ),
    _case(
        "an inner join reads both sides",
        "SELECT o.id, c.name FROM orders o INNER JOIN customers c ON o.customer_id = c.id",
        ("orders", "customers"),
    ),
    _case(
        "left, right and full joins read every table",
        "SELECT * FROM a LEFT JOIN b ON a.k = b.k RIGHT JOIN c ON b.k = c.k FULL OUTER JOIN d ON c.k = d.k",
        ("a", "b", "c", "d"),
    ),
    _case(
        "a cross join reads both tables", "SELECT * FROM days CROSS JOIN stores", ("days", "stores")
    ),
    _case(
        "comma-separated tables are all read",
        "SELECT * FROM orders o, customers c, regions r WHERE o.customer_id = c.id",
        ("orders", "customers", "regions"),
    ),
    _case(
        "a join with USING reads both tables",
        "SELECT * FROM visits JOIN sessions USING (session_id)",
        ("visits", "sessions"),
    ),
    _case(
        "a self join reads the table once",
        "SELECT e.name, m.name FROM employees e JOIN employees m ON e.manager_id = m.id",
        ("employees",),
    ),
    _case(
        "a derived table reads its inner table",
        "SELECT t.total FROM (SELECT sum(amount) AS total FROM payments) AS t",
        ("payments",),
    ),
    _case(
        "nested derived tables read the innermost table",
        "SELECT x FROM (SELECT x FROM (SELECT x FROM (SELECT 1 AS x FROM deep.source) a) b) c",
        ("deep.source",),
    ),
    _case(
        "a subquery in WHERE is read",
        "SELECT * FROM orders WHERE customer_id IN (SELECT id FROM vip_customers)",
        ("orders", "vip_customers"),
    ),
    _case(
        "an EXISTS subquery is read",
        "SELECT * FROM products p WHERE EXISTS (SELECT 1 FROM stock s WHERE s.product_id = p.id)",
        ("products", "stock"),
    ),
    _case(
        "a scalar subquery in the select list is read",
        "SELECT id, (SELECT max(created_at) FROM logins l WHERE l.user_id = u.id) FROM users u",
        ("users", "logins"),
    ),
    _case(
        "subqueries inside CASE are read",
        "SELECT CASE WHEN (SELECT count(*) FROM flags) > 0 THEN (SELECT max(v) FROM levels) ELSE 0 END",
        ("flags", "levels"),
    ),
    _case(
        "a subquery in HAVING is read",
        "SELECT region, sum(x) FROM sales GROUP BY region HAVING sum(x) > (SELECT avg(x) FROM targets)",
        ("sales", "targets"),
    ),
    _case(
        "every branch of a UNION ALL is read",
        "SELECT id FROM web_orders UNION ALL SELECT id FROM app_orders UNION ALL SELECT id FROM pos_orders",
        ("web_orders", "app_orders", "pos_orders"),
    ),
    _case(
        "INTERSECT and EXCEPT branches are read",
        "SELECT id FROM a INTERSECT SELECT id FROM b EXCEPT SELECT id FROM c",
        ("a", "b", "c"),
    ),
    _case(
        "a table named in two branches with different case is one table",
        "SELECT * FROM Events UNION SELECT * FROM EVENTS",
        ("events",),
    ),
    _case("a select without FROM reads nothing", "SELECT 1 AS one, 'x' AS letter"),
    _case("a function call is not a table", "SELECT now(), current_date"),
    _case("TRIM ... FROM is not a table", "SELECT trim(BOTH ' ' FROM '  padded  ')"),
    _case(
        "EXTRACT ... FROM reads only the real table",
        "SELECT extract(year FROM ts) FROM clicks",
        ("clicks",),
    ),
    _case(
        "an inline VALUES list is not a table",
        "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, name)",
    ),
    _case(
        "a parenthesised join reads every table",
        "SELECT a.id FROM (a LEFT JOIN b ON a.id = b.a_id) LEFT JOIN c ON a.id = c.a_id",
        ("a", "b", "c"),
    ),
    _case(
        "comments between keywords do not hide tables",
        "SELECT id -- the key\nFROM /* main */ orders -- trailing\nJOIN -- why not\nitems ON items.order_id = orders.id",
        ("orders", "items"),
    ),
    _case(
        "a window function query reads its table",
        "SELECT user_id, row_number() OVER (PARTITION BY user_id ORDER BY ts) AS n FROM events",
        ("events",),
    ),
    _case("a query in parentheses reads its table", "(SELECT * FROM accounts)", ("accounts",)),
    _case(
        "non-reserved keywords can name tables",
        "SELECT * FROM segment JOIN host ON segment.host_id = host.id",
        ("segment", "host"),
    ),
    _case(
        "ORDER BY and LIMIT do not add tables",
        "SELECT * FROM logs WHERE level = 'error' ORDER BY ts DESC LIMIT 100",
        ("logs",),
    ),
    _case(
        "a leading comment does not hide the table",
        "-- daily pull\nSELECT * FROM pulls",
        ("pulls",),
    ),
    _case("a trailing semicolon is fine", "SELECT * FROM pulls;", ("pulls",)),
]

CTE_CASES = [
    _case(
        "a CTE name is not a table",
        "WITH recent AS (SELECT * FROM orders WHERE ts > now() - interval '7 days') SELECT * FROM recent",
        ("orders",),
    ),
    _case("a CTE of constants reads nothing", "WITH t AS (SELECT 1 AS x) SELECT * FROM t"),
    _case(
        "several CTEs read their own tables",
        "WITH a AS (SELECT * FROM raw.a), b AS (SELECT * FROM raw.b) SELECT * FROM a JOIN b USING (id)",
        ("raw.a", "raw.b"),
    ),
    _case(
        "a CTE may read an earlier CTE",
        "WITH base AS (SELECT * FROM facts), agg AS (SELECT k, count(*) FROM base GROUP BY k) SELECT * FROM agg",
        ("facts",),
    ),
    _case(
        "a CTE shadowing a table reads the real table in its own body",
        "WITH orders AS (SELECT * FROM orders WHERE NOT deleted) SELECT * FROM orders",
        ("orders",),
    ),
    _case(
        "a CTE cannot see a later CTE, so that name is a table",
        "WITH first AS (SELECT * FROM second), second AS (SELECT 1 AS x) SELECT * FROM first",
        ("second",),
    ),
    _case(
        "a recursive CTE does not read itself",
        "WITH RECURSIVE tree AS (SELECT id, parent_id FROM nodes WHERE parent_id IS NULL "
        "UNION ALL SELECT n.id, n.parent_id FROM nodes n JOIN tree t ON n.parent_id = t.id) SELECT * FROM tree",
        ("nodes",),
        dialect="postgres",
    ),
    _case(
        "a T-SQL recursive CTE needs no RECURSIVE keyword",
        "WITH numbers AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM numbers WHERE n < 10) SELECT n FROM numbers",
        dialect="tsql",
    ),
    _case(
        "a CTE inside a subquery is not a table",
        "SELECT * FROM (WITH inner_cte AS (SELECT * FROM stage.raw) SELECT * FROM inner_cte) q",
        ("stage.raw",),
    ),
    _case(
        "a CTE nested in another CTE is not a table",
        "WITH outer_cte AS (WITH inner_cte AS (SELECT id FROM src) SELECT id FROM inner_cte) SELECT * FROM outer_cte",
        ("src",),
    ),
    _case(
        "a CTE is only visible inside its own query",
        "SELECT * FROM (WITH x AS (SELECT 1 AS a) SELECT a FROM x) s JOIN x ON TRUE",
        ("x",),
    ),
    _case(
        "a qualified table with a CTE's name is still a table",
        "WITH orders AS (SELECT * FROM staging.orders) SELECT * FROM orders JOIN archive.orders USING (id)",
        ("staging.orders", "archive.orders"),
    ),
    _case(
        "a CTE with a column list is not a table",
        "WITH totals (region, amount) AS (SELECT region, sum(x) FROM sales GROUP BY 1) SELECT * FROM totals",
        ("sales",),
    ),
    _case(
        "a CTE read in a later UNION branch is not a table",
        "WITH c AS (SELECT id FROM t1) SELECT id FROM t2 UNION SELECT id FROM c",
        ("t1", "t2"),
    ),
    _case(
        "an unused CTE still reads its table",
        "WITH unused AS (SELECT * FROM t1) SELECT * FROM t2",
        ("t1", "t2"),
    ),
    _case(
        "CTE references ignore case like other names",
        "WITH Recent AS (SELECT * FROM visits) SELECT * FROM RECENT",
        ("visits",),
    ),
    _case(
        "WITH before INSERT is not a target",
        "WITH staged AS (SELECT * FROM landing.events) INSERT INTO core.events SELECT * FROM staged",
        ("landing.events",),
        ("core.events",),
    ),
    _case(
        "WITH after INSERT INTO is not a target",
        "INSERT INTO core.events WITH staged AS (SELECT * FROM landing.events) SELECT * FROM staged",
        ("landing.events",),
        ("core.events",),
    ),
    _case(
        "a CTE feeding CREATE TABLE AS",
        "CREATE TABLE report AS WITH r AS (SELECT * FROM facts) SELECT * FROM r",
        ("facts",),
        ("report",),
        dialect="postgres",
    ),
    _case(
        "a CTE feeding UPDATE ... FROM",
        "WITH latest AS (SELECT id, max(v) AS v FROM readings GROUP BY id) "
        "UPDATE sensors SET last_value = latest.v FROM latest WHERE sensors.id = latest.id",
        ("readings",),
        ("sensors",),
        dialect="postgres",
    ),
    _case(
        "a CTE inside MERGE's USING subquery",
        "MERGE INTO dim_user t USING (WITH d AS (SELECT id, max(email) AS email FROM raw_users GROUP BY id) "
        "SELECT * FROM d) s ON t.id = s.id WHEN MATCHED THEN UPDATE SET t.email = s.email",
        ("raw_users",),
        ("dim_user",),
    ),
    _case(
        "a data-modifying CTE writes its table",
        "WITH moved AS (DELETE FROM queue WHERE done RETURNING *) INSERT INTO queue_archive SELECT * FROM moved",
        (),
        ("queue", "queue_archive"),
        dialect="postgres",
        portable=False,
    ),
]

INSERT_CASES = [
    _case(
        "INSERT ... SELECT reads the source and writes the target",
        "INSERT INTO mart.daily SELECT day, count(*) FROM raw.events GROUP BY day",
        ("raw.events",),
        ("mart.daily",),
    ),
    _case(
        "an INSERT column list is not a table",
        "INSERT INTO users (id, email) SELECT id, email FROM signups",
        ("signups",),
        ("users",),
    ),
    _case(
        "INSERT VALUES only writes",
        "INSERT INTO flags VALUES (1, 'on'), (2, 'off')",
        (),
        ("flags",),
    ),
    _case(
        "a subquery inside VALUES is read",
        "INSERT INTO stats VALUES ((SELECT count(*) FROM users), (SELECT count(*) FROM orders))",
        ("users", "orders"),
        ("stats",),
    ),
    _case(
        "an INSERT reading its own target reads and writes it",
        "INSERT INTO totals SELECT * FROM totals WHERE day = current_date - 1",
        ("totals",),
        ("totals",),
    ),
    _case(
        "an INSERT of a UNION reads every branch",
        "INSERT INTO all_ids SELECT id FROM a UNION SELECT id FROM b",
        ("a", "b"),
        ("all_ids",),
    ),
    _case(
        "an INSERT with a parenthesised query",
        "INSERT INTO archive.logs (SELECT * FROM logs WHERE ts < '2020-01-01')",
        ("logs",),
        ("archive.logs",),
    ),
    _case(
        "INSERT ... ON CONFLICT writes the target only",
        "INSERT INTO counters (k, n) VALUES ('a', 1) ON CONFLICT (k) DO UPDATE SET n = counters.n + 1",
        (),
        ("counters",),
        dialect="postgres",
    ),
    _case(
        "INSERT OR REPLACE writes the target",
        "INSERT OR REPLACE INTO cache SELECT key, value FROM fresh",
        ("fresh",),
        ("cache",),
        dialect="sqlite",
    ),
    _case(
        "INSERT IGNORE writes the target",
        "INSERT IGNORE INTO seen SELECT id FROM incoming",
        ("incoming",),
        ("seen",),
        dialect="mysql",
    ),
    _case(
        "REPLACE INTO writes the target",
        "REPLACE INTO latest SELECT * FROM staging",
        ("staging",),
        ("latest",),
        dialect="mysql",
    ),
    _case(
        "INSERT without INTO writes the target",
        "INSERT target_t SELECT * FROM source_t",
        ("source_t",),
        ("target_t",),
        dialect="mysql",
    ),
    _case(
        "Oracle INSERT ALL writes every target",
        "INSERT ALL INTO big_orders VALUES (id, amount) INTO order_log VALUES (id, sysdate) "
        "SELECT id, amount FROM orders WHERE amount > 1000",
        ("orders",),
        ("big_orders", "order_log"),
        dialect="oracle",
    ),
]

CREATE_CASES = [
    _case(
        "CREATE TABLE with columns only writes",
        "CREATE TABLE people (id INT, name TEXT)",
        (),
        ("people",),
    ),
    _case(
        "CREATE TABLE IF NOT EXISTS writes",
        "CREATE TABLE IF NOT EXISTS audit.log (ts TIMESTAMP, msg TEXT)",
        (),
        ("audit.log",),
    ),
    _case(
        "CREATE TABLE AS SELECT reads and writes",
        "CREATE TABLE top_users AS SELECT user_id FROM scores WHERE score > 90",
        ("scores",),
        ("top_users",),
    ),
    _case(
        "CREATE TABLE AS with a parenthesised query",
        "CREATE TABLE copy_t AS (SELECT * FROM (orig_t))",
        ("orig_t",),
        ("copy_t",),
    ),
    _case(
        "CREATE VIEW reads and writes",
        "CREATE VIEW active_users AS SELECT * FROM users WHERE active",
        ("users",),
        ("active_users",),
    ),
    _case(
        "CREATE OR REPLACE VIEW with a column list",
        "CREATE OR REPLACE VIEW v_sales (region, total) AS SELECT region, sum(x) FROM sales GROUP BY 1",
        ("sales",),
        ("v_sales",),
    ),
    _case(
        "CREATE TABLE LIKE reads the template table",
        "CREATE TABLE orders_2024 LIKE orders",
        ("orders",),
        ("orders_2024",),
        dialect="mysql",
    ),
    _case(
        "a foreign key reference is not a read",
        "CREATE TABLE items (id INT, order_id INT REFERENCES orders (id))",
        (),
        ("items",),
        dialect="postgres",
    ),
    _case(
        "SELECT INTO writes the new table",
        "SELECT * INTO films_recent FROM films WHERE date_prod >= '2002-01-01'",
        ("films",),
        ("films_recent",),
        dialect="postgres",
    ),
    _case(
        "SELECT INTO with a UNION reads both branches",
        "SELECT * INTO films_all FROM films UNION ALL SELECT * FROM films_backup",
        ("films", "films_backup"),
        ("films_all",),
        dialect="postgres",
    ),
    _case("CREATE INDEX has no table lineage", "CREATE INDEX idx_orders_ts ON orders (ts)"),
    _case("CREATE SCHEMA has no table lineage", "CREATE SCHEMA IF NOT EXISTS analytics"),
]

UPDATE_DELETE_MERGE_CASES = [
    _case(
        "an UPDATE of constants changes its table without data flow",
        "UPDATE users SET active = false WHERE last_seen < '2020-01-01'",
        portable=False,
        writes={"users": "update"},
    ),
    _case(
        "a subquery in UPDATE SET is read",
        "UPDATE products SET price = (SELECT avg(price) FROM competitors WHERE sku = products.sku)",
        ("competitors",),
        ("products",),
    ),
    _case(
        "UPDATE ... FROM reads the other table",
        "UPDATE inventory SET qty = s.qty FROM shipments s WHERE inventory.sku = s.sku",
        ("shipments",),
        ("inventory",),
        dialect="postgres",
    ),
    _case(
        "an UPDATE only filtered by another table has no data flow",
        "UPDATE accounts SET flagged = true WHERE EXISTS (SELECT 1 FROM fraud f WHERE f.account_id = accounts.id)",
        portable=False,
        writes={"accounts": "update"},
    ),
    _case(
        "MERGE reads USING and writes INTO",
        "MERGE INTO dim_customer d USING stg_customer s ON d.id = s.id "
        "WHEN MATCHED THEN UPDATE SET d.name = s.name WHEN NOT MATCHED THEN INSERT (id, name) VALUES (s.id, s.name)",
        ("stg_customer",),
        ("dim_customer",),
    ),
    _case(
        "MERGE USING a subquery reads the inner table",
        "MERGE INTO totals t USING (SELECT k, sum(v) AS v FROM facts GROUP BY k) f ON t.k = f.k "
        "WHEN MATCHED THEN UPDATE SET t.v = f.v",
        ("facts",),
        ("totals",),
    ),
    _case(
        "DELETE changes its table without data flow",
        "DELETE FROM sessions WHERE expires_at < now()",
        writes={"sessions": "delete"},
    ),
    _case(
        "a DELETE filtered by a subquery has no data flow",
        "DELETE FROM users WHERE id IN (SELECT user_id FROM gdpr_requests)",
        portable=False,
        writes={"users": "delete"},
    ),
    _case(
        "DELETE ... USING has no data flow",
        "DELETE FROM orders USING cancelled c WHERE orders.id = c.order_id",
        dialect="postgres",
        portable=False,
        writes={"orders": "delete"},
    ),
]

DDL_CASES = [
    _case(
        "TRUNCATE is a lifecycle change, no data flow",
        "TRUNCATE TABLE staging.events",
        writes={"staging.events": "truncate"},
    ),
    _case(
        "TRUNCATE of several tables changes them all",
        "TRUNCATE a, b",
        dialect="postgres",
        writes={"a": "truncate", "b": "truncate"},
    ),
    _case("DROP TABLE is no data flow", "DROP TABLE old_orders", writes={"old_orders": "drop"}),
    _case(
        "DROP TABLE IF EXISTS of several tables drops them all",
        "DROP TABLE IF EXISTS tmp_a, tmp_b",
        writes={"tmp_a": "drop", "tmp_b": "drop"},
    ),
    _case("DROP VIEW drops the view", "DROP VIEW IF EXISTS v_report", writes={"v_report": "drop"}),
    _case("DROP FUNCTION has no table lineage", "DROP FUNCTION IF EXISTS f_clean"),
    _case("DROP SCHEMA has no table lineage", "DROP SCHEMA scratch CASCADE"),
    _case(
        "ALTER TABLE RENAME renames without data flow",
        "ALTER TABLE orders_new RENAME TO orders",
        writes={"orders_new": "rename", "orders": "rename"},
    ),
    _case(
        "ALTER TABLE ADD COLUMN alters the table",
        "ALTER TABLE users ADD COLUMN age INT",
        writes={"users": "alter"},
    ),
    _case("USE has no table lineage", "USE analytics", dialect="mysql"),
    _case("SET has no table lineage", "SET search_path TO analytics", dialect="postgres"),
    _case("SHOW has no table lineage", "SHOW TABLES", dialect="mysql"),
    _case("DESCRIBE has no table lineage", "DESCRIBE orders", dialect="mysql"),
    _case(
        "EXPLAIN has no table lineage",
        "EXPLAIN SELECT * FROM orders",
        dialect="postgres",
        portable=False,
    ),
    _case("ANALYZE has no table lineage", "ANALYZE orders", dialect="postgres"),
    _case("GRANT has no table lineage", "GRANT SELECT ON orders TO analyst", dialect="postgres"),
    _case(
        "COMMENT ON has no table lineage",
        "COMMENT ON TABLE orders IS 'one row per order'",
        dialect="postgres",
    ),
    _case("transaction statements have no table lineage", "BEGIN; COMMIT;", dialect="postgres"),
    _case("an empty script has no lineage", ""),
    _case("a comment-only script has no lineage", "-- nothing to see\n/* still nothing */"),
    _case("empty statements between semicolons are skipped", ";;SELECT * FROM t;;", ("t",)),
]

FILE_CASES = [
    _case(
        "COPY FROM a URI reads the path",
        "COPY events FROM 's3://bucket/events/2024/'",
        ("s3://bucket/events/2024/",),
        ("events",),
        dialect="postgres",
    ),
    _case(
        "COPY TO a file writes the path",
        "COPY orders TO '/tmp/orders.csv' WITH (FORMAT csv)",
        ("orders",),
        ("/tmp/orders.csv",),
        dialect="postgres",
    ),
    _case(
        "COPY of a query to a file reads the query",
        "COPY (SELECT * FROM orders WHERE ts > now() - interval '1 day') TO '/tmp/recent.csv'",
        ("orders",),
        ("/tmp/recent.csv",),
        dialect="postgres",
    ),
]

SCRIPT_CASES = [
    _case(
        "a table created then read is intermediate",
        "CREATE TABLE tmp_a AS SELECT * FROM src_b; INSERT INTO final_c SELECT * FROM tmp_a;",
        ("src_b",),
        ("tmp_a", "final_c"),
        ("tmp_a",),
    ),
    _case(
        "a chain of three statements has two intermediates",
        "CREATE TABLE s1 AS SELECT * FROM raw; CREATE TABLE s2 AS SELECT * FROM s1; "
        "CREATE TABLE s3 AS SELECT * FROM s2",
        ("raw",),
        ("s1", "s2", "s3"),
        ("s1", "s2"),
    ),
    _case(
        "a table read before it is written stays a source",
        "SELECT count(*) FROM totals; INSERT INTO totals SELECT * FROM increments",
        ("totals", "increments"),
        ("totals",),
    ),
    _case(
        "a table written but never read again is not intermediate",
        "INSERT INTO a SELECT * FROM x; INSERT INTO b SELECT * FROM y",
        ("x", "y"),
        ("a", "b"),
    ),
    _case(
        "a dropped staging table is still written and intermediate",
        "CREATE TABLE stage AS SELECT * FROM raw_feed; INSERT INTO clean SELECT * FROM stage; DROP TABLE stage;",
        ("raw_feed",),
        ("stage", "clean"),
        ("stage",),
        portable=False,
    ),
    _case(
        "drop and re-create then read makes it intermediate",
        "DROP TABLE IF EXISTS snap; CREATE TABLE snap AS SELECT * FROM live; SELECT * FROM snap",
        ("live",),
        ("snap",),
        ("snap",),
        portable=False,
    ),
    _case(
        "an insert then rename writes both names",
        "INSERT INTO tab_new SELECT * FROM tab_src; ALTER TABLE tab_new RENAME TO tab_final;",
        ("tab_src",),
        ("tab_new",),
        portable=False,
        writes={"tab_new": "insert", "tab_final": "rename"},
    ),
    _case(
        "statements inside BEGIN and COMMIT are analysed",
        "BEGIN; INSERT INTO ledger SELECT * FROM pending; DELETE FROM pending; COMMIT;",
        ("pending",),
        ("ledger",),
        portable=False,
        writes={"ledger": "insert", "pending": "delete"},
    ),
    _case(
        "a temporary table pipeline marks the temp table intermediate",
        "CREATE TEMP TABLE t_recent AS SELECT * FROM events WHERE ts > now() - interval '1 hour';\n"
        "INSERT INTO hourly SELECT count(*) FROM t_recent;",
        ("events",),
        ("t_recent", "hourly"),
        ("t_recent",),
        dialect="postgres",
    ),
]

POSTGRES_CASES = [
    _case(
        "double-quoted names keep their case",
        'SELECT * FROM "Analytics"."DailyUsers"',
        ("Analytics.DailyUsers",),
        dialect="postgres",
    ),
    _case(
        "a LATERAL subquery reads its table",
        "SELECT * FROM users u, LATERAL (SELECT * FROM orders o WHERE o.user_id = u.id LIMIT 3) recent",
        ("users", "orders"),
        dialect="postgres",
    ),
    _case(
        "a LATERAL function is not a table",
        "SELECT m.name FROM makers m LEFT JOIN LATERAL product_names(m.id) p ON TRUE",
        ("makers",),
        dialect="postgres",
    ),
    _case(
        "generate_series is not a table",
        "SELECT * FROM generate_series(1, 10) AS g(n)",
        dialect="postgres",
    ),
    _case(
        "unnest of a column is not a table",
        "SELECT t.id, tag FROM tickets t, unnest(t.tags) AS tag",
        ("tickets",),
        dialect="postgres",
    ),
    _case(
        "CREATE TABLE (LIKE ...) reads the template",
        "CREATE TABLE events_copy (LIKE events INCLUDING ALL)",
        ("events",),
        ("events_copy",),
        dialect="postgres",
    ),
    _case(
        "CREATE MATERIALIZED VIEW reads and writes",
        "CREATE MATERIALIZED VIEW mv_daily AS SELECT date_trunc('day', ts) AS d, count(*) FROM hits GROUP BY 1",
        ("hits",),
        ("mv_daily",),
        dialect="postgres",
    ),
    _case(
        "casts with :: do not confuse names",
        "SELECT id::text, created_at::date FROM public.accounts",
        ("public.accounts",),
        dialect="postgres",
    ),
    _case(
        "a DO block's statements are analysed",
        "DO $$ BEGIN INSERT INTO audit SELECT * FROM pending_audit; END $$",
        ("pending_audit",),
        ("audit",),
        dialect="postgres",
        portable=False,
    ),
    _case(
        "a PL/pgSQL procedure body is analysed",
        "CREATE PROCEDURE refresh_totals() LANGUAGE plpgsql AS $$ BEGIN "
        "DELETE FROM totals; INSERT INTO totals SELECT k, sum(v) FROM facts GROUP BY k; END $$",
        ("facts",),
        ("totals",),
        dialect="postgres",
        portable=False,
    ),
    _case(
        "a SQL function definition has no table lineage",
        "CREATE FUNCTION n_users() RETURNS bigint AS $$ SELECT count(*) FROM users $$ LANGUAGE sql",
        dialect="postgres",
    ),
]

BIGQUERY_CASES = [
    _case(
        "backticked project.dataset.table splits into parts",
        "SELECT * FROM `my-project.analytics.sessions`",
        ("my-project.analytics.sessions",),
        dialect="bigquery",
    ),
    _case(
        "separately backticked parts join with dots",
        "SELECT * FROM `my-project`.analytics.sessions",
        ("my-project.analytics.sessions",),
        dialect="bigquery",
    ),
    _case(
        "a wildcard table keeps its star",
        "SELECT * FROM analytics.events_* WHERE _TABLE_SUFFIX > '20240101'",
        ("analytics.events_*",),
        dialect="bigquery",
    ),
    _case(
        "UNNEST of an array column is not a table",
        "SELECT o.id, item FROM shop.orders o, UNNEST(o.items) AS item",
        ("shop.orders",),
        dialect="bigquery",
    ),
    _case(
        "MERGE without INTO",
        "MERGE ds.target T USING ds.updates U ON T.id = U.id WHEN MATCHED THEN UPDATE SET v = U.v",
        ("ds.updates",),
        ("ds.target",),
        dialect="bigquery",
    ),
    _case(
        "MERGE with INSERT ROW",
        "MERGE INTO ds.tgt t USING ds.src s ON t.k = s.k WHEN NOT MATCHED THEN INSERT ROW "
        "WHEN MATCHED THEN UPDATE SET t.v = s.v",
        ("ds.src",),
        ("ds.tgt",),
        dialect="bigquery",
    ),
    _case(
        "CREATE OR REPLACE TABLE AS",
        "CREATE OR REPLACE TABLE ds.daily PARTITION BY day AS SELECT DATE(ts) AS day, COUNT(*) AS n FROM ds.hits GROUP BY 1",
        ("ds.hits",),
        ("ds.daily",),
        dialect="bigquery",
    ),
    _case(
        "CREATE TABLE CLONE reads the cloned table",
        "CREATE TABLE ds.backup CLONE ds.live",
        ("ds.live",),
        ("ds.backup",),
        dialect="bigquery",
    ),
    _case(
        "INSERT without INTO",
        "INSERT ds.t (a) SELECT a FROM ds.s",
        ("ds.s",),
        ("ds.t",),
        dialect="bigquery",
    ),
    _case(
        "a procedure body's statements are analysed",
        "CREATE PROCEDURE ds.refresh() BEGIN INSERT INTO ds.b SELECT * FROM ds.a; "
        "INSERT INTO ds.c SELECT * FROM ds.b; END",
        ("ds.a", "ds.b"),  # written then read in the body: a source of the procedure too
        ("ds.b", "ds.c"),
        ("ds.b",),
        dialect="bigquery",
        portable=False,
    ),
    _case(
        "a script's IF and ELSE branches are both analysed",
        "DECLARE n INT64;\nSET n = (SELECT COUNT(*) FROM ds.queue);\n"
        "IF n > 100 THEN\n  INSERT INTO ds.big_batches SELECT * FROM ds.queue;\n"
        "ELSE\n  INSERT INTO ds.small_batches SELECT * FROM ds.queue;\nEND IF;",
        ("ds.queue",),
        ("ds.big_batches", "ds.small_batches"),
        dialect="bigquery",
        portable=False,
    ),
    _case(
        "EXPORT DATA writes its URI",
        "EXPORT DATA OPTIONS (uri = 'gs://exports/daily/*.parquet', format = 'PARQUET') AS SELECT * FROM ds.daily",
        ("ds.daily",),
        ("gs://exports/daily/*.parquet",),
        dialect="bigquery",
    ),
    _case(
        "LOAD DATA FROM FILES reads its URIs",
        "LOAD DATA INTO ds.raw FROM FILES (format = 'CSV', uris = ['gs://landing/a.csv', 'gs://landing/b.csv'])",
        ("gs://landing/a.csv", "gs://landing/b.csv"),
        ("ds.raw",),
        dialect="bigquery",
    ),
    _case(
        "a temp function does not hide the query's table",
        "CREATE TEMP FUNCTION double(x INT64) AS (x * 2); SELECT double(v) FROM ds.values_t",
        ("ds.values_t",),
        dialect="bigquery",
    ),
]

SNOWFLAKE_CASES = [
    _case(
        "unquoted upper-case names are lower-cased",
        "SELECT * FROM ANALYTICS.PUBLIC.ORDERS",
        ("analytics.public.orders",),
        dialect="snowflake",
    ),
    _case(
        "a quoted part keeps its case",
        'SELECT * FROM RAW."Events"',
        ("raw.Events",),
        dialect="snowflake",
    ),
    _case(
        "LATERAL FLATTEN is not a table",
        "SELECT e.id, f.value FROM raw.events e, LATERAL FLATTEN(input => e.payload:items) f",
        ("raw.events",),
        dialect="snowflake",
    ),
    _case(
        "TABLE(GENERATOR()) is not a table",
        "SELECT seq4() FROM TABLE(GENERATOR(ROWCOUNT => 10)) v ORDER BY 1",
        dialect="snowflake",
    ),
    _case(
        "CREATE TABLE CLONE reads the clone source",
        "CREATE TABLE orders_dev CLONE orders",
        ("orders",),
        ("orders_dev",),
        dialect="snowflake",
    ),
    _case(
        "ALTER TABLE SWAP WITH reads the other table and writes this one",
        "ALTER TABLE orders SWAP WITH orders_staging",
        ("orders_staging",),
        ("orders",),
        dialect="snowflake",
    ),
    _case(
        "COPY INTO a table from a URI reads the path",
        "COPY INTO raw.events FROM 's3://landing/events/' FILE_FORMAT = (TYPE = 'JSON')",
        ("s3://landing/events/",),
        ("raw.events",),
        dialect="snowflake",
    ),
    _case(
        "COPY INTO a table from a stage reads the stage",
        "COPY INTO raw.events FROM @landing_stage/events/",
        ("@landing_stage/events/",),
        ("raw.events",),
        dialect="snowflake",
    ),
    _case(
        "COPY INTO a location from a table writes the location",
        "COPY INTO 's3://exports/orders/' FROM analytics.orders",
        ("analytics.orders",),
        ("s3://exports/orders/",),
        dialect="snowflake",
    ),
    _case(
        "COPY INTO a stage from a query reads the query",
        "COPY INTO @exports/daily FROM (SELECT * FROM analytics.daily WHERE d = current_date)",
        ("analytics.daily",),
        ("@exports/daily",),
        dialect="snowflake",
    ),
    _case(
        "CREATE DYNAMIC TABLE reads its query",
        "CREATE OR REPLACE DYNAMIC TABLE mart.live TARGET_LAG = '5 minutes' WAREHOUSE = wh "
        "AS SELECT * FROM raw.stream_t",
        ("raw.stream_t",),
        ("mart.live",),
        dialect="snowflake",
    ),
    _case(
        "a Snowflake Scripting procedure body is analysed",
        "CREATE OR REPLACE PROCEDURE load_daily() RETURNS STRING LANGUAGE SQL AS $$ BEGIN "
        "INSERT INTO mart.daily SELECT * FROM raw.daily; RETURN 'ok'; END $$",
        ("raw.daily",),
        ("mart.daily",),
        dialect="snowflake",
        portable=False,
    ),
    _case(
        "a JavaScript procedure has no table lineage",
        "CREATE PROCEDURE js_proc() RETURNS STRING LANGUAGE JAVASCRIPT AS 'return 1'",
        dialect="snowflake",
    ),
    _case(
        "CREATE STAGE has no table lineage",
        "CREATE OR REPLACE STAGE landing URL = 's3://landing/'",
        dialect="snowflake",
    ),
    _case("PUT has no table lineage", "PUT file:///tmp/orders.csv @landing", dialect="snowflake"),
    _case(
        "MERGE with several WHEN clauses",
        "MERGE INTO dim d USING stg s ON d.k = s.k WHEN MATCHED AND s.deleted THEN DELETE "
        "WHEN MATCHED THEN UPDATE SET d.v = s.v WHEN NOT MATCHED THEN INSERT (k, v) VALUES (s.k, s.v)",
        ("stg",),
        ("dim",),
        dialect="snowflake",
    ),
]

SPARK_CASES = [
    _case(
        "backticks quote names",
        "SELECT * FROM `lake`.`events`",
        ("lake.events",),
        dialect="spark",
    ),
    _case(
        "INSERT OVERWRITE TABLE writes the target",
        "INSERT OVERWRITE TABLE mart.daily SELECT * FROM raw.daily",
        ("raw.daily",),
        ("mart.daily",),
        dialect="spark",
    ),
    _case(
        "INSERT OVERWRITE without TABLE writes the target",
        "INSERT OVERWRITE mart.daily SELECT * FROM raw.daily",
        ("raw.daily",),
        ("mart.daily",),
        dialect="spark",
    ),
    _case(
        "INSERT INTO TABLE with a partition spec",
        "INSERT INTO TABLE mart.events PARTITION (dt = '2024-01-01') SELECT id, v FROM raw.events",
        ("raw.events",),
        ("mart.events",),
        dialect="spark",
    ),
    _case(
        "LATERAL VIEW explode is not a table",
        "SELECT o.id, item FROM orders o LATERAL VIEW explode(o.items) t AS item",
        ("orders",),
        dialect="spark",
    ),
    _case(
        "LATERAL VIEW OUTER json_tuple is not a table",
        "INSERT OVERWRITE TABLE parsed SELECT r.id, j.a FROM raw r LATERAL VIEW OUTER json_tuple(r.js, 'a') j AS a",
        ("raw",),
        ("parsed",),
        dialect="spark",
    ),
    _case(
        "a query on a parquet path reads the path",
        "SELECT * FROM parquet.`/data/events/2024`",
        ("/data/events/2024",),
        dialect="spark",
    ),
    _case(
        "a query on a csv path reads the path",
        "SELECT * FROM csv.`s3a://bucket/raw/users.csv`",
        ("s3a://bucket/raw/users.csv",),
        dialect="spark",
    ),
    _case(
        "INSERT OVERWRITE DIRECTORY writes the directory",
        "INSERT OVERWRITE DIRECTORY 'hdfs://nn/exports/daily' USING parquet SELECT * FROM mart.daily",
        ("mart.daily",),
        ("hdfs://nn/exports/daily",),
        dialect="spark",
        confidence="low",  # sqlglot does not parse USING in this statement: token scan
    ),
    _case(
        "CREATE TABLE USING parquet AS SELECT",
        "CREATE TABLE mart.snap USING parquet AS SELECT * FROM raw.snap",
        ("raw.snap",),
        ("mart.snap",),
        dialect="spark",
    ),
    _case(
        "CREATE TEMPORARY VIEW reads and writes",
        "CREATE OR REPLACE TEMPORARY VIEW recent AS SELECT * FROM events WHERE dt > '2024-01-01'",
        ("events",),
        ("recent",),
        dialect="spark",
    ),
    _case(
        "CACHE TABLE AS SELECT caches a session view: no table written",
        "CACHE TABLE hot_users AS SELECT * FROM users WHERE active",
        dialect="spark",
        writes={},
    ),
    _case("UNCACHE TABLE has no lineage", "UNCACHE TABLE IF EXISTS hot_users", dialect="spark"),
    _case("REFRESH TABLE has no lineage", "REFRESH TABLE events", dialect="spark"),
    _case("ADD JAR has no lineage", "ADD JAR /tmp/udfs.jar", dialect="spark"),
    _case(
        "a CTE written without AS",
        "WITH w (SELECT * FROM lake.raw) SELECT * FROM w",
        ("lake.raw",),
        dialect="spark",
    ),
    _case(
        "a subquery without an alias",
        "SELECT id FROM (SELECT id FROM accounts)",
        ("accounts",),
        dialect="spark",
    ),
    _case(
        "LEFT SEMI JOIN reads both tables",
        "SELECT * FROM a LEFT SEMI JOIN b ON a.id = b.id",
        ("a", "b"),
        dialect="spark",
    ),
    _case(
        "CREATE TABLE ... LIKE reads the template",
        "CREATE TABLE IF NOT EXISTS events_copy LIKE events",
        ("events",),
        ("events_copy",),
        dialect="spark",
    ),
]

DATABRICKS_CASES = [
    _case(
        "three-level Unity Catalog names",
        "SELECT * FROM main.sales.orders",
        ("main.sales.orders",),
        dialect="databricks",
    ),
    _case(
        "CREATE OR REPLACE TABLE AS",
        "CREATE OR REPLACE TABLE main.gold.daily AS SELECT * FROM main.silver.events",
        ("main.silver.events",),
        ("main.gold.daily",),
        dialect="databricks",
    ),
    _case(
        "a query on a delta path reads the path",
        "SELECT * FROM delta.`/mnt/lake/bronze/events`",
        ("/mnt/lake/bronze/events",),
        dialect="databricks",
    ),
    _case(
        "read_files reads its path",
        "CREATE TABLE bronze.raw AS SELECT * FROM read_files('s3://landing/raw/', format => 'json')",
        ("s3://landing/raw/",),
        ("bronze.raw",),
        dialect="databricks",
    ),
    _case(
        "COPY INTO from a URI",
        "COPY INTO bronze.events FROM 's3://landing/events' FILEFORMAT = JSON",
        ("s3://landing/events",),
        ("bronze.events",),
        dialect="databricks",
    ),
    _case(
        "MERGE INTO a Delta table",
        "MERGE INTO silver.users t USING bronze.users s ON t.id = s.id "
        "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *",
        ("bronze.users",),
        ("silver.users",),
        dialect="databricks",
    ),
    _case(
        "INSERT INTO with a backticked target",
        "INSERT INTO `main`.`gold`.`kpis` SELECT * FROM main.silver.kpis",
        ("main.silver.kpis",),
        ("main.gold.kpis",),
        dialect="databricks",
    ),
]

HIVE_CASES = [
    _case(
        "INSERT OVERWRITE TABLE with a partition",
        "INSERT OVERWRITE TABLE dw.fact PARTITION (ds = '2024-01-01') SELECT * FROM ods.fact WHERE ds = '2024-01-01'",
        ("ods.fact",),
        ("dw.fact",),
        dialect="hive",
    ),
    _case(
        "LOAD DATA INPATH reads the path",
        "LOAD DATA INPATH '/user/etl/incoming/orders' INTO TABLE ods.orders",
        ("/user/etl/incoming/orders",),
        ("ods.orders",),
        dialect="hive",
    ),
    _case(
        "LOAD DATA LOCAL INPATH OVERWRITE with a partition",
        "LOAD DATA LOCAL INPATH '/tmp/users.txt' OVERWRITE INTO TABLE ods.users PARTITION (ds = '1')",
        ("/tmp/users.txt",),
        ("ods.users",),
        dialect="hive",
    ),
    _case(
        "EXCHANGE PARTITION reads the other table and writes this one",
        "ALTER TABLE dw.fact EXCHANGE PARTITION (ds = '2024-01-01') WITH TABLE dw.fact_staging",
        ("dw.fact_staging",),
        ("dw.fact",),
        dialect="hive",
    ),
    _case(
        "INSERT OVERWRITE LOCAL DIRECTORY writes the directory",
        "INSERT OVERWRITE LOCAL DIRECTORY '/tmp/export' SELECT * FROM dw.fact",
        ("dw.fact",),
        ("/tmp/export",),
        dialect="hive",
    ),
    _case(
        "CREATE EXTERNAL TABLE writes the table",
        "CREATE EXTERNAL TABLE ods.logs (line STRING) LOCATION 'hdfs:///data/logs'",
        (),
        ("ods.logs",),
        dialect="hive",
    ),
    _case(
        "a SerDe definition's WITH is not a CTE",
        "CREATE TABLE ods.apache (host STRING, req STRING) ROW FORMAT SERDE "
        "'org.apache.hadoop.hive.serde2.RegexSerDe' WITH SERDEPROPERTIES ('input.regex' = '(.*) (.*)') "
        "STORED AS TEXTFILE",
        (),
        ("ods.apache",),
        dialect="hive",
    ),
    _case(
        "SET of a property has no lineage", "SET hive.exec.dynamic.partition=true", dialect="hive"
    ),
    _case(
        "LATERAL VIEW explode is not a table",
        "SELECT u.id, tag FROM ods.users u LATERAL VIEW explode(u.tags) t AS tag",
        ("ods.users",),
        dialect="hive",
    ),
    _case("MSCK REPAIR has no lineage", "MSCK REPAIR TABLE ods.logs", dialect="hive"),
]

DUCKDB_CASES = [
    _case(
        "a quoted file path in FROM is read",
        "SELECT * FROM 'data/trips.parquet'",
        ("data/trips.parquet",),
        dialect="duckdb",
    ),
    _case(
        "a glob path in FROM is read",
        "SELECT count(*) FROM 's3://bucket/trips/*.parquet'",
        ("s3://bucket/trips/*.parquet",),
        dialect="duckdb",
    ),
    _case(
        "read_parquet reads its path",
        "SELECT * FROM read_parquet('trips/2024-01.parquet')",
        ("trips/2024-01.parquet",),
        dialect="duckdb",
    ),
    _case(
        "read_parquet of a list reads every path",
        "SELECT * FROM read_parquet(['a.parquet', 'b.parquet'])",
        ("a.parquet", "b.parquet"),
        dialect="duckdb",
    ),
    _case(
        "read_csv_auto reads its path",
        "CREATE TABLE people AS SELECT * FROM read_csv_auto('people.csv')",
        ("people.csv",),
        ("people",),
        dialect="duckdb",
    ),
    _case(
        "read_csv with options reads its path",
        "SELECT * FROM read_csv('flights.csv', header = true, delim = '|')",
        ("flights.csv",),
        dialect="duckdb",
    ),
    _case(
        "read_json_auto reads its path",
        "SELECT * FROM read_json_auto('events.json')",
        ("events.json",),
        dialect="duckdb",
    ),
    _case(
        "COPY a query TO parquet writes the file",
        "COPY (SELECT * FROM trips WHERE fare > 0) TO 'clean_trips.parquet' (FORMAT PARQUET)",
        ("trips",),
        ("clean_trips.parquet",),
        dialect="duckdb",
    ),
    _case(
        "COPY a table FROM a csv reads the file",
        "COPY trips FROM 'trips.csv' (HEADER)",
        ("trips.csv",),
        ("trips",),
        dialect="duckdb",
    ),
    _case(
        "CREATE OR REPLACE TABLE from a file join",
        "CREATE OR REPLACE TABLE enriched AS SELECT t.*, z.name FROM 'trips.parquet' t JOIN zones z ON t.zone = z.id",
        ("trips.parquet", "zones"),
        ("enriched",),
        dialect="duckdb",
    ),
    _case("range() is not a table", "SELECT * FROM range(10)", dialect="duckdb"),
    _case("ATTACH has no table lineage", "ATTACH 'other.duckdb' AS other", dialect="duckdb"),
]

MYSQL_CASES = [
    _case(
        "backticked schema and table",
        "SELECT * FROM `shop`.`orders`",
        ("shop.orders",),
        dialect="mysql",
    ),
    _case(
        "UPDATE with a JOIN writes only the first table",
        "UPDATE orders o JOIN customers c ON o.customer_id = c.id SET o.region = c.region",
        ("customers",),
        ("orders",),
        dialect="mysql",
    ),
    _case(
        "a multi-table DELETE writes the aliased table",
        "DELETE o FROM orders o JOIN cancelled c ON o.id = c.order_id",
        dialect="mysql",
        portable=False,
        writes={"orders": "delete"},
    ),
    _case(
        "RENAME TABLE renames each pair without data flow",
        "RENAME TABLE orders TO orders_old, orders_new TO orders",
        dialect="mysql",
        writes={"orders": "rename", "orders_old": "rename", "orders_new": "rename"},
    ),
    _case(
        "CREATE TABLE ... SELECT without AS",
        "CREATE TABLE summary SELECT region, count(*) AS n FROM orders GROUP BY region",
        ("orders",),
        ("summary",),
        dialect="mysql",
    ),
    _case(
        "SET from a subquery reads its table",
        "SET @last_id = (SELECT max(id) FROM orders)",
        ("orders",),
        dialect="mysql",
    ),
    _case(
        "LOAD DATA INFILE is scanned for its file and table",
        "LOAD DATA LOCAL INFILE '/tmp/orders.csv' INTO TABLE shop.orders FIELDS TERMINATED BY ','",
        ("/tmp/orders.csv",),
        ("shop.orders",),
        dialect="mysql",
        confidence="low",
    ),
    _case(
        "INSERT ... ON DUPLICATE KEY UPDATE",
        "INSERT INTO counters (k, n) SELECT k, 1 FROM hits ON DUPLICATE KEY UPDATE n = n + 1",
        ("hits",),
        ("counters",),
        dialect="mysql",
    ),
]

TSQL_CASES = [
    _case(
        "bracketed names",
        "SELECT * FROM [dbo].[Orders]",
        ("dbo.Orders",),
        dialect="tsql",
    ),
    _case(
        "a table hint is not a name",
        "SELECT * FROM sales.dbo.orders WITH (NOLOCK)",
        ("sales.dbo.orders",),
        dialect="tsql",
    ),
    _case(
        "an old-style table hint is not a name",
        "SELECT * FROM dbname.dbo.tablename(NOLOCK)",
        ("dbname.dbo.tablename",),
        dialect="tsql",
    ),
    _case(
        "SELECT INTO a temporary table writes it with its #",
        "SELECT id, total INTO #big FROM dbo.orders WHERE total > 100",
        ("dbo.orders",),
        ("#big",),
        dialect="tsql",
    ),
    _case(
        "a global temporary table keeps its ##",
        "SELECT * INTO ##shared FROM dbo.src",
        ("dbo.src",),
        ("##shared",),
        dialect="tsql",
    ),
    _case(
        "UPDATE through an alias writes the aliased table",
        "UPDATE o SET o.status = s.status FROM dbo.orders o JOIN dbo.status_feed s ON o.id = s.id",
        ("dbo.status_feed",),
        ("dbo.orders",),
        dialect="tsql",
    ),
    _case(
        "UPDATE naming the target again in FROM does not read it",
        "UPDATE dbo.stock SET qty = r.qty FROM dbo.stock JOIN dbo.recount r ON stock.sku = r.sku",
        ("dbo.recount",),
        ("dbo.stock",),
        dialect="tsql",
    ),
    _case(
        "DELETE with a JOIN writes the first table",
        "DELETE t FROM dbo.tickets t JOIN dbo.spam s ON t.id = s.ticket_id",
        dialect="tsql",
        portable=False,
        writes={"dbo.tickets": "delete"},
    ),
    _case(
        "statements without semicolons are split",
        "INSERT INTO dbo.a SELECT * FROM dbo.x\nINSERT INTO dbo.b SELECT * FROM dbo.y",
        ("dbo.x", "dbo.y"),
        ("dbo.a", "dbo.b"),
        dialect="tsql",
    ),
    _case(
        "GO separates batches",
        "SELECT * INTO #stage FROM dbo.raw\nGO\nINSERT INTO dbo.clean SELECT * FROM #stage\nGO",
        ("dbo.raw",),
        ("#stage", "dbo.clean"),
        ("#stage",),
        dialect="tsql",
    ),
    _case(
        "GO after semicolons separates batches",
        "CREATE TABLE #ids (id INT);\nGO\nINSERT INTO #ids SELECT id FROM dbo.users;\ngo\n"
        "SELECT * INTO dbo.snapshot FROM #ids;\nGO 2\n",
        ("dbo.users",),
        ("#ids", "dbo.snapshot"),
        ("#ids",),
        dialect="tsql",
    ),
    _case(
        "DECLARE before an INSERT",
        "DECLARE @cutoff DATE = '2024-01-01';\nINSERT INTO dbo.recent SELECT * FROM dbo.events WHERE ts > @cutoff;",
        ("dbo.events",),
        ("dbo.recent",),
        dialect="tsql",
    ),
    _case(
        "a stored procedure body is analysed in order",
        "CREATE PROCEDURE dbo.load AS BEGIN\nINSERT INTO dbo.stage SELECT * FROM dbo.raw;\n"
        "INSERT INTO dbo.final SELECT * FROM dbo.stage;\nEND",
        ("dbo.raw", "dbo.stage"),
        ("dbo.stage", "dbo.final"),
        ("dbo.stage",),
        dialect="tsql",
        portable=False,
    ),
    _case(
        "IF ... DROP then SELECT INTO without semicolons",
        "IF OBJECT_ID('tempdb..#t') IS NOT NULL DROP TABLE #t\nSELECT * INTO #t FROM dbo.src\n"
        "INSERT INTO dbo.dst SELECT * FROM #t",
        ("dbo.src",),
        ("#t", "dbo.dst"),
        ("#t",),
        dialect="tsql",
        portable=False,
    ),
    _case(
        "both IF and ELSE branches are analysed",
        "IF @full = 1 BEGIN INSERT INTO dbo.a SELECT * FROM dbo.b; END ELSE BEGIN INSERT INTO dbo.c SELECT * FROM dbo.d; END",
        ("dbo.b", "dbo.d"),
        ("dbo.a", "dbo.c"),
        dialect="tsql",
        portable=False,
    ),
    _case(
        "TRY and CATCH blocks are analysed",
        "BEGIN TRY INSERT INTO dbo.t SELECT * FROM dbo.s; END TRY BEGIN CATCH INSERT INTO dbo.errors SELECT 1; END CATCH",
        ("dbo.s",),
        ("dbo.t", "dbo.errors"),
        dialect="tsql",
        portable=False,
    ),
    _case(
        "a table variable is a table",
        "DECLARE @ids TABLE (id INT); INSERT INTO @ids SELECT id FROM dbo.users; SELECT * FROM @ids",
        ("dbo.users",),
        ("@ids",),
        ("@ids",),
        dialect="tsql",
    ),
    _case(
        "EXEC of a literal statement analyses the statement",
        "EXEC('INSERT INTO dbo.audit SELECT * FROM dbo.changes')",
        ("dbo.changes",),
        ("dbo.audit",),
        dialect="tsql",
        portable=False,
    ),
    _case(
        "DELETE through a CTE writes the CTE's table",
        "WITH ranked AS (SELECT *, row_number() OVER (PARTITION BY id ORDER BY ts DESC) AS rn FROM dbo.events) "
        "DELETE FROM ranked WHERE rn > 1",
        dialect="tsql",
        portable=False,
        writes={"dbo.events": "delete"},
    ),
    _case(
        "COPY INTO from a blob URL",
        "COPY INTO dbo.sales FROM 'https://acct.blob.core.windows.net/c/sales/'",
        ("https://acct.blob.core.windows.net/c/sales/",),
        ("dbo.sales",),
        dialect="tsql",
    ),
    _case(
        "MERGE with OUTPUT-free clauses",
        "MERGE dbo.target AS t USING dbo.source AS s ON t.id = s.id "
        "WHEN MATCHED THEN UPDATE SET t.v = s.v WHEN NOT MATCHED BY TARGET THEN INSERT (id, v) VALUES (s.id, s.v) "
        "WHEN NOT MATCHED BY SOURCE THEN DELETE;",
        ("dbo.source",),
        ("dbo.target",),
        dialect="tsql",
    ),
    _case(
        "an assignment-style alias is not a table",
        "INSERT INTO dbo.labels SELECT Label = 'x', Code = ProductCode FROM Production.Product",
        ("production.product",),
        ("dbo.labels",),
        dialect="tsql",
    ),
    _case(
        "CROSS APPLY of a subquery reads its table",
        "SELECT c.id, o.total FROM dbo.customers c CROSS APPLY "
        "(SELECT TOP 1 total FROM dbo.orders WHERE customer_id = c.id ORDER BY ts DESC) o",
        ("dbo.customers", "dbo.orders"),
        dialect="tsql",
    ),
]

REDSHIFT_CASES = [
    _case(
        "COPY FROM S3 reads the path",
        "COPY analytics.events FROM 's3://landing/events/' IAM_ROLE 'arn:aws:iam::1:role/r' FORMAT AS JSON 'auto'",
        ("s3://landing/events/",),
        ("analytics.events",),
        dialect="redshift",
    ),
    _case(
        "UNLOAD reads its query and writes the path",
        "UNLOAD ('SELECT * FROM analytics.orders WHERE status = ''paid''') TO 's3://exports/paid_' "
        "IAM_ROLE 'arn:aws:iam::1:role/r'",
        ("analytics.orders",),
        ("s3://exports/paid_",),
        dialect="redshift",
    ),
    _case(
        "ALTER TABLE APPEND FROM moves rows from the other table",
        "ALTER TABLE analytics.events APPEND FROM analytics.events_staging",
        ("analytics.events_staging",),
        ("analytics.events",),
        dialect="redshift",
    ),
    _case(
        "SELECT INTO writes the new table",
        "SELECT * INTO analytics.snap FROM analytics.live",
        ("analytics.live",),
        ("analytics.snap",),
        dialect="redshift",
    ),
    _case(
        "CREATE TABLE AS with distribution keys",
        "CREATE TABLE analytics.big DISTKEY(id) SORTKEY(ts) AS SELECT * FROM analytics.small",
        ("analytics.small",),
        ("analytics.big",),
        dialect="redshift",
    ),
    _case(
        "CREATE TEMP TABLE then read makes it intermediate",
        "CREATE TEMP TABLE t AS SELECT * FROM analytics.src; INSERT INTO analytics.dst SELECT * FROM t;",
        ("analytics.src",),
        ("t", "analytics.dst"),
        ("t",),
        dialect="redshift",
    ),
]

ATHENA_TRINO_CASES = [
    _case(
        "CREATE TABLE WITH properties AS SELECT",
        "CREATE TABLE lake.bucketed WITH (bucketed_by = ARRAY['id'], bucket_count = 8) AS SELECT * FROM lake.raw",
        ("lake.raw",),
        ("lake.bucketed",),
        dialect="athena",
    ),
    _case(
        "UNLOAD of a bare query writes its location",
        "UNLOAD (SELECT * FROM lake.orders WHERE year = 2024) TO 's3://exports/orders/' WITH (format = 'PARQUET')",
        ("lake.orders",),
        ("s3://exports/orders/",),
        dialect="athena",
    ),
    _case(
        "CROSS JOIN UNNEST is not a table",
        "SELECT id, tag FROM lake.items CROSS JOIN UNNEST(tags) AS t (tag)",
        ("lake.items",),
        dialect="athena",
    ),
    _case(
        "UNNEST WITH ORDINALITY over VALUES reads nothing",
        "SELECT n, i FROM (VALUES (ARRAY[1, 2])) AS x (nums) CROSS JOIN UNNEST(nums) WITH ORDINALITY AS t (n, i)",
        dialect="athena",
    ),
    _case(
        "INSERT INTO a catalog-qualified table",
        "INSERT INTO hive.mart.daily SELECT * FROM iceberg.raw.daily",
        ("iceberg.raw.daily",),
        ("hive.mart.daily",),
        dialect="trino",
    ),
    _case(
        "CREATE TABLE AS with properties",
        "CREATE TABLE iceberg.mart.t WITH (format = 'PARQUET') AS SELECT * FROM iceberg.raw.t",
        ("iceberg.raw.t",),
        ("iceberg.mart.t",),
        dialect="trino",
    ),
    _case(
        "CROSS JOIN UNNEST of a column",
        "SELECT e.id, x FROM hive.raw.events e CROSS JOIN UNNEST(e.values) AS u (x)",
        ("hive.raw.events",),
        dialect="trino",
    ),
    _case(
        "double-quoted names keep their case",
        'SELECT * FROM "Lake"."Raw Events"',
        ("Lake.Raw Events",),
        dialect="trino",
    ),
    _case(
        "MERGE INTO with a subquery",
        "MERGE INTO mart.users t USING (SELECT * FROM raw.users WHERE ok) s ON t.id = s.id "
        "WHEN MATCHED THEN UPDATE SET name = s.name",
        ("raw.users",),
        ("mart.users",),
        dialect="trino",
    ),
]

ORACLE_CASES = [
    _case("DUAL is not a table", "SELECT sysdate FROM dual", dialect="oracle"),
    _case(
        "EXCHANGE PARTITION reads the other table",
        "ALTER TABLE sales EXCHANGE PARTITION p2024 WITH TABLE sales_2024_load",
        ("sales_2024_load",),
        ("sales",),
        dialect="oracle",
    ),
    _case(
        "a procedure with declarations is analysed",
        "CREATE OR REPLACE PROCEDURE load_sales IS v_count NUMBER; BEGIN "
        "INSERT INTO sales SELECT * FROM sales_stage; UPDATE sales_log SET n = 1; END;",
        ("sales_stage",),
        ("sales",),
        dialect="oracle",
        portable=False,
        writes={"sales": "insert", "sales_log": "update"},
    ),
    _case(
        "MERGE INTO with USING a table",
        "MERGE INTO emp e USING emp_updates u ON (e.id = u.id) WHEN MATCHED THEN UPDATE SET e.sal = u.sal",
        ("emp_updates",),
        ("emp",),
        dialect="oracle",
    ),
    _case(
        "CREATE TABLE AS SELECT",
        "CREATE TABLE hr.emp_copy AS SELECT * FROM hr.emp WHERE dept = 10",
        ("hr.emp",),
        ("hr.emp_copy",),
        dialect="oracle",
    ),
    _case(
        "quoted upper-case names keep their case",
        'SELECT * FROM "HR"."EMP"',
        ("HR.EMP",),
        dialect="oracle",
    ),
]

CLICKHOUSE_CASES = [
    _case(
        "the s3 table function reads its URL",
        "INSERT INTO db.events SELECT * FROM s3('https://bucket.s3.amazonaws.com/events/*.csv', 'CSVWithNames')",
        ("https://bucket.s3.amazonaws.com/events/*.csv",),
        ("db.events",),
        dialect="clickhouse",
    ),
    _case(
        "the file table function reads its path",
        "SELECT * FROM file('exports/users.tsv', 'TSV')",
        ("exports/users.tsv",),
        dialect="clickhouse",
    ),
    _case(
        "INSERT INTO FUNCTION s3 writes the URL",
        "INSERT INTO FUNCTION s3('https://bucket.s3.amazonaws.com/out.parquet', 'Parquet') SELECT * FROM db.daily",
        ("db.daily",),
        ("https://bucket.s3.amazonaws.com/out.parquet",),
        dialect="clickhouse",
    ),
    _case("numbers() is not a table", "SELECT number FROM numbers(10)", dialect="clickhouse"),
    _case(
        "a materialized view TO a table writes that table",
        "CREATE MATERIALIZED VIEW db.mv_hits TO db.hits_daily AS SELECT toDate(ts) AS d, count() AS n FROM db.hits GROUP BY d",
        ("db.hits",),
        ("db.mv_hits", "db.hits_daily"),
        dialect="clickhouse",
    ),
    _case(
        "CREATE TABLE with an engine AS SELECT",
        "CREATE TABLE db.agg ENGINE = MergeTree ORDER BY k AS SELECT k, count() AS n FROM db.raw GROUP BY k",
        ("db.raw",),
        ("db.agg",),
        dialect="clickhouse",
    ),
    _case(
        "ARRAY JOIN is not a table",
        "SELECT id, tag FROM db.items ARRAY JOIN tags AS tag",
        ("db.items",),
        dialect="clickhouse",
    ),
]

SQLITE_CASES = [
    _case(
        "double-quoted names",
        'SELECT * FROM "main"."Track"',
        ("main.Track",),
        dialect="sqlite",
    ),
    _case(
        "CREATE TABLE AS SELECT",
        "CREATE TABLE IF NOT EXISTS artists_copy AS SELECT * FROM artists",
        ("artists",),
        ("artists_copy",),
        dialect="sqlite",
    ),
    _case(
        "UPDATE with a correlated subquery",
        "UPDATE albums SET n_tracks = (SELECT count(*) FROM tracks WHERE tracks.album_id = albums.id)",
        ("tracks",),
        ("albums",),
        dialect="sqlite",
    ),
    _case(
        "a recursive CTE over a table",
        "WITH RECURSIVE chain(id) AS (SELECT id FROM roots UNION ALL SELECT e.child FROM edges e JOIN chain c ON e.parent = c.id) "
        "SELECT * FROM chain",
        ("roots", "edges"),
        dialect="sqlite",
    ),
    _case(
        "a temporary table pipeline",
        "CREATE TEMP TABLE t AS SELECT * FROM invoices WHERE total > 10; SELECT count(*) FROM t;",
        ("invoices",),
        ("t",),
        ("t",),
        dialect="sqlite",
    ),
]

EXTRA_CASES = [
    _case(
        "Vertica SWAP_PARTITIONS_BETWEEN_TABLES reads the staging table",
        "SELECT SWAP_PARTITIONS_BETWEEN_TABLES('staging_sales', '2024-01', '2024-02', 'sales')",
        ("staging_sales",),
        ("sales",),
    ),
    _case(
        "a wide star join over many tables reads them all",
        "SELECT * FROM f JOIN d1 ON f.a = d1.a JOIN d2 ON f.b = d2.b JOIN d3 ON f.c = d3.c "
        "JOIN d4 ON f.d = d4.d LEFT JOIN d5 ON f.e = d5.e",
        ("f", "d1", "d2", "d3", "d4", "d5"),
    ),
    _case(
        "a subquery alias shadowing a table name is not a table",
        "SELECT orders.n FROM (SELECT count(*) AS n FROM raw_orders) AS orders",
        ("raw_orders",),
    ),
    _case(
        "INSERT into a quoted target keeps its case",
        'INSERT INTO "Reports"."Daily" SELECT * FROM staging.daily',
        ("staging.daily",),
        ("Reports.Daily",),
        dialect="postgres",
    ),
    _case(
        "a correlated subquery's outer alias is not a table",
        "SELECT * FROM orders o WHERE total > (SELECT avg(total) FROM orders i WHERE i.region = o.region)",
        ("orders",),
    ),
    _case(
        "GROUPING SETS do not add tables",
        "SELECT region, product, sum(x) FROM sales GROUP BY GROUPING SETS ((region), (product), ())",
        ("sales",),
    ),
    _case(
        "a PIVOT reads its source",
        "SELECT * FROM quarterly PIVOT (sum(amount) FOR quarter IN ('Q1', 'Q2')) AS p",
        ("quarterly",),
        dialect="snowflake",
    ),
    _case(
        "QUALIFY does not add tables",
        "SELECT * FROM events QUALIFY row_number() OVER (PARTITION BY id ORDER BY ts DESC) = 1",
        ("events",),
        dialect="snowflake",
    ),
    _case(
        "a script mixing DDL and DML",
        "CREATE TABLE IF NOT EXISTS mart.kpi (d DATE, n INT);\n"
        "DELETE FROM mart.kpi WHERE d = current_date;\n"
        "INSERT INTO mart.kpi SELECT current_date, count(*) FROM raw.hits;\n"
        "SELECT * FROM mart.kpi ORDER BY d DESC LIMIT 7;",
        ("raw.hits",),
        ("mart.kpi",),
        ("mart.kpi",),
        portable=False,
    ),
]

TABLE_CASES: tuple[TableCase, ...] = tuple(
    SELECT_CASES
    + CTE_CASES
    + INSERT_CASES
    + CREATE_CASES
    + UPDATE_DELETE_MERGE_CASES
    + DDL_CASES
    + FILE_CASES
    + SCRIPT_CASES
    + POSTGRES_CASES
    + BIGQUERY_CASES
    + SNOWFLAKE_CASES
    + SPARK_CASES
    + DATABRICKS_CASES
    + HIVE_CASES
    + DUCKDB_CASES
    + MYSQL_CASES
    + TSQL_CASES
    + REDSHIFT_CASES
    + ATHENA_TRINO_CASES
    + ORACLE_CASES
    + CLICKHOUSE_CASES
    + SQLITE_CASES
    + EXTRA_CASES
)
