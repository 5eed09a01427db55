"""The workspace admin's pages: members, teams, sharing."""

from __future__ import annotations

import pytest

from accounts import services
from accounts.access import can
from accounts.models import AuditEvent, Membership, TeamMembership
from tests.factories import add_member, make_team, make_user, put_notebook

pytestmark = pytest.mark.django_db


def test_the_members_page_lists_members_in_few_queries(
    client, admin_user, workspace, django_assert_max_num_queries
):
    for i in range(30):
        add_member(make_user(f"member{i:02}"), workspace, "viewer")
    client.force_login(admin_user)

    with django_assert_max_num_queries(7):
        response = client.get(f"/w/{workspace.slug}/members/")

    assert response.content.count(b'action="/w/production/members/') == 2 * 31


def test_an_admin_adds_an_existing_person_and_changes_their_role(client, admin_user, workspace):
    newcomer = make_user("newcomer")
    client.force_login(admin_user)

    client.post(f"/w/{workspace.slug}/members/", {"username": "newcomer", "role": "runner"})
    membership = Membership.objects.get(user=newcomer)
    client.post(f"/w/{workspace.slug}/members/{membership.pk}/role/", {"role": "editor"})

    assert Membership.objects.get(user=newcomer).role == "editor"
    assert [e.action for e in AuditEvent.objects.filter(target_urn="user:newcomer")] == [
        "membership.added",
        "membership.role_changed",
    ]


def test_adding_an_unknown_person_says_so(client, admin_user, workspace):
    client.force_login(admin_user)

    response = client.post(
        f"/w/{workspace.slug}/members/", {"username": "nobody", "role": "viewer"}, follow=True
    )

    assert b"No active user is named &#x27;nobody&#x27;." in response.content


def test_an_admin_removes_a_member(client, admin_user, viewer, workspace):
    client.force_login(admin_user)
    membership = viewer.memberships.get()

    client.post(f"/w/{workspace.slug}/members/{membership.pk}/remove/")

    assert not Membership.objects.filter(user=viewer).exists()
    assert AuditEvent.objects.get(action="membership.removed").details == {"role": "viewer"}


def test_the_last_admin_cannot_be_removed_or_demoted(client, admin_user, workspace):
    client.force_login(admin_user)
    membership = admin_user.memberships.get()

    demoted = client.post(
        f"/w/{workspace.slug}/members/{membership.pk}/role/", {"role": "viewer"}, follow=True
    )
    client.post(f"/w/{workspace.slug}/members/{membership.pk}/remove/")

    assert b"needs at least one admin" in demoted.content
    assert Membership.objects.get(user=admin_user).role == "admin"


def test_a_member_of_one_workspace_cannot_be_changed_through_another(
    client, outsider, viewer, other_workspace
):
    client.force_login(outsider)  # admin of 'analytics'
    membership = viewer.memberships.get()  # in 'production'

    response = client.post(f"/w/{other_workspace.slug}/members/{membership.pk}/remove/")

    assert response.status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_an_admin_gives_a_new_team_a_role(client, admin_user, workspace):
    client.force_login(admin_user)

    client.post(f"/w/{workspace.slug}/teams/", {"team": "data-eng", "role": "editor"})

    team_role = TeamMembership.objects.get()
    assert (team_role.team.name, team_role.role) == ("data-eng", "editor")
    assert [e.action for e in AuditEvent.objects.all()] == ["team.created", "team_role.set"]


def test_the_teams_page_lists_teams_and_members_in_few_queries(
    client, admin_user, workspace, django_assert_max_num_queries
):
    for i in range(8):
        team = make_team(f"team{i}", workspace=workspace, role="viewer")
        for j in range(3):
            team.user_set.add(make_user(f"t{i}m{j}"))
    client.force_login(admin_user)

    with django_assert_max_num_queries(9):
        response = client.get(f"/w/{workspace.slug}/teams/")

    assert b"t7m2" in response.content


def test_an_admin_of_every_workspace_a_team_reaches_manages_its_members(
    client, admin_user, team, workspace
):
    person = make_user("pat")
    client.force_login(admin_user)

    client.post(f"/teams/{team.pk}/", {"username": "pat"})
    assert team.user_set.filter(pk=person.pk).exists()
    assert can(person, "run", workspace)

    client.post(f"/teams/{team.pk}/members/{person.pk}/remove/")
    assert not team.user_set.filter(pk=person.pk).exists()
    assert [e.action for e in AuditEvent.objects.filter(target_urn="team:support")] == [
        "team.member_added",
        "team.member_removed",
    ]


