"""Tokens issued in clear (DRF's authtoken table) are hashed by the migration and keep
working; the clear keys are deleted."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.factories import add_member, make_user, make_workspace

CLEAR_KEY = "0123456789abcdef0123456789abcdef01234567"


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.fixture
def authtoken_table():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created timestamp with time zone NOT NULL, user_id bigint NOT NULL UNIQUE)"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE authtoken_token")
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_clear_tokens_and_deletes_them(authtoken_table):
    person = make_user("tess-token")
    add_member(person, make_workspace("production"), "viewer")
    created = timezone.now().replace(microsecond=0) - timezone.timedelta(days=30)
    migrate([("accounts", "0004_audit_event_seal")])
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [CLEAR_KEY, created, person.pk],
        )

    migrate([("accounts", "0005_api_token_hashed")])

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone() == (0,)
    token = ApiToken.objects.get(user=person)
    assert token.key_hash != CLEAR_KEY
    assert token.created == created
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {CLEAR_KEY}")
    assert [w["slug"] for w in api.get("/api/workspaces/").json()] == ["production"]
