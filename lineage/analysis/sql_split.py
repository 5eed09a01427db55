"""Cut a SQL script into statements and parse them with sqlglot, never raising.

One tokenization per script. Statements end at a semicolon outside ``BEGIN … END``
blocks, at a T-SQL ``GO`` line, or — for T-SQL batches written without semicolons —
where sqlglot's parser finds a second statement starting. A statement sqlglot cannot
parse is kept with no expressions and its error, so the caller can fall back to a
token scan (`sql_fallback`).
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, SqlglotError
from sqlglot.parser import Parser
from sqlglot.tokens import Token, TokenType


class _DropCommandFallbackWarning(logging.Filter):
    """Silence sqlglot's "Falling back to parsing as a 'Command'" warning.

    We handle Command statements ourselves (see `sql_tables`), so the warning is
    noise that would otherwise be logged once per unusual statement of every
    notebook a catalog ingests.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "Falling back to parsing as a 'Command'" not in record.getMessage()


logging.getLogger("sqlglot").addFilter(_DropCommandFallbackWarning())

# sqlfluff / sqllineage / common spellings of sqlglot dialect names.
_DIALECT_ALIASES = {
    "ansi": None,
    "": None,
    "sparksql": "spark",
    "spark_sql": "spark",
    "pyspark": "spark",
    "postgresql": "postgres",
    "pg": "postgres",
    "greenplum": "postgres",
    "vertica": "postgres",
    "psql": "postgres",
    "mssql": "tsql",
    "sqlserver": "tsql",
    "sql_server": "tsql",
    "azuresql": "tsql",
    "synapse": "tsql",
    "t-sql": "tsql",
    "bq": "bigquery",
    "googlesql": "bigquery",
    "impala": "hive",
    "mariadb": "mysql",
    "sqlite3": "sqlite",
    "db2": None,
    "presto": "presto",
    "motherduck": "duckdb",
}
_TSQL_LIKE = frozenset({"tsql", "fabric"})

# First words of a statement: where a T-SQL batch without semicolons may be cut.
STATEMENT_KEYWORDS = frozenset(
    {
        "ALTER", "BEGIN", "CACHE", "CALL", "CLOSE", "COMMIT", "COPY", "CREATE", "DEALLOCATE",
        "DECLARE", "DELETE", "DROP", "ELSE", "END", "EXEC", "EXECUTE", "FETCH", "GRANT", "IF",
        "INSERT", "MERGE", "OPEN", "PRINT", "RAISERROR", "RETURN", "REVOKE", "ROLLBACK",
        "SELECT", "SET", "THROW", "TRUNCATE", "UNLOAD", "UPDATE", "USE", "WAITFOR", "WHILE",
        "WITH", "REPLACE", "MSCK", "LOAD", "OPTIMIZE", "VACUUM",
    }
)  # fmt: skip

# BEGIN followed by one of these starts a transaction, not a block.
_TRANSACTION_WORDS = frozenset(
    {"TRANSACTION", "TRAN", "WORK", "DISTRIBUTED", "ISOLATION", "DEFERRED", "IMMEDIATE",
     "EXCLUSIVE", "READ"}
)  # fmt: skip
# END followed by one of these closes a construct we do not count as opening.
_END_SUFFIXES = frozenset({"IF", "LOOP", "WHILE", "REPEAT", "FOR"})


@dataclass(frozen=True)
class ParsedStatement:
    """One statement of a script.

    Attributes:
        sql: the statement text, without the trailing semicolon or leading comments.
        expressions: what sqlglot parsed (usually one; a block may give several);
            empty when sqlglot could not parse the statement.
        error: why sqlglot could not parse it, when it could not.
    """

    sql: str
    expressions: tuple[exp.Expr, ...]
    error: str | None = None


def as_text(sql: object) -> str:
    """Any input as SQL text: None is empty, bytes are decoded (the API never raises).

    Examples:
        >>> as_text(None), as_text(b"select 1"), as_text("x")
        ('', 'select 1', 'x')
    """
    if sql is None:
        return ""
    if isinstance(sql, bytes):
        return sql.decode("utf-8", "replace")
    return sql if isinstance(sql, str) else str(sql)


