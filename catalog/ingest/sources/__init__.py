"""Where notebook files come from: a folder, an upload, a Jupyter server."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass

from accounts.errors import InvalidInput

NOTEBOOK_EXTENSIONS = (".ipynb", ".deepnote")
MAX_PATH_LENGTH = 900


@dataclass(frozen=True)
class SourceFile:
    """A notebook file to ingest: its workspace-relative path and how to read its bytes."""

    path: str
    read: Callable[[], bytes]


def normalize_path(raw: str) -> str:
    """A safe workspace-relative POSIX path, or InvalidInput saying what is wrong with it."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("A notebook path is required.", field="path")
    if any(ord(ch) < 32 or ch == "\x7f" for ch in raw):
        raise InvalidInput("A notebook path cannot contain control characters.", field="path")
    path = raw.strip().replace("\\", "/")
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        raise InvalidInput(f"Notebook path '{raw}' must be relative.", field="path")
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if any(part == ".." for part in parts):
        raise InvalidInput(f"Notebook path '{raw}' cannot contain '..'.", field="path")
    if not parts:
        raise InvalidInput("A notebook path is required.", field="path")
    path = posixpath.join(*parts)
    if len(path) > MAX_PATH_LENGTH:
        raise InvalidInput(
            f"Notebook path is {len(path)} characters; the limit is {MAX_PATH_LENGTH}.",
            field="path",
        )
    if not path.lower().endswith(NOTEBOOK_EXTENSIONS):
        raise InvalidInput(
            f"'{posixpath.basename(path)}' is not a notebook: expected a .ipynb or .deepnote file.",
            field="path",
        )
    return path
