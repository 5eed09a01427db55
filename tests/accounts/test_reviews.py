from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts import reviews, services
from accounts.access import can, forget_cached_access
from accounts.audit import record_event
from accounts.errors import Conflict
from accounts.models import AuditEvent, ItemKind, LastSeen, Membership, ReviewItem, TeamMembership
from tests.factories import add_member, make_user

pytestmark = pytest.mark.django_db

DUE = timezone.localdate() + timedelta(days=14)


def start(admin_user, workspace):
    return reviews.start_review(actor=admin_user, workspace=workspace, due_on=DUE)


def decide_all(review, actor, decision="keep", **overrides):
    decisions = {
        item.pk: (overrides.get(item.subject, decision), f"note {item.pk}")
        for item in review.items.all()
    }
    return reviews.decide(actor=actor, review=review, decisions=decisions)


def test_a_review_snapshots_memberships_team_roles_and_grants(
    admin_user, viewer, team_member, grantee, workspace, other_workspace, outsider
):
    review = start(admin_user, workspace)

    rows = {(i.kind, i.subject, i.access) for i in review.items.all()}
    assert rows == {
        (ItemKind.MEMBERSHIP, "alice-admin", "admin"),
        (ItemKind.MEMBERSHIP, "victor-viewer", "viewer"),
        (ItemKind.TEAM_ROLE, "team support", "runner"),
        (ItemKind.USER_GRANT, "gina-grantee", "run"),
    }
    grant = review.items.get(kind=ItemKind.USER_GRANT)
    assert grant.target_urn == "notebook:production/billing/denormalize.ipynb"
    assert AuditEvent.objects.get(action="review.started").details["items"] == 4


def test_a_review_of_all_workspaces_covers_each_of_them(staff, admin_user, outsider, workspace):
    review = reviews.start_review(actor=staff, workspace=None, due_on=DUE)

    assert {i.workspace.slug for i in review.items.all()} == {"production", "analytics"}


def test_evidence_comes_from_the_audit_log_and_last_seen(admin_user, viewer, workspace, notebook):
    long_ago = timezone.now() - timedelta(days=200)
    Membership.objects.filter(user=viewer).update(created_at=long_ago)
    LastSeen.objects.create(
        user=viewer, workspace=workspace, target_urn=workspace.urn, seen_at=long_ago
    )
    with transaction.atomic():
        record_event(
            actor=admin_user, action="run.started", target_urn="app:x", workspace=workspace
        )
        record_event(actor=admin_user, action="notebook.changed", workspace=workspace)

    review = start(admin_user, workspace)

    victor = review.items.get(user=viewer)
    alice = review.items.get(user=admin_user)
    assert victor.last_view_at == long_ago
    assert (victor.last_run_at, victor.last_edit_at) == (None, None)
    assert victor.is_stale
    assert alice.last_run_at is not None and alice.last_edit_at is not None
    assert not alice.is_stale


def test_a_new_access_is_not_flagged_unused(admin_user, workspace):
    newcomer = make_user("newcomer")
    add_member(newcomer, workspace, "viewer")

    review = start(admin_user, workspace)

    assert not review.items.get(user=newcomer).is_stale


def test_a_team_role_shows_its_members_most_recent_use(admin_user, team_member, workspace):
    LastSeen.objects.create(
        user=team_member, workspace=workspace, target_urn=workspace.urn, seen_at=timezone.now()
    )

    review = start(admin_user, workspace)

    assert review.items.get(kind=ItemKind.TEAM_ROLE).last_view_at is not None


def test_completing_applies_every_revocation_and_audits_each(
    admin_user, viewer, team_member, grantee, workspace, notebook, team
):
    review = start(admin_user, workspace)
    decide_all(
        review,
        admin_user,
        **{"victor-viewer": "revoke", "team support": "revoke", "gina-grantee": "revoke"},
    )

    progress = reviews.complete_review(actor=admin_user, review=review)

    assert (progress.kept, progress.revoked) == (1, 3)
    assert not Membership.objects.filter(user=viewer, workspace=workspace).exists()
    assert not TeamMembership.objects.filter(team=team, workspace=workspace).exists()
    for user in (viewer, team_member, grantee):
        forget_cached_access(user)
        assert not can(user, "view", notebook), user
    assert can(admin_user, "admin", workspace)
    events = AuditEvent.objects.filter(details__review=review.pk)
    assert sorted(e.action for e in events) == [
        "grant.revoked",
        "membership.removed",
        "team_role.removed",
    ]
    assert AuditEvent.objects.get(action="review.completed").details == {"kept": 1, "revoked": 3}
    assert set(review.items.filter(decision="revoke").values_list("outcome", flat=True)) == {
        "removed viewer membership",
        "removed team's runner role",
        "removed grant",
    }


def test_a_review_with_undecided_rows_cannot_be_completed(admin_user, viewer, workspace):
    review = start(admin_user, workspace)
    first = review.items.first()
    reviews.decide(actor=admin_user, review=review, decisions={first.pk: ("revoke", "")})

    with pytest.raises(Conflict, match="1 of 2 rows are undecided"):
        reviews.complete_review(actor=admin_user, review=review)
    assert Membership.objects.filter(workspace=workspace).count() == 2


def test_a_completed_review_cannot_change(admin_user, workspace):
    review = start(admin_user, workspace)
    decide_all(review, admin_user)
    reviews.complete_review(actor=admin_user, review=review)

    with pytest.raises(Conflict, match="completed"):
        decide_all(review, admin_user, decision="revoke")
    with pytest.raises(Conflict):
        reviews.complete_review(actor=admin_user, review=review)


