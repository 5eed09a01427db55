"""API tokens: stored hashed like invite tokens, shown once, revoked by a password change."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a much longer river of words"


def new_token(client, user) -> str:
    """Create a token on the account page and read it off the one page that shows it."""
    client.force_login(user)
    client.post("/account/token/")
    page = client.get("/account/").content.decode()
    return re.search(r'value="([^"]+)"[^>]*aria-label="New API token"', page).group(1)


def api_status(key: str) -> int:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get("/api/workspaces/").status_code


def every_stored_value() -> str:
    """Every value of every row of every table, as text: what a copy of the database
    (or a kernel that reads its file) would hold."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            found.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(found)


def test_the_api_token_is_shown_once_and_works(client, viewer):
    key = new_token(client, viewer)

    again = client.get("/account/").content.decode()

    assert key not in again
    assert "You have a token" in again
    assert api_status(key) == 200
    assert AuditEvent.objects.get(action="token.created").actor == viewer


def test_the_database_holds_only_the_tokens_hash(client, viewer):
    key = new_token(client, viewer)

    stored = every_stored_value()

    assert key not in stored
    assert api_status(key) == 200


def test_a_wrong_or_malformed_token_is_refused(viewer, client):
    key = new_token(client, viewer)
    near_miss = key[:-1] + ("0" if key[-1] != "0" else "1")
    for wrong, detail in (
        (near_miss, "Invalid token."),
        ("x" * 40, "Invalid token."),
        ("ü" * 5, "Invalid token header. Token string should not contain invalid characters."),
    ):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {wrong}")
        refused = api.get("/api/workspaces/")
        assert (refused.status_code, refused.json()) == (403, {"detail": detail})


def test_replacing_and_revoking_a_token_stop_the_old_one(client, viewer):
    old = new_token(client, viewer)
    new = new_token(client, viewer)

    assert api_status(old) == 403
    assert api_status(new) == 200
    client.post("/account/token/revoke/")
    assert api_status(new) == 403
    assert [e.action for e in AuditEvent.objects.all()] == [
        "token.created",
        "token.created",
        "token.revoked",
    ]


def test_changing_the_password_on_the_account_page_revokes_the_token(client, viewer):
    key = new_token(client, viewer)

    changed = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert changed.status_code == 302
    assert api_status(key) == 403
    assert "You have no API token" in client.get("/account/").content.decode()
    revoked = AuditEvent.objects.get(action="token.revoked")
    assert (revoked.actor_name, revoked.details) == (
        "victor-viewer",
        {"reason": "password changed"},
    )


def test_a_password_set_anywhere_else_revokes_the_token_too(client, viewer):
    key = new_token(client, viewer)
    user = get_user_model().objects.get(pk=viewer.pk)

    user.set_password(NEW_PASSWORD)
    user.save()

    assert api_status(key) == 403


def test_saving_a_person_without_a_new_password_keeps_the_token(client, viewer):
    key = new_token(client, viewer)
    user = get_user_model().objects.get(pk=viewer.pk)

    user.email = "victor@example.com"
    user.save()
    client.force_login(user)  # updates last_login only

    assert api_status(key) == 200
    assert not AuditEvent.objects.filter(action="token.revoked").exists()


def test_the_changepassword_command_revokes_the_token(client, viewer, monkeypatch):
    key = new_token(client, viewer)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)

    call_command("changepassword", "victor-viewer", stdout=StringIO())

    assert api_status(key) == 403
