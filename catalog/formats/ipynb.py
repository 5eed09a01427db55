"""Read Jupyter `.ipynb` files of every nbformat version, Deepnote exports included.

nbformat reads and converts the notebook (v1, v2, v3 with worksheets, v4.0-4.5) to the
v4 shape. The schema is then checked, but a notebook nbformat could read is accepted
even when it breaks the schema, with the first violation kept as a warning: real
notebooks are often slightly invalid and still worth cataloguing.

A notebook exported from Deepnote (cells with `metadata.deepnote_cell_type`, or a
`deepnote_notebook_id` in the notebook metadata) is read with Deepnote's block types:
SQL cells give their raw SQL, rich-text cells become markdown, input cells become
`input` blocks with their variable and default value.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import nbformat

from catalog.formats import deepnote_blocks
from catalog.formats.block_ids import assign_block_ids, fingerprint
from catalog.formats.json_values import to_json_value
from catalog.formats.model import BlockKind, FormatError, ParsedBlock, ParsedNotebook
from catalog.formats.schema_check import schema_warnings
from catalog.formats.sql_dialects import (
    DATAFRAME_SQL_INTEGRATION_ID,
    DATAFRAME_SQL_INTEGRATION_TYPE,
)
from catalog.formats.text import decode_text
from catalog.formats.titles import first_heading

SUPPORTED_MAJOR_VERSIONS = (1, 2, 3, 4)

_JUPYTER_KINDS: dict[str, BlockKind] = {"code": "code", "markdown": "markdown"}
# A JSON escape of a UTF-16 surrogate; only then can json.loads produce a lone surrogate.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")
_MERGE_CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>")
_MAX_MESSAGE_DETAIL = 200


def read_ipynb(data: bytes, *, fallback_title: str = "Untitled") -> ParsedNotebook:
    """Read a Jupyter notebook file of any nbformat version.

    Args:
        data: the bytes of the `.ipynb` file.
        fallback_title: the title when the notebook has no level-one heading and no
            title in its metadata (callers pass the file stem).

    Returns:
        The notebook, with format "ipynb", or "deepnote-ipynb" for a Deepnote export.

    Raises:
        FormatError: the file is not a notebook nbformat can read; the message says why.

    Examples:
        >>> notebook = read_ipynb(
        ...     b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": ['
        ...     b'{"cell_type": "markdown", "id": "intro", "metadata": {}, "source": "# Users"},'
        ...     b'{"cell_type": "code", "id": "load", "metadata": {}, "source": ["x = 1"],'
        ...     b' "outputs": [], "execution_count": null}]}'
        ... )
        >>> notebook.title, notebook.format, notebook.format_version
        ('Users', 'ipynb', '4.5')
        >>> [(block.id, block.kind, block.source) for block in notebook.blocks]
        [('intro', 'markdown', '# Users'), ('load', 'code', 'x = 1')]
    """
    text = decode_text(data)
    raw = _parse_json(text)
    major, minor, warnings = _read_version(raw)
    _check_structure(raw, major)
    raw_metadata = raw.get("metadata") if isinstance(raw.get("metadata"), dict) else {}
    raw_title = _metadata_title(raw_metadata)

    # An nbformat 4 file is already in the v4 shape: nbformat's reader would only copy it
    # into NotebookNodes, which costs a third of the read of a notebook with many cells.
    notebook = raw if major == 4 else _convert_to_v4(raw, major, minor)
    del raw
    warnings.extend(schema_warnings(notebook))

    fix_surrogates = _SURROGATE_ESCAPE.search(text) is not None
    # json.loads already gives plain JSON values; nbformat's NotebookNodes, or strings
    # with lone surrogates, need a plain copy.
    plain = _PlainCopier(deep=major < 4 or fix_surrogates, fix_surrogates=fix_surrogates)
    metadata = notebook.get("metadata")
    metadata = plain.value(metadata) if isinstance(metadata, dict) else {}
    if major < 4:
        # nbformat converts step by step and records the last step (v1 says "2"), not the file.
        metadata["orig_nbformat"], metadata["orig_nbformat_minor"] = major, minor
    cells = [cell for cell in notebook.get("cells", []) if isinstance(cell, dict)]
    is_deepnote = _is_deepnote_export(metadata, cells)

    drafts = [
        # Only an nbformat 4 file carries cell ids: conversion from older versions invents
        # random ones, which must never become block ids.
        _read_cell(cell, is_deepnote=is_deepnote, has_cell_ids=major == 4, plain=plain)
        for cell in cells
    ]
    ids = assign_block_ids([(draft.file_id, draft.fingerprint) for draft in drafts])
    blocks = tuple(draft.block(block_id) for block_id, draft in zip(ids, drafts, strict=True))
    warnings.extend(_renamed_id_warnings([draft.file_id for draft in drafts], ids))

    title = (
        first_heading(block.source for block in blocks if block.kind == "markdown")
        or _metadata_title(metadata)
        or raw_title
        or fallback_title
    )
    return ParsedNotebook(
        name=None,
        title=title,
        format="deepnote-ipynb" if is_deepnote else "ipynb",
        format_version=f"{major}.{minor}",
        language=_language(metadata, major=major, is_deepnote=is_deepnote),
        blocks=blocks,
        metadata=metadata,
        warnings=tuple(warnings),
    )


def _parse_json(text: str) -> Any:
    try:
        # NaN and Infinity are not JSON; read them as null so metadata stays valid JSON.
        return json.loads(text, parse_constant=lambda _name: None)
    except json.JSONDecodeError as error:
        raise FormatError(_describe_json_error(text, error)) from None
    except RecursionError:
        raise FormatError("Notebook JSON is nested too deeply to read") from None
    except ValueError as error:  # e.g. an integer with more digits than Python converts
        raise FormatError(f"Invalid JSON: {_short(error)}") from None


def _describe_json_error(text: str, error: json.JSONDecodeError) -> str:
    where = f"line {error.lineno}, column {error.colno}"
    if error.msg.startswith("Unterminated string"):
        return f"File is truncated: the JSON string starting at {where} never ends"
    if error.pos >= len(text.rstrip()):
        return f"File is truncated: the JSON ends unexpectedly at {where} ({error.msg})"
    line_start = text.rfind("\n", 0, error.pos) + 1
    if text.startswith(_MERGE_CONFLICT_MARKERS, line_start):
        return f"Invalid JSON at {where}: the file holds an unresolved git merge conflict"
    if error.msg == "Extra data":
        return f"Invalid JSON at {where}: unexpected text after the end of the notebook"
    return f"Invalid JSON at {where}: {error.msg}"


def _read_version(raw: Any) -> tuple[int, int, list[str]]:
    if not isinstance(raw, dict):
        raise FormatError(
            f"JSON is not a Jupyter notebook: the top level is {_json_type(raw)}, not an object"
        )
    warnings: list[str] = []
    if "nbformat" not in raw:
        if "cells" in raw:
            guessed = 4
        elif "worksheets" in raw:
            guessed = 3
        else:
            raise FormatError("JSON is not a Jupyter notebook: it has no 'nbformat' or 'cells' key")
        warnings.append(f"Notebook has no 'nbformat' version; read as nbformat {guessed}")
        raw["nbformat"] = guessed
    major = _as_int(raw["nbformat"])
    if major is None:
        raise FormatError(
            f"Notebook's 'nbformat' is {_short(repr(raw['nbformat']))}, not a version number"
        )
    if major not in SUPPORTED_MAJOR_VERSIONS:
        raise FormatError(f"Unsupported nbformat version {major}: expected 1 to 4")
    minor = _as_int(raw.get("nbformat_minor", 0))
    if minor is None or minor < 0:
        warnings.append(
            f"Notebook's 'nbformat_minor' is {_short(repr(raw.get('nbformat_minor')))}; read as 0"
        )
        minor = 0
    raw["nbformat"], raw["nbformat_minor"] = major, minor
    return major, minor, warnings


def _check_structure(raw: dict[str, Any], major: int) -> None:
    """Refuse shapes nbformat's converters would crash on, with a message saying where."""
    if major in (1, 4):
        _check_cells(raw.get("cells"), where="Notebook", missing="has no 'cells' list")
        if major == 4:
            for position, cell in enumerate(raw["cells"], start=1):
                _check_v4_cell(cell, position)
        return
    worksheets = raw.get("worksheets")
    if not isinstance(worksheets, list):
        raise FormatError(
            f"nbformat {major} notebook has no 'worksheets' list"
            if worksheets is None
            else f"nbformat {major} notebook's 'worksheets' is {_json_type(worksheets)}, not a list"
        )
    for number, worksheet in enumerate(worksheets, start=1):
        if not isinstance(worksheet, dict):
            raise FormatError(f"Worksheet {number} is {_json_type(worksheet)}, not an object")
        _check_cells(
            worksheet.get("cells"), where=f"Worksheet {number}", missing="has no 'cells' list"
        )


