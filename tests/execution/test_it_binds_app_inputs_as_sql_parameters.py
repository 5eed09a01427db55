"""App inputs reach SQL as bound query parameters on every path Tributary renders, in a
real kernel: ``%%sql`` and ``%sql`` with ``{{ }}``, ``{var}`` and ``:var``, and Deepnote SQL
blocks. The injection of issue 11 §4 reads no file; an identifier position is refused."""

from __future__ import annotations

import json

import nbformat
import pytest

from tests.execution.conftest import publish

pytestmark = pytest.mark.django_db

SECRET = "s3cr3t-key-of-the-server-0123456789"


def injection(path) -> str:
    return f"x' AS greeting UNION ALL SELECT content FROM read_text('{path}') --"


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text(SECRET)
    return path


def outputs_of(run) -> str:
    return json.dumps([step.outputs for step in run.steps.order_by("position")])


def sql_app(workspace, slug: str, *sql_cells: str, parameters: str = "name = 'Ada'"):
    cells = [
        ("code", parameters, ["parameters"]),
        ("code", "import duckdb\n%load_ext sql\ncon = duckdb.connect()\n%sql con"),
        *(("code", source) for source in sql_cells),
    ]
    return publish(workspace, f"apps/{slug}.ipynb", *cells, slug=slug)


def test_the_issue_injection_through_a_sql_cell_magic_returns_the_text_as_data(
    workspace, runner, gateway, execute, secret_file
):
    app = sql_app(
        workspace,
        "greeter",
        "%%sql greeting <<\nSELECT '{{ name }}' AS greeting",
        "print(greeting['greeting'].tolist())",
    )
    value = injection(secret_file)

    run = execute(actor=runner, app=app, inputs={"name": value})

    assert run.status == "succeeded", run.error
    assert SECRET not in outputs_of(run)
    printed = run.steps.order_by("position").last().outputs[0]["text"]
    assert printed == repr([value]) + "\n"


def test_the_line_magic_binds_braces_colons_and_jinja(
    workspace, runner, gateway, execute, secret_file
):
    app = sql_app(
        workspace,
        "lines",
        "a = %sql SELECT '{{ name }}' AS v\nprint(a['v'].tolist())",
        "b = %sql SELECT '{name}' AS v\nprint(b['v'].tolist())",
        "c = %sql SELECT :name AS v\nprint(c['v'].tolist())",
        "d = %sql SELECT {{ name }} || '!' AS v\nprint(d['v'].tolist())",
    )
    value = injection(secret_file)

    run = execute(actor=runner, app=app, inputs={"name": value})

    assert run.status == "succeeded", run.error
    assert SECRET not in outputs_of(run)
    printed = [step.outputs[0]["text"] for step in run.steps.order_by("position")[3:]]
    assert printed == [
        repr([value]) + "\n",
        repr([value]) + "\n",
        repr([value]) + "\n",
        repr([value + "!"]) + "\n",
    ]


def test_a_value_inside_a_longer_literal_is_bound_not_pasted(
    workspace, runner, gateway, execute, secret_file
):
    app = sql_app(
        workspace,
        "like",
        "%%sql found <<\nSELECT 'hello %{{ name }}%' AS pattern",
        "print(found['pattern'].tolist())",
    )

    run = execute(actor=runner, app=app, inputs={"name": injection(secret_file)})

    assert run.status == "succeeded", run.error
    assert SECRET not in outputs_of(run)
    printed = run.steps.order_by("position").last().outputs[0]["text"]
    assert printed == repr([f"hello %{injection(secret_file)}%"]) + "\n"


def test_an_input_in_an_identifier_position_is_refused_clearly(workspace, runner, gateway, execute):
    app = sql_app(
        workspace,
        "tables",
        "%%sql\nSELECT * FROM {{ name }}",
        parameters="name = 'duckdb_tables()'",
    )

    run = execute(actor=runner, app=app, inputs={"name": "read_text('/etc/passwd')"})

    assert run.status == "failed"
    assert "{{ name }} is in an identifier position (after FROM)" in run.error
    assert "| sqlsafe" in run.error
    assert "root:" not in outputs_of(run)


def test_a_value_the_template_marks_safe_is_pasted(workspace, runner, gateway, execute):
    app = sql_app(
        workspace,
        "safe",
        "%%sql n <<\nSELECT count(*) AS n FROM {{ name | sqlsafe }}",
        "print(int(n['n'][0]) >= 0)",
        parameters="name = 'duckdb_tables()'",
    )

    run = execute(actor=runner, app=app, inputs={})

    assert run.status == "succeeded", run.error
    assert run.steps.order_by("position").last().outputs[0]["text"] == "True\n"


def deepnote_notebook(sql: str) -> bytes:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Py"}
    params = nbformat.v4.new_code_cell("name = 'Ada'")
    params["id"] = "cell-0"
    params.metadata["tags"] = ["parameters"]
    block = nbformat.v4.new_code_cell(sql)
    block["id"] = "cell-1"
    block.metadata.update(
        {
            "deepnote_cell_type": "sql",
            "deepnote_variable_name": "greeting",
            "deepnote_sql_source": sql,
        }
    )
    show = nbformat.v4.new_code_cell("print(greeting['greeting'].tolist())")
    show["id"] = "cell-2"
    nb.cells += [params, block, show]
    return json.dumps(nb).encode()


def test_a_deepnote_sql_block_binds_a_quoted_input(
    workspace, runner, gateway, execute, secret_file, tmp_path, settings
):
    from catalog.ingest.pipeline import ingest_upload
    from catalog.models import Notebook
    from execution.services import publish_app
    from tests.kb_factories import make_app

    settings.DEMO_WAREHOUSE_PATH = tmp_path / "warehouse.duckdb"
    data = deepnote_notebook("SELECT '{{ name }}' AS greeting")
    ingest_upload(actor=None, workspace=workspace, filename="dn.ipynb", data=data, path="dn.ipynb")
    notebook = Notebook.objects.get(workspace=workspace, path="dn.ipynb")
    app = publish_app(actor=None, app=make_app(workspace, notebook, "deepnote-greeter"))
    value = injection(secret_file)

    run = execute(actor=runner, app=app, inputs={"name": value})

    assert run.status == "succeeded", run.error
    assert SECRET not in outputs_of(run)
    assert run.steps.order_by("position").last().outputs[0]["text"] == repr([value]) + "\n"
