"""Keeping the search index in step with the assets: one `SearchDocument` per asset.

Called inside the transaction that changes an asset (ingest, catalog.yml, an edit,
an introspection), so the index never shows what was rolled back. The full-text
columns are filled by the database itself (see migration 0005).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping

from django.db.models import Count, Model, Prefetch, Q
from django.urls import reverse

from catalog.bulk import insert_rows
from catalog.documentation.from_notebooks import notebook_summary
from catalog.models import App, Column, Metric, Notebook, SearchDocument, Table
from catalog.search.usage import usage_counts
from lineage.analysis.notebook import NotebookLineage
from urns import AssetKind

MAX_BODY_CHARS = 20_000
_SPLIT = re.compile(r"[^0-9A-Za-z]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@functools.cache
def _url_format(name: str) -> str:
    return reverse(name, args=[987654321]).replace("987654321", "{}")


def _url(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])``, formatted from one reversal: ingest indexes thousands."""
    return _url_format(name).format(pk)


def words(*names: str) -> str:
    """``"analytics.billing_daily"`` -> ``"analytics billing daily"``."""
    out = []
    for name in names:
        out.extend(w for w in _SPLIT.split(_CAMEL.sub(" ", name or "")) if w)
    return " ".join(out)


def name_key(name: str) -> str:
    """How a name is compared with a query for an exact match: its words, lower-cased.

    Examples:
        >>> name_key('"analytics.billing_daily"')
        'analytics billing daily'
    """
    return words(name).lower()


def _keys(full: str, *others: str) -> str:
    """``'|full name|other name|...|'``: the full name first (an exact match of it ranks
    above a match of a shorter name), each as `name_key` spells it."""
    found = [k for k in (name_key(n) for n in (full, *others) if n) if k]
    return "|" + "|".join(dict.fromkeys(found)) + "|" if found else ""


def _tags(tags) -> str:
    return f" {' '.join(t.lower() for t in tags)} " if tags else ""


# Among equal matches a table comes before its own columns, and a notebook before its blocks.
KIND_OFFSETS = {"column": -0.1, "block": -0.3}
SINK = -1.5  # a deprecated or deleted asset: below every live one matching as well


def _boost(popularity: int, *, kind: str = "", is_sunk: bool = False) -> float:
    """Much-used assets rank first among equal text matches, by at most 0.3."""
    usage = min(0.3, 0.1 * math.log1p(popularity))
    return usage + KIND_OFFSETS.get(kind, 0.0) + (SINK if is_sunk else 0.0)


def is_deprecated(description: str, tags) -> bool:
    """Marked so by a ``deprecated`` tag or a description that starts with the word."""
    return any(str(t).lower() == "deprecated" for t in tags or ()) or (
        (description or "").lstrip().lower().startswith(("deprecated", "[deprecated]"))
    )


def _doc_text(obj) -> str:
    return " ".join(filter(None, [obj.description, " ".join(obj.tags or []), obj.owner_email]))


def table_documents(tables: Iterable[Table], usage: Mapping[str, int] | None = None):
    """The documents of ``tables`` and of their columns. ``usage`` counts what else uses
    each (views, dependents: see `catalog.search.usage`), looked up when not given."""
    tables = list(tables)
    if usage is None:
        usage = usage_counts([t.urn for t in tables])
    docs = []
    for table in tables:
        columns = list(table.columns.all())
        short = table.name.rsplit(".", 1)[-1]
        url = _url("table", table.pk)
        uses = getattr(table, "use_count", None)
        if uses is None:
            uses = table.notebook_uses.count()
        popularity = uses + usage.get(table.urn, 0)
        defined_by = table.defined_by
        sunk = is_deprecated(table.description, table.tags) or bool(
            defined_by and defined_by.is_deleted
        )
        docs.append(
            SearchDocument(
                urn=table.urn,
                kind="table",
                object_id=table.pk,
                workspace_id=table.workspace_id,
                name=table.name,
                url=url,
                name_text=f"{table.name} {words(table.name)}",
                doc_text=_doc_text(table),
                columns_text=" ".join(
                    f"{c.name} {words(c.name)} {c.description}".strip() for c in columns
                ),
                body=table.get_kind_display(),
                summary=table.description,
                keys=_keys(table.name, short),
                owner=table.owner_email.lower(),
                tags=_tags(table.tags),
                popularity=popularity,
                boost=_boost(popularity, is_sunk=sunk),
            )
        )
        for column in columns:
            docs.append(
                SearchDocument(
                    urn=AssetKind.COLUMN.urn(table.warehouse, table.name, column.name),
                    kind="column",
                    object_id=table.pk,
                    workspace_id=table.workspace_id,
                    name=f"{table.name}.{column.name}",
                    url=f"{url}#col-{column.name}",
                    name_text=f"{column.name} {words(column.name)}",
                    doc_text=" ".join(filter(None, [column.description, " ".join(column.tags)])),
                    columns_text=words(table.name),
                    body=column.data_type,
                    summary=column.description,
                    keys=_keys(
                        f"{table.name}.{column.name}", f"{short}.{column.name}", column.name
                    ),
                    owner=table.owner_email.lower(),
                    tags=_tags(column.tags),
                    popularity=0,
                    boost=_boost(0, kind="column", is_sunk=sunk),
                )
            )
    return docs


