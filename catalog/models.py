from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.models import Workspace


class BlockKind(models.TextChoices):
    CODE = "code", "Code"
    SQL = "sql", "SQL"
    MARKDOWN = "markdown", "Markdown"
    INPUT = "input", "Input"
    OTHER = "other", "Other"


class Blob(models.Model):
    """The raw bytes of an ingested file, stored once per content hash."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    data = models.BinaryField()
    size_bytes = models.BigIntegerField()

    def __str__(self) -> str:
        return self.sha256[:12]


class Notebook(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="notebooks")
    path = models.CharField(max_length=1024)
    # The file the notebook comes from: its path, or for one notebook of a
    # multi-notebook .deepnote project, the project file's path.
    file_path = models.CharField(max_length=1024, db_index=True)
    # The hash of that file when last ingested: an unchanged file is skipped unread.
    file_hash = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=500)
    current_version = models.ForeignKey(
        "NotebookVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["workspace__slug", "path"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "path"], name="one_notebook_per_path")
        ]

    def __str__(self) -> str:
        return self.urn

    @property
    def urn(self) -> str:
        return f"notebook:{self.workspace.slug}/{self.path}"


class NotebookVersion(models.Model):
    notebook = models.ForeignKey(Notebook, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # content_hash identifies this notebook's content; file_hash the whole file it
    # came from (they differ for a multi-notebook .deepnote project).
    content_hash = models.CharField(max_length=64)
    file_hash = models.CharField(max_length=64, db_index=True)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    format = models.CharField(max_length=32)
    format_version = models.CharField(max_length=16, blank=True)
    language = models.CharField(max_length=32, blank=True)
    source = models.CharField(max_length=1024, help_text="Where the file came from")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Per-notebook lineage summary from the analysis (tables read/written, column edges).
    reads = models.JSONField(default=list, blank=True)
    writes = models.JSONField(default=list, blank=True)
    column_edges = models.JSONField(default=list, blank=True)
    runs_notebooks = models.JSONField(default=list, blank=True)
    # The block DAG: [from block_id, to block_id, [names]], in notebook order. It is
    # only ever read whole, per version, so it lives with the version.
    edges = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["notebook", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["notebook", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return self.urn

    @property
    def urn(self) -> str:
        return f"{self.notebook.urn}@v{self.number}"


class BlockAnalysis(models.Model):
    """What the analyser found in one block content, stored once and shared by every copy."""

    key = models.CharField(max_length=64, primary_key=True)
    data = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.key[:12]


class Block(models.Model):
    version = models.ForeignKey(NotebookVersion, on_delete=models.CASCADE, related_name="blocks")
    position = models.PositiveIntegerField()
    block_id = models.CharField(max_length=128)
    kind = models.CharField(max_length=16, choices=BlockKind.choices)
    source = models.TextField(blank=True)
    variable = models.CharField(max_length=255, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    outputs = models.JSONField(default=list, blank=True)
    execution_count = models.IntegerField(null=True, blank=True)
    # Keyed by what the analysis depends on, so unchanged blocks reuse it.
    analysis = models.ForeignKey(
        BlockAnalysis, on_delete=models.PROTECT, db_column="analysis_key", related_name="+"
    )

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="one_block_per_position"),
            models.UniqueConstraint(fields=["version", "block_id"], name="unique_block_id"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} block {self.block_id}"

    def urn_for(self, notebook: Notebook) -> str:
        return f"block:{notebook.workspace.slug}/{notebook.path}#{self.block_id}"


class IngestStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class IngestJob(models.Model):
    """One batch ingest: its counts, the files it could not read and why."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="ingest_jobs")
    source = models.CharField(max_length=1024)
    status = models.CharField(
        max_length=16, choices=IngestStatus.choices, default=IngestStatus.RUNNING
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"ingest {self.pk} of {self.workspace_id}"