def _check_cells(cells: Any, *, where: str, missing: str) -> None:
    if cells is None:
        raise FormatError(f"{where} {missing}")
    if not isinstance(cells, list):
        raise FormatError(f"{where}'s 'cells' is {_json_type(cells)}, not a list")
    for position, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            raise FormatError(f"{where}: cell {position} is {_json_type(cell)}, not an object")


def _check_v4_cell(cell: dict[str, Any], position: int) -> None:
    source = cell.get("source", "")
    if not isinstance(source, str) and not (
        isinstance(source, list) and all(isinstance(line, str) for line in source)
    ):
        raise FormatError(f"Cell {position}: 'source' must be text or a list of lines")
    outputs = cell.get("outputs", [])
    if not isinstance(outputs, list) or not all(isinstance(output, dict) for output in outputs):
        raise FormatError(f"Cell {position}: 'outputs' must be a list of objects")
    for output in outputs:
        data = output.get("data", {})
        if not isinstance(data, dict):
            raise FormatError(f"Cell {position}: an output's 'data' must be an object")
    attachments = cell.get("attachments", {})
    if not isinstance(attachments, dict):
        raise FormatError(f"Cell {position}: 'attachments' must be an object")


def _convert_to_v4(raw: dict[str, Any], major: int, minor: int) -> Any:
    try:
        notebook = nbformat.versions[major].to_notebook_json(raw, minor=minor)
        return nbformat.convert(notebook, 4)
    except RecursionError:
        raise FormatError("Notebook JSON is nested too deeply to read") from None
    except Exception as error:  # nbformat's converters raise whatever a bad shape triggers
        raise FormatError(
            f"nbformat cannot read this nbformat {major} notebook: {_short(error)}"
        ) from None


