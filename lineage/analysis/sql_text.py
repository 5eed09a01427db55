"""Whether a Python string is SQL, and making DB-API parameters parseable."""

from __future__ import annotations

import re

_SQL_START_RE = re.compile(
    r"""\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*\(*\s*
    (SELECT|WITH|INSERT|UPDATE|DELETE|MERGE|CREATE|DROP|ALTER|TRUNCATE|REPLACE|UPSERT
    |COPY|UNLOAD|LOAD|SHOW|DESCRIBE|DESC|EXPLAIN|USE|CALL|EXEC|EXECUTE|GRANT|REVOKE
    |VALUES|FROM|PRAGMA|ATTACH|DETACH|INSTALL|OPTIMIZE|VACUUM|ANALYZE|MSCK|REFRESH
    |CACHE|UNCACHE|DECLARE|TABLE|SUMMARIZE|PIVOT|UNPIVOT|RENAME|COMMENT|BEGIN|SET)\b""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)


# `SET` and `BEGIN` alone are too common in prose to count; they need SQL after them.
_WEAK_START = frozenset({"SET", "BEGIN", "TABLE", "DESC", "VALUES", "FROM", "USE", "CALL"})


_WEAK_FOLLOW_RE = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|TABLE|WHERE|JOIN|TRANSACTION|WORK)\b|=|;",
    re.IGNORECASE,
)


def looks_like_sql(text: str) -> bool:
    """True when ``text`` starts like a SQL statement (after comments and parentheses).

    Examples:
        >>> looks_like_sql("  -- daily\\nselect * from t")
        True
        >>> looks_like_sql("age > 30 and city == 'Paris'")
        False
    """
    match = _SQL_START_RE.match(text)
    if match is None:
        return False
    keyword = match.group(1).upper()
    if keyword in _WEAK_START:
        rest = text[match.end() :]
        if keyword in ("TABLE", "FROM", "DESC", "USE"):
            return bool(re.match(r"\s+[\w`\"\[]", rest))
        return _WEAK_FOLLOW_RE.search(rest) is not None
    return True


_SQL_PARAM_RE = re.compile(r"%\((\w+)\)s|%s")


def normalize_sql_params(sql: str) -> str:
    """DB-API ``%s``/``%(name)s`` parameters as ``?``/``:name``, which every dialect parses.

    Examples:
        >>> normalize_sql_params("select * from t where id = %s and d = %(day)s")
        'select * from t where id = ? and d = :day'
    """
    if "%" not in sql:
        return sql
    return _SQL_PARAM_RE.sub(lambda m: f":{m.group(1)}" if m.group(1) else "?", sql)
