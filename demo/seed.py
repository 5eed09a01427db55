"""Build the demo warehouse: a DuckDB file of deterministic synthetic SaaS data.

The demo notebooks under ``demo/workspaces/`` run against this file. Only the
``raw`` schema is filled here; ``core`` and ``analytics`` exist empty because
their tables are what the notebooks produce (that is the lineage the catalog
shows).

The data has the flaws the notebooks exist to clean up: people who signed up
twice with a differently-cased e-mail (duplicate accounts), deactivated
accounts that still have invoices and events, refunded and open invoices.

Every value comes from ``random.Random(seed)`` and fixed dates, never the
clock, so two builds with the same seed hold identical rows.

Usage::

    python demo/seed.py demo/var/warehouse.duckdb [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

DEFAULT_WAREHOUSE = Path(__file__).resolve().parent / "var" / "warehouse.duckdb"

# The data covers the first half of 2024; people signed up from November 2023 on.
DATA_START = datetime(2023, 11, 1)
DATA_END = datetime(2024, 6, 30, 23, 59, 59)
EXPERIMENT_START = datetime(2024, 3, 1)
EXPERIMENT_KEY = "onboarding_checklist_v2"

N_PEOPLE = 480
N_WORKSPACES = 130
DUPLICATE_RATE = 0.07  # people who signed up a second time
INACTIVE_RATE = 0.09  # accounts deactivated before the end of the data

PLANS: tuple[tuple[str, str, Decimal, int], ...] = (
    ("free", "Free", Decimal("0.00"), 1),
    ("starter", "Starter", Decimal("29.00"), 3),
    ("pro", "Pro", Decimal("99.00"), 10),
    ("enterprise", "Enterprise", Decimal("499.00"), 50),
)
PLAN_WEIGHTS = (0.42, 0.30, 0.22, 0.06)
PLAN_PRICE = {plan_id: price for plan_id, _, price, _ in PLANS}

FIRST_NAMES = (
    "Amara", "Ben", "Chloe", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas",
    "Kemi", "Lars", "Maya", "Nikhil", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tariq",
    "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe", "Aiko", "Bruno", "Carla", "Diego",
)  # fmt: skip
LAST_NAMES = (
    "Adeyemi", "Berg", "Castro", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ito",
    "Jensen", "Kowalski", "Lopez", "Moreau", "Nakamura", "Okafor", "Petrov", "Quint", "Rossi",
    "Sato", "Tanaka", "Ueda", "Varga", "Weber", "Xu", "Yilmaz", "Zhang",
)  # fmt: skip
COMPANIES = (
    "Northwind", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne",
    "Tyrell", "Cyberdyne", "Soylent", "Acme", "Gringotts", "Monarch", "Oscorp", "Wonka",
)  # fmt: skip
COMPANY_SUFFIXES = ("Analytics", "Data", "Growth", "Finance", "Research", "Ops", "Labs")
INDUSTRIES = ("fintech", "retail", "healthcare", "media", "logistics", "education")
COUNTRIES = ("US", "GB", "DE", "FR", "IN", "BR", "JP", "NG", "CA", "PL")
COUNTRY_WEIGHTS = (0.30, 0.12, 0.11, 0.08, 0.10, 0.07, 0.06, 0.05, 0.06, 0.05)
CHANNELS = ("organic", "paid_search", "referral", "partner", "event")
CHANNEL_WEIGHTS = (0.45, 0.25, 0.18, 0.07, 0.05)
EVENT_TYPES = ("login", "open_notebook", "run_block", "share_notebook", "comment")
EVENT_WEIGHTS = (0.30, 0.30, 0.25, 0.08, 0.07)
TICKET_CATEGORIES = {
    "billing": ("Charged twice this month", "Invoice shows the wrong plan", "Refund request"),
    "bug": ("SQL block times out", "Chart does not render", "Kernel keeps restarting"),
    "how-to": ("How do I schedule a notebook?", "Sharing an app with my team", "Connect DuckDB"),
    "account": ("Cannot log in", "Merge my two accounts", "Delete my account"),
}
PRIORITIES = ("low", "normal", "high", "urgent")

# Fixed people the demo apps default to, so that running an app with its default
# inputs finds real rows: (first, last, email, workspace index, status, duplicate?).
PERSONAS: tuple[tuple[str, str, str, int, str, bool], ...] = (
    ("Ada", "Lovelace", "ada.lovelace@analytical.example", 0, "active", False),
    ("Grace", "Hopper", "grace.hopper@cobol.example", 1, "active", True),
    ("Alan", "Turing", "alan.turing@bletchley.example", 2, "inactive", False),
    ("Katherine", "Johnson", "katherine.johnson@langley.example", 0, "active", False),
)

DDL = """
CREATE SCHEMA raw;
CREATE SCHEMA core;
CREATE SCHEMA analytics;

