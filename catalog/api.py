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
from accounts.pagination import list_response, page_parameters, paginate
from accounts.params import flag_param, int_param
from accounts.schema import errors
from catalog import selectors
from catalog.assets.moves import check_move_table, do_move_table
from catalog.block_pages import block_page, reads_and_writes
from catalog.ingest.pipeline import ingest_upload
from catalog.ingest.sources import normalize_path
from catalog.models import IngestJob, Notebook, Table
from catalog.serializers import (
    IngestJobSerializer,
    IngestReportSerializer,
    NotebookDetailSerializer,
    NotebookSerializer,
    TableMoveSerializer,
    UploadSerializer,
    WorkspaceSerializer,
)


@extend_schema(
    parameters=page_parameters(), responses={200: WorkspaceSerializer(many=True), **errors(400)}
)
@api_view(["GET"])
def workspace_list(request: Request) -> Response:
    """The workspaces you belong to, by slug; paginated (``limit``, ``offset``, headers)."""
    page = paginate(request, selectors.workspaces_for(request.user))
    return list_response(page, WorkspaceSerializer(page.items, many=True).data)


@extend_schema(
    request={"multipart/form-data": UploadSerializer},
    responses={
        200: IngestReportSerializer,
        201: IngestReportSerializer,
        **errors(400, 404, 413),
    },
)
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
    parameters=[
        OpenApiParameter("workspace", str, description="workspace slug"),
        OpenApiParameter("deleted", str, enum=["1"], description="1: deleted notebooks too"),
        *page_parameters(),
    ],
    responses={200: NotebookSerializer(many=True), **errors(400)},
)
@api_view(["GET"])
def notebook_list(request: Request) -> Response:
    """The notebooks you may see, by workspace and path; paginated (``limit``, ``offset``)."""
    notebooks = selectors.notebooks_for(
        request.user,
        workspace=request.query_params.get("workspace") or None,
        include_deleted=flag_param(request.query_params, "deleted", "1", strict=True),
    )
    page = paginate(request, notebooks)
    return list_response(page, NotebookSerializer(page.items, many=True).data)


@extend_schema(responses={200: IngestJobSerializer, **errors(404)})
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
        OpenApiParameter(
            "blocks_offset",
            {"type": "integer", "minimum": 0, "maximum": 10**9},
            description="the first block's position (0)",
        ),
        OpenApiParameter(
            "blocks_limit",
            {"type": "integer", "minimum": 1, "maximum": settings.NOTEBOOK_API_MAX_BLOCKS},
            description=f"how many blocks ({settings.NOTEBOOK_API_BLOCKS}, "
            f"at most {settings.NOTEBOOK_API_MAX_BLOCKS})",
        ),
    ],
    responses={200: NotebookDetailSerializer, **errors(400, 404)},
)
@api_view(["GET"])
def notebook_detail(request: Request, pk: int) -> Response:
    """A notebook and one window of its blocks: follow ``blocks_next`` for the rest."""
    notebook = selectors.get_notebook_to_read(request.user, pk)
    offset = int_param(
        request.query_params, "blocks_offset", default=0, minimum=0, maximum=10**9, strict=True
    )
    limit = int_param(
        request.query_params,
        "blocks_limit",
        strict=True,
        default=settings.NOTEBOOK_API_BLOCKS,
        minimum=1,
        maximum=settings.NOTEBOOK_API_MAX_BLOCKS,
    )
    context = {"request": request, "page": None, "offset": offset, "limit": limit}
    if notebook.current_version is not None:
        context["page"] = block_page(notebook.current_version, offset=offset, limit=limit)
        context["reads"], context["writes"] = reads_and_writes(notebook.current_version)
    return Response(NotebookDetailSerializer(notebook, context=context).data)


@extend_schema(request=TableMoveSerializer, responses=TableMoveSerializer)
@api_view(["POST"])
def table_move(request: Request, pk: int) -> Response:
    """Give a table another home workspace ``{"workspace": slug}``: an admin of both only.
    Ingest never moves a table; this is the one way, audited in both workspaces' logs."""
    table = access_object(request.user, "admin", Table.objects.select_related("workspace"), pk=pk)
    data = request.data if isinstance(request.data, dict) else {}
    target = check_move_table(actor=request.user, table=table, slug=data.get("workspace"))
    table = do_move_table(actor=request.user, table=table, workspace=target)
    return Response({"urn": table.urn, "workspace": target.slug})
