"""A run's kernel gets the allowlist and the run's own variables, never this process's
secrets; and nothing secret reaches the run's page or API."""

from __future__ import annotations

import json

import pytest

from tests.execution.conftest import SECRET_NAME, SECRET_VALUE, publish

pytestmark = pytest.mark.django_db


def test_a_run_kernel_sees_only_the_allowlist_and_the_run_variables(
    web, workspace, runner, gateway, warehouse, monkeypatch, execute
):
    monkeypatch.setenv("WAREHOUSE_PASSWORD", "s3cret-password")
    monkeypatch.setenv("DATABASE_URL", "postgres://tributary:dbpass@db/tributary")
    app = publish(
        workspace,
        "apps/env.ipynb",
        ("code", "import os, json\nprint(json.dumps(dict(os.environ)))"),
    )

    run = execute(actor=runner, app=app, inputs={})

    environ = json.loads(run.steps.get().outputs[0]["text"])
    assert environ["TRIBUTARY_WAREHOUSE"] == str(warehouse)
    assert environ["TRIBUTARY_USER"] == "rita-runner"
    assert environ["TRIBUTARY_RUN"] == str(run.pk)
    for name in (SECRET_NAME, "WAREHOUSE_PASSWORD", "DATABASE_URL", "SECRET_KEY", "KG_AUTH_TOKEN"):
        assert name not in environ
    values = "".join(environ.values())
    assert SECRET_VALUE not in values and gateway.token not in values
    web.force_login(runner)
    for url in (f"/runs/{run.pk}/", f"/api/runs/{run.pk}/", f"/runs/{run.pk}/download.ipynb"):
        body = web.get(url).content.decode()
        assert gateway.token not in body and SECRET_VALUE not in body
