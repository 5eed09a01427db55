"""Plain frozen values the analysis core returns. Pure: standard library only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal, NamedTuple

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
    """What one block defines, uses, mutates, imports, reads and writes.

    Attributes:
        defines: names the block leaves bound in the notebook's namespace.
        uses: names the block needs from earlier blocks (builtins excluded).
        mutates: names whose object the block may change in place.
        imports: modules the block imports (``pandas``, ``.helpers``).
        reads, writes: tables and files read and written (SQL, Python I/O).
        sql: the SQL statements found, in order.
        runs: notebooks pulled in with ``%run``.
        confidence: "low" when something could not be understood, or the
            analysis ran out of its budget (see ``notes``).
        error: why the block could not be analysed at all, if so.
        deletes: names the block removes from the notebook's namespace after
            reading them (``del x``; ``global x`` then ``del x`` in a function).
        imported_names: the names in ``defines`` whose binding is an import:
            module dependencies, which the block DAG keeps out of its edges.
        frame_reads: the unqualified names in ``reads`` that the engine running
            the SQL resolves to the notebook's DataFrames when they exist
            (DuckDB's replacement scans, Deepnote's SQL on DataFrames).
        locals: notebook-local names the block creates, kept out of ``writes``:
            DataFrames registered by name (``con.register``), temp views
            (``createOrReplaceTempView``), ``CREATE TEMP TABLE``/``VIEW``.
        local_reads: tables the block's SQL reads that resolve within the block
            itself (its own DataFrames and local tables); not in ``reads``.
        calls: notebooks the block runs as functions (Deepnote's notebook-function
            blocks), by the called notebook's id.
        notes: what a person should know about this analysis (e.g. it stopped at
            its time budget), for the catalog to show.
    """

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
    deletes: frozenset[Name] = frozenset()
    imported_names: frozenset[Name] = frozenset()
    frame_reads: frozenset[TableName] = frozenset()
    locals: frozenset[TableName] = frozenset()
    local_reads: frozenset[TableName] = frozenset()
    calls: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Every field as JSON-ready values (sets sorted), for a store to keep whole.

        Examples:
            >>> statement = SqlStatement("SELECT 1", 1, "execute")
            >>> a = CodeAnalysis(defines=frozenset({"b", "a"}), sql=(statement,))
            >>> a.to_json()["defines"], a.to_json()["sql"][0]["role"]
            (['a', 'b'], 'execute')
            >>> CodeAnalysis.from_json(a.to_json()) == a
            True
        """
        data: dict[str, Any] = {}
        for name in _ANALYSIS_FIELDS:
            value = getattr(self, name)
            if isinstance(value, frozenset):
                data[name] = sorted(value)
            elif name == "sql":
                data[name] = [
                    {"sql": s.sql, "line": s.line, "role": s.role, "dialect": s.dialect,
                     "variable": s.variable}
                    for s in value
                ]  # fmt: skip
            elif isinstance(value, tuple):
                data[name] = list(value)
            else:
                data[name] = value
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CodeAnalysis:
        """An analysis back from `to_json`; keys it does not know are ignored and missing
        ones (an analysis stored before a field existed) take their defaults.

        Examples:
            >>> CodeAnalysis.from_json({"uses": ["x"], "later_field": 1}).uses
            frozenset({'x'})
        """
        values: dict[str, Any] = {}
        for name in _ANALYSIS_FIELDS:
            if data.get(name) is None:
                continue  # missing, or stored as null: the default
            value = data[name]
            kind = _ANALYSIS_FIELDS[name]
            if kind is frozenset:
                values[name] = frozenset(value)
            elif name == "sql":
                values[name] = tuple(
                    SqlStatement(
                        s["sql"], s.get("line", 1), s.get("role", ""), s.get("dialect"),
                        s.get("variable"),
                    )
                    for s in value
                )  # fmt: skip
            elif kind is tuple:
                values[name] = tuple(value)
            else:
                values[name] = value
        return cls(**values)


# Field name -> the container it is kept in (frozenset, tuple) or object for scalars.
_ANALYSIS_FIELDS: dict[str, type] = {
    f.name: (
        frozenset
        if str(f.type).startswith("frozenset")
        else tuple
        if str(f.type).startswith("tuple")
        else object
    )
    for f in fields(CodeAnalysis)
}


class DagEdge(NamedTuple):
    """An edge ``source -> target`` (unpacks as (from, to, names))."""

    source: BlockId
    target: BlockId
    names: frozenset[str]


@dataclass(frozen=True)
class DagBlock:
    """The input of `build_dag` (plain mappings or other objects with these attributes work too).

    ``metadata`` is the block's format metadata as read (e.g. a Deepnote block's
    ``deepnote_cell_type`` and ``deepnote_big_number_value``); see `analyze_block`.
    It takes part in equality, not in the hash.
    """

    id: BlockId
    kind: str
    source: str
    variable: str | None = None
    dialect: str | None = None
    metadata: Mapping[str, Any] | None = field(default=None, hash=False)


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
    # Per block, the tables it reads / writes that are the notebook's own (see `local_names`).
    local_reads: dict[BlockId, frozenset[TableName]] = field(default_factory=dict, compare=False)
    local_writes: dict[BlockId, frozenset[TableName]] = field(default_factory=dict, compare=False)

    @property
    def local_names(self) -> frozenset[TableName]:
        """Every table name some block uses as a notebook-local name, never a warehouse table:
        DataFrames queried by name from SQL, registered frames, temp views and tables."""
        names: set[TableName] = set()
        for tables in (*self.local_reads.values(), *self.local_writes.values()):
            names |= tables
        return frozenset(names)

    def warehouse_reads(self, block_id: BlockId) -> frozenset[TableName]:
        """The tables ``block_id`` reads from outside the notebook (local names dropped)."""
        analysis = self.analyses.get(block_id)
        if analysis is None:
            raise KeyError(f"Unknown block '{block_id}'")
        return analysis.reads - self.local_reads.get(block_id, frozenset())

    def warehouse_writes(self, block_id: BlockId) -> frozenset[TableName]:
        """The tables ``block_id`` writes outside the notebook (local tables dropped)."""
        analysis = self.analyses.get(block_id)
        if analysis is None:
            raise KeyError(f"Unknown block '{block_id}'")
        return analysis.writes - self.local_writes.get(block_id, frozenset())

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
