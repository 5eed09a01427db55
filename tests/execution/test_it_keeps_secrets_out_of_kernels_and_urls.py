from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests
import websocket

from tests.execution.conftest import SECRET_NAME, SECRET_VALUE


def kernel_environ(session) -> dict[str, str]:
    result = session.execute("import os, json; print(json.dumps(dict(os.environ)))", timeout_s=30)
    return __import__("json").loads(result.outputs[0]["text"])


def test_a_kernel_does_not_see_the_secrets_of_this_process(session, gateway):
    assert os.environ[SECRET_NAME] == SECRET_VALUE

    environ = kernel_environ(session)

    assert SECRET_NAME not in environ
    assert SECRET_VALUE not in environ.values()
    assert "KG_AUTH_TOKEN" not in environ
    assert gateway.token not in "".join(environ.values())
    result = session.execute(f"import os; print(os.environ.get({SECRET_NAME!r}))", timeout_s=30)
    assert result.outputs[0]["text"] == "None\n"


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
def test_the_gateway_process_does_not_see_them_either(gateway):
    environ = Path(f"/proc/{gateway.pid}/environ").read_bytes().split(b"\0")

    assert not [entry for entry in environ if entry.startswith(SECRET_NAME.encode())]


def test_a_kernel_gets_what_the_caller_gives_and_the_allowlist(client):
    env = {"KERNEL_TRIBUTARY_RUN": "run-17", "LANG": "C.UTF-8"}
    with client.open_session(env=env) as session:
        environ = kernel_environ(session)

    assert environ["KERNEL_TRIBUTARY_RUN"] == "run-17"
    assert environ["LANG"] == "C.UTF-8"
    assert environ["PATH"]


def test_the_token_goes_in_a_header_never_in_a_url(client, gateway, monkeypatch):
    seen: list[tuple[str, str | None]] = []
    http_request = requests.Session.request
    ws_connect = websocket.WebSocket.connect

    def record_http(self, method, url, *args, **kwargs):
        response = http_request(self, method, url, *args, **kwargs)
        seen.append((url, response.request.headers.get("Authorization")))
        return response

    def record_ws(self, url, **options):
        seen.append((url, (options.get("header") or {}).get("Authorization")))
        return ws_connect(self, url, **options)

    monkeypatch.setattr(requests.Session, "request", record_http)
    monkeypatch.setattr(websocket.WebSocket, "connect", record_ws)

    with client.open_session() as session:
        session.execute("1", timeout_s=30)
        session.restart()

    assert any("/channels?session_id=" in url for url, _ in seen)
    assert {header for _, header in seen} == {f"token {gateway.token}"}
    assert not [url for url, _ in seen if gateway.token in url or "token=" in url]


def test_the_gateway_refuses_requests_without_the_token(gateway):
    response = requests.get(f"{gateway.url}/api/kernelspecs", timeout=5)

    assert response.status_code == 401


def test_a_kernel_does_not_find_our_modules_on_its_path(session):
    result = session.execute(
        "import importlib.util\nprint(importlib.util.find_spec('kernel_launcher'))", timeout_s=30
    )

    assert result.outputs[0]["text"] == "None\n"
