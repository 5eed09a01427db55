"""How much an asset is used, for ranking: who views it, and what other apps count.

Views are recorded here (`record_view`, one row per person and asset). Higher layers add
their own counts by registering a source in their ``AppConfig.ready()``: lineage the
assets that depend on one, execution the runs of an app. A count is read when an asset
is indexed; `catalog.search.index.refresh_index` brings every document up to date.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db.models import Count, F
from django.utils import timezone

from catalog.models import AssetView

# urns -> {urn: count}; a source leaves out the URNs it has nothing for.
UsageSource = Callable[[Sequence[str]], dict[str, int]]
_SOURCES: dict[str, UsageSource] = {}


def register_usage_source(name: str, source: UsageSource) -> None:
    """Add ``source``'s counts to every asset's usage (again under the same name: replaced)."""
    _SOURCES[name] = source


def viewer_counts(urns: Sequence[str]) -> dict[str, int]:
    """How many different people opened each asset's page."""
    rows = (
        AssetView.objects.filter(urn__in=list(urns))
        .values("urn")
        .annotate(n=Count("id"))
        .values_list("urn", "n")
    )
    return dict(rows)


def usage_counts(urns: Sequence[str]) -> dict[str, int]:
    """Views plus every registered source's count, per URN (absent: 0)."""
    if not urns:
        return {}
    total = viewer_counts(urns)
    for source in _SOURCES.values():
        for urn, n in source(urns).items():
            total[urn] = total.get(urn, 0) + n
    return total


def record_view(user, *, urn: str, kind: str, name: str, url: str, workspace_id: int) -> None:
    """Remember that ``user`` opened this asset now (two queries at most)."""
    if not getattr(user, "is_authenticated", False):
        return
    now = timezone.now()
    updated = AssetView.objects.filter(user=user, urn=urn).update(
        views=F("views") + 1, viewed_at=now, name=name, url=url
    )
    if not updated:
        AssetView.objects.bulk_create(
            [
                AssetView(
                    user=user,
                    urn=urn,
                    kind=kind,
                    name=name,
                    url=url,
                    workspace_id=workspace_id,
                    viewed_at=now,
                )
            ],
            ignore_conflicts=True,
        )
