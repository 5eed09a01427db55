"""Inputs: Deepnote input blocks and papermill-style parameters become typed fields."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from accounts.errors import InvalidInput
from execution.forms.inputs import (
    InputSpec,
    RunInputsForm,
    coerce_inputs,
    parse_parameters,
    read_inputs,
)


def block(kind: str, source: str = "", variable: str = "", **metadata):
    return SimpleNamespace(
        block_id=f"b-{variable or kind}",
        kind=kind,
        source=source,
        variable=variable,
        metadata=metadata,
    )


def test_deepnote_input_blocks_keep_their_type_default_label_and_options():
    inputs = read_inputs(
        [
            block(
                "input",
                variable="workspace_id",
                input_type="text",
                default_value="1002",
                deepnote_input_label="Workspace ID",
            ),
            block(
                "input",
                variable="new_plan",
                input_type="select",
                default_value="pro",
                deepnote_variable_options=["free", "pro"],
            ),
            block("input", variable="notify", input_type="checkbox", default_value=True),
            block(
                "input",
                variable="since",
                input_type="date",
                default_value="2024-06-01T00:00:00.000Z",
            ),
            block(
                "input",
                variable="top",
                input_type="slider",
                default_value="5",
                deepnote_slider_min_value=1,
                deepnote_slider_max_value=10,
            ),
            block("code", "x = 1"),
        ]
    )

    assert [spec.as_json() for spec in inputs.specs] == [
        {"name": "workspace_id", "type": "text", "default": "1002", "label": "Workspace ID"},
        {"name": "new_plan", "type": "select", "default": "pro", "options": ["free", "pro"]},
        {"name": "notify", "type": "checkbox", "default": True},
        {"name": "since", "type": "date", "default": "2024-06-01"},
        {"name": "top", "type": "number", "default": 5},
    ]


def test_a_parameters_cell_gives_names_defaults_and_types_from_its_literals():
    source = (
        "# Parameters\n"
        "email = 'grace@example.com'\n"
        "dry_run = True\n"
        "limit: int = 10\n"
        "ratio = 0.5\n"
        "day = '2024-06-01'\n"
        "plan = 'pro'  # options: free, starter, pro\n"
        "derived = email.upper()  # not a literal: runs, but is no input\n"
        "a, b = 1, 2\n"
    )

    specs = parse_parameters(source, block_id="p")

    assert [(s.name, s.type, s.default, s.options) for s in specs] == [
        ("email", "text", "grace@example.com", ()),
        ("dry_run", "checkbox", True, ()),
        ("limit", "number", 10, ()),
        ("ratio", "number", 0.5, ()),
        ("day", "date", "2024-06-01", ()),
        ("plan", "select", "pro", ("free", "starter", "pro")),
    ]
    assert {s.block_id for s in specs} == {"p"}


def test_a_cell_is_a_parameters_cell_only_when_tagged():
    tagged = block("code", "n = 1", tags=["parameters"])
    untagged = block("code", "m = 2")

    assert [s.name for s in read_inputs([tagged, untagged]).specs] == ["n"]


def test_values_are_checked_and_missing_ones_take_their_defaults():
    inputs = read_inputs([block("code", "n = 1\nflag = False\nname = 'x'", tags=["parameters"])])

    assert coerce_inputs(inputs, {"n": "2.5", "flag": "true"}) == {
        "n": 2.5,
        "flag": True,
        "name": "x",
    }
    assert coerce_inputs(inputs, None) == {"n": 1, "flag": False, "name": "x"}
    with pytest.raises(InvalidInput) as error:
        coerce_inputs(inputs, {"n": "NaN"})
    assert (error.value.message, error.value.field) == (
        "Input 'n' must be a number, not 'NaN'.",
        "n",
    )


def test_a_slider_keeps_its_bounds():
    spec = InputSpec("top", "number", 5, minimum=1, maximum=10)

    with pytest.raises(InvalidInput, match="at most 10"):
        coerce_inputs(SimpleNamespace(specs=(spec,), by_name={"top": spec}), {"top": 11})


def test_the_form_has_one_typed_field_per_input_and_cleans_to_typed_values():
    inputs = read_inputs(
        [
            block(
                "code",
                "email = 'a@b.example'\ndry_run = True\n"
                "limit = 3\nplan = 'pro'  # options: free, pro",
                tags=["parameters"],
            )
        ]
    )

    form = RunInputsForm(inputs, {"email": "c@d.example", "limit": "7", "plan": "free"})

    assert form.is_valid(), form.errors
    assert form.values == {"email": "c@d.example", "dry_run": False, "limit": 7, "plan": "free"}
    html = form.as_div()
    assert 'type="checkbox"' in html and '<select name="plan"' in html
    assert RunInputsForm(inputs).fields["dry_run"].initial is True
