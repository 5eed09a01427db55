from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.params import flag_param, urn_param, urn_schema
from accounts.schema import errors
from lineage import selectors
from lineage.explore import explore
from lineage.graph import LINEAGE_KINDS
from lineage.query import MAX_DEPTH, parse_lineage_query
from lineage.serializers import (
    AssetSummarySerializer,
    ImpactSerializer,
    LineageSerializer,
    explore_data,
    impact_data,
    summary_data,
    view_data,
)
from lineage.summary import asset_summary

# The most nodes one answer holds; past it the nearest are kept and "truncated" is set.
API_MAX_NODES = 5000

URN = OpenApiParameter(
    "urn",
    urn_schema(LINEAGE_KINDS),
    required=True,
    description="e.g. table:duckdb://demo/raw.events",
)


@extend_schema(
    parameters=[
        URN,
        OpenApiParameter("direction", str, enum=["upstream", "downstream", "both"]),
        OpenApiParameter(
            "depth",
            {"type": "integer", "minimum": 1, "maximum": MAX_DEPTH},
            description=f"1 to {MAX_DEPTH}, default 3",
        ),
        OpenApiParameter("level", str, enum=["notebook", "block", "column"]),
        OpenApiParameter(
            "hidden",
            str,
            enum=["workspace"],
            description="workspace: hidden nodes get an id stable for the caller and their "
            "workspace, to fold them per workspace (the explorer's answer)",
        ),
        OpenApiParameter(
            "observed",
            str,
            enum=["1"],
            description="1: also edges that runs really read or wrote where the analysis "
            "says nothing (runtime lineage), as observed_reads and observed_writes",
        ),
        OpenApiParameter(
            "columns",
            str,
            enum=["1"],
            description="1: tables list their columns, with column edges",
        ),
    ],
    responses={200: LineageSerializer, **errors(400, 404)},
)
@api_view(["GET"])
def lineage(request: Request) -> Response:
    """The lineage around one asset; nodes the caller may not see are restricted placeholders."""
    params = request.query_params
    query = parse_lineage_query(params, strict=True)
    hidden = flag_param(params, "hidden", "workspace", strict=True)
    with_columns = flag_param(params, "columns", "1", strict=True)
    if hidden or with_columns:
        view = explore(request.user, query, max_nodes=API_MAX_NODES, with_columns=with_columns)
        return Response(explore_data(view))
    view = selectors.lineage_for(request.user, query, max_nodes=API_MAX_NODES)
    return Response(view_data(view))


@extend_schema(parameters=[URN], responses={200: ImpactSerializer, **errors(400, 404)})
@api_view(["GET"])
def impact(request: Request) -> Response:
    """Every notebook, app, metric, table and column downstream of an asset, and their owners."""
    urn = urn_param(request.query_params, "urn", kinds=LINEAGE_KINDS, strict=True)
    return Response(impact_data(selectors.impact_for(request.user, urn)))


@extend_schema(parameters=[URN], responses={200: AssetSummarySerializer, **errors(400, 404)})
@api_view(["GET"])
def asset(request: Request) -> Response:
    """One asset of the graph as the explorer's side panel shows it (404 when hidden)."""
    urn = urn_param(request.query_params, "urn", kinds=LINEAGE_KINDS, strict=True)
    return Response(summary_data(asset_summary(request.user, urn)))
