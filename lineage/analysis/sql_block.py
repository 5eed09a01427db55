"""What a SQL block (a notebook cell of SQL, possibly Jinja-templated) defines, uses,
reads and writes.

The Jinja variables a block uses come from jinja2's own parser (so ``{% set %}``,
loop variables and macro arguments are not counted as uses); the tables come from
rendering the template with a placeholder for every variable and running
`table_lineage` on the result. A template with ``{% if %}`` is rendered twice, once
with every placeholder truthy and once falsy, so both branches' tables count.
"""

from __future__ import annotations

import re
from dataclasses import replace

import jinja2

from lineage.analysis import templates
from lineage.analysis.budget import DEFAULT_BLOCK_BUDGET_S, BudgetExceeded, block_budget, check
from lineage.analysis.notebook_locals import frame_names, sees_frames, temporary_tables
from lineage.analysis.sql import table_lineage
from lineage.analysis.sql_split import as_text
from lineage.analysis.templates import MARKER as _MARKER
from lineage.analysis.templates import TemplateTooCostly
from lineage.analysis.types import (
    CodeAnalysis,
    Confidence,
    SqlStatement,
    TableLineage,
    WriteKind,
    merge_write_kinds,
)

_JINJA_START = re.compile(r"\{\{|\{%|\{#")
_SAFE_NAME = re.compile(r"[^0-9A-Za-z_]+")
_GUESS_USES = re.compile(r"\{\{-?\s*([A-Za-z_]\w*)|\{%-?\s*(?:if|elif)\s+(?:not\s+)?([A-Za-z_]\w*)")
_JINJA_WORDS = frozenset({"", "not", "true", "false", "none", "loop", "range"})


def _clean(names: frozenset[str]) -> frozenset[str]:
    """Drop table names built from placeholders (``FROM {{ table }}``): not real tables."""
    return frozenset(n for n in names if _MARKER not in n.lower())


def analyze_sql_block(
    sql: str,
    variable: str | None = None,
    dialect: str | None = None,
    *,
    budget_s: float | None = DEFAULT_BLOCK_BUDGET_S,
) -> CodeAnalysis:
    """Analyse a SQL block: its result variable, Jinja uses, and tables read and written.

    Args:
        sql: the block's source, possibly a Jinja template (``{{ x }}``, ``{% if %}``…).
        variable: the Python name the block's result is bound to, if any.
        dialect: sqlglot dialect of the block's connection.
        budget_s: the block's work budget (see `budget`); an outer budget wins.

    Returns:
        A `CodeAnalysis`: ``defines`` is ``{variable}``; ``uses`` the Jinja variables
        (``{% for a in xs %}`` uses ``xs``, ``{{ t.col }}`` uses ``t``); ``reads`` the
        tables read that the block does not write first, ``writes`` the tables written
        (names built from Jinja placeholders are left out); ``frame_reads`` the reads
        that may be DataFrames (SQL on DataFrames runs on DuckDB); ``locals`` the
        temporary tables it creates; ``sql`` the rendered SQL; ``error`` set, never
        raised, when the template cannot be parsed or rendered. A template that would
        render without bound, or a block past its budget, gets the tables of its raw
        text, ``confidence="low"`` and a note.

    Examples:
        >>> a = analyze_sql_block(
        ...     "SELECT * FROM orders WHERE region = {{ region }} "
        ...     "{% if since %}AND day >= {{ since | sqlsafe }}{% endif %}", variable="df")
        >>> sorted(a.defines), sorted(a.uses), sorted(a.reads)
        (['df'], ['region', 'since'], ['orders'])
        >>> print(analyze_sql_block("SELECT {{ x ", variable="df").error)
        Jinja syntax error on line 1: unexpected end of template, expected 'end of print statement'.
        >>> runaway = analyze_sql_block("{% for i in range(10**9) %}SELECT 1;{% endfor %}")
        >>> runaway.confidence, runaway.error  # doctest: +ELLIPSIS
        ('low', 'Jinja render error: Range too big. The sandbox blocks ranges larger than ...')
    """
    sql = as_text(sql)
    defines = frozenset({variable}) if variable else frozenset()
    with block_budget(budget_s) as budget:
        try:
            analysis = _analyze_template(sql, defines, variable, dialect)
        except BudgetExceeded:
            analysis = _broken(sql, defines, _guess_uses(sql), variable, dialect, None)
        if budget.exceeded:
            return _with_note(analysis, budget.note())
        return analysis


