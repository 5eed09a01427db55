"""Notebook files built in code: Jupyter of every nbformat version, and Deepnote variants.

Each builder returns plain dicts shaped exactly as the format writes them; `*_bytes`
helpers serialize them the way the real tools do.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from catalog.formats.model import FormatError
from catalog.formats.safe_yaml import load_yaml

# --- Jupyter, nbformat 4 ------------------------------------------------------------


def lines(text: str) -> list[str]:
    """Split text the way Jupyter stores multi-line strings: a list of lines with newlines."""
    return text.splitlines(keepends=True)


def code_cell(
    source: str,
    *,
    cell_id: str | None = None,
    outputs: list[dict[str, Any]] | None = None,
    execution_count: int | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "cell_type": "code",
        "execution_count": execution_count,
        "metadata": metadata or {},
        "outputs": outputs or [],
        "source": lines(source),
    }
    if cell_id is not None:
        cell["id"] = cell_id
    return cell


def markdown_cell(
    source: str, *, cell_id: str | None = None, metadata: dict[str, Any] | None = None
) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "cell_type": "markdown",
        "metadata": metadata or {},
        "source": lines(source),
    }
    if cell_id is not None:
        cell["id"] = cell_id
    return cell


def raw_cell(source: str, *, cell_id: str | None = None) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "cell_type": "raw",
        "metadata": {"raw_mimetype": "text/x-rst"},
        "source": lines(source),
    }
    if cell_id is not None:
        cell["id"] = cell_id
    return cell


def stream_output(text: str, name: str = "stdout") -> dict[str, Any]:
    return {"output_type": "stream", "name": name, "text": lines(text)}


def execute_result(text: str, execution_count: int) -> dict[str, Any]:
    return {
        "output_type": "execute_result",
        "execution_count": execution_count,
        "metadata": {},
        "data": {"text/plain": lines(text)},
    }


PYTHON_KERNEL = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python", "version": "3.11.7"},
}


def v4_notebook(
    cells: list[dict[str, Any]], *, minor: int = 5, metadata: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An nbformat 4.`minor` notebook; cells carry ids only if the caller gave them."""
    return {
        "cells": cells,
        "metadata": PYTHON_KERNEL if metadata is None else metadata,
        "nbformat": 4,
        "nbformat_minor": minor,
    }


