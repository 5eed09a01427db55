"""SQL found inside Python, and the tables and files Python reads and writes."""

from __future__ import annotations

import pytest

from lineage.analysis.python import analyze_code
from lineage.analysis.sql_text import looks_like_sql
from lineage.analysis.table_names import normalize_table


def _sql(source: str, role: str, dialect: str | None, reads: set[str], writes: set[str], case: str):
    return pytest.param(source, role, dialect, frozenset(reads), frozenset(writes), id=case)


SQL_CASES = [
    # --- Spark
    _sql(
        "df = spark.sql('SELECT * FROM db.events')",
        "spark.sql",
        "spark",
        {"db.events"},
        set(),
        "spark.sql with a literal",
    ),
    _sql(
        'spark.sql("INSERT OVERWRITE TABLE gold.d SELECT * FROM silver.d")',
        "spark.sql",
        "spark",
        {"silver.d"},
        {"gold.d"},
        "spark.sql that writes",
    ),
    _sql(
        "sqlContext.sql('SELECT a FROM t')",
        "spark.sql",
        "spark",
        {"t"},
        set(),
        "the old SQLContext",
    ),
    _sql(
        "s = SparkSession.builder.getOrCreate()\ns.sql('SELECT 1 FROM x')",
        "spark.sql",
        "spark",
        {"x"},
        set(),
        "a session built in the block",
    ),
    # --- pandas / polars
    _sql(
        "df = pd.read_sql('SELECT * FROM sales', con)",
        "read_sql",
        None,
        {"sales"},
        set(),
        "pd.read_sql",
    ),
    _sql(
        "df = pd.read_sql_query(sql='SELECT * FROM s.t', con=engine)",
        "read_sql",
        None,
        {"s.t"},
        set(),
        "read_sql_query with keywords",
    ),
    _sql(
        "df = pl.read_database('SELECT * FROM t', connection=conn)",
        "read_sql",
        None,
        {"t"},
        set(),
        "polars read_database",
    ),
    _sql(
        "df = wr.athena.read_sql_query('SELECT * FROM logs', database='raw')",
        "read_sql",
        "athena",
        {"logs"},
        set(),
        "awswrangler Athena",
    ),
    # --- DB-API and SQLAlchemy
    _sql(
        "cur.execute('DELETE FROM staging.rows WHERE ok')",
        "execute",
        None,
        set(),
        set(),  # a DELETE changes its table without data flow (see write_kinds)
        "cursor.execute",
    ),
    _sql(
        "conn.execute('UPDATE t SET a = 1 FROM u WHERE t.id = u.id')",
        "execute",
        None,
        {"u"},
        {"t"},
        "conn.execute with UPDATE FROM",
    ),
    _sql(
        "cur.executemany('INSERT INTO logs VALUES (%s, %s)', rows)",
        "execute",
        None,
        set(),
        {"logs"},
        "executemany with pyformat parameters",
    ),
    _sql(
        "c = sqlite3.connect('x.db')\nc.executescript('CREATE TABLE a (x INT); DROP TABLE b')",
        "execute",
        "sqlite",
        set(),
        {"a"},
        "executescript with several statements",
    ),
    _sql(
        "conn = psycopg2.connect(dsn)\ncur = conn.cursor()\ncur.execute('SELECT * FROM p')",
        "execute",
        "postgres",
        {"p"},
        set(),
        "the dialect follows the connection",
    ),
    _sql(
        "e = create_engine('snowflake://acct/db')\ne.connect().execute('SELECT * FROM w')",
        "execute",
        "snowflake",
        {"w"},
        set(),
        "the dialect follows the engine URL",
    ),
    _sql(
        "stmt = sqlalchemy.text('SELECT * FROM accounts')",
        "sqlalchemy.text",
        None,
        {"accounts"},
        set(),
        "sqlalchemy.text",
    ),
    _sql(
        "session.execute(text('DELETE FROM old'))",
        "execute",
        None,
        set(),
        set(),
        "text() inside execute is reported once",
    ),
    # --- DuckDB
    _sql(
        "duckdb.sql('SELECT * FROM read_parquet(\\'data/x.parquet\\')')",
        "duckdb.sql",
        "duckdb",
        {"data/x.parquet"},
        set(),
        "duckdb.sql reading a file",
    ),
    _sql(
        "duckdb.query('CREATE TABLE x AS SELECT * FROM y')",
        "duckdb.query",
        "duckdb",
        {"y"},
        {"x"},
        "duckdb.query",
    ),
    _sql(
        "con = duckdb.connect('w.db')\ncon.sql('SELECT * FROM core.users')",
        "duckdb.sql",
        "duckdb",
        {"core.users"},
        set(),
        "a DuckDB connection's sql()",
    ),
    _sql(
        "con.execute('INSERT INTO t SELECT * FROM s').df()",
        "execute",
        None,
        {"s"},
        {"t"},
        "con.execute chained",
    ),
    # --- BigQuery and Snowflake
    _sql(
        "job = client.query('SELECT * FROM `proj.ds.t`')",
        "client.query",
        "bigquery",
        {"proj.ds.t"},
        set(),
        "BigQuery client.query",
    ),
    _sql(
        "df = bq.query('SELECT 1 FROM ds.a').to_dataframe()",
        "client.query",
        "bigquery",
        {"ds.a"},
        set(),
        "a bq client",
    ),
    _sql(
        "rows = client.query_and_wait('SELECT * FROM ds.b')",
        "client.query",
        "bigquery",
        {"ds.b"},
        set(),
        "query_and_wait",
    ),
    _sql(
        "df = pandas_gbq.read_gbq('SELECT * FROM ds.src', project_id='p')",
        "read_gbq",
        "bigquery",
        {"ds.src"},
        set(),
        "pandas_gbq.read_gbq with SQL",
    ),
    _sql(
        "s = Session.builder.configs(cfg).create()\ns.sql('SELECT * FROM sf.t')",
        "snowpark.sql",
        "snowflake",
        {"sf.t"},
        set(),
        "a Snowpark session",
    ),
    # --- Airflow hooks
    _sql(
        "df = hook.get_pandas_df('SELECT * FROM ops.jobs')",
        "execute",
        None,
        {"ops.jobs"},
        set(),
        "an Airflow hook",
    ),
]


