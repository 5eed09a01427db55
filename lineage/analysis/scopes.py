"""Python's scoping rules, as a table of names: who binds, reads and mutates what where.

`ScopedNames` keeps the scope chain of a block being walked - module, function,
class and comprehension scopes - and answers the questions the walker asks at
each name: is this read satisfied inside the block, or does it come from
outside? Functions (and lambdas, and annotations) are resolved when their whole
body is known, against everything the block binds; module-level code and class
bodies are resolved in execution order.
"""

from __future__ import annotations

import builtins

# Names every block can read without another block defining them: Python's
# builtins, what IPython injects, and module attributes.
BUILTIN_NAMES: frozenset[str] = frozenset(dir(builtins)) | {
    "get_ipython",
    "display",
    "exit",
    "quit",
    "In",
    "Out",
    "_",
    "__",
    "___",
    "_i",
    "_ii",
    "_iii",
    "_ih",
    "_oh",
    "_dh",
    "_exit_code",
    "__IPYTHON__",
    "_dntk",  # Deepnote's toolkit, injected like IPython's display
    "__name__",
    "__file__",
    "__doc__",
    "__builtins__",
    "__spec__",
    "__loader__",
    "__package__",
    "__annotations__",
    "__class__",  # the implicit closure cell of methods (``super()`` reads it)
}

MODULE, FUNCTION, CLASS, COMPREHENSION = 0, 1, 2, 3
NOTHING: frozenset[str] = frozenset()  # a set not made yet: most blocks never need it


class Scope:
    __slots__ = (
        "assigned_globals",
        "bound",
        "declared",
        "dialects",
        "kind",
        "literals",
        "mutated",
        "parent",
        "refs",
    )

    def __init__(self, kind: int, parent: Scope | None) -> None:
        self.kind = kind
        self.parent = parent
        self.bound: set[str] = set()
        self.refs: set[str] = set()  # function scopes: every name read, resolved at the end
        self.mutated: set[str] = set()
        self.declared: dict[str, str] = {}  # name -> "global" | "nonlocal"
        self.literals: dict[str, str] = {}  # name -> string it was last assigned
        self.dialects: dict[str, str] = {}  # name -> SQL dialect of the connection it holds
        # Function scopes: the globals assigned so far (rare: made when first needed).
        self.assigned_globals: set[str] | frozenset[str] = NOTHING


