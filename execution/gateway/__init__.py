"""Kernels through a Jupyter kernel gateway: our client, and the embedded local gateway.

No Django here except in ``get_gateway()`` and ``hidden_from_kernels()``, which read the
settings.
"""

from __future__ import annotations

from execution.gateway.client import (
    KERNEL_ENV_ALLOWLIST,
    ExecutionResult,
    ExecutionStatus,
    GatewayClient,
    KernelModel,
    KernelSession,
)
from execution.gateway.errors import KERNEL_DIED, GatewayError, KernelDied
from execution.gateway.local import LocalGateway, get_gateway, get_local_gateway

__all__ = [
    "KERNEL_DIED",
    "KERNEL_ENV_ALLOWLIST",
    "ExecutionResult",
    "ExecutionStatus",
    "GatewayClient",
    "GatewayError",
    "KernelDied",
    "KernelModel",
    "KernelSession",
    "LocalGateway",
    "get_gateway",
    "get_local_gateway",
]
