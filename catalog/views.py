from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.access import can
from accounts.params import flag_param, int_param, optional_int_param
from catalog import block_pages, selectors
from catalog.search import selectors as search_selectors
from catalog.search.usage import record_view


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Search first: the box, then what you viewed, what your workspaces use most, what
    was shared with you, and documentation that changed lately."""
    user = request.user
    context = {
        "workspaces": selectors.workspaces_for(user),
        "recent": search_selectors.recently_viewed(user),
        "most_used": search_selectors.most_used(user),
        "shared": search_selectors.shared_with(user),
        "docs_changed": search_selectors.docs_changed(user),
    }
    return render(request, "catalog/home.html", context)


@require_GET
@login_required
def workspace(request: HttpRequest, slug: str) -> HttpResponse:
    ws = selectors.get_workspace(request.user, slug)
    show_deleted = flag_param(request.GET, "deleted", "1")
    notebooks = selectors.notebooks_for(
        request.user, workspace=ws.slug, include_deleted=show_deleted
    )
    return render(
        request,
        "catalog/workspace.html",
        {"workspace": ws, "notebooks": notebooks, "show_deleted": show_deleted},
    )


def _page_of_blocks(request: HttpRequest, version) -> block_pages.BlockPage:
    offset = int_param(request.GET, "blocks_offset", default=0, minimum=0, maximum=10**9)
    return block_pages.block_page(
        version,
        offset=offset,
        limit=settings.NOTEBOOK_PAGE_BLOCKS,
        byte_budget=settings.NOTEBOOK_PAGE_BYTES,
    )


@require_GET
@login_required
def notebook(request: HttpRequest, pk: int, number: int | None = None) -> HttpResponse:
    """The notebook's first window of blocks (or the one ``blocks_offset`` asks for); the
    rest load as the reader scrolls (``notebook_blocks``) or through the "more" link."""
    nb = selectors.get_notebook_to_read(request.user, pk)
    version = selectors.get_version_to_read(nb, number)
    reads, writes = block_pages.reads_and_writes(version)
    record_view(
        request.user,
        urn=nb.urn,
        kind="notebook",
        name=nb.title,
        url=reverse("notebook", args=[nb.pk]),
        workspace_id=nb.workspace_id,
    )
    return render(
        request,
        "catalog/notebook.html",
        {
            "notebook": nb,
            "version": version,
            "is_current": version.pk == nb.current_version_id,
            "page": _page_of_blocks(request, version),
            "reads": reads,
            "writes": writes,
            "summary": block_pages.summary_of_version(version),
            "can_edit": can(request.user, "edit", nb),
        },
    )


@require_GET
@login_required
def notebook_blocks(request: HttpRequest, pk: int, number: int | None = None) -> HttpResponse:
    """A fragment of the notebook page: the next window of blocks and the link past it."""
    nb = selectors.get_notebook_to_read(request.user, pk)
    version = selectors.get_version_to_read(nb, number)
    return render(
        request,
        "catalog/_notebook_blocks.html",
        {"notebook": nb, "version": version, "page": _page_of_blocks(request, version)},
    )


@require_GET
@login_required
def versions(request: HttpRequest, pk: int) -> HttpResponse:
    nb = selectors.get_notebook(request.user, pk)
    all_versions = list(nb.versions.select_related("created_by"))
    changes = None
    old = new = None
    a, b = (
        optional_int_param(request.GET, name, minimum=1, what="a version number")
        for name in ("a", "b")
    )
    if a is not None and b is not None:
        old, new = selectors.get_version(nb, a), selectors.get_version(nb, b)
        changes = selectors.diff_versions(old, new)
    elif len(all_versions) >= 2:
        old, new = all_versions[1], all_versions[0]
        changes = selectors.diff_versions(old, new)
    return render(
        request,
        "catalog/versions.html",
        {"notebook": nb, "versions": all_versions, "changes": changes, "old": old, "new": new},
    )
