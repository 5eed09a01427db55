"""Run the demo notebooks against a DuckDB warehouse, without a Jupyter kernel.

A small stand-in for a kernel, good enough for the demo's own notebooks and for
tests: the blocks of one notebook, as ``catalog.formats`` reads them, run in
order in one Python namespace.

- code blocks: ``exec``; IPython syntax (magics, ``!``) is first turned into
  Python by IPython's own transformer, and a minimal ``get_ipython()`` serves
  the jupysql magics (``%sql``, ``%%sql [var <<]``) on the warehouse connection;
- SQL blocks (Deepnote): the SQL runs on the warehouse, Jinja ``{{ expr }}``
  bound as query parameters as Deepnote does, and the result is bound to the
  block's variable as a DataFrame;
- input blocks (Deepnote): their variable is bound to the value given in
  ``inputs`` or else to the block's stored value;
- a plain Jupyter cell tagged ``parameters`` runs, then ``inputs`` override its
  names (papermill's convention);
- markdown and text blocks are skipped; a big-number block evaluates its value.

Usage::

    python demo/run_notebooks.py --all                      # the whole demo, in order
    python demo/run_notebooks.py demo/workspaces/production/apps/delete_user.ipynb \\
        -p email=grace.hopper@cobol.example -p dry_run=False
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import jinja2
from IPython.core.inputtransformer2 import TransformerManager

from catalog.formats import ParsedBlock, read_notebook_file

DEMO_DIR = Path(__file__).resolve().parent
WORKSPACES_DIR = DEMO_DIR / "workspaces"
DEFAULT_WAREHOUSE = DEMO_DIR / "var" / "warehouse.duckdb"
WAREHOUSE_ENV = "TRIBUTARY_WAREHOUSE"

# Dependency order: the production pipeline, then the analytics pipeline (each
# notebook reads only raw tables or tables written before it), then the apps with
# their default inputs. delete_user defaults to a dry run, so the whole list is
# safe to run on a fresh warehouse.
PIPELINE: tuple[str, ...] = (
    "production/users/users_table.ipynb",
    "production/billing/denormalize_billing.ipynb",
    "analytics/metrics/weekly_active_users.ipynb",
    "analytics/experiments/onboarding_ab_test.ipynb",
    "analytics/models/churn_prediction.ipynb",
)
APPS: tuple[str, ...] = (
    "analytics/customer_360.deepnote",
    "production/apps/change_plan.deepnote",
    "production/apps/delete_user.ipynb",
)
DEMO_ORDER: tuple[str, ...] = PIPELINE + APPS


class NotebookError(RuntimeError):
    """A block failed; the message names the notebook and the block."""


@dataclass(frozen=True)
class BlockResult:
    """What one executed block printed and returned (the value of its last expression)."""

    block_id: str
    kind: str
    stdout: str
    value: Any


@dataclass
class NotebookRun:
    """A finished run: the namespace the blocks left behind and each block's result."""

    path: Path
    namespace: dict[str, Any]
    results: list[BlockResult]


def read_blocks(path: Path, *, notebook: str | None = None) -> list[ParsedBlock]:
    """The blocks of ``path`` to run, in order, read by ``catalog.formats``.

    For a ``.deepnote`` project, the blocks of its init notebook (if any) come
    first, as Deepnote runs it before any other, then those of ``notebook`` (by
    name; it may be omitted when the project has one other notebook).
    """
    path = Path(path)
    notebooks = read_notebook_file(path.read_bytes(), path.name)
    init = [nb for nb in notebooks if nb.metadata.get("is_init_notebook")]
    candidates = [nb for nb in notebooks if not nb.metadata.get("is_init_notebook")]
    if notebook is not None:
        candidates = [nb for nb in candidates if nb.name == notebook]
    if len(candidates) != 1:
        names = [nb.name for nb in notebooks if not nb.metadata.get("is_init_notebook")]
        raise ValueError(f"{path.name}: choose one notebook with notebook=..., among {names}")
    return [block for nb in (*init, *candidates) for block in nb.blocks]


