"""`analyze_code`: what a Python (IPython) block defines, uses, mutates, reads and writes.

The coordinator: parse the cell (`cells`), walk it once (`scoping`), then turn
the SQL it found into tables with `sql.table_lineage`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .budget import DEFAULT_BLOCK_BUDGET_S, BudgetExceeded, block_budget, check, current_budget
from .cells import parse_cell
from .magics import interpret_magic
from .notebook_locals import frame_names, temporary_tables
from .scoping import BlockWalker
from .strings import has_placeholder
from .types import CodeAnalysis, SqlStatement, TableLineage, WriteKind, merge_write_kinds


class _Truncated(Exception):
    """Carries a result cut short by the budget out of a cached function, uncached."""

    def __init__(self, result: object) -> None:
        super().__init__("analysis budget exceeded")
        self.result = result


def analyze_code(source: str, *, budget_s: float | None = DEFAULT_BLOCK_BUDGET_S) -> CodeAnalysis:
    """Analyse one Python block of a notebook; never raises.

    ``uses`` are the names the block needs from earlier blocks: read before the
    block binds them (or read by its functions and never bound in it), minus
    builtins. IPython magics and shell escapes are read the way IPython runs
    them; SQL found in strings passed to ``spark.sql``, ``pd.read_sql``,
    ``cursor.execute``... is parsed for the tables it reads and writes.

    Args:
        source: the block's text.
        budget_s: the block's work budget in seconds (`budget.block_budget`; an
            outer budget already open wins). Past it, the result is what was found
            so far, with ``confidence="low"`` and a note.

    Returns:
        A `CodeAnalysis`; ``error`` is set (and the rest empty) when the block
        cannot be parsed.

    Examples:
        >>> a = analyze_code(
        ...     "import pandas as pd\\n"
        ...     "df = pd.read_sql('SELECT * FROM sales', con)\\n"
        ...     "total += df.x.sum()"
        ... )
        >>> sorted(a.defines), sorted(a.uses), sorted(a.imports), sorted(a.imported_names)
        (['df', 'pd', 'total'], ['con', 'total'], ['pandas'], ['pd'])
        >>> sorted(a.reads), a.sql[0].role, a.sql[0].variable
        (['sales'], 'read_sql', 'df')
        >>> analyze_code("%time y = f(x)").defines
        frozenset({'y'})
        >>> analyze_code("def f(:").error
        'SyntaxError: invalid syntax (line 1)'
        >>> late = analyze_code("a = 1\\nb = 2", budget_s=0)
        >>> late.confidence, late.defines, late.notes[0][:45]
        ('low', frozenset(), 'Analysis stopped after 0 s (python scoping): ')
    """
    if not isinstance(source, str):
        return CodeAnalysis(error=f"TypeError: expected source text, got {type(source).__name__}")
    with block_budget(budget_s):
        try:
            return _analyze_cached(source)
        except _Truncated as truncated:
            return truncated.result  # type: ignore[return-value]


@lru_cache(maxsize=4096)
def _analyze_cached(source: str) -> CodeAnalysis:
    # Notebooks repeat cells (imports, setup) and re-ingestion repeats whole
    # notebooks; the result is immutable, so sharing it is safe. A result the budget
    # cut short leaves as `_Truncated`, which the cache does not keep.
    try:
        result = _analyze(source)
    except RecursionError:
        return CodeAnalysis(
            confidence="low", error="SyntaxError: the code is nested too deeply to analyse"
        )
    except Exception as error:  # a bug here must not stop an ingestion batch
        return CodeAnalysis(
            confidence="low", error=f"Analysis failed: {type(error).__name__}: {error}"
        )
    if result.notes:
        raise _Truncated(result)
    return result


def _analyze(source: str) -> CodeAnalysis:
    walker = BlockWalker()
    is_complete = True
    try:
        check("python scoping")
        parsed = parse_cell(source)
        if parsed.error is not None:
            return CodeAnalysis(confidence="low", error=parsed.error)
        if parsed.magic is not None:
            name, line, body, body_line = parsed.magic
            walker.apply_effect(interpret_magic(name, line, body), body_line - 1)
        elif parsed.tree is not None:
            walker.walk_module(parsed.tree, parsed.downgraded)
    except BudgetExceeded:
        is_complete = False
    return _assemble(walker, is_complete)


def _assemble(walker: BlockWalker, is_complete: bool) -> CodeAnalysis:
    defines = walker.defines
    names = {
        "defines": frozenset(defines),
        "uses": frozenset(walker.resolved_uses()),
        "mutates": frozenset(walker.mutates),
        "imports": frozenset(walker.imports),
    }
    if walker.runs:
        names["runs"] = tuple(dict.fromkeys(walker.runs))
    if walker.deletes:
        names["deletes"] = frozenset(walker.deletes - defines)
    if walker.imported:
        names["imported_names"] = frozenset(walker.imported & defines)
    is_partial = walker.is_partial or not is_complete
    if walker.events:
        tables, is_complete, is_partial = _tables(walker, is_complete, is_partial)
        names.update(tables)
    if not is_complete:
        budget = current_budget()
        if budget is not None and budget.note():
            names["notes"] = (budget.note(),)
    return CodeAnalysis(confidence="low" if is_partial else "high", **names)


def _tables(
    walker: BlockWalker, is_complete: bool, is_partial: bool
) -> tuple[dict[str, Any], bool, bool]:
    """The tables of the SQL and Python I/O the block ran, in order, and which are local."""
    reads: set[str] = set()
    writes: set[str] = set()
    frame_reads: set[str] = set()
    local: set[str] = set()
    local_reads: set[str] = set()
    kinds: dict[str, WriteKind] = {}
    renames: list[tuple[str, str]] = []
    statements: list[SqlStatement] = []
    # A table the block itself wrote earlier is not read from another block.
    for kind, payload in walker.events:
        if kind == "sql":
            statement, bound = payload
            statements.append(statement)
            if not is_complete:
                continue  # out of time: the statements are listed, their tables not parsed
            try:
                lineage = _table_lineage(statement.sql, statement.dialect)
            except BudgetExceeded:
                is_complete, is_partial = False, True
                continue
            if lineage.confidence != "high" or lineage.error:
                is_partial = True
            frames = frame_names(lineage.sources) if bound is not None else frozenset()
            read = (
                lineage.sources | lineage.filter_reads if lineage.filter_reads else lineage.sources
            )
            for table in sorted(read):
                if has_placeholder(table):
                    is_partial = True
                elif table in local:
                    local_reads.add(table)  # a temp table or registered frame made above
                elif table in writes:
                    pass  # written earlier by this block: not read from another one
                elif table in frames and table in bound:
                    local_reads.add(table)  # a DataFrame this block made, read by name
                else:
                    reads.add(table)
                    if table in frames:
                        frame_reads.add(table)
            temporary = temporary_tables(statement.sql) if lineage.writes else frozenset()
            for table, written in lineage.writes.items():
                if has_placeholder(table):
                    is_partial = True
                elif table in temporary:
                    local.add(table)
                else:
                    merge_write_kinds(kinds, table, written)
                    if table in lineage.targets:
                        writes.add(table)
            renames.extend(lineage.renames)
        elif kind == "read":
            if payload in local:
                local_reads.add(payload)
            elif payload not in writes:
                reads.add(payload)
        elif kind == "local":
            local.add(payload)
        else:
            table, written = payload
            writes.add(table)
            merge_write_kinds(kinds, table, written)
    found = {
        "reads": frozenset(reads),
        "writes": frozenset(writes),
        "sql": tuple(statements),
        "frame_reads": frozenset(frame_reads),
        "locals": frozenset(local),
        "local_reads": frozenset(local_reads),
    }
    if kinds:
        found["write_kinds"] = {t: k for t, k in kinds.items() if t not in local}
    if renames:
        found["renames"] = tuple(renames)
    return found, is_complete, is_partial


def _table_lineage(sql: str, dialect: str | None) -> TableLineage:
    check("sql parsing")
    try:
        return _table_lineage_cached(sql, dialect)
    except _Truncated as truncated:
        return truncated.result  # type: ignore[return-value]


@lru_cache(maxsize=4096)
def _table_lineage_cached(sql: str, dialect: str | None) -> TableLineage:
    from .sql import table_lineage  # the SQL half; imported late to keep startup light

    try:
        lineage = table_lineage(sql, dialect)
    except BudgetExceeded:
        raise
    except Exception as error:  # table_lineage promises not to raise; a block never fails
        return TableLineage(confidence="low", error=f"{type(error).__name__}: {error}")
    budget = current_budget()
    if budget is not None and budget.exceeded:
        raise _Truncated(lineage)  # cut short inside table_lineage: not worth keeping
    return lineage
