from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.errors import InvalidInput
from lineage import selectors
from lineage.graph import lineage_kind
from lineage.query import MAX_DEPTH, parse_lineage_query
from lineage.serializers import ImpactSerializer, LineageSerializer, impact_data, view_data

# The most nodes one answer holds; past it the nearest are kept and "truncated" is set.
API_MAX_NODES = 5000

URN = OpenApiParameter("urn", str, required=True, description="e.g. table:duckdb://demo/raw.events")


@extend_schema(
    parameters=[
        URN,
        OpenApiParameter("direction", str, enum=["upstream", "downstream", "both"]),
        OpenApiParameter("depth", int, description=f"1 to {MAX_DEPTH}, default 3"),
        OpenApiParameter("level", str, enum=["notebook", "block", "column"]),
    ],
    responses=LineageSerializer,
)
@api_view(["GET"])
def lineage(request: Request) -> Response:
    """The lineage around one asset; nodes the caller may not see are restricted placeholders."""
    query = parse_lineage_query(request.query_params)
    view = selectors.lineage_for(request.user, query, max_nodes=API_MAX_NODES)
    return Response(view_data(view))


@extend_schema(parameters=[URN], responses=ImpactSerializer)
@api_view(["GET"])
def impact(request: Request) -> Response:
    """Every notebook, app, metric, table and column downstream of an asset, and their owners."""
    urn = (request.query_params.get("urn") or "").strip()
    if not lineage_kind(urn):
        raise InvalidInput("'urn' must be an asset URN, e.g. table:duckdb://demo/raw.events.")
    return Response(impact_data(selectors.impact_for(request.user, urn)))
