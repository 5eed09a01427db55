"""Links from the table and column names a page shows to their pages, for one person.

A notebook, run or compare page names tables as its SQL spells them; this resolves each
name the way ingest does (the workspace's warehouse connection) and links it only when
the table is catalogued and the person may see it. Names are resolved once per page.
"""

from __future__ import annotations

from django.urls import reverse

from accounts.access import can
from catalog.models import Table, Workspace
from catalog.urns import find_asset
from catalog.warehouse.tables import TableResolver, connection_for
from urns import AssetKind, kind_of


class AssetLinks:
    """``url(name)`` of a table or column name (or URN) as ``user`` may follow it."""

    def __init__(self, user, workspace: Workspace | None):
        self.user = user
        self.resolve = TableResolver(connection_for(workspace)) if workspace else None
        self._tables: dict[tuple[str, str], Table | None] = {}

    def _table(self, warehouse: str, name: str) -> Table | None:
        key = (warehouse, name)
        if key not in self._tables:
            table = Table.objects.filter(warehouse=warehouse, name=name).first()
            self._tables[key] = table if table and can(self.user, "view", table) else None
        return self._tables[key]

    def table_url(self, name: str) -> str | None:
        if kind_of(name) is AssetKind.TABLE:
            table = find_asset(name)
            return self._url(self._table(table.warehouse, table.name) if table else None)
        if self.resolve is None:
            return None
        return self._url(self._table(*self.resolve(name)))

    def column_url(self, dotted: str) -> str | None:
        if kind_of(dotted) is AssetKind.COLUMN:
            column = find_asset(dotted)
            if column is None:
                return None
            table, name = column.table, column.name
            return self._url(self._table(table.warehouse, table.name), name)
        table_part, _, name = dotted.rpartition(".")
        if not table_part or not name or self.resolve is None:
            return None
        return self._url(self._table(*self.resolve(table_part)), name)

    @staticmethod
    def _url(table: Table | None, column: str = "") -> str | None:
        if table is None:
            return None
        url = reverse("table", args=[table.pk])
        return f"{url}#col-{column}" if column else url
