from __future__ import annotations

import doctest

import pytest

from execution.gateway import client, errors, local, messages


@pytest.mark.parametrize("module", [client, errors, local, messages], ids=lambda m: m.__name__)
def test_the_gateway_docstring_examples_run(module):
    outcome = doctest.testmod(module)

    assert outcome.attempted > 0
    assert outcome.failed == 0
