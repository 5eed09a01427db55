from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import selectors
from accounts.serializers import AuditEventSerializer


@extend_schema(
    parameters=[
        OpenApiParameter("actor", str, description="user name, exactly"),
        OpenApiParameter("action", str, description="an action, or a prefix ending in '.' or '*'"),
        OpenApiParameter("workspace", str, description="workspace slug"),
        OpenApiParameter("since", str, description="ISO date or date-time, inclusive"),
        OpenApiParameter("until", str, description="ISO date or date-time, inclusive"),
    ],
    responses=AuditEventSerializer(many=True),
)
@api_view(["GET"])
def audit_events(request: Request) -> Response:
    """The audit log, newest first: workspace admins see their workspaces', staff all."""
    filters = selectors.parse_audit_filters(request.query_params)
    events = selectors.audit_events_for(request.user, filters)
    paginator = LimitOffsetPagination()
    page = paginator.paginate_queryset(events, request)
    return paginator.get_paginated_response(AuditEventSerializer(page, many=True).data)
