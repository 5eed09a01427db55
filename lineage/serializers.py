from __future__ import annotations

from rest_framework import serializers


class LineageNodeSerializer(serializers.Serializer):
    urn = serializers.CharField(help_text="The asset's URN, or 'restricted:N' for a hidden node")
    kind = serializers.ChoiceField(
        choices=["notebook", "block", "table", "column", "app", "metric"]
    )
    name = serializers.CharField(allow_null=True, help_text="null when restricted")
    workspace = serializers.CharField(allow_null=True, help_text="null when restricted")
    restricted = serializers.BooleanField()


class LineageEdgeSerializer(serializers.Serializer):
    source = serializers.CharField()
    target = serializers.CharField()
    kind = serializers.CharField()


class LineageSerializer(serializers.Serializer):
    nodes = LineageNodeSerializer(many=True)
    edges = LineageEdgeSerializer(many=True)
    truncated = serializers.BooleanField(
        help_text="More lies beyond the depth asked, or past the node limit"
    )


class ImpactSerializer(serializers.Serializer):
    notebooks = LineageNodeSerializer(many=True)
    apps = LineageNodeSerializer(many=True)
    metrics = LineageNodeSerializer(many=True)
    tables = LineageNodeSerializer(many=True)
    columns = LineageNodeSerializer(many=True)
    owners = serializers.ListField(child=serializers.EmailField())
    restricted = serializers.DictField(
        child=serializers.IntegerField(), help_text="kind -> how many the viewer may not see"
    )


def node_data(node) -> dict:
    return {
        "urn": node.id,
        "kind": node.kind,
        "name": node.name,
        "workspace": node.workspace,
        "restricted": node.restricted,
    }


def view_data(view) -> dict:
    return {
        "nodes": [node_data(n) for n in view.nodes],
        "edges": [{"source": e.source, "target": e.target, "kind": e.kind} for e in view.edges],
        "truncated": view.truncated,
    }


def impact_data(report) -> dict:
    return {
        "notebooks": [node_data(n) for n in report.notebooks],
        "apps": [node_data(n) for n in report.apps],
        "metrics": [node_data(n) for n in report.metrics],
        "tables": [node_data(n) for n in report.tables],
        "columns": [node_data(n) for n in report.columns],
        "owners": report.owners,
        "restricted": report.restricted,
    }
