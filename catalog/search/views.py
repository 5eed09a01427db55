"""``/search/`` in the browser (search-as-you-type with htmx) and ``GET /api/search/``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.pagination import object_response, page_of, page_parameters
from accounts.params import enum_param, int_param
from accounts.schema import errors
from catalog.assets.selectors import visible_workspaces
from catalog.search.query import KINDS, MAX_LIMIT, search_assets
from catalog.search.selectors import MAX_SUGGESTIONS, SUGGESTIONS, search_facets, suggest_assets
from catalog.search.selectors import results_url as make_results_url

PAGE_SIZE = 20


def _params(query, *, strict: bool = False) -> dict:
    message = f"'kind' must be one of {', '.join(KINDS)}."
    kind = enum_param(query, "kind", KINDS, default=None, message=message, strict=strict)
    return {
        "kind": kind,
        "workspace": query.get("workspace") or None,
        "owner": query.get("owner") or None,
        "tag": query.get("tag") or None,
    }


@require_GET
@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    filters = _params(request.GET)
    offset = int_param(request.GET, "offset", default=0)
    results = search_assets(request.user, q, limit=PAGE_SIZE, offset=offset, **filters)
    context = {
        "q": q,
        "filters": filters,
        "results": results,
        "kinds": KINDS,
        "offset": offset,
        "next_offset": offset + PAGE_SIZE if results.count > offset + PAGE_SIZE else None,
    }
    context["facets"] = search_facets(request.user, q, filters, count=results.count)
    # htmx asks for the results alone as the person types.
    if request.headers.get("HX-Request") == "true":
        return render(request, "catalog/_search_results.html", context)
    context["workspaces"] = visible_workspaces(request.user)
    return render(request, "catalog/search.html", context)


_HIT_FIELDS = {
    "urn": serializers.CharField(),
    "kind": serializers.ChoiceField(KINDS),
    "name": serializers.CharField(),
    "workspace": serializers.CharField(),
    "snippet": serializers.CharField(help_text="HTML: escaped text, matches in <mark>"),
    "score": serializers.FloatField(),
}


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="the words to find"),
        OpenApiParameter("kind", str, enum=list(KINDS)),
        OpenApiParameter("workspace", str, description="workspace slug"),
        OpenApiParameter("owner", str, description="owner e-mail"),
        OpenApiParameter("tag", str),
        *page_parameters(default_limit=PAGE_SIZE, max_limit=MAX_LIMIT),
    ],
    responses={
        200: inline_serializer(
            "SearchResults",
            {
                "results": inline_serializer("SearchHit", _HIT_FIELDS, many=True),
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True, help_text="the next page"),
                "previous": serializers.URLField(allow_null=True, help_text="the previous page"),
            },
        ),
        **errors(400),
    },
)
@api_view(["GET"])
def search_api(request: Request) -> Response:
    """Assets matching ``q``, best first; paginated (``limit``, ``offset``, headers)."""
    params = request.query_params
    limit = int_param(params, "limit", default=PAGE_SIZE, minimum=1, maximum=MAX_LIMIT, strict=True)
    offset = int_param(params, "offset", default=0, strict=True)
    query = params.get("q", "")
    filters = _params(params, strict=True)
    results = search_assets(request.user, query, limit=limit, offset=offset, **filters)
    hits = [h.as_json() for h in results.hits]
    page = page_of(request, hits, count=results.count, limit=limit, offset=offset)
    return object_response(page, hits)


_SUGGESTION_FIELDS = {
    "urn": serializers.CharField(),
    "name": serializers.CharField(),
    "kind": serializers.ChoiceField(KINDS),
    "workspace": serializers.CharField(),
    "url": serializers.CharField(),
}


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="what has been typed so far"),
        OpenApiParameter("limit", int, description=f"at most {MAX_SUGGESTIONS}"),
    ],
    responses={
        200: inline_serializer(
            "SearchSuggestions",
            {
                "results": inline_serializer("SearchSuggestion", _SUGGESTION_FIELDS, many=True),
                "all_results_url": serializers.CharField(),
            },
        ),
        **errors(400),
    },
)
@api_view(["GET"])
def suggest_api(request: Request) -> Response:
    """The best assets for what has been typed (8 unless ``limit`` says), for the search
    box of every page; ``all_results_url`` is the results page of the same words."""
    params = request.query_params
    q = params.get("q", "")
    limit = int_param(params, "limit", default=SUGGESTIONS, minimum=1, maximum=MAX_SUGGESTIONS)
    return Response(
        {
            "results": suggest_assets(request.user, q, limit=limit),
            "all_results_url": make_results_url(q),
        }
    )
