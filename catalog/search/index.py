"""Keeping the search index in step with the assets: one `SearchDocument` per asset.

Called inside the transaction that changes an asset (ingest, catalog.yml, an edit,
an introspection), so the index never shows what was rolled back. The full-text
columns are filled by the database itself (see migration 0005).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable

from django.db.models import Count, Model, Prefetch, Q
from django.urls import reverse

from catalog.bulk import insert_rows
from catalog.documentation.from_notebooks import notebook_summary
from catalog.models import App, Column, Metric, Notebook, SearchDocument, Table
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


def _keys(*names: str) -> str:
    found = [n.strip().lower() for n in names if n and n.strip()]
    return "|" + "|".join(dict.fromkeys(found)) + "|" if found else ""


def _tags(tags) -> str:
    return f" {' '.join(t.lower() for t in tags)} " if tags else ""


def _boost(popularity: int) -> float:
    """Much-used assets rank first among equal text matches, by at most 0.3."""
    return min(0.3, 0.1 * math.log1p(popularity))


def _doc_text(obj) -> str:
    return " ".join(filter(None, [obj.description, " ".join(obj.tags or []), obj.owner_email]))


def table_documents(tables: Iterable[Table]) -> list[SearchDocument]:
    docs = []
    for table in tables:
        columns = list(table.columns.all())
        short = table.name.rsplit(".", 1)[-1]
        url = _url("table", table.pk)
        popularity = getattr(table, "use_count", None)
        if popularity is None:
            popularity = table.notebook_uses.count()
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
                keys=_keys(table.name, short, words(short), words(table.name)),
                owner=table.owner_email.lower(),
                tags=_tags(table.tags),
                popularity=popularity,
                boost=_boost(popularity),
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
                    keys=_keys(
                        column.name, f"{short}.{column.name}", f"{table.name}.{column.name}"
                    ),
                    owner=table.owner_email.lower(),
                    tags=_tags(column.tags),
                    popularity=0,
                    boost=0.0,
                )
            )
    return docs


def notebook_document(notebook: Notebook, version, blocks: Iterable) -> SearchDocument:
    """The document of a notebook whose current version is ``version``, with ``blocks``
    (stored blocks or parsed ones: with ``kind`` and ``source``, in order)."""
    texts = [b for b in blocks if b.kind in ("markdown", "sql", "code")]
    body = "\n".join(b.source for b in texts if b.kind == "markdown")
    body += "\n" + "\n".join(b.source for b in texts if b.kind != "markdown")
    names = sorted(set(version.reads) | set(version.writes))
    return SearchDocument(
        urn=notebook.urn,
        kind="notebook",
        object_id=notebook.pk,
        workspace_id=notebook.workspace_id,
        name=notebook.title,
        url=_url("notebook", notebook.pk),
        name_text=f"{notebook.title} {words(notebook.path)}",
        doc_text=notebook_summary(texts),
        columns_text=" ".join(f"{n} {words(n)}" for n in names),
        body=body[:MAX_BODY_CHARS],
        keys=_keys(notebook.title, notebook.path, notebook.path.rsplit("/", 1)[-1]),
        owner="",
        tags="",
        popularity=0,
        boost=0.0,
    )


def notebook_documents(notebooks: Iterable[Notebook]) -> list[SearchDocument]:
    return [
        notebook_document(notebook, notebook.current_version, notebook.current_version.blocks.all())
        for notebook in notebooks
        if notebook.current_version is not None and not notebook.is_deleted
    ]


def metric_documents(metrics: Iterable[Metric]) -> list[SearchDocument]:
    docs = []
    for metric in metrics:
        tables = [t.name for t in metric.tables.all()]
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
                keys=_keys(metric.name, metric.title, words(metric.name)),
                owner=metric.owner_email.lower(),
                tags=_tags(metric.tags),
                popularity=1 + len(tables),
                boost=_boost(1 + len(tables)),
            )
        )
    return docs


def app_documents(apps: Iterable[App]) -> list[SearchDocument]:
    docs = []
    for app in apps:
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
                keys=_keys(app.title, app.slug, words(app.slug)),
                owner=app.owner_email.lower(),
                tags=_tags(app.tags),
                popularity=2,
                boost=_boost(2),
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
    "keys",
    "owner",
    "tags",
    "popularity",
    "boost",
)


def _replace(docs: list[SearchDocument], *, column_tables: Iterable[int] = ()) -> None:
    """Make the index hold ``docs``, and no other column documents of ``column_tables``.

    Documents that did not change are not written (nor re-tokenized by the full-text
    triggers); changed ones are updated in place and new ones inserted, in one upsert.
    """
    wanted = {d.urn: d for d in docs}
    scope = Q(urn__in=list(wanted))
    if column_tables:
        scope |= Q(kind="column", object_id__in=list(column_tables))
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
    insert_rows(SearchDocument, [_row(d) for d in new if d.kind == "notebook"])
    changed += [d for d in new if d.kind != "notebook"]
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
    gone = [n.urn for n in rows if n.is_deleted or n.current_version is None]
    SearchDocument.objects.filter(urn__in=gone).delete()
    _replace(notebook_documents(rows))


def index_notebooks_stored(
    notebooks: Iterable[tuple[Notebook, object, Iterable]], table_ids: Iterable[int] = ()
) -> None:
    """Index a batch of notebooks whose current versions were just stored, each given as
    (notebook, version, blocks) (ingest holds them: they are not read back), together with
    the tables they use, each table once for the whole batch."""
    ids = sorted(set(table_ids))
    docs = table_documents(_table_rows(ids)) if ids else []
    docs += [
        notebook_document(notebook, version, blocks) for notebook, version, blocks in notebooks
    ]
    _replace(docs, column_tables=ids)


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
    SearchDocument.objects.filter(urn=notebook.urn).delete()


def rebuild_index(batch: int = 500) -> int:
    """Index every asset again from scratch; returns how many documents there are."""
    SearchDocument.objects.all().delete()
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
