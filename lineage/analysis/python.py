"""`analyze_code`: what a Python (IPython) block defines, uses, mutates, reads and writes.

The coordinator: parse the cell (`cells`), walk it once (`scoping`), then turn
the SQL it found into tables with `sql.table_lineage`.
"""

from __future__ import annotations

from functools import lru_cache

from .cells import parse_cell
from .magics import interpret_magic
from .scoping import BlockWalker
from .strings import has_placeholder
from .types import CodeAnalysis, SqlStatement, TableLineage


def analyze_code(source: str) -> CodeAnalysis:
    """Analyse one Python block of a notebook; never raises.

    ``uses`` are the names the block needs from earlier blocks: read before the
    block binds them (or read by its functions and never bound in it), minus
    builtins. IPython magics and shell escapes are read the way IPython runs
    them; SQL found in strings passed to ``spark.sql``, ``pd.read_sql``,
    ``cursor.execute``... is parsed for the tables it reads and writes.

    Args:
        source: the block's text.

    Returns:
        A `CodeAnalysis`; ``error`` is set (and the rest empty) when the block
        cannot be parsed.

    Examples:
        >>> a = analyze_code(
        ...     "import pandas as pd\\n"
        ...     "df = pd.read_sql('SELECT * FROM sales', con)\\n"
        ...     "total += df.x.sum()"
        ... )
        >>> sorted(a.defines), sorted(a.uses), sorted(a.imports)
        (['df', 'pd', 'total'], ['con', 'total'], ['pandas'])
        >>> sorted(a.reads), a.sql[0].role, a.sql[0].variable
        (['sales'], 'read_sql', 'df')
        >>> analyze_code("%time y = f(x)").defines
        frozenset({'y'})
        >>> analyze_code("def f(:").error
        'SyntaxError: invalid syntax (line 1)'
    """
    if not isinstance(source, str):
        return CodeAnalysis(error=f"TypeError: expected source text, got {type(source).__name__}")
    return _analyze_cached(source)


@lru_cache(maxsize=4096)
def _analyze_cached(source: str) -> CodeAnalysis:
    # Notebooks repeat cells (imports, setup) and re-ingestion repeats whole
    # notebooks; the result is immutable, so sharing it is safe.
    try:
        return _analyze(source)
    except RecursionError:
        return CodeAnalysis(
            confidence="low", error="SyntaxError: the code is nested too deeply to analyse"
        )
    except Exception as error:  # a bug here must not stop an ingestion batch
        return CodeAnalysis(
            confidence="low", error=f"Analysis failed: {type(error).__name__}: {error}"
        )


def _analyze(source: str) -> CodeAnalysis:
    parsed = parse_cell(source)
    if parsed.error is not None:
        return CodeAnalysis(confidence="low", error=parsed.error)
    walker = BlockWalker()
    if parsed.magic is not None:
        name, line, body, body_line = parsed.magic
        walker.apply_effect(interpret_magic(name, line, body), body_line - 1)
    elif parsed.tree is not None:
        walker.walk_module(parsed.tree)
    return _assemble(walker)


def _assemble(walker: BlockWalker) -> CodeAnalysis:
    reads: set[str] = set()
    writes: set[str] = set()
    statements: list[SqlStatement] = []
    is_partial = walker.is_partial
    # A table the block itself wrote earlier is not read from another block.
    for kind, payload in walker.events:
        if kind == "sql":
            statements.append(payload)
            lineage = _table_lineage(payload.sql, payload.dialect)
            if lineage.confidence != "high" or lineage.error:
                is_partial = True
            for table in sorted(lineage.sources):
                if has_placeholder(table):
                    is_partial = True
                elif table not in writes:
                    reads.add(table)
            for table in lineage.targets:
                if has_placeholder(table):
                    is_partial = True
                else:
                    writes.add(table)
        elif kind == "read":
            if payload not in writes:
                reads.add(payload)
        else:
            writes.add(payload)
    return CodeAnalysis(
        defines=frozenset(walker.defines),
        uses=frozenset(walker.resolved_uses()),
        mutates=frozenset(walker.mutates),
        imports=frozenset(walker.imports),
        reads=frozenset(reads),
        writes=frozenset(writes),
        sql=tuple(statements),
        runs=tuple(dict.fromkeys(walker.runs)),
        confidence="low" if is_partial else "high",
    )


@lru_cache(maxsize=4096)
def _table_lineage(sql: str, dialect: str | None) -> TableLineage:
    from .sql import table_lineage  # the SQL half; imported late to keep startup light

    try:
        return table_lineage(sql, dialect)
    except Exception as error:  # table_lineage promises not to raise; a block never fails
        return TableLineage(confidence="low", error=f"{type(error).__name__}: {error}")
