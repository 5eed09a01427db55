"""Plain frozen values the analysis core returns. Pure: standard library only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, Literal, NamedTuple

Name = str  # a Python or Jinja variable name
TableName = str  # dotted as written, unquoted parts lower-cased; or a file path / URI
BlockId = str

Transformation = Literal["identity", "transform", "aggregate"]
Confidence = Literal["high", "low"]


class WriteKind(StrEnum):
    """What a statement or Python call does to a table it touches.

    OpenLineage's ``lifecycleStateChange`` vocabulary (``create``, ``overwrite``,
    ``drop``, ``truncate``, ``rename``, ``alter``) plus the kinds that change rows
    in place (``insert``, ``merge``, ``update``, ``delete``). A str, so it compares
    equal to and serialises as its value.

    Examples:
        >>> WriteKind("overwrite") is WriteKind.OVERWRITE, WriteKind.INSERT == "insert"
        (True, True)
        >>> WriteKind.DROP.is_lifecycle, WriteKind.DELETE.is_lifecycle
        (True, False)
    """

    CREATE = "create"
    OVERWRITE = "overwrite"
    INSERT = "insert"
    MERGE = "merge"
    UPDATE = "update"
    DELETE = "delete"
    TRUNCATE = "truncate"
    DROP = "drop"
    RENAME = "rename"
    ALTER = "alter"

    @property
    def is_lifecycle(self) -> bool:
        """A change of the table itself (its existence, name or shape), not of its rows."""
        return self in _LIFECYCLE


_LIFECYCLE = frozenset({WriteKind.DROP, WriteKind.TRUNCATE, WriteKind.RENAME, WriteKind.ALTER})
# When one script or block touches a table several ways, the kind it keeps: the first
# of these (``DROP TABLE IF EXISTS t; CREATE TABLE t AS …`` creates t, ``CREATE TABLE t
# (…); INSERT INTO t …`` creates it too).
_KIND_ORDER = {
    kind: rank
    for rank, kind in enumerate(
        (
            WriteKind.CREATE,
            WriteKind.OVERWRITE,
            WriteKind.MERGE,
            WriteKind.INSERT,
            WriteKind.UPDATE,
            WriteKind.DELETE,
            WriteKind.TRUNCATE,
            WriteKind.RENAME,
            WriteKind.ALTER,
            WriteKind.DROP,
        )
    )
}


def merge_write_kinds(kinds: dict[TableName, WriteKind], table: TableName, kind: WriteKind) -> None:
    """Record that ``table`` is touched with ``kind``, keeping the kind that says the most.

    Examples:
        >>> kinds = {}
        >>> merge_write_kinds(kinds, "t", WriteKind.DROP)
        >>> merge_write_kinds(kinds, "t", WriteKind.CREATE)
        >>> merge_write_kinds(kinds, "t", WriteKind.INSERT)
        >>> kinds
        {'t': <WriteKind.CREATE: 'create'>}
    """
    known = kinds.get(table)
    if known is None or _KIND_ORDER[kind] < _KIND_ORDER[known]:
        kinds[table] = kind


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
    """Tables (and files) a SQL script reads and writes.

    Attributes:
        sources: tables read by statements whose rows flow somewhere (a query, CTAS,
            INSERT … SELECT, MERGE … USING, UPDATE … FROM), minus those the script
            itself wrote first.
        targets: tables whose rows a statement computes (created, overwritten,
            inserted into, merged into, updated from other tables).
        intermediates: targets a later statement of the script reads.
        writes: every table the script changes, with the kind of change: the targets,
            and the tables changed without data flow (DELETE, UPDATE from no other
            table, TRUNCATE, DROP, RENAME, ALTER), which are in no other field.
        renames: ``(old, new)`` per rename, in order.
        filter_reads: tables read by statements without data flow only to pick the
            rows they change (``DELETE FROM t WHERE id IN (SELECT id FROM s)`` reads
            s), minus those the script wrote first: read, but upstream of nothing.
    """

    sources: frozenset[TableName] = frozenset()
    targets: frozenset[TableName] = frozenset()
    intermediates: frozenset[TableName] = frozenset()
    confidence: Confidence = "high"
    error: str | None = None
    writes: Mapping[TableName, WriteKind] = field(default_factory=dict, hash=False)
    renames: tuple[tuple[TableName, TableName], ...] = ()
    filter_reads: frozenset[TableName] = frozenset()


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
        reads, writes: tables and files read and written by data flow (SQL, Python
            I/O): ``writes`` are the tables whose rows the block computes, like
            `TableLineage.targets`; a table the block only deletes from, drops,
            truncates, renames or alters is in ``write_kinds`` only.
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
        write_kinds: every warehouse table the block changes, with the kind of change
            (`WriteKind`): the ``writes`` and the tables changed without data flow.
            Notebook-local tables (``locals``) are left out.
        renames: ``(old, new)`` per table the block renames, in order.
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
    write_kinds: Mapping[TableName, WriteKind] = field(default_factory=dict, hash=False)
    renames: tuple[tuple[TableName, TableName], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Every field as JSON-ready values (sets sorted), for a store to keep whole.

        Examples:
            >>> statement = SqlStatement("SELECT 1", 1, "execute")
            >>> a = CodeAnalysis(defines=frozenset({"b", "a"}), sql=(statement,))
            >>> a.to_json()["defines"], a.to_json()["sql"][0]["role"]
            (['a', 'b'], 'execute')
            >>> CodeAnalysis.from_json(a.to_json()) == a
            True
            >>> d = CodeAnalysis(write_kinds={"t": WriteKind.DELETE}, renames=(("a", "b"),))
            >>> d.to_json()["write_kinds"], d.to_json()["renames"]
            ({'t': 'delete'}, [['a', 'b']])
            >>> CodeAnalysis.from_json(d.to_json()) == d
            True
        """
        data: dict[str, Any] = {}
        for name in _ANALYSIS_FIELDS:
            value = getattr(self, name)
            if name == "write_kinds":
                data[name] = {table: str(value[table]) for table in sorted(value)}
            elif name == "renames":
                data[name] = [list(pair) for pair in value]
            elif isinstance(value, frozenset):
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
            if name == "write_kinds":
                values[name] = {str(t): WriteKind(k) for t, k in value.items()}
            elif name == "renames":
                values[name] = tuple((str(old), str(new)) for old, new in value)
            elif kind is frozenset:
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
