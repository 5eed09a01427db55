"""Signed checkpoints of the audit chain, kept outside the database.

In the manner of CloudTrail's digest files: each checkpoint names the chain's head (its id
and hash) and the event count, links to the previous checkpoint by that one's hash, and is
signed with HMAC-SHA256 under AUDIT_SIGNING_KEY. Whoever can rewrite the database but
cannot read the key can neither drop the newest events nor re-chain rewritten ones without
``audit_verify`` noticing.

The sink is a JSON-lines file (AUDIT_CHECKPOINT_FILE), or an HTTP endpoint
(AUDIT_CHECKPOINT_URL) that appends the JSON body of each POST and answers a GET with
every checkpoint so far, one JSON object a line.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.audit import GENESIS_HASH, REWRITTEN, sign, verify_chain
from accounts.models import AuditEvent

log = logging.getLogger(__name__)


class CheckpointError(Exception):
    """The checkpoint sink could not be read or written."""


@dataclass(frozen=True)
class Checkpoint:
    number: int
    at: str
    head_id: int | None
    head_hash: str
    events: int
    previous: str
    signature: str = ""

    def body(self) -> str:
        fields = asdict(self)
        del fields["signature"]
        return _canonical(fields)

    def signed(self) -> Checkpoint:
        return Checkpoint(**{**asdict(self), "signature": sign(f"checkpoint:{self.body()}")})

    @property
    def is_signed(self) -> bool:
        return hmac.compare_digest(self.signature, self.signed().signature)

    @property
    def hash(self) -> str:
        """What the next checkpoint links to: this one, signature included."""
        return hashlib.sha256(_canonical(asdict(self)).encode()).hexdigest()

    def to_line(self) -> str:
        return _canonical(asdict(self))


def _canonical(fields: dict) -> str:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Record:
    """One line of the sink: a checkpoint, or why the line is not one."""

    number: int
    checkpoint: Checkpoint | None


def parse_records(text: str) -> list[Record]:
    records = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            checkpoint = Checkpoint(**json.loads(line))
        except (ValueError, TypeError):
            checkpoint = None
        if checkpoint is not None and not _well_typed(checkpoint):
            checkpoint = None
        records.append(Record(len(records) + 1, checkpoint))
    return records


def _well_typed(c: Checkpoint) -> bool:
    def is_int(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    texts = (c.at, c.head_hash, c.previous, c.signature)
    return (
        all(isinstance(t, str) for t in texts)
        and is_int(c.number)
        and is_int(c.events)
        and (c.head_id is None or is_int(c.head_id))
    )


def read_records() -> list[Record]:
    """Every checkpoint written so far, from the configured sink, oldest first."""
    return parse_records(_read_sink())


def _read_sink() -> str:
    url = settings.AUDIT_CHECKPOINT_URL
    if url:
        try:
            response = requests.get(url, timeout=settings.AUDIT_CHECKPOINT_TIMEOUT_S)
            response.raise_for_status()
        except requests.RequestException as exc:
            raise CheckpointError(f"Cannot read audit checkpoints from {url}: {exc}") from exc
        return response.text
    path = Path(settings.AUDIT_CHECKPOINT_FILE)
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""
    except OSError as exc:
        raise CheckpointError(f"Cannot read audit checkpoints from {path}: {exc}") from exc


def _append_to_sink(line: str) -> None:
    url = settings.AUDIT_CHECKPOINT_URL
    if url:
        try:
            response = requests.post(
                url,
                data=line.encode(),
                headers={"Content-Type": "application/json"},
                timeout=settings.AUDIT_CHECKPOINT_TIMEOUT_S,
            )
            response.raise_for_status()
        except requests.RequestException as exc:
            raise CheckpointError(f"Cannot send an audit checkpoint to {url}: {exc}") from exc
        return
    path = Path(settings.AUDIT_CHECKPOINT_FILE)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a") as sink:
            sink.write(line + "\n")
            sink.flush()
            os.fsync(sink.fileno())
    except OSError as exc:
        raise CheckpointError(f"Cannot write an audit checkpoint to {path}: {exc}") from exc


def write_checkpoint() -> Checkpoint:
    """Sign the chain's current head and append it to the sink.

    The newest event's row lock (SQLite: the write transaction) is held while the
    checkpoint is written, so no event slips in between reading the head and counting,
    and two writers never link to the same previous checkpoint.
    """
    with transaction.atomic():
        head = AuditEvent.objects.select_for_update().order_by("-id").only("hash").first()
        count = AuditEvent.objects.count()
        number, previous = _newest()
        checkpoint = Checkpoint(
            number=number,
            at=timezone.now().isoformat(),
            head_id=head.pk if head else None,
            head_hash=head.hash if head else GENESIS_HASH,
            events=count,
            previous=previous.hash if previous else GENESIS_HASH,
        ).signed()
        _append_to_sink(checkpoint.to_line())
    return checkpoint


def _newest() -> tuple[int, Checkpoint | None]:
    """The next checkpoint's number and the newest checkpoint, read from the file's end
    (a year of checkpoints every five minutes is some 40 MB)."""
    if not settings.AUDIT_CHECKPOINT_URL:
        last = _last_line(Path(settings.AUDIT_CHECKPOINT_FILE))
        if last is None:
            return 1, None
        (record,) = parse_records(last)
        if record.checkpoint is not None:
            return record.checkpoint.number + 1, record.checkpoint
    records = read_records()
    return len(records) + 1, records[-1].checkpoint if records else None


def _last_line(path: Path) -> str | None:
    try:
        with path.open("rb") as sink:
            position = sink.seek(0, os.SEEK_END)
            tail = b""
            while position > 0 and tail.strip().count(b"\n") < 1:
                step = min(8192, position)
                position -= step
                sink.seek(position)
                tail = sink.read(step) + tail
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CheckpointError(f"Cannot read audit checkpoints from {path}: {exc}") from exc
    lines = [line for line in tail.decode(errors="replace").splitlines() if line.strip()]
    return lines[-1] if lines else None


def checkpoint_after_commit() -> None:
    """At the end of an ingest or a review: a checkpoint once the transaction commits.

    A sink that is down does not undo the work it follows; the periodic checkpoint
    (Celery beat) catches up.
    """
    transaction.on_commit(_write_checkpoint_or_warn)


def _write_checkpoint_or_warn() -> None:
    try:
        write_checkpoint()
    except CheckpointError as exc:
        log.warning("audit checkpoint not written: %s", exc)


@dataclass(frozen=True)
class LogCheck:
    """What ``audit_verify`` found: the findings (empty when the log is intact), and how
    many events and checkpoints it checked."""

    findings: tuple[str, ...]
    events: int
    checkpoints: int

    @property
    def is_intact(self) -> bool:
        return not self.findings


def verify_log() -> LogCheck:
    """The checkpoints, then the chain, then the chain against the checkpoints.

    Findings name what was found: ``event N rewritten`` (its content no longer matches
    its hash or its seal), ``events missing before event N`` (a row deleted in the
    middle), ``checkpoint K forged`` (not signed under our key, not a checkpoint, or a
    replay), ``checkpoint K missing`` (removed from the sink), ``truncated after event N``
    (a signed checkpoint names newer events than the log holds; N is the last event left
    below its head, 0 for none).
    """
    records = read_records()
    trusted, findings = _check_checkpoints(records)
    heads = sorted({c.head_id for c in trusted if c.head_id is not None})
    found: dict[int, tuple[str, int]] = {}
    last_below: dict[int, int] = {}
    walk = {"next": 0, "last_id": 0}

    def note(event: AuditEvent, position: int) -> None:
        while walk["next"] < len(heads) and heads[walk["next"]] <= event.pk:
            head = heads[walk["next"]]
            last_below[head] = walk["last_id"]
            if head == event.pk:
                found[head] = (event.hash, position)
            walk["next"] += 1
        walk["last_id"] = event.pk

    chain = verify_chain(on_event=note)
    broken = chain.broken_id
    if broken is not None:
        findings.insert(
            0,
            f"event {broken} rewritten"
            if chain.reason == REWRITTEN
            else f"events missing before event {broken}",
        )
    truncated = []
    for c in trusted:
        if c.head_id is None or (broken is not None and broken <= c.head_id):
            continue  # an empty log's checkpoint, or one that the chain's break explains
        if c.head_id in found:
            if found[c.head_id] != (c.head_hash, c.events):
                findings.append(f"event {c.head_id} differs from checkpoint {c.number}")
        elif broken is None:
            truncated.append(last_below.get(c.head_id, walk["last_id"]))
    if truncated:
        findings.insert(0, f"truncated after event {min(truncated)}")
    return LogCheck(tuple(findings), chain.count, len(records))


def _check_checkpoints(records: list[Record]) -> tuple[list[Checkpoint], list[str]]:
    """The checkpoints that are genuine and in their place, and what is wrong with the
    others. A forged checkpoint is named by the number it should have had."""
    trusted: list[Checkpoint] = []
    findings: list[str] = []
    expected = 1
    previous_hash: str | None = GENESIS_HASH  # None: the previous record is not ours
    for record in records:
        c = record.checkpoint
        if c is None or not c.is_signed:
            findings.append(f"checkpoint {expected} forged")
            expected += 1
            previous_hash = None
            continue
        if c.number < expected:
            findings.append(f"checkpoint {c.number} forged")  # a replayed copy
            continue
        if c.number > expected:
            findings.extend(f"checkpoint {n} missing" for n in range(expected, c.number))
        elif previous_hash is not None and c.previous != previous_hash:
            findings.append(f"checkpoint {c.number} forged")
            previous_hash = c.hash
            expected = c.number + 1
            continue
        trusted.append(c)
        previous_hash = c.hash
        expected = c.number + 1
    return trusted, findings
