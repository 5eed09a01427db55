"""Reading the arguments of a Python call: the shared vocabulary of the call recognisers.

`embedded_sql` and `table_io` recognise calls by name and read their arguments
with these helpers; both report what they find to a `CallSite` (the scoping
walker), which also knows which strings and connections are statically known.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Protocol

from .strings import has_placeholder
from .table_names import is_path, normalize_table


class CallSite(Protocol):
    """What `inspect_call` needs from the walker, and where it reports findings."""

    def resolve(self, node: ast.AST) -> str | None:
        """The statically known text of a string expression (see `strings.resolve_string`)."""

    def dialect_of(self, node: ast.AST) -> str | None:
        """The SQL dialect of the connection/session object ``node`` evaluates to."""

    def found_sql(self, sql: str, call: ast.Call, role: str, dialect: str | None) -> None:
        """A SQL statement run by ``call``."""

    def found_table(self, name: str, call: ast.Call, *, is_write: bool) -> None:
        """A table (or file path) read or written by ``call``."""

    def found_run(self, target: str, call: ast.Call) -> None:
        """Another notebook run by ``call``."""

    def found_local_table(self, name: str, call: ast.Call) -> None:
        """A notebook-local table made by ``call`` (a registered DataFrame, a temp view)."""


Handler = Callable[[ast.Call, "ast.AST | None", CallSite], None]

PATH_KEYWORDS: tuple[str, ...] = (
    "path",
    "filepath_or_buffer",
    "path_or_buf",
    "path_or_paths",
    "io",
    "source",
    "file",
    "fname",
    "filename",
    "uri",
    "urlpath",
    "paths",
    "where",
    "target",
    "destination",
)
TABLE_KEYWORDS: tuple[str, ...] = (
    "name",
    "table_name",
    "tableName",
    "table",
    "destination_table",
    "table_id",
)


def receiver_root(node: ast.AST | None) -> str | None:
    """The variable a receiver chain starts from: ``spark`` in ``spark.read.format(x)``.

    Examples:
        >>> import ast
        >>> receiver_root(ast.parse("spark.read.format('csv')", mode="eval").body)
        'spark'
    """
    while node is not None:
        kind = type(node)
        if kind is ast.Name:
            return node.id  # type: ignore[attr-defined]
        if kind is ast.Attribute or kind is ast.Subscript:
            node = node.value  # type: ignore[attr-defined]
        elif kind is ast.Call:
            node = node.func  # type: ignore[attr-defined]
        else:
            return None
    return None


def chain_names(node: ast.AST | None) -> list[str]:
    """Attribute and call names along a receiver chain, outermost first."""
    names: list[str] = []
    while node is not None:
        kind = type(node)
        if kind is ast.Attribute:
            names.append(node.attr)  # type: ignore[attr-defined]
            node = node.value  # type: ignore[attr-defined]
        elif kind is ast.Call:
            node = node.func  # type: ignore[attr-defined]
        elif kind is ast.Name:
            names.append(node.id)  # type: ignore[attr-defined]
            break
        else:
            break
    return names


def chain_calls(node: ast.AST | None) -> list[ast.Call]:
    calls: list[ast.Call] = []
    while node is not None:
        kind = type(node)
        if kind is ast.Call:
            calls.append(node)  # type: ignore[arg-type]
            node = node.func  # type: ignore[attr-defined]
        elif kind is ast.Attribute:
            node = node.value  # type: ignore[attr-defined]
        else:
            break
    return calls


def keyword_arg(call: ast.Call, names: tuple[str, ...]) -> ast.AST | None:
    for keyword in call.keywords:
        if keyword.arg in names:
            return keyword.value
    return None


def string_values(node: ast.AST | None, site: CallSite) -> list[str]:
    """The known strings an argument holds: one literal, or a list/tuple of them."""
    if node is None:
        return []
    if type(node) in (ast.List, ast.Tuple):
        found = []
        for element in node.elts:  # type: ignore[attr-defined]
            text = site.resolve(element)
            if text is not None:
                found.append(text)
        return found
    text = site.resolve(node)
    return [] if text is None else [text]


def first_string_arg(call: ast.Call, site: CallSite, keywords: tuple[str, ...]) -> list[str]:
    """The known string(s) a call names its table or file with.

    A keyword among ``keywords`` first, then the first positional argument. A later
    positional argument counts only when it looks like a path: writers that take
    the data first (``joblib.dump(model, "m.pkl")``) put the path second, while in
    ``image.save(path, "PNG")`` the second string is a format, not a file.

    Examples:
        >>> import ast
        >>> from lineage.analysis.strings import resolve_string
        >>> class Site:
        ...     def resolve(self, node): return resolve_string(node, {}.get)
        >>> call = lambda code: ast.parse(code, mode="eval").body
        >>> first_string_arg(call("joblib.dump(model, 'm.pkl')"), Site(), ("filename",))
        ['m.pkl']
        >>> first_string_arg(call("img.save(target, 'PNG')"), Site(), ("fp",))
        []
    """
    found = string_values(keyword_arg(call, keywords), site)
    if found:
        return found
    for index, arg in enumerate(call.args):
        found = string_values(arg, site)
        if found and (index == 0 or is_path(found[0])):
            return found
    return []


def report_table(site: CallSite, call: ast.Call, name: str, *, is_write: bool) -> None:
    if name and not has_placeholder(name):
        site.found_table(normalize_table(name), call, is_write=is_write)
    elif name:
        site.found_table(name, call, is_write=is_write)  # the walker lowers confidence


def report_local_table(site: CallSite, call: ast.Call, name: str) -> None:
    """A name ``call`` makes that lives in the session only: notebook-local, no table."""
    if name and not has_placeholder(name):
        site.found_local_table(normalize_table(name), call)
    elif name:
        site.found_table(name, call, is_write=True)  # the walker lowers confidence
