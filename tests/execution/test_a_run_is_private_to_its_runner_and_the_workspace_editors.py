"""A run's inputs, outputs, steps and download belong to its runner and to the editors and
admins of its app's workspace; everyone else who may see the app sees only that it ran.

Personas around production's app: the run's owner (a runner who ran it for a customer),
another runner, a viewer, a read-only grantee of the app, a read-and-run grantee, an editor.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services
from accounts.models import AuditEvent
from execution.models import Schedule
from tests.execution.factories import make_finished_run
from tests.factories import add_member, make_user, put_notebook
from tests.kb_factories import make_app

pytestmark = pytest.mark.django_db

SECRET = "churn score 0.93 for dana@customer.example"


@pytest.fixture
def app(workspace):
    notebook = put_notebook(workspace, "customer_360.ipynb", "print(email)")
    return make_app(workspace, notebook, "customer-360", description="Look a customer up.")


@pytest.fixture
def people(workspace, app, editor, viewer):
    owner, other = make_user("olga-owner"), make_user("rob-runner")
    add_member(owner, workspace, "runner")
    add_member(other, workspace, "runner")
    read_only, read_and_run = make_user("rita-readonly"), make_user("ravi-readrun")
    services.share_object(actor="test", obj=app, holder=read_only, level="view")
    services.share_object(actor="test", obj=app, holder=read_and_run, level="run")
    return {
        "owner": owner,
        "other_runner": other,
        "viewer": viewer,
        "read_only": read_only,
        "read_and_run": read_and_run,
        "editor": editor,
    }


@pytest.fixture
def run(app, people):
    outputs = [{"output_type": "stream", "name": "stdout", "text": SECRET}]
    return make_finished_run(
        app, people["owner"], inputs={"email": "dana@customer.example"}, outputs=outputs
    )


# persona -> may see the run whole?
WHOLE = {
    "owner": True,
    "other_runner": False,
    "viewer": False,
    "read_only": False,
    "read_and_run": False,
    "editor": True,
}


@pytest.mark.parametrize("persona", sorted(WHOLE))
def test_the_run_its_steps_and_download_are_its_runners_and_the_editors(web, people, run, persona):
    web.force_login(people[persona])

    for url in ("/runs/{pk}/", "/runs/{pk}/download.ipynb", "/api/runs/{pk}/"):
        response = web.get(url.format(pk=run.pk))

        assert response.status_code == (200 if WHOLE[persona] else 404), (persona, url)
        body = response.content.decode()
        assert (SECRET in body) is WHOLE[persona], (persona, url)
        assert ("dana@customer.example" in body) is WHOLE[persona], (persona, url)


@pytest.mark.parametrize("persona", sorted(WHOLE))
def test_the_app_page_tells_others_only_that_runs_happened(web, people, app, run, persona):
    web.force_login(people[persona])

    html = web.get(f"/apps/{app.pk}/").content.decode()

    history = html.split('class="list run-history"')[1].split("</table>")[0]
    assert "succeeded" in history and "2.00 s" in history  # when, status, duration: all
    assert (f'href="/runs/{run.pk}/"' in html) is WHOLE[persona]
    assert ("olga-owner" in history) is WHOLE[persona]
    assert (SECRET in html) is (persona == "owner")  # the last run shown is one's own


def test_the_last_run_on_the_app_page_is_the_viewers_own(web, people, app, run):
    mine = make_finished_run(
        app,
        people["read_and_run"],
        outputs=[{"output_type": "stream", "name": "stdout", "text": "ravi's own result"}],
    )
    web.force_login(people["read_and_run"])

    html = web.get(f"/apps/{app.pk}/").content.decode()

    assert "ravi&#x27;s own result" in html or "ravi's own result" in html
    assert f'Outputs of your last run <a href="/runs/{mine.pk}/"' in html
    assert SECRET not in html


def test_the_editor_sees_every_run_and_the_owner_only_their_own_outputs(web, people, app, run):
    other = make_finished_run(
        app,
        people["other_runner"],
        outputs=[{"output_type": "stream", "name": "stdout", "text": "rob's lookup"}],
    )
    web.force_login(people["owner"])
    assert web.get(f"/runs/{other.pk}/").status_code == 404
    web.force_login(people["editor"])
    assert web.get(f"/runs/{other.pk}/").status_code == 200


def test_a_scheduled_run_is_its_schedule_owners_and_the_editors(web, people, app, workspace):
    owner = people["other_runner"]
    schedule = Schedule.objects.create(
        workspace=workspace, app=app, cron="0 * * * *", owner=owner, next_run_at=timezone.now()
    )
    scheduled = make_finished_run(app, owner, trigger="schedule", schedule=schedule)

    for persona, expected in [("other_runner", 200), ("owner", 404), ("editor", 200)]:
        web.force_login(people[persona])
        assert web.get(f"/runs/{scheduled.pk}/").status_code == expected, persona


def test_a_read_only_grantee_sees_the_app_page_but_no_source_and_no_run_form(web, people, app, run):
    web.force_login(people["read_only"])

    page = web.get(f"/apps/{app.pk}/")

    assert page.status_code == 200
    assert "Look a customer up." in page.content.decode()
    assert "print(email)" not in page.content.decode()
    assert web.get(f"/notebooks/{app.notebook.pk}/").status_code == 404
    assert web.get(f"/apps/{app.pk}/run/").status_code == 404


def test_refused_run_forms_are_audited_once_per_person_target_and_hour(
    web, people, app, outsider, monkeypatch
):
    web.force_login(outsider)

    for _ in range(20):
        assert web.get(f"/apps/{app.pk}/run/").status_code == 404
    web.force_login(people["read_only"])
    for _ in range(3):
        assert web.get(f"/apps/{app.pk}/run/").status_code == 404

    refused = AuditEvent.objects.filter(action="run.refused")
    assert sorted(e.actor.username for e in refused) == ["oscar-outsider", "rita-readonly"]
    later = timezone.now() + timedelta(minutes=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    web.get(f"/apps/{app.pk}/run/")
    assert AuditEvent.objects.filter(action="run.refused").count() == 3
