"""Documentation found inside a notebook: pure, no Django.

Where a notebook documents its tables and metrics:

- the markdown block just above the block that creates a table describes it, and a
  markdown table of ``| column | description |`` rows describes its columns;
- ``COMMENT ON TABLE/COLUMN`` statements, and column comments in ``CREATE TABLE``
  (whose column types are kept too);
- a block tagged ``metric:NAME`` defines the metric NAME, documented by the nearest
  markdown above it.

Table names are as the analysis core writes them; the caller resolves them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from lineage.analysis import NotebookLineage

SourceKind = Literal["markdown", "ddl"]

MAX_SUMMARY_CHARS = 300
_METRIC_TAG = re.compile(r"^metric:([a-z0-9][a-z0-9_-]{0,199})$", re.I)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_TABLE_ROW = re.compile(r"^\s*\|(.+)\|\s*$")
_RULE_ROW = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


class TextBlock(Protocol):
    """What the harvest reads of a block (`catalog.formats.ParsedBlock` is one)."""

    @property
    def kind(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def metadata(self) -> dict: ...


@dataclass(frozen=True)
class DocFact:
    """One thing a notebook says about a table or one of its columns."""

    table: str
    field: Literal["description", "data_type"]
    value: str
    source: SourceKind
    block_id: str
    column: str | None = None


@dataclass(frozen=True)
class MetricDoc:
    name: str
    block_id: str
    definition: str
    description: str = ""
    title: str = ""
    reads: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotebookDocs:
    """What a notebook says about its tables and metrics."""

    facts: tuple[DocFact, ...] = ()
    metrics: tuple[MetricDoc, ...] = ()


def parse_markdown_doc(markdown: str) -> tuple[str, str, dict[str, str]]:
    """A documenting markdown block as ``(heading, description, {column: description})``.

    The first heading is returned apart; a markdown table whose first header cell is
    ``column``, ``name`` or ``field`` gives column descriptions and is left out of
    the description.

    Examples:
        >>> md = "## `core.users`\\n\\nOne row per person.\\n\\n| column | description |\\n"
        >>> md += "| --- | --- |\\n| `email` | lower-cased |"
        >>> parse_markdown_doc(md)
        ('`core.users`', 'One row per person.', {'email': 'lower-cased'})
    """
    heading = ""
    kept: list[str] = []
    columns: dict[str, str] = {}
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        heading_match = _HEADING.match(line)
        if heading_match and not heading and not "".join(kept).strip():
            heading = heading_match.group(1)
            index += 1
            continue
        if _TABLE_ROW.match(line) and index + 1 < len(lines) and _RULE_ROW.match(lines[index + 1]):
            header = _cells(line)
            end = index + 2
            rows = []
            while end < len(lines) and _TABLE_ROW.match(lines[end]):
                rows.append(_cells(lines[end]))
                end += 1
            if header and header[0].strip("`*_ ").lower() in ("column", "name", "field"):
                for row in rows:
                    if len(row) >= 2 and row[0]:
                        columns[row[0].strip("`*_ ")] = row[-1].strip()
                index = end
                continue
            kept.extend(lines[index:end])
            index = end
            continue
        kept.append(line)
        index += 1
    return heading, "\n".join(kept).strip(), columns


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _names_table(heading: str, table: str) -> bool:
    text = heading.strip("`*_ ").lower()
    return text in (table.lower(), table.rsplit(".", 1)[-1].lower())


def markdown_title(markdown: str) -> str:
    """The first heading of a markdown text, without its markup."""
    heading, _, _ = parse_markdown_doc(markdown)
    return heading.strip().strip("`*_")


def notebook_summary(blocks: Sequence[TextBlock]) -> str:
    """The first paragraph of a notebook's first markdown block, as plain text.

    Examples:
        >>> from types import SimpleNamespace as Block
        >>> md = "# Users\\n\\nBuilds *users*.\\n\\nMore"
        >>> notebook_summary([Block(kind="markdown", source=md)])
        'Builds users.'
    """
    for block in blocks:
        if block.kind != "markdown":
            continue
        _, description, _ = parse_markdown_doc(block.source or "")
        for paragraph in re.split(r"\n\s*\n", description):
            text = _plain(paragraph)
            if text:
                return text[:MAX_SUMMARY_CHARS]
    return ""


def _plain(markdown: str) -> str:
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", markdown)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"`|\*+|(?<!\w)_+|_+(?!\w)", "", text)  # markup, not snake_case names
    text = re.sub(r"^\s*(?:[-+*]|\d+\.)\s+", "", text, flags=re.M)
    return " ".join(text.split())


def metric_names(metadata: dict) -> list[str]:
    tags = metadata.get("tags") or []
    if not isinstance(tags, list):
        return []
    return [m.group(1).lower() for tag in tags if (m := _METRIC_TAG.match(str(tag)))]


def harvest_notebook(blocks: Sequence[TextBlock], lineage: NotebookLineage) -> NotebookDocs:
    """Everything a notebook documents, from its blocks (in order) and their analysis.

    Table names are as the analysis spells them, notebook-local names already left out.
    """
    texts = {found.id: b.source or "" for b, found in zip(blocks, lineage.blocks, strict=True)}
    facts: list[DocFact] = []
    made: dict[str, list[str]] = {}
    documented_by: dict[str, str | None] = {}
    for creation in lineage.creates:
        made.setdefault(creation.block_id, []).append(creation.table)
        documented_by[creation.block_id] = creation.doc_block_id
    metrics: list[MetricDoc] = []
    for index, (block, found) in enumerate(zip(blocks, lineage.blocks, strict=True)):
        doc_block = documented_by.get(found.id)
        if found.id in made and doc_block is not None:
            facts.extend(_markdown_facts(texts[doc_block], made[found.id], found.id))
        for comment in found.facts.comments:
            facts.append(
                DocFact(
                    comment.table, comment.field, comment.value, "ddl", found.id, comment.column
                )
            )
        for name in metric_names(block.metadata or {}):
            metrics.append(_metric(name, found, block, blocks, index))
    return NotebookDocs(tuple(facts), tuple(metrics))


def _markdown_above(blocks: Sequence[TextBlock], index: int) -> str | None:
    """The nearest markdown block above ``blocks[index]``."""
    for position in range(index - 1, -1, -1):
        if blocks[position].kind == "markdown":
            return blocks[position].source or ""
    return None


def _markdown_facts(markdown: str, tables: list[str], block_id: str) -> list[DocFact]:
    heading, description, columns = parse_markdown_doc(markdown)
    named = [t for t in tables if heading and _names_table(heading, t)]
    if not named and len(tables) != 1:
        return []  # one block making several tables: only a heading says which is meant
    facts = []
    for table in named or tables:
        text = description if named or not heading else f"**{heading}**\n\n{description}"
        if text.strip():
            facts.append(DocFact(table, "description", text.strip(), "markdown", block_id))
        for column, column_doc in columns.items():
            facts.append(DocFact(table, "description", column_doc, "markdown", block_id, column))
    return facts


def _metric(name, found, block, blocks, index) -> MetricDoc:
    statements = found.analysis.sql
    definition = statements[0].sql.strip() if statements else (block.source or "")
    heading, description, _ = parse_markdown_doc(_markdown_above(blocks, index) or "")
    return MetricDoc(
        name=name,
        block_id=found.id,
        definition=definition,
        description=description,
        title=heading.strip("`*_ "),
        reads=tuple(sorted(found.reads)),
    )