def _block_label(block) -> str:
    """What a block is called in results: its variable, else its first line of text."""
    if getattr(block, "variable", None):
        return block.variable
    for line in (block.source or "").splitlines():
        line = line.strip().lstrip("#%").strip()
        if line:
            return line[:60] + ("…" if len(line) > 60 else "")
    return block.kind


def block_documents(
    notebook: Notebook, blocks: Iterable, lineage: NotebookLineage | None = None
) -> list[SearchDocument]:
    """One document per code or SQL block of a notebook: found by its text and by the
    tables it reads ("who queries raw.invoices?"), linked into its notebook."""
    by_id = {b.id: b for b in lineage.blocks} if lineage is not None else {}
    url = _url("notebook", notebook.pk)
    docs = []
    for block in blocks:
        if block.kind not in ("code", "sql") or not (block.source or "").strip():
            continue
        block_id = getattr(block, "block_id", None) or block.id
        analysed = by_id.get(block_id)
        if analysed is None and hasattr(block, "block_lineage") and block.lineage:
            analysed = block.block_lineage
        # What it reads, not what it writes: "who queries raw.invoices?" wants the blocks
        # that read it, not the erasure that deletes from every table (its SQL has those).
        tables = sorted(analysed.reads) if analysed else []
        docs.append(
            SearchDocument(
                urn=AssetKind.BLOCK.urn(notebook.workspace.slug, notebook.path, block_id),
                kind="block",
                object_id=notebook.pk,
                workspace_id=notebook.workspace_id,
                name=f"{notebook.title} · {_block_label(block)}",
                url=f"{url}#block-{block_id}",
                name_text=words(getattr(block, "variable", "") or ""),
                doc_text="",
                columns_text=" ".join(f"{t} {words(t)}" for t in tables),
                body=block.source[:MAX_BODY_CHARS],
                summary="",
                keys="",
                owner="",
                tags="",
                popularity=0,
                boost=_boost(0, kind="block"),
            )
        )
    return docs


def notebook_document(
    notebook: Notebook, version, blocks: Iterable, usage: Mapping[str, int] | None = None
) -> SearchDocument:
    """The document of a notebook whose current version is ``version``, with ``blocks``
    (stored blocks or parsed ones: with ``kind`` and ``source``, in order)."""
    texts = [b for b in blocks if b.kind in ("markdown", "sql", "code")]
    body = "\n".join(b.source for b in texts if b.kind == "markdown")
    body += "\n" + "\n".join(b.source for b in texts if b.kind != "markdown")
    names = sorted(set(version.reads) | set(version.writes))
    summary = notebook_summary(texts)
    creates = version.summary.creates
    popularity = (usage if usage is not None else usage_counts([notebook.urn])).get(notebook.urn, 0)
    filename = notebook.path.rsplit("/", 1)[-1]
    return SearchDocument(
        urn=notebook.urn,
        kind="notebook",
        object_id=notebook.pk,
        workspace_id=notebook.workspace_id,
        name=notebook.title,
        url=_url("notebook", notebook.pk),
        # What it creates names it too: "which notebook builds core.users?"
        name_text=" ".join(
            [notebook.title, words(notebook.path), *(words(c.table) for c in creates)]
        ),
        doc_text=summary,
        columns_text=" ".join(f"{n} {words(n)}" for n in names),
        body=body[:MAX_BODY_CHARS],
        summary=summary,
        keys=_keys(notebook.title, notebook.path, filename, filename.rsplit(".", 1)[0]),
        owner="",
        tags="",
        popularity=popularity,
        boost=_boost(popularity),
    )