def resolve_dialect(dialect: object) -> str | None:
    """Map common dialect spellings to sqlglot's names; unknown names become None.

    Examples:
        >>> resolve_dialect("sparksql"), resolve_dialect("Postgres"), resolve_dialect("nope")
        ('spark', 'postgres', None)
    """
    return _resolve_dialect(dialect) if isinstance(dialect, str) else None


@lru_cache(maxsize=256)
def _resolve_dialect(dialect: str) -> str | None:
    name = dialect.strip().lower()
    name = _DIALECT_ALIASES.get(name, name)
    if name is None:
        return None
    try:
        Dialect.get_or_raise(name)
    except (ValueError, SqlglotError):
        return None
    return name


@lru_cache(maxsize=64)
def get_dialect(dialect: str | None) -> Dialect:
    """The sqlglot dialect object for a (resolved) dialect name, cached.

    Examples:
        >>> type(get_dialect("duckdb")).__name__
        'DuckDB'
    """
    return Dialect.get_or_raise(dialect)


def is_tsql_like(dialect: str | None) -> bool:
    """True for dialects with T-SQL batches (``GO``, statements without semicolons).

    Examples:
        >>> is_tsql_like("tsql"), is_tsql_like("postgres")
        (True, False)
    """
    return dialect in _TSQL_LIKE


def tokenize(sql: str, dialect: str | None) -> list[Token] | None:
    """sqlglot tokens of ``sql``, or None when the tokenizer gives up (e.g. open quote).

    Examples:
        >>> [t.text for t in tokenize("select a from t", None)]
        ['select', 'a', 'from', 't']
        >>> tokenize("select 'open", None) is None
        True
    """
    try:
        return get_dialect(dialect).tokenize(sql)
    except SqlglotError:
        return None
    except Exception:
        return None


_GO_LINE = re.compile(r"^[ \t]*GO(?:[ \t]+\d+)?[ \t]*(?=\r?$)", re.IGNORECASE | re.MULTILINE)


def replace_go_lines(sql: str, dialect: str | None) -> str:
    """T-SQL ``GO`` batch separators (a line of its own) as semicolons, offsets kept.

    sqlglot's T-SQL tokenizer reads ``GO`` at the start of a statement as a command
    and swallows the next batch as its argument, so separators go before tokenizing.
    Only for T-SQL and the generic dialect.

    Examples:
        >>> replace_go_lines("SELECT 1;\\nGO\\nSELECT 2", "tsql")
        'SELECT 1;\\n; \\nSELECT 2'
    """
    if (dialect is not None and not is_tsql_like(dialect)) or "go" not in sql.lower():
        return sql
    return _GO_LINE.sub(lambda m: ";" + " " * (len(m.group()) - 1), sql)


_TITLE = re.compile(r"\(\s*TITLE\s+'(?:[^']|'')*'\s*\)", re.I)
_DELETE_FROM_TABLE = re.compile(r"\bDELETE\s+FROM\s+(TABLE)\s", re.I)


def blank_column_titles(sql: str) -> str:
    """Words sqlglot would misread, blanked out with offsets kept: Teradata's column
    attribute ``(TITLE '…')``, a display name it cannot parse, and the ``TABLE`` of Hive's
    ``DELETE FROM TABLE t``, which it takes for the table's name.

    Examples:
        >>> blank_column_titles("SELECT a (TITLE 'A''s') FROM t; DELETE FROM TABLE t")
        'SELECT a                FROM t; DELETE FROM       t'
    """
    if "(" in sql and _TITLE.search(sql):
        sql = _TITLE.sub(lambda m: " " * len(m.group()), sql)
    if _DELETE_FROM_TABLE.search(sql):
        sql = _DELETE_FROM_TABLE.sub(lambda m: m.group()[: m.start(1) - m.start()] + "      ", sql)
    return sql


def _opens_block(tokens: list[Token], i: int) -> bool:
    tok = tokens[i]
    if tok.token_type == TokenType.CASE:
        return True
    if tok.token_type != TokenType.BEGIN and tok.text.upper() != "BEGIN":
        return False
    if i + 1 >= len(tokens):
        return False
    nxt = tokens[i + 1]
    return nxt.token_type != TokenType.SEMICOLON and nxt.text.upper() not in _TRANSACTION_WORDS


