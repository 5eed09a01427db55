"""Who defines, uses and mutates which names in a block: one pass over its AST.

`BlockWalker` visits statements and expressions in execution order and tells
`scopes.ScopedNames` about every binding, read and mutation - tuple and starred
targets, walrus, comprehension and lambda scopes, decorators, defaults, match
patterns, except-names unbound after the handler - and, on the same pass, hands
every call to `embedded_sql` (SQL, tables, files) and every ``get_ipython()``
call to `magics`. It records findings; `python.analyze_code` turns them into a
`CodeAnalysis`.
"""

from __future__ import annotations

import ast
from typing import Any

from . import embedded_sql, table_io
from .call_args import receiver_root
from .cells import parse_cell
from .connections import connection_dialect, name_dialect
from .magic_effects import MagicEffect, interpolations
from .magics import interpret_magic
from .mutation import (
    ARGUMENT_MUTATORS,
    MODULE_ALIASES,
    MUTATING_METHODS,
    has_inplace_true,
    root_name,
)
from .scopes import CLASS, COMPREHENSION, FUNCTION, MODULE, Scope, ScopedNames
from .sql_text import normalize_sql_params
from .strings import has_placeholder, resolve_string
from .table_names import normalize_table
from .types import SqlStatement

Event = tuple[str, Any]  # ("sql", SqlStatement) | ("read", name) | ("write", name)


