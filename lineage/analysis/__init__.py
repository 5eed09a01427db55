"""Pure lineage analysis: what blocks define and use, the SQL they run, the block DAG.

No Django here: standard library, sqlglot, networkx, IPython's input
transformers and jinja2 only. See `analyze_code`, `analyze_sql_block`,
`table_lineage`, `column_lineage`, `build_dag`, and for a whole notebook
`analyze_notebook`.
"""

from __future__ import annotations

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
    "analyze_code",
    "analyze_notebook",
    "analyze_sql_block",
    "block_key",
    "build_dag",
    "column_lineage",
    "table_lineage",
]
