"""Invite links: role-bearing, expiring, usage-limited, revocable; only the token's hash is kept.

The token is shown once, when the invite is made. Accepting one is a
conditional increment of its use count, so concurrent acceptances can never
exceed the limit.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.audit import record_event
from accounts.errors import Gone, InvalidInput, NotFound
from accounts.models import ROLE_RANK, Invite, InviteAcceptance, Membership, Workspace
from accounts.services import user_urn, validate_role

TOKEN_BYTES = 32
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
MAX_USES_LIMIT = 1000
MAX_DAYS = 90

NOT_VALID = (
    "This invite link is not valid. Check that you copied all of it, "
    "or ask a workspace admin for a new one."
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedInvite:
    invite: Invite
    token: str  # shown once; only its hash is stored


def create_invite(
    *,
    actor,
    workspace: Workspace,
    role: str,
    max_uses: int = 1,
    expires_in_days: int = 7,
    note: str = "",
) -> IssuedInvite:
    validate_role(role)
    if not 1 <= max_uses <= MAX_USES_LIMIT:
        raise InvalidInput(f"An invite can be used 1 to {MAX_USES_LIMIT} times.", field="max_uses")
    if not 1 <= expires_in_days <= MAX_DAYS:
        raise InvalidInput(f"An invite lasts 1 to {MAX_DAYS} days.", field="expires_in_days")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        invite = Invite.objects.create(
            workspace=workspace,
            role=role,
            token_hash=hash_token(token),
            note=note[:200],
            max_uses=max_uses,
            expires_at=timezone.now() + timedelta(days=expires_in_days),
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="invite.created",
            target_urn=invite.urn,
            workspace=workspace,
            details={
                "role": role,
                "max_uses": max_uses,
                "expires_at": invite.expires_at.isoformat(),
            },
        )
    return IssuedInvite(invite, token)


def revoke_invite(*, actor, invite: Invite) -> Invite:
    with transaction.atomic():
        invite = Invite.objects.select_for_update().select_related("workspace").get(pk=invite.pk)
        if invite.revoked_at is not None:
            return invite
        invite.revoked_at = timezone.now()
        invite.revoked_by = actor
        invite.save(update_fields=["revoked_at", "revoked_by"])
        record_event(
            actor=actor, action="invite.revoked", target_urn=invite.urn, workspace=invite.workspace
        )
    return invite


def find_invite(token: str) -> Invite:
    """The invite a token opens, whatever its state; a forged token raises NotFound."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        raise NotFound(NOT_VALID)
    invite = Invite.objects.select_related("workspace").filter(token_hash=hash_token(token)).first()
    if invite is None:
        raise NotFound(NOT_VALID)
    return invite


def refusal_of(invite: Invite, now=None) -> str | None:
    """Why the invite cannot be used now, in words for the person holding it; None if it can."""
    status = invite.status_at(now or timezone.now())
    if status == "revoked":
        return "This invite was withdrawn by a workspace admin. Ask them for a new one."
    if status == "expired":
        return (
            f"This invite expired on {invite.expires_at:%Y-%m-%d %H:%M} UTC. "
            "Ask a workspace admin for a new one."
        )
    if status == "used up":
        return (
            "This invite has already been used as many times as it allows. "
            "Ask a workspace admin for a new one."
        )
    return None


def check_invite(token: str) -> Invite:
    """The usable invite a token opens; NotFound when forged, Gone when no longer usable."""
    invite = find_invite(token)
    refusal = refusal_of(invite)
    if refusal:
        raise Gone(refusal)
    return invite


@dataclass(frozen=True)
class Acceptance:
    membership: Membership
    outcome: str  # joined | upgraded | already


def accept_invite(*, actor, token: str) -> Acceptance:
    """Make the actor a member with the invite's role (or raise them to it).

    A person who already has that role or a higher one keeps it and uses nothing.
    """
    invite = find_invite(token)
    refusal = None
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .filter(user=actor, workspace_id=invite.workspace_id)
            .first()
        )
        if membership and ROLE_RANK[membership.role] >= ROLE_RANK[invite.role]:
            return Acceptance(membership, "already")
        now = timezone.now()
        claimed = Invite.objects.filter(
            pk=invite.pk,
            revoked_at__isnull=True,
            expires_at__gt=now,
            use_count__lt=F("max_uses"),
        ).update(use_count=F("use_count") + 1)
        if not claimed:
            invite.refresh_from_db()
            refusal = refusal_of(invite, now) or NOT_VALID
            record_event(
                actor=actor,
                action="invite.refused",
                target_urn=invite.urn,
                workspace=invite.workspace,
                details={"reason": invite.status_at(now)},
            )
        else:
            outcome = "upgraded" if membership else "joined"
            previous = membership.role if membership else None
            if membership:
                membership.role = invite.role
                membership.save(update_fields=["role"])
            else:
                membership = Membership.objects.create(
                    user=actor, workspace=invite.workspace, role=invite.role
                )
            InviteAcceptance.objects.update_or_create(
                invite=invite, user=actor, defaults={"accepted_at": now}
            )
            record_event(
                actor=actor,
                action="invite.accepted",
                target_urn=invite.urn,
                workspace=invite.workspace,
                details={"user": user_urn(actor), "role": invite.role, "from": previous},
            )
    if refusal:
        # Raised after the block so the refusal's audit event is kept.
        raise Gone(refusal)
    return Acceptance(membership, outcome)
