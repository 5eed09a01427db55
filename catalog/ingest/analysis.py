"""Analysing notebooks with the pure core, reusing the facts of blocks already analysed.

A block's facts depend only on its text (`lineage.analysis.block_key`), so they are reused:
for every notebook of an ingest run, from memory, and for a changed notebook, from the
blocks of its current version, which are read once per batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings

from catalog.formats import ParsedBlock
from catalog.models import Block
from lineage.analysis import BlockFacts, NotebookLineage, analyze_notebook
from lineage.analysis.notebook import block_from_json

# How many blocks' facts one ingest keeps in memory (the oldest half goes past it).
MAX_KNOWN_BLOCKS = 50_000


class BlockFactsCache:
    """The facts of the blocks an ingest has seen, by content key."""

    def __init__(self) -> None:
        self.known: dict[str, BlockFacts] = {}
        self.budget_s: float = settings.ANALYSIS_BLOCK_BUDGET_S

    def load_versions(self, version_ids: Iterable[int]) -> None:
        """Remember the facts of the blocks of these stored versions (one query)."""
        ids = sorted(set(version_ids))
        if not ids:
            return
        for data in Block.objects.filter(version_id__in=ids).values_list("lineage", flat=True):
            key = (data.get("facts") or {}).get("key")
            if key and key not in self.known:
                self.known[key] = block_from_json(data).facts

    def analyze(self, blocks: Sequence[ParsedBlock]) -> NotebookLineage:
        """The analysis of a notebook's blocks; blocks seen before are not analysed again."""
        lineage = analyze_notebook(blocks, self.known, budget_s=self.budget_s)
        if len(self.known) > MAX_KNOWN_BLOCKS:
            keep = list(self.known.items())[len(self.known) // 2 :]
            self.known = dict(keep)
        for block in lineage.blocks:
            self.known.setdefault(block.facts.key, block.facts)
        return lineage
