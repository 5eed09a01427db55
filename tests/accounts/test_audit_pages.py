from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.audit import record_event
from accounts.models import AuditEvent

pytestmark = pytest.mark.django_db


def event(action, *, workspace=None, actor="system", **kwargs):
    with transaction.atomic():
        return record_event(actor=actor, action=action, workspace=workspace, **kwargs)


@pytest.fixture
def log(workspace, other_workspace, admin_user, viewer):
    return [
        event("notebook.ingested", workspace=workspace, actor=admin_user),
        event("grant.set", workspace=workspace, actor=admin_user),
        event("membership.added", workspace=workspace, actor=viewer),
        event("notebook.ingested", workspace=other_workspace),
        event("token.created"),
    ]


def test_a_workspace_admin_reads_only_their_workspaces_events(client, admin_user, log):
    client.force_login(admin_user)

    html = client.get("/audit/").content.decode()

    assert html.count("<code>notebook.ingested</code>") == 1
    assert "<code>grant.set</code>" in html
    assert "token.created" not in html


def test_staff_read_every_event(client, staff, log):
    client.force_login(staff)

    html = client.get("/audit/").content.decode()

    assert html.count("<code>notebook.ingested</code>") == 2
    assert "<code>token.created</code>" in html


def test_the_audit_page_filters_by_actor_action_workspace_and_time(client, staff, log, workspace):
    client.force_login(staff)
    today = timezone.localdate().isoformat()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    by_actor = client.get("/audit/", {"actor": "victor-viewer"}).content.decode()
    by_prefix = client.get("/audit/", {"action": "notebook."}).content.decode()
    by_workspace = client.get("/audit/", {"workspace": "analytics"}).content.decode()
    by_time = client.get("/audit/", {"since": tomorrow}).content.decode()
    until_today = client.get("/audit/", {"until": today}).content.decode()

    assert "membership.added" in by_actor and "grant.set" not in by_actor
    assert by_prefix.count("<code>notebook.ingested</code>") == 2 and "grant.set" not in by_prefix
    assert by_workspace.count("<code>notebook.ingested</code>") == 1
    assert "No events match." in by_time
    assert until_today.count("<tr>") == 1 + 5


@pytest.mark.parametrize("since", ["last tuesday", "2026-13-45", "2026-02-30T25:00"])
def test_a_bad_date_is_a_clear_error(client, staff, since):
    client.force_login(staff)

    response = client.get("/audit/", {"since": since})

    assert response.status_code == 400
    assert b"is not a date (YYYY-MM-DD)" in response.content


def test_an_admin_cannot_filter_into_a_workspace_they_do_not_administer(client, admin_user, log):
    client.force_login(admin_user)

    response = client.get("/audit/", {"workspace": "analytics"})

    assert response.status_code == 404


def test_the_csv_export_has_every_matching_event_and_is_itself_audited(client, admin_user, log):
    client.force_login(admin_user)

    response = client.get("/audit/export.csv", {"action": "notebook.ingested"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:4] == ["id", "created_at", "actor", "action"]
    assert [r[3] for r in rows[1:]] == ["notebook.ingested"]
    assert rows[1][2] == "alice-admin"
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.details == {"action": "notebook.ingested"}


def test_the_csv_export_neutralises_spreadsheet_formulas(client, staff, workspace):
    event("x.y", workspace=workspace, target_urn='=HYPERLINK("http://evil")')
    client.force_login(staff)

    body = b"".join(client.get("/audit/export.csv").streaming_content).decode()

    assert "'=HYPERLINK" in body


def test_the_audit_page_lists_a_hundred_events_in_few_queries(
    client, staff, workspace, django_assert_max_num_queries
):
    for i in range(150):
        event(f"test.e{i}", workspace=workspace)
    client.force_login(staff)

    with django_assert_max_num_queries(7):
        response = client.get("/audit/")

    assert response.content.count(b"<code>test.e") == 100


def test_the_audit_api_filters_and_paginates(log, admin_user, staff, workspace):
    api = APIClient()
    api.force_authenticate(staff)

    everything = api.get("/api/audit/").json()
    grants = api.get("/api/audit/", {"action": "grant.set", "workspace": "production"}).json()
    limited = api.get("/api/audit/", {"limit": 2}).json()

    assert everything["count"] == 5
    assert [e["action"] for e in grants["results"]] == ["grant.set"]
    assert grants["results"][0]["actor"] == "alice-admin"
    assert grants["results"][0]["workspace"] == "production"
    assert len(limited["results"]) == 2 and limited["next"]


def test_the_audit_api_refuses_people_who_administer_nothing(viewer, log):
    api = APIClient()
    api.force_authenticate(viewer)

    response = api.get("/api/audit/")

    assert response.status_code == 403
    assert response.json() == {"error": "The audit log is for workspace admins."}


def test_web_actions_record_the_client_address(client, admin_user, workspace, viewer):
    client.force_login(admin_user)
    membership = viewer.memberships.get()

    client.post(
        f"/w/{workspace.slug}/members/{membership.pk}/role/",
        {"role": "editor"},
        REMOTE_ADDR="203.0.113.9",
    )

    changed = AuditEvent.objects.get(action="membership.role_changed")
    assert changed.client_ip == "203.0.113.9"
    assert changed.details == {"from": "viewer", "to": "editor"}


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_forwarded_address_is_recorded(client, admin_user, workspace):
    client.force_login(admin_user)

    client.post(
        f"/w/{workspace.slug}/invites/",
        {"role": "viewer", "max_uses": 1, "expires_in_days": 1},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7, 192.0.2.44",
    )

    assert AuditEvent.objects.get(action="invite.created").client_ip == "192.0.2.44"


def test_a_forged_forwarded_header_is_ignored_without_a_trusted_proxy(
    client, admin_user, workspace
):
    client.force_login(admin_user)

    client.post(
        f"/w/{workspace.slug}/invites/",
        {"role": "viewer", "max_uses": 1, "expires_in_days": 1},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )

    assert AuditEvent.objects.get(action="invite.created").client_ip == "127.0.0.1"
