"""The Content-Security-Policy (django-csp) allows no inline script on any page; with DEBUG
off, responses carry HSTS and the cookies are Secure."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.django_db
def test_every_page_gets_a_policy_that_allows_only_our_own_scripts(client, viewer):
    client.force_login(viewer)

    rules = policy(client.get("/"))

    assert rules["script-src"] == ["'self'"]
    assert rules["script-src-attr"] == ["'none'"]
    assert rules["default-src"] == ["'self'"]
    assert rules["object-src"] == ["'none'"] and rules["base-uri"] == ["'none'"]
    assert rules["frame-ancestors"] == ["'none'"]
    assert not any("unsafe-inline" in v or "unsafe-eval" in v for v in rules["script-src"])


@pytest.mark.django_db
def test_the_sign_in_page_and_api_answers_carry_the_policy_too(client):
    for path in ("/login/", "/api/lineage/", "/api/docs/"):
        assert "script-src 'self'" in client.get(path).headers["Content-Security-Policy"], path


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_holds_inline_script_or_event_handlers(template):
    text = template.read_text()

    inline = [tag for tag in re.findall(r"<script\b[^>]*>", text) if "src=" not in tag]
    handlers = re.findall(r"\son[a-z]+\s*=", text)
    assert inline == [] and handlers == []
    assert "javascript:" not in text


@pytest.mark.django_db
def test_the_api_docs_load_their_setup_as_a_script_file(client):
    page = client.get("/api/docs/").text

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.text


PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
response = Client().get("/api/lineage/", secure=True)
print(json.dumps({
    "status": response.status_code,
    "hsts": response.headers.get("Strict-Transport-Security"),
    "csp": response.headers.get("Content-Security-Policy"),
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
}))
"""


def probe(tmp_path, **env) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    clean.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        AUDIT_SIGNING_KEY="s" * 50,
        TRIBUTARY_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path}/probe.sqlite3",
        **env,
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=clean,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_debug_off_responses_carry_hsts_and_cookies_are_secure(tmp_path):
    seen = probe(tmp_path, DEBUG="False", SECRET_KEY="k" * 50)

    assert seen["hsts"] == "max-age=31536000"
    assert seen["session_secure"] is True and seen["csrf_secure"] is True
    assert "script-src 'self'" in seen["csp"]


def test_hsts_can_cover_subdomains_and_its_age_is_a_setting(tmp_path):
    seen = probe(
        tmp_path,
        DEBUG="False",
        SECRET_KEY="k" * 50,
        SECURE_HSTS_SECONDS="600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="True",
    )

    assert seen["hsts"] == "max-age=600; includeSubDomains"


def test_with_debug_on_there_is_no_hsts_and_cookies_work_over_http(tmp_path):
    seen = probe(tmp_path, DEBUG="True")

    assert seen["hsts"] is None
    assert seen["session_secure"] is False and seen["csrf_secure"] is False


def test_the_code_highlighting_style_sheet_is_the_one_pygments_makes():
    from catalog.rendering import highlight_css

    assert highlight_css() in (ROOT / "static" / "highlight.css").read_text()
