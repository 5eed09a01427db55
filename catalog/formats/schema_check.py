"""Check a v4-shaped notebook against nbformat's JSON schema, for warnings only.

The reader accepts notebooks that break the schema whenever it can still read them, so
the check only has to name the first problem, for a person. It uses nbformat's own
schema files and validator backend, but validates each cell against its own cell type's
definition rather than the schema's `oneOf` of all three (which validates every cell
three times), and leaves outputs out: they are most of a notebook's bytes (50 MB is not
rare), checking them would double the cost of a read, and the reader reads them
defensively anyway.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import nbformat.v4
from nbformat.json_compat import get_current_validator

_CELL_TYPES = ("code", "markdown", "raw")
_MAX_DETAIL = 200


class _Validators:
    def __init__(self, schema: dict[str, Any]) -> None:
        make = get_current_validator()
        self.notebook = make(schema)
        self.cells = {
            cell_type: make(
                {"definitions": schema["definitions"], "$ref": f"#/definitions/{cell_type}_cell"}
            )
            for cell_type in _CELL_TYPES
        }


@functools.lru_cache(maxsize=8)
def _validators_for(minor: int) -> _Validators | None:
    schema_name = nbformat.v4.nbformat_schema.get((4, minor))
    if schema_name is None:
        return None
    schema_path = Path(nbformat.v4.__file__).with_name(schema_name)
    return _Validators(json.loads(schema_path.read_text(encoding="utf-8")))


def schema_warnings(notebook: dict[str, Any]) -> list[str]:
    """The first nbformat schema violation of a v4-shaped notebook, as a warning.

    Args:
        notebook: a notebook dict in the nbformat 4 shape (`cells` at the top level).

    Returns:
        An empty list when the notebook and its cells match the schema of its
        `nbformat_minor`, else one message naming the first problem.

    Examples:
        >>> schema_warnings({"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": []})
        []
        >>> schema_warnings({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        ...     {"cell_type": "markdown", "metadata": {}, "source": "# Hi"}]})
        ["Notebook does not match the nbformat 4.5 schema: cell 1 must contain ['id'] properties"]
    """
    minor = notebook.get("nbformat_minor")
    version = f"4.{minor}"
    validators = _validators_for(minor) if isinstance(minor, int) else None
    if validators is None:
        return [f"Notebook is nbformat {version}, which has no known schema; it was not checked"]
    cells = notebook.get("cells")
    cells = cells if isinstance(cells, list) else []
    try:
        problem = _first_problem(validators.notebook, {**notebook, "cells": []}, "the notebook")
        for number, cell in enumerate(cells, start=1):
            if problem is not None:
                break
            problem = _cell_problem(validators, cell, number)
    except RecursionError:
        problem = "it is nested too deeply to check"
    except Exception as failure:  # a validator failure must not stop the read
        problem = f"the check failed ({type(failure).__name__})"
    if problem is None:
        return []
    return [f"Notebook does not match the nbformat {version} schema: {_short(problem)}"]


def _cell_problem(validators: _Validators, cell: Any, number: int) -> str | None:
    if not isinstance(cell, dict):
        return f"cell {number} is not an object"
    cell_type = cell.get("cell_type")
    validator = validators.cells.get(cell_type) if isinstance(cell_type, str) else None
    if validator is None:
        return f"cell {number} has an unknown cell_type {_short(repr(cell_type))}"
    checked = {**cell, "outputs": []} if "outputs" in cell else cell
    return _first_problem(validator, checked, f"cell {number}")


def _first_problem(validator: Any, data: Any, subject: str) -> str | None:
    error = next(iter(validator.iter_errors(data)), None)
    if error is None:
        return None
    message = str(getattr(error, "message", None) or error)
    # fastjsonschema names the checked value "data": "data.metadata must be object".
    if message.startswith("data"):
        message = subject + message[len("data") :]
    return message


def _short(text: str) -> str:
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 3] + "..."
