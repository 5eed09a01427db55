"""Asset-page sections are registered by their apps; every one renders, none is probed for."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from catalog.assets.sections import ASSET_KINDS, register_section, registered_sections
from catalog.models import App, Metric, Table
from tests.lineage.conftest import BILLING_DAILY, demo  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _page_of(kind: str) -> str:
    if kind == "table":
        return f"/tables/{Table.objects.get(name='analytics.billing_daily').pk}/"
    if kind == "metric":
        return f"/metrics/{Metric.objects.get(name='weekly_active_users').pk}/"
    return f"/apps/{App.objects.order_by('slug').first().pk}/"


def test_lineage_and_execution_register_their_sections_for_the_pages_they_serve():
    sections = {(s.slot, s.template): s.kinds for s in registered_sections()}

    assert sections == {
        ("lineage", "lineage/_asset_lineage.html"): ("table", "metric", "app"),
        ("lineage", "lineage/_table_history.html"): ("table",),
        ("runs", "execution/_asset_runs.html"): ("table", "app"),
        ("run_form", "execution/_app_run_form.html"): ("app",),
    }


def test_every_registered_section_renders_on_every_page_of_its_kinds(client, staff, demo):  # noqa: F811
    client.force_login(staff)
    rendered = {}
    for kind in ASSET_KINDS:
        response = client.get(_page_of(kind))
        assert response.status_code == 200, kind
        rendered[kind] = {t.name for t in response.templates}

    expected = {(s.template, kind) for s in registered_sections() for kind in s.kinds}
    missing = {(t, kind) for t, kind in expected if t not in rendered[kind]}
    assert missing == set()
    assert "lineage/_asset_lineage.html" in rendered["metric"]
    assert "execution/_app_run_form.html" not in rendered["table"]


def test_a_section_naming_a_missing_template_fails_at_registration():
    before = registered_sections()

    with pytest.raises(ImproperlyConfigured) as error:
        register_section(slot="lineage", template="lineage/_no_such_section.html")

    assert "lineage/_no_such_section.html" in str(error.value)
    assert registered_sections() == before


def test_a_section_for_an_unknown_slot_or_kind_is_refused():
    with pytest.raises(ImproperlyConfigured, match="Unknown asset-page slot 'sidebar'"):
        register_section(slot="sidebar", template="lineage/_asset_lineage.html")
    with pytest.raises(ImproperlyConfigured, match="kinds must be among"):
        register_section(slot="lineage", template="lineage/_asset_lineage.html", kinds=("wiki",))


def test_the_table_page_lists_what_feeds_and_uses_it_with_a_link_into_the_explorer(
    client,
    staff,
    demo,  # noqa: F811
):
    client.force_login(staff)

    html = client.get(_page_of("table")).content.decode()

    section = html[html.index('id="lineage"') :]
    upstream = section[section.index("lineage-upstream") : section.index("lineage-downstream")]
    downstream = section[section.index("lineage-downstream") :]
    assert "denormalize_billing.ipynb" in upstream
    assert "churn_prediction.ipynb" in downstream
    assert "churn_prediction.ipynb" not in upstream
    assert 'class="small explorer-link" href="/lineage/?urn=' in section
    assert BILLING_DAILY.replace(":", "%3A").split("//")[0] in section
