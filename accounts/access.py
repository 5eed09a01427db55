"""Every permission question in Tributary is answered here, and only here.

Actions: ``view`` (read docs, notebooks, lineage, apps), ``run`` (run apps),
``edit`` (ingest, edit documentation), ``admin`` (members, grants, reviews).
A workspace role grants its action and every action below it. A person's role
in a workspace is the highest of their own membership and their teams' roles.
A per-object grant (see ``accounts.grants``) adds ``view`` or ``view`` and
``run`` on one object. Django staff and superusers may do everything.

Some things are seen through others (the model declares how, see `Table`): a table's
**name** is seen by whoever may see a notebook that reads or writes it (its SQL names
it), its **details** (documentation, owner, tags, columns) only by whoever may see its
home workspace or the notebook that defines it there. ``can(user, "view", table)``
answers the first, `can_see_details` the second; a column is a detail of its table.
`sight_of` gives the same answers as sets, for the lineage graph to test URNs quickly.

Objects reach their workspace through a ``workspace`` attribute; a model whose
workspace sits further away names the lookup in a ``workspace_lookup`` class
attribute (e.g. ``"notebook__workspace"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.db.models import F, Model, Q, QuerySet

from accounts import activity, grants
from accounts.errors import Forbidden, NotFound
from accounts.models import ROLE_RANK, Membership, Role, TeamMembership, Workspace
from urns import notebook_of

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
_SIGHT_CACHE = "_tributary_sight"


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
    for name in (_ROLES_CACHE, _GRANTS_CACHE, _SIGHT_CACHE):
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
    whole = getattr(type(obj), "details_of", None)
    if whole is not None:  # a part (a column) is a detail of its whole (its table)
        whole_obj = getattr(obj, whole)
        return (
            can_see_details(user, whole_obj) if action == "view" else can(user, action, whole_obj)
        )
    if _by_role_or_grant(user, action, obj):
        return True
    return action == "view" and _is_named_for(user, obj)


def _by_role_or_grant(user, action: Action, obj: Model) -> bool:
    workspace = _workspace_of(obj)
    if workspace is None:
        return False
    role = role_in(user, workspace)
    if role is not None and ROLE_RANK[role] >= ACTION_RANK[action]:
        return True
    if action in GRANTABLE_ACTIONS and grants.is_grantable(type(obj)):
        return action in _grant_levels(user, obj)
    return False


def can_see_details(user, obj: Model) -> bool:
    """May ``user`` read ``obj``'s documentation, owner, tags and columns?

    For most objects, whoever may view it. For one seen through others (a table), only
    whoever may see its home workspace, or the object that details it there (the
    notebook that defines the table, shared with them).
    """
    if not is_signed_in(user):
        return False
    if is_instance_admin(user):
        return True
    if getattr(type(obj), "named_through", None) is None:
        return can(user, "view", obj)
    if _by_role_or_grant(user, "view", obj):
        return True
    detailer = _detailer_of(obj)
    return detailer is not None and can(user, "view", detailer)


def _detailer_of(obj: Model) -> Model | None:
    """The object whose visibility also shows ``obj``'s details, if it lives in ``obj``'s
    workspace (a table defined from elsewhere is no detail of that elsewhere)."""
    lookup = getattr(type(obj), "detailed_through", None)
    detailer = getattr(obj, lookup, None) if lookup else None
    if detailer is None or _workspace_of(detailer) != _workspace_of(obj):
        return None
    return detailer


def _related_model(model: type[Model], lookup: str) -> type[Model]:
    for part in lookup.split("__"):
        model = model._meta.get_field(part).related_model
    return model


def _live(model: type[Model]) -> QuerySet:
    """Rows of ``model`` that still count (a deleted notebook names nothing)."""
    rows = model._default_manager.all()
    if any(f.name == "is_deleted" for f in model._meta.fields):
        rows = rows.filter(is_deleted=False)
    return rows


def named_filter(user, model: type[Model], *, pk_field: str = "pk") -> Q | None:
    """A filter for rows whose ``pk_field`` holds an object of ``model`` seen by name
    through something the user may see (a table, through a notebook using it), or None
    when ``model`` is never seen that way. Callers check ``is_signed_in`` first."""
    lookup = getattr(model, "named_through", None)
    if lookup is None:
        return None
    if is_instance_admin(user):
        return Q()
    through = visible(user, _live(_related_model(model, lookup)))
    named = model._default_manager.filter(**{f"{lookup}__in": through}).values("pk")
    return Q(**{f"{pk_field}__in": named})


def _detailed_filter(user, model: type[Model], *, pk_field: str = "pk") -> Q | None:
    """Rows of objects of ``model`` whose details the user sees through the object that
    details them in their own workspace (a table, through its defining notebook)."""
    lookup = getattr(model, "detailed_through", None)
    if lookup is None:
        return None
    detailers = visible(user, _related_model(model, lookup)._default_manager.all())
    home = getattr(model, "workspace_lookup", "workspace")
    detailed = model._default_manager.filter(
        **{f"{lookup}__in": detailers, f"{lookup}__{home}": F(home)}
    ).values("pk")
    return Q(**{f"{pk_field}__in": detailed})


def _is_named_for(user, obj: Model) -> bool:
    named = named_filter(user, type(obj))
    return named is not None and type(obj)._default_manager.filter(named, pk=obj.pk).exists()


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


def visible(
    user, queryset: QuerySet, action: Action = "view", *, details: bool = False
) -> QuerySet:
    """The rows of ``queryset`` the user may ``action`` (default: view), filtered in the DB.

    ``details``: only those whose details the user may see too (see `can_see_details`).
    """
    if not is_signed_in(user):
        return queryset.none()
    if is_instance_admin(user):
        return queryset
    model = queryset.model
    whole = getattr(model, "details_of", None)
    if whole is not None and action == "view":
        wholes = visible(user, _related_model(model, whole)._default_manager.all(), details=True)
        return queryset.filter(**{f"{whole}__in": wholes})
    if getattr(model, "named_through", None) is not None and action == "view":
        return queryset.filter(_seen_through_filter(user, model, details=details))
    direct, via_team = _workspace_ids_where(user, action)
    if model is Workspace:
        return queryset.filter(Q(pk__in=direct) | Q(pk__in=via_team))
    lookup = getattr(model, "workspace_lookup", "workspace")
    allowed = Q(**{f"{lookup}__in": direct}) | Q(**{f"{lookup}__in": via_team})
    if action in GRANTABLE_ACTIONS and grants.is_grantable(model):
        allowed |= grants.granted_filter(user, model, action)
    return queryset.filter(allowed)


def _seen_through_filter(user, model: type[Model], *, details: bool) -> Q:
    """Rows of a model seen through others (tables) the user may see: by their home
    workspace, through the object that details them there, and (unless ``details``) by
    name through whatever names them."""
    direct, via_team = _workspace_ids_where(user, "view")
    lookup = getattr(model, "workspace_lookup", "workspace")
    allowed = Q(**{f"{lookup}__in": direct}) | Q(**{f"{lookup}__in": via_team})
    detailed = _detailed_filter(user, model)
    if detailed is not None:
        allowed |= detailed
    if not details:
        allowed |= named_filter(user, model)
    return allowed


def visible_filter(
    user, model: type[Model], *, workspace_field: str, pk_field: str, action: Action = "view"
) -> tuple[Q, Q | None]:
    """Filters for rows that stand for objects of ``model`` elsewhere (a search index row
    keeping the object's workspace id and pk): ``(by role, by grant)``.

    ``by role`` keeps rows in workspaces where the user's role allows ``action`` (``Q()``
    for instance admins); ``by grant`` rows whose object was granted to the user (for a
    model seen through others, whose detailing object was), or None when neither can be.
    Callers check ``is_signed_in`` first.
    """
    if is_instance_admin(user):
        return Q(), None
    direct, via_team = _workspace_ids_where(user, action)
    by_role = Q(**{f"{workspace_field}__in": direct}) | Q(**{f"{workspace_field}__in": via_team})
    by_grant = None
    if action in GRANTABLE_ACTIONS and grants.is_grantable(model):
        by_grant = grants.granted_filter(user, model, action, field=pk_field)
    elif action == "view":
        by_grant = _detailed_filter(user, model, pk_field=pk_field)
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


@dataclass(frozen=True)
class Sight:
    """What one person may see, as sets that a graph of URNs tests quickly: the same
    answers as `can`, for nodes described by their attributes instead of rows.

    A node's attributes: ``kind``; ``ws``, the workspaces of the notebooks that touch
    it (and its home); ``home``; for tables and columns ``mentions``, the notebooks that
    read or write the table, and ``definer``, the notebook of its home that defines it.
    ``notebooks`` and ``apps`` are the URNs shared with the person one by one.
    """

    is_admin: bool = False
    workspace_ids: frozenset[int] = frozenset()
    notebooks: frozenset[str] = frozenset()
    apps: frozenset[str] = frozenset()

    def sees(self, urn: str, attrs: dict) -> bool:
        if self.is_admin:
            return True
        kind = attrs["kind"]
        if kind == "column":
            return self.sees_details(attrs)
        if kind == "table":
            return (
                self.sees_details(attrs)
                or not attrs["ws"].isdisjoint(self.workspace_ids)
                or not attrs["mentions"].isdisjoint(self.notebooks)
            )
        if not attrs["ws"].isdisjoint(self.workspace_ids):
            return True
        if kind in ("notebook", "block"):
            return notebook_of(urn) in self.notebooks
        if kind == "app":
            return urn in self.apps
        return False

    def sees_details(self, attrs: dict) -> bool:
        """For a table or column node: may they see its documentation, owner and columns?"""
        if self.is_admin or attrs.get("home") in self.workspace_ids:
            return True
        return attrs.get("definer") in self.notebooks


def sight_of(user) -> Sight:
    """``user``'s `Sight`, remembered on the user object (in practice, for one request)."""
    cached = getattr(user, _SIGHT_CACHE, None)
    if cached is not None:
        return cached
    if not is_signed_in(user):
        sight = Sight()
    elif is_instance_admin(user):
        sight = Sight(is_admin=True)
    else:
        member_of = frozenset(visible(user, Workspace.objects.all()).values_list("pk", flat=True))
        shared = {}
        for model in grants.grantable_models():
            rows = visible(user, model._default_manager.exclude(workspace_id__in=member_of))
            rows = rows.select_related("workspace")
            shared[model._meta.model_name] = frozenset(obj.urn for obj in rows)
        sight = Sight(
            workspace_ids=member_of,
            notebooks=shared.get("notebook", frozenset()),
            apps=shared.get("app", frozenset()),
        )
    if user is not None:
        setattr(user, _SIGHT_CACHE, sight)
    return sight


