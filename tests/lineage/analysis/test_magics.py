"""IPython magics, shell escapes and SQL magics, read the way IPython runs them."""

from __future__ import annotations

import pytest

from lineage.analysis.cells import fast_transform, parse_cell, split_cell_magic, transform_cell
from lineage.analysis.magics import interpret_magic
from lineage.analysis.python import analyze_code


def _n(source: str, defines: set[str], uses: set[str], case: str):
    return pytest.param(source, frozenset(defines), frozenset(uses), id=case)


NAME_CASES = [
    # --- line magics that run Python in the notebook namespace
    _n("%time y = f(x)", {"y"}, {"f", "x"}, "time runs its statement in the notebook"),
    _n("%prun -s cumulative res = run(cfg)", {"res"}, {"run", "cfg"}, "prun strips its options"),
    _n("%timeit -n 10 -r 3 g(data)", set(), {"g", "data"}, "timeit reads but binds nothing"),
    _n("%timeit tmp = g(data)", set(), {"g", "data"}, "timeit assignments stay in its scope"),
    _n("if cond:\n    %time r = compute()", {"r"}, {"cond", "compute"}, "indented magics"),
    _n("x = 1\n%time y = x + 1", {"x", "y"}, set(), "magics see names bound earlier"),
    # --- cell magics
    _n(
        "%%time\nfor i in range(n):\n    acc = step(acc)",
        {"i", "acc"},
        {"n", "step", "acc"},
        "a %%time cell runs its body in the notebook",
    ),
    _n(
        "%%capture out\nmodel = train(X)",
        {"out", "model"},
        {"train", "X"},
        "%%capture binds its variable and runs its body",
    ),
    _n("%%timeit\ntmp = f(big)", set(), {"f", "big"}, "a %%timeit cell binds nothing"),
    _n(
        "%%timeit setup = prepare()\nrun(setup)",
        set(),
        {"prepare", "run"},
        "a %%timeit setup line is local to the timing",
    ),
    _n(
        "%%writefile utils.py\ndef helper():\n    return 1",
        set(),
        set(),
        "a %%writefile body is not run",
    ),
    _n("%%bash\necho $HOME", set(), set(), "a shell cell runs nothing in Python"),
    _n("%%bash --out listing\nls", {"listing"}, set(), "a shell cell can capture its output"),
    _n("%%html\n<b>{x}</b>", set(), set(), "an HTML cell uses nothing"),
    _n(
        "%%R -i df -o fit\nfit <- lm(y ~ x, data=df)",
        {"fit"},
        {"df"},
        "rpy2 pushes inputs and pulls outputs",
    ),
    _n("%%python\nx = compute()", set(), set(), "a %%python subprocess shares no names"),
    _n("%python\nx = compute()", {"x"}, {"compute"}, "a Databricks %python cell is Python"),
    _n("%sh\nls /dbfs", set(), set(), "a Databricks %sh cell is shell"),
    # --- shell escapes and other line magics
    _n("!pip install -q {pkg} $extra", set(), {"pkg", "extra"}, "shell escapes expand names"),
    _n("files = !ls {folder}", {"files"}, {"folder"}, "captured shell output is bound"),
    _n("out = !!cat log.txt", {"out"}, set(), "double bang captures output"),
    _n("!echo $$HOME", set(), set(), "a doubled dollar is not a name"),
    _n("%matplotlib inline\nimport numpy as np", {"np"}, set(), "setup magics change no names"),
    _n("%load_ext autoreload\n%autoreload 2", set(), set(), "extension magics change no names"),
    _n("%cd {project_dir}", set(), {"project_dir"}, "line magics expand braces"),
    _n("%store -r shared", {"shared"}, set(), "store -r restores a name"),
    _n("%store result", set(), {"result"}, "store saves a name"),
    _n("df.head?", set(), {"df"}, "help on an object reads it"),
    _n("??model.fit", set(), {"model"}, "help before the name reads it too"),
    _n("%xdel big", set(), {"big"}, "xdel removes a name"),
    _n("pip install pandas", set(), set(), "automagic pip is a magic"),
    _n("  x = 1\n  y = x + z", {"x", "y"}, {"z"}, "a uniformly indented cell is dedented"),
    _n(">>> a = 1\n>>> b = a + c", {"a", "b"}, {"c"}, "doctest prompts are stripped"),
    _n("rows = %sql SELECT 1", {"rows"}, set(), "a line magic's result can be assigned"),
]


