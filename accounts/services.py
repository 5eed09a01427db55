"""Workspace, membership, team, sharing and token services.

Every write runs in one transaction that also writes its audit event. Callers
(views, the API) have already authorized the actor through ``accounts.access``.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Model

from accounts import grants, tokens
from accounts.access import team_workspace_ids
from accounts.audit import record_event
from accounts.errors import Conflict, InvalidInput
from accounts.models import (
    ApiToken,
    Membership,
    Role,
    TeamMembership,
    Workspace,
    slug_validator,
)
from urns import AssetKind

TEAM_NAME_MAX = 150


def validate_slug(slug: str) -> None:
    if not slug_validator.regex.match(slug or ""):
        raise InvalidInput(f"'{slug}' is not a valid workspace slug: {slug_validator.message}")


def validate_role(role: str) -> None:
    if role not in Role.values:
        raise InvalidInput(f"'{role}' is not a role; choose one of {', '.join(Role.values)}.")


def ensure_workspace(*, slug: str, name: str | None = None, actor=None) -> Workspace:
    """The workspace with ``slug``, created (and audited) when it does not exist yet."""
    validate_slug(slug)
    existing = Workspace.objects.filter(slug=slug).first()
    if existing:
        return existing
    with transaction.atomic():
        workspace, created = Workspace.objects.get_or_create(
            slug=slug, defaults={"name": name or slug.replace("-", " ").title()}
        )
        if created:
            record_event(
                actor=actor or "system",
                action="workspace.created",
                target_urn=workspace.urn,
                workspace=workspace,
            )
    return workspace


def user_urn(user) -> str:
    return AssetKind.USER.urn(user.get_username())


def team_urn(team: Group) -> str:
    return AssetKind.TEAM.urn(team.name)


def holder_urn(holder) -> str:
    return team_urn(holder) if isinstance(holder, Group) else user_urn(holder)


# Memberships ---------------------------------------------------------------


def add_member(*, actor, workspace: Workspace, user, role: str) -> Membership:
    validate_role(role)
    if Membership.objects.filter(workspace=workspace, user=user).exists():
        raise Conflict(f"{user.get_username()} is already a member of {workspace.slug}.")
    with transaction.atomic():
        membership = Membership.objects.create(workspace=workspace, user=user, role=role)
        record_event(
            actor=actor,
            action="membership.added",
            target_urn=user_urn(user),
            workspace=workspace,
            details={"role": role},
        )
    return membership


def _keeps_an_admin(membership: Membership) -> bool:
    workspace = membership.workspace_id
    other_admins = (
        Membership.objects.filter(workspace_id=workspace, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )
    team_admins = TeamMembership.objects.filter(
        workspace_id=workspace, role=Role.ADMIN, team__user__isnull=False
    ).exists()
    return other_admins or team_admins


def change_member_role(*, actor, membership: Membership, role: str) -> Membership:
    validate_role(role)
    if role == membership.role:
        return membership
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        previous = membership.role
        if previous == Role.ADMIN and not _keeps_an_admin(membership):
            raise Conflict("A workspace needs at least one admin; make someone else admin first.")
        membership.role = role
        membership.save(update_fields=["role"])
        record_event(
            actor=actor,
            action="membership.role_changed",
            target_urn=user_urn(membership.user),
            workspace=membership.workspace,
            details={"from": previous, "to": role},
        )
    return membership


def remove_member(*, actor, membership: Membership, review_id: int | None = None) -> None:
    """Remove a membership; a review's revocation may remove the last admin (staff remain)."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(pk=membership.pk).first()
        if membership is None:
            return
        if review_id is None and membership.role == Role.ADMIN and not _keeps_an_admin(membership):
            raise Conflict("A workspace needs at least one admin; make someone else admin first.")
        details = {"role": membership.role}
        if review_id is not None:
            details["review"] = review_id
        membership.delete()
        record_event(
            actor=actor,
            action="membership.removed",
            target_urn=user_urn(membership.user),
            workspace=membership.workspace,
            details=details,
        )


# Teams ---------------------------------------------------------------------


def validate_team_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > TEAM_NAME_MAX:
        raise InvalidInput(f"A team name is 1-{TEAM_NAME_MAX} characters.", field="team")
    return name


def create_team(*, actor, name: str, workspace: Workspace | None = None) -> Group:
    name = validate_team_name(name)
    with transaction.atomic():
        try:
            with transaction.atomic():
                team = Group.objects.create(name=name)
        except IntegrityError:
            raise Conflict(f"A team named '{name}' exists already.", field="team") from None
        record_event(
            actor=actor, action="team.created", target_urn=team_urn(team), workspace=workspace
        )
    return team


