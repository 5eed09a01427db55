"""Search latency at scale and relevance over the demo, on PostgreSQL and SQLite.

    .venv/bin/python bench/search.py                       # both databases
    .venv/bin/python bench/search.py --only sqlite --assets 10000
    .venv/bin/python bench/search.py --database tributary_searchbench   # a PG name of its own

For each database, in one run: a fresh database, N generated assets put in the search
index (tables, columns, metrics, apps, notebooks spread over 20 workspaces, written
straight into the index: this measures the query, not ingest), a viewer who belongs to
half of the workspaces, then the p50 and p95 latency of typical queries through
`search_assets` (permission filter, ranking, snippets, everything the API does) beside
a bare ILIKE scan of the same rows with the same permission filter. Before that, the
demo is loaded alone and the relevance set (bench/search_relevance.yml) gives its mean
reciprocal rank.

PostgreSQL: DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432), in a
throwaway database that is dropped afterwards. Target: p95 < 50 ms at 100,000 assets.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, setup_django, verdict

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "tributary_bench_search"
TARGET_P95_MS = {100_000: 50.0, 1_000_000: 100.0}
TARGET_AUTOCOMPLETE_P95_MS = 30.0
TARGET_MRR = 0.95
AUTOCOMPLETE_AT_MOST = 100_000  # autocomplete is measured (and targeted) at 100,000
QUERIES = (
    "billing",
    "weekly active users",
    "customer churn",
    "revenue daily",
    "invoice status paid",
    "user email",
    "orders_2024",
    "wau",
    "custmer",
    "ab test",
    "support tickets priority",
    "subscription plan changes",
    "paid invoices",
)
REPEATS = 15

WORDS = (  # noqa: SIM905  (a paragraph reads better than 140 quoted words)
    "account accounts active activation address amount analytics annual app attribution audit "
    "balance basket billing booking browser budget campaign cancel cart category channel "
    "checkout churn city click cohort comment company contract conversion cost country coupon "
    "credit currency customer daily dashboard date delivery device discount domain duplicate "
    "email engagement event events experiment export feature finance first forecast funnel "
    "growth inventory invoice invoices item journey kpi language last latency lead lifetime "
    "location login margin marketing merchant metric model monthly net notebook onboarding "
    "order orders page partner payment payments person pipeline plan plans price product "
    "profile purchase quarter rank rate referral refund region renewal report retention "
    "revenue risk sale sales score seat segment session share shipment signup source status "
    "store subscription supplier support survey target tax team ticket tickets total traffic "
    "trial usage user users vendor visit warehouse weekly workspace yearly"
).split()
# Words are drawn Zipf-like from a vocabulary of the domain words above and 3,000 made-up
# identifiers (product, team and system names), the domain words at random ranks: a
# catalog's texts share a few words often and most words rarely. "matches per query" in
# the output shows how selective each query is on the generated data.
_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "nu",
    "pe",
    "ra",
    "si",
    "to",
    "vu",
    "ze",
    "bal",
    "cor",
    "dex",
    "fin",
    "gal",
    "hub",
    "ion",
    "jet",
    "kor",
    "lum",
]


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    if os.environ.get("BENCH_SEARCH_UNIFORM") == "1":
        # The harsh case: 140 domain words, uniformly; a common word is in ~25% of assets.
        return list(WORDS), [1.0] * len(WORDS)
    made_up = set()
    while len(made_up) < 3000:
        made_up.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))))
    vocabulary = sorted(made_up) + list(WORDS)
    rng.shuffle(vocabulary)
    return vocabulary, [1.0 / rank for rank in range(1, len(vocabulary) + 1)]


SCHEMAS = ("raw", "core", "staging", "analytics", "mart", "finance", "growth", "ops")
KINDS = (("table", 0.45), ("column", 0.35), ("notebook", 0.1), ("metric", 0.06), ("app", 0.04))


def _text(rng: random.Random, n: int, vocabulary) -> str:
    return " ".join(rng.choices(vocabulary[0], vocabulary[1], k=n))


def _documents(count: int, workspace_ids: list[int], rng: random.Random):
    """``count`` generated index rows, as dicts of SearchDocument's columns."""
    from catalog.search.index import KIND_OFFSETS, _boost, _keys, words

    vocabulary = _vocabulary(rng)
    kinds, weights = zip(*KINDS, strict=True)
    for index in range(count):
        kind = rng.choices(kinds, weights)[0]
        base = "_".join(rng.sample(WORDS, rng.randint(1, 3)))
        year = rng.choice(("", "_2023", "_2024", f"_{index % 97}"))
        name = f"{rng.choice(SCHEMAS)}.{base}{year}"
        if kind == "column":
            name = f"{name}.{rng.choice(WORDS)}_{rng.choice(WORDS)}"
        popularity = int(rng.paretovariate(1.5)) - 1 if kind != "column" else 0
        description = _text(rng, rng.randint(8, 30), vocabulary)
        yield {
            "urn": f"{kind}:bench/{index}/{name}",
            "kind": kind,
            "object_id": index + 1,
            "workspace_id": rng.choice(workspace_ids),
            "name": name,
            "url": f"/bench/{index}/",
            "name_text": f"{name} {words(name)}",
            "doc_text": description,
            "columns_text": _text(rng, rng.randint(0, 40), vocabulary) if kind == "table" else "",
            "body": _text(rng, rng.randint(20, 120), vocabulary) if kind == "notebook" else "",
            "summary": description,
            "keys": _keys(name, name.rsplit(".", 1)[-1]),
            "owner": f"{rng.choice(WORDS)}@example.com",
            "tags": f" {rng.choice(WORDS)} {rng.choice(WORDS)} ",
            "popularity": popularity,
            "boost": _boost(popularity) + KIND_OFFSETS.get(kind, 0.0),
        }


