"""Documentation of assets: harvested text, browser edits, and which one a page shows.

Every value a documentation field takes is kept as a `DocRevision`. Harvested text
comes from several sources (`HarvestedDoc`: catalog.yml, notebook markdown, DDL
comments, the warehouse); the strongest one is the field's harvested text. An edit
in the browser wins over harvested text from then on; when the harvested text
changes after an edit, the new text is recorded with ``needs_review`` and the
asset's page shows a banner until an editor edits the field or marks it reviewed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction

from accounts.audit import record_event
from accounts.errors import InvalidInput
from catalog.bulk import insert_rows
from catalog.models import App, Column, DocRevision, DocSource, HarvestedDoc, Metric, Table

# Source kind -> rank: catalog.yml is the team's agreed text; then the notebook's
# own markdown; then comments in DDL; then what the warehouse's catalog says.
RANKS = {"catalog": 40, "markdown": 30, "ddl": 20, "warehouse": 10}
DOC_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Table: ("description", "owner_email", "tags"),
    Metric: ("description", "owner_email", "tags"),
    App: ("description", "owner_email", "tags"),
    Column: ("description",),
}
MAX_DESCRIPTION_CHARS = 20_000
MAX_TAGS = 30


@dataclass(frozen=True)
class Fact:
    """One source's text for one field of one object."""

    obj: models.Model
    field: str
    value: str
    rank: int
    detail: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.obj.urn, self.field)


def as_text(field: str, value) -> str:
    if field == "tags":
        return ", ".join(value or [])
    return value or ""


def from_text(field: str, text: str):
    if field == "tags":
        return parse_tags(text)
    return text


def parse_tags(text: str) -> list[str]:
    """``"pii, finance  kpi"`` -> ``["pii", "finance", "kpi"]``: commas or spaces."""
    words = [w.strip().lower() for w in text.replace(",", " ").split()]
    return list(dict.fromkeys(w for w in words if w))


def _model_label(obj: models.Model) -> str:
    return obj._meta.label_lower


def replace_harvested(*, origin: str, facts: Iterable[Fact]) -> set[tuple[str, str]]:
    """Make what ``origin`` says exactly ``facts`` (the strongest per field), then apply
    the fields whose harvested text changed. Returns the (urn, field) keys applied."""
    return replace_harvested_many({origin: facts})


def replace_harvested_many(facts: Mapping[str, Iterable[Fact]]) -> set[tuple[str, str]]:
    """`replace_harvested` for several origins at once (a batch of notebooks), in a fixed
    number of queries."""
    best: dict[str, dict[tuple[str, str], Fact]] = {}
    for origin, found in facts.items():
        strongest = best.setdefault(origin, {})
        for fact in found:
            if fact.key not in strongest or fact.rank > strongest[fact.key].rank:
                strongest[fact.key] = fact
    existing: dict[tuple[str, str, str], HarvestedDoc] = {
        (d.origin, d.urn, d.field): d for d in HarvestedDoc.objects.filter(origin__in=list(best))
    }
    stale = [d for (origin, *key), d in existing.items() if tuple(key) not in best[origin]]
    if stale:
        HarvestedDoc.objects.filter(pk__in=[d.pk for d in stale]).delete()
    new, changed = [], []
    for origin, strongest in best.items():
        for key, fact in strongest.items():
            row = existing.get((origin, *key))
            if row is None:
                new.append(
                    {
                        "urn": key[0],
                        "field": fact.field,
                        "origin": origin,
                        "rank": fact.rank,
                        "value": fact.value,
                        "detail": fact.detail,
                        "target_model": _model_label(fact.obj),
                        "target_id": fact.obj.pk,
                    }
                )
            elif (row.value, row.rank, row.detail) != (fact.value, fact.rank, fact.detail):
                row.value, row.rank, row.detail = fact.value, fact.rank, fact.detail
                row.target_model, row.target_id = _model_label(fact.obj), fact.obj.pk
                changed.append(row)
    insert_rows(HarvestedDoc, new)
    if changed:
        HarvestedDoc.objects.bulk_update(
            changed, ["value", "rank", "detail", "target_model", "target_id", "updated_at"]
        )
    keys = {(d.urn, d.field) for d in [*stale, *changed]} | {(d["urn"], d["field"]) for d in new}
    targets = {f.key: f.obj for strongest in best.values() for f in strongest.values()}
    for doc in stale:
        if (doc.urn, doc.field) not in targets:
            targets[(doc.urn, doc.field)] = _load(doc.target_model, doc.target_id)
    return apply_harvested({k: targets[k] for k in keys if targets.get(k) is not None})


def _load(label: str, pk: int) -> models.Model | None:
    model = apps.get_model(label)
    return model._default_manager.filter(pk=pk).first()