def set_team_role(*, actor, team: Group, workspace: Workspace, role: str) -> TeamMembership:
    validate_role(role)
    with transaction.atomic():
        team_role, created = TeamMembership.objects.select_for_update().get_or_create(
            team=team, workspace=workspace, defaults={"role": role}
        )
        previous = None if created else team_role.role
        if previous == role:
            return team_role
        team_role.role = role
        team_role.save(update_fields=["role"])
        record_event(
            actor=actor,
            action="team_role.set",
            target_urn=team_urn(team),
            workspace=workspace,
            details={"from": previous, "to": role},
        )
    return team_role


def remove_team_role(*, actor, team_role: TeamMembership, review_id: int | None = None) -> None:
    with transaction.atomic():
        team_role = TeamMembership.objects.select_for_update().filter(pk=team_role.pk).first()
        if team_role is None:
            return
        details = {"role": team_role.role}
        if review_id is not None:
            details["review"] = review_id
        team_role.delete()
        record_event(
            actor=actor,
            action="team_role.removed",
            target_urn=team_urn(team_role.team),
            workspace=team_role.workspace,
            details=details,
        )


def _record_team_change(*, actor, action: str, team: Group, user) -> None:
    """One event per workspace the team reaches, so each workspace's log is complete."""
    workspaces = list(Workspace.objects.filter(pk__in=team_workspace_ids(team)))
    for workspace in workspaces or [None]:
        record_event(
            actor=actor,
            action=action,
            target_urn=team_urn(team),
            workspace=workspace,
            details={"user": user.get_username()},
        )


def add_team_member(*, actor, team: Group, user) -> None:
    with transaction.atomic():
        if team.user_set.filter(pk=user.pk).exists():
            raise Conflict(f"{user.get_username()} is already in team {team.name}.")
        team.user_set.add(user)
        _record_team_change(actor=actor, action="team.member_added", team=team, user=user)


def remove_team_member(*, actor, team: Group, user) -> None:
    with transaction.atomic():
        if not team.user_set.filter(pk=user.pk).exists():
            return
        team.user_set.remove(user)
        _record_team_change(actor=actor, action="team.member_removed", team=team, user=user)


# Sharing one object ---------------------------------------------------------


def share_object(*, actor, obj: Model, holder, level: str) -> None:
    """Share ``obj`` with a person or team: ``view`` (read-only) or ``run`` (read and run)."""
    if level not in grants.LEVELS:
        raise InvalidInput("Share read-only ('view') or read-and-run ('run').", field="level")
    if not grants.is_grantable(type(obj)):
        raise InvalidInput(f"A {obj._meta.verbose_name} cannot be shared.")
    with transaction.atomic():
        before = grants.levels_of_holder(holder, obj)
        previous = "run" if "run" in before else ("view" if before else None)
        if previous == level:
            return
        grants.set_grant(holder, obj, level)
        record_event(
            actor=actor,
            action="grant.set",
            target_urn=obj.urn,
            workspace=obj.workspace,
            details={"holder": holder_urn(holder), "from": previous, "to": level},
        )


def unshare_object(
    *, actor, obj: Model, holder, review_id: int | None = None, workspace: Workspace | None = None
) -> int:
    """Remove every grant ``holder`` has on ``obj``; returns how many permissions went."""
    with transaction.atomic():
        removed = grants.remove_grant(holder, obj)
        if removed:
            details = {"holder": holder_urn(holder)}
            if review_id is not None:
                details["review"] = review_id
            record_event(
                actor=actor,
                action="grant.revoked",
                target_urn=obj.urn,
                workspace=workspace or obj.workspace,
                details=details,
            )
    return removed


# API tokens -----------------------------------------------------------------


def create_api_token(*, actor) -> str:
    """A new API token for the actor, replacing any old one. The key is returned to be
    shown once; only its hash is stored."""
    key = tokens.new_key()
    with transaction.atomic():
        replaced = ApiToken.objects.filter(user=actor).delete()[0] > 0
        ApiToken.objects.create(user=actor, key_hash=tokens.hash_key(key))
        record_event(
            actor=actor,
            action="token.created",
            target_urn=user_urn(actor),
            details={"replaced": replaced},
        )
    return key


def revoke_api_token(*, actor, reason: str = "") -> bool:
    """Revoke the actor's token, if they have one; ``reason`` when they did not ask."""
    with transaction.atomic():
        deleted = ApiToken.objects.filter(user=actor).delete()[0] > 0
        if deleted:
            record_event(
                actor=actor,
                action="token.revoked",
                target_urn=user_urn(actor),
                details={"reason": reason} if reason else {},
            )
    return deleted
