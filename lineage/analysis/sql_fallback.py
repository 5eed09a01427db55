"""Best-effort table scan for SQL that sqlglot cannot parse.

A small regex tokenizer (strings, comments, quoted identifiers and Jinja tags are
kept whole) and a keyword scan: names after ``FROM``/``JOIN``/``USING`` are read,
names after ``INTO``/``UPDATE``/``CREATE … TABLE``/``DROP TABLE``/``TRUNCATE`` … are
written. It knows nothing of scopes beyond CTE names, so results carry low confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lineage.analysis.types import WriteKind

_TOKEN_RE = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
    | (?P<jinja>\{\{.*?(?:\}\}|\Z)|\{%.*?(?:%\}|\Z)|\{\#.*?(?:\#\}|\Z))
    | (?P<string>'(?:[^'\\]|\\.|'')*(?:'|\Z)|\$\$.*?(?:\$\$|\Z))
    | (?P<quoted>"(?:[^"]|"")*(?:"|\Z)|`(?:[^`]|``)*(?:`|\Z)|\[[^\]\n]*(?:\]|\Z))
    | (?P<word>[A-Za-z_@\#$][\w$@\#]*)
    | (?P<number>\d+(?:\.\d+)?)
    | (?P<punct>.)
    """,
    re.S | re.X,
)

# Words that never name a table where a table name is expected.
_NOT_NAMES = frozenset(
    {
        "select", "from", "where", "join", "on", "using", "as", "with", "recursive", "values",
        "lateral", "unnest", "table", "inner", "left", "right", "full", "outer", "cross",
        "natural", "semi", "anti", "group", "order", "by", "having", "limit", "union",
        "intersect", "except", "minus", "into", "set", "update", "delete", "insert", "merge",
        "when", "then", "else", "end", "case", "not", "null", "and", "or", "is", "in", "exists",
        "if", "only", "overwrite", "partition", "directory", "local", "temporary", "temp",
        "view", "like", "clone", "returning", "window", "qualify", "offset", "fetch", "for",
        "do", "nothing", "conflict", "matched", "inpath", "data", "load", "infile", "outfile",
        "dumpfile",
    }
)  # fmt: skip
_READ_KEYWORDS = frozenset({"from", "join", "using"})
_SKIP_AFTER_KEYWORD = frozenset({"if", "not", "exists", "table", "only", "local", "directory"})
_FILE_FORMATS = frozenset(
    {"parquet", "csv", "json", "orc", "avro", "text", "delta", "iceberg", "hive", "jdbc"}
)
_DDL_FIRST_WORDS = frozenset({"create", "drop", "truncate", "alter", "insert", "cache", "replace"})
_JINJA_REF = re.compile(r"^\{\{-?\s*ref\s*\(\s*(?P<args>[^)]*)\)\s*-?\}\}$", re.S)
_JINJA_SOURCE = re.compile(r"^\{\{-?\s*source\s*\(\s*(?P<args>[^)]*)\)\s*-?\}\}$", re.S)
_STRING_ARG = re.compile(r"""['"]([^'"]+)['"]""")


@dataclass
class StatementTables:
    """What one statement reads and writes, in order of appearance.

    ``is_low_confidence`` marks a result that comes from a token scan (this module)
    rather than from sqlglot's parse. ``kinds`` says what the statement does to each
    written table (`WriteKind`; ``insert`` when not said); ``has_flow`` is False for a
    statement whose written rows are computed from none of the tables it reads
    (DELETE, DROP, TRUNCATE, RENAME, ALTER, an UPDATE from no other table): its reads
    and writes are no data flow. ``renames`` are ``(old, new)`` pairs.

    Examples:
        >>> StatementTables(["raw.a"], ["mart.b"])
        StatementTables(reads=['raw.a'], writes=['mart.b'], is_low_confidence=False)
        >>> StatementTables([], ["t"], kinds={"t": WriteKind.DROP}, has_flow=False).kind("t")
        <WriteKind.DROP: 'drop'>
    """

    reads: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    is_low_confidence: bool = False
    kinds: dict[str, WriteKind] = field(default_factory=dict, repr=False)
    has_flow: bool = field(default=True, repr=False)
    renames: list[tuple[str, str]] = field(default_factory=list, repr=False)
    in_procedure: bool = field(default=False, repr=False)  # a statement of a procedure body

    def kind(self, table: str) -> WriteKind:
        """What the statement does to ``table``, one of its ``writes``."""
        return self.kinds.get(table, WriteKind.INSERT)


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str

    @property
    def lower(self) -> str:
        return self.text.lower() if self.kind == "word" else ""