class ScopedNames:
    """The names of one block: scope chain, bindings, reads and mutations.

    Examples:
        >>> names = ScopedNames()
        >>> names.load("x"); names.bind("y"); names.load("y")
        >>> sorted(names.defines), sorted(names.resolved_uses())
        (['y'], ['x'])
    """

    def __init__(self) -> None:
        self.module = Scope(MODULE, None)
        self.scope = self.module
        self.defines: set[str] = set()
        self.uses: set[str] = set()
        self.deferred: set[str] = set()  # read by functions: resolved against the whole block
        self.ever_bound: set[str] = set()
        # The rarely used sets start as the shared empty NOTHING, made on first add.
        self.global_only: set[str] | frozenset[str] = NOTHING  # bound only via `global`
        # Globals a function reads before it assigns them (``global n; n += 1``): only a
        # module-level binding in the block, not the function's own, provides them.
        self.early_globals: set[str] | frozenset[str] = NOTHING
        self.mutates: set[str] = set()
        # Names deleted from the notebook's namespace that the block read from outside
        # (``del x`` at module level, ``global x; del x`` in a function).
        self.deletes: set[str] | frozenset[str] = NOTHING
        # Module-level names whose latest binding in the block is an import.
        self.imported: set[str] = set()

    def resolved_uses(self) -> set[str]:
        """Names the block reads from outside: immediate reads plus unresolved function reads."""
        uses = self.uses | (self.deferred - self.ever_bound)
        if self.early_globals:
            uses |= self.early_globals - (self.ever_bound - self.global_only)
        return uses - BUILTIN_NAMES

    # ------------------------------------------------------------ names

    def load(self, name: str) -> None:
        """A read of ``name`` in the current scope."""
        scope = self.scope
        if scope is self.module:
            if name not in scope.bound:
                self.uses.add(name)
            return
        self._resolve(scope, name, deferred=False, first=True)

    def _resolve(self, scope: Scope | None, name: str, *, deferred: bool, first: bool) -> None:
        while scope is not None:
            kind = scope.kind
            if kind == MODULE:
                if deferred:
                    self.deferred.add(name)
                elif name not in scope.bound:
                    self.uses.add(name)
                return
            if kind == FUNCTION:
                scope.refs.add(name)
                if (
                    first
                    and scope.declared
                    and scope.declared.get(name) == "global"
                    and name not in scope.assigned_globals
                ):
                    if self.early_globals is NOTHING:
                        self.early_globals = set()
                    self.early_globals.add(name)  # type: ignore[union-attr]
                return
            # Class bodies are visible only to their own statements, not to the
            # functions and comprehensions nested in them.
            if (kind == COMPREHENSION or first) and name in scope.bound:
                return
            scope = scope.parent
            first = False

    def mutate(self, name: str) -> None:
        """The object bound to ``name`` may be changed in place here."""
        scope: Scope | None = self.scope
        first = True
        while scope is not None:
            kind = scope.kind
            if kind == MODULE:
                self.mutates.add(name)
                return
            if kind == FUNCTION:
                scope.mutated.add(name)
                return
            if (kind == COMPREHENSION or first) and name in scope.bound:
                return
            scope = scope.parent
            first = False

    def _mutate_from(self, scope: Scope | None, name: str) -> None:
        while scope is not None:
            kind = scope.kind
            if kind == MODULE:
                self.mutates.add(name)
                return
            if kind == FUNCTION:
                scope.mutated.add(name)
                return
            if kind == COMPREHENSION and name in scope.bound:
                return
            scope = scope.parent

    def bind(self, name: str) -> None:
        """A binding of ``name`` in the current scope (assignment, import, def...)."""
        self.bind_in(self.scope, name)

    def bind_in(self, scope: Scope, name: str) -> None:
        """A binding in a given scope: where a walrus inside a comprehension binds."""
        if scope.literals:
            scope.literals.pop(name, None)
        if scope.dialects:
            scope.dialects.pop(name, None)
        if scope.kind == MODULE:
            scope.bound.add(name)
            self.defines.add(name)
            self.ever_bound.add(name)
            if self.global_only:
                self.global_only.discard(name)  # type: ignore[union-attr]
            if self.imported:
                self.imported.discard(name)  # rebound by something else than an import
            return
        declared = scope.declared.get(name) if scope.declared else None
        if declared == "global":
            # Functions in notebooks are written to be called: a global they
            # assign is a name the block provides.
            if name not in self.ever_bound:
                if self.global_only is NOTHING:
                    self.global_only = set()
                self.global_only.add(name)  # type: ignore[union-attr]
            self.defines.add(name)
            self.ever_bound.add(name)
            if scope.assigned_globals is NOTHING:
                scope.assigned_globals = set()
            scope.assigned_globals.add(name)  # type: ignore[union-attr]
        elif declared is None:
            scope.bound.add(name)

    def unbind(self, name: str) -> None:
        """``del name`` or the end of an except handler at module or class level."""
        scope = self.scope
        if scope.kind == MODULE:
            scope.bound.discard(name)
            self.defines.discard(name)
            self.imported.discard(name)
        elif scope.kind == CLASS:
            scope.bound.discard(name)

    def delete(self, name: str) -> None:
        """``del name``: a read of the name, then its removal from the current scope.

        In a function ``del`` makes the name local, unless it is declared ``global``:
        then the block reads the notebook's ``name`` and removes it.
        """
        scope = self.scope
        kind = scope.kind
        if kind == FUNCTION:
            if scope.declared.get(name) == "global":
                scope.refs.add(name)
                self._deleted(name)
            else:
                self.bind(name)
            return
        if kind == MODULE and name not in scope.bound:
            self._deleted(name)
        self.load(name)
        self.unbind(name)

    def _deleted(self, name: str) -> None:
        if self.deletes is NOTHING:
            self.deletes = set()
        self.deletes.add(name)  # type: ignore[union-attr]

    def finish_function(
        self, scope: Scope, *, immediate: bool = False, sees_class: bool = False
    ) -> None:
        """Resolve a function's free names once its whole body is known.

        ``sees_class``: an annotation scope (PEP 649/695) inside a class body sees the
        names the class has bound, which a function body does not.
        """
        bound = scope.bound
        declared = scope.declared
        parent = scope.parent
        class_names = (
            parent.bound if sees_class and parent is not None and parent.kind == CLASS else ()
        )
        for name in scope.refs:
            if name in bound or name in class_names:
                continue
            if declared.get(name) == "global":
                self.deferred.add(name)
            else:
                self._resolve(parent, name, deferred=not immediate, first=False)
        for name in scope.mutated:
            if name in bound:
                continue
            if declared.get(name) == "global":
                self.mutates.add(name)
            else:
                self._mutate_from(parent, name)

    # ------------------------------------------------------------ strings and dialects

    def literal(self, name: str) -> str | None:
        """The string ``name`` was last assigned in a visible scope, if known."""
        scope: Scope | None = self.scope
        while scope is not None:
            if scope.literals:
                text = scope.literals.get(name)
                if text is not None:
                    return text
            if name in scope.bound and scope.kind != MODULE:
                return None  # a local shadows the outer literal
            scope = scope.parent
        return None

    def dialect_of_name(self, name: str) -> str | None:
        """The SQL dialect of the connection ``name`` was assigned in this block, if known."""
        scope: Scope | None = self.scope
        while scope is not None:
            if scope.dialects:
                dialect = scope.dialects.get(name)
                if dialect is not None:
                    return dialect
            scope = scope.parent
        return None
