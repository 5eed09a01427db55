"""Invite links: the admin's page, and the page a link opens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import invites as invite_services
from accounts import selectors
from accounts.access import is_signed_in
from accounts.errors import DomainError, InvalidInput
from accounts.forms import InviteForm, InviteSignUpForm, first_error
from accounts.signup import sign_up_with_invite
from accounts.views.common import attempt

_NEW_INVITE = "tributary_new_invite"


@require_http_methods(["GET", "POST"])
@login_required
def invites(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = selectors.admin_workspace(request.user, slug)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():

            def create():
                issued = invite_services.create_invite(
                    actor=request.user, workspace=workspace, **form.cleaned_data
                )
                # The link is shown once, on the next page view, and never stored in clear.
                request.session[_NEW_INVITE] = request.build_absolute_uri(
                    reverse("invite-accept", args=[issued.token])
                )

            attempt(request, create, "Invite created. Copy the link now: it is shown only once.")
        else:
            messages.error(request, first_error(form))
        return redirect("invites", slug=workspace.slug)
    now = timezone.now()
    rows = list(selectors.invites_of(workspace))
    for invite in rows:
        invite.status = invite.status_at(now)
    return render(
        request,
        "accounts/invites.html",
        {
            "workspace": workspace,
            "invites": rows,
            "form": form,
            "new_link": request.session.pop(_NEW_INVITE, None),
        },
    )


@require_POST
@login_required
def invite_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workspace = selectors.admin_workspace(request.user, slug)
    invite = selectors.invite(request.user, workspace, pk)
    attempt(
        request,
        lambda: invite_services.revoke_invite(actor=request.user, invite=invite),
        "Invite revoked; its link no longer works.",
    )
    return redirect("invites", slug=workspace.slug)


@never_cache
@require_http_methods(["GET", "POST"])
def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone holding the link sees what it offers; a signed-in person accepts it by POST.

    Forged links get 404, expired, revoked and used-up ones 410, each with a page
    that says so (rendered from the DomainError by config.errors).
    """
    if request.method == "POST":
        if not is_signed_in(request.user):
            return redirect(f"{reverse('login')}?next={request.path}")
        try:
            result = invite_services.accept_invite(actor=request.user, token=token)
        except DomainError as exc:
            return _refused(request, exc)
        workspace = result.membership.workspace
        if result.outcome == "already":
            messages.info(
                request, f"You are already a {result.membership.role} of {workspace.name}."
            )
        else:
            messages.success(
                request, f"Welcome to {workspace.name}: you are a {result.membership.role}."
            )
        return redirect("workspace", slug=workspace.slug)
    try:
        invite = invite_services.check_invite(token)
    except DomainError as exc:
        return _refused(request, exc)
    return _invite_page(request, invite, InviteSignUpForm())


@never_cache
@require_POST
def invite_sign_up(request: HttpRequest, token: str) -> HttpResponse:
    """Create an account from the invite page, accept the invite with it, and sign in.

    A bad field is a 400 with the page showing what is wrong, and nothing is created.
    """
    if is_signed_in(request.user):
        return redirect("invite-accept", token=token)
    try:
        invite = invite_services.check_invite(token)
    except DomainError as exc:
        return _refused(request, exc)
    form = InviteSignUpForm(request.POST)
    if not form.is_valid():
        return _invite_page(request, invite, form, status=400)
    try:
        done = sign_up_with_invite(
            token=token,
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
        )
    except InvalidInput as exc:
        form.add_error(exc.field or None, exc.message)
        return _invite_page(request, invite, form, status=400)
    except DomainError as exc:
        return _refused(request, exc)
    auth_login(request, done.user, backend="accounts.backends.RateLimitedModelBackend")
    workspace = done.acceptance.membership.workspace
    messages.success(
        request,
        f"Welcome, {done.user.get_username()}: you are a {done.acceptance.membership.role} "
        f"of {workspace.name}.",
    )
    return redirect("workspace", slug=workspace.slug)


def _invite_page(request, invite, form, status: int = 200) -> HttpResponse:
    context = {
        "invite": invite,
        "form": form,
        "oidc_enabled": getattr(settings, "OIDC_ENABLED", False),
    }
    return render(request, "accounts/invite.html", context, status=status)


def _refused(request, exc: DomainError) -> HttpResponse:
    return render(
        request, "accounts/invite_refused.html", {"message": exc.message}, status=exc.status_code
    )
