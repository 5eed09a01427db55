"""`column_reads`: the warehouse columns a SQL script reads, for column-precise impact.

Column lineage (`sql_columns`) says which column feeds which; this says which columns a
statement looks at at all: projected, filtered on, joined on, grouped by, updated or
deleted by. Whoever reads a column is affected by a change to it; whoever reads only other
columns of the same table is not. The answer errs on the side of reading too much: an
unqualified column counts for every table of its query block, and ``*`` (or ``t.*``) reads
the whole table, named ``table.*``.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import SqlglotError

from .sql_names import identifier_name, table_names
from .sql_split import as_text, iter_statements, resolve_dialect
from .types import TableName

# The nodes whose FROM, JOIN, target and conditions make one naming scope for columns.
_BLOCKS = (exp.Select, exp.Update, exp.Delete, exp.Merge)


def column_reads(sql: str, dialect: str | None = None) -> frozenset[str]:
    """The ``table.column`` names a SQL statement or script reads; ``table.*`` for all.

    Never raises: what cannot be parsed reads nothing here (the table reads of
    `table_lineage` still name its tables, which callers treat as read whole).

    Examples:
        >>> sorted(column_reads("SELECT u.email FROM core.users AS u WHERE u.plan_id = 2"))
        ['core.users.email', 'core.users.plan_id']
        >>> sorted(column_reads("SELECT * FROM raw.events"))
        ['raw.events.*']
        >>> sorted(column_reads("DELETE FROM raw.events WHERE account_id IN "
        ...                     "(SELECT account_id FROM erase)"))
        ['erase.account_id', 'raw.events.account_id']
        >>> sorted(column_reads("SELECT count(*) AS n FROM t WHERE day > $since ORDER BY n"))
        ['t.day']
    """
    try:
        text = as_text(sql)
        found: set[str] = set()
        for parsed in iter_statements(text, resolve_dialect(dialect)):
            for expression in parsed.expressions:
                if isinstance(expression, exp.Expr):
                    _collect(expression, found)
        return frozenset(found)
    except (SqlglotError, RecursionError, ValueError, KeyError, AttributeError, TypeError):
        return frozenset()


def _collect(root: exp.Expr, found: set[str]) -> None:
    ctes = {cte.alias_or_name.lower() for cte in root.find_all(exp.CTE)}
    scopes: dict[int, _Scope] = {}
    for node in root.walk():
        if isinstance(node, exp.Table):
            block = _block_of(node)
            if block is not None and not (
                node.args.get("db") is None and node.name.lower() in ctes
            ):
                scope = scopes.setdefault(id(block), _Scope(block))
                names = table_names(node)
                if names:
                    scope.tables.extend(names)
                    scope.aliases[(node.alias or node.name).lower()] = names[0]
        elif isinstance(node, exp.Subquery) and node.alias:
            block = _block_of(node)
            if block is not None:
                scopes.setdefault(id(block), _Scope(block)).derived.add(node.alias.lower())
    for node in root.walk():
        if isinstance(node, exp.Column):
            block = _block_of(node)
            scope = scopes.get(id(block)) if block is not None else None
            if scope is not None:
                scope.read(node, found)
        elif isinstance(node, exp.Star) and isinstance(node.parent, exp.Select):
            scope = scopes.get(id(node.parent))
            if scope is not None:
                found.update(f"{table}.*" for table in scope.tables)


def _block_of(node: exp.Expr) -> exp.Expr | None:
    parent = node.parent
    # A MERGE's ``WHEN MATCHED THEN UPDATE SET ...`` is the MERGE's own scope.
    while parent is not None and (
        not isinstance(parent, _BLOCKS) or isinstance(parent.parent, exp.When)
    ):
        parent = parent.parent
    return parent


class _Scope:
    """The tables of one query block, by alias, and the aliases of its subqueries."""

    def __init__(self, block: exp.Expr) -> None:
        self.tables: list[TableName] = []
        self.aliases: dict[str, TableName] = {}
        self.derived: set[str] = set()
        # ORDER BY / HAVING / GROUP BY may name a projection by its alias.
        self.projected = (
            {p.alias.lower() for p in block.expressions if p.alias}
            if isinstance(block, exp.Select)
            else set()
        )

    def read(self, column: exp.Column, found: set[str]) -> None:
        this = column.this
        if isinstance(this, exp.Star):
            name = "*"
        elif type(this) is exp.Identifier and (this.quoted or this.this[:1] not in "$@:?"):
            name = identifier_name(this)  # not a $parameter some dialects read as a name
        else:
            return
        if not name:
            return
        qualifier = column.table.lower() if column.table else ""
        if qualifier:
            table = self.aliases.get(qualifier)
            if table is not None:
                found.add(f"{table}.{name}")
            return  # a CTE's or a subquery's column: its own block names what it reads
        if name in self.projected and not _inside_projection(column):
            return
        for table in dict.fromkeys(self.tables):
            found.add(f"{table}.{name}")


def _inside_projection(column: exp.Column) -> bool:
    """Whether ``column`` is part of its SELECT's own select list (not ORDER BY etc.)."""
    node: exp.Expr = column
    while node.parent is not None and not isinstance(node.parent, _BLOCKS):
        node = node.parent
    return node.arg_key == "expressions"
