"""How often an app has run, for search ranking (registered in `ExecutionConfig.ready`)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.db.models import Count

from execution.models import Run


def run_counts(urns: Sequence[str]) -> dict[str, int]:
    """Each app's (or notebook's) runs, counted like distinct people: a log, so a
    scheduled app run every minute does not drown every other use."""
    rows = (
        Run.objects.filter(target_urn__in=list(urns))
        .values("target_urn")
        .annotate(n=Count("id"))
        .values_list("target_urn", "n")
    )
    return {urn: round(3 * math.log1p(n)) for urn, n in rows}
