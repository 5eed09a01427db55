"""Property: whatever the mix of accesses and decisions, a revoked access never survives a
completed review, and a kept one always does."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import reviews, services
from accounts.access import can, forget_cached_access
from accounts.models import ItemKind, Membership, TeamMembership
from tests.factories import make_team, make_user

pytestmark = pytest.mark.django_db


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


access = st.fixed_dictionaries(
    {
        "role": st.sampled_from([None, "viewer", "runner", "editor", "admin"]),
        "team_role": st.sampled_from([None, "viewer", "runner"]),
        "grant": st.sampled_from([None, "view", "run"]),
        "team_grant": st.sampled_from([None, "view", "run"]),
    }
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.lists(access, min_size=1, max_size=4),
    decisions=st.lists(st.booleans(), min_size=16, max_size=16),
)
def test_a_revoked_access_never_survives_a_completed_review(
    staff, workspace, notebook, people, decisions
):
    with rolled_back():
        for i, wanted in enumerate(people):
            user = make_user(f"person{i}")
            team = make_team(f"team{i}")
            team.user_set.add(user)
            if wanted["role"]:
                Membership.objects.create(user=user, workspace=workspace, role=wanted["role"])
            if wanted["team_role"]:
                TeamMembership.objects.create(
                    team=team, workspace=workspace, role=wanted["team_role"]
                )
            if wanted["grant"]:
                services.share_object(actor=staff, obj=notebook, holder=user, level=wanted["grant"])
            if wanted["team_grant"]:
                services.share_object(
                    actor=staff, obj=notebook, holder=team, level=wanted["team_grant"]
                )
        review = reviews.start_review(
            actor=staff, workspace=workspace, due_on=timezone.localdate() + timedelta(days=1)
        )
        items = list(review.items.select_related("user", "team"))
        chosen = {
            item.pk: ("revoke" if decisions[n % len(decisions)] else "keep", "")
            for n, item in enumerate(items)
        }
        reviews.decide(actor=staff, review=review, decisions=chosen)

        reviews.complete_review(actor=staff, review=review)

        for item in items:
            revoked = chosen[item.pk][0] == "revoke"
            assert survives(item, notebook) is not revoked, (item.kind, item.subject, revoked)


def survives(item, notebook) -> bool:
    """Whether exactly the access this row describes still exists."""
    from accounts import grants

    if item.kind == ItemKind.MEMBERSHIP:
        return Membership.objects.filter(user=item.user, workspace=item.workspace).exists()
    if item.kind == ItemKind.TEAM_ROLE:
        return TeamMembership.objects.filter(team=item.team, workspace=item.workspace).exists()
    holder = item.team if item.kind == ItemKind.TEAM_GRANT else item.user
    return bool(grants.levels_of_holder(holder, notebook))


def test_after_revoking_everything_no_one_but_staff_can_see_the_notebook(
    staff, admin_user, viewer, team_member, grantee, workspace, notebook
):
    review = reviews.start_review(
        actor=staff, workspace=workspace, due_on=timezone.localdate() + timedelta(days=1)
    )
    reviews.decide(
        actor=staff, review=review, decisions={i.pk: ("revoke", "") for i in review.items.all()}
    )

    reviews.complete_review(actor=staff, review=review)

    for user in (admin_user, viewer, team_member, grantee):
        forget_cached_access(user)
        assert not can(user, "view", notebook), user
    assert can(staff, "admin", notebook)
