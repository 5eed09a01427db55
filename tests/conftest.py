from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.browser_support import chromium, open_as  # noqa: F401  (fixtures)
from tests.factories import add_member, make_user, make_workspace


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the test database is a file, not memory: the one test that runs a real
    Celery worker (tests/execution) needs another process to see its rows."""
    from django.conf import settings

    default = settings.DATABASES["default"]
    if default["ENGINE"] == "django.db.backends.sqlite3":
        path = tmp_path_factory.mktemp("database") / "test.sqlite3"
        default.setdefault("TEST", {})["NAME"] = str(path)


@pytest.fixture(scope="session")
def demo_gateway():
    """A kernel gateway of the demo tests' own (not the process's, whose environment the
    execution tests control), for running demo notebooks."""
    from execution.gateway import LocalGateway

    with LocalGateway() as gateway:
        yield gateway.client(timeout_s=30.0)


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory, demo_gateway):
    """The demo warehouse, seeded and with its pipeline notebooks run (on the runtime apps
    run on), built once per test session. Copy it before changing it."""
    from demo.notebooks import pipeline_paths
    from demo.seed import build_warehouse
    from execution.file_runs import run_notebook_file

    path = tmp_path_factory.mktemp("demo-warehouse") / "warehouse.duckdb"
    build_warehouse(path)
    for notebook in pipeline_paths():
        run_notebook_file(notebook, warehouse=path, client=demo_gateway).close()
    return path


CHECKOUT_VAR = Path(__file__).resolve().parent.parent / "var"


def var_listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time (nanoseconds)."""
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file()
    }


@pytest.fixture(scope="session", autouse=True)
def _checkout_var_is_left_alone():
    """Tests write only to their own temporary paths (tests/settings.py moves Tributary's
    var directory): the run fails if a file in the checkout's var/ appeared or changed."""
    before = var_listing(CHECKOUT_VAR)
    yield
    after = var_listing(CHECKOUT_VAR)
    changed = sorted(
        name for name in after.keys() | before.keys() if after.get(name) != before.get(name)
    )
    assert not changed, f"the test run wrote into {CHECKOUT_VAR}: {', '.join(changed)}"


@pytest.fixture(autouse=True)
def _own_openlineage_file(settings, tmp_path_factory):
    """Run events go to a file of each test's own, never to a shared one (its folder is
    made by the first event)."""
    folder = tmp_path_factory.getbasetemp() / "openlineage" / uuid.uuid4().hex
    settings.OPENLINEAGE_FILE = folder / "openlineage.jsonl"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sign-in counters and "last seen" throttles live in the cache: no test inherits them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _checkpoints_in_tmp(settings, tmp_path):
    """Audit checkpoints (written after every ingest and review) go to the test's own
    file, never to var/ or a configured endpoint."""
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit_checkpoints.jsonl"
    settings.AUDIT_CHECKPOINT_URL = None


@pytest.fixture
def workspace(db):
    return make_workspace("production", name="Production")


@pytest.fixture
def other_workspace(db):
    return make_workspace("analytics", name="Analytics")


@pytest.fixture
def admin_user(workspace):
    user = make_user("alice-admin")
    add_member(user, workspace, "admin")
    return user


@pytest.fixture
def editor(workspace):
    user = make_user("erin-editor")
    add_member(user, workspace, "editor")
    return user


@pytest.fixture
def viewer(workspace):
    user = make_user("victor-viewer")
    add_member(user, workspace, "viewer")
    return user


@pytest.fixture
def outsider(other_workspace):
    """A signed-in person with a role elsewhere and none in ``workspace``."""
    user = make_user("oscar-outsider")
    add_member(user, other_workspace, "admin")
    return user


@pytest.fixture
def staff(db):
    return make_user("sam-staff", is_staff=True)
