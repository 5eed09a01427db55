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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlglot
from sqlglot import exp

from lineage.analysis import table_lineage

SourceKind = Literal["markdown", "ddl"]

MAX_SUMMARY_CHARS = 300
# Statements that change an existing table rather than create it: a notebook that only
# inserts into a table (an app appending to an audit table) does not define it.
_MUTATING = {
    "DELETE",
    "UPDATE",
    "INSERT",
    "UPSERT",
    "REPLACE",
    "MERGE",
    "TRUNCATE",
    "ALTER",
    "DROP",
    "COMMENT",
    "GRANT",
}
_FIRST_WORD = re.compile(r"^\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*([A-Za-z]+)", re.S)
_REGISTER = re.compile(r"\.register\(\s*[rRbBuU]?[\"']([A-Za-z_][\w]*)[\"']")
_TEMP = re.compile(
    r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:LOCAL\s+|GLOBAL\s+)?TEMP(?:ORARY)?\s+"
    r"(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?[\"`]?([A-Za-z_][\w]*)",
    re.I,
)
_METRIC_TAG = re.compile(r"^metric:([a-z0-9][a-z0-9_-]{0,199})$", re.I)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_TABLE_ROW = re.compile(r"^\s*\|(.+)\|\s*$")
_RULE_ROW = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


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

    creates: dict[str, str] = field(default_factory=dict)  # table -> first creating block
    facts: tuple[DocFact, ...] = ()
    metrics: tuple[MetricDoc, ...] = ()
    local_names: frozenset[str] = frozenset()


def _get(block: Any, name: str, default: Any = None) -> Any:
    if isinstance(block, Mapping):
        return block.get(name, default)
    return getattr(block, name, default)


def local_names(blocks: Sequence[Any], analyses: Sequence[Mapping]) -> frozenset[str]:
    """Unqualified names that are not warehouse tables: DataFrames queried by name,
    views registered with ``con.register``, temporary tables.

    Examples:
        >>> blocks = [{"kind": "code", "source": "con.register('frame', df)"}]
        >>> sorted(local_names(blocks, [{"defines": ["events"], "sql": []}]))
        ['events', 'frame']
    """
    names: set[str] = set()
    for block, analysis in zip(blocks, analyses, strict=True):
        if _get(block, "kind") in ("code", "input"):
            names.update(analysis.get("defines", ()))
        source = _get(block, "source", "") or ""
        names.update(m.lower() for m in _REGISTER.findall(source))
        for statement in analysis.get("sql", ()):
            names.update(m.lower() for m in _TEMP.findall(statement["sql"]))
        names.update(m.lower() for m in _TEMP.findall(source))
    return frozenset(names)


def is_local(name: str, local: frozenset[str]) -> bool:
    return "." not in name and "/" not in name and name in local


def created_tables(analysis: Mapping) -> set[str]:
    """The tables a block creates or fills, as opposed to ones it only deletes from,
    updates, alters or comments on.

    Examples:
        >>> created_tables({"writes": ["a.t"], "sql": [{"sql": "DELETE FROM a.t"}]})
        set()
        >>> created_tables({"writes": ["a.t"], "sql": [{"sql": "CREATE TABLE a.t AS SELECT 1"}]})
        {'a.t'}
        >>> created_tables({"writes": ["out/x.parquet"], "sql": []})
        {'out/x.parquet'}
    """
    writes = set(analysis.get("writes", ()))
    if not writes:
        return set()
    filled: set[str] = set()
    mutated: set[str] = set()
    for statement in analysis.get("sql", ()):
        targets = set(table_lineage(statement["sql"], statement.get("dialect")).targets)
        match = _FIRST_WORD.match(statement["sql"])
        word = match.group(1).upper() if match else ""
        (mutated if word in _MUTATING else filled).update(targets & writes)
    # A table no SQL statement targets is written by Python (to_sql, saveAsTable ...).
    return (writes & filled) | (writes - filled - mutated)


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


def notebook_summary(blocks: Sequence[Any]) -> str:
    """The first paragraph of a notebook's first markdown block, as plain text.

    Examples:
        >>> md = "# Users\\n\\nBuilds *users*.\\n\\nMore"
        >>> notebook_summary([{"kind": "markdown", "source": md}])
        'Builds users.'
    """
    for block in blocks:
        if _get(block, "kind") != "markdown":
            continue
        _, description, _ = parse_markdown_doc(_get(block, "source", "") or "")
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


def comments_in_sql(sql: str, dialect: str | None, block_id: str) -> list[DocFact]:
    """``COMMENT ON`` statements and ``CREATE TABLE`` column definitions, as facts.

    Examples:
        >>> facts = comments_in_sql("COMMENT ON TABLE core.users IS 'People'", "duckdb", "b1")
        >>> [(f.table, f.column, f.value) for f in facts]
        [('core.users', None, 'People')]
    """
    if "comment" not in sql.lower() and "create" not in sql.lower():
        return []
    try:
        statements = sqlglot.parse(sql, read=dialect or None)
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError, ValueError):
        return []
    facts: list[DocFact] = []
    for statement in statements:
        if isinstance(statement, exp.Comment):
            facts.extend(_comment_facts(statement, block_id))
        elif isinstance(statement, exp.Create) and isinstance(statement.this, exp.Schema):
            facts.extend(_create_facts(statement, block_id))
    return facts


