"""A property: whatever the workspaces, roles, teams, grants and graph, every node the
lineage API names, every search result and every impact owner is one that
``accounts.access`` allows the person to see (and its details, where details show).

Each example builds a small catalog the real way (notebooks ingested, each with SQL that
reads and writes tables of a shared warehouse), inside a savepoint rolled back after it.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import services
from accounts.access import can, can_see_details, is_signed_in
from accounts.errors import NotFound
from catalog.models import App, Notebook, Table
from catalog.search.index import index_objects
from catalog.search.query import search_assets
from catalog.urns import guarding_object
from lineage import selectors
from lineage.query import LineageQuery
from tests.factories import add_member, make_team, make_user, make_workspace
from tests.lineage.conftest import connect, put_sql

pytestmark = pytest.mark.django_db

TABLES = ("raw.t0", "raw.t1", "core.t2", "core.t3", "mart.t4")
ROLES = st.sampled_from(("viewer", "runner", "editor", "admin"))

notebook_spec = st.tuples(
    st.integers(0, 2),  # workspace
    st.lists(st.integers(0, len(TABLES) - 1), min_size=1, max_size=2, unique=True),  # reads
    st.integers(0, len(TABLES) - 1),  # writes
)
person_spec = st.fixed_dictionaries(
    {
        "roles": st.dictionaries(st.integers(0, 2), ROLES, max_size=2),
        "team": st.none() | st.integers(0, 1),
        "grants": st.lists(st.tuples(st.integers(0, 7), st.sampled_from(("view", "run")))),
    }
)
world_spec = st.fixed_dictionaries(
    {
        "notebooks": st.lists(notebook_spec, min_size=1, max_size=5),
        "teams": st.lists(st.dictionaries(st.integers(0, 2), ROLES, max_size=1), max_size=2),
        "people": st.lists(person_spec, min_size=1, max_size=3),
        "apps": st.lists(st.integers(0, 7), max_size=2, unique=True),
    }
)


def build(spec) -> tuple[list, list[Notebook]]:
    workspaces = [make_workspace(f"ws{i}") for i in range(3)]
    for ws in workspaces:
        connect(ws)
    notebooks = []
    for index, (ws, reads, writes) in enumerate(spec["notebooks"]):
        sources = ", ".join(f"(SELECT 1 FROM {TABLES[r]})" for r in reads)
        sql = f"CREATE OR REPLACE TABLE {TABLES[writes]} AS SELECT {sources} AS x"
        notebooks.append(put_sql(workspaces[ws], f"n{index}.ipynb", sql))
    for table in Table.objects.all():
        table.description = f"Secret notes of {table.workspace.slug}"
        table.owner_email = f"owner-{table.name.replace('.', '-')}@{table.workspace.slug}.io"
        table.save()
    index_objects(list(Table.objects.all()))
    for index in spec["apps"]:
        if index < len(notebooks):
            nb = notebooks[index]
            app = App.objects.create(
                workspace=nb.workspace, slug=f"app{index}", title="App", notebook=nb
            )
            index_objects([app])
    teams = []
    for index, roles in enumerate(spec["teams"]):
        team = make_team(f"team{index}")
        for ws, role in roles.items():
            services.set_team_role(actor="test", team=team, workspace=workspaces[ws], role=role)
        teams.append(team)
    people = []
    for index, person in enumerate(spec["people"]):
        user = make_user(f"person{index}")
        for ws, role in person["roles"].items():
            add_member(user, workspaces[ws], role)
        if person["team"] is not None and person["team"] < len(teams):
            teams[person["team"]].user_set.add(user)
        objects = notebooks + list(App.objects.all())
        for target, level in person["grants"]:
            if target < len(objects):
                services.share_object(actor="test", obj=objects[target], holder=user, level=level)
        people.append(user)
    people.append(make_user("nobody"))
    return people, notebooks


def allowed(user, urn: str) -> bool:
    obj = guarding_object(urn)
    return obj is not None and can(user, "view", obj)


def check_lineage(user, urns: list[str]) -> None:
    for urn in urns:
        for level in ("notebook", "block", "column"):
            if level == "column" and not urn.startswith("table:"):
                continue
            try:
                view = selectors.lineage_for(user, LineageQuery(urn, "both", 4, level))
            except NotFound:
                assert not allowed(user, urn), (user, urn, level)
                continue
            assert allowed(user, urn), (user, urn, level)
            for node in view.nodes:
                if not node.restricted:
                    assert allowed(user, node.urn), (user.username, urn, level, node.urn)
        try:
            impact = selectors.impact_for(user, urn)
        except NotFound:
            continue
        owned = Table.objects.filter(owner_email__in=impact.owners)
        for owner in impact.owners:
            assert any(can_see_details(user, t) for t in owned if t.owner_email == owner), (
                user.username,
                urn,
                owner,
            )


def check_search(user) -> None:
    for query in ("t0", "t2", "core", "secret notes", "raw t1", "n1"):
        for hit in search_assets(user, query, limit=100).hits:
            assert allowed(user, hit.urn), (user.username, query, hit.urn)
            if hit.snippet:
                assert can_see_details(user, guarding_object(hit.urn)), (user.username, hit.urn)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=world_spec)
def test_every_named_node_result_and_owner_is_one_the_policy_allows(db, spec):
    with transaction.atomic():
        selectors._cached = None  # a rolled-back example may leave the same edge stamp
        people, notebooks = build(spec)
        urns = [nb.urn for nb in notebooks] + [t.urn for t in Table.objects.all()]
        for user in people:
            assert is_signed_in(user)
            check_lineage(user, urns)
            check_search(user)
        transaction.set_rollback(True)
    selectors._cached = None
