"""Starts an IPython kernel whose IOPub socket queues instead of dropping.

The kernelspec that ``LocalGateway`` writes runs this file (as a script: the kernel gets
no PYTHONPATH). ZMQ's send high-water mark, 1,000 messages by default, makes the kernel's
IOPub socket discard messages without a word when the gateway reads them slower than the
kernel prints (a loop of flushed prints, a progress bar on a busy machine): outputs lost,
or the closing ``status: idle`` lost and the block waiting for its timeout.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> None:
    import zmq
    from ipykernel.kernelapp import IPKernelApp

    class LosslessIOPubKernelApp(IPKernelApp):
        def init_iopub(self, context: zmq.Context) -> None:
            # A context default applies to the sockets created while it is set: here the
            # IOPub socket, before it binds.
            context.setsockopt(zmq.SNDHWM, 0)
            try:
                super().init_iopub(context)
            finally:
                context.sockopts.pop(zmq.SNDHWM, None)

    LosslessIOPubKernelApp.launch_instance()


if __name__ == "__main__":
    # Run as a script, this file's directory comes first on sys.path: a notebook's
    # `import messages` must not find our modules.
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        del sys.path[0]
    main()
