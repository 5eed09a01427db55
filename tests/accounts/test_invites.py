from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import invites
from accounts.errors import Gone, NotFound
from accounts.models import AuditEvent, Invite, Membership
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def invite_link(client, admin_user, workspace, **form):
    client.force_login(admin_user)
    data = {"role": "viewer", "max_uses": 1, "expires_in_days": 7, "note": "", **form}
    client.post(f"/w/{workspace.slug}/invites/", data)
    html = client.get(f"/w/{workspace.slug}/invites/").content.decode()
    found = re.search(r'value="(http://testserver/invites/([A-Za-z0-9_-]+)/)"', html)
    client.logout()
    return found.group(1) if found else None, found.group(2) if found else None


def test_an_invite_stores_only_the_hash_of_its_token(admin_user, workspace):
    issued = invites.create_invite(actor=admin_user, workspace=workspace, role="runner")

    stored = Invite.objects.get()
    assert stored.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in str(Invite.objects.values().get())
    event = AuditEvent.objects.get(action="invite.created")
    assert (event.actor, event.details["role"]) == (admin_user, "runner")


def test_the_invite_link_is_shown_once(client, admin_user, workspace):
    link, token = invite_link(client, admin_user, workspace)
    client.force_login(admin_user)

    again = client.get(f"/w/{workspace.slug}/invites/").content.decode()

    assert link is not None
    assert token not in again


def test_accepting_an_invite_creates_the_membership_and_audits_it(client, admin_user, workspace):
    _, token = invite_link(client, admin_user, workspace, role="editor")
    newcomer = make_user("nina-new")
    client.force_login(newcomer)

    response = client.post(f"/invites/{token}/")

    assert response.status_code == 302
    assert response["Location"] == f"/w/{workspace.slug}/"
    assert Membership.objects.get(user=newcomer, workspace=workspace).role == "editor"
    event = AuditEvent.objects.get(action="invite.accepted")
    assert (event.actor, event.workspace, event.client_ip) == (newcomer, workspace, "127.0.0.1")
    assert Invite.objects.get().use_count == 1


def test_anonymous_visitors_see_the_offer_and_are_asked_to_sign_in(client, admin_user, workspace):
    _, token = invite_link(client, admin_user, workspace)

    page = client.get(f"/invites/{token}/")
    accept = client.post(f"/invites/{token}/")

    assert page.status_code == 200
    assert b"Sign in to accept" in page.content
    assert accept.status_code == 302
    assert accept["Location"].startswith(f"/login/?next=/invites/{token}/")
    assert Invite.objects.get().use_count == 0


def test_an_invite_raises_a_lower_role_and_never_lowers_a_higher_one(admin_user, workspace, viewer):
    issued = invites.create_invite(actor=admin_user, workspace=workspace, role="editor", max_uses=3)

    raised = invites.accept_invite(actor=viewer, token=issued.token)
    kept = invites.accept_invite(actor=admin_user, token=issued.token)

    assert (raised.outcome, raised.membership.role) == ("upgraded", "editor")
    assert (kept.outcome, kept.membership.role) == ("already", "admin")
    assert Invite.objects.get().use_count == 1


def test_it_rejects_an_expired_invite_with_a_clear_page(client, admin_user, workspace):
    issued = invites.create_invite(actor=admin_user, workspace=workspace, role="viewer")
    Invite.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(make_user("late"))

    page = client.get(f"/invites/{issued.token}/")
    accept = client.post(f"/invites/{issued.token}/")

    assert page.status_code == 410
    assert b"This invite expired on" in page.content
    assert accept.status_code == 410
    assert not Membership.objects.filter(user__username="late").exists()
    assert AuditEvent.objects.get(action="invite.refused").details == {"reason": "expired"}


def test_it_rejects_a_revoked_invite_with_a_clear_page(client, admin_user, workspace):
    _, token = invite_link(client, admin_user, workspace)
    client.force_login(admin_user)
    client.post(f"/w/{workspace.slug}/invites/{Invite.objects.get().pk}/revoke/")
    client.force_login(make_user("late"))

    response = client.post(f"/invites/{token}/")

    assert response.status_code == 410
    assert b"withdrawn by a workspace admin" in response.content
    assert AuditEvent.objects.filter(action="invite.revoked").count() == 1


def test_it_rejects_a_used_up_invite_with_a_clear_page(client, admin_user, workspace):
    issued = invites.create_invite(actor=admin_user, workspace=workspace, role="viewer")
    invites.accept_invite(actor=make_user("first"), token=issued.token)
    client.force_login(make_user("second"))

    response = client.post(f"/invites/{issued.token}/")

    assert response.status_code == 410
    assert b"used as many times as it allows" in response.content
    assert Membership.objects.filter(workspace=workspace, user__username="second").count() == 0


@pytest.mark.parametrize("token", ["x", "A" * 43, "not a token at all", "A" * 500])
def test_it_answers_a_forged_token_with_not_found(client, token, viewer):
    client.force_login(viewer)

    page = client.get(f"/invites/{token}/")
    accept = client.post(f"/invites/{token}/")

    assert page.status_code == 404
    assert b"This invite link is not valid" in page.content
    assert accept.status_code == 404


def test_the_invites_page_lists_invites_in_few_queries(
    client, admin_user, workspace, django_assert_max_num_queries
):
    for i in range(12):
        issued = invites.create_invite(actor=admin_user, workspace=workspace, role="viewer")
        if i % 3 == 0:
            invites.accept_invite(actor=make_user(f"u{i}"), token=issued.token)
    client.force_login(admin_user)

    with django_assert_max_num_queries(8):
        response = client.get(f"/w/{workspace.slug}/invites/")

    assert response.content.count(b"used up") == 4
    assert response.content.count(b">active<") == 8


def test_an_invite_for_one_workspace_cannot_be_revoked_through_another(
    client, outsider, other_workspace, admin_user, workspace
):
    issued = invites.create_invite(actor=admin_user, workspace=workspace, role="viewer")
    client.force_login(outsider)  # admin of 'analytics'

    response = client.post(f"/w/{other_workspace.slug}/invites/{issued.invite.pk}/revoke/")

    assert response.status_code == 404
    assert Invite.objects.get().revoked_at is None


def test_it_refuses_unreasonable_limits(admin_user, workspace):
    from accounts.errors import InvalidInput

    with pytest.raises(InvalidInput, match="1 to 1000 times"):
        invites.create_invite(actor=admin_user, workspace=workspace, role="viewer", max_uses=0)
    with pytest.raises(InvalidInput, match="1 to 90 days"):
        invites.create_invite(
            actor=admin_user, workspace=workspace, role="viewer", expires_in_days=365
        )


def test_check_invite_separates_forged_from_gone(admin_user, workspace):
    issued = invites.create_invite(actor=admin_user, workspace=workspace, role="viewer")
    invites.revoke_invite(actor=admin_user, invite=issued.invite)

    with pytest.raises(Gone):
        invites.check_invite(issued.token)
    with pytest.raises(NotFound):
        invites.check_invite(issued.token[:-1] + ("A" if issued.token[-1] != "A" else "B"))


def test_adding_a_member_who_is_already_one_is_refused(admin_user, workspace, viewer):
    from accounts.errors import Conflict
    from accounts.services import add_member as add

    with pytest.raises(Conflict, match="already a member"):
        add(actor=admin_user, workspace=workspace, user=viewer, role="editor")
