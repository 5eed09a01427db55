"""The access matrix: every URL pattern of the project x every persona, with declared outcomes.

``EXPECTATIONS`` below is the one table. A URL pattern that is not in it fails
``test_every_url_pattern_declares_who_may_use_it``: whoever adds a URL declares
here who may use it. Outcomes are HTTP status codes, or ``LOGIN`` for a
redirect to the sign-in page.

Personas (see ``world.PERSONAS``), all around the workspace ``production``:
anonymous; outsider (admin of another workspace only); grantee (no role, one
notebook shared read-and-run); app_reader and app_runner (no role, production's app
shared read-only and read-and-run); viewer, runner, editor, admin (direct roles);
run_owner (a runner, who started the world's run); team_member (runner through team
'support'); staff.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.accounts.world import PERSONAS, World
from tests.factories import ipynb_bytes

pytestmark = pytest.mark.django_db

LOGIN = "login"

# Effective role of each persona in ``production``.
RANK = {
    "viewer": 1,
    "runner": 2,
    "run_owner": 2,
    "team_member": 2,
    "editor": 3,
    "admin": 4,
    "staff": 5,
}
ROLE_RANK = {"viewer": 1, "runner": 2, "editor": 3, "admin": 4}


def at_least(
    role: str,
    ok: int = 200,
    *,
    below: int = 403,
    outside: int = 404,
    anon: int | str = LOGIN,
    grantee: int | None = None,
) -> dict[str, int | str]:
    """``ok`` for personas with ``role`` or more in production (and staff); ``below`` for
    members with less; ``outside`` for people without a role there; ``anon`` for anonymous."""
    outcome: dict[str, int | str] = {}
    for persona in PERSONAS:
        if persona == "anonymous":
            outcome[persona] = anon
        elif persona in RANK:
            outcome[persona] = ok if RANK[persona] >= ROLE_RANK[role] else below
        elif persona == "grantee" and grantee is not None:
            outcome[persona] = grantee
        else:
            outcome[persona] = outside
    return outcome


def everyone(ok: int = 200, anon: int | str = LOGIN) -> dict[str, int | str]:
    return {p: (anon if p == "anonymous" else ok) for p in PERSONAS}


def workspace_admins(ok: int = 200, others: int = 403, anon: int | str = LOGIN):
    """Pages for anyone administering some workspace: the outsider administers 'analytics'."""
    outcome = at_least("admin", ok, below=others, outside=others, anon=anon)
    outcome["outsider"] = ok
    return outcome


def admin_objects(ok: int = 200) -> dict[str, int | str]:
    """Governance objects of production (reviews): invisible, so 404, to everyone else."""
    return at_least("admin", ok, below=404, outside=404)


@dataclass(frozen=True)
class Case:
    expect: dict[str, int | str]
    method: str = "get"
    kwargs: Callable[[World], dict] = field(default=lambda w: {})
    data: Callable[[World], dict] = field(default=lambda w: {})


def _upload(w: World) -> dict:
    return {"file": SimpleUploadedFile("new.ipynb", ipynb_bytes(("code", "y = 2")))}


slug = lambda w: {"slug": w.workspace.slug}  # noqa: E731


TABLE_URN = "table:duckdb://test/core.users"


def _kb(w: World, kind: str) -> dict:
    """A documented asset of production (made on first use): a table, metric, app, connection."""
    from tests.kb_factories import make_app, make_connection, make_metric, make_table

    make = {
        "table": lambda: make_table(w.workspace, "core.users", columns=("email",)),
        "metric": lambda: make_metric(w.workspace, "net_revenue"),
        "app": lambda: make_app(w.workspace, w.notebook, "delete-user"),
        "connection": lambda: make_connection(w.workspace),
    }
    return {"pk": make[kind]().pk}


def _job(w: World) -> int:
    """A finished ingest job of production (made on first use)."""
    from catalog.models import IngestJob

    job, _ = IngestJob.objects.get_or_create(
        workspace=w.workspace, source="folder:/srv/notebooks", defaults={"status": "succeeded"}
    )
    return job.pk


def _run(w: World) -> dict:
    """A finished run of production's app, started by the run owner (made on first use)."""
    from execution.models import Run
    from tests.execution.factories import make_finished_run

    app = _kb(w, "app")["pk"]
    run = Run.objects.filter(app_id=app).first()
    if run is None:
        from catalog.models import App

        run = make_finished_run(App.objects.get(pk=app), w.users["run_owner"])
    return {"pk": run.pk}


