"""Copy parsed values into plain, strictly JSON-compatible Python values.

Readers keep metadata and outputs "as read", but what they hand on must survive
`json.dumps` and PostgreSQL's `jsonb`: plain dicts with string keys, lists, strings
without lone surrogates, finite numbers, booleans and None.
"""

from __future__ import annotations

import math
from typing import Any


def to_json_value(value: Any, *, fix_surrogates: bool = False) -> Any:
    """A plain JSON-compatible copy of a parsed value.

    Dict subclasses (nbformat's `NotebookNode`) become dicts, tuples become lists,
    non-string keys become their JSON spelling, NaN and infinities become None (JSON has
    no spelling for them), and anything else becomes its `str`.

    Args:
        value: a value from a JSON or YAML parser.
        fix_surrogates: replace lone UTF-16 surrogates (which JSON escapes such as
            "\\ud800" can produce) with U+FFFD; off by default because it costs a pass over
            every non-ASCII string.

    Returns:
        The copy. Strings are shared, not copied.

    Examples:
        >>> to_json_value({1: float("nan"), "tags": ("a", "b"), None: True})
        {'1': None, 'tags': ['a', 'b'], 'null': True}
        >>> to_json_value("bad \\ud800 text", fix_surrogates=True) == "bad \\ufffd text"
        True
    """
    if isinstance(value, str):
        return _without_lone_surrogates(value) if fix_surrogates else value
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {
            _key(key, fix_surrogates): to_json_value(item, fix_surrogates=fix_surrogates)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [to_json_value(item, fix_surrogates=fix_surrogates) for item in value]
    return str(value)


def _key(key: Any, fix_surrogates: bool) -> str:
    if isinstance(key, str):
        return _without_lone_surrogates(key) if fix_surrogates else key
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def _without_lone_surrogates(text: str) -> str:
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= char <= "\udfff" else char for char in text)
    return text
