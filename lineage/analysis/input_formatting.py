"""App inputs that reach SQL text built by Python string formatting.

Tributary binds inputs as query parameters in the SQL it renders (SQL blocks, ``%sql``),
but a notebook's own Python can still paste one into a query:
``con.sql(f"SELECT * FROM users WHERE email = '{email}'")``. At publish time the app is
flagged when an input name, or a value derived from it (``e = email.strip()``), is
formatted into a string (f-string, ``.format``, ``%``, ``+``) that a SQL call runs, either
directly or through a variable that holds the formatted text.

One pass over each code block's AST, in notebook order; names are tracked flow-insensitively
inside a block and forward across blocks, which is cheap and errs towards flagging.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .cells import parse_cell

BlockId = str
Name = str

# Methods and functions whose first argument (or sql=/query= keyword) is SQL text.
SQL_CALLS = frozenset(
    {
        "sql",
        "query",
        "execute",
        "executemany",
        "executescript",
        "read_sql",
        "read_sql_query",
        "raw_sql",
    }
)
# `text` is SQL only as SQLAlchemy's (st.text(f"Hi {name}") is not).
_TEXT_CALLS = frozenset({"text", "sqlalchemy.text", "sa.text", "sql.text"})
_SQL_KEYWORDS = ("sql", "query", "statement", "operation", "stmt")
# Calls that keep a value tainted when a tainted value goes in (``str(email)``).
_PASS_THROUGH = frozenset({"str", "repr", "int", "float", "format"})


@dataclass(frozen=True)
class FormattedInput:
    """One SQL call whose text is built by formatting an app input.

    Attributes:
        block_id: the block holding the call.
        line: the call's line in the block (1-based).
        input_name: the app input that reaches the text.
        call: the call as written (``con.sql``).
        how: ``f-string``, ``.format``, ``%`` or ``+``.
    """

    block_id: BlockId
    line: int
    input_name: Name
    call: str
    how: str

    def as_json(self) -> dict[str, object]:
        return {
            "block_id": self.block_id,
            "line": self.line,
            "input": self.input_name,
            "call": self.call,
            "how": self.how,
        }


def find_formatted_inputs(
    blocks: Iterable[tuple[BlockId, str]], inputs: Iterable[Name]
) -> tuple[FormattedInput, ...]:
    """Every SQL call in ``blocks`` (id, Python source) whose text formats an input.

    Examples:
        >>> blocks = [
        ...     ("a", "e = email.strip().lower()"),
        ...     ("b", "q = 'SELECT * FROM u WHERE e = ' + repr(e)\\ncon.sql(q)"),
        ...     ("c", "con.execute('SELECT * FROM u WHERE e = ?', [email])"),
        ...     ("d", "df = con.sql(f\\"SELECT * FROM u WHERE e = '{email}'\\").df()"),
        ... ]
        >>> [(f.block_id, f.line, f.input_name, f.call, f.how)
        ...  for f in find_formatted_inputs(blocks, ["email"])]
        [('b', 2, 'email', 'con.sql', '+'), ('d', 1, 'email', 'con.sql', 'f-string')]
    """
    tainted: dict[Name, Name] = {name: name for name in inputs}  # name -> its input
    formatted: dict[Name, tuple[Name, str]] = {}  # name -> (input, how) of a built string
    found: list[FormattedInput] = []
    if not tainted:
        return ()
    for block_id, source in blocks:
        tree = parse_cell(source).tree
        if tree is None:
            continue
        walker = _Block(block_id, tainted, formatted)
        walker.visit(tree)
        found.extend(walker.found)
    return tuple(found)


# `{{ name | sqlsafe }}` / `{{ name|safe }}`: Tributary pastes such a value as text.
_PASTED = re.compile(r"\{\{-?\s*([A-Za-z_]\w*)\b[^}]*?\|\s*(sqlsafe|safe)\b")


def find_pasted_inputs(
    blocks: Iterable[tuple[BlockId, str, str]], inputs: Iterable[Name]
) -> tuple[FormattedInput, ...]:
    """SQL templates that mark an input safe, so that it is pasted, not bound.

    ``blocks`` are (id, kind, source): SQL blocks, and code blocks whose ``%%sql`` or
    ``%sql`` lines Tributary renders.

    Examples:
        >>> blocks = [("q", "sql", "SELECT * FROM {{ table | sqlsafe }}"),
        ...           ("c", "code", "%%sql\\nSELECT * FROM t WHERE e = {{ email }}")]
        >>> [(f.block_id, f.line, f.input_name, f.call, f.how)
        ...  for f in find_pasted_inputs(blocks, ["table", "email"])]
        [('q', 1, 'table', 'SQL block', '| sqlsafe')]
    """
    names = set(inputs)
    found: list[FormattedInput] = []
    for block_id, kind, source in blocks:
        if kind == "code" and "%sql" not in source:
            continue
        for number, line in enumerate(source.splitlines(), start=1):
            for match in _PASTED.finditer(line):
                if match[1] in names:
                    call = "SQL block" if kind == "sql" else "%sql"
                    found.append(FormattedInput(block_id, number, match[1], call, f"| {match[2]}"))
    return tuple(found)


class _Block(ast.NodeVisitor):
    def __init__(
        self,
        block_id: BlockId,
        tainted: dict[Name, Name],
        formatted: dict[Name, tuple[Name, str]],
    ) -> None:
        self.block_id = block_id
        self.tainted = tainted
        self.formatted = formatted
        self.found: list[FormattedInput] = []

    def visit_Assign(self, node: ast.Assign) -> None:
        self._assign(node.targets, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._assign([node.target], node.value)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        # `q += f"... {email}"` or `q += email` on a string being built.
        if isinstance(node.target, ast.Name) and isinstance(node.op, ast.Add):
            source = self._input_in(node.value)
            if source is not None and (
                node.target.id in self.formatted or self._formatting(node.value) is not None
            ):
                self.formatted[node.target.id] = (source, "+")
        self.generic_visit(node)

    def _assign(self, targets: list[ast.expr], value: ast.expr) -> None:
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if not names:
            return
        built = self._formatting(value)
        derived = self._derived(value)
        for name in names:
            if built is not None:
                self.formatted[name] = built
            elif derived is not None:
                self.tainted[name] = derived
            else:
                self.formatted.pop(name, None)
                if name in self.tainted and self.tainted[name] != name:
                    del self.tainted[name]

    def visit_Call(self, node: ast.Call) -> None:
        name = _called_name(node.func)
        if name is not None and (name.rsplit(".", 1)[-1] in SQL_CALLS or name in _TEXT_CALLS):
            argument = _sql_argument(node)
            if argument is not None:
                hit = self._formatting(argument)
                if hit is None and isinstance(argument, ast.Name):
                    hit = self.formatted.get(argument.id)
                if hit is not None:
                    self.found.append(
                        FormattedInput(self.block_id, node.lineno, hit[0], name, hit[1])
                    )
        self.generic_visit(node)

    def _formatting(self, node: ast.AST) -> tuple[Name, str] | None:
        """(input, how) when ``node`` builds a string by formatting a tainted value."""
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                if isinstance(part, ast.FormattedValue):
                    source = self._input_in(part.value)
                    if source is not None:
                        return source, "f-string"
            return None
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
        ):
            for argument in [*node.args, *(k.value for k in node.keywords)]:
                source = self._input_in(argument)
                if source is not None:
                    return source, ".format"
            return self._formatting(node.func.value)
        is_percent = isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod)
        if is_percent and (_is_text(node.left) or isinstance(node.left, ast.Name)):
            source = self._input_in(node.right)
            if source is not None:
                return source, "%"
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            for side, other in ((node.left, node.right), (node.right, node.left)):
                inner = self._formatting(side)
                if inner is not None:
                    return inner
                if isinstance(side, ast.Name) and side.id in self.formatted:
                    return self.formatted[side.id]
                source = self._input_in(side)
                if source is not None and (_is_text(other) or self._is_built(other)):
                    return source, "+"
        return None

    def _is_built(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.formatted
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return any(_is_text(s) or self._is_built(s) for s in (node.left, node.right))
        return False

    def _input_in(self, node: ast.AST) -> Name | None:
        """The input a value expression carries: a tainted name, possibly transformed."""
        for child in ast.walk(node):
            if isinstance(child, ast.Name) and child.id in self.tainted:
                return self.tainted[child.id]
        return None

    def _derived(self, node: ast.AST) -> Name | None:
        """The input of ``email``, ``email.strip().lower()``, ``str(email)``, ``email[:5]``."""
        while True:
            if isinstance(node, ast.Name):
                return self.tainted.get(node.id)
            if isinstance(node, ast.Attribute | ast.Subscript):
                node = node.value
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                node = node.func.value
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in _PASS_THROUGH
                and node.args
            ):
                node = node.args[0]
            else:
                return None


def _is_text(node: ast.AST) -> bool:
    is_literal = isinstance(node, ast.Constant) and isinstance(node.value, str)
    return is_literal or isinstance(node, ast.JoinedStr)


def _called_name(func: ast.AST) -> str | None:
    parts: list[str] = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    elif isinstance(func, ast.Call):
        inner = _called_name(func.func)
        parts.append(f"{inner}()" if inner else "()")
    elif not parts:
        return None
    return ".".join(reversed(parts))


def _sql_argument(call: ast.Call) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg in _SQL_KEYWORDS:
            return keyword.value
    return call.args[0] if call.args else None
