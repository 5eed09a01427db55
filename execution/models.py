"""Runs and their steps (immutable once finished), warm app sessions, schedules."""

from __future__ import annotations

import hashlib
import json
import uuid

from django.conf import settings
from django.db import models

from accounts.models import Workspace
from catalog.models import App, Notebook, NotebookVersion
from urns import AssetKind


class RunImmutable(Exception):
    """Something tried to change a finished run or one of its steps."""


class Trigger(models.TextChoices):
    MANUAL = "manual", "Manual"
    SCHEDULE = "schedule", "Schedule"
    API = "api", "API"
    REACTIVE = "reactive", "Reactive re-run"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)
FINISHED = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class RunQuerySet(models.QuerySet):
    _is_active_only = False

    def active(self, *statuses: str) -> RunQuerySet:
        """The runs in ``statuses`` (default: queued or running), which may be updated
        without the finished-run check: the filter itself leaves finished runs out."""
        found = self.filter(status__in=statuses or ACTIVE)
        found._is_active_only = all(status in ACTIVE for status in statuses or ACTIVE)
        return found

    def _clone(self):
        clone = super()._clone()
        clone._is_active_only = self._is_active_only
        return clone

    def update(self, **kwargs):
        if not self._is_active_only and self.filter(status__in=FINISHED).exists():
            raise RunImmutable("A finished run cannot be changed")
        return super().update(**kwargs)


class Run(models.Model):
    """One execution of an app (or a notebook version): who, with what, and what happened."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    app = models.ForeignKey(
        App, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    notebook = models.ForeignKey(Notebook, on_delete=models.PROTECT, related_name="runs")
    version = models.ForeignKey(NotebookVersion, on_delete=models.PROTECT, related_name="runs")
    # The app's (else the notebook's) URN, kept should the app go.
    target_urn = models.CharField(max_length=1024)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    inputs = models.JSONField(default=dict, blank=True)
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    kernel_id = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    block_timeout_s = models.FloatField()
    run_timeout_s = models.FloatField()
    is_cancel_requested = models.BooleanField(default=False)
    # Reactive re-runs: the blocks kept from the session's earlier runs, and the time
    # their last executions took (what this run saved).
    skipped_blocks = models.JSONField(default=list, blank=True)
    saved_ms = models.FloatField(default=0.0)
    schedule = models.ForeignKey(
        "Schedule", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    # OpenLineage needs a UUID per run.
    lineage_run_id = models.UUIDField(default=uuid.uuid4, editable=False)
    digest = models.CharField(max_length=64, blank=True)

    objects = RunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["app", "-created_at"], name="run_app_recent"),
            models.Index(fields=["actor", "status"], name="run_actor_status"),
        ]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.target_urn} ({self.status})"

    def save(self, *args, **kwargs):
        if self.pk is not None and Run.objects.filter(pk=self.pk, status__in=FINISHED).exists():
            raise RunImmutable(f"Run {self.pk} is finished and cannot be changed")
        super().save(*args, **kwargs)

    @property
    def urn(self) -> str:
        return AssetKind.RUN.urn(self.pk)

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def duration_ms(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds() * 1000

    def compute_digest(self, steps=None) -> str:
        """sha256 over what the run was given and what each block produced.

        Canonical JSON (sorted keys, no spaces) of the run's identity, inputs, status,
        error and, per step in order, the block, its status, execution count and outputs.
        """
        steps = list(self.steps.order_by("position")) if steps is None else steps
        body = {
            "run": self.pk,
            "target": self.target_urn,
            "version": self.version_id,
            "inputs": self.inputs,
            "status": self.status,
            "error": self.error,
            "steps": [[s.block_id, s.status, s.execution_count, s.outputs, s.error] for s in steps],
        }
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


class StepStatus(models.TextChoices):
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    # Kept from an earlier run of the same warm session (a reactive re-run).
    SKIPPED = "skipped", "Skipped"


class RunStepQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.filter(run__status__in=FINISHED).exists():
            raise RunImmutable("The steps of a finished run cannot be changed")
        return super().update(**kwargs)


class RunStep(models.Model):
    """One block of a run: what it printed and returned, in nbformat v4 outputs."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(help_text="order in the run")
    block_id = models.CharField(max_length=160)
    # code | sql | input | parameters | init ...: how the block was turned into code.
    kind = models.CharField(max_length=16)
    status = models.CharField(max_length=16, choices=StepStatus.choices)
    outputs = models.JSONField(default=list, blank=True)
    execution_count = models.IntegerField(null=True, blank=True)
    duration_ms = models.FloatField(default=0.0)
    error = models.TextField(blank=True)
    # For a skipped step: the run whose outputs it keeps.
    reused_from = models.ForeignKey(
        Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RunStepQuerySet.as_manager()

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="one_step_per_position")
        ]

    def __str__(self) -> str:
        return f"step {self.position} ({self.block_id}) of run {self.run_id}"

    def save(self, *args, **kwargs):
        if Run.objects.filter(pk=self.run_id, status__in=FINISHED).exists():
            raise RunImmutable(f"Run {self.run_id} is finished; its steps cannot change")
        super().save(*args, **kwargs)


