"""Deepnote's block conventions, shared by `.deepnote` files and Deepnote-exported `.ipynb`.

Deepnote blocks carry a type (`code`, `sql`, `markdown`, `text-cell-h1`, `input-text`,
`big-number`, ...). This module maps those types onto Tributary's block kinds, renders
rich-text cells as markdown, pulls out the variables blocks bind and the input
defaults, and recovers the raw SQL from the Python Deepnote writes for SQL cells.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

from catalog.formats.model import BlockKind
from catalog.formats.sql_dialects import DATAFRAME_SQL_INTEGRATION_TYPE, guess_sql_dialect

_HEADING_PREFIXES = {"text-cell-h1": "# ", "text-cell-h2": "## ", "text-cell-h3": "### "}
_MARKDOWN_HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")
_LIST_MARKERS = ("- ", "* ", "+ ")
_TODO_MARKERS = tuple(f"{marker}[{mark}]" for marker in _LIST_MARKERS for mark in " xX")

# Deepnote's toolkit (`_dntk`) and its predecessor run a SQL cell through one of these.
_EXECUTE_SQL_ATTRIBUTES = frozenset({"execute_sql", "execute_sql_with_connection_json"})
_EXECUTE_SQL_FUNCTIONS = frozenset({"_deepnote_execute_sql", "execute_sql"})
_DATAFRAME_SQL_ENV_VAR = "SQL_DEEPNOTE_DATAFRAME_SQL"

# Block types whose `deepnote_variable_name` is a variable the block sets. A visualization's
# `deepnote_variable_name` is the DataFrame it draws (a use, not a binding), and a
# big number only reads variables, so neither is listed.
_BINDING_TYPES = frozenset({"sql"})


def normalize_type(block_type: str) -> str:
    """A Deepnote block type in its canonical spelling (`Text-Cell-H1` -> `text-cell-h1`).

    Examples:
        >>> normalize_type(" Input-Text ")
        'input-text'
    """
    return block_type.strip().lower()


def kind_for_type(block_type: str) -> BlockKind:
    """Tributary's block kind for a Deepnote block type.

    Args:
        block_type: a Deepnote block type, e.g. "sql", "text-cell-h2", "input-slider".

    Returns:
        code | sql | markdown | input | other.

    Examples:
        >>> [kind_for_type(t) for t in ("code", "sql", "text-cell-p", "input-date", "button")]
        ['code', 'sql', 'markdown', 'input', 'other']
    """
    normalized = normalize_type(block_type)
    if normalized == "code":
        return "code"
    if normalized == "sql":
        return "sql"
    if normalized == "markdown" or normalized.startswith("text-cell-"):
        return "markdown"
    if normalized.startswith("input-"):
        return "input"
    return "other"


def is_text_cell(block_type: str) -> bool:
    """Whether the type is one of Deepnote's rich-text cells (`text-cell-*`).

    Examples:
        >>> is_text_cell("text-cell-callout"), is_text_cell("markdown")
        (True, False)
    """
    return normalize_type(block_type).startswith("text-cell-")


def bound_variable(block_type: str, metadata: dict[str, Any]) -> str | None:
    """The variable a block sets, from its `deepnote_variable_name`.

    SQL blocks bind their result, input blocks their value, and a button whose behavior
    is `set_variable` its variable.

    Examples:
        >>> bound_variable("sql", {"deepnote_variable_name": "df_users"})
        'df_users'
        >>> bound_variable("visualization", {"deepnote_variable_name": "df_users"}) is None
        True
    """
    normalized = normalize_type(block_type)
    binds = (
        normalized in _BINDING_TYPES
        or normalized.startswith("input-")
        or (normalized == "button" and metadata.get("deepnote_button_behavior") == "set_variable")
    )
    name = metadata.get("deepnote_variable_name")
    if binds and isinstance(name, str) and name.strip():
        return name.strip()
    return None


def render_text_cell(block_type: str, text: str, metadata: dict[str, Any]) -> str:
    """Render a Deepnote rich-text cell as markdown.

    Text that already carries its markdown prefix (as Deepnote's own `.ipynb` export
    writes it) is returned unchanged, so rendering is idempotent.

    Args:
        block_type: `text-cell-h1`, `-h2`, `-h3`, `-p`, `-bullet`, `-todo` or `-callout`.
        text: the cell's plain text.
        metadata: the cell's metadata (a todo's `checked` flag lives there).

    Returns:
        Markdown text.

    Examples:
        >>> render_text_cell("text-cell-h1", "Billing", {})
        '# Billing'
        >>> render_text_cell("text-cell-todo", "Ship it", {"checked": True})
        '- [x] Ship it'
        >>> render_text_cell("text-cell-h1", "# Billing", {})
        '# Billing'
        >>> render_text_cell("text-cell-h2", "#1 priority", {})
        '## #1 priority'
    """
    normalized = normalize_type(block_type)
    if not text.strip():
        return ""
    stripped = text.lstrip()
    if normalized in _HEADING_PREFIXES:
        if _MARKDOWN_HEADING.match(stripped):
            return text
        # A markdown heading is one line.
        return _HEADING_PREFIXES[normalized] + " ".join(text.split("\n"))
    if normalized == "text-cell-bullet":
        return text if stripped.startswith(_LIST_MARKERS) else _as_list_item("- ", text)
    if normalized == "text-cell-todo":
        if stripped.startswith(_TODO_MARKERS):
            return text
        box = "[x]" if metadata.get("checked") is True else "[ ]"
        return _as_list_item(f"- {box} ", text)
    if normalized == "text-cell-callout":
        if stripped.startswith(">"):
            return text
        return "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))
    return text


def _as_list_item(marker: str, text: str) -> str:
    first, _, rest = text.partition("\n")
    if not rest:
        return marker + first
    return (
        marker + first + "\n" + "\n".join(f"  {line}" if line else "" for line in rest.split("\n"))
    )


def input_details(block_type: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """Normalized details of an input block, to merge into its metadata.

    Args:
        block_type: e.g. "input-select".
        metadata: the block's Deepnote metadata.

    Returns:
        `input_type` (e.g. "select") and `default_value` (the declared default, else the
        current value, else None).

    Examples:
        >>> input_details("input-text", {"deepnote_variable_value": "a@b.com"})
        {'input_type': 'text', 'default_value': 'a@b.com'}
    """
    default = metadata.get("deepnote_variable_default_value")
    if default is None:
        default = metadata.get("deepnote_variable_value")
    return {
        "input_type": normalize_type(block_type).removeprefix("input-"),
        "default_value": default,
    }


def sql_connection_details(integration_type: str | None) -> dict[str, str]:
    """Metadata describing a SQL block's connection, when its type is known.

    Examples:
        >>> sql_connection_details("pgsql")
        {'sql_integration_type': 'pgsql', 'sql_dialect': 'postgres'}
        >>> sql_connection_details(None)
        {}
    """
    if not integration_type:
        return {}
    details = {"sql_integration_type": integration_type}
    dialect = guess_sql_dialect(integration_type)
    if dialect:
        details["sql_dialect"] = dialect
    return details


@dataclass(frozen=True)
class ExecuteSqlCall:
    """A call that runs a Deepnote SQL cell, found in the cell's exported Python.

    Attributes:
        sql: the SQL text passed to the call.
        connection_env_var: the environment variable naming the connection, if literal.
        variable: the variable the result is assigned to, if any.
    """

    sql: str
    connection_env_var: str | None
    variable: str | None


def find_execute_sql_call(source: str) -> ExecuteSqlCall | None:
    """Recover the SQL from the Python Deepnote exports for a SQL cell.

    Deepnote exports a SQL cell to `.ipynb` as Python such as
    `df = _dntk.execute_sql('SELECT ...', 'SQL_...', ...)`. Only a literal SQL string at
    the top level of the cell is recovered; nothing is executed.

    Args:
        source: the cell's Python source.

    Returns:
        The call found, or None when the source holds no such literal call.

    Examples:
        >>> call = find_execute_sql_call(
        ...     "df_1 = _dntk.execute_sql('SELECT 1', 'SQL_DEEPNOTE_DATAFRAME_SQL')\\ndf_1"
        ... )
        >>> call.sql, call.connection_env_var, call.variable
        ('SELECT 1', 'SQL_DEEPNOTE_DATAFRAME_SQL', 'df_1')
    """
    if "execute_sql" not in source:
        return None
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for statement in tree.body:
        variable: str | None = None
        value: ast.expr | None = None
        if isinstance(statement, ast.Assign):
            value = statement.value
            if len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
                variable = statement.targets[0].id
        elif isinstance(statement, ast.Expr):
            value = statement.value
        if isinstance(value, ast.Call) and _is_execute_sql(value.func):
            sql = _literal_string(value.args[0]) if value.args else None
            if sql is None:
                continue
            env_var = _literal_string(value.args[1]) if len(value.args) > 1 else None
            return ExecuteSqlCall(sql=sql, connection_env_var=env_var, variable=variable)
    return None


def integration_type_for_env_var(env_var: str | None) -> str | None:
    """The connection type an exported SQL cell's environment variable reveals, if any.

    Examples:
        >>> integration_type_for_env_var("SQL_DEEPNOTE_DATAFRAME_SQL")
        'pandas-dataframe'
    """
    if env_var == _DATAFRAME_SQL_ENV_VAR:
        return DATAFRAME_SQL_INTEGRATION_TYPE
    return None


def _is_execute_sql(func: ast.expr) -> bool:
    if isinstance(func, ast.Attribute):
        return func.attr in _EXECUTE_SQL_ATTRIBUTES
    return isinstance(func, ast.Name) and func.id in _EXECUTE_SQL_FUNCTIONS


def _literal_string(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None
