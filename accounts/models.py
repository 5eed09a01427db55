from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

slug_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{0,62}$",
    "A workspace slug is 1-63 lower-case letters, digits or dashes, "
    "starting with a letter or digit.",
)


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    RUNNER = "runner", "Runner"
    EDITOR = "editor", "Editor"
    ADMIN = "admin", "Admin"


# Each role includes everything the roles before it may do.
ROLE_RANK = {Role.VIEWER: 1, Role.RUNNER: 2, Role.EDITOR: 3, Role.ADMIN: 4}


class Workspace(models.Model):
    slug = models.SlugField(max_length=63, unique=True, validators=[slug_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug

    @property
    def urn(self) -> str:
        return f"workspace:{self.slug}"


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "workspace"], name="one_membership_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} as {self.role}"


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events cannot be changed")

    def delete(self):
        raise AppendOnlyError("Audit events cannot be deleted")


class AuditEvent(models.Model):
    """One entry of the append-only, hash-chained audit log."""

    # PROTECT: the log is append-only, so the people and workspaces it names are
    # deactivated or archived, never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    target_urn = models.CharField(max_length=1024, blank=True)
    workspace = models.ForeignKey(
        Workspace, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_urn}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted")

    def compute_hash(self) -> str:
        payload = json.dumps(
            {
                "prev": self.prev_hash,
                "actor": self.actor_name,
                "action": self.action,
                "target": self.target_urn,
                "workspace": self.workspace_id,
                "at": self.created_at.isoformat(),
                "ip": self.client_ip,
                "details": self.details,
            },
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()
