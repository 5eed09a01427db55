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
    # With hidden=workspace or columns=1 (the explorer's answer):
    label = serializers.CharField(
        required=False, allow_null=True, help_text="A short name to draw; null when restricted"
    )
    distance = serializers.IntegerField(required=False, help_text="Hops from the nearest centre")
    upstream = serializers.IntegerField(
        required=False, allow_null=True, help_text="Neighbours upstream in the whole graph"
    )
    downstream = serializers.IntegerField(
        required=False, allow_null=True, help_text="Neighbours downstream in the whole graph"
    )
    columns = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        allow_null=True,
        help_text="A visible table's columns (with columns=1)",
    )


class LineageEdgeSerializer(serializers.Serializer):
    source = serializers.CharField()
    target = serializers.CharField()
    kind = serializers.CharField()
    write_kind = serializers.CharField(
        required=False,
        help_text="For a writes edge: create, overwrite, insert, merge or update (what the "
        "writer does to the table)",
    )


class ColumnEdgeSerializer(serializers.Serializer):
    source = serializers.CharField()
    target = serializers.CharField()


class LineageSerializer(serializers.Serializer):
    nodes = LineageNodeSerializer(many=True)
    edges = LineageEdgeSerializer(many=True)
    truncated = serializers.BooleanField(
        help_text="More lies beyond the depth asked, or past the node limit"
    )
    centres = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="The ids the question started from"
    )
    column_edges = ColumnEdgeSerializer(
        many=True, required=False, help_text="Column to column, among the tables drawn (columns=1)"
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
        "edges": [_edge_data(e) for e in view.edges],
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


def explore_data(view) -> dict:
    """The explorer's answer (``lineage.explore.ExploreView``) as JSON."""
    nodes = []
    for n in view.nodes:
        data = {
            "urn": n.id,
            "kind": n.kind,
            "name": n.name,
            "workspace": n.workspace,
            "restricted": n.restricted,
            "label": n.label,
            "distance": n.distance,
            "upstream": n.upstream,
            "downstream": n.downstream,
        }
        if n.columns is not None:
            data["columns"] = list(n.columns)
        nodes.append(data)
    return {
        "nodes": nodes,
        "edges": [_edge_data(e) for e in view.edges],
        "truncated": view.truncated,
        "centres": list(view.centres),
        "column_edges": [{"source": s, "target": t} for s, t in view.column_edges],
    }


class AssetSummarySerializer(serializers.Serializer):
    urn = serializers.CharField()
    kind = serializers.CharField()
    name = serializers.CharField()
    label = serializers.CharField()
    workspace = serializers.CharField(allow_null=True)
    title = serializers.CharField(allow_blank=True)
    owner = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True, help_text="Markdown source, unrendered")
    tags = serializers.ListField(child=serializers.CharField())
    url = serializers.CharField(help_text="The asset's page")
    lineage_url = serializers.CharField(help_text="The explorer centred on it")


def summary_data(summary) -> dict:
    return {
        "urn": summary.urn,
        "kind": summary.kind,
        "name": summary.name,
        "label": summary.label,
        "workspace": summary.workspace,
        "title": summary.title,
        "owner": summary.owner,
        "description": summary.description,
        "tags": list(summary.tags),
        "url": summary.url,
        "lineage_url": summary.lineage_url,
    }


def _edge_data(edge) -> dict:
    data = {"source": edge.source, "target": edge.target, "kind": edge.kind}
    if edge.write_kind:
        data["write_kind"] = edge.write_kind
    return data
