"""The expression handlers of `scoping.BlockWalker` that only walk their children.

Attribute chains, names and calls are handled in `scoping` itself (the hot path).
"""

from __future__ import annotations

import ast
from typing import Any


class Expressions:
    """Walks operators, containers, f-strings and slices in evaluation order."""

    def _generic(self, node: ast.AST) -> None:
        for field in node._fields:
            value = getattr(node, field, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.expr):
                        self._expr(item)
            elif isinstance(value, ast.expr):
                self._expr(value)

    def _exprs(self, nodes: list[ast.expr]) -> None:
        for node in nodes:
            self._expr(node)

    def _consume_text_args(self, node: ast.Call) -> None:
        for arg in (*node.args, *(k.value for k in node.keywords)):
            if type(arg) is ast.Call:
                inner = arg.func
                name = inner.attr if type(inner) is ast.Attribute else getattr(inner, "id", None)
                if name == "text":
                    self._consumed.add(id(arg))

    def _dynamic_import(self, node: ast.Call) -> None:
        if node.args and type(node.args[0]) is ast.Constant and isinstance(node.args[0].value, str):
            self.imports.add(node.args[0].value)

    def _binop(self, node: ast.BinOp) -> None:
        # Iterative down the left spine: generated code chains thousands of `+`.
        rights = [node.right]
        left = node.left
        while type(left) is ast.BinOp:
            rights.append(left.right)  # type: ignore[attr-defined]
            left = left.left  # type: ignore[attr-defined]
        self._expr(left)
        for right in reversed(rights):
            self._expr(right)

    def _boolop(self, node: ast.BoolOp) -> None:
        for value in node.values:
            self._expr(value)

    def _compare(self, node: ast.Compare) -> None:
        self._expr(node.left)
        for value in node.comparators:
            self._expr(value)

    def _unary(self, node: Any) -> None:
        self._expr(node.operand)

    def _value(self, node: Any) -> None:
        if node.value is not None:
            self._expr(node.value)

    def _subscript(self, node: ast.Subscript) -> None:
        self._expr(node.value)
        self._expr(node.slice)

    def _elements(self, node: Any) -> None:
        for element in node.elts:
            self._expr(element)

    def _dict(self, node: ast.Dict) -> None:
        for key in node.keys:
            if key is not None:
                self._expr(key)
        for value in node.values:
            self._expr(value)

    def _if_exp(self, node: ast.IfExp) -> None:
        self._expr(node.test)
        self._expr(node.body)
        self._expr(node.orelse)

    def _joined_str(self, node: ast.JoinedStr) -> None:
        for value in node.values:
            if type(value) is ast.FormattedValue:
                self._expr(value.value)
                if value.format_spec is not None:
                    self._expr(value.format_spec)

    def _formatted_value(self, node: ast.FormattedValue) -> None:
        self._expr(node.value)
        if node.format_spec is not None:
            self._expr(node.format_spec)

    def _slice(self, node: ast.Slice) -> None:
        for part in (node.lower, node.upper, node.step):
            if part is not None:
                self._expr(part)
