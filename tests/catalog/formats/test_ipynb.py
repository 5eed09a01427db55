"""Reading Jupyter notebooks of every nbformat version."""

from __future__ import annotations

import hashlib

import pytest

from catalog.formats import BLOCK_KINDS, content_hash, read_notebook_file
from tests.catalog.formats.factories import (
    code_cell,
    execute_result,
    ipynb_bytes,
    markdown_cell,
    raw_cell,
    stream_output,
    v1_code,
    v1_notebook,
    v1_text,
    v2_code,
    v2_notebook,
    v3_code,
    v3_heading,
    v3_markdown,
    v3_notebook,
    v4_notebook,
)


def read_one(notebook, filename="analytics/users_table.ipynb"):
    (parsed,) = read_notebook_file(ipynb_bytes(notebook), filename)
    return parsed


def users_cells(*, with_ids: bool):
    def cell_id(value):
        return value if with_ids else None

    return [
        markdown_cell("# Users table\n\nBuilds `core.users`.", cell_id=cell_id("intro")),
        code_cell(
            "import duckdb\ncon = duckdb.connect('warehouse.duckdb')",
            cell_id=cell_id("connect"),
            execution_count=1,
        ),
        code_cell(
            "users = con.sql('select * from raw.signups').df()\nprint(len(users))\nusers",
            cell_id=cell_id("load"),
            execution_count=2,
            outputs=[stream_output("1204\n"), execute_result("   id  email\n0  1  a@b.com", 2)],
        ),
        raw_cell(".. note:: rendered by Sphinx", cell_id=cell_id("sphinx-note")),
    ]


# --- nbformat 4 -------------------------------------------------------------------------


def test_it_reads_a_v4_5_notebook_keeping_cell_ids_order_and_kinds():
    parsed = read_one(v4_notebook(users_cells(with_ids=True), minor=5))

    assert parsed.format == "ipynb"
    assert parsed.format_version == "4.5"
    assert parsed.name is None
    assert [(b.id, b.kind) for b in parsed.blocks] == [
        ("intro", "markdown"),
        ("connect", "code"),
        ("load", "code"),
        ("sphinx-note", "other"),
    ]
    assert parsed.warnings == ()


def test_it_joins_multi_line_sources():
    parsed = read_one(v4_notebook(users_cells(with_ids=True)))

    assert parsed.blocks[0].source == "# Users table\n\nBuilds `core.users`."
    assert parsed.blocks[2].source == (
        "users = con.sql('select * from raw.signups').df()\nprint(len(users))\nusers"
    )


def test_it_keeps_outputs_in_the_v4_shape_with_joined_text_and_execution_counts():
    load = read_one(v4_notebook(users_cells(with_ids=True))).blocks[2]

    assert load.execution_count == 2
    assert load.outputs == (
        {"output_type": "stream", "name": "stdout", "text": "1204\n"},
        {
            "output_type": "execute_result",
            "execution_count": 2,
            "metadata": {},
            "data": {"text/plain": "   id  email\n0  1  a@b.com"},
        },
    )


def test_json_mimetype_outputs_are_kept_as_data_not_joined_as_text():
    output = {
        "output_type": "display_data",
        "metadata": {},
        "data": {"application/vnd.custom+json": ["a", "b"], "text/html": ["<b>", "x</b>"]},
    }
    block = read_one(v4_notebook([code_cell("show()", cell_id="c", outputs=[output])])).blocks[0]

    assert block.outputs[0]["data"] == {
        "application/vnd.custom+json": ["a", "b"],
        "text/html": "<b>x</b>",
    }


def test_raw_cells_are_other_blocks_that_remember_their_jupyter_type():
    note = read_one(v4_notebook(users_cells(with_ids=True))).blocks[3]

    assert note.kind == "other"
    assert note.source == ".. note:: rendered by Sphinx"
    assert note.metadata == {"raw_mimetype": "text/x-rst", "jupyter_cell_type": "raw"}


def test_a_cell_of_an_unknown_type_is_read_as_other_with_a_warning():
    notebook = v4_notebook([{"cell_type": "widget", "id": "w", "metadata": {}, "source": "x"}])

    parsed = read_one(notebook)

    assert [(b.kind, b.source) for b in parsed.blocks] == [("other", "x")]
    assert parsed.blocks[0].metadata["jupyter_cell_type"] == "widget"
    assert parsed.warnings == (
        "Notebook does not match the nbformat 4.5 schema: cell 1 has an unknown cell_type 'widget'",
    )


