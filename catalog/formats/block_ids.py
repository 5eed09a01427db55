"""Stable block ids: keep the file's ids, derive the missing ones from content.

A derived id depends only on what the block is (its kind, subtype, variable and
source), never on its position, so an unchanged block keeps its id across versions of
a notebook even when blocks are inserted or removed before it. Identical blocks get a
counter suffix in file order (`3f2a9c01d4e7`, `3f2a9c01d4e7-2`, ...).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

DERIVED_ID_LENGTH = 12


def fingerprint(kind: str, source: str, *, subtype: str = "", variable: str | None = None) -> str:
    """The text a derived block id is computed from.

    Args:
        kind: the block kind (code, sql, markdown, input, other).
        source: the block's source.
        subtype: a finer type when the format has one (a Deepnote block type).
        variable: the variable the block binds, if any.

    Returns:
        A string that changes whenever any of the inputs changes.

    Examples:
        >>> fingerprint("code", "x = 1")
        'code\\x00\\x00\\x00x = 1'
    """
    return "\0".join((kind, subtype, variable or "", source))


def derive_block_id(fingerprint_text: str) -> str:
    """A short, deterministic id for a block from its fingerprint.

    Args:
        fingerprint_text: the result of `fingerprint`.

    Returns:
        The first 12 hex digits of the SHA-1 of the fingerprint.

    Examples:
        >>> derive_block_id(fingerprint("code", "x = 1"))
        '16cb79486191'
    """
    # surrogatepass: JSON may carry lone surrogates ("\\ud800"); they must not crash hashing.
    digest = hashlib.sha1(fingerprint_text.encode("utf-8", "surrogatepass"), usedforsecurity=False)
    return digest.hexdigest()[:DERIVED_ID_LENGTH]


def assign_block_ids(candidates: Sequence[tuple[str | None, str]]) -> list[str]:
    """Pick one unique id per block, in order.

    File ids are kept as they are (a repeated file id gets a `-2`, `-3`... suffix);
    blocks without one get an id derived from their fingerprint that avoids every file id.

    Args:
        candidates: per block, its id from the file (or None) and its fingerprint.

    Returns:
        The ids, unique within the notebook, in block order.

    Examples:
        >>> assign_block_ids([("intro", "a"), (None, "b"), (None, "b"), ("intro", "c")])
        ['intro', 'e9d71f5ee7c9', 'e9d71f5ee7c9-2', 'intro-2']
    """
    ids = [""] * len(candidates)
    picker = _UniquePicker()
    # File ids first, so a derived id can never take an id the file gave another block.
    for position, (file_id, _) in enumerate(candidates):
        if file_id:
            ids[position] = picker.pick(file_id)
    for position, (file_id, text) in enumerate(candidates):
        if not file_id:
            ids[position] = picker.pick(derive_block_id(text))
    return ids


class _UniquePicker:
    """Hands out `base`, `base-2`, `base-3`... without rescanning (no quadratic work)."""

    def __init__(self) -> None:
        self._used: set[str] = set()
        self._next_counter: dict[str, int] = {}

    def pick(self, base: str) -> str:
        candidate = base
        counter = self._next_counter.get(base, 1)
        if counter > 1:
            candidate = f"{base}-{counter}"
        while candidate in self._used:
            counter += 1
            candidate = f"{base}-{counter}"
        self._used.add(candidate)
        self._next_counter[base] = counter + 1
        return candidate
