"""A notebook's blocks a page at a time: what the notebook page and the notebook API show.

A notebook may hold 100,000 blocks; its page and its API answer hold a window of them
(``blocks_offset``, ``blocks_limit``), so their cost and size do not grow with the
notebook. The page also stops a window early once the blocks' text and outputs pass a byte
budget, so a few huge blocks do not make a huge first screen. Edges are given for the
blocks of the window only; a block they lead to outside it is named with its position, so
that a link can open the window that holds it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from accounts.errors import InvalidInput
from catalog.documentation.from_notebooks import notebook_summary
from catalog.models import Block, NotebookVersion

# ASCII digits only ("²".isdigit() is true, int("²") fails); more than 9 is past any notebook.
_WHOLE = re.compile(r"[0-9]{1,9}")
# How many markdown blocks the summary looks at before giving up.
SUMMARY_BLOCKS = 50


def window_param(params: Mapping, name: str, *, default: int, minimum: int, maximum: int) -> int:
    """``params[name]`` as a whole number from ``minimum`` to ``maximum``, or ``default``.

    Raises:
        InvalidInput: naming the field, for anything else.
    """
    raw = params.get(name)
    if raw is None or str(raw).strip() == "":
        return default
    raw = str(raw).strip()
    if not _WHOLE.fullmatch(raw) or not minimum <= int(raw) <= maximum:
        shown = raw[:40].encode("utf-8", "replace").decode("utf-8")
        raise InvalidInput(
            f"'{name}' must be a whole number from {minimum} to {maximum}, got '{shown}'.",
            field=name,
        )
    return int(raw)


@dataclass(frozen=True)
class Linked:
    """A block an edge leads to: enough to link to it, wherever its window is."""

    block_id: str
    position: int


@dataclass(frozen=True)
class BlockView:
    block: Block
    feeds: list[tuple[Linked, list[str]]]
    runs_after: list[tuple[Linked, list[str]]]


@dataclass(frozen=True)
class BlockPage:
    """One window of a version's blocks, in order."""

    items: list[BlockView]
    offset: int
    limit: int
    total: int
    # Every edge with an end in the window, as (source id, target id, names).
    edges: list[tuple[str, str, list[str]]]

    @property
    def blocks(self) -> list[Block]:
        return [item.block for item in self.items]

    @property
    def end(self) -> int:
        """The offset just past the window."""
        return self.offset + len(self.items)

    @property
    def next_offset(self) -> int | None:
        return self.end if self.end < self.total else None

    @property
    def previous_offset(self) -> int | None:
        return max(0, self.offset - self.limit) if self.offset > 0 else None


def _content_bytes(block: Block) -> int:
    outputs = len(json.dumps(block.outputs)) if block.outputs else 0
    return len(block.source) + outputs


def block_page(
    version: NotebookVersion, *, offset: int, limit: int, byte_budget: int | None = None
) -> BlockPage:
    """Blocks ``offset`` to ``offset + limit`` of ``version``, fewer if their text and
    outputs pass ``byte_budget`` (never none while there are any), with their edges."""
    total = version.blocks.count()
    blocks = list(version.blocks.order_by("position")[offset : offset + limit])
    if byte_budget is not None:
        used = 0
        for kept, block in enumerate(blocks):
            used += _content_bytes(block)
            if used > byte_budget and kept > 0:
                blocks = blocks[:kept]
                break
    ids = {block.block_id for block in blocks}
    edges = [
        (edge.source, edge.target, sorted(edge.names))
        for edge in version.summary.edges
        if edge.source in ids or edge.target in ids
    ]
    outside = {end for source, target, _ in edges for end in (source, target)} - ids
    positions = {block.block_id: block.position for block in blocks}
    if outside:
        positions.update(
            version.blocks.filter(block_id__in=outside).values_list("block_id", "position")
        )
    feeds: dict[str, list] = {block_id: [] for block_id in ids}
    after: dict[str, list] = {block_id: [] for block_id in ids}
    for source, target, names in edges:
        if source in ids:
            feeds[source].append((Linked(target, positions[target]), names))
        if target in ids:
            after[target].append((Linked(source, positions[source]), names))
    items = [BlockView(b, feeds[b.block_id], after[b.block_id]) for b in blocks]
    return BlockPage(items=items, offset=offset, limit=limit, total=total, edges=edges)


def summary_of_version(version: NotebookVersion) -> str:
    """The first paragraph of the version's first markdown block, however many blocks come
    before it (not only those of the window shown)."""
    markdown = version.blocks.filter(kind="markdown").order_by("position").only("kind", "source")
    return notebook_summary(markdown[:SUMMARY_BLOCKS])