CREATE TABLE raw.plans (
    plan_id VARCHAR PRIMARY KEY,
    plan_name VARCHAR NOT NULL,
    monthly_price_usd DECIMAL(10, 2) NOT NULL,
    seats_included INTEGER NOT NULL
);
CREATE TABLE raw.workspaces (
    workspace_id INTEGER PRIMARY KEY,
    workspace_name VARCHAR NOT NULL,
    industry VARCHAR NOT NULL,
    plan_id VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE raw.signups (
    signup_id INTEGER PRIMARY KEY,
    email VARCHAR NOT NULL,
    full_name VARCHAR NOT NULL,
    country VARCHAR NOT NULL,
    channel VARCHAR NOT NULL,
    signed_up_at TIMESTAMP NOT NULL
);
CREATE TABLE raw.accounts (
    account_id INTEGER PRIMARY KEY,
    signup_id INTEGER NOT NULL,
    workspace_id INTEGER NOT NULL,
    status VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    deactivated_at TIMESTAMP,
    last_login_at TIMESTAMP
);
CREATE TABLE raw.invoices (
    invoice_id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    workspace_id INTEGER NOT NULL,
    plan_id VARCHAR NOT NULL,
    issued_on DATE NOT NULL,
    amount_usd DECIMAL(10, 2) NOT NULL,
    status VARCHAR NOT NULL
);
CREATE TABLE raw.events (
    event_id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    event_type VARCHAR NOT NULL,
    occurred_at TIMESTAMP NOT NULL
);
CREATE TABLE raw.support_tickets (
    ticket_id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    category VARCHAR NOT NULL,
    priority VARCHAR NOT NULL,
    subject VARCHAR NOT NULL,
    csat_score INTEGER
);
CREATE TABLE raw.experiment_assignments (
    account_id INTEGER NOT NULL,
    experiment_key VARCHAR NOT NULL,
    variant VARCHAR NOT NULL,
    assigned_at TIMESTAMP NOT NULL
);
CREATE TABLE raw.plan_changes (
    workspace_id INTEGER NOT NULL,
    old_plan_id VARCHAR,
    new_plan_id VARCHAR NOT NULL,
    changed_by VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
"""


# Comments live with the tables, so DESCRIBE, duckdb_tables() and the catalog show them.
TABLE_COMMENTS = {
    "raw.plans": "Price list: one row per plan, monthly list price per seat.",
    "raw.workspaces": "Customer workspaces (companies); the plan is per workspace.",
    "raw.signups": "Sign-up form submissions, as typed by the person (e-mail not normalized).",
    "raw.accounts": "Product accounts, one per sign-up; includes deactivated and duplicates.",
    "raw.invoices": "Monthly invoices per account, from the billing system export.",
    "raw.events": "Product activity events (logins, notebook opens, block runs, shares...).",
    "raw.support_tickets": "Support desk tickets with category, priority and CSAT.",
    "raw.experiment_assignments": "A/B test assignments: which variant each account saw.",
    "raw.plan_changes": "Plan changes made through the change_plan app (audit trail).",
}
COLUMN_COMMENTS = {
    "raw.signups.email": "E-mail as typed: may differ in case or whitespace between sign-ups.",
    "raw.accounts.status": "active or inactive; inactive accounts have deactivated_at set.",
    "raw.invoices.status": "paid, refunded or open.",
}


@dataclass(frozen=True)
class _Person:
    first: str
    last: str
    email: str
    country: str
    channel: str
    workspace_id: int
    status: str
    has_duplicate: bool
    engagement: float  # weekly probability of being active


def build_warehouse(path: Path, *, seed: int = 7) -> None:
    """Create (or replace) the demo warehouse at ``path``.

    The file is built beside ``path`` and moved into place, so a reader never
    sees a half-built warehouse and a rebuild replaces the old one whole.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     build_warehouse(Path(tmp) / "w.duckdb")
        ...     con = duckdb.connect(str(Path(tmp) / "w.duckdb"))
        ...     con.execute("SELECT count(*) FROM raw.plans").fetchone()[0]
        4
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(path.name + ".building")
    _remove_database(staging)

    rows = _generate(random.Random(seed))
    con = duckdb.connect(str(staging))
    try:
        con.execute(DDL)
        for table, comment in TABLE_COMMENTS.items():
            con.execute(f"COMMENT ON TABLE {table} IS {_sql_string(comment)}")
        for column, comment in COLUMN_COMMENTS.items():
            con.execute(f"COMMENT ON COLUMN {column} IS {_sql_string(comment)}")
        for table, table_rows in rows.items():
            _insert(con, f"raw.{table}", table_rows)
        con.execute("CHECKPOINT")
    finally:
        con.close()

    _remove_database(path)
    os.replace(staging, path)


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _remove_database(path: Path) -> None:
    # A DuckDB database is the file plus, after a crash, its write-ahead log.
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
    if not rows:
        return
    schema, name = table.split(".")
    types = [
        data_type
        for (data_type,) in con.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [schema, name],
        ).fetchall()
    ]
    # One statement per table, a list parameter per column, unnested side by side:
    # binding thousands of rows one by one (executemany) costs ~20x more.
    columns = [list(column) for column in zip(*rows, strict=True)]
    select = ", ".join(f"unnest(${i}::{t}[])" for i, t in enumerate(types, start=1))
    con.execute(f"INSERT INTO {table} SELECT {select}", columns)


def _generate(rng: random.Random) -> dict[str, list[tuple[Any, ...]]]:
    """All raw rows, keyed by table name, in insertion order."""
    plans = [(plan_id, name, price, seats) for plan_id, name, price, seats in PLANS]
    workspaces = _workspaces(rng)
    plan_of = {ws[0]: ws[3] for ws in workspaces}
    created_of = {ws[0]: ws[4] for ws in workspaces}
    people = _people(rng, [ws[0] for ws in workspaces])

    signups: list[tuple[Any, ...]] = []
    accounts: list[tuple[Any, ...]] = []
    engagement: dict[int, float] = {}
    for person in people:
        earliest = max(DATA_START, created_of[person.workspace_id])
        signed_up = _random_time(rng, earliest, DATA_END - timedelta(days=10))
        spellings = [(person.email, signed_up)]
        if person.has_duplicate:
            # The second sign-up is the same person typing the address differently.
            later = signed_up + timedelta(days=rng.randint(3, 40), minutes=rng.randint(0, 600))
            spellings.append(
                (_respell(rng, person.email), min(later, DATA_END - timedelta(days=2)))
            )
        for index, (email, at) in enumerate(spellings):
            signup_id = 10_001 + len(signups)
            signups.append(
                (
                    signup_id,
                    email,
                    f"{person.first} {person.last}",
                    person.country,
                    person.channel,
                    at,
                )
            )
            status = person.status
            if index > 0 and rng.random() < 0.25:
                status = "inactive"  # some duplicates were already closed by support
            created = at + timedelta(minutes=rng.randint(1, 30))
            deactivated = None
            if status == "inactive":
                deactivated = _random_time(rng, created + timedelta(days=1), DATA_END)
            account_id = 50_001 + len(accounts)
            engagement[account_id] = person.engagement
            accounts.append(
                (account_id, signup_id, person.workspace_id, status, created, deactivated)
            )

    events, last_login = _events(rng, accounts, engagement)
    accounts_out = [(*account, last_login.get(account[0])) for account in accounts]
    assignments = _assignments(rng, accounts)
    _activate_experiment(rng, events, assignments, accounts)
    events.sort(key=lambda e: (e[2], e[0]))
    events_out = [(i + 1, account_id, kind, at) for i, (account_id, kind, at) in enumerate(events)]

    return {
        "plans": plans,
        "workspaces": workspaces,
        "signups": signups,
        "accounts": accounts_out,
        "invoices": _invoices(rng, accounts, plan_of),
        "events": events_out,
        "support_tickets": _tickets(rng, accounts),
        "experiment_assignments": assignments,
    }


def _workspaces(rng: random.Random) -> list[tuple[Any, ...]]:
    rows = []
    names: set[str] = set()
    for index in range(N_WORKSPACES):
        while True:
            name = f"{rng.choice(COMPANIES)} {rng.choice(COMPANY_SUFFIXES)}"
            if name not in names:
                break
            name = f"{name} {rng.randint(2, 9)}"
            if name not in names:
                break
        names.add(name)
        plan_id = rng.choices([p[0] for p in PLANS], PLAN_WEIGHTS)[0]
        if index < 3:
            plan_id = ("pro", "starter", "enterprise")[index]  # the personas' workspaces
        created = _random_time(rng, DATA_START - timedelta(days=400), DATA_END - timedelta(days=30))
        rows.append((1_001 + index, name, rng.choice(INDUSTRIES), plan_id, created))
    return rows


def _people(rng: random.Random, workspace_ids: list[int]) -> list[_Person]:
    people = []
    emails: set[str] = set()
    for first, last, email, ws_index, status, duplicate in PERSONAS:
        emails.add(email)
        people.append(
            _Person(
                first,
                last,
                email,
                "GB",
                "referral",
                workspace_ids[ws_index],
                status,
                duplicate,
                0.8,
            )
        )
    while len(people) < N_PEOPLE:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        domain = f"{rng.choice(COMPANIES).lower()}.example"
        email = f"{first}.{last}@{domain}".lower()
        if email in emails:
            email = f"{first}.{last}{rng.randint(2, 99)}@{domain}".lower()
        if email in emails:
            continue
        emails.add(email)
        people.append(
            _Person(
                first=first,
                last=last,
                email=email,
                country=rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0],
                channel=rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0],
                workspace_id=rng.choice(workspace_ids),
                status="inactive" if rng.random() < INACTIVE_RATE else "active",
                has_duplicate=rng.random() < DUPLICATE_RATE,
                engagement=rng.betavariate(2, 3),
            )
        )
    return people