def run_notebook(
    path: Path,
    *,
    warehouse: Path,
    inputs: Mapping[str, Any] | None = None,
    notebook: str | None = None,
) -> NotebookRun:
    """Run every block of the notebook at ``path`` against ``warehouse``.

    ``inputs`` overrides input blocks and parameters; an input name the
    notebook does not declare is an error, so a typo cannot silently run an
    app with its default (a delete, say).
    """
    path = Path(path)
    blocks = read_blocks(path, notebook=notebook)
    inputs = dict(inputs or {})
    declared = _declared_inputs(blocks)
    unknown = sorted(set(inputs) - declared)
    if unknown:
        raise ValueError(f"{path.name} has no input named {', '.join(map(repr, unknown))}")

    namespace: dict[str, Any] = {"__name__": "__main__"}
    results: list[BlockResult] = []
    with _warehouse_env(warehouse), _Session(warehouse, namespace) as session:
        for block in blocks:
            try:
                results.append(session.run_block(block, inputs))
            except Exception as error:
                raise NotebookError(
                    f"{path.name}: block {block.id} ({block.kind}) failed: "
                    f"{type(error).__name__}: {error}"
                ) from error
    return NotebookRun(path=path, namespace=namespace, results=results)


def _declared_inputs(blocks: list[ParsedBlock]) -> set[str]:
    names = {b.variable for b in blocks if b.kind == "input" and b.variable}
    for block in blocks:
        if _is_parameters(block):
            tree = ast.parse(block.source)
            names |= {
                target.id
                for node in tree.body
                if isinstance(node, ast.Assign | ast.AnnAssign)
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
                if isinstance(target, ast.Name)
            }
    return names


def _is_parameters(block: ParsedBlock) -> bool:
    return block.kind == "code" and "parameters" in block.metadata.get("tags", ())


# --- running ------------------------------------------------------------------------------


@contextlib.contextmanager
def _warehouse_env(warehouse: Path) -> Iterator[None]:
    previous = os.environ.get(WAREHOUSE_ENV)
    os.environ[WAREHOUSE_ENV] = str(warehouse)
    try:
        yield
    finally:
        if previous is None:
            del os.environ[WAREHOUSE_ENV]
        else:
            os.environ[WAREHOUSE_ENV] = previous