def _table_name(table: exp.Expression) -> str:
    parts = [table.args.get(k) for k in ("catalog", "db", "this")]
    return ".".join(_identifier(p) for p in parts if p is not None)


def _identifier(node: exp.Expression) -> str:
    if isinstance(node, exp.Identifier):
        return node.this if node.quoted else node.this.lower()
    return node.name.lower()


def _comment_facts(statement: exp.Comment, block_id: str) -> list[DocFact]:
    text = statement.expression.name if statement.expression is not None else ""
    kind = (statement.args.get("kind") or "").upper()
    target = statement.this
    if kind in ("TABLE", "VIEW") and isinstance(target, exp.Table):
        return [DocFact(_table_name(target), "description", text, "ddl", block_id)]
    if kind == "COLUMN" and isinstance(target, exp.Column) and target.args.get("table"):
        parts = [target.args.get(k) for k in ("catalog", "db", "table")]
        table = ".".join(_identifier(p) for p in parts if p is not None)
        column = _identifier(target.this)
        return [DocFact(table, "description", text, "ddl", block_id, column)]
    return []


def _create_facts(statement: exp.Create, block_id: str) -> list[DocFact]:
    schema = statement.this
    table = _table_name(schema.this)
    facts: list[DocFact] = []
    for prop in (statement.args.get("properties") or exp.Properties()).expressions:
        if isinstance(prop, exp.SchemaCommentProperty):
            facts.append(DocFact(table, "description", prop.this.name, "ddl", block_id))
    for column in schema.expressions:
        if not isinstance(column, exp.ColumnDef):
            continue
        name = _identifier(column.this)
        if column.args.get("kind") is not None:
            facts.append(
                DocFact(
                    table, "data_type", column.args["kind"].sql().upper(), "ddl", block_id, name
                )
            )
        for constraint in column.args.get("constraints") or []:
            if isinstance(constraint.args.get("kind"), exp.CommentColumnConstraint):
                comment = constraint.args["kind"].this.name
                facts.append(DocFact(table, "description", comment, "ddl", block_id, name))
    return facts


def metric_names(metadata: Mapping) -> list[str]:
    tags = metadata.get("tags") or []
    if not isinstance(tags, list):
        return []
    return [m.group(1).lower() for tag in tags if (m := _METRIC_TAG.match(str(tag)))]


def harvest_notebook(blocks: Sequence[Any], analyses: Sequence[Mapping]) -> NotebookDocs:
    """Everything a notebook documents, from its blocks (objects or mappings with
    ``id``, ``kind``, ``source``, ``metadata``) and their analyses, in order."""
    local = local_names(blocks, analyses)
    creates: dict[str, str] = {}
    facts: list[DocFact] = []
    metrics: list[MetricDoc] = []
    for index, (block, analysis) in enumerate(zip(blocks, analyses, strict=True)):
        block_id = str(_get(block, "id") or _get(block, "block_id"))
        made = sorted(t for t in created_tables(analysis) if not is_local(t, local))
        for table in made:
            creates.setdefault(table, block_id)
        above = _markdown_above(blocks, index)
        if made and above is not None:
            facts.extend(_markdown_facts(above, made, block_id))
        for statement in analysis.get("sql", ()):
            facts.extend(comments_in_sql(statement["sql"], statement.get("dialect"), block_id))
        for name in metric_names(_get(block, "metadata") or {}):
            metrics.append(_metric(name, block_id, block, analysis, blocks, index, local))
    return NotebookDocs(creates, tuple(facts), tuple(metrics), local)


def _markdown_above(blocks: Sequence[Any], index: int, *, nearest: bool = False) -> str | None:
    """The markdown block right above ``blocks[index]`` (or, ``nearest``, any above)."""
    for position in range(index - 1, -1, -1):
        block = blocks[position]
        if _get(block, "kind") == "markdown":
            return _get(block, "source", "") or ""
        if not nearest:
            return None
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


def _metric(name, block_id, block, analysis, blocks, index, local) -> MetricDoc:
    statements = analysis.get("sql", ())
    definition = statements[0]["sql"].strip() if statements else (_get(block, "source") or "")
    markdown = _markdown_above(blocks, index, nearest=True) or ""
    heading, description, _ = parse_markdown_doc(markdown)
    reads = tuple(sorted(t for t in analysis.get("reads", ()) if not is_local(t, local)))
    return MetricDoc(
        name=name,
        block_id=block_id,
        definition=definition,
        description=description,
        title=heading.strip("`*_ "),
        reads=reads,
    )
