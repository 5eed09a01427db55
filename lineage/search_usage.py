"""What depends on an asset, for search ranking (registered in `LineageConfig.ready`)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count

from lineage.models import EdgeKind, LineageEdge

# Edges that make another asset depend on the source: a notebook fed through a table, a
# metric measuring a table, an app published from a notebook, a notebook %run by another.
# (A table's reading notebooks are counted by the catalog itself.)
DEPENDENT_KINDS = (EdgeKind.NOTEBOOK, EdgeKind.METRIC, EdgeKind.APP, EdgeKind.RUNS)


def dependent_counts(urns: Sequence[str]) -> dict[str, int]:
    """How many distinct assets depend on each of ``urns`` directly."""
    rows = (
        LineageEdge.objects.filter(source_urn__in=list(urns), kind__in=DEPENDENT_KINDS)
        .values("source_urn")
        .annotate(n=Count("target_urn", distinct=True))
        .values_list("source_urn", "n")
    )
    return dict(rows)
