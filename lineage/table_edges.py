"""The lineage edges that table usage gives, derived from the catalog's `NotebookTable` rows.

Which notebook reads or writes which table is stored once, by the catalog. From each row
(one notebook, one table, the blocks that use it) the graph gets: table -> block for each
block that reads it (``internal`` when it reads back what an earlier block wrote), block ->
table for each block that writes it, and notebook -> notebook through the table, from every
notebook that writes it to every other notebook that reads it from outside.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from catalog.models import NotebookTable, TableRole
from lineage.graph import EdgeRow
from lineage.models import EdgeKind
from urns import AssetKind


class TableUseRow(NamedTuple):
    """One `NotebookTable` row with the names the edges need."""

    notebook_path: str
    workspace_id: int
    workspace_slug: str
    warehouse: str
    table: str
    is_read: bool
    is_write: bool
    blocks: list  # [[block id, TableRole], ...]


def table_use_rows(**filters) -> list[TableUseRow]:
    """Every current table use (of the notebooks ``filters`` select), one query."""
    rows = NotebookTable.objects.filter(notebook__is_deleted=False, **filters).values_list(
        "notebook__path",
        "notebook__workspace_id",
        "notebook__workspace__slug",
        "table__warehouse",
        "table__name",
        "is_read",
        "is_write",
        "blocks",
    )
    return [TableUseRow(*row) for row in rows.order_by()]


def table_edge_rows(uses: Iterable[TableUseRow]) -> list[EdgeRow]:
    """The graph's block <-> table and notebook -> notebook edges of these uses.

    Examples:
        >>> uses = [
        ...     TableUseRow("w.ipynb", 1, "prod", "duckdb://demo", "mart.t", False, True,
        ...                 [["b1", "writes"]]),
        ...     TableUseRow("r.ipynb", 2, "ana", "duckdb://demo", "mart.t", True, False,
        ...                 [["c1", "reads"]]),
        ... ]
        >>> for row in table_edge_rows(uses):
        ...     print(row[0], "->", row[1], row[2])
        block:prod/w.ipynb#b1 -> table:duckdb://demo/mart.t writes
        table:duckdb://demo/mart.t -> block:ana/r.ipynb#c1 reads
        notebook:prod/w.ipynb -> notebook:ana/r.ipynb notebook
    """
    rows: list[EdgeRow] = []
    writers: dict[str, list[TableUseRow]] = {}
    readers: dict[str, list[TableUseRow]] = {}
    for use in uses:
        table_urn = AssetKind.TABLE.urn(use.warehouse, use.table)
        ws, slug, path = use.workspace_id, use.workspace_slug, use.notebook_path
        for block_id, role in use.blocks:
            block_urn = AssetKind.BLOCK.urn(slug, path, block_id)
            block_name = f"{path}#{block_id}"
            if role == TableRole.WRITES:
                rows.append(
                    (block_urn, table_urn, EdgeKind.WRITES, block_name, use.table, ws, ws, "", "")
                )
            else:
                detail = "internal" if role == TableRole.READS_BACK else ""
                rows.append(
                    (
                        table_urn,
                        block_urn,
                        EdgeKind.READS,
                        use.table,
                        block_name,
                        ws,
                        ws,
                        "",
                        detail,
                    )
                )
        if use.is_write:
            writers.setdefault(table_urn, []).append(use)
        if use.is_read:
            readers.setdefault(table_urn, []).append(use)
    for table_urn, writing in writers.items():
        for writer in writing:
            source = AssetKind.NOTEBOOK.urn(writer.workspace_slug, writer.notebook_path)
            for reader in readers.get(table_urn, ()):
                target = AssetKind.NOTEBOOK.urn(reader.workspace_slug, reader.notebook_path)
                if source != target:
                    rows.append(
                        (
                            source,
                            target,
                            EdgeKind.NOTEBOOK,
                            writer.notebook_path,
                            reader.notebook_path,
                            writer.workspace_id,
                            reader.workspace_id,
                            table_urn,
                            "",
                        )
                    )
    return rows
