"""Reads of the catalog, always filtered by what the viewer may see."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from accounts.access import access_object, visible
from accounts.errors import NotFound
from accounts.models import Workspace
from catalog.models import Block, Notebook, NotebookVersion


def workspaces_for(user) -> QuerySet[Workspace]:
    # Ordered explicitly: the aggregate's GROUP BY drops the model's ordering on PostgreSQL,
    # and pages must come in one stable order.
    return (
        visible(user, Workspace.objects.all())
        .annotate(notebook_count=Count("notebooks", filter=Q(notebooks__is_deleted=False)))
        .order_by("slug")
    )


def notebooks_for(
    user, *, workspace: str | None = None, include_deleted: bool = False
) -> QuerySet[Notebook]:
    notebooks = visible(user, Notebook.objects.all()).select_related("workspace", "current_version")
    if workspace:
        notebooks = notebooks.filter(workspace__slug=workspace)
    if not include_deleted:
        notebooks = notebooks.filter(is_deleted=False)
    return notebooks.order_by("workspace__slug", "path")


def shared_notebooks_for(user) -> QuerySet[Notebook]:
    """Notebooks shared with the user one by one, outside the workspaces they belong to."""
    member_of = visible(user, Workspace.objects.all()).values("pk")
    return (
        visible(user, Notebook.objects.filter(is_deleted=False))
        .exclude(workspace__in=member_of)
        .select_related("workspace")
    )


def get_workspace(user, slug: str) -> Workspace:
    return access_object(user, "view", Workspace.objects.all(), slug=slug)


def get_notebook(user, notebook_id: int) -> Notebook:
    return access_object(
        user,
        "view",
        Notebook.objects.select_related("workspace", "current_version"),
        pk=notebook_id,
    )


def get_notebook_to_read(user, notebook_id: int) -> Notebook:
    """`get_notebook` without its current version's analysis (the block DAG, which grows
    with the notebook): for the pages and answers that show a window of its blocks."""
    return access_object(
        user,
        "view",
        Notebook.objects.select_related("workspace", "current_version").defer(
            "current_version__lineage"
        ),
        pk=notebook_id,
    )


def get_version_to_read(notebook: Notebook, number: int | None) -> NotebookVersion:
    """`get_version` without the version's analysis (see `get_notebook_to_read`)."""
    if number is None:
        return get_version(notebook, None)
    version = notebook.versions.defer("lineage").filter(number=number).first()
    if version is None:
        raise NotFound(f"{notebook.path} has no version {number}.")
    return version


def get_version(notebook: Notebook, number: int | None) -> NotebookVersion:
    """A version of a notebook the caller has already authorized."""
    if number is None:
        version = notebook.current_version
    else:
        version = notebook.versions.filter(number=number).first()
    if version is None:
        raise NotFound(f"{notebook.path} has no version {number}.")
    return version


def block_names_of(version: NotebookVersion) -> dict[str, str]:
    """``{block id: name}`` of a version's blocks: what each is, never its id."""
    return {
        b.block_id: b.display_name
        for b in version.blocks.only(
            "block_id", "kind", "variable", "source", "position", "lineage", "version_id"
        )
    }


@dataclass(frozen=True)
class BlockChange:
    status: str  # added | removed | changed | unchanged
    block_id: str
    kind: str
    old: Block | None
    new: Block | None
    diff: str

    @property
    def block(self) -> Block:
        """The block as it is now, or as it was when it was removed."""
        return self.new or self.old


def diff_versions(old: NotebookVersion, new: NotebookVersion) -> list[BlockChange]:
    """Block-by-block changes between two versions, matched by stable block id."""
    old_blocks = {b.block_id: b for b in old.blocks.all()}
    new_blocks = list(new.blocks.all())
    changes: list[BlockChange] = []
    seen = set()
    for block in new_blocks:
        seen.add(block.block_id)
        before = old_blocks.get(block.block_id)
        if before is None:
            changes.append(BlockChange("added", block.block_id, block.kind, None, block, ""))
        elif before.source != block.source or before.kind != block.kind:
            diff = "\n".join(
                difflib.unified_diff(
                    before.source.splitlines(),
                    block.source.splitlines(),
                    f"v{old.number}",
                    f"v{new.number}",
                    lineterm="",
                )
            )
            changes.append(BlockChange("changed", block.block_id, block.kind, before, block, diff))
        else:
            changes.append(BlockChange("unchanged", block.block_id, block.kind, before, block, ""))
    for block_id, block in old_blocks.items():
        if block_id not in seen:
            changes.append(BlockChange("removed", block_id, block.kind, block, None, ""))
    return changes
