"""One kernel and one websocket: blocks executed with messaging protocol 5.3.

``KernelSession`` sends ``execute_request`` on the kernel's channels websocket and gathers
the answer into an ``ExecutionResult`` with nbformat v4 outputs. It handles what a
correct client must: a block is done only at its reply AND its idle status; other
requests' messages are ignored; a dropped websocket is resumed with the same session id;
a block past its timeout is interrupted, then the kernel restarted; a kernel death is
reported, not waited on. A session is used by one thread at a time.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import websocket

from execution.gateway.errors import (
    KERNEL_DIED,
    GatewayError,
    KernelDied,
    describe_connection_error,
)
from execution.gateway.messages import Message, Output, Reply, is_kernel_lost, new_message

if TYPE_CHECKING:
    from execution.gateway.client import GatewayClient

log = logging.getLogger(__name__)

ExecutionStatus = Literal["ok", "error", "timeout", "died"]

# Nagle's algorithm holds back small frames until the previous one is acknowledged; set it
# off on our end. TCP_QUICKACK (Linux) acknowledges at once, so a gateway that leaves Nagle
# on at its end does not wait ~40 ms on our delayed ACK for every message of a block.
_SOCKET_OPTIONS = ((socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),)
_TCP_QUICKACK = getattr(socket, "TCP_QUICKACK", None)


@dataclass(frozen=True)
class ExecutionResult:
    """What one block did.

    ``status`` is ``ok``, ``error`` (the code raised; ``error`` is ``"Name: value"``),
    ``timeout`` (interrupted at its timeout, or the kernel restarted when the interrupt
    did not stop it: then ``is_kernel_restarted`` and the kernel's state is lost) or
    ``died`` (``error`` is ``"kernel died"``). ``outputs`` are nbformat v4 output dicts.
    """

    status: ExecutionStatus
    outputs: tuple[Output, ...]
    execution_count: int | None
    duration_ms: float
    error: str | None = None
    is_kernel_restarted: bool = False

    @property
    def is_ok(self) -> bool:
        return self.status == "ok"


@dataclass
class PendingExecution:
    """A block sent to the kernel whose result ``KernelSession.wait()`` has yet to gather."""

    reply: Reply | None  # None: the kernel was already dead
    started: float
    is_died: bool = False
    error: GatewayError | None = None


class _Dropped(Exception):
    """The websocket closed under us."""


class KernelSession:
    """One kernel and one websocket to it; executes blocks one at a time.

    Args:
        client: the gateway's client.
        kernel_id: the kernel to attach to.
        is_kernel_owned: shut the kernel down on ``close()``.
        session_id: the protocol session id, kept across reconnects so the gateway replays
            what it buffered while we were away.
        poll_s: how long one websocket read waits before we look at the clock again.
        liveness_check_s: after this long without a message, ask the gateway whether the
            kernel still exists (a gateway that does not announce deaths is still caught).
        interrupt_grace_s: how long an interrupted block may take to stop before the kernel
            is restarted.
    """

    def __init__(
        self,
        client: GatewayClient,
        kernel_id: str,
        *,
        is_kernel_owned: bool = False,
        session_id: str | None = None,
        poll_s: float = 1.0,
        liveness_check_s: float = 2.0,
        interrupt_grace_s: float = 5.0,
    ) -> None:
        self.client = client
        self.kernel_id = kernel_id
        self.is_kernel_owned = is_kernel_owned
        self.session_id = session_id or uuid.uuid4().hex
        self.poll_s = poll_s
        self.liveness_check_s = liveness_check_s
        self.interrupt_grace_s = interrupt_grace_s
        self.is_dead = False
        self.restart_count = 0
        self.reconnect_count = 0
        self._ws: websocket.WebSocket | None = None
        self._connect()

    def __enter__(self) -> KernelSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"KernelSession(kernel_id={self.kernel_id!r}, session_id={self.session_id!r})"

    # -- public --------------------------------------------------------------------------

    def execute(
        self,
        code: str,
        *,
        timeout_s: float | None = None,
        store_history: bool = True,
        on_output: Callable[[Output], None] | None = None,
    ) -> ExecutionResult:
        """Run one block and wait for all of it.

        A block past ``timeout_s`` is interrupted; if it is still running after
        ``interrupt_grace_s`` the kernel is restarted. A kernel that dies gives status
        ``died``. ``on_output`` sees each new output as it arrives (stream chunks unmerged).

        Raises:
            GatewayError: the gateway became unreachable; ``partial`` has the outputs so far.
        """
        pending = self.submit(code, store_history=store_history)
        return self.wait(pending, timeout_s=timeout_s, on_output=on_output)

    def submit(self, code: str, *, store_history: bool = True) -> PendingExecution:
        """Send a block without waiting for it; ``wait()`` gathers its result.

        What the caller does meanwhile overlaps with the kernel's work (a run records the
        previous block while the kernel runs this one). One block at a time: submit the
        next only once ``wait()`` has returned.
        """
        started = time.monotonic()
        if self.is_dead:
            return PendingExecution(None, started)
        request = self._new_message(
            "execute_request",
            {
                "code": code,
                "silent": False,
                "store_history": store_history,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )
        pending = PendingExecution(Reply(request["header"]["msg_id"], "execute_reply"), started)
        try:
            self._send(request)
        except KernelDied:
            pending.is_died = True
        except GatewayError as exc:
            pending.error = exc
        return pending

    def wait(
        self,
        pending: PendingExecution,
        *,
        timeout_s: float | None = None,
        on_output: Callable[[Output], None] | None = None,
    ) -> ExecutionResult:
        """The result of a submitted block; ``timeout_s`` counts from its submission.

        Raises:
            GatewayError: the gateway became unreachable; ``partial`` has the outputs so far.
        """
        reply, started = pending.reply, pending.started
        if reply is None:
            return ExecutionResult("died", (), None, 0.0, KERNEL_DIED)
        if pending.is_died:
            return self._died(reply, started)
        if pending.error is not None:
            pending.error.partial = _result(reply, "died", started, str(pending.error))
            raise pending.error
        deadline = None if timeout_s is None else started + timeout_s
        try:
            if self._wait(reply, deadline, on_output) == "died":
                return self._died(reply, started)
            if reply.is_complete:
                return self._finished(reply, started)
            stopped = self._stop_runaway(reply, on_output)
        except KernelDied:
            return self._died(reply, started)
        except GatewayError as exc:
            exc.partial = _result(reply, "died", started, str(exc))
            raise
        if stopped == "died":
            return self._died(reply, started)
        note = "kernel restarted, its state is lost" if stopped == "restarted" else "interrupted"
        return _result(
            reply,
            "timeout",
            started,
            f"timed out after {timeout_s:g} s; {note}",
            is_kernel_restarted=stopped == "restarted",
        )

    def kernel_info(self, *, timeout_s: float | None = None) -> dict[str, Any]:
        """The kernel's ``kernel_info_reply`` content, once it reaches us with its idle status.

        Right after a (re)start the gateway's ZMQ sockets may still be reconnecting: a
        request sent then, or the status it causes, can be lost. So ask again every second,
        as the gateway itself does when a websocket opens.

        Raises:
            KernelDied: the kernel is gone.
            GatewayError: no answer within ``timeout_s`` (default: the kernel start timeout).
        """
        if self.is_dead:
            raise KernelDied()
        budget_s = timeout_s or self.client.kernel_start_timeout_s
        deadline = time.monotonic() + budget_s
        while time.monotonic() < deadline:
            request = self._new_message("kernel_info_request", {})
            reply = Reply(request["header"]["msg_id"], "kernel_info_reply")
            self._send(request)
            outcome = self._wait(reply, min(deadline, time.monotonic() + 1.0))
            if outcome == "died":
                self.is_dead = True
                raise KernelDied()
            if outcome == "done":
                return reply.content or {}
        raise GatewayError(f"Kernel {self.kernel_id} did not answer within {budget_s:g} s")

    def send_request(self, msg_type: str, content: dict[str, Any], channel: str = "shell") -> str:
        """Send a request without waiting; its replies are ignored. Returns its msg_id."""
        request = self._new_message(msg_type, content, channel=channel)
        self._send(request)
        return request["header"]["msg_id"]

    def interrupt(self) -> None:
        self.client.interrupt_kernel(self.kernel_id)

    def restart(self) -> None:
        """Restart the kernel (its state is lost) and wait until it answers again."""
        self.client.restart_kernel(self.kernel_id)
        self.restart_count += 1
        self.kernel_info()

    def close(self) -> None:
        """Close the websocket, and shut the kernel down if this session started it."""
        self._drop()
        if self.is_kernel_owned:
            try:
                self.client.shutdown_kernel(self.kernel_id)
            except GatewayError as exc:
                log.warning("Could not shut down kernel %s: %s", self.kernel_id, exc)

    # -- internals -----------------------------------------------------------------------

    def _new_message(
        self, msg_type: str, content: dict[str, Any], channel: str = "shell"
    ) -> Message:
        return new_message(
            msg_type,
            content,
            session_id=self.session_id,
            username=self.client.username,
            channel=channel,
        )

    def _connect(self) -> None:
        # Asking over REST first fails fast when the gateway is down (short connect
        # timeout) and tells a vanished kernel apart from an unreachable gateway.
        model = self.client.get_kernel(self.kernel_id)
        if model is None or model.execution_state == "dead":
            raise KernelDied()
        ws = websocket.WebSocket(sockopt=_SOCKET_OPTIONS, skip_utf8_validation=True)
        url = self.client.channels_url(self.kernel_id, self.session_id)
        try:
            # The gateway answers the handshake only once the kernel replies, so this
            # waits as long as a kernel start may take.
            ws.connect(
                url,
                header=self.client.auth_headers(),
                timeout=self.client.kernel_start_timeout_s,
            )
        except websocket.WebSocketBadStatusException as exc:
            if exc.status_code == 404:
                raise KernelDied() from exc
            raise GatewayError(
                f"Kernel gateway at {self.client.base_url} refused the websocket of kernel "
                f"{self.kernel_id}: HTTP {exc.status_code}"
            ) from exc
        except websocket.WebSocketTimeoutException as exc:
            raise GatewayError(
                f"Kernel gateway at {self.client.base_url} did not open the websocket of "
                f"kernel {self.kernel_id} within {self.client.kernel_start_timeout_s:g} s"
            ) from exc
        except (websocket.WebSocketException, OSError) as exc:
            reason = describe_connection_error(exc)
            raise GatewayError(
                f"Kernel gateway at {self.client.base_url} is unreachable: {reason}"
            ) from exc
        self._ws = ws

    def _reconnect(self) -> None:
        """Reopen the websocket with the same session id; the gateway replays what it held."""
        self._drop()
        attempts = 3
        for attempt in range(1, attempts + 1):
            try:
                self._connect()
                self.reconnect_count += 1
                return
            except KernelDied:
                raise
            except GatewayError:
                if attempt == attempts:
                    raise
                time.sleep(0.5 * attempt)

    def _drop(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None:
            with contextlib.suppress(websocket.WebSocketException, OSError):
                ws.close(timeout=1)

    def _send(self, msg: Message) -> None:
        payload = json.dumps(msg)
        if self._ws is None:
            self._reconnect()
        try:
            self._ws.send(payload)
        except (websocket.WebSocketException, OSError):
            # A socket that dropped while we were idle: the message never left; resend it.
            self._reconnect()
            try:
                self._ws.send(payload)
            except (websocket.WebSocketException, OSError) as exc:
                raise GatewayError(
                    f"Cannot send to kernel {self.kernel_id} at {self.client.base_url}: {exc}"
                ) from exc

    def _recv(self, wait_s: float) -> Message | None:
        """The next message, or None if none came within ``wait_s``."""
        ws = self._ws
        if ws is None:
            raise _Dropped()
        try:
            if _TCP_QUICKACK is not None and ws.sock is not None:
                ws.sock.setsockopt(socket.IPPROTO_TCP, _TCP_QUICKACK, 1)
            ws.settimeout(wait_s)
            raw = ws.recv()
        except websocket.WebSocketTimeoutException:
            return None
        except (websocket.WebSocketException, OSError) as exc:
            self._drop()
            raise _Dropped() from exc
        if not raw:
            # A close frame.
            self._drop()
            raise _Dropped()
        if isinstance(raw, bytes):
            # Binary frames belong to the v1 websocket subprotocol, which we do not ask for.
            return None
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise GatewayError(f"Kernel {self.kernel_id} sent a message that is not JSON") from exc

    def _wait(
        self,
        reply: Reply,
        deadline: float | None,
        on_output: Callable[[Output], None] | None = None,
    ) -> Literal["done", "timeout", "died"]:
        last_heard = time.monotonic()
        while not reply.is_complete:
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                return "timeout"
            wait_s = self.poll_s if deadline is None else min(self.poll_s, deadline - now)
            try:
                msg = self._recv(max(wait_s, 0.001))
            except _Dropped:
                self._reconnect()
                last_heard = time.monotonic()
                continue
            if msg is None:
                if time.monotonic() - last_heard >= self.liveness_check_s:
                    if not self._is_alive():
                        return "died"
                    last_heard = time.monotonic()
                continue
            last_heard = time.monotonic()
            if is_kernel_lost(msg):
                return "died"
            output = reply.add(msg)
            if output is not None and on_output is not None:
                on_output(output)
        return "done"

    def _is_alive(self) -> bool:
        model = self.client.get_kernel(self.kernel_id)
        return model is not None and model.execution_state != "dead"

    def _stop_runaway(
        self, reply: Reply, on_output: Callable[[Output], None] | None
    ) -> Literal["interrupted", "restarted", "died"]:
        """Interrupt a block past its timeout; restart the kernel if that does not stop it."""
        self.client.interrupt_kernel(self.kernel_id)
        outcome = self._wait(reply, time.monotonic() + self.interrupt_grace_s, on_output)
        if outcome == "died":
            return "died"
        if outcome == "done":
            return "interrupted"
        self.restart()
        return "restarted"

    def _died(self, reply: Reply, started: float) -> ExecutionResult:
        self.is_dead = True
        self._drop()
        return _result(reply, "died", started, KERNEL_DIED)

    def _finished(self, reply: Reply, started: float) -> ExecutionResult:
        content = reply.content or {}
        if content.get("status") == "ok":
            return _result(reply, "ok", started)
        if content.get("status") == "error":
            return _result(
                reply, "error", started, f"{content.get('ename', '')}: {content.get('evalue', '')}"
            )
        return _result(reply, "error", started, str(content.get("status") or "no status"))


def _result(
    reply: Reply,
    status: ExecutionStatus,
    started: float,
    error: str | None = None,
    *,
    is_kernel_restarted: bool = False,
) -> ExecutionResult:
    count = (reply.content or {}).get("execution_count", reply.collector.execution_count)
    return ExecutionResult(
        status=status,
        outputs=tuple(reply.collector.outputs),
        execution_count=count,
        duration_ms=(time.monotonic() - started) * 1000,
        error=error,
        is_kernel_restarted=is_kernel_restarted,
    )
