"""Pure notebook readers: the bytes of a notebook file in, neutral frozen dataclasses out.

One entry point, `read_notebook_file`, dispatches on the file extension:

- `.ipynb`: Jupyter notebooks of every nbformat version, and Deepnote exports of them;
- `.deepnote`: Deepnote's open YAML project files, one `ParsedNotebook` per notebook.

No Django here, and no I/O beyond the bytes handed in. Every problem with a file comes
out as a `FormatError` whose message is meant for the person who uploaded it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import PurePosixPath

from catalog.formats.deepnote import read_deepnote
from catalog.formats.ipynb import read_ipynb
from catalog.formats.model import (
    BLOCK_KINDS,
    BlockKind,
    FormatError,
    FormatName,
    ParsedBlock,
    ParsedNotebook,
)

__all__ = [
    "BLOCK_KINDS",
    "SUPPORTED_EXTENSIONS",
    "BlockKind",
    "FormatError",
    "FormatName",
    "ParsedBlock",
    "ParsedNotebook",
    "content_hash",
    "read_notebook_file",
]

SUPPORTED_EXTENSIONS = (".ipynb", ".deepnote")


def _read_one_ipynb(data: bytes, fallback_title: str) -> tuple[ParsedNotebook, ...]:
    return (read_ipynb(data, fallback_title=fallback_title),)


def _read_deepnote_project(data: bytes, fallback_title: str) -> tuple[ParsedNotebook, ...]:
    return read_deepnote(data, fallback_title=fallback_title)


_READERS: dict[str, Callable[[bytes, str], tuple[ParsedNotebook, ...]]] = {
    ".ipynb": _read_one_ipynb,
    ".deepnote": _read_deepnote_project,
}


def read_notebook_file(data: bytes, filename: str) -> tuple[ParsedNotebook, ...]:
    """Read a notebook file into one or more notebooks.

    Args:
        data: the whole file.
        filename: its name or path (`billing/denormalize.ipynb`); the extension picks the
            reader and the stem is the title of a notebook that has no better one.

    Returns:
        One notebook for `.ipynb`; one per notebook of the project for `.deepnote`.

    Raises:
        FormatError: the file cannot be read as a notebook; the message says why. Nothing
            else is raised for any content of `data`.
        TypeError: `data` is not bytes (a programming error, not a bad file).

    Examples:
        >>> (notebook,) = read_notebook_file(
        ...     b'{"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": []}',
        ...     "analytics/weekly_active_users.ipynb",
        ... )
        >>> notebook.title, notebook.blocks
        ('weekly_active_users', ())
        >>> try:
        ...     read_notebook_file(b"hello", "notes.txt")
        ... except FormatError as error:
        ...     print(error)
        Unsupported file type '.txt': expected .ipynb or .deepnote
    """
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError(f"read_notebook_file() needs bytes, not {type(data).__name__}")
    path = PurePosixPath(filename.replace("\\", "/"))
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        described = f"'{suffix}'" if suffix else "(no extension)"
        raise FormatError(f"Unsupported file type {described}: expected .ipynb or .deepnote")
    fallback_title = path.stem or path.name or "Untitled"
    try:
        return reader(data, fallback_title)
    except FormatError:
        raise
    except RecursionError:
        raise FormatError("The file is nested too deeply to read") from None
    except MemoryError:
        raise FormatError("The file is too large to read") from None
    except Exception as error:
        # A reader bug must not become a server error for whoever uploaded the file; the
        # message names the failure so the bug can still be found and fixed.
        raise FormatError(
            f"The file could not be read ({type(error).__name__}: {str(error)[:200]})"
        ) from error


def content_hash(data: bytes) -> str:
    """The SHA-256 of a file's bytes, in hex: unchanged bytes, unchanged hash.

    Examples:
        >>> content_hash(b"")
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    """
    return hashlib.sha256(data).hexdigest()
