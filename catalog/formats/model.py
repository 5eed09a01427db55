"""The neutral notebook shape every reader produces.

Pure: standard library only. A reader turns the bytes of one file into one or
more `ParsedNotebook` values (a `.deepnote` project holds several notebooks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

BlockKind = Literal["code", "sql", "markdown", "input", "other"]
BLOCK_KINDS: tuple[str, ...] = ("code", "sql", "markdown", "input", "other")

FormatName = Literal["ipynb", "deepnote-ipynb", "deepnote"]


class FormatError(ValueError):
    """A file that cannot be read as a notebook; the message says why, for a person."""


@dataclass(frozen=True)
class ParsedBlock:
    """One block of a notebook, in file order.

    Attributes:
        id: the block id from the file when it has one, else a stable derived id
            (an unchanged block keeps its id across versions).
        kind: code | sql | markdown | input | other.
        source: the block's text (for SQL blocks, the raw SQL).
        variable: the variable the block binds (SQL result, input value), if any.
        metadata: format-specific details kept as read (JSON-compatible), e.g.
            ``{"deepnote_cell_type": "input-text", "sql_integration_type": "pgsql"}``.
        outputs: stored outputs in nbformat v4 shape (JSON-compatible dicts).
        execution_count: the stored execution count, if any.
    """

    id: str
    kind: BlockKind
    source: str
    variable: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    outputs: tuple[dict[str, Any], ...] = ()
    execution_count: int | None = None

    @property
    def dialect(self) -> str | None:
        """The sqlglot dialect of a SQL block's connection, when the file names one."""
        return self.metadata.get("sql_dialect") or None


@dataclass(frozen=True)
class ParsedNotebook:
    """A notebook read from a file.

    Attributes:
        name: the notebook's name inside a multi-notebook file (`.deepnote`), else None.
        title: a human title (first heading, notebook name, or file stem).
        format: ipynb | deepnote-ipynb | deepnote.
        format_version: e.g. "4.5" for nbformat, the `version` of a `.deepnote` file.
        language: the kernel language when known ("python").
        blocks: the blocks in order.
        metadata: notebook-level metadata kept as read (JSON-compatible).
        warnings: problems the reader worked around (e.g. an nbformat schema violation
            in a notebook that could still be read), for a person to see.
    """

    name: str | None
    title: str
    format: FormatName
    format_version: str
    language: str | None
    blocks: tuple[ParsedBlock, ...]
    metadata: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