def apply_harvested(targets: Mapping[tuple[str, str], models.Model]) -> set[tuple[str, str]]:
    """Record each field's current harvested text as a revision when it changed, and
    show it unless an edit wins. A handful of queries for any number of fields."""
    if not targets:
        return set()
    urns = {urn for urn, _ in targets}
    strongest: dict[tuple[str, str], HarvestedDoc] = {}
    for doc in HarvestedDoc.objects.filter(urn__in=urns).order_by("rank", "updated_at", "pk"):
        strongest[(doc.urn, doc.field)] = doc  # the last one wins: highest rank, newest
    last_harvested: dict[tuple[str, str], str] = {}
    edited: set[tuple[str, str]] = set()
    for urn, field, source, value in (
        DocRevision.objects.filter(urn__in=urns)
        .order_by("created_at", "pk")
        .values_list("urn", "field", "source", "value")
    ):
        if source == DocSource.HARVESTED:
            last_harvested[(urn, field)] = value
        else:
            edited.add((urn, field))
    revisions, applied = [], set()
    dirty: dict[tuple[str, int], tuple[models.Model, set[str]]] = {}
    for key, obj in targets.items():
        doc = strongest.get(key)
        value = doc.value if doc else ""
        before = last_harvested.get(key)
        if before == value or (before is None and not value and key not in edited):
            continue
        is_edited = key in edited
        revisions.append(
            DocRevision(
                urn=key[0],
                field=key[1],
                value=value,
                source=DocSource.HARVESTED,
                origin=f"{doc.origin}{doc.detail}" if doc else "",
                needs_review=is_edited,
            )
        )
        applied.add(key)
        if not is_edited:
            setattr(obj, key[1], from_text(key[1], value))
            entry = dirty.setdefault((_model_label(obj), obj.pk), (obj, set()))
            entry[1].add(key[1])
    DocRevision.objects.bulk_create(revisions)
    for obj, fields in dirty.values():
        obj.save(update_fields=sorted(fields))
    return applied


@dataclass(frozen=True)
class PendingReview:
    urn: str
    field: str
    value: str
    origin: str
    created_at: object


def pending_reviews(urns: Iterable[str]) -> list[PendingReview]:
    """Harvested text that changed after an edit and that nobody has looked at yet."""
    rows = DocRevision.objects.filter(urn__in=list(urns), needs_review=True).order_by(
        "urn", "field", "-created_at"
    )
    seen, found = set(), []
    for row in rows:
        if (row.urn, row.field) not in seen:
            seen.add((row.urn, row.field))
            found.append(PendingReview(row.urn, row.field, row.value, row.origin, row.created_at))
    return found


def check_doc_changes(obj: models.Model, changes: Mapping[str, str]) -> dict[str, object]:
    """Validate an edit: field -> text in; field -> value to store out (only changed ones)."""
    allowed = DOC_FIELDS[type(obj)]
    cleaned: dict[str, object] = {}
    for field, text in changes.items():
        if field not in allowed:
            raise InvalidInput(f"'{field}' is not a documentation field.", field=field)
        text = (text or "").replace("\r\n", "\n").strip()
        if field == "description" and len(text) > MAX_DESCRIPTION_CHARS:
            raise InvalidInput(
                f"The description is longer than {MAX_DESCRIPTION_CHARS:,} characters.",
                field=field,
            )
        if field == "owner_email" and text:
            try:
                validate_email(text)
            except ValidationError as exc:
                raise InvalidInput("The owner must be an e-mail address.", field=field) from exc
        value = from_text(field, text)
        if field == "tags" and len(value) > MAX_TAGS:
            raise InvalidInput(f"At most {MAX_TAGS} tags.", field=field)
        if value != getattr(obj, field):
            cleaned[field] = value
    return cleaned


def edit_documentation(
    *,
    actor,
    obj: models.Model,
    changes: Mapping[str, str],
    column_descriptions: Mapping[int, str] | None = None,
) -> list[str]:
    """An editor's change to an asset's documentation (and its columns'), versioned and
    audited in one transaction. Returns the URN#field of every field that changed."""
    cleaned = check_doc_changes(obj, changes)
    columns: dict[int, tuple[Column, dict]] = {}
    if column_descriptions and isinstance(obj, Table):
        by_id = {c.pk: c for c in obj.columns.filter(pk__in=list(column_descriptions))}
        for pk, text in column_descriptions.items():
            if pk not in by_id:
                raise InvalidInput("That column is not in this table.", field="columns")
            cleaned_column = check_doc_changes(by_id[pk], {"description": text})
            if cleaned_column:
                columns[pk] = (by_id[pk], cleaned_column)
    changed: list[str] = []
    with transaction.atomic():
        for target, fields in [(obj, cleaned), *columns.values()]:
            if not fields:
                continue
            for field, value in fields.items():
                DocRevision.objects.create(
                    urn=target.urn,
                    field=field,
                    value=as_text(field, value),
                    source=DocSource.EDIT,
                    author=actor,
                )
                setattr(target, field, value)
                changed.append(f"{target.urn}#{field}")
            DocRevision.objects.filter(
                urn=target.urn, field__in=list(fields), needs_review=True
            ).update(needs_review=False)
            target.save(update_fields=sorted(fields))
        if changed:
            record_event(
                actor=actor,
                action="doc.edited",
                target_urn=obj.urn,
                workspace=obj.workspace,
                details={"fields": changed},
            )
            from catalog.search.index import index_objects

            index_objects([obj])
    return changed


def mark_reviewed(*, actor, obj: models.Model) -> int:
    """An editor has read the changed harvested text and keeps the edited text."""
    urns = [obj.urn]
    if isinstance(obj, Table):
        urns += [c.urn for c in obj.columns.select_related("table")]
    with transaction.atomic():
        count = DocRevision.objects.filter(urn__in=urns, needs_review=True).update(
            needs_review=False
        )
        if count:
            record_event(
                actor=actor,
                action="doc.reviewed",
                target_urn=obj.urn,
                workspace=obj.workspace,
                details={"revisions": count},
            )
    return count


def history(urns: Iterable[str], limit: int = 50) -> list[DocRevision]:
    return list(DocRevision.objects.filter(urn__in=list(urns)).select_related("author")[:limit])
