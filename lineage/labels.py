"""What to call lineage nodes on a page: blocks by what they are, never by their ids."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from catalog.models import Block, Notebook
from urns import AssetKind, kind_of, parse_urn


def block_names(urns: Iterable[str]) -> dict[str, str]:
    """``{block URN: name}`` for the blocks of current notebook versions, in two queries.

    Only URNs the caller already shows (visible ones) should be passed: the names come
    from the blocks' sources.
    """
    wanted: dict[tuple[str, str], dict[str, str]] = {}
    for urn in urns:
        if kind_of(urn) is not AssetKind.BLOCK:
            continue
        parsed = parse_urn(urn)
        wanted.setdefault((parsed.workspace, parsed.path), {})[parsed.block] = urn
    if not wanted:
        return {}
    notebooks = Q(pk__in=[])
    for slug, path in wanted:
        notebooks |= Q(workspace__slug=slug, path=path)
    versions = {
        version_id: (slug, path)
        for version_id, slug, path in Notebook.objects.filter(notebooks)
        .exclude(current_version=None)
        .values_list("current_version_id", "workspace__slug", "path")
    }
    block_ids = {b for ids in wanted.values() for b in ids}
    names: dict[str, str] = {}
    blocks = Block.objects.filter(version_id__in=versions, block_id__in=block_ids)
    for block in blocks.only(
        "version_id", "block_id", "kind", "variable", "source", "position", "lineage"
    ):
        urn = wanted[versions[block.version_id]].get(block.block_id)
        if urn is not None:
            names[urn] = block.display_name
    return names
