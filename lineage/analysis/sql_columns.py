"""Column lineage: which source columns feed which target columns, and how.

Per statement: parse (sqlglot), expand lateral alias references, qualify tables and
columns with sqlglot's optimizer (stars expanded when a schema is given), build the
scope tree once, then trace every output column of the statement's query down
through CTEs, derived tables, set operations and scalar subqueries to the physical
table columns it is computed from. Only the columns a value is computed from count
(the select list, including window ``PARTITION BY``/``ORDER BY``), not those that
only filter or join.

Conventions:

- ``source`` and ``target`` are ``"table.column"`` with tables named as in
  `table_lineage` (dotted as written, unquoted parts lower-cased).
- The target table is the one the statement writes (INSERT, CTAS, CREATE VIEW,
  ``SELECT … INTO``, UPDATE, MERGE). A bare SELECT writes no table: its targets
  are the bare output column names (``target="total"``, no dot).
- A target column is named by the INSERT/CREATE VIEW column list, else (INSERT
  without a list) by the target's column order in ``schema``, else by the output
  name: its alias, the column it passes through (``x::int`` is ``x``), or the
  expression's SQL text (``max(x)``).
- ``SELECT *`` is expanded when ``schema`` knows the tables (or the star reads a
  CTE or subquery whose columns are known); otherwise it gives ``src.* → tgt.*``.
- ``transformation``: ``identity`` when the value is the source column unchanged
  at every step, ``aggregate`` when it passes through an aggregate function
  (also as a window function), ``transform`` otherwise. One edge per
  (source, target) pair, with the strongest transformation seen.
- Unqualified columns resolve to the only source, or to the source whose known
  columns contain them; a column no rule resolves is left out.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.schema import MappingSchema

from lineage.analysis.budget import BudgetExceeded, check
from lineage.analysis.sql_column_trace import stronger, trace_statement, unwrap_query
from lineage.analysis.sql_column_unions import TRACE_ERRORS, wide_union_outputs
from lineage.analysis.sql_names import identifier_name, table_names
from lineage.analysis.sql_split import as_text, get_dialect, iter_statements, resolve_dialect
from lineage.analysis.types import ColumnEdge


def column_lineage(
    sql: str, dialect: str | None = None, schema: Mapping[str, Any] | None = None
) -> list[ColumnEdge]:
    """Column-to-column lineage of a SQL statement or script.

    Args:
        sql: one statement or a script.
        dialect: sqlglot dialect name; None for sqlglot's generic dialect.
        schema: table columns in sqlglot's mapping shape, ``{"table": {"col": "type"}}``
            or nested ``{"db": {"table": {...}}}`` (dotted keys ``{"db.table": ...}`` and
            lists of column names work too);
            used to expand ``*``, resolve unqualified columns and name INSERT targets.

    Returns:
        Edges in statement and select-list order, one per (source, target) pair.
        Never raises: statements that cannot be parsed or traced give no edges; past
        the block's work budget (`budget`), the edges traced so far (the budget
        records the cut, for the caller's note).

    Examples:
        >>> q = ("INSERT INTO mart.daily SELECT o.day, sum(o.amount) AS total "
        ...      "FROM raw.orders o GROUP BY 1")
        >>> for edge in column_lineage(q):
        ...     print(edge.source, "->", edge.target, edge.transformation)
        raw.orders.day -> mart.daily.day identity
        raw.orders.amount -> mart.daily.total aggregate
        >>> column_lineage("SELECT upper(name) AS n FROM users")
        [ColumnEdge(source='users.name', target='n', transformation='transform')]
        >>> column_lineage("SELECT * FROM t", schema={"t": {"a": "int"}})
        [ColumnEdge(source='t.a', target='a', transformation='identity')]
    """
    edges: dict[tuple[str, str], str] = {}
    try:
        dialect_name = resolve_dialect(dialect)
        _column_lineage(as_text(sql), dialect_name, schema, edges)
    except BudgetExceeded:
        pass  # out of time: what was traced so far
    except Exception:
        return []
    return [ColumnEdge(s, t, k) for (s, t), k in edges.items()]  # type: ignore[arg-type]


def _column_lineage(
    sql: str, dialect: str | None, schema: Mapping[str, Any] | None, edges: dict
) -> None:
    mapping = _mapping_schema(schema, dialect)
    for parsed in iter_statements(sql, dialect):
        for expression in parsed.expressions:
            statements = list(_flatten(expression))
            is_single = len(parsed.expressions) == 1 and len(statements) == 1
            for statement in statements:
                # a tree to retry on if qualification fails half way (see trace_statement)
                backup = None if is_single else statement.copy()
                try:
                    found = _statement_edges(statement, dialect, mapping, True)
                except _TRACE_ERRORS:
                    fresh = _reparse(parsed.sql, dialect) if is_single else backup
                    try:
                        found = _statement_edges(fresh, dialect, mapping, False) if fresh else []
                    except _TRACE_ERRORS:
                        continue
                for source, target, kind in found:
                    key = (source, target)
                    edges[key] = stronger(edges.get(key, "identity"), kind)
                check(_STEP)  # the budget's checkpoint: one per statement, after it


_STEP = "column lineage"


_TRACE_ERRORS = TRACE_ERRORS


def _reparse(sql: str, dialect: str | None) -> exp.Expr | None:
    try:
        expressions = [e for e in get_dialect(dialect).parse(sql) if e is not None]
    except SqlglotError:
        return None
    return expressions[0] if len(expressions) == 1 else None


def _flatten(expression: exp.Expr) -> Iterator[exp.Expr]:
    """Statements inside procedure bodies and blocks, in order."""
    if isinstance(expression, exp.Block):
        for inner in expression.expressions:
            yield from _flatten(inner)
    elif isinstance(expression, (exp.IfBlock, exp.WhileBlock)):
        for key in ("true", "false", "body"):
            branch = expression.args.get(key)
            if isinstance(branch, exp.Expr):
                yield from _flatten(branch)
    elif isinstance(expression, exp.Create) and str(expression.args.get("kind")).upper() == (
        "PROCEDURE"
    ):
        if isinstance(expression.expression, exp.Expr):
            yield from _flatten(expression.expression)
    else:
        yield expression


def _mapping_schema(schema: Mapping[str, Any] | None, dialect: str | None) -> MappingSchema:
    if not schema:
        return MappingSchema(dialect=dialect)
    # dotted keys nested first; tables of mixed depths cannot nest, so then as given
    for shape in (_nest_dotted, dict):
        try:
            return MappingSchema(_typed(shape(schema)), dialect=dialect)
        except (SqlglotError, ValueError, TypeError, AttributeError):
            continue
    return MappingSchema(dialect=dialect)


def _nest_dotted(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``{"db.t": cols}`` as sqlglot's nested ``{"db": {"t": cols}}``."""
    nested: dict[str, Any] = {}
    for key, value in schema.items():
        parts = str(key).split(".") if isinstance(key, str) else [key]
        node = nested
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return nested


