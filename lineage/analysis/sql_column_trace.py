"""Tracing output columns of a query down to the table columns they come from.

One qualification of the statement (sqlglot's optimizer: tables and columns
qualified, stars expanded when the schema allows), one scope tree, then a walk
from each output column through CTEs, derived tables, set operations, scalar
subqueries and table functions (``UNNEST``, ``LATERAL VIEW``) to physical columns,
remembering whether the value was passed through, transformed or aggregated.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, build_scope, find_all_in_scope
from sqlglot.schema import MappingSchema

from lineage.analysis.budget import check
from lineage.analysis.sql_names import identifier_name, table_names

_STEP = "column lineage"
_RANK: dict[str, int] = {"identity": 0, "transform": 1, "aggregate": 2}
_MAX_TRACE_DEPTH = 64
# Dialects where a select-list alias is not visible to later select-list items.
_NO_LATERAL_ALIAS = frozenset({"oracle"})

Leaf = tuple[str, str, str]  # (table, column, transformation)


def stronger(a: str, b: str) -> str:
    """The stronger of two transformations: aggregate > transform > identity.

    Examples:
        >>> stronger("identity", "aggregate"), stronger("transform", "identity")
        ('aggregate', 'transform')
    """
    return a if _RANK[a] >= _RANK[b] else b


def trace_statement(
    stmt: exp.Expr,
    query: exp.Query,
    dialect: str | None,
    schema: MappingSchema,
    qualify_columns: bool = True,
) -> list[tuple[str, list[Leaf]]]:
    """(output name, leaves) per output column of ``query`` (a part of ``stmt``).

    A leaf is ``(table, column, transformation)``. ``stmt`` is qualified in place.

    Examples:
        >>> import sqlglot
        >>> tree = sqlglot.parse_one("SELECT a + 1 AS b FROM s")
        >>> trace_statement(tree, tree, None, MappingSchema())
        [('b', [('s', 'a', 'transform')])]
    """
    _name_outputs(query, dialect)
    _expand_lateral_aliases(stmt, dialect, schema)
    options = {
        "dialect": dialect,
        "schema": schema,
        "expand_alias_refs": False,
        "validate_qualify_columns": False,
        "quote_identifiers": False,
        "identify": False,
    }
    # qualify rewrites in place and may fail half way ("Cannot resolve 'x' due to
    # missing source schemas" in a subquery that could be correlated); then the
    # caller retries on a fresh tree with columns left to `_resolve`.
    qualified = qualify(stmt, qualify_columns=qualify_columns, **options)
    root = _query_of(qualified)
    scope = build_scope(root) if root is not None else None
    if scope is None:
        return []
    tracer = _Tracer(schema, dialect)
    selects = _first_select(scope.expression)
    if selects is None:
        return []
    outputs = []
    for index, projection in enumerate(selects.selects):
        check(_STEP)  # the budget's checkpoint: one per output column
        name = _output_name(projection)
        outputs.append((name, tracer.output(scope, index)))
    return outputs


def unwrap_query(query: exp.Expr | None) -> exp.Expr | None:
    """``INSERT INTO t (SELECT …)``: the parenthesised query itself.

    Examples:
        >>> import sqlglot
        >>> type(unwrap_query(sqlglot.parse_one("((SELECT 1))"))).__name__
        'Select'
    """
    while isinstance(query, exp.Subquery) and isinstance(query.this, exp.Query):
        query = query.this
    return query


def _query_of(stmt: exp.Expr) -> exp.Query | None:
    if isinstance(stmt, exp.Query):
        return unwrap_query(stmt)
    query = unwrap_query(stmt.args.get("expression"))
    if isinstance(query, exp.Query):
        with_ = stmt.args.get("with_")
        if isinstance(with_, exp.With) and not query.args.get("with_"):
            # WITH … INSERT INTO t SELECT …: the CTEs belong to the query's scope.
            query.set("with_", with_.pop())
        return query
    return None


def _first_select(query: exp.Expr) -> exp.Select | None:
    while isinstance(query, (exp.SetOperation, exp.Subquery)):
        query = query.this
    return query if isinstance(query, exp.Select) else None


def _output_name(projection: exp.Expr) -> str:
    if isinstance(projection, exp.Alias):
        alias = projection.args.get("alias")
        if isinstance(alias, exp.Identifier):
            return identifier_name(alias) or projection.alias
        return projection.alias
    if isinstance(projection, exp.Star) or (
        isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
    ):
        return "*"
    if isinstance(projection, exp.Column) and isinstance(projection.this, exp.Identifier):
        return identifier_name(projection.this) or projection.name
    return projection.output_name or projection.sql()


def output_name(projection: exp.Expr, dialect: str | None) -> str:
    """The name a query gives one of its projections: its alias, the column it passes
    through, else the expression's SQL text (as `trace_statement` names it).

    Examples:
        >>> import sqlglot
        >>> [output_name(p, None) for p in sqlglot.parse_one("SELECT a, b AS c, MAX(d)").selects]
        ['a', 'c', 'max(d)']
    """
    text = _text_name(projection, dialect)
    return _output_name(projection) if text is None else text


# Dialects whose engines name an unaliased cast after the column it casts (Postgres names
# ``x::int`` and ``CAST(x AS int)`` "x"); the others by the expression's text.
_CAST_KEEPS_NAME = frozenset({"postgres", "redshift"})


def _text_name(projection: exp.Expr, dialect: str | None) -> str | None:
    """The expression's text, for a projection the engine names so; None for the others."""
    if isinstance(projection, (exp.Alias, exp.Star, exp.Column)):
        return None
    if isinstance(projection, exp.Cast) and dialect not in _CAST_KEEPS_NAME:
        # Spark, Hive, MySQL, sqllineage: `cast(col1 as timestamp)`
        return projection.sql(dialect=dialect, normalize_functions="lower").lower()
    if projection.output_name:
        return None
    return projection.sql(dialect=dialect, normalize_functions="lower")


