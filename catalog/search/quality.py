"""Search relevance: mean reciprocal rank over a set of queries with their expected assets.

Used by ``bench/search.py`` and the relevance test over the demo
(``bench/search_relevance.yml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from catalog.formats.safe_yaml import load_yaml
from catalog.search.query import search_assets

RELEVANCE_FILE = Path(__file__).resolve().parents[2] / "bench" / "search_relevance.yml"
DEPTH = 10


@dataclass(frozen=True)
class Case:
    """A query, the assets a person would be glad to land on first, and what sort of
    query it is ("typos", "column names" ...)."""

    query: str
    expected: tuple[str, ...]
    kind: str = ""


@dataclass(frozen=True)
class Judged:
    query: str
    rank: int | None  # 1-based rank of the first expected result, None if not in the top
    top: str  # what came first
    kind: str = ""

    @property
    def reciprocal_rank(self) -> float:
        return 1.0 / self.rank if self.rank else 0.0


def load_cases(path: Path = RELEVANCE_FILE) -> list[Case]:
    data = load_yaml(path.read_text(encoding="utf-8"))
    cases = []
    for item in data["queries"]:
        expected = item["expect"]
        expected = (expected,) if isinstance(expected, str) else tuple(expected)
        cases.append(Case(item["q"], expected, item.get("kind", "")))
    return cases


def judge(user, cases: list[Case]) -> list[Judged]:
    judged = []
    for case in cases:
        urns = [hit.urn for hit in search_assets(user, case.query, limit=DEPTH).hits]
        rank = next((i for i, urn in enumerate(urns, start=1) if urn in case.expected), None)
        judged.append(Judged(case.query, rank, urns[0] if urns else "", case.kind))
    return judged


def mean_reciprocal_rank(judged: list[Judged]) -> float:
    return sum(j.reciprocal_rank for j in judged) / len(judged) if judged else 0.0


def share_first(judged: list[Judged]) -> float:
    """The share of queries whose first result is an expected one."""
    return sum(1 for j in judged if j.rank == 1) / len(judged) if judged else 0.0
