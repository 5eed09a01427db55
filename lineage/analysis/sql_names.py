"""How a table reference is named: dotted parts, quoting, temporary tables, file paths.

Unquoted parts are lower-cased, quoted parts kept as written (without their quote
characters); T-SQL temporary tables keep their ``#``/``##``; references that are
really files (duckdb ``FROM 'x.parquet'``, ``read_csv(...)``, ClickHouse ``s3(...)``,
Spark ``parquet.`/path```, Snowflake stages) are named by their path.
"""

from __future__ import annotations

import re

from sqlglot import exp

FILE_FORMATS = frozenset(
    {"parquet", "json", "csv", "orc", "avro", "text", "delta", "binaryfile", "iceberg", "hudi"}
)
FILE_READERS = frozenset(
    {
        "read_parquet", "parquet_scan", "read_csv", "read_csv_auto", "read_json",
        "read_json_auto", "read_json_objects", "read_ndjson", "read_ndjson_auto",
        "read_ndjson_objects", "read_text", "read_blob", "read_xlsx", "delta_scan",
        "iceberg_scan", "read_files", "s3", "s3cluster", "gcs", "url", "file", "hdfs",
        "azureblobstorage", "deltalake", "iceberg", "hudi", "input", "read_avro",
        "sqlite_scan", "csv_scan",
    }
)  # fmt: skip
PATH_RE = re.compile(
    r"(^[a-z][a-z0-9+.-]*://)|[/\\]|\.(parquet|csv|tsv|json|jsonl|ndjson|txt|orc|avro|arrow|"
    r"feather|xlsx?|gz|zst|bz2|zip)$",
    re.IGNORECASE,
)


def identifier_name(node: exp.Expr) -> str | None:
    """One part of a dotted name: unquoted lower-cased, quoted kept as written.

    Examples:
        >>> import sqlglot
        >>> table = sqlglot.parse_one('SELECT * FROM Raw."Events"').find(exp.Table)
        >>> [identifier_name(part) for part in table.parts]
        ['raw', 'Events']
        >>> temp = sqlglot.parse_one("SELECT * FROM #stage", read="tsql").find(exp.Table)
        >>> identifier_name(temp.this)
        '#stage'
    """
    if type(node) is exp.Identifier:
        args = node.args
        text = args["this"]
        if not args.get("quoted"):
            text = text.lower()
        if args.get("global_"):
            return "##" + text
        if args.get("temporary"):
            return "#" + text
        return text
    if isinstance(node, exp.Parameter):
        inner = node.this
        return "@" + (inner.name if isinstance(inner, exp.Expr) else str(inner)).lower()
    if isinstance(node, exp.Var):
        return node.name.lower()
    if isinstance(node, exp.Literal) and node.is_string:
        return node.name
    return None


def is_path(text: str) -> bool:
    """True when a quoted name looks like a file path or URI rather than a table.

    Examples:
        >>> is_path("s3://bucket/x"), is_path("data/trips.parquet"), is_path("Orders")
        (True, True, False)
    """
    return bool(PATH_RE.search(text))


def literal_strings(node: exp.Expr | None) -> list[str]:
    """The string literals of a literal or an array of literals.

    Examples:
        >>> literal_strings(exp.Array(expressions=[exp.Literal.string("a"), exp.Literal.number(1)]))
        ['a']
    """
    if isinstance(node, exp.Literal) and node.is_string:
        return [node.name]
    if isinstance(node, exp.Array):
        return [e.name for e in node.expressions if isinstance(e, exp.Literal) and e.is_string]
    return []


def function_paths(func: exp.Expr) -> list[str]:
    """Paths a file-reading table function reads; [] for other table-valued functions.

    Examples:
        >>> import sqlglot
        >>> function_paths(sqlglot.parse_one("read_csv('a.csv', header = true)", read="duckdb"))
        ['a.csv']
        >>> function_paths(sqlglot.parse_one("generate_series(1, 3)"))
        []
    """
    name = (func.name if isinstance(func, exp.Anonymous) else func.sql_name()).lower()
    if name not in FILE_READERS:
        return []
    args = [a for a in func.args.values() if a is not None]
    first = func.this if isinstance(func, exp.Func) and isinstance(func.this, exp.Expr) else None
    candidates = [first] if first is not None and not isinstance(func, exp.Anonymous) else []
    for arg in args:
        if isinstance(arg, list):
            candidates.extend(arg)
    for cand in candidates:
        paths = literal_strings(cand)
        if paths:
            return paths
    return []


def table_names(table: exp.Table) -> list[str]:
    """The name(s) a Table node stands for: one dotted name, file paths, or none.

    Examples:
        >>> import sqlglot
        >>> table_names(sqlglot.parse_one('SELECT * FROM Db."MyTab"').find(exp.Table))
        ['db.MyTab']
        >>> q = "SELECT * FROM read_parquet(['a.parquet', 'b.parquet'])"
        >>> table_names(sqlglot.parse_one(q, read="duckdb").find(exp.Table))
        ['a.parquet', 'b.parquet']
    """
    args = table.args
    this = args.get("this")
    db = args.get("db")
    if type(this) is exp.Identifier and not this.args.get("quoted"):
        # the common case, kept cheap: an unquoted name, possibly qualified
        name = identifier_name(this)
        if db is None:
            return [] if name == "dual" else [name]
        if args.get("catalog") is None and type(db) is exp.Identifier:
            db_name = identifier_name(db)
            return [f"{db_name}.{name}"] if db_name else []
    if isinstance(this, exp.DynamicIdentifier):
        return _dynamic_names(this.this)
    if isinstance(this, exp.Anonymous) and this.name.lower() == "identifier":
        args = this.expressions
        return _dynamic_names(args[0]) if len(args) == 1 else []
    if isinstance(this, exp.Func):
        return function_paths(this)
    if isinstance(this, exp.Literal) and this.is_string:
        return [this.name]
    if isinstance(this, exp.Var) and this.name.startswith("@"):
        return [this.name]  # a Snowflake stage
    catalog = args.get("catalog")
    if isinstance(this, exp.Identifier) and this.quoted:
        if db is None and is_path(this.this):
            return [this.this]
        if (
            catalog is None
            and isinstance(db, exp.Identifier)
            and not db.quoted
            and db.this.lower() in FILE_FORMATS
            and is_path(this.this)
        ):
            return [this.this]  # Spark: SELECT * FROM parquet.`/data/x`
    parts = []
    for part in table.parts:
        name = identifier_name(part)
        if name is None:
            return []
        parts.append(name)
    if not parts:
        return []
    if len(parts) == 1 and parts[0] == "dual":
        return []
    return [".".join(parts)]


def _dynamic_names(arg: exp.Expr | None) -> list[str]:
    """``IDENTIFIER('db.t')`` / ``IDENTIFIER(t)`` name a table; a variable or bind does not."""
    if isinstance(arg, exp.Literal) and arg.is_string:
        try:
            table = exp.to_table(arg.name)
        except Exception:  # a name sqlglot cannot read: keep the text
            return [arg.name]
        return table_names(table) if isinstance(table, exp.Table) else [arg.name]
    if isinstance(arg, exp.Column) and not arg.table and isinstance(arg.this, exp.Identifier):
        name = identifier_name(arg.this)
        return [name] if name and not name.startswith("$") else []
    return []  # $var, :bind, ?, expressions: unknown until run time
