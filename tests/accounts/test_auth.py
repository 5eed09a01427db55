from __future__ import annotations

import pytest
from django.conf import settings

from accounts.models import AuditEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def sign_in(client, username, password, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def test_signing_in_with_the_right_password_works(client, viewer):
    response = sign_in(client, "victor-viewer", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_signing_in_follows_a_safe_next_url_only(client, viewer):
    inside = client.post(
        "/login/", {"username": "victor-viewer", "password": PASSWORD, "next": "/w/production/"}
    )
    client.logout()
    outside = client.post(
        "/login/", {"username": "victor-viewer", "password": PASSWORD, "next": "https://evil.test/"}
    )

    assert inside["Location"] == "/w/production/"
    assert outside["Location"] == "/"


def test_a_wrong_password_says_so(client, viewer):
    response = sign_in(client, "victor-viewer", "nope")

    assert response.status_code == 200
    assert b"didn't match" in response.content


def test_it_locks_out_a_person_after_five_failures_with_a_clear_message(client, viewer):
    for _ in range(4):
        assert sign_in(client, "victor-viewer", "wrong").status_code == 200

    fifth = sign_in(client, "victor-viewer", "wrong")
    right_password = sign_in(client, "victor-viewer", PASSWORD)

    assert fifth.status_code == 429
    assert b"Too many failed sign-ins" in fifth.content
    assert right_password.status_code == 429
    assert "_auth_user_id" not in client.session
    locked = AuditEvent.objects.get(action="auth.locked_out")
    assert (locked.target_urn, locked.client_ip) == ("user:victor-viewer", "127.0.0.1")


def test_a_lockout_is_per_address(client, viewer):
    for _ in range(5):
        sign_in(client, "victor-viewer", "wrong", REMOTE_ADDR="192.0.2.1")

    elsewhere = sign_in(client, "victor-viewer", PASSWORD, REMOTE_ADDR="192.0.2.2")

    assert elsewhere.status_code == 302


def test_one_address_trying_many_names_is_locked_out_too(client, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 6
    for i in range(6):
        sign_in(client, f"guess{i}", "wrong")
    make_user("real")

    response = sign_in(client, "real", PASSWORD)

    assert response.status_code == 429


def test_a_successful_sign_in_clears_earlier_failures(client, viewer):
    for _ in range(4):
        sign_in(client, "victor-viewer", "wrong")
    sign_in(client, "victor-viewer", PASSWORD)
    client.logout()

    for _ in range(4):
        assert sign_in(client, "victor-viewer", "wrong").status_code == 200


def test_the_django_admin_sign_in_is_rate_limited_too(client, staff):
    for _ in range(5):
        client.post("/admin/login/", {"username": "sam-staff", "password": "wrong"})

    response = client.post(
        "/admin/login/?next=/admin/", {"username": "sam-staff", "password": PASSWORD}
    )

    assert response.status_code == 200  # the admin form, refusing
    assert "_auth_user_id" not in client.session


def test_a_password_change_is_validated_and_audited(client, viewer):
    client.force_login(viewer)

    weak = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    strong = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a much longer river of words",
            "new_password2": "a much longer river of words",
        },
    )

    assert weak.status_code == 200
    assert b"too common" in weak.content
    assert strong.status_code == 302
    assert AuditEvent.objects.get(action="password.changed").actor == viewer


def test_session_cookies_are_http_only_and_same_site():
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_AGE <= 24 * 3600


def test_single_sign_on_is_off_by_default(client):
    assert settings.OIDC_ENABLED is False
    assert "mozilla_django_oidc" not in settings.INSTALLED_APPS
    assert b"single sign-on" not in client.get("/login/").content
