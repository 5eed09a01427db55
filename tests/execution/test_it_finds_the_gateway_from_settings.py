from __future__ import annotations

from execution.gateway import get_gateway


def test_it_uses_the_configured_gateway_url_and_token(settings, gateway):
    settings.KERNEL_GATEWAY_URL = f"{gateway.url}/"
    settings.KERNEL_GATEWAY_TOKEN = gateway.token

    client = get_gateway()

    assert client.base_url == gateway.url
    assert client.get_api()["version"]


def test_without_a_url_it_uses_the_one_local_gateway_of_this_process(settings, gateway):
    settings.KERNEL_GATEWAY_URL = None

    first, second = get_gateway(), get_gateway()

    assert first.base_url == second.base_url == gateway.url
    assert first.get_api()["version"]
