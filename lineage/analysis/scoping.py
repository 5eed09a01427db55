"""Who defines, uses and mutates which names in a block: one pass over its AST.

`BlockWalker` visits statements and expressions in execution order and tells
`scopes.ScopedNames` about every binding, read and mutation - tuple and starred
targets, walrus, comprehension and lambda scopes, decorators, defaults, match
patterns, except-names unbound after the handler - and, on the same pass, hands
every call to `embedded_sql` (SQL, tables, files) and every ``get_ipython()``
call to `magics`. It records findings; `python.analyze_code` turns them into a
`CodeAnalysis`.

The walker is one class in parts, one module per job: statements, names and calls
here; definitions (``def``, ``class``, lambdas, comprehensions, annotations, type
parameters) in `scoping_definitions`; the other expressions in `scoping_expressions`;
IPython's magics in `scoping_ipython`; ``match`` patterns in `scoping_patterns`; what
calls report in `scoping_findings`.
"""

from __future__ import annotations

import ast
from typing import Any

from . import embedded_sql
from .budget import Budget
from .budget import current_budget as _current_budget
from .cells import parse_cell
from .connections import connection_dialect
from .magics import interpret_magic
from .mutation import (
    ARGUMENT_MUTATORS,
    MODULE_ALIASES,
    MUTATING_METHODS,
    has_inplace_true,
    root_name,
)
from .scopes import FUNCTION, MODULE, NOTHING, ScopedNames
from .scoping_definitions import Definitions
from .scoping_expressions import Expressions
from .scoping_findings import CallFindings, Event
from .scoping_ipython import IPythonEffects
from .scoping_patterns import Patterns
from .type_params import Downgraded, is_downgraded_alias, type_params_of


