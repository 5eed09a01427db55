"""What the OpenAPI schema says about errors and paginated bodies, written once.

Every error the API answers is the JSON object `ErrorSerializer` describes (see
`config.errors`); each endpoint lists the statuses it can answer with `errors`.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

_DESCRIPTIONS = {
    400: "a parameter or the body is not valid: 'error' says why, 'field' names it",
    401: "not signed in",
    403: "not signed in, or not allowed to do this",
    404: "no such thing, or one you may not see",
    405: "this method is not allowed here",
    409: "the request conflicts with the current state",
    410: "it existed but can no longer be used",
    413: "the body is too large",
    429: "too many requests",
}


class ErrorSerializer(serializers.Serializer):
    """``error`` (and ``field``) for Tributary's refusals, ``detail`` for those of the REST
    framework (authentication, permission, method)."""

    error = serializers.CharField(required=False, help_text="what went wrong, for a person")
    field = serializers.CharField(required=False, help_text="the parameter or field at fault")
    detail = serializers.CharField(required=False, help_text="what went wrong (DRF's refusals)")


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """The ``responses`` entries for ``statuses`` (and 403 and 405, which any route answers)."""
    return {
        status: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[status])
        for status in sorted({*statuses, 403, 405})
    }


def paginated(serializer: type[serializers.Serializer], name: str) -> serializers.Serializer:
    """A ``{"count", "next", "previous", "results": [...]}`` body of ``serializer`` items."""
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(help_text="items in the whole list"),
            "next": serializers.URLField(allow_null=True, help_text="the next page, or null"),
            "previous": serializers.URLField(allow_null=True, help_text="the previous page"),
            "results": serializer(many=True),
        },
    )
