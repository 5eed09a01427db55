"""One real `jupyter kernelgateway` for the whole test session: kernels are cheap, gateways
are not on two shared cores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from execution.gateway import GatewayClient, KernelSession, LocalGateway, get_local_gateway

# A secret in this process's environment from before the gateway starts: neither the
# gateway nor its kernels may see it.
SECRET_NAME = "TRIBUTARY_TEST_SECRET"
SECRET_VALUE = "hunter2-not-for-kernels"


@pytest.fixture(scope="session")
def gateway() -> Iterator[LocalGateway]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SECRET_NAME, SECRET_VALUE)
        # Through get_local_gateway() so code under test that asks for "this process's
        # gateway" finds this one instead of starting a second.
        local = get_local_gateway()
        yield local
        local.stop()


@pytest.fixture
def client(gateway: LocalGateway) -> GatewayClient:
    return gateway.client(timeout_s=10.0)


@pytest.fixture
def session(client: GatewayClient) -> Iterator[KernelSession]:
    with client.open_session(interrupt_grace_s=2.0) as kernel_session:
        yield kernel_session
