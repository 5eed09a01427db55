"""Access review pages: start, work through with the keyboard, complete, export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import reviews as review_services
from accounts import selectors
from accounts.access import is_instance_admin
from accounts.errors import DomainError, Forbidden
from accounts.evidence import STALE_AFTER
from accounts.forms import ReviewForm, first_error
from accounts.models import Decision
from accounts.params import enum_param, int_value
from accounts.views.common import attempt, csv_response, wants_json


def _start(request: HttpRequest, workspace) -> HttpResponse | None:
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return None
    created = []
    attempt(
        request,
        lambda: created.append(
            review_services.start_review(
                actor=request.user, workspace=workspace, **form.cleaned_data
            )
        ),
        "Review started: every membership, team role and grant is listed below.",
    )
    return redirect("review", pk=created[0].pk) if created else None


@require_http_methods(["GET", "POST"])
@login_required
def workspace_reviews(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = selectors.admin_workspace(request.user, slug)
    if request.method == "POST":
        return _start(request, workspace) or redirect("workspace-reviews", slug=workspace.slug)
    return render(
        request,
        "accounts/reviews.html",
        {
            "workspace": workspace,
            "reviews": selectors.reviews_for(request.user, workspace),
            "form": ReviewForm(),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def all_reviews(request: HttpRequest) -> HttpResponse:
    if not selectors.admin_workspaces(request.user).exists():
        raise Forbidden("Access reviews are for workspace admins.")
    if request.method == "POST":
        if not is_instance_admin(request.user):
            raise Forbidden("Only staff may review every workspace at once.")
        return _start(request, None) or redirect("reviews")
    return render(
        request,
        "accounts/reviews.html",
        {
            "workspace": None,
            "reviews": selectors.reviews_for(request.user),
            "form": ReviewForm() if is_instance_admin(request.user) else None,
            "today": timezone.localdate(),
        },
    )


@require_GET
@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.review(request.user, pk)
    show = enum_param(request.GET, "show", selectors.REVIEW_FILTERS, default="all")
    return render(
        request,
        "accounts/review.html",
        {
            "review": found,
            "items": selectors.review_items(found, show),
            "progress": review_services.progress_of(found),
            "show": show,
            "filters": selectors.REVIEW_FILTERS,
            "stale_days": STALE_AFTER.days,
        },
    )


def _decisions_from(post) -> dict[int, tuple[str, str]]:
    decisions = {}
    for raw in post.getlist("items"):
        pk = int_value(raw, "items", minimum=1, message="A row id is not a number.")
        decisions[pk] = (
            post.get(f"decision-{pk}", Decision.PENDING),
            post.get(f"note-{pk}", ""),
        )
    return decisions


@require_POST
@login_required
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.review(request.user, pk)
    if wants_json(request):
        # The keyboard page saves each decision as it is made.
        try:
            changed = review_services.decide(
                actor=request.user, review=found, decisions=_decisions_from(request.POST)
            )
        except DomainError as exc:
            return JsonResponse({"error": exc.message}, status=exc.status_code)
        progress = review_services.progress_of(found)
        return JsonResponse(
            {
                "changed": {str(item.pk): item.decision for item in changed},
                "progress": {
                    "total": progress.total,
                    "decided": progress.decided,
                    "kept": progress.kept,
                    "revoked": progress.revoked,
                    "percent": progress.percent,
                },
            }
        )
    attempt(
        request,
        lambda: review_services.decide(
            actor=request.user, review=found, decisions=_decisions_from(request.POST)
        ),
        "Decisions saved.",
    )
    show = request.POST.get("show", "all")
    suffix = f"?show={show}" if show in selectors.REVIEW_FILTERS and show != "all" else ""
    return redirect(reverse("review", args=[found.pk]) + suffix)


@require_POST
@login_required
def review_complete(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.review(request.user, pk)
    attempt(
        request,
        lambda: review_services.complete_review(actor=request.user, review=found),
        "Review completed: every revocation is applied and in the audit log.",
    )
    return redirect("review", pk=found.pk)


@require_GET
@login_required
def review_export(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.review(request.user, pk)
    header = [
        "row",
        "workspace",
        "kind",
        "subject",
        "access",
        "target",
        "granted_at",
        "last_view_at",
        "last_run_at",
        "last_edit_at",
        "unused_90_days",
        "decision",
        "note",
        "decided_by",
        "decided_at",
        "outcome",
    ]
    rows = (
        [
            item.pk,
            item.workspace.slug,
            item.kind,
            item.subject,
            item.access,
            item.target_urn,
            item.granted_at,
            item.last_view_at,
            item.last_run_at,
            item.last_edit_at,
            "yes" if item.is_stale else "no",
            item.decision,
            item.note,
            item.decided_by.get_username() if item.decided_by else "",
            item.decided_at,
            item.outcome,
        ]
        for item in selectors.review_items(found).iterator(chunk_size=500)
    )
    return csv_response(f"access-review-{found.pk}.csv", header, rows)