def notebook_documents(notebooks: Iterable[Notebook]) -> list[SearchDocument]:
    live = [n for n in notebooks if n.current_version is not None and not n.is_deleted]
    usage = usage_counts([n.urn for n in live])
    docs = []
    for notebook in live:
        blocks = list(notebook.current_version.blocks.all())
        docs.append(notebook_document(notebook, notebook.current_version, blocks, usage))
        docs += block_documents(notebook, blocks)
    return docs


def metric_documents(metrics: Iterable[Metric]) -> list[SearchDocument]:
    metrics = list(metrics)
    usage = usage_counts([m.urn for m in metrics])
    docs = []
    for metric in metrics:
        tables = [t.name for t in metric.tables.all()]
        popularity = 1 + len(tables) + usage.get(metric.urn, 0)
        docs.append(
            SearchDocument(
                urn=metric.urn,
                kind="metric",
                object_id=metric.pk,
                workspace_id=metric.workspace_id,
                name=metric.title or metric.name,
                url=_url("metric", metric.pk),
                name_text=f"{metric.name} {words(metric.name)} {metric.title}",
                doc_text=_doc_text(metric),
                columns_text=" ".join(f"{t} {words(t)}" for t in tables),
                body=metric.definition[:MAX_BODY_CHARS],
                summary=metric.description,
                keys=_keys(metric.name, metric.title),
                owner=metric.owner_email.lower(),
                tags=_tags(metric.tags),
                popularity=popularity,
                boost=_boost(popularity, is_sunk=is_deprecated(metric.description, metric.tags)),
            )
        )
    return docs


def app_documents(apps: Iterable[App]) -> list[SearchDocument]:
    apps = list(apps)
    usage = usage_counts([a.urn for a in apps])
    docs = []
    for app in apps:
        popularity = 2 + usage.get(app.urn, 0)
        docs.append(
            SearchDocument(
                urn=app.urn,
                kind="app",
                object_id=app.pk,
                workspace_id=app.workspace_id,
                name=app.title,
                url=_url("app", app.pk),
                name_text=f"{app.title} {words(app.slug)}",
                doc_text=_doc_text(app),
                columns_text=words(app.notebook.path) if app.notebook_id else "",
                body="app",
                summary=app.description,
                keys=_keys(app.title, app.slug),
                owner=app.owner_email.lower(),
                tags=_tags(app.tags),
                popularity=popularity,
                boost=_boost(popularity, is_sunk=is_deprecated(app.description, app.tags)),
            )
        )
    return docs


# What a document says; `_replace` compares these to leave unchanged documents alone.
_CONTENT = (
    "kind",
    "object_id",
    "workspace_id",
    "name",
    "url",
    "name_text",
    "doc_text",
    "columns_text",
    "body",
    "summary",
    "keys",
    "owner",
    "tags",
    "popularity",
    "boost",
)


def _replace(
    docs: list[SearchDocument],
    *,
    column_tables: Iterable[int] = (),
    block_notebooks: Iterable[int] = (),
) -> None:
    """Make the index hold ``docs``, and no other column documents of ``column_tables``
    nor block documents of ``block_notebooks``.

    Documents that did not change are not written (nor re-tokenized by the full-text
    triggers); changed ones are updated in place and new ones inserted, in one upsert.
    """
    wanted = {d.urn: d for d in docs}
    scope = Q(urn__in=list(wanted))
    if column_tables:
        scope |= Q(kind="column", object_id__in=list(column_tables))
    if block_notebooks:
        scope |= Q(kind="block", object_id__in=list(block_notebooks))
    stale, changed = [], []
    found = set()
    for urn, pk, *content in SearchDocument.objects.filter(scope).values_list(
        "urn", "pk", *_CONTENT
    ):
        doc = wanted.get(urn)
        if doc is None:
            stale.append(pk)
            continue
        found.add(urn)
        if tuple(content) != tuple(getattr(doc, f) for f in _CONTENT):
            changed.append(doc)
    if stale:
        SearchDocument.objects.filter(pk__in=stale).delete()
    new = [d for urn, d in wanted.items() if urn not in found]
    # A notebook's document is written by the one ingest storing it; a table's may be
    # written by two at once, so those go through the upsert below.
    insert_rows(SearchDocument, [_row(d) for d in new if d.kind in ("notebook", "block")])
    changed += [d for d in new if d.kind not in ("notebook", "block")]
    if changed:
        # In URN order, so that two batches writing the same tables' documents at once
        # take their row locks in the same order (no deadlock).
        SearchDocument.objects.bulk_create(
            sorted(changed, key=lambda d: d.urn),
            batch_size=500,
            update_conflicts=True,
            unique_fields=["urn"],
            update_fields=[*_CONTENT, "updated_at"],
        )


