from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import ImproperSetting
from config.oidc import oidc_settings

ROOT = Path(__file__).resolve().parents[2]
CONFIGURED = {
    "OIDC_RP_CLIENT_ID": "tributary",
    "OIDC_RP_CLIENT_SECRET": "s3cret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://id.example/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://id.example/token",
    "OIDC_OP_USER_ENDPOINT": "https://id.example/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://id.example/jwks",
}


def test_without_a_client_id_there_is_no_single_sign_on(monkeypatch):
    monkeypatch.delenv("OIDC_RP_CLIENT_ID", raising=False)

    assert oidc_settings() == {}


def test_a_client_id_without_its_endpoints_fails_loudly(monkeypatch):
    monkeypatch.setenv("OIDC_RP_CLIENT_ID", "tributary")

    with pytest.raises(ImproperSetting, match="OIDC_RP_CLIENT_SECRET"):
        oidc_settings()


def test_rs256_needs_the_providers_keys(monkeypatch):
    for name, value in CONFIGURED.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("OIDC_OP_JWKS_ENDPOINT")

    with pytest.raises(ImproperSetting, match="needs OIDC_OP_JWKS_ENDPOINT"):
        oidc_settings()


def test_a_configured_provider_adds_the_backend_and_its_urls():
    """Checked in a fresh process: settings and URLs are read once at start-up."""
    script = (
        "import django; django.setup();"
        "from django.conf import settings; from django.urls import reverse;"
        "print(settings.OIDC_ENABLED, settings.AUTHENTICATION_BACKENDS[-1],"
        " reverse('oidc_authentication_init'), settings.OIDC_RP_SCOPES)"
    )
    env = {**os.environ, **CONFIGURED, "DJANGO_SETTINGS_MODULE": "config.settings"}

    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "accounts.oidc.TributaryOIDCBackend",
        "/oidc/authenticate/",
        "openid",
        "email",
        "profile",
    ]
