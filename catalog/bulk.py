"""Many rows of one model in one statement: ``COPY`` on PostgreSQL, ``executemany`` elsewhere.

The ORM's ``bulk_create`` spends most of a large ingest building model instances and
preparing each field; rows here are plain values keyed by field name. The column list
comes from the model's ``_meta`` (every concrete field but the auto primary key), so a
field added to a model is written without anything here changing: a value a row does
not give takes the field's default, ``auto_now`` fields the current time.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection, models
from django.utils import timezone


class JsonText(str):
    """A JSON field's value already serialised (a row's text reused many times)."""


@dataclass(frozen=True)
class _Column:
    name: str  # the row key: the field's attname (``version_id`` for a foreign key)
    column: str
    is_json: bool
    default: Any
    is_now: bool


@cache
def _columns(model: type[models.Model]) -> tuple[_Column, ...]:
    found = []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.AutoField | models.BigAutoField):
            continue
        is_now = bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
        found.append(
            _Column(
                name=field.attname,
                column=field.column,
                is_json=isinstance(field, models.JSONField),
                default=field.get_default if field.has_default() else _none,
                is_now=is_now,
            )
        )
    return tuple(found)


def _none() -> None:
    return None


def insert_rows(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert ``rows`` (field attname -> value) into ``model``'s table; returns how many.

    Runs in the caller's transaction; a row the database refuses fails the whole call.
    """
    if not rows:
        return 0
    columns = _columns(model)
    unknown = set().union(*(row.keys() for row in rows)) - {c.name for c in columns}
    if unknown:
        raise ValueError(f"{model.__name__} has no fields {sorted(unknown)}")
    now = timezone.now()
    values = [tuple(_value(column, row, now) for column in columns) for row in rows]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c.column) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({names}) FROM STDIN"
            start = time.monotonic()
            # Django's own error classes, as its cursor would raise (the copy bypasses it).
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                for row in values:
                    copy.write_row(row)
            if connection.queries_logged:  # bypassed Django's cursor: count it like one
                elapsed = f"{time.monotonic() - start:.3f}"
                connection.queries_log.append(
                    {"sql": f"{sql} -- {len(values)} rows", "time": elapsed}
                )
        else:
            marks = ", ".join("%s" for _ in columns)
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)
    return len(values)


def update_rows(
    model: type[models.Model], fields: Sequence[str], objects: Sequence[models.Model]
) -> int:
    """Write ``fields`` of each of ``objects`` (already set on them) in one ``executemany``
    of ``UPDATE ... WHERE pk = %s``: the ORM's ``bulk_update`` builds one ``CASE`` per
    field and row, which costs more than the rows themselves."""
    if not objects:
        return 0
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    rows = [
        (*(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns), obj.pk)
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


def _value(column: _Column, row: Mapping[str, Any], now) -> Any:
    if column.name in row:
        value = row[column.name]
    elif column.is_now:
        value = now
    else:
        value = column.default()
    if column.is_json and value is not None and not isinstance(value, JsonText):
        return json.dumps(value)
    return value