def _typed(node: Any) -> Any:
    """Accept ``{"t": ["a", "b"]}`` and ``None`` types as well as sqlglot's shape."""
    if isinstance(node, Mapping):
        if node and all(not isinstance(v, (Mapping, list, tuple)) for v in node.values()):
            return {k: (v if isinstance(v, str) and v else "UNKNOWN") for k, v in node.items()}
        return {k: _typed(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return {str(c): "UNKNOWN" for c in node}
    return node


# ---------------------------------------------------------------- statements


def _statement_edges(
    stmt: exp.Expr, dialect: str | None, schema: MappingSchema, qualify_columns: bool
) -> list[tuple[str, str, str]]:
    if isinstance(stmt, exp.Update):
        return _update_edges(stmt, dialect, schema, qualify_columns)
    if isinstance(stmt, exp.Merge):
        return _merge_edges(stmt, dialect, schema, qualify_columns)
    target_table: exp.Table | None = None
    target_columns: list[str] = []
    if isinstance(stmt, exp.Insert):
        query = stmt.expression
        target_table, target_columns = _target(stmt.this)
    elif isinstance(stmt, exp.Create):
        if not _is_table_kind(stmt.args.get("kind")):
            return []
        target_table, target_columns = _target(stmt.this)
        query = unwrap_query(stmt.expression)
        if not isinstance(query, exp.Query):
            _remember_columns(stmt, target_table, schema)
            return []
    elif isinstance(stmt, exp.Query):
        query = stmt
        into = stmt.find(exp.Into)
        if into is not None and into.parent_select is not None:
            target_table = _target(into.this)[0]
    else:
        return []
    query = unwrap_query(query)
    if not isinstance(query, exp.Query):
        return []
    target_name = ""
    if target_table is not None:
        names = table_names(target_table)
        target_name = names[0] if names else ""
    if not target_columns and target_table is not None and isinstance(stmt, exp.Insert):
        target_columns = _schema_columns(target_table, schema, dialect)
    outputs = wide_union_outputs(stmt, query, dialect, schema, qualify_columns)
    if outputs is None:
        outputs = trace_statement(stmt, query, dialect, schema, qualify_columns)
    edges = []
    for index, (out_name, leaves) in enumerate(outputs):
        column = out_name
        if target_columns and out_name != "*" and index < len(target_columns):
            column = target_columns[index]
        target = f"{target_name}.{column}" if target_name else column
        for table, source_column, kind in leaves:
            edges.append((f"{table}.{source_column}", target, kind))
    if target_table is not None and isinstance(stmt, exp.Create):
        columns = target_columns or [name for name, _ in outputs if name != "*"]
        _remember(schema, target_table, columns)
    return edges


def _is_table_kind(kind: object) -> bool:
    text = str(kind or "").upper()
    return "TABLE" in text or "VIEW" in text


def _target(node: exp.Expr | None) -> tuple[exp.Table | None, list[str]]:
    """The written table and its explicit column list (``INSERT INTO t (a, b)``)."""
    columns: list[str] = []
    if isinstance(node, exp.Schema):
        for col in node.expressions:
            ident = col.this if isinstance(col, exp.ColumnDef) else col
            name = identifier_name(ident) if isinstance(ident, exp.Identifier) else None
            if name:
                columns.append(name)
        node = node.this
    return (node if isinstance(node, exp.Table) else None), columns


def _schema_columns(table: exp.Table, schema: MappingSchema, dialect: str | None) -> list[str]:
    if schema.empty:
        return []
    try:
        names = schema.column_names(table, dialect=dialect)
    except (SqlglotError, KeyError, ValueError, AttributeError):
        return []
    return [n.lower() for n in names]


def _remember_columns(stmt: exp.Create, table: exp.Table | None, schema: MappingSchema) -> None:
    """``CREATE TABLE t (a int, …)`` tells later statements of the script t's columns."""
    if table is None or not isinstance(stmt.this, exp.Schema):
        return
    columns = [
        identifier_name(d.this)
        for d in stmt.this.expressions
        if isinstance(d, exp.ColumnDef) and isinstance(d.this, exp.Identifier)
    ]
    _remember(schema, table, [c for c in columns if c])


def _remember(schema: MappingSchema, table: exp.Table, columns: list[str]) -> None:
    if not columns or any(c == "*" for c in columns):
        return
    # a depth mismatch with the caller's schema leaves the columns unknown
    with contextlib.suppress(SqlglotError, ValueError, KeyError, AttributeError):
        schema.add_table(table.copy(), {c: "UNKNOWN" for c in columns})


def _detach(source: exp.Expr) -> tuple[exp.Expr, list[exp.Join]]:
    """A copy of a FROM item and the joins sqlglot hung on it (MySQL/UPDATE … FROM)."""
    copy = source.copy()
    joins = copy.args.get("joins") or []
    if joins:
        copy.set("joins", None)
    return copy, [j.copy() for j in joins]


def _pseudo_select(
    pairs: list[tuple[str, exp.Expr]], sources: list[exp.Expr], on: exp.Expr | None = None
) -> exp.Select:
    """``SELECT rhs AS "0", … FROM sources`` whose outputs are the assigned values."""
    select = exp.Select(
        expressions=[
            exp.alias_(value.copy(), exp.to_identifier(str(i), quoted=True))
            for i, (_, value) in enumerate(pairs)
        ]
    )
    joins: list[exp.Join] = []
    first = True
    for source in sources:
        item, extra = _detach(source)
        if first:
            select.set("from_", exp.From(this=item))
            first = False
        else:
            kind = {"on": on.copy()} if on is not None and len(joins) == 0 else {"kind": "CROSS"}
            joins.append(exp.Join(this=item, **kind))
        joins.extend(extra)
    if joins:
        select.set("joins", joins)
    return select


def _assignment_edges(
    target: exp.Table,
    pairs: list[tuple[str, exp.Expr]],
    select: exp.Select,
    dialect: str | None,
    schema: MappingSchema,
    qualify_columns: bool,
) -> list[tuple[str, str, str]]:
    names = table_names(target)
    if not names or not pairs:
        return []
    outputs = trace_statement(select, select, dialect, schema, qualify_columns)
    edges = []
    for (column, _), (_, leaves) in zip(pairs, outputs, strict=False):
        for table, source_column, kind in leaves:
            edges.append((f"{table}.{source_column}", f"{names[0]}.{column}", kind))
    return edges


def _set_pairs(assignments: list[exp.Expr]) -> list[tuple[str, exp.Expr]]:
    pairs = []
    for eq in assignments:
        if isinstance(eq, exp.EQ) and isinstance(eq.this, exp.Column):
            name = (
                identifier_name(eq.this.this) if isinstance(eq.this.this, exp.Identifier) else None
            )
            if name:
                pairs.append((name, eq.expression))
    return pairs


def _update_edges(
    stmt: exp.Update, dialect: str | None, schema: MappingSchema, qualify_columns: bool
) -> list[tuple[str, str, str]]:
    """``UPDATE t SET a = s.x FROM s``: ``s.x → t.a`` (also T-SQL and MySQL join forms)."""
    target = stmt.this
    if not isinstance(target, exp.Table):
        return []
    pairs = _set_pairs(stmt.expressions)
    from_ = stmt.args.get("from_")
    sources: list[exp.Expr] = []
    written = target
    bare = table_names(target)
    in_from = False
    if isinstance(from_, exp.From):
        candidates = [from_.this, *[j.this for j in (from_.this.args.get("joins") or [])]]
        for cand in candidates:
            alias = cand.args.get("alias") if isinstance(cand, exp.Table) else None
            alias_name = identifier_name(alias.this) if isinstance(alias, exp.TableAlias) else None
            if isinstance(cand, exp.Table) and (
                (bare and alias_name == bare[0]) or table_names(cand) == bare
            ):
                written, in_from = cand, True
    if not in_from:
        sources.append(target)
    if isinstance(from_, exp.From):
        sources.append(from_.this)
    select = _with_ctes(_pseudo_select(pairs, sources), stmt)
    return _assignment_edges(written, pairs, select, dialect, schema, qualify_columns)


def _with_ctes(select: exp.Select, stmt: exp.Expr) -> exp.Select:
    """``WITH c AS (…) UPDATE t … FROM c``: the pseudo select sees the statement's CTEs."""
    with_ = stmt.args.get("with_")
    if isinstance(with_, exp.With):
        select.set("with_", with_.copy())
    return select


def _merge_edges(
    stmt: exp.Merge, dialect: str | None, schema: MappingSchema, qualify_columns: bool
) -> list[tuple[str, str, str]]:
    """``MERGE INTO t USING s … UPDATE SET v = s.v … INSERT (k) VALUES (s.k)``."""
    target = stmt.this
    using = stmt.args.get("using")
    if not isinstance(target, exp.Table) or using is None:
        return []
    pairs: list[tuple[str, exp.Expr]] = []
    whens = stmt.args.get("whens")
    for when in whens.expressions if isinstance(whens, exp.Whens) else []:
        then = when.args.get("then")
        if isinstance(then, exp.Update):
            pairs.extend(_set_pairs(then.expressions))
        elif isinstance(then, exp.Insert):
            columns = then.this.expressions if isinstance(then.this, exp.Tuple) else []
            values = then.expression.expressions if isinstance(then.expression, exp.Tuple) else []
            for column, value in zip(columns, values, strict=False):
                if isinstance(column, exp.Column) and isinstance(column.this, exp.Identifier):
                    pairs.append((identifier_name(column.this) or column.name, value))
    select = _with_ctes(_pseudo_select(pairs, [using, target], stmt.args.get("on")), stmt)
    return _assignment_edges(target, pairs, select, dialect, schema, qualify_columns)
