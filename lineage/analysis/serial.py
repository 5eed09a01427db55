"""JSON for the analysis core's frozen values, driven by their type hints.

One encoder and one decoder for every dataclass and named tuple the core returns, so that
a field added to `CodeAnalysis` or `NotebookLineage` is stored and read back without
anything else changing: sets become sorted lists, tuples lists, named tuples and
dataclasses objects keyed by field name. A stored object that lacks a field (written
before the field existed) reads back with the field's default. Pure: standard library.

Examples:
    >>> from lineage.analysis.types import CodeAnalysis, SqlStatement
    >>> a = CodeAnalysis(defines=frozenset({"b", "a"}), sql=(SqlStatement("SELECT 1", 1, "x"),))
    >>> data = to_json(a)
    >>> data["defines"], data["sql"][0]["role"]
    (['a', 'b'], 'x')
    >>> from_json(CodeAnalysis, data) == a
    True
    >>> from_json(CodeAnalysis, {"uses": ["x"]}).uses  # missing fields take their defaults
    frozenset({'x'})
    >>> to_json(CodeAnalysis(uses=frozenset({"x"})), compact=True)  # defaults left out
    {'uses': ['x']}
"""

from __future__ import annotations

import dataclasses
import enum
import sys
import types
import typing
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")
_Decode = Callable[[Any], Any]


def to_json(value: Any, *, compact: bool = False) -> Any:
    """``value`` as JSON-ready data (dicts, lists, strings, numbers, None).

    ``compact`` leaves out the dataclass fields that hold their default (what a store
    keeps: `from_json` puts the defaults back).
    """
    if value is None or isinstance(value, str | int | float | bool):
        return value
    kind = type(value)
    if kind is frozenset or kind is set:  # most often of names: sorted as they are
        if all(type(item) is str for item in value):
            return sorted(value)
    elif kind is tuple and not value:
        return []
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return fields_to_json(value, compact=compact)
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {
            name: to_json(item, compact=compact)
            for name, item in zip(value._fields, value, strict=True)
        }
    if isinstance(value, frozenset | set):
        return sorted((to_json(item, compact=compact) for item in value), key=_sort_key)
    if isinstance(value, list | tuple):
        return [to_json(item, compact=compact) for item in value]
    if isinstance(value, Mapping):
        return {str(key): to_json(item, compact=compact) for key, item in value.items()}
    raise TypeError(f"Cannot store a {type(value).__name__} as JSON")


def fields_to_json(
    value: Any, *, but: tuple[str, ...] = (), compact: bool = False
) -> dict[str, Any]:
    """`to_json` of a dataclass value's fields, leaving out those named in ``but``."""
    data = {}
    for name, default, encode in _plan(type(value)):
        if name in but:
            continue
        item = getattr(value, name)
        if compact and default is not _NO_DEFAULT and item == default:
            continue
        data[name] = encode(item, compact)
    return data


_NO_DEFAULT = object()


@cache
def _plan(cls: type) -> tuple[tuple[str, Any, Callable[[Any, bool], Any]], ...]:
    """Per field of a dataclass: its name, its default, and how to encode its values
    (chosen once from the type hint: ingest encodes thousands of values of each class)."""
    hints = _hints(cls)
    defaults = _defaults(cls)
    return tuple(
        (f.name, defaults.get(f.name, _NO_DEFAULT), _encoder(hints[f.name]))
        for f in dataclasses.fields(cls)
        if f.init
    )


def _encoder(hint: Any) -> Callable[[Any, bool], Any]:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint in (str, int, float, bool) or origin is typing.Literal:
        return _same_json
    if origin in (frozenset, set) and args and args[0] is str:
        return _sorted_names
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if all(o in (str, int, float, bool) for o in options):
            return _same_json
    return _generic


def _same_json(value: Any, compact: bool) -> Any:
    return value


def _sorted_names(value: Any, compact: bool) -> list:
    return sorted(value)


def _generic(value: Any, compact: bool) -> Any:
    return to_json(value, compact=compact)


@cache
def _defaults(cls: type) -> dict[str, Any]:
    found = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            found[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            found[f.name] = f.default_factory()
    return found


def from_json(cls: type[T], data: Any) -> T:
    """The ``cls`` value that `to_json` turned into ``data``."""
    return _decoder(cls)(data)


def _sort_key(item: Any) -> tuple:
    return (str(type(item)), item) if not isinstance(item, dict | list) else (str(item),)


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if f.init)


@cache
def _decoder(hint: Any) -> _Decode:
    """A function that rebuilds a value of type ``hint`` from its JSON."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is Any or hint is object:
        return _same
    if origin is typing.Literal:
        return _same
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        inner = _decoder(options[0]) if len(options) == 1 else _same
        return lambda data: None if data is None else inner(data)
    if origin in (frozenset, set, tuple, list) or hint in (frozenset, set, tuple, list):
        container = origin or hint
        if container is tuple and len(args) == 2 and args[1] is Ellipsis:
            args = (args[0],)
        if container is tuple and len(args) > 1:  # a fixed-length tuple
            parts = [_decoder(a) for a in args]
            return lambda data: tuple(p(d) for p, d in zip(parts, data, strict=True))
        item = _decoder(args[0]) if args else _same
        return lambda data: container(item(d) for d in data)
    if origin in (dict, Mapping) or hint in (dict, Mapping) or origin is typing.Mapping:
        value = _decoder(args[1]) if len(args) == 2 else _same
        return lambda data: {key: value(item) for key, item in data.items()}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_decoder(hint)
    if isinstance(hint, type) and issubclass(hint, tuple) and hasattr(hint, "_fields"):
        return _named_tuple_decoder(hint)
    if hint in (str, int, float, bool):
        return _same
    raise TypeError(f"Cannot read {hint!r} from JSON")


def _same(data: Any) -> Any:
    return data


def _hints(cls: type) -> dict[str, Any]:
    module = sys.modules.get(cls.__module__)
    return typing.get_type_hints(cls, vars(module) if module else None)


def _dataclass_decoder(cls: type) -> _Decode:
    hints = _hints(cls)
    defaults = _defaults(cls)
    fields = [
        (f.name, _as_default_type(_decoder(hints[f.name]), defaults.get(f.name)))
        for f in dataclasses.fields(cls)
        if f.init
    ]

    def decode(data: Mapping[str, Any]) -> Any:
        return cls(**{name: read(data[name]) for name, read in fields if name in data})

    return decode


def _as_default_type(decode: _Decode, default: Any) -> _Decode:
    """A field typed as a Mapping whose default is a mapping of its own (a frozen one)
    reads back as that type, not as a plain dict."""
    kind = type(default)
    if isinstance(default, Mapping) and kind is not dict:
        return lambda data: kind(decode(data))
    return decode


def _named_tuple_decoder(cls: type) -> _Decode:
    hints = _hints(cls)
    fields = [(name, _decoder(hints[name])) for name in cls._fields]

    def decode(data: Any) -> Any:
        if isinstance(data, list):  # the positional form
            return cls(*(read(d) for (_, read), d in zip(fields, data, strict=False)))
        return cls(**{name: read(data[name]) for name, read in fields if name in data})

    return decode
