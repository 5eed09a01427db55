"""Runtime lineage: what a run's blocks really read and wrote, and how that differs from
what the static analysis of the same blocks says.

The kernel records (``execution.kernel_observer``); at the end of a run ``COLLECT_CODE``
prints it; `record_observations` turns it into one `ObservedBlock` per step that touched
the warehouse: each statement analysed by the pure core (``table_lineage``), names resolved
as the catalog resolves them, notebook-local names left out (the notebook's DataFrames and
registered frames, and the temporary tables and views the run itself created).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlglot
from sqlglot import exp

from catalog.warehouse.tables import TableResolver, connection_for, resolve_table
from execution.gateway import ExecutionResult
from execution.models import ObservedBlock, Run, RunStep, StepStatus
from execution.program import boot_code
from lineage.analysis import table_lineage
from lineage.services import replace_observed_edges

log = logging.getLogger(__name__)

OBSERVER_SOURCE = (Path(__file__).resolve().parent / "kernel_observer.py").read_text()
MARKER = "__tributary_observed__ "
COLLECT_CODE = "__tributary_observer__.collect()"
# How the observer module gets into a kernel (after kernel_runtime's boot: it wraps the
# DuckDB connect that the runtime patched).
OBSERVER_BOOT = (
    "def __tributary_observe(source):\n"
    "    import sys, types\n"
    "    from IPython import get_ipython\n"
    "    module = sys.modules.get('_tributary_observer')\n"
    "    if module is None:\n"
    "        module = types.ModuleType('_tributary_observer')\n"
    "        exec(compile(source, '<tributary-observer>', 'exec'), module.__dict__)\n"
    "        sys.modules['_tributary_observer'] = module\n"
    "    module.install()\n"
    "    get_ipython().user_ns['__tributary_observer__'] = module\n"
    f"__tributary_observe({OBSERVER_SOURCE!r})\n"
    "del __tributary_observe\n"
)
OBSERVER_SHORT = "__tributary_observer__.install()"


def observed_boot(env: dict[str, str], *, is_short: bool = False) -> str:
    """``program.boot_code``, then the observer's start (it wraps the DuckDB ``connect``
    the runtime patches). ``is_short``: a warm kernel, which holds both modules already."""
    observer = OBSERVER_SHORT if is_short else OBSERVER_BOOT
    return boot_code(env, is_short=is_short) + "\n" + observer


DIALECTS = {"duckdb": "duckdb", "postgres": "postgres", "sqlite3": "sqlite"}
# pandas' if_exists -> the write kind.
PANDAS_KINDS = {"replace": "overwrite", "append": "insert", "fail": "create"}


def parse_collected(result: ExecutionResult | None) -> dict[int, list[dict]]:
    """Execution count -> what the cell did, from the output of ``COLLECT_CODE``."""
    if result is None or not result.is_ok:
        return {}
    for output in result.outputs:
        text = output.get("text", "") if output.get("output_type") == "stream" else ""
        if isinstance(text, list):
            text = "".join(text)
        for line in text.splitlines():
            if line.startswith(MARKER):
                try:
                    found = json.loads(line[len(MARKER) :])
                    return {int(count): list(done) for count, done in found.items()}
                except (ValueError, TypeError, AttributeError):
                    log.warning("Unreadable runtime lineage: %.200s", line)
    return {}


@dataclass
class _RunNames:
    """The names that are no warehouse table in this run."""

    local: set[str] = field(default_factory=set)

    def is_local(self, name: str) -> bool:
        # Local names are unqualified, as Python names are: raw.events is no frame `events`;
        # DuckDB names a temporary object temp.main.x.
        name = name.lower()
        return name in self.local or (name.startswith("temp.") and name.count(".") == 2)


def _temporary_created(sql: str, dialect: str | None) -> list[str]:
    try:
        statement = sqlglot.parse_one(sql, read=dialect)
    except (sqlglot.errors.SqlglotError, ValueError, RecursionError):
        return []
    if isinstance(statement, exp.Create) and statement.find(exp.TemporaryProperty):
        table = statement.find(exp.Table)
        return [table.name.lower()] if table is not None and table.name else []
    return []


def analyse_block(
    done: Sequence[dict], names: _RunNames, dialect_of: dict[str, str | None]
) -> tuple[list[str], list[list[str]]]:
    """(tables read, [table, kind] written) of one block's recorded statements, as written."""
    reads: dict[str, None] = {}
    writes: dict[str, str] = {}
    for item in done:
        text = str(item.get("text", ""))
        if item.get("kind") == "write":
            if not names.is_local(text):
                writes.setdefault(text, PANDAS_KINDS.get(str(item.get("mode")), "overwrite"))
            continue
        dialect = dialect_of.get(str(item.get("engine")))
        names.local.update(_temporary_created(text, dialect))
        found = table_lineage(text, dialect)
        for table in sorted(found.sources):
            if not names.is_local(table):
                reads.setdefault(table, None)
        # Every table changed, rows computed or not (DELETE, DROP...), with its kind.
        changed = dict(found.writes) or dict.fromkeys(found.targets, "write")
        for table in sorted(changed):
            if not names.is_local(table):
                writes.setdefault(table, str(getattr(changed[table], "value", changed[table])))
    return list(reads), [[table, kind] for table, kind in writes.items()]


