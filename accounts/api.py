from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import selectors
from accounts.pagination import object_response, page_parameters, paginate
from accounts.schema import errors, paginated
from accounts.serializers import AuditEventSerializer

# A date means the whole day (from its first instant for since, to its last for until).
MOMENT = {
    "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]
}


@extend_schema(
    parameters=[
        OpenApiParameter("actor", str, description="user name, exactly"),
        OpenApiParameter("action", str, description="an action, or a prefix ending in '.' or '*'"),
        OpenApiParameter("workspace", str, description="workspace slug"),
        OpenApiParameter("since", MOMENT, description="ISO date or date-time, inclusive"),
        OpenApiParameter("until", MOMENT, description="ISO date or date-time, inclusive"),
        *page_parameters(),
    ],
    responses={
        200: paginated(AuditEventSerializer, "PaginatedAuditEventList"),
        **errors(400, 404),
    },
)
@api_view(["GET"])
def audit_events(request: Request) -> Response:
    """The audit log, newest first: workspace admins see their workspaces', staff all."""
    filters = selectors.parse_audit_filters(request.query_params, strict=True)
    page = paginate(request, selectors.audit_events_for(request.user, filters))
    return object_response(page, AuditEventSerializer(page.items, many=True).data)
