"""Properties of the readers over generated input (hypothesis).

Whatever the bytes, a reader returns notebooks or raises FormatError; a generated valid
notebook comes back with its sources and ids; derived ids do not depend on position.
"""

from __future__ import annotations

import json
import string

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.formats import BLOCK_KINDS, FormatError, ParsedNotebook, read_notebook_file
from tests.catalog.formats.factories import (
    code_cell,
    deepnote_block,
    deepnote_bytes,
    deepnote_notebook,
    deepnote_project,
    ipynb_bytes,
    markdown_cell,
    raw_cell,
    v4_notebook,
)

READER_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=25,
)

# Keys and values a notebook has, so that generated junk reaches deep into the readers.
cell_keys = st.sampled_from(
    [
        "cell_type",
        "source",
        "metadata",
        "outputs",
        "execution_count",
        "id",
        "attachments",
        "input",
        "prompt_number",
        "language",
        "level",
        "code",
        "text",
    ]
)
cell_values = (
    st.sampled_from(["code", "markdown", "raw", "heading", "text", "sql", ""])
    | json_values
    | st.lists(st.text(max_size=10), max_size=3)
)
junk_cells = st.dictionaries(cell_keys, cell_values, max_size=6)
deepnote_metadata = st.dictionaries(
    st.sampled_from(
        [
            "deepnote_cell_type",
            "deepnote_variable_name",
            "deepnote_sql_source",
            "cell_id",
            "sql_integration_id",
            "deepnote_variable_value",
            "deepnote_source",
            "checked",
        ]
    ),
    st.sampled_from(["sql", "code", "input-text", "text-cell-h1", "big-number", "markdown"])
    | json_values,
    max_size=5,
)
notebook_shaped = st.fixed_dictionaries(
    {
        "nbformat": st.sampled_from([1, 2, 3, 4, 4, 4, 5, "4", None, 4.5, True]),
        "nbformat_minor": st.sampled_from([0, 4, 5, 6, -1, "x", None]),
        "cells": st.lists(
            junk_cells
            | st.builds(lambda c, m: {**c, "metadata": m}, junk_cells, deepnote_metadata),
            max_size=5,
        ),
        "worksheets": st.lists(
            st.fixed_dictionaries({"cells": st.lists(junk_cells, max_size=3)}), max_size=2
        ),
        "metadata": st.dictionaries(
            st.sampled_from(["kernelspec", "title", "deepnote_notebook_id", "name"]),
            json_values,
            max_size=3,
        ),
    },
)
block_types = st.sampled_from(
    [
        "code",
        "sql",
        "markdown",
        "input-select",
        "input-slider",
        "text-cell-todo",
        "text-cell-callout",
        "separator",
        "button",
        "visualization",
    ]
)
block_shaped = st.fixed_dictionaries(
    {"type": st.one_of(block_types, block_types, block_types, json_values)},
    optional={
        "id": st.text(max_size=8) | json_values,
        "content": st.text(max_size=30) | json_values,
        "metadata": deepnote_metadata | json_values,
        "outputs": st.lists(json_values, max_size=2) | json_values,
        "executionCount": json_values,
        "sortingKey": json_values,
    },
)
notebook_entries = st.fixed_dictionaries(
    {"blocks": st.lists(block_shaped, max_size=4)},
    optional={"id": json_values, "name": st.text(max_size=8) | json_values},
)
project_shaped = st.fixed_dictionaries(
    {
        "version": json_values,
        "project": st.fixed_dictionaries(
            {
                "notebooks": st.lists(
                    st.one_of(notebook_entries, notebook_entries, notebook_entries, json_values),
                    min_size=1,
                    max_size=3,
                )
            },
            optional={
                "name": json_values,
                "integrations": st.lists(
                    st.dictionaries(st.sampled_from(["id", "type", "name"]), json_values),
                    max_size=2,
                )
                | json_values,
                "initNotebookId": json_values,
            },
        ),
    },
    optional={"integrations": json_values, "metadata": json_values, "environment": json_values},
)

