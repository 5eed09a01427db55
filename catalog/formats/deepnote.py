"""Read Deepnote's open `.deepnote` YAML project files.

A file holds one project with several notebooks; each notebook becomes one
`ParsedNotebook` (named after the notebook) whose blocks keep the order of the file's
`blocks` list. `sortingKey` is kept in metadata but not used for ordering: the list
order is what Deepnote writes and what a reader of the file sees.

The project's integrations (under `project.integrations`, or at the top level in newer
files) tell a SQL block's connection type and so its likely SQL dialect.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from catalog.formats import deepnote_blocks
from catalog.formats.block_ids import assign_block_ids, fingerprint
from catalog.formats.json_values import to_json_value
from catalog.formats.model import FormatError, ParsedBlock, ParsedNotebook
from catalog.formats.safe_yaml import load_yaml
from catalog.formats.sql_dialects import (
    DATAFRAME_SQL_INTEGRATION_ID,
    DATAFRAME_SQL_INTEGRATION_TYPE,
)
from catalog.formats.text import decode_text
from catalog.formats.titles import first_heading

_MAX_NAME_IN_MESSAGE = 80


def read_deepnote(data: bytes, *, fallback_title: str = "Untitled") -> tuple[ParsedNotebook, ...]:
    """Read a `.deepnote` project file into one notebook per project notebook.

    Args:
        data: the bytes of the `.deepnote` file.
        fallback_title: the title of a notebook with no heading and no name (callers
            pass the file stem).

    Returns:
        The notebooks, in file order, with format "deepnote".

    Raises:
        FormatError: the file is not a Deepnote project this reader can read.

    Examples:
        >>> notebooks = read_deepnote(b'''
        ... version: 1.0.0
        ... metadata: {createdAt: 2025-01-27T12:00:00Z}
        ... project:
        ...   id: p1
        ...   name: Billing
        ...   integrations: [{id: wh, name: Warehouse, type: pgsql}]
        ...   notebooks:
        ...     - id: n1
        ...       name: Daily
        ...       blocks:
        ...         - {id: b1, type: sql, sortingKey: a0, content: SELECT 1,
        ...            metadata: {deepnote_variable_name: df, sql_integration_id: wh}}
        ... ''')
        >>> [(nb.name, nb.title, nb.format_version) for nb in notebooks]
        [('Daily', 'Daily', '1.0.0')]
        >>> block = notebooks[0].blocks[0]
        >>> block.id, block.kind, block.source, block.variable, block.metadata["sql_dialect"]
        ('b1', 'sql', 'SELECT 1', 'df', 'postgres')
    """
    document = load_yaml(decode_text(data))
    if document is None:
        raise FormatError("This .deepnote file holds no YAML document")
    if not isinstance(document, dict):
        raise FormatError(
            f"This is not a Deepnote project: the YAML top level is {_yaml_type(document)}, "
            "not a mapping"
        )
    project = document.get("project")
    if not isinstance(project, dict):
        raise FormatError(
            "This .deepnote file has no 'project' mapping"
            if project is None
            else f"This .deepnote file's 'project' is {_yaml_type(project)}, not a mapping"
        )
    notebooks = project.get("notebooks")
    if notebooks is not None and not isinstance(notebooks, list):
        raise FormatError(
            f"This .deepnote file's 'notebooks' is {_yaml_type(notebooks)}, not a list"
        )
    if not notebooks:
        raise FormatError("This .deepnote file has no notebooks")

    context = _ProjectContext.from_document(document, project, fallback_title)
    names = _unique_names(notebooks)
    return tuple(
        _read_notebook(notebook, position, name, context)
        for position, (notebook, name) in enumerate(zip(notebooks, names, strict=True))
    )


@dataclass(frozen=True)
class _ProjectContext:
    """What every notebook of the file shares: version, project, integrations."""

    version: str
    project_metadata: dict[str, Any]
    integration_types: dict[str, str]
    init_notebook_id: str | None
    fallback_title: str

    @classmethod
    def from_document(
        cls, document: dict[str, Any], project: dict[str, Any], fallback_title: str
    ) -> _ProjectContext:
        integrations = _integrations(document, project)
        project_metadata: dict[str, Any] = {
            "deepnote_project_id": _optional_text(project.get("id")),
            "deepnote_project_name": _optional_text(project.get("name")),
            "deepnote_file_metadata": to_json_value(document.get("metadata"))
            if isinstance(document.get("metadata"), dict)
            else {},
            "integrations": integrations,
        }
        for key in ("settings", "environment", "execution"):
            value = project.get(key)
            if not isinstance(value, dict):
                value = document.get(key)
            if isinstance(value, dict):
                project_metadata[f"deepnote_{key}"] = to_json_value(value)
        return cls(
            version=_optional_text(document.get("version")) or "unknown",
            project_metadata=project_metadata,
            integration_types={
                item["id"]: item["type"] for item in integrations if item["id"] and item["type"]
            },
            init_notebook_id=_optional_text(project.get("initNotebookId")),
            fallback_title=fallback_title,
        )


def _integrations(document: dict[str, Any], project: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for source in (project.get("integrations"), document.get("integrations")):
        if not isinstance(source, list):
            continue
        for item in source:
            if isinstance(item, dict):
                found.append(
                    {
                        "id": _optional_text(item.get("id")),
                        "name": _optional_text(item.get("name")),
                        "type": _optional_text(item.get("type")),
                    }
                )
    return found


def _unique_names(notebooks: list[Any]) -> list[str]:
    """Each notebook's name, made unique within the file (`Report`, `Report (2)`)."""
    names: list[str] = []
    used: set[str] = set()
    next_counter: dict[str, int] = {}
    for position, notebook in enumerate(notebooks, start=1):
        fields = notebook if isinstance(notebook, dict) else {}
        base = (
            _optional_text(fields.get("name"))
            or _optional_text(fields.get("id"))
            or f"Notebook {position}"
        )
        counter = next_counter.get(base, 1)
        name = base if counter == 1 else f"{base} ({counter})"
        while name in used:
            counter += 1
            name = f"{base} ({counter})"
        next_counter[base] = counter + 1
        used.add(name)
        names.append(name)
    return names


