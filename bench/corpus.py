"""A generated corpus of notebooks shaped like real public ones, for bench/ingest.py.

Real notebooks vary: a handful of cells or a hundred and fifty; markdown prose, headings
and lists; imports of the usual libraries; loading, cleaning, plotting, modelling; SQL
through ``%%sql``, ``pd.read_sql``, ``spark.sql`` and DuckDB, with joins, CTEs, window
functions, CREATE TABLE AS and INSERT; stored outputs (text, HTML tables, small images,
errors); Deepnote-exported cells; now and then a cell that does not parse. Each notebook
draws its own names, so that analysing one tells little about the next. Deterministic for
a given seed.
"""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path

LIBRARIES = [
    "import pandas as pd",
    "import numpy as np",
    "import matplotlib.pyplot as plt",
    "import seaborn as sns",
    "from sklearn.model_selection import train_test_split",
    "from sklearn.linear_model import LogisticRegression",
    "from sklearn.metrics import roc_auc_score, classification_report",
    "import duckdb",
    "from pyspark.sql import SparkSession",
    "import sqlalchemy as sa",
    "from datetime import datetime, timedelta",
    "import os, json, re",
]
WORDS = """user account order invoice event session product plan region churn revenue signup
payment refund ticket campaign click visit device country cohort feature label score daily
weekly monthly active total amount price quantity status channel source""".split()  # noqa: SIM905
SCHEMAS = ["raw", "staging", "core", "analytics", "mart", "finance", "marketing"]
# A plot as notebooks store it: a base64 PNG of some tens of kilobytes.
PNG = base64.b64encode(bytes(range(256)) * 160).decode()


def _name(rng: random.Random, parts: int = 2) -> str:
    return "_".join(rng.choice(WORDS) for _ in range(parts))


def _table(rng: random.Random) -> str:
    return f"{rng.choice(SCHEMAS)}.{_name(rng)}"


def _select(rng: random.Random) -> str:
    a, b = _table(rng), _table(rng)
    cols = ", ".join(f"a.{_name(rng, 1)}" for _ in range(rng.randint(1, 5)))
    key = _name(rng, 1)
    shape = rng.random()
    if shape < 0.3:
        return f"SELECT {cols}, count(*) AS n FROM {a} AS a GROUP BY {cols}"
    if shape < 0.6:
        return (
            f"SELECT {cols}, sum(b.{_name(rng, 1)}) AS total FROM {a} AS a "
            f"JOIN {b} AS b ON b.{key}_id = a.{key}_id WHERE a.created_at >= '2024-01-01' "
            f"GROUP BY {cols} ORDER BY total DESC LIMIT {rng.randint(10, 1000)}"
        )
    if shape < 0.8:
        return (
            f"WITH recent AS (SELECT * FROM {a} WHERE {key}_id IS NOT NULL), "
            f"ranked AS (SELECT *, row_number() OVER (PARTITION BY {key}_id ORDER BY ts DESC) "
            f"AS rn FROM recent) SELECT {key}_id, {_name(rng, 1)} FROM ranked WHERE rn = 1"
        )
    return f"SELECT * FROM {a} LIMIT 100"


def _sql_write(rng: random.Random) -> str:
    target = _table(rng)
    if rng.random() < 0.6:
        return f"CREATE OR REPLACE TABLE {target} AS {_select(rng)}"
    return f"INSERT INTO {target} {_select(rng)}"


def _code(rng: random.Random, frame: str) -> str:
    """A code cell; the mix follows public notebooks, where most cells are pandas and
    plots, and a minority reach a database (about one cell in ten)."""
    kind = rng.random()
    col = _name(rng, 1)
    if kind < 0.10:
        return "\n".join(rng.sample(LIBRARIES, rng.randint(2, 6)))
    if kind < 0.20:
        return f"{frame} = pd.read_csv('data/{_name(rng)}.csv')\n{frame}.head()"
    if kind < 0.24:
        return f"{frame} = pd.read_sql('''{_select(rng)}''', engine)\n{frame}.head()"
    if kind < 0.255:
        return f'{frame} = spark.sql("{_select(rng)}").toPandas()'
    if kind < 0.27:
        return f'con = duckdb.connect("warehouse.duckdb")\ncon.execute("""{_sql_write(rng)}""")'
    if kind < 0.285:
        return f"%%sql\n{_select(rng)}"
    if kind < 0.48:
        return (
            f"{frame}['{col}'] = {frame}['{col}'].fillna(0)\n"
            f"{frame} = {frame}[{frame}['{col}'] > {rng.randint(0, 100)}]\n"
            f"{frame}.groupby('{_name(rng, 1)}')['{col}'].agg(['mean', 'sum', 'count'])"
        )
    if kind < 0.60:
        return (
            f"fig, ax = plt.subplots(figsize=({rng.randint(6, 14)}, {rng.randint(3, 8)}))\n"
            f"{frame}.plot(x='{_name(rng, 1)}', y='{col}', ax=ax)\n"
            f"ax.set_title('{col.replace('_', ' ').title()}')\nplt.show()"
        )
    if kind < 0.68:
        args = ", ".join(_name(rng, 1) for _ in range(rng.randint(1, 3)))
        first = args.split(", ")[0]
        body = "\n".join(
            f"    {_name(rng, 1)}_{i} = {rng.choice(['len', 'sum', 'max'])}({first})"
            for i in range(rng.randint(1, 6))
        )
        return f"def {_name(rng)}({args}):\n{body}\n    return locals()"
    if kind < 0.74:
        return (
            f"X_train, X_test, y_train, y_test = train_test_split("
            f"{frame}.drop(columns=['{col}']), {frame}['{col}'], test_size=0.{rng.randint(1, 3)})\n"
            "model = LogisticRegression(max_iter=1000).fit(X_train, y_train)\n"
            "roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])"
        )
    if kind < 0.755:
        schema = rng.choice(SCHEMAS)
        return f"{frame}.to_sql('{_name(rng)}', engine, schema='{schema}', if_exists='replace')"
    if kind < 0.77:
        return f"{frame}.to_parquet('out/{_name(rng)}.parquet')"
    if kind < 0.83:
        return (
            f"for {col}, group in {frame}.groupby('{_name(rng, 1)}'):\n    print({col}, len(group))"
        )
    if kind < 0.85:
        return f"!pip install {rng.choice(['xgboost', 'lightgbm', 'plotly'])} -q"
    if kind < 0.86:
        return f"def broken({col}:\n    return {col}"  # does not parse, as some real cells
    return f"{frame}.describe()"


