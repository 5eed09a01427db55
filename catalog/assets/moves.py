"""Moving a table to another home workspace: the one explicit way a table changes hands.

Ingest never moves a table that a workspace declared or first defined (see
`catalog.ingest.harvest`); an admin of both workspaces may, and both logs say so.
"""

from __future__ import annotations

from django.db import transaction

from accounts.access import can
from accounts.audit import record_event
from accounts.errors import InvalidInput
from accounts.models import Workspace
from catalog.models import Table
from catalog.search.index import index_tables

NO_SUCH_WORKSPACE = "Name a workspace you administer, other than the table's own, by its slug."


def check_move_table(*, actor, table: Table, slug) -> Workspace:
    """The workspace ``slug`` names, if ``actor`` may move ``table`` there.

    The caller has authorized ``admin`` on the table (its home). A workspace that does
    not exist and one the actor does not administer get the same answer.
    """
    if not isinstance(slug, str) or not slug.strip():
        raise InvalidInput("Give the workspace to move the table to.", field="workspace")
    target = Workspace.objects.filter(slug=slug.strip()[:100]).first()
    if target is None or target.pk == table.workspace_id or not can(actor, "admin", target):
        raise InvalidInput(NO_SUCH_WORKSPACE, field="workspace")
    return target


def do_move_table(*, actor, table: Table, workspace: Workspace) -> Table:
    """Make ``workspace`` the table's home, for good, audited in both workspaces' logs."""
    source = table.workspace
    with transaction.atomic():
        Table.objects.filter(pk=table.pk).update(workspace=workspace, home_is_settled=True)
        table.workspace, table.home_is_settled = workspace, True
        for log in (source, workspace):
            record_event(
                actor=actor,
                action="table.moved",
                target_urn=table.urn,
                workspace=log,
                details={"from": source.slug, "to": workspace.slug},
            )
        index_tables([table])
    return table
