"""Receivers: sign-in failure counting, API tokens revoked by a password change, and grant
clean-up when a shared object is deleted."""

from __future__ import annotations

import logging

from django.apps import apps
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts import grants, throttle
from accounts.audit import client_ip_of, record_event
from accounts.services import revoke_api_token
from urns import AssetKind

log = logging.getLogger(__name__)


@receiver(user_login_failed)
def count_failed_sign_in(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    ip = client_ip_of(request) if request is not None else None
    if throttle.note_failure(username, ip):
        log.warning("sign-in locked out for %r from %s", username, ip)
        with transaction.atomic():
            record_event(
                actor="system",
                action="auth.locked_out",
                target_urn=AssetKind.USER.urn(username),
                details={"minutes": throttle.lockout_minutes()},
                client_ip=ip,
            )


@receiver(user_logged_in)
def clear_failed_sign_ins(sender, request, user, **kwargs):
    ip = client_ip_of(request) if request is not None else None
    throttle.clear(user.get_username(), ip)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="revoke-token-on-password")
def revoke_api_token_on_password_change(sender, instance, created, **kwargs):
    """Whoever set a new password (the account page, a reset, the admin, ``changepassword``)
    may be shutting out someone who learned the old one: that person's token goes too.
    ``set_password`` leaves the new password in ``_password`` until the save completes."""
    if created or getattr(instance, "_password", None) is None:
        return
    revoke_api_token(actor=instance, reason="password changed")


def forget_grants_of_deleted_object(sender, instance, **kwargs):
    # guardian's generic permission rows do not cascade; a reused pk must not inherit them.
    grants.forget_object(instance)


# Connected per grantable model rather than for every sender: a post_delete receiver
# for all models turns every queryset delete (search documents, lineage edges...)
# into a SELECT of the rows and then a DELETE by id. Every model is loaded before
# any AppConfig.ready() runs, so the list is complete here.
for _model in apps.get_models():
    if grants.is_grantable(_model):
        post_delete.connect(
            forget_grants_of_deleted_object,
            sender=_model,
            dispatch_uid=f"forget-grants-{_model._meta.label_lower}",
        )
