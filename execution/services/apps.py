"""Publishing an app: which notebook version people run, and with which inputs."""

from __future__ import annotations

from django.db import transaction

from accounts.audit import record_event
from accounts.errors import InvalidInput
from accounts.models import AuditEvent
from catalog.models import App, NotebookVersion
from execution.selectors import inputs_of, version_blocks
from lineage.analysis.input_formatting import find_formatted_inputs, find_pasted_inputs


def publish_app(*, actor, app: App, version: NotebookVersion | None = None) -> App:
    """Make ``version`` (default: the notebook's current one) the version the app runs.

    Audited as ``app.published`` with the inputs people will be asked for, and with the
    places where the version's Python formats an input into SQL text (``sql_warnings``,
    kept on the app for its editors). Publishing the version already published records
    nothing.
    """
    version = version or app.notebook.current_version
    if version is None:
        raise InvalidInput(f"The notebook of '{app.title}' has no version to publish.")
    if version.notebook_id != app.notebook_id:
        raise InvalidInput("A version of another notebook cannot be published as this app.")
    blocks = version_blocks(version)
    inputs = inputs_of(version, blocks)
    names = [spec.name for spec in inputs.specs]
    findings = find_formatted_inputs(
        ((b.block_id, b.source) for b in blocks if b.kind == "code"), names
    ) + find_pasted_inputs(
        ((b.block_id, b.kind, b.source) for b in blocks if b.kind in ("code", "sql")), names
    )
    warnings = [finding.as_json() for finding in findings]
    with transaction.atomic():
        locked = App.objects.select_for_update().get(pk=app.pk)
        already = locked.published_version_id == version.pk
        if not already or locked.sql_warnings != warnings:
            locked.published_version = version
            locked.sql_warnings = warnings
            locked.save(update_fields=["published_version", "sql_warnings"])

        has_event = AuditEvent.objects.filter(
            action="app.published", target_urn=app.urn, details__version=version.number
        ).exists()
        if not (already and has_event):
            record_event(
                actor=actor or "system",
                action="app.published",
                target_urn=app.urn,
                workspace=app.workspace,
                details={
                    "version": version.number,
                    "notebook": app.notebook.urn,
                    "inputs": [spec.as_json() for spec in inputs.specs],
                    "sql_warnings": warnings,
                },
            )
    app.published_version = version
    app.sql_warnings = warnings
    return app
