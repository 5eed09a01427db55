"""Our client of the Jupyter Kernel Gateway REST API.

``GatewayClient`` gets the API version and starts kernels with an explicit environment,
interrupts, restarts and shuts them down; ``open_session()`` gives a ``KernelSession``
(``execution.gateway.session``) that executes blocks over the kernel's websocket. Jupyter
Enterprise Gateway speaks the same API, so the same client scales out.

The token travels in the ``Authorization`` header only, on REST and on the websocket
handshake: URLs end up in logs and proxies.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from execution.gateway.errors import GatewayError, KernelDied, describe_connection_error
from execution.gateway.session import ExecutionResult, ExecutionStatus, KernelSession

__all__ = [
    "KERNEL_ENV_ALLOWLIST",
    "ExecutionResult",
    "ExecutionStatus",
    "GatewayClient",
    "KernelModel",
    "KernelSession",
]

log = logging.getLogger(__name__)

# What a kernel gets from this process unless the caller overrides it. Without an explicit
# env the gateway hands the kernel its own whole environment, secrets included. The
# gateway itself then keeps only KERNEL_* names and those in its env_whitelist, and always
# puts its own PATH first.
KERNEL_ENV_ALLOWLIST = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ")


@dataclass(frozen=True)
class KernelModel:
    """A kernel as the gateway describes it."""

    id: str
    name: str
    execution_state: str
    connections: int
    last_activity: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> KernelModel:
        return cls(
            id=data["id"],
            name=data.get("name", ""),
            execution_state=data.get("execution_state", ""),
            connections=int(data.get("connections") or 0),
            last_activity=data.get("last_activity"),
        )


class _TokenAuth(requests.auth.AuthBase):
    """Sets the token header; as explicit auth it also stops requests reading ~/.netrc."""

    def __init__(self, token: str | None) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self._token:
            request.headers["Authorization"] = f"token {self._token}"
        return request


class GatewayClient:
    """REST client of one kernel gateway.

    Every request has a connect timeout and a read timeout: a gateway that is down or
    hung gives a ``GatewayError`` with a message, never a hang.

    Args:
        base_url: e.g. ``http://127.0.0.1:8888`` (a path prefix is kept).
        token: the gateway's auth token, or None for a gateway without one.
        timeout_s: read timeout of quick REST calls.
        connect_timeout_s: TCP connect timeout of every call.
        kernel_start_timeout_s: how long starting, restarting or shutting down a kernel,
            or opening its websocket (the gateway waits for the kernel there), may take.
        username: the ``username`` of the messages we send.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        timeout_s: float = 30.0,
        connect_timeout_s: float = 5.0,
        kernel_start_timeout_s: float = 120.0,
        username: str = "tributary",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.connect_timeout_s = connect_timeout_s
        self.kernel_start_timeout_s = kernel_start_timeout_s
        self.username = username
        self._token = token
        self._http = requests.Session()
        self._http.auth = _TokenAuth(token)

    def __repr__(self) -> str:
        return f"GatewayClient({self.base_url!r})"

    # -- REST ----------------------------------------------------------------------------

    def get_api(self) -> dict[str, Any]:
        """``GET /api``: the server's version, e.g. ``{"version": "2.21.1"}``."""
        return self._request("GET", "/api").json()

    def start_kernel(self, name: str = "python3", *, env: Mapping[str, str] | None = None) -> str:
        """Start a kernel and return its id. Its environment is ``kernel_env(env)``."""
        body = {"name": name, "env": self.kernel_env(env)}
        response = self._request(
            "POST", "/api/kernels", json_body=body, timeout_s=self.kernel_start_timeout_s
        )
        return KernelModel.from_json(response.json()).id

    def list_kernels(self) -> list[KernelModel]:
        """Every kernel the gateway runs (``GET /api/kernels``)."""
        return [KernelModel.from_json(k) for k in self._request("GET", "/api/kernels").json()]

    def get_kernel(self, kernel_id: str) -> KernelModel | None:
        """The kernel, or None when the gateway no longer has it."""
        response = self._request("GET", f"/api/kernels/{kernel_id}", is_404_ok=True)
        return None if response is None else KernelModel.from_json(response.json())

    def shutdown_kernel(self, kernel_id: str) -> None:
        """Shut the kernel down; a kernel already gone is fine."""
        self._request(
            "DELETE",
            f"/api/kernels/{kernel_id}",
            is_404_ok=True,
            timeout_s=self.kernel_start_timeout_s,
        )

    def interrupt_kernel(self, kernel_id: str) -> None:
        """Interrupt what the kernel is running. Raises ``KernelDied`` if it is gone."""
        if self._request("POST", f"/api/kernels/{kernel_id}/interrupt", is_404_ok=True) is None:
            raise KernelDied()

    def restart_kernel(self, kernel_id: str) -> None:
        """Restart the kernel (its state is lost). Raises ``KernelDied`` if it is gone."""
        response = self._request(
            "POST",
            f"/api/kernels/{kernel_id}/restart",
            is_404_ok=True,
            timeout_s=self.kernel_start_timeout_s,
        )
        if response is None:
            raise KernelDied()

    @staticmethod
    def kernel_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment a kernel is started with: the allowlist, then ``env``.

        Examples:
            >>> env = GatewayClient.kernel_env({"KERNEL_USERNAME": "ann"})
            >>> env["KERNEL_USERNAME"], set(env) <= {"KERNEL_USERNAME", *KERNEL_ENV_ALLOWLIST}
            ('ann', True)
        """
        base = {name: os.environ[name] for name in KERNEL_ENV_ALLOWLIST if name in os.environ}
        return {**base, **(env or {})}

    # -- sessions ------------------------------------------------------------------------

    def open_session(
        self,
        kernel_id: str | None = None,
        *,
        kernel_name: str = "python3",
        env: Mapping[str, str] | None = None,
        **options: Any,
    ) -> KernelSession:
        """A session on ``kernel_id``, or on a new kernel that the session then owns."""
        if kernel_id is not None:
            return KernelSession(self, kernel_id, is_kernel_owned=False, **options)
        new_id = self.start_kernel(kernel_name, env=env)
        try:
            return KernelSession(self, new_id, is_kernel_owned=True, **options)
        except BaseException:
            try:
                self.shutdown_kernel(new_id)
            except GatewayError:
                log.warning("Could not shut down kernel %s after a failed connect", new_id)
            raise

    def channels_url(self, kernel_id: str, session_id: str) -> str:
        """The websocket URL of a kernel's channels (no token in it)."""
        scheme, rest = self.base_url.split("://", 1)
        ws_scheme = "wss" if scheme == "https" else "ws"
        return f"{ws_scheme}://{rest}/api/kernels/{kernel_id}/channels?session_id={session_id}"

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self._token}"} if self._token else {}

    def _request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        timeout_s: float | None = None,
        is_404_ok: bool = False,
    ) -> requests.Response | None:
        read_timeout_s = timeout_s or self.timeout_s
        try:
            response = self._http.request(
                method,
                f"{self.base_url}{path}",
                json=json_body,
                timeout=(self.connect_timeout_s, read_timeout_s),
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            raise GatewayError(
                f"Kernel gateway at {self.base_url} did not answer {method} {path} "
                f"within {read_timeout_s:g} s"
            ) from exc
        except requests.RequestException as exc:
            reason = describe_connection_error(exc)
            raise GatewayError(
                f"Kernel gateway at {self.base_url} is unreachable: {reason}"
            ) from exc
        if response.status_code == 404 and is_404_ok:
            return None
        if not response.ok:
            raise GatewayError(
                f"Kernel gateway at {self.base_url} refused {method} {path}: "
                f"HTTP {response.status_code} {_error_message(response)}".rstrip()
            )
        return response


def _error_message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason or ""
    if isinstance(body, dict):
        return str(body.get("message") or body.get("reason") or "")
    return ""