# Runs ------------------------------------------------------------------------------------
# A run (``execution.models.Run``) names its ``app`` (or, without one, its ``notebook``),
# its ``actor`` and the ``schedule`` that started it, if any.


def _run_target(run) -> Model:
    return run.app or run.notebook


def can_see_run(user, run) -> bool:
    """May ``user`` see the run whole: its inputs, outputs, steps and download?

    Its runner, the owner of the schedule that started it, and the editors and admins of
    its workspace; each only while they may still see what it ran.
    """
    target = _run_target(run)
    if not can(user, "view", target):
        return False
    if is_instance_admin(user) or run.actor_id == user.pk:
        return True
    if run.schedule_id is not None and run.schedule.owner_id == user.pk:
        return True
    return can(user, "edit", target)


def can_see_run_happened(user, run) -> bool:
    """May ``user`` know the run happened (when, status, duration): whoever sees its app."""
    return can(user, "view", _run_target(run))


def can_cancel_run(user, run) -> bool:
    """Its runner, or an editor of its workspace."""
    return can_see_run(user, run) and (
        run.actor_id == user.pk or can(user, "edit", _run_target(run))
    )


def visible_runs(user, runs: QuerySet) -> QuerySet:
    """The runs of ``runs`` the user may see whole (see `can_see_run`), in the database."""
    if not is_signed_in(user):
        return runs.none()
    if is_instance_admin(user):
        return runs
    direct, via_team = _workspace_ids_where(user, "edit")
    mine = Q(actor=user) | Q(schedule__owner=user)
    editing = Q(workspace_id__in=direct) | Q(workspace_id__in=via_team)
    model = runs.model
    apps = visible(user, _related_model(model, "app")._default_manager.all())
    notebooks = visible(user, _related_model(model, "notebook")._default_manager.all())
    still_seen = Q(app__in=apps) | Q(app__isnull=True, notebook__in=notebooks)
    return runs.filter(editing | (mine & still_seen))
