from __future__ import annotations

import pytest

from catalog.ingest.pipeline import ingest_upload
from catalog.models import Notebook
from tests.factories import ipynb_bytes

pytestmark = pytest.mark.django_db

EVIL_HTML = '<b>bold</b><script>alert("x")</script><img src=x onerror="alert(1)">'


def put(workspace, path, *cells, outputs=None):
    ingest_upload(
        actor=None,
        workspace=workspace,
        filename=path,
        data=ipynb_bytes(*cells, outputs=outputs),
        path=path,
    )
    return Notebook.objects.get(workspace=workspace, path=path)


def test_the_home_page_lists_the_members_workspaces(client, viewer, other_workspace):
    client.force_login(viewer)

    response = client.get("/")

    assert response.status_code == 200
    assert b"Production" in response.content
    assert b"Analytics" not in response.content


def test_pages_need_a_signed_in_user(client, workspace):
    response = client.get("/w/production/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_workspace_page_lists_notebooks_in_few_queries(
    client, viewer, workspace, django_assert_max_num_queries
):
    for i in range(5):
        put(workspace, f"n{i}.ipynb", ("code", f"x{i} = {i}"))
    client.force_login(viewer)

    with django_assert_max_num_queries(8):
        response = client.get("/w/production/")

    assert response.status_code == 200
    assert response.content.count(b'href="/notebooks/') == 5


def test_the_notebook_page_renders_markdown_and_sanitizes_it(client, viewer, workspace):
    nb = put(workspace, "a.ipynb", ("markdown", f"# Title\n\nSome *text* {EVIL_HTML}"))
    client.force_login(viewer)

    html = client.get(f"/notebooks/{nb.pk}/").content.decode()

    assert "<em>text</em>" in html
    assert "<b>bold</b>" in html
    assert "<script>alert" not in html
    assert "onerror" not in html


def test_the_notebook_page_shows_outputs_sanitized(client, viewer, workspace):
    outputs = {
        0: [
            {"output_type": "stream", "name": "stdout", "text": "<hello>\n"},
            {
                "output_type": "display_data",
                "metadata": {},
                "data": {"text/html": EVIL_HTML, "text/plain": "x"},
            },
        ]
    }
    nb = put(workspace, "a.ipynb", ("code", "print('<hello>')"), outputs=outputs)
    client.force_login(viewer)

    html = client.get(f"/notebooks/{nb.pk}/").content.decode()

    assert "&lt;hello&gt;" in html
    assert "<b>bold</b>" in html
    assert "<script>alert" not in html
    assert "onerror" not in html


def test_the_notebook_page_shows_what_each_block_feeds(client, viewer, workspace):
    nb = put(workspace, "a.ipynb", ("code", "x = 1"), ("code", "y = x * 2"))
    client.force_login(viewer)

    html = client.get(f"/notebooks/{nb.pk}/").content.decode()

    assert "runs after" in html
    assert 'href="#block-cell-0">x</a> (x)' in html
    assert 'href="#block-cell-1">y</a> (x)' in html
    assert ">#cell-0<" not in html


def test_an_outsider_gets_a_404_page_for_a_notebook(client, outsider, workspace):
    nb = put(workspace, "a.ipynb", ("code", "x = 1"))
    client.force_login(outsider)

    assert client.get(f"/notebooks/{nb.pk}/").status_code == 404
    assert client.get("/w/production/").status_code == 404
    assert client.get(f"/notebooks/{nb.pk}/versions/").status_code == 404


def test_the_history_page_diffs_two_versions(client, viewer, workspace):
    put(workspace, "a.ipynb", ("code", "x = 1"), ("code", "y = 2"))
    nb = put(workspace, "a.ipynb", ("code", "x = 10"), ("code", "y = 2"), ("code", "z = 3"))
    client.force_login(viewer)

    html = client.get(f"/notebooks/{nb.pk}/versions/?a=1&b=2").content.decode()

    assert "Changes from v1 to v2" in html
    assert '<span class="tag">changed</span> code block <span class="block-name">x</span>' in html
    assert "-x = 1" in html and "+x = 10" in html
    assert '<span class="tag">unchanged</span> code block <span class="block-name">y</span>' in html
    assert '<span class="tag">added</span> code block <span class="block-name">z</span>' in html


def test_a_bad_version_number_is_a_clear_error_not_a_crash(client, viewer, workspace):
    nb = put(workspace, "a.ipynb", ("code", "x = 1"))
    client.force_login(viewer)

    bad = client.get(f"/notebooks/{nb.pk}/versions/?a=one&b=2")
    missing = client.get(f"/notebooks/{nb.pk}/v/9/")

    assert bad.status_code == 400
    assert b"must be a version number" in bad.content
    assert missing.status_code == 404