def _tokens(sql: str) -> list[_Tok]:
    out = []
    for match in _TOKEN_RE.finditer(sql):
        kind = match.lastgroup or "punct"
        if kind in ("ws", "comment"):
            continue
        out.append(_Tok(kind, match.group()))
    return out


_LINEAGE_WORDS = frozenset(
    {"from", "join", "into", "update", "table", "view", "merge", "using", "overwrite", "copy"}
)


def has_lineage_words(sql: str) -> bool:
    """True when ``sql`` has a keyword that could introduce a table name.

    Examples:
        >>> has_lineage_words("DECLARE v NUMBER"), has_lineage_words("delete from t")
        (False, True)
    """
    return any(tok.lower in _LINEAGE_WORDS for tok in _tokens(sql))


def split_text(sql: str) -> list[str]:
    """Split a script at semicolons outside strings, comments and quotes (no sqlglot).

    Examples:
        >>> split_text("select ';' from a; -- x;\\n select 2")
        ["select ';' from a", '-- x;\\n select 2']
    """
    parts: list[str] = []
    start = 0
    for match in _TOKEN_RE.finditer(sql):
        if match.lastgroup == "punct" and match.group() == ";":
            parts.append(sql[start : match.start()].strip())
            start = match.end()
    parts.append(sql[start:].strip())
    return [p for p in parts if p and _tokens(p)]


def _jinja_table(text: str) -> str | None:
    """dbt-style ``{{ ref('m') }}`` → ``m``, ``{{ source('s', 't') }}`` → ``s.t``."""
    for pattern, join in ((_JINJA_REF, False), (_JINJA_SOURCE, True)):
        match = pattern.match(text)
        if match:
            args = _STRING_ARG.findall(match.group("args"))
            if not args:
                return None
            return ".".join(args[:2]) if join else args[-1]
    return None


def _part(tok: _Tok) -> str | None:
    if tok.kind == "word":
        if tok.text.lower() in _NOT_NAMES:
            return None
        return tok.text.lower()
    if tok.kind == "quoted":
        inner = tok.text[1:-1] if len(tok.text) >= 2 else tok.text
        return inner.replace('""', '"').replace("``", "`")
    return None


def _read_name(toks: list[_Tok], i: int) -> tuple[str | None, int]:
    """A dotted name starting at ``toks[i]``: (name or None, index after it)."""
    if i >= len(toks):
        return None, i
    tok = toks[i]
    if tok.kind == "jinja":
        return _jinja_table(tok.text), i + 1
    if tok.kind == "string":
        # duckdb/snowflake: FROM 'file.parquet', COPY INTO t FROM 's3://…'
        return tok.text.strip("'"), i + 1
    first = _part(tok)
    if first is None:
        return None, i
    parts = [first]
    i += 1
    while i + 1 < len(toks) and toks[i].text == "." and toks[i + 1].kind in ("word", "quoted"):
        nxt = toks[i + 1]
        parts.append(nxt.text.lower() if nxt.kind == "word" else (_part(nxt) or ""))
        i += 2
    return ".".join(parts), i


def _skip_parens(toks: list[_Tok], i: int) -> int:
    """Index after the parenthesised group starting at ``toks[i]`` (a function's arguments)."""
    depth = 0
    while i < len(toks):
        if toks[i].text == "(":
            depth += 1
        elif toks[i].text == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def _cte_names(toks: list[_Tok]) -> set[str]:
    """Names declared as ``WITH name [(cols)] AS (`` or ``, name AS (``."""
    names = set()
    for i, tok in enumerate(toks):
        if tok.kind not in ("word", "quoted") or i == 0:
            continue
        prev = toks[i - 1]
        if not (prev.lower in ("with", "recursive") or prev.text == ","):
            continue
        j = i + 1
        if j < len(toks) and toks[j].text == "(":
            depth = 0
            while j < len(toks):
                if toks[j].text == "(":
                    depth += 1
                elif toks[j].text == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            j += 1
        if j + 1 < len(toks) and toks[j].lower == "as" and toks[j + 1].text == "(":
            name = _part(tok)
            if name:
                names.add(name)
    return names


