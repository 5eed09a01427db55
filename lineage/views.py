from __future__ import annotations

from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.access import visible
from accounts.models import Workspace
from accounts.params import int_param, urn_param
from lineage import selectors
from lineage.api import API_MAX_NODES
from lineage.drawing import label_of, title_of
from lineage.explore import explore
from lineage.graph import DIRECTIONS, LINEAGE_KINDS, lineage_kind
from lineage.query import parse_lineage_query
from lineage.serializers import explore_data
from lineage.svg import EDGE_STYLES, KIND_COLOURS, LANE_FILLS, RESTRICTED_COLOUR

# Past this many nodes a neighbourhood starts collapsed: the explorer draws the depth
# that fits and shows on each node how many neighbours it has not drawn yet.
DRAWN_NODES = 300
MAX_DRAWN_NODES = 5000

# Table cards list their columns while the drawing has at most this many nodes.
OPEN_CARDS_BELOW = 150
# Columns are rows of their tables' cards, not a level of their own.
EXPLORER_LEVELS = ("notebook", "block")

LEGEND_EDGES = {
    "reads": "is read by",
    "writes": "writes",
    "feeds": "feeds (block to block)",
    "column": "column feeds column",
    "runs": "is %run by",
    "app": "is published as",
    "metric": "is measured by",
    "part_of": "block of",
    "observed_reads": "was read by, in a run (the analysis does not say so)",
    "observed_writes": "wrote, in a run (the analysis does not say so)",
}


@require_GET
@login_required
def lineage_page(request: HttpRequest) -> HttpResponse:
    """The explorer: the first answer embedded as JSON, the rest fetched by static/lineage/."""
    if "urn" not in request.GET:
        return render(request, "lineage/graph.html", {"query": None})
    query = parse_lineage_query(request.GET)
    limit = int_param(request.GET, "limit", default=DRAWN_NODES, minimum=1, maximum=MAX_DRAWN_NODES)
    user = request.user
    # Columns are drawn as rows of their tables' cards: a column level question is asked
    # at the notebook level, and the column's path is highlighted.
    asked = replace(query, level="notebook") if query.level == "column" else query
    view = explore(user, asked, max_nodes=API_MAX_NODES, with_columns=True)
    centre = selectors.describe_urn(user, query.urn)
    to = urn_param(request.GET, "to", kinds=LINEAGE_KINDS, required=False)
    path = selectors.path_between(user, query.urn, to, query.level) if to else None
    kind = lineage_kind(query.urn)
    lane_names = dict(visible(user, Workspace.objects.all()).values_list("slug", "name"))
    config = {
        "query": {
            "urn": asked.urn,
            "level": asked.level,
            "direction": asked.direction,
            "depth": asked.depth,
            **({"observed": True} if asked.observed else {}),
        },
        "answer": explore_data(view),
        "focus": query.urn if kind == "column" else None,
        "limit": limit,
        "open_cards_below": OPEN_CARDS_BELOW,
        "page": reverse("lineage"),
        "api": reverse("api-lineage"),
        "asset_api": reverse("api-lineage-asset"),
        "asset_page": reverse("asset"),
        "lane_names": lane_names,
        "kind_colours": KIND_COLOURS,
        "edge_styles": {**EDGE_STYLES, "bridged": ("#98a2b3", "2 4")},
        "lane_fills": LANE_FILLS,
    }
    shown = [n for n in view.nodes if not n.restricted]
    return render(
        request,
        "lineage/graph.html",
        {
            "query": query,
            "directions": DIRECTIONS,
            "levels": EXPLORER_LEVELS,
            "centre": centre,
            "centre_label": centre.name if centre.kind == "table" else label_of(centre),
            "centre_title": title_of(centre),
            "config": config,
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
            "nodes": shown,
            "restricted_count": len(view.nodes) - len(shown),
            "truncated": view.truncated,
        },
    )
