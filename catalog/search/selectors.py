"""Reads behind the search-first pages: autocomplete, the home page, result facets.

Every one goes through the search index's visibility filter (`index_visibility`), the
same that filters search results: what a person may not see is never suggested, listed
or counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode

from accounts.access import is_signed_in, visible
from accounts.models import Workspace
from catalog.models import AssetView, DocRevision, SearchDocument
from catalog.search.query import KINDS, index_visibility, matching_documents, search_assets

SUGGESTIONS = 8
MAX_SUGGESTIONS = 20
HOME_ITEMS = 8
FACET_VALUES = 10
MAX_FACET_ROWS = 5000  # facets count the best 5,000 results of a query
# The assets a home page lists: columns and blocks are reached through their pages.
WHOLE_ASSETS = ("table", "metric", "app", "notebook")


def suggest_assets(user, query: str, *, limit: int = SUGGESTIONS) -> list[dict]:
    """The best ``limit`` assets for what has been typed so far (name, kind, workspace)."""
    limit = max(1, min(limit, MAX_SUGGESTIONS))
    results = search_assets(user, query, limit=limit)
    return [
        {
            "urn": hit.urn,
            "name": hit.name,
            "kind": hit.kind,
            "workspace": hit.workspace,
            "url": hit.url,
        }
        for hit in results.hits
    ]


def results_url(query: str, **filters: str | None) -> str:
    """The results page of ``query`` with these filters, in the URL."""
    params = {"q": query, **{k: v for k, v in filters.items() if v}}
    return f"{reverse('search')}?{urlencode(params)}"


def _visible_docs(user):
    return SearchDocument.objects.filter(index_visibility(user))


def _workspace_slugs(docs) -> dict[int, str]:
    ids = {d.workspace_id for d in docs}
    return dict(Workspace.objects.filter(pk__in=ids).values_list("pk", "slug"))


@dataclass(frozen=True)
class HomeItem:
    name: str
    kind: str
    workspace: str
    url: str
    when: object = None  # a datetime, for what was viewed or changed


def _items(docs, when: dict | None = None) -> list[HomeItem]:
    slugs = _workspace_slugs(docs)
    return [
        HomeItem(d.name, d.kind, slugs.get(d.workspace_id, ""), d.url, (when or {}).get(d.urn))
        for d in docs
    ]


def recently_viewed(user, *, limit: int = HOME_ITEMS) -> list[HomeItem]:
    """What ``user`` opened last, newest first, of what they may still see."""
    if not is_signed_in(user):
        return []
    views = list(
        AssetView.objects.filter(user=user)
        .order_by("-viewed_at")
        .values_list("urn", "viewed_at")[: limit * 2]
    )
    when = dict(views)
    docs = {d.urn: d for d in _visible_docs(user).filter(urn__in=list(when))}
    ordered = [docs[urn] for urn, _ in views if urn in docs][:limit]
    return _items(ordered, when)


def most_used(user, *, limit: int = HOME_ITEMS) -> list[HomeItem]:
    """The most-used assets of the workspaces ``user`` belongs to."""
    if not is_signed_in(user):
        return []
    member_of = visible(user, Workspace.objects.all()).values("pk")
    docs = list(
        _visible_docs(user)
        .filter(workspace_id__in=member_of, kind__in=WHOLE_ASSETS)
        .order_by("-popularity", "name")[:limit]
    )
    return _items(docs)


def shared_with(user, *, limit: int = HOME_ITEMS) -> list[HomeItem]:
    """Assets shared with ``user`` one by one, outside the workspaces they belong to."""
    if not is_signed_in(user):
        return []
    member_of = visible(user, Workspace.objects.all()).values("pk")
    docs = list(
        _visible_docs(user)
        .filter(kind__in=WHOLE_ASSETS)
        .exclude(workspace_id__in=member_of)
        .order_by("name")[:limit]
    )
    return _items(docs)


def docs_changed(user, *, limit: int = HOME_ITEMS) -> list[HomeItem]:
    """Assets whose documentation changed lately (newest first), of those ``user`` sees."""
    if not is_signed_in(user):
        return []
    latest = list(
        DocRevision.objects.order_by("-created_at").values_list("urn", "created_at")[: limit * 10]
    )
    when: dict[str, object] = {}
    for urn, created in latest:
        when.setdefault(urn, created)
    docs = {d.urn: d for d in _visible_docs(user).filter(urn__in=list(when))}
    ordered = [docs[urn] for urn in when if urn in docs][:limit]
    return _items(ordered, when)


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    url: str
    is_active: bool


def search_facets(user, query: str, filters: dict, *, count: int) -> dict[str, list[FacetValue]]:
    """Counts per kind, workspace, tag and owner among the results of ``query`` (with the
    filters applied; ``count`` results in all), each linking to the results narrowed to
    it, or widened again when it is the active filter."""
    if not count or not query:
        return {}
    ids = matching_documents(user, query, limit=MAX_FACET_ROWS, **filters)
    rows = list(
        SearchDocument.objects.filter(pk__in=ids).values_list(
            "kind", "workspace_id", "owner", "tags"
        )
    )
    slugs = dict(Workspace.objects.filter(pk__in={r[1] for r in rows}).values_list("pk", "slug"))
    counts = {
        "kind": Counter(r[0] for r in rows),
        "workspace": Counter(slugs.get(r[1], "") for r in rows),
        "tag": Counter(t for r in rows for t in r[3].split()),
        "owner": Counter(r[2] for r in rows if r[2]),
    }
    facets = {}
    for name, counter in counts.items():
        active = filters.get(name)
        values = []
        order = KINDS if name == "kind" else None
        items = (
            [(k, counter[k]) for k in order if counter[k]]
            if order
            else counter.most_common(FACET_VALUES)
        )
        for value, count in items:
            is_active = active == value
            narrowed = {**filters, name: None if is_active else value}
            values.append(
                FacetValue(value, value, count, results_url(query, **narrowed), is_active)
            )
        facets[name] = values
    return facets
