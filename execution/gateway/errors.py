"""The gateway client's one exception family."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from execution.gateway.session import ExecutionResult

KERNEL_DIED = "kernel died"


class GatewayError(Exception):
    """The kernel gateway could not be reached, refused a request, or broke the protocol.

    Raised mid-execute, ``partial`` holds what the block had produced so far (status
    ``died``), so a run can keep the outputs it already has.
    """

    def __init__(self, message: str, *, partial: ExecutionResult | None = None) -> None:
        super().__init__(message)
        self.partial = partial


class KernelDied(GatewayError):
    """The kernel is gone: killed, crashed, or removed from the gateway."""

    def __init__(self, message: str = KERNEL_DIED) -> None:
        super().__init__(message)


def describe_connection_error(exc: Exception) -> str:
    """A short reason instead of urllib3's nested retry message.

    Examples:
        >>> describe_connection_error(OSError(111, "Connection refused"))
        'connection refused'
    """
    text = str(exc)
    for marker in ("Connection refused", "timed out", "Name or service not known", "No route"):
        if marker in text:
            return marker.lower()
    return text
