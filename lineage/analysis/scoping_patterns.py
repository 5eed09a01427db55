"""``match`` statements in a block: what patterns read (values, classes, mapping keys)
and bind (captures, ``*rest``, ``**rest``, ``as`` names). A mixin of `scoping.BlockWalker`.
"""

from __future__ import annotations

import ast


class Patterns:
    """Walks ``match`` statements: the subject, each case's pattern, guard and body."""

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