@pytest.mark.parametrize(("source", "role", "dialect", "reads", "writes"), SQL_CASES)
def test_it_finds_sql_run_from_python(source, role, dialect, reads, writes):
    analysis = analyze_code(source)

    assert analysis.error is None
    assert len(analysis.sql) == 1
    statement = analysis.sql[0]
    assert (statement.role, statement.dialect) == (role, dialect)
    assert analysis.reads == reads
    assert analysis.writes == writes


def _io(source: str, reads: set[str], writes: set[str], case: str):
    return pytest.param(source, frozenset(reads), frozenset(writes), id=case)


IO_CASES = [
    # --- pandas writes and reads
    _io("df.to_sql('daily', engine)", set(), {"daily"}, "to_sql writes a table"),
    _io(
        "df.to_sql('Daily_Sales', engine, schema='Mart')",
        set(),
        {"mart.daily_sales"},
        "to_sql with a schema, lower-cased like SQL",
    ),
    _io("df.to_sql(name='t', con=c, if_exists='append')", set(), {"t"}, "to_sql by keyword"),
    _io(
        "df = pd.read_sql_table('users', engine, schema='core')",
        {"core.users"},
        set(),
        "read_sql_table reads a table",
    ),
    _io("df = pd.read_sql('users', engine)", {"users"}, set(), "read_sql of a table name"),
    _io("df = pd.read_csv('data/raw.csv')", {"data/raw.csv"}, set(), "read_csv reads a file"),
    _io(
        "df = pd.read_parquet('s3://bucket/events/')",
        {"s3://bucket/events/"},
        set(),
        "read_parquet keeps URIs verbatim",
    ),
    _io("df = pd.read_excel(io='Budget.xlsx')", {"Budget.xlsx"}, set(), "paths keep their case"),
    _io("df.to_parquet('out/result.parquet')", set(), {"out/result.parquet"}, "to_parquet"),
    _io("df.to_csv('report.csv', index=False)", set(), {"report.csv"}, "to_csv"),
    _io("text = df.to_csv()", set(), set(), "to_csv without a path writes nothing"),
    _io("df = pd.read_table('data/x.tsv')", {"data/x.tsv"}, set(), "pandas read_table is a file"),
    _io("df = pd.read_json(f'{base}/x.json')", set(), set(), "an unknown path is not guessed"),
    _io(
        "base = 'data'\ndf = pd.read_csv(f'{base}/x.csv')",
        {"data/x.csv"},
        set(),
        "a path built from a known literal",
    ),
    _io("df = pd.read_csv(Path('data') / 'x.csv')", {"data/x.csv"}, set(), "pathlib joins"),
    _io("df = pd.read_csv(os.path.join('data', 'x.csv'))", {"data/x.csv"}, set(), "os.path.join"),
    _io(
        "pandas_gbq.to_gbq(df, 'ds.scores', project_id='p')",
        set(),
        {"ds.scores"},
        "pandas_gbq.to_gbq",
    ),
    _io("df.to_gbq('ds.scores', if_exists='replace')", set(), {"ds.scores"}, "DataFrame.to_gbq"),
    _io("df = pd.read_gbq('ds.table')", {"ds.table"}, set(), "read_gbq of a table id"),
    # --- Spark
    _io(
        "df.write.mode('overwrite').saveAsTable('mart.daily')", set(), {"mart.daily"}, "saveAsTable"
    ),
    _io("df.write.insertInto('db.t', overwrite=True)", set(), {"db.t"}, "insertInto"),
    _io("df.writeTo('cat.db.t').createOrReplace()", set(), {"cat.db.t"}, "DataFrameWriterV2"),
    _io("df = spark.table('raw.events')", {"raw.events"}, set(), "spark.table"),
    _io("df = spark.read.table('raw.events')", {"raw.events"}, set(), "spark.read.table"),
    _io(
        "df = spark.read.parquet('/mnt/raw/a', '/mnt/raw/b')",
        {"/mnt/raw/a", "/mnt/raw/b"},
        set(),
        "spark.read.parquet of several paths",
    ),
    _io(
        "df = spark.read.format('csv').option('header', True).load('/mnt/x.csv')",
        {"/mnt/x.csv"},
        set(),
        "format().load()",
    ),
    _io(
        "df.write.format('delta').mode('append').save('/mnt/gold/x')",
        set(),
        {"/mnt/gold/x"},
        "format().save()",
    ),
    _io("df.write.parquet('s3://b/out')", set(), {"s3://b/out"}, "write.parquet"),
    _io(
        "df = spark.read.format('jdbc').option('dbtable', 'public.users').load()",
        {"public.users"},
        set(),
        "a JDBC table option",
    ),
    _io(
        "df = spark.read.jdbc(url, 'public.orders', properties=p)",
        {"public.orders"},
        set(),
        "read.jdbc",
    ),
    _io("df.createOrReplaceTempView('recent')", set(), set(), "a temp view is local, no table"),
    _io("df.createGlobalTempView('g')", set(), set(), "a global temp view is local too"),
    _io("dt = DeltaTable.forName(spark, 'db.target')", {"db.target"}, set(), "DeltaTable"),
    _io(
        "q = df.writeStream.format('delta').option('checkpointLocation', c).start('/mnt/s')",
        set(),
        {"/mnt/s"},
        "a streaming sink",
    ),
    _io("df = ps.read_table('db.t')", {"db.t"}, set(), "pyspark.pandas read_table is a table"),
    # --- DuckDB, polars, BigQuery client, files
    _io(
        "rel = duckdb.read_parquet('data/*.parquet')",
        {"data/*.parquet"},
        set(),
        "duckdb.read_parquet",
    ),
    _io("con.register('frame_view', df)", set(), set(), "a registered frame is local, no table"),
    _io("rel.write_parquet('out.parquet')", set(), {"out.parquet"}, "relation write_parquet"),
    _io("lf = pl.scan_parquet('lake/*.parquet')", {"lake/*.parquet"}, set(), "polars scan"),
    _io("df.write_database(table_name='t', connection=uri)", set(), {"t"}, "polars write"),
    _io("client.load_table_from_dataframe(df, 'p.d.t')", set(), {"p.d.t"}, "BigQuery load"),
    _io(
        "client.load_table_from_uri('gs://b/x.csv', 'd.t')",
        {"gs://b/x.csv"},
        {"d.t"},
        "BigQuery load from a URI",
    ),
    _io(
        "with open('config.yaml') as fh:\n    cfg = yaml.safe_load(fh)",
        {"config.yaml"},
        set(),
        "open for reading",
    ),
    _io(
        "with open('out.txt', 'w') as fh:\n    fh.write(s)", set(), {"out.txt"}, "open for writing"
    ),
    _io("joblib.dump(model, 'model.pkl')", set(), {"model.pkl"}, "joblib.dump"),
    _io("model = joblib.load('model.pkl')", {"model.pkl"}, set(), "joblib.load"),
    _io("np.save('arr.npy', a)", set(), {"arr.npy"}, "np.save"),
    _io(
        "@dlt.table(name='clean_events')\ndef clean():\n    return dlt.read('raw_events')",
        {"raw_events"},
        {"clean_events"},
        "Delta Live Tables",
    ),
    # --- look-alikes that are not table or file I/O
    _io("shell.events.register('post_execute', hook)", set(), set(), "an event registry"),
    _io("img.save(target, 'PNG')", set(), set(), "a format string is not a path"),
    _io("rows = json.load(fh)", set(), set(), "json.load of a file object"),
    _io("value = cache.table", set(), set(), "an attribute named table"),
    _io("t = pa.table({'a': [1]})", set(), set(), "pyarrow.table builds data in memory"),
    _io("resp.json()", set(), set(), "a JSON response is not a file"),
    # --- read after write within the block
    _io(
        "df.to_sql('t', con)\nback = pd.read_sql('SELECT * FROM t', con)",
        set(),
        {"t"},
        "a table the block wrote is not read from elsewhere",
    ),
    _io(
        "x = spark.table('t')\nx.write.saveAsTable('t')",
        {"t"},
        {"t"},
        "reading then overwriting the same table",
    ),
]