def _read_notebook(
    notebook: Any, position: int, name: str, context: _ProjectContext
) -> ParsedNotebook:
    if not isinstance(notebook, dict):
        raise FormatError(
            f"Notebook {position + 1} of this .deepnote file is {_yaml_type(notebook)}, "
            "not a mapping"
        )
    label = _label(name)
    blocks_value = notebook.get("blocks")
    if blocks_value is None:
        blocks_value = []
    if not isinstance(blocks_value, list):
        raise FormatError(f"Notebook {label}: 'blocks' is {_yaml_type(blocks_value)}, not a list")
    warnings: list[str] = []
    original_name = _optional_text(notebook.get("name"))
    if original_name is not None and original_name != name:
        warnings.append(
            f"Read as {_label(name)}: another notebook in this file is also named "
            f"{_label(original_name)}"
        )

    drafts = [
        _read_block(block, number, label, context)
        for number, block in enumerate(blocks_value, start=1)
    ]
    ids = assign_block_ids([(file_id, text) for file_id, text, _ in drafts])
    blocks = tuple(
        ParsedBlock(id=block_id, **fields)
        for block_id, (_, _, fields) in zip(ids, drafts, strict=True)
    )
    notebook_id = _optional_text(notebook.get("id"))
    metadata = {
        # A copy per notebook: one notebook's metadata must not alias another's.
        **copy.deepcopy(context.project_metadata),
        "deepnote_notebook_id": notebook_id,
        "deepnote_notebook_index": position,
        "is_init_notebook": notebook_id is not None and notebook_id == context.init_notebook_id,
    }
    for key, target in (
        ("executionMode", "execution_mode"),
        ("isModule", "is_module"),
        ("workingDirectory", "working_directory"),
    ):
        if key in notebook:
            metadata[target] = to_json_value(notebook[key])
    title = (
        first_heading(block.source for block in blocks if block.kind == "markdown")
        or original_name
        or context.project_metadata["deepnote_project_name"]
        or context.fallback_title
    )
    return ParsedNotebook(
        name=name,
        title=title,
        format="deepnote",
        format_version=context.version,
        language="python",
        blocks=blocks,
        metadata=metadata,
        warnings=tuple(warnings),
    )


