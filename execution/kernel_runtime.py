"""What Tributary puts into a kernel before a run: SQL blocks, settings, the warehouse lock.

This file's source is sent to the kernel and executed there as the module
``_tributary_kernel`` (the kernel has none of our packages on its path); it imports
nothing of Tributary and is importable here for its tests. The kernel's namespace gets
one name, ``__tributary__``, which the generated code of SQL blocks calls.

- ``sql(source)``: a Deepnote SQL block. ``{{ expr }}`` is rendered by Jinja in the
  kernel's namespace and bound as a query parameter, never pasted into the text, as
  Deepnote does; the statement runs on the warehouse (``TRIBUTARY_WAREHOUSE``) and its
  rows come back as a DataFrame (None for a statement without rows).
- ``%load_ext sql`` when jupysql is not installed: a minimal ``%sql`` / ``%%sql [var <<]``
  on the warehouse (or the connection named by ``%sql con``), ``{{ var }}`` substituted as
  text as jupysql does, results as DataFrames; ``%config SqlMagic...`` is accepted.
- DuckDB lets one process at a time open a file for writing. ``duckdb.connect`` waits
  for a lock held by another run instead of failing at once, and ``release()``, called
  when a run ends in a warm kernel, closes the warehouse connections the notebook left
  in its namespace and puts ``LazyConnection`` handles in their place, which reopen the
  file on first use. Temporary tables and registered views do not survive that.
"""

from __future__ import annotations

import os
import time
from typing import Any

WAREHOUSE_ENV = "TRIBUTARY_WAREHOUSE"
LOCK_WAIT_S = 60.0

_state: dict[str, Any] = {"connection": None, "original_connect": None}


def configure(env: dict[str, str]) -> None:
    """Set the run's environment (a remote gateway may have dropped it) and patch DuckDB."""
    os.environ.update(env)
    _patch_duckdb_connect()
    _offer_sql_magics()


def _namespace() -> dict[str, Any]:
    from IPython import get_ipython

    shell = get_ipython()
    return shell.user_ns if shell is not None else globals()


def _patch_duckdb_connect() -> None:
    try:
        import duckdb
    except ImportError:
        return
    if _state["original_connect"] is not None:
        return
    original = duckdb.connect
    _state["original_connect"] = original

    def connect(*args: Any, **kwargs: Any):
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                return original(*args, **kwargs)
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    connect.__doc__ = original.__doc__
    duckdb.connect = connect


def _warehouse():
    con = _state["connection"]
    if con is None:
        import duckdb

        path = os.environ.get(WAREHOUSE_ENV)
        if not path:
            raise RuntimeError(f"No warehouse: {WAREHOUSE_ENV} is not set for this kernel")
        con = duckdb.connect(path)
        _state["connection"] = con
    return con


def render_sql(source: str, namespace: dict[str, Any]) -> tuple[str, list[Any]]:
    """The SQL text with each ``{{ expr }}`` replaced by ``?``, and the values to bind.

    Examples:
        >>> render_sql("SELECT * FROM t WHERE id = {{ key }} AND p = {{ p }}", {"key": 3, "p": "x"})
        ('SELECT * FROM t WHERE id = ? AND p = ?', [3, 'x'])
    """
    if "{{" not in source and "{%" not in source:
        return source, []
    import jinja2

    params: list[Any] = []

    def bind(value: Any) -> str:
        params.append(value)
        return "?"

    env = jinja2.Environment(finalize=bind, undefined=jinja2.StrictUndefined, autoescape=False)
    return env.from_string(source).render(namespace), params


def sql(source: str) -> Any:
    """Run a SQL block on the warehouse; its rows as a DataFrame, or None."""
    text, params = render_sql(source, _namespace())
    return _fetch(_warehouse().execute(text, params or None))


