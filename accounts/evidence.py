"""The evidence an access review shows for each access: when it was last used.

- last view: ``LastSeen`` (see ``accounts.activity``), accurate to the hour;
- last run: the newest audit event whose action starts with ``run.`` (the
  execution layer names its events so);
- last edit: the newest other audit event the person caused in the workspace
  (ingests, documentation edits, and for admins their administration).

For a grant, only views and runs of the shared object itself count. For a
team's role, the most recent use by any of its members counts. An access is
stale when nothing, including its own creation, happened in ``STALE_AFTER``.
All of it is read in a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Max, QuerySet
from django.utils import timezone

from accounts import grants
from accounts.models import (
    AuditEvent,
    ItemKind,
    LastSeen,
    Membership,
    ReviewItem,
    TeamMembership,
    Workspace,
)
from accounts.services import holder_urn

STALE_AFTER = timedelta(days=90)
RUN_PREFIX = "run."

Key = tuple  # (user_id, workspace_id[, target_urn])


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


class Evidence:
    """Every use of the workspaces in scope, loaded once and looked up per row."""

    def __init__(self, workspace_ids: QuerySet):
        self.seen: dict[Key, datetime] = {}
        for user_id, ws_id, urn, at in LastSeen.objects.filter(
            workspace_id__in=workspace_ids
        ).values_list("user_id", "workspace_id", "target_urn", "seen_at"):
            self.seen[(user_id, ws_id, urn)] = at
        events = AuditEvent.objects.filter(
            workspace_id__in=workspace_ids, actor__isnull=False
        ).order_by()
        self.runs: dict[Key, datetime] = {}
        self.runs_by_target: dict[Key, datetime] = {}
        for user_id, ws_id, urn, at in (
            events.filter(action__startswith=RUN_PREFIX)
            .values_list("actor_id", "workspace_id", "target_urn")
            .annotate(at=Max("created_at"))
        ):
            self.runs[(user_id, ws_id)] = _latest(self.runs.get((user_id, ws_id)), at)
            self.runs_by_target[(user_id, ws_id, urn)] = at
        self.edits: dict[Key, datetime] = dict(
            ((user_id, ws_id), at)
            for user_id, ws_id, at in events.exclude(action__startswith=RUN_PREFIX)
            .values_list("actor_id", "workspace_id")
            .annotate(at=Max("created_at"))
        )
        self.granted: dict[tuple[str, str], datetime] = {}
        for urn, details, at in AuditEvent.objects.filter(
            workspace_id__in=workspace_ids, action="grant.set"
        ).values_list("target_urn", "details", "created_at"):
            key = (urn, (details or {}).get("holder", ""))
            self.granted[key] = _latest(self.granted.get(key), at)

    def for_member(self, user_id: int, workspace: Workspace) -> dict:
        return {
            "last_view_at": self.seen.get((user_id, workspace.pk, workspace.urn)),
            "last_run_at": self.runs.get((user_id, workspace.pk)),
            "last_edit_at": self.edits.get((user_id, workspace.pk)),
        }

    def for_grant(self, user_id: int, workspace_id: int, target_urn: str) -> dict:
        return {
            "last_view_at": self.seen.get((user_id, workspace_id, target_urn)),
            "last_run_at": self.runs_by_target.get((user_id, workspace_id, target_urn)),
            "last_edit_at": None,
        }


def _most_recent(rows: list[dict]) -> dict:
    merged = {"last_view_at": None, "last_run_at": None, "last_edit_at": None}
    for row in rows:
        for key, value in row.items():
            merged[key] = _latest(merged[key], value)
    return merged


def _is_stale(item: ReviewItem, now: datetime) -> bool:
    latest = _latest(item.last_used_at, item.granted_at)
    return latest is None or latest < now - STALE_AFTER


def snapshot_items(workspaces: QuerySet) -> list[ReviewItem]:
    """Unsaved review rows for every membership, team role and grant in ``workspaces``."""
    now = timezone.now()
    workspace_ids = workspaces.values("pk")
    evidence = Evidence(workspace_ids)
    team_members: dict[int, list[int]] = defaultdict(list)
    for user_id, group_id in get_user_model().groups.through.objects.values_list(
        "user_id", "group_id"
    ):
        team_members[group_id].append(user_id)

    items: list[ReviewItem] = []
    memberships = Membership.objects.filter(workspace_id__in=workspace_ids).select_related(
        "user", "workspace"
    )
    for m in memberships.order_by("workspace__slug", "user__username"):
        items.append(
            ReviewItem(
                kind=ItemKind.MEMBERSHIP,
                workspace=m.workspace,
                user=m.user,
                access=m.role,
                target_urn=m.workspace.urn,
                granted_at=m.created_at,
                **evidence.for_member(m.user_id, m.workspace),
            )
        )
    team_roles = TeamMembership.objects.filter(workspace_id__in=workspace_ids).select_related(
        "team", "workspace"
    )
    for t in team_roles.order_by("workspace__slug", "team__name"):
        uses = [evidence.for_member(u, t.workspace) for u in team_members[t.team_id]]
        items.append(
            ReviewItem(
                kind=ItemKind.TEAM_ROLE,
                workspace=t.workspace,
                team=t.team,
                access=t.role,
                target_urn=t.workspace.urn,
                granted_at=t.created_at,
                **_most_recent(uses),
            )
        )
    items.extend(_grant_items(workspaces, evidence, team_members))
    for item in items:
        item.is_stale = _is_stale(item, now)
    return items


def _grant_items(
    workspaces: QuerySet, evidence: Evidence, team_members: dict[int, list[int]]
) -> list[ReviewItem]:
    items = []
    for model in apps.get_models():
        if not grants.is_grantable(model):
            continue
        lookup = grants.workspace_of_model(model)
        objects = model._base_manager.filter(**{f"{lookup}__in": workspaces})
        found = grants.grants_on(objects)
        if not found:
            continue
        by_pk = {
            str(obj.pk): obj
            for obj in objects.filter(pk__in=[g.object_pk for g in found]).select_related(lookup)
        }
        for g in found:
            obj = by_pk.get(g.object_pk)
            if obj is None:
                continue
            workspace = _workspace_via(obj, lookup)
            urn = obj.urn
            if g.is_team:
                uses = [evidence.for_grant(u, workspace.pk, urn) for u in team_members[g.holder.pk]]
                use = _most_recent(uses)
            else:
                use = evidence.for_grant(g.holder.pk, workspace.pk, urn)
            items.append(
                ReviewItem(
                    kind=ItemKind.TEAM_GRANT if g.is_team else ItemKind.USER_GRANT,
                    workspace=workspace,
                    user=None if g.is_team else g.holder,
                    team=g.holder if g.is_team else None,
                    access=g.level,
                    content_type=g.content_type,
                    object_pk=g.object_pk,
                    target_urn=urn,
                    granted_at=evidence.granted.get((urn, holder_urn(g.holder))),
                    **use,
                )
            )
    return items


def _workspace_via(obj, lookup: str) -> Workspace:
    for part in lookup.split("__"):
        obj = getattr(obj, part)
    return obj
