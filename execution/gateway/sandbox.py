"""Starts a kernel in a sandbox: Tributary's files hidden, other processes out of sight.

The kernelspec that ``LocalGateway`` writes runs this file (as a script, before the
kernel), with the path of a JSON configuration and the kernel's command line::

    python sandbox.py CONFIG.json -- python kernel_launcher.py -f CONNECTION_FILE

Linux namespaces, through the C library (no setuid helper, no package to install), the
same way whether the gateway runs as root or not:

- a user namespace that maps only the gateway's own user (the kernel stays that user; the
  namespace only lets us make the mounts below without privilege, root or not);
- a mount namespace in which the checkout, ``var/`` (secret key, signing key, SQLite
  database), the database's directory, ``/tmp`` and ``$HOME`` are replaced by empty
  read-only or private directories, then only what the kernel needs is put back: the
  interpreter's environment (read-only), the launcher, its own connection file (not the
  other kernels', whose keys would let it drive them), and the warehouse directory named
  by ``TRIBUTARY_WAREHOUSE`` (read-write: apps and the demo pipeline write tables);
  everything else is read-only;
- a PID namespace with its own ``/proc``: no other process, so no ``/proc/<pid>/environ``
  of the server;
- no capabilities and ``no_new_privs`` for the kernel: it cannot undo the mounts or gain
  privileges through a setuid program;
- an allow-listed environment.

The network is the host's: kernels talk to the gateway over loopback TCP. A database
server on this machine must therefore require a password, which kernels never get.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import sys
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
# mount_setattr(2), Linux 5.12+: read-only for a whole tree of mounts at once.
SYS_MOUNT_SETATTR = {"x86_64": 442, "aarch64": 442}
AT_RECURSIVE = 0x8000
MOUNT_ATTR_RDONLY = 0x1
KERNEL_HOME = "/tmp/home"

_libc = ctypes.CDLL(None, use_errno=True)


class SandboxError(RuntimeError):
    pass


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise SandboxError(f"sandbox: {what} failed: {os.strerror(errno)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = ""):
    _check(
        _libc.mount(
            source.encode() if source else None,
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


class _MountAttr(ctypes.Structure):
    _fields_ = [
        ("attr_set", ctypes.c_uint64),
        ("attr_clr", ctypes.c_uint64),
        ("propagation", ctypes.c_uint64),
        ("userns_fd", ctypes.c_uint64),
    ]


def _set_read_only(path: str, *, read_only: bool, recursive: bool) -> None:
    number = SYS_MOUNT_SETATTR.get(os.uname().machine)
    if number is None:
        raise SandboxError(f"sandbox: mount_setattr unknown on {os.uname().machine}")
    attr = _MountAttr(
        attr_set=MOUNT_ATTR_RDONLY if read_only else 0,
        attr_clr=0 if read_only else MOUNT_ATTR_RDONLY,
    )
    flags = AT_RECURSIVE if recursive else 0
    result = _libc.syscall(
        number, -100, path.encode(), flags, ctypes.byref(attr), ctypes.sizeof(attr)
    )
    _check(result, f"read-only {path}")


def _contains(folder: Path, path: Path) -> bool:
    return path == folder or folder in path.parents


def _bind_back(sources: dict[str, int]) -> None:
    """Put each kept path (opened before it was hidden) back at its own place."""
    for target, fd in sources.items():
        path = Path(target)
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", target, None, MS_BIND | MS_REC)
        os.close(fd)


def _drop_capabilities() -> None:
    last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    for cap in range(last + 1):
        _check(_libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), f"dropping capability {cap}")
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def _enter_namespaces() -> None:
    """A user namespace that maps only ourselves (root or not: one code path), and in it
    the mount and PID namespaces; the mounts below need no privilege outside it."""
    uid, gid = os.getuid(), os.getgid()
    _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID), "unshare")
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")


def _plan(config: dict, kernel_argv: list[str]) -> tuple[list[str], list[str], set[str]]:
    """What to hide, what to keep, which kept paths stay writable."""
    hidden = [str(Path(p).resolve()) for p in config["hide"] if os.path.exists(p)]
    secret = [Path(p).resolve() for p in config["secret"]]
    keep = {str(Path(p).resolve()) for p in config["keep"] if os.path.exists(p)}
    if "-f" in kernel_argv:
        keep.add(str(Path(kernel_argv[kernel_argv.index("-f") + 1]).resolve()))
    writable = set()
    warehouse = os.environ.get("TRIBUTARY_WAREHOUSE")
    if warehouse and os.path.isdir(Path(warehouse).resolve().parent):
        folder = Path(warehouse).resolve().parent
        # Its folder (DuckDB writes a .wal beside it, or creates a new warehouse) unless
        # that would show a secret: then the file alone, if it exists.
        chosen: Path | None = folder
        if any(_contains(folder, s) for s in secret):
            chosen = Path(warehouse).resolve() if os.path.exists(warehouse) else None
        if chosen is not None:
            keep.add(str(chosen))
            writable.add(str(chosen))
    return hidden, sorted(keep), writable


def _build_view(hidden: list[str], keep: list[str], writable: set[str]) -> None:
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    # Opened in this mount namespace (a bind across namespaces is refused), before hiding.
    sources = {path: os.open(path, os.O_PATH | os.O_CLOEXEC) for path in keep}
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for path in sorted(hidden):  # a folder before what is inside it (then already gone)
        if os.path.isdir(path):
            _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64m")
        elif os.path.exists(path):
            _mount("/dev/null", path, None, MS_BIND)
    _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=256m")
    _bind_back(sources)
    Path(KERNEL_HOME).mkdir(mode=0o700, parents=True, exist_ok=True)
    # Everything read-only, then the private temporary folders and the warehouse not.
    _set_read_only("/", read_only=True, recursive=True)
    for path in ("/tmp", "/dev/shm", *sorted(writable)):
        _set_read_only(path, read_only=False, recursive=False)


def _kernel_env(config: dict) -> dict[str, str]:
    """The allow-list, the ``KERNEL_*`` names a client set, and a home of its own. Not
    ``JPY_PARENT_PID``: the gateway's PID means nothing in here, and ipykernel would shut
    down on finding another parent (the gateway's death reaches the kernel through the
    parent-death signals instead)."""
    names = set(config["env"])
    env = {
        k: v
        for k, v in os.environ.items()
        if k in names or k.startswith("KERNEL_") or k == "JPY_SESSION_NAME"
    }
    env["HOME"] = KERNEL_HOME
    return env


def _init(kernel_argv: list[str], env: dict[str, str]) -> int:
    """PID 1 of the namespace: start the kernel, pass signals on, reap, report its exit."""
    child = os.fork()
    if child == 0:
        os.setpgid(0, 0)  # signals reach it once, from this process (see main)
        os.chdir(KERNEL_HOME)
        _drop_capabilities()
        os.execve(kernel_argv[0], kernel_argv, env)
    _forward_signals(child)
    return _wait_for(child)


def _forward_signals(child: int) -> None:
    """The gateway interrupts and stops the process it started: pass that on inward."""

    def forward(signum, _frame):
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, forward)


def _wait_for(child: int) -> int:
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 0
        except InterruptedError:
            continue
        if pid == child:
            return os.waitstatus_to_exitcode(status) % 256


def main(argv: list[str]) -> int:
    # The gateway gone, this process goes, and with it the namespace and the kernel.
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "parent-death signal")
    config = json.loads(Path(argv[1]).read_text())
    kernel_argv = argv[argv.index("--") + 1 :]
    hidden, keep, writable = _plan(config, kernel_argv)
    env = _kernel_env(config)
    _enter_namespaces()
    child = os.fork()  # the first child of a new PID namespace is its PID 1
    if child == 0:
        # Its own process group: the gateway signals the launcher's whole group (an
        # interrupt is a killpg), and each process passes a signal one step inward, so the
        # kernel gets one SIGINT, not one per process of the chain.
        os.setpgid(0, 0)
        _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "parent-death signal")
        try:
            _build_view(hidden, keep, writable)
            code = _init(kernel_argv, env)
        except SandboxError as exc:
            print(exc, file=sys.stderr)
            code = 70
        os._exit(code)
    _forward_signals(child)
    return _wait_for(child)


if __name__ == "__main__":
    # Run as a script, this file's directory comes first on sys.path: drop it.
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        del sys.path[0]
    sys.exit(main(sys.argv))