class LazyConnection:
    """A DuckDB connection closed between runs; reopens its file on first use."""

    def __init__(self, database: str, read_only: bool = False) -> None:
        self._database = database
        self._read_only = read_only
        self._con = None

    def _open(self):
        if self._con is None:
            import duckdb

            self._con = duckdb.connect(self._database, read_only=self._read_only)
        return self._con

    def __getattr__(self, name: str) -> Any:
        return getattr(self._open(), name)

    def __enter__(self):
        return self._open().__enter__()

    def __exit__(self, *exc_info: Any) -> Any:
        return self._open().__exit__(*exc_info)

    def __repr__(self) -> str:
        return f"<LazyConnection {self._database!r}>"

    def release(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


def release() -> int:
    """Close every warehouse file connection the namespace holds; returns how many."""
    try:
        import duckdb
    except ImportError:
        return 0
    closed = 0
    _state.pop("sql_connection", None)  # a namespace connection, released below
    con, _state["connection"] = _state["connection"], None
    if con is not None:
        con.close()
        closed += 1
    namespace = _namespace()
    # One connection may sit under several names (``con``, and ``_``/``_5`` when a block
    # showed it): find every file first, then close each once and give all its names the
    # same handle.
    handles: dict[int, LazyConnection | None] = {}
    found = []
    for name, value in list(namespace.items()):
        if isinstance(value, LazyConnection):
            value.release()
        elif isinstance(value, duckdb.DuckDBPyConnection):
            if id(value) not in handles:
                path, read_only = _file_of(value)
                # None: in memory (holds no lock) or already closed.
                handles[id(value)] = None if path is None else LazyConnection(path, read_only)
            found.append((name, value))
    for name, value in found:
        handle = handles[id(value)]
        if handle is not None:
            namespace[name] = handle
    for value in {id(v): v for _, v in found if handles[id(v)] is not None}.values():
        value.close()
        closed += 1
    return closed


def _file_of(con) -> tuple[str | None, bool]:
    try:
        row = con.execute(
            "SELECT path, readonly FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchone()
    except Exception:  # a closed connection, or an old DuckDB
        return None, False
    if row is None or not row[0] or row[0] == ":memory:":
        return None, False
    return str(row[0]), bool(row[1])


# -- %sql, when jupysql is not there ------------------------------------------------------------


def _offer_sql_magics() -> None:
    import importlib.util
    import sys
    import types

    if "sql" in sys.modules or importlib.util.find_spec("sql") is not None:
        return
    module = types.ModuleType("sql")
    module.__doc__ = "Tributary's stand-in for jupysql's %sql magics"
    module.load_ipython_extension = _load_sql_extension
    sys.modules["sql"] = module


def _load_sql_extension(shell) -> None:
    shell.register_magic_function(_sql_magic, magic_kind="line_cell", magic_name="sql")


def _sql_magic(line: str, cell: str | None = None) -> Any:
    import duckdb

    namespace = _namespace()
    words = line.split()
    if cell is None:
        named = namespace.get(words[0]) if words else None
        if isinstance(named, duckdb.DuckDBPyConnection | LazyConnection):
            _state["sql_connection"] = named  # `%sql con --alias name`
            return None
        return _fetch(_sql_connection().execute(_render_text(line, namespace)))
    target = None
    if len(words) >= 2 and words[1] == "<<":
        target, words = words[0], words[2:]
    if words:
        raise ValueError(f"%%sql options {' '.join(words)!r} are not supported here")
    result = _fetch(_sql_connection().execute(_render_text(cell, namespace)))
    if target:
        namespace[target] = result
        return None
    return result


def _sql_connection():
    return _state.get("sql_connection") or _warehouse()


def _render_text(sql_text: str, namespace: dict[str, Any]) -> str:
    if "{{" not in sql_text and "{%" not in sql_text:
        return sql_text
    import jinja2

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    return env.from_string(sql_text).render(namespace)


def _fetch(relation) -> Any:
    return None if relation.description is None else relation.df()
