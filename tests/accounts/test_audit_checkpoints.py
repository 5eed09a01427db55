"""Signed checkpoints anchor the audit chain outside the database: truncating the log or
rewriting an event and re-chaining everything after it no longer passes as intact."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from accounts.audit import record_event
from accounts.checkpoints import Checkpoint, write_checkpoint
from accounts.models import AuditEvent
from tests.accounts.audit_tampering import (
    delete_newest,
    rewrite_and_rechain,
    verify,
    write_events,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def write_runs(count: int) -> list[AuditEvent]:
    """Run events as the execution app writes them: a runner and the inputs they gave."""
    runner = make_user("rita-runner")
    with transaction.atomic():
        return [
            record_event(
                actor=runner,
                action="run.started",
                target_urn="app:production/customer-360",
                details={"run": i, "inputs": {"customer": f"c{i}@example.com"}},
            )
            for i in range(count)
        ]


def sink_lines(settings) -> list[dict]:
    return [json.loads(line) for line in settings.AUDIT_CHECKPOINT_FILE.read_text().splitlines()]


def rewrite_sink(settings, lines: list[dict]) -> None:
    settings.AUDIT_CHECKPOINT_FILE.write_text("".join(json.dumps(line) + "\n" for line in lines))


def test_an_intact_log_names_its_events_and_checkpoints():
    write_runs(40)
    write_checkpoint()
    write_events(10)
    write_checkpoint()
    write_events(3)  # newer than the last checkpoint: still checked by the chain

    assert verify() == (0, "audit chain intact: 53 events, 2 checkpoints\n")


def test_deleting_the_newest_50_events_is_named_as_truncation():
    events = write_runs(100)
    write_checkpoint()

    delete_newest(50)

    assert verify() == (1, f"truncated after event {events[49].pk}\n")


def test_truncation_is_caught_even_when_new_events_were_written_after_it():
    events = write_runs(100)
    write_checkpoint()
    delete_newest(50)

    write_events(5)  # the server goes on appending to the shortened chain

    assert verify() == (1, f"truncated after event {events[49].pk}\n")


def test_rewriting_event_35_and_rechaining_every_later_event_is_named():
    events = write_runs(100)
    write_checkpoint()
    target = events[34]

    rewrite_and_rechain(
        target.pk, actor_name="someone-else", details={"run": 34, "inputs": {"customer": "x"}}
    )

    rewritten = AuditEvent.objects.get(pk=target.pk)
    assert rewritten.actor_name == "someone-else"
    assert rewritten.compute_hash() == rewritten.hash  # the chain itself links up again
    assert verify() == (1, f"event {target.pk} rewritten\n")


def test_a_rewrite_after_the_newest_checkpoint_is_named_too():
    write_runs(10)
    write_checkpoint()
    later = write_events(5)

    rewrite_and_rechain(later[2].pk, actor_name="nobody", details={"n": 0})

    assert verify() == (1, f"event {later[2].pk} rewritten\n")


def test_a_checkpoint_changed_without_the_key_is_forged(settings):
    write_runs(10)
    write_checkpoint()
    write_events(5)
    write_checkpoint()
    write_checkpoint()
    lines = sink_lines(settings)

    forged = Checkpoint(**{**lines[1], "events": 9, "signature": ""})
    settings_key = settings.AUDIT_SIGNING_KEY
    settings.AUDIT_SIGNING_KEY = "a-guess-at-the-key"
    lines[1] = json.loads(forged.signed().to_line())
    settings.AUDIT_SIGNING_KEY = settings_key
    rewrite_sink(settings, lines)

    assert verify() == (1, "checkpoint 2 forged\n")


def test_a_truncation_hidden_by_a_forged_checkpoint_is_named_with_it(settings):
    events = write_runs(20)
    write_checkpoint()
    write_events(30)
    write_checkpoint()
    delete_newest(30)
    lines = sink_lines(settings)

    lines[1].update(head_id=events[-1].pk, head_hash=events[-1].hash, events=20)
    rewrite_sink(settings, lines)

    assert verify() == (1, "checkpoint 2 forged\n")
    # The forged one proves nothing; the genuine first checkpoint still anchors 20 events.
    assert AuditEvent.objects.count() == 20


def test_a_checkpoint_removed_from_the_sink_is_missing(settings):
    write_events(3)
    for _ in range(3):
        write_checkpoint()
    lines = sink_lines(settings)

    rewrite_sink(settings, [lines[0], lines[2]])

    assert verify() == (1, "checkpoint 2 missing\n")


def test_a_line_that_is_not_a_checkpoint_is_forged(settings):
    write_events(3)
    write_checkpoint()
    with settings.AUDIT_CHECKPOINT_FILE.open("a") as sink:
        sink.write('{"number": 2, "head_id": "drop table"}\n')

    assert verify() == (1, "checkpoint 2 forged\n")


def test_the_checkpoint_command_appends_a_signed_record_of_the_head(settings):
    events = write_events(4)
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    write_events(1)
    call_command("audit_checkpoint", stdout=StringIO())

    first, second = sink_lines(settings)
    assert (first["number"], first["head_id"], first["head_hash"], first["events"]) == (
        1,
        events[-1].pk,
        events[-1].hash,
        4,
    )
    assert first["previous"] == "0" * 64
    assert second["previous"] == Checkpoint(**first).hash
    assert second["events"] == 5
    assert Checkpoint(**second).is_signed
    assert settings.AUDIT_CHECKPOINT_FILE.stat().st_mode & 0o077 == 0
    assert (
        out.getvalue() == f"audit checkpoint 1: 4 events, head {events[-1].pk} {events[-1].hash}\n"
    )


def test_the_signing_key_appears_in_no_checkpoint(settings):
    write_events(2)
    write_checkpoint()

    assert settings.AUDIT_SIGNING_KEY not in settings.AUDIT_CHECKPOINT_FILE.read_text()


def test_checkpoints_link_up_in_a_sink_longer_than_one_read(settings):
    write_events(2)
    for _ in range(40):  # some 14 kB: the newest is found from the file's end
        write_checkpoint()

    numbers = [line["number"] for line in sink_lines(settings)]
    assert numbers == list(range(1, 41))
    assert settings.AUDIT_CHECKPOINT_FILE.stat().st_size > 8192
    assert verify() == (0, "audit chain intact: 2 events, 40 checkpoints\n")


def test_each_test_writes_checkpoints_to_its_own_temporary_file(settings, tmp_path):
    assert settings.AUDIT_CHECKPOINT_FILE.parent == tmp_path
    assert settings.AUDIT_CHECKPOINT_URL is None
