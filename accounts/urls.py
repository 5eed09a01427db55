from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import api
from accounts.views import audit, auth, invites, members, reviews, sharing

urlpatterns = [
    path("login/", auth.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", auth.account, name="account"),
    path("account/token/", auth.token_create, name="token-create"),
    path("account/token/revoke/", auth.token_revoke, name="token-revoke"),
    path("account/password/", auth.password_change, name="password-change"),
    path("invites/<str:token>/", invites.invite_accept, name="invite-accept"),
    path("invites/<str:token>/sign-up/", invites.invite_sign_up, name="invite-sign-up"),
    path("w/<slug:slug>/members/", members.members, name="members"),
    path("w/<slug:slug>/members/<int:pk>/role/", members.member_role, name="member-role"),
    path("w/<slug:slug>/members/<int:pk>/remove/", members.member_remove, name="member-remove"),
    path("w/<slug:slug>/teams/", members.teams, name="teams"),
    path("w/<slug:slug>/teams/<int:pk>/role/", members.team_role_change, name="team-role"),
    path("w/<slug:slug>/teams/<int:pk>/remove/", members.team_role_remove, name="team-role-remove"),
    path("teams/<int:pk>/", members.team_detail, name="team"),
    path(
        "teams/<int:pk>/members/<int:user_pk>/remove/",
        members.team_member_remove,
        name="team-member-remove",
    ),
    path("w/<slug:slug>/sharing/", sharing.grants, name="grants"),
    path("w/<slug:slug>/sharing/revoke/", sharing.grant_revoke, name="grant-revoke"),
    path("w/<slug:slug>/invites/", invites.invites, name="invites"),
    path("w/<slug:slug>/invites/<int:pk>/revoke/", invites.invite_revoke, name="invite-revoke"),
    path("w/<slug:slug>/reviews/", reviews.workspace_reviews, name="workspace-reviews"),
    path("reviews/", reviews.all_reviews, name="reviews"),
    path("reviews/<int:pk>/", reviews.review, name="review"),
    path("reviews/<int:pk>/decide/", reviews.review_decide, name="review-decide"),
    path("reviews/<int:pk>/complete/", reviews.review_complete, name="review-complete"),
    path("reviews/<int:pk>/export.csv", reviews.review_export, name="review-export"),
    path("audit/", audit.audit_log, name="audit"),
    path("audit/export.csv", audit.audit_export, name="audit-export"),
]

api_urlpatterns = [
    path("audit/", api.audit_events, name="api-audit"),
]
