"""Every permission question in Tributary is answered here, and only here.

Actions: ``view`` (read docs, notebooks, lineage, apps), ``run`` (run apps),
``edit`` (ingest, edit documentation), ``admin`` (members, grants, reviews).
A workspace role grants its action and every action below it. A person's role
in a workspace is the highest of their own membership and their teams' roles.
A per-object grant (see ``accounts.grants``) adds ``view`` or ``view`` and
``run`` on one object. Django staff and superusers may do everything.

Objects reach their workspace through a ``workspace`` attribute; a model whose
workspace sits further away names the lookup in a ``workspace_lookup`` class
attribute (e.g. ``"notebook__workspace"``).
"""

from __future__ import annotations

from typing import Literal

from django.db.models import Model, Q, QuerySet

from accounts import activity, grants
from accounts.errors import Forbidden, NotFound
from accounts.models import ROLE_RANK, Membership, Role, TeamMembership, Workspace

Action = Literal["view", "run", "edit", "admin"]

ACTION_RANK: dict[str, int] = {
    "view": ROLE_RANK[Role.VIEWER],
    "run": ROLE_RANK[Role.RUNNER],
    "edit": ROLE_RANK[Role.EDITOR],
    "admin": ROLE_RANK[Role.ADMIN],
}
# What a per-object grant can add; editing and administering always need a role.
GRANTABLE_ACTIONS = ("view", "run")

_ROLES_CACHE = "_tributary_roles"
_GRANTS_CACHE = "_tributary_grants"


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_instance_admin(user) -> bool:
    return is_signed_in(user) and (user.is_staff or user.is_superuser)


def _workspace_of(obj: Model) -> Workspace | None:
    if isinstance(obj, Workspace):
        return obj
    for part in getattr(type(obj), "workspace_lookup", "workspace").split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def roles_of(user) -> dict[int, str]:
    """Workspace id -> the user's effective role there (direct or through a team).

    Read once per user object (in practice, once per request) in one query.
    """
    if not is_signed_in(user):
        return {}
    cache = getattr(user, _ROLES_CACHE, None)
    if cache is None:
        direct = Membership.objects.filter(user=user).values_list("workspace_id", "role")
        via_team = (
            TeamMembership.objects.filter(team__user=user)
            .order_by()
            .values_list("workspace_id", "role")
        )
        cache = {}
        for workspace_id, role in direct.union(via_team, all=True):
            if ROLE_RANK[role] > ROLE_RANK.get(cache.get(workspace_id), 0):
                cache[workspace_id] = role
        setattr(user, _ROLES_CACHE, cache)
    return cache


def forget_cached_access(user) -> None:
    """Drop what this user object remembers of its roles and grants (after changing them)."""
    for name in (_ROLES_CACHE, _GRANTS_CACHE):
        if hasattr(user, name):
            delattr(user, name)


def role_in(user, workspace: Workspace) -> str | None:
    """The user's effective role in the workspace, or None."""
    return roles_of(user).get(workspace.pk)


def _grant_levels(user, obj: Model) -> set[str]:
    cache = getattr(user, _GRANTS_CACHE, None)
    if cache is None:
        cache = {}
        setattr(user, _GRANTS_CACHE, cache)
    key = (obj._meta.label_lower, obj.pk)
    if key not in cache:
        cache[key] = grants.levels_on(user, obj)
    return cache[key]


def can(user, action: Action, obj: Model) -> bool:
    """May ``user`` do ``action`` to ``obj`` (a workspace or anything with a ``workspace``)?"""
    if action not in ACTION_RANK:
        raise ValueError(f"Unknown action '{action}'")
    if not is_signed_in(user):
        return False
    if is_instance_admin(user):
        return True
    workspace = _workspace_of(obj)
    if workspace is None:
        return False
    role = role_in(user, workspace)
    if role is not None and ROLE_RANK[role] >= ACTION_RANK[action]:
        return True
    if action in GRANTABLE_ACTIONS and grants.is_grantable(type(obj)):
        return action in _grant_levels(user, obj)
    return False


def administered_workspace_ids(user) -> list[int]:
    """The workspaces the user administers through a role (staff administer all anyway)."""
    return [ws for ws, role in roles_of(user).items() if role == Role.ADMIN]


def administers_any(user) -> bool:
    return is_instance_admin(user) or bool(administered_workspace_ids(user))


def team_workspace_ids(team) -> set[int]:
    """Every workspace a team reaches: through its roles and through its object grants."""
    return teams_workspace_ids([team]).get(team.pk, set())


