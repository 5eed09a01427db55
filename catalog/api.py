from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, parser_classes
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import access_object
from accounts.errors import InvalidInput
from accounts.models import Workspace
from catalog import selectors
from catalog.block_pages import block_page, window_param
from catalog.ingest.pipeline import ingest_upload
from catalog.ingest.sources import normalize_path
from catalog.models import IngestJob, Notebook
from catalog.serializers import (
    IngestJobSerializer,
    IngestReportSerializer,
    NotebookDetailSerializer,
    NotebookSerializer,
    UploadSerializer,
    WorkspaceSerializer,
)


@extend_schema(responses=WorkspaceSerializer(many=True))
@api_view(["GET"])
def workspace_list(request: Request) -> Response:
    workspaces = selectors.workspaces_for(request.user)
    return Response(WorkspaceSerializer(workspaces, many=True).data)


@extend_schema(request={"multipart/form-data": UploadSerializer}, responses=IngestReportSerializer)
@api_view(["POST"])
@parser_classes([MultiPartParser, FormParser])
def notebook_upload(request: Request, slug: str) -> Response:
    workspace = access_object(request.user, "edit", Workspace.objects.all(), slug=slug)
    form = UploadSerializer(data=request.data)
    if not form.is_valid():
        raise InvalidInput("Send the notebook as a multipart field named 'file'.", field="file")
    upload = form.validated_data["file"]
    if upload.size > settings.MAX_NOTEBOOK_BYTES:
        raise InvalidInput("The file is larger than the upload limit.", field="file")
    target = normalize_path(form.validated_data.get("path") or upload.name or "")
    report = ingest_upload(
        actor=request.user,
        workspace=workspace,
        filename=upload.name or "",
        data=upload.read(),
        path=target,
    )
    if report.failed and not report.notebooks:
        return Response(
            {"error": report.errors[0]["error"], **report.as_json()},
            status=status.HTTP_400_BAD_REQUEST,
        )
    notebooks = Notebook.objects.filter(workspace=workspace, file_path=target).select_related(
        "workspace", "current_version"
    )
    body = {**report.as_json(), "notebooks": NotebookSerializer(notebooks, many=True).data}
    created = report.new or report.changed
    return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema(
    parameters=[OpenApiParameter("workspace", str, description="workspace slug")],
    responses=NotebookSerializer(many=True),
)
@api_view(["GET"])
def notebook_list(request: Request) -> Response:
    notebooks = selectors.notebooks_for(
        request.user,
        workspace=request.query_params.get("workspace") or None,
        include_deleted=request.query_params.get("deleted") == "1",
    )
    return Response(NotebookSerializer(notebooks, many=True).data)


@extend_schema(responses=IngestJobSerializer)
@api_view(["GET"])
def ingest_job(request: Request, pk: int) -> Response:
    """A batch ingest's progress: files done of total across its chunks, counts, errors."""
    job = access_object(
        request.user,
        "edit",
        IngestJob.objects.select_related("workspace").prefetch_related("chunks"),
        pk=pk,
    )
    return Response(IngestJobSerializer(job).data)


@extend_schema(
    parameters=[
        OpenApiParameter("blocks_offset", int, description="the first block's position (0)"),
        OpenApiParameter("blocks_limit", int, description="how many blocks (500, at most 2000)"),
    ],
    responses=NotebookDetailSerializer,
)
@api_view(["GET"])
def notebook_detail(request: Request, pk: int) -> Response:
    """A notebook and one window of its blocks: follow ``blocks_next`` for the rest."""
    notebook = selectors.get_notebook(request.user, pk)
    offset = window_param(
        request.query_params, "blocks_offset", default=0, minimum=0, maximum=10**9
    )
    limit = window_param(
        request.query_params,
        "blocks_limit",
        default=settings.NOTEBOOK_API_BLOCKS,
        minimum=1,
        maximum=settings.NOTEBOOK_API_MAX_BLOCKS,
    )
    page = None
    if notebook.current_version is not None:
        page = block_page(notebook.current_version, offset=offset, limit=limit)
    context = {"request": request, "page": page, "offset": offset, "limit": limit}
    return Response(NotebookDetailSerializer(notebook, context=context).data)