_FIELDS = [
    *("urn", "kind", "object_id", "workspace_id", "name", "url", "name_text", "doc_text"),
    *("columns_text", "body", "summary", "keys", "owner", "tags", "popularity", "boost"),
]


def _copy_postgres(rows) -> None:
    """COPY the rows in with the index triggers off, then fill the full-text table and its
    vocabulary in one statement each, as the triggers would have (migration 0011)."""
    import importlib

    from django.db import connection

    vector = importlib.import_module("catalog.migrations.0011_search_summary_asset_views")
    expression = vector._PG_VECTOR.replace("NEW.", "d.")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE catalog_searchdocument DISABLE TRIGGER USER")
        columns = ", ".join(_FIELDS)
        raw = cursor.cursor
        with raw.copy(f"COPY catalog_searchdocument ({columns}, updated_at) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[f] for f in _FIELDS] + ["2026-12-03T00:00:00Z"])
        cursor.execute("ALTER TABLE catalog_searchdocument ENABLE TRIGGER USER")
        cursor.execute(
            "INSERT INTO catalog_search_pg (id, workspace_id, kind, object_id, owner, tags, "
            "keys, boost, name, name_text, search_vector) "
            "SELECT d.id, d.workspace_id, d.kind, d.object_id, d.owner, d.tags, d.keys, "
            f"d.boost, d.name, d.name_text, {expression} FROM catalog_searchdocument AS d "
            "ON CONFLICT (id) DO NOTHING"
        )
        cursor.execute(
            "INSERT INTO catalog_search_lexeme (lexeme) SELECT DISTINCT l.lexeme "
            "FROM catalog_search_pg, unnest(tsvector_to_array(search_vector)) AS l(lexeme) "
            "ON CONFLICT DO NOTHING"
        )
        cursor.execute("ANALYZE catalog_searchdocument")
        cursor.execute("ANALYZE catalog_search_pg")
        cursor.execute("ANALYZE catalog_search_lexeme")


def generate(count: int, seed: int = 5) -> int:
    """``count`` index rows over 20 workspaces, and a viewer of half of them."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from accounts.models import Membership, Workspace
    from catalog.models import SearchDocument

    rng = random.Random(seed)
    workspaces = [Workspace.objects.create(slug=f"ws-{i}", name=f"Team {i}") for i in range(20)]
    viewer = get_user_model().objects.create_user("bench-viewer")
    for workspace in workspaces[::2]:
        Membership.objects.create(user=viewer, workspace=workspace, role="viewer")
    rows = _documents(count, [w.pk for w in workspaces], rng)
    if connection.vendor == "postgresql":
        _copy_postgres(rows)
        return viewer.pk
    batch = []
    for row in rows:
        batch.append(SearchDocument(**row))
        if len(batch) == 5000:
            SearchDocument.objects.bulk_create(batch)
            batch = []
    SearchDocument.objects.bulk_create(batch)
    return viewer.pk


def ilike_scan(user, query: str, limit: int = 20) -> tuple[list, int]:
    """The bare alternative: every word somewhere in the text, case-insensitively."""
    from django.db.models import Q

    from catalog.models import SearchDocument
    from catalog.search.query import index_visibility, tokenize

    rows = SearchDocument.objects.filter(index_visibility(user))
    for word in tokenize(query):
        rows = rows.filter(
            Q(name_text__icontains=word)
            | Q(doc_text__icontains=word)
            | Q(columns_text__icontains=word)
            | Q(body__icontains=word)
        )
    return list(rows.order_by("-popularity", "name").values_list("urn", flat=True)[:limit]), (
        rows.count()
    )


def _percentiles(samples_s: list[float]) -> tuple[float, float]:
    samples = sorted(s * 1000 for s in samples_s)
    p50 = statistics.median(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return p50, p95


def prefix_scan(user, typed: str, limit: int = 8) -> list:
    """The bare alternative to autocomplete: names containing what was typed."""
    from catalog.models import SearchDocument
    from catalog.search.query import index_visibility

    rows = SearchDocument.objects.filter(index_visibility(user), name__icontains=typed.strip())
    return list(rows.order_by("-popularity", "name").values_list("urn", flat=True)[:limit])


def measure_autocomplete(user) -> dict:
    """What the header's box asks while a person types each query, letter by letter from
    the third, beside the bare name scan."""
    from catalog.search.selectors import suggest_assets

    typed = sorted({q[:n] for q in QUERIES for n in range(3, len(q) + 1, 3)})
    for text in typed[:10]:
        suggest_assets(user, text)
        prefix_scan(user, text)
    ours, bare = [], []
    for _ in range(max(1, REPEATS // 3)):
        for text in typed:
            start = time.perf_counter()
            suggest_assets(user, text)
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            prefix_scan(user, text)
            bare.append(time.perf_counter() - start)
    return {"suggest": _percentiles(ours), "prefix": _percentiles(bare), "typed": len(typed)}


def measure(user, repeats: int = REPEATS) -> dict:
    from django.db import reset_queries

    from catalog.search.query import search_assets

    fts, ilike, counts, per_query = [], [], {}, {}
    for query in QUERIES:  # warm both paths (plans, caches) before timing
        search_assets(user, query)
        ilike_scan(user, query)
    for _ in range(repeats):
        for query in QUERIES:
            start = time.perf_counter()
            results = search_assets(user, query)
            fts.append(time.perf_counter() - start)
            per_query.setdefault(query, []).append(fts[-1])
            counts[query] = results.count
            start = time.perf_counter()
            ilike_scan(user, query)
            ilike.append(time.perf_counter() - start)
            reset_queries()
    slowest = sorted(
        ((q, statistics.median(t) * 1000) for q, t in per_query.items()), key=lambda x: -x[1]
    )[:4]
    return {
        "fts": _percentiles(fts),
        "ilike": _percentiles(ilike),
        "counts": counts,
        "slowest": slowest,
    }


def relevance() -> dict:
    from io import StringIO

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from catalog.search.quality import judge, load_cases, mean_reciprocal_rank, share_first

    settings.DEMO_WAREHOUSE_PATH = Path(os.environ["TRIBUTARY_VAR_DIR"]) / "warehouse.duckdb"
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    staff = get_user_model().objects.create_user("bench-staff", is_staff=True)
    judged = judge(staff, load_cases())
    return {
        "mrr": mean_reciprocal_rank(judged),
        "first": share_first(judged),
        "queries": len(judged),
        "misses": [(j.query, j.rank, j.top) for j in judged if j.rank != 1],
    }


def run_one(backend: str, assets: int, database: str = PG_DATABASE) -> dict:
    """In a process of its own: one database, generated, measured, demo relevance."""
    if backend == "postgresql":
        import psycopg

        server = os.environ.get("DATABASE_URL", f"{PG_SERVER}/postgres").rsplit("/", 1)[0]
        admin = psycopg.connect(f"{server}/postgres", autocommit=True)
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {database}")
        setup_django(f"{server}/{database}")
    else:
        setup_django(None)
    from django.contrib.auth import get_user_model
    from django.db import connection

    quality = relevance()  # on the demo alone, before the generated assets crowd it
    start = time.perf_counter()
    viewer = get_user_model().objects.get(pk=generate(assets))
    build_s = time.perf_counter() - start
    # At a million rows each bare scan takes seconds: fewer rounds keep the run in minutes.
    result = measure(viewer, REPEATS if assets <= 100_000 else 5)
    if assets <= AUTOCOMPLETE_AT_MOST:
        result["autocomplete"] = measure_autocomplete(viewer)
    result.update(backend=backend, assets=assets, build_s=build_s, relevance=quality)
    connection.close()
    if backend == "postgresql":
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    return result


def report(result: dict) -> None:
    fts_p50, fts_p95 = result["fts"]
    ilike_p50, ilike_p95 = result["ilike"]
    name, assets, build_s = result["backend"], result["assets"], result["build_s"]
    print(f"== {name}: {assets:,} assets (indexed in {build_s:.1f} s)")
    print(f"   search_assets  p50 {fts_p50:7.1f} ms   p95 {fts_p95:7.1f} ms")
    print(f"   bare ILIKE     p50 {ilike_p50:7.1f} ms   p95 {ilike_p95:7.1f} ms")
    print(f"   ILIKE / search at p95 = {ilike_p95 / fts_p95:.1f}x")
    target = TARGET_P95_MS.get(assets)
    if target:
        ok = fts_p95 < target
        print(f"   p95 {fts_p95:.1f} ms (target < {target:.0f} ms at {assets:,}) {verdict(ok)}")
    if "autocomplete" in result:
        auto = result["autocomplete"]
        (a50, a95), (b50, b95) = auto["suggest"], auto["prefix"]
        ok = a95 < TARGET_AUTOCOMPLETE_P95_MS
        print(
            f"   autocomplete   p50 {a50:7.1f} ms   p95 {a95:7.1f} ms ({auto['typed']} prefixes;"
            f" target p95 < {TARGET_AUTOCOMPLETE_P95_MS:.0f} ms) {verdict(ok)}"
        )
        print(f"   bare name ILIKE p50 {b50:6.1f} ms   p95 {b95:7.1f} ms")
    counts = ", ".join(f"{q!r}: {n}" for q, n in result["counts"].items())
    print(f"   matches per query: {counts}")
    slowest = ", ".join(f"{q!r} {ms:.0f} ms" for q, ms in result["slowest"])
    print(f"   slowest queries (median): {slowest}")
    quality = result["relevance"]
    ok = quality["mrr"] >= TARGET_MRR
    print(
        f"   relevance over the demo ({quality['queries']} queries, bench/search_relevance.yml):"
        f" MRR {quality['mrr']:.3f}, right first result {quality['first']:.1%}"
        f" (target MRR >= {TARGET_MRR}) {verdict(ok)}"
    )
    for query, rank, top in quality["misses"]:
        print(f"     {query!r}: expected at rank {rank or '-'}, first was {top}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("postgresql", "sqlite"))
    parser.add_argument(
        "--assets",
        type=int,
        action="append",
        help="repeatable; default: 100000 and 1000000 on PostgreSQL, 100000 on SQLite",
    )
    parser.add_argument(
        "--uniform",
        action="store_true",
        help="draw texts uniformly from 140 domain words (every word very common)",
    )
    parser.add_argument(
        "--database",
        default=PG_DATABASE,
        help=f"the throwaway PostgreSQL database (default {PG_DATABASE}); dropped afterwards",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.only, args.assets[0], args.database)))
        return 0
    if args.uniform:
        os.environ["BENCH_SEARCH_UNIFORM"] = "1"
    runs = [
        (backend, assets)
        for backend in ((args.only,) if args.only else ("postgresql", "sqlite"))
        for assets in args.assets
        or ((100_000, 1_000_000) if backend == "postgresql" else (100_000,))
    ]
    for backend, assets in runs:
        child = subprocess.run(
            [
                *(sys.executable, __file__, "--child", "--only", backend),
                *("--assets", str(assets), "--database", args.database),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            print(f"== {backend}: failed\n{child.stderr[-3000:]}")
            return 1
        report(json.loads(child.stdout.strip().splitlines()[-1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
