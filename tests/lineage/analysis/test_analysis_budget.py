"""One block's analysis is bounded: past its budget, or past the limits of Jinja
rendering, the block gets a best-effort result marked low confidence, with a note."""

from __future__ import annotations

import pytest

from lineage.analysis import ColumnEdge, DagBlock, analyze_code, analyze_sql_block
from lineage.analysis.budget import block_budget
from lineage.analysis.notebook import analyze_block
from lineage.analysis.sql import column_lineage, table_lineage
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


# Thousands of statements: seconds of work unbounded, far more than the budgets below.
LONG_SCRIPT = ";\n".join(
    f"INSERT INTO mart.t{i} SELECT a, b + 1 AS b, c FROM raw.s{i} WHERE d > {i}"
    for i in range(6000)
)


def test_sql_parsing_past_its_budget_keeps_the_statements_parsed_so_far():
    with block_budget(0.05) as budget:
        lineage = table_lineage(LONG_SCRIPT)

    assert budget.steps == ("sql parsing",)
    assert lineage.confidence == "low"
    assert lineage.error == "analysis budget of 0.05 s exceeded during sql parsing"
    assert 0 < len(lineage.sources) < 6000
    assert {f"raw.s{i}" for i in range(len(lineage.sources))} == lineage.sources  # in order


def test_a_sql_block_past_its_budget_is_marked_low_with_a_note():
    analysis = analyze_sql_block(LONG_SCRIPT, variable="df", budget_s=0.05)

    assert analysis.confidence == "low"
    assert len(analysis.reads) < 6000
    assert analysis.notes == (
        "Analysis stopped after 0.05 s (sql parsing): the lineage shown for this block may be "
        "incomplete.",
    )


def test_column_tracing_past_its_budget_returns_the_edges_traced_so_far():
    script = LONG_SCRIPT.split(";\n")[:2000]

    with block_budget(1.0) as budget:
        edges = column_lineage(";\n".join(script))

    assert budget.steps == ("column lineage",)
    assert len(edges) < 3 * 2000
    statements = {edge.target.rsplit(".", 1)[0] for edge in edges}
    assert statements == {f"mart.t{i}" for i in range(len(statements))}  # whole, in order


def test_a_sql_block_is_traced_whole_unbounded_and_cut_at_once_without_time():
    block = DagBlock("b", "sql", ";\n".join(LONG_SCRIPT.split(";\n")[:1000]))

    facts = analyze_block(block, budget_s=None)
    with block_budget(0.0):
        cut = analyze_block(block)

    assert len(facts.columns) == 3 * 1000 and facts.analysis.confidence == "high"
    assert cut.columns == () and cut.analysis.confidence == "low"
    assert "Analysis stopped after 0 s" in cut.analysis.notes[0]


WIDE_UNION = "INSERT INTO mart.every_t " + "\nUNION ALL\n".join(
    f"SELECT id, name, amount * {i} AS amount FROM raw.t{i} WHERE x > {i}" for i in range(5000)
)


def test_a_5000_way_union_is_traced_branch_by_branch():
    edges = column_lineage(WIDE_UNION)
    tables = table_lineage(WIDE_UNION)

    assert len(edges) == 3 * 5000
    assert ColumnEdge("raw.t4999.amount", "mart.every_t.amount", "transform") in edges
    assert ColumnEdge("raw.t0.id", "mart.every_t.id", "identity") in edges
    assert tables.sources == {f"raw.t{i}" for i in range(5000)}
    assert (tables.targets, tables.confidence) == ({"mart.every_t"}, "high")


def test_a_5000_way_union_within_a_small_budget_gives_its_tables_and_a_note():
    facts = analyze_block(DagBlock("u", "sql", WIDE_UNION), budget_s=0.05)

    read = facts.analysis.reads  # parsed a chunk of branches at a time, cut between chunks
    assert 0 < len(read) < 5000
    assert read == {f"raw.t{i}" for i in range(len(read))}
    assert facts.analysis.confidence == "low"
    assert "(sql parsing" in facts.analysis.notes[0]
    assert len(facts.columns) < 3 * 5000


def test_a_wide_union_of_mixed_branches_traces_each_one():
    branches = [f"SELECT k, v FROM raw.t{i}" for i in range(40)]
    branches[7] = "SELECT a.k, b.v FROM raw.a a JOIN raw.b b ON a.id = b.id"
    branches[9] = "SELECT k, v FROM c"
    sql = "WITH c AS (SELECT k, sum(x) AS v FROM raw.c GROUP BY k) " + " UNION ALL ".join(branches)

    edges = set(column_lineage(sql))

    assert ("raw.a.k", "k", "identity") in edges
    assert ("raw.b.v", "v", "identity") in edges
    assert ("raw.c.x", "v", "aggregate") in edges
    assert ("raw.t39.v", "v", "identity") in edges
    assert len(edges) == 2 * 38 + 2 + 2