class BlockWalker(ScopedNames):
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

    # ------------------------------------------------------------ strings and dialects

    def resolve(self, node: ast.AST) -> str | None:
        """The statically known text of a string expression (`call_args.CallSite`)."""
        return resolve_string(node, self.literal)

    def dialect_of(self, node: ast.AST) -> str | None:
        """The dialect of the connection ``node`` refers to (`call_args.CallSite`)."""
        root = receiver_root(node)
        if root is None:
            return None
        return self.dialect_of_name(root) or name_dialect(root)

    # ------------------------------------------------------------ findings

    def found_sql(self, sql: str, call: ast.AST, role: str, dialect: str | None) -> None:
        """Record a SQL statement run by ``call`` (`call_args.CallSite`)."""
        if role == "sqlalchemy.text":
            self._text_sql.add(sql)
        elif sql in self._text_sql:
            return  # already recorded where text() wrapped it
        variable = self._spine_variable if id(call) in self._spine else None
        self._record_sql(sql, getattr(call, "lineno", 1), role, dialect, variable)

    def _record_sql(
        self, sql: str, line: int, role: str, dialect: str | None, variable: str | None
    ) -> None:
        sql = normalize_sql_params(sql.strip())
        if has_placeholder(sql):
            self.is_partial = True
        statement = SqlStatement(sql, line + self.line_offset, role, dialect, variable)
        self.events.append(("sql", statement))

    def found_table(self, name: str, call: ast.AST, *, is_write: bool) -> None:
        """Record a table or file read or written by ``call`` (`call_args.CallSite`)."""
        if has_placeholder(name):
            self.is_partial = True  # a name only known at run time
            return
        self.events.append(("write" if is_write else "read", name))

    def found_run(self, target: str, call: ast.AST) -> None:
        """Record a notebook run by ``call`` (`call_args.CallSite`)."""
        if not has_placeholder(target):
            self.runs.append(target)

    # ------------------------------------------------------------ statements

    def walk_module(self, tree: ast.Module) -> None:
        """Walk a parsed block at module scope."""
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
                self._body(parsed.tree.body)
        finally:
            self.line_offset = saved
        return parsed.error

    def _body(self, statements: list[ast.stmt]) -> None:
        handlers = _STATEMENTS
        for node in statements:
            handler = handlers.get(type(node))
            if handler is not None:
                handler(self, node)

    def _expr_statement(self, node: ast.Expr) -> None:
        self._expr(node.value)

    def _assign(self, node: ast.Assign) -> None:
        value = node.value
        targets = node.targets
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
                if self.scope.kind == FUNCTION:
                    self.bind(target.id)  # `del x` makes x local
                else:
                    self.load(target.id)
                    self.unbind(target.id)
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
            if handler.name:
                self.bind(handler.name)
            self._body(handler.body)
            if handler.name:
                # Python deletes the exception name when the handler ends.
                self.unbind(handler.name)
        self._body(node.orelse)
        self._body(node.finalbody)

    def _match(self, node: ast.Match) -> None:
        self._expr(node.subject)
        for case in node.cases:
            self._pattern(case.pattern)
            if case.guard is not None:
                self._expr(case.guard)
            self._body(case.body)

    def _pattern(self, node: ast.pattern) -> None:
        kind = type(node)
        if kind is ast.MatchValue:
            self._expr(node.value)  # type: ignore[attr-defined]
        elif kind is ast.MatchAs:
            if node.pattern is not None:  # type: ignore[attr-defined]
                self._pattern(node.pattern)  # type: ignore[attr-defined]
            if node.name:  # type: ignore[attr-defined]
                self.bind(node.name)  # type: ignore[attr-defined]
        elif kind is ast.MatchStar:
            if node.name:  # type: ignore[attr-defined]
                self.bind(node.name)  # type: ignore[attr-defined]
        elif kind is ast.MatchSequence or kind is ast.MatchOr:
            for pattern in node.patterns:  # type: ignore[attr-defined]
                self._pattern(pattern)
        elif kind is ast.MatchMapping:
            for key in node.keys:  # type: ignore[attr-defined]
                self._expr(key)
            for pattern in node.patterns:  # type: ignore[attr-defined]
                self._pattern(pattern)
            if node.rest:  # type: ignore[attr-defined]
                self.bind(node.rest)  # type: ignore[attr-defined]
        elif kind is ast.MatchClass:
            self._expr(node.cls)  # type: ignore[attr-defined]
            for pattern in node.patterns:  # type: ignore[attr-defined]
                self._pattern(pattern)
            for pattern in node.kwd_patterns:  # type: ignore[attr-defined]
                self._pattern(pattern)

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.imports.add(alias.name)
            bound = alias.asname or alias.name.partition(".")[0]
            self.bind(bound)
            self.module_names.add(bound)

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

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self._expr(decorator)
            table_io.inspect_decorator(decorator, node.name, self)
        args = node.args
        self._arguments_outside(args)
        if node.returns is not None:
            self._annotation(node.returns)
        self.bind(node.name)
        scope = Scope(FUNCTION, self.scope)
        self._bind_arguments(scope, args)
        outer = self.scope
        self.scope = scope
        self._body(node.body)
        self.scope = outer
        self.finish_function(scope)

    def _arguments_outside(self, args: ast.arguments) -> None:
        """Defaults and annotations: evaluated where the function is defined."""
        for default in args.defaults:
            self._expr(default)
        for default in args.kw_defaults:
            if default is not None:
                self._expr(default)
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None and arg.annotation is not None:
                self._annotation(arg.annotation)

    def _annotation(self, node: ast.expr) -> None:
        """Annotations are read lazily (PEP 563/649): like a function body, they may
        name what the block defines later (``def f(self) -> Node`` inside ``Node``)."""
        if type(node) is ast.Constant:
            return
        scope = Scope(FUNCTION, self.scope)
        outer = self.scope
        self.scope = scope
        self._expr(node)
        self.scope = outer
        self.finish_function(scope)

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
        for base in node.bases:
            self._expr(base)
        for keyword in node.keywords:
            self._expr(keyword.value)
        scope = Scope(CLASS, self.scope)
        outer = self.scope
        self.scope = scope
        self._body(node.body)
        self.scope = outer
        self.bind(node.name)

    def _type_alias(self, node: Any) -> None:  # Python 3.12+
        self._expr(node.value)
        self._target(node.name)

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
        self._expr(generators[0].iter)
        scope = Scope(COMPREHENSION, self.scope)
        outer = self.scope
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

    def _named_expr(self, node: ast.NamedExpr) -> None:
        self._expr(node.value)
        # A walrus inside a comprehension binds in the enclosing function or module.
        scope = self.scope
        while scope.kind == COMPREHENSION and scope.parent is not None:
            scope = scope.parent
        self.bind_in(scope, node.target.id)

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

    # ------------------------------------------------------------ IPython

    def _ipython_call(self, method: str, call: ast.Call) -> None:
        args = [a.value for a in call.args if type(a) is ast.Constant and isinstance(a.value, str)]
        if method == "run_line_magic" and len(args) >= 2:
            effect = interpret_magic(args[0], args[1])
        elif method == "run_cell_magic" and len(args) >= 3:
            effect = interpret_magic(args[0], args[1], args[2])
        elif method == "magic" and args:  # the pre-IPython-0.13 spelling: "name line"
            name, _, line = args[0].lstrip("%").partition(" ")
            effect = interpret_magic(name, line)
        elif method in ("system", "getoutput") and args:
            names, expressions = interpolations(args[0])
            effect = MagicEffect(uses=names, expressions=expressions)
        else:
            for arg in call.args:
                self._expr(arg)
            return
        self.apply_effect(effect, call.lineno - 1, call)

    def apply_effect(
        self, effect: MagicEffect, line_offset: int, call: ast.AST | None = None
    ) -> None:
        """Apply what a magic does; ``line_offset`` places its code within the block."""
        line = line_offset + 1
        for text in effect.expressions:
            try:
                self._expr(ast.parse(text.strip(), mode="eval").body)
            except (SyntaxError, ValueError):
                self.is_partial = True
        for name in effect.uses:
            self.load(name)
        if effect.python is not None:
            self._magic_code(effect, line)
        for name in effect.deletes:
            self.load(name)
            self.unbind(name)
        for name in effect.defines:
            self.bind(name)
        for statement in effect.sql:
            variable = statement.variable
            if variable is None and call is not None and id(call) in self._spine:
                variable = self._spine_variable
            self._record_sql(statement.sql, line, "magic", statement.dialect, variable)
        for name in effect.reads:
            self.events.append(("read", normalize_table(name)))
        for name in effect.writes:
            self.events.append(("write", normalize_table(name)))
        self.runs.extend(effect.runs)
        if effect.is_partial:
            self.is_partial = True

    def _magic_code(self, effect: MagicEffect, line: int) -> None:
        code = effect.python or ""
        if effect.scope == "user":
            if self.walk_source(code, line) is not None:
                self.is_partial = True
            return
        if effect.scope == "isolated":
            # %timeit runs its statement inside a function: it reads the
            # notebook's names but binds none of them.
            scope = Scope(FUNCTION, self.scope)
            outer = self.scope
            self.scope = scope
            error = self.walk_source(code, line)
            self.scope = outer
            self.finish_function(scope, immediate=True)
            if error is not None:
                self.is_partial = True
            return
        # Foreign code (a subprocess, a remote Spark session): keep only its I/O.
        other = BlockWalker()
        other.line_offset = self.line_offset
        if other.walk_source(code, line) is not None:
            self.is_partial = True
        self.events.extend(other.events)
        self.runs.extend(other.runs)


# Bound once: the walker checks every call against these.
_SQL_SINKS = embedded_sql.SQL_SINKS
_METHOD_NAMES = embedded_sql.METHOD_NAMES
_FUNCTION_NAMES = embedded_sql.FUNCTION_NAMES
_STRING_LIKE = frozenset({ast.Constant, ast.JoinedStr, ast.BinOp, ast.Call})
_IMPORT_FUNCTIONS = frozenset({"import_module", "__import__"})

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
