"""With DEBUG on, the technical 500 page shows no database URL, password or secret."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import make_user

pytestmark = pytest.mark.django_db

# Built at run time: the technical page quotes this file's source around the crash, and a
# literal secret there would be found on the page for the wrong reason.
DB_PASS, BROKER_PASS, TOKEN = (
    "-".join(p) for p in (("s3cret", "db"), ("broker", "77"), ("gw", "9"))
)
DB_HOST = "db" + ".internal"
DATABASE_URL = f"postgres://tributary:{DB_PASS}@{DB_HOST}:5432/tributary"
BROKER_URL = f"redis://:{BROKER_PASS}@cache.internal:6379/0"


@pytest.fixture
def crash(settings, monkeypatch):
    settings.DEBUG = True
    settings.DATABASE_URL = DATABASE_URL
    settings.CELERY_BROKER_URL = BROKER_URL
    settings.KERNEL_GATEWAY_TOKEN = TOKEN
    monkeypatch.setenv("DATABASE_URL", DATABASE_URL)
    from catalog import selectors

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "workspaces_for", boom)


@pytest.mark.parametrize("path", ["/", "/api/workspaces/"])
def test_the_technical_500_page_masks_urls_with_credentials_and_secrets(crash, settings, path):
    client = Client(raise_request_exception=False, HTTP_ACCEPT="text/html")
    client.force_login(make_user("sam", is_staff=True))

    response = client.get(path, HTTP_X_SECRET="x", DATABASE_URL=DATABASE_URL)

    text = response.content.decode()
    assert response.status_code == 500
    assert "RuntimeError" in text  # it is the technical page, still useful
    for secret in (DB_PASS, BROKER_PASS, TOKEN, settings.SECRET_KEY, DB_HOST):
        assert secret not in text
    assert "DATABASE_URL" in text  # the name stays, the value is masked
