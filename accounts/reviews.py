"""Access reviews: snapshot every access, decide keep or revoke, apply the revocations at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts import grants
from accounts.audit import record_event
from accounts.checkpoints import checkpoint_after_commit
from accounts.errors import Conflict, InvalidInput
from accounts.evidence import snapshot_items
from accounts.models import (
    AccessReview,
    Decision,
    ItemKind,
    Membership,
    ReviewItem,
    ReviewStatus,
    TeamMembership,
    Workspace,
)
from accounts.services import holder_urn, remove_member, remove_team_role

NOTE_MAX = 500


def start_review(
    *, actor, workspace: Workspace | None, due_on: date, title: str = ""
) -> AccessReview:
    """Snapshot every membership, team role and grant of ``workspace`` (None: of all)."""
    if due_on < timezone.localdate():
        raise InvalidInput("The due date is in the past.", field="due_on")
    scope = Workspace.objects.filter(pk=workspace.pk) if workspace else Workspace.objects.all()
    default_title = f"Access review of {workspace.slug if workspace else 'all workspaces'}"
    with transaction.atomic():
        review = AccessReview.objects.create(
            workspace=workspace,
            title=(title.strip() or default_title)[:200],
            due_on=due_on,
            created_by=actor,
        )
        items = snapshot_items(scope)
        for item in items:
            item.review = review
        ReviewItem.objects.bulk_create(items, batch_size=500)
        record_event(
            actor=actor,
            action="review.started",
            target_urn=review.urn,
            workspace=workspace,
            details={"items": len(items), "due_on": due_on.isoformat()},
        )
    return review


@dataclass(frozen=True)
class Progress:
    total: int
    kept: int
    revoked: int
    stale: int

    @property
    def decided(self) -> int:
        return self.kept + self.revoked

    @property
    def pending(self) -> int:
        return self.total - self.decided

    @property
    def percent(self) -> int:
        return 100 if not self.total else (100 * self.decided) // self.total


def progress_of(review: AccessReview) -> Progress:
    counts = review.items.aggregate(
        total=Count("pk"),
        kept=Count("pk", filter=Q(decision=Decision.KEEP)),
        revoked=Count("pk", filter=Q(decision=Decision.REVOKE)),
        stale=Count("pk", filter=Q(is_stale=True)),
    )
    return Progress(**counts)


def _require_open(review: AccessReview) -> None:
    if review.status != ReviewStatus.OPEN:
        raise Conflict("This review is completed; its decisions can no longer change.")


def decide(
    *, actor, review: AccessReview, decisions: dict[int, tuple[str, str]]
) -> list[ReviewItem]:
    """Record keep/revoke (or undecided) with a note for items of ``review``.

    ``decisions`` maps item id to (decision, note). Returns the items that changed.
    """
    for decision, note in decisions.values():
        if decision not in Decision.values:
            raise InvalidInput(f"'{decision}' is not keep, revoke or pending.", field="decision")
        if len(note) > NOTE_MAX:
            raise InvalidInput(f"A note is at most {NOTE_MAX} characters.", field="note")
    with transaction.atomic():
        review = AccessReview.objects.select_for_update().get(pk=review.pk)
        _require_open(review)
        items = list(review.items.filter(pk__in=list(decisions)))
        if len(items) != len(decisions):
            raise InvalidInput("Some rows are not part of this review.")
        now = timezone.now()
        changed = []
        for item in items:
            decision, note = decisions[item.pk]
            if (item.decision, item.note) == (decision, note.strip()):
                continue
            item.decision, item.note = decision, note.strip()
            item.decided_by, item.decided_at = actor, now
            changed.append(item)
        if changed:
            ReviewItem.objects.bulk_update(
                changed, ["decision", "note", "decided_by", "decided_at"]
            )
            record_event(
                actor=actor,
                action="review.decided",
                target_urn=review.urn,
                workspace=review.workspace,
                details={"decisions": {str(i.pk): i.decision for i in changed}},
            )
    return changed


def complete_review(*, actor, review: AccessReview) -> Progress:
    """Apply every revocation and close the review, all in one transaction.

    Each revocation is audited by the service that applies it, naming the review.
    A revocation removes the access whatever it became since the snapshot, so a
    revoked access never survives a completed review.
    """
    with transaction.atomic():
        review = AccessReview.objects.select_for_update().get(pk=review.pk)
        _require_open(review)
        progress = progress_of(review)
        if progress.pending:
            raise Conflict(
                f"{progress.pending} of {progress.total} rows are undecided; "
                "decide every row before completing the review."
            )
        revoked = list(
            review.items.filter(decision=Decision.REVOKE).select_related(
                "user", "team", "workspace", "content_type"
            )
        )
        for item in revoked:
            item.outcome = _revoke(actor=actor, item=item, review=review)
        ReviewItem.objects.bulk_update(revoked, ["outcome"])
        review.status = ReviewStatus.COMPLETED
        review.completed_by = actor
        review.completed_at = timezone.now()
        review.save(update_fields=["status", "completed_by", "completed_at"])
        record_event(
            actor=actor,
            action="review.completed",
            target_urn=review.urn,
            workspace=review.workspace,
            details={"kept": progress.kept, "revoked": progress.revoked},
        )
        checkpoint_after_commit()
    return progress


def _revoke(*, actor, item: ReviewItem, review: AccessReview) -> str:
    if item.kind == ItemKind.MEMBERSHIP:
        membership = Membership.objects.filter(user=item.user, workspace=item.workspace).first()
        if membership is None:
            return "already removed"
        remove_member(actor=actor, membership=membership, review_id=review.pk)
        return f"removed {membership.role} membership"
    if item.kind == ItemKind.TEAM_ROLE:
        team_role = TeamMembership.objects.filter(team=item.team, workspace=item.workspace).first()
        if team_role is None:
            return "already removed"
        remove_team_role(actor=actor, team_role=team_role, review_id=review.pk)
        return f"removed team's {team_role.role} role"
    holder: object = item.team if item.kind == ItemKind.TEAM_GRANT else item.user
    removed = grants.remove_grant(holder, (item.content_type, item.object_pk))
    if not removed:
        return "already removed"
    record_event(
        actor=actor,
        action="grant.revoked",
        target_urn=item.target_urn,
        workspace=item.workspace,
        details={"holder": holder_urn(holder), "review": review.pk},
    )
    return "removed grant"
