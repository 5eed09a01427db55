"""SQL run from Python: ``spark.sql``, ``pd.read_sql``, ``cursor.execute``, ``duckdb.sql``...

Recognises the calls that run SQL (``spark.sql``, ``pd.read_sql``/``read_sql_query``,
``cursor.execute``, ``conn.execute``, ``duckdb.sql``/``query``, BigQuery's
``client.query``, ``sqlalchemy.text``, ``pandas_gbq.read_gbq``, Airflow hooks) and
dispatches every other recognised call to `table_io`. The scoping walker calls
`inspect_call` for each call whose name is in `METHOD_NAMES`/`FUNCTION_NAMES`;
findings go back through its `CallSite`. Turning SQL into tables is the
coordinator's job (`lineage.analysis.python`).
"""

from __future__ import annotations

import ast
import re

from . import table_io
from .call_args import (
    CallSite,
    Handler,
    chain_names,
    first_string_arg,
    keyword_arg,
    receiver_root,
    report_table,
)
from .connections import CONNECTOR_DIALECTS
from .sql_text import looks_like_sql

_SQL_KEYWORDS = ("sql", "query", "sqlQuery", "sql_query", "statement", "operation", "stmt")


def _sql_argument(call: ast.Call, site: CallSite, positions: int = 1) -> str | None:
    candidates: list[ast.AST] = []
    keyword = keyword_arg(call, _SQL_KEYWORDS)
    if keyword is not None:
        candidates.append(keyword)
    candidates.extend(call.args[:positions])
    for candidate in candidates:
        text = site.resolve(candidate)
        if text is not None and looks_like_sql(text):
            return text
    return None


