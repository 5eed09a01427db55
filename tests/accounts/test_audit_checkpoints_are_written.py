"""Checkpoints are written at the end of every ingest and access review, periodically by
Celery beat, and to an HTTP endpoint when one is configured."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from accounts import reviews
from accounts.checkpoints import Checkpoint, CheckpointError, write_checkpoint
from accounts.models import AuditEvent
from accounts.tasks import audit_checkpoint_task
from catalog.ingest.folders import ingest_folder
from catalog.ingest.pipeline import ingest_upload
from tests.accounts.audit_tampering import delete_newest, verify, write_events
from tests.factories import ipynb_bytes, write_notebook

pytestmark = pytest.mark.django_db

LOAD = ("code", "import pandas as pd\ndf = pd.read_csv('x.csv')")


def checkpoints(settings) -> list[Checkpoint]:
    path = settings.AUDIT_CHECKPOINT_FILE
    lines = path.read_text().splitlines() if path.exists() else []
    return [Checkpoint(**json.loads(line)) for line in lines]


def newest_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-id").first()


def test_an_upload_ends_with_a_checkpoint_of_its_events(
    settings, workspace, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ingest_upload(actor=editor, workspace=workspace, filename="a.ipynb", data=ipynb_bytes(LOAD))

    (checkpoint,) = checkpoints(settings)
    head = newest_event()
    assert head.action == "notebook.ingested"
    assert (checkpoint.head_id, checkpoint.head_hash) == (head.pk, head.hash)
    assert checkpoint.events == AuditEvent.objects.count()
    assert checkpoint.is_signed


def test_a_folder_ingest_ends_with_a_checkpoint_of_its_last_event(
    settings, workspace, tmp_path, django_capture_on_commit_callbacks
):
    folder = tmp_path / "folder"
    folder.mkdir()
    write_notebook(folder, "a.ipynb", ipynb_bytes(LOAD))

    with django_capture_on_commit_callbacks(execute=True):
        ingest_folder(actor=None, workspace=workspace, root=folder, source="test")

    assert newest_event().action == "workspace.ingested"
    assert checkpoints(settings)[-1].head_id == newest_event().pk


def test_completing_a_review_ends_with_a_checkpoint(
    settings, admin_user, viewer, workspace, django_capture_on_commit_callbacks
):
    review = reviews.start_review(
        actor=admin_user, workspace=workspace, due_on=timezone.localdate() + timedelta(days=7)
    )
    reviews.decide(
        actor=admin_user,
        review=review,
        decisions={item.pk: ("keep", "") for item in review.items.all()},
    )

    with django_capture_on_commit_callbacks(execute=True):
        reviews.complete_review(actor=admin_user, review=review)

    assert newest_event().action == "review.completed"
    assert checkpoints(settings)[-1].head_id == newest_event().pk


def test_a_sink_that_is_down_does_not_undo_the_ingest(
    settings, workspace, editor, tmp_path, django_capture_on_commit_callbacks
):
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "not-a-folder" / "checkpoints.jsonl"
    (tmp_path / "not-a-folder").write_text("a file where the folder should be")

    with django_capture_on_commit_callbacks(execute=True):
        report = ingest_upload(
            actor=editor, workspace=workspace, filename="a.ipynb", data=ipynb_bytes(LOAD)
        )

    assert report.new == 1
    with pytest.raises(CheckpointError, match=r"audit checkpoints? (from|to) "):
        write_checkpoint()


def test_celery_beat_writes_a_checkpoint_periodically(settings):
    write_events(3)

    entry = django_settings.CELERY_BEAT_SCHEDULE["accounts-audit-checkpoint"]
    assert entry == {
        "task": "accounts.audit_checkpoint",
        "schedule": float(settings.AUDIT_CHECKPOINT_INTERVAL_S),
    }
    assert audit_checkpoint_task.delay().get() == 1
    assert checkpoints(settings)[0].events == 3


class _Sink(BaseHTTPRequestHandler):
    """A checkpoint endpoint: POST appends the body, GET returns every line so far."""

    lines: list[str]

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.server.lines.append(body)
        self.send_response(201)
        self.end_headers()

    def do_GET(self):
        payload = "".join(line + "\n" for line in self.server.lines).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_sink(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    server.lines = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.AUDIT_CHECKPOINT_URL = f"http://127.0.0.1:{server.server_port}/checkpoints"
    yield server
    server.shutdown()
    server.server_close()


def test_checkpoints_go_to_the_http_endpoint_and_verify_reads_them_back(settings, http_sink):
    events = write_events(60)
    write_checkpoint()
    write_checkpoint()

    assert len(http_sink.lines) == 2
    assert (
        json.loads(http_sink.lines[1])["previous"]
        == Checkpoint(**json.loads(http_sink.lines[0])).hash
    )
    assert not settings.AUDIT_CHECKPOINT_FILE.exists()
    assert verify() == (0, "audit chain intact: 60 events, 2 checkpoints\n")

    delete_newest(50)

    assert verify() == (1, f"truncated after event {events[9].pk}\n")
