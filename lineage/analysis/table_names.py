"""Table names and file paths written in Python, spelled the way SQL lineage spells them."""

from __future__ import annotations

import re


def normalize_table(name: str) -> str:
    """A table name as Python code wrote it, in the form SQL lineage uses.

    Unquoted parts are lower-cased (SQL folds them), quoted parts keep their case.
    Paths and URIs are kept verbatim.

    Examples:
        >>> normalize_table("Analytics.Daily_Sales")
        'analytics.daily_sales'
        >>> normalize_table('raw."MixedCase"')
        'raw.MixedCase'
        >>> normalize_table("s3://bucket/Data.parquet")
        's3://bucket/Data.parquet'
    """
    name = name.strip()
    if is_path(name):
        return name
    parts: list[str] = []
    for part in _split_dotted(name):
        if len(part) >= 2 and part[0] in '"`[' and part[-1] in '"`]':
            parts.append(part[1:-1])
        else:
            parts.append(part.strip().lower())
    return ".".join(parts)


def _split_dotted(name: str) -> list[str]:
    if not any(q in name for q in '"`['):
        return name.split(".")
    parts, current, quote = [], [], ""
    for char in name:
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
        elif char in '"`[':
            quote = "]" if char == "[" else char
            current.append(char)
        elif char == ".":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


_FILE_SUFFIX_RE = re.compile(
    r"\.(csv|tsv|txt|parquet|pq|json|jsonl|ndjson|xlsx?|feather|arrow|ipc|orc|avro|pkl|pickle"
    r"|h5|hdf5?|db|sqlite3?|duckdb|gz|zip|bz2|zst|xml|html?|sas7bdat|dta|sav|npy|npz|joblib"
    r"|delta)$",
    re.IGNORECASE,
)


def is_path(name: str) -> bool:
    """True when ``name`` is a file path or URI rather than a table name.

    Examples:
        >>> is_path("data/raw.csv"), is_path("s3://b/k"), is_path("sales.orders")
        (True, True, False)
    """
    return (
        "/" in name
        or "\\" in name
        or "://" in name
        or name.startswith("~")
        or _FILE_SUFFIX_RE.search(name) is not None
    )
