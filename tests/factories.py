"""Factories for test data: notebooks as bytes, users, workspaces, memberships."""

from __future__ import annotations

import itertools
import json

import nbformat
from django.contrib.auth import get_user_model

from accounts.models import Membership, TeamMembership, Workspace

_counter = itertools.count(1)


def make_user(username: str | None = None, **extra):
    username = username or f"user{next(_counter)}"
    return get_user_model().objects.create_user(
        username=username, password="correct horse battery staple", **extra
    )


def make_workspace(slug: str | None = None, **extra) -> Workspace:
    slug = slug or f"ws-{next(_counter)}"
    return Workspace.objects.create(slug=slug, name=extra.pop("name", slug.title()), **extra)


def add_member(user, workspace: Workspace, role: str) -> Membership:
    return Membership.objects.create(user=user, workspace=workspace, role=role)


def make_team(name: str, *, workspace: Workspace | None = None, role: str | None = None):
    from django.contrib.auth.models import Group

    team = Group.objects.create(name=name)
    if workspace is not None:
        TeamMembership.objects.create(team=team, workspace=workspace, role=role or "viewer")
    return team


def put_notebook(workspace: Workspace, path: str, source: str = "x = 1"):
    """A notebook with one code block, ingested into ``workspace`` the real way."""
    from catalog.ingest.pipeline import ingest_upload
    from catalog.models import Notebook

    ingest_upload(
        actor=None,
        workspace=workspace,
        filename=path,
        data=ipynb_bytes(("code", source)),
        path=path,
    )
    return Notebook.objects.select_related("workspace").get(workspace=workspace, path=path)


def ipynb_bytes(*cells: tuple[str, str], cell_ids: bool = True, outputs=None) -> bytes:
    """A v4 notebook from ``(kind, source)`` pairs; kind is code, markdown or raw."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Py"}
    for index, (kind, source) in enumerate(cells):
        if kind == "code":
            cell = nbformat.v4.new_code_cell(source)
            if outputs and index in outputs:
                cell.outputs = outputs[index]
        elif kind == "markdown":
            cell = nbformat.v4.new_markdown_cell(source)
        else:
            cell = nbformat.v4.new_raw_cell(source)
        if cell_ids:
            cell["id"] = f"cell-{index}"
        else:
            cell.pop("id", None)
        nb.cells.append(cell)
    if not cell_ids:
        nb.nbformat_minor = 4
    return json.dumps(nb).encode()


def write_notebook(folder, rel_path: str, data: bytes):
    path = folder / rel_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
