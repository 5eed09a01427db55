"""Reactive re-runs in a person's warm session: only what a changed input reaches runs again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from execution.models import AppSession
from execution.sessions import cull_idle_sessions
from tests.execution.conftest import publish, publish_demo

pytestmark = pytest.mark.django_db

CELLS = (
    ("code", "email = 'a@example.com'\nlimit = 2", ["parameters"]),
    ("code", "import time\nstarted = time.time()\nrows = [email.upper()] * 5"),
    ("code", "time.sleep(0.3)\nprint(rows[:limit])"),
    ("code", "print('about', email)"),
)


@pytest.fixture
def app(workspace):
    return publish(workspace, "apps/report.ipynb", *CELLS)


def statuses(run) -> list[tuple[str, str]]:
    return list(run.steps.order_by("position").values_list("block_id", "status"))


def test_changing_one_parameter_reruns_only_its_users_and_keeps_the_rest(
    runner, app, gateway, execute
):
    first = execute(actor=runner, app=app, inputs={})
    second = execute(actor=runner, app=app, inputs={"limit": 3})

    assert first.trigger == "manual" and second.trigger == "reactive"
    assert statuses(second) == [
        ("cell-0", "skipped"),
        ("cell-0/injected-parameters", "succeeded"),
        ("cell-1", "skipped"),
        ("cell-2", "succeeded"),
        ("cell-3", "skipped"),
    ]
    assert second.skipped_blocks == ["cell-0", "cell-1", "cell-3"]
    kept = second.steps.get(block_id="cell-3")
    assert kept.outputs == first.steps.get(block_id="cell-3").outputs
    assert kept.reused_from_id == first.pk
    assert (
        second.steps.get(block_id="cell-2").outputs[0]["text"] == str(["A@EXAMPLE.COM"] * 3) + "\n"
    )
    first_durations = dict(first.steps.values_list("block_id", "duration_ms"))
    expected = sum(first_durations[b] for b in ("cell-0", "cell-1", "cell-3"))
    assert second.saved_ms == pytest.approx(expected, abs=0.01)


def test_a_changed_input_reaches_through_the_names_it_feeds(runner, app, gateway, execute):
    execute(actor=runner, app=app, inputs={})

    second = execute(actor=runner, app=app, inputs={"email": "b@example.com"})

    assert statuses(second) == [
        ("cell-0", "skipped"),
        ("cell-0/injected-parameters", "succeeded"),
        ("cell-1", "succeeded"),
        ("cell-2", "succeeded"),
        ("cell-3", "succeeded"),
    ]
    assert second.steps.get(block_id="cell-3").outputs[0]["text"] == "about b@example.com\n"


def test_the_same_inputs_again_run_everything_for_fresh_results(runner, app, gateway, execute):
    execute(actor=runner, app=app, inputs={})

    again = execute(actor=runner, app=app, inputs={})

    assert again.trigger == "manual" and again.skipped_blocks == []
    assert {status for _, status in statuses(again)} == {"succeeded"}


def test_each_person_has_a_session_of_their_own(workspace, runner, app, gateway, execute):
    from tests.factories import add_member, make_user

    other = make_user("otto-runner")
    add_member(other, workspace, "runner")
    execute(actor=runner, app=app, inputs={})

    theirs = execute(actor=other, app=app, inputs={"limit": 3})

    assert theirs.skipped_blocks == []
    sessions = AppSession.objects.filter(app=app)
    assert sessions.count() == 2
    assert len({s.kernel_id for s in sessions}) == 2


def test_a_culled_session_starts_from_the_top_again(runner, app, gateway, client, execute):
    first = execute(actor=runner, app=app, inputs={})
    session = AppSession.objects.get(user=runner, app=app)
    AppSession.objects.filter(pk=session.pk).update(
        last_used_at=timezone.now() - timedelta(minutes=11)
    )

    assert cull_idle_sessions(client=client) == 1
    assert client.get_kernel(session.kernel_id) is None
    after = execute(actor=runner, app=app, inputs={"limit": 3})

    assert after.skipped_blocks == [] and after.trigger == "manual"
    assert after.kernel_id != first.kernel_id


def test_a_session_idle_for_less_than_the_limit_is_kept(runner, app, gateway, client, execute):
    execute(actor=runner, app=app, inputs={})

    assert cull_idle_sessions(client=client) == 0
    session = AppSession.objects.get(user=runner, app=app)
    assert client.get_kernel(session.kernel_id) is not None


def test_a_failed_run_leaves_no_state_to_reuse(workspace, runner, gateway, execute):
    app = publish(
        workspace,
        "apps/fragile.ipynb",
        ("code", "n = 1", ["parameters"]),
        ("code", "assert n > 0, 'n must be positive'\nprint(n)"),
    )
    failed = execute(actor=runner, app=app, inputs={"n": -1})
    assert failed.status == "failed" and "n must be positive" in failed.error

    fixed = execute(actor=runner, app=app, inputs={"n": 2})

    assert fixed.status == "succeeded" and fixed.skipped_blocks == []


def test_a_demo_app_rerun_skips_the_warehouse_setup(workspace, runner, gateway, warehouse, execute):
    app = publish_demo(workspace, "production/apps/delete_user.ipynb", "delete-user")
    first = execute(actor=runner, app=app, inputs={})

    again = execute(actor=runner, app=app, inputs={"email": "alan.turing@bletchley.example"})

    assert again.status == "succeeded", again.error
    skipped = set(again.skipped_blocks)
    # The parameters cell and the cell opening the warehouse are kept; the rest re-ran
    # (and found the warehouse through the handle the last run left).
    assert skipped == {"b809032b", "ec24b46f"}
    assert again.saved_ms > 0 and first.status == "succeeded"
