"""PEP 695 type parameters (``def f[T](x: T)``, ``class A[T]``, ``type X[T] = ...``).

Python 3.12 parses them and puts them on the AST (``node.type_params``); the Python that
runs Tributary (3.11) does not, yet notebooks written for newer kernels use them. So when
a cell fails to parse and shows one of these forms, `downgrade` rewrites it into code
3.11 parses - the bracket list blanked out, ``type X = v`` turned into ``X = v`` - and
returns, per statement position, the parameters it took away. Every other character keeps
its line and column, so line numbers (and the SQL found in the cell) stay right.

`type_params_of` answers the same question for both: the parameters of a ``def``,
``class`` or type alias statement.
"""

from __future__ import annotations

import ast
import io
import keyword
import re
import tokenize
from dataclasses import dataclass

Position = tuple[int, int]  # (line, column) of the statement, as the AST reports it


@dataclass(frozen=True)
class TypeParam:
    """One type parameter: its name and the lazily evaluated bound and default.

    Attributes:
        name: ``T`` in ``[T: int = str]``, ``Ts`` in ``[*Ts]``, ``P`` in ``[**P]``.
        bound: the bound or constraints expression, if any.
        default: the default (PEP 696), if any.
    """

    name: str
    bound: ast.expr | None = None
    default: ast.expr | None = None


@dataclass(frozen=True)
class Downgraded:
    """A cell rewritten for Python 3.11 and the type parameters taken out of it.

    Attributes:
        source: code with the same lines and columns that 3.11 can parse.
        params: per ``def``/``class``/alias statement position, its type parameters.
        aliases: positions of the assignments that were ``type X = ...`` statements.
    """

    source: str
    params: dict[Position, tuple[TypeParam, ...]]
    aliases: frozenset[Position]


_MAYBE_PEP695 = re.compile(
    r"\b(?:def|class)\s+\w+\s*\["  # def f[T](...), class A[T]
    r"|(?:^|[:;])[ \t]*type[ \t]+\w+[ \t]*[\[=]",  # type X = ..., type X[T] = ...
    re.MULTILINE,
)
_STATEMENT_START = frozenset({tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT})


def may_have_type_params(source: str) -> bool:
    """Cheap check before `downgrade`: does the text show a PEP 695 form?

    Examples:
        >>> may_have_type_params("def first[T](xs: list[T]) -> T: ...")
        True
        >>> may_have_type_params("x[0] = type(y)")
        False
    """
    return _MAYBE_PEP695.search(source) is not None


def downgrade(source: str) -> Downgraded | None:
    """Rewrite PEP 695 syntax so that Python 3.11 parses the cell; None when there is none.

    Examples:
        >>> d = downgrade("type Pair[T] = tuple[T, T]\\ndef first[U: Base](p: Pair[U]) -> U: ...")
        >>> print(d.source)
        Pair         = tuple[T, T]
        def first         (p: Pair[U]) -> U: ...
        >>> [p.name for p in d.params[(1, 0)]], [p.name for p in d.params[(2, 0)]], d.aliases
        (['T'], ['U'], frozenset({(1, 0)}))
    """
    try:
        tokens = [
            t
            for t in tokenize.generate_tokens(io.StringIO(source).readline)
            if t.type not in (tokenize.COMMENT, tokenize.NL)
        ]
    except (tokenize.TokenError, SyntaxError):
        return None
    lines = source.splitlines(keepends=True)
    edits: list[tuple[Position, Position, str]] = []  # (start, end, replacement)
    params: dict[Position, tuple[TypeParam, ...]] = {}
    aliases: set[Position] = set()
    index = 0
    while index < len(tokens) - 2:
        token = tokens[index]
        following = tokens[index + 1]
        if token.type != tokenize.NAME or following.type != tokenize.NAME:
            index += 1
            continue
        if token.string in ("def", "class") and _is_op(tokens[index + 2], "["):
            close = _matching(tokens, index + 2)
            if close is None:
                return None
            start = token.start
            if index and tokens[index - 1].string == "async":
                start = tokens[index - 1].start
            params[start] = _params(tokens[index + 3 : close], lines)
            edits.append((tokens[index + 2].start, tokens[close].end, ""))
            index = close + 1
        elif (
            token.string == "type"
            and not keyword.iskeyword(following.string)
            and _starts_statement(tokens, index)
            and (_is_op(tokens[index + 2], "[") or _is_op(tokens[index + 2], "="))
            and token.start[0] == following.start[0]
        ):
            # `type X[T] = v` -> `X = v`, the name moved to where `type` began.
            edits.append((token.start, following.end, following.string))
            aliases.add(token.start)
            found: tuple[TypeParam, ...] = ()
            after = index + 2
            if _is_op(tokens[after], "["):
                close = _matching(tokens, after)
                if close is None:
                    return None
                found = _params(tokens[after + 1 : close], lines)
                edits.append((tokens[after].start, tokens[close].end, ""))
                after = close + 1
            params[token.start] = found
            index = after
        else:
            index += 1
    if not edits:
        return None
    return Downgraded(_apply(lines, edits), params, frozenset(aliases))


