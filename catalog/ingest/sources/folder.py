from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from accounts.errors import InvalidInput
from catalog.ingest.sources import NOTEBOOK_EXTENSIONS, SourceFile

SKIPPED_DIRS = {".ipynb_checkpoints", ".git", "__pycache__", "node_modules", ".venv"}


def iter_folder(root: Path) -> Iterator[SourceFile]:
    """Every notebook file below ``root``, in path order, checkpoints and hidden folders skipped."""
    root = Path(root)
    if not root.is_dir():
        raise InvalidInput(f"'{root}' is not a folder.")
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith(".")]
        rel_dir = os.path.relpath(dirpath, root)
        for name in filenames:
            if name.lower().endswith(NOTEBOOK_EXTENSIONS) and not name.startswith("."):
                rel = name if rel_dir == "." else f"{rel_dir}/{name}"
                found.append(rel.replace(os.sep, "/"))
    for rel in sorted(found):
        full = root / rel
        yield SourceFile(path=rel, read=full.read_bytes)
