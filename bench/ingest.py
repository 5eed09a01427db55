"""Ingest speed against the bare cost of reading the files and parsing their code.

    .venv/bin/python bench/ingest.py [--notebooks 1000] [FOLDER]

Prints, measured in one run:
  - full ingest / floor (json.loads of every file + ast.parse of its code cells); target <= 3x
  - first ingest / re-ingest of the unchanged folder; target >= 50x
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup_django, verdict

CODE_CELLS = [
    "import pandas as pd\nimport duckdb\ncon = duckdb.connect('warehouse.duckdb')",
    "users = con.execute('SELECT id, email, plan FROM core.users{n}').df()",
    "active = users[users['plan'] != 'free']\nactive.head()",
    "summary = active.groupby('plan').agg(total=('id', 'count'))\nsummary",
    "def score(row):\n    return row['total'] * {n} / 100\n\n"
    "summary['score'] = summary.apply(score, axis=1)",
    "con.execute('CREATE OR REPLACE TABLE analytics.report{n} AS SELECT plan, count(*) AS n "
    "FROM core.users{n} JOIN raw.invoices i ON i.user_id = core.users{n}.id GROUP BY plan')",
    "for plan, group in active.groupby('plan'):\n    print(plan, len(group))",
    "result = {{k: v for k, v in zip(summary.index, summary['total'])}}\nresult",
    "summary.to_parquet('out/summary{n}.parquet')",
]
MARKDOWN = "## Step {i}\nThis notebook builds report {n} for the finance team."


def generate(folder: Path, count: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    for n in range(count):
        cells = []
        for i in range(rng.randint(12, 24)):
            if i % 4 == 0:
                cells.append(
                    {
                        "cell_type": "markdown",
                        "id": f"m{i}",
                        "metadata": {},
                        "source": MARKDOWN.format(i=i, n=n),
                    }
                )
            else:
                code = rng.choice(CODE_CELLS).format(n=n % 50)
                cells.append(
                    {
                        "cell_type": "code",
                        "id": f"c{i}",
                        "metadata": {},
                        "source": code,
                        "outputs": [],
                        "execution_count": i,
                    }
                )
        nb = {
            "nbformat": 4,
            "nbformat_minor": 5,
            "cells": cells,
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
            },
        }
        path = folder / f"team{n % 10}" / f"notebook_{n}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(nb, indent=1))


def floor(folder: Path) -> float:
    start = time.perf_counter()
    for path in sorted(folder.rglob("*.ipynb")):
        nb = json.loads(path.read_bytes())
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "code":
                source = cell["source"]
                with contextlib.suppress(SyntaxError):
                    ast.parse("".join(source) if isinstance(source, list) else source)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?", help="a folder of notebooks (default: generated)")
    parser.add_argument("--notebooks", type=int, default=1000)
    args = parser.parse_args()

    setup_django()
    from accounts.services import ensure_workspace
    from catalog.ingest.pipeline import ingest_files
    from catalog.ingest.sources.folder import iter_folder

    folder = Path(args.folder) if args.folder else Path(tempfile.mkdtemp()) / "notebooks"
    if not args.folder:
        generate(folder, args.notebooks)
    files = len(list(folder.rglob("*.ipynb"))) + len(list(folder.rglob("*.deepnote")))

    floor(folder)  # warm the page cache, so both sides read from memory
    floor_s = min(floor(folder) for _ in range(3))

    workspace = ensure_workspace(slug="bench")
    start = time.perf_counter()
    first = ingest_files(
        actor=None, workspace=workspace, files=iter_folder(folder), source="bench", complete=True
    )
    ingest_s = time.perf_counter() - start

    again_s = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        report = ingest_files(
            actor=None,
            workspace=workspace,
            files=iter_folder(folder),
            source="bench",
            complete=True,
        )
        again_s = min(again_s, time.perf_counter() - start)
    assert report.unchanged == first.new, (report, first)

    ratio = ingest_s / floor_s
    speedup = ingest_s / again_s
    print(f"files: {files}, notebooks ingested: {first.new}, failed: {first.failed}")
    print(f"floor (json.loads + ast.parse): {floor_s * 1000:.0f} ms")
    print(f"full ingest:                    {ingest_s * 1000:.0f} ms")
    print(f"re-ingest unchanged:            {again_s * 1000:.0f} ms")
    print(f"ingest / floor = {ratio:.2f}x (target <= 3x) {verdict(ratio <= 3)}")
    print(f"first / re-ingest = {speedup:.0f}x cheaper (target >= 50x) {verdict(speedup >= 50)}")


if __name__ == "__main__":
    main()
