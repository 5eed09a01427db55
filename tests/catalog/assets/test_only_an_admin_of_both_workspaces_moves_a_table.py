"""Moving a table's home: an explicit action of an admin of both workspaces, audited twice."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from catalog.models import Table
from tests.factories import add_member, make_user
from tests.kb_factories import make_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def table(workspace):
    return make_table(workspace, "core.users", description="People", owner_email="o@x.io")


@pytest.fixture
def admin_of_both(workspace, other_workspace):
    user = make_user("bo-both")
    add_member(user, workspace, "admin")
    add_member(user, other_workspace, "admin")
    return user


def test_an_admin_of_both_moves_it_and_both_logs_say_so(
    client, table, admin_of_both, other_workspace, workspace
):
    client.force_login(admin_of_both)

    response = client.post(f"/tables/{table.pk}/move/", {"workspace": "analytics"})

    assert response.status_code == 302
    table.refresh_from_db()
    assert (table.workspace, table.home_is_settled, table.description) == (
        other_workspace,
        True,
        "People",
    )
    events = AuditEvent.objects.filter(action="table.moved", target_urn=table.urn)
    assert sorted(e.workspace.slug for e in events) == ["analytics", "production"]
    assert {(e.details["from"], e.details["to"]) for e in events} == {("production", "analytics")}


def test_the_api_moves_it_and_answers_with_the_new_home(client, table, admin_of_both):
    client.force_login(admin_of_both)

    response = client.post(
        f"/api/tables/{table.pk}/move/", {"workspace": "analytics"}, content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json() == {"urn": table.urn, "workspace": "analytics"}


@pytest.mark.parametrize("slug", ["analytics", "nowhere", "", "production"])
def test_an_admin_of_the_home_alone_cannot_move_it_and_nothing_changes(
    client, table, admin_user, workspace, slug
):
    client.force_login(admin_user)

    response = client.post(
        f"/api/tables/{table.pk}/move/", {"workspace": slug}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["field"] == "workspace"
    assert Table.objects.get(pk=table.pk).workspace == workspace
    assert not AuditEvent.objects.filter(action="table.moved").exists()


def test_the_page_offers_the_move_only_to_admins_of_both(client, table, admin_of_both, admin_user):
    client.force_login(admin_user)
    assert "table-move" not in client.get(f"/tables/{table.pk}/").content.decode()

    client.force_login(admin_of_both)
    assert 'value="analytics"' in client.get(f"/tables/{table.pk}/").content.decode()
