"""The demo notebooks really run, on the runtime apps run on (a kernel through the gateway),
against a freshly seeded warehouse and compute the right numbers. Expected values are
recomputed here from the raw tables in plain Python, never read back from the tables the
notebooks wrote."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import nbformat
import pytest
import yaml

from accounts.errors import InvalidInput
from demo.notebooks import APPS, PIPELINE, WORKSPACES_DIR
from demo.seed import build_warehouse
from execution.file_runs import NotebookError, run_notebook_file

MEANINGFUL_EVENTS = {"open_notebook", "run_block", "share_notebook", "comment"}


def query(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(warehouse))
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def kept_accounts(warehouse: Path) -> dict[str, int]:
    """Normalized e-mail -> the account core.users should keep: the earliest active one."""
    rows = query(
        warehouse,
        "SELECT a.account_id, a.status, a.created_at, s.email "
        "FROM raw.accounts AS a JOIN raw.signups AS s ON s.signup_id = a.signup_id",
    )
    kept: dict[str, int] = {}
    for account_id, status, _, email in sorted(rows, key=lambda r: (r[2], r[0])):
        if status == "active":
            kept.setdefault(email.strip().lower(), account_id)
    return kept


def table_fingerprints(warehouse: Path, where: dict[str, str] | None = None) -> dict[str, tuple]:
    """Row count and an order-independent digest of every table (optionally filtered)."""
    where = where or {}
    con = duckdb.connect(str(warehouse))
    try:
        tables = con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() ORDER BY 1"
        ).fetchall()
        return {
            table: con.execute(
                "SELECT count(*), "
                "md5(coalesce(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR), '')) "
                f"FROM {table} AS t WHERE {where.get(table, 'true')}"
            ).fetchone()
            for (table,) in tables
        }
    finally:
        con.close()


@pytest.fixture
def built(demo_warehouse: Path) -> Path:
    """A warehouse after the production, then the analytics pipeline notebooks ran."""
    return demo_warehouse


def run_notebook(path: Path, *, client, **options):
    """A notebook file run in a kernel of its own, shut down once the test has read it."""
    return run_notebook_file(path, client=client, **options)


@pytest.fixture
def warehouse_copy(built: Path, tmp_path: Path) -> Path:
    """A private copy of the built warehouse for a test that changes it."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built, copy)
    return copy


def test_core_users_drops_inactive_and_duplicate_accounts(built: Path) -> None:
    kept = kept_accounts(built)
    (accounts, inactive) = query(
        built, "SELECT count(*), count(*) FILTER (WHERE status = 'inactive') FROM raw.accounts"
    )[0]
    users = query(built, "SELECT user_id, email FROM core.users")

    # The raw data must have both flaws, or this test proves nothing.
    assert inactive > 0 and accounts - inactive > len(kept)
    assert len(users) == len(kept)
    assert dict((email, user_id) for user_id, email in users) == kept


def test_core_users_carries_its_documentation_as_comments(built: Path) -> None:
    (comment,) = query(
        built,
        "SELECT comment FROM duckdb_tables() WHERE schema_name = 'core' AND table_name = 'users'",
    )[0]

    assert comment.startswith("One row per person with an active account")


def test_billing_daily_totals_match_the_raw_invoices_of_active_users(built: Path) -> None:
    kept_ids = set(kept_accounts(built).values())
    expected: dict[str, Decimal] = defaultdict(Decimal)
    expected_count = 0
    for account_id, amount, status in query(
        built, "SELECT account_id, amount_usd, status FROM raw.invoices"
    ):
        if account_id in kept_ids:
            expected[status] += amount
            expected_count += 1

    paid, refunded, open_, count, users = query(
        built,
        "SELECT sum(paid_usd), sum(refunded_usd), sum(open_usd), sum(invoice_count), "
        "count(DISTINCT user_id) FROM analytics.billing_daily",
    )[0]

    assert (paid, refunded, open_) == (expected["paid"], expected["refunded"], expected["open"])
    assert count == expected_count
    assert users <= len(kept_ids)
    (unknown,) = query(
        built,
        "SELECT count(*) FROM analytics.billing_daily "
        "WHERE user_id NOT IN (SELECT user_id FROM core.users)",
    )[0]
    assert unknown == 0