def _analyze_template(
    sql: str, defines: frozenset[str], variable: str | None, dialect: str | None
) -> CodeAnalysis:
    if not _JINJA_START.search(sql):
        return _analysis(sql, [sql], defines, frozenset(), variable, dialect)
    simple = _render_simple(sql)
    if simple is not None:
        rendered_text, simple_uses = simple
        return _analysis(sql, [rendered_text], defines, simple_uses, variable, dialect)
    try:
        tree = templates.parse(sql)
        uses = templates.undeclared(tree)
    except jinja2.TemplateSyntaxError as error:
        # the parser gave up: the names that open {{ … }} and {% if … %} tags will do
        return _broken(sql, defines, _guess_uses(sql), variable, dialect, _syntax_message(error))
    except TemplateTooCostly as error:
        return _broken(
            sql, defines, _guess_uses(sql), variable, dialect, None, f"Not rendered: {error}."
        )
    except RecursionError:
        message = "Jinja error: the template is nested too deeply to analyse"
        return _broken(sql, defines, _guess_uses(sql), variable, dialect, message)
    try:
        template = templates.compile_template(tree)
        rendered = [templates.render(template, uses, truthy=True)]
        if templates.has_branches(tree):
            rendered.append(templates.render(template, uses, truthy=False))
    except BudgetExceeded:
        raise
    except TemplateTooCostly as error:
        note = f"Rendering stopped: {error}; the tables shown come from the raw template."
        return _broken(sql, defines, uses, variable, dialect, None, note)
    except Exception as error:  # user templates can fail in any way at render time
        return _broken(sql, defines, uses, variable, dialect, f"Jinja render error: {error}")
    return _analysis(sql, rendered, defines, uses, variable, dialect)


def _guess_uses(sql: str) -> frozenset[str]:
    return frozenset({name for pair in _GUESS_USES.findall(sql) for name in pair} - _JINJA_WORDS)


def _with_note(analysis: CodeAnalysis, note: str) -> CodeAnalysis:
    if not note or note in analysis.notes:
        return analysis
    return replace(analysis, confidence="low", notes=(*analysis.notes, note))


_SIMPLE_TAG = re.compile(r"\{\{-?(.*?)-?\}\}", re.S)
_SIMPLE_EXPR = re.compile(
    r"""^\s*(?P<name>[A-Za-z_]\w*)
    (?P<path>(?:\s*\.\s*[A-Za-z_]\w*|\s*\[\s*(?:'[^'\]]*'|"[^"\]]*"|\d+)\s*\])*)
    (?P<filters>(?:\s*\|\s*[A-Za-z_]\w*(?:\s*\([^(){}|]*\))?)*)\s*$""",
    re.X,
)
_PATH_PART = re.compile(r"[A-Za-z_]\w*|'([^']*)'|\"([^\"]*)\"|\d+")
_CONSTANTS = frozenset({"true", "false", "none", "True", "False", "None"})


def _render_simple(sql: str) -> tuple[str, frozenset[str]] | None:
    """Render a template made only of ``{{ name[.attr][ | filter] }}`` tags without Jinja.

    Most SQL blocks only interpolate values; compiling a Jinja template for them
    costs ten times the SQL analysis, so they take this path. Anything else
    (statements, calls, comments, expressions) returns None and goes to Jinja.
    """
    if "{%" in sql or "{#" in sql:
        return None
    uses: set[str] = set()
    pieces: list[str] = []
    last = 0
    for match in _SIMPLE_TAG.finditer(sql):
        expr = _SIMPLE_EXPR.match(match.group(1))
        if expr is None or expr["name"] in _CONSTANTS:
            return None
        name = expr["name"]
        uses.add(name)
        parts = [name] + [
            _SAFE_NAME.sub("_", p.group(1) or p.group(2) or p.group(0))
            for p in _PATH_PART.finditer(expr["path"] or "")
        ]
        text = f"{_MARKER}{'_'.join(parts)}__"
        if re.search(r"\|\s*inclause\b", expr["filters"] or ""):
            text = f"({text})"
        pieces.append(sql[last : match.start()])
        pieces.append(text)
        last = match.end()
    if "{{" in sql[last:] or "}}" in sql[last:]:
        return None  # an unclosed tag: let Jinja report the syntax error
    pieces.append(sql[last:])
    return "".join(pieces), frozenset(uses)


