from __future__ import annotations

from django.urls import path

from lineage import api, views

urlpatterns = [
    path("lineage/", views.lineage_page, name="lineage"),
]

api_urlpatterns = [
    path("lineage/", api.lineage, name="api-lineage"),
    path("lineage/impact/", api.impact, name="api-lineage-impact"),
    path("lineage/asset/", api.asset, name="api-lineage-asset"),
]
