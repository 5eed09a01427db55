from __future__ import annotations

import shutil
from io import StringIO

import pytest
from django.core.management import call_command


@pytest.fixture
def demo(db, settings, tmp_path, demo_warehouse):
    """The demo loaded the way `make run` loads it: notebooks, catalog.yml, introspection."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_warehouse, warehouse)
    settings.DEMO_WAREHOUSE_PATH = warehouse
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    return warehouse
