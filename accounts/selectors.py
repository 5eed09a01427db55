"""Reads for the governance pages and API, each filtered through ``accounts.access``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count, Model, Prefetch, Q, QuerySet

from accounts import grants
from accounts.access import access_object, administered_workspace_ids, is_instance_admin, visible
from accounts.errors import Forbidden, InvalidInput, NotFound
from accounts.models import (
    AccessReview,
    AuditEvent,
    Decision,
    Invite,
    ItemKind,
    Membership,
    ReviewItem,
    TeamMembership,
    Workspace,
)
from accounts.params import datetime_param, is_id


def admin_workspace(user, slug: str) -> Workspace:
    """A workspace the user administers; 404 if they cannot see it, 403 if they only see it."""
    return access_object(user, "admin", Workspace.objects.all(), slug=slug)


def _admin_object(user, queryset: QuerySet, **lookup) -> Model:
    # Governance rows (invites, memberships, reviews) are invisible to non-admins: 404.
    return access_object(user, "admin", visible(user, queryset, "admin"), **lookup)


def members_of(workspace: Workspace) -> QuerySet[Membership]:
    return workspace.memberships.select_related("user").order_by("user__username")


def membership(user, workspace: Workspace, pk: int) -> Membership:
    return _admin_object(
        user, Membership.objects.select_related("user", "workspace"), pk=pk, workspace=workspace
    )


def team_roles_of(workspace: Workspace) -> QuerySet[TeamMembership]:
    members = get_user_model().objects.order_by("username").only("username")
    return (
        workspace.team_roles.select_related("team")
        .prefetch_related(Prefetch("team__user_set", queryset=members, to_attr="members"))
        .order_by("team__name")
    )


def team_role(user, workspace: Workspace, pk: int) -> TeamMembership:
    return _admin_object(
        user,
        TeamMembership.objects.select_related("team", "workspace"),
        pk=pk,
        workspace=workspace,
    )


def team(pk: int) -> Group:
    found = Group.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound("No team matches the given query.")
    return found


def user_named(username: str, field: str = "username"):
    found = get_user_model().objects.filter(username=(username or "").strip()).first()
    if found is None or not found.is_active:
        raise InvalidInput(f"No active user is named '{(username or '').strip()}'.", field=field)
    return found


def team_named(name: str) -> Group | None:
    return Group.objects.filter(name=(name or "").strip()).first()


def grantable_models() -> list[type[Model]]:
    return [m for m in apps.get_models() if grants.is_grantable(m)]


def shareable_objects(workspace: Workspace) -> list[Model]:
    """Everything in the workspace that can be shared, for the share form."""
    found: list[Model] = []
    for model in grantable_models():
        lookup = grants.workspace_of_model(model)
        objects = model.objects.filter(**{lookup: workspace}).select_related(lookup)
        if hasattr(model, "is_deleted"):
            objects = objects.filter(is_deleted=False)
        found.extend(objects)
    return found


def object_ref(obj: Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def shareable_object(user, workspace: Workspace, ref: str) -> Model:
    """The object a form names as ``app.model:pk``, in ``workspace``, for an admin of it."""
    label, _, pk = (ref or "").partition(":")
    model = next((m for m in grantable_models() if m._meta.label_lower == label), None)
    if model is None or not is_id(pk):
        raise InvalidInput("Choose something to share.", field="object")
    lookup = grants.workspace_of_model(model)
    return access_object(
        user,
        "admin",
        model.objects.select_related(lookup),
        pk=int(pk),
        **{lookup: workspace},
    )


@dataclass(frozen=True)
class GrantRow:
    obj: Model
    grant: grants.Grant

    @property
    def ref(self) -> str:
        return object_ref(self.obj)

    @property
    def holder_ref(self) -> str:
        return f"{'team' if self.grant.is_team else 'user'}:{self.grant.holder.pk}"


def grants_in(workspace: Workspace) -> list[GrantRow]:
    rows: list[GrantRow] = []
    for model in grantable_models():
        lookup = grants.workspace_of_model(model)
        objects = model._base_manager.filter(**{lookup: workspace})
        found = grants.grants_on(objects)
        if not found:
            continue
        by_pk = {
            str(o.pk): o
            for o in objects.filter(pk__in=[g.object_pk for g in found]).select_related(lookup)
        }
        rows.extend(GrantRow(by_pk[g.object_pk], g) for g in found if g.object_pk in by_pk)
    return rows


def holder_by_ref(ref: str):
    kind, _, pk = (ref or "").partition(":")
    if not is_id(pk) or kind not in ("user", "team"):
        raise InvalidInput("Choose whose access to remove.", field="holder")
    model = Group if kind == "team" else get_user_model()
    found = model.objects.filter(pk=int(pk)).first()
    if found is None:
        raise InvalidInput("That person or team no longer exists.", field="holder")
    return found


def invites_of(workspace: Workspace) -> QuerySet[Invite]:
    return workspace.invites.select_related("created_by", "revoked_by").annotate(
        accepted=Count("acceptances")
    )


def invite(user, workspace: Workspace, pk: int) -> Invite:
    return _admin_object(
        user, Invite.objects.select_related("workspace"), pk=pk, workspace=workspace
    )


def _with_progress(reviews: QuerySet[AccessReview]) -> QuerySet[AccessReview]:
    return reviews.select_related("workspace", "created_by").annotate(
        total=Count("items"),
        decided=Count("items", filter=~Q(items__decision=Decision.PENDING)),
        stale=Count("items", filter=Q(items__is_stale=True)),
    )


def reviews_for(user, workspace: Workspace | None = None) -> QuerySet[AccessReview]:
    """Reviews the user may work on: of workspaces they administer; all-workspace ones for staff."""
    reviews = visible(user, AccessReview.objects.all(), "admin")
    if workspace is not None:
        reviews = reviews.filter(workspace=workspace)
    return _with_progress(reviews)


def review(user, pk: int) -> AccessReview:
    return _admin_object(user, AccessReview.objects.select_related("workspace"), pk=pk)


REVIEW_FILTERS = ("all", "pending", "revoke", "keep", "stale")


def review_items(review: AccessReview, show: str = "all") -> QuerySet[ReviewItem]:
    items = review.items.select_related("user", "team", "workspace", "decided_by")
    if show == "stale":
        items = items.filter(is_stale=True)
    elif show in Decision.values:
        items = items.filter(decision=show)
    return items.order_by("id")


def item_kinds() -> dict[str, str]:
    return dict(ItemKind.choices)


# The audit log --------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""
    action: str = ""
    workspace: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def as_query(self) -> dict[str, str]:
        out = {"actor": self.actor, "action": self.action, "workspace": self.workspace}
        out["since"] = self.since.isoformat() if self.since else ""
        out["until"] = self.until.isoformat() if self.until else ""
        return {k: v for k, v in out.items() if v}


def parse_audit_filters(params, *, strict: bool = False) -> AuditFilters:
    """The audit log's filters; ``strict`` (the API) refuses an empty date."""
    return AuditFilters(
        actor=(params.get("actor") or "").strip()[:150],
        action=(params.get("action") or "").strip()[:64],
        workspace=(params.get("workspace") or "").strip()[:63],
        since=datetime_param(params, "since", strict=strict),
        until=datetime_param(params, "until", end_of_day=True, strict=strict),
    )


