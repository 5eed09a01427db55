"""What a magic does, in terms the scoping walker applies; IPython's `$x` and `{x}` expansion."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Literal

Scope = Literal["user", "isolated", "foreign"]


@dataclass(frozen=True)
class MagicSql:
    """A SQL statement a magic runs."""

    sql: str
    dialect: str | None = None
    variable: str | None = None


@dataclass(frozen=True)
class MagicEffect:
    """What one magic (or shell escape) does, in terms the scoping walker applies.

    Attributes:
        python: Python code the magic runs, to be analysed like the block's own.
        scope: ``user`` when that code runs in the notebook namespace (``%time``),
            ``isolated`` when it only reads it (``%timeit``), ``foreign`` when it
            runs elsewhere (``%%python`` subprocess, remote Spark) so that only its
            SQL and table I/O count.
        expressions: Python expressions interpolated into the magic (``{x}``).
        uses, defines, deletes: names read, bound and removed.
        sql: SQL statements the magic runs.
        reads, writes: tables and files read or written outside SQL.
        runs: notebooks or scripts run (``%run``).
        is_partial: something could not be understood.
    """

    python: str | None = None
    scope: Scope = "user"
    expressions: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    defines: tuple[str, ...] = ()
    deletes: tuple[str, ...] = ()
    sql: tuple[MagicSql, ...] = ()
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    runs: tuple[str, ...] = ()
    is_partial: bool = False


NO_EFFECT = MagicEffect()

DOLLAR_RE = re.compile(r"(?<![\$\w])\$(\w+)")
BRACE_RE = re.compile(r"(?<!\{)\{([^{}\n]+)\}(?!\})")
DOUBLE_BRACE_RE = re.compile(r"\{\{\s*([^{}\n]+?)\s*\}\}")
COLON_PARAM_RE = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
IDENTIFIER_RE = re.compile(r"[A-Za-z_]\w*\Z")


def interpolations(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """IPython's variable expansion in a shell command or magic line.

    Returns (names from ``$name``, expressions from ``{expr}``).

    Examples:
        >>> interpolations("ls $folder/{sub + '/x'}")
        (('folder',), ("sub + '/x'",))
    """
    if "$" not in text and "{" not in text:
        return (), ()
    names = tuple(m.group(1) for m in DOLLAR_RE.finditer(text) if not m.group(1).isdigit())
    expressions = tuple(m.group(1) for m in BRACE_RE.finditer(text))
    return names, expressions


def split_args(line: str) -> list[str]:
    try:
        return shlex.split(line, posix=True)
    except ValueError:
        return line.split()
