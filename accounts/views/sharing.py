"""Workspace admin page: sharing single objects with people and teams outside the workspace."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services
from accounts.errors import InvalidInput
from accounts.forms import ShareForm, UnshareForm, first_error
from accounts.views.common import attempt


def _holder(kind: str, name: str):
    if kind == "team":
        team = selectors.team_named(name)
        if team is None:
            raise InvalidInput(f"No team is named '{name.strip()}'.", field="holder")
        return team
    return selectors.user_named(name, field="holder")


@require_http_methods(["GET", "POST"])
@login_required
def grants(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = selectors.admin_workspace(request.user, slug)
    form = ShareForm(
        request.POST or None,
        initial={"object": request.GET.get("object", ""), "level": "view", "holder_kind": "user"},
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            level = "read and run" if data["level"] == "run" else "read-only"

            def share():
                obj = selectors.shareable_object(request.user, workspace, data["object"])
                services.share_object(
                    actor=request.user,
                    obj=obj,
                    holder=_holder(data["holder_kind"], data["holder"]),
                    level=data["level"],
                )

            attempt(request, share, f"Shared with {data['holder']}, {level}.")
        else:
            messages.error(request, first_error(form))
        return redirect("grants", slug=workspace.slug)
    return render(
        request,
        "accounts/grants.html",
        {
            "workspace": workspace,
            "rows": selectors.grants_in(workspace),
            "objects": [
                (selectors.object_ref(o), o.urn) for o in selectors.shareable_objects(workspace)
            ],
            "form": form,
            "selected": request.GET.get("object", ""),
        },
    )


@require_POST
@login_required
def grant_revoke(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = selectors.admin_workspace(request.user, slug)
    form = UnshareForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("grants", slug=workspace.slug)
    obj = selectors.shareable_object(request.user, workspace, form.cleaned_data["object"])
    holder = selectors.holder_by_ref(form.cleaned_data["holder"])
    attempt(
        request,
        lambda: services.unshare_object(actor=request.user, obj=obj, holder=holder),
        f"{obj.urn} is no longer shared with {services.holder_urn(holder)}.",
    )
    return redirect("grants", slug=workspace.slug)
