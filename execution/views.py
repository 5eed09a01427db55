"""Pages: run an app, a run, cancel it, download it as an executed notebook."""

from __future__ import annotations

import nbformat
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import can_cancel_run
from accounts.errors import Forbidden
from accounts.text import printable_text
from catalog.selectors import block_names_of
from execution import selectors
from execution.forms.inputs import RunInputsForm
from execution.models import Trigger
from execution.notebook_file import executed_notebook
from execution.observed import differences as observed_differences
from execution.observed import observed_tables
from execution.services import cancel_run, request_run

LEXERS = {"sql": "sql"}


@require_http_methods(["GET", "POST"])
@login_required
def app_run(request: HttpRequest, pk: int) -> HttpResponse:
    """The app's form (GET); run it with the inputs given (POST) and show the run."""
    app = selectors.get_app(request.user, pk, action="run")
    inputs = selectors.app_inputs(app)
    last = selectors.last_run_of(request.user, app)
    form = RunInputsForm(
        inputs,
        request.POST or None,
        initial_values=last.inputs if last is not None else None,
    )
    if request.method == "POST" and form.is_valid():
        run = request_run(actor=request.user, app=app, inputs=form.values, trigger=Trigger.MANUAL)
        return redirect("run", pk=run.pk)
    context = {"app": app, "form": form, "is_published": app.published_version_id is not None}
    return render(request, "execution/app_run.html", context, status=400 if form.errors else 200)


@require_GET
@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.get_run(request.user, pk)
    cells = {cell.block_id: cell for cell in selectors.cells_of_run(run)}
    steps = list(run.steps.order_by("position"))
    observed = {row.position: row for row in run.observed_blocks.all()}
    differences = {d.block_id: d for d in observed_differences(run, observed.values())}
    names = block_names_of(run.version)
    for step in steps:
        step.name = names.get(step.block_id, step.kind)
        cell = cells.get(step.block_id)
        step.source = cell.source or cell.code if cell is not None else ""
        step.lexer = LEXERS.get(step.kind, "code")
        step.observed = observed.get(step.position)
        step.difference = differences.get(step.block_id)
    context = {
        "run": run,
        "steps": steps,
        "may_cancel": can_cancel_run(request.user, run),
        "observed_tables": observed_tables(run) if observed else None,
    }
    return render(request, "execution/run.html", context)


@require_POST
@login_required
def run_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.get_run(request.user, pk)
    if not can_cancel_run(request.user, run):
        raise Forbidden("Only the person who started this run, or an editor, may cancel it.")
    run = cancel_run(actor=request.user, run=run)
    messages.success(request, f"Run #{run.pk}: cancel requested ({run.status}).")
    return redirect("run", pk=run.pk)


@require_GET
@login_required
def run_download(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.get_run(request.user, pk)
    notebook = executed_notebook(run, selectors.cells_of_run(run))
    response = HttpResponse(
        printable_text(nbformat.writes(notebook)),
        content_type="application/x-ipynb+json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="run-{run.pk}.ipynb"'
    return response