class ObservedBlock(models.Model):
    """What one block of a run really ran against the warehouse: runtime lineage.

    Recorded in the kernel (``execution.kernel_observer``): the SQL it executed on DuckDB
    and PostgreSQL connections and the tables pandas wrote; ``reads`` and ``writes`` are
    the warehouse tables that gives, named as the catalog names them, notebook-local names
    (DataFrames, registered frames, temporary tables) left out. Written once, before the
    run finishes.
    """

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="observed_blocks")
    position = models.PositiveIntegerField(help_text="the step's order in the run")
    block_id = models.CharField(max_length=160)
    # [{"kind": "sql" | "write", "engine": "duckdb" | "postgres" | ..., "text": ...}, ...]
    statements = models.JSONField(default=list, blank=True)
    reads = models.JSONField(default=list, blank=True)  # ["raw.events", ...]
    writes = models.JSONField(default=list, blank=True)  # [["core.users", "create"], ...]

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="one_observation_per_step")
        ]

    def __str__(self) -> str:
        return f"observed {self.block_id} of run {self.run_id}"

    @property
    def written_tables(self) -> list[str]:
        return [table for table, _ in self.writes]


class AppSession(models.Model):
    """A person's warm kernel for one app, and what its namespace holds.

    Lives in the database so that any worker can attach to the kernel by id.
    ``blocks`` maps a block id to ``[step id, duration_ms]`` of its last execution in
    this kernel; ``inputs`` are the values the kernel's namespace holds.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        NotebookVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    gateway_url = models.CharField(max_length=512, blank=True)
    kernel_id = models.CharField(max_length=64, blank=True)
    inputs = models.JSONField(default=dict, blank=True)
    blocks = models.JSONField(default=dict, blank=True)
    busy_run = models.ForeignKey(
        Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "app"], name="one_session_per_user_app")
        ]

    def __str__(self) -> str:
        return f"session of {self.user_id} on app {self.app_id}"


class Schedule(models.Model):
    """Run an app (or a notebook's current version) on a cron expression, as its owner."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    app = models.ForeignKey(
        App, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    notebook = models.ForeignKey(
        Notebook, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    cron = models.CharField(max_length=120, help_text="minute hour day-of-month month weekday")
    inputs = models.JSONField(default=dict, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(default=True)
    next_run_at = models.DateTimeField(db_index=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["next_run_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(app__isnull=False) | models.Q(notebook__isnull=False),
                name="schedule_has_a_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cron} {self.target_urn}"

    @property
    def target_urn(self) -> str:
        return self.app.urn if self.app_id else self.notebook.urn