@pytest.mark.parametrize("minor", [0, 1, 2, 3, 4])
def test_it_reads_v4_notebooks_before_cell_ids_with_derived_ids(minor):
    parsed = read_one(v4_notebook(users_cells(with_ids=False), minor=minor))

    assert parsed.format_version == f"4.{minor}"
    assert [b.kind for b in parsed.blocks] == ["markdown", "code", "code", "other"]
    assert all(len(b.id) == 12 for b in parsed.blocks)
    assert len({b.id for b in parsed.blocks}) == 4
    assert parsed.warnings == ()


def test_notebook_metadata_and_cell_metadata_are_kept_as_read():
    metadata = {**PYTHON_METADATA, "authors": [{"name": "Ada"}], "title": "Users"}
    cell = code_cell("x = 1", cell_id="c", metadata={"tags": ["parameters"], "collapsed": True})

    parsed = read_one(v4_notebook([cell], metadata=metadata))

    assert parsed.metadata == metadata
    assert parsed.blocks[0].metadata == {"tags": ["parameters"], "collapsed": True}


PYTHON_METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def test_markdown_attachments_are_kept_in_the_block_metadata():
    cell = markdown_cell("![chart](attachment:chart.png)", cell_id="m")
    cell["attachments"] = {"chart.png": {"image/png": "iVBORw0KGgo="}}

    block = read_one(v4_notebook([cell])).blocks[0]

    assert block.metadata["attachments"] == {"chart.png": {"image/png": "iVBORw0KGgo="}}


def test_a_sql_magic_cell_in_a_plain_notebook_stays_a_code_block():
    block = read_one(v4_notebook([code_cell("%%sql\nselect 1", cell_id="q")])).blocks[0]

    assert (block.kind, block.source, block.variable) == ("code", "%%sql\nselect 1", None)


# --- titles and languages -------------------------------------------------------------


def test_the_title_is_the_first_level_one_heading_in_markdown():
    cells = [
        markdown_cell("Some intro, no heading", cell_id="a"),
        code_cell("# a comment, not a heading", cell_id="b"),
        markdown_cell("## Subheading\n# Weekly active users #", cell_id="c"),
        markdown_cell("# Later heading", cell_id="d"),
    ]

    assert read_one(v4_notebook(cells)).title == "Weekly active users"


def test_a_heading_inside_a_code_fence_is_not_the_title():
    cells = [markdown_cell("```python\n# not a title\n```\nChurn model\n===========", cell_id="a")]

    assert read_one(v4_notebook(cells)).title == "Churn model"


def test_without_a_heading_the_title_comes_from_the_metadata():
    notebook = v4_notebook([markdown_cell("no heading", cell_id="a")], metadata={"title": "Churn"})

    assert read_one(notebook).title == "Churn"


def test_without_heading_or_metadata_title_the_title_is_the_file_stem():
    notebook = v4_notebook([code_cell("x = 1", cell_id="a")])

    assert read_one(notebook, "production/billing/denormalize_billing.ipynb").title == (
        "denormalize_billing"
    )


@pytest.mark.parametrize(
    ("metadata", "language"),
    [
        ({"kernelspec": {"name": "ir", "display_name": "R", "language": "R"}}, "r"),
        ({"language_info": {"name": "julia"}}, "julia"),
        (
            {
                "kernelspec": {"name": "x", "display_name": "X", "language": ""},
                "language_info": {"name": "scala"},
            },
            "scala",
        ),
        ({}, None),
    ],
)
def test_the_language_comes_from_the_kernelspec_or_language_info(metadata, language):
    assert read_one(v4_notebook([], metadata=metadata)).language == language


# --- nbformat 1-3 ---------------------------------------------------------------------


def test_it_reads_a_v3_notebook_with_several_worksheets_and_heading_cells():
    notebook = v3_notebook(
        [
            [v3_heading("Onboarding A/B test"), v3_markdown("Compares *variant B*.")],
            [
                v3_code(
                    "rate = 0.12\nrate",
                    prompt_number=3,
                    outputs=[{"output_type": "pyout", "prompt_number": 3, "text": ["0.12"]}],
                ),
                {"cell_type": "raw", "metadata": {}, "source": "raw text"},
            ],
        ],
        name="ab_test",
    )

    parsed = read_one(notebook)

    assert parsed.format == "ipynb"
    assert parsed.format_version == "3.0"
    assert parsed.language == "python"
    assert parsed.title == "Onboarding A/B test"
    assert [(b.kind, b.source) for b in parsed.blocks] == [
        ("markdown", "# Onboarding A/B test"),
        ("markdown", "Compares *variant B*."),
        ("code", "rate = 0.12\nrate"),
        ("other", "raw text"),
    ]
    code = parsed.blocks[2]
    assert code.execution_count == 3
    assert code.outputs == (
        {
            "output_type": "execute_result",
            "metadata": {},
            "execution_count": 3,
            "data": {"text/plain": "0.12"},
        },
    )
    assert parsed.metadata["orig_nbformat"] == 3