def test_weekly_active_users_counts_distinct_users_per_week(built: Path) -> None:
    kept_ids = set(kept_accounts(built).values())
    weeks: dict[Any, set[int]] = defaultdict(set)
    for account_id, event_type, occurred_at in query(
        built, "SELECT account_id, event_type, occurred_at FROM raw.events"
    ):
        if account_id in kept_ids and event_type in MEANINGFUL_EVENTS:
            monday = occurred_at.date() - timedelta(days=occurred_at.weekday())
            weeks[monday].add(account_id)

    rows = query(built, "SELECT week_start, active_users FROM analytics.weekly_active_users")

    assert len(rows) > 20
    assert dict(rows) == {week: len(users) for week, users in weeks.items()}


def test_churn_scores_has_one_score_between_0_and_1_per_user(built: Path) -> None:
    user_ids = {row[0] for row in query(built, "SELECT user_id FROM core.users")}

    rows = query(built, "SELECT user_id, churn_score, risk_band FROM analytics.churn_scores")

    assert sorted(r[0] for r in rows) == sorted(user_ids)
    assert all(0 <= score <= 1 for _, score, _ in rows)
    for _, score, band in rows:
        assert band == ("low" if score < 0.3 else "medium" if score < 0.6 else "high")
    assert len({band for _, _, band in rows}) >= 2, "a model that scores everyone alike"


def test_the_onboarding_test_compares_activation_per_variant(built: Path) -> None:
    assigned = query(
        built, "SELECT variant, count(*) FROM raw.experiment_assignments GROUP BY variant"
    )

    rows = query(
        built, "SELECT variant, users, activated, activation_rate FROM main.onboarding_ab_results"
    )

    assert {variant: users for variant, users, _, _ in rows} == dict(assigned)
    for _, users, activated, rate in rows:
        assert rate == pytest.approx(activated / users)


def test_customer_360_shows_the_customers_profile_and_billing(
    warehouse_copy: Path, demo_gateway
) -> None:
    email = "ada.lovelace@analytical.example"
    user_id = kept_accounts(warehouse_copy)[email]
    (paid,) = query(
        warehouse_copy,
        "SELECT sum(amount_usd) FROM raw.invoices WHERE account_id = ? AND status = 'paid'",
        [user_id],
    )[0]

    with run_notebook(
        WORKSPACES_DIR / "analytics/customer_360.deepnote",
        client=demo_gateway,
        warehouse=warehouse_copy,
        inputs={"customer_email": " Ada.Lovelace@analytical.example"},
    ) as run:
        assert run.value("profile.at[0, 'user_id']") == user_id
        assert run.value("lifetime_paid_usd") == float(paid)
        assert run.value("len(churn)") == 1


def test_change_plan_moves_the_workspace_and_records_the_change(
    warehouse_copy: Path, demo_gateway
) -> None:
    (workspace_id, old_plan) = query(
        warehouse_copy,
        "SELECT workspace_id, plan_id FROM raw.workspaces "
        "WHERE plan_id <> 'enterprise' AND workspace_id IN (SELECT workspace_id FROM core.users) "
        "ORDER BY workspace_id LIMIT 1",
    )[0]

    run_notebook(
        WORKSPACES_DIR / "production/apps/change_plan.deepnote",
        client=demo_gateway,
        warehouse=warehouse_copy,
        inputs={"workspace_id": str(workspace_id), "new_plan": "enterprise"},
    ).close()

    assert query(
        warehouse_copy, "SELECT plan_id FROM raw.workspaces WHERE workspace_id = ?", [workspace_id]
    ) == [("enterprise",)]
    assert query(
        warehouse_copy,
        "SELECT DISTINCT plan_id FROM core.users WHERE workspace_id = ?",
        [workspace_id],
    ) == [("enterprise",)]
    assert query(
        warehouse_copy, "SELECT workspace_id, old_plan_id, new_plan_id FROM raw.plan_changes"
    ) == [(workspace_id, old_plan, "enterprise")]