def type_params_of(node: ast.AST, downgraded: Downgraded | None) -> tuple[TypeParam, ...]:
    """The type parameters of a ``def``, ``class`` or type alias statement, if any.

    Examples:
        >>> d = downgrade("class Box[T]:\\n    item: T")
        >>> tree = ast.parse(d.source)
        >>> [p.name for p in type_params_of(tree.body[0], d)]
        ['T']
    """
    native = getattr(node, "type_params", None)
    if native:
        return tuple(
            TypeParam(p.name, getattr(p, "bound", None), getattr(p, "default_value", None))
            for p in native
        )
    if downgraded is None:
        return ()
    return downgraded.params.get((node.lineno, node.col_offset), ())  # type: ignore[attr-defined]


def is_downgraded_alias(node: ast.AST, downgraded: Downgraded | None) -> bool:
    """Whether an assignment was a ``type X = ...`` statement before `downgrade`."""
    if downgraded is None or not downgraded.aliases:
        return False
    return (node.lineno, node.col_offset) in downgraded.aliases  # type: ignore[attr-defined]


# ---------------------------------------------------------------- helpers


def _is_op(token: tokenize.TokenInfo, text: str) -> bool:
    return token.type == tokenize.OP and token.string == text


def _starts_statement(tokens: list[tokenize.TokenInfo], index: int) -> bool:
    if index == 0:
        return True
    previous = tokens[index - 1]
    return previous.type in _STATEMENT_START or (
        previous.type == tokenize.OP and previous.string in (";", ":")
    )


def _matching(tokens: list[tokenize.TokenInfo], open_index: int) -> int | None:
    depth = 0
    for index in range(open_index, len(tokens)):
        token = tokens[index]
        if token.type == tokenize.OP:
            if token.string in "([{":
                depth += 1
            elif token.string in ")]}":
                depth -= 1
                if depth == 0:
                    return index
    return None


def _params(tokens: list[tokenize.TokenInfo], lines: list[str]) -> tuple[TypeParam, ...]:
    """``T: int = str, *Ts, **P`` from the tokens between the brackets."""
    found: list[TypeParam] = []
    for part in _split_commas(tokens):
        names = [t for t in part if t.type == tokenize.NAME]
        if not names:
            continue
        name = names[0].string
        bound = default = None
        colon = next((i for i, t in enumerate(part) if _is_op(t, ":")), None)
        equals = next((i for i, t in enumerate(part) if _is_op(t, "=")), None)
        if colon is not None:
            end = equals if equals is not None and equals > colon else len(part)
            bound = _expression(part[colon + 1 : end], lines)
        if equals is not None:
            default = _expression(part[equals + 1 :], lines)
        found.append(TypeParam(name, bound, default))
    return tuple(found)


def _split_commas(tokens: list[tokenize.TokenInfo]) -> list[list[tokenize.TokenInfo]]:
    parts: list[list[tokenize.TokenInfo]] = [[]]
    depth = 0
    for token in tokens:
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
        elif token.type == tokenize.OP and token.string in ")]}":
            depth -= 1
        elif depth == 0 and _is_op(token, ","):
            parts.append([])
            continue
        parts[-1].append(token)
    return parts


def _expression(tokens: list[tokenize.TokenInfo], lines: list[str]) -> ast.expr | None:
    if not tokens:
        return None
    text = _text(lines, tokens[0].start, tokens[-1].end)
    try:
        return ast.parse(f"({text})", mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _text(lines: list[str], start: Position, end: Position) -> str:
    if start[0] == end[0]:
        return lines[start[0] - 1][start[1] : end[1]]
    middle = lines[start[0] : end[0] - 1]
    return "".join([lines[start[0] - 1][start[1] :], *middle, lines[end[0] - 1][: end[1]]])


def _apply(lines: list[str], edits: list[tuple[Position, Position, str]]) -> str:
    """Replace each span by its text padded with spaces, keeping every line and column.

    A span over several lines (a bracket list split across lines) keeps its newlines,
    each escaped with a backslash so that the statement still continues.
    """
    chars = [list(line) for line in lines]
    for (start_row, start_col), (end_row, end_col), replacement in edits:
        written = 0
        for row in range(start_row, end_row + 1):
            line = chars[row - 1]
            first = start_col if row == start_row else 0
            newline = len("".join(line).rstrip("\r\n"))
            last = end_col if row == end_row else newline
            for col in range(first, min(last, newline)):
                line[col] = replacement[written] if written < len(replacement) else " "
                written += 1
            if row < end_row:
                chars[row - 1] = [*line[:newline], "\\", *line[newline:]]
    return "".join("".join(line) for line in chars)
