"""Reading `.ipynb` files exported from Deepnote, with its block types in cell metadata."""

from __future__ import annotations

import pytest

from catalog.formats import read_notebook_file
from tests.catalog.formats.factories import (
    code_cell,
    deepnote_cell,
    deepnote_export,
    deepnote_sql_wrapper,
    ipynb_bytes,
    markdown_cell,
    v4_notebook,
)


def read_export(cells, **export):
    (parsed,) = read_notebook_file(ipynb_bytes(deepnote_export(cells, **export)), "billing.ipynb")
    return parsed


def only_block(cell):
    return read_export([cell]).blocks[0]


def test_cells_with_deepnote_cell_types_make_a_deepnote_ipynb_notebook():
    notebook = v4_notebook([deepnote_cell("code", "x = 1", cell_id="c1")], metadata={})

    (parsed,) = read_notebook_file(ipynb_bytes(notebook), "export.ipynb")

    assert parsed.format == "deepnote-ipynb"
    assert parsed.language == "python"


def test_a_deepnote_notebook_id_alone_marks_a_deepnote_export():
    parsed = read_export([code_cell("x = 1")])

    assert parsed.format == "deepnote-ipynb"
    assert parsed.metadata["deepnote_notebook_id"] == "nb-7f3a"


def test_a_plain_jupyter_notebook_is_not_a_deepnote_export():
    (parsed,) = read_notebook_file(ipynb_bytes(v4_notebook([code_cell("x = 1")])), "plain.ipynb")

    assert parsed.format == "ipynb"


def test_deepnote_cell_ids_become_block_ids():
    parsed = read_export(
        [
            deepnote_cell("markdown", "# Billing", cell_id="00000-bfed870b"),
            deepnote_cell("code", "x = 1", cell_id="00001-9c26"),
        ]
    )

    assert [b.id for b in parsed.blocks] == ["00000-bfed870b", "00001-9c26"]


def test_an_nbformat_cell_id_wins_over_the_deepnote_cell_id():
    cell = deepnote_cell("code", "x = 1", cell_id="deepnote-id")
    cell["id"] = "nbformat-id"
    notebook = deepnote_export([cell])
    notebook["nbformat_minor"] = 5

    (parsed,) = read_notebook_file(ipynb_bytes(notebook), "export.ipynb")

    assert parsed.blocks[0].id == "nbformat-id"


def test_the_title_comes_from_the_first_heading_then_the_deepnote_notebook_name():
    with_heading = read_export([deepnote_cell("text-cell-h1", "Daily billing", cell_id="h")])
    without_heading = read_export([deepnote_cell("code", "x = 1", cell_id="c")], name="Invoices")

    assert with_heading.title == "Daily billing"
    assert without_heading.title == "Invoices"


# --- SQL cells ------------------------------------------------------------------------


def test_a_sql_cell_reads_its_raw_sql_from_deepnote_sql_source():
    cell = deepnote_cell(
        "sql",
        deepnote_sql_wrapper("SELECT 1", "df_1", "SQL_3E2BED0F_EBC3_40FB_BB45_205B7D45B3EC"),
        cell_id="q1",
        deepnote_sql_source="SELECT * FROM analytics.billing_daily",
        deepnote_variable_name="billing",
        sql_integration_id="3e2bed0f-ebc3-40fb-bb45-205b7d45b3ec",
    )

    block = only_block(cell)

    assert block.kind == "sql"
    assert block.source == "SELECT * FROM analytics.billing_daily"
    assert block.variable == "billing"
    assert block.metadata["sql_integration_id"] == "3e2bed0f-ebc3-40fb-bb45-205b7d45b3ec"
    assert "sql_dialect" not in block.metadata  # the integration's type is not in the file


def test_a_sql_cell_falls_back_to_deepnote_source_as_the_converter_writes_it():
    cell = deepnote_cell(
        "sql",
        deepnote_sql_wrapper("SELECT 1", "df_1"),
        cell_id="q1",
        deepnote_source="SELECT id FROM core.users",
        deepnote_variable_name="users",
    )

    assert only_block(cell).source == "SELECT id FROM core.users"


def test_the_sql_is_recovered_from_the_dntk_execute_sql_wrapper():
    sql = "SELECT plan, count(*)\nFROM core.users\nWHERE email = 'o''brien@x.com'\nGROUP BY 1"
    cell = deepnote_cell("sql", deepnote_sql_wrapper(sql, "plans"), cell_id="q1")

    block = only_block(cell)

    assert block.kind == "sql"
    assert block.source == sql
    assert block.variable == "plans"
    assert block.metadata["sql_integration_type"] == "pandas-dataframe"
    assert block.metadata["sql_dialect"] == "duckdb"


def test_the_sql_is_recovered_from_the_legacy_deepnote_execute_sql_call():
    source = (
        "df_1 = _deepnote_execute_sql('SELECT *\\nFROM \\'crashes.csv\\'', "
        "'SQL_DEEPNOTE_DATAFRAME_SQL', audit_sql_comment='', sql_cache_mode='cache_disabled')\n"
        "df_1"
    )

    block = only_block(deepnote_cell("sql", source, cell_id="q1"))

    assert (block.source, block.variable) == ("SELECT *\nFROM 'crashes.csv'", "df_1")
    assert block.metadata["sql_dialect"] == "duckdb"