@pytest.mark.parametrize(("source", "reads", "writes"), IO_CASES)
def test_it_finds_tables_and_files_python_reads_and_writes(source, reads, writes):
    analysis = analyze_code(source)

    assert analysis.error is None
    assert analysis.reads == reads
    assert analysis.writes == writes


STRING_CASES = [
    pytest.param("q = 'SELECT * FROM a'\nspark.sql(q)", "SELECT * FROM a", id="a variable"),
    pytest.param(
        "q = '''\n  SELECT *\n  FROM a\n'''\nspark.sql(q)",
        "SELECT *\n  FROM a",
        id="a triple-quoted variable, stripped",
    ),
    pytest.param(
        "t = 'db.a'\nspark.sql(f'SELECT * FROM {t} WHERE x > 1')",
        "SELECT * FROM db.a WHERE x > 1",
        id="an f-string with a known name",
    ),
    pytest.param(
        "spark.sql('SELECT * FROM ' + 'db.a')", "SELECT * FROM db.a", id="a concatenation"
    ),
    pytest.param(
        "q = 'SELECT * FROM a'\nq += ' WHERE b = 1'\nspark.sql(q)",
        "SELECT * FROM a WHERE b = 1",
        id="augmented concatenation",
    ),
    pytest.param(
        "spark.sql('SELECT * FROM {} WHERE d = {day}'.format('db.a', day=3))",
        "SELECT * FROM db.a WHERE d = 3",
        id="str.format",
    ),
    pytest.param(
        "spark.sql('SELECT * FROM %s' % 'db.a')", "SELECT * FROM db.a", id="percent formatting"
    ),
    pytest.param(
        "spark.sql(textwrap.dedent('''\n    SELECT 1 FROM a\n'''))",
        "SELECT 1 FROM a",
        id="dedent",
    ),
    pytest.param(
        "spark.sql(f'SELECT * FROM t WHERE d = {day}')",
        "SELECT * FROM t WHERE d = __day__",
        id="an unknown f-string part becomes a placeholder",
    ),
    pytest.param(
        "def load(day):\n    q = f'SELECT * FROM t WHERE d = {day}'\n    return spark.sql(q)",
        "SELECT * FROM t WHERE d = __day__",
        id="a literal inside a function",
    ),
]


