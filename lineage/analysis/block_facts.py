"""What one block's text says beyond its names and tables: the tables it creates, the
names it makes notebook-local, and what its DDL documents. Pure: sqlglot only.

These depend on the block's text alone, so they are computed once per block content and
kept with its analysis (`BlockFacts`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import sqlglot
from sqlglot import exp

from .sql import table_lineage
from .types import CodeAnalysis, Name, TableName, WriteKind

CommentField = Literal["description", "data_type"]


@dataclass(frozen=True)
class TableComment:
    """What a block's DDL says about a table (``column`` None) or one of its columns."""

    table: TableName
    column: str | None
    field: CommentField
    value: str


# Statements that change an existing table rather than create it: a notebook that only
# inserts into a table (an app appending to an audit table) does not define it.
_MUTATING = {
    "DELETE",
    "UPDATE",
    "INSERT",
    "UPSERT",
    "REPLACE",
    "MERGE",
    "TRUNCATE",
    "ALTER",
    "DROP",
    "COMMENT",
    "GRANT",
}
_FILLING = frozenset({WriteKind.CREATE, WriteKind.OVERWRITE})  # INSERT, MERGE: fill, not define
_FIRST_WORD = re.compile(r"^\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*([A-Za-z]+)", re.S)
_REGISTER = re.compile(r"\.register\(\s*[rRbBuU]?[\"']([A-Za-z_][\w]*)[\"']")
_TEMP = re.compile(
    r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:LOCAL\s+|GLOBAL\s+)?TEMP(?:ORARY)?\s+"
    r"(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?[\"`]?([A-Za-z_][\w]*)",
    re.I,
)


def is_local(name: TableName, local: frozenset[Name]) -> bool:
    """Whether ``name`` means a notebook-local thing (a DataFrame, a registered view, a
    temporary table) rather than a warehouse table: unqualified, and named in ``local``.

    Examples:
        >>> is_local("events", frozenset({"events"})), is_local("raw.events", frozenset({"events"}))
        (True, False)
    """
    return "." not in name and "/" not in name and name in local


def registered_names(source: str, analysis: CodeAnalysis) -> frozenset[Name]:
    """Names a block makes queryable without being warehouse tables: views registered
    with ``con.register``, temporary tables and views.

    Examples:
        >>> sorted(registered_names("con.register('frame', df)", CodeAnalysis()))
        ['frame']
        >>> sorted(registered_names("CREATE TEMP TABLE scratch AS SELECT 1", CodeAnalysis()))
        ['scratch']
    """
    names = {m.lower() for m in _REGISTER.findall(source)}
    names.update(m.lower() for m in _TEMP.findall(source))
    for statement in analysis.sql:
        names.update(m.lower() for m in _TEMP.findall(statement.sql))
    return frozenset(names)


def created_tables(analysis: CodeAnalysis) -> frozenset[TableName]:
    """The tables a block creates or fills, as opposed to ones it only deletes from,
    updates, alters or comments on.

    Examples:
        >>> from lineage.analysis.types import SqlStatement, WriteKind
        >>> def block(sql, writes):
        ...     return CodeAnalysis(writes=frozenset(writes), sql=(SqlStatement(sql, 1, "x"),))
        >>> created_tables(block("UPDATE a.t SET x = s.x FROM s", ["a.t"]))
        frozenset()
        >>> created_tables(block("CREATE TABLE a.t AS SELECT 1", ["a.t"]))
        frozenset({'a.t'})
        >>> created_tables(CodeAnalysis(writes=frozenset({"out/x.parquet"})))
        frozenset({'out/x.parquet'})
        >>> created_tables(CodeAnalysis(
        ...     writes=frozenset({"a", "b"}),
        ...     write_kinds={"a": WriteKind.CREATE, "b": WriteKind.INSERT, "c": WriteKind.DROP}))
        frozenset({'a'})
    """
    writes = set(analysis.writes)
    if not writes:
        return frozenset()
    if analysis.write_kinds:
        kinds = analysis.write_kinds
        return frozenset(t for t in writes if kinds.get(t, WriteKind.INSERT) in _FILLING)
    filled: set[str] = set()
    mutated: set[str] = set()
    for statement in analysis.sql:
        targets = set(table_lineage(statement.sql, statement.dialect).targets)
        match = _FIRST_WORD.match(statement.sql)
        word = match.group(1).upper() if match else ""
        (mutated if word in _MUTATING else filled).update(targets & writes)
    # A table no SQL statement targets is written by Python (to_sql, saveAsTable ...).
    return frozenset((writes & filled) | (writes - filled - mutated))


def table_comments(sql: str, dialect: str | None) -> tuple[TableComment, ...]:
    """``COMMENT ON`` statements and ``CREATE TABLE`` column definitions, as comments.

    Examples:
        >>> [(c.table, c.column, c.value) for c in table_comments(
        ...     "COMMENT ON TABLE core.users IS 'People'", "duckdb")]
        [('core.users', None, 'People')]
        >>> [(c.column, c.field, c.value) for c in table_comments(
        ...     "CREATE TABLE t (id INT COMMENT 'key')", "mysql")]
        [('id', 'data_type', 'INT'), ('id', 'description', 'key')]
    """
    lowered = sql.lower()
    if "comment" not in lowered and "create" not in lowered:
        return ()
    try:
        statements = sqlglot.parse(sql, read=dialect or None)
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError, ValueError):
        return ()
    found: list[TableComment] = []
    for statement in statements:
        if isinstance(statement, exp.Comment):
            found.extend(_comment_on(statement))
        elif isinstance(statement, exp.Create) and isinstance(statement.this, exp.Schema):
            found.extend(_create_columns(statement))
    return tuple(found)


def _table_name(table: exp.Expression) -> str:
    parts = [table.args.get(k) for k in ("catalog", "db", "this")]
    return ".".join(_identifier(p) for p in parts if p is not None)


def _identifier(node: exp.Expression) -> str:
    if isinstance(node, exp.Identifier):
        return node.this if node.quoted else node.this.lower()
    return node.name.lower()


def _comment_on(statement: exp.Comment) -> list[TableComment]:
    text = statement.expression.name if statement.expression is not None else ""
    kind = (statement.args.get("kind") or "").upper()
    target = statement.this
    if kind in ("TABLE", "VIEW") and isinstance(target, exp.Table):
        return [TableComment(_table_name(target), None, "description", text)]
    if kind == "COLUMN" and isinstance(target, exp.Column) and target.args.get("table"):
        parts = [target.args.get(k) for k in ("catalog", "db", "table")]
        table = ".".join(_identifier(p) for p in parts if p is not None)
        return [TableComment(table, _identifier(target.this), "description", text)]
    return []


def _create_columns(statement: exp.Create) -> list[TableComment]:
    schema = statement.this
    table = _table_name(schema.this)
    found: list[TableComment] = []
    for prop in (statement.args.get("properties") or exp.Properties()).expressions:
        if isinstance(prop, exp.SchemaCommentProperty):
            found.append(TableComment(table, None, "description", prop.this.name))
    for column in schema.expressions:
        if not isinstance(column, exp.ColumnDef):
            continue
        name = _identifier(column.this)
        if column.args.get("kind") is not None:
            found.append(TableComment(table, name, "data_type", column.args["kind"].sql().upper()))
        for constraint in column.args.get("constraints") or []:
            if isinstance(constraint.args.get("kind"), exp.CommentColumnConstraint):
                comment = constraint.args["kind"].this.name
                found.append(TableComment(table, name, "description", comment))
    return found