def _name_outputs(query: exp.Query, dialect: str | None) -> None:
    """Alias unnamed projections by their SQL text so qualify keeps a readable name."""
    select = _first_select(query)
    if select is None:
        return
    for projection in list(select.expressions):
        text = _text_name(projection, dialect)
        if text is None:
            continue
        alias = exp.Alias(alias=exp.to_identifier(text, quoted=True))
        projection.replace(alias)
        alias.set("this", projection)


def _expand_lateral_aliases(stmt: exp.Expr, dialect: str | None, schema: MappingSchema) -> None:
    """``SELECT a AS x, x + 1 AS y``: ``x`` in the second item means ``a`` (Snowflake, …).

    sqlglot's own expansion gives up when a source table's columns are unknown, so
    it is done here first: a bare column named like an earlier alias of the same
    select list is that alias, unless a source has such a column — the schema says
    so, or an earlier item already reads a column of that name (``… || id AS id,
    id AS raw_id``: like Snowflake and Redshift, the table column wins).
    """
    if dialect in _NO_LATERAL_ALIAS:
        return
    for select in stmt.find_all(exp.Select):
        aliases: dict[str, exp.Expr] = {}
        read_columns: set[str] = set()  # bare source columns earlier items read
        known = None
        for projection in select.expressions:
            if aliases:
                for column in list(find_all_in_scope(projection, exp.Column)):
                    if column.table or not isinstance(column.this, exp.Identifier):
                        continue
                    key = column.name.lower()
                    if key not in aliases:
                        continue
                    if known is None:
                        known = _source_columns(select, schema, dialect)
                    if key in known or key in read_columns:
                        continue
                    replacement = exp.paren(aliases[key].copy())
                    if column is projection:
                        projection = exp.alias_(replacement, column.name)
                        column.replace(projection)
                    else:
                        column.replace(replacement)
            if isinstance(projection, exp.Alias):
                aliases[projection.alias.lower()] = projection.this
            for column in find_all_in_scope(projection, exp.Column):
                if not column.table:
                    read_columns.add(column.name.lower())


def _source_columns(select: exp.Select, schema: MappingSchema, dialect: str | None) -> set[str]:
    if schema.empty:
        return set()
    known: set[str] = set()
    for table in select.find_all(exp.Table):
        try:
            known.update(c.lower() for c in schema.column_names(table, dialect=dialect))
        except (SqlglotError, KeyError, ValueError, AttributeError):
            continue
    return known


