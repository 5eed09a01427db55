"""Signals the catalog sends so that higher layers (lineage) follow its changes without
the catalog importing them."""

from __future__ import annotations

from dataclasses import dataclass

from django.dispatch import Signal

from catalog.models import Notebook, NotebookVersion
from lineage.analysis import NotebookLineage


@dataclass(frozen=True)
class StoredVersion:
    """A notebook whose current version was just stored (or came back), with its analysis."""

    notebook: Notebook
    version: NotebookVersion
    lineage: NotebookLineage


# Sent once per batch, inside the transaction that stores the batch's notebook versions
# (new or changed content, or deleted notebooks that came back). Arguments: stored (a
# sequence of `StoredVersion`, all of one workspace) and resolver (the `TableResolver` of
# that workspace's connection, which the catalog resolved the batch's tables with).
notebook_version_stored = Signal()

# Sent inside the transaction that marks a notebook deleted from its source.
# Arguments: notebook.
notebook_deleted = Signal()
