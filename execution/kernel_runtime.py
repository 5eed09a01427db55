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
  on the warehouse (or the connection named by ``%sql con``: DuckDB, or any DB-API
  connection such as psycopg's), results as DataFrames. ``{{ var }}``, and jupysql's
  older ``{var}`` and ``:var``, are bound as query parameters too, not substituted as
  text as jupysql does (``render_sql`` says how, and how ``| sqlsafe`` pastes a trusted
  table name); ``%config SqlMagic...`` is accepted.
- DuckDB lets one process at a time open a file for writing. ``duckdb.connect`` waits
  for a lock held by another run instead of failing at once, and ``release()``, called
  when a run ends in a warm kernel, closes the warehouse connections the notebook left
  in its namespace and puts ``LazyConnection`` handles in their place, which reopen the
  file on first use. Temporary tables and registered views do not survive that.
"""

from __future__ import annotations

import os
import re
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


def render_sql(
    source: str, namespace: dict[str, Any], *, paramstyle: str = "qmark"
) -> tuple[str, list[Any]]:
    """The SQL text with each ``{{ expr }}`` bound as a query parameter, and the values.

    Jinja renders the template in ``namespace``; every value it prints becomes a
    placeholder (``?`` for DuckDB and SQLite, ``%s`` for psycopg's ``format`` style), as
    jinjasql does. A value inside a string literal (``'{{ name }}'``, jupysql's usual
    spelling) binds as text, the literal split around it. A value where SQL wants a
    name (after ``FROM``, ``JOIN``, ``AS``, ``BY``…, next to a ``.`` or inside a quoted
    name) raises ``SqlTemplateError``, unless the template marks it safe with
    ``| sqlsafe`` (or Jinja's ``| safe``): then its text is pasted as it is. A value in
    a comment is dropped.

    Examples:
        >>> render_sql("SELECT * FROM t WHERE id = {{ key }} AND p = {{ p }}", {"key": 3, "p": "x"})
        ('SELECT * FROM t WHERE id = ? AND p = ?', [3, 'x'])
        >>> render_sql("SELECT '{{ name }}' AS greeting", {"name": "x' --"})
        ('SELECT ? AS greeting', ["x' --"])
        >>> render_sql("SELECT 'Hi %{{ n }}%' LIKE x", {"n": 5}, paramstyle="format")
        ("SELECT ('Hi %%' || %s || '%%') LIKE x", ['5'])
        >>> render_sql("SELECT * FROM {{ t | sqlsafe }}", {"t": "users"})
        ('SELECT * FROM users', [])
        >>> try:
        ...     render_sql("SELECT * FROM {{ t }}", {"t": "users"})
        ... except SqlTemplateError as error:
        ...     print(error)
        {{ t }} is in an identifier position (after FROM): app inputs are bound as query ...
    """
    if paramstyle not in _PLACEHOLDERS:
        raise SqlTemplateError(f"Query parameters in the {paramstyle!r} style are not supported")
    if "{{" not in source and "{%" not in source:
        return source, []
    import jinja2
    import markupsafe

    expressions: list[str] = []

    def mark(match: re.Match[str]) -> str:
        expressions.append(" ".join(match[2].split()))
        return (
            f"{{{{{match[1]} ({match[2]}) | __tributary_bind({len(expressions) - 1}) {match[3]}}}}}"
        )

    values: list[tuple[int, Any]] = []

    def bind(value: Any, index: int) -> str:
        if isinstance(value, jinja2.Undefined):
            str(value)  # StrictUndefined: raises "'name' is undefined"
        if isinstance(value, markupsafe.Markup):
            return str(value)
        values.append((index, value))
        return f"{_MARK}{len(values) - 1}{_MARK}"

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    env.filters["__tributary_bind"] = bind
    env.filters["sqlsafe"] = lambda value: markupsafe.Markup(str(value))
    rendered = env.from_string(_EXPRESSION.sub(mark, source)).render(namespace)
    return _bind_marks(rendered, values, expressions, _PLACEHOLDERS[paramstyle])


class SqlTemplateError(ValueError):
    """A SQL template whose values cannot all be bound as query parameters."""


_MARK = "\x00"
_EXPRESSION = re.compile(r"\{\{(-?)(.*?)(-?)\}\}", re.S)
_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}
# Words after which SQL expects a name, not a value.
_NAME_AFTER = frozenset(
    {"from", "join", "into", "update", "table", "view", "as", "by", "database", "schema"}
)
_WORD_BEFORE = re.compile(r"([A-Za-z_]+)\s*$")


def _bind_marks(
    text: str, values: list[tuple[int, Any]], expressions: list[str], placeholder: str
) -> tuple[str, list[Any]]:
    # Pieces are (is_sql, text): SQL text is %-escaped for the format style (psycopg reads
    # every % once there are parameters), placeholders are not.
    pieces: list[tuple[bool, str]] = []
    params: list[Any] = []

    def read_mark(source: str, position: int) -> tuple[int, int]:
        end = source.index(_MARK, position + 1)
        return int(source[position + 1 : end]), end + 1

    def refuse(number: int, reason: str) -> None:
        expr = expressions[values[number][0]]
        raise SqlTemplateError(
            f"{{{{ {expr} }}}} is in an identifier position ({reason}): app inputs are bound"
            " as query parameters, never pasted into SQL; if this value is trusted, write"
            f" {{{{ {expr} | sqlsafe }}}}"
        )

    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == _MARK:
            number, i = read_mark(text, i)
            before = "".join(t for _, t in pieces[-40:])
            word = _WORD_BEFORE.search(before)
            if before[-1:].isalnum() or before[-1:] in ("_", ".", "$"):
                refuse(number, "part of a name")
            if text[i : i + 1].isalnum() or text[i : i + 1] in ("_", "."):
                refuse(number, "part of a name")
            if word and word[1].lower() in _NAME_AFTER:
                refuse(number, f"after {word[1].upper()}")
            params.append(values[number][1])
            pieces.append((False, placeholder))
        elif char == "'" or (char == "$" and _DOLLAR.match(text, i)):
            close = "'" if char == "'" else _DOLLAR.match(text, i)[0]
            body, end = _literal_body(text, i, close)
            if _MARK not in body:
                pieces.append((True, text[i:end]))
            else:
                pieces += _split_literal(body, values, params, placeholder, read_mark)
            i = end
        elif char in '"`':
            body, end = _literal_body(text, i, char)
            if _MARK in body:
                refuse(read_mark(body, body.index(_MARK))[0], "inside a quoted name")
            pieces.append((True, text[i:end]))
            i = end
        elif text.startswith("--", i) or text.startswith("/*", i):
            end = text.find("\n" if char == "-" else "*/", i + 2)
            end = n if end < 0 else end + (0 if char == "-" else 2)
            # A value in a comment could end the comment with a newline: it is dropped.
            pieces.append((True, _MARKS.sub("", text[i:end])))
            i = end
        else:
            pieces.append((True, char))
            i += 1
    escape = placeholder == "%s" and bool(params)
    sql_text = "".join(t.replace("%", "%%") if escape and is_sql else t for is_sql, t in pieces)
    return sql_text, params


def _split_literal(body, values, params, placeholder, read_mark) -> list[tuple[bool, str]]:
    """A string literal with values in it: the value alone binds as text, else the literal
    becomes a concatenation (``'a%' || ? || '%'``)."""
    parts: list[tuple[bool, str]] = []
    literal, j = "", 0
    while j < len(body):
        if body[j] != _MARK:
            literal += body[j]
            j += 1
            continue
        number, j = read_mark(body, j)
        if literal:
            parts.append((True, _quote(literal)))
        parts.append((False, placeholder))
        params.append(str(values[number][1]))
        literal = ""
    if literal:
        parts.append((True, _quote(literal)))
    if len(parts) == 1:
        return parts
    joined: list[tuple[bool, str]] = [(False, "(")]
    for k, part in enumerate(parts):
        joined += [(False, " || "), part] if k else [part]
    return [*joined, (False, ")")]


_DOLLAR = re.compile(r"\$(?:[A-Za-z_]\w*)?\$")
_MARKS = re.compile(f"{_MARK}\\d+{_MARK}")


def _literal_body(text: str, start: int, close: str) -> tuple[str, int]:
    """The body of the quoted literal at ``start`` (doubled quotes undone) and its end."""
    i = start + len(close)
    body = ""
    while i < len(text):
        if text.startswith(close, i):
            if len(close) == 1 and text.startswith(close, i + 1):
                body += close
                i += 2
                continue
            return body, i + len(close)
        body += text[i]
        i += 1
    return body, i


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql(source: str) -> Any:
    """Run a SQL block on the warehouse; its rows as a DataFrame, or None."""
    return _run_sql(_warehouse(), source, _namespace())


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
    from IPython.core.magic import no_var_expand

    # IPython pastes `{name}` and `$name` into a magic's line before calling it: the values
    # would be text again. jupysql opts out the same way.
    magic = no_var_expand(_sql_magic)
    shell.register_magic_function(magic, magic_kind="line_cell", magic_name="sql")


def _sql_magic(line: str, cell: str | None = None) -> Any:
    namespace = _namespace()
    words = line.split()
    if cell is None:
        named = namespace.get(words[0]) if words else None
        if named is not None and _is_connection(named):
            _state["sql_connection"] = named  # `%sql con --alias name`
            return None
        return _run_sql(_sql_connection(), _jupysql_names(line, namespace), namespace)
    target = None
    if len(words) >= 2 and words[1] == "<<":
        target, words = words[0], words[2:]
    if words:
        raise ValueError(f"%%sql options {' '.join(words)!r} are not supported here")
    result = _run_sql(_sql_connection(), _jupysql_names(cell, namespace), namespace)
    if target:
        namespace[target] = result
        return None
    return result


def _is_connection(value: Any) -> bool:
    import duckdb

    if isinstance(value, duckdb.DuckDBPyConnection | LazyConnection):
        return True
    return callable(getattr(value, "cursor", None)) and callable(getattr(value, "commit", None))


def _sql_connection():
    return _state.get("sql_connection") or _warehouse()


_BRACE_NAME = re.compile(r"(?<!\{)\{([A-Za-z_]\w*)\}(?!\})")
_COLON_NAME = re.compile(r"(?<![:\w\\]):([A-Za-z_]\w*)(?!\w)")


def _jupysql_names(sql_text: str, namespace: dict[str, Any]) -> str:
    """jupysql's older ``{name}`` and ``:name`` spelled ``{{ name }}``, so that they bind
    too (only names the namespace holds: ``x::int`` and struct literals stay)."""

    def spell(match: re.Match[str]) -> str:
        return f"{{{{ {match[1]} }}}}" if match[1] in namespace else match[0]

    return _COLON_NAME.sub(spell, _BRACE_NAME.sub(spell, sql_text))


def _run_sql(con: Any, source: str, namespace: dict[str, Any]) -> Any:
    """``source`` rendered with its values bound, run on ``con`` (DuckDB or DB-API)."""
    import duckdb

    if isinstance(con, duckdb.DuckDBPyConnection | LazyConnection):
        text, params = render_sql(source, namespace)
        try:
            relation = con.execute(text, params or None)
        except duckdb.ParserException as exc:
            if not params:
                raise
            raise SqlTemplateError(
                f"{exc}\n(the ? are app inputs bound as query parameters: a value can stand"
                " for a value, not for a table, column or keyword)"
            ) from None
        return None if relation.description is None else relation.df()
    module = __import__(type(con).__module__.split(".")[0])
    text, params = render_sql(source, namespace, paramstyle=getattr(module, "paramstyle", ""))
    cursor = con.cursor()
    if params:
        cursor.execute(text, params)
    else:
        cursor.execute(text)
    if cursor.description is None:
        return None
    import pandas

    return pandas.DataFrame(cursor.fetchall(), columns=[c[0] for c in cursor.description])