def record_observations(run: Run, collected: dict[int, list[dict]], steps: Iterable[RunStep]):
    """Store what each executed step of ``run`` did (those that did nothing get no row)."""
    if not collected:
        return []
    lineage = run.version.notebook_lineage()
    names = _RunNames({name.lower() for name in lineage.local_names})
    resolve = TableResolver(connection_for(run.workspace))
    dialect_of = {engine: dialect for engine, dialect in DIALECTS.items()}
    rows = []
    for step in sorted(steps, key=lambda s: s.position):
        if step.status == StepStatus.SKIPPED or step.execution_count is None:
            continue
        done = collected.get(step.execution_count)
        if not done:
            continue
        reads, writes = analyse_block(done, names, dialect_of)
        rows.append(
            ObservedBlock(
                run=run,
                position=step.position,
                block_id=step.block_id,
                statements=list(done),
                reads=sorted({resolve(name)[1] for name in reads}),
                writes=[[resolve(table)[1], kind] for table, kind in writes],
            )
        )
    stored = ObservedBlock.objects.bulk_create(rows)
    # The lineage graph draws the newest observed run of each notebook on request.
    replace_observed_edges(run.notebook, [(r.block_id, r.reads, r.written_tables) for r in rows])
    return stored


# -- static vs observed ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BlockDifference:
    """Where a run did something the analysis of the block did not say, or the reverse."""

    block_id: str
    read_not_expected: list[str]
    written_not_expected: list[str]
    expected_not_read: list[str]
    expected_not_written: list[str]

    def __bool__(self) -> bool:
        return bool(
            self.read_not_expected
            or self.written_not_expected
            or self.expected_not_read
            or self.expected_not_written
        )


def static_tables(run: Run) -> dict[str, tuple[set[str], set[str]]]:
    """Block id -> (tables read, tables written) of the run's version, as the analysis says."""
    resolve = TableResolver(connection_for(run.workspace))
    found = {}
    for block in run.version.notebook_lineage().blocks:
        found[block.id] = (
            {resolve(name)[1] for name in block.reads if "/" not in name},
            {resolve(name)[1] for name in block.writes if "/" not in name},
        )
    return found


def differences(run: Run, observed: Sequence[ObservedBlock] | None = None) -> list[BlockDifference]:
    """Per block that ran, what the run read or wrote beyond the analysis, and what the
    analysis expected that the run did not do (only for blocks that touched the warehouse
    or that the analysis says should have)."""
    observed = list(run.observed_blocks.all()) if observed is None else list(observed)
    if not observed:
        return []
    by_block = {row.block_id: row for row in observed}
    expected = static_tables(run)
    ran = run.steps.exclude(status=StepStatus.SKIPPED).values_list("block_id", flat=True)
    result = []
    for block_id in dict.fromkeys(ran):
        row = by_block.get(block_id)
        reads, writes = (set(row.reads), set(row.written_tables)) if row else (set(), set())
        static_reads, static_writes = expected.get(block_id, (set(), set()))
        difference = BlockDifference(
            block_id,
            read_not_expected=sorted(reads - static_reads - static_writes),
            written_not_expected=sorted(writes - static_writes),
            expected_not_read=sorted(static_reads - reads - writes),
            expected_not_written=sorted(static_writes - writes),
        )
        if difference:
            result.append(difference)
    return result


def observed_tables(run: Run) -> tuple[list[str], list[str]]:
    """(tables read, tables written) by the whole run, or ([], []) when nothing observed."""
    reads: dict[str, None] = {}
    writes: dict[str, None] = {}
    for row in run.observed_blocks.all():
        reads.update(dict.fromkeys(row.reads))
        writes.update(dict.fromkeys(row.written_tables))
    return list(reads), list(writes)


def observed_kinds(run: Run, connection) -> dict[tuple[str, str], str]:
    """(namespace, table) -> what the run did to it (its first block's kind)."""
    found: dict[tuple[str, str], str] = {}
    for row in run.observed_blocks.all():
        for table, kind in row.writes:
            found.setdefault(resolve_table(table, connection), kind)
    return found
