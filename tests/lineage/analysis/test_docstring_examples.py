"""The ``Examples:`` in the analysis core's docstrings run and stay true."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "lineage.analysis.block_facts",
    "lineage.analysis.budget",
    "lineage.analysis.blocks",
    "lineage.analysis.call_args",
    "lineage.analysis.cells",
    "lineage.analysis.connections",
    "lineage.analysis.dag",
    "lineage.analysis.embedded_sql",
    "lineage.analysis.magic_effects",
    "lineage.analysis.magics",
    "lineage.analysis.mutation",
    "lineage.analysis.notebook",
    "lineage.analysis.notebook_locals",
    "lineage.analysis.python",
    "lineage.analysis.scopes",
    "lineage.analysis.scoping",
    "lineage.analysis.serial",
    "lineage.analysis.sql_magics",
    "lineage.analysis.sql_text",
    "lineage.analysis.strings",
    "lineage.analysis.table_io",
    "lineage.analysis.table_names",
    "lineage.analysis.templates",
    "lineage.analysis.type_params",
    "lineage.analysis.types",
]


@pytest.mark.parametrize("name", MODULES)
def test_the_docstring_examples_of_each_module_pass(name):
    module = importlib.import_module(name)

    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)

    assert result.attempted > 0
    assert result.failed == 0
