from __future__ import annotations

from rest_framework import serializers

from accounts.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name", read_only=True)
    workspace = serializers.CharField(
        source="workspace.slug", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor",
            "action",
            "target_urn",
            "workspace",
            "client_ip",
            "details",
            "prev_hash",
            "hash",
        ]
