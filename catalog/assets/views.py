"""Pages of the documented assets: tables, metrics, apps, warehouse connections; their
documentation edit forms; and ``/assets/?urn=`` to reach any asset by its URN."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import can, can_see_details
from accounts.errors import DomainError
from accounts.params import urn_param
from catalog.assets import selectors
from catalog.assets.moves import check_move_table, do_move_table
from catalog.assets.sections import sections_for
from catalog.documentation.from_notebooks import notebook_summary
from catalog.documentation.revisions import (
    as_text,
    edit_documentation,
    mark_reviewed,
    pending_reviews,
)
from catalog.search.usage import record_view


def _page_context(request, asset, kind: str) -> dict:
    record_view(
        request.user,
        urn=asset.urn,
        kind=kind,
        name=getattr(asset, "title", "") or asset.name,
        url=request.path,
        workspace_id=asset.workspace_id,
    )
    return {
        "asset": asset,
        "urn": asset.urn,
        "kind": kind,
        "can_edit": can(request.user, "edit", asset),
        "sections": sections_for(kind),
    }


@require_GET
@login_required
def asset(request: HttpRequest) -> HttpResponse:
    """``/assets/?urn=URN`` -> the asset's page, for search results and lineage nodes."""
    urn = urn_param(request.GET, "urn")
    return HttpResponseRedirect(selectors.url_for_urn(request.user, urn))


@require_GET
@login_required
def table(request: HttpRequest, pk: int) -> HttpResponse:
    t = selectors.get_table(request.user, pk)
    if not can_see_details(request.user, t):
        # Named by a notebook the person may see: the name and those notebooks, no more.
        context = {"table": t, "urn": t.urn, "page": selectors.table_uses_page(request.user, t)}
        return render(request, "catalog/table_named.html", context)
    page = selectors.table_page(request.user, t)
    defining = t.defined_by if t.defined_by and not t.defined_by.is_deleted else None
    context = _page_context(request, t, "table")
    context.update(
        page=page,
        table=t,
        defining=defining,
        can_see_defining=bool(defining) and can(request.user, "view", defining),
        move_targets=selectors.move_targets(request.user, t),
        column_reviews={r.urn for r in page.reviews if r.urn != t.urn},
    )
    return render(request, "catalog/table.html", context)


@require_GET
@login_required
def metric(request: HttpRequest, pk: int) -> HttpResponse:
    m = selectors.get_metric(request.user, pk)
    context = _page_context(request, m, "metric")
    context.update(
        metric=m,
        tables=selectors.metric_tables(request.user, m),
        apps=selectors.apps_showing(request.user, m),
        notebook_visible=bool(m.notebook) and can(request.user, "view", m.notebook),
        reviews=pending_reviews([m.urn]),
    )
    return render(request, "catalog/metric.html", context)


@require_GET
@login_required
def app(request: HttpRequest, pk: int) -> HttpResponse:
    a = selectors.get_app(request.user, pk)
    version = a.published_version or a.notebook.current_version
    blocks = (
        list(version.blocks.filter(kind="markdown").order_by("position")[:1]) if version else []
    )
    context = _page_context(request, a, "app")
    notebook_visible = can(request.user, "view", a.notebook)
    context.update(
        app=a,
        inputs=selectors.app_inputs(a),
        # The notebook's own words only to who may read the notebook (not an app grantee).
        summary=notebook_summary(blocks) if notebook_visible else "",
        notebook_visible=notebook_visible,
        can_run=can(request.user, "run", a),
        reviews=pending_reviews([a.urn]),
        # Where the code is weak is for the people who can fix it, not for every runner.
        sql_warnings=a.sql_warnings if context["can_edit"] else [],
    )
    return render(request, "catalog/app.html", context)


@require_GET
@login_required
def connection(request: HttpRequest, pk: int) -> HttpResponse:
    conn = selectors.get_connection(request.user, pk)
    page = selectors.schema_page(request.user, conn)
    return render(request, "catalog/connection.html", {"page": page, "connection": conn})


def _edit(request: HttpRequest, asset, kind: str, page_url: str) -> HttpResponse:
    """The documentation form of an asset: GET shows it, POST saves it (editors only)."""
    columns = list(asset.columns.order_by("position", "name")) if kind == "table" else []
    error = None
    if request.method == "POST":
        if request.POST.get("action") == "reviewed":
            mark_reviewed(actor=request.user, obj=asset)
            messages.success(request, "Marked as reviewed: the edited text stays.")
            return redirect(page_url)
        changes = {
            "description": request.POST.get("description", ""),
            "owner_email": request.POST.get("owner_email", ""),
            "tags": request.POST.get("tags", ""),
        }
        column_changes = {}
        for column in columns:
            key = f"column-{column.pk}"
            if key in request.POST:
                column_changes[column.pk] = request.POST[key]
        try:
            changed = edit_documentation(
                actor=request.user, obj=asset, changes=changes, column_descriptions=column_changes
            )
        except DomainError as exc:
            error = exc.message
        else:
            if changed:
                messages.success(request, f"Saved {len(changed)} change(s).")
            else:
                messages.info(request, "Nothing changed.")
            return redirect(page_url)
        values = changes
    else:
        values = {f: as_text(f, getattr(asset, f)) for f in ("description", "owner_email", "tags")}
    return render(
        request,
        "catalog/asset_edit.html",
        {
            "asset": asset,
            "kind": kind,
            "values": values,
            "columns": columns,
            "error": error,
            "page_url": page_url,
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def table_edit(request: HttpRequest, pk: int) -> HttpResponse:
    t = selectors.get_table(request.user, pk, action="edit")
    return _edit(request, t, "table", reverse("table", args=[t.pk]))


@require_POST
@login_required
def table_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the table another home workspace: admins of both only."""
    t = selectors.get_table(request.user, pk, action="admin")
    target = check_move_table(actor=request.user, table=t, slug=request.POST.get("workspace"))
    do_move_table(actor=request.user, table=t, workspace=target)
    messages.success(request, f"{t.name} now belongs to {target.name}.")
    return redirect("table", pk=t.pk)


@require_http_methods(["GET", "POST"])
@login_required
def metric_edit(request: HttpRequest, pk: int) -> HttpResponse:
    m = selectors.get_metric(request.user, pk, action="edit")
    return _edit(request, m, "metric", reverse("metric", args=[m.pk]))


@require_http_methods(["GET", "POST"])
@login_required
def app_edit(request: HttpRequest, pk: int) -> HttpResponse:
    a = selectors.get_app(request.user, pk, action="edit")
    return _edit(request, a, "app", reverse("app", args=[a.pk]))
