from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.errors import InvalidInput
from lineage import selectors
from lineage.explore import explore
from lineage.graph import lineage_kind
from lineage.query import MAX_DEPTH, MAX_URN_CHARS, parse_lineage_query
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

URN = OpenApiParameter("urn", str, required=True, description="e.g. table:duckdb://demo/raw.events")


@extend_schema(
    parameters=[
        URN,
        OpenApiParameter("direction", str, enum=["upstream", "downstream", "both"]),
        OpenApiParameter("depth", int, description=f"1 to {MAX_DEPTH}, default 3"),
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
    responses=LineageSerializer,
)
@api_view(["GET"])
def lineage(request: Request) -> Response:
    """The lineage around one asset; nodes the caller may not see are restricted placeholders."""
    query = parse_lineage_query(request.query_params)
    hidden = _flag(request.query_params, "hidden", "workspace")
    with_columns = _flag(request.query_params, "columns", "1")
    if hidden or with_columns:
        view = explore(request.user, query, max_nodes=API_MAX_NODES, with_columns=with_columns)
        return Response(explore_data(view))
    view = selectors.lineage_for(request.user, query, max_nodes=API_MAX_NODES)
    return Response(view_data(view))


def _flag(params, name: str, value: str) -> bool:
    raw = params.get(name)
    if raw in (None, ""):
        return False
    if raw != value:
        raise InvalidInput(f"'{name}' must be '{value}' or left out, got '{raw[:40]}'.", field=name)
    return True


@extend_schema(parameters=[URN], responses=ImpactSerializer)
@api_view(["GET"])
def impact(request: Request) -> Response:
    """Every notebook, app, metric, table and column downstream of an asset, and their owners."""
    urn = (request.query_params.get("urn") or "").strip()
    if not lineage_kind(urn):
        raise InvalidInput("'urn' must be an asset URN, e.g. table:duckdb://demo/raw.events.")
    return Response(impact_data(selectors.impact_for(request.user, urn)))


@extend_schema(parameters=[URN], responses=AssetSummarySerializer)
@api_view(["GET"])
def asset(request: Request) -> Response:
    """One asset of the graph as the explorer's side panel shows it (404 when hidden)."""
    urn = (request.query_params.get("urn") or "").strip()
    if not lineage_kind(urn) or len(urn) > MAX_URN_CHARS:
        raise InvalidInput("'urn' must be an asset URN, e.g. table:duckdb://demo/raw.events.")
    return Response(summary_data(asset_summary(request.user, urn)))