def ipynb_bytes(notebook: Any) -> bytes:
    """Serialize like Jupyter does: indented JSON, UTF-8, non-ASCII kept as is."""
    return (json.dumps(notebook, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


# --- Jupyter, nbformat 1-3 (IPython notebooks) ------------------------------------------


def v3_notebook(worksheets: list[list[dict[str, Any]]], *, name: str = "") -> dict[str, Any]:
    return {
        "metadata": {"name": name, "signature": "sha256:0"},
        "nbformat": 3,
        "nbformat_minor": 0,
        "worksheets": [{"cells": cells, "metadata": {}} for cells in worksheets],
    }


def v3_heading(text: str, level: int = 1) -> dict[str, Any]:
    return {"cell_type": "heading", "level": level, "metadata": {}, "source": [text]}


def v3_code(source: str, *, prompt_number: int | None = None, outputs=None) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "cell_type": "code",
        "collapsed": False,
        "input": lines(source),
        "language": "python",
        "metadata": {},
        "outputs": outputs or [],
    }
    if prompt_number is not None:
        cell["prompt_number"] = prompt_number
    return cell


def v3_markdown(source: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": lines(source)}


def v2_notebook(cells: list[dict[str, Any]], *, name: str = "") -> dict[str, Any]:
    return {"metadata": {"name": name}, "nbformat": 2, "worksheets": [{"cells": cells}]}


def v2_code(source: str, *, prompt_number: int | None = None, outputs=None) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "cell_type": "code",
        "collapsed": False,
        "input": source,
        "language": "python",
        "outputs": outputs or [],
    }
    if prompt_number is not None:
        cell["prompt_number"] = prompt_number
    return cell


def v1_notebook(cells: list[dict[str, Any]]) -> dict[str, Any]:
    return {"nbformat": 1, "cells": cells}


def v1_code(code: str, *, prompt_number: int | None = None) -> dict[str, Any]:
    return {"cell_type": "code", "code": code, "prompt_number": prompt_number}


def v1_text(text: str) -> dict[str, Any]:
    return {"cell_type": "text", "text": text}


# --- Deepnote exports to .ipynb ---------------------------------------------------------


def deepnote_cell(
    deepnote_type: str,
    source: str,
    *,
    cell_id: str,
    cell_type: str | None = None,
    execution_count: int | None = None,
    outputs: list[dict[str, Any]] | None = None,
    **metadata: Any,
) -> dict[str, Any]:
    """A cell as Deepnote exports it: nbformat 4.0, no `id`, Deepnote's id in metadata."""
    if cell_type is None:
        cell_type = (
            "markdown"
            if deepnote_type == "markdown" or deepnote_type.startswith("text-cell-")
            else "code"
        )
    cell: dict[str, Any] = {
        "cell_type": cell_type,
        "metadata": {"cell_id": cell_id, "deepnote_cell_type": deepnote_type, **metadata},
        "source": lines(source),
    }
    if cell_type == "code":
        cell["execution_count"] = execution_count
        cell["outputs"] = outputs or []
    return cell


def deepnote_sql_wrapper(
    sql: str, variable: str, env_var: str = "SQL_DEEPNOTE_DATAFRAME_SQL"
) -> str:
    """The Python Deepnote's toolkit exports for a SQL cell."""
    return (
        "if '_dntk' in globals():\n"
        "  _dntk.dataframe_utils.configure_dataframe_formatter('{}')\n"
        "else:\n"
        "  _deepnote_current_table_attrs = '{}'\n"
        "\n"
        f"{variable} = _dntk.execute_sql(\n"
        f"  {sql!r},\n"
        f"  {env_var!r},\n"
        "  audit_sql_comment='',\n"
        "  sql_cache_mode='cache_disabled',\n"
        "  return_variable_type='dataframe'\n"
        ")\n"
        f"{variable}"
    )


def deepnote_export(
    cells: list[dict[str, Any]], *, notebook_id: str = "nb-7f3a", name: str = "Billing"
) -> dict[str, Any]:
    return {
        "cells": cells,
        "metadata": {
            "deepnote_notebook_id": notebook_id,
            "deepnote_notebook_name": name,
            "deepnote_execution_queue": [],
        },
        "nbformat": 4,
        "nbformat_minor": 0,
    }


# --- Deepnote .deepnote YAML projects ---------------------------------------------------


def deepnote_block(
    block_type: str,
    content: str = "",
    *,
    block_id: str | None,
    sorting_key: str = "a0",
    metadata: dict[str, Any] | None = None,
    outputs: list[dict[str, Any]] | None = None,
    execution_count: int | None = None,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "blockGroup": f"group-{block_id}",
        "content": content,
        "metadata": metadata or {},
        "sortingKey": sorting_key,
        "type": block_type,
    }
    if block_id is not None:
        block["id"] = block_id
    if outputs is not None:
        block["outputs"] = outputs
    if execution_count is not None:
        block["executionCount"] = execution_count
    return block


def deepnote_notebook(
    name: str, blocks: list[dict[str, Any]], *, notebook_id: str | None = None
) -> dict[str, Any]:
    return {
        "blocks": blocks,
        "executionMode": "block",
        "id": notebook_id or f"id-{name.lower().replace(' ', '-')}",
        "isModule": False,
        "name": name,
        "workingDirectory": "/work",
    }


def deepnote_project(
    notebooks: list[dict[str, Any]],
    *,
    integrations: list[dict[str, Any]] | None = None,
    top_level_integrations: list[dict[str, Any]] | None = None,
    version: str = "1.0.0",
) -> dict[str, Any]:
    project: dict[str, Any] = {
        "id": "2e814690-4f02-465c-8848-5567ab9253b7",
        "name": "Billing analytics",
        "notebooks": notebooks,
        "integrations": integrations or [],
        "settings": {"requirements": ["pandas>=2.0.0"], "sqlCacheMaxAge": 300},
    }
    document: dict[str, Any] = {
        "version": version,
        "metadata": {"createdAt": "2025-01-27T12:00:00Z", "modifiedAt": "2025-01-27T14:30:00Z"},
        "project": project,
    }
    if top_level_integrations is not None:
        document["integrations"] = top_level_integrations
    return document


class _Yaml12Dumper(yaml.SafeDumper):
    """PyYAML writes YAML 1.1: it leaves strings such as ``0E0`` unquoted, which YAML 1.2
    (what Deepnote writes and we read) takes for numbers. Quote those, as Deepnote does."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    try:
        is_plain_string = isinstance(load_yaml(value), str)
    except FormatError:
        is_plain_string = True  # PyYAML quotes and escapes what it cannot write plain
    style = None if not value or is_plain_string else '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Yaml12Dumper.add_representer(str, _represent_str)


def deepnote_bytes(document: Any) -> bytes:
    """Serialize like Deepnote does: block-style YAML 1.2, keys in the order given."""
    return yaml.dump(document, Dumper=_Yaml12Dumper, sort_keys=False, allow_unicode=True).encode(
        "utf-8"
    )
