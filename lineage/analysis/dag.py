"""`build_dag`: the block DAG of one notebook.

An edge A -> B for every name B uses, and every table B reads, that A is the
nearest earlier block to define, mutate or write; and for every name B deletes,
from each block A that read it since it was last defined (so that B runs after
them). Imports are module dependencies, not data: a name bound by an import makes
no edge (``import pandas as pd`` then ``pd.DataFrame(...)`` is no reason to re-run
the second block when the first changes), as Deepnote's reactivity does; the
imports stay on each block's analysis (``imports``, ``imported_names``).

Notebook-local tables are resolved on the same pass: an unqualified table that SQL
reads by name (`CodeAnalysis.frame_reads`) is the DataFrame of the nearest earlier
block binding that variable, if nearer than any table writer; a table whose nearest
writer made it notebook-local (a registered frame, a temp view or table) is local
too. `BlockDag.local_reads` / `local_writes` / `local_names` say which, so that the
catalog never catalogues them as warehouse tables.

One pass in notebook order keeps, per name and per table, the last block that
provided it, so the cost is linear in the total number of names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .blocks import analyze_block
from .types import BlockDag, BlockId, CodeAnalysis, DagBlock, DagEdge, TableName


def build_dag(
    blocks: Iterable[DagBlock | Mapping[str, Any] | Any],
    *,
    analyses: Mapping[BlockId, CodeAnalysis] | None = None,
) -> BlockDag:
    """The DAG of a notebook's blocks, given in notebook order.

    Args:
        blocks: `DagBlock` values, or objects/mappings with ``id``, ``kind``,
            ``source`` and optionally ``variable``, ``dialect`` and ``metadata``.
            Kinds: ``code`` (Python), ``sql``, ``input`` (defines its variable),
            Deepnote's other blocks by their metadata (see `analyze_block`),
            anything else (markdown...) contributes nothing.
        analyses: analyses already known per block id (e.g. stored for an
            unchanged block); those blocks are not analysed again.

    Returns:
        A `BlockDag` with its edges ordered by target then source position.

    Examples:
        >>> dag = build_dag([
        ...     DagBlock("a", "input", "", variable="country"),
        ...     DagBlock("b", "sql", "SELECT * FROM sales WHERE c = {{ country }}", variable="df"),
        ...     DagBlock("c", "code", "import duckdb\\nagg = duckdb.sql('SELECT * FROM df')"),
        ...     DagBlock("d", "code", "import duckdb\\nduckdb.sql('SELECT 1 FROM agg')"),
        ... ])
        >>> [(e.source, e.target, sorted(e.names)) for e in dag.edges]
        [('a', 'b', ['country']), ('b', 'c', ['df']), ('c', 'd', ['agg'])]
        >>> dag.downstream("a"), dag.upstream("d")
        (['b', 'c', 'd'], ['a', 'b', 'c'])
        >>> dag.local_reads["c"], sorted(dag.warehouse_reads("b"))
        (frozenset({'df'}), ['sales'])
    """
    order: list[BlockId] = []
    found: dict[BlockId, CodeAnalysis] = {}
    in_order: list[CodeAnalysis] = []
    known = analyses or {}
    deleted: set[str] = set()
    for block in blocks:
        block_id, kind, source, variable, dialect, metadata = _fields(block)
        order.append(block_id)
        analysis = known.get(block_id)
        if analysis is None:
            analysis = analyze_block(
                kind, source, variable=variable, dialect=dialect, metadata=metadata
            )
        found[block_id] = analysis
        in_order.append(analysis)
        if analysis.deletes:
            deleted |= analysis.deletes
    name_provider: dict[str, int] = {}  # name -> position of the last block binding it
    table_provider: dict[str, int] = {}  # table -> position of the last block writing it
    local_tables: set[TableName] = set()  # tables whose last writer made them notebook-local
    # Only for names some block deletes: the blocks that read them since they were bound.
    readers: dict[str, list[int]] = {}
    local_reads: dict[BlockId, frozenset[TableName]] = {}
    local_writes: dict[BlockId, frozenset[TableName]] = {}
    edges: list[DagEdge] = []
    for position, (block_id, analysis) in enumerate(zip(order, in_order, strict=True)):
        incoming: dict[int, set[str]] = {}
        for name in analysis.uses:
            provider = name_provider.get(name)
            if provider is not None:
                incoming.setdefault(provider, set()).add(name)
            if deleted and name in deleted:
                readers.setdefault(name, []).append(position)
        local = (
            _resolve_reads(
                analysis,
                position,
                (name_provider, table_provider, local_tables),
                incoming,
                readers if deleted else None,
            )
            if analysis.reads
            else analysis.local_reads
        )
        for name in analysis.deletes:
            for reader in readers.get(name, ()):
                if reader != position:
                    incoming.setdefault(reader, set()).add(name)
        for provider in sorted(incoming):
            edges.append(DagEdge(order[provider], block_id, frozenset(incoming[provider])))
        _provide(analysis, position, name_provider, readers)
        # a block that deletes from, truncates or drops a table comes before its next reader
        changed = analysis.write_kinds.keys() | analysis.writes if analysis.write_kinds else ()
        for table in changed or analysis.writes:
            table_provider[table] = position
            if local_tables:
                local_tables.discard(table)  # a warehouse table again
        for table in analysis.locals:  # a temp table or registered frame, read by name
            table_provider[table] = position
            local_tables.add(table)
        if local:
            local_reads[block_id] = local
        if analysis.locals:
            local_writes[block_id] = analysis.locals
    return _dag(order, edges, found, local_reads, local_writes)


def _resolve_reads(
    analysis: CodeAnalysis,
    position: int,
    providers: tuple[dict[str, int], dict[str, int], set[TableName]],
    incoming: dict[int, set[str]],
    readers: dict[str, list[int]] | None,
) -> frozenset[TableName]:
    """Add the providers of the tables a block reads to ``incoming``; return the reads that
    are notebook-local (a DataFrame read by name, a table the notebook made local)."""
    local = analysis.local_reads
    name_provider, table_provider, local_tables = providers
    found: set[TableName] = set(local)
    frames = _frame_reads(analysis)
    for table in analysis.reads:
        provider = table_provider.get(table)
        is_local = provider is not None and table in local_tables
        # DuckDB (and Deepnote's dataframe SQL) read a Python variable by name.
        if table in frames:
            by_name = name_provider.get(table)
            if by_name is not None and (provider is None or by_name > provider):
                provider, is_local = by_name, True
                if readers is not None:
                    readers.setdefault(table, []).append(position)
        if provider is not None:
            incoming.setdefault(provider, set()).add(table)
        if is_local:
            found.add(table)
    return frozenset(found)


def _provide(
    analysis: CodeAnalysis,
    position: int,
    name_provider: dict[str, int],
    readers: dict[str, list[int]],
) -> None:
    """Record what a block leaves in the namespace for the blocks after it."""
    imported = analysis.imported_names
    for name in analysis.defines:
        if readers:
            readers.pop(name, None)
        if name in imported:
            name_provider.pop(name, None)  # a module, not data: no edge
        else:
            name_provider[name] = position
    for name in analysis.mutates:
        name_provider[name] = position
    for name in analysis.deletes:
        if name not in analysis.defines:
            name_provider.pop(name, None)
            readers.pop(name, None)


def _frame_reads(analysis: CodeAnalysis) -> frozenset[TableName]:
    """The reads SQL may resolve to a DataFrame. An analysis kept without its SQL
    facts (only names and tables stored) falls back to every unqualified read."""
    if analysis.frame_reads or analysis.sql:
        return analysis.frame_reads
    return frozenset(t for t in analysis.reads if t.isidentifier())


def _fields(block: Any) -> tuple[BlockId, str, str, str | None, str | None, Any]:
    if type(block) is DagBlock:  # the common case, without the ABC check below
        return (
            str(block.id),
            block.kind or "other",
            block.source or "",
            block.variable,
            block.dialect,
            block.metadata,
        )
    if isinstance(block, Mapping):
        return (
            str(block["id"]),
            block.get("kind") or "other",
            block.get("source") or "",
            block.get("variable"),
            block.get("dialect"),
            block.get("metadata"),
        )
    return (
        str(block.id),
        getattr(block, "kind", None) or "other",
        getattr(block, "source", None) or "",
        getattr(block, "variable", None),
        getattr(block, "dialect", None),
        getattr(block, "metadata", None),
    )


def _dag(
    order: list[BlockId],
    edges: list[DagEdge],
    found: dict[BlockId, CodeAnalysis],
    local_reads: dict[BlockId, frozenset[TableName]],
    local_writes: dict[BlockId, frozenset[TableName]],
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
        local_reads=local_reads,
        local_writes=local_writes,
    )