def person_keys(warehouse: Path, email: str) -> tuple[list[int], list[int]]:
    rows = query(
        warehouse,
        "SELECT a.account_id, a.signup_id FROM raw.accounts AS a "
        "JOIN raw.signups AS s ON s.signup_id = a.signup_id WHERE lower(trim(s.email)) = ?",
        [email],
    )
    return [r[0] for r in rows], [r[1] for r in rows]


def person_filters(account_ids: list[int], signup_ids: list[int], *, theirs: bool) -> dict:
    accounts = ", ".join(map(str, account_ids))
    signups = ", ".join(map(str, signup_ids))
    test = "IN" if theirs else "NOT IN"
    return {
        "raw.accounts": f"account_id {test} ({accounts})",
        "raw.signups": f"signup_id {test} ({signups})",
        "raw.events": f"account_id {test} ({accounts})",
        "raw.support_tickets": f"account_id {test} ({accounts})",
        "raw.experiment_assignments": f"account_id {test} ({accounts})",
        "raw.invoices": f"account_id {test} ({accounts})",
        "core.users": f"user_id {test} ({accounts})",
        "analytics.billing_daily": f"user_id {test} ({accounts})",
        "analytics.churn_scores": f"user_id {test} ({accounts})",
    }


def test_delete_user_removes_exactly_that_persons_rows(warehouse_copy: Path, demo_gateway) -> None:
    # A person with a duplicate account, chosen from the data rather than a persona.
    ((email,),) = query(
        warehouse_copy,
        "SELECT lower(trim(s.email)) AS email FROM raw.accounts AS a "
        "JOIN raw.signups AS s ON s.signup_id = a.signup_id "
        "GROUP BY 1 HAVING count(*) > 1 AND bool_or(a.status = 'active') ORDER BY 1 LIMIT 1",
    )
    account_ids, signup_ids = person_keys(warehouse_copy, email)
    theirs = person_filters(account_ids, signup_ids, theirs=True)
    others = person_filters(account_ids, signup_ids, theirs=False)
    theirs_before = table_fingerprints(warehouse_copy, theirs)
    others_before = table_fingerprints(warehouse_copy, others)

    with run_notebook(
        WORKSPACES_DIR / "production/apps/delete_user.ipynb",
        client=demo_gateway,
        warehouse=warehouse_copy,
        inputs={"email": email.upper(), "dry_run": False},
    ) as run:
        deleted = run.value("deleted")

    assert len(account_ids) > 1
    assert theirs_before["core.users"][0] == 1 and theirs_before["raw.events"][0] > 0
    after = table_fingerprints(warehouse_copy, theirs)
    assert all(after[table][0] == 0 for table in theirs)
    assert table_fingerprints(warehouse_copy, others) == others_before
    assert deleted == {table: theirs_before[table][0] for table in deleted}
    assert set(deleted) == set(theirs)


def test_delete_user_dry_run_changes_nothing(warehouse_copy: Path, demo_gateway) -> None:
    before = table_fingerprints(warehouse_copy)

    with run_notebook(
        WORKSPACES_DIR / "production/apps/delete_user.ipynb",
        client=demo_gateway,
        warehouse=warehouse_copy,
        inputs={"email": "grace.hopper@cobol.example"},
    ) as run:
        assert run.value("dry_run") is True
        assert run.value("deleted['raw.accounts']") == 2
    assert table_fingerprints(warehouse_copy) == before


def test_every_app_runs_with_its_default_inputs(warehouse_copy: Path, demo_gateway) -> None:
    for app in APPS:
        with run_notebook(
            WORKSPACES_DIR / app, client=demo_gateway, warehouse=warehouse_copy
        ) as run:
            assert run.results and all(result.is_ok for _, result in run.results), app


def test_an_input_the_notebook_does_not_declare_is_refused(
    warehouse_copy: Path, demo_gateway
) -> None:
    before = table_fingerprints(warehouse_copy)

    with pytest.raises(InvalidInput, match="no input named 'emial'"):
        run_notebook(
            WORKSPACES_DIR / "production/apps/delete_user.ipynb",
            client=demo_gateway,
            warehouse=warehouse_copy,
            inputs={"emial": "someone@example.com", "dry_run": False},
        )

    assert table_fingerprints(warehouse_copy) == before


