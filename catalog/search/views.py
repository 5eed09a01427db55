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

from accounts.errors import InvalidInput
from catalog.assets.selectors import visible_workspaces
from catalog.search.query import KINDS, search_assets
from catalog.search.selectors import MAX_SUGGESTIONS, SUGGESTIONS, search_facets, suggest_assets
from catalog.search.selectors import results_url as make_results_url

PAGE_SIZE = 20


def _params(query) -> dict:
    kind = query.get("kind") or None
    if kind and kind not in KINDS:
        raise InvalidInput(f"'kind' must be one of {', '.join(KINDS)}.", field="kind")
    return {
        "kind": kind,
        "workspace": query.get("workspace") or None,
        "owner": query.get("owner") or None,
        "tag": query.get("tag") or None,
    }


def _int(query, name: str, default: int) -> int:
    raw = query.get(name)
    if raw in (None, ""):
        return default
    if not str(raw).isdigit():
        raise InvalidInput(f"'{name}' must be a whole number.", field=name)
    return int(raw)


@require_GET
@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    filters = _params(request.GET)
    offset = _int(request.GET, "offset", 0)
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
        OpenApiParameter("limit", int),
        OpenApiParameter("offset", int),
    ],
    responses=inline_serializer(
        "SearchResults",
        {
            "results": inline_serializer("SearchHit", _HIT_FIELDS, many=True),
            "count": serializers.IntegerField(),
        },
    ),
)
@api_view(["GET"])
def search_api(request: Request) -> Response:
    params = request.query_params
    results = search_assets(
        request.user,
        params.get("q", ""),
        limit=_int(params, "limit", PAGE_SIZE),
        offset=_int(params, "offset", 0),
        **_params(params),
    )
    return Response({"results": [h.as_json() for h in results.hits], "count": results.count})


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
    responses=inline_serializer(
        "SearchSuggestions",
        {
            "results": inline_serializer("SearchSuggestion", _SUGGESTION_FIELDS, many=True),
            "all_results_url": serializers.CharField(),
        },
    ),
)
@api_view(["GET"])
def suggest_api(request: Request) -> Response:
    """The best assets for what has been typed (8 unless ``limit`` says), for the search
    box of every page; ``all_results_url`` is the results page of the same words."""
    params = request.query_params
    q = params.get("q", "")
    limit = _int(params, "limit", SUGGESTIONS)
    if not 1 <= limit <= MAX_SUGGESTIONS:
        raise InvalidInput(f"'limit' must be from 1 to {MAX_SUGGESTIONS}.", field="limit")
    return Response(
        {
            "results": suggest_assets(request.user, q, limit=limit),
            "all_results_url": make_results_url(q),
        }
    )
