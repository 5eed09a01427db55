"""Creating an account through an invite link: the person has none yet.

``check_sign_up`` (the form) has already validated the user name, e-mail and password
(Django's password validators); ``sign_up_with_invite`` makes the account, audits it and
accepts the invite in one transaction, so a refused invite leaves no account behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from accounts.audit import record_event
from accounts.errors import InvalidInput
from accounts.invites import Acceptance, accept_invite, check_invite
from urns import AssetKind

USERNAME_TAKEN = "That user name is taken: choose another, or sign in if it is yours."


@dataclass(frozen=True)
class SignUp:
    user: object
    acceptance: Acceptance


def sign_up_with_invite(*, token: str, username: str, email: str, password: str) -> SignUp:
    """A new account with ``password``, made a member with the invite's role.

    Raises:
        NotFound, Gone: the invite is forged, expired, revoked or used up (nothing made).
        InvalidInput: the user name was taken meanwhile (field ``username``).
    """
    users = get_user_model()
    try:
        with transaction.atomic():
            invite = check_invite(token)
            if users.objects.filter(username__iexact=username).exists():
                raise InvalidInput(USERNAME_TAKEN, field="username")
            user = users(username=username, email=email)
            user.set_password(password)
            user.save()
            record_event(
                actor=user,
                action="user.created",
                target_urn=AssetKind.USER.urn(user.get_username()),
                workspace=invite.workspace,
                details={"via": "invite", "invite": invite.urn},
            )
            acceptance = accept_invite(actor=user, token=token)
    except IntegrityError:  # the same name, by a concurrent sign-up
        raise InvalidInput(USERNAME_TAKEN, field="username") from None
    return SignUp(user, acceptance)
