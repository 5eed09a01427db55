from __future__ import annotations

import shutil
from io import StringIO

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory):
    """The demo warehouse with its pipeline run, built once per test session."""
    from catalog.management.commands.load_demo import run_pipeline
    from demo.seed import build_warehouse

    path = tmp_path_factory.mktemp("demo") / "warehouse.duckdb"
    build_warehouse(path)
    run_pipeline(path)
    return path


@pytest.fixture
def demo(db, settings, tmp_path, built_warehouse):
    """The demo loaded the way `make run` loads it: notebooks, catalog.yml, introspection."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, warehouse)
    settings.DEMO_WAREHOUSE_PATH = warehouse
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    return warehouse
