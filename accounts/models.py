from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models

from urns import AssetKind

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
        return AssetKind.WORKSPACE.urn(self.slug)


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
    # HMAC-SHA256 of ``hash`` under AUDIT_SIGNING_KEY, which the database never holds:
    # whoever can write the table but not read the key cannot recompute the chain after
    # rewriting an event (accounts/audit.py: seal_of).
    mac = models.CharField(max_length=64, blank=True, default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            # Review evidence: a person's newest event of a kind in a workspace.
            models.Index(fields=["workspace", "actor", "created_at"], name="audit_ws_actor_time"),
        ]

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


class TeamMembership(models.Model):
    """A team (a Django group) holding a role in a workspace; its members get that role."""

    team = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="workspace_roles")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="team_roles")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workspace", "team__name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "workspace"], name="one_role_per_team")
        ]

    def __str__(self) -> str:
        return f"team {self.team} in {self.workspace} as {self.role}"


class LastSeen(models.Model):
    """When a person last read a workspace (or one object shared with them).

    Evidence for access reviews. A page view is not an audit event: this row is
    upserted at most once an hour per person and target, so reading costs nothing.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    target_urn = models.CharField(max_length=1024)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "workspace", "target_urn"], name="one_last_seen_per_target"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.target_urn} at {self.seen_at:%Y-%m-%d %H:%M}"


class Invite(models.Model):
    """A link that makes whoever opens it a member with ``role``; only its hash is kept."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invites")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    token_hash = models.CharField(max_length=64, unique=True)
    note = models.CharField(max_length=200, blank=True)
    max_uses = models.PositiveIntegerField(default=1)
    use_count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(use_count__lte=models.F("max_uses")),
                name="invite_uses_within_limit",
            )
        ]

    def __str__(self) -> str:
        return f"invite {self.pk} to {self.workspace_id} as {self.role}"

    @property
    def urn(self) -> str:
        return AssetKind.INVITE.urn(self.workspace.slug, self.pk)

    def status_at(self, now) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        if self.use_count >= self.max_uses:
            return "used up"
        return "active"


class InviteAcceptance(models.Model):
    invite = models.ForeignKey(Invite, on_delete=models.CASCADE, related_name="acceptances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["invite", "user"], name="one_acceptance_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} accepted invite {self.invite_id}"


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed"


class AccessReview(models.Model):
    """A campaign reviewing every membership and grant of one workspace, or of all."""

    workspace = models.ForeignKey(
        Workspace, null=True, blank=True, on_delete=models.CASCADE, related_name="reviews"
    )
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def urn(self) -> str:
        return AssetKind.REVIEW.urn(self.pk)

    @property
    def is_open(self) -> bool:
        return self.status == ReviewStatus.OPEN


class ItemKind(models.TextChoices):
    MEMBERSHIP = "membership", "Membership"
    TEAM_ROLE = "team_role", "Team role"
    USER_GRANT = "user_grant", "Shared with a person"
    TEAM_GRANT = "team_grant", "Shared with a team"


class Decision(models.TextChoices):
    PENDING = "pending", "Undecided"
    KEEP = "keep", "Keep"
    REVOKE = "revoke", "Revoke"


class ReviewItem(models.Model):
    """One access a review snapshots, with the evidence of its use and the reviewer's call."""

    review = models.ForeignKey(AccessReview, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=16, choices=ItemKind.choices)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A role for memberships and team roles; "view" or "run" for grants.
    access = models.CharField(max_length=16)
    # For grants: what is shared.
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_pk = models.CharField(max_length=255, blank=True)
    target_urn = models.CharField(max_length=1024)
    granted_at = models.DateTimeField(null=True, blank=True)
    last_view_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_edit_at = models.DateTimeField(null=True, blank=True)
    is_stale = models.BooleanField(default=False)
    decision = models.CharField(max_length=16, choices=Decision.choices, default=Decision.PENDING)
    note = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Set when the review completes: what revoking this row actually removed.
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["review", "id"]
        indexes = [models.Index(fields=["review", "decision"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} on {self.target_urn}"

    @property
    def subject(self) -> str:
        if self.user_id:
            return self.user.get_username()
        return f"team {self.team.name}" if self.team_id else "?"

    @property
    def last_used_at(self):
        dates = [d for d in (self.last_view_at, self.last_run_at, self.last_edit_at) if d]
        return max(dates) if dates else None


class ApiToken(models.Model):
    """A person's API token; only its hash is kept (accounts/tokens.py), like an invite's."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"API token of {self.user_id}"
