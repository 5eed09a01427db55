"""``find_formatted_inputs``: an app input that reaches SQL text through Python string
formatting is found, with its block, line, call and how; bound parameters are not."""

from __future__ import annotations

import doctest

import pytest

from lineage.analysis import input_formatting
from lineage.analysis.input_formatting import find_formatted_inputs, find_pasted_inputs


def found(*sources: str, inputs=("email",)):
    blocks = [(f"b{i}", source) for i, source in enumerate(sources)]
    return [
        (f.block_id, f.line, f.input_name, f.call, f.how)
        for f in find_formatted_inputs(blocks, inputs)
    ]


@pytest.mark.parametrize(
    ("source", "call", "how"),
    [
        ("con.sql(f\"SELECT * FROM u WHERE e = '{email}'\")", "con.sql", "f-string"),
        ("con.execute(\"SELECT * FROM u WHERE e = '{}'\".format(email))", "con.execute", ".format"),
        ("cur.execute(\"SELECT * FROM u WHERE e = '%s'\" % email)", "cur.execute", "%"),
        ("cur.execute(\"SELECT * FROM u WHERE e = '%s'\" % (email,))", "cur.execute", "%"),
        ('duckdb.sql("SELECT * FROM u WHERE e = \'" + email + "\'")', "duckdb.sql", "+"),
        ("pd.read_sql(f'SELECT {email}', con)", "pd.read_sql", "f-string"),
        ("spark.sql(sql=f'SELECT {email}')", "spark.sql", "f-string"),
        ("session.execute(sqlalchemy.text(f'SELECT {email}'))", "sqlalchemy.text", "f-string"),
        ("duckdb.connect().sql(f'SELECT {email.lower()}')", "duckdb.connect().sql", "f-string"),
    ],
)
def test_each_way_of_formatting_an_input_into_sql_is_flagged(source, call, how):
    assert found(source) == [("b0", 1, "email", call, how)]


def test_it_follows_the_input_through_derived_values_and_built_strings_across_blocks():
    assert found(
        "import duckdb\ncon = duckdb.connect()",
        "clean = str(email).strip().lower()",
        "query = 'SELECT * FROM users'\nquery += f\" WHERE email = '{clean}'\"",
        "rows = con.sql(query).df()",
    ) == [("b3", 1, "email", "con.sql", "+")]


@pytest.mark.parametrize(
    "source",
    [
        "con.execute('SELECT * FROM u WHERE e = ?', [email])",
        "con.sql('SELECT * FROM u WHERE e = $e', params={'e': email})",
        "print(f'looking up {email}')",
        "st.text(f'Hello {email}')",
        "con.sql(f'SELECT * FROM {TABLE}')",
        "%%sql\nSELECT * FROM u WHERE e = '{{ email }}'",
        "def f(:",
    ],
)
def test_bound_parameters_other_names_and_unparsable_cells_are_not_flagged(source):
    assert found(source) == []


def test_a_derived_name_reassigned_to_a_constant_no_longer_carries_the_input():
    assert found("e = email.lower()", "e = 'fixed'\ncon.sql(f'SELECT {e}')") == []


def test_the_parameters_cell_assigning_the_input_its_default_keeps_it_an_input():
    # The run's injected cell overwrites the default: the name is still the input.
    assert found("email = 'a@b.example'", "con.sql(f'SELECT {email}')") == [
        ("b1", 1, "email", "con.sql", "f-string")
    ]


def test_no_inputs_means_nothing_to_flag():
    assert found("con.sql(f'SELECT {email}')", inputs=()) == []


def test_its_docstring_examples_run():
    result = doctest.testmod(input_formatting, optionflags=doctest.ELLIPSIS)

    assert result.attempted > 0 and result.failed == 0


def pasted(*blocks, inputs=("table",)):
    return [
        (f.block_id, f.line, f.input_name, f.call, f.how)
        for f in find_pasted_inputs(blocks, inputs)
    ]


def test_an_input_marked_safe_in_a_sql_template_is_flagged():
    assert pasted(
        ("q", "sql", "SELECT *\nFROM {{ table | sqlsafe }}"),
        ("c", "code", "%%sql\nSELECT * FROM {{table|safe}}"),
        ("l", "code", "rows = %sql SELECT * FROM {{- table | lower | sqlsafe }}"),
    ) == [
        ("q", 2, "table", "SQL block", "| sqlsafe"),
        ("c", 2, "table", "%sql", "| safe"),
        ("l", 1, "table", "%sql", "| sqlsafe"),
    ]


def test_bound_inputs_and_safe_constants_are_not_flagged():
    assert (
        pasted(
            ("q", "sql", "SELECT * FROM t WHERE name = {{ table }}"),
            ("r", "sql", "SELECT * FROM {{ TRUSTED | sqlsafe }}"),
            ("p", "code", "print('{{ table | sqlsafe }}')"),
        )
        == []
    )
