"""The API's JSON parser: a depth limit, and no text that cannot be encoded."""

from __future__ import annotations

import codecs
import json

from rest_framework.parsers import JSONParser

from accounts.errors import InvalidInput
from accounts.text import unencodable_path

# No request body of ours nests deeper than a few levels; this leaves room for any real one.
MAX_JSON_DEPTH = 64


def json_depth(value) -> int:
    """How deeply ``value`` nests lists and objects (a scalar is 0, ``[[]]`` is 2).

    Examples:
        >>> json_depth({"inputs": {"a": [1, 2]}}), json_depth(3)
        (3, 0)
    """
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, refusing with a 400 (`InvalidInput`) a body nested deeper than
    `MAX_JSON_DEPTH` (Python's parser would hit its recursion limit: a 500) or holding a
    lone surrogate (no database or page can encode it)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding") or "utf-8"
        try:
            text = codecs.getreader(encoding)(stream).read()
        except (UnicodeDecodeError, LookupError):
            raise InvalidInput(f"The body is not valid {encoding} text.") from None
        try:
            data = json.loads(text, parse_constant=self._refuse_constant)
        except RecursionError:
            data = None
            too_deep = True
        except ValueError as exc:
            raise InvalidInput(f"The body is not valid JSON: {exc}") from None
        else:
            too_deep = json_depth(data) > MAX_JSON_DEPTH
        if too_deep:
            raise InvalidInput(f"The body is nested more than {MAX_JSON_DEPTH} levels deep.")
        where = unencodable_path(data)
        if where is not None:
            raise InvalidInput(
                f"'{where or 'body'}' holds text that cannot be encoded as UTF-8 "
                "(a lone surrogate).",
                field=where or None,
            )
        return data

    @staticmethod
    def _refuse_constant(name: str):
        raise ValueError(f"{name} is not a JSON number")
