"""The examples in the docstrings of the boundary helpers are true."""

from __future__ import annotations

import doctest

import pytest

from accounts import params, text
from config import parsers


@pytest.mark.parametrize("module", [params, text, parsers])
def test_the_examples_in_the_docstrings_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)

    assert result.attempted > 0
    assert result.failed == 0
