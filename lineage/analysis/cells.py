"""A code cell's text as a Python AST, the way IPython would run it.

Plain Python is parsed directly. Only when that fails and the text shows IPython
syntax (``%magic``, ``!shell``, ``obj?``, prompts) is IPython's transformer run,
because it costs more than parsing. A cell magic (``%%sql``) is split off
instead of parsed: its body is not Python.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache

from .type_params import Downgraded, downgrade, may_have_type_params

# ---------------------------------------------------------------- cell splitting

_CELL_MAGIC_RE = re.compile(r"\A(?:[ \t]*\n)*[ \t]*%%([\w.-]+)[ \t]*([^\n]*)(?:\n|\Z)")
# Databricks/Synapse notebooks switch a cell's language with a bare first line.
_LANGUAGE_LINE_RE = re.compile(
    r"\A(?:[ \t]*\n)*[ \t]*%(sql|md|markdown|python|pyspark|scala|r|sh|fs|run)\b[ \t]*([^\n]*)"
    r"(?:\n|\Z)"
)


def split_cell_magic(source: str) -> tuple[str, str, str, int] | None:
    """A cell magic ``%%name line\\nbody`` as (name, line, body, body_line), else None.

    Also recognises Databricks language cells (``%sql`` / ``%md`` / ``%scala`` on a
    line of their own followed by the cell's content), which are whole-cell
    switches rather than line magics.

    Examples:
        >>> split_cell_magic("%%bigquery df --project p\\nSELECT 1")
        ('bigquery', 'df --project p', 'SELECT 1', 2)
        >>> split_cell_magic("%sql\\nSELECT * FROM t")
        ('databricks-sql', '', 'SELECT * FROM t', 2)
        >>> split_cell_magic("x = 1") is None
        True
    """
    stripped = source.lstrip()
    if not stripped.startswith("%"):
        return None
    match = _CELL_MAGIC_RE.match(source)
    if match is None:
        match = _LANGUAGE_LINE_RE.match(source)
        if match is None:
            return None
        name, line = match.group(1), match.group(2)
        body = source[match.end() :]
        # `%sql SELECT 1` / `%run x.py` are line magics; only a bare switch owns the cell.
        if line.strip() and name in ("sql", "run", "python", "pyspark"):
            return None
        if not body.strip() and name in ("sql", "run", "python", "pyspark"):
            return None
        # A Databricks `%python` cell is the notebook's own Python, not a subprocess.
        name = {"sql": "databricks-sql", "md": "markdown", "python": "local"}.get(name, name)
    else:
        name, line = match.group(1), match.group(2)
        body = source[match.end() :]
    body_line = source.count("\n", 0, match.end()) + 1
    return name, line.strip(), body, body_line


# ---------------------------------------------------------------- transformation

_NEEDS_TRANSFORM_CHARS = ("%", "!", "?", ">>>", "In [")
_AUTOMAGIC_RE = re.compile(
    r"^([ \t]*)(pip|conda|mamba|micromamba|cd|pwd|load_ext|reload_ext|matplotlib|autoreload"
    r"|pylab|who|whos|env|store|run)([ \t]+[\w\"'/~.$-][^\n]*|[ \t]*)$",
    re.MULTILINE,
)


def needs_transform(source: str) -> bool:
    """Cheap check: could IPython syntax explain why ``source`` does not parse?

    Examples:
        >>> needs_transform("%matplotlib inline"), needs_transform("def f(:")
        (True, False)
    """
    if source[:1] in (" ", "\t"):
        return True
    return any(marker in source for marker in _NEEDS_TRANSFORM_CHARS) or (
        _AUTOMAGIC_RE.search(source) is not None
    )


@lru_cache(maxsize=1)
def _transformer():
    # Importing IPython's transformer costs ~100 ms; most cells never need it.
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()


_ESCAPE_LINE_RE = re.compile(r"^([ \t]*)(?:([\w.\[\]'\", ]+?)[ \t]*=[ \t]*)?(%|!!|!)([^\n]*)$")
_MAGIC_NAME_RE = re.compile(r"(\w+)[ \t]*(.*)$", re.DOTALL)
_HELP_LINE_RE = re.compile(r"^([ \t]*)(?:(\?\??)([\w.]+)|([\w.]+)(\?\??))[ \t]*$")


def fast_transform(source: str) -> tuple[str, tuple[int, ...]] | None:
    """IPython's transformation for the common case, without IPython's tokenizer.

    Rewrites lines that *start* with an escape (``%magic``, ``!cmd``, ``x = %magic``,
    ``obj?``) and reports their line numbers, so that the caller can check in the
    parsed tree that each one really began a statement (not a line inside a
    string or a bracket); otherwise it must use `transform_cell`. Returns None
    when the cell has constructs only IPython handles (prompts, continuations).

    Examples:
        >>> code, lines = fast_transform("%matplotlib inline\\nfiles = !ls {d}")
        >>> print(code)
        get_ipython().run_line_magic('matplotlib', 'inline')
        files = get_ipython().getoutput('ls {d}')
        >>> lines
        (1, 2)
    """
    lines = source.split("\n")
    changed: list[int] = []
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        first = stripped[:1]
        if first in ("%", "!") or ("=" in line and ("%" in line or "!" in line)):
            match = _ESCAPE_LINE_RE.match(line)
            if match is None:
                continue
            indent, target, escape, rest = match.groups()
            if rest.endswith("\\"):
                return None  # a continued magic line: IPython joins the lines
            if escape == "%":
                magic = _MAGIC_NAME_RE.match(rest)
                if magic is None:
                    continue  # `x = y % z` is Python
                name, argument = magic.groups()
                call = f"get_ipython().run_line_magic({name!r}, {argument.strip()!r})"
            else:
                method = "getoutput" if escape == "!!" or target else "system"
                call = f"get_ipython().{method}({rest.strip()!r})"
        elif stripped.endswith("?") or first == "?":
            match = _HELP_LINE_RE.match(line)
            if match is None:
                continue
            indent, pre, pre_name, post_name, post = match.groups()
            marks = pre or post
            method = "pinfo2" if marks == "??" else "pinfo"
            call = f"get_ipython().run_line_magic({method!r}, {(pre_name or post_name)!r})"
            target = None
        else:
            continue
        lines[index] = f"{indent}{target} = {call}" if target else f"{indent}{call}"
        changed.append(index + 1)
    if not changed:
        return None
    return "\n".join(lines), tuple(changed)


def transform_cell(source: str, *, automagic: bool = False) -> str:
    """The Python IPython runs for ``source`` (magics become ``get_ipython()`` calls).

    With ``automagic``, lines such as ``pip install x`` (IPython runs them as
    ``%pip`` when automagic is on) are treated as magics too.

    Examples:
        >>> transform_cell("%time y = f()")
        "get_ipython().run_line_magic('time', 'y = f()')\\n"
        >>> transform_cell("pip install pandas", automagic=True)
        "get_ipython().run_line_magic('pip', 'install pandas')\\n"
    """
    if automagic:
        source = _AUTOMAGIC_RE.sub(r"\1%\2\3", source)
    try:
        return _transformer().transform_cell(source)
    except Exception:  # IPython raises assorted errors on broken input
        return source


@dataclass(frozen=True)
class ParsedCell:
    """A parsed cell: exactly one of ``tree``, ``magic`` and ``error`` is set.

    Attributes:
        tree: the module AST (after IPython's transformation when it was needed).
        magic: a cell magic as (name, line, body, body_line).
        error: why the cell cannot be parsed, for a person.
        downgraded: set when the tree comes from PEP 695 syntax rewritten for the
            running Python (see `type_params.downgrade`).
    """

    tree: ast.Module | None = None
    magic: tuple[str, str, str, int] | None = None
    error: str | None = None
    downgraded: Downgraded | None = None


def parse_cell(source: str) -> ParsedCell:
    """Parse a code cell, handling IPython syntax; never raises.

    Examples:
        >>> parse_cell("x = 1").tree is not None
        True
        >>> parse_cell("%%sql\\nSELECT 1").magic
        ('sql', '', 'SELECT 1', 2)
        >>> parse_cell("def f(:").error
        'SyntaxError: invalid syntax (line 1)'
    """
    if source.lstrip()[:1] == "%":
        magic = split_cell_magic(source)
        if magic is not None:
            return ParsedCell(magic=magic)
    try:
        return ParsedCell(tree=ast.parse(source))
    except SyntaxError as error:
        failure: SyntaxError = error
    except (ValueError, RecursionError, MemoryError) as error:
        return ParsedCell(error=_message(error))
    if may_have_type_params(source):
        downgraded = downgrade(source)
        if downgraded is not None:
            try:
                return ParsedCell(tree=ast.parse(downgraded.source), downgraded=downgraded)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                pass  # not (only) PEP 695: report the original error
    if needs_transform(source):
        fast = fast_transform(source)
        if fast is not None:
            tree = _parse_checked(*fast)
            if tree is not None:
                return ParsedCell(tree=tree)
        for automagic in (False, True):
            transformed = transform_cell(source, automagic=automagic)
            if transformed == source and not automagic:
                continue
            try:
                return ParsedCell(tree=ast.parse(transformed))
            except SyntaxError as error:
                failure = error
            except (ValueError, RecursionError, MemoryError) as error:
                return ParsedCell(error=_message(error))
    return ParsedCell(error=_message(failure))


def _parse_checked(source: str, changed_lines: tuple[int, ...]) -> ast.Module | None:
    """Parse a fast-transformed cell; None unless every rewritten line began a statement."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    starts = {node.lineno for node in ast.walk(tree) if isinstance(node, ast.stmt)}
    if all(line in starts for line in changed_lines):
        return tree
    return None  # an escape inside a string or brackets: only IPython's tokenizer knows


def _message(error: BaseException) -> str:
    if isinstance(error, SyntaxError):
        return f"SyntaxError: {error.msg} (line {error.lineno})"
    if isinstance(error, RecursionError):
        return "SyntaxError: the code is nested too deeply to analyse"
    return f"{type(error).__name__}: {error}"