def segment_tokens(tokens: list[Token], respect_blocks: bool = True) -> list[list[Token]]:
    """Cut tokens into statements at semicolons outside ``BEGIN … END`` blocks.

    Examples:
        >>> sql = "BEGIN INSERT INTO a VALUES (1); END; SELECT 1"
        >>> [token_text(sql, seg) for seg in segment_tokens(tokenize(sql, "tsql"))]
        ['BEGIN INSERT INTO a VALUES (1); END', 'SELECT 1']
    """
    segments: list[list[Token]] = []
    current: list[Token] = []
    depth = 0
    skip_next = False
    n = len(tokens)
    for i, tok in enumerate(tokens):
        tt = tok.token_type
        if tt == TokenType.SEMICOLON and depth == 0:
            if current:
                segments.append(current)
                current = []
            continue
        if respect_blocks:
            if skip_next:
                skip_next = False
            elif tt == TokenType.END or (tt == TokenType.VAR and tok.text.upper() == "END"):
                if i + 1 < n and tokens[i + 1].text.upper() in _END_SUFFIXES | {"CASE"}:
                    # END IF / END LOOP close constructs we never counted; END CASE
                    # closes a CASE we did count but must not reopen one.
                    if tokens[i + 1].text.upper() == "CASE":
                        depth = max(0, depth - 1)
                    skip_next = True
                else:
                    depth = max(0, depth - 1)
            elif tt in (TokenType.BEGIN, TokenType.CASE) and _opens_block(tokens, i):
                depth += 1
        current.append(tok)
    if current:
        segments.append(current)
    if respect_blocks and depth > 0:
        # An unbalanced BEGIN/CASE (e.g. a column called "begin"): blocks guessed
        # wrong would swallow the rest of the script, so cut at every semicolon.
        return segment_tokens(tokens, respect_blocks=False)
    return segments


def token_text(sql: str, tokens: list[Token]) -> str:
    """The source text a run of tokens spans.

    Examples:
        >>> sql = "select  1 ;"
        >>> token_text(sql, tokenize(sql, None)[:2])
        'select  1'
    """
    if not tokens:
        return ""
    return sql[tokens[0].start : tokens[-1].end + 1]


def _split_point(
    error: ParseError, tokens: list[Token], keys: list[tuple[int, int]], start: int
) -> int | None:
    """Index of the token where a second statement starts, from an "Unexpected token" error."""
    for err in error.errors:
        if err.get("description") != "Invalid expression / Unexpected token":
            continue
        key = (err.get("line"), err.get("col"))
        # tokens are in (line, col) order: bisect instead of a scan per error
        i = bisect.bisect_left(keys, key, lo=start)
        is_found = i < len(keys) and keys[i] == key
        if is_found and i > start and tokens[i].text.upper() in STATEMENT_KEYWORDS:
            return i
        return None
    return None


def _parse(parser: Parser, tokens: list[Token], sql: str) -> list[exp.Expr]:
    return [e for e in parser.parse(tokens, sql) if e is not None]


def parse_segment(
    parser: Parser, tokens: list[Token], sql: str
) -> Iterator[tuple[list[Token], list[exp.Expr] | None, str | None]]:
    """Parse one segment; cut it where sqlglot finds a statement without a semicolon.

    Yields (tokens, expressions or None, error) per statement found. Each cut costs
    one parse of the statement before it, so a batch of N statements without
    semicolons costs about 2N statement parses.

    Examples:
        >>> sql = "select 1 from a\\nselect 2 from b"
        >>> parts = parse_segment(get_dialect("tsql").parser(), tokenize(sql, "tsql"), sql)
        >>> [token_text(sql, tokens) for tokens, _, _ in parts]
        ['select 1 from a', 'select 2 from b']
    """
    keys: list[tuple[int, int]] | None = None
    block: tuple[int, int] | None = None
    start = 0
    while start < len(tokens):
        rest = tokens[start:] if start else tokens
        try:
            expressions = _parse(parser, rest, sql)
        except ParseError as error:
            if keys is None:
                keys = [(t.line, t.col) for t in tokens]
                block = find_block(tokens)
            cut = _split_point(error, tokens, keys, start)
            if cut is not None and block is not None and block[0] < cut <= block[1]:
                # inside BEGIN … END the parser stumbled on the block, not on a missing
                # semicolon: leave it whole so the caller can flatten the block
                cut = None
            if cut is None:
                yield rest, None, _short_error(error)
                return
            head = tokens[start:cut]
            try:
                yield head, _parse(parser, head, sql), None
            except ParseError as head_error:
                yield head, None, _short_error(head_error)
            except Exception as head_error:
                yield head, None, f"{type(head_error).__name__}: {head_error}"
            start = cut
        except Exception as error:
            yield rest, None, f"{type(error).__name__}: {error}"
            return
        else:
            yield rest, expressions, None
            return