def test_a_v3_notebook_name_is_the_title_when_there_is_no_heading():
    notebook = v3_notebook([[v3_code("x = 1")]], name="churn_prediction")

    assert read_one(notebook).title == "churn_prediction"


def test_converted_notebooks_never_get_the_random_ids_nbformat_invents():
    data = ipynb_bytes(v3_notebook([[v3_code("x = 1"), v3_code("y = 2")]]))

    first = read_notebook_file(data, "old.ipynb")[0]
    second = read_notebook_file(data, "old.ipynb")[0]

    assert [b.id for b in first.blocks] == [b.id for b in second.blocks]
    assert len({b.id for b in first.blocks}) == 2


def test_it_reads_a_v2_notebook():
    notebook = v2_notebook(
        [
            {"cell_type": "markdown", "source": "# Revenue"},
            v2_code(
                "revenue = 10\nrevenue",
                prompt_number=1,
                outputs=[{"output_type": "pyout", "prompt_number": 1, "text": "10"}],
            ),
        ]
    )

    parsed = read_one(notebook)

    assert (parsed.format_version, parsed.title, parsed.language) == ("2.0", "Revenue", "python")
    assert [(b.kind, b.source, b.execution_count) for b in parsed.blocks] == [
        ("markdown", "# Revenue", None),
        ("code", "revenue = 10\nrevenue", 1),
    ]
    assert parsed.blocks[1].outputs[0]["data"] == {"text/plain": "10"}


def test_it_reads_a_v1_notebook():
    notebook = v1_notebook([v1_text("# Signups"), v1_code("signups = 3", prompt_number=1)])

    parsed = read_one(notebook)

    assert parsed.format_version == "1.0"
    assert parsed.metadata["orig_nbformat"] == 1
    assert [(b.kind, b.source, b.execution_count) for b in parsed.blocks] == [
        ("markdown", "# Signups", None),
        ("code", "signups = 3", 1),
    ]


# --- stable ids -----------------------------------------------------------------------


def test_a_derived_id_survives_inserting_and_removing_cells_before_it():
    before = [markdown_cell("# Report"), code_cell("total = 1"), code_cell("print(total)")]
    after = [
        markdown_cell("# Report"),
        code_cell("import pandas as pd"),
        code_cell("print(total)"),
        code_cell("total = 1"),
    ]

    old = {b.source: b.id for b in read_one(v4_notebook(before, minor=4)).blocks}
    new = {b.source: b.id for b in read_one(v4_notebook(after, minor=4)).blocks}

    assert new["total = 1"] == old["total = 1"]
    assert new["print(total)"] == old["print(total)"]
    assert new["# Report"] == old["# Report"]


def test_a_derived_id_changes_when_the_source_changes():
    old = read_one(v4_notebook([code_cell("total = 1")], minor=4)).blocks[0]
    new = read_one(v4_notebook([code_cell("total = 2")], minor=4)).blocks[0]

    assert old.id != new.id


def test_identical_cells_get_distinct_ids_with_a_counter_suffix():
    cells = [
        code_cell("df.head()"),
        code_cell("x = 1"),
        code_cell("df.head()"),
        code_cell("df.head()"),
    ]

    ids = [b.id for b in read_one(v4_notebook(cells, minor=4)).blocks]

    assert ids[2] == f"{ids[0]}-2"
    assert ids[3] == f"{ids[0]}-3"
    assert len(set(ids)) == 4


def test_duplicate_ids_in_the_file_are_made_unique_and_reported():
    cells = [code_cell("a = 1", cell_id="dup"), code_cell("b = 2", cell_id="dup")]

    parsed = read_one(v4_notebook(cells))

    assert [b.id for b in parsed.blocks] == ["dup", "dup-2"]
    assert parsed.warnings == (
        "Cell ids repeat in this notebook; later copies were renamed ('dup' -> 'dup-2')",
    )


def test_cells_without_ids_in_a_v4_5_notebook_get_derived_ids_and_a_warning():
    cells = [code_cell("a = 1", cell_id="first"), code_cell("b = 2")]

    parsed = read_one(v4_notebook(cells, minor=5))

    assert parsed.blocks[0].id == "first"
    assert len(parsed.blocks[1].id) == 12
    assert parsed.warnings == (
        "Notebook does not match the nbformat 4.5 schema: cell 2 must contain ['id'] properties",
    )