def _outputs(rng: random.Random) -> list[dict]:
    draw = rng.random()
    if draw < 0.45:
        return []
    if draw < 0.65:
        text = "\n".join(f"{_name(rng)}  {rng.random():.4f}" for _ in range(rng.randint(1, 30)))
        return [{"output_type": "stream", "name": "stdout", "text": text}]
    if draw < 0.85:
        rows = "".join(
            f"<tr><td>{i}</td><td>{rng.random():.3f}</td></tr>" for i in range(rng.randint(3, 40))
        )
        return [
            {
                "output_type": "execute_result",
                "execution_count": 1,
                "metadata": {},
                "data": {"text/plain": "<DataFrame>", "text/html": f"<table>{rows}</table>"},
            }
        ]
    if draw < 0.95:
        return [
            {
                "output_type": "display_data",
                "metadata": {},
                "data": {
                    "image/png": PNG[: rng.randint(len(PNG) // 8, len(PNG))],
                    "text/plain": "<Figure size 640x480 with 1 Axes>",
                },
            }
        ]
    return [
        {
            "output_type": "error",
            "ename": "KeyError",
            "evalue": f"'{_name(rng, 1)}'",
            "traceback": ["Traceback (most recent call last)", "KeyError"],
        }
    ]


def _markdown(rng: random.Random) -> str:
    kind = rng.random()
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 80)))
    if kind < 0.3:
        return f"## {_name(rng).replace('_', ' ').title()}\n\n{words.capitalize()}."
    if kind < 0.5:
        items = "\n".join(f"- {_name(rng)}: {rng.choice(WORDS)}" for _ in range(rng.randint(2, 8)))
        return f"### Notes\n\n{items}"
    if kind < 0.6:
        table = _table(rng)
        rows = "\n".join(f"| `{_name(rng, 1)}` | {rng.choice(WORDS)} |" for _ in range(4))
        return f"## `{table}`\n\n{words}\n\n| column | description |\n| --- | --- |\n{rows}"
    return words.capitalize() + "."


def notebook(rng: random.Random) -> dict:
    count = max(3, min(150, int(rng.lognormvariate(2.9, 0.7))))
    deepnote = rng.random() < 0.15
    frame = f"df_{_name(rng, 1)}"
    cells = []
    for i in range(count):
        if rng.random() < 0.3:
            cells.append(
                {"cell_type": "markdown", "id": f"m{i}", "metadata": {}, "source": _markdown(rng)}
            )
            continue
        metadata: dict = {}
        source = _code(rng, frame)
        if deepnote:
            metadata = {"deepnote_cell_type": "code", "cell_id": f"c{i}"}
            if rng.random() < 0.25:
                metadata = {
                    "deepnote_cell_type": "sql",
                    "deepnote_variable_name": f"{frame}_{i}",
                    "sql_integration_id": "warehouse",
                }
                source = _select(rng)
        cells.append(
            {
                "cell_type": "code",
                "id": f"c{i}",
                "metadata": metadata,
                "source": source,
                "outputs": _outputs(rng),
                "execution_count": i + 1,
            }
        )
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python", "version": "3.11.7"},
        },
    }


def generate(folder: Path, count: int, *, seed: int = 12) -> None:
    """``count`` notebooks under ``folder``, a few per team folder."""
    rng = random.Random(seed)
    for n in range(count):
        path = folder / f"team{n % 25}" / f"{_name(rng)}_{n}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(notebook(rng), indent=1))


def deepnote_project(count: int) -> bytes:
    """A ``.deepnote`` project of ``count`` one-line notebooks (issue 10's case)."""
    import yaml

    notebooks = [
        {
            "id": f"nb-{i}",
            "name": f"Notebook {i}",
            "executionMode": "block",
            "isModule": False,
            "blocks": [
                {
                    "id": f"b{i}",
                    "blockGroup": f"g{i}",
                    "sortingKey": "a0",
                    "type": "code",
                    "content": f"value_{i} = {i}",
                    "metadata": {},
                }
            ],
        }
        for i in range(count)
    ]
    document = {
        "version": "1.0.0",
        "metadata": {"createdAt": "2025-01-27T12:00:00Z"},
        "project": {"id": "bench", "name": "Bench", "notebooks": notebooks, "integrations": []},
    }
    return yaml.safe_dump(document, sort_keys=False).encode()