@pytest.mark.parametrize(("source", "sql"), STRING_CASES)
def test_it_resolves_sql_built_from_literals(source, sql):
    statements = analyze_code(source).sql

    assert [s.sql for s in statements] == [sql]


def test_a_table_name_only_known_at_run_time_lowers_confidence():
    analysis = analyze_code("spark.sql(f'SELECT * FROM {schema}.orders')")

    assert analysis.reads == frozenset()
    assert analysis.confidence == "low"
    assert analysis.uses == {"spark", "schema"}


def test_sql_in_an_unresolvable_variable_is_not_invented():
    analysis = analyze_code("df = spark.sql(query)")

    assert analysis.sql == ()
    assert analysis.uses == {"spark", "query"}


def test_dataframe_query_is_not_sql():
    analysis = analyze_code("adults = df.query('age > 30 and city == \"Paris\"')")

    assert analysis.sql == ()


def test_a_statement_records_its_line_and_result_variable():
    analysis = analyze_code(
        "import pandas as pd\n\nsales = pd.read_sql(\n    'SELECT * FROM sales', con\n)"
    )

    (statement,) = analysis.sql
    assert (statement.line, statement.variable) == (3, "sales")


def test_several_statements_keep_their_order():
    analysis = analyze_code(
        "cur.execute('CREATE TABLE tmp AS SELECT * FROM src')\n"
        "cur.execute('INSERT INTO final SELECT * FROM tmp')"
    )

    assert [s.line for s in analysis.sql] == [1, 2]
    assert analysis.reads == {"src"}
    assert analysis.writes == {"tmp", "final"}


