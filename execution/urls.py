from __future__ import annotations

from django.urls import path

from execution import api, views

urlpatterns = [
    path("apps/<int:pk>/run/", views.app_run, name="app-run"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/cancel/", views.run_cancel, name="run-cancel"),
    path("runs/<int:pk>/download.ipynb", views.run_download, name="run-download"),
]

api_urlpatterns = [
    path("apps/", api.app_list, name="api-apps"),
    path("apps/<int:pk>/runs/", api.app_runs, name="api-app-runs"),
    path("runs/<int:pk>/", api.run_detail, name="api-run"),
    path("runs/<int:pk>/cancel/", api.run_cancel, name="api-run-cancel"),
]
