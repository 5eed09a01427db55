"""Pure lineage analysis: what blocks define and use, the SQL they run, the block DAG.

No Django here: standard library, sqlglot, networkx, IPython's input
transformers and jinja2 only. See `analyze_block` (any block, by kind),
`analyze_code`, `analyze_sql_block`, `table_lineage`, `column_lineage` and
`build_dag`.
"""

from __future__ import annotations

from lineage.analysis.blocks import analyze_block
from lineage.analysis.dag import build_dag
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
    "CodeAnalysis",
    "ColumnEdge",
    "DagBlock",
    "DagEdge",
    "SqlStatement",
    "TableLineage",
    "analyze_block",
    "analyze_code",
    "analyze_sql_block",
    "build_dag",
    "column_lineage",
    "table_lineage",
]