@pytest.mark.parametrize(("source", "defines", "uses"), NAME_CASES)
def test_it_reads_magics_the_way_ipython_runs_them(source, defines, uses):
    analysis = analyze_code(source)

    assert analysis.error is None
    assert analysis.defines == defines
    assert analysis.uses == uses


def _s(source: str, sql: str, dialect: str | None, variable: str | None, case: str):
    return pytest.param(source, sql, dialect, variable, id=case)


SQL_CASES = [
    _s("%%sql\nSELECT * FROM orders", "SELECT * FROM orders", None, None, "a %%sql cell"),
    _s(
        "%%sql result <<\nSELECT id FROM users",
        "SELECT id FROM users",
        None,
        "result",
        "%%sql binds a result variable",
    ),
    _s(
        "%%sql postgresql://u@h/db\nres << SELECT 1 FROM t",
        "SELECT 1 FROM t",
        "postgres",
        "res",
        "the connection URL gives the dialect and << may open the body",
    ),
    _s("%%sql duckdb:///:memory:\nSELECT 42", "SELECT 42", "duckdb", None, "a duckdb URL"),
    _s("%sql result << SELECT * FROM t", "SELECT * FROM t", None, "result", "line %sql with <<"),
    _s(
        "total = %sql SELECT count(*) FROM events",
        "SELECT count(*) FROM events",
        None,
        "total",
        "an assigned line %sql",
    ),
    _s(
        "%%bigquery sales\nSELECT * FROM `p.d.sales`",
        "SELECT * FROM `p.d.sales`",
        "bigquery",
        "sales",
        "%%bigquery binds its destination variable",
    ),
    _s("%%bigquery --project p\nSELECT 1", "SELECT 1", "bigquery", None, "%%bigquery options"),
    _s(
        "%%sparksql df\nSELECT * FROM events",
        "SELECT * FROM events",
        "spark",
        "df",
        "%%sparksql binds a data frame",
    ),
    _s(
        "%%spark -c sql -o local_df\nSELECT * FROM hive_t",
        "SELECT * FROM hive_t",
        "spark",
        "local_df",
        "sparkmagic SQL copies the result locally",
    ),
    _s("%%sql -o pdf\nSELECT * FROM t", "SELECT * FROM t", "spark", "pdf", "sparkmagic %%sql -o"),
    _s(
        "%sql\nSELECT * FROM gold.kpis",
        "SELECT * FROM gold.kpis",
        "databricks",
        None,
        "a Databricks %sql language cell",
    ),
]


@pytest.mark.parametrize(("source", "sql", "dialect", "variable"), SQL_CASES)
def test_sql_magics_yield_their_sql(source, sql, dialect, variable):
    analysis = analyze_code(source)

    assert len(analysis.sql) == 1
    statement = analysis.sql[0]
    assert (statement.sql, statement.dialect, statement.variable) == (sql, dialect, variable)
    assert statement.role == "magic"
    if variable:
        assert variable in analysis.defines


def test_sql_magic_tables_are_read_and_written():
    analysis = analyze_code(
        "%%sql\nCREATE TABLE mart.daily AS SELECT * FROM raw.events e JOIN raw.users u USING (id)"
    )

    assert analysis.reads == {"raw.events", "raw.users"}
    assert analysis.writes == {"mart.daily"}


def test_sql_magic_parameters_are_python_uses():
    analysis = analyze_code(
        "%%sql\nSELECT * FROM orders WHERE region = :region AND d > '{start}' LIMIT {{ n }}"
    )

    assert analysis.uses == {"region", "start", "n"}
    assert analysis.reads == {"orders"}
    assert "__start__" in analysis.sql[0].sql


def test_a_parameterised_table_name_is_not_guessed():
    analysis = analyze_code("%%sql\nSELECT * FROM {table_name}")

    assert analysis.uses == {"table_name"}
    assert analysis.reads == frozenset()
    assert analysis.confidence == "low"


def test_a_postgres_cast_is_not_a_parameter():
    analysis = analyze_code("%%sql\nSELECT created_at::date AS d FROM events")

    assert analysis.uses == frozenset()
    assert analysis.reads == {"events"}


def test_bigquery_params_are_uses():
    analysis = analyze_code(
        '%%bigquery df --params {"limit": row_limit}\nSELECT * FROM `d.t` LIMIT @limit'
    )

    assert analysis.uses == {"row_limit"}
    assert analysis.defines == {"df"}