def _renamed_id_warnings(file_ids: list[str | None], ids: list[str]) -> list[str]:
    renamed = [
        f"{file_id!r} -> {block_id!r}"
        for file_id, block_id in zip(file_ids, ids, strict=True)
        if file_id and file_id != block_id
    ]
    if not renamed:
        return []
    shown = ", ".join(renamed[:5]) + (", ..." if len(renamed) > 5 else "")
    return [f"Cell ids repeat in this notebook; later copies were renamed ({_short(shown)})"]


def _is_deepnote_export(metadata: dict[str, Any], cells: list[dict[str, Any]]) -> bool:
    if "deepnote_notebook_id" in metadata:
        return True
    return any(
        isinstance(cell.get("metadata"), dict) and "deepnote_cell_type" in cell["metadata"]
        for cell in cells
    )


@dataclass(frozen=True)
class _CellDraft:
    """A block before its id is known, with what the id is picked from."""

    kind: BlockKind
    source: str
    variable: str | None
    metadata: dict[str, Any]
    outputs: tuple[dict[str, Any], ...]
    execution_count: int | None
    fingerprint: str
    file_id: str | None

    def block(self, block_id: str) -> ParsedBlock:
        return ParsedBlock(
            id=block_id,
            kind=self.kind,
            source=self.source,
            variable=self.variable,
            metadata=self.metadata,
            outputs=self.outputs,
            execution_count=self.execution_count,
        )


class _PlainCopier:
    """Makes values plain JSON, copying only when the parse did not already."""

    def __init__(self, *, deep: bool, fix_surrogates: bool) -> None:
        self._deep = deep
        self._fix_surrogates = fix_surrogates

    def value(self, value: Any) -> Any:
        if not self._deep:
            return value
        return to_json_value(value, fix_surrogates=self._fix_surrogates)

    def text(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, list):
            try:
                value = "".join(value)
            except TypeError:  # lines that are not all strings (only in broken files)
                value = "".join(item if isinstance(item, str) else str(item) for item in value)
        elif not isinstance(value, str):
            value = str(value)
        return self.value(value)

    def output(self, output: dict[str, Any]) -> dict[str, Any]:
        """An output in the in-memory v4 shape: multi-line text joined, as nbformat does."""
        output = self.value(output)
        text = output.get("text")
        data = output.get("data")
        if isinstance(text, list) or (isinstance(data, dict) and _has_split_text(data)):
            output = dict(output)
            if isinstance(text, list):
                output["text"] = self.text(text)
            if isinstance(data, dict):
                output["data"] = {
                    mime: "".join(value) if _is_split_text(mime, value) else value
                    for mime, value in data.items()
                }
        return output


def _has_split_text(data: dict[str, Any]) -> bool:
    return any(_is_split_text(mime, value) for mime, value in data.items())


def _is_split_text(mime: str, value: Any) -> bool:
    # JSON mimetypes (application/json, application/*+json) hold data, not lines of text.
    is_json = mime == "application/json" or (
        mime.startswith("application/") and mime.endswith("+json")
    )
    return not is_json and isinstance(value, list) and all(isinstance(line, str) for line in value)


