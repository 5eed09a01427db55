"""Someone without an account accepts an invite: the link offers "create an account"
(user name, e-mail, a password that passes the validators) or single sign-on when it is
configured; the invite's role applies, every step is audited, and a bad field is a 400
naming it with nothing created."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts import invites
from accounts.models import AuditEvent, Invite, Membership

pytestmark = pytest.mark.django_db

GOOD = {
    "username": "nina-new",
    "email": "nina@example.com",
    "password1": "plum orchard at dusk 42",
    "password2": "plum orchard at dusk 42",
}


@pytest.fixture
def issued(admin_user, workspace):
    return invites.create_invite(actor=admin_user, workspace=workspace, role="runner")


def sign_up(client, token, **fields):
    return client.post(f"/invites/{token}/sign-up/", {**GOOD, **fields})


def nothing_created(invite) -> bool:
    invite.refresh_from_db()
    return (
        not get_user_model().objects.filter(username__iexact=GOOD["username"]).exists()
        and invite.use_count == 0
        and not AuditEvent.objects.exclude(action="invite.created").exists()
    )


def test_the_link_offers_to_sign_in_or_create_an_account(client, issued):
    page = client.get(f"/invites/{issued.token}/").text

    assert "Sign in to accept" in page
    assert "Create an account" in page
    assert f'action="/invites/{issued.token}/sign-up/"' in page
    for name in ("username", "email", "password1", "password2"):
        assert f'name="{name}"' in page
    assert "single sign-on" not in page


def test_a_new_account_joins_with_the_invites_role_and_is_signed_in(client, issued, workspace):
    response = sign_up(client, issued.token)

    assert response.status_code == 302 and response.url == f"/w/{workspace.slug}/"
    user = get_user_model().objects.get(username="nina-new")
    assert user.email == "nina@example.com" and user.check_password(GOOD["password1"])
    assert Membership.objects.get(user=user, workspace=workspace).role == "runner"
    assert Invite.objects.get().use_count == 1
    # Signed in as nina: the workspace page opens, with the welcome.
    assert "Welcome, nina-new: you are a runner of Production." in client.get(response.url).text
    assert client.session["_auth_user_id"] == str(user.pk)


def test_each_step_is_audited_in_the_workspace(client, issued, workspace):
    sign_up(client, issued.token)

    events = list(AuditEvent.objects.exclude(action="invite.created").order_by("id"))
    assert [(e.action, e.actor.username, e.workspace) for e in events] == [
        ("user.created", "nina-new", workspace),
        ("invite.accepted", "nina-new", workspace),
    ]
    assert events[0].details == {"via": "invite", "invite": issued.invite.urn}
    assert events[0].target_urn == "user:nina-new"
    assert events[1].details["role"] == "runner"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"username": "alice-admin"}, "username", "A user with that username already exists."),
        ({"username": "ALICE-ADMIN"}, "username", "A user with that username already exists."),
        ({"username": "no spaces!"}, "username", "Enter a valid username."),
        ({"username": ""}, "username", "This field is required."),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"email": ""}, "email", "This field is required."),
        (
            {"password1": "password", "password2": "password"},
            "password2",
            "This password is too common.",
        ),
        (
            {"password1": "31415926535", "password2": "31415926535"},
            "password2",
            "This password is entirely numeric.",
        ),
        (
            {"password1": "k3q!", "password2": "k3q!"},
            "password2",
            "This password is too short. It must contain at least 8 characters.",
        ),
        (
            {"password1": "nina-new-1", "password2": "nina-new-1"},
            "password2",
            "The password is too similar to the username.",
        ),
        ({"password2": "another phrase entirely"}, "password2", "The two password fields"),
    ],
)
def test_a_bad_field_is_a_400_naming_it_and_nothing_is_created(
    client, issued, admin_user, fields, field, message
):
    response = sign_up(client, issued.token, **fields)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert any(message in error for error in errors[field]), errors
    assert "The account was not created" in response.text
    assert f'data-field="{field}"' in response.text
    assert nothing_created(issued.invite)
    assert "_auth_user_id" not in client.session


def test_an_expired_invite_creates_no_account(client, issued):
    Invite.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    response = sign_up(client, issued.token)

    assert response.status_code == 410
    assert "expired" in response.text
    assert nothing_created(issued.invite)


def test_a_revoked_invite_creates_no_account(client, issued, admin_user):
    invites.revoke_invite(actor=admin_user, invite=issued.invite)

    response = sign_up(client, issued.token)

    assert response.status_code == 410
    assert not get_user_model().objects.filter(username="nina-new").exists()


def test_a_used_up_invite_creates_no_second_account(client, issued):
    sign_up(client, issued.token)
    client.logout()

    response = sign_up(client, issued.token, username="otto-other", email="otto@example.com")

    assert response.status_code == 410
    assert not get_user_model().objects.filter(username="otto-other").exists()
    assert Invite.objects.get().use_count == 1


def test_a_forged_link_is_a_404(client, issued):
    response = sign_up(client, "x" * 43)

    assert response.status_code == 404
    assert not get_user_model().objects.filter(username="nina-new").exists()


def test_someone_signed_in_is_sent_to_accept_instead(client, issued, viewer):
    client.force_login(viewer)

    response = sign_up(client, issued.token)

    assert response.status_code == 302 and response.url == f"/invites/{issued.token}/"
    assert not get_user_model().objects.filter(username="nina-new").exists()


def test_a_sign_up_form_without_its_csrf_token_is_refused(issued):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(f"/invites/{issued.token}/sign-up/", GOOD)

    assert response.status_code == 403
    assert not get_user_model().objects.filter(username="nina-new").exists()


@pytest.fixture
def single_sign_on(settings):
    settings.ROOT_URLCONF = "tests.accounts.oidc_urls"
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "tributary"
    settings.OIDC_RP_CLIENT_SECRET = "not-a-real-secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://sso.example.com/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://sso.example.com/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://sso.example.com/userinfo"
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    backends = settings.AUTHENTICATION_BACKENDS
    settings.AUTHENTICATION_BACKENDS = [*backends, "accounts.oidc.TributaryOIDCBackend"]


def test_with_single_sign_on_the_link_offers_it_and_comes_back_to_the_invite(
    client, issued, single_sign_on
):
    page = client.get(f"/invites/{issued.token}/").text
    sso = f'href="/oidc/authenticate/?next=/invites/{issued.token}/"'

    assert sso in page
    response = client.get(f"/oidc/authenticate/?next=/invites/{issued.token}/")
    assert response.status_code == 302
    sent = urlparse(response.url)
    assert f"{sent.scheme}://{sent.netloc}{sent.path}" == "https://sso.example.com/authorize"
    assert parse_qs(sent.query)["client_id"] == ["tributary"]
    assert client.session["oidc_login_next"] == f"/invites/{issued.token}/"


def test_a_person_new_through_single_sign_on_accepts_with_the_invites_role(
    client, issued, workspace, single_sign_on
):
    from accounts.oidc import TributaryOIDCBackend

    # What the provider's callback does for a new person (the provider is off this machine).
    user = TributaryOIDCBackend().create_user(
        {"email": "sso@example.com", "preferred_username": "sam-sso", "email_verified": True}
    )
    client.force_login(user, backend="accounts.oidc.TributaryOIDCBackend")

    response = client.post(f"/invites/{issued.token}/")

    assert response.status_code == 302 and response.url == f"/w/{workspace.slug}/"
    assert Membership.objects.get(user=user, workspace=workspace).role == "runner"
    actions = list(
        AuditEvent.objects.exclude(action="invite.created")
        .order_by("id")
        .values_list("action", "details__via")
    )
    assert actions == [("user.created", "oidc"), ("invite.accepted", None)]
