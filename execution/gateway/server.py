"""Runs inside the `jupyter kernelgateway` process that ``LocalGateway`` starts.

Two things the stock websocket connection gets wrong for us:

- Tornado leaves Nagle's algorithm on for websockets, and a block's messages (busy,
  execute_input, outputs, reply, idle) are small writes in a row: each after the first
  waits for the client's delayed ACK, ~40 ms a message on Linux.
- The gateway's ZMQ sockets keep at most 1,000 unread messages; a kernel printing faster
  than the gateway forwards (a loop of flushed prints, a progress bar) overflows the queue
  and ZMQ drops the excess without a word.
"""

from __future__ import annotations

import asyncio

import zmq
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection


class TributaryChannelsConnection(ZMQChannelsWebsocketConnection):
    """The gateway's websocket connection: TCP_NODELAY on, no ZMQ receive limit."""

    def create_stream(self) -> None:
        # Socket options take effect on sockets made afterwards, so set the context's
        # default before the channels are created (the context is the gateway's, shared by
        # its kernels' channels: all of them queue instead of dropping).
        self.kernel_manager.context.setsockopt(zmq.RCVHWM, 0)
        super().create_stream()

    def connect(self) -> asyncio.Future[None] | None:
        self.websocket_handler.set_nodelay(True)
        return super().connect()
