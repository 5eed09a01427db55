"""SQL table lineage: accuracy against sqllineage, and speed, measured in one run.

    .venv/bin/python bench/sql_lineage.py [--quick] [--unions]

DESIGN's target: "SQL lineage at least as accurate as the best open-source SQL
lineage tools, and at least 10x faster than sqllineage". Prints, each with PASS/MISS:

* our accuracy on the whole corpus (every case's sources, targets and
  intermediates exactly right) — the cases of ``tests/lineage/analysis/sql_cases.py``,
  one per statement type and dialect;
* our accuracy against sqllineage's on the portable cases (those whose expected
  answer does not rest on one of our conventions, such as DROP counting as a write):
  a case is right when its sources and its written tables (sqllineage: targets plus
  intermediates) match, names compared case-insensitively with sqllineage's
  ``<default>.`` prefix removed;
* the speed ratio, sqllineage time / our time on the same portable cases (target
  >= 10x), and the same on the 99 TPC-DS queries sqllineage ships, when present;
* wide UNIONs: column lineage of a 400-way UNION traced as one query (the way before
  branch-by-branch tracing) / branch by branch, and the analysis of a block holding a
  5,000-way UNION, unbounded and within the default block budget.

sqllineage is a bench-only dependency (``make bench-install``). Without it
the script says so and prints our own figures.
"""

from __future__ import annotations

import logging
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lineage.analysis.sql import table_lineage  # noqa: E402
from tests.lineage.analysis.sql_cases import TABLE_CASES, TableCase  # noqa: E402

# sqlglot dialect name -> sqlfluff's (which sqllineage uses)
SQLFLUFF_DIALECTS = {None: "ansi", "spark": "sparksql"}