def _sql_method(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    sql = _sql_argument(call, site)
    if sql is None:
        return
    dialect = site.dialect_of(receiver) if receiver is not None else None
    root = receiver_root(receiver)
    if dialect is None and root in ("con", "conn", "connection", "db", "ddb", "cx"):
        dialect = "duckdb"  # `.sql()` on a connection is DuckDB's API
    if dialect in ("spark", "databricks", "hive"):
        role = "spark.sql"
    elif dialect == "duckdb":
        role = "duckdb.sql"
    elif dialect == "snowflake":
        role = "snowpark.sql"
    else:
        role = "sql"
    site.found_sql(sql, call, role, dialect)


def _query_method(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    if receiver is None:
        return
    sql = _sql_argument(call, site)
    if sql is None:
        return
    dialect = site.dialect_of(receiver)
    root = (receiver_root(receiver) or "").lower()
    if dialect is None and ("client" in root or root in ("bq", "bigquery")):
        dialect = "bigquery"
    if dialect is None and root in ("con", "conn", "connection", "db", "ddb"):
        dialect = "duckdb"
    if dialect == "duckdb":
        role = "duckdb.query"
    elif dialect == "bigquery" or "client" in root:
        role = "client.query"
    else:
        role = "query"
    site.found_sql(sql, call, role, dialect)


def _execute(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    sql = _sql_argument(call, site)
    if sql is not None:
        dialect = site.dialect_of(receiver) if receiver is not None else None
        site.found_sql(sql, call, "execute", dialect)


def _read_sql(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    # pandas and polars put the query first; connectorx puts the connection first.
    chain = chain_names(receiver)
    dialect = None
    for name in chain:  # awswrangler: wr.athena.read_sql_query, wr.redshift.read_sql_query
        dialect = CONNECTOR_DIALECTS.get(name.lower()) or dialect
    if dialect is None:
        connection = keyword_arg(call, ("con", "connection", "conn", "engine"))
        if connection is None and len(call.args) > 1:
            connection = call.args[1]
        if connection is not None:
            dialect = site.dialect_of(connection)
    sql = _sql_argument(call, site, positions=2)
    if sql is not None:
        site.found_sql(sql, call, "read_sql", dialect)
        return
    # `pd.read_sql("users", engine)` reads a whole table.
    names = first_string_arg(call, site, ("sql", "table_name"))
    if names and re.fullmatch(r"[\w.\"`\[\]]+", names[0]):
        report_table(site, call, names[0], is_write=False)


def _read_gbq(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    texts = first_string_arg(call, site, ("query", "query_or_table"))
    if not texts:
        return
    if looks_like_sql(texts[0]):
        site.found_sql(texts[0], call, "read_gbq", "bigquery")
    else:
        report_table(site, call, texts[0], is_write=False)


def _text(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    if table_io.spark_io(call, receiver, site):  # spark.read.text(path)
        return
    if receiver is not None and receiver_root(receiver) not in ("sqlalchemy", "sa", "sql", "sqla"):
        return
    sql = _sql_argument(call, site)
    if sql is not None:
        site.found_sql(sql, call, "sqlalchemy.text", None)


def _hook_sql(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    # Airflow DB hooks: hook.get_pandas_df(sql), hook.get_records(sql), hook.run(sql)
    if receiver is None:
        return
    chain = chain_names(receiver)
    if call.func.attr == "run" and "notebook" in chain:  # type: ignore[attr-defined]
        # Databricks: dbutils.notebook.run("./other", 60)
        for target in first_string_arg(call, site, ("path",))[:1]:
            site.found_run(target, call)
        return
    sql = _sql_argument(call, site)
    if sql is not None:
        site.found_sql(sql, call, "execute", site.dialect_of(receiver))


_SQL_HANDLERS: dict[str, Handler] = {
    "sql": _sql_method,
    "raw_sql": _execute,
    "query": _query_method,
    "query_and_wait": _query_method,
    "execute": _execute,
    "executemany": _execute,
    "executescript": _execute,
    "exec_driver_sql": _execute,
    "execute_string": _execute,
    "execute_async": _execute,
    "execute_stream": _execute,
    "execute_sql": _execute,  # Deepnote's toolkit, as exported SQL blocks call it
    "read_sql": _read_sql,
    "read_sql_query": _read_sql,
    "read_database": _read_sql,
    "read_database_uri": _read_sql,
    "read_gbq": _read_gbq,
    "text": _text,
    "get_pandas_df": _hook_sql,
    "get_records": _hook_sql,
    "get_first": _hook_sql,
    "run": _hook_sql,
}
_HANDLERS: dict[str, Handler] = {**table_io.HANDLERS, **_SQL_HANDLERS}
_FUNCTION_HANDLERS: dict[str, Handler] = {
    **table_io.FUNCTION_HANDLERS,
    **{name: _SQL_HANDLERS[name] for name in ("read_sql", "read_sql_query", "read_gbq", "text")},
    "read_database": _read_sql,
    "_deepnote_execute_sql": _execute,
}

# Call names that run SQL: an argument built with `text(...)` belongs to them.
SQL_SINKS: frozenset[str] = frozenset(
    name for name, handler in _SQL_HANDLERS.items() if handler is not _text
)
# Names `inspect_call` may recognise: the walker skips every other call cheaply.
METHOD_NAMES: frozenset[str] = frozenset(_HANDLERS)
FUNCTION_NAMES: frozenset[str] = frozenset(_FUNCTION_HANDLERS)


def inspect_call(call: ast.Call, site: CallSite) -> None:
    """Report the SQL, tables and files one call runs, reads or writes.

    Args:
        call: a call node of the block.
        site: resolves strings and dialects, and receives the findings.

    Examples:
        >>> import ast
        >>> from lineage.analysis.connections import name_dialect
        >>> from lineage.analysis.strings import resolve_string
        >>> class Site:
        ...     def resolve(self, node): return resolve_string(node, {}.get)
        ...     def dialect_of(self, node): return name_dialect(getattr(node, "id", ""))
        ...     def found_sql(self, sql, call, role, dialect): print(role, dialect, sql)
        ...     def found_table(self, name, call, *, is_write): print(is_write, name)
        ...     def found_run(self, target, call): print("run", target)
        >>> inspect_call(ast.parse("spark.sql('select * from db.t')").body[0].value, Site())
        spark.sql spark select * from db.t
        >>> inspect_call(ast.parse("df.to_sql('Daily', con, schema='mart')").body[0].value, Site())
        True mart.daily
    """
    func = call.func
    kind = type(func)
    if kind is ast.Attribute:
        handler = _HANDLERS.get(func.attr)  # type: ignore[attr-defined]
        if handler is not None:
            handler(call, func.value, site)  # type: ignore[attr-defined]
    elif kind is ast.Name:
        handler = _FUNCTION_HANDLERS.get(func.id)  # type: ignore[attr-defined]
        if handler is not None:
            handler(call, None, site)
