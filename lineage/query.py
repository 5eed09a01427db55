"""The parameters of a lineage question, checked once for the API and the pages alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from accounts.errors import InvalidInput
from accounts.params import MAX_URN_CHARS, enum_param, int_param, urn_param

__all__ = ["MAX_DEPTH", "MAX_URN_CHARS", "LineageQuery", "parse_lineage_query"]
from lineage.graph import DIRECTIONS, LEVELS, LINEAGE_KINDS, OBSERVED, lineage_kind

MAX_DEPTH = 20
DEFAULT_DEPTH = 3


@dataclass(frozen=True)
class LineageQuery:
    urn: str
    direction: str = "both"
    depth: int = DEFAULT_DEPTH
    level: str = "notebook"
    # Also draw what runs really read and wrote (runtime lineage), marked observed_*.
    observed: bool = False

    @property
    def graph_level(self) -> str:
        """The graph level that answers it: the level, ``+observed`` when asked."""
        return self.level + OBSERVED if self.observed and self.level != "column" else self.level


def parse_lineage_query(params: Mapping, *, strict: bool = False) -> LineageQuery:
    """Check ``urn``, ``direction``, ``depth`` and ``level``; raise InvalidInput with the reason.

    ``strict`` (the API): an empty parameter is refused rather than read as left out.

    Examples:
        >>> parse_lineage_query({"urn": "table:duckdb://demo/raw.events", "depth": "2"}).depth
        2
    """
    urn = urn_param(params, "urn", kinds=LINEAGE_KINDS, strict=strict)
    direction = enum_param(params, "direction", DIRECTIONS, default="both", strict=strict)
    level = enum_param(params, "level", LEVELS, default="notebook", strict=strict)
    depth = int_param(
        params, "depth", default=DEFAULT_DEPTH, minimum=1, maximum=MAX_DEPTH, strict=strict
    )
    if level == "column" and lineage_kind(urn) not in ("table", "column"):
        raise InvalidInput("level=column needs a table or column URN.", field="level")
    observed = params.get("observed")
    if observed not in (None, "", "1"):
        raise InvalidInput(
            f"'observed' must be '1' or left out, got '{str(observed)[:40]}'.", field="observed"
        )
    return LineageQuery(
        urn=urn, direction=direction, depth=depth, level=level, observed=observed == "1"
    )
