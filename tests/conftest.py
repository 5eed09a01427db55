from __future__ import annotations

import pytest

from tests.factories import add_member, make_user, make_workspace


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sign-in counters and "last seen" throttles live in the cache: no test inherits them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def workspace(db):
    return make_workspace("production", name="Production")


@pytest.fixture
def other_workspace(db):
    return make_workspace("analytics", name="Analytics")


@pytest.fixture
def admin_user(workspace):
    user = make_user("alice-admin")
    add_member(user, workspace, "admin")
    return user


@pytest.fixture
def editor(workspace):
    user = make_user("erin-editor")
    add_member(user, workspace, "editor")
    return user


@pytest.fixture
def viewer(workspace):
    user = make_user("victor-viewer")
    add_member(user, workspace, "viewer")
    return user


@pytest.fixture
def outsider(other_workspace):
    """A signed-in person with a role elsewhere and none in ``workspace``."""
    user = make_user("oscar-outsider")
    add_member(user, other_workspace, "admin")
    return user


@pytest.fixture
def staff(db):
    return make_user("sam-staff", is_staff=True)
