"""Pure lineage analysis: what blocks define and use, the SQL they run, the block DAG.

No Django here: standard library, sqlglot, networkx, IPython's input
transformers and jinja2 only. See `analyze_block` (any block, by kind, Deepnote's
included), `analyze_code`, `analyze_sql_block`, `table_lineage`, `column_lineage`,
`build_dag`, and for a whole notebook `analyze_notebook` (one typed `NotebookLineage`).

Notebook-local names (DataFrames SQL reads by name, registered frames, temp views and
tables) are resolved by `build_dag`: `BlockDag.local_reads`, `local_writes` and
`local_names` say which tables are the notebook's own, and `BlockDag.warehouse_reads`
/ `warehouse_writes` give a block's tables without them. Every analysis step runs
within the block's work budget (`budget.block_budget`); a result cut short says so in
`CodeAnalysis.notes`. What each statement or call does to a table it writes is a
`WriteKind` (`TableLineage.writes`, `CodeAnalysis.write_kinds`); only statements with
data flow give sources and targets. `CodeAnalysis.to_json` / `from_json` keep an analysis whole in
a store.
"""

from __future__ import annotations

from lineage.analysis.blocks import analyze_block
from lineage.analysis.dag import build_dag
from lineage.analysis.notebook import (
    BlockFacts,
    BlockLineage,
    NotebookLineage,
    TableCreation,
    analyze_notebook,
    block_key,
)
from lineage.analysis.python import analyze_code
from lineage.analysis.sql import column_lineage, table_lineage
from lineage.analysis.sql_block import analyze_sql_block
from lineage.analysis.types import (
    BlockDag,
    CodeAnalysis,
    ColumnEdge,
    DagBlock,
    DagEdge,
    SqlStatement,
    TableLineage,
    WriteKind,
)

__all__ = [
    "BlockDag",
    "BlockFacts",
    "BlockLineage",
    "CodeAnalysis",
    "ColumnEdge",
    "DagBlock",
    "DagEdge",
    "NotebookLineage",
    "SqlStatement",
    "TableCreation",
    "TableLineage",
    "WriteKind",
    "analyze_block",
    "analyze_code",
    "analyze_notebook",
    "analyze_sql_block",
    "block_key",
    "build_dag",
    "column_lineage",
    "table_lineage",
]
