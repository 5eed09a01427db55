"""Workspace admin pages: members and teams."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access, selectors, services
from accounts.errors import Forbidden, NotFound
from accounts.forms import AddMemberForm, RoleForm, TeamMemberForm, TeamRoleForm, first_error
from accounts.models import Role
from accounts.views.common import attempt


def _refuse_invalid(request: HttpRequest, form) -> None:
    messages.error(request, first_error(form))


@require_http_methods(["GET", "POST"])
@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = selectors.admin_workspace(request.user, slug)
    form = AddMemberForm(request.POST or None, initial={"role": Role.VIEWER})
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            attempt(
                request,
                lambda: services.add_member(
                    actor=request.user,
                    workspace=workspace,
                    user=selectors.user_named(data["username"]),
                    role=data["role"],
                ),
                f"{data['username']} is now a {data['role']} of {workspace.name}.",
            )
        else:
            _refuse_invalid(request, form)
        return redirect("members", slug=workspace.slug)
    return render(
        request,
        "accounts/members.html",
        {
            "workspace": workspace,
            "members": selectors.members_of(workspace),
            "form": form,
            "roles": Role.choices,
        },
    )


@require_POST
@login_required
def member_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workspace = selectors.admin_workspace(request.user, slug)
    membership = selectors.membership(request.user, workspace, pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        role = form.cleaned_data["role"]
        attempt(
            request,
            lambda: services.change_member_role(
                actor=request.user, membership=membership, role=role
            ),
            f"{membership.user.get_username()} is now a {role}.",
        )
    else:
        _refuse_invalid(request, form)
    return redirect("members", slug=workspace.slug)


@require_POST
@login_required
def member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workspace = selectors.admin_workspace(request.user, slug)
    membership = selectors.membership(request.user, workspace, pk)
    attempt(
        request,
        lambda: services.remove_member(actor=request.user, membership=membership),
        f"{membership.user.get_username()} is no longer a member of {workspace.name}.",
    )
    return redirect("members", slug=workspace.slug)


@require_http_methods(["GET", "POST"])
@login_required
def teams(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = selectors.admin_workspace(request.user, slug)
    form = TeamRoleForm(request.POST or None, initial={"role": Role.VIEWER})
    if request.method == "POST":
        if form.is_valid():
            name, role = form.cleaned_data["team"].strip(), form.cleaned_data["role"]

            def give_role():
                team = selectors.team_named(name) or services.create_team(
                    actor=request.user, name=name, workspace=workspace
                )
                services.set_team_role(
                    actor=request.user, team=team, workspace=workspace, role=role
                )

            attempt(request, give_role, f"Team {name} is now a {role} of {workspace.name}.")
        else:
            _refuse_invalid(request, form)
        return redirect("teams", slug=workspace.slug)
    team_roles = list(selectors.team_roles_of(workspace))
    manageable = access.manageable_team_ids(request.user, [t.team for t in team_roles])
    for team_role in team_roles:
        team_role.is_manageable = team_role.team_id in manageable
    return render(
        request,
        "accounts/teams.html",
        {"workspace": workspace, "team_roles": team_roles, "form": form, "roles": Role.choices},
    )


@require_POST
@login_required
def team_role_change(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workspace = selectors.admin_workspace(request.user, slug)
    team_role = selectors.team_role(request.user, workspace, pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        role = form.cleaned_data["role"]
        attempt(
            request,
            lambda: services.set_team_role(
                actor=request.user, team=team_role.team, workspace=workspace, role=role
            ),
            f"Team {team_role.team.name} is now a {role}.",
        )
    else:
        _refuse_invalid(request, form)
    return redirect("teams", slug=workspace.slug)


@require_POST
@login_required
def team_role_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workspace = selectors.admin_workspace(request.user, slug)
    team_role = selectors.team_role(request.user, workspace, pk)
    attempt(
        request,
        lambda: services.remove_team_role(actor=request.user, team_role=team_role),
        f"Team {team_role.team.name} no longer has a role in {workspace.name}.",
    )
    return redirect("teams", slug=workspace.slug)


def _managed_team(request: HttpRequest, pk: int):
    """A team the user may manage; 403 to an admin who sees it but not all it reaches."""
    team = selectors.team(pk)
    if access.can_manage_team(request.user, team):
        return team
    reaches = access.team_workspace_ids(team)
    if reaches & set(access.administered_workspace_ids(request.user)):
        raise Forbidden(
            "Only someone who administers every workspace this team reaches may change its members."
        )
    raise NotFound("No team matches the given query.")


@require_http_methods(["GET", "POST"])
@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = _managed_team(request, pk)
    form = TeamMemberForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            username = form.cleaned_data["username"]
            attempt(
                request,
                lambda: services.add_team_member(
                    actor=request.user, team=team, user=selectors.user_named(username)
                ),
                f"{username} is now in team {team.name}.",
            )
        else:
            _refuse_invalid(request, form)
        return redirect("team", pk=team.pk)
    return render(
        request,
        "accounts/team.html",
        {
            "team": team,
            "members": team.user_set.order_by("username"),
            "team_roles": team.workspace_roles.select_related("workspace"),
            "form": form,
        },
    )


@require_POST
@login_required
def team_member_remove(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    team = _managed_team(request, pk)
    member = team.user_set.filter(pk=user_pk).first()
    if member is None:
        raise NotFound("That person is not in this team.")
    attempt(
        request,
        lambda: services.remove_team_member(actor=request.user, team=team, user=member),
        f"{member.get_username()} is no longer in team {team.name}.",
    )
    return redirect("team", pk=team.pk)
