"""``manage.py load_demo`` publishes the demo's three apps, audited, once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import AuditEvent
from catalog.models import App

pytestmark = pytest.mark.django_db


def test_load_demo_publishes_the_three_demo_apps_with_their_inputs(
    settings, tmp_path, demo_warehouse
):
    import shutil

    settings.DEMO_WAREHOUSE_PATH = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_warehouse, settings.DEMO_WAREHOUSE_PATH)
    out = StringIO()

    call_command("load_demo", stdout=out, stderr=StringIO())
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())

    apps = {a.urn: a for a in App.objects.select_related("notebook", "published_version")}
    assert set(apps) >= {
        "app:production/delete-user",
        "app:production/change-plan",
        "app:analytics/customer-360",
    }
    for urn in (
        "app:production/delete-user",
        "app:production/change-plan",
        "app:analytics/customer-360",
    ):
        app = apps[urn]
        assert app.published_version_id == app.notebook.current_version_id
        assert f"{urn}: published version 1" in out.getvalue()
    published = AuditEvent.objects.filter(action="app.published")
    assert published.count() == 3  # the second load publishes nothing new
    inputs = published.get(target_urn="app:production/change-plan").details["inputs"]
    assert [(i["name"], i["type"]) for i in inputs] == [
        ("workspace_id", "text"),
        ("new_plan", "select"),
    ]
