"""Every permission question in Tributary is answered here, and only here.

Actions: ``view`` (read docs, notebooks, lineage, apps), ``run`` (run apps),
``edit`` (ingest, edit documentation), ``admin`` (members, grants, reviews).
A workspace role grants its action and every action below it.
"""

from __future__ import annotations

from typing import Literal

from django.db.models import Model, QuerySet

from accounts.errors import Forbidden, NotFound
from accounts.models import ROLE_RANK, Membership, Role, Workspace

Action = Literal["view", "run", "edit", "admin"]

ACTION_RANK: dict[str, int] = {
    "view": ROLE_RANK[Role.VIEWER],
    "run": ROLE_RANK[Role.RUNNER],
    "edit": ROLE_RANK[Role.EDITOR],
    "admin": ROLE_RANK[Role.ADMIN],
}


def _is_instance_admin(user) -> bool:
    return bool(user and user.is_active and (user.is_staff or user.is_superuser))


def _workspace_of(obj: Model) -> Workspace | None:
    if isinstance(obj, Workspace):
        return obj
    return getattr(obj, "workspace", None)


def role_in(user, workspace: Workspace) -> str | None:
    """The user's role in the workspace, or None."""
    if not (user and user.is_authenticated):
        return None
    cache = getattr(user, "_tributary_roles", None)
    if cache is None:
        cache = dict(Membership.objects.filter(user=user).values_list("workspace_id", "role"))
        user._tributary_roles = cache
    return cache.get(workspace.pk)


def can(user, action: Action, obj: Model) -> bool:
    """May ``user`` do ``action`` to ``obj`` (a workspace or anything with a ``workspace``)?"""
    if action not in ACTION_RANK:
        raise ValueError(f"Unknown action '{action}'")
    if not (user and user.is_authenticated and user.is_active):
        return False
    if _is_instance_admin(user):
        return True
    workspace = _workspace_of(obj)
    if workspace is None:
        return False
    role = role_in(user, workspace)
    return role is not None and ROLE_RANK[role] >= ACTION_RANK[action]


def visible(user, queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` the user may view, filtered in the database."""
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    if _is_instance_admin(user):
        return queryset
    workspace_ids = Membership.objects.filter(user=user).values("workspace_id")
    if queryset.model is Workspace:
        return queryset.filter(pk__in=workspace_ids)
    return queryset.filter(workspace_id__in=workspace_ids)


def access_object(user, action: Action, queryset: QuerySet, **lookup) -> Model:
    """Fetch one object and authorize ``action`` on it in one call.

    "Does not exist" and "may not see" raise the same NotFound, so a URL never
    tells an outsider what exists.
    """
    obj = visible(user, queryset).filter(**lookup).first()
    if obj is None or not can(user, "view", obj):
        raise NotFound(f"No {queryset.model._meta.verbose_name} matches the given query.")
    if action != "view" and not can(user, action, obj):
        raise Forbidden(f"You may not {action} this {queryset.model._meta.verbose_name}.")
    return obj
