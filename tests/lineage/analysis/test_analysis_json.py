"""A block's analysis goes to a store and back whole, every field kept."""

from __future__ import annotations

import json

import pytest

from lineage.analysis import CodeAnalysis, analyze_block, analyze_code, analyze_sql_block

SOURCES = [
    "import duckdb\nframe = load()\nout = duckdb.sql('SELECT * FROM frame JOIN raw.e USING (id)')",
    "con.register('staged', df)\ncon.execute('CREATE TEMP TABLE t AS SELECT * FROM staged')",
    "def f():\n    global cache\n    del cache",
    "%sql result << SELECT * FROM users",
    "def broken(:",
]


@pytest.mark.parametrize("source", SOURCES)
def test_an_analysis_survives_a_json_round_trip(source):
    analysis = analyze_code(source)

    stored = json.loads(json.dumps(analysis.to_json()))

    assert CodeAnalysis.from_json(stored) == analysis


def test_sql_and_deepnote_block_analyses_round_trip_too():
    sql = analyze_sql_block("SELECT * FROM t WHERE d > {{ since }}", variable="df")
    call = analyze_block("other", "", metadata={
        "deepnote_cell_type": "notebook-function", "function_notebook_id": "nb",
        "function_notebook_export_mappings": {"o": {"enabled": True, "variable_name": "o"}},
    })  # fmt: skip

    for analysis in (sql, call):
        assert CodeAnalysis.from_json(json.loads(json.dumps(analysis.to_json()))) == analysis


def test_an_analysis_stored_before_a_field_existed_reads_with_its_default():
    old = {"defines": ["x"], "uses": [], "reads": ["raw.t"], "error": None, "gone": 1}

    analysis = CodeAnalysis.from_json(old)

    assert analysis == CodeAnalysis(defines=frozenset({"x"}), reads=frozenset({"raw.t"}))
