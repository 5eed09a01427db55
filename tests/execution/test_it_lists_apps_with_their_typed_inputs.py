"""GET /api/apps/: the published apps one may see, with their inputs' types and defaults."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.execution.conftest import publish

pytestmark = pytest.mark.django_db


def test_it_lists_published_apps_with_id_urn_name_workspace_and_inputs(web, viewer, workspace):
    app = publish(
        workspace,
        "apps/lookup.ipynb",
        (
            "code",
            "email = 'a@b.example'\nlimit = 5\nplan = 'pro'  # options: free, pro",
            ["parameters"],
        ),
        title="Look a customer up",
    )
    web.force_login(viewer)

    body = web.get("/api/apps/").json()

    assert body == [
        {
            "id": app.pk,
            "urn": "app:production/lookup",
            "name": "Look a customer up",
            "workspace": "production",
            "inputs": [
                {"name": "email", "type": "text", "default": "a@b.example"},
                {"name": "limit", "type": "number", "default": 5},
                {"name": "plan", "type": "select", "default": "pro", "options": ["free", "pro"]},
            ],
        }
    ]


def test_it_leaves_out_unpublished_apps_and_those_one_may_not_see(
    web, outsider, workspace, other_workspace
):
    from tests.factories import put_notebook
    from tests.kb_factories import make_app

    publish(workspace, "apps/theirs.ipynb", ("code", "1"))
    make_app(other_workspace, put_notebook(other_workspace, "draft.ipynb"), "draft")
    mine = publish(other_workspace, "apps/mine.ipynb", ("code", "1"))
    web.force_login(outsider)

    assert [a["urn"] for a in web.get("/api/apps/").json()] == [mine.urn]


def test_it_reads_a_fixed_number_of_queries_however_many_apps(web, viewer, workspace):
    publish(workspace, "apps/a0.ipynb", ("code", "x = 1", ["parameters"]))
    web.force_login(viewer)
    web.get("/api/apps/")
    with CaptureQueriesContext(connection) as one:
        web.get("/api/apps/")
    for index in range(1, 6):
        publish(workspace, f"apps/a{index}.ipynb", ("code", f"x = {index}", ["parameters"]))

    with CaptureQueriesContext(connection) as six:
        body = web.get("/api/apps/").json()

    assert len(body) == 6
    assert len(six) == len(one)
