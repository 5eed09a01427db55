"""``kernel_runtime.render_sql``: what a SQL template becomes, checked on real DuckDB and
real PostgreSQL (each value binds, so the issue's injection comes back as data)."""

from __future__ import annotations

import duckdb
import psycopg
import pytest

from execution.kernel_runtime import SqlTemplateError, _jupysql_names, render_sql

ATTACK = "x' AS greeting UNION ALL SELECT content FROM read_text('/etc/hostname') --"


@pytest.mark.parametrize(
    ("template", "values", "text", "params"),
    [
        ("SELECT {{ a }} + {{ b }}", {"a": 1, "b": 2}, "SELECT ? + ?", [1, 2]),
        ("SELECT '{{ a }}'", {"a": 3}, "SELECT ?", ["3"]),
        ("SELECT 'a''{{ a }}'", {"a": "b"}, "SELECT ('a''' || ?)", ["b"]),
        ("SELECT $${{ a }}-$$", {"a": "b"}, "SELECT (? || '-')", ["b"]),
        ("SELECT 1 -- {{ a }}\n, 2", {"a": "\nDROP TABLE t"}, "SELECT 1 -- \n, 2", []),
        ("SELECT 1 /* {{ a }} */", {"a": "*/ DROP"}, "SELECT 1 /*  */", []),
        (
            "SELECT 1 {% if on %}WHERE x = {{ a }}{% endif %}",
            {"on": True, "a": "q"},
            "SELECT 1 WHERE x = ?",
            ["q"],
        ),
        ("SELECT {{ t | safe }}.x", {"t": "s"}, "SELECT s.x", []),
        ("SELECT 'no values'", {}, "SELECT 'no values'", []),
    ],
)
def test_each_value_becomes_a_placeholder(template, values, text, params):
    assert render_sql(template, values) == (text, params)


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("SELECT * FROM {{ t }}", "after FROM"),
        ("SELECT * FROM a JOIN {{ t }} USING (id)", "after JOIN"),
        ("INSERT INTO {{ t }} VALUES (1)", "after INTO"),
        ("SELECT x AS {{ t }}", "after AS"),
        ("SELECT * FROM s.{{ t }}", "part of a name"),
        ("SELECT * FROM {{ t }}.users", "part of a name"),
        ("SELECT * FROM raw_{{ t }}", "part of a name"),
        ('SELECT "{{ t }}" FROM x', "inside a quoted name"),
        ("SELECT x FROM y ORDER BY {{ t }}", "after BY"),
    ],
)
def test_a_value_where_a_name_belongs_is_refused(template, reason):
    with pytest.raises(SqlTemplateError) as error:
        render_sql(template, {"t": "users"})

    assert str(error.value) == (
        f"{{{{ t }}}} is in an identifier position ({reason}): app inputs are bound as query"
        " parameters, never pasted into SQL; if this value is trusted, write"
        " {{ t | sqlsafe }}"
    )


def test_an_unknown_name_is_an_error_not_an_empty_string():
    import jinja2

    with pytest.raises(jinja2.UndefinedError, match="'missing' is undefined"):
        render_sql("SELECT {{ missing }}", {})


def test_duckdb_returns_the_injection_as_text():
    text, params = render_sql("SELECT '{{ name }}' AS greeting", {"name": ATTACK})

    assert duckdb.connect().execute(text, params).fetchall() == [(ATTACK,)]


def test_jupysql_braces_and_colons_are_spelled_as_jinja_for_known_names_only():
    spelled = _jupysql_names("SELECT {name}, :name, x::int, :other, {'k': 1}", {"name": "v"})

    assert spelled == "SELECT {{ name }}, {{ name }}, x::int, :other, {'k': 1}"


@pytest.fixture
def postgres():
    try:
        con = psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=5)
    except psycopg.OperationalError as exc:  # pragma: no cover - the machine has PostgreSQL
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is part of this machine: {exc}")
    yield con
    con.close()


def test_postgresql_binds_with_its_own_placeholders_and_keeps_percent_signs(postgres):
    attack = "x' AS greeting UNION ALL SELECT pg_read_file('/etc/hostname') --"
    text, params = render_sql(
        "SELECT '{{ name }}' AS greeting, '100%' AS pct, 'a%{{ name }}' LIKE 'a%' AS starts",
        {"name": attack},
        paramstyle=psycopg.paramstyle,
    )

    assert text == "SELECT %s AS greeting, '100%%' AS pct, ('a%%' || %s) LIKE 'a%%' AS starts"
    assert postgres.execute(text, params).fetchall() == [(attack, "100%", True)]