def audit_events_for(user, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """Events the user may read, newest first: of the workspaces they administer; all for staff.

    Staff also see events that belong to no workspace (sign-in lockouts, tokens, teams).
    """
    events = AuditEvent.objects.select_related("workspace")
    if not is_instance_admin(user):
        administered = administered_workspace_ids(user)
        if not administered:
            raise Forbidden("The audit log is for workspace admins.")
        events = events.filter(workspace_id__in=administered)
    if filters.workspace:
        workspace = visible(user, Workspace.objects.all(), "admin").filter(slug=filters.workspace)
        if not workspace.exists():
            raise NotFound(f"No workspace you administer is named '{filters.workspace}'.")
        events = events.filter(workspace__slug=filters.workspace)
    if filters.actor:
        events = events.filter(actor_name=filters.actor)
    if filters.action:
        if filters.action.endswith((".", "*")):
            events = events.filter(action__startswith=filters.action.rstrip("*"))
        else:
            events = events.filter(action=filters.action)
    if filters.since:
        events = events.filter(created_at__gte=filters.since)
    if filters.until:
        events = events.filter(created_at__lte=filters.until)
    return events.order_by("-id")


def admin_workspaces(user) -> QuerySet[Workspace]:
    return visible(user, Workspace.objects.all(), "admin")
