"""`build_dag`: the block DAG of one notebook.

An edge A -> B for every name B uses, and every table B reads, that A is the
nearest earlier block to define, mutate or write. One pass in notebook order
keeps, per name and per table, the last block that provided it, so the cost is
linear in the total number of names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .python import analyze_code
from .types import BlockDag, BlockId, CodeAnalysis, DagBlock, DagEdge

_EMPTY = CodeAnalysis()


def build_dag(
    blocks: Iterable[DagBlock | Mapping[str, Any] | Any],
    *,
    analyses: Mapping[BlockId, CodeAnalysis] | None = None,
) -> BlockDag:
    """The DAG of a notebook's blocks, given in notebook order.

    Args:
        blocks: `DagBlock` values, or objects/mappings with ``id``, ``kind``,
            ``source`` and optionally ``variable`` and ``dialect``. Kinds:
            ``code`` (Python), ``sql``, ``input`` (defines its variable),
            anything else (markdown...) contributes nothing.
        analyses: analyses already known per block id (e.g. stored for an
            unchanged block); those blocks are not analysed again.

    Returns:
        A `BlockDag` with its edges ordered by target then source position.

    Examples:
        >>> dag = build_dag([
        ...     DagBlock("a", "input", "", variable="country"),
        ...     DagBlock("b", "sql", "SELECT * FROM sales WHERE c = {{ country }}", variable="df"),
        ...     DagBlock("c", "code", "df.to_sql('report', con)"),
        ...     DagBlock("d", "markdown", "# Notes"),
        ... ])
        >>> [(e.source, e.target, sorted(e.names)) for e in dag.edges]
        [('a', 'b', ['country']), ('b', 'c', ['df'])]
        >>> dag.downstream("a"), dag.upstream("c")
        (['b', 'c'], ['a', 'b'])
    """
    order: list[BlockId] = []
    found: dict[BlockId, CodeAnalysis] = {}
    name_provider: dict[str, int] = {}  # name -> position of the last block binding it
    table_provider: dict[str, int] = {}  # table -> position of the last block writing it
    edges: list[DagEdge] = []
    known = analyses or {}
    for position, block in enumerate(blocks):
        block_id, kind, source, variable, dialect = _fields(block)
        order.append(block_id)
        analysis = known.get(block_id)
        if analysis is None:
            analysis = _analyze(kind, source, variable, dialect)
        found[block_id] = analysis
        incoming: dict[int, set[str]] = {}
        for name in analysis.uses:
            provider = name_provider.get(name)
            if provider is not None:
                incoming.setdefault(provider, set()).add(name)
        for table in analysis.reads:
            provider = table_provider.get(table)
            # DuckDB (and Deepnote's dataframe SQL) read a Python variable by name.
            if "." not in table:
                by_name = name_provider.get(table)
                if by_name is not None and (provider is None or by_name > provider):
                    provider = by_name
            if provider is not None:
                incoming.setdefault(provider, set()).add(table)
        for provider in sorted(incoming):
            edges.append(DagEdge(order[provider], block_id, frozenset(incoming[provider])))
        for name in analysis.defines:
            name_provider[name] = position
        for name in analysis.mutates:
            name_provider[name] = position
        for table in analysis.writes:
            table_provider[table] = position
    return _dag(order, edges, found)


def _fields(block: Any) -> tuple[BlockId, str, str, str | None, str | None]:
    if isinstance(block, Mapping):
        return (
            str(block["id"]),
            block.get("kind") or "other",
            block.get("source") or "",
            block.get("variable"),
            block.get("dialect"),
        )
    return (
        str(block.id),
        getattr(block, "kind", None) or "other",
        getattr(block, "source", None) or "",
        getattr(block, "variable", None),
        getattr(block, "dialect", None),
    )


def _analyze(kind: str, source: str, variable: str | None, dialect: str | None) -> CodeAnalysis:
    if kind == "code" or kind == "python":
        return analyze_code(source)
    if kind == "sql":
        from .sql_block import analyze_sql_block  # the SQL half, imported when first needed

        return analyze_sql_block(source, variable=variable, dialect=dialect)
    if kind == "input":
        return CodeAnalysis(defines=frozenset({variable})) if variable else _EMPTY
    return _EMPTY


def _dag(
    order: list[BlockId], edges: list[DagEdge], found: dict[BlockId, CodeAnalysis]
) -> BlockDag:
    down: dict[BlockId, list[BlockId]] = {}
    up: dict[BlockId, list[BlockId]] = {}
    for edge in edges:
        down.setdefault(edge.source, []).append(edge.target)
        up.setdefault(edge.target, []).append(edge.source)
    return BlockDag(
        order=tuple(order),
        edges=tuple(edges),
        analyses=found,
        _down={block: tuple(targets) for block, targets in down.items()},
        _up={block: tuple(sources) for block, sources in up.items()},
        _position={block: index for index, block in enumerate(order)},
    )
