"""Text that cannot be written as UTF-8: found at the boundary, replaced where it is shown.

A lone surrogate (``"\\ud800"``) is a valid Python string and a valid JSON escape, but no
UTF-8 encoder accepts it: stored, it made every page that showed it a 500. The API and the
forms refuse it (`unencodable_path`); what is already stored shows as U+FFFD (`printable`).

Examples:
    >>> printable({"email": "a\\ud800b", "n": [1, "\\udfff"]})
    {'email': 'a\ufffdb', 'n': [1, '\ufffd']}
    >>> unencodable_path({"inputs": {"email": ["ok", "\\udc80"]}})
    'inputs.email[1]'
    >>> unencodable_path({"inputs": {"email": "fine"}}) is None
    True
"""

from __future__ import annotations

import re
from typing import Any

SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def has_surrogate(text: str) -> bool:
    return SURROGATE.search(text) is not None


def printable_text(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (the same string when none)."""
    return SURROGATE.sub(REPLACEMENT, text) if SURROGATE.search(text) else text


def printable(value: Any) -> Any:
    """``value`` (JSON-like: dicts, lists, strings, numbers) with its text made printable."""
    if isinstance(value, str):
        return printable_text(value)
    if isinstance(value, dict):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable(v) for v in value]
    return value


def unencodable_path(value: Any, path: str = "") -> str | None:
    """Where in ``value`` the first text that cannot be encoded is (``inputs.email[1]``),
    or None. A bad key is reported at its parent's path."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if has_surrogate(item):
                return where
        elif isinstance(item, dict):
            for key, child in reversed(item.items()):
                if isinstance(key, str) and has_surrogate(key):
                    return where
                stack.append((child, f"{where}.{key}" if where else str(key)))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{i}]") for i, child in reversed(list(enumerate(item))))
    return None
