"""A run downloads as an executed .ipynb with injected parameters and the run's metadata."""

from __future__ import annotations

import nbformat
import pytest

from tests.execution.conftest import publish, publish_demo

pytestmark = pytest.mark.django_db


def download(web, run) -> nbformat.NotebookNode:
    response = web.get(f"/runs/{run.pk}/download.ipynb")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="run-{run.pk}.ipynb"'
    notebook = nbformat.reads(response.content.decode(), as_version=4)
    nbformat.validate(notebook)
    return notebook


def test_a_jupyter_app_run_has_its_parameters_injected_after_the_parameters_cell(
    web, workspace, runner, gateway, execute
):
    app = publish(
        workspace,
        "apps/papermill.ipynb",
        ("markdown", "# Title"),
        ("code", "who = 'world'", ["parameters"]),
        ("code", "print(f'hello {who}')"),
    )
    run = execute(actor=runner, app=app, inputs={"who": "Ada"})
    web.force_login(runner)

    notebook = download(web, run)

    kinds = [(c.cell_type, c.metadata.get("tags", [])) for c in notebook.cells]
    assert kinds == [
        ("markdown", []),
        ("code", ["parameters"]),
        ("code", ["injected-parameters"]),
        ("code", []),
    ]
    assert notebook.cells[2].source == "# Parameters\nwho = 'Ada'"
    assert notebook.cells[3].outputs[0]["text"] == "hello Ada\n"
    assert notebook.cells[3].metadata["papermill"]["status"] == "completed"
    meta = notebook.metadata
    assert meta["papermill"]["parameters"] == {"who": "Ada"}
    assert meta["papermill"]["exception"] is False
    assert meta["tributary"]["digest"] == run.digest
    assert (meta["tributary"]["run"], meta["tributary"]["urn"]) == (run.pk, app.urn)


def test_a_deepnote_app_run_gets_a_parameters_cell_on_top_and_sql_cells(
    web, workspace, runner, gateway, warehouse, execute
):
    app = publish_demo(workspace, "production/apps/change_plan.deepnote", "change-plan")
    run = execute(actor=runner, app=app, inputs={"new_plan": "starter"})
    web.force_login(runner)

    notebook = download(web, run)

    first = notebook.cells[0]
    assert first.metadata["tags"] == ["injected-parameters"]
    assert first.source == "# Parameters\nworkspace_id = '1002'\nnew_plan = 'starter'"
    sql = [c for c in notebook.cells if c.metadata.get("deepnote_cell_type") == "sql"]
    assert sql[0].source.startswith("SELECT w.workspace_id")
    assert sql[0].metadata["deepnote_variable_name"] == "current_plan"
    assert sql[0].outputs[0]["output_type"] == "execute_result"


def test_a_failed_run_marks_the_failing_cell_and_the_ones_after_it_pending(
    web, workspace, runner, gateway, execute
):
    app = publish(workspace, "apps/fails.ipynb", ("code", "raise ValueError('bad')"), ("code", "1"))
    run = execute(actor=runner, app=app, inputs={})
    web.force_login(runner)

    notebook = download(web, run)

    assert notebook.cells[0].metadata["papermill"]["status"] == "failed"
    assert notebook.cells[0].outputs[0]["ename"] == "ValueError"
    assert notebook.cells[1].metadata["papermill"] == {"status": "pending"}
    assert notebook.metadata["papermill"]["exception"] is True
