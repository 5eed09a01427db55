"""The catalog object a URN names: the one resolver from URNs to rows.

`urns` parses; this looks the parts up. A table URN's warehouse may hold ``/``, so every
split `urns.table_splits` offers is tried at once.
"""

from __future__ import annotations

from django.db.models import Model, Q

from catalog.models import App, Block, Column, Metric, Notebook, Table, WarehouseConnection
from urns import AssetKind, ParsedUrn, UrnError, parse_urn, table_splits


def _tables(rest: str) -> Q:
    q = Q(pk__in=[])
    for warehouse, name in table_splits(rest):
        q |= Q(warehouse=warehouse, name=name)
    return q


def table_lookup(urn: str) -> Q:
    """A filter for the tables a table URN may name (any split of its warehouse/name)."""
    return _tables(urn.partition(":")[2])


def find_asset(urn: str, *, include_deleted: bool = True) -> Model | None:
    """The catalog row ``urn`` names (a block: the block of its notebook's current
    version), or None when the URN is malformed or names nothing we hold."""
    try:
        parsed = parse_urn(urn)
    except UrnError:
        return None
    return _find(parsed, urn, include_deleted=include_deleted)


def _find(parsed: ParsedUrn, urn: str, *, include_deleted: bool) -> Model | None:
    kind = parsed.kind
    if kind is AssetKind.APP:
        found = App.objects.filter(workspace__slug=parsed.workspace, slug=parsed.name)
        return found.select_related("workspace", "notebook", "published_version").first()
    if kind is AssetKind.METRIC:
        return Metric.objects.filter(workspace__slug=parsed.workspace, name=parsed.name).first()
    if kind is AssetKind.CONNECTION:
        return WarehouseConnection.objects.filter(
            workspace__slug=parsed.workspace, name=parsed.name
        ).first()
    if kind in (AssetKind.NOTEBOOK, AssetKind.BLOCK):
        notebooks = Notebook.objects.select_related("workspace", "current_version").filter(
            workspace__slug=parsed.workspace, path=parsed.path
        )
        if not include_deleted:
            notebooks = notebooks.filter(is_deleted=False)
        notebook = notebooks.first()
        if notebook is None or kind is AssetKind.NOTEBOOK:
            return notebook
        return Block.objects.filter(
            version_id=notebook.current_version_id, block_id=parsed.block
        ).first()
    if kind is AssetKind.TABLE:
        return Table.objects.filter(_tables(urn.partition(":")[2])).first()
    if kind is AssetKind.COLUMN:
        table_part, _, column = urn.partition(":")[2].rpartition(".")
        return (
            Column.objects.filter(table__in=Table.objects.filter(_tables(table_part)), name=column)
            .select_related("table")
            .first()
        )
    return None


def guarding_object(urn: str) -> Model | None:
    """The object whose access decides who may see ``urn``: the asset itself, a block's
    notebook, a column's table; None when the URN names nothing we hold."""
    obj = find_asset(urn)
    if isinstance(obj, Block):
        return (
            Notebook.objects.select_related("workspace")
            .filter(current_version_id=obj.version_id)
            .first()
        )
    if isinstance(obj, Column):
        return obj.table
    return obj