def test_a_derived_id_never_takes_an_id_the_file_gave_another_cell():
    derived = read_one(v4_notebook([code_cell("x = 1")], minor=4)).blocks[0].id
    cells = [code_cell("x = 1"), code_cell("y = 2", cell_id=derived)]
    cells[0]["id"] = ""  # an empty id counts as none

    parsed = read_one(v4_notebook(cells, minor=5))

    assert [b.id for b in parsed.blocks] == [f"{derived}-2", derived]


# --- lenient reading ------------------------------------------------------------------


def test_a_slightly_invalid_notebook_is_read_with_a_warning():
    cell = {"cell_type": "code", "id": "c", "source": "x = 1", "outputs": []}  # no metadata

    parsed = read_one(v4_notebook([cell]))

    assert [(b.kind, b.source, b.metadata) for b in parsed.blocks] == [("code", "x = 1", {})]
    assert parsed.warnings == (
        "Notebook does not match the nbformat 4.5 schema: "
        "cell 1 must contain ['execution_count', 'metadata'] properties",
    )


def test_a_notebook_without_an_nbformat_key_is_read_as_nbformat_4_with_a_warning():
    notebook = {"cells": [code_cell("x = 1")], "metadata": {}}

    parsed = read_one(notebook)

    assert parsed.format_version == "4.0"
    assert [b.source for b in parsed.blocks] == ["x = 1"]
    assert parsed.warnings[0] == "Notebook has no 'nbformat' version; read as nbformat 4"


def test_an_nbformat_version_written_as_text_is_accepted():
    notebook = v4_notebook([code_cell("x = 1", cell_id="c")])
    notebook["nbformat"], notebook["nbformat_minor"] = "4", "5"

    parsed = read_one(notebook)

    assert (parsed.format_version, [b.id for b in parsed.blocks]) == ("4.5", ["c"])


def test_not_a_number_in_json_becomes_null_so_metadata_stays_valid_json():
    data = ipynb_bytes(v4_notebook([code_cell("x = 1", cell_id="c", metadata={"score": 1.5})]))
    data = data.replace(b'"score": 1.5', b'"score": NaN')

    (parsed,) = read_notebook_file(data, "nan.ipynb")

    assert parsed.blocks[0].metadata == {"score": None}


def test_lone_surrogates_from_json_escapes_are_replaced():
    data = ipynb_bytes(v4_notebook([code_cell("PLACEHOLDER", cell_id="c")]))
    data = data.replace(b"PLACEHOLDER", b"bad \\ud800 text")

    (parsed,) = read_notebook_file(data, "surrogate.ipynb")

    assert parsed.blocks[0].source == "bad \ufffd text"
    parsed.blocks[0].source.encode("utf-8")


def test_a_utf8_byte_order_mark_is_accepted():
    data = b"\xef\xbb\xbf" + ipynb_bytes(v4_notebook([code_cell("x = 1", cell_id="c")]))

    (parsed,) = read_notebook_file(data, "bom.ipynb")

    assert [b.source for b in parsed.blocks] == ["x = 1"]


def test_every_block_kind_is_one_of_the_five_kinds():
    parsed = read_one(v4_notebook(users_cells(with_ids=True)))

    assert {b.kind for b in parsed.blocks} <= set(BLOCK_KINDS)


# --- the package entry points ---------------------------------------------------------


def test_the_extension_is_matched_case_insensitively():
    (parsed,) = read_notebook_file(ipynb_bytes(v4_notebook([])), "Report.IPYNB")

    assert parsed.title == "Report"


def test_a_windows_path_still_gives_the_file_stem_as_title():
    (parsed,) = read_notebook_file(ipynb_bytes(v4_notebook([])), "C:\\work\\churn.ipynb")

    assert parsed.title == "churn"


def test_content_hash_is_the_sha256_of_the_bytes():
    data = ipynb_bytes(v4_notebook([]))

    assert content_hash(data) == hashlib.sha256(data).hexdigest()
    assert content_hash(data) != content_hash(data + b" ")


def test_parsed_notebooks_and_blocks_are_frozen():
    parsed = read_one(v4_notebook([code_cell("x = 1", cell_id="c")]))

    with pytest.raises(AttributeError):
        parsed.title = "changed"
    with pytest.raises(AttributeError):
        parsed.blocks[0].source = "changed"
