"""Sign-in through an OpenID Connect provider (mozilla-django-oidc), when configured."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.audit import record_event
from urns import AssetKind


class TributaryOIDCBackend(OIDCAuthenticationBackend):
    """Users are matched by verified e-mail; new ones get their provider user name.

    A new user has no workspace: an admin invites them or adds them to a team.
    """

    def verify_claims(self, claims) -> bool:
        # An unverified address must not take over the local account that has it.
        return bool(claims.get("email")) and claims.get("email_verified", True) is not False

    def get_username(self, claims) -> str:
        wanted = (claims.get("preferred_username") or "").strip()[:150]
        if wanted and not get_user_model().objects.filter(username=wanted).exists():
            return wanted
        return super().get_username(claims)

    def create_user(self, claims):
        with transaction.atomic():
            user = super().create_user(claims)
            record_event(
                actor=user,
                action="user.created",
                target_urn=AssetKind.USER.urn(user.get_username()),
                details={"via": "oidc"},
            )
        return user
