from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import Group

from accounts.models import AccessReview, Invite, Membership, TeamMembership, Workspace
from catalog.models import Notebook

# Everyone the access matrix asks about, least access first.
PERSONAS = (
    "anonymous",
    "outsider",
    "grantee",
    "app_reader",
    "app_runner",
    "viewer",
    "runner",
    "run_owner",
    "team_member",
    "editor",
    "admin",
    "staff",
)


@dataclass
class World:
    workspace: Workspace
    other_workspace: Workspace
    notebook: Notebook
    other_notebook: Notebook
    team: Group
    team_role: TeamMembership
    viewer_membership: Membership
    invite: Invite
    invite_token: str
    review: AccessReview
    users: dict = field(default_factory=dict)
