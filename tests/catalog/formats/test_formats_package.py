"""The formats package's contracts: pure (no Django), and its docstring examples run."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import subprocess
import sys

import pytest

import catalog.formats

MODULES = [
    "catalog.formats",
    *sorted(
        f"catalog.formats.{mod.name}" for mod in pkgutil.iter_modules(catalog.formats.__path__)
    ),
]


@pytest.mark.parametrize("module_name", MODULES)
def test_the_docstring_examples_of_every_module_run(module_name):
    module = importlib.import_module(module_name)

    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)

    assert result.failed == 0


def test_the_public_functions_have_runnable_examples():
    assert doctest.testmod(catalog.formats).attempted >= 3


def test_importing_the_readers_imports_no_django():
    code = (
        "import sys, catalog.formats;"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'));"
        "print(','.join(loaded))"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.strip() == ""
