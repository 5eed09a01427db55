"""Every Deepnote block type defines and uses what Deepnote's own code generation does."""

from __future__ import annotations

import pytest

from lineage.analysis import DagBlock, analyze_block, build_dag


def deepnote(block_type: str, kind: str = "other", variable: str | None = None, **metadata):
    return {
        "kind": kind,
        "variable": variable,
        "metadata": {"deepnote_cell_type": block_type, **metadata},
    }


BLOCK_CASES = [
    pytest.param(
        deepnote("big-number", deepnote_big_number_value="revenue"),
        set(),
        {"revenue"},
        id="a big number uses its value variable",
    ),
    pytest.param(
        deepnote(
            "big-number",
            deepnote_big_number_title="Revenue {{ quarter }}",
            deepnote_big_number_value="revenue",
            deepnote_big_number_comparison_enabled=True,
            deepnote_big_number_comparison_title="vs {{ previous_quarter | upper }}",
            deepnote_big_number_comparison_value="last_revenue",
        ),
        set(),
        {"revenue", "last_revenue", "quarter", "previous_quarter"},
        id="a big number uses its comparison and the variables of its titles",
    ),
    pytest.param(
        deepnote("big-number", deepnote_big_number_value="total sales"),
        set(),
        {"total_sales"},
        id="a big number's variable is sanitised as Deepnote does",
    ),
    pytest.param(
        deepnote("big-number", deepnote_big_number_title="{{ broken", deepnote_big_number_value=""),
        set(),
        set(),
        id="a big number with a broken title and no value uses nothing",
    ),
    pytest.param(
        deepnote("visualization", deepnote_variable_name="sales_df"),
        set(),
        {"sales_df"},
        id="a visualization uses its DataFrame",
    ),
    pytest.param(
        deepnote("visualization"),
        set(),
        set(),
        id="an unconfigured visualization uses nothing",
    ),
    pytest.param(
        deepnote(
            "notebook-function",
            function_notebook_id="nb-regional",
            function_notebook_inputs={
                "region": {"variable_name": "chosen_region"},
                "months": {"custom_value": "6"},
                "regions_json": "[{{ europe }}, {{ asia }}]",
            },
            function_notebook_export_mappings={
                "summary": {"enabled": True, "variable_name": "europe_summary"},
                "debug": {"enabled": False, "variable_name": "ignored"},
            },
        ),
        {"europe_summary"},
        {"chosen_region", "europe", "asia"},
        id="a notebook function uses its inputs and defines its enabled exports",
    ),
    pytest.param(
        deepnote("notebook-function", function_notebook_id=None),
        set(),
        set(),
        id="an unconfigured notebook function does nothing",
    ),
    pytest.param(
        deepnote("button", deepnote_button_behavior="set_variable", deepnote_variable_name="go"),
        {"go"},
        set(),
        id="a button that sets a variable defines it",
    ),
    pytest.param(
        deepnote("button", deepnote_button_behavior="run", deepnote_variable_name="go"),
        set(),
        set(),
        id="a button that runs the notebook defines nothing",
    ),
    *[
        pytest.param(
            deepnote(f"input-{kind}", "input", variable="picked"),
            {"picked"},
            set(),
            id=f"a {kind} input defines its variable",
        )
        for kind in (
            "text",
            "textarea",
            "slider",
            "select",
            "date",
            "date-range",
            "checkbox",
            "file",
        )
    ],
    pytest.param(
        deepnote("input-select", "input", deepnote_variable_name="country"),
        {"country"},
        set(),
        id="an input's variable is read from its metadata when not given",
    ),
    pytest.param(
        deepnote(
            "input-select",
            "input",
            variable="country",
            deepnote_variable_select_type="from-variable",
            deepnote_variable_selected_variable="country_options",
        ),
        {"country"},
        {"country_options"},
        id="a select fed by a variable uses it",
    ),
    pytest.param(
        deepnote("image", deepnote_img_src="x.png"),
        set(),
        set(),
        id="an image does nothing",
    ),
    pytest.param(
        deepnote("separator"),
        set(),
        set(),
        id="a separator does nothing",
    ),
]


@pytest.mark.parametrize(("block", "defines", "uses"), BLOCK_CASES)
def test_each_block_type_defines_and_uses_its_variables(block, defines, uses):
    analysis = analyze_block(
        block["kind"], "", variable=block["variable"], metadata=block["metadata"]
    )

    assert (analysis.defines, analysis.uses) == (frozenset(defines), frozenset(uses))


def test_a_notebook_function_calls_its_notebook():
    block = deepnote("notebook-function", function_notebook_id="efceb59f45724c68")

    assert analyze_block("other", "", metadata=block["metadata"]).calls == ("efceb59f45724c68",)


def test_code_and_sql_blocks_are_read_from_their_text_whatever_their_metadata():
    assert analyze_block("code", "y = x", metadata={"deepnote_cell_type": "code"}).uses == {"x"}
    assert analyze_block("sql", "SELECT 1", variable="df").defines == {"df"}


def meta(block_type: str, **rest) -> dict:
    return {"deepnote_cell_type": block_type, **rest}


def test_the_dag_follows_every_block_type():
    call = meta(
        "notebook-function",
        function_notebook_id="nb-2",
        function_notebook_inputs={"revenue": {"variable_name": "revenue"}},
        function_notebook_export_mappings={"out": {"enabled": True, "variable_name": "report"}},
    )
    button = meta("button", deepnote_button_behavior="set_variable", deepnote_variable_name="go")
    kpi = meta("big-number", deepnote_big_number_value="revenue")
    chart = meta("visualization", deepnote_variable_name="sales_df")
    blocks = [
        DagBlock("slider", "input", "", variable="limit", metadata=meta("input-slider")),
        DagBlock("go", "other", "", metadata=button),
        DagBlock("load", "sql", "SELECT * FROM sales LIMIT {{ limit }}", variable="sales_df"),
        DagBlock("total", "code", "if go:\n    revenue = sales_df.amount.sum()"),
        DagBlock("kpi", "other", "", metadata=kpi),
        DagBlock("chart", "other", "", metadata=chart),
        DagBlock("call", "other", "", metadata=call),
        DagBlock("show", "code", "print(report)"),
    ]

    dag = build_dag(blocks)

    assert [(e.source, e.target, sorted(e.names)) for e in dag.edges] == [
        ("slider", "load", ["limit"]),
        ("go", "total", ["go"]),
        ("load", "total", ["sales_df"]),
        ("total", "kpi", ["revenue"]),
        ("load", "chart", ["sales_df"]),
        ("total", "call", ["revenue"]),
        ("call", "show", ["report"]),
    ]
    assert dag.downstream("slider") == ["load", "total", "kpi", "chart", "call", "show"]


def test_block_metadata_takes_part_in_equality_but_not_in_the_hash():
    one = DagBlock("k", "other", "", metadata={"deepnote_big_number_value": "a"})
    other = DagBlock("k", "other", "", metadata={"deepnote_big_number_value": "b"})

    assert one != other
    assert hash(one) == hash(other)
    assert one == DagBlock("k", "other", "", metadata={"deepnote_big_number_value": "a"})
