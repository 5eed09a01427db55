from __future__ import annotations

from django.urls import path

from catalog import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("w/<slug:slug>/", views.workspace, name="workspace"),
    path("notebooks/<int:pk>/", views.notebook, name="notebook"),
    path("notebooks/<int:pk>/v/<int:number>/", views.notebook, name="notebook-version"),
    path("notebooks/<int:pk>/versions/", views.versions, name="notebook-versions"),
]

api_urlpatterns = [
    path("workspaces/", api.workspace_list, name="api-workspaces"),
    path("workspaces/<slug:slug>/notebooks/", api.notebook_upload, name="api-notebook-upload"),
    path("notebooks/", api.notebook_list, name="api-notebooks"),
    path("notebooks/<int:pk>/", api.notebook_detail, name="api-notebook"),
]
