"""Each run sends START then COMPLETE (or FAIL) with the tables it reads and writes."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.execution.conftest import publish, publish_demo

pytestmark = pytest.mark.django_db


def events(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_demo_run_emits_start_and_complete_with_its_tables(
    workspace, runner, gateway, warehouse, lineage_file, execute
):
    from tests.kb_factories import make_connection

    make_connection(workspace, warehouse="duckdb://demo", location=str(warehouse))
    app = publish_demo(workspace, "production/apps/change_plan.deepnote", "change-plan")

    run = execute(actor=runner, app=app, inputs={"new_plan": "free"})

    start, complete = events(lineage_file)
    assert (start["eventType"], complete["eventType"]) == ("START", "COMPLETE")
    assert start["run"]["runId"] == complete["run"]["runId"] == str(run.lineage_run_id)
    assert complete["job"] == {
        "namespace": "tributary:production",
        "name": "app/change-plan",
        "facets": complete["job"]["facets"],
    }
    assert complete["job"]["facets"]["jobType"]["jobType"] == "APP"
    inputs = {(d["namespace"], d["name"]) for d in complete["inputs"]}
    outputs = {(d["namespace"], d["name"]) for d in complete["outputs"]}
    assert {("duckdb://demo", "raw.workspaces"), ("duckdb://demo", "raw.plans")} <= inputs
    assert {
        ("duckdb://demo", "raw.workspaces"),
        ("duckdb://demo", "raw.plan_changes"),
        ("duckdb://demo", "core.users"),
    } == outputs


def test_a_failed_run_emits_fail_with_its_error(workspace, runner, gateway, lineage_file, execute):
    app = publish(workspace, "apps/broken.ipynb", ("code", "1 / 0"))

    run = execute(actor=runner, app=app, inputs={})

    start, fail = events(lineage_file)
    assert (start["eventType"], fail["eventType"]) == ("START", "FAIL")
    assert fail["run"]["facets"]["errorMessage"]["message"] == run.error
    assert "ZeroDivisionError" in run.error


class _Collector(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(json.loads(body))
        self.send_response(201)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_with_an_url_set_events_are_posted_there(workspace, runner, gateway, settings, execute):
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.OPENLINEAGE_URL = f"http://127.0.0.1:{server.server_port}/api/v1/lineage"
    app = publish(workspace, "apps/posted.ipynb", ("code", "print(1)"))
    try:
        execute(actor=runner, app=app, inputs={})
    finally:
        server.shutdown()

    assert [e["eventType"] for e in _Collector.received] == ["START", "COMPLETE"]


def test_a_sink_that_refuses_never_fails_the_run(workspace, runner, gateway, settings, execute):
    from tests.servers import free_port

    settings.OPENLINEAGE_URL = f"http://127.0.0.1:{free_port()}/nowhere"
    app = publish(workspace, "apps/unheard.ipynb", ("code", "print(1)"))

    assert execute(actor=runner, app=app, inputs={}).status == "succeeded"