def test_sql_text_assigned_with_text_is_reported_once():
    analysis = analyze_code("q = text('SELECT * FROM t')\nconn.execute(q)")

    assert [s.role for s in analysis.sql] == ["sqlalchemy.text"]
    assert analysis.reads == {"t"}


def test_pyformat_parameters_are_made_parseable():
    analysis = analyze_code("cur.execute('SELECT * FROM t WHERE id = %(id)s AND x = %s', p)")

    assert analysis.sql[0].sql == "SELECT * FROM t WHERE id = :id AND x = ?"
    assert analysis.reads == {"t"}


def test_sql_inside_a_function_is_found():
    analysis = analyze_code(
        "def refresh(con):\n    con.execute('INSERT INTO mart.x SELECT * FROM raw.y')"
    )

    assert analysis.reads == {"raw.y"}
    assert analysis.writes == {"mart.x"}


def test_unparseable_sql_is_scanned_with_low_confidence():
    analysis = analyze_code("spark.sql('SELECT FROM WHERE users ((')")

    assert analysis.error is None
    assert len(analysis.sql) == 1
    assert analysis.confidence == "low"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT 1", True),
        ("  with x as (select 1) select * from x", True),
        ("-- comment\nINSERT INTO t VALUES (1)", True),
        ("/* c */ (SELECT 1)", True),
        ("age > 30", False),
        ("select_columns", False),
        ("Hello world", False),
        ("SET search_path = x", True),
        ("set of values", False),
        ("FROM tbl SELECT a", True),
    ],
)
def test_it_recognises_text_that_looks_like_sql(text, expected):
    assert looks_like_sql(text) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Sales.Daily", "sales.daily"),
        ('raw."MixedCase"', "raw.MixedCase"),
        ("`proj.ds`.t", "proj.ds.t"),
        ("[dbo].[Orders]", "dbo.Orders"),
        ("data/Raw.csv", "data/Raw.csv"),
    ],
)
def test_it_normalises_table_names_like_sql(name, expected):
    assert normalize_table(name) == expected


def test_an_exported_deepnote_sql_block_is_read_as_sql():
    source = (
        "df_1 = _dntk.execute_sql(\n"
        "  'CREATE OR REPLACE TABLE analytics.daily AS SELECT * FROM raw.invoices',\n"
        "  'SQL_6F1C9A52',\n"
        "  return_variable_type='dataframe'\n"
        ")\n"
        "df_1"
    )

    analysis = analyze_code(source)

    assert analysis.uses == frozenset()
    assert analysis.reads == {"raw.invoices"}
    assert analysis.writes == {"analytics.daily"}
    assert analysis.sql[0].variable == "df_1"
