"""What `scoping.BlockWalker` reports when a call runs SQL, reads or writes a table or
runs a notebook: the `call_args.CallSite` side of the walker, which `embedded_sql` and
`table_io` call back.
"""

from __future__ import annotations

import ast
from typing import Any

from .call_args import receiver_root
from .connections import name_dialect
from .notebook_locals import sees_frames
from .python_write_kinds import python_write_kind
from .sql_text import normalize_sql_params
from .strings import has_placeholder, resolve_string
from .types import SqlStatement

# ("sql", (SqlStatement, names bound when it ran or None)) | ("read", table)
# | ("write", (table, WriteKind)) | ("local", table): a notebook-local table (registered
# DataFrame, temp view)
Event = tuple[str, Any]


class CallFindings:
    """Records the SQL, tables and notebooks the calls of a block reach, in order."""

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
        # SQL on DataFrames reads the block's own variables bound before it ran.
        bound = frozenset(self.module.bound) if sees_frames(dialect, role) else None
        self.events.append(("sql", (statement, bound)))

    def found_table(self, name: str, call: ast.AST, *, is_write: bool) -> None:
        """Record a table or file read or written by ``call`` (`call_args.CallSite`)."""
        if has_placeholder(name):
            self.is_partial = True  # a name only known at run time
            return
        if is_write:
            self.events.append(("write", (name, python_write_kind(call, self.resolve))))
        else:
            self.events.append(("read", name))

    def found_run(self, target: str, call: ast.AST) -> None:
        """Record a notebook run by ``call`` (`call_args.CallSite`)."""
        if not has_placeholder(target):
            self.runs.append(target)

    def found_local_table(self, name: str, call: ast.AST) -> None:
        """Record a notebook-local table made by ``call`` (`call_args.CallSite`)."""
        self.events.append(("local", name))
