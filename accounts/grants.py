"""Per-object grants, stored in django-guardian's tables. The only module that touches guardian.

A model becomes shareable by declaring a ``run_<model_name>`` permission in its
Meta (guardian's ``view_<model_name>`` comes with Django). A grant has a level:
``view`` (read-only) gives the view permission; ``run`` (read and run) gives both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, CharField, Model, Q, QuerySet
from django.db.models.functions import Cast
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import assign_perm, remove_perm

Level = Literal["view", "run"]
LEVELS: tuple[Level, ...] = ("view", "run")


def is_grantable(model: type[Model]) -> bool:
    name = model._meta.model_name
    return any(codename == f"run_{name}" for codename, _ in model._meta.permissions)


def grantable_models() -> list[type[Model]]:
    """Every model that can be shared per object."""
    return [model for model in apps.get_models() if is_grantable(model)]


def _codenames(model: type[Model]) -> dict[str, Level]:
    name = model._meta.model_name
    return {f"view_{name}": "view", f"run_{name}": "run"}


def _codename(model: type[Model], level: Level) -> str:
    return f"{level}_{model._meta.model_name}"


def granted_filter(user, model: type[Model], level: Level = "view", *, field: str = "pk") -> Q:
    """A filter on ``model`` for the objects granted to ``user`` at ``level``, directly or
    through a team, evaluated in the database. ``field`` names the column holding the
    object's pk when the filtered rows stand for the objects (e.g. a search index).

    The text ``object_pk`` is cast in the subqueries' select lists, so the cast only
    ever sees rows of this model.
    """
    content_type = ContentType.objects.get_for_model(model)
    codename = _codename(model, level)
    direct = UserObjectPermission.objects.filter(
        user=user, content_type=content_type, permission__codename=codename
    )
    via_team = GroupObjectPermission.objects.filter(
        group__user=user, content_type=content_type, permission__codename=codename
    )
    return Q(**{f"{field}__in": _cast_pks(direct)}) | Q(**{f"{field}__in": _cast_pks(via_team)})


def _cast_pks(rows: QuerySet) -> QuerySet:
    return rows.annotate(object_id=Cast("object_pk", BigIntegerField())).values("object_id")


def levels_on(user, obj: Model) -> set[Level]:
    """The grant levels ``user`` holds on ``obj``, directly or through a team."""
    if not is_grantable(type(obj)):
        return set()
    content_type = ContentType.objects.get_for_model(obj)
    names = _codenames(type(obj))
    direct = UserObjectPermission.objects.filter(
        user=user, content_type=content_type, object_pk=str(obj.pk)
    ).values_list("permission__codename", flat=True)
    via_team = GroupObjectPermission.objects.filter(
        group__user=user, content_type=content_type, object_pk=str(obj.pk)
    ).values_list("permission__codename", flat=True)
    codenames = set(direct.order_by().union(via_team.order_by()))
    return {names[c] for c in codenames if c in names}


def set_grant(holder, obj: Model, level: Level) -> None:
    """Give ``holder`` (a user or a team) exactly ``level`` on ``obj``."""
    model = type(obj)
    assign_perm(_codename(model, "view"), holder, obj)
    if level == "run":
        assign_perm(_codename(model, "run"), holder, obj)
    else:
        remove_perm(_codename(model, "run"), holder, obj)


def remove_grant(holder, obj_or_ref) -> int:
    """Remove every grant ``holder`` has on an object; returns how many permissions went."""
    content_type, object_pk = _ref(obj_or_ref)
    rows = _rows_for(holder).filter(content_type=content_type, object_pk=object_pk)
    deleted, _ = rows.delete()
    return deleted


def _ref(obj_or_ref) -> tuple[ContentType, str]:
    if isinstance(obj_or_ref, Model):
        return ContentType.objects.get_for_model(obj_or_ref), str(obj_or_ref.pk)
    return obj_or_ref


def _rows_for(holder) -> QuerySet:
    if isinstance(holder, Group):
        return GroupObjectPermission.objects.filter(group=holder)
    return UserObjectPermission.objects.filter(user=holder)


@dataclass(frozen=True)
class Grant:
    """One holder's access to one object, however many permission rows it takes."""

    holder: object  # a user or a Group
    is_team: bool
    content_type: ContentType
    object_pk: str
    level: Level

    @property
    def holder_name(self) -> str:
        return self.holder.name if self.is_team else self.holder.get_username()


def grants_on(objects: QuerySet) -> list[Grant]:
    """Every grant on the objects of ``objects`` (one grantable model), in two queries."""
    model = objects.model
    content_type = ContentType.objects.get_for_model(model)
    names = _codenames(model)
    pks = objects.annotate(pk_text=Cast("pk", CharField())).values("pk_text")
    found: dict[tuple, Grant] = {}
    for rows, is_team in (
        (UserObjectPermission.objects, False),
        (GroupObjectPermission.objects, True),
    ):
        rows = rows.filter(
            content_type=content_type, object_pk__in=pks, permission__codename__in=names
        ).values_list("object_pk", "permission__codename", "group" if is_team else "user")
        rows = list(rows)
        holders = _holders([r[2] for r in rows], is_team)
        for object_pk, codename, holder_id in rows:
            key = (is_team, holder_id, object_pk)
            level = names[codename]
            current = found.get(key)
            if current is None or level == "run":
                found[key] = Grant(holders[holder_id], is_team, content_type, object_pk, level)
    return sorted(found.values(), key=lambda g: (g.object_pk, g.is_team, g.holder_name))


def _holders(ids: list[int], is_team: bool) -> dict[int, object]:
    if not ids:
        return {}
    if is_team:
        return Group.objects.in_bulk(set(ids))
    from django.contrib.auth import get_user_model

    return get_user_model().objects.in_bulk(set(ids))


def forget_object(obj: Model) -> None:
    """Remove every grant on an object that is being deleted (guardian does not cascade)."""
    content_type = ContentType.objects.get_for_model(obj)
    for rows in (UserObjectPermission.objects, GroupObjectPermission.objects):
        rows.filter(content_type=content_type, object_pk=str(obj.pk)).delete()


def levels_of_holder(holder, obj: Model) -> set[Level]:
    """The levels one holder (a user itself, not its teams, or a team) has on ``obj``."""
    names = _codenames(type(obj))
    content_type = ContentType.objects.get_for_model(obj)
    codenames = (
        _rows_for(holder)
        .filter(content_type=content_type, object_pk=str(obj.pk))
        .values_list("permission__codename", flat=True)
    )
    return {names[c] for c in codenames if c in names}


def workspace_of_model(model: type[Model]) -> str:
    return getattr(model, "workspace_lookup", "workspace")


def workspace_ids_granted_to_teams(teams) -> dict[int, set[int]]:
    """Team id -> the workspaces of the objects the team has been granted anything on."""
    rows = GroupObjectPermission.objects.filter(group__in=teams).values_list(
        "group_id", "content_type", "object_pk"
    )
    by_type: dict[int, list[tuple[int, str]]] = {}
    for group_id, content_type_id, object_pk in rows:
        by_type.setdefault(content_type_id, []).append((group_id, object_pk))
    found: dict[int, set[int]] = {}
    for content_type_id, pairs in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None or not is_grantable(model):
            continue
        workspace_of = dict(
            model._base_manager.filter(pk__in={pk for _, pk in pairs}).values_list(
                "pk", workspace_of_model(model)
            )
        )
        for group_id, object_pk in pairs:
            workspace_id = workspace_of.get(model._meta.pk.to_python(object_pk))
            if workspace_id is not None:
                found.setdefault(group_id, set()).add(workspace_id)
    return found