class _Session:
    """One notebook's kernel stand-in: a namespace, a warehouse connection, magics."""

    def __init__(self, warehouse: Path, namespace: dict[str, Any]) -> None:
        self.namespace = namespace
        self.warehouse_con = duckdb.connect(str(warehouse))
        self.sql_con = self.warehouse_con  # what %sql / %%sql use; `%sql con` switches it
        self.transformer = TransformerManager()
        namespace["get_ipython"] = lambda: self

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Like a kernel shutting down: every connection the notebook opened is closed,
        # so the next notebook (or the test) sees a released warehouse file.
        for value in list(self.namespace.values()):
            if isinstance(value, duckdb.DuckDBPyConnection):
                value.close()
        self.warehouse_con.close()

    def run_block(self, block: ParsedBlock, inputs: Mapping[str, Any]) -> BlockResult:
        stdout = io.StringIO()
        value: Any = None
        with contextlib.redirect_stdout(stdout):
            if block.kind == "code":
                value = self._run_code(block.source, name=f"<block {block.id}>")
                if _is_parameters(block):
                    self.namespace.update(inputs)
            elif block.kind == "sql":
                value = self._run_sql_block(block)
            elif block.kind == "input":
                value = self._bind_input(block, inputs)
            elif block.metadata.get("deepnote_cell_type") == "big-number":
                expression = block.metadata.get("deepnote_big_number_value")
                value = eval(expression, self.namespace) if expression else None
        return BlockResult(block.id, block.kind, stdout.getvalue(), value)

    def _run_code(self, source: str, *, name: str) -> Any:
        python = self.transformer.transform_cell(source)
        tree = ast.parse(python, filename=name)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, name, "exec"), self.namespace)
        if last is None:
            return None
        expression = ast.Expression(last.value)
        return eval(compile(expression, name, "eval"), self.namespace)

    def _run_sql_block(self, block: ParsedBlock) -> Any:
        params: list[Any] = []

        def bind(value: Any) -> str:
            params.append(value)
            return "?"

        # Deepnote renders {{ expr }} in SQL blocks as bound parameters, never as text.
        env = jinja2.Environment(finalize=bind, undefined=jinja2.StrictUndefined)
        sql = env.from_string(block.source).render(self.namespace)
        result = _fetch(self.warehouse_con.execute(sql, params or None))
        if block.variable:
            self.namespace[block.variable] = result
        return result

    def _bind_input(self, block: ParsedBlock, inputs: Mapping[str, Any]) -> Any:
        if not block.variable:
            return None
        if block.variable in inputs:
            value = inputs[block.variable]
        else:
            value = block.metadata.get("deepnote_variable_value")
        self.namespace[block.variable] = value
        return value

    # The IPython shell API that transformed code calls.

    def run_line_magic(self, name: str, line: str) -> Any:
        if name in ("load_ext", "config"):
            return None  # jupysql's setup; nothing to do without IPython
        if name == "sql":
            first = line.split(maxsplit=1)[0] if line.strip() else ""
            if isinstance(self.namespace.get(first), duckdb.DuckDBPyConnection):
                self.sql_con = self.namespace[first]  # `%sql con --alias ...`
                return None
            return _fetch(self.sql_con.execute(self._render_jupysql(line)))
        raise NotImplementedError(f"Line magic %{name} is not supported by the demo runner")

    def run_cell_magic(self, name: str, line: str, cell: str) -> Any:
        if name != "sql":
            raise NotImplementedError(f"Cell magic %%{name} is not supported by the demo runner")
        words = line.split()
        target = None
        if len(words) >= 2 and words[1] == "<<":
            target, words = words[0], words[2:]
        if words:
            raise NotImplementedError(f"%%sql options {' '.join(words)!r} are not supported")
        result = _fetch(self.sql_con.execute(self._render_jupysql(cell)))
        if target:
            self.namespace[target] = result
        return result

    def system(self, command: str) -> None:
        raise NotImplementedError(
            f"Shell escapes (!{command}) are not supported by the demo runner"
        )

    def _render_jupysql(self, sql: str) -> str:
        # jupysql substitutes {{ var }} as text (unlike Deepnote's bound parameters).
        return (
            jinja2.Environment(undefined=jinja2.StrictUndefined)
            .from_string(sql)
            .render(self.namespace)
        )


def _fetch(relation: duckdb.DuckDBPyConnection) -> Any:
    """A statement's rows as a DataFrame (jupysql's autopandas), or None if it has none."""
    if relation.description is None:
        return None
    return relation.df()


# --- command line -------------------------------------------------------------------------


def _parse_value(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text  # a bare word is a string, as papermill's -p takes it


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run demo notebooks against the warehouse.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebook files to run in order")
    parser.add_argument("--all", action="store_true", help="run the whole demo in order")
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=Path(os.environ.get(WAREHOUSE_ENV, DEFAULT_WAREHOUSE)),
        help=f"DuckDB file (default: ${WAREHOUSE_ENV} or %(default)s)",
    )
    parser.add_argument("--notebook", help="notebook name inside a .deepnote project")
    parser.add_argument(
        "-p", dest="params", action="append", default=[], metavar="NAME=VALUE", help="an input"
    )
    args = parser.parse_args(argv)
    if args.all and args.params:
        parser.error("-p applies to one notebook; it cannot be combined with --all")
    if not args.warehouse.exists():
        parser.error(f"{args.warehouse} does not exist; build it with: python demo/seed.py")
    inputs = {}
    for item in args.params:
        name, _, value = item.partition("=")
        inputs[name] = _parse_value(value)
    paths = [WORKSPACES_DIR / rel for rel in DEMO_ORDER] if args.all else args.notebooks
    if not paths:
        parser.error("give notebook files, or --all")
    for path in paths:
        run = run_notebook(path, warehouse=args.warehouse, inputs=inputs, notebook=args.notebook)
        print(f"== {path} ({len(run.results)} blocks)")
        for result in run.results:
            if result.stdout:
                print(result.stdout, end="" if result.stdout.endswith("\n") else "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
