"""Signing in (rate-limited), the account page, API tokens and password changes."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services, throttle
from accounts.audit import client_ip_of, record_event
from accounts.models import ApiToken

_NEW_TOKEN = "tributary_new_api_token"


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    form = AuthenticationForm(request, data=request.POST if request.method == "POST" else None)
    is_locked = False
    if request.method == "POST":
        username = request.POST.get("username", "")
        ip = client_ip_of(request)
        is_locked = throttle.is_locked(username, ip)
        if not is_locked and form.is_valid():
            auth_login(request, form.get_user())
            return redirect(_next_url(request))
        # The failure just counted may be the one that locks the person out.
        is_locked = is_locked or throttle.is_locked(username, ip)
        if is_locked:
            # An unbound form: rendering a bound one would try the password again.
            form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "next": _next_url(request) if (request.POST.get("next") or request.GET.get("next")) else "",
        "is_locked": is_locked,
        "lockout_minutes": throttle.lockout_minutes(),
        "oidc_enabled": getattr(settings, "OIDC_ENABLED", False),
    }
    return render(request, "accounts/login.html", context, status=429 if is_locked else 200)


@require_GET
@login_required
def account(request: HttpRequest) -> HttpResponse:
    token = ApiToken.objects.filter(user=request.user).only("created").first()
    new_key = request.session.pop(_NEW_TOKEN, None)
    return render(
        request,
        "accounts/account.html",
        {"token": token, "new_key": new_key},
    )


@require_POST
@login_required
def token_create(request: HttpRequest) -> HttpResponse:
    # Shown once, on the next page view, then gone from the session too.
    request.session[_NEW_TOKEN] = services.create_api_token(actor=request.user)
    return redirect("account")


@require_POST
@login_required
def token_revoke(request: HttpRequest) -> HttpResponse:
    if services.revoke_api_token(actor=request.user):
        messages.success(request, "Your API token is revoked; requests using it now fail.")
    return redirect("account")


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            record_event(actor=user, action="password.changed", target_urn=services.user_urn(user))
        update_session_auth_hash(request, user)
        messages.success(request, "Your password is changed.")
        return redirect("account")
    return render(request, "accounts/password_change.html", {"form": form})
