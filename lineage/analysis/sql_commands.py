"""Statements sqlglot keeps as an unparsed ``Command``: the ones with lineage, by keyword.

``ALTER TABLE … EXCHANGE PARTITION … WITH TABLE``, Redshift ``ALTER TABLE … APPEND
FROM``, Redshift and Athena ``UNLOAD``, MySQL ``RENAME TABLE`` and ``REPLACE INTO``,
Postgres ``DO`` blocks, and procedural statements (``IF … THEN``, ``WHILE … DO``,
``ELSE``, the rest of a ``BEGIN … END`` body) whose inner statements are analysed;
commands known to carry no lineage (``EXPLAIN``, ``GRANT``, ``SHOW``, ``CREATE
STAGE``…) give nothing; any other is scanned for table names with low confidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlglot import exp

from lineage.analysis.sql_fallback import StatementTables, has_lineage_words, scan_tables
from lineage.analysis.types import WriteKind

AnalyzeText = Callable[[str, "str | None"], list[StatementTables]]

_NO_LINEAGE_COMMANDS = frozenset(
    {
        "ADD", "ANALYZE", "BACKUP", "CALL", "CHECKPOINT", "CLEAR", "CLOSE", "COMMENT",
        "COMMIT", "COMPUTE", "DBCC", "DEALLOCATE", "DESC", "DESCRIBE", "DETACH", "EXEC",
        "EXECUTE", "EXPLAIN", "FETCH", "FLUSH", "GET", "GO", "GRANT", "INSTALL", "INVALIDATE",
        "KILL", "LIST", "LOCK", "MSCK", "OPEN", "OPTIMIZE", "PRAGMA", "PRINT", "PUT",
        "RAISERROR", "REFRESH", "REINDEX", "RESET", "RESTORE", "RETURN", "REVOKE",
        "ROLLBACK", "SAVEPOINT", "SET", "SHOW", "SLEEP", "THROW", "UNCACHE", "UNLOCK",
        "USE", "VACUUM", "WAITFOR", "ATTACH", "LOAD", "FORCE", "START",
        "REMOVE", "RM", "UNDROP", "ABORT", "CHECK", "CLUSTER", "DISCARD", "LISTEN",
        "NOTIFY", "PREPARE", "REASSIGN", "SECURITY", "UNLISTEN", "LEAVE", "ITERATE",
        "CONTINUE", "BREAK", "RAISE", "ASSERT", "LET",
    }
)  # fmt: skip
# CREATE <kind> of objects that hold no rows.
_NO_DATA_OBJECTS = frozenset(
    {
        "SCHEMA", "DATABASE", "STAGE", "FILE", "ROLE", "USER", "WAREHOUSE", "INTEGRATION",
        "SECRET", "CONNECTION", "EXTENSION", "SEQUENCE", "TYPE", "DOMAIN", "INDEX",
        "FUNCTION", "PROCEDURE", "MACRO", "TRIGGER", "POLICY", "TAG", "NETWORK",
        "RESOURCE", "SHARE", "CATALOG", "PIPE", "ALERT", "NOTIFICATION", "API", "MODEL",
        "SERVER", "COLLATION", "OPERATOR", "AGGREGATE", "CAST", "PUBLICATION",
        "SUBSCRIPTION", "STATISTICS", "RULE", "LANGUAGE", "TABLESPACE", "EVENT",
    }
)  # fmt: skip
_CREATE_MODIFIERS = frozenset(
    {"OR", "REPLACE", "ALTER", "TEMP", "TEMPORARY", "TRANSIENT", "VOLATILE", "GLOBAL",
     "LOCAL", "SECURE", "EXTERNAL", "UNIQUE", "IF", "NOT", "EXISTS", "DEFINER", "UNLOGGED"}
)  # fmt: skip
_BLOCK_WORDS = frozenset(
    {"BEGIN", "END", "ELSE", "TRY", "CATCH", "ATOMIC", "TRAN", "TRANSACTION", "LOOP",
     "REPEAT", "IF", "WHILE", "FOR", "CASE"}
)  # fmt: skip
_CONDITIONAL = frozenset({"IF", "ELSEIF", "ELSIF", "WHILE", "FOR"})
_PART = r"(?:[\w$#@]+|\"[^\"]+\"|`[^`]+`|\[[^\]]+\])"
_NAME = rf"{_PART}(?:\s*\.\s*{_PART})*"
_EXCHANGE_RE = re.compile(
    rf"^\s*TABLE\s+(?P<t>{_NAME})\s+EXCHANGE\s+PARTITION\b.*?\bWITH\s+TABLE\s+(?P<s>{_NAME})",
    re.I | re.S,
)
_APPEND_RE = re.compile(
    rf"^\s*TABLE\s+(?P<t>{_NAME})\s+APPEND\s+FROM\s+(?P<s>{_NAME})", re.I | re.S
)
_ALTER_RENAME_RE = re.compile(
    rf"^\s*TABLE\s+(?:IF\s+EXISTS\s+)?(?P<s>{_NAME})\s+RENAME\s+TO\s+(?P<t>{_NAME})", re.I | re.S
)
_ALTER_TABLE_RE = re.compile(
    rf"^\s*(?:TABLE|VIEW|MATERIALIZED\s+VIEW)\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?P<t>{_NAME})",
    re.I | re.S,
)
_RENAME_PAIR_RE = re.compile(rf"(?P<s>{_NAME})\s+TO\s+(?P<t>{_NAME})", re.I | re.S)
# Redshift quotes the query; Athena does not.
_UNLOAD_QUOTED_RE = re.compile(
    r"^\s*\(\s*'(?P<q>(?:[^']|'')*)'\s*\)\s*TO\s*'(?P<p>[^']*)'", re.I | re.S
)
_UNLOAD_BARE_RE = re.compile(r"^\s*\((?P<q>.*)\)\s*TO\s*'(?P<p>[^']*)'", re.I | re.S)
_THEN_RE = re.compile(r"\b(?:THEN|DO)\b", re.I)


def command_tables(
    stmt: exp.Command, dialect: str | None, analyze_text: AnalyzeText
) -> list[StatementTables]:
    """Tables of a statement sqlglot kept as an unparsed Command.

    ``analyze_text(sql, dialect)`` analyses SQL text found inside the command (an
    ``UNLOAD`` query, the statement after ``THEN``) like a script.

    Examples:
        >>> import sqlglot
        >>> sql = "ALTER TABLE f EXCHANGE PARTITION (d='1') WITH TABLE s"
        >>> command = sqlglot.parse_one(sql, read="hive")
        >>> command_tables(command, "hive", lambda sql, dialect: [])
        [StatementTables(reads=['s'], writes=['f'], is_low_confidence=False)]
    """
    keyword = str(stmt.this or "").upper()
    rest = stmt.expression
    text = rest.name if isinstance(rest, exp.Literal) else str(rest or "")
    first = keyword.split()[0] if keyword else ""
    if first in _CONDITIONAL:
        return _conditional(text, dialect, analyze_text)
    if first in _BLOCK_WORDS:
        body = _strip_block_words(text)
        return analyze_text(body, dialect) if body else []
    if first == "ALTER":
        for pattern, kind in ((_EXCHANGE_RE, WriteKind.OVERWRITE), (_APPEND_RE, WriteKind.INSERT)):
            match = pattern.match(text)
            if match:
                # rows move from the other table into this one: data flow
                target = _name(match["t"])
                return [StatementTables([_name(match["s"])], [target], kinds={target: kind})]
        match = _ALTER_RENAME_RE.match(text)
        if match:
            return [_renamed([(_name(match["s"]), _name(match["t"]))])]
        match = _ALTER_TABLE_RE.match(text)
        if not match:
            return []
        target = _name(match["t"])
        return [StatementTables([], [target], kinds={target: WriteKind.ALTER}, has_flow=False)]
    if first == "RENAME":
        body = re.sub(r"^\s*TABLES?\s+", "", text, flags=re.I)
        return [_renamed([(_name(s), _name(t)) for s, t in _RENAME_PAIR_RE.findall(body)])]
    if first == "UNLOAD":
        unloaded = _unload(text, dialect, analyze_text)
        if unloaded is not None:
            return unloaded
    if first == "DO":
        body = text.strip()
        if body.startswith("$$") and body.endswith("$$"):
            return analyze_text(body[2:-2], dialect)
    if first == "REPLACE" and text.lstrip().upper().startswith("INTO"):
        units = analyze_text("INSERT " + text, dialect)
        for unit in units:  # MySQL REPLACE INTO: rows with a known key are replaced
            unit.kinds = dict.fromkeys(unit.writes, WriteKind.MERGE)
        return units
    if first == "CREATE" and _creates_no_data(text):
        return []
    if first in _NO_LINEAGE_COMMANDS:
        return []
    full = f"{keyword} {text}"
    scan = scan_tables(full)
    if not scan.reads and not scan.writes and not has_lineage_words(full):
        return []  # e.g. a procedure header: no table could have been missed
    return [scan]


def _strip_block_words(text: str) -> str:
    """``TRY INSERT …`` / ``ELSE BEGIN INSERT …`` / ``IF;``: the statement after the words."""
    words = text.split()
    while words and words[0].upper().rstrip(";") in _BLOCK_WORDS | {"ELSEIF", "ELSIF"}:
        words.pop(0)
    return text[text.find(words[0]) :].strip() if words else ""


def _conditional(text: str, dialect: str | None, analyze_text: AnalyzeText) -> list:
    """``IF cond THEN stmt`` / ``WHILE cond DO stmt``: tables in the condition and body."""
    match = _THEN_RE.search(text)
    condition, body = (text[: match.start()], text[match.end() :]) if match else (text, "")
    units: list[StatementTables] = []
    if re.search(r"\bSELECT\b", condition, re.I):
        # IF EXISTS (SELECT 1 FROM t) THEN: the condition's subqueries are reads
        units.extend(analyze_text(f"SELECT {condition.strip()}", dialect))
    body = _strip_block_words(body)
    if body:
        units.extend(analyze_text(body, dialect))
    return units


def _unload(text: str, dialect: str | None, analyze_text: AnalyzeText) -> list | None:
    quoted = _UNLOAD_QUOTED_RE.match(text)
    match = quoted or _UNLOAD_BARE_RE.match(text)
    if match is None:
        return None
    query = match["q"].replace("''", "'") if quoted else match["q"]
    inner = analyze_text(query, dialect)
    reads = [r for part in inner for r in part.reads]
    low = any(part.is_low_confidence for part in inner)
    path = match["p"]
    return [StatementTables(reads, [path], low, kinds={path: WriteKind.OVERWRITE})]


def _renamed(pairs: list[tuple[str, str]]) -> StatementTables:
    """``RENAME TABLE a TO b, c TO d``: a lifecycle change of each table, no data flow."""
    names = [name for pair in pairs for name in pair]
    return StatementTables(
        [],
        list(dict.fromkeys(names)),
        kinds=dict.fromkeys(names, WriteKind.RENAME),
        has_flow=False,
        renames=pairs,
    )


def _creates_no_data(text: str) -> bool:
    for word in text.split():
        upper = word.upper()
        if upper in _CREATE_MODIFIERS:
            continue
        return upper in _NO_DATA_OBJECTS
    return True


def _name(written: str) -> str:
    """Normalize a dotted name taken from raw text (a Command the parser skipped)."""
    parts = re.findall(r"\"[^\"]+\"|`[^`]+`|\[[^\]]+\]|[^.\s]+", written)
    out = []
    for part in parts:
        if part[0] in '"`[':
            out.append(part[1:-1])
        else:
            out.append(part.lower())
    return ".".join(out)
