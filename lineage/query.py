"""The parameters of a lineage question, checked once for the API and the pages alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from accounts.errors import InvalidInput
from lineage.graph import DIRECTIONS, LEVELS, LINEAGE_KINDS, OBSERVED, lineage_kind

MAX_DEPTH = 20
DEFAULT_DEPTH = 3
MAX_URN_CHARS = 2048


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


def _choice(params: Mapping, name: str, choices: tuple[str, ...], default: str) -> str:
    value = params.get(name)
    if value in (None, ""):
        return default
    if value not in choices:
        raise InvalidInput(
            f"'{name}' must be {', '.join(choices[:-1])} or {choices[-1]}, got '{value[:40]}'.",
            field=name,
        )
    return value


def parse_lineage_query(params: Mapping) -> LineageQuery:
    """Check ``urn``, ``direction``, ``depth`` and ``level``; raise InvalidInput with the reason.

    Examples:
        >>> parse_lineage_query({"urn": "table:duckdb://demo/raw.events", "depth": "2"}).depth
        2
    """
    urn = (params.get("urn") or "").strip()
    if not urn:
        raise InvalidInput("The 'urn' parameter is required.", field="urn")
    if len(urn) > MAX_URN_CHARS:
        raise InvalidInput(f"'urn' is longer than {MAX_URN_CHARS} characters.", field="urn")
    if not lineage_kind(urn):
        kinds = ", ".join(f"{k}:" for k in LINEAGE_KINDS)
        raise InvalidInput(
            f"'urn' must start with one of {kinds} got '{urn[:60]}'.",
            field="urn",
        )
    direction = _choice(params, "direction", DIRECTIONS, "both")
    level = _choice(params, "level", LEVELS, "notebook")
    raw_depth = params.get("depth")
    depth = DEFAULT_DEPTH
    if raw_depth not in (None, ""):
        if not raw_depth.isdigit() or not 1 <= int(raw_depth) <= MAX_DEPTH:
            raise InvalidInput(
                f"'depth' must be a whole number from 1 to {MAX_DEPTH}, got '{raw_depth[:40]}'.",
                field="depth",
            )
        depth = int(raw_depth)
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
