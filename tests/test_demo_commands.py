from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.models import Workspace
from catalog.models import Notebook

pytestmark = pytest.mark.django_db

TABLE = "analytics.billing_daily"


@pytest.fixture
def demo_settings(settings, tmp_path):
    settings.DEMO_WAREHOUSE_PATH = tmp_path / "warehouse.duckdb"
    return settings


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_load_demo_builds_both_workspaces_and_is_idempotent(demo_settings):
    first = load_demo()
    counts = {ws.slug: ws.notebooks.count() for ws in Workspace.objects.all()}

    second = load_demo()

    assert demo_settings.DEMO_WAREHOUSE_PATH.exists()
    assert set(counts) == {"production", "analytics"}
    assert counts["production"] >= 4 and counts["analytics"] >= 4
    assert " 0 failed" in first
    assert "production: 0 new, 0 changed" in second
    assert "analytics: 0 new, 0 changed" in second
    assert Notebook.objects.filter(current_version__number__gt=1).count() == 0


def test_the_demo_shows_billing_daily_written_in_production_and_read_in_analytics(demo_settings):
    load_demo()

    notebooks = Notebook.objects.select_related("workspace", "current_version")
    writers = {n.workspace.slug for n in notebooks if TABLE in n.current_version.writes}
    readers = {n.workspace.slug for n in notebooks if TABLE in n.current_version.reads}

    assert writers == {"production"}
    assert "analytics" in readers


def test_the_demo_admin_is_created_once_with_a_printed_password(db):
    out = StringIO()
    call_command("create_demo_admin", stdout=out)
    password = out.getvalue().split("password '")[1].split("'")[0]

    again = StringIO()
    call_command("create_demo_admin", stdout=again)

    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)
    assert "exists" in again.getvalue()