def _syntax_message(error: jinja2.TemplateSyntaxError) -> str:
    message = (error.message or "invalid template").rstrip(".")
    return f"Jinja syntax error on line {error.lineno}: {message}."


def _statement(sql: str, variable: str | None, dialect: str | None) -> tuple[SqlStatement, ...]:
    text = sql.strip()
    if not text:
        return ()
    return (SqlStatement(sql=text, line=1, role="sql-block", dialect=dialect, variable=variable),)


def _lineage(text: str, dialect: str | None) -> TableLineage:
    check("sql parsing")
    return table_lineage(text, dialect)


def _analysis(
    source: str,
    rendered: list[str],
    defines: frozenset[str],
    uses: frozenset[str],
    variable: str | None,
    dialect: str | None,
) -> CodeAnalysis:
    """Tables of every rendering, merged; the first rendering is the block's SQL."""
    reads: set[str] = set()
    writes: set[str] = set()
    temporary: set[str] = set()
    kinds: dict[str, WriteKind] = {}
    renames: list[tuple[str, str]] = []
    is_low = False
    for text in dict.fromkeys(rendered):
        lineage = _lineage(text, dialect)
        reads |= lineage.sources | lineage.filter_reads
        writes |= lineage.targets
        for table, kind in lineage.writes.items():
            merge_write_kinds(kinds, table, kind)
        renames.extend(r for r in lineage.renames if r not in renames)
        temporary |= temporary_tables(text)
        is_low = is_low or lineage.confidence == "low"
    return _result(
        defines,
        uses,
        reads,
        writes,
        temporary,
        rendered[0] if rendered else source,
        variable,
        dialect,
        "low" if is_low else "high",
        kinds=kinds,
        renames=tuple(renames),
    )


def _result(
    defines: frozenset[str],
    uses: frozenset[str],
    reads: set[str] | frozenset[str],
    writes: set[str] | frozenset[str],
    temporary: set[str] | frozenset[str],
    sql: str,
    variable: str | None,
    dialect: str | None,
    confidence: Confidence,
    error: str | None = None,
    notes: tuple[str, ...] = (),
    *,
    kinds: dict[str, WriteKind] | None = None,
    renames: tuple[tuple[str, str], ...] = (),
) -> CodeAnalysis:
    read = _clean(frozenset(reads))
    written = _clean(frozenset(writes))
    changed = _clean(frozenset(kinds or ()))
    local = (written | changed) & frozenset(temporary)
    return CodeAnalysis(
        defines=defines,
        uses=uses,
        reads=read,
        writes=written - local,
        sql=_statement(sql, variable, dialect),
        confidence=confidence,
        error=error,
        frame_reads=frame_names(read) if sees_frames(dialect, "sql-block") else frozenset(),
        locals=local,
        notes=notes,
        write_kinds={t: k for t, k in (kinds or {}).items() if t in changed - local},
        renames=renames,
    )


def _broken(
    sql: str,
    defines: frozenset[str],
    uses: frozenset[str],
    variable: str | None,
    dialect: str | None,
    message: str | None,
    note: str | None = None,
) -> CodeAnalysis:
    """A template that cannot be parsed or rendered: the raw text is scanned for tables."""
    try:
        lineage = _lineage(sql, dialect)
    except BudgetExceeded:
        lineage = TableLineage(confidence="low")
    return _result(
        defines,
        uses,
        lineage.sources | lineage.filter_reads,
        lineage.targets,
        temporary_tables(sql),
        sql,
        variable,
        dialect,
        "low",
        message,
        (note,) if note else (),
        kinds=dict(lineage.writes),
        renames=lineage.renames,
    )
