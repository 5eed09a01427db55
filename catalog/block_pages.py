"""A notebook's blocks a page at a time: what the notebook page and the notebook API show.

A notebook may hold 100,000 blocks; its page and its API answer hold a window of them
(``blocks_offset``, ``blocks_limit``), so their cost and size do not grow with the
notebook. The page also stops a window early once the blocks' text and outputs pass a byte
budget, so a few huge blocks do not make a huge first screen. Edges are given for the
blocks of the window only; a block they lead to outside it comes with them (without its
outputs), so that a link can name it and open the window that holds it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import connection

from catalog.documentation.from_notebooks import notebook_summary
from catalog.models import Block, NotebookVersion

# How many markdown blocks the summary looks at before giving up (each is parsed).
SUMMARY_BLOCKS = 10


@dataclass(frozen=True)
class BlockView:
    block: Block
    # The blocks an edge leads to, in the window or not (`block_link` links to either).
    feeds: list[tuple[Block, list[str]]]
    runs_after: list[tuple[Block, list[str]]]


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


_EDGES_SQL = {
    # The version's DAG is one JSON array that grows with the notebook: the database picks
    # the window's edges out of it, so that neither the array nor its objects are built here.
    "postgresql": (
        "SELECT e.edge->>'source', e.edge->>'target', e.edge->'names' "
        "FROM {table} v, jsonb_array_elements(v.lineage->'edges') WITH ORDINALITY e(edge, n) "
        "WHERE v.id = %s AND (e.edge->>'source' = ANY(%s) OR e.edge->>'target' = ANY(%s)) "
        "ORDER BY e.n"
    ),
    "sqlite": (
        "SELECT json_extract(e.value, '$.source'), json_extract(e.value, '$.target'), "
        "json_extract(e.value, '$.names') FROM {table} v, json_each(v.lineage, '$.edges') e "
        "WHERE v.id = %s "
        "AND (json_extract(e.value, '$.source') IN (SELECT value FROM json_each(%s)) "
        "OR json_extract(e.value, '$.target') IN (SELECT value FROM json_each(%s))) "
        "ORDER BY e.key"
    ),
}


def window_edges(version_id: int, ids: list[str]) -> list[tuple[str, str, list[str]]]:
    """The edges of a version's DAG with an end in ``ids``, in their stored order."""
    sql = _EDGES_SQL[connection.vendor].format(table=NotebookVersion._meta.db_table)
    listed = ids if connection.vendor == "postgresql" else json.dumps(ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, [version_id, listed, listed])
        rows = cursor.fetchall()
    return [
        (source, target, sorted(json.loads(names) if isinstance(names, str) else names))
        for source, target, names in rows
    ]


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
    edges = window_edges(version.pk, sorted(ids)) if ids else []
    outside = {end for source, target, _ in edges for end in (source, target)} - ids
    by_id = {block.block_id: block for block in blocks}
    if outside:
        # Named on the page (by what they are), not shown: their outputs stay behind.
        by_id.update(
            (block.block_id, block)
            for block in version.blocks.filter(block_id__in=outside).defer("outputs")
        )
    feeds: dict[str, list] = {block_id: [] for block_id in ids}
    after: dict[str, list] = {block_id: [] for block_id in ids}
    for source, target, names in edges:
        if source in ids:
            feeds[source].append((by_id[target], names))
        if target in ids:
            after[target].append((by_id[source], names))
    items = [BlockView(b, feeds[b.block_id], after[b.block_id]) for b in blocks]
    return BlockPage(items=items, offset=offset, limit=limit, total=total, edges=edges)


def reads_and_writes(version: NotebookVersion) -> tuple[list[str], list[str]]:
    """``version.reads`` and ``version.writes``, read without loading its whole analysis."""
    if connection.vendor == "sqlite":
        # One json_extract of both paths: SQLite parses the document once, not twice.
        table = NotebookVersion._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT json_extract(lineage, '$.reads', '$.writes') FROM {table} WHERE id = %s",
                [version.pk],
            )
            reads, writes = json.loads(cursor.fetchone()[0])
    else:
        reads, writes = NotebookVersion.objects.filter(pk=version.pk).values_list(
            "lineage__reads", "lineage__writes"
        )[0]
    return list(reads or ()), list(writes or ())


def summary_of_version(version: NotebookVersion) -> str:
    """The first paragraph of the version's first markdown block, however many blocks come
    before it (not only those of the window shown)."""
    markdown = version.blocks.filter(kind="markdown").order_by("position").only("kind", "source")
    return notebook_summary(markdown[:SUMMARY_BLOCKS])
