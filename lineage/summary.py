"""One asset of the lineage graph as the explorer's side panel shows it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from accounts.access import can_see_details
from catalog.models import Column, Table
from lineage import selectors
from lineage.drawing import label_of
from lineage.labels import block_names
from urns import kind_of


@dataclass(frozen=True)
class AssetSummary:
    urn: str
    kind: str
    name: str
    label: str
    workspace: str | None
    title: str
    owner: str
    description: str
    tags: tuple[str, ...]
    url: str
    lineage_url: str


def asset_summary(user, urn: str) -> AssetSummary:
    """Kind, workspace, owner and description of ``urn``; NotFound when hidden or unknown."""
    node = selectors.describe_urn(user, urn)
    found = selectors.find_asset(urn)
    title = owner = description = ""
    tags: list[str] = []
    kind = kind_of(urn)
    if found is not None and not can_see_details(user, found):
        found = None  # named through a notebook: the name, and nothing of its home's docs
    if kind == "column" and isinstance(found, Table):
        column = Column.objects.filter(table=found, name=urn.rpartition(".")[2]).first()
        owner = found.owner_email
        description = column.description if column else ""
        tags = list(column.tags) if column else []
    elif found is not None and kind != "block":
        title = getattr(found, "title", "") or ""
        owner = getattr(found, "owner_email", "") or ""
        description = getattr(found, "description", "") or ""
        tags = list(getattr(found, "tags", None) or [])
    elif found is not None:
        title = found.title  # a block: its notebook
    label = block_names([urn]).get(urn) if kind == "block" else None
    return AssetSummary(
        urn=urn,
        kind=kind,
        name=node.name or urn,
        label=label or label_of(node),
        workspace=node.workspace,
        title=title,
        owner=owner,
        description=description,
        tags=tuple(str(t) for t in tags),
        url=f"{reverse('asset')}?{urlencode({'urn': urn})}",
        lineage_url=f"{reverse('lineage')}?{urlencode({'urn': urn})}",
    )
