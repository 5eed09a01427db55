"""Column lineage of a wide set operation (a ``UNION`` of hundreds or thousands of
branches), branch by branch and in linear time.

sqlglot's optimizer qualifies a query as one tree: on a 5,000-way ``UNION`` that takes
minutes and recurses past Python's limit, and the scope walk after it is as deep. Most
branches of such unions are one-table selects (``SELECT a, b * 2 AS b FROM t_17 WHERE
…``), whose columns need no qualification to be traced: every column is the table's.
Those are read straight off the tree; any other branch is traced on its own (with the
statement's CTEs), so the cost grows with the branches, and the block's budget is
checked between them.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.schema import MappingSchema

from lineage.analysis.budget import check
from lineage.analysis.sql_column_trace import (
    Leaf,
    kind_within,
    output_name,
    trace_statement,
    unwrap_query,
)
from lineage.analysis.sql_names import identifier_name, table_names

TRACE_ERRORS = (SqlglotError, RecursionError, ValueError, KeyError, AttributeError, TypeError)
WIDE_UNION_BRANCHES = 32  # below this, the whole query is qualified and traced at once
_STEP = "column lineage"


def wide_union_outputs(
    stmt: exp.Expr,
    query: exp.Query,
    dialect: str | None,
    schema: MappingSchema,
    qualify_columns: bool = True,
) -> list[tuple[str, list[Leaf]]] | None:
    """(output name, leaves) per output column of a wide set operation, else None.

    Examples:
        >>> import sqlglot
        >>> sql = " UNION ALL ".join(f"SELECT id, sum(v) AS v FROM t{i}" for i in range(40))
        >>> outputs = wide_union_outputs(*[sqlglot.parse_one(sql)] * 2, None, MappingSchema())
        >>> [(name, len(leaves), leaves[-1]) for name, leaves in outputs]
        [('id', 40, ('t39', 'id', 'identity')), ('v', 40, ('t39', 'v', 'aggregate'))]
        >>> wide_union_outputs(*[sqlglot.parse_one("SELECT a FROM t UNION SELECT a FROM u")] * 2,
        ...                    None, MappingSchema()) is None
        True
    """
    if not isinstance(query, exp.SetOperation):
        return None
    branches = _branches(query)
    if len(branches) < WIDE_UNION_BRANCHES:
        return None
    with_ = query.args.get("with_") or stmt.args.get("with_")
    ctes = _cte_names(with_)
    first = branches[0]
    if not isinstance(first, exp.Select) or any(_is_star(p) for p in first.selects):
        return None  # the names and widths come from the first branch: trace it whole
    names = [output_name(p, dialect) for p in first.selects]
    leaves: list[list[Leaf]] = [[] for _ in names]
    for branch in branches:
        check(_STEP)  # the budget's checkpoint: one per branch
        outputs = _simple_outputs(branch, ctes)
        if outputs is None:
            outputs = _traced(branch, with_, dialect, schema, qualify_columns)
        for index, found in enumerate(outputs[: len(names)]):
            leaves[index].extend(found)
    return list(zip(names, leaves, strict=True))


def _branches(query: exp.SetOperation) -> list[exp.Expr]:
    """The branches of a (left- or right-deep) set operation, in order, without recursion."""
    found: list[exp.Expr] = []
    stack: list[exp.Expr] = [query]
    while stack:
        node = stack.pop()
        node = unwrap_query(node) or node
        if isinstance(node, exp.SetOperation) and not node.args.get("with_"):
            stack.append(node.expression)
            stack.append(node.this)
        else:
            found.append(node)
    return found


def _cte_names(with_: exp.Expr | None) -> frozenset[str]:
    if not isinstance(with_, exp.With):
        return frozenset()
    return frozenset(cte.alias_or_name.lower() for cte in with_.expressions)


def _simple_outputs(branch: exp.Expr, ctes: frozenset[str]) -> list[list[Leaf]] | None:
    """Leaves per output of a one-table select with plain column references, else None."""
    if not isinstance(branch, exp.Select) or branch.args.get("with_"):
        return None
    if branch.args.get("joins") or branch.args.get("laterals"):
        return None
    from_ = branch.args.get("from_")
    table = from_.this if isinstance(from_, exp.From) else None
    if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
        return None
    names = table_names(table)
    if not names or (not table.db and table.name.lower() in ctes):
        return None
    qualifiers = {table.name, table.alias} - {""}
    aliases: set[str] = set()
    outputs: list[list[Leaf]] = []
    for projection in branch.selects:
        value = projection.this if isinstance(projection, exp.Alias) else projection
        if value.find(exp.Star, exp.Select, exp.Subquery, exp.Lateral) is not None:
            return None
        bare = value.unnest() if isinstance(value, exp.Paren) else value
        found: list[Leaf] = []
        for column in value.find_all(exp.Column):
            if column.table and column.table not in qualifiers:
                return None
            if not isinstance(column.this, exp.Identifier):
                return None
            if not column.table and column.name.lower() in aliases:
                return None  # a lateral alias reference: leave it to the full trace
            kind = "identity" if column is bare else kind_within(column, value)
            name = identifier_name(column.this) or column.name
            found.extend((t, name, kind) for t in names)
        outputs.append(found)
        if isinstance(projection, exp.Alias):
            aliases.add(projection.alias.lower())
    return outputs


def _traced(
    branch: exp.Expr,
    with_: exp.Expr | None,
    dialect: str | None,
    schema: MappingSchema,
    qualify_columns: bool,
) -> list[list[Leaf]]:
    alone = branch.copy()
    if isinstance(with_, exp.With) and isinstance(alone, exp.Query):
        alone.set("with_", with_.copy())
    if not isinstance(alone, exp.Query):
        return []
    for qualify in (qualify_columns, False) if qualify_columns else (False,):
        tree = alone if qualify else alone.copy()
        try:
            return [leaves for _, leaves in trace_statement(tree, tree, dialect, schema, qualify)]
        except TRACE_ERRORS:
            alone = branch.copy()  # qualification fails half way: a fresh tree for the retry
            if isinstance(with_, exp.With) and isinstance(alone, exp.Query):
                alone.set("with_", with_.copy())
    return []


def _is_star(node: exp.Expr) -> bool:
    return isinstance(node, exp.Star) or (
        isinstance(node, exp.Column) and isinstance(node.this, exp.Star)
    )