def scan_tables(sql: str) -> StatementTables:
    """Scan one statement's text for the tables it reads and writes.

    Args:
        sql: one SQL statement (may contain Jinja or dialect syntax sqlglot rejects).

    Returns:
        The names found, read and written, in order (duplicates removed).

    Examples:
        >>> r = scan_tables("INSERT INTO db.t SELECT * FROM a JOIN {{ ref('b') }} USING (id)")
        >>> r.reads, r.writes
        (['a', 'b'], ['db.t'])
    """
    toks = _tokens(sql)
    result = StatementTables(is_low_confidence=True)
    if not toks:
        return result
    ctes = _cte_names(toks)
    first = toks[0].lower
    reads: dict[str, None] = {}
    writes: dict[str, None] = {}
    prev_kw = ""
    i = 0
    n = len(toks)
    while i < n:
        tok = toks[i]
        word = tok.lower
        role = None
        if word in _READ_KEYWORDS:
            role = "write" if word == "from" and prev_kw == "delete" else "read"
        elif (
            word in ("into", "update")
            or (word == "overwrite" and first == "insert")
            or (word in ("table", "view") and first in _DDL_FIRST_WORDS)
        ):
            role = "write"
        elif word in ("like", "clone") and first == "create":
            role = "read"
        elif word == "to" and prev_kw == "rename":
            role = "write"
        elif word in ("infile", "inpath") and i + 1 < n and toks[i + 1].kind == "string":
            reads[toks[i + 1].text.strip("'")] = None  # LOAD DATA [LOCAL] INFILE 'path'
            i += 2
            continue
        elif word in ("outfile", "dumpfile") and i + 1 < n and toks[i + 1].kind == "string":
            writes[toks[i + 1].text.strip("'")] = None  # SELECT … INTO OUTFILE 'path'
            i += 2
            continue
        if role == "write" and word == "table" and i > 0 and toks[i - 1].lower == "on":
            role = "read"  # CREATE STREAM s ON TABLE src, CREATE INDEX i ON TABLE t
        if word:
            prev_kw = word if word in ("delete", "rename") or role else prev_kw
        if role is None:
            i += 1
            continue
        j = i + 1
        # IF [NOT] EXISTS, TABLE after INTO/OVERWRITE, ONLY, [LOCAL] DIRECTORY …
        while j < n and toks[j].lower in _SKIP_AFTER_KEYWORD:
            j += 1
        if word == "using" and j < n and toks[j].lower in _FILE_FORMATS:
            i = j + 1  # Spark "USING parquet" names a format, not a table
            continue
        while True:
            name, k = _read_name(toks, j)
            if name is None:
                break
            is_call = k < n and toks[k].text == "(" and role == "read"
            if not is_call and name not in ctes and not name.startswith("@"):
                (writes if role == "write" else reads)[name] = None
            # "FROM a x, b y": keep reading comma-separated tables.
            if role != "read":
                break
            k2 = _skip_parens(toks, k) if is_call else k
            if k2 < n and toks[k2].lower == "as":
                k2 += 1
            if k2 < n and toks[k2].kind in ("word", "quoted") and _part(toks[k2]) is not None:
                k2 += 1
            if k2 < n and toks[k2].text == "," and k2 + 1 < n and toks[k2 + 1].text != "(":
                j = k2 + 1
                continue
            break
        i = max(i + 1, j)
    result.reads = list(reads)
    result.writes = list(writes)
    _classify(toks, result)
    return result


# The first word of a statement the parser rejected: what it does to the tables it writes.
_FIRST_WORD_KINDS = {
    "insert": WriteKind.INSERT,
    "create": WriteKind.CREATE,
    "merge": WriteKind.MERGE,
    "replace": WriteKind.MERGE,
    "upsert": WriteKind.MERGE,
    "update": WriteKind.UPDATE,
    "delete": WriteKind.DELETE,
    "truncate": WriteKind.TRUNCATE,
    "drop": WriteKind.DROP,
    "alter": WriteKind.ALTER,
    "rename": WriteKind.RENAME,
    "select": WriteKind.CREATE,  # SELECT … INTO
}
_NO_FLOW_WORDS = frozenset({"delete", "truncate", "drop", "alter", "rename"})


def _classify(toks: list[_Tok], result: StatementTables) -> None:
    """Write kinds and data flow of a scanned statement, from its first words."""
    first = toks[0].lower
    words = {t.lower for t in toks[:8]}
    kind = _FIRST_WORD_KINDS.get(first, WriteKind.INSERT)
    if first in ("insert", "create") and ("overwrite" in words or "replace" in words):
        kind = WriteKind.OVERWRITE
    if first == "alter" and "rename" in words:
        kind = WriteKind.RENAME
    result.kinds = dict.fromkeys(result.writes, kind)
    if first in _NO_FLOW_WORDS or (first == "update" and not result.reads):
        result.has_flow = False
    elif first == "cache":
        result.has_flow, result.writes, result.kinds = False, [], {}