class BlockWalker(CallFindings, Definitions, Expressions, IPythonEffects, Patterns, ScopedNames):
    """Walks one block's AST in execution order and records what it finds.

    After `walk_module`, read `defines`, `uses` (call `resolved_uses`), `mutates`,
    `imports`, `events` (SQL statements, table reads and writes, in order),
    `runs` and `is_partial`.

    Examples:
        >>> import ast
        >>> walker = BlockWalker()
        >>> walker.walk_module(ast.parse("y = [x for x in data if x > limit]"))
        >>> sorted(walker.defines), sorted(walker.resolved_uses())
        (['y'], ['data', 'limit'])
    """

    def __init__(self) -> None:
        super().__init__()
        self.imports: set[str] = set()
        self.module_names: set[str] = set()  # names bound by import statements
        self.events: list[Event] = []
        self.runs: list[str] = []
        self.is_partial = False
        self.line_offset = 0
        self._consumed: set[int] = set()  # text() calls whose SQL an enclosing sink reports
        self._text_sql: set[str] = set()
        self._spine: set[int] = set()  # calls whose result an assignment binds...
        self._spine_variable: str | None = None  # ...to this name
        self.downgraded: Downgraded | None = None  # PEP 695 syntax rewritten for 3.11
        # Walrus targets that are loop targets too (rare: made when first needed).
        self._walrus_conflicts: set[str] | frozenset[str] = NOTHING
        self.budget: Budget | None = _current_budget()  # the block's, checked per statement list

    # ------------------------------------------------------------ statements

    def walk_module(self, tree: ast.Module, downgraded: Downgraded | None = None) -> None:
        """Walk a parsed block at module scope (``downgraded``: see `type_params`)."""
        self.downgraded = downgraded
        self._body(tree.body)

    def walk_source(self, source: str, first_line: int) -> str | None:
        """Walk more code (a magic's body) in the current scope; returns a parse error."""
        parsed = parse_cell(source)
        saved = self.line_offset
        self.line_offset = saved + first_line - 1
        try:
            if parsed.magic is not None:
                name, line, body, body_line = parsed.magic
                self.apply_effect(interpret_magic(name, line, body), body_line - 1)
            elif parsed.tree is not None:
                outer_downgraded = self.downgraded
                self.downgraded = parsed.downgraded
                try:
                    self._body(parsed.tree.body)
                finally:
                    self.downgraded = outer_downgraded
        finally:
            self.line_offset = saved
        return parsed.error

    def _body(self, statements: list[ast.stmt]) -> None:
        budget = self.budget
        if budget is not None:
            if len(statements) > _CHECK_EVERY:
                self._long_body(statements, budget)
                return
            budget.check(_STEP)  # the budget's checkpoint: one per list of statements
        handlers = _STATEMENTS
        for node in statements:
            handler = handlers.get(type(node))
            if handler is not None:
                handler(self, node)

    def _long_body(self, statements: list[ast.stmt], budget: Budget) -> None:
        handlers = _STATEMENTS
        for index, node in enumerate(statements):
            if not index % _CHECK_EVERY:
                budget.check(_STEP)
            handler = handlers.get(type(node))
            if handler is not None:
                handler(self, node)

    def _expr_statement(self, node: ast.Expr) -> None:
        self._expr(node.value)

    def _assign(self, node: ast.Assign) -> None:
        value = node.value
        targets = node.targets
        if self.downgraded is not None and is_downgraded_alias(node, self.downgraded):
            self._alias(targets[0].id, value, type_params_of(node, self.downgraded))  # type: ignore[attr-defined]
            return
        name = targets[0].id if len(targets) == 1 and type(targets[0]) is ast.Name else None
        if name is not None and type(value) is ast.Call:
            self._set_spine(value, name)
            self._expr(value)
            self._spine = set()
            self._spine_variable = None
        else:
            self._expr(value)
        for target in targets:
            self._target(target)
        value_type = type(value)
        if value_type in _STRING_LIKE:
            text = None
            for target in targets:
                if type(target) is ast.Name:
                    if text is None:
                        text = self.resolve(value)
                        if text is None:
                            break
                    self.scope.literals[target.id] = text
        elif value_type is ast.Tuple and len(targets) == 1 and type(targets[0]) is ast.Tuple:
            for target, element in zip(targets[0].elts, value.elts, strict=False):
                if type(target) is ast.Name and type(element) in _STRING_LIKE:
                    text = self.resolve(element)
                    if text is not None:
                        self.scope.literals[target.id] = text
        if name is not None and value_type is ast.Call:
            dialect = connection_dialect(value, self.dialect_of_name)
            if dialect is not None:
                self.scope.dialects[name] = dialect

    def _set_spine(self, value: ast.Call, name: str) -> None:
        spine = set()
        node: ast.AST = value
        while type(node) is ast.Call:
            spine.add(id(node))
            func = node.func  # type: ignore[attr-defined]
            if type(func) is not ast.Attribute:
                break
            node = func.value
        self._spine = spine
        self._spine_variable = name

    def _aug_assign(self, node: ast.AugAssign) -> None:
        target = node.target
        if type(target) is ast.Name:
            name = target.id
            self.load(name)
            self._expr(node.value)
            previous = self.literal(name)
            self.bind(name)
            if previous is not None and type(node.op) is ast.Add:
                addition = self.resolve(node.value)
                if addition is not None:
                    self.scope.literals[name] = previous + addition
        else:
            self._expr(target.value)  # type: ignore[attr-defined]
            if type(target) is ast.Subscript:
                self._expr(target.slice)
            self._expr(node.value)
            root = root_name(target)
            if root is not None:
                self.mutate(root)

    def _ann_assign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._expr(node.value)
        self._annotation(node.annotation)
        target = node.target
        if type(target) is ast.Name:
            # A bare `x: int` binds nothing at module level, but makes x local in a function.
            if node.value is not None or self.scope.kind == FUNCTION:
                self.bind(target.id)
            if node.value is not None and type(node.value) in _STRING_LIKE:
                text = self.resolve(node.value)
                if text is not None:
                    self.scope.literals[target.id] = text
        else:
            self._expr(target.value)  # type: ignore[attr-defined]
            if type(target) is ast.Subscript:
                self._expr(target.slice)
            if node.value is not None:
                root = root_name(target)
                if root is not None:
                    self.mutate(root)

    def _target(self, node: ast.expr) -> None:
        kind = type(node)
        if kind is ast.Name:
            self.bind(node.id)  # type: ignore[attr-defined]
        elif kind is ast.Tuple or kind is ast.List:
            for element in node.elts:  # type: ignore[attr-defined]
                self._target(element)
        elif kind is ast.Starred:
            self._target(node.value)  # type: ignore[attr-defined]
        elif kind is ast.Attribute or kind is ast.Subscript:
            self._expr(node.value)  # type: ignore[attr-defined]
            if kind is ast.Subscript:
                self._expr(node.slice)  # type: ignore[attr-defined]
            root = root_name(node)
            if root is not None:
                self.mutate(root)
        else:
            self._expr(node)

    def _delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            kind = type(target)
            if kind is ast.Name:
                self.delete(target.id)  # type: ignore[attr-defined]
            elif kind is ast.Tuple or kind is ast.List:
                self._delete(ast.Delete(targets=target.elts))  # type: ignore[attr-defined]
            else:
                self._target(target)

    def _for(self, node: ast.For | ast.AsyncFor) -> None:
        self._expr(node.iter)
        self._target(node.target)
        self._body(node.body)
        self._body(node.orelse)

    def _while(self, node: ast.While) -> None:
        self._expr(node.test)
        self._body(node.body)
        self._body(node.orelse)

    def _if(self, node: ast.If) -> None:
        self._expr(node.test)
        self._body(node.body)
        self._body(node.orelse)

    def _with(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self._expr(item.context_expr)
            if item.optional_vars is not None:
                self._target(item.optional_vars)
        self._body(node.body)

    def _try(self, node: ast.Try) -> None:
        self._body(node.body)
        for handler in node.handlers:
            if handler.type is not None:
                self._expr(handler.type)
            name = handler.name
            was_bound = bool(name) and name in self.scope.bound
            if name:
                self.bind(name)
            self._body(handler.body)
            if name and not was_bound:
                # Python deletes the exception name when the handler ends; a binding
                # from before the ``try`` survives when the handler does not run.
                self.unbind(name)
        self._body(node.orelse)
        self._body(node.finalbody)

    def _import(self, node: ast.Import) -> None:
        module_level = self.scope is self.module
        for alias in node.names:
            self.imports.add(alias.name)
            bound = alias.asname or alias.name.partition(".")[0]
            self.bind(bound)
            self.module_names.add(bound)
            if module_level:
                self.imported.add(bound)

    def _import_from(self, node: ast.ImportFrom) -> None:
        prefix = "." * node.level
        if node.module and node.module != "__future__":
            self.imports.add(prefix + node.module)
        for alias in node.names:
            if alias.name == "*":
                self.is_partial = True  # the names it binds are unknown here
                continue
            if not node.module:
                self.imports.add(prefix + alias.name)
            bound = alias.asname or alias.name
            self.bind(bound)
            self.module_names.add(bound)
            if self.scope is self.module:
                self.imported.add(bound)

    def _declare(self, node: ast.Global | ast.Nonlocal) -> None:
        if self.scope.kind == MODULE:
            return
        kind = "global" if type(node) is ast.Global else "nonlocal"
        for name in node.names:
            self.scope.declared[name] = kind

    def _return(self, node: ast.Return) -> None:
        if node.value is not None:
            self._expr(node.value)

    def _raise(self, node: ast.Raise) -> None:
        if node.exc is not None:
            self._expr(node.exc)
        if node.cause is not None:
            self._expr(node.cause)

    def _assert(self, node: ast.Assert) -> None:
        self._expr(node.test)
        if node.msg is not None:
            self._expr(node.msg)

    # ------------------------------------------------------------ expressions

    def _expr(self, node: ast.AST) -> None:
        kind = type(node)
        while kind is ast.Attribute:  # `a.b.c`: only the root is a name
            node = node.value  # type: ignore[attr-defined]
            kind = type(node)
        if kind is ast.Name:
            scope = self.scope
            if scope is self.module:  # the common case, inlined for speed
                if node.id not in scope.bound:  # type: ignore[attr-defined]
                    self.uses.add(node.id)  # type: ignore[attr-defined]
            else:
                self._resolve(scope, node.id, deferred=False, first=True)  # type: ignore[attr-defined]
        elif kind is ast.Constant:
            return
        elif kind is ast.Call:
            self._call(node)  # type: ignore[arg-type]
        else:
            handler = _EXPRESSIONS.get(kind)
            if handler is not None:
                handler(self, node)
            else:
                self._generic(node)

    def _call(self, node: ast.Call) -> None:
        func = node.func
        func_type = type(func)
        attr: str | None = None
        if func_type is ast.Attribute:
            attr = func.attr  # type: ignore[attr-defined]
            receiver = func.value  # type: ignore[attr-defined]
            if (
                type(receiver) is ast.Call
                and type(receiver.func) is ast.Name
                and receiver.func.id == "get_ipython"
            ):
                self._ipython_call(attr, node)  # type: ignore[arg-type]
                return
            if attr in _SQL_SINKS:
                self._consume_text_args(node)
            self._expr(receiver)
            if attr in MUTATING_METHODS or (node.keywords and has_inplace_true(node)):
                root = root_name(receiver)
                if (
                    root is not None
                    and root not in MODULE_ALIASES
                    and root not in self.module_names
                ):
                    self.mutate(root)
            elif attr in ARGUMENT_MUTATORS and node.args:
                root = root_name(node.args[0])
                if root is not None:
                    self.mutate(root)
        elif func_type is ast.Name:
            name = func.id  # type: ignore[attr-defined]
            self.load(name)
            if name in ARGUMENT_MUTATORS and node.args:
                root = root_name(node.args[0])
                if root is not None:
                    self.mutate(root)
            elif name in _SQL_SINKS:
                self._consume_text_args(node)
        else:
            self._expr(func)
        # Arguments are mostly literals and names: skip the dispatch for those.
        constant = ast.Constant
        for arg in node.args:
            if type(arg) is not constant:
                self._expr(arg)
        for keyword in node.keywords:
            value = keyword.value
            if type(value) is not constant:
                self._expr(value)
        if attr is not None:
            if attr in _METHOD_NAMES and id(node) not in self._consumed:
                embedded_sql.inspect_call(node, self)
            elif attr in _IMPORT_FUNCTIONS:
                self._dynamic_import(node)
        elif func_type is ast.Name:
            name = func.id  # type: ignore[attr-defined]
            if name in _FUNCTION_NAMES and id(node) not in self._consumed:
                embedded_sql.inspect_call(node, self)
            elif name in _IMPORT_FUNCTIONS:
                self._dynamic_import(node)


# Bound once: the walker checks every call against these.
_SQL_SINKS = embedded_sql.SQL_SINKS
_METHOD_NAMES = embedded_sql.METHOD_NAMES
_FUNCTION_NAMES = embedded_sql.FUNCTION_NAMES
_STRING_LIKE = frozenset({ast.Constant, ast.JoinedStr, ast.BinOp, ast.Call})
_IMPORT_FUNCTIONS = frozenset({"import_module", "__import__"})
_STEP = "python scoping"
_CHECK_EVERY = 32  # statements between two budget checks in a long statement list

_STATEMENTS: dict[type, Any] = {
    ast.Expr: BlockWalker._expr_statement,
    ast.Assign: BlockWalker._assign,
    ast.AugAssign: BlockWalker._aug_assign,
    ast.AnnAssign: BlockWalker._ann_assign,
    ast.Delete: BlockWalker._delete,
    ast.For: BlockWalker._for,
    ast.AsyncFor: BlockWalker._for,
    ast.While: BlockWalker._while,
    ast.If: BlockWalker._if,
    ast.With: BlockWalker._with,
    ast.AsyncWith: BlockWalker._with,
    ast.Try: BlockWalker._try,
    ast.Match: BlockWalker._match,
    ast.Import: BlockWalker._import,
    ast.ImportFrom: BlockWalker._import_from,
    ast.Global: BlockWalker._declare,
    ast.Nonlocal: BlockWalker._declare,
    ast.Return: BlockWalker._return,
    ast.Raise: BlockWalker._raise,
    ast.Assert: BlockWalker._assert,
    ast.FunctionDef: BlockWalker._function,
    ast.AsyncFunctionDef: BlockWalker._function,
    ast.ClassDef: BlockWalker._class,
}
if hasattr(ast, "TryStar"):
    _STATEMENTS[ast.TryStar] = BlockWalker._try
if hasattr(ast, "TypeAlias"):
    _STATEMENTS[ast.TypeAlias] = BlockWalker._type_alias

_EXPRESSIONS: dict[type, Any] = {
    ast.BinOp: BlockWalker._binop,
    ast.BoolOp: BlockWalker._boolop,
    ast.Compare: BlockWalker._compare,
    ast.UnaryOp: BlockWalker._unary,
    ast.Subscript: BlockWalker._subscript,
    ast.Tuple: BlockWalker._elements,
    ast.List: BlockWalker._elements,
    ast.Set: BlockWalker._elements,
    ast.Dict: BlockWalker._dict,
    ast.IfExp: BlockWalker._if_exp,
    ast.JoinedStr: BlockWalker._joined_str,
    ast.FormattedValue: BlockWalker._formatted_value,
    ast.Starred: BlockWalker._value,
    ast.Await: BlockWalker._value,
    ast.Yield: BlockWalker._value,
    ast.YieldFrom: BlockWalker._value,
    ast.Slice: BlockWalker._slice,
    ast.Lambda: BlockWalker._lambda,
    ast.ListComp: BlockWalker._comprehension,
    ast.SetComp: BlockWalker._comprehension,
    ast.GeneratorExp: BlockWalker._comprehension,
    ast.DictComp: BlockWalker._comprehension,
    ast.NamedExpr: BlockWalker._named_expr,
}
