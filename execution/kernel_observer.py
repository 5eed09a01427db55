"""What a run's kernel really did to the warehouse, block by block: runtime lineage.

Like ``kernel_runtime``, this file's source is sent to the kernel and executed there, as
the module ``_tributary_observer``; it imports nothing of Tributary. ``install()`` sets up:

- DuckDB: every connection opened through ``duckdb.connect`` (and the default one that
  ``duckdb.sql`` uses) keeps DuckDB's own query log, so that every statement counts,
  however the notebook ran it (``con.execute``, ``duckdb.sql``, ``%sql``, SQL blocks);
- PostgreSQL: psycopg cursors record each statement they execute;
- pandas: ``DataFrame.to_sql`` records the table it writes and how (``if_exists``).

After each cell (IPython's ``post_run_cell``) what was recorded is filed under the
cell's execution count; ``collect()`` prints everything filed since the last call as
one JSON line after ``MARKER``, and forgets it. The server analyses the statements.
"""

from __future__ import annotations

import importlib.abc
import json
import sys
import weakref
from typing import Any

MARKER = "__tributary_observed__ "
# The kernel keeps at most this many statements per cell, and this many characters each.
MAX_STATEMENTS = 500
MAX_SQL_CHARS = 20_000

_state: dict[str, Any] = {
    "installed": False,
    "connections": [],  # weak references to DuckDB connections that keep a query log
    "pending": [],  # statements and writes since the cell started
    "filed": {},  # execution count -> what the cell did
}


def install() -> None:
    """Start observing (once per kernel; later calls do nothing)."""
    if _state["installed"]:
        return
    _state["installed"] = True
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.events.register("post_run_cell", _file_cell)
    for name in ("duckdb", "psycopg", "pandas"):
        if name in sys.modules:
            _PATCHES[name](sys.modules[name])
    sys.meta_path.insert(0, _PatchOnImport())


def collect() -> None:
    """Print what the cells did since the last call (one JSON line), and forget it."""
    _file_cell(None)
    filed, _state["filed"] = _state["filed"], {}
    print(MARKER + json.dumps({str(count): done for count, done in filed.items()}))


def _record(kind: str, engine: str, text: str, **extra: Any) -> None:
    pending = _state["pending"]
    if len(pending) < MAX_STATEMENTS:
        pending.append({"kind": kind, "engine": engine, "text": text[:MAX_SQL_CHARS], **extra})


def _file_cell(result: Any) -> None:
    _read_duckdb_logs()
    pending, _state["pending"] = _state["pending"], []
    count = getattr(result, "execution_count", None) if result is not None else None
    if pending and count is not None:
        _state["filed"].setdefault(count, []).extend(pending)


# -- DuckDB ---------------------------------------------------------------------------------------

_LOG_QUERY = "SELECT message FROM duckdb_logs WHERE type = 'QueryLog' ORDER BY timestamp"


def _patch_duckdb(duckdb: Any) -> None:
    if getattr(duckdb.connect, "_tributary_observed", False):
        return
    original = duckdb.connect

    def connect(*args: Any, **kwargs: Any):
        con = original(*args, **kwargs)
        _keep_log(con)
        return con

    connect.__doc__ = original.__doc__
    connect._tributary_observed = True
    duckdb.connect = connect
    default = getattr(duckdb, "default_connection", None)  # not in old DuckDBs
    if callable(default):
        _keep_log(default())


def _keep_log(con: Any) -> None:
    try:
        con.execute("CALL enable_logging('QueryLog')")
        con.execute("CALL truncate_duckdb_logs()")
    except Exception:
        return  # a DuckDB without query logs: nothing recorded for it
    _state["connections"].append(weakref.ref(con))


def _read_duckdb_logs() -> None:
    alive = []
    for ref in _state["connections"]:
        con = ref()
        if con is None:
            continue
        try:
            rows = con.execute(_LOG_QUERY).fetchall()
            con.execute("CALL truncate_duckdb_logs()")
        except Exception:
            continue  # closed
        alive.append(ref)
        for (message,) in rows:
            text = str(message or "").strip()
            if text and text != _LOG_QUERY and "duckdb_logs" not in text:
                _record("sql", "duckdb", text)
    _state["connections"] = alive


# -- PostgreSQL (psycopg 3) -----------------------------------------------------------------------


def _patch_psycopg(psycopg: Any) -> None:
    cursor = getattr(psycopg, "Cursor", None)
    if cursor is None or getattr(cursor.execute, "_tributary_observed", False):
        return
    execute, executemany = cursor.execute, cursor.executemany

    def observed_execute(self, query, *args: Any, **kwargs: Any):
        done = execute(self, query, *args, **kwargs)
        _record("sql", "postgres", _query_text(query, self))
        return done

    def observed_executemany(self, query, *args: Any, **kwargs: Any):
        done = executemany(self, query, *args, **kwargs)
        _record("sql", "postgres", _query_text(query, self))
        return done

    observed_execute._tributary_observed = True
    cursor.execute, cursor.executemany = observed_execute, observed_executemany


def _query_text(query: Any, cursor: Any) -> str:
    if isinstance(query, bytes):
        return query.decode("utf-8", "replace")
    if isinstance(query, str):
        return query
    try:
        return query.as_string(cursor.connection)
    except Exception:
        return str(query)


# -- pandas ---------------------------------------------------------------------------------------


def _patch_pandas(pandas: Any) -> None:
    frame = getattr(pandas, "DataFrame", None)
    if frame is None or getattr(frame.to_sql, "_tributary_observed", False):
        return
    to_sql = frame.to_sql

    def observed_to_sql(self, name, con, *args: Any, **kwargs: Any):
        done = to_sql(self, name, con, *args, **kwargs)
        schema = kwargs.get("schema")
        table = f"{schema}.{name}" if schema else str(name)
        _record("write", _engine_of(con), table, mode=kwargs.get("if_exists", "fail"))
        return done

    observed_to_sql._tributary_observed = True
    frame.to_sql = observed_to_sql


def _engine_of(con: Any) -> str:
    module = type(con).__module__ or ""
    for engine in ("duckdb", "psycopg", "sqlite3", "sqlalchemy"):
        if module.startswith(engine):
            return "postgres" if engine == "psycopg" else engine
    url = str(getattr(con, "url", ""))
    return url.split(":", 1)[0].split("+", 1)[0] if url else "unknown"


_PATCHES = {"duckdb": _patch_duckdb, "psycopg": _patch_psycopg, "pandas": _patch_pandas}


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Patches duckdb, psycopg and pandas the moment a cell first imports them."""

    def find_spec(self, fullname: str, path: Any, target: Any = None):
        if fullname not in _PATCHES:
            return None
        sys.meta_path.remove(self)
        try:
            import importlib.util

            spec = importlib.util.find_spec(fullname)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        exec_module = loader.exec_module

        def patched_exec(module: Any) -> None:
            exec_module(module)
            _PATCHES[fullname](module)

        loader.exec_module = patched_exec
        return spec
