from __future__ import annotations

import socket
import threading


def drop(session) -> None:
    """Cut the TCP connection under the client, as a network hiccup would."""
    session._ws.sock.shutdown(socket.SHUT_RDWR)


def test_it_resumes_a_websocket_dropped_between_blocks(session):
    session.execute("kept = 'state'", timeout_s=30)
    session_id = session.session_id

    drop(session)
    result = session.execute("kept", timeout_s=30)

    assert result.status == "ok"
    assert result.outputs[0]["data"]["text/plain"] == "'state'"
    assert session.reconnect_count == 1
    assert session.session_id == session_id


def test_it_resumes_a_websocket_dropped_mid_block_without_losing_output(session):
    def drop_after_first_output(output):
        if output.get("text") == "before\n":
            threading.Timer(0.2, drop, args=(session,)).start()

    result = session.execute(
        "import time\nprint('before', flush=True)\ntime.sleep(2)\nprint('after', flush=True)\n7",
        timeout_s=30,
        on_output=drop_after_first_output,
    )

    assert result.status == "ok"
    assert session.reconnect_count == 1
    assert result.outputs[0] == {
        "output_type": "stream",
        "name": "stdout",
        "text": "before\nafter\n",
    }
    assert result.outputs[1]["data"]["text/plain"] == "7"
