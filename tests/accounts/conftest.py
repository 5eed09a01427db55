from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import invites, reviews, services
from tests.accounts.world import World
from tests.factories import add_member, make_team, make_user, put_notebook
from tests.kb_factories import make_app


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing is not what these tests are about; PBKDF2 would dominate their run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def runner(workspace):
    user = make_user("rita-runner")
    add_member(user, workspace, "runner")
    return user


@pytest.fixture
def team(workspace):
    """Team 'support' holds the runner role in ``workspace``."""
    return make_team("support", workspace=workspace, role="runner")


@pytest.fixture
def team_member(team):
    user = make_user("tom-team")
    team.user_set.add(user)
    return user


@pytest.fixture
def notebook(workspace):
    return put_notebook(workspace, "billing/denormalize.ipynb")


@pytest.fixture
def grantee(notebook):
    """A person with no role anywhere, with one notebook shared read-and-run."""
    user = make_user("gina-grantee")
    services.share_object(actor="system-test", obj=notebook, holder=user, level="run")
    return user


@pytest.fixture
def world(
    db,
    workspace,
    other_workspace,
    notebook,
    admin_user,
    editor,
    runner,
    viewer,
    team,
    team_member,
    grantee,
    outsider,
    staff,
) -> World:
    """Every persona around one production workspace, plus one of each governance object."""
    other_notebook = put_notebook(other_workspace, "kpis.ipynb")
    # The app of production's notebook, shared read-only with one person, read-and-run
    # with another; and a runner of production who starts the world's run.
    app = make_app(workspace, notebook, "delete-user")
    app_reader, app_runner = make_user("ada-app-reader"), make_user("arlo-app-runner")
    services.share_object(actor="system-test", obj=app, holder=app_reader, level="view")
    services.share_object(actor="system-test", obj=app, holder=app_runner, level="run")
    run_owner = make_user("owen-run-owner")
    add_member(run_owner, workspace, "runner")
    issued = invites.create_invite(actor=admin_user, workspace=workspace, role="viewer", max_uses=5)
    review = reviews.start_review(
        actor=admin_user, workspace=workspace, due_on=timezone.localdate() + timedelta(days=7)
    )
    return World(
        workspace=workspace,
        other_workspace=other_workspace,
        notebook=notebook,
        other_notebook=other_notebook,
        team=team,
        team_role=team.workspace_roles.get(workspace=workspace),
        viewer_membership=viewer.memberships.get(workspace=workspace),
        invite=issued.invite,
        invite_token=issued.token,
        review=review,
        users={
            "anonymous": None,
            "outsider": outsider,
            "grantee": grantee,
            "app_reader": app_reader,
            "app_runner": app_runner,
            "viewer": viewer,
            "runner": runner,
            "run_owner": run_owner,
            "team_member": team_member,
            "editor": editor,
            "admin": admin_user,
            "staff": staff,
        },
    )
