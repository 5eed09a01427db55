from __future__ import annotations

import os
import signal
from pathlib import Path

from execution.gateway import KERNEL_DIED, KernelDied


def kernel_pid(session) -> int:
    """The kernel's process id on this machine. Its own ``os.getpid()`` counts in its
    sandbox's PID namespace, so find it by its connection file instead: the process that
    runs the launcher (not the sandbox around it) with this kernel's file."""
    session.execute("1", timeout_s=30)  # started and answering
    connection_file = f"kernel-{session.kernel_id}.json".encode()
    found = []
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(arg.endswith(connection_file) for arg in argv) and not any(
            arg.endswith(b"sandbox.py") for arg in argv
        ):
            found.append(int(proc.name))
    assert len(found) == 1, found
    return found[0]


def test_it_reports_a_kernel_killed_mid_block_as_died(client, session):
    pid = kernel_pid(session)

    def kill_after_first_output(output):
        if output.get("text") == "before\n":
            os.kill(pid, signal.SIGKILL)

    result = session.execute(
        "print('before', flush=True)\nimport time\ntime.sleep(60)\nprint('never')",
        timeout_s=50,
        on_output=kill_after_first_output,
    )

    assert result.status == "died"
    assert result.error == KERNEL_DIED
    # What the block printed before it died is kept.
    assert result.outputs == ({"output_type": "stream", "name": "stdout", "text": "before\n"},)
    # Not silently restarted with empty state: the gateway has let the kernel go.
    assert client.get_kernel(session.kernel_id) is None
    assert session.is_dead


def test_a_dead_session_keeps_answering_died(session):
    os.kill(kernel_pid(session), signal.SIGKILL)
    session.execute("import time; time.sleep(60)", timeout_s=50)

    result = session.execute("1 + 1", timeout_s=5)

    assert (result.status, result.error, result.outputs) == ("died", KERNEL_DIED, ())


def test_it_reports_a_kernel_killed_between_blocks_as_died(client, session):
    os.kill(kernel_pid(session), signal.SIGKILL)

    result = session.execute("1 + 1", timeout_s=50)

    assert (result.status, result.error) == ("died", KERNEL_DIED)


def test_it_refuses_to_attach_to_a_kernel_that_is_gone(client):
    try:
        client.open_session("00000000-0000-0000-0000-000000000000")
    except KernelDied as exc:
        assert str(exc) == KERNEL_DIED
    else:
        raise AssertionError("attached to a kernel that does not exist")
