from __future__ import annotations

from django.urls import path

from catalog import api, views
from catalog.assets import views as asset_views
from catalog.search import views as search_views

urlpatterns = [
    path("", views.home, name="home"),
    path("w/<slug:slug>/", views.workspace, name="workspace"),
    path("notebooks/<int:pk>/", views.notebook, name="notebook"),
    path("notebooks/<int:pk>/v/<int:number>/", views.notebook, name="notebook-version"),
    path("notebooks/<int:pk>/versions/", views.versions, name="notebook-versions"),
    path("notebooks/<int:pk>/blocks/", views.notebook_blocks, name="notebook-blocks"),
    path(
        "notebooks/<int:pk>/v/<int:number>/blocks/",
        views.notebook_blocks,
        name="notebook-version-blocks",
    ),
    # The knowledge base: documented assets, their edit forms, the schema browser, search.
    path("assets/", asset_views.asset, name="asset"),
    path("tables/<int:pk>/", asset_views.table, name="table"),
    path("tables/<int:pk>/edit/", asset_views.table_edit, name="table-edit"),
    path("tables/<int:pk>/move/", asset_views.table_move, name="table-move"),
    path("metrics/<int:pk>/", asset_views.metric, name="metric"),
    path("metrics/<int:pk>/edit/", asset_views.metric_edit, name="metric-edit"),
    path("apps/<int:pk>/", asset_views.app, name="app"),
    path("apps/<int:pk>/edit/", asset_views.app_edit, name="app-edit"),
    path("connections/<int:pk>/", asset_views.connection, name="connection"),
    path("search/", search_views.search_page, name="search"),
]

api_urlpatterns = [
    path("workspaces/", api.workspace_list, name="api-workspaces"),
    path("workspaces/<slug:slug>/notebooks/", api.notebook_upload, name="api-notebook-upload"),
    path("notebooks/", api.notebook_list, name="api-notebooks"),
    path("notebooks/<int:pk>/", api.notebook_detail, name="api-notebook"),
    path("ingest-jobs/<int:pk>/", api.ingest_job, name="api-ingest-job"),
    path("search/", search_views.search_api, name="api-search"),
    path("tables/<int:pk>/move/", api.table_move, name="api-table-move"),
    path("search/suggest/", search_views.suggest_api, name="api-search-suggest"),
]
