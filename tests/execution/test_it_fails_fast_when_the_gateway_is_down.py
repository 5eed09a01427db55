from __future__ import annotations

import contextlib
import socket
import threading

import pytest

from execution.gateway import GatewayClient, GatewayError
from execution.gateway.local import free_port


def test_it_raises_a_clear_error_when_nothing_listens():
    url = f"http://127.0.0.1:{free_port()}"
    client = GatewayClient(url, "token", timeout_s=2, connect_timeout_s=1)

    with pytest.raises(GatewayError) as caught:
        client.open_session()

    assert str(caught.value) == f"Kernel gateway at {url} is unreachable: connection refused"


def test_it_raises_a_clear_error_when_the_gateway_does_not_answer():
    # A listener that accepts connections and never says a word: a hung gateway.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        client = GatewayClient(url, "token", timeout_s=0.5, connect_timeout_s=0.5)

        with pytest.raises(GatewayError) as caught:
            client.get_api()

    assert str(caught.value) == f"Kernel gateway at {url} did not answer GET /api within 0.5 s"


def test_it_reports_a_refused_request_with_the_gateway_message(gateway):
    client = GatewayClient(gateway.url, "wrong-token", timeout_s=5)

    with pytest.raises(GatewayError) as caught:
        client.get_api()

    assert str(caught.value).startswith(
        f"Kernel gateway at {gateway.url} refused GET /api: HTTP 401"
    )


class Relay:
    """A TCP relay to the gateway that can be pulled out, taking the gateway 'down'."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                downstream, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.sockets += [downstream, upstream]
            for source, sink in ((downstream, upstream), (upstream, downstream)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def pull_out(self) -> None:
        # shutdown() wakes the thread blocked in accept(); close() alone would not, and
        # that accept() would take one more connection.
        self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def test_it_raises_with_the_outputs_so_far_when_the_gateway_goes_down_mid_block(gateway):
    relay = Relay(gateway.port)
    client = GatewayClient(f"http://127.0.0.1:{relay.port}", gateway.token, timeout_s=5)
    session = client.open_session()
    kernel_id = session.kernel_id

    def pull_out_after_first_output(output):
        if output.get("text") == "before\n":
            relay.pull_out()

    try:
        with pytest.raises(GatewayError) as caught:
            session.execute(
                "import time\nprint('before', flush=True)\ntime.sleep(30)",
                timeout_s=60,
                on_output=pull_out_after_first_output,
            )
    finally:
        gateway.client().shutdown_kernel(kernel_id)

    assert "is unreachable: connection refused" in str(caught.value)
    partial = caught.value.partial
    assert partial.outputs == ({"output_type": "stream", "name": "stdout", "text": "before\n"},)
