"""App code in a kernel of the embedded gateway cannot read Tributary's secret key, its
database file or the server's environment, nor write the database; ordinary app runs
(the DuckDB warehouse, read and written) still work. Real gateway, real kernels."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import AuditEvent
from tests.execution.conftest import publish

pytestmark = pytest.mark.django_db


def attempt(session, code: str) -> dict:
    """Run ``code`` (which sets ``result``) in the kernel; what it got, or the error."""
    wrapped = (
        "import json\n"
        "try:\n" + "".join(f"    {line}\n" for line in code.splitlines()) + ""
        "    outcome = {'ok': True, 'value': str(result)[:2000]}\n"
        "except Exception as exc:\n"
        "    outcome = {'ok': False, 'error': type(exc).__name__ + ': ' + str(exc)}\n"
        "print(json.dumps(outcome))"
    )
    executed = session.execute(wrapped, timeout_s=30)
    assert executed.status == "ok", executed.error
    return json.loads(executed.outputs[-1]["text"])


def database_file() -> Path | None:
    name = connection.settings_dict["NAME"]
    return Path(name) if connection.vendor == "sqlite" else None


def test_the_secret_key_file_cannot_be_read(session):
    path = Path(settings.VAR_DIR) / "secret_key"
    assert path.read_text().strip() == settings.SECRET_KEY  # it is there, for the server

    got = attempt(session, f"result = open({str(path)!r}).read()")

    assert got["ok"] is False, got
    assert settings.SECRET_KEY not in json.dumps(got)


def test_the_audit_signing_key_file_cannot_be_read(session):
    path = Path(settings.VAR_DIR) / "audit_signing_key"
    assert path.exists()

    got = attempt(session, f"result = open({str(path)!r}).read()")

    assert got["ok"] is False, got


@pytest.fixture
def server_process():
    """A server process (as a gunicorn worker would be) with the database URL in its
    environment."""
    env = {**os.environ, "DATABASE_URL": "postgres://tributary:db-password@db/tributary"}
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], env=env)
    yield process
    process.kill()
    process.wait()


def test_the_servers_environment_cannot_be_read(session, server_process):
    pids = (server_process.pid, os.getpid())
    assert b"db-password" in Path(f"/proc/{server_process.pid}/environ").read_bytes()

    environs = [
        attempt(session, f"result = open('/proc/{pid}/environ', 'rb').read()") for pid in pids
    ]
    processes = attempt(
        session, "import os\nresult = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())"
    )

    for got in environs:
        assert got["ok"] is False, got
    assert "db-password" not in json.dumps(environs)
    # Only the sandbox's own processes exist for the kernel: its init and itself.
    assert json.loads(processes["value"]) == [1, 2]


def test_the_database_cannot_be_read_or_written(session, workspace):
    before = AuditEvent.objects.count()
    if connection.vendor == "sqlite":
        path = database_file()
        assert path.exists()
        read = attempt(session, f"result = open({str(path)!r}, 'rb').read(100)")
        write = attempt(
            session,
            "import sqlite3\n"
            f"con = sqlite3.connect({str(path)!r})\n"
            'con.execute("INSERT INTO accounts_auditevent (actor_name, action, target_urn, '
            "created_at, details, prev_hash, hash, mac) VALUES ('kernel', 'forged', '', "
            "'2026-01-01', '{}', '', 'x', '')\")\n"
            "con.commit()\n"
            "result = 'written'",
        )
    else:
        # The server's data files; and no credentials reach a kernel (see the env tests).
        data = "/var/lib/postgresql"
        read = attempt(
            session,
            "import glob\n"
            f"result = [open(p, 'rb').read(9) for p in glob.glob('{data}/*/main/PG_VERSION')]\n"
            "assert result, 'no data files found'",
        )
        write = attempt(session, f"open('{data}/forged', 'w').write('x')\nresult = 'written'")

    assert read["ok"] is False, read
    assert write["ok"] is False, write
    assert AuditEvent.objects.count() == before


def test_the_checkout_and_var_are_empty_and_nothing_outside_tmp_is_writable(session):
    checkout = Path(settings.BASE_DIR)
    assert (checkout / "accounts").is_dir()

    listing = attempt(session, f"import os\nresult = sorted(os.listdir({str(checkout)!r}))")
    var = attempt(session, f"import os\nresult = os.listdir({str(settings.VAR_DIR)!r})")
    etc = attempt(session, "open('/etc/tributary-was-here', 'w')\nresult = 'written'")
    tmp = attempt(session, "open('/tmp/scratch', 'w').write('x')\nresult = 'written'")

    # Only what the kernel runs from: the interpreter's environment and the launcher.
    assert json.loads(listing["value"].replace("'", '"')) == [".venv", "execution"]
    assert var["ok"] is False or var["value"] == "[]", var
    assert etc["ok"] is False and "Read-only file system" in etc["error"], etc
    assert tmp == {"ok": True, "value": "written"}
    assert not Path("/tmp/scratch").exists()  # the kernel's /tmp is its own


def test_an_app_run_still_reads_and_writes_its_duckdb_warehouse(
    workspace, runner, gateway, warehouse, execute
):
    app = publish(
        workspace,
        "apps/warehouse.ipynb",
        (
            "code",
            "import duckdb, os\n"
            "con = duckdb.connect(os.environ['TRIBUTARY_WAREHOUSE'])\n"
            "con.execute('CREATE TABLE sandbox_probe AS SELECT 7 AS n')\n"
            "print(con.execute('SELECT count(*) FROM core.users').fetchone()[0] > 0, "
            "con.execute('SELECT n FROM sandbox_probe').fetchone()[0])",
        ),
    )

    run = execute(actor=runner, app=app, inputs={})

    assert run.status == "succeeded", run.error
    assert run.steps.get().outputs[0]["text"] == "True 7\n"
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT n FROM sandbox_probe").fetchone() == (7,)
