"""Definitions in a block: functions, classes, lambdas, comprehensions, walrus targets,
annotations and PEP 695 type parameters, with the scopes Python gives each.

A mixin of `scoping.BlockWalker`; see `scopes.ScopedNames` for the scope rules.
"""

from __future__ import annotations

import ast
from typing import Any

from . import table_io
from .scopes import CLASS, COMPREHENSION, FUNCTION, NOTHING, Scope
from .type_params import TypeParam, type_params_of


class Definitions:
    """What `scoping.BlockWalker` does at ``def``, ``class``, ``lambda``, comprehensions,
    ``:=``, annotations and ``type`` statements."""

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self._expr(decorator)
            table_io.inspect_decorator(decorator, node.name, self)
        args = node.args
        self._defaults(args)
        self.bind(node.name)
        outer = self.scope
        params = type_params_of(node, self.downgraded)
        if params:
            self._open_type_params(params)
        self._argument_annotations(args)
        if node.returns is not None:
            self._annotation(node.returns)
        scope = Scope(FUNCTION, self.scope)
        self._bind_arguments(scope, args)
        enclosing = self.scope
        self.scope = scope
        self._body(node.body)
        self.scope = enclosing
        self.finish_function(scope)
        if params:
            self._close_type_params(outer)

    def _arguments_outside(self, args: ast.arguments) -> None:
        """Defaults and annotations: evaluated where the function is defined."""
        self._defaults(args)
        self._argument_annotations(args)

    def _defaults(self, args: ast.arguments) -> None:
        for default in args.defaults:
            self._expr(default)
        for default in args.kw_defaults:
            if default is not None:
                self._expr(default)

    def _argument_annotations(self, args: ast.arguments) -> None:
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None and arg.annotation is not None:
                self._annotation(arg.annotation)

    def _annotation(self, node: ast.expr) -> None:
        """Annotations are read lazily (PEP 563/649): like a function body, they may
        name what the block defines later (``def f(self) -> Node`` inside ``Node``);
        unlike one, inside a class body they see the class's names (``x: Alias``)."""
        if type(node) is ast.Constant:
            return
        outer = self.scope
        scope = Scope(FUNCTION, outer)
        self.scope = scope
        self._expr(node)
        self.scope = outer
        self.finish_function(scope, sees_class=outer.kind == CLASS)

    def _open_type_params(self, params: tuple[TypeParam, ...]) -> None:
        """Enter the scope of PEP 695 type parameters: what the statement's annotations,
        bases and body see, with the parameters' lazy bounds and defaults."""
        scope = Scope(FUNCTION, self.scope)
        scope.bound.update(param.name for param in params)
        self.scope = scope
        for param in params:
            if param.bound is not None:
                self._annotation(param.bound)
            if param.default is not None:
                self._annotation(param.default)

    def _close_type_params(self, outer: Scope) -> None:
        scope = self.scope
        self.scope = outer
        self.finish_function(scope, sees_class=outer.kind == CLASS)

    def _alias(self, name: str, value: ast.expr, params: tuple[TypeParam, ...]) -> None:
        """``type name[params] = value``: the value is evaluated lazily, in its own scope."""
        outer = self.scope
        self._open_type_params(params)
        self._annotation(value)
        self._close_type_params(outer)
        self.bind(name)

    @staticmethod
    def _bind_arguments(scope: Scope, args: ast.arguments) -> None:
        bound = scope.bound
        for arg in args.posonlyargs:
            bound.add(arg.arg)
        for arg in args.args:
            bound.add(arg.arg)
        for arg in args.kwonlyargs:
            bound.add(arg.arg)
        if args.vararg is not None:
            bound.add(args.vararg.arg)
        if args.kwarg is not None:
            bound.add(args.kwarg.arg)

    def _class(self, node: ast.ClassDef) -> None:
        for decorator in node.decorator_list:
            self._expr(decorator)
        outer = self.scope
        params = type_params_of(node, self.downgraded)
        if params:
            self._open_type_params(params)
        for base in node.bases:
            self._expr(base)
        for keyword in node.keywords:
            self._expr(keyword.value)
        enclosing = self.scope
        scope = Scope(CLASS, enclosing)
        self.scope = scope
        self._body(node.body)
        self.scope = enclosing
        if params:
            self._close_type_params(outer)
        self.bind(node.name)

    def _type_alias(self, node: Any) -> None:  # Python 3.12+
        self._alias(node.name.id, node.value, type_params_of(node, None))

    def _lambda(self, node: ast.Lambda) -> None:
        self._arguments_outside(node.args)
        scope = Scope(FUNCTION, self.scope)
        self._bind_arguments(scope, node.args)
        outer = self.scope
        self.scope = scope
        self._expr(node.body)
        self.scope = outer
        self.finish_function(scope)

    def _comprehension(self, node: Any) -> None:
        generators = node.generators
        # The first iterable is evaluated in the enclosing scope, the rest inside.
        first = generators[0].iter
        outer = self.scope
        # `[(x := x) for x in x]`: CPython refuses a walrus that rebinds a loop target;
        # the walrus wins, so the outer `x` is bound by the block, not read from outside.
        watched = first.id if type(first) is ast.Name and outer is self.module else None  # type: ignore[attr-defined]
        was_used = watched is None or watched in self.uses
        self._expr(first)
        scope = Scope(COMPREHENSION, outer)
        self.scope = scope
        for index, generator in enumerate(generators):
            if index:
                self._expr(generator.iter)
            self._target(generator.target)
            for condition in generator.ifs:
                self._expr(condition)
        if type(node) is ast.DictComp:
            self._expr(node.key)
            self._expr(node.value)
        else:
            self._expr(node.elt)
        self.scope = outer
        if not was_used and watched in self._walrus_conflicts:
            self.uses.discard(watched)  # type: ignore[arg-type]

    def _named_expr(self, node: ast.NamedExpr) -> None:
        self._expr(node.value)
        # A walrus inside a comprehension binds in the enclosing function or module.
        name = node.target.id
        scope = self.scope
        while scope.kind == COMPREHENSION and scope.parent is not None:
            if name in scope.bound:
                if self._walrus_conflicts is NOTHING:
                    self._walrus_conflicts = set()
                self._walrus_conflicts.add(name)  # type: ignore[union-attr]
            scope = scope.parent
        self.bind_in(scope, name)
