"""The embedded kernel gateway: `jupyter kernelgateway` on a free loopback port.

``LocalGateway`` starts one with a random token and the flags a correct client needs,
waits until it answers, and stops it on exit. ``get_gateway()`` is the one place that
reads settings: ``KERNEL_GATEWAY_URL`` (and ``KERNEL_GATEWAY_TOKEN``) point at a gateway
run elsewhere, e.g. Jupyter Enterprise Gateway; without it, one local gateway is started
per process.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from execution.gateway.client import KERNEL_ENV_ALLOWLIST, GatewayClient
from execution.gateway.errors import GatewayError

# The gateway's own process gets only these from ours: it has no business with the
# database URL, the warehouse password or the Django secret key.
GATEWAY_ENV_ALLOWLIST = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR")

# What a run may set on its kernel besides the allowlist (see execution.services.runs):
# the warehouse file, who runs, which run. A remote gateway needs them in its env_whitelist.
RUN_ENV_NAMES = ("TRIBUTARY_WAREHOUSE", "TRIBUTARY_USER", "TRIBUTARY_RUN")

PROJECT_ROOT = Path(__file__).resolve().parents[2]
KERNEL_LAUNCHER = Path(__file__).resolve().parent / "kernel_launcher.py"
KERNEL_SANDBOX = Path(__file__).resolve().parent / "sandbox.py"


# Readable by root's user even without capabilities: hidden from kernels too.
HIDDEN_SYSTEM_FILES = ("/etc/shadow", "/etc/gshadow", "/etc/ssh")


def hidden_from_kernels() -> list[str]:
    """What a sandboxed kernel must not see: the checkout, ``/tmp`` and ``$HOME`` always;
    with Django configured, ``var/``, the SQLite database's folder and the audit
    checkpoints' folder wherever they are."""
    paths = [str(PROJECT_ROOT), tempfile.gettempdir(), "/tmp", os.path.expanduser("~")]
    from django.conf import settings

    if settings.configured:
        paths.append(str(settings.VAR_DIR))
        paths.append(str(Path(settings.AUDIT_CHECKPOINT_FILE).parent))
        for database in settings.DATABASES.values():
            if database["ENGINE"] == "django.db.backends.sqlite3":
                for name in (database.get("NAME"), database.get("TEST", {}).get("NAME")):
                    if name and str(name) != ":memory:":
                        paths.append(str(Path(name).parent))
    return sorted(set(paths))


