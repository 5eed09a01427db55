"""Jupyter messaging protocol 5.3 as the gateway's JSON websocket carries it, and outputs.

Pure: no I/O. ``new_message`` builds a request; ``Reply`` follows one request's messages
until it is complete; ``OutputCollector`` turns its IOPub messages into nbformat v4 outputs.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

PROTOCOL_VERSION = "5.3"

Message = dict[str, Any]
Output = dict[str, Any]


def new_message(
    msg_type: str,
    content: dict[str, Any],
    *,
    session_id: str,
    username: str,
    channel: str = "shell",
) -> Message:
    """A request in the websocket's JSON framing: the five protocol parts plus its channel.

    Examples:
        >>> msg = new_message("kernel_info_request", {}, session_id="s1", username="ann")
        >>> msg["header"]["version"], msg["header"]["session"], msg["channel"]
        ('5.3', 's1', 'shell')
    """
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": username,
            "session": session_id,
            "date": datetime.now(UTC).isoformat(),
            "version": PROTOCOL_VERSION,
        },
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": channel,
        "buffers": [],
    }


def parent_id(msg: Message) -> str | None:
    """The msg_id of the request ``msg`` answers, or None for unsolicited messages."""
    parent = msg.get("parent_header") or {}
    return parent.get("msg_id")


def msg_type(msg: Message) -> str:
    return (msg.get("header") or {}).get("msg_type") or msg.get("msg_type") or ""


def is_kernel_lost(msg: Message) -> bool:
    """True for the gateway's own notice that the kernel died or was restarted under us.

    The gateway sends these with an empty parent header, so they must be looked at before
    the messages of other requests are discarded.
    """
    return msg_type(msg) == "status" and (msg.get("content") or {}).get("execution_state") in {
        "dead",
        "restarting",
    }


class OutputCollector:
    """nbformat v4 outputs of one request, in the order the kernel published them.

    Consecutive stream messages of the same name are merged into one output, as Jupyter
    front ends do; ``update_display_data`` and ``clear_output`` are applied in place.

    Examples:
        >>> c = OutputCollector()
        >>> for kind, content in [
        ...     ("stream", {"name": "stdout", "text": "a"}),
        ...     ("stream", {"name": "stdout", "text": "b\\n"}),
        ...     ("execute_result", {"execution_count": 3, "data": {"text/plain": "2"}}),
        ... ]:
        ...     _ = c.add(kind, content)
        >>> [o["output_type"] for o in c.outputs], c.outputs[0]["text"]
        (['stream', 'execute_result'], 'ab\\n')
    """

    def __init__(self) -> None:
        self.outputs: list[Output] = []
        self.execution_count: int | None = None
        self._display_indexes: dict[str, list[int]] = {}
        self._is_clear_pending = False

    def add(self, kind: str, content: dict[str, Any]) -> Output | None:
        """Apply one IOPub message; return the output it added, if any."""
        if kind == "execute_input":
            self.execution_count = content.get("execution_count")
            return None
        if kind == "clear_output":
            if content.get("wait"):
                self._is_clear_pending = True
            else:
                self._clear()
            return None
        if kind == "update_display_data":
            display_id = (content.get("transient") or {}).get("display_id")
            for index in self._display_indexes.get(display_id, []):
                self.outputs[index]["data"] = content.get("data", {})
                self.outputs[index]["metadata"] = content.get("metadata", {})
            return None
        output = _to_output(kind, content)
        if output is None:
            return None
        if self._is_clear_pending:
            self._clear()
        if kind == "execute_result" and output["execution_count"] is not None:
            self.execution_count = output["execution_count"]
        last = self.outputs[-1] if self.outputs else None
        if (
            output["output_type"] == "stream"
            and last is not None
            and last["output_type"] == "stream"
            and last["name"] == output["name"]
        ):
            last["text"] += output["text"]
            return output
        display_id = (content.get("transient") or {}).get("display_id")
        if display_id:
            self._display_indexes.setdefault(display_id, []).append(len(self.outputs))
        self.outputs.append(output)
        # A copy: the stored output changes as later stream chunks merge into it.
        return dict(output)

    def _clear(self) -> None:
        self.outputs.clear()
        self._display_indexes.clear()
        self._is_clear_pending = False


def _to_output(kind: str, content: dict[str, Any]) -> Output | None:
    if kind == "stream":
        return {"output_type": "stream", "name": content["name"], "text": content["text"]}
    if kind == "display_data":
        return {
            "output_type": "display_data",
            "data": content.get("data", {}),
            "metadata": content.get("metadata", {}),
        }
    if kind == "execute_result":
        return {
            "output_type": "execute_result",
            "execution_count": content.get("execution_count"),
            "data": content.get("data", {}),
            "metadata": content.get("metadata", {}),
        }
    if kind == "error":
        return {
            "output_type": "error",
            "ename": content.get("ename", ""),
            "evalue": content.get("evalue", ""),
            "traceback": list(content.get("traceback", [])),
        }
    return None


class Reply:
    """Everything that belongs to one request, gathered from the websocket.

    A request is complete only when BOTH its shell reply and the ``status: idle`` that
    names it as parent have arrived: the kernel sends the reply on the shell channel and
    outputs on IOPub, and the gateway interleaves the two freely, so the reply can come
    before the last outputs. Messages of other requests are ignored by parent msg_id.

    Examples:
        >>> r = Reply("m1", "execute_reply")
        >>> def msg(kind, channel, content, parent="m1"):
        ...     return {"header": {"msg_type": kind}, "parent_header": {"msg_id": parent},
        ...             "channel": channel, "content": content}
        >>> r.add(msg("execute_reply", "shell", {"status": "ok", "execution_count": 1}))
        >>> r.add(msg("stream", "iopub", {"name": "stdout", "text": "late"}))["text"]
        'late'
        >>> r.add(msg("status", "iopub", {"execution_state": "idle"}, parent="other"))
        >>> r.is_complete
        False
        >>> r.add(msg("status", "iopub", {"execution_state": "idle"}))
        >>> r.is_complete, r.collector.outputs[0]["text"]
        (True, 'late')
    """

    def __init__(self, msg_id: str, reply_type: str) -> None:
        self.msg_id = msg_id
        self.reply_type = reply_type
        self.content: dict[str, Any] | None = None
        self.is_idle = False
        self.collector = OutputCollector()

    @property
    def is_complete(self) -> bool:
        return self.content is not None and self.is_idle

    def add(self, msg: Message) -> Output | None:
        """Take ``msg`` if it belongs to this request; return the output it added, if any."""
        if parent_id(msg) != self.msg_id:
            return None
        kind = msg_type(msg)
        content = msg.get("content") or {}
        if kind == self.reply_type and msg.get("channel") in {"shell", "control"}:
            self.content = content
            return None
        if msg.get("channel") != "iopub":
            return None
        if kind == "status":
            if content.get("execution_state") == "idle":
                self.is_idle = True
            return None
        return self.collector.add(kind, content)
