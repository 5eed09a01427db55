"""analyze_sql_block: what a (Jinja-templated) SQL block defines, uses, reads and writes."""

from __future__ import annotations

import pytest

from lineage.analysis.sql_block import analyze_sql_block
from lineage.analysis.types import CodeAnalysis, SqlStatement


def test_the_result_variable_is_defined():
    analysis = analyze_sql_block("SELECT * FROM orders", variable="df_orders")

    assert analysis.defines == {"df_orders"}
    assert analysis.reads == {"orders"}
    assert analysis.writes == frozenset()


def test_a_block_without_a_variable_defines_nothing():
    assert analyze_sql_block("SELECT 1").defines == frozenset()


def test_plain_sql_uses_no_names():
    assert analyze_sql_block("SELECT * FROM t WHERE a = 1").uses == frozenset()


def test_the_sql_is_recorded_with_its_role_dialect_and_variable():
    analysis = analyze_sql_block("SELECT * FROM t", variable="df", dialect="duckdb")

    assert analysis.sql == (
        SqlStatement("SELECT * FROM t", line=1, role="sql-block", dialect="duckdb", variable="df"),
    )


@pytest.mark.parametrize(
    ("template", "uses"),
    [
        ("SELECT * FROM t WHERE id = {{ user_id }}", {"user_id"}),
        ("SELECT * FROM t WHERE d > '{{ start }}' AND d < '{{ end_date }}'", {"start", "end_date"}),
        ("SELECT * FROM t WHERE region = {{ settings.region }}", {"settings"}),
        ("SELECT * FROM t WHERE k = {{ params['key'] }}", {"params"}),
        ("SELECT {{ col | sqlsafe }} FROM t", {"col"}),
        ("SELECT * FROM t WHERE id IN {{ ids | inclause }}", {"ids"}),
        ("SELECT * FROM t WHERE a = {{ x | default('y') | upper }}", {"x"}),
        ("SELECT * FROM t {% if since %}WHERE ts > {{ since }}{% endif %}", {"since"}),
        ("SELECT * FROM t {% if not full %}LIMIT 10{% endif %}", {"full"}),
        ("{% for c in columns %}{{ c }}, {% endfor %}", {"columns"}),
        ("{% for k, v in pairs.items() %}{{ k }} = {{ v }}{% endfor %}", {"pairs"}),
        ("{% set n = limit_rows * 2 %}SELECT * FROM t LIMIT {{ n }}", {"limit_rows"}),
        ("SELECT * FROM t WHERE a = {{ 'x' if flag else y }}", {"flag", "y"}),
        ("{% macro q(x) %}'{{ x }}'{% endmacro %}SELECT {{ q(name) }}", {"name"}),
        ("SELECT * FROM t WHERE n IN ({{ values | join(', ') }})", {"values"}),
        ("SELECT {{ loop_var }} {# a comment {{ hidden }} #}", {"loop_var"}),
    ],
)
def test_it_finds_the_jinja_variables_a_block_uses(template: str, uses: set[str]):
    analysis = analyze_sql_block(template, variable="df")

    assert analysis.uses == uses
    assert analysis.error is None


def test_loop_variables_are_not_uses():
    analysis = analyze_sql_block("{% for t in tables %}SELECT * FROM {{ t }};{% endfor %}")

    assert "t" not in analysis.uses
    assert analysis.uses == {"tables"}


def test_jinja_builtins_are_not_uses():
    analysis = analyze_sql_block("{% for i in range(3) %}SELECT {{ loop.index }};{% endfor %}")

    assert analysis.uses == frozenset()


def test_tables_come_from_the_rendered_sql():
    analysis = analyze_sql_block(
        "INSERT INTO mart.daily SELECT * FROM raw.events WHERE day = '{{ day }}'", variable="r"
    )

    assert analysis.reads == {"raw.events"}
    assert analysis.writes == {"mart.daily"}
    assert analysis.confidence == "high"


def test_both_branches_of_an_if_are_read():
    analysis = analyze_sql_block(
        "SELECT * FROM {% if use_archive %}archive.orders{% else %}live.orders{% endif %}"
    )

    assert analysis.reads == {"archive.orders", "live.orders"}


