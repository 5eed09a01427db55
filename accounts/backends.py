from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from accounts import throttle
from accounts.audit import client_ip_of


class RateLimitedModelBackend(ModelBackend):
    """Django's password backend, refusing a locked-out person before checking the password.

    Every password sign-in (our page, the Django admin's) goes through it, so no
    form is a way around the limit.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        ip = client_ip_of(request) if request is not None else None
        if username is not None and throttle.is_locked(username, ip):
            # Stops authenticate() from trying any other backend.
            raise PermissionDenied("Too many failed sign-ins")
        return super().authenticate(request, username=username, password=password, **kwargs)
