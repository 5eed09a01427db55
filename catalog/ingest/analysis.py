"""Runs the pure lineage analysis over a notebook's blocks, reusing stored results.

A block's analysis depends only on its kind, source, variable and dialect, so it
is keyed by a hash of those: an unchanged block is never analysed twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from catalog.formats import ParsedBlock
from lineage.analysis import (
    CodeAnalysis,
    DagBlock,
    analyze_code,
    analyze_sql_block,
    build_dag,
    column_lineage,
)

# Bump when the analyser changes what it finds, so stored results are recomputed.
ANALYZER_VERSION = "1"


@dataclass(frozen=True)
class NotebookAnalysis:
    blocks: list[dict]  # per block, JSON-ready, in order
    edges: list[list]  # [from block id, to block id, [names]]
    reads: list[str]
    writes: list[str]
    column_edges: list[dict]
    runs: list[str]


def dialect_of(block: ParsedBlock) -> str | None:
    return block.metadata.get("sql_dialect") or None


def analysis_key(block: ParsedBlock) -> str:
    digest = hashlib.sha256()
    for part in (ANALYZER_VERSION, block.kind, block.variable or "", dialect_of(block) or ""):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(block.source.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _analyze_one(block: ParsedBlock) -> dict:
    if block.kind == "code":
        result = analyze_code(block.source)
    elif block.kind == "sql":
        result = analyze_sql_block(block.source, block.variable, dialect_of(block))
    elif block.kind == "input" and block.variable:
        result = CodeAnalysis(defines=frozenset({block.variable}))
    else:
        result = CodeAnalysis()
    columns: list[dict] = []
    for statement in result.sql:
        for edge in column_lineage(statement.sql, statement.dialect or dialect_of(block)):
            columns.append(
                {
                    "source": edge.source,
                    "target": edge.target,
                    "transformation": edge.transformation,
                }
            )
    return {
        "defines": sorted(result.defines),
        "uses": sorted(result.uses),
        "mutates": sorted(result.mutates),
        "imports": sorted(result.imports),
        "reads": sorted(result.reads),
        "writes": sorted(result.writes),
        "sql": [
            {"sql": s.sql, "line": s.line, "role": s.role, "dialect": s.dialect} for s in result.sql
        ],
        "runs": list(result.runs),
        "columns": columns,
        "confidence": result.confidence,
        "error": result.error,
    }


def _to_code_analysis(data: dict) -> CodeAnalysis:
    return CodeAnalysis(
        defines=frozenset(data["defines"]),
        uses=frozenset(data["uses"]),
        mutates=frozenset(data["mutates"]),
        imports=frozenset(data["imports"]),
        reads=frozenset(data["reads"]),
        writes=frozenset(data["writes"]),
        runs=tuple(data["runs"]),
        error=data["error"],
    )


def analyze_notebook(
    blocks: Sequence[ParsedBlock], keys: Sequence[str], known: Mapping[str, dict]
) -> NotebookAnalysis:
    """Analyse ``blocks``; ``known`` maps analysis keys to results stored earlier."""
    results: list[dict] = []
    fresh: dict[str, dict] = {}
    for block, key in zip(blocks, keys, strict=True):
        data = known.get(key) or fresh.get(key)
        if data is None:
            data = fresh[key] = _analyze_one(block)
        results.append(data)
    dag = build_dag(
        [
            DagBlock(id=str(i), kind=b.kind, source=b.source, variable=b.variable)
            for i, b in enumerate(blocks)
        ],
        analyses={str(i): _to_code_analysis(r) for i, r in enumerate(results)},
    )
    edges = [
        [blocks[int(e.source)].id, blocks[int(e.target)].id, sorted(e.names)] for e in dag.edges
    ]
    written: set[str] = set()
    read_outside: set[str] = set()
    for data in results:
        read_outside.update(t for t in data["reads"] if t not in written)
        written.update(data["writes"])
    columns = [edge for data in results for edge in data["columns"]]
    runs = [run for data in results for run in data["runs"]]
    return NotebookAnalysis(
        blocks=results,
        edges=edges,
        reads=sorted(read_outside),
        writes=sorted(written),
        column_edges=columns,
        runs=runs,
    )