def test_a_table_named_by_a_variable_is_not_a_read():
    analysis = analyze_sql_block("SELECT * FROM {{ table_name }} JOIN dim.users USING (id)")

    assert analysis.reads == {"dim.users"}
    assert analysis.uses == {"table_name"}


def test_a_schema_built_from_a_variable_is_not_a_read():
    analysis = analyze_sql_block("SELECT * FROM {{ env }}_analytics.orders")

    assert analysis.reads == frozenset()


def test_dbt_ref_and_source_give_their_tables():
    analysis = analyze_sql_block(
        "SELECT * FROM {{ ref('stg_orders') }} o "
        "JOIN {{ source('stripe', 'charges') }} c USING (id)"
    )

    assert analysis.reads == {"stg_orders", "stripe.charges"}


def test_a_temporary_table_the_block_creates_and_reads_is_local_not_a_read():
    analysis = analyze_sql_block(
        "CREATE TEMP TABLE recent AS SELECT * FROM events WHERE ts > {{ since }};\n"
        "SELECT count(*) FROM recent"
    )

    assert analysis.reads == {"events"}
    assert analysis.writes == set()
    assert analysis.locals == {"recent"}


def test_a_table_the_block_creates_and_reads_is_not_a_read():
    analysis = analyze_sql_block(
        "CREATE TABLE mart.recent AS SELECT * FROM events WHERE ts > {{ since }};\n"
        "SELECT count(*) FROM mart.recent"
    )

    assert analysis.reads == {"events"}
    assert analysis.writes == {"mart.recent"}


def test_the_rendered_sql_replaces_variables_with_placeholders():
    analysis = analyze_sql_block("SELECT * FROM t WHERE a = {{ a }}")

    assert analysis.sql[0].sql == "SELECT * FROM t WHERE a = __jinja_a__"


def test_a_jinja_syntax_error_is_reported_not_raised():
    analysis = analyze_sql_block("SELECT * FROM t WHERE a = {{ a ", variable="df")

    assert analysis.error is not None
    assert analysis.error.startswith("Jinja syntax error on line 1")
    assert analysis.confidence == "low"
    assert analysis.defines == {"df"}


def test_a_syntax_error_still_reports_the_names_it_can_see():
    analysis = analyze_sql_block("SELECT * FROM orders WHERE a = {{ a }} {% if b %}")

    assert analysis.uses == {"a", "b"}
    assert analysis.reads == {"orders"}


def test_an_unknown_tag_is_a_syntax_error():
    analysis = analyze_sql_block("{% frobnicate %}SELECT 1")

    assert "Jinja syntax error" in (analysis.error or "")


def test_a_render_error_is_reported_not_raised():
    analysis = analyze_sql_block("{{ 1 / 0 }} SELECT * FROM t")

    assert analysis.error is not None
    assert analysis.error.startswith("Jinja render error")
    assert analysis.reads == {"t"}


def test_unparseable_rendered_sql_lowers_confidence():
    analysis = analyze_sql_block("SELEKT * FRUM {{ t }} WHERE")

    assert analysis.confidence == "low"
    assert analysis.error is None


@pytest.mark.parametrize("text", ["", "   ", "-- only a comment", "{# only a jinja comment #}"])
def test_empty_blocks_analyse_to_nothing(text: str):
    analysis = analyze_sql_block(text, variable="df")

    assert isinstance(analysis, CodeAnalysis)
    assert analysis.uses == analysis.reads == analysis.writes == frozenset()
    assert analysis.error is None


def test_a_dialect_is_passed_to_the_sql_analysis():
    analysis = analyze_sql_block("SELECT * FROM [dbo].[Orders] WHERE id = {{ id }}", dialect="tsql")

    assert analysis.reads == {"dbo.Orders"}


def test_simple_and_full_templates_agree():
    simple = analyze_sql_block("SELECT * FROM t WHERE a = {{ x.y }} AND b = {{ z }}")
    full = analyze_sql_block(
        "{% if true %}SELECT * FROM t WHERE a = {{ x.y }} AND b = {{ z }}{% endif %}"
    )

    assert (simple.uses, simple.reads) == (full.uses, full.reads)
    assert simple.sql[0].sql == full.sql[0].sql
