"""The execution API: apps with their inputs, runs requested and read, runs cancelled."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import can_cancel_run
from accounts.errors import Forbidden, InvalidInput
from accounts.pagination import list_response, page_parameters, paginate
from accounts.schema import errors
from execution import selectors
from execution.models import Run, Trigger
from execution.serializers import AppSerializer, RunRequestSerializer, RunSerializer
from execution.services import cancel_run, request_run


def _run_body(run: Run) -> dict:
    run = Run.objects.select_related("notebook", "version").prefetch_related("steps").get(pk=run.pk)
    return RunSerializer(run).data


@extend_schema(
    parameters=page_parameters(), responses={200: AppSerializer(many=True), **errors(400)}
)
@api_view(["GET"])
def app_list(request: Request) -> Response:
    """The published apps you may see: id, urn, name, workspace, inputs (types, defaults);
    paginated (``limit``, ``offset``, headers)."""
    page = paginate(request, selectors.apps_for(request.user))
    return list_response(page, [AppSerializer.of(app, inputs) for app, inputs in page.items])


@extend_schema(
    request=RunRequestSerializer, responses={201: RunSerializer, **errors(400, 404, 409, 429)}
)
@api_view(["POST"])
def app_runs(request: Request, pk: int) -> Response:
    """Run an app with ``{"inputs": {...}}``. With an eager Celery the run has finished when
    this answers; with workers it is ``queued``: read ``/api/runs/{id}/`` until it finishes."""
    app = selectors.get_app(request.user, pk, action="run")
    if not isinstance(request.data, dict):
        raise InvalidInput('Send a JSON object: {"inputs": {...}}.')
    run = request_run(
        actor=request.user, app=app, inputs=request.data.get("inputs"), trigger=Trigger.API
    )
    return Response(_run_body(run), status=status.HTTP_201_CREATED)


@extend_schema(responses={200: RunSerializer, **errors(404)})
@api_view(["GET"])
def run_detail(request: Request, pk: int) -> Response:
    return Response(_run_body(selectors.get_run(request.user, pk)))


@extend_schema(request=None, responses={200: RunSerializer, **errors(404, 409)})
@api_view(["POST"])
def run_cancel(request: Request, pk: int) -> Response:
    run = selectors.get_run(request.user, pk)
    if not can_cancel_run(request.user, run):
        raise Forbidden("Only the person who started this run, or an editor, may cancel it.")
    return Response(_run_body(cancel_run(actor=request.user, run=run)))
