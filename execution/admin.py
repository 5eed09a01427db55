from __future__ import annotations

from django.contrib import admin

from execution.models import AppSession, Run, RunStep, Schedule


class RunStepInline(admin.TabularInline):
    model = RunStep
    fk_name = "run"
    fields = ["position", "block_id", "kind", "status", "duration_ms", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    """Read-only: runs are records. Change them through the services (cancel), never here."""

    list_display = ["id", "target_urn", "actor_name", "trigger", "status", "created_at"]
    list_filter = ["status", "trigger", "workspace"]
    search_fields = ["target_urn", "actor_name"]
    inlines = [RunStepInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Run._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["id", "cron", "app", "notebook", "owner", "is_active", "next_run_at"]
    list_filter = ["is_active", "workspace"]
    readonly_fields = ["last_run_at", "created_at"]


@admin.register(AppSession)
class AppSessionAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "app", "kernel_id", "last_used_at", "busy_run"]
    readonly_fields = [
        "user",
        "app",
        "version",
        "gateway_url",
        "kernel_id",
        "inputs",
        "blocks",
        "busy_run",
        "last_used_at",
        "created_at",
    ]
