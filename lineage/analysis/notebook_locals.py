"""Notebook-local table names: what a block's SQL reads or makes that is the notebook's
own, not the warehouse's.

Three kinds of names never reach the warehouse: DataFrames that SQL reads by name
(DuckDB's replacement scans; Deepnote's SQL on DataFrames runs on DuckDB), DataFrames
registered under a name (``con.register("frame", df)``) and temp views (Spark's
``createOrReplaceTempView``), and temporary tables and views created by SQL. The block
analyses say which names each block makes local (`CodeAnalysis.locals`) and which
unqualified names its SQL could resolve to a DataFrame (`CodeAnalysis.frame_reads`);
`build_dag` then resolves every read against the nearest earlier definition.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .table_names import normalize_table
from .types import TableName

# Where SQL runs on DuckDB, or on an engine not known: an unqualified name may be a frame.
_FRAME_DIALECTS = frozenset({"duckdb"})
# How SQL was found, for statements whose dialect is unknown: these may run on DuckDB
# (``duckdb.sql``, ``con.execute`` on a connection made in another block, ``mo.sql``,
# jupysql's ``%sql``, a SQL block without a known connection); the others never do.
_FRAME_ROLES = frozenset(
    {"sql-block", "duckdb.sql", "duckdb.query", "sql", "query", "execute", "magic"}
)
_TEMPORARY = re.compile(
    r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?TEMP(?:ORARY)?\s+"
    r"(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?((?:[`\"\[]?[\w$]+[`\"\]]?\.)*[`\"\[]?[\w$]+[`\"\]]?)",
    re.IGNORECASE,
)


def sees_frames(dialect: str | None, role: str) -> bool:
    """Whether SQL run this way resolves an unqualified table name to a DataFrame.

    Examples:
        >>> sees_frames("duckdb", "execute"), sees_frames(None, "execute")
        (True, True)
        >>> sees_frames("postgres", "sql-block"), sees_frames(None, "read_sql")
        (False, False)
    """
    if dialect is not None:
        return dialect in _FRAME_DIALECTS
    return role in _FRAME_ROLES


def frame_names(tables: Iterable[TableName]) -> frozenset[TableName]:
    """The names among ``tables`` that could be a variable: unqualified, not a path.

    Examples:
        >>> sorted(frame_names(["users", "raw.events", "data/x.csv", "s3://b/k"]))
        ['users']
    """
    return frozenset(t for t in tables if t.isidentifier())


def temporary_tables(sql: str) -> frozenset[TableName]:
    """Tables and views a statement creates as temporary (session-local).

    Examples:
        >>> sorted(temporary_tables("CREATE OR REPLACE TEMP TABLE erase AS SELECT 1"))
        ['erase']
        >>> sorted(temporary_tables("create temporary view Recent as select 1"))
        ['recent']
        >>> temporary_tables("CREATE TABLE mart.t AS SELECT 1")
        frozenset()
    """
    if "temp" not in sql.lower():
        return frozenset()
    return frozenset(normalize_table(match) for match in _TEMPORARY.findall(sql))