class _Tracer:
    """Follows output columns through the scope tree down to table columns."""

    def __init__(self, schema: MappingSchema, dialect: str | None) -> None:
        self.schema = schema
        self.dialect = dialect
        self._memo: dict[tuple[int, object], list[Leaf]] = {}
        self._active: set[tuple[int, object]] = set()
        # table functions by scope: done, and being traced (a column of ``VALUES (x, y)``
        # that resolves back to the VALUES itself would otherwise recurse once per column
        # per level: 2**64 calls for ``WITH l(a, b) AS (VALUES (x, y)) SELECT * FROM l``)
        self._udtf_memo: dict[int, list[Leaf]] = {}
        self._udtf_active: set[int] = set()

    def output(self, scope: Scope, column: int | str, depth: int = 0) -> list[Leaf]:
        """Leaves of one output column (by position or by name) of a query scope."""
        key = (id(scope), column)
        if key in self._memo:
            return self._memo[key]
        if key in self._active or depth > _MAX_TRACE_DEPTH:
            return []  # a recursive CTE referring to itself
        self._active.add(key)
        try:
            leaves = self._output(scope, column, depth)
        finally:
            self._active.discard(key)
        self._memo[key] = leaves
        return leaves

    def _output(self, scope: Scope, column: int | str, depth: int) -> list[Leaf]:
        expression = scope.expression
        if isinstance(expression, exp.SetOperation):
            index = column if isinstance(column, int) else self._index(expression, column)
            if index is None:
                return []
            leaves: list[Leaf] = []
            for branch in scope.set_operation_scopes:
                check(_STEP)
                leaves.extend(self.output(branch, index, depth + 1))
            return leaves
        if not isinstance(expression, exp.Select):
            return []
        selects = expression.selects
        if isinstance(column, int):
            if column >= len(selects):
                return []
            projection = selects[column]
        else:
            projection = next((s for s in selects if s.alias_or_name == column), None)
            if projection is None:
                star = next((s for s in selects if _is_star(s)), None)
                return self._through_star(scope, star, column, depth) if star else []
        return self._projection(scope, projection, depth)

    @staticmethod
    def _index(expression: exp.SetOperation, name: str) -> int | None:
        select = _first_select(expression)
        if select is None:
            return None
        for i, projection in enumerate(select.selects):
            if projection.alias_or_name == name:
                return i
        return None

    def _projection(self, scope: Scope, projection: exp.Expr, depth: int) -> list[Leaf]:
        value = projection.this if isinstance(projection, exp.Alias) else projection
        if _is_star(value):
            return self._star(scope, value, depth)
        leaves: list[Leaf] = []
        bare = value.unnest() if isinstance(value, exp.Paren) else value
        for column in find_all_in_scope(value, exp.Column):
            if isinstance(column.this, exp.Star):
                continue
            kind = "identity" if column is bare else kind_within(column, value)
            for table, name, inner in self._column(scope, column, depth):
                leaves.append((table, name, stronger(kind, inner)))
        for star in find_all_in_scope(value, exp.Star):
            # count(*): every source feeds the count
            if star.find_ancestor(exp.AggFunc, exp.Select) is not None:
                for table, name, _ in self._star(scope, star, depth):
                    leaves.append((table, name, "aggregate"))
        subqueries = {id(s.expression): s for s in scope.subquery_scopes}
        for query in find_all_in_scope(value, exp.Select, exp.SetOperation):
            child = subqueries.get(id(query))
            if child is None or query is value:
                continue
            for table, name, inner in self.output(child, 0, depth + 1):
                leaves.append((table, name, stronger("transform", inner)))
        return leaves

    def _column(self, scope: Scope, column: exp.Column, depth: int) -> list[Leaf]:
        name = column.name
        source = self._resolve(scope, column)
        if source is None:
            return []
        if isinstance(source, exp.Table):
            tables = table_names(source)
            column_name = identifier_name(column.this) or name
            return [(t, column_name, "identity") for t in tables]
        if isinstance(source.expression, exp.UDTF):
            return self._udtf(source, depth)
        return self.output(source, name, depth + 1)

    def _udtf(self, scope: Scope, depth: int) -> list[Leaf]:
        """``LATERAL VIEW explode(t.arr) x``, ``UNNEST(t.arr)``: the columns the function reads."""
        outer = scope.parent
        key = id(scope)
        if key in self._udtf_memo:
            return self._udtf_memo[key]
        if outer is None or key in self._udtf_active or depth > _MAX_TRACE_DEPTH:
            return []
        self._udtf_active.add(key)
        leaves: list[Leaf] = []
        try:
            for column in scope.expression.find_all(exp.Column):
                for table, name, _ in self._column(outer, column, depth + 1):
                    leaves.append((table, name, "transform"))
        finally:
            self._udtf_active.discard(key)
        self._udtf_memo[key] = leaves
        return leaves

    def _resolve(self, scope: Scope, column: exp.Column) -> exp.Table | Scope | None:
        table = column.table
        current: Scope | None = scope
        while current is not None:
            sources = current.sources
            if table:
                if table in sources:
                    return sources[table]
            else:
                found = self._unqualified(current, column.name)
                if found is not None:
                    return found
            current = (
                current.parent if current.is_subquery or current.is_correlated_subquery else None
            )
        return None

    def _unqualified(self, scope: Scope, name: str) -> exp.Table | Scope | None:
        # only what FROM/JOIN select: a CTE scope also lists the earlier CTEs it could read
        sources = {k: v for k, v in _selected(scope).items() if k}
        if len(sources) == 1:
            return next(iter(sources.values()))
        known, unknown = [], []
        for source in sources.values():
            columns = self._columns_of(source)
            if columns is None:
                unknown.append(source)
            elif name in columns:
                known.append(source)
        if len(known) == 1:
            return known[0]
        if not known and len(unknown) == 1:
            return unknown[0]
        return None

    def _columns_of(self, source: exp.Table | Scope) -> set[str] | None:
        if isinstance(source, Scope) and isinstance(source.expression, exp.UDTF):
            alias = source.expression.args.get("alias")
            if not isinstance(alias, exp.TableAlias):
                return None
            names = {c.name for c in alias.columns}
            if not names and alias.this is not None:
                names = {alias.name}  # BigQuery: UNNEST(arr) AS x names the column
            return names or None
        if isinstance(source, Scope):
            select = _first_select(source.expression)
            if select is None or any(_is_star(s) for s in select.selects):
                return None
            return {s.alias_or_name for s in select.selects}
        if self.schema.empty:
            return None
        try:
            names = self.schema.column_names(source, dialect=self.dialect)
        except (SqlglotError, KeyError, ValueError, AttributeError):
            return None
        return set(names) or None

    def _star(self, scope: Scope, star: exp.Expr, depth: int) -> list[Leaf]:
        """``*`` or ``alias.*`` that qualify could not expand: ``table.*`` per source."""
        qualifier = star.table if isinstance(star, exp.Column) else ""
        leaves: list[Leaf] = []
        for alias, source in _selected(scope).items():
            if qualifier and alias != qualifier:
                continue
            if isinstance(source, exp.Table):
                leaves.extend((t, "*", "identity") for t in table_names(source))
            elif isinstance(source, Scope):
                inner = _first_select(source.expression)
                if inner is None:
                    continue
                for index, projection in enumerate(inner.selects):
                    if _is_star(projection):
                        leaves.extend(self._star(source, projection, depth + 1))
                    else:
                        leaves.extend(self.output(source, index, depth + 1))
        return leaves

    def _through_star(self, scope: Scope, star: exp.Expr, name: str, depth: int) -> list[Leaf]:
        """A named column a ``*`` passes through from the scope's sources."""
        qualifier = star.table if isinstance(star, exp.Column) else ""
        candidates = [
            source
            for alias, source in _selected(scope).items()
            if not qualifier or alias == qualifier
        ]
        known = []
        for source in candidates:
            columns = self._columns_of(source)
            if columns is not None and name in columns:
                known.append(source)
        chosen = known or (candidates if len(candidates) == 1 else [])
        leaves: list[Leaf] = []
        for source in chosen:
            if isinstance(source, exp.Table):
                leaves.extend((t, name.lower(), "identity") for t in table_names(source))
            else:
                leaves.extend(self.output(source, name, depth + 1))
        return leaves


def _selected(scope: Scope) -> dict[str, exp.Table | Scope]:
    """Sources the scope's FROM/JOIN/LATERAL read (``scope.sources`` also lists visible CTEs)."""
    selected = {name: source for name, (_, source) in scope.selected_sources.items()}
    for name, source in scope.lateral_sources.items():
        selected.setdefault(name, source)
    return selected


def _is_star(node: exp.Expr | None) -> bool:
    return isinstance(node, exp.Star) or (
        isinstance(node, exp.Column) and isinstance(node.this, exp.Star)
    )


def kind_within(column: exp.Column, root: exp.Expr) -> str:
    """``aggregate`` when ``column`` sits under an aggregate function inside ``root``."""
    node = column.parent
    while node is not None and node is not root.parent:
        if isinstance(node, exp.AggFunc):
            return "aggregate"
        node = node.parent
    return "transform"
