"""Ingesting a workspace folder whole: its catalog.yml around its notebooks."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from accounts.checkpoints import checkpoint_after_commit
from accounts.errors import InvalidInput
from accounts.models import Workspace
from catalog.ingest.catalog_file import CatalogFileError
from catalog.ingest.declared import apply_catalog_file, ensure_connection, read_catalog_file
from catalog.ingest.pipeline import IngestReport, Progress, ingest_files
from catalog.ingest.sources.folder import iter_folder


def ingest_folder(
    *,
    actor,
    workspace: Workspace,
    root: Path,
    source: str,
    env: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> tuple[IngestReport, dict[str, int] | None]:
    """The folder's catalog.yml warehouse first (so that notebooks resolve their tables
    against it), then its notebooks, then the tables, metrics and apps it declares.

    A catalog.yml that cannot be read refuses the whole folder before anything changes.
    """
    root = Path(root)
    files = list(iter_folder(root))
    try:
        catalog = read_catalog_file(
            root, env=os.environ if env is None else env, base_dir=Path.cwd()
        )
    except CatalogFileError as exc:
        raise InvalidInput(str(exc)) from exc
    if catalog is not None and catalog.warehouse is not None:
        ensure_connection(actor=actor, workspace=workspace, spec=catalog.warehouse)
    report = ingest_files(
        actor=actor,
        workspace=workspace,
        files=files,
        source=source,
        complete=True,
        total=len(files),
        progress=progress,
    )
    counts = None
    if catalog is not None:
        counts = apply_catalog_file(actor=actor, workspace=workspace, catalog=catalog)
        checkpoint_after_commit()  # the catalog's own events, after the notebooks' checkpoint
    return report, counts