RUN_OWNER_AND_EDITORS = {**at_least("editor", below=404), "run_owner": 200}

# Read me first: who may use which URL.
EXPECTATIONS: dict[str, Case] = {
    # Sign-in and the account
    "login": Case(everyone(200, anon=200)),
    "logout": Case(everyone(302, anon=302), method="post"),
    "account": Case(everyone()),
    "token-create": Case(everyone(302), method="post"),
    "token-revoke": Case(everyone(302), method="post"),
    "password-change": Case(everyone()),
    # An invite link works for whoever holds it
    "invite-accept": Case(everyone(200, anon=200), kwargs=lambda w: {"token": w.invite_token}),
    # Sign-up is for people without an account: an empty form is a 400, and anyone signed
    # in is sent back to accept the invite instead.
    "invite-sign-up": Case(
        everyone(302, anon=400), method="post", kwargs=lambda w: {"token": w.invite_token}
    ),
    # Workspace administration
    "members": Case(at_least("admin"), kwargs=slug),
    "member-role": Case(
        at_least("admin", 302),
        method="post",
        kwargs=lambda w: {"slug": w.workspace.slug, "pk": w.viewer_membership.pk},
        data=lambda w: {"role": "runner"},
    ),
    "member-remove": Case(
        at_least("admin", 302),
        method="post",
        kwargs=lambda w: {"slug": w.workspace.slug, "pk": w.viewer_membership.pk},
    ),
    "teams": Case(at_least("admin"), kwargs=slug),
    "team-role": Case(
        at_least("admin", 302),
        method="post",
        kwargs=lambda w: {"slug": w.workspace.slug, "pk": w.team_role.pk},
        data=lambda w: {"role": "viewer"},
    ),
    "team-role-remove": Case(
        at_least("admin", 302),
        method="post",
        kwargs=lambda w: {"slug": w.workspace.slug, "pk": w.team_role.pk},
    ),
    "team": Case(at_least("admin", below=404), kwargs=lambda w: {"pk": w.team.pk}),
    "team-member-remove": Case(
        at_least("admin", 302, below=404),
        method="post",
        kwargs=lambda w: {"pk": w.team.pk, "user_pk": w.users["team_member"].pk},
    ),
    "grants": Case(at_least("admin"), kwargs=slug),
    "grant-revoke": Case(
        at_least("admin", 302),
        method="post",
        kwargs=slug,
        data=lambda w: {
            "object": f"catalog.notebook:{w.notebook.pk}",
            "holder": f"user:{w.users['grantee'].pk}",
        },
    ),
    "invites": Case(at_least("admin"), kwargs=slug),
    "invite-revoke": Case(
        at_least("admin", 302),
        method="post",
        kwargs=lambda w: {"slug": w.workspace.slug, "pk": w.invite.pk},
    ),
    "workspace-reviews": Case(at_least("admin"), kwargs=slug),
    "reviews": Case(workspace_admins()),
    "review": Case(admin_objects(), kwargs=lambda w: {"pk": w.review.pk}),
    "review-decide": Case(
        admin_objects(302),
        method="post",
        kwargs=lambda w: {"pk": w.review.pk},
        data=lambda w: {
            "items": [w.review.items.first().pk],
            f"decision-{w.review.items.first().pk}": "keep",
        },
    ),
    "review-complete": Case(
        admin_objects(302), method="post", kwargs=lambda w: {"pk": w.review.pk}
    ),
    "review-export": Case(admin_objects(), kwargs=lambda w: {"pk": w.review.pk}),
    "audit": Case(workspace_admins()),
    "audit-export": Case(workspace_admins()),
    "api-audit": Case(workspace_admins(anon=403)),
    # The catalog
    "home": Case(everyone()),
    "workspace": Case(at_least("viewer"), kwargs=slug),
    "notebook": Case(at_least("viewer", grantee=200), kwargs=lambda w: {"pk": w.notebook.pk}),
    "notebook-version": Case(
        at_least("viewer", grantee=200),
        kwargs=lambda w: {"pk": w.notebook.pk, "number": 1},
    ),
    "notebook-versions": Case(
        at_least("viewer", grantee=200), kwargs=lambda w: {"pk": w.notebook.pk}
    ),
    "notebook-blocks": Case(
        at_least("viewer", grantee=200), kwargs=lambda w: {"pk": w.notebook.pk}
    ),
    "notebook-version-blocks": Case(
        at_least("viewer", grantee=200),
        kwargs=lambda w: {"pk": w.notebook.pk, "number": 1},
    ),
    "api-workspaces": Case(everyone(anon=403)),
    "api-notebook-upload": Case(
        at_least("editor", 201, anon=403), method="post", kwargs=slug, data=_upload
    ),
    "api-notebooks": Case(everyone(anon=403)),
    "api-ingest-job": Case(at_least("editor", anon=403), kwargs=lambda w: {"pk": _job(w)}),
    "api-notebook": Case(
        at_least("viewer", grantee=200, anon=403), kwargs=lambda w: {"pk": w.notebook.pk}
    ),
    # The knowledge base: documented assets, their edit forms, the schema browser, search
    "asset": Case(at_least("viewer", 302), data=lambda w: _kb(w, "table") and {"urn": TABLE_URN}),
    "table": Case(at_least("viewer"), kwargs=lambda w: _kb(w, "table")),
    "table-edit": Case(at_least("editor"), kwargs=lambda w: _kb(w, "table")),
    # Moving a table needs admin of its home and of the target: production's admin is not
    # analytics' (400 naming the field, nothing moved); staff administer both.
    "table-move": Case(
        {**at_least("admin", 400), "staff": 302},
        method="post",
        kwargs=lambda w: _kb(w, "table"),
        data=lambda w: {"workspace": w.other_workspace.slug},
    ),
    "api-table-move": Case(
        {**at_least("admin", 400, anon=403), "staff": 200},
        method="post",
        kwargs=lambda w: _kb(w, "table"),
        data=lambda w: {"workspace": w.other_workspace.slug},
    ),
    "metric": Case(at_least("viewer"), kwargs=lambda w: _kb(w, "metric")),
    "metric-edit": Case(at_least("editor"), kwargs=lambda w: _kb(w, "metric")),
    "app": Case(
        {**at_least("viewer"), "app_reader": 200, "app_runner": 200},
        kwargs=lambda w: _kb(w, "app"),
    ),
    "app-edit": Case(
        {**at_least("editor"), "app_reader": 403, "app_runner": 403},
        kwargs=lambda w: _kb(w, "app"),
    ),
    "connection": Case(at_least("viewer"), kwargs=lambda w: _kb(w, "connection")),
    "search": Case(everyone(), data=lambda w: {"q": "users"}),
    "api-search": Case(everyone(anon=403), data=lambda w: {"q": "users"}),
    "api-search-suggest": Case(everyone(anon=403), data=lambda w: {"q": "us"}),
    # Lineage: the world's notebook has no edges, so it is answered alone (or 404 if hidden)
    "lineage": Case(at_least("viewer", grantee=200), data=lambda w: {"urn": w.notebook.urn}),
    "api-lineage": Case(
        at_least("viewer", grantee=200, anon=403), data=lambda w: {"urn": w.notebook.urn}
    ),
    "api-lineage-impact": Case(
        at_least("viewer", grantee=200, anon=403), data=lambda w: {"urn": w.notebook.urn}
    ),
    "api-lineage-asset": Case(
        at_least("viewer", grantee=200, anon=403), data=lambda w: {"urn": w.notebook.urn}
    ),
    # Execution: running an app needs the run action (a refusal is a 404, and audited);
    # a run is seen whole by its starter and the editors (a 404 to everyone else), and
    # cancelled by them (a finished run: 409).
    "app-run": Case(
        {**at_least("runner", below=404), "app_runner": 200}, kwargs=lambda w: _kb(w, "app")
    ),
    "run": Case(RUN_OWNER_AND_EDITORS, kwargs=_run),
    "run-download": Case(RUN_OWNER_AND_EDITORS, kwargs=_run),
    "run-cancel": Case(
        {**at_least("editor", 409, below=404), "run_owner": 409}, method="post", kwargs=_run
    ),
    "api-apps": Case(everyone(anon=403)),
    "api-app-runs": Case(
        {**at_least("runner", 400, below=404, anon=403), "app_runner": 400},
        method="post",
        kwargs=lambda w: _kb(w, "app"),
        data=lambda w: {"inputs": "not an object"},
    ),
    "api-run": Case({**RUN_OWNER_AND_EDITORS, "anonymous": 403}, kwargs=_run),
    "api-run-cancel": Case(
        {**at_least("editor", 409, below=404, anon=403), "run_owner": 409},
        method="post",
        kwargs=_run,
    ),
    # The API's description is public: it names no data.
    "api-schema": Case(everyone(200, anon=200)),
    "api-docs": Case(everyone(200, anon=200)),
}

