"""Lineage personas and builders.

Around the two workspaces of tests/conftest.py (``production`` and ``analytics``):
``viewer`` (viewer in production only), ``analyst`` (viewer in analytics only),
``stranger`` (no role anywhere), ``staff``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from catalog.ingest.pipeline import ingest_upload
from catalog.models import Notebook, WarehouseConnection
from tests.factories import add_member, ipynb_bytes, make_user

DEMO = Path(settings.BASE_DIR) / "demo" / "workspaces"
SHARED_WAREHOUSE = "duckdb://shared"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def analyst(other_workspace):
    user = make_user("ana-analyst")
    add_member(user, other_workspace, "viewer")
    return user


@pytest.fixture
def stranger(db):
    return make_user("stan-stranger")


def connect(workspace, warehouse: str = SHARED_WAREHOUSE, schema: str = "main"):
    """Point ``workspace`` at ``warehouse`` (DuckDB, default schema ``schema``)."""
    return WarehouseConnection.objects.create(
        workspace=workspace,
        name="warehouse",
        engine="duckdb",
        dialect="duckdb",
        warehouse=warehouse,
        default_schema=schema,
        is_default=True,
    )


@pytest.fixture
def shared_warehouse(workspace, other_workspace):
    """Both workspaces on one warehouse, so their tables meet."""
    connect(workspace)
    connect(other_workspace)


def put_cells(workspace, path: str, *cells: tuple[str, str]) -> Notebook:
    """Ingest a notebook of ``(kind, source)`` cells into ``workspace`` the real way."""
    report = ingest_upload(
        actor=None, workspace=workspace, filename=path, data=ipynb_bytes(*cells), path=path
    )
    assert not report.failed, report.errors
    return Notebook.objects.select_related("workspace", "current_version").get(
        workspace=workspace, path=path
    )


def put_sql(workspace, path: str, *statements: str) -> Notebook:
    """A notebook with one ``%%sql`` cell per statement."""
    return put_cells(workspace, path, *(("code", f"%%sql\n{sql}") for sql in statements))


def table(name: str, warehouse: str = SHARED_WAREHOUSE) -> str:
    return f"table:{warehouse}/{name}"


def demo_table(name: str) -> str:
    return f"table:duckdb://warehouse/{name}"


@pytest.fixture
def demo(workspace, other_workspace, tmp_path):
    """The demo's two workspaces ingested with their catalog.yml files (no warehouse needed)."""
    from catalog.ingest.folders import ingest_folder

    env = {"TRIBUTARY_WAREHOUSE": str(tmp_path / "warehouse.duckdb")}
    for ws in (workspace, other_workspace):
        report, _ = ingest_folder(
            actor=None, workspace=ws, root=DEMO / ws.slug, source="demo", env=env
        )
        assert not report.failed, report.errors
    return workspace, other_workspace


BILLING = "notebook:production/billing/denormalize_billing.ipynb"
USERS = "notebook:production/users/users_table.ipynb"
CHURN = "notebook:analytics/models/churn_prediction.ipynb"
CUSTOMER_360 = "notebook:analytics/customer_360.deepnote/Customer 360"
BILLING_DAILY = demo_table("analytics.billing_daily")