def test_bigquery_destination_table_is_written():
    analysis = analyze_code("%%bigquery --destination_table mart.out\nSELECT * FROM d.src")

    assert analysis.writes == {"mart.out"}
    assert analysis.reads == {"d.src"}


def test_jupysql_persist_writes_a_frame_as_a_table():
    analysis = analyze_code("%sql --persist sales_df")

    assert analysis.uses == {"sales_df"}
    assert analysis.writes == {"sales_df"}


def test_sparksql_view_is_written():
    analysis = analyze_code("%%sparksql --view recent\nSELECT * FROM events")

    assert analysis.writes == {"recent"}
    assert analysis.reads == {"events"}


def test_sql_magic_line_numbers_point_at_the_sql():
    analysis = analyze_code("import os\n%sql SELECT 1 FROM a\nx = 2\n%sql SELECT 2 FROM b")

    assert [s.line for s in analysis.sql] == [2, 4]
    assert analysis.reads == {"a", "b"}


def test_writefile_writes_the_file():
    assert analyze_code("%%writefile src/utils.py\nx = 1").writes == {"src/utils.py"}


RUN_CASES = [
    pytest.param("%run other.ipynb", ("other.ipynb",), id="run a notebook"),
    pytest.param("%run -i ../etl/load.ipynb", ("../etl/load.ipynb",), id="run with options"),
    pytest.param("%run ./helpers.py arg1", ("./helpers.py",), id="run a script with arguments"),
    pytest.param("%run ./setup\n%run ./features", ("./setup", "./features"), id="several runs"),
    pytest.param("%run $nb_path", (), id="a run path held in a variable is unknown"),
    pytest.param('dbutils.notebook.run("./child", 60)', ("./child",), id="Databricks run"),
]


@pytest.mark.parametrize(("source", "runs"), RUN_CASES)
def test_it_records_the_notebooks_a_block_runs(source, runs):
    assert analyze_code(source).runs == runs


def test_a_run_through_a_variable_uses_it():
    assert analyze_code("%run $nb_path").uses == {"nb_path"}


def test_markdown_and_scala_language_cells_are_inert():
    for source in ("%md\n# Title {x}", '%scala\nval x = spark.table("t")'):
        analysis = analyze_code(source)
        assert (analysis.defines, analysis.uses, analysis.reads) == (frozenset(),) * 3


def test_a_syntax_error_next_to_a_magic_is_reported():
    analysis = analyze_code("%matplotlib inline\ndef broken(:\n    pass")

    assert analysis.error is not None
    assert analysis.error.startswith("SyntaxError")


def test_an_escape_inside_a_string_is_not_a_magic():
    source = 'sql = """\n%s\n!important\n"""\nx = 1 %'
    analysis = analyze_code(source)

    assert analysis.error is not None  # the trailing `%` is a real error, the string is not


def test_splitting_a_cell_magic():
    assert split_cell_magic("\n%%sql conn\nSELECT 1") == ("sql", "conn", "SELECT 1", 3)
    assert split_cell_magic("%sql SELECT 1") is None
    assert split_cell_magic("x = 1\n%%time") is None


def test_the_fast_transform_matches_ipython():
    cells = [
        "%time y = f(x)",
        "files = !ls -la",
        "!pip install pandas",
        "x = %sql SELECT 1",
        "df.head?",
        "if a:\n    !echo hi",
        "%config InlineBackend.figure_format = 'retina'",
    ]
    for cell in cells:
        fast = fast_transform(cell)
        assert fast is not None
        assert fast[0].strip() == transform_cell(cell).strip()


def test_an_escape_line_inside_a_string_is_left_to_ipython():
    parsed = parse_cell('s = """\n%time x\n"""\n%who')

    assert parsed.error is None
    assert parsed.tree.body[0].value.value == "\n%time x\n"
    assert len(parsed.tree.body) == 2


def test_an_escape_inside_brackets_is_a_syntax_error_as_in_ipython():
    assert parse_cell("x = (1 +\n%time 2)").error == "SyntaxError: invalid syntax (line 2)"


def test_interpret_magic_knows_unknown_magics_expand_variables():
    effect = interpret_magic("mycustommagic", "--path {base}/x $name")

    assert effect.uses == ("name",)
    assert effect.expressions == ("base",)
