"""The layers import only downward (pure core < accounts < catalog < lineage < execution),
and no two modules import each other, not even from inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("config", "urns", "accounts", "catalog", "lineage", "execution")
# Lowest first. The pure core (URNs, notebook formats, lineage analysis) sits below all.
PURE = ("urns", "catalog.formats", "lineage.analysis")
LAYERS = ("accounts", "catalog", "lineage", "execution")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(path: Path) -> set[str]:
    """Every module name imported, at the top or inside functions; not type-checking ones."""
    tree = ast.parse(path.read_text())
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _graph() -> nx.DiGraph:
    modules = _modules()
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for target in _imports(path):
            while target and target not in modules:
                target = target.rpartition(".")[0]
            # A package's own submodules and its __init__ are one unit, not a loop.
            if target and target != name and not name.startswith(f"{target}."):
                graph.add_edge(name, target)
    return graph


def _layer(module: str) -> int:
    if module.startswith(PURE):
        return -1
    top = module.partition(".")[0]
    return LAYERS.index(top) if top in LAYERS else len(LAYERS)  # config sits on top


def test_no_two_modules_import_each_other():
    cycles = list(nx.simple_cycles(_graph()))

    assert cycles == []


def test_every_import_goes_to_the_same_layer_or_below():
    upward = [
        (source, target)
        for source, target in _graph().edges
        if not source.startswith("config") and _layer(target) > _layer(source)
    ]

    assert upward == []