# Structurally valid projects whose block fields are junk: these reach the block readers.
plausible_projects = st.builds(
    lambda notebooks, integrations: deepnote_project(notebooks, integrations=integrations),
    st.lists(
        st.builds(
            deepnote_notebook,
            st.text(max_size=8),
            st.lists(
                st.fixed_dictionaries(
                    {"type": block_types, "id": st.text(max_size=8)},
                    optional={
                        "content": st.text(max_size=30) | json_scalars,
                        "metadata": deepnote_metadata,
                        "outputs": st.lists(json_values, max_size=2),
                        "executionCount": json_scalars,
                    },
                ),
                min_size=1,
                max_size=5,
            ),
        ),
        min_size=1,
        max_size=3,
    ),
    st.lists(
        st.fixed_dictionaries(
            {"id": st.sampled_from(["wh", "deepnote-dataframe-sql"]) | json_scalars},
            optional={"type": st.sampled_from(["pgsql", "snowflake"]) | json_values},
        ),
        max_size=2,
    ),
)


def read_or_format_error(data: bytes, filename: str) -> tuple[ParsedNotebook, ...] | None:
    """Read, returning None on FormatError; any other exception fails the test."""
    try:
        notebooks = read_notebook_file(data, filename)
    except FormatError as error:
        assert str(error), "a FormatError must say why"
        return None
    assert isinstance(notebooks, tuple)
    for notebook in notebooks:
        assert_well_formed(notebook)
    return notebooks


def assert_well_formed(notebook: ParsedNotebook) -> None:
    assert isinstance(notebook.title, str) and notebook.title
    ids = [block.id for block in notebook.blocks]
    assert len(ids) == len(set(ids)), "block ids must be unique within a notebook"
    for block in notebook.blocks:
        assert block.kind in BLOCK_KINDS
        assert isinstance(block.id, str) and block.id
        assert isinstance(block.source, str)
        block.source.encode("utf-8")  # no lone surrogates
        assert block.variable is None or isinstance(block.variable, str)
        assert block.execution_count is None or isinstance(block.execution_count, int)
    # Everything handed on must be strict JSON (PostgreSQL jsonb refuses NaN).
    json.dumps(
        [notebook.metadata, [[b.metadata, list(b.outputs)] for b in notebook.blocks]],
        allow_nan=False,
    )


# --- never anything but FormatError ---------------------------------------------------


@READER_SETTINGS
@given(data=st.binary(max_size=300), filename=st.sampled_from(["x.ipynb", "x.deepnote"]))
def test_arbitrary_bytes_give_notebooks_or_a_format_error(data, filename):
    read_or_format_error(data, filename)


@READER_SETTINGS
@given(text=st.text(max_size=200), filename=st.sampled_from(["x.ipynb", "x.deepnote"]))
def test_arbitrary_text_gives_notebooks_or_a_format_error(text, filename):
    read_or_format_error(text.encode("utf-8"), filename)


@READER_SETTINGS
@given(value=json_values)
def test_arbitrary_json_gives_a_notebook_or_a_format_error(value):
    read_or_format_error(json.dumps(value).encode(), "x.ipynb")


@READER_SETTINGS
@given(
    notebook=notebook_shaped,
    drop=st.sets(
        st.sampled_from(["nbformat", "nbformat_minor", "cells", "worksheets", "metadata"])
    ),
)
def test_notebook_shaped_junk_gives_a_notebook_or_a_format_error(notebook, drop):
    for key in drop:
        notebook.pop(key)
    read_or_format_error(json.dumps(notebook).encode(), "x.ipynb")


@READER_SETTINGS
@given(value=json_values)
def test_arbitrary_yaml_gives_notebooks_or_a_format_error(value):
    read_or_format_error(yaml.safe_dump(value).encode(), "x.deepnote")


@READER_SETTINGS
@given(document=project_shaped)
def test_project_shaped_junk_gives_notebooks_or_a_format_error(document):
    read_or_format_error(yaml.safe_dump(document).encode(), "x.deepnote")


@READER_SETTINGS
@given(document=plausible_projects)
def test_plausible_projects_with_junk_block_fields_give_notebooks_or_a_format_error(document):
    read_or_format_error(deepnote_bytes(document), "x.deepnote")


