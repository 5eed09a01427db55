"""Reads of the execution layer: apps and their inputs, runs, schedules; permission-filtered."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from accounts.access import (
    access_object,
    can,
    can_see_run,
    is_signed_in,
    visible,
    visible_runs,
)
from accounts.errors import Conflict, DomainError, NotFound
from accounts.refusals import note_refused
from catalog.formats import ParsedBlock, read_notebook_file
from catalog.models import App, Block, Notebook, NotebookVersion
from execution.forms.inputs import Inputs, read_inputs
from execution.models import Run, Schedule
from execution.program import Cell, build_cells


def _refuse(user, action: str, obj, pk) -> NotFound:
    """Audit a refused run (once per person, target and hour), then give the same 404 as
    for something that does not exist."""
    note_refused(
        user, action=action, event="run.refused", obj=obj, object_id=pk, reason="no run permission"
    )
    return NotFound("No app matches the given query.")


def get_app(user, pk: int, action: str = "view") -> App:
    """The app, authorized for ``action``; a refused ``run`` is a 404 AND an audit event."""
    apps = App.objects.select_related("workspace", "notebook", "published_version")
    if action != "run":
        return access_object(user, action, apps, pk=pk)
    try:
        app = access_object(user, "view", apps, pk=pk)
    except DomainError:
        raise _refuse(
            user, "run", App.objects.filter(pk=pk).select_related("workspace").first(), pk
        ) from None
    if not can(user, "run", app):
        raise _refuse(user, "run", app, pk)
    return app


def get_notebook_to_run(user, notebook: Notebook) -> Notebook:
    if not can(user, "run", notebook):
        raise _refuse(user, "run", notebook, notebook.pk)
    return notebook


def published_version(app: App) -> NotebookVersion:
    if app.published_version_id is None:
        raise Conflict(f"The app '{app.title}' is not published yet; an editor publishes it first.")
    return app.published_version


def version_blocks(version: NotebookVersion) -> list[Block]:
    return list(version.blocks.order_by("position"))


def init_blocks(version: NotebookVersion) -> tuple[ParsedBlock, ...]:
    """The blocks of the init notebook of the ``.deepnote`` project a version comes from
    (Deepnote runs it before any other notebook of the project), else none."""
    if version.format != "deepnote":
        return ()
    from catalog.models import Blob

    data = bytes(Blob.objects.get(pk=version.blob_id).data)
    # Only the extension picks the reader.
    notebooks = read_notebook_file(data, "project.deepnote")
    init = [nb for nb in notebooks if nb.metadata.get("is_init_notebook")]
    return tuple(block for nb in init for block in nb.blocks)


def inputs_of(version: NotebookVersion, blocks: list[Block] | None = None) -> Inputs:
    return read_inputs(blocks if blocks is not None else version_blocks(version))


def app_inputs(app: App) -> Inputs:
    if app.published_version_id is None:
        return Inputs.of(())
    return inputs_of(app.published_version)


def apps_for(user) -> list[tuple[App, Inputs]]:
    """Published apps the user may see, each with its inputs (in three queries)."""
    input_blocks = Block.objects.filter(kind__in=("input", "code")).order_by("position")
    apps = (
        visible(user, App.objects.filter(published_version__isnull=False))
        .select_related("workspace", "published_version")
        .prefetch_related(Prefetch("published_version__blocks", queryset=input_blocks))
        .order_by("workspace__slug", "slug")
    )
    return [(app, read_inputs(app.published_version.blocks.all())) for app in apps]


_programs: dict[tuple, tuple] = {}


def program_of(version: NotebookVersion) -> tuple[list[Block], Inputs, tuple[ParsedBlock, ...]]:
    """A version's blocks, inputs and init blocks. Versions never change, so this is kept
    per content (not per pk: a pk may come back with other content in another database)."""
    key = (version.content_hash, version.blob_id, version.format)
    found = _programs.get(key)
    if found is None:
        blocks = version_blocks(version)
        found = (blocks, inputs_of(version, blocks), init_blocks(version))
        if len(_programs) >= 256:
            _programs.clear()
        _programs[key] = found
    return found


def cells_of_run(run: Run) -> list[Cell]:
    """The program a run executed, rebuilt from its version and inputs."""
    blocks, inputs, init = program_of(run.version)
    return build_cells(blocks, inputs, run.inputs, init_blocks=init)


def get_run(user, pk: int) -> Run:
    """A run, whole (inputs, outputs, steps), for whoever ``accounts.access.can_see_run``
    allows; everyone else gets the 404 of a run that does not exist."""
    run = (
        Run.objects.select_related(
            "workspace", "app", "notebook", "notebook__workspace", "version", "schedule"
        )
        .filter(pk=pk)
        .first()
    )
    if run is None or not can_see_run(user, run):
        raise NotFound("No run matches the given query.")
    return run


@dataclass(frozen=True)
class RunSummary:
    """A run as its app's page lists it: that it happened, and to whom it is more."""

    run: Run
    is_whole: bool  # the viewer may open it (and see who ran it)


def runs_of_app(user, app: App, *, limit: int = 20) -> list[RunSummary]:
    """The app's recent runs: when, status and duration for whoever sees the app; the
    runner and a link only on the runs the viewer may see whole."""
    runs = list(
        Run.objects.filter(app=app)
        .select_related("schedule")
        .order_by("-created_at", "-id")[:limit]
    )
    if not can(user, "view", app):  # who may see the app may know that it ran
        return []
    whole = set(
        visible_runs(user, Run.objects.filter(pk__in=[r.pk for r in runs])).values_list(
            "pk", flat=True
        )
    )
    return [RunSummary(run, run.pk in whole) for run in runs]


def last_finished_run(user, app: App) -> Run | None:
    """The viewer's own newest finished run of the app (others' outputs are theirs)."""
    if not is_signed_in(user):
        return None
    return (
        Run.objects.filter(app=app, actor=user, finished_at__isnull=False)
        .order_by("-finished_at", "-id")
        .prefetch_related("steps")
        .first()
    )


def last_run_of(user, app: App) -> Run | None:
    """The user's own newest run of the app (its inputs prefill the form)."""
    if not is_signed_in(user):
        return None
    return Run.objects.filter(app=app, actor=user).order_by("-created_at", "-id").first()


def runs_touching(user, table, *, limit: int = 10) -> list[Run]:
    """Recent runs of notebooks that read or write ``table``, those the user may see whole."""
    notebooks = Notebook.objects.filter(table_uses__table=table)
    touching = Run.objects.filter(Q(notebook__in=notebooks) | Q(app__notebook__in=notebooks))
    return list(visible_runs(user, touching).order_by("-created_at", "-id")[:limit])


def last_observed_run(user, version: NotebookVersion) -> Run | None:
    """The newest finished run of ``version`` with runtime lineage that ``user`` may see."""
    runs = (
        Run.objects.filter(version=version, finished_at__isnull=False)
        .filter(observed_blocks__isnull=False)
        .select_related("app", "notebook", "version", "workspace")
        .distinct()
        .order_by("-finished_at", "-id")
    )
    for run in runs[:20]:
        if can(user, "view", run.app or run.notebook):
            return run
    return None


def schedules_of(app: App) -> QuerySet[Schedule]:
    return Schedule.objects.filter(app=app).select_related("owner").order_by("next_run_at")


def active_runs_of(user) -> int:
    return Run.objects.filter(actor=user, status__in=("queued", "running")).count()
