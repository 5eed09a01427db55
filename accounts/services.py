"""Account and workspace services: every write audited in its own transaction."""

from __future__ import annotations

from django.db import transaction

from accounts.audit import record_event
from accounts.errors import InvalidInput
from accounts.models import Workspace, slug_validator


def validate_slug(slug: str) -> None:
    if not slug_validator.regex.match(slug or ""):
        raise InvalidInput(f"'{slug}' is not a valid workspace slug: {slug_validator.message}")


def ensure_workspace(*, slug: str, name: str | None = None, actor=None) -> Workspace:
    """The workspace with ``slug``, created (and audited) when it does not exist yet."""
    validate_slug(slug)
    existing = Workspace.objects.filter(slug=slug).first()
    if existing:
        return existing
    with transaction.atomic():
        workspace, created = Workspace.objects.get_or_create(
            slug=slug, defaults={"name": name or slug.replace("-", " ").title()}
        )
        if created:
            record_event(
                actor=actor or "system",
                action="workspace.created",
                target_urn=workspace.urn,
                workspace=workspace,
            )
    return workspace