@READER_SETTINGS
@given(notebook=notebook_shaped, cut=st.floats(min_value=0, max_value=1))
def test_a_truncated_notebook_gives_a_format_error(notebook, cut):
    data = json.dumps(notebook).encode()
    truncated = data[: int(len(data) * cut)]
    if truncated != data:
        assert read_or_format_error(truncated, "x.ipynb") is None


# --- valid notebooks round-trip ---------------------------------------------------------

cell_ids = st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=1, max_size=12)
sources = st.text(max_size=60)
cell_builders = st.sampled_from([code_cell, markdown_cell, raw_cell])


@st.composite
def valid_v4_5_notebooks(draw):
    count = draw(st.integers(min_value=0, max_value=8))
    ids = draw(st.lists(cell_ids, min_size=count, max_size=count, unique=True))
    cells = [draw(cell_builders)(draw(sources), cell_id=cell_id) for cell_id in ids]
    return v4_notebook(cells, minor=5)


@READER_SETTINGS
@given(notebook=valid_v4_5_notebooks())
def test_a_valid_v4_5_notebook_round_trips_its_sources_and_ids(notebook):
    (parsed,) = read_notebook_file(ipynb_bytes(notebook), "generated.ipynb")

    assert [b.id for b in parsed.blocks] == [cell["id"] for cell in notebook["cells"]]
    assert [b.source for b in parsed.blocks] == ["".join(c["source"]) for c in notebook["cells"]]
    kinds = {"code": "code", "markdown": "markdown", "raw": "other"}
    assert [b.kind for b in parsed.blocks] == [kinds[c["cell_type"]] for c in notebook["cells"]]
    assert parsed.warnings == ()


@READER_SETTINGS
@given(
    sources_before=st.lists(sources, max_size=6),
    inserted=sources,
    position=st.integers(min_value=0, max_value=6),
)
def test_derived_ids_of_unchanged_cells_survive_an_insertion(sources_before, inserted, position):
    position = min(position, len(sources_before))
    sources_after = [*sources_before[:position], inserted, *sources_before[position:]]

    def ids_by_occurrence(cell_sources):
        (parsed,) = read_notebook_file(
            ipynb_bytes(v4_notebook([code_cell(s) for s in cell_sources], minor=4)), "g.ipynb"
        )
        return {
            (b.source, cell_sources[:i].count(b.source)): b.id for i, b in enumerate(parsed.blocks)
        }

    before, after = ids_by_occurrence(sources_before), ids_by_occurrence(sources_after)

    # A cell keeps its id unless an identical copy was inserted before it (then the
    # counter suffixes shift, which no content-derived id can avoid).
    for (source, occurrence), block_id in before.items():
        if source != inserted:
            assert after[(source, occurrence)] == block_id


# PyYAML's emitter writes NEL and the Unicode line/paragraph separators raw inside quoted
# scalars, where YAML 1.1 readers fold them as line breaks: an emitter limitation, so
# the YAML round trip is checked on text without them.
yaml_safe_sources = st.text(
    alphabet=st.characters(blacklist_characters="\x85\u2028\u2029", blacklist_categories=["Cs"]),
    max_size=60,
)


@st.composite
def valid_projects(draw):
    notebooks = []
    for number in range(draw(st.integers(min_value=1, max_value=3))):
        count = draw(st.integers(min_value=0, max_value=6))
        ids = draw(st.lists(cell_ids, min_size=count, max_size=count, unique=True))
        blocks = [
            deepnote_block(
                draw(st.sampled_from(["code", "sql", "markdown"])),
                draw(yaml_safe_sources),
                block_id=i,
            )
            for i in ids
        ]
        notebooks.append(deepnote_notebook(f"Notebook {number}", blocks))
    return deepnote_project(notebooks)


@READER_SETTINGS
@given(document=valid_projects())
def test_a_valid_deepnote_project_round_trips_its_sources_and_ids(document):
    parsed = read_notebook_file(deepnote_bytes(document), "generated.deepnote")

    notebooks = document["project"]["notebooks"]
    assert [nb.name for nb in parsed] == [nb["name"] for nb in notebooks]
    for notebook, expected in zip(parsed, notebooks, strict=True):
        assert [(b.id, b.kind, b.source) for b in notebook.blocks] == [
            (block["id"], block["type"], block["content"]) for block in expected["blocks"]
        ]
