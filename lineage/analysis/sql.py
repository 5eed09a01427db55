"""SQL table lineage: the tables (and files) a script reads, writes and passes through.

Public entry points (pure, never raising):

- `table_lineage` — sources, targets and intermediates of a script;
- `column_lineage` — column-to-column edges (see `sql_columns`);
- `split_statements` — a script's statement texts (see `sql_split`).

The table path costs one tokenization, one parse and one walk of the AST: the
whole script goes to sqlglot's parser at once, and only when that fails is it cut
into statements, each parsed alone, the unparseable ones scanned token by token
(`sql_fallback`) and the result marked ``confidence="low"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.parser import Parser
from sqlglot.tokens import Token, TokenType

from lineage.analysis import sql_fallback
from lineage.analysis.budget import BudgetExceeded, check
from lineage.analysis.sql_columns import column_lineage
from lineage.analysis.sql_fallback import StatementTables
from lineage.analysis.sql_split import (
    as_text,
    blank_column_titles,
    find_block,
    get_dialect,
    parse_segment,
    replace_go_lines,
    resolve_dialect,
    segment_tokens,
    split_statements,
    token_text,
    tokenize,
)
from lineage.analysis.sql_tables import statement_tables
from lineage.analysis.types import TableLineage, WriteKind, merge_write_kinds

__all__ = ["column_lineage", "split_statements", "table_lineage"]

_MAX_DEPTH = 8  # nested BEGIN/END flattening and Command re-analysis
_WHOLE_PARSE_TOKENS = 20_000  # longer scripts are parsed one statement at a time


@dataclass
class _ScriptResult:
    units: list[StatementTables] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    is_cut: bool = False  # the block's work budget ran out: the statements so far

    @property
    def is_low_confidence(self) -> bool:
        return any(u.is_low_confidence for u in self.units) or bool(self.errors)


def table_lineage(sql: str, dialect: str | None = None) -> TableLineage:
    """Tables and files a SQL script reads and writes.

    ``targets`` are the tables whose rows a statement computes (INSERT, MERGE and
    UPDATE … FROM targets, created tables and views, ``SELECT … INTO``,
    ``COPY``/``UNLOAD`` destinations …); ``intermediates`` the targets a later
    statement of the same script reads; ``sources`` the tables read by statements
    with data flow that no earlier statement wrote. ``writes`` maps every table the
    script changes to its `WriteKind`: the targets, and the tables a DELETE, DROP,
    TRUNCATE, RENAME, ALTER or an UPDATE from no other table changes without any
    data flow (those statements give no sources or targets). See
    `lineage.analysis.sql_tables` for the rules per statement.

    Args:
        sql: one statement or a script (semicolons, T-SQL ``GO`` or none at all).
        dialect: sqlglot dialect name; None for sqlglot's generic dialect.

    Returns:
        A `TableLineage`; ``confidence="low"`` and ``error`` set when some statement
        could not be parsed and was scanned for table names instead.

    Examples:
        >>> r = table_lineage("CREATE TABLE s.tmp AS SELECT * FROM raw.a JOIN raw.b USING (id);"
        ...                   "INSERT INTO s.out SELECT * FROM s.tmp")
        >>> sorted(r.sources), sorted(r.targets), sorted(r.intermediates)
        (['raw.a', 'raw.b'], ['s.out', 's.tmp'], ['s.tmp'])
        >>> q = "WITH w AS (SELECT * FROM `Proj.ds`.t) SELECT * FROM w"
        >>> table_lineage(q, "bigquery").sources
        frozenset({'Proj.ds.t'})
        >>> table_lineage("SELECT * FROM {{ ref('orders') }}").confidence
        'low'
        >>> r = table_lineage("INSERT OVERWRITE TABLE d SELECT * FROM s; DROP TABLE s", "spark")
        >>> sorted(r.sources), sorted(r.targets), {t: str(k) for t, k in sorted(r.writes.items())}
        (['s'], ['d'], {'d': 'overwrite', 's': 'drop'})
    """
    try:
        text = as_text(sql)
        result = _analyze_with_guesses(text, resolve_dialect(dialect))
    except BudgetExceeded as error:
        result = _ScriptResult(errors=[str(error)], is_cut=True)
    except Exception as error:
        result = _ScriptResult(
            [sql_fallback.scan_tables(as_text(sql))], [f"{type(error).__name__}: {error}"]
        )
    return _combine(result)


def _combine(result: _ScriptResult) -> TableLineage:
    written: set[str] = set()
    sources: set[str] = set()
    targets: set[str] = set()
    intermediates: set[str] = set()
    kinds: dict[str, WriteKind] = {}
    renames: list[tuple[str, str]] = []
    filters: set[str] = set()
    for unit in result.units:
        for name in unit.writes:
            merge_write_kinds(kinds, name, unit.kind(name))
        renames.extend(unit.renames)
        if not unit.has_flow:
            # DELETE, DROP, RENAME …: the table changes, nothing flows
            filters.update(name for name in unit.reads if name not in written)
            continue
        for name in unit.reads:
            if name in written:
                intermediates.add(name)
                if unit.in_procedure:
                    sources.add(name)
            else:
                sources.add(name)
        for name in unit.writes:
            targets.add(name)
            written.add(name)
    error = None
    if result.errors:
        more = f" (and {len(result.errors) - 1} more)" if len(result.errors) > 1 else ""
        error = result.errors[0] + more
    return TableLineage(
        sources=frozenset(sources),
        targets=frozenset(targets),
        intermediates=frozenset(intermediates),
        confidence="low" if result.is_low_confidence else "high",
        error=error,
        writes=kinds,
        renames=tuple(renames),
        filter_reads=frozenset(filters - sources),
    )


def _guess_dialects(sql: str, tried: str | None) -> list[str]:
    """Dialects worth a second try when the given one left statements unparsed."""
    guesses = []
    if "`" in sql:
        guesses += ["spark", "bigquery", "mysql"]
    if "[" in sql or "#" in sql or "@" in sql or "\nGO" in sql.upper():
        guesses += ["tsql"]
    if "$$" in sql or "::" in sql:
        guesses += ["postgres", "snowflake"]
    if not guesses:
        guesses = ["postgres", "spark", "tsql"]
    return [g for g in dict.fromkeys(guesses) if g != tried]


def _analyze_with_guesses(sql: str, dialect: str | None) -> _ScriptResult:
    result = _analyze_script(sql, dialect)
    if not result.errors or result.is_cut:
        return result
    for guess in _guess_dialects(sql, dialect):
        retry = _analyze_script(sql, guess)
        if not retry.errors:
            return retry
    return result


def _analyze_script(sql: str, dialect: str | None, depth: int = 0) -> _ScriptResult:
    """Per-statement reads and writes of a script, in execution order; past the block's
    work budget, those of the statements analysed so far (``is_cut``)."""
    result = _ScriptResult()
    try:
        _analyze_into(sql, dialect, depth, result)
    except BudgetExceeded as error:
        result.errors.append(str(error))
        result.is_cut = True
    return result


def _analyze_into(sql: str, dialect: str | None, depth: int, result: _ScriptResult) -> None:
    if not sql.strip():
        return
    sql = blank_column_titles(replace_go_lines(sql, dialect))
    tokens = tokenize(sql, dialect)
    if tokens is None:
        parts = sql_fallback.split_text(sql)
        if len(parts) > 1 and depth < _MAX_DEPTH:
            for part in parts:
                _analyze_into(part, dialect, depth, result)  # parts are smaller: no loop
            return
        _scan(sql, result, "could not tokenize", depth)
        return
    if not tokens:
        return  # only comments
    parser = get_dialect(dialect).parser()
    # A long script is parsed statement by statement, so the budget is checked between
    # them: sqlglot's parse of a whole script cannot be interrupted.
    if len(tokens) <= _WHOLE_PARSE_TOKENS and not _has_leading_else(sql, tokens):
        try:
            expressions = [e for e in parser.parse(tokens, sql) if e is not None]
        except Exception:  # a ParseError, or a sqlglot bug: retried statement by statement
            pass
        else:
            in_body = False  # BigQuery: the body's statements follow CREATE PROCEDURE … BEGIN
            for expression in expressions:
                first = len(result.units)
                if isinstance(expression, exp.Create):
                    in_body = str(expression.args.get("kind") or "").upper() == "PROCEDURE"
                elif isinstance(expression, exp.EndStatement):
                    in_body = False
                _add_expression(expression, dialect, depth, result)
                if in_body:
                    for unit in result.units[first:]:
                        unit.in_procedure = True
            return
    _analyze_tokens(tokens, sql, dialect, parser, depth, result)


def _has_leading_else(sql: str, tokens: list[Token]) -> bool:
    """True when a statement starts with ELSE (scripting IF … ELSE …; END IF).

    sqlglot's batch parser stops at such a statement and silently drops the rest of
    the script, so these scripts are parsed statement by statement instead.
    """
    if "else" not in sql and "ELSE" not in sql and "Else" not in sql:
        return False
    previous = TokenType.SEMICOLON
    for token in tokens:
        if token.token_type == TokenType.ELSE and previous == TokenType.SEMICOLON:
            return True
        previous = token.token_type
    return False


_BLOCK_WORDS = frozenset({"begin", "end", "else", "go"})
_LEADING_WORDS = frozenset({"ELSE", "LOOP", "REPEAT", "TRY", "CATCH"})


def _add_expression(expression: exp.Expr, dialect: str | None, depth: int, result: _ScriptResult):
    if isinstance(expression, (exp.Condition, exp.Alias)) and not isinstance(expression, exp.Query):
        # sqlglot reads "this is not sql" as a boolean expression: not a statement
        if isinstance(expression, exp.Column) and expression.name.lower() in _BLOCK_WORDS:
            return
        _scan(expression.sql(dialect=dialect), result, "not a SQL statement", depth)
        return

    def analyze_text(text: str, text_dialect: str | None) -> list[StatementTables]:
        if depth >= _MAX_DEPTH:
            return [sql_fallback.scan_tables(text)]
        sub = _analyze_script(text, text_dialect, depth + 1)
        result.errors.extend(sub.errors)
        if sub.is_cut:
            result.is_cut = True
            check("sql parsing")  # out of time: stop the outer script too
        return sub.units

    result.units.extend(statement_tables(expression, dialect, analyze_text))
    # the budget's checkpoint: one per statement, after it (its parse is already paid for)
    check("sql parsing")


def _analyze_tokens(
    tokens: list[Token],
    sql: str,
    dialect: str | None,
    parser: Parser,
    depth: int,
    result: _ScriptResult,
) -> None:
    for segment in segment_tokens(tokens):
        if len(segment) > _WIDE_STATEMENT_TOKENS and _analyze_wide(
            segment, sql, dialect, parser, depth, result
        ):
            continue
        for part, expressions, error in parse_segment(parser, segment, sql):
            if expressions:
                for expression in expressions:
                    _add_expression(expression, dialect, depth, result)
            else:
                # nothing parsed: an error, or sqlglot returning nothing for e.g. "ELSE …"
                _unparsed(part, sql, dialect, parser, depth, result, error or "not parsed")
                check("sql parsing")


def _analyze_wide(
    tokens: list[Token],
    sql: str,
    dialect: str | None,
    parser: Parser,
    depth: int,
    result: _ScriptResult,
) -> bool:
    """A statement of thousands of ``UNION`` branches, parsed a chunk of branches at a time
    so that the budget is checked between chunks (one parse of the whole could not be
    cut, and costs more than its chunks). False, and nothing done, for any other statement,
    and for one with a ``WITH`` (its CTE names would read as tables in later chunks)."""
    cuts: list[tuple[int, int]] = []  # (separator start, next chunk start)
    level = 0
    for i, token in enumerate(tokens):
        kind = token.token_type
        if kind == TokenType.L_PAREN:
            level += 1
        elif kind == TokenType.R_PAREN:
            level -= 1
        elif kind == TokenType.WITH:
            return False
        elif level == 0 and kind in _SET_OPERATIONS:
            after = i + 1
            while after < len(tokens) and tokens[after].token_type in _SET_QUANTIFIERS:
                after += 1
            cuts.append((i, after))
    if len(cuts) < 2 * _BRANCHES_PER_CHUNK:
        return False
    start = 0
    chunks: list[tuple[int | None, int]] = [*cuts[_BRANCHES_PER_CHUNK - 1 :: _BRANCHES_PER_CHUNK]]
    for separator, following in [*chunks, (None, 0)]:
        chunk = tokens[start:separator] if separator is not None else tokens[start:]
        try:
            expressions = [e for e in parser.parse(chunk, sql) if e is not None]
        except Exception:
            _scan(token_text(sql, chunk), result, "could not parse a chunk of a UNION", depth)
            check("sql parsing")
        else:
            for expression in expressions:
                _add_expression(expression, dialect, depth, result)
        if separator is None:
            break
        start = following
    return True


_WIDE_STATEMENT_TOKENS = 20_000
_BRANCHES_PER_CHUNK = 128
_SET_OPERATIONS = frozenset({TokenType.UNION, TokenType.INTERSECT, TokenType.EXCEPT})
_SET_QUANTIFIERS = frozenset({TokenType.ALL, TokenType.DISTINCT})


def _unparsed(
    tokens: list[Token],
    sql: str,
    dialect: str | None,
    parser: Parser,
    depth: int,
    result: _ScriptResult,
    error: str,
) -> None:
    """A statement sqlglot rejected: flatten a ``BEGIN … END`` block, else scan it."""
    if depth < _MAX_DEPTH and len(tokens) > 1 and tokens[0].text.upper() in _LEADING_WORDS:
        # "ELSE INSERT …", "LOOP …": the statement after the procedural word
        _analyze_tokens(tokens[1:], sql, dialect, parser, depth + 1, result)
        return
    block = find_block(tokens) if depth < _MAX_DEPTH else None
    if block is not None:
        start, end = block
        header = tokens[:start]
        if header:
            header_text = token_text(sql, header)
            scan = sql_fallback.scan_tables(header_text)
            if scan.reads or scan.writes:
                # e.g. "IF EXISTS (SELECT 1 FROM t)" before a block sqlglot rejected
                _scan(header_text, result, error, depth)
        _analyze_tokens(tokens[start + 1 : end], sql, dialect, parser, depth + 1, result)
        if end + 1 < len(tokens):
            _analyze_tokens(tokens[end + 1 :], sql, dialect, parser, depth + 1, result)
        return
    _scan(token_text(sql, tokens), result, error, depth)


def _scan(text: str, result: _ScriptResult, error: str, depth: int) -> None:
    scan = sql_fallback.scan_tables(text)
    if depth and not scan.reads and not scan.writes and not sql_fallback.has_lineage_words(text):
        # procedural noise inside a block body (RETURN x, v := 1 …): nothing was missed
        return
    result.units.append(scan)
    first_line = text.strip().splitlines()[0][:80] if text.strip() else ""
    result.errors.append(f"{error}: {first_line}")
