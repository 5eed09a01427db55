"""The audit log page for admins, with filters and a CSV export."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from accounts import selectors
from accounts.audit import record_event
from accounts.views.common import csv_response

PAGE_SIZE = 100
CSV_HEADER = [
    "id",
    "created_at",
    "actor",
    "action",
    "target",
    "workspace",
    "client_ip",
    "details",
    "prev_hash",
    "hash",
]


@require_GET
@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    filters = selectors.parse_audit_filters(request.GET)
    events = selectors.audit_events_for(request.user, filters)
    page = Paginator(events, PAGE_SIZE, allow_empty_first_page=True).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/audit.html",
        {
            "page": page,
            "filters": filters,
            "query": urlencode(filters.as_query()),
            "workspaces": selectors.admin_workspaces(request.user).only("slug", "name"),
        },
    )


@require_GET
@login_required
def audit_export(request: HttpRequest) -> HttpResponse:
    filters = selectors.parse_audit_filters(request.GET)
    events = selectors.audit_events_for(request.user, filters)
    # Reading the whole log out is itself worth a line in it.
    workspace = (
        selectors.admin_workspaces(request.user).filter(slug=filters.workspace).first()
        if filters.workspace
        else None
    )
    with transaction.atomic():
        record_event(
            actor=request.user,
            action="audit.exported",
            workspace=workspace,
            details=filters.as_query(),
        )
    rows = (
        [
            e.pk,
            e.created_at.isoformat(),
            e.actor_name,
            e.action,
            e.target_urn,
            e.workspace.slug if e.workspace else "",
            e.client_ip or "",
            json.dumps(e.details, sort_keys=True),
            e.prev_hash,
            e.hash,
        ]
        for e in events.iterator(chunk_size=2000)
    )
    return csv_response("audit-log.csv", CSV_HEADER, rows)
