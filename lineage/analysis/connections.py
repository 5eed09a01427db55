"""Which SQL dialect a Python connection, session or client object speaks.

Recognised from the constructor (``duckdb.connect()``, ``psycopg2.connect()``,
``create_engine("postgresql://...")``, ``SparkSession.builder...``) when the block
creates it, else guessed from conventional variable names (``spark``, ``bq_client``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

# Connector modules, classes and URL schemes -> sqlglot dialect.
CONNECTOR_DIALECTS: dict[str, str] = {
    "duckdb": "duckdb",
    "psycopg2": "postgres",
    "psycopg": "postgres",
    "asyncpg": "postgres",
    "pg8000": "postgres",
    "postgresql": "postgres",
    "postgres": "postgres",
    "sqlite3": "sqlite",
    "sqlite": "sqlite",
    "pymysql": "mysql",
    "mysqldb": "mysql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "pyodbc": "tsql",
    "pymssql": "tsql",
    "mssql": "tsql",
    "redshift_connector": "redshift",
    "redshift": "redshift",
    "trino": "trino",
    "prestodb": "presto",
    "presto": "presto",
    "pyathena": "athena",
    "awsathena": "athena",
    "athena": "athena",
    "cx_oracle": "oracle",
    "oracledb": "oracle",
    "oracle": "oracle",
    "clickhouse_connect": "clickhouse",
    "clickhouse_driver": "clickhouse",
    "clickhouse": "clickhouse",
    "sparksession": "spark",
    "sparkcontext": "spark",
    "sqlcontext": "spark",
    "hivecontext": "hive",
    "pyhive": "hive",
    "hive": "hive",
    "databricks": "databricks",
    "teradatasql": "teradata",
    "teradata": "teradata",
}


_URL_SCHEME_RE = re.compile(r"^\s*([A-Za-z][\w]*)(?:\+[\w]+)?://")


def connection_dialect(value: ast.AST, dialect_of_name: Callable[[str], str | None]) -> str | None:
    """The dialect of the connection a constructor call creates, when recognisable.

    Looks at the names along the call chain (``duckdb.connect()``,
    ``SparkSession.builder...getOrCreate()``, ``engine.connect()``) and at URL
    arguments (``create_engine("postgresql://...")``).

    Examples:
        >>> import ast
        >>> connection_dialect(ast.parse("duckdb.connect('w.db')", mode="eval").body, {}.get)
        'duckdb'
        >>> engine = ast.parse("create_engine('mssql+pyodbc://x')", mode="eval").body
        >>> connection_dialect(engine, {}.get)
        'tsql'
    """
    names: list[str] = []
    node = value
    while True:
        kind = type(node)
        if kind is ast.Call:
            args = node.args  # type: ignore[attr-defined]
            if args and type(args[0]) is ast.Constant and "://" in str(args[0].value):
                match = _URL_SCHEME_RE.match(args[0].value)
                if match and match.group(1).lower() in CONNECTOR_DIALECTS:
                    return CONNECTOR_DIALECTS[match.group(1).lower()]
            node = node.func  # type: ignore[attr-defined]
        elif kind is ast.Attribute:
            names.append(node.attr)  # type: ignore[attr-defined]
            node = node.value  # type: ignore[attr-defined]
        elif kind is ast.Name:
            names.append(node.id)  # type: ignore[attr-defined]
            inherited = dialect_of_name(node.id)  # type: ignore[attr-defined]
            if inherited:
                return inherited
            break
        else:
            break
    if "builder" in names and "Session" in names:
        return "snowflake"  # snowpark's Session.builder...create()
    for name in names:
        dialect = CONNECTOR_DIALECTS.get(name) or CONNECTOR_DIALECTS.get(name.lower())
        if dialect:
            return dialect
    return None


def name_dialect(name: str) -> str | None:
    """A dialect guessed from a conventional variable name (``spark``, ``bq_client``).

    Examples:
        >>> name_dialect("spark"), name_dialect("bq_client"), name_dialect("mo"), name_dialect("df")
        ('spark', 'bigquery', 'duckdb', None)
    """
    lowered = name.lower()
    if "spark" in lowered or lowered in ("sqlcontext", "sql_context", "sqlc", "hc", "ps"):
        return "spark"
    if "duck" in lowered or lowered in ("mo", "marimo"):  # marimo's mo.sql runs on DuckDB
        return "duckdb"
    if lowered.startswith("bq") or "bigquery" in lowered:
        return "bigquery"
    if lowered.startswith("snow") or lowered == "sf":
        return "snowflake"
    if "athena" in lowered or lowered == "wr":
        return None
    for key in ("sqlite", "postgres", "redshift", "trino", "presto", "mysql", "clickhouse"):
        if key in lowered:
            return CONNECTOR_DIALECTS[key]
    return None