def test_a_failing_block_names_the_notebook_and_the_block(
    warehouse_copy: Path, demo_gateway
) -> None:
    with pytest.raises(NotebookError, match=r"change_plan\.deepnote: block .* no workspace 999"):
        run_notebook(
            WORKSPACES_DIR / "production/apps/change_plan.deepnote",
            client=demo_gateway,
            warehouse=warehouse_copy,
            inputs={"workspace_id": "999"},
        )


def test_the_seed_is_deterministic(tmp_path: Path) -> None:
    first, second, other = (tmp_path / f"{name}.duckdb" for name in ("a", "b", "c"))
    build_warehouse(first)
    build_warehouse(second)
    build_warehouse(other, seed=8)

    assert table_fingerprints(first) == table_fingerprints(second)
    assert table_fingerprints(first)["raw.events"] != table_fingerprints(other)["raw.events"]
    assert set(table_fingerprints(first)) >= {
        "raw.signups",
        "raw.accounts",
        "raw.invoices",
        "raw.plans",
        "raw.events",
        "raw.support_tickets",
        "raw.experiment_assignments",
    }


def test_a_rebuild_replaces_the_warehouse(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    build_warehouse(warehouse)
    query(warehouse, "CREATE TABLE core.leftover AS SELECT 1 AS x")

    build_warehouse(warehouse)

    tables = query(warehouse, "SELECT schema_name || '.' || table_name FROM duckdb_tables()")
    schemas = query(warehouse, "SELECT DISTINCT schema_name FROM duckdb_schemas()")
    assert ("core.leftover",) not in tables
    assert {"raw", "core", "analytics"} <= {s for (s,) in schemas}


def test_the_demo_mixes_jupyter_deepnote_exports_and_deepnote_projects() -> None:
    files = sorted(WORKSPACES_DIR.rglob("*.ipynb")) + sorted(WORKSPACES_DIR.rglob("*.deepnote"))
    kinds: dict[str, list[str]] = defaultdict(list)
    for path in files:
        if path.suffix == ".ipynb":
            notebook = nbformat.reads(path.read_text(), as_version=nbformat.NO_CONVERT)
            nbformat.validate(notebook)
            raw = json.loads(path.read_text())
            is_deepnote = any("deepnote_cell_type" in c["metadata"] for c in raw["cells"])
            kinds["deepnote-ipynb" if is_deepnote else "jupyter"].append(path.stem)
        else:
            project = yaml.safe_load(path.read_text())["project"]
            assert [i["type"] for i in project["integrations"]] == ["duckdb"]
            kinds["deepnote"].append(path.stem)

    assert len(files) == len(PIPELINE) + len(APPS)
    assert set(kinds) == {"jupyter", "deepnote-ipynb", "deepnote"}
    assert all(len(names) >= 2 for names in kinds.values())


def test_catalog_yml_declares_only_tables_and_columns_the_notebooks_build(built: Path) -> None:
    columns: dict[str, set[str]] = defaultdict(set)
    for schema, table, column in query(
        built, "SELECT schema_name, table_name, column_name FROM duckdb_columns()"
    ):
        columns[f"{schema}.{table}"].add(column)
    declared = {}
    for workspace in ("production", "analytics"):
        catalog = yaml.safe_load((WORKSPACES_DIR / workspace / "catalog.yml").read_text())
        for table in catalog["tables"]:
            assert table["name"] not in declared, f"{table['name']} declared twice"
            declared[table["name"]] = table
            assert "@" in table["owner"]
            notebook = table.get("notebook")
            assert notebook is None or (WORKSPACES_DIR / workspace / notebook).exists()
        for asset in catalog["metrics"] + catalog.get("apps", []):
            assert (WORKSPACES_DIR / workspace / asset["notebook"]).exists()

    for name, table in declared.items():
        assert name in columns, f"catalog.yml declares {name}, which no notebook builds"
        assert {c["name"] for c in table.get("columns", [])} <= columns[name]
    assert "pii" in declared["core.users"]["tags"]
    assert {"core.users", "analytics.billing_daily", "analytics.churn_scores"} <= set(declared)
