from __future__ import annotations

CODE = """
import sys
from IPython.display import display, HTML, update_display, clear_output
print("one", flush=True)
print("two", flush=True)
print("oops", file=sys.stderr, flush=True)
display(HTML("<b>bold</b>"))
handle = display("first", display_id="progress")
update_display("second", display_id="progress")
print("three", flush=True)
6 * 7
"""


def test_it_records_outputs_of_every_kind_in_order(session):
    result = session.execute(CODE, timeout_s=30)

    assert result.status == "ok"
    assert result.error is None
    assert [output["output_type"] for output in result.outputs] == [
        "stream",
        "stream",
        "display_data",
        "display_data",
        "stream",
        "execute_result",
    ]
    stdout, stderr, html, progress, stdout_again, value = result.outputs
    # Consecutive writes to one stream are merged; a different stream starts a new output.
    assert stdout == {"output_type": "stream", "name": "stdout", "text": "one\ntwo\n"}
    assert stderr == {"output_type": "stream", "name": "stderr", "text": "oops\n"}
    assert html["data"]["text/html"] == "<b>bold</b>"
    # update_display_data rewrites the output it names, in place.
    assert progress["data"]["text/plain"] == "'second'"
    assert stdout_again["text"] == "three\n"
    assert value == {
        "output_type": "execute_result",
        "execution_count": result.execution_count,
        "data": {"text/plain": "42"},
        "metadata": {},
    }


def test_it_applies_clear_output(session):
    code = (
        "from IPython.display import clear_output\n"
        "print('gone', flush=True)\n"
        "clear_output()\n"
        "print('kept', flush=True)\n"
        "clear_output(wait=True)\n"
        "print('also kept until the next output', flush=True)\n"
    )

    result = session.execute(code, timeout_s=30)

    assert result.outputs == (
        {"output_type": "stream", "name": "stdout", "text": "also kept until the next output\n"},
    )


def test_it_hands_each_output_to_a_callback_as_it_arrives(session):
    seen = []

    result = session.execute(
        "print('a', flush=True)\nprint('b', flush=True)\n'c'", timeout_s=30, on_output=seen.append
    )

    assert [output.get("text") or output["data"]["text/plain"] for output in seen] == [
        "a\n",
        "b\n",
        "'c'",
    ]
    assert result.outputs[0]["text"] == "a\nb\n"
