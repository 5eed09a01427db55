"""Signals the catalog sends so that higher layers (lineage) follow its changes without
the catalog importing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the per-notebook ingest transaction when a notebook's current version
# is stored (new or changed content) or a deleted notebook comes back.
# Arguments: notebook (a Notebook), version (its now-current NotebookVersion); and,
# when the sender holds them, so that receivers need not read them back: blocks (the
# version's blocks, with id, kind and source, in order), analyses (their analysis
# results) and connection (the workspace's resolved warehouse connection).
notebook_version_stored = Signal()

# Sent inside the transaction that marks a notebook deleted from its source.
# Arguments: notebook.
notebook_deleted = Signal()

# Sent by `manage.py load_demo` once the demo workspaces are ingested (the execution layer
# publishes the demo's apps). Arguments: workspaces (the demo's Workspace rows).
demo_loaded = Signal()