def test_revoking_removes_access_even_if_it_changed_since_the_snapshot(
    admin_user, viewer, workspace, notebook
):
    reader = make_user("reader")
    services.share_object(actor=admin_user, obj=notebook, holder=reader, level="view")
    review = start(admin_user, workspace)
    Membership.objects.filter(user=viewer).update(role="editor")
    services.share_object(actor=admin_user, obj=notebook, holder=reader, level="run")
    decide_all(review, admin_user, **{"victor-viewer": "revoke", "reader": "revoke"})

    reviews.complete_review(actor=admin_user, review=review)

    assert not Membership.objects.filter(user=viewer, workspace=workspace).exists()
    assert not can(reader, "view", notebook)


def test_the_review_page_saves_decisions_without_javascript(client, admin_user, viewer, workspace):
    review = start(admin_user, workspace)
    items = list(review.items.all())
    client.force_login(admin_user)
    data = {"items": [str(i.pk) for i in items]}
    for item in items:
        data[f"decision-{item.pk}"] = ["pending", "revoke"]  # hidden first, then the radio
        data[f"note-{item.pk}"] = "left the team"

    response = client.post(f"/reviews/{review.pk}/decide/", data)

    assert response.status_code == 302
    assert set(review.items.values_list("decision", "note", "decided_by")) == {
        ("revoke", "left the team", admin_user.pk)
    }
    assert AuditEvent.objects.filter(action="review.decided").count() == 1


def test_the_keyboard_page_saves_one_decision_and_gets_progress_back(
    client, admin_user, viewer, workspace
):
    review = start(admin_user, workspace)
    item = review.items.get(user=viewer)
    client.force_login(admin_user)

    response = client.post(
        f"/reviews/{review.pk}/decide/",
        {"items": [item.pk], f"decision-{item.pk}": "keep", f"note-{item.pk}": ""},
        HTTP_ACCEPT="application/json",
    )

    assert response.json() == {
        "changed": {str(item.pk): "keep"},
        "progress": {"total": 2, "decided": 1, "kept": 1, "revoked": 0, "percent": 50},
    }


def test_the_keyboard_page_gets_errors_as_json(client, admin_user, viewer, workspace):
    review = start(admin_user, workspace)
    client.force_login(admin_user)

    response = client.post(
        f"/reviews/{review.pk}/decide/",
        {"items": ["999999"], "decision-999999": "keep"},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"error": "Some rows are not part of this review."}


def test_the_review_page_renders_five_hundred_rows_in_few_queries(
    client, admin_user, workspace, django_assert_max_num_queries
):
    for i in range(499):
        Membership.objects.create(user=make_user(f"m{i:03}"), workspace=workspace)
    review = start(admin_user, workspace)
    client.force_login(admin_user)

    with django_assert_max_num_queries(9):
        response = client.get(f"/reviews/{review.pk}/")

    html = response.content.decode()
    assert html.count("<tr data-item=") == 500
    assert 'src="/static/review.js"' in html
    assert "500 unused for 90 days" not in html  # new memberships are not unused


def test_the_review_page_filters_rows(client, admin_user, viewer, workspace):
    review = start(admin_user, workspace)
    reviews.decide(
        actor=admin_user,
        review=review,
        decisions={review.items.get(user=viewer).pk: ("revoke", "")},
    )
    client.force_login(admin_user)

    html = client.get(f"/reviews/{review.pk}/", {"show": "revoke"}).content.decode()

    assert html.count("<tr data-item=") == 1
    assert "victor-viewer" in html


def test_the_reviews_list_shows_progress_in_few_queries(
    client, admin_user, viewer, workspace, django_assert_max_num_queries
):
    for _ in range(5):
        review = start(admin_user, workspace)
    decide_all(review, admin_user)
    client.force_login(admin_user)

    with django_assert_max_num_queries(7):
        html = client.get(f"/w/{workspace.slug}/reviews/").content.decode()

    assert html.count("<td>2 / 2</td>") == 1
    assert html.count("<td>0 / 2</td>") == 4


def test_the_review_exports_to_csv(client, admin_user, viewer, workspace):
    review = start(admin_user, workspace)
    decide_all(review, admin_user, **{"victor-viewer": "revoke"})
    client.force_login(admin_user)

    response = client.get(f"/reviews/{review.pk}/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert [(r["subject"], r["decision"]) for r in rows] == [
        ("alice-admin", "keep"),
        ("victor-viewer", "revoke"),
    ]
    assert rows[0]["decided_by"] == "alice-admin"


def test_only_staff_start_a_review_of_every_workspace(client, admin_user, staff):
    client.force_login(admin_user)
    refused = client.post("/reviews/", {"due_on": DUE.isoformat()})
    client.force_login(staff)
    started = client.post("/reviews/", {"due_on": DUE.isoformat(), "title": "Q4"})

    assert refused.status_code == 403
    assert started.status_code == 302
    assert ReviewItem.objects.exists()


def test_a_workspace_admin_starts_a_review_from_the_page(client, admin_user, viewer, workspace):
    client.force_login(admin_user)

    response = client.post(f"/w/{workspace.slug}/reviews/", {"due_on": DUE.isoformat()})

    review = admin_user.memberships.get().workspace.reviews.get()
    assert response["Location"] == f"/reviews/{review.pk}/"
    assert review.title == "Access review of production"


def test_a_due_date_in_the_past_is_refused(client, admin_user, workspace):
    client.force_login(admin_user)
    yesterday = timezone.localdate() - timedelta(days=1)

    client.post(f"/w/{workspace.slug}/reviews/", {"due_on": yesterday.isoformat()})
    page = client.get(f"/w/{workspace.slug}/reviews/").content.decode()

    assert "The due date is in the past." in page
    assert not workspace.reviews.exists()
