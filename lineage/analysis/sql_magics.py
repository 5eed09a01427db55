"""SQL magics: the SQL they run, the variables they bind, the Python names they interpolate.

``%sql``/``%%sql`` (ipython-sql, jupysql, sparkmagic), ``%%bigquery``, ``%%sparksql``,
``%%dql`` and Databricks ``%sql`` language cells.
"""

from __future__ import annotations

import re

from .magic_effects import (
    BRACE_RE,
    COLON_PARAM_RE,
    DOLLAR_RE,
    DOUBLE_BRACE_RE,
    IDENTIFIER_RE,
    MagicEffect,
    MagicSql,
    split_args,
)

_SQL_URL_RE = re.compile(r"^([A-Za-z][\w]*)(?:\+\w+)?://\S*$")
_URL_DIALECTS = {
    "postgresql": "postgres",
    "postgres": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "duckdb": "duckdb",
    "mssql": "tsql",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "redshift": "redshift",
    "oracle": "oracle",
    "trino": "trino",
    "presto": "presto",
    "databricks": "databricks",
    "hive": "hive",
    "clickhouse": "clickhouse",
    "awsathena": "athena",
}
_SQL_FLAGS_WITH_VALUE = frozenset(
    {
        "-x",
        "--close",
        "-c",
        "--creator",
        "-s",
        "--section",
        "-a",
        "--connection_arguments",
        "-f",
        "--file",
        "--save",
        "--with",
        "-A",
        "--alias",
        "-o",
        "--output",
        "-m",
        "--method",
        "-n",
        "--maxrows",
        "-r",
        "--fraction",
        "-v",
        "--view",
        "-l",
        "--limit",
        "--persist",
        "--persist-replace",
        "--append",
    }
)
_NUMERIC_FLAGS = frozenset({"-n", "-l", "-r", "-m"})
_NUMERIC_RE = re.compile(r"^(\d+(\.\d+)?|take|sample)$")
_ONE_WORD_STATEMENTS = frozenset({"COMMIT", "ROLLBACK", "BEGIN", "END", "SHOW", "VACUUM"})
_RESULT_RE = re.compile(r"^\s*([A-Za-z_]\w*)\s*<<\s*", re.DOTALL)


def sql_magic(name: str, line: str, body: str | None) -> MagicEffect:
    """``%sql``/``%%sql`` (ipython-sql, jupysql, sparkmagic), ``%%sparksql``, Databricks SQL."""
    dialect = {
        "databricks-sql": "databricks",
        "sparksql": "spark",
        "sparkmagic-sql": "spark",
        "dql": "duckdb",
        "duckdb": "duckdb",
    }.get(name)
    defines: list[str] = []
    uses: list[str] = []
    writes: list[str] = []
    rest = line
    variable: str | None = None
    # Options first: `-o df` (sparkmagic), `--persist df` (jupysql), `-v view` (sparksql-magic)
    while True:
        rest = rest.lstrip()
        match = re.match(r"(--?[\w-]+)(?:=(\S+))?", rest)
        if match is None or not rest.startswith("-"):
            break
        flag, inline = match.group(1), match.group(2)
        rest = rest[match.end() :]
        value = inline
        if value is None and flag in _SQL_FLAGS_WITH_VALUE:
            value_match = re.match(r"\s*(\S+)", rest)
            if (
                value_match
                and flag in _NUMERIC_FLAGS
                and not _NUMERIC_RE.match(value_match.group(1))
            ):
                value_match = None  # jupysql's `-n`/`-l` are switches, sparkmagic's take a number
            if value_match:
                value = value_match.group(1)
                rest = rest[value_match.end() :]
        if value is None:
            continue
        if flag in ("-o", "--output"):
            defines.append(value)
            variable = value
            dialect = dialect or "spark"
        elif flag in ("--persist", "--persist-replace", "--append"):
            uses.append(value)
            writes.append(value)
        elif flag == "--save":
            writes.append(value)  # jupysql snippets are queried by name later
        elif flag in ("-v", "--view") and name == "sparksql":
            writes.append(value)
        elif flag in ("-x", "--close", "-A", "--alias", "-c", "--creator"):
            pass
    rest = rest.strip()
    # A connection: URL, [section], or (jupysql) an existing connection variable.
    first, _, after = rest.partition(" ")
    url = _SQL_URL_RE.match(first)
    if url:
        dialect = dialect or _URL_DIALECTS.get(url.group(1).lower())
        rest = after.strip()
    elif first.startswith("[") and first.endswith("]"):
        rest = after.strip()
    elif first.startswith("$") and IDENTIFIER_RE.match(first[1:]) and not after.strip():
        uses.append(first[1:])
        rest = ""
    if name == "sparksql" and IDENTIFIER_RE.match(rest.strip() or "-"):
        # sparksql-magic: `%%sparksql df` stores the result in df
        variable = rest.strip()
        defines.append(variable)
        rest = ""
    # ipython-sql reads the line and the cell as one text: `var <<` may end either.
    text = rest if body is None else f"{rest}\n{body}" if rest.strip() else body
    result = _RESULT_RE.match(text)
    if result:
        variable = result.group(1)
        defines.append(variable)
        text = text[result.end() :]
    if (
        body is None
        and IDENTIFIER_RE.match(text.strip() or "-")
        and not defines
        and text.strip().upper() not in _ONE_WORD_STATEMENTS
    ):
        # `%sql conn` selects a connection held in a Python variable.
        return MagicEffect(uses=(text.strip(),))
    if name in ("sql", "sparksql", "dql", "duckdb"):
        sql, params = substitute_sql_params(text, colon_params=name == "sql")
        uses.extend(params)
    else:
        sql = text  # Databricks and remote Spark SQL cannot see Python variables
    statements = (MagicSql(sql.strip(), dialect, variable),) if sql.strip() else ()
    return MagicEffect(
        uses=tuple(uses), defines=tuple(defines), sql=statements, writes=tuple(writes)
    )


