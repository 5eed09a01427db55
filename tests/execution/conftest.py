"""One real `jupyter kernelgateway` for the whole test session: kernels are cheap, gateways
are not on two shared cores."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from execution.gateway import GatewayClient, KernelSession, LocalGateway, get_local_gateway
from tests.factories import add_member, make_user

# A secret in this process's environment from before the gateway starts: neither the
# gateway nor its kernels may see it.
SECRET_NAME = "TRIBUTARY_TEST_SECRET"
SECRET_VALUE = "hunter2-not-for-kernels"


@pytest.fixture(scope="session")
def gateway() -> Iterator[LocalGateway]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SECRET_NAME, SECRET_VALUE)
        # Through get_local_gateway() so code under test that asks for "this process's
        # gateway" finds this one instead of starting a second.
        local = get_local_gateway()
        yield local
        local.stop()


@pytest.fixture
def client(gateway: LocalGateway) -> GatewayClient:
    return gateway.client(timeout_s=10.0)


@pytest.fixture
def session(client: GatewayClient) -> Iterator[KernelSession]:
    with client.open_session(interrupt_grace_s=2.0) as kernel_session:
        yield kernel_session


@pytest.fixture(autouse=True)
def _no_leftover_kernels(request):
    """Warm app sessions outlive their test's database rows: shut down every kernel a test
    started and left running, so that kernels do not pile up over the session."""
    if "gateway" not in request.fixturenames:
        yield
        return
    client = request.getfixturevalue("gateway").client()
    before = {kernel.id for kernel in client.list_kernels()}
    yield
    from execution.sessions import detach_all

    detach_all()
    for kernel in client.list_kernels():
        if kernel.id not in before:
            client.shutdown_kernel(kernel.id)


@pytest.fixture
def warehouse(demo_warehouse, tmp_path, settings) -> Path:
    """A copy of the demo warehouse of this test's own, which runs use."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_warehouse, path)
    settings.DEMO_WAREHOUSE_PATH = path
    return path


@pytest.fixture
def lineage_file(tmp_path, settings) -> Path:
    settings.OPENLINEAGE_FILE = tmp_path / "openlineage.jsonl"
    settings.OPENLINEAGE_URL = None
    return settings.OPENLINEAGE_FILE


@pytest.fixture
def runner(workspace):
    user = make_user("rita-runner", email="rita@example.com")
    add_member(user, workspace, "runner")
    return user


@pytest.fixture
def execute(django_capture_on_commit_callbacks):
    """``execute(**request_run kwargs)``: request a run and execute it as Celery would
    eagerly, once the request's transaction commits; returns the finished run."""
    from execution.services import request_run

    def run_it(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            run = request_run(**kwargs)
        run.refresh_from_db()
        return run

    return run_it


def publish(workspace, path: str, *cells: tuple[str, str], slug: str | None = None, **app_fields):
    """An app on a new notebook of ``cells`` (``ipynb_bytes`` pairs), published."""
    from catalog.ingest.pipeline import ingest_upload
    from catalog.models import Notebook
    from execution.services import publish_app
    from tests.kb_factories import make_app

    ingest_upload(
        actor=None, workspace=workspace, filename=path, data=notebook_bytes(*cells), path=path
    )
    notebook = Notebook.objects.select_related("workspace").get(workspace=workspace, path=path)
    app = make_app(
        workspace,
        notebook,
        slug or path.rsplit("/", 1)[-1].split(".")[0].replace("_", "-"),
        **app_fields,
    )
    return publish_app(actor=None, app=app)


DEMO = Path(__file__).resolve().parents[2] / "demo" / "workspaces"


def publish_demo(workspace, rel: str, slug: str):
    """One demo app, ingested from its file into ``workspace`` and published."""
    from catalog.ingest.pipeline import ingest_upload
    from catalog.models import Notebook
    from execution.services import publish_app
    from tests.kb_factories import make_app

    path = rel.split("/", 1)[1]
    ingest_upload(
        actor=None,
        workspace=workspace,
        filename=Path(rel).name,
        data=(DEMO / rel).read_bytes(),
        path=path,
    )
    notebooks = Notebook.objects.filter(workspace=workspace, file_path=path)
    notebook = max(notebooks, key=lambda n: n.current_version.blocks.count())
    return publish_app(actor=None, app=make_app(workspace, notebook, slug))


def notebook_bytes(*cells: tuple) -> bytes:
    """A v4 notebook of ``(kind, source)`` or ``(kind, source, tags)`` cells."""
    import json

    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Py"}
    for index, (kind, source, *tags) in enumerate(cells):
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        cell = make(source)
        cell["id"] = f"cell-{index}"
        if tags:
            cell.metadata["tags"] = list(tags[0])
        nb.cells.append(cell)
    return json.dumps(nb).encode()


@pytest.fixture
def web(db):
    """Django's test client (``client`` here is the gateway's)."""
    from django.test import Client

    return Client()
