"""The site's URLs with mozilla-django-oidc's, as config.urls adds them when single sign-on
is configured at start-up (tests switch it on per test)."""

from __future__ import annotations

from django.urls import include, path

from config.urls import urlpatterns as site

urlpatterns = [path("oidc/", include("mozilla_django_oidc.urls")), *site]
