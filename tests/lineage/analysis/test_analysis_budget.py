"""One block's analysis is bounded: past its budget, or past the limits of Jinja
rendering, the block gets a best-effort result marked low confidence, with a note."""

from __future__ import annotations

import pytest

from lineage.analysis import analyze_code, analyze_sql_block
from lineage.analysis.budget import block_budget
from lineage.analysis.templates import template_uses

MANY_STATEMENTS = "\n".join(f"v{i} = {i}" for i in range(50_000))


def test_python_scoping_past_its_budget_returns_what_it_found_marked_low():
    analysis = analyze_code(MANY_STATEMENTS, budget_s=0.001)

    assert analysis.confidence == "low"
    assert len(analysis.defines) < 50_000
    assert analysis.error is None
    assert analysis.notes and "python scoping" in analysis.notes[0]


def test_a_result_cut_short_by_the_budget_is_not_kept_for_the_next_call():
    analyze_code(MANY_STATEMENTS, budget_s=0.001)

    analysis = analyze_code(MANY_STATEMENTS, budget_s=None)

    assert len(analysis.defines) == 50_000
    assert (analysis.confidence, analysis.notes) == ("high", ())


def test_sql_found_in_python_past_the_budget_is_listed_without_its_tables():
    source = "\n".join(f"spark.sql('SELECT * FROM raw.t{i}')" for i in range(300))

    with block_budget(0.0):
        analysis = analyze_code(source)

    assert analysis.confidence == "low"
    assert analysis.reads == frozenset()
    assert analysis.notes


def test_an_outer_budget_is_shared_by_every_step_of_the_block():
    source = "shared_budget_probe = 1"  # text no other test analyses (results are cached)

    with block_budget(0.0) as budget:
        analysis = analyze_code(source, budget_s=60)

    assert budget.exceeded
    assert analysis.defines == frozenset()
    assert analysis.confidence == "low"


RUNAWAY_TEMPLATES = [
    pytest.param(
        "{% for i in range(10**9) %}SELECT 1 FROM t;{% endfor %}",
        "Range too big",
        id="a loop over a huge range",
    ),
    pytest.param(
        "{% for i in range(99999) %}{% for j in range(99999) %}SELECT 1;{% endfor %}{% endfor %}",
        "longer than 1,000,000 characters",
        id="nested loops that would print forever",
    ),
    pytest.param(
        "SELECT '{{ 'x' * 10**9 }}' FROM t",
        "repetition is longer than",
        id="a string repeated a billion times",
    ),
    pytest.param(
        "{% set s = namespace(v='ab') %}{% for i in range(64) %}{% set s.v = s.v + s.v %}"
        "{% endfor %}SELECT '{{ s.v }}' FROM t",
        "concatenation is longer than",
        id="a string doubled until it fills memory",
    ),
    pytest.param(
        "SELECT {{ 10 ** 1000000000 }} FROM t",
        "power is too large",
        id="a power with a billion digits",
    ),
    pytest.param(
        "SELECT '{{ 'x' | center(10**9) }}' FROM t",
        "filter argument is larger than",
        id="a filter asked for a billion characters",
    ),
    pytest.param(
        "{% if a %}" * 3000 + "SELECT 1 FROM t" + "{% endif %}" * 3000,
        "nested too deeply",
        id="templates nested thousands deep",
    ),
]


@pytest.mark.parametrize(("template", "reason"), RUNAWAY_TEMPLATES)
def test_a_runaway_template_gets_a_bounded_low_confidence_result(template, reason):
    analysis = analyze_sql_block(template, variable="df")

    assert analysis.confidence == "low"
    assert analysis.defines == {"df"}
    assert reason in " ".join((analysis.error or "", *analysis.notes))


def test_jinja_globals_that_generate_text_are_left_out_of_the_sandbox():
    analysis = analyze_sql_block("SELECT {{ lipsum(10**6) }} FROM t")

    assert analysis.sql[0].sql == "SELECT __jinja_lipsum_call__ FROM t"
    assert analysis.uses == {"lipsum"}


def test_a_template_nested_within_the_limits_still_renders_every_branch():
    template = "{% if a %}" * 40 + "SELECT * FROM deep" + "{% endif %}" * 40

    analysis = analyze_sql_block(template)

    assert analysis.reads == {"deep"}
    assert analysis.uses == {"a"}
    assert (analysis.confidence, analysis.error, analysis.notes) == ("high", None, ())


def test_jinja_rendering_past_the_budget_falls_back_to_the_raw_text_with_a_note():
    template = "SELECT * FROM orders {% if since %}WHERE day >= {{ since }}{% endif %}"

    analysis = analyze_sql_block(template, variable="df", budget_s=0.0)

    assert analysis.confidence == "low"
    assert analysis.uses == {"since"}
    assert analysis.notes and "jinja rendering" in analysis.notes[0]


def test_the_sandbox_keeps_templates_away_from_python_internals():
    analysis = analyze_sql_block("SELECT '{{ ''.__class__.__mro__ }}' FROM t")

    assert "__mro__" not in analysis.sql[0].sql
    assert "object" not in analysis.sql[0].sql


def test_a_template_too_long_to_compile_is_scanned_without_rendering():
    template = "SELECT * FROM big {% if x %}WHERE 1 = 1{% endif %}" + " " * 300_000

    analysis = analyze_sql_block(template)

    assert analysis.confidence == "low"
    assert analysis.reads == {"big"}
    assert "longer than 200,000 characters" in analysis.notes[0]
    assert template_uses(template) == frozenset()