def gateway_arguments(port: int, kernel_env_names: Sequence[str]) -> list[str]:
    """The gateway's command-line flags; the comments say why each is there.

    Examples:
        >>> "--KernelRestarter.restart_limit=0" in gateway_arguments(8888, ["HOME"])
        True
    """
    return [
        "--KernelGatewayApp.ip=127.0.0.1",
        f"--KernelGatewayApp.port={port}",
        # Fail instead of silently moving to another port than the one we will call.
        "--KernelGatewayApp.port_retries=0",
        "--KernelGatewayApp.log_level=WARN",
        # TCP_NODELAY on the server end of the websocket (~40 ms less per message), and
        # no ZMQ queue limit that would drop the outputs of a fast-printing kernel.
        "--KernelGatewayApp.kernel_websocket_connection_class="
        "execution.gateway.server.TributaryChannelsConnection",
        # GET /api/kernels (behind our token): what a cleanup finds left running.
        "--JupyterWebsocketPersonality.list_kernels=True",
        # The IOPub rate limit drops output past 1 MB/s without telling the client.
        "--ZMQChannelsWebsocketConnection.limit_rate=False",
        # A killed kernel must be reported, not silently restarted with empty state.
        "--KernelRestarter.restart_limit=0",
        # How often the restarter polls the kernel process: how soon a death is announced.
        "--KernelRestarter.time_to_dead=1.0",
        # Without these names in the whitelist the gateway drops them from the env we send.
        *(f"--JupyterWebsocketPersonality.env_whitelist={name}" for name in kernel_env_names),
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalGateway:
    """A `jupyter kernelgateway` process of our own on 127.0.0.1.

    Use as a context manager, or ``start()`` and ``stop()``; a started gateway is also
    stopped at interpreter exit.

    Args:
        kernel_env_names: environment names a client may set on a kernel.
        startup_timeout_s: how long the gateway may take to answer ``GET /api``.
        sandbox: start kernels through ``sandbox.py`` (Linux namespaces): Tributary's
            files, the database and other processes hidden from them.
        hidden_paths: what the sandbox hides (default: ``hidden_from_kernels()``).
    """

    def __init__(
        self,
        *,
        kernel_env_names: Sequence[str] = (*KERNEL_ENV_ALLOWLIST, *RUN_ENV_NAMES),
        startup_timeout_s: float = 60.0,
        sandbox: bool = True,
        hidden_paths: Sequence[str] | None = None,
    ) -> None:
        self.kernel_env_names = tuple(kernel_env_names)
        self.sandbox = sandbox
        self.hidden_paths = tuple(hidden_from_kernels() if hidden_paths is None else hidden_paths)
        self.startup_timeout_s = startup_timeout_s
        self.port: int | None = None
        self.token = secrets.token_urlsafe(32)
        self.workdir: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._owner_pid = os.getpid()

    def __enter__(self) -> LocalGateway:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"LocalGateway(url={self.url!r}, pid={self.pid})"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def log_path(self) -> Path | None:
        return None if self.workdir is None else self.workdir / "gateway.log"

    @property
    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def client(self, **options: Any) -> GatewayClient:
        return GatewayClient(self.url, self.token, **options)

    def start(self) -> LocalGateway:
        """Start the gateway and wait until it answers with our token."""
        if self.is_running:
            return self
        self.workdir = Path(tempfile.mkdtemp(prefix="tributary-gateway-"))
        if self.sandbox:
            self._check_sandbox()
        # The free port can be taken between our probe and the gateway's bind: try again.
        for attempt in range(3):
            self.port = free_port()
            self._spawn()
            try:
                self._wait_until_healthy()
            except GatewayError:
                self._terminate()
                if attempt == 2:
                    self.stop()
                    raise
                continue
            atexit.register(self.stop)
            return self
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """Stop the gateway (it shuts its kernels down) and remove its files."""
        atexit.unregister(self.stop)
        # A forked worker inherits this object; only the process that started it stops it.
        if os.getpid() != self._owner_pid:
            return
        self._terminate()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def _spawn(self) -> None:
        assert self.workdir is not None and self.port is not None
        env = {name: os.environ[name] for name in GATEWAY_ENV_ALLOWLIST if name in os.environ}
        env.update(
            {
                # In the environment, not argv: other local users can read a command line.
                "KG_AUTH_TOKEN": self.token,
                # For execution.gateway.server, whether or not the project is installed.
                "PYTHONPATH": str(PROJECT_ROOT),
                # Connection files and the cookie secret stay in our private directory,
                # and no user's jupyter config changes the flags below.
                "JUPYTER_RUNTIME_DIR": str(self.workdir / "runtime"),
                "JUPYTER_CONFIG_DIR": str(self.workdir / "config"),
                "JUPYTER_PLATFORM_DIRS": "1",
                # Searched before every other kernelspec directory.
                "JUPYTER_PATH": str(self._write_kernelspec()),
            }
        )
        kernels_dir = self.workdir / "kernels"
        kernels_dir.mkdir(exist_ok=True)
        with open(self.workdir / "gateway.log", "ab") as log_file:
            self._process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "kernel_gateway",
                    *gateway_arguments(self.port, self.kernel_env_names),
                ],
                env=env,
                # Kernels start in the gateway's directory: an empty one of our own.
                cwd=kernels_dir,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )

    def _write_kernelspec(self) -> Path:
        """A ``python3`` kernelspec of our own: this interpreter, through our launcher.

        Returns the data directory that holds it.
        """
        assert self.workdir is not None
        data_dir = self.workdir / "share" / "jupyter"
        spec_dir = data_dir / "kernels" / "python3"
        spec_dir.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, str(KERNEL_LAUNCHER), "-f", "{connection_file}"]
        if self.sandbox:
            config = self._write_sandbox_config()
            argv = [sys.executable, str(KERNEL_SANDBOX), str(config), "--", *argv]
        spec = {
            "argv": argv,
            "display_name": "Python 3 (Tributary)",
            "language": "python",
            "interrupt_mode": "signal",
        }
        (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
        return data_dir

    def _check_sandbox(self) -> None:
        """Fail now, with the reason, rather than have every kernel die on start."""
        config = self._write_sandbox_config()
        probe = subprocess.run(
            [sys.executable, str(KERNEL_SANDBOX), str(config), "--", "/bin/true"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if probe.returncode != 0:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
            raise GatewayError(
                f"Kernels cannot be sandboxed here ({probe.stderr.strip() or probe.returncode}); "
                "allow user namespaces, or set EXECUTION_KERNEL_SANDBOX=False to run them "
                "unsandboxed"
            )

    def _write_sandbox_config(self) -> Path:
        assert self.workdir is not None
        config = self.workdir / "sandbox.json"
        config.write_text(
            json.dumps(
                {
                    "hide": [*self.hidden_paths, *HIDDEN_SYSTEM_FILES],
                    "secret": list(self.hidden_paths),
                    "keep": sorted({sys.prefix, sys.base_prefix, str(KERNEL_LAUNCHER)}),
                    "env": list(self.kernel_env_names),
                },
                indent=1,
            )
        )
        return config

    def _wait_until_healthy(self) -> None:
        client = self.client(timeout_s=2.0, connect_timeout_s=1.0)
        deadline = time.monotonic() + self.startup_timeout_s
        while True:
            if self._process is None or self._process.poll() is not None:
                raise GatewayError(f"jupyter kernelgateway exited on start: {self._log_tail()}")
            try:
                client.get_api()
                return
            except GatewayError as exc:
                if time.monotonic() > deadline:
                    raise GatewayError(
                        f"jupyter kernelgateway did not answer on {self.url} within "
                        f"{self.startup_timeout_s:g} s: {exc}"
                    ) from exc
            time.sleep(0.1)

    def _terminate(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

    def _log_tail(self, size: int = 2000) -> str:
        try:
            text = self.log_path.read_text(errors="replace") if self.log_path else ""
        except OSError:
            return "(no log)"
        return text[-size:].strip() or "(empty log)"


_local_gateway: LocalGateway | None = None
_local_lock = threading.Lock()


def get_local_gateway() -> LocalGateway:
    """This process's local gateway, started on first use (and again if it died)."""
    global _local_gateway
    with _local_lock:
        if _local_gateway is None or not _local_gateway.is_running:
            if _local_gateway is not None:
                _local_gateway.stop()
            from django.conf import settings

            _local_gateway = LocalGateway(
                sandbox=getattr(settings, "EXECUTION_KERNEL_SANDBOX", True)
            ).start()
        return _local_gateway


def get_gateway() -> GatewayClient:
    """The client of the gateway Tributary runs its kernels on.

    ``settings.KERNEL_GATEWAY_URL`` (with ``KERNEL_GATEWAY_TOKEN``) if set, otherwise this
    process's local gateway.
    """
    from django.conf import settings

    url = getattr(settings, "KERNEL_GATEWAY_URL", None)
    if url:
        return GatewayClient(url, getattr(settings, "KERNEL_GATEWAY_TOKEN", None))
    return get_local_gateway().client()