def _short_error(error: ParseError) -> str:
    if error.errors:
        first = error.errors[0]
        return f"{first.get('description')} (line {first.get('line')}, col {first.get('col')})"
    return str(error).splitlines()[0]


def find_block(tokens: list[Token]) -> tuple[int, int] | None:
    """(index of the first block-opening BEGIN, index of its matching END), if any.

    Examples:
        >>> find_block(tokenize("IF x BEGIN SELECT CASE WHEN y THEN 1 END; END", "tsql"))
        (2, 11)
        >>> find_block(tokenize("BEGIN TRANSACTION", "tsql")) is None
        True
    """
    start = None
    depth = 0
    skip_next = False
    for i, tok in enumerate(tokens):
        if skip_next:
            skip_next = False
            continue
        tt = tok.token_type
        upper = tok.text.upper()
        if upper == "BEGIN" and _opens_block(tokens, i):
            if start is None:
                start = i
            depth += 1
        elif tt == TokenType.CASE and start is not None:
            depth += 1
        elif upper == "END" and start is not None:
            if i + 1 < len(tokens) and tokens[i + 1].text.upper() in _END_SUFFIXES:
                skip_next = True
                continue
            depth -= 1
            if depth == 0:
                return start, i
    if start is not None:
        return start, len(tokens)
    return None


def split_statements(sql: str, dialect: str | None = None) -> list[str]:
    """Split a SQL script into statement texts.

    Statements end at semicolons outside ``BEGIN … END`` blocks and strings/comments,
    at T-SQL ``GO`` lines, and — for ``tsql`` — where a new statement starts without
    a semicolon (found with sqlglot's parser). Leading comments and the trailing
    semicolon are dropped; empty statements are skipped. Never raises.

    Args:
        sql: the script.
        dialect: sqlglot dialect name (``"tsql"``, ``"snowflake"``, ...); None for generic.

    Returns:
        The statement texts in order.

    Examples:
        >>> split_statements("select 1; -- one\\nselect 'a;b' from t;;")
        ['select 1', "select 'a;b' from t"]
        >>> split_statements("insert into a select * from b\\ninsert into c select 1", "tsql")
        ['insert into a select * from b', 'insert into c select 1']
        >>> split_statements("select 1\\nGO\\nselect 2", "tsql")
        ['select 1', 'select 2']
    """
    return [
        s.sql for s in iter_statements(sql, dialect, parse=is_tsql_like(resolve_dialect(dialect)))
    ]


def iter_statements(
    sql: str, dialect: str | None = None, parse: bool = True
) -> Iterator[ParsedStatement]:
    """Statements of a script with their sqlglot expressions (see `split_statements`).

    With ``parse=False`` only the token-level cut is made and expressions are empty.

    Examples:
        >>> statements = iter_statements("select 1; drop table t")
        >>> [(s.sql, type(s.expressions[0]).__name__) for s in statements]
        [('select 1', 'Select'), ('drop table t', 'Drop')]
    """
    sql = as_text(sql)
    if not sql.strip():
        return
    dialect = resolve_dialect(dialect)
    sql = blank_column_titles(replace_go_lines(sql, dialect))
    tokens = tokenize(sql, dialect)
    if tokens is None:
        text = sql.strip()
        yield ParsedStatement(text, (), "could not tokenize")
        return
    segments = segment_tokens(tokens)
    if not parse:
        for seg in segments:
            yield ParsedStatement(token_text(sql, seg), ())
        return
    parser = get_dialect(dialect).parser()
    for seg in segments:
        for part, expressions, error in parse_segment(parser, seg, sql):
            yield ParsedStatement(token_text(sql, part), tuple(expressions or ()), error)