def teams_workspace_ids(teams) -> dict[int, set[int]]:
    """Team id -> every workspace the team reaches, for many teams in a few queries."""
    found = grants.workspace_ids_granted_to_teams(teams)
    for team_id, workspace_id in TeamMembership.objects.filter(team__in=teams).values_list(
        "team_id", "workspace_id"
    ):
        found.setdefault(team_id, set()).add(workspace_id)
    return found


def can_manage_team(user, team) -> bool:
    """May ``user`` change who is in ``team``?

    Only someone who administers every workspace the team reaches, so that adding
    a person to a team never gives them access its manager could not give anyway.
    """
    return team.pk in manageable_team_ids(user, [team])


def manageable_team_ids(user, teams) -> set[int]:
    teams = list(teams)
    if is_instance_admin(user):
        return {t.pk for t in teams}
    administered = set(administered_workspace_ids(user))
    if not administered:
        return set()
    reach = teams_workspace_ids(teams)
    return {t.pk for t in teams if reach.get(t.pk, set()) <= administered}


def _roles_at_least(action: Action) -> list[str]:
    return [role for role, rank in ROLE_RANK.items() if rank >= ACTION_RANK[action]]


def _workspace_ids_where(user, action: Action) -> tuple[QuerySet, QuerySet]:
    """Subqueries of the workspace ids where the user's own or a team's role allows ``action``."""
    roles = _roles_at_least(action)
    direct = Membership.objects.filter(user=user, role__in=roles).values("workspace_id")
    via_team = TeamMembership.objects.filter(team__user=user, role__in=roles).values("workspace_id")
    return direct, via_team


def visible(user, queryset: QuerySet, action: Action = "view") -> QuerySet:
    """The rows of ``queryset`` the user may ``action`` (default: view), filtered in the DB."""
    if not is_signed_in(user):
        return queryset.none()
    if is_instance_admin(user):
        return queryset
    model = queryset.model
    direct, via_team = _workspace_ids_where(user, action)
    if model is Workspace:
        return queryset.filter(Q(pk__in=direct) | Q(pk__in=via_team))
    lookup = getattr(model, "workspace_lookup", "workspace")
    allowed = Q(**{f"{lookup}__in": direct}) | Q(**{f"{lookup}__in": via_team})
    if action in GRANTABLE_ACTIONS and grants.is_grantable(model):
        allowed |= grants.granted_filter(user, model, action)
    return queryset.filter(allowed)


def visible_filter(
    user, model: type[Model], *, workspace_field: str, pk_field: str, action: Action = "view"
) -> tuple[Q, Q | None]:
    """Filters for rows that stand for objects of ``model`` elsewhere (a search index row
    keeping the object's workspace id and pk): ``(by role, by grant)``.

    ``by role`` keeps rows in workspaces where the user's role allows ``action`` (``Q()``
    for instance admins); ``by grant`` rows whose object was granted to the user, or None
    when ``model`` cannot be granted. Callers check ``is_signed_in`` first.
    """
    if is_instance_admin(user):
        return Q(), None
    direct, via_team = _workspace_ids_where(user, action)
    by_role = Q(**{f"{workspace_field}__in": direct}) | Q(**{f"{workspace_field}__in": via_team})
    by_grant = None
    if action in GRANTABLE_ACTIONS and grants.is_grantable(model):
        by_grant = grants.granted_filter(user, model, action, field=pk_field)
    return by_role, by_grant


def access_object(user, action: Action, queryset: QuerySet, **lookup) -> Model:
    """Fetch one object and authorize ``action`` on it in one call.

    "Does not exist" and "may not see" raise the same NotFound, so a URL never
    tells an outsider what exists. A successful read is noted (cheaply) as the
    evidence of use that access reviews show.
    """
    obj = visible(user, queryset).filter(**lookup).first()
    if obj is None or not can(user, "view", obj):
        raise NotFound(f"No {queryset.model._meta.verbose_name} matches the given query.")
    if action != "view" and not can(user, action, obj):
        raise Forbidden(f"You may not {action} this {queryset.model._meta.verbose_name}.")
    _note_seen(user, obj)
    return obj


def _note_seen(user, obj: Model) -> None:
    workspace = _workspace_of(obj)
    if workspace is None:
        return
    if role_in(user, workspace) is not None:
        activity.note_seen(user, workspace, workspace.urn)
    elif not is_instance_admin(user) and hasattr(obj, "urn"):
        # Access through a grant: the evidence belongs to the object, not its workspace.
        activity.note_seen(user, workspace, obj.urn)
