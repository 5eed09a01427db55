"""Read-only admin views of the governance tables.

Changes go through Tributary's own pages and services, which audit them; the
Django admin only lets staff look.
"""

from __future__ import annotations

from django.contrib import admin

from accounts.models import (
    AccessReview,
    AuditEvent,
    Invite,
    Membership,
    ReviewItem,
    TeamMembership,
    Workspace,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Workspace)
class WorkspaceAdmin(ReadOnlyAdmin):
    list_display = ["slug", "name", "created_at"]
    search_fields = ["slug", "name"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role", "workspace"]
    list_select_related = ["user", "workspace"]
    search_fields = ["user__username"]


@admin.register(TeamMembership)
class TeamMembershipAdmin(ReadOnlyAdmin):
    list_display = ["team", "workspace", "role", "created_at"]
    list_filter = ["role", "workspace"]
    list_select_related = ["team", "workspace"]


@admin.register(Invite)
class InviteAdmin(ReadOnlyAdmin):
    list_display = ["workspace", "role", "use_count", "max_uses", "expires_at", "revoked_at"]
    list_select_related = ["workspace"]
    exclude = ["token_hash"]


class ReviewItemInline(admin.TabularInline):
    model = ReviewItem
    fields = ["kind", "user", "team", "access", "target_urn", "is_stale", "decision", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AccessReview)
class AccessReviewAdmin(ReadOnlyAdmin):
    list_display = ["title", "workspace", "due_on", "status", "created_at"]
    list_filter = ["status"]
    inlines = [ReviewItemInline]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "actor_name", "action", "target_urn", "workspace"]
    list_filter = ["action"]
    search_fields = ["actor_name", "target_urn"]
    list_select_related = ["workspace"]
