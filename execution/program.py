"""What a run sends to the kernel: a notebook's blocks turned into cells of Python.

Pure: no Django. Blocks are any objects with ``block_id`` (or ``id``), ``kind``,
``source``, ``variable`` and ``metadata`` (catalog ``Block`` rows, ``ParsedBlock`` values).

- code blocks run as they are; a Deepnote big-number block shows its value;
- SQL blocks become ``var = __tributary__.sql("...")`` (see ``kernel_runtime``);
- input blocks assign their typed value;
- a Jupyter ``parameters`` cell runs as written, then an injected cell assigns the run's
  values, as papermill does;
- markdown and other blocks are not run.

``plan_rerun`` decides what a reactive re-run executes: the cells assigning the changed
inputs and every block downstream of them in the block DAG (``lineage.analysis``), with
one DAG node per parameter so that changing one parameter re-runs only its users.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from execution.forms.inputs import Inputs, is_parameters_block
from lineage.analysis import build_dag
from lineage.analysis.types import DagBlock

INJECTED_SUFFIX = "/injected-parameters"
RUNTIME_SOURCE = (Path(__file__).resolve().parent / "kernel_runtime.py").read_text()


@dataclass(frozen=True)
class Cell:
    """One block as the kernel runs it.

    ``kind``: code | sql | input | parameters | injected | display | markdown | other.
    ``code`` is what is sent to the kernel, None for a block that is not run.
    ``assigns`` are the input names the cell assigns (input blocks, injected parameters).
    """

    block_id: str
    kind: str
    source: str
    code: str | None
    variable: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict, compare=False)
    is_init: bool = False
    assigns: tuple[str, ...] = ()
    dialect: str | None = None

    @property
    def is_executable(self) -> bool:
        return self.code is not None


def _block_id(block: Any) -> str:
    return str(getattr(block, "block_id", None) or getattr(block, "id", ""))


def assignment_code(values: Mapping[str, Any], header: str = "") -> str:
    """Python assigning ``values`` (JSON values: their ``repr`` is a Python literal).

    Examples:
        >>> print(assignment_code({"email": "a@b.example", "dry_run": False}, "# Parameters"))
        # Parameters
        email = 'a@b.example'
        dry_run = False
    """
    lines = [header] if header else []
    lines += [f"{name} = {value!r}" for name, value in values.items()]
    return "\n".join(lines)


def sql_code(source: str, variable: str | None) -> str:
    """The Python of a SQL block: the result bound to its variable and shown."""
    call = f"__tributary__.sql({source!r})"
    if not variable:
        return call
    return f"{variable} = {call}\n{variable}"


def build_cells(
    blocks: Iterable[Any],
    inputs: Inputs,
    values: Mapping[str, Any],
    *,
    init_blocks: Iterable[Any] = (),
) -> list[Cell]:
    """The cells of a run, init notebook first (a Deepnote project's init runs before all)."""
    cells = [_cell(block, inputs, values, is_init=True) for block in init_blocks]
    for block in blocks:
        cell = _cell(block, inputs, values)
        cells.append(cell)
        if cell.kind == "parameters":
            names = tuple(s.name for s in inputs.specs if s.block_id == cell.block_id)
            cells.append(
                Cell(
                    block_id=cell.block_id + INJECTED_SUFFIX,
                    kind="injected",
                    source="",
                    code=assignment_code({n: values[n] for n in names}, "# Parameters"),
                    metadata={"tags": ["injected-parameters"]},
                    assigns=names,
                )
            )
    return [c for c in cells if not c.is_init or c.is_executable]


def _cell(block: Any, inputs: Inputs, values: Mapping[str, Any], *, is_init: bool = False) -> Cell:
    metadata = dict(block.metadata or {})
    block_id, kind, source = _block_id(block), block.kind, block.source or ""
    variable = block.variable or None
    common = {"block_id": block_id, "source": source, "metadata": metadata, "is_init": is_init}
    if kind == "code":
        if not is_init and is_parameters_block(kind, metadata):
            return Cell(kind="parameters", code=source, **common)
        return Cell(kind="code", code=source, **common)
    if kind == "sql":
        dialect = metadata.get("sql_dialect") or "duckdb"
        return Cell(
            kind="sql",
            code=sql_code(source, variable),
            variable=variable,
            dialect=dialect,
            **common,
        )
    if kind == "input" and variable:
        value = values.get(
            variable, inputs.by_name[variable].default if variable in inputs.by_name else None
        )
        return Cell(
            kind="input",
            code=assignment_code({variable: value}),
            variable=variable,
            assigns=(variable,),
            **common,
        )
    expression = metadata.get("deepnote_big_number_value")
    if kind == "other" and isinstance(expression, str) and expression.strip():
        return Cell(kind="display", code=expression.strip(), **common)
    return Cell(kind=kind if kind == "markdown" else "other", code=None, **common)


def boot_code(env: Mapping[str, str], *, is_short: bool = False) -> str:
    """The first code a run sends: ``kernel_runtime`` as a module, then ``configure``.

    ``is_short``: the kernel already holds the module (a warm session); only configure.
    """
    if is_short:
        return f"__tributary__.configure({dict(env)!r})"
    return (
        "def __tributary_boot(source, env):\n"
        "    import sys, types\n"
        "    from IPython import get_ipython\n"
        "    module = sys.modules.get('_tributary_kernel')\n"
        "    if module is None:\n"
        "        module = types.ModuleType('_tributary_kernel')\n"
        "        exec(compile(source, '<tributary>', 'exec'), module.__dict__)\n"
        "        sys.modules['_tributary_kernel'] = module\n"
        "    module.configure(env)\n"
        "    get_ipython().user_ns['__tributary__'] = module\n"
        f"__tributary_boot({RUNTIME_SOURCE!r}, {dict(env)!r})\n"
        "del __tributary_boot\n"
    )


RELEASE_CODE = "__tributary__.release()"


# -- reactive re-runs ---------------------------------------------------------------------------


def _dag_nodes(cells: list[Cell]) -> tuple[list[DagBlock], dict[str, str], dict[str, str]]:
    """DAG nodes of the executable cells; node id -> cell id; input name -> its node."""
    nodes: list[DagBlock] = []
    owner: dict[str, str] = {}
    input_node: dict[str, str] = {}
    for cell in cells:
        if not cell.is_executable:
            continue
        if cell.kind == "injected":
            for name in cell.assigns:
                node = f"{cell.block_id}#{name}"
                nodes.append(DagBlock(node, "input", "", variable=name))
                owner[node] = cell.block_id
                input_node[name] = node
            continue
        if cell.kind == "input":
            nodes.append(DagBlock(cell.block_id, "input", "", variable=cell.variable))
            input_node[cell.variable] = cell.block_id
        elif cell.kind == "sql":
            nodes.append(DagBlock(cell.block_id, "sql", cell.source, cell.variable, cell.dialect))
        else:  # code, parameters, display: Python
            nodes.append(DagBlock(cell.block_id, "code", cell.code or ""))
        owner[cell.block_id] = cell.block_id
    return nodes, owner, input_node


@lru_cache(maxsize=64)
def _dag(nodes: tuple[DagBlock, ...]):
    # A version's DAG does not depend on input values (inputs are nodes of their own):
    # analysed once per process, not at every re-run.
    return build_dag(nodes)


@dataclass(frozen=True)
class RerunPlan:
    """Which cells a reactive re-run executes (in order) and which it keeps."""

    rerun: tuple[str, ...]
    skipped: tuple[str, ...]


def plan_rerun(cells: list[Cell], changed: Iterable[str]) -> RerunPlan:
    """The cells to run again when the inputs ``changed`` change, in notebook order.

    Examples:
        >>> from types import SimpleNamespace as B
        >>> from execution.forms.inputs import read_inputs
        >>> blocks = [
        ...     B(block_id="p", kind="code", variable="", metadata={"tags": ["parameters"]},
        ...       source="email = 'a'\\nlimit = 3"),
        ...     B(block_id="q", kind="code", variable="", metadata={}, source="rows = load(email)"),
        ...     B(block_id="r", kind="code", variable="", metadata={}, source="show(rows, limit)"),
        ... ]
        >>> inputs = read_inputs(blocks)
        >>> cells = build_cells(blocks, inputs, inputs.defaults())
        >>> plan_rerun(cells, {"limit"})
        RerunPlan(rerun=('p/injected-parameters', 'r'), skipped=('p', 'q'))
    """
    nodes, owner, input_node = _dag_nodes(cells)
    dag = _dag(tuple(nodes))
    chosen: set[str] = set()
    for name in changed:
        node = input_node.get(name)
        if node is None:
            continue
        chosen.add(owner[node])
        chosen.update(owner[n] for n in dag.downstream(node))
    executable = [c for c in cells if c.is_executable and not c.is_init]
    rerun = tuple(c.block_id for c in executable if c.block_id in chosen)
    skipped = tuple(c.block_id for c in executable if c.block_id not in chosen)
    return RerunPlan(rerun, skipped)
