"""The API's shapes of apps and runs."""

from __future__ import annotations

from rest_framework import serializers

from execution.models import Run, RunStep


class InputSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=["text", "number", "select", "checkbox", "date"])
    default = serializers.JSONField(allow_null=True)
    options = serializers.ListField(child=serializers.CharField(), required=False)
    label = serializers.CharField(required=False)


class AppSerializer(serializers.Serializer):
    """An app and the inputs a run of it takes."""

    id = serializers.IntegerField()
    urn = serializers.CharField()
    name = serializers.CharField()
    workspace = serializers.CharField()
    inputs = InputSerializer(many=True)

    @staticmethod
    def of(app, inputs) -> dict:
        return {
            "id": app.pk,
            "urn": app.urn,
            "name": app.title,
            "workspace": app.workspace.slug,
            "inputs": [spec.as_json() for spec in inputs.specs],
        }


class RunRequestSerializer(serializers.Serializer):
    inputs = serializers.JSONField(required=False, help_text="input name -> value")


class StepSerializer(serializers.ModelSerializer):
    reused_from = serializers.IntegerField(source="reused_from_id", allow_null=True)

    class Meta:
        model = RunStep
        fields = [
            "position",
            "block_id",
            "kind",
            "status",
            "outputs",
            "execution_count",
            "duration_ms",
            "error",
            "reused_from",
        ]


class RunSerializer(serializers.ModelSerializer):
    app = serializers.IntegerField(source="app_id", allow_null=True)
    notebook = serializers.CharField(source="notebook.urn")
    version = serializers.IntegerField(source="version.number")
    actor = serializers.CharField(source="actor_name")
    duration_ms = serializers.FloatField(allow_null=True)
    steps = StepSerializer(many=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Run
        fields = [
            "id",
            "target_urn",
            "app",
            "notebook",
            "version",
            "actor",
            "trigger",
            "status",
            "inputs",
            "created_at",
            "started_at",
            "finished_at",
            "duration_ms",
            "kernel_id",
            "error",
            "steps",
            "skipped_blocks",
            "saved_ms",
            "digest",
            "url",
        ]

    def get_url(self, run: Run) -> str:
        from django.urls import reverse

        return reverse("run", args=[run.pk])