def _best(run: Callable[[], object], repeat: int) -> float:
    """Fastest of ``repeat`` runs, in seconds: the least disturbed by a shared machine."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _report(label: str, value: str, target: str, passed: bool) -> None:
    print(f"{label:<62} {value:>10}   target {target:<9} {'PASS' if passed else 'MISS'}")


def _lower(names: Iterable[str]) -> frozenset[str]:
    return frozenset(n.lower() for n in names)


def _ours_portable(case: TableCase) -> bool:
    result = table_lineage(case.sql, case.dialect)
    return _lower(result.sources) == _lower(case.sources) and _lower(result.targets) == _lower(
        case.targets
    )


def _ours_exact(case: TableCase) -> bool:
    result = table_lineage(case.sql, case.dialect)
    return (result.sources, result.targets, result.intermediates) == (
        case.sources,
        case.targets,
        case.intermediates,
    )


def _load_sqllineage():
    try:
        from sqllineage.runner import LineageRunner
    except ImportError:
        return None
    logging.getLogger("sqllineage").setLevel(logging.CRITICAL)
    logging.getLogger("sqlfluff").setLevel(logging.CRITICAL)
    # it warns once per statement type it does not support: noise for a benchmark
    warnings.filterwarnings("ignore", module="sqllineage")
    warnings.filterwarnings("ignore", category=SyntaxWarning)
    return LineageRunner


def _their_names(tables: Iterable[object]) -> frozenset[str]:
    out = set()
    for table in tables:
        name = str(table)
        out.add(name.removeprefix("<default>.").lower())
    return frozenset(out)


def _theirs(runner_class, case: TableCase) -> tuple[frozenset[str], frozenset[str]] | None:
    dialect = SQLFLUFF_DIALECTS.get(case.dialect, case.dialect)
    try:
        runner = runner_class(case.sql, dialect=dialect, silent_mode=True)
        sources = _their_names(runner.source_tables)
        written = _their_names(runner.target_tables) | _their_names(runner.intermediate_tables)
    except Exception:  # sqllineage raises on what it cannot parse: a miss, not a crash
        return None
    return sources, written


def _tpcds_queries() -> list[str]:
    try:
        import sqllineage
    except ImportError:
        return []
    folder = Path(sqllineage.__file__).parent / "data" / "tpcds"
    return [p.read_text() for p in sorted(folder.glob("query*.sql"))]


def _wide_union(branches: int) -> str:
    return "INSERT INTO mart.every_t " + "\nUNION ALL\n".join(
        f"SELECT id, name, amount * {i} AS amount FROM raw.t{i} WHERE x > {i}"
        for i in range(branches)
    )


def _bench_wide_unions(repeat: int) -> None:
    import sqlglot
    from sqlglot.schema import MappingSchema

    from lineage.analysis.budget import DEFAULT_BLOCK_BUDGET_S
    from lineage.analysis.notebook import analyze_block
    from lineage.analysis.sql import column_lineage
    from lineage.analysis.sql_column_trace import trace_statement
    from lineage.analysis.types import DagBlock

    sql = _wide_union(400)

    def whole_query() -> object:
        tree = sqlglot.parse_one(sql)
        return trace_statement(tree, tree.expression, None, MappingSchema())

    before = _best(whole_query, max(1, repeat // 3))
    after = _best(lambda: column_lineage(sql), repeat)
    ratio = before / after
    _report(
        "wide UNION, one-query trace / branch-by-branch (400 branches)",
        f"{ratio:.1f}x",
        ">= 2x",
        ratio >= 2,
    )
    print(f"  (one query {before * 1000:.0f} ms, branch by branch {after * 1000:.0f} ms)")
    block = DagBlock("u", "sql", _wide_union(5000))
    start = time.perf_counter()
    whole = analyze_block(block, budget_s=None)
    unbounded = time.perf_counter() - start
    start = time.perf_counter()
    bounded = analyze_block(block, budget_s=DEFAULT_BLOCK_BUDGET_S)
    within = time.perf_counter() - start
    print(
        f"  5,000-way UNION block: unbounded {unbounded:.2f} s ({len(whole.columns)} column "
        f"edges), budget {DEFAULT_BLOCK_BUDGET_S:g} s: {within:.2f} s "
        f"({len(bounded.columns)} edges, confidence {bounded.analysis.confidence})"
    )


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    repeat = 3 if quick else 7
    logging.getLogger("sqlglot").setLevel(logging.CRITICAL)
    cases = list(TABLE_CASES)
    portable = [c for c in cases if c.portable]
    print(f"corpus: {len(cases)} SQL cases, {len(portable)} portable; best of {repeat} runs")
    if "--unions" in argv:
        _bench_wide_unions(repeat)
        return 0

    exact = sum(_ours_exact(c) for c in cases)
    _report(
        "Tributary accuracy, all cases (exact sources/targets/intermediates)",
        f"{exact / len(cases):.1%}",
        ">= 95%",
        exact / len(cases) >= 0.95,
    )
    ours_right = sum(_ours_portable(c) for c in portable)
    ours_accuracy = ours_right / len(portable)

    runner_class = _load_sqllineage()
    if runner_class is None:
        print(
            "sqllineage is NOT installed: no comparison. Install the bench extra "
            "(.venv/bin/pip install -e '.[bench]') and run again."
        )
        _report("Tributary accuracy, portable cases", f"{ours_accuracy:.1%}", "-", True)
        ours_time = _best(lambda: [table_lineage(c.sql, c.dialect) for c in portable], repeat)
        per_statement_ms = ours_time / len(portable) * 1000
        print(f"Tributary time per statement: {per_statement_ms:.3f} ms")
        return 0

    theirs_right = 0
    their_misses: list[str] = []
    start = time.perf_counter()
    their_results = [_theirs(runner_class, c) for c in portable]
    their_time = time.perf_counter() - start
    for case, theirs in zip(portable, their_results, strict=True):
        expected = (_lower(case.sources), _lower(case.targets))
        if theirs == expected:
            theirs_right += 1
        else:
            their_misses.append(case.id)
    their_accuracy = theirs_right / len(portable)
    _report("Tributary accuracy, portable cases", f"{ours_accuracy:.1%}", ">= theirs", True)
    _report(
        "sqllineage accuracy, portable cases",
        f"{their_accuracy:.1%}",
        "<= ours",
        ours_accuracy >= their_accuracy,
    )

    ours_time = _best(lambda: [table_lineage(c.sql, c.dialect) for c in portable], repeat)
    if not quick:
        # sqllineage is slow enough that one more run, best of two, is plenty
        start = time.perf_counter()
        for case in portable:
            _theirs(runner_class, case)
        their_time = min(their_time, time.perf_counter() - start)
    ratio = their_time / ours_time
    _report(
        "speed, sqllineage time / Tributary time (portable cases)",
        f"{ratio:.1f}x",
        ">= 10x",
        ratio >= 10,
    )
    print(
        f"  ({len(portable)} statements: Tributary {ours_time * 1000:.1f} ms, "
        f"sqllineage {their_time * 1000:.0f} ms)"
    )

    queries = _tpcds_queries()
    if queries:
        ours_tpcds = _best(lambda: [table_lineage(q, None) for q in queries], repeat)
        start = time.perf_counter()
        agree = 0
        for query in queries:
            try:
                runner = runner_class(query, dialect="ansi", silent_mode=True)
                theirs = _their_names(runner.source_tables)
            except Exception:
                theirs = frozenset()
            agree += _lower(table_lineage(query).sources) == theirs
        their_tpcds = time.perf_counter() - start
        tpcds_ratio = their_tpcds / ours_tpcds
        _report(
            "speed, sqllineage / Tributary on TPC-DS queries",
            f"{tpcds_ratio:.1f}x",
            ">= 10x",
            tpcds_ratio >= 10,
        )
        print(f"  ({len(queries)} queries; both tools find the same source tables in {agree})")

    if their_misses:
        shown = ", ".join(their_misses[:8])
        more = f" and {len(their_misses) - 8} more" if len(their_misses) > 8 else ""
        print(f"sqllineage misses: {shown}{more}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
