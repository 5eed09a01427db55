"""Plain frozen values the analysis core returns. Pure: standard library only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple

Name = str  # a Python or Jinja variable name
TableName = str  # dotted as written, unquoted parts lower-cased; or a file path / URI
BlockId = str

Transformation = Literal["identity", "transform", "aggregate"]
Confidence = Literal["high", "low"]


@dataclass(frozen=True)
class SqlStatement:
    """A SQL statement found in a block.

    Attributes:
        sql: the statement text (Jinja rendered / Python literal resolved).
        line: 1-based line in the block where it starts.
        role: how it was found: "sql-block", "magic", "spark.sql", "read_sql",
            "execute", "duckdb.sql", "client.query", "sqlalchemy.text", ...
        dialect: sqlglot dialect name when known.
        variable: the Python name the result is bound to, when there is one.
    """

    sql: str
    line: int
    role: str
    dialect: str | None = None
    variable: Name | None = None


@dataclass(frozen=True)
class TableLineage:
    """Tables (and files) a SQL script reads and writes."""

    sources: frozenset[TableName] = frozenset()
    targets: frozenset[TableName] = frozenset()
    intermediates: frozenset[TableName] = frozenset()
    confidence: Confidence = "high"
    error: str | None = None


class ColumnEdge(NamedTuple):
    """``source`` column feeds ``target`` column, both ``table.column``."""

    source: str
    target: str
    transformation: Transformation


@dataclass(frozen=True)
class CodeAnalysis:
    """What one block defines, uses, mutates, imports, reads and writes."""

    defines: frozenset[Name] = frozenset()
    uses: frozenset[Name] = frozenset()
    mutates: frozenset[Name] = frozenset()
    imports: frozenset[str] = frozenset()
    reads: frozenset[TableName] = frozenset()
    writes: frozenset[TableName] = frozenset()
    sql: tuple[SqlStatement, ...] = ()
    runs: tuple[str, ...] = ()  # notebooks pulled in with %run
    confidence: Confidence = "high"
    error: str | None = None


class DagEdge(NamedTuple):
    """An edge ``source -> target`` (unpacks as (from, to, names))."""

    source: BlockId
    target: BlockId
    names: frozenset[str]


@dataclass(frozen=True)
class DagBlock:
    """The input of `build_dag` (plain mappings or other objects with these attributes work too)."""

    id: BlockId
    kind: str
    source: str
    variable: str | None = None
    dialect: str | None = None


@dataclass(frozen=True)
class BlockDag:
    """The block DAG of one notebook; see `build_dag`."""

    order: tuple[BlockId, ...]
    edges: tuple[DagEdge, ...]
    analyses: dict[BlockId, CodeAnalysis] = field(default_factory=dict, compare=False)
    _down: dict[BlockId, tuple[BlockId, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _up: dict[BlockId, tuple[BlockId, ...]] = field(default_factory=dict, compare=False, repr=False)
    # Notebook position of each block, so that results sort without rebuilding it per query.
    _position: dict[BlockId, int] = field(default_factory=dict, compare=False, repr=False)

    def downstream(self, block_id: BlockId) -> list[BlockId]:
        """Every block reachable from ``block_id`` (excluded), in notebook order."""
        return self._reach(block_id, self._down)

    def upstream(self, block_id: BlockId) -> list[BlockId]:
        """Every block ``block_id`` depends on, transitively (excluded), in notebook order."""
        return self._reach(block_id, self._up)

    def _reach(self, block_id: BlockId, adjacency: dict[BlockId, tuple[BlockId, ...]]) -> list:
        if block_id not in adjacency and block_id not in (self._position or self.order):
            raise KeyError(f"Unknown block '{block_id}'")
        seen: set[BlockId] = set()
        stack = [block_id]
        while stack:
            for nxt in adjacency.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        position = self._position or {b: i for i, b in enumerate(self.order)}
        return sorted(seen, key=position.__getitem__)