def _respell(rng: random.Random, email: str) -> str:
    local, domain = email.split("@")
    variants = (
        f"{local.title()}@{domain}",
        f"{local}@{domain.upper()}",
        f" {email}",
        f"{email.upper()}",
        f"{local.capitalize()}@{domain} ",
    )
    return rng.choice(variants)


def _random_time(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span_s = max(int((end - start).total_seconds()), 1)
    return start + timedelta(seconds=rng.randrange(span_s))


def _events(
    rng: random.Random, accounts: list[tuple[Any, ...]], engagement: dict[int, float]
) -> tuple[list[tuple[int, str, datetime]], dict[int, datetime]]:
    events: list[tuple[int, str, datetime]] = []
    last_login: dict[int, datetime] = {}
    for account_id, _, _, _, created, deactivated in accounts:
        # Each person eventually stops using the product (churn) or is still active.
        end = deactivated or DATA_END
        if rng.random() < 0.3:
            end = min(end, _random_time(rng, created, DATA_END))
        week_start = created
        while week_start < end:
            if rng.random() < engagement[account_id]:
                for _ in range(rng.randint(1, 3)):
                    at = week_start + timedelta(seconds=rng.randrange(7 * 24 * 3600))
                    if at >= end:
                        continue
                    kind = rng.choices(EVENT_TYPES, EVENT_WEIGHTS)[0]
                    events.append((account_id, kind, at))
                    if kind == "login":
                        last_login[account_id] = max(last_login.get(account_id, at), at)
            week_start += timedelta(days=7)
    return events, last_login


def _assignments(rng: random.Random, accounts: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    rows = []
    for account_id, _, _, _, created, _ in accounts:
        if created >= EXPERIMENT_START and created < DATA_END - timedelta(days=14):
            variant = "treatment" if rng.random() < 0.5 else "control"
            rows.append((account_id, EXPERIMENT_KEY, variant, created + timedelta(seconds=5)))
    return rows


def _activate_experiment(
    rng: random.Random,
    events: list[tuple[int, str, datetime]],
    assignments: list[tuple[Any, ...]],
    accounts: list[tuple[Any, ...]],
) -> None:
    """Make activation (a block run in the first 14 days) depend on the variant.

    The onboarding checklist is built to work: treatment activates more often.
    """
    window = {a[0]: (a[3], a[3] + timedelta(days=14)) for a in assignments}
    deactivated = {a[0]: a[5] for a in accounts}
    # Drop organic first-fortnight block runs so that activation is set here alone.
    events[:] = [
        e
        for e in events
        if not (
            e[1] == "run_block" and e[0] in window and window[e[0]][0] <= e[2] < window[e[0]][1]
        )
    ]
    for account_id, _, variant, assigned_at in assignments:
        rate = 0.62 if variant == "treatment" else 0.48
        if rng.random() < rate:
            at = assigned_at + timedelta(seconds=rng.randrange(13 * 24 * 3600))
            if deactivated[account_id] is None or at < deactivated[account_id]:
                events.append((account_id, "run_block", at))


def _invoices(
    rng: random.Random, accounts: list[tuple[Any, ...]], plan_of: dict[int, str]
) -> list[tuple[Any, ...]]:
    rows = []
    for account_id, _, workspace_id, _, created, deactivated in accounts:
        plan_id = plan_of[workspace_id]
        if PLAN_PRICE[plan_id] == 0:
            continue
        end = deactivated or DATA_END
        issued = _first_of_next_month(created.date())
        # The first invoice is prorated for the part of the month after sign-up.
        prorate = Decimal(31 - min(created.day, 30)) / 31
        while issued <= end.date():
            # Extra seats and add-ons make amounts vary around the list price.
            cents = int(PLAN_PRICE[plan_id] * 100 * rng.choice((1, 1, 1, 1, 2, 3)) * prorate)
            cents += rng.choice((0, 0, 0, -500, 1500))
            prorate = Decimal(1)
            amount = Decimal(max(cents, 100)) / 100
            status = rng.choices(("paid", "refunded", "open"), (0.9, 0.04, 0.06))[0]
            rows.append(
                (70_001 + len(rows), account_id, workspace_id, plan_id, issued, amount, status)
            )
            issued = _first_of_next_month(issued)
    return rows


def _first_of_next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _tickets(rng: random.Random, accounts: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    rows = []
    for account_id, _, _, _, created, deactivated in accounts:
        for _ in range(rng.choices((0, 1, 2, 3), (0.45, 0.35, 0.15, 0.05))[0]):
            opened = _random_time(rng, created, deactivated or DATA_END)
            category = rng.choice(sorted(TICKET_CATEGORIES))
            closed = None
            csat = None
            if rng.random() < 0.85:
                closed = opened + timedelta(minutes=rng.randint(20, 6 * 24 * 60))
                if closed > DATA_END:
                    closed = None
                elif rng.random() < 0.6:
                    csat = rng.choices((1, 2, 3, 4, 5), (0.06, 0.08, 0.16, 0.35, 0.35))[0]
            rows.append(
                (
                    90_001 + len(rows),
                    account_id,
                    opened,
                    closed,
                    category,
                    rng.choices(PRIORITIES, (0.3, 0.45, 0.2, 0.05))[0],
                    rng.choice(TICKET_CATEGORIES[category]),
                    csat,
                )
            )
    rows.sort(key=lambda r: (r[2], r[0]))
    return [(90_001 + i, *row[1:]) for i, row in enumerate(rows)]


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=Path(os.environ.get("TRIBUTARY_WAREHOUSE", DEFAULT_WAREHOUSE)),
        help="DuckDB file to create or replace (default: $TRIBUTARY_WAREHOUSE or %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default: %(default)s)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    build_warehouse(args.path, seed=args.seed)
    con = duckdb.connect(str(args.path), read_only=True)
    try:
        counts = con.execute(
            "SELECT table_name, estimated_size FROM duckdb_tables() "
            "WHERE schema_name = 'raw' ORDER BY table_name"
        ).fetchall()
    finally:
        con.close()
    summary = ", ".join(f"raw.{name}: {n}" for name, n in counts)
    print(f"Built {args.path} (seed {args.seed}): {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
