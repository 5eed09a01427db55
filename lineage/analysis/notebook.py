"""`analyze_notebook`: one typed analysis of a whole notebook, a `NotebookLineage`.

Every layer above (ingest, the documentation harvest, the lineage edges, the notebook
pages) reads a notebook's analysis from this one value, so each fact is worked out once:
per block what its text says (`BlockFacts`, the same wherever the text appears, so it is
kept and reused by content), then in the notebook's context which names are notebook-local
(DataFrames, registered views, temporary tables), what each block reads and writes of the
warehouse, the block DAG, and the tables the notebook creates and which markdown documents
them. `to_json` / `from_json` are its one serialisation.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from . import serial
from .block_facts import (
    TableComment,
    created_tables,
    is_local,
    registered_names,
    table_comments,
)
from .budget import DEFAULT_BLOCK_BUDGET_S, BudgetExceeded, block_budget, check
from .column_reads import column_reads
from .dag import build_dag
from .python import analyze_code
from .sql_block import analyze_sql_block
from .sql_columns import column_lineage
from .types import BlockId, CodeAnalysis, ColumnEdge, DagBlock, DagEdge, Name, TableName

# Bump when the analysis finds something different for the same text, so that facts
# stored by an older analyser are worked out again instead of reused.
ANALYZER_VERSION = "4"


class SourceBlock(Protocol):
    """What the analysis needs of a block (`catalog.formats.ParsedBlock` is one)."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def variable(self) -> str | None: ...
    @property
    def dialect(self) -> str | None: ...


@dataclass(frozen=True)
class BlockFacts:
    """What one block's text says, whatever notebook it is in; reused by ``key``.

    Attributes:
        key: a hash of everything the facts depend on (see `block_key`).
        analysis: names defined, used, mutated, imported; tables read and written as
            written; the SQL found; ``%run`` targets; confidence and error.
        columns: column lineage of its SQL, names as written.
        creates: the tables it creates or fills (not those it only alters or deletes from).
        registers: names it makes queryable without being warehouse tables.
        comments: what its DDL says about tables and columns.
        column_reads: the ``table.column`` names its SQL reads (``table.*``: all of them),
            as written; see `column_reads`.
    """

    key: str
    analysis: CodeAnalysis = field(default_factory=CodeAnalysis)
    columns: tuple[ColumnEdge, ...] = ()
    creates: frozenset[TableName] = frozenset()
    registers: frozenset[Name] = frozenset()
    comments: tuple[TableComment, ...] = ()
    column_reads: frozenset[str] = frozenset()

    @cached_property
    def json(self) -> dict[str, Any]:
        """`serial.to_json` of these facts, worked out once: the same facts are shared by
        every block with the same text, and an ingest stores thousands of such blocks."""
        return serial.to_json(self, compact=True)

    @cached_property
    def json_text(self) -> str:
        return json.dumps(self.json)


@dataclass(frozen=True)
class BlockLineage:
    """One block as its notebook sees it: its facts, and which names are notebook-local.

    ``local`` are the names it reads or writes that are no warehouse table (a DataFrame
    queried by name, a temporary table); ``reads_back`` the tables it reads that an
    earlier block of the notebook wrote.
    """

    id: BlockId
    kind: str
    facts: BlockFacts
    local: frozenset[Name] = frozenset()
    reads_back: frozenset[TableName] = frozenset()

    @property
    def analysis(self) -> CodeAnalysis:
        return self.facts.analysis

    @property
    def reads(self) -> frozenset[TableName]:
        """Warehouse tables and files it reads (notebook-local names left out)."""
        return self.facts.analysis.reads - self.local

    @property
    def writes(self) -> frozenset[TableName]:
        return self.facts.analysis.writes - self.local

    @property
    def creates(self) -> frozenset[TableName]:
        return self.facts.creates - self.local

    @property
    def column_reads(self) -> frozenset[str]:
        """Warehouse columns its SQL reads (``table.*`` for all), local names left out."""
        facts = self.facts
        local = self.local | facts.registers | facts.analysis.locals | facts.analysis.local_reads
        return frozenset(
            name for name in facts.column_reads if _warehouse_table(_table_of(name), local)
        )

    @property
    def columns(self) -> tuple[ColumnEdge, ...]:
        """Column edges between warehouse tables (none through a local name or ``*``)."""
        return tuple(
            edge
            for edge in self.facts.columns
            if _warehouse_column(edge.source, self.local)
            and _warehouse_column(edge.target, self.local)
        )


