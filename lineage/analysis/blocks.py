"""`analyze_block`: what a notebook block of any kind defines, uses, reads and writes.

Code and SQL blocks are analysed from their text (`analyze_code`, `analyze_sql_block`).
Deepnote's other blocks keep what they do in their metadata, as Deepnote's own code
generation reads it (the ``deepnote_cell_type`` key says which block it is):

=====================  ===========================================================
block type             what it does
=====================  ===========================================================
``input-*``            defines its variable; a select whose options come from a
                       variable (``deepnote_variable_select_type: from-variable``)
                       uses that variable
``button``             with ``deepnote_button_behavior: set_variable``, defines its
                       variable
``big-number``         uses its value and comparison variables, and the variables of
                       its title templates (Jinja)
``visualization``      uses the DataFrame it draws (``deepnote_variable_name``)
``notebook-function``  uses the variables bound to its inputs, defines the variables
                       its exports are mapped to, and calls its notebook
=====================  ===========================================================
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from .budget import DEFAULT_BLOCK_BUDGET_S
from .python import analyze_code
from .templates import template_uses
from .types import CodeAnalysis

_EMPTY = CodeAnalysis()
_NO_METADATA: Mapping[str, Any] = {}


def analyze_block(
    kind: str,
    source: str,
    *,
    variable: str | None = None,
    dialect: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    budget_s: float | None = DEFAULT_BLOCK_BUDGET_S,
) -> CodeAnalysis:
    """Analyse one block of a notebook, whatever its kind; never raises.

    Args:
        kind: ``code`` (or ``python``), ``sql``, ``input``, ``markdown``, ``other``.
        source: the block's text.
        variable: the variable the block binds (a SQL result, an input's value).
        dialect: the sqlglot dialect of a SQL block's connection.
        metadata: the block's format metadata as read; Deepnote blocks are recognised
            by their ``deepnote_cell_type``.
        budget_s: the block's work budget (see `budget`).

    Returns:
        A `CodeAnalysis`; blocks that run nothing (markdown, images) give an empty one.

    Examples:
        >>> big = analyze_block("other", "", metadata={
        ...     "deepnote_cell_type": "big-number",
        ...     "deepnote_big_number_title": "Revenue in {{ region }}",
        ...     "deepnote_big_number_value": "revenue",
        ...     "deepnote_big_number_comparison_value": "last_revenue"})
        >>> sorted(big.uses)
        ['last_revenue', 'region', 'revenue']
        >>> call = analyze_block("other", "", metadata={
        ...     "deepnote_cell_type": "notebook-function",
        ...     "function_notebook_id": "nb-regional",
        ...     "function_notebook_inputs": {"region": {"variable_name": "region"}},
        ...     "function_notebook_export_mappings": {
        ...         "summary": {"enabled": True, "variable_name": "europe"}}})
        >>> sorted(call.uses), sorted(call.defines), call.calls
        (['region'], ['europe'], ('nb-regional',))
        >>> analyze_block("input", "", variable="country").defines
        frozenset({'country'})
    """
    if kind == "code" or kind == "python":
        return analyze_code(source, budget_s=budget_s)
    if kind == "sql":
        from .sql_block import analyze_sql_block  # the SQL half, imported when first needed

        return analyze_sql_block(source, variable=variable, dialect=dialect, budget_s=budget_s)
    meta = metadata if metadata and isinstance(metadata, Mapping) else _NO_METADATA
    block_type = meta.get("deepnote_cell_type")
    deepnote = _DEEPNOTE.get(block_type.strip().lower()) if isinstance(block_type, str) else None
    if deepnote is not None:
        return deepnote(meta, variable)
    if kind == "input" or (isinstance(block_type, str) and block_type.startswith("input-")):
        return _input(meta, variable)
    return _EMPTY


def _name(value: Any) -> str | None:
    """A variable name the way Deepnote sanitises it (spaces to ``_``, other characters
    dropped, no leading digit); None when nothing is left."""
    if not isinstance(value, str):
        return None
    name = re.sub(r"[^0-9A-Za-z_]", "", re.sub(r"\s+", "_", value.strip()))
    name = re.sub(r"^[^A-Za-z_]+", "", name)
    return name or None


def _names(*values: Any) -> frozenset[str]:
    return frozenset(name for name in map(_name, values) if name)


def _input(meta: Mapping[str, Any], variable: str | None) -> CodeAnalysis:
    name = variable or _name(meta.get("deepnote_variable_name"))
    select_type = str(meta.get("deepnote_variable_select_type") or "").replace("_", "-")
    uses = (
        _names(meta.get("deepnote_variable_selected_variable"))
        if select_type == "from-variable"
        else frozenset()
    )
    return CodeAnalysis(defines=frozenset({name}) if name else frozenset(), uses=uses - {name})


def _button(meta: Mapping[str, Any], variable: str | None) -> CodeAnalysis:
    if meta.get("deepnote_button_behavior") != "set_variable":
        return _EMPTY
    name = variable or _name(meta.get("deepnote_variable_name"))
    return CodeAnalysis(defines=frozenset({name})) if name else _EMPTY


def _big_number(meta: Mapping[str, Any], variable: str | None) -> CodeAnalysis:
    uses = _names(
        meta.get("deepnote_big_number_value"), meta.get("deepnote_big_number_comparison_value")
    )
    for key in ("deepnote_big_number_title", "deepnote_big_number_comparison_title"):
        title = meta.get(key)
        if isinstance(title, str):
            uses |= template_uses(title)
    return CodeAnalysis(uses=uses)


def _visualization(meta: Mapping[str, Any], variable: str | None) -> CodeAnalysis:
    return CodeAnalysis(uses=_names(meta.get("deepnote_variable_name")))


def _notebook_function(meta: Mapping[str, Any], variable: str | None) -> CodeAnalysis:
    uses: set[str] = set()
    inputs = meta.get("function_notebook_inputs")
    for value in inputs.values() if isinstance(inputs, Mapping) else ():
        if isinstance(value, Mapping):  # {variable_name: x} or {custom_value: ...}
            uses |= _names(value.get("variable_name"))
            value = value.get("custom_value")
        if isinstance(value, str):
            uses |= template_uses(value)  # pipelines pass "[{{ europe }}, {{ asia }}]"
    defines: set[str] = set()
    exports = meta.get("function_notebook_export_mappings")
    for mapping in exports.values() if isinstance(exports, Mapping) else ():
        if isinstance(mapping, Mapping) and mapping.get("enabled"):
            defines |= _names(mapping.get("variable_name"))
    notebook = meta.get("function_notebook_id")
    calls = (notebook.strip(),) if isinstance(notebook, str) and notebook.strip() else ()
    return CodeAnalysis(defines=frozenset(defines), uses=frozenset(uses), calls=calls)


_DEEPNOTE: dict[str, Callable[[Mapping[str, Any], str | None], CodeAnalysis]] = {
    "button": _button,
    "big-number": _big_number,
    "visualization": _visualization,
    "notebook-function": _notebook_function,
}
