"""The suite's settings: the embedded default's, with Tributary's files somewhere else.

Everything Tributary writes next to its database (the secret key, the OpenLineage file,
the demo warehouse, collected static files) goes under ``TRIBUTARY_VAR_DIR``. The suite
points it at a temporary directory of the run's own before the settings are read, so that
no test writes into the checkout's ``var/`` (``tests/conftest.py`` checks that it did not).
Child processes the tests start (Celery workers, ``manage.py`` commands) inherit it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

if "TRIBUTARY_VAR_DIR" not in os.environ:
    _var_dir = tempfile.mkdtemp(prefix="tributary-test-var-")
    os.environ["TRIBUTARY_VAR_DIR"] = _var_dir
    _owner_pid = os.getpid()
    # Removed by the process that made it, not by the children that inherit it.
    atexit.register(
        lambda: os.getpid() == _owner_pid and shutil.rmtree(_var_dir, ignore_errors=True)
    )

from config.settings import *  # noqa: F403

# The suite calls the culling service itself; the test of the embedded culler turns the
# thread on for its own run (tests/execution/test_it_culls_idle_kernels_without_beat.py).
EXECUTION_CULL_IN_PROCESS = False
