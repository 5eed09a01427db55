from __future__ import annotations

import pytest

from accounts.errors import InvalidInput
from catalog.ingest.pipeline import ingest_files
from catalog.ingest.sources.jupyter import JupyterContents
from catalog.models import Notebook
from tests.factories import ipynb_bytes, write_notebook
from tests.servers import jupyter_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("jupyter") / "root"
    root.mkdir()
    write_notebook(root, "team/a.ipynb", ipynb_bytes(("code", "x = 1"), ("code", "y = x")))
    write_notebook(root, "b.ipynb", ipynb_bytes(("markdown", "# B")))
    write_notebook(root, ".ipynb_checkpoints/b-checkpoint.ipynb", ipynb_bytes(("code", "z=1")))
    (root / "notes.txt").write_text("not a notebook")
    with jupyter_server(root) as (url, token):
        yield url, token


def test_it_lists_a_jupyter_servers_notebooks(server):
    url, token = server

    files = list(JupyterContents(url, token).iter_files())

    assert [f.path for f in files] == ["b.ipynb", "team/a.ipynb"]
    assert b'"y = x"' in files[1].read()


@pytest.mark.django_db
def test_it_ingests_a_workspace_from_a_jupyter_server(server, workspace):
    url, token = server
    files = list(JupyterContents(url, token).iter_files())

    report = ingest_files(
        actor=None, workspace=workspace, files=files, source=f"jupyter:{url}", complete=True
    )

    assert (report.new, report.failed) == (2, 0)
    notebook = Notebook.objects.get(path="team/a.ipynb")
    edges = notebook.current_version.summary.edges
    assert [(e.source, e.target, sorted(e.names)) for e in edges] == [("cell-0", "cell-1", ["x"])]


def test_a_wrong_token_is_a_clear_error(server):
    url, _ = server

    with pytest.raises(InvalidInput, match="refused the token"):
        list(JupyterContents(url, "wrong").iter_files())


def test_the_token_travels_in_the_header_not_the_url(server):
    url, token = server
    contents = JupyterContents(url, token)

    assert contents.session.headers["Authorization"] == f"token {token}"
    assert token not in contents.base_url