def test_a_sql_cell_whose_source_is_plain_sql_keeps_it():
    block = only_block(deepnote_cell("sql", "SELECT 1 AS one", cell_id="q1"))

    assert (block.kind, block.source, block.variable) == ("sql", "SELECT 1 AS one", None)


def test_the_dataframe_sql_integration_id_means_duckdb():
    cell = deepnote_cell(
        "sql",
        "SELECT * FROM df",
        cell_id="q1",
        sql_integration_id="deepnote-dataframe-sql",
        deepnote_variable_name="out",
    )

    block = only_block(cell)

    assert block.metadata["sql_integration_type"] == "pandas-dataframe"
    assert block.metadata["sql_dialect"] == "duckdb"


@pytest.mark.parametrize(
    ("integration_type", "dialect"),
    [("pgsql", "postgres"), ("big-query", "bigquery"), ("sql-server", "tsql")],
)
def test_a_known_integration_type_gives_a_dialect(integration_type, dialect):
    cell = deepnote_cell("sql", "SELECT 1", cell_id="q1", sql_integration_type=integration_type)

    assert only_block(cell).metadata["sql_dialect"] == dialect


# --- rich text cells ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deepnote_type", "text", "extra", "markdown"),
    [
        ("text-cell-h1", "Billing", {}, "# Billing"),
        ("text-cell-h2", "Inputs", {}, "## Inputs"),
        ("text-cell-h3", "Notes", {}, "### Notes"),
        ("text-cell-p", "Plain paragraph.", {}, "Plain paragraph."),
        ("text-cell-bullet", "First point", {}, "- First point"),
        ("text-cell-todo", "Check totals", {"checked": False}, "- [ ] Check totals"),
        ("text-cell-todo", "Ship it", {"checked": True}, "- [x] Ship it"),
        ("text-cell-callout", "Careful:\nslow query", {"color": "red"}, "> Careful:\n> slow query"),
    ],
)
def test_text_cells_become_markdown_with_their_prefix(deepnote_type, text, extra, markdown):
    cell = deepnote_cell(deepnote_type, text, cell_id="t", **extra)

    block = only_block(cell)

    assert (block.kind, block.source) == ("markdown", markdown)
    assert block.metadata["deepnote_cell_type"] == deepnote_type


def test_text_cells_exported_already_as_markdown_are_not_prefixed_twice():
    cell = deepnote_cell("text-cell-h2", "## Inputs", cell_id="t")

    assert only_block(cell).source == "## Inputs"


def test_a_text_cell_is_rendered_from_its_original_text_when_the_export_keeps_it():
    cell = deepnote_cell(
        "text-cell-h1", "# Q4 \\(draft\\)", cell_id="t", deepnote_source="Q4 (draft)"
    )

    assert only_block(cell).source == "# Q4 (draft)"


# --- input cells ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deepnote_type", "value", "default"),
    [
        ("input-text", "alice@example.com", None),
        ("input-textarea", "line 1\nline 2", None),
        ("input-select", "pro", "free"),
        ("input-slider", "7", "5"),
        ("input-checkbox", True, False),
        ("input-date", "2025-01-27T00:00:00.000Z", None),
        ("input-date-range", ["2025-01-01", "2025-01-31"], "past7days"),
        ("input-file", "/work/upload.csv", None),
    ],
)
def test_input_cells_become_input_blocks_with_their_variable_and_default(
    deepnote_type, value, default
):
    metadata = {"deepnote_variable_name": "chosen", "deepnote_variable_value": value}
    if default is not None:
        metadata["deepnote_variable_default_value"] = default
    cell = deepnote_cell(deepnote_type, f"chosen = {value!r}", cell_id="i", **metadata)

    block = only_block(cell)

    assert block.kind == "input"
    assert block.variable == "chosen"
    assert block.source == f"chosen = {value!r}"
    assert block.metadata["input_type"] == deepnote_type.removeprefix("input-")
    assert block.metadata["default_value"] == (value if default is None else default)
    assert block.metadata["deepnote_variable_value"] == value


# --- display blocks -------------------------------------------------------------------


@pytest.mark.parametrize(
    "deepnote_type",
    ["big-number", "visualization", "button", "image", "separator", "iframe", "notebook-function"],
)
def test_display_blocks_are_other(deepnote_type):
    cell = deepnote_cell(deepnote_type, "", cell_id="d", cell_type="code")

    block = only_block(cell)

    assert block.kind == "other"
    assert block.metadata["deepnote_cell_type"] == deepnote_type


def test_a_visualization_does_not_bind_the_dataframe_it_draws():
    cell = deepnote_cell(
        "visualization",
        "",
        cell_id="v",
        deepnote_variable_name="billing",
        deepnote_visualization_spec={},
    )

    block = only_block(cell)

    assert block.variable is None
    assert block.metadata["deepnote_variable_name"] == "billing"


def test_a_set_variable_button_binds_its_variable():
    cell = deepnote_cell(
        "button",
        "",
        cell_id="b",
        deepnote_button_behavior="set_variable",
        deepnote_variable_name="refresh",
    )

    assert only_block(cell).variable == "refresh"


def test_cells_without_a_deepnote_type_are_read_as_jupyter_cells():
    parsed = read_export([markdown_cell("# Notes"), code_cell("y = 2", execution_count=4)])

    assert [(b.kind, b.source, b.execution_count) for b in parsed.blocks] == [
        ("markdown", "# Notes", None),
        ("code", "y = 2", 4),
    ]
