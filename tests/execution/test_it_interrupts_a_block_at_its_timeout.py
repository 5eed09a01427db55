from __future__ import annotations


def test_it_interrupts_an_endless_loop_and_the_next_block_runs(session):
    session.execute("kept = 'state'", timeout_s=30)

    result = session.execute("while True: pass", timeout_s=1)

    assert result.status == "timeout"
    assert result.error == "timed out after 1 s; interrupted"
    assert result.is_kernel_restarted is False
    assert result.outputs[-1]["ename"] == "KeyboardInterrupt"
    after = session.execute("kept", timeout_s=30)
    assert after.status == "ok"
    # An interrupt keeps the kernel, and so its state.
    assert after.outputs[0]["data"]["text/plain"] == "'state'"


def test_it_restarts_a_kernel_that_ignores_the_interrupt(session):
    session.execute("kept = 'state'", timeout_s=30)

    result = session.execute(
        "import signal\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "print('stubborn', flush=True)\n"
        "while True: pass",
        timeout_s=2,
    )

    assert result.status == "timeout"
    assert result.error == "timed out after 2 s; kernel restarted, its state is lost"
    assert result.is_kernel_restarted is True
    assert result.outputs[0]["text"] == "stubborn\n"
    assert session.restart_count == 1
    after = session.execute("'kept' in globals()", timeout_s=30)
    assert after.status == "ok"
    assert after.outputs[0]["data"]["text/plain"] == "False"