def _row(doc: SearchDocument) -> dict:
    return {f.attname: getattr(doc, f.attname) for f in _DOC_FIELDS}


_DOC_FIELDS = [
    f for f in SearchDocument._meta.concrete_fields if not f.primary_key and f.name != "updated_at"
]


def _table_rows(ids: list[int]):
    return (
        Table.objects.filter(pk__in=ids)
        .annotate(use_count=Count("notebook_uses"))
        .select_related("defined_by")
        .prefetch_related(Prefetch("columns", queryset=Column.objects.order_by("position", "name")))
    )


def index_tables(tables: Iterable[Table]) -> None:
    ids = [t.pk for t in tables]
    if not ids:
        return
    _replace(table_documents(_table_rows(ids)), column_tables=ids)


def index_notebooks(notebooks: Iterable[Notebook]) -> None:
    ids = [n.pk for n in notebooks]
    if not ids:
        return
    rows = list(
        Notebook.objects.filter(pk__in=ids)
        .select_related("workspace", "current_version")
        .prefetch_related("current_version__blocks")
    )
    gone = [n for n in rows if n.is_deleted or n.current_version is None]
    SearchDocument.objects.filter(
        Q(urn__in=[n.urn for n in gone]) | Q(kind="block", object_id__in=[n.pk for n in gone])
    ).delete()
    _replace(notebook_documents(rows), block_notebooks=ids)


def index_notebooks_stored(
    notebooks: Iterable[tuple[Notebook, object, Iterable, NotebookLineage | None]],
    table_ids: Iterable[int] = (),
) -> None:
    """Index a batch of notebooks whose current versions were just stored, each given as
    (notebook, version, blocks, analysis) (ingest holds them: they are not read back),
    with their blocks, and the tables they use, each table once for the whole batch."""
    notebooks = list(notebooks)
    ids = sorted(set(table_ids))
    tables = list(_table_rows(ids)) if ids else []
    # One look-up of usage for the batch's tables and notebooks together.
    usage = usage_counts([t.urn for t in tables] + [n.urn for n, *_ in notebooks])
    docs = table_documents(tables, usage) if tables else []
    for notebook, version, blocks, lineage in notebooks:
        docs.append(notebook_document(notebook, version, blocks, usage))
        docs += block_documents(notebook, blocks, lineage)
    _replace(docs, column_tables=ids, block_notebooks=[n.pk for n, *_ in notebooks])


def index_metrics(metrics: Iterable[Metric]) -> None:
    ids = [m.pk for m in metrics]
    if ids:
        rows = Metric.objects.filter(pk__in=ids).select_related("workspace")
        _replace(metric_documents(rows.prefetch_related("tables")))


def index_apps(apps: Iterable[App]) -> None:
    ids = [a.pk for a in apps]
    if ids:
        _replace(
            app_documents(App.objects.filter(pk__in=ids).select_related("workspace", "notebook"))
        )


def index_objects(objects: Iterable[Model]) -> None:
    """Re-index these assets (a column re-indexes its table)."""
    by_kind: dict[type, list] = {}
    for obj in objects:
        if isinstance(obj, Column):
            by_kind.setdefault(Table, []).append(obj.table)
        else:
            by_kind.setdefault(type(obj), []).append(obj)
    index_tables(by_kind.get(Table, []))
    index_notebooks(by_kind.get(Notebook, []))
    index_metrics(by_kind.get(Metric, []))
    index_apps(by_kind.get(App, []))


def remove_notebook(notebook: Notebook) -> None:
    SearchDocument.objects.filter(
        Q(urn=notebook.urn) | Q(kind="block", object_id=notebook.pk)
    ).delete()


def rebuild_index(batch: int = 500) -> int:
    """Index every asset again from scratch; returns how many documents there are."""
    SearchDocument.objects.all().delete()
    return refresh_index(batch)


def refresh_index(batch: int = 500) -> int:
    """Index every asset again, writing only the documents that changed: how usage
    (views, runs, dependents) moves ranking between ingests. Returns the document count."""
    for model, index in (
        (Notebook, index_notebooks),
        (Table, index_tables),
        (Metric, index_metrics),
        (App, index_apps),
    ):
        ids = list(model.objects.values_list("pk", flat=True))
        for start in range(0, len(ids), batch):
            index([model(pk=pk) for pk in ids[start : start + batch]])
    return SearchDocument.objects.count()