def substitute_sql_params(sql: str, *, colon_params: bool = True) -> tuple[str, tuple[str, ...]]:
    """Python variables interpolated into magic SQL, and the SQL with placeholders.

    ``{{name}}`` (jupysql templates), ``{name}`` and ``$name`` (ipython-sql) are
    replaced by a placeholder identifier; ``:name`` bind parameters stay as they
    are (every dialect parses them). All are reported as used names.

    Examples:
        >>> substitute_sql_params("SELECT * FROM {{tbl}} WHERE id = :uid AND d > '{day}'")
        ("SELECT * FROM __tbl__ WHERE id = :uid AND d > '__day__'", ('tbl', 'day', 'uid'))
    """
    names: list[str] = []

    def replace(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        root = re.match(r"[A-Za-z_]\w*", expression)
        if root:
            names.append(root.group(0))
            return f"__{root.group(0)}__"
        return match.group(0)

    text = sql
    if "{" in text:
        text = DOUBLE_BRACE_RE.sub(replace, text)
        text = BRACE_RE.sub(replace, text)
    if "$" in text:
        text = DOLLAR_RE.sub(replace, text)
    if colon_params and ":" in text:
        without_strings = re.sub(r"'[^']*'", "''", text)
        names.extend(
            m.group(1) for m in COLON_PARAM_RE.finditer(without_strings) if not m.group(1).isdigit()
        )
    return text, tuple(dict.fromkeys(names))


# %%bigquery flags that take no value.
_BIGQUERY_SWITCHES = frozenset(
    {"--dry_run", "--use_legacy_sql", "--verbose", "--use_bqstorage_api", "--use_rest_api"}
)


def bigquery_magic(line: str, body: str | None) -> MagicEffect:
    """``%%bigquery [var] [--project p] [--params {...}] [--destination_table t]``."""
    args = split_args(line)
    defines: list[str] = []
    uses: list[str] = []
    writes: list[str] = []
    expressions: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg.startswith("--"):
            key, _, inline = arg.partition("=")
            value = inline or (args[index + 1] if index + 1 < len(args) else "")
            if not inline and key not in _BIGQUERY_SWITCHES:
                index += 1  # the flag's value is the next argument
            if key == "--destination_table" and value:
                writes.append(value)
            elif key == "--params" and value:
                # `--params $params` or a dict literal after the flag (the rest of the line)
                if value.startswith("$"):
                    uses.append(value[1:])
                else:
                    brace = line.find("{", line.find("--params"))
                    if brace >= 0:
                        expressions.append(line[brace:])
                    break
        elif arg.startswith("-"):
            pass
        elif not defines and IDENTIFIER_RE.match(arg):
            defines.append(arg)
        index += 1
    text = (body or "").strip()
    if text.startswith("$") and IDENTIFIER_RE.match(text[1:]):
        uses.append(text[1:])  # the query text is held in a Python variable
        text = ""
    variable = defines[0] if defines else None
    statements = (MagicSql(text, "bigquery", variable),) if text else ()
    return MagicEffect(
        defines=tuple(defines),
        uses=tuple(uses),
        expressions=tuple(expressions),
        sql=statements,
        writes=tuple(writes),
    )
