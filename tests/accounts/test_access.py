from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import services
from accounts.access import access_object, can, forget_cached_access, role_in, visible
from accounts.errors import Forbidden, NotFound
from accounts.models import Workspace
from catalog.models import Notebook
from tests.factories import add_member, make_team, make_user, put_notebook

pytestmark = pytest.mark.django_db


def test_a_team_role_gives_its_members_that_role(team_member, workspace, notebook):
    assert role_in(team_member, workspace) == "runner"
    assert can(team_member, "run", notebook)
    assert not can(team_member, "edit", notebook)


def test_the_effective_role_is_the_higher_of_direct_and_team_roles(workspace, team):
    user = make_user("both")
    add_member(user, workspace, "editor")
    team.user_set.add(user)  # team 'support' is a runner

    assert role_in(user, workspace) == "editor"

    weak = make_user("weak")
    add_member(weak, workspace, "viewer")
    team.user_set.add(weak)
    assert role_in(weak, workspace) == "runner"


def test_a_read_only_grant_lets_a_person_view_but_not_run(notebook):
    user = make_user("reader")
    services.share_object(actor="test", obj=notebook, holder=user, level="view")

    assert can(user, "view", notebook)
    assert not can(user, "run", notebook)
    assert not can(user, "edit", notebook)
    assert not can(user, "view", notebook.workspace)


def test_a_run_grant_lets_a_person_view_and_run_but_never_edit(grantee, notebook):
    assert can(grantee, "view", notebook)
    assert can(grantee, "run", notebook)
    assert not can(grantee, "edit", notebook)
    assert not can(grantee, "admin", notebook)


def test_a_grant_to_a_team_reaches_its_members(notebook, other_workspace):
    team = make_team("auditors")
    member = make_user("amy")
    team.user_set.add(member)
    services.share_object(actor="test", obj=notebook, holder=team, level="view")

    assert can(member, "view", notebook)
    assert list(visible(member, Notebook.objects.all())) == [notebook]


def test_visible_lists_member_workspaces_team_workspaces_and_granted_objects(
    workspace, other_workspace, notebook, team
):
    other = put_notebook(other_workspace, "kpis.ipynb")
    third = put_notebook(other_workspace, "hidden.ipynb")
    user = make_user("mixed")
    services.share_object(actor="test", obj=other, holder=user, level="view")

    assert list(visible(user, Notebook.objects.all())) == [other]
    team.user_set.add(user)
    assert set(visible(user, Notebook.objects.all())) == {notebook, other}
    assert list(visible(user, Workspace.objects.all())) == [workspace]
    assert third not in visible(user, Notebook.objects.all())


def test_visible_for_run_excludes_read_only_grants_and_viewer_roles(workspace, notebook, viewer):
    reader = make_user("reader")
    services.share_object(actor="test", obj=notebook, holder=reader, level="view")

    assert list(visible(reader, Notebook.objects.all(), "run")) == []
    assert list(visible(viewer, Notebook.objects.all(), "run")) == []
    assert list(visible(viewer, Notebook.objects.all())) == [notebook]


def test_visible_is_one_query(grantee, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(visible(grantee, Notebook.objects.all()))


def test_staff_administer_every_workspace(staff, workspace, notebook):
    assert can(staff, "admin", workspace)
    assert can(staff, "edit", notebook)
    assert list(visible(staff, Notebook.objects.all())) == [notebook]


def test_anonymous_and_inactive_people_may_do_nothing(viewer, notebook):
    viewer.is_active = False
    forget_cached_access(viewer)

    assert not can(viewer, "view", notebook)
    assert not can(AnonymousUser(), "view", notebook)
    assert list(visible(AnonymousUser(), Notebook.objects.all())) == []


def test_a_missing_object_and_a_forbidden_one_raise_the_same_not_found(outsider, notebook):
    with pytest.raises(NotFound) as hidden:
        access_object(outsider, "view", Notebook.objects.all(), pk=notebook.pk)
    with pytest.raises(NotFound) as missing:
        access_object(outsider, "view", Notebook.objects.all(), pk=notebook.pk + 1000)

    assert hidden.value.message == missing.value.message


def test_a_viewer_asking_to_edit_is_forbidden_not_hidden(viewer, notebook):
    with pytest.raises(Forbidden, match="may not edit"):
        access_object(viewer, "edit", Notebook.objects.all(), pk=notebook.pk)


def test_a_grant_disappears_with_its_object(grantee, notebook):
    from guardian.models import UserObjectPermission

    notebook.delete()

    assert not UserObjectPermission.objects.filter(user=grantee).exists()


def test_the_catalog_home_lists_notebooks_shared_with_you(client, grantee, notebook):
    client.force_login(grantee)

    html = client.get("/").content.decode()

    assert "Shared with you" in html
    assert f'href="/notebooks/{notebook.pk}/"' in html


def test_nothing_outside_accounts_calls_guardian_or_has_perm():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    calls = re.compile(r"^\s*(from|import) guardian|\.has_perm\(|has_perms\(", re.M)
    skipped = {".venv", "accounts", "tests", "var", ".git", "node_modules"}
    offenders = [
        str(path.relative_to(root))
        for top in root.iterdir()
        if top.is_dir() and top.name not in skipped
        for path in top.rglob("*.py")
        if calls.search(path.read_text(errors="ignore"))
    ]

    assert offenders == []
