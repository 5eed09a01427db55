"""One pagination for every list the API answers: ``limit`` and ``offset``, the same bounds,
the same headers.

Each list endpoint keeps the body it always had (an array, or for the audit log and search
an object with ``results``), reads ``limit`` (1 to `MAX_LIMIT`, default `DEFAULT_LIMIT`)
and ``offset`` through `accounts.params`, and answers with two headers:

- ``X-Total-Count``: how many items the whole list holds;
- ``Link``: RFC 8288 ``rel="next"`` and ``rel="prev"`` URLs, when there is such a page.

Object bodies also carry ``count``, ``next`` and ``previous``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from accounts.params import MAX_INT, int_param

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Page:
    """One page of a list: its items, the list's size, and the URLs of its neighbours."""

    items: list
    count: int
    limit: int
    offset: int
    next_url: str | None
    previous_url: str | None

    @property
    def headers(self) -> dict[str, str]:
        links = []
        if self.next_url:
            links.append(f'<{self.next_url}>; rel="next"')
        if self.previous_url:
            links.append(f'<{self.previous_url}>; rel="prev"')
        headers = {"X-Total-Count": str(self.count)}
        if links:
            headers["Link"] = ", ".join(links)
        return headers


def paginate(
    request: Request,
    rows: QuerySet | Sequence,
    *,
    default_limit: int = DEFAULT_LIMIT,
    max_limit: int = MAX_LIMIT,
) -> Page:
    """The page of ``rows`` that the request's ``limit`` and ``offset`` ask for."""
    params = request.query_params
    limit = int_param(
        params, "limit", default=default_limit, minimum=1, maximum=max_limit, strict=True
    )
    offset = int_param(params, "offset", default=0, maximum=MAX_INT, strict=True)
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    items = list(rows[offset : offset + limit]) if offset < count else []
    return page_of(request, items, count=count, limit=limit, offset=offset)


def page_of(request: Request, items: list, *, count: int, limit: int, offset: int) -> Page:
    """A page whose items were fetched elsewhere (search ranks its own)."""
    url = request.build_absolute_uri()
    next_url = None
    if offset + limit < count:
        next_url = replace_query_param(
            replace_query_param(url, "limit", limit), "offset", offset + limit
        )
    previous_url = None
    if offset > 0:
        previous_url = replace_query_param(url, "limit", limit)
        before = min(offset, count) - limit
        previous_url = (
            replace_query_param(previous_url, "offset", before)
            if before > 0
            else remove_query_param(previous_url, "offset")
        )
    return Page(items, count, limit, offset, next_url, previous_url)


def list_response(page: Page, data: list) -> Response:
    """An array body, as list endpoints always answered, with the paging headers."""
    return Response(data, headers=page.headers)


def object_response(page: Page, data: list, **extra: Any) -> Response:
    """A ``{"count", "next", "previous", "results"}`` body, with the paging headers."""
    body = {"count": page.count, "next": page.next_url, "previous": page.previous_url}
    return Response({**body, **extra, "results": data}, headers=page.headers)


def page_parameters(
    *, default_limit: int = DEFAULT_LIMIT, max_limit: int = MAX_LIMIT
) -> list[OpenApiParameter]:
    """The schema's ``limit`` and ``offset`` query parameters and the paging headers."""
    return [
        OpenApiParameter(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": max_limit},
            description=f"items per page, 1 to {max_limit}, default {default_limit}",
        ),
        OpenApiParameter(
            "offset",
            {"type": "integer", "minimum": 0, "maximum": MAX_INT},
            description="items to skip, default 0",
        ),
        OpenApiParameter(
            "X-Total-Count",
            OpenApiTypes.INT,
            location=OpenApiParameter.HEADER,
            response=[200],
            description="how many items the whole list holds",
        ),
        OpenApiParameter(
            "Link",
            OpenApiTypes.STR,
            location=OpenApiParameter.HEADER,
            response=[200],
            description='RFC 8288 links to the rel="next" and rel="prev" pages, if any',
        ),
    ]