@dataclass(frozen=True)
class TableCreation:
    """A block that creates ``table``, and the markdown block right above it, if any."""

    table: TableName
    block_id: BlockId
    doc_block_id: BlockId | None = None


@dataclass(frozen=True)
class NotebookLineage:
    """The analysis of one notebook.

    Attributes:
        blocks: every block, in notebook order.
        edges: the block DAG, by block id, ordered by target then source.
        local_names: names that are no warehouse table anywhere in the notebook.
        reads: warehouse tables and files read from outside (not written by an earlier
            block), in the order first read.
        writes: warehouse tables and files written, in the order first written.
        creates: every (block, table) it creates, in notebook order.
    """

    blocks: tuple[BlockLineage, ...] = ()
    edges: tuple[DagEdge, ...] = ()
    local_names: frozenset[Name] = frozenset()
    reads: tuple[TableName, ...] = ()
    writes: tuple[TableName, ...] = ()
    creates: tuple[TableCreation, ...] = ()

    @property
    def column_edges(self) -> tuple[ColumnEdge, ...]:
        return tuple(edge for block in self.blocks for edge in block.columns)

    @property
    def runs(self) -> tuple[str, ...]:
        """Notebooks and scripts it pulls in with ``%run``, in order."""
        return tuple(run for block in self.blocks for run in block.analysis.runs)

    @property
    def tables(self) -> tuple[TableName, ...]:
        """Every warehouse table or file it names: read, written, or in its column lineage."""
        names = dict.fromkeys(self.reads + self.writes)
        for block in self.blocks:
            names.update(dict.fromkeys(sorted(block.reads | block.writes)))
            for edge in block.columns:
                names.update({_table_of(edge.source): None, _table_of(edge.target): None})
        return tuple(names)

    @cached_property
    def _by_id(self) -> dict[BlockId, BlockLineage]:
        return {block.id: block for block in self.blocks}

    def block(self, block_id: BlockId) -> BlockLineage | None:
        return self._by_id.get(block_id)

    def upstream(self, block_id: BlockId) -> list[BlockId]:
        """The blocks ``block_id`` depends on, transitively (itself excluded)."""
        parents: dict[BlockId, list[BlockId]] = {}
        for edge in self.edges:
            parents.setdefault(edge.target, []).append(edge.source)
        seen, stack = {block_id}, [block_id]
        while stack:
            for parent in parents.get(stack.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return [block.id for block in self.blocks if block.id in seen - {block_id}]

    def to_json(self, *, blocks: bool = True) -> dict[str, Any]:
        """The JSON of this analysis (without its blocks when ``blocks`` is false: a
        store may keep each block's JSON, `BlockLineage.to_json`, with the block)."""
        data = serial.to_json(dataclasses.replace(self, blocks=()), compact=True)
        if blocks:
            data["blocks"] = [block_to_json(block) for block in self.blocks]
        return data

    @classmethod
    def from_json(
        cls, data: Mapping[str, Any], blocks: Iterable[Mapping[str, Any]] | None = None
    ) -> NotebookLineage:
        """The analysis `to_json` gave; ``blocks`` are the block JSONs when stored apart."""
        found = serial.from_json(cls, {**data, "blocks": []})
        rows = data.get("blocks", ()) if blocks is None else blocks
        return dataclasses.replace(found, blocks=tuple(block_from_json(row) for row in rows))


def block_to_json(block: BlockLineage) -> dict[str, Any]:
    data = serial.fields_to_json(block, but=("facts",), compact=True)
    data["facts"] = block.facts.json
    return data


def block_json_text(block: BlockLineage) -> str:
    """`block_to_json` as JSON text, the facts' text made once per facts (a store writes
    the same facts for every copy of a block)."""
    data = json.dumps(serial.fields_to_json(block, but=("facts",), compact=True))
    facts = block.facts.json_text
    return f'{data[:-1]}, "facts": {facts}}}' if len(data) > 2 else f'{{"facts": {facts}}}'


def block_from_json(data: Mapping[str, Any]) -> BlockLineage:
    return serial.from_json(BlockLineage, data)


def block_key(block: SourceBlock) -> str:
    """What a block's facts depend on, hashed: its kind, variable, dialect and text.

    Examples:
        >>> a = DagBlock("a", "code", "x = 1")
        >>> block_key(a) == block_key(DagBlock("b", "code", "x = 1")), len(block_key(a))
        (True, 64)
    """
    parts = (ANALYZER_VERSION, block.kind, block.variable or "", block.dialect or "", block.source)
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def analyze_block(
    block: SourceBlock, key: str | None = None, *, budget_s: float | None = DEFAULT_BLOCK_BUDGET_S
) -> BlockFacts:
    """The facts of one block's text, within a work budget of ``budget_s`` seconds.

    Examples:
        >>> sql = "CREATE TABLE mart.t AS SELECT a FROM raw.s"
        >>> facts = analyze_block(DagBlock("c", "sql", sql))
        >>> sorted(facts.creates), facts.columns[0].source
        (['mart.t'], 'raw.s.a')
    """
    key = key or block_key(block)
    analysis, columns = CodeAnalysis(), []
    reads: set[str] = set()
    creates: frozenset[TableName] = frozenset()
    comments: tuple[TableComment, ...] = ()
    with block_budget(budget_s) as budget:
        try:
            analysis = _code_analysis(block)
            columns = _columns(analysis, block.dialect)
            check("column reads")
            for statement in analysis.sql:
                reads |= column_reads(statement.sql, statement.dialect or block.dialect)
            check("created tables")
            creates = created_tables(analysis)
            comments = tuple(
                comment
                for statement in analysis.sql
                for comment in table_comments(statement.sql, statement.dialect or block.dialect)
            )
        except BudgetExceeded:
            pass  # a step that does not bound itself ran out: keep what the others found
    if budget.exceeded:
        analysis = _marked_low(analysis, budget.note())
    return BlockFacts(
        key=key,
        analysis=analysis,
        columns=tuple(columns),
        creates=creates,
        registers=registered_names(block.source, analysis),
        comments=comments,
        column_reads=frozenset(reads),
    )


def analyze_notebook(
    blocks: Sequence[SourceBlock],
    known: Mapping[str, BlockFacts] | None = None,
    *,
    budget_s: float | None = DEFAULT_BLOCK_BUDGET_S,
) -> NotebookLineage:
    """Analyse a notebook's ``blocks`` (in order).

    Args:
        blocks: objects with ``id``, ``kind``, ``source``, ``variable`` and ``dialect``.
        known: facts already worked out, by `block_key`: those blocks are not analysed again.
        budget_s: the most time one block's analysis may take (None: unbounded).

    Examples:
        >>> nb = analyze_notebook([
        ...     DagBlock("a", "code", "df = con.sql('SELECT * FROM raw.orders').df()"),
        ...     DagBlock("m", "markdown", "## mart.daily"),
        ...     DagBlock("b", "sql", "CREATE TABLE mart.daily AS SELECT day FROM df"),
        ...     DagBlock("c", "sql", "SELECT * FROM mart.daily"),
        ... ])
        >>> nb.reads, nb.writes, sorted(nb.local_names)
        (('raw.orders',), ('mart.daily',), ['df'])
        >>> [(e.source, e.target) for e in nb.edges]
        [('a', 'b'), ('b', 'c')]
        >>> nb.creates
        (TableCreation(table='mart.daily', block_id='b', doc_block_id='m'),)
        >>> nb.block("c").reads_back, nb.block("b").local
        (frozenset({'mart.daily'}), frozenset({'df'}))
        >>> NotebookLineage.from_json(nb.to_json()) == nb
        True
    """
    known = known or {}
    fresh: dict[str, BlockFacts] = {}
    facts: list[BlockFacts] = []
    for block in blocks:
        key = block_key(block)
        found = known.get(key) or fresh.get(key)
        if found is None:
            found = fresh[key] = analyze_block(block, key, budget_s=budget_s)
        facts.append(found)
    return assemble_notebook(blocks, facts)


def assemble_notebook(
    blocks: Sequence[SourceBlock], facts: Sequence[BlockFacts]
) -> NotebookLineage:
    """A notebook's analysis from its blocks and the facts of each (in order): the
    notebook-local names, each block's view of them, the DAG, reads, writes, creations."""
    local: set[Name] = set()
    for block, found in zip(blocks, facts, strict=True):
        if block.kind in ("code", "input"):
            local.update(found.analysis.defines)
        local.update(found.registers)
    local_names = frozenset(local)
    dag = build_dag(
        [DagBlock(str(i), b.kind, b.source, b.variable, b.dialect) for i, b in enumerate(blocks)],
        analyses={str(i): f.analysis for i, f in enumerate(facts)},
    )
    edges = tuple(
        DagEdge(blocks[int(e.source)].id, blocks[int(e.target)].id, e.names) for e in dag.edges
    )
    written: dict[TableName, None] = {}
    reads: dict[TableName, None] = {}
    lineage_blocks: list[BlockLineage] = []
    creates: list[TableCreation] = []
    previous: SourceBlock | None = None
    for block, found in zip(blocks, facts, strict=True):
        analysis = found.analysis
        doc = previous.id if previous is not None and previous.kind == "markdown" else None
        previous = block
        if not (analysis.reads or analysis.writes):  # most blocks: nothing to resolve
            lineage_blocks.append(BlockLineage(block.id, block.kind, found))
            continue
        names = analysis.reads | analysis.writes | found.creates
        block_local = frozenset(n for n in names if is_local(n, local_names))
        block_reads = analysis.reads - block_local if block_local else analysis.reads
        back = frozenset(t for t in block_reads if t in written)
        reads.update(dict.fromkeys(sorted(block_reads - back)))
        written.update(dict.fromkeys(sorted(analysis.writes - block_local)))
        lineage_blocks.append(BlockLineage(block.id, block.kind, found, block_local, back))
        for table in sorted(found.creates - block_local):
            creates.append(TableCreation(table, block.id, doc))
    return NotebookLineage(
        blocks=tuple(lineage_blocks),
        edges=edges,
        local_names=local_names,
        reads=tuple(reads),
        writes=tuple(written),
        creates=tuple(creates),
    )


def _code_analysis(block: SourceBlock) -> CodeAnalysis:
    if block.kind == "code":
        return analyze_code(block.source)
    if block.kind == "sql":
        return analyze_sql_block(block.source, block.variable, block.dialect)
    if block.kind == "input" and block.variable:
        return CodeAnalysis(defines=frozenset({block.variable}))
    return CodeAnalysis()


def _columns(analysis: CodeAnalysis, dialect: str | None) -> list[ColumnEdge]:
    found: list[ColumnEdge] = []
    for statement in analysis.sql:
        check("column lineage")
        found.extend(column_lineage(statement.sql, statement.dialect or dialect))
    return found


def _marked_low(analysis: CodeAnalysis, note: str) -> CodeAnalysis:
    """The analysis marked as a best effort, with the budget's note where it keeps notes."""
    names = {f.name for f in dataclasses.fields(CodeAnalysis)}
    changes: dict[str, Any] = {"confidence": "low"}
    if "notes" in names:
        notes = tuple(getattr(analysis, "notes", ()))
        changes["notes"] = notes if note in notes else (*notes, note)
    elif not analysis.error:
        changes["error"] = note
    return dataclasses.replace(analysis, **changes)


def _table_of(column: str) -> TableName:
    return column.rpartition(".")[0]


def _warehouse_table(table: str, local: frozenset[Name]) -> bool:
    return bool(table) and "/" not in table and not is_local(table, local)


def _warehouse_column(column: str, local: frozenset[Name]) -> bool:
    table, _, name = column.rpartition(".")
    return (
        bool(table)
        and bool(name)
        and name != "*"
        and "/" not in table
        and not is_local(table, local)
    )
