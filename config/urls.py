from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.urls import api_urlpatterns as accounts_api
from catalog.urls import api_urlpatterns as catalog_api
from execution.urls import api_urlpatterns as execution_api
from lineage.urls import api_urlpatterns as lineage_api

# Under /api/ these answer JSON; pages keep Django's.
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include(accounts_api)),
    path("api/", include(catalog_api)),
    path("api/", include(lineage_api)),
    path("api/", include(execution_api)),
    path("", include("accounts.urls")),
    path("", include("catalog.urls")),
    path("", include("lineage.urls")),
    path("", include("execution.urls")),
]

if settings.OIDC_ENABLED:
    urlpatterns.insert(0, path("oidc/", include("mozilla_django_oidc.urls")))