def _read_block(
    block: Any, number: int, notebook_label: str, context: _ProjectContext
) -> tuple[str | None, str, dict[str, Any]]:
    """The block's file id, its fingerprint, and its ParsedBlock fields minus the id."""
    if not isinstance(block, dict):
        raise FormatError(
            f"Notebook {notebook_label}: block {number} is {_yaml_type(block)}, not a mapping"
        )
    block_type = block.get("type")
    if not isinstance(block_type, str) or not block_type.strip():
        raise FormatError(f"Notebook {notebook_label}: block {number} has no 'type'")
    content = block.get("content")
    if content is None:
        content = ""
    elif isinstance(content, dict | list):
        raise FormatError(
            f"Notebook {notebook_label}: block {number}'s 'content' is "
            f"{_yaml_type(content)}, not text"
        )
    elif not isinstance(content, str):
        content = str(content)
    raw_metadata = block.get("metadata")
    metadata: dict[str, Any] = to_json_value(raw_metadata) if isinstance(raw_metadata, dict) else {}

    subtype = deepnote_blocks.normalize_type(block_type)
    kind = deepnote_blocks.kind_for_type(subtype)
    variable = deepnote_blocks.bound_variable(subtype, metadata)
    source = content
    extra: dict[str, Any] = {"deepnote_cell_type": block_type}
    for key, target in (
        ("sortingKey", "deepnote_sorting_key"),
        ("blockGroup", "deepnote_block_group"),
    ):
        if key in block:
            extra[target] = to_json_value(block[key])
    if kind == "sql":
        extra.update(deepnote_blocks.sql_connection_details(_integration_type(metadata, context)))
    elif deepnote_blocks.is_text_cell(subtype):
        source = deepnote_blocks.render_text_cell(subtype, content, metadata)
    elif kind == "input":
        extra.update(deepnote_blocks.input_details(subtype, metadata))
    metadata.update(extra)

    outputs_value = block.get("outputs")
    outputs = (
        tuple(to_json_value(output) for output in outputs_value if isinstance(output, dict))
        if isinstance(outputs_value, list)
        else ()
    )
    execution_count = block.get("executionCount")
    if isinstance(execution_count, bool) or not isinstance(execution_count, int):
        execution_count = None

    fields = {
        "kind": kind,
        "source": source,
        "variable": variable,
        "metadata": metadata,
        "outputs": outputs,
        "execution_count": execution_count,
    }
    file_id = _optional_text(block.get("id"))
    return file_id, fingerprint(kind, source, subtype=subtype, variable=variable), fields


def _integration_type(metadata: dict[str, Any], context: _ProjectContext) -> str | None:
    integration_id = metadata.get("sql_integration_id")
    if not isinstance(integration_id, str) or not integration_id:
        return None
    if integration_id in context.integration_types:
        return context.integration_types[integration_id]
    if integration_id == DATAFRAME_SQL_INTEGRATION_ID:
        return DATAFRAME_SQL_INTEGRATION_TYPE
    return None


def _optional_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return None
    return str(value)


def _label(name: str) -> str:
    if len(name) > _MAX_NAME_IN_MESSAGE:
        name = name[: _MAX_NAME_IN_MESSAGE - 3] + "..."
    return repr(name)


def _yaml_type(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "empty"
