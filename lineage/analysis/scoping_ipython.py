"""IPython in a block: ``get_ipython()`` calls and what magics do to the notebook's names.

A mixin of `scoping.BlockWalker`: `magics` says what each magic does (a
`magic_effects.MagicEffect`), this applies it to the block being walked.
"""

from __future__ import annotations

import ast

from .magic_effects import MagicEffect, interpolations
from .magics import interpret_magic
from .scopes import FUNCTION, Scope
from .table_names import normalize_table
from .types import WriteKind


class IPythonEffects:
    """Applies magics and shell escapes found in a block."""

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
            self.delete(name)
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
            self.events.append(("write", (normalize_table(name), WriteKind.OVERWRITE)))
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
        other = type(self)()
        other.line_offset = self.line_offset
        if other.walk_source(code, line) is not None:
            self.is_partial = True
        self.events.extend(other.events)
        self.runs.extend(other.runs)
