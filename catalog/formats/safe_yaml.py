"""Load untrusted YAML into plain, JSON-compatible Python values.

PyYAML's `SafeLoader` already refuses to build arbitrary objects. On top of it this
loader:

- refuses aliases (`*name`) outright, which defeats alias bombs ("billion laughs") —
  Deepnote's own parser refuses them too, so no real `.deepnote` file uses them;
- refuses nesting deeper than `MAX_NESTING`, so a hostile file cannot exhaust the stack
  (libyaml's composer would crash the process on very deep nesting, which is why the
  node tree is composed in Python, from libyaml's events);
- resolves plain scalars by YAML 1.2's core schema, the YAML Deepnote writes, not by
  PyYAML's YAML 1.1 rules: timestamps, `yes`/`no`/`on`/`off`, `1_000`, `1:20` and `=`
  stay strings, `017` is seventeen, and `<<` is an ordinary key;
- builds only JSON types: no `!!binary`, `!!set`, `!!omap` or `!!pairs`.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from yaml.nodes import Node
from yaml.reader import ReaderError
from yaml.resolver import Resolver

from catalog.formats.model import FormatError

try:  # libyaml's event parser when PyYAML was built with it; the same API in pure Python.
    from yaml._yaml import CParser as _Parser

    _HAS_LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    _HAS_LIBYAML = False

MAX_NESTING = 100

_TAG = "tag:yaml.org,2002:"
_REFUSED_TAGS = tuple(_TAG + name for name in ("binary", "set", "omap", "pairs", "timestamp"))


class _Refused(Exception):
    """A document this loader will not build; the message is for a person."""


class _CoreSchemaResolver(Resolver):
    """Implicit types of YAML 1.2's core schema (null, bool, int, float; all else str)."""

    yaml_implicit_resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] = {}


for _name, _pattern, _first_chars in (
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+0123456789."),
    ),
):
    _CoreSchemaResolver.add_implicit_resolver(_TAG + _name, re.compile(_pattern), _first_chars)


class _JsonConstructor(SafeConstructor):
    """SafeConstructor limited to JSON types, reading integers as YAML 1.2 does."""

    def construct_yaml_int(self, node: Node) -> int:
        # YAML 1.1 reads a leading zero as octal (017 == 15); YAML 1.2 writes octal as 0o17.
        value = str(self.construct_scalar(node)).strip()
        sign = -1 if value.startswith("-") else 1
        digits = value.lstrip("+-")
        if digits.startswith("0o"):
            return sign * int(digits[2:], 8)
        if digits.startswith("0x"):
            return sign * int(digits[2:], 16)
        return sign * int(digits, 10)


_JsonConstructor.add_constructor(_TAG + "int", _JsonConstructor.construct_yaml_int)


def _refuse_tag(constructor: SafeConstructor, node: Node) -> Any:
    raise ConstructorError(
        None, None, f"the YAML tag {node.tag!r} is not allowed here", node.start_mark
    )


for _tag in _REFUSED_TAGS:
    _JsonConstructor.add_constructor(_tag, _refuse_tag)


if _HAS_LIBYAML:

    class _Loader(Composer, _Parser, _JsonConstructor, _CoreSchemaResolver):
        """libyaml parses; Python composes (no alias, bounded depth) and constructs."""

        def __init__(self, stream: str) -> None:
            _Parser.__init__(self, stream)
            Composer.__init__(self)
            _JsonConstructor.__init__(self)
            _CoreSchemaResolver.__init__(self)
            self._depth = 0

        def compose_node(self, parent: Node | None, index: Any) -> Node | None:
            return _compose_guarded(self, parent, index)

else:  # pragma: no cover - depends on how PyYAML was built
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Loader(Reader, Scanner, Parser, Composer, _JsonConstructor, _CoreSchemaResolver):
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            _JsonConstructor.__init__(self)
            _CoreSchemaResolver.__init__(self)
            self._depth = 0

        def compose_node(self, parent: Node | None, index: Any) -> Node | None:
            return _compose_guarded(self, parent, index)


def _compose_guarded(loader: Any, parent: Node | None, index: Any) -> Node | None:
    if loader.check_event(AliasEvent):
        event = loader.get_event()
        raise _Refused(
            f"YAML aliases are not allowed in a .deepnote file (alias *{event.anchor} at "
            f"{_where(event.start_mark)}): they can expand exponentially (an 'alias bomb')"
        )
    nests = loader.check_event(MappingStartEvent, SequenceStartEvent)
    if nests:
        loader._depth += 1
        if loader._depth > MAX_NESTING:
            mark = loader.peek_event().start_mark
            raise _Refused(
                f"YAML is nested more than {MAX_NESTING} levels deep (at {_where(mark)})"
            )
    try:
        return Composer.compose_node(loader, parent, index)
    finally:
        if nests:
            loader._depth -= 1


def load_yaml(text: str) -> Any:
    """Load one YAML document from untrusted text.

    Args:
        text: the YAML text.

    Returns:
        Plain dicts, lists, strings, numbers, booleans and None; None for an empty
        document.

    Raises:
        FormatError: invalid YAML, several documents, an alias, a refused tag, or nesting
            deeper than `MAX_NESTING`.

    Examples:
        >>> load_yaml("createdAt: 2025-01-27T12:00:00Z\\nenabled: on\\nok: true")
        {'createdAt': '2025-01-27T12:00:00Z', 'enabled': 'on', 'ok': True}
        >>> load_yaml("a: &x [1]\\nb: *x")
        Traceback (most recent call last):
        ...
        catalog.formats.model.FormatError: YAML aliases are not allowed in a .deepnote file (alias *x at line 2, column 4): they can expand exponentially (an 'alias bomb')
    """  # noqa: E501
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    except _Refused as error:
        raise FormatError(str(error)) from None
    except yaml.MarkedYAMLError as error:
        raise FormatError(_describe_yaml_error(error)) from None
    except ReaderError as error:
        raise FormatError(
            f"YAML does not allow the character #x{error.character:04x} "
            f"({error.reason}) at offset {error.position}"
        ) from None
    except yaml.YAMLError as error:
        raise FormatError(f"Invalid YAML: {error}") from None
    except RecursionError:
        raise FormatError("YAML is nested too deeply to read") from None
    except (ValueError, TypeError, OverflowError) as error:  # e.g. a 5,000-digit integer
        raise FormatError(f"YAML cannot be read: {str(error)[:200]}") from None
    finally:
        loader.dispose()


def _describe_yaml_error(error: yaml.MarkedYAMLError) -> str:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or error.context or "invalid YAML"
    if isinstance(error, ComposerError) and "single document" in str(error.context):
        return "YAML holds several documents; a .deepnote file holds one"
    where = f" at {_where(mark)}" if mark is not None else ""
    if isinstance(error, ConstructorError):
        return f"YAML cannot be read{where}: {problem}"
    return f"YAML syntax error{where}: {problem}"


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"