def test_a_team_reaching_another_workspace_cannot_be_changed_by_this_ones_admin(
    client, admin_user, team, other_workspace
):
    TeamMembership.objects.create(team=team, workspace=other_workspace, role="admin")
    client.force_login(admin_user)

    response = client.post(f"/teams/{team.pk}/", {"username": "alice-admin"})

    assert response.status_code == 403
    assert not team.user_set.exists()


def test_an_admin_shares_a_notebook_read_only_with_an_outsider(
    client, admin_user, outsider, notebook, workspace
):
    client.force_login(admin_user)

    client.post(
        f"/w/{workspace.slug}/sharing/",
        {
            "object": f"catalog.notebook:{notebook.pk}",
            "holder_kind": "user",
            "holder": "oscar-outsider",
            "level": "view",
        },
    )

    assert can(outsider, "view", notebook)
    assert not can(outsider, "run", notebook)
    event = AuditEvent.objects.get(action="grant.set")
    assert event.details == {"holder": "user:oscar-outsider", "from": None, "to": "view"}
    assert event.target_urn == notebook.urn


def test_an_admin_shares_with_a_team_read_and_run_then_stops(
    client, admin_user, notebook, workspace
):
    team = make_team("sales")
    seller = make_user("sally")
    team.user_set.add(seller)
    client.force_login(admin_user)

    client.post(
        f"/w/{workspace.slug}/sharing/",
        {
            "object": f"catalog.notebook:{notebook.pk}",
            "holder_kind": "team",
            "holder": "sales",
            "level": "run",
        },
    )
    assert can(seller, "run", notebook)
    page = client.get(f"/w/{workspace.slug}/sharing/").content.decode()
    client.post(
        f"/w/{workspace.slug}/sharing/revoke/",
        {"object": f"catalog.notebook:{notebook.pk}", "holder": f"team:{team.pk}"},
    )

    assert "team sales" in page and "read and run" in page
    seller = type(seller).objects.get(pk=seller.pk)
    assert not can(seller, "view", notebook)
    assert AuditEvent.objects.filter(action="grant.revoked").count() == 1


def test_a_notebook_of_another_workspace_cannot_be_shared_from_this_one(
    client, outsider, other_workspace, notebook
):
    client.force_login(outsider)  # admin of 'analytics'; the notebook is in 'production'

    response = client.post(
        f"/w/{other_workspace.slug}/sharing/",
        {
            "object": f"catalog.notebook:{notebook.pk}",
            "holder_kind": "user",
            "holder": "oscar-outsider",
            "level": "run",
        },
    )

    assert response.status_code == 404
    assert not can(outsider, "view", notebook)


def test_the_sharing_page_lists_grants_in_few_queries(
    client, admin_user, workspace, django_assert_max_num_queries
):
    for i in range(10):
        nb = put_notebook(workspace, f"n{i}.ipynb")
        services.share_object(actor=admin_user, obj=nb, holder=make_user(f"g{i}"), level="view")
        services.share_object(actor=admin_user, obj=nb, holder=make_team(f"team{i}"), level="run")
    client.force_login(admin_user)

    # A fixed number per shareable model (notebooks, apps), however many grants there are.
    with django_assert_max_num_queries(15):
        response = client.get(f"/w/{workspace.slug}/sharing/")

    assert response.content.count(b"Stop sharing") == 20


def test_the_workspace_page_links_admin_pages_only_for_admins(
    client, admin_user, viewer, workspace
):
    client.force_login(viewer)
    as_viewer = client.get(f"/w/{workspace.slug}/").content.decode()
    client.force_login(admin_user)
    as_admin = client.get(f"/w/{workspace.slug}/").content.decode()

    assert "/w/production/members/" not in as_viewer
    assert "/audit/" not in as_viewer
    for link in ("members/", "teams/", "sharing/", "invites/", "reviews/"):
        assert f"/w/production/{link}" in as_admin
    assert 'href="/audit/"' in as_admin
