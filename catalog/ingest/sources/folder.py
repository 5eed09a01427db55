from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from accounts.errors import InvalidInput
from catalog.ingest.sources import NOTEBOOK_EXTENSIONS, SourceFile

SKIPPED_DIRS = {".ipynb_checkpoints", ".git", "__pycache__", "node_modules", ".venv"}


def iter_folder(root: Path) -> Iterator[SourceFile]:
    """Every notebook file below ``root``, in path order, checkpoints and hidden folders skipped.

    Symbolic links are followed only inside ``root``: a notebook name that links out of it
    (``secrets.ipynb -> /srv/tributary/var/secret_key``) is listed, so the report says
    so, but reading it fails without opening the target. Linked folders are not entered.
    """
    root = Path(root)
    if not root.is_dir():
        raise InvalidInput(f"'{root}' is not a folder.")
    real_root = root.resolve()
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith(".")]
        rel_dir = os.path.relpath(dirpath, root)
        for name in filenames:
            if name.lower().endswith(NOTEBOOK_EXTENSIONS) and not name.startswith("."):
                rel = name if rel_dir == "." else f"{rel_dir}/{name}"
                found.append(rel.replace(os.sep, "/"))
    for rel in sorted(found):
        yield SourceFile(path=rel, read=_reader(real_root, root / rel, rel))


def is_inside(real_root: Path, path: Path) -> bool:
    """Does ``path``, every link in it followed, stay inside the (resolved) ``real_root``?"""
    return path.resolve().is_relative_to(real_root)


def _reader(real_root: Path, path: Path, rel: str) -> Callable[[], bytes]:
    def read() -> bytes:
        # Checked when read, not when listed: a link may be swapped in between.
        if not is_inside(real_root, path):
            raise InvalidInput(
                f"'{rel}' is a symbolic link to a file outside the folder; it was not read."
            )
        return path.read_bytes()

    return read