def _read_cell(
    cell: dict[str, Any], *, is_deepnote: bool, has_cell_ids: bool, plain: _PlainCopier
) -> _CellDraft:
    cell_type = cell.get("cell_type")
    raw_metadata = cell.get("metadata")
    metadata: dict[str, Any] = plain.value(raw_metadata) if isinstance(raw_metadata, dict) else {}
    source = plain.text(cell.get("source"))
    kind: BlockKind = (
        _JUPYTER_KINDS.get(cell_type, "other") if isinstance(cell_type, str) else "other"
    )
    variable: str | None = None
    subtype = ""
    deepnote_type = metadata.get("deepnote_cell_type") if is_deepnote else None
    if isinstance(deepnote_type, str) and deepnote_type.strip():
        subtype = deepnote_blocks.normalize_type(deepnote_type)
        kind, source, variable, extra = _read_deepnote_cell(subtype, source, metadata)
        metadata.update(extra)
    elif kind == "other":
        metadata["jupyter_cell_type"] = cell_type if isinstance(cell_type, str) else None
    attachments = cell.get("attachments")
    if isinstance(attachments, dict) and attachments:
        metadata["attachments"] = plain.value(attachments)

    outputs: tuple[dict[str, Any], ...] = ()
    execution_count: int | None = None
    if cell_type == "code":
        raw_outputs = cell.get("outputs")
        if isinstance(raw_outputs, list):
            outputs = tuple(
                plain.output(output) for output in raw_outputs if isinstance(output, dict)
            )
        execution_count = _as_int(cell.get("execution_count"))

    return _CellDraft(
        kind=kind,
        source=source,
        variable=variable,
        metadata=metadata,
        outputs=outputs,
        execution_count=execution_count,
        fingerprint=fingerprint(kind, source, subtype=subtype, variable=variable),
        file_id=(_file_id(cell.get("id")) if has_cell_ids else None)
        # Deepnote's own block id, which its exports keep in the cell metadata.
        or (_file_id(metadata.get("cell_id")) if is_deepnote else None),
    )


def _read_deepnote_cell(
    deepnote_type: str, source: str, metadata: dict[str, Any]
) -> tuple[BlockKind, str, str | None, dict[str, Any]]:
    kind = deepnote_blocks.kind_for_type(deepnote_type)
    variable = deepnote_blocks.bound_variable(deepnote_type, metadata)
    extra: dict[str, Any] = {}
    if kind == "sql":
        call = deepnote_blocks.find_execute_sql_call(source)
        source = _deepnote_sql(source, metadata, call)
        variable = variable or (call.variable if call else None)
        extra.update(deepnote_blocks.sql_connection_details(_integration_type(metadata, call)))
    elif deepnote_blocks.is_text_cell(deepnote_type):
        original = metadata.get("deepnote_source")
        text = original if isinstance(original, str) else source
        source = deepnote_blocks.render_text_cell(deepnote_type, text, metadata)
    elif kind == "input":
        extra.update(deepnote_blocks.input_details(deepnote_type, metadata))
    return kind, source, variable, extra


def _deepnote_sql(
    source: str, metadata: dict[str, Any], call: deepnote_blocks.ExecuteSqlCall | None
) -> str:
    # Deepnote keeps the SQL itself in metadata and exports the cell as Python around it.
    for key in ("deepnote_sql_source", "deepnote_source"):
        value = metadata.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return call.sql if call is not None else source


def _integration_type(
    metadata: dict[str, Any], call: deepnote_blocks.ExecuteSqlCall | None
) -> str | None:
    declared = metadata.get("sql_integration_type")
    if isinstance(declared, str) and declared.strip():
        return declared.strip()
    integration_id = metadata.get("sql_integration_id")
    if integration_id == DATAFRAME_SQL_INTEGRATION_ID:
        return DATAFRAME_SQL_INTEGRATION_TYPE
    if call is not None and not integration_id:
        # Without an integration id, the connection's environment variable may still say.
        return deepnote_blocks.integration_type_for_env_var(call.connection_env_var)
    return None


def _language(metadata: dict[str, Any], *, major: int, is_deepnote: bool) -> str | None:
    kernelspec = metadata.get("kernelspec")
    language_info = metadata.get("language_info")
    for section, key in ((kernelspec, "language"), (language_info, "name")):
        value = section.get(key) if isinstance(section, dict) else None
        if isinstance(value, str) and value.strip():
            return value.strip().lower()
    # IPython notebooks before nbformat 4 ran Python only; Deepnote's kernels are Python.
    if major < 4 or is_deepnote:
        return "python"
    return None


def _metadata_title(metadata: dict[str, Any]) -> str | None:
    for key in ("title", "deepnote_notebook_name", "name"):
        value = metadata.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _file_id(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = value.strip() if isinstance(value, str) else ""
    # ASCII digits only: "²".isdigit() is true and int("²") fails.
    if text.isascii() and text.isdigit() and len(text) < 10:
        return int(text)
    return None


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null"


def _short(value: Any) -> str:
    text = str(value)
    if len(text) > _MAX_MESSAGE_DETAIL:
        return text[: _MAX_MESSAGE_DETAIL - 3] + "..."
    return text
