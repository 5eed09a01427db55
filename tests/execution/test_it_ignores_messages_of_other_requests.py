from __future__ import annotations

# Installed in the kernel: after each execute_reply, publish one more stdout output for
# the same request before the kernel goes idle, so the reply reaches us before the last
# output does, as happens when the gateway interleaves the shell and IOPub channels.
LATE_OUTPUT_AFTER_REPLY = """
import time
_kernel = get_ipython().kernel
_send = _kernel.session.send

def _send_then_late_output(stream, msg_or_type, content=None, parent=None, *args, **kwargs):
    sent = _send(stream, msg_or_type, content, parent, *args, **kwargs)
    if msg_or_type == "execute_reply":
        time.sleep(0.3)
        _send(_kernel.iopub_socket, "stream", {"name": "stdout", "text": "after the reply\\n"},
              parent=parent, ident=_kernel._topic("stream"))
    return sent

_kernel.session.send = _send_then_late_output
"""


def test_a_block_is_done_only_after_its_reply_and_its_idle_status(session):
    session.execute(LATE_OUTPUT_AFTER_REPLY, timeout_s=30)

    result = session.execute("6 * 7", timeout_s=30)

    assert result.status == "ok"
    assert [output["output_type"] for output in result.outputs] == ["execute_result", "stream"]
    assert result.outputs[1]["text"] == "after the reply\n"


def test_it_ignores_the_messages_of_other_requests_on_the_same_socket(session):
    other_execute = session.send_request(
        "execute_request",
        {"code": "print('not mine', flush=True)\n'not mine either'", "silent": False},
    )
    other_info = session.send_request("kernel_info_request", {})

    result = session.execute("print('mine', flush=True)\n'mine too'", timeout_s=30)

    assert other_execute != other_info
    assert result.status == "ok"
    assert result.outputs == (
        {"output_type": "stream", "name": "stdout", "text": "mine\n"},
        {
            "output_type": "execute_result",
            "execution_count": result.execution_count,
            "data": {"text/plain": "'mine too'"},
            "metadata": {},
        },
    )


def test_two_sessions_on_one_kernel_see_only_their_own_outputs(client, session):
    with client.open_session(session.kernel_id) as other:
        first = session.execute("print('from the first', flush=True)", timeout_s=30)
        second = other.execute("print('from the second', flush=True)", timeout_s=30)
        # The first session's socket got the second's outputs too (IOPub is broadcast);
        # they must not leak into its next block.
        third = session.execute("print('first again', flush=True)", timeout_s=30)

    assert [r.outputs[0]["text"] for r in (first, second, third)] == [
        "from the first\n",
        "from the second\n",
        "first again\n",
    ]
    assert other.is_kernel_owned is False
    assert client.get_kernel(session.kernel_id) is not None
