from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.errors import InvalidInput
from accounts.models import Workspace
from lineage import selectors
from lineage.drawing import draw, label_of, title_of
from lineage.graph import DIRECTIONS, LEVELS, lineage_kind
from lineage.query import parse_lineage_query
from lineage.svg import EDGE_STYLES, KIND_COLOURS, RESTRICTED_COLOUR

# Past this many nodes the page draws the nearest ones and offers the rest.
DRAWN_NODES = 300
MAX_DRAWN_NODES = 5000

LEGEND_EDGES = {
    "reads": "is read by",
    "writes": "writes",
    "feeds": "feeds (block to block)",
    "column": "column feeds column",
    "runs": "is %run by",
    "app": "is published as",
    "metric": "is measured by",
    "part_of": "block of",
}


def _limit(raw: str | None) -> int:
    if raw in (None, ""):
        return DRAWN_NODES
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_DRAWN_NODES:
        raise InvalidInput(
            f"'limit' must be a whole number from 1 to {MAX_DRAWN_NODES}.", field="limit"
        )
    return int(raw)


@require_GET
@login_required
def lineage_page(request: HttpRequest) -> HttpResponse:
    if "urn" not in request.GET:
        return render(request, "lineage/graph.html", {"query": None})
    query = parse_lineage_query(request.GET)
    limit = _limit(request.GET.get("limit"))
    user = request.user
    raw = selectors.raw_lineage(user, query)
    expanded = [
        urn
        for urn in request.GET.getlist("expand")
        if lineage_kind(urn) == "notebook" and urn in raw.distance
    ]
    raw = selectors.expand_notebooks(raw, expanded, user)
    raw, hidden = selectors.collapse(raw, limit)
    view = selectors.redact(user, raw)
    shown_ids = {n.id for n in view.nodes}
    expanded = [urn for urn in expanded if urn in shown_ids]  # never echo a hidden URN
    slugs = {n.workspace for n in view.nodes if n.workspace}
    lane_names = dict(Workspace.objects.filter(slug__in=slugs).values_list("slug", "name"))
    base = reverse("lineage")
    drawing = draw(view, query, base=base, expanded=expanded, lane_names=lane_names)
    centre = selectors.describe_urn(user, query.urn)
    to = (request.GET.get("to") or "").strip()
    if to and not lineage_kind(to):
        raise InvalidInput("'to' must be an asset URN.", field="to")
    path = selectors.path_between(user, query.urn, to, query.level) if to else None
    kind = lineage_kind(query.urn)
    return render(
        request,
        "lineage/graph.html",
        {
            "query": query,
            "directions": DIRECTIONS,
            "levels": LEVELS,
            "centre": centre,
            "centre_label": centre.name if centre.kind == "table" else label_of(centre),
            "centre_title": title_of(centre),
            "view": view,
            "drawing": drawing,
            "hidden": hidden,
            "more_url": _more_url(request, limit, hidden),
            "all_url": _more_url(request, limit, hidden, everything=True),
            "impact": (
                selectors.impact_for(user, query.urn) if kind in ("table", "column") else None
            ),
            "cycles": (
                selectors.cycles_through(user, query.urn) if kind in ("notebook", "block") else []
            ),
            "legend_kinds": [*KIND_COLOURS.items(), ("restricted", RESTRICTED_COLOUR)],
            "legend_edges": [
                (kind, LEGEND_EDGES[kind], EDGE_STYLES[kind]) for kind in LEGEND_EDGES
            ],
            "path": path,
            "path_to": selectors.describe_urn(user, to) if to else None,
            "nodes": [n for n in view.nodes if not n.restricted],
            "restricted_count": sum(1 for n in view.nodes if n.restricted),
        },
    )


def _more_url(request: HttpRequest, limit: int, hidden: int, everything: bool = False) -> str:
    if not hidden:
        return ""
    params = request.GET.copy()
    step = hidden if everything else min(hidden, DRAWN_NODES)
    params["limit"] = str(min(limit + step, MAX_DRAWN_NODES))
    return f"{reverse('lineage')}?{params.urlencode()}"
