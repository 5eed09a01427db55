"""Properties of invite tokens: a forged one never opens anything, a limit is never exceeded."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import invites
from accounts.errors import DomainError, Gone, NotFound
from accounts.models import Invite, Membership
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@contextmanager
def rolled_back():
    """Each example starts from the fixtures' database, whatever the last one did."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


token_alphabet = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@PROPERTY_SETTINGS
@given(
    forged=st.one_of(
        st.text(max_size=80),
        st.text(alphabet=token_alphabet, min_size=43, max_size=43),
    )
)
def test_a_forged_token_is_never_accepted(admin_user, workspace, forged):
    with rolled_back():
        issued = invites.create_invite(
            actor=admin_user, workspace=workspace, role="admin", max_uses=1000
        )
        if forged == issued.token:
            return
        stranger = make_user("stranger")

        with pytest.raises(NotFound):
            invites.accept_invite(actor=stranger, token=forged)
        assert not Membership.objects.filter(user=stranger).exists()
        assert Invite.objects.get().use_count == 0


@PROPERTY_SETTINGS
@given(
    position=st.integers(min_value=0, max_value=42),
    replacement=token_alphabet,
)
def test_a_token_one_character_off_is_never_accepted(admin_user, workspace, position, replacement):
    with rolled_back():
        issued = invites.create_invite(actor=admin_user, workspace=workspace, role="viewer")
        token = issued.token
        if token[position] == replacement:
            return
        forged = token[:position] + replacement + token[position + 1 :]
        stranger = make_user("stranger")

        with pytest.raises(NotFound):
            invites.accept_invite(actor=stranger, token=forged)
        assert invites.accept_invite(actor=stranger, token=token).outcome == "joined"


@PROPERTY_SETTINGS
@given(
    max_uses=st.integers(min_value=1, max_value=5),
    people=st.integers(min_value=0, max_value=8),
    revoke_after=st.one_of(st.none(), st.integers(min_value=0, max_value=8)),
    repeat=st.lists(st.integers(min_value=0, max_value=7), max_size=4),
)
def test_an_invite_is_never_used_more_than_its_limit(
    admin_user, workspace, max_uses, people, revoke_after, repeat
):
    with rolled_back():
        issued = invites.create_invite(
            actor=admin_user, workspace=workspace, role="runner", max_uses=max_uses
        )
        users = [make_user(f"p{i}") for i in range(people)]
        attempts = users + [users[i] for i in repeat if i < len(users)]
        joined = 0
        for n, user in enumerate(attempts):
            if revoke_after is not None and n == revoke_after:
                invites.revoke_invite(actor=admin_user, invite=issued.invite)
            try:
                result = invites.accept_invite(actor=user, token=issued.token)
            except DomainError as exc:
                assert isinstance(exc, Gone)
                continue
            joined += result.outcome == "joined"

        invite = Invite.objects.get()
        members = Membership.objects.filter(workspace=workspace, role="runner").count()
        assert invite.use_count <= max_uses
        assert members == joined == invite.use_count
        assert invite.acceptances.count() == invite.use_count
