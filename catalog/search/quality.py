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
class Judged:
    query: str
    rank: int | None  # 1-based rank of the first expected result, None if not in the top
    top: str  # what came first

    @property
    def reciprocal_rank(self) -> float:
        return 1.0 / self.rank if self.rank else 0.0


def load_cases(path: Path = RELEVANCE_FILE) -> list[tuple[str, list[str]]]:
    data = load_yaml(path.read_text(encoding="utf-8"))
    return [(item["q"], list(item["expect"])) for item in data["queries"]]


def judge(user, cases: list[tuple[str, list[str]]]) -> list[Judged]:
    judged = []
    for query, expected in cases:
        urns = [hit.urn for hit in search_assets(user, query, limit=DEPTH).hits]
        rank = next((i for i, urn in enumerate(urns, start=1) if urn in expected), None)
        judged.append(Judged(query, rank, urns[0] if urns else ""))
    return judged


def mean_reciprocal_rank(judged: list[Judged]) -> float:
    return sum(j.reciprocal_rank for j in judged) / len(judged) if judged else 0.0