# Patterns that exist only when configured; declared so that turning them on needs no edit.
OPTIONAL = {
    "oidc_authentication_init": Case(everyone(302, anon=302)),
    "oidc_authentication_callback": Case(everyone(302, anon=302)),
    "oidc_logout": Case(everyone(302, anon=302), method="post"),
}

# Django's own admin site guards itself (staff only) and is tested by Django.
EXCLUDED_NAMESPACES = {"admin"}


def project_patterns(resolvers=None, namespace: str = "", prefix: str = "") -> list[tuple]:
    """(namespace, name, route) of every URL pattern, walking includes recursively."""
    found = []
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += project_patterns(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            found.append((namespace.rstrip(":"), name, prefix + str(entry.pattern)))
    return found


def _checked_patterns() -> list[tuple]:
    return [
        (name, route)
        for namespace, name, route in project_patterns()
        if namespace.split(":")[0] not in EXCLUDED_NAMESPACES
    ]


def test_every_url_pattern_declares_who_may_use_it():
    patterns = _checked_patterns()
    unnamed = [route for name, route in patterns if name is None]
    undeclared = sorted(
        name for name, _ in patterns if name and name not in EXPECTATIONS and name not in OPTIONAL
    )

    assert unnamed == [], f"name these URL patterns so the matrix can declare them: {unnamed}"
    assert undeclared == [], f"declare who may use {undeclared} in EXPECTATIONS in {__file__}"


def test_every_declared_expectation_names_a_real_url_pattern():
    names = {name for name, _ in _checked_patterns()}

    assert sorted(set(EXPECTATIONS) - names) == []


def test_the_pattern_walk_descends_into_includes():
    names = {name for _, name, _ in project_patterns()}

    assert {"api-audit", "api-notebooks", "members", "home", "admin:index"} <= names


def test_every_declaration_covers_every_persona():
    for name, case in EXPECTATIONS.items():
        assert set(case.expect) == set(PERSONAS), name


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_access_matrix(client, world, name, persona):
    case = EXPECTATIONS[name]
    user = world.users[persona]
    if user is not None:
        client.force_login(user)
    url = reverse(name, kwargs=case.kwargs(world))

    response = getattr(client, case.method)(url, data=case.data(world))

    expected = case.expect[persona]
    if expected == LOGIN:
        assert response.status_code == 302, f"{name} as {persona}"
        assert response["Location"].startswith(reverse("login")), f"{name} as {persona}"
    else:
        assert response.status_code == expected, (
            f"{case.method.upper()} {url} as {persona}: "
            f"expected {expected}, got {response.status_code}"
        )
