"""Benchmark of the kernel gateway client (issue 6): tiny executes through it against
the same executes straight to a local kernel with jupyter_client.

    .venv/bin/python bench/execution_gateway.py [--quick]

Prints milliseconds per execute both ways and their ratio. What the ratio shows is the
cost of the extra hop (websocket, gateway, ZMQ) per block; a block that waits ~40 ms on
delayed ACKs shows up here at once. Each figure is the best of several rounds.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jupyter_client.manager import KernelManager

from execution.gateway import LocalGateway

CODE = "x = 1"


def best_ms_per_execute(execute, count: int, rounds: int) -> float:
    execute()  # warm up: the first execute imports things in the kernel
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(count):
            execute()
        best = min(best, (time.perf_counter() - started) / count)
    return best * 1000


def through_gateway(count: int, rounds: int) -> float:
    with LocalGateway() as gateway, gateway.client().open_session() as session:

        def execute() -> None:
            result = session.execute(CODE, timeout_s=30)
            assert result.status == "ok", result

        return best_ms_per_execute(execute, count, rounds)


def through_jupyter_client(count: int, rounds: int) -> float:
    manager = KernelManager(kernel_name="python3")
    # The kernel's stderr is only a warning about plain-TCP ZMQ on loopback.
    manager.start_kernel(stderr=subprocess.DEVNULL)
    client = manager.blocking_client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)

        def execute() -> None:
            reply = client.execute_interactive(CODE, timeout=30, output_hook=lambda msg: None)
            assert reply["content"]["status"] == "ok", reply

        return best_ms_per_execute(execute, count, rounds)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def main() -> None:
    quick = "--quick" in sys.argv
    count, rounds = (50, 2) if quick else (200, 3)
    ours = through_gateway(count, rounds)
    direct = through_jupyter_client(count, rounds)
    print(f"tiny executes, best of {rounds} rounds of {count}")
    print(f"  through the gateway (our client): {ours:7.2f} ms per execute")
    print(f"  straight to the kernel (jupyter_client): {direct:7.2f} ms per execute")
    print(f"  ratio: {ours / direct:.2f}x")


if __name__ == "__main__":
    main()
