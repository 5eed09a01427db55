"""Statically known strings in Python code: literals, simple f-strings, concatenations.

SQL and paths are usually written as literals, or built from literals with an
f-string, ``+``, ``%`` or ``.format``. This module recovers the text; a part that
cannot be known statically becomes a *placeholder* (``__name__``) so that the
surrounding SQL still parses and the unknown part can be recognised later.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

Lookup = Callable[[str], "str | None"]

# A placeholder stands for a value only known at run time. The double
# underscores keep it a valid identifier in SQL and an unlikely real name.
_PLACEHOLDER_RE = re.compile(r"__[A-Za-z0-9_]*?__")
_NON_WORD_RE = re.compile(r"\W+")
_FORMAT_FIELD_RE = re.compile(r"\{\{|\}\}|\{([^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}")
_PERCENT_FIELD_RE = re.compile(
    r"%%|%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[-#0 +]*\d*(?:\.\d+)?[sdifr]"
)

# Calls that return their (first) string argument unchanged for our purposes.
_PASS_THROUGH = frozenset({"dedent", "cleandoc", "text", "str", "strip", "lstrip", "rstrip"})
_PATH_JOINS = frozenset({"join", "Path", "PurePath", "PosixPath", "PurePosixPath", "UPath"})


def placeholder(node: ast.AST | str) -> str:
    """The placeholder for a value that is only known at run time.

    Examples:
        >>> placeholder("table")
        '__table__'
        >>> import ast
        >>> placeholder(ast.parse("cfg['db']", mode="eval").body)
        '__cfg_db__'
    """
    if isinstance(node, str):
        text = node
    elif type(node) is ast.Name:
        text = node.id  # type: ignore[attr-defined]
    else:
        text = ast.unparse(node)
    return f"__{_NON_WORD_RE.sub('_', text).strip('_') or 'value'}__"


def has_placeholder(text: str) -> bool:
    """True when ``text`` holds a part that is unknown until run time.

    Examples:
        >>> has_placeholder("select * from __schema__.users")
        True
        >>> has_placeholder("select * from users")
        False
    """
    return "__" in text and _PLACEHOLDER_RE.search(text) is not None


def resolve_string(node: ast.AST, lookup: Lookup) -> str | None:
    """The text of a string expression, with placeholders for its unknown parts.

    Returns None when the expression is not string-like at all (a bare unknown
    name, a number, a call we do not model).

    Examples:
        >>> import ast
        >>> known = {"table": "sales"}.get
        >>> query = ast.parse("f'SELECT * FROM {table} WHERE d = {day}'", mode="eval").body
        >>> resolve_string(query, known)
        'SELECT * FROM sales WHERE d = __day__'
        >>> resolve_string(ast.parse("'SELECT * FROM ' + schema + '.t'", mode="eval").body, known)
        'SELECT * FROM __schema__.t'
    """
    kind = type(node)
    if kind is ast.Constant:
        value = node.value  # type: ignore[attr-defined]
        return value if isinstance(value, str) else None
    if kind is ast.Name:
        return lookup(node.id)  # type: ignore[attr-defined]
    if kind is ast.JoinedStr:
        return _joined(node, lookup)  # type: ignore[arg-type]
    if kind is ast.BinOp:
        return _binop(node, lookup)  # type: ignore[arg-type]
    if kind is ast.Call:
        return _call(node, lookup)  # type: ignore[arg-type]
    return None


def _part(node: ast.AST, lookup: Lookup) -> str:
    """A part of a larger string: its text when known, else a placeholder."""
    if type(node) is ast.Constant and not isinstance(node.value, str):  # type: ignore[attr-defined]
        return str(node.value)  # type: ignore[attr-defined]
    text = resolve_string(node, lookup)
    return placeholder(node) if text is None else text


def _joined(node: ast.JoinedStr, lookup: Lookup) -> str:
    pieces: list[str] = []
    for value in node.values:
        if type(value) is ast.Constant:
            pieces.append(value.value)
        elif type(value) is ast.FormattedValue:
            # A format spec or !r would change the text; keep it unknown then.
            if value.format_spec is None and value.conversion in (-1, 115):
                pieces.append(_part(value.value, lookup))
            else:
                pieces.append(placeholder(value.value))
    return "".join(pieces)


def _binop(node: ast.BinOp, lookup: Lookup) -> str | None:
    op = type(node.op)
    if op is ast.Add and type(node.left) is ast.BinOp and type(node.left.op) is ast.Add:
        return _concatenation(node, lookup)
    if op is ast.Add or op is ast.Div:
        left = resolve_string(node.left, lookup)
        right = resolve_string(node.right, lookup)
        if left is None and right is None:
            return None
        left = placeholder(node.left) if left is None else left
        right = placeholder(node.right) if right is None else right
        return f"{left}/{right}" if op is ast.Div else left + right
    if op is ast.Mod:
        template = resolve_string(node.left, lookup)
        if template is None:
            return None
        return _percent_format(template, node.right, lookup)
    return None


def _concatenation(node: ast.BinOp, lookup: Lookup) -> str | None:
    """``a + b + c + ...`` without recursing once per ``+``."""
    parts: list[ast.AST] = []
    current: ast.AST = node
    while type(current) is ast.BinOp and type(current.op) is ast.Add:  # type: ignore[attr-defined]
        parts.append(current.right)  # type: ignore[attr-defined]
        current = current.left  # type: ignore[attr-defined]
    parts.append(current)
    parts.reverse()
    texts = [resolve_string(part, lookup) for part in parts]
    if all(text is None for text in texts):
        return None
    return "".join(
        placeholder(part) if text is None else text for part, text in zip(parts, texts, strict=True)
    )


def _percent_format(template: str, args: ast.AST, lookup: Lookup) -> str:
    if type(args) is ast.Tuple:
        positional = list(args.elts)  # type: ignore[attr-defined]
    elif type(args) is ast.Dict:
        positional = []
    else:
        positional = [args]
    named = _dict_items(args) if type(args) is ast.Dict else {}

    def substitute(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "%%":
            return "%"
        name = match.group(1)
        if name is not None:
            value = named.get(name)
            return placeholder(name) if value is None else _part(value, lookup)
        if positional:
            return _part(positional.pop(0), lookup)
        return placeholder("value")

    return _PERCENT_FIELD_RE.sub(substitute, template)


def _dict_items(node: ast.Dict) -> dict[str, ast.AST]:
    return {
        key.value: value
        for key, value in zip(node.keys, node.values, strict=False)
        if type(key) is ast.Constant and isinstance(key.value, str)
    }


def _call(node: ast.Call, lookup: Lookup) -> str | None:
    func = node.func
    name = func.attr if type(func) is ast.Attribute else getattr(func, "id", None)
    if name == "format" and type(func) is ast.Attribute:
        template = resolve_string(func.value, lookup)
        if template is None:
            return None
        return _brace_format(template, node, lookup)
    if name in _PASS_THROUGH:
        if type(func) is ast.Attribute and name in ("strip", "lstrip", "rstrip"):
            text = resolve_string(func.value, lookup)
            return None if text is None else text.strip()
        if node.args:
            return resolve_string(node.args[0], lookup)
        return None
    if name in _PATH_JOINS and node.args:
        if name == "join" and type(func) is ast.Attribute:
            receiver = func.value
            if type(receiver) is ast.Constant and isinstance(receiver.value, str):
                # "sep".join([...]) of known parts
                items = node.args[0]
                if type(items) in (ast.List, ast.Tuple):
                    return receiver.value.join(_part(i, lookup) for i in items.elts)
                return None
            if not _is_path_module(receiver):
                return None
        parts = [resolve_string(arg, lookup) for arg in node.args]
        if all(p is None for p in parts):
            return None
        return "/".join(
            placeholder(arg) if p is None else p for arg, p in zip(node.args, parts, strict=True)
        )
    return None


def _is_path_module(node: ast.AST) -> bool:
    # os.path.join / posixpath.join / ntpath.join
    if type(node) is ast.Attribute:
        return node.attr == "path"
    return type(node) is ast.Name and node.id in ("posixpath", "ntpath", "path")


def _brace_format(template: str, call: ast.Call, lookup: Lookup) -> str:
    named = {kw.arg: kw.value for kw in call.keywords if kw.arg}
    args = list(call.args)
    auto_index = 0

    def substitute(match: re.Match[str]) -> str:
        nonlocal auto_index
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        field = match.group(1).strip()
        if field == "":
            index = auto_index
            auto_index += 1
            return _part(args[index], lookup) if index < len(args) else placeholder("value")
        if field.isdigit():
            index = int(field)
            return _part(args[index], lookup) if index < len(args) else placeholder("value")
        value = named.get(field)
        return placeholder(field) if value is None else _part(value, lookup)

    return _FORMAT_FIELD_RE.sub(substitute, template)
