"""The examples in the execution modules' docstrings are run, so they stay true."""

from __future__ import annotations

import doctest

import pytest

from execution import cron, kernel_runtime, program
from execution.forms import inputs


@pytest.mark.parametrize(
    "module", [cron, kernel_runtime, program, inputs], ids=lambda m: m.__name__
)
def test_the_docstring_examples_of_the_module_hold(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)

    assert result.attempted > 0
    assert result.failed == 0
