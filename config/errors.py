"""Domain errors become HTTP responses here, and nowhere else.

Under ``/api/`` every error is a JSON object (see `accounts.schema.ErrorSerializer`):
``{"error": ..., "field": ...}`` for ours, ``{"detail": ...}`` for DRF's (authentication,
unknown methods); refusals, unknown routes, wrong methods and crashes alike. Pages
get a clear HTML page. The technical 500 page (``DEBUG=True``) masks secrets and every URL
that carries credentials.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.debug import SafeExceptionReporterFilter
from rest_framework.views import exception_handler

from accounts.errors import DomainError
from accounts.text import printable, printable_text

API_PREFIX = "/api/"
_REASONS = {
    400: "The request is not valid.",
    403: "You may not do this.",
    404: "There is no API route or object here.",
    405: "This method is not allowed here.",
    500: "The server failed to answer; the failure is logged.",
}


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _json_error(status: int, message: str, *, field: str | None = None, **extra) -> JsonResponse:
    body = {"error": printable_text(message), **extra}
    if field:
        body["field"] = printable_text(field)
    return JsonResponse(body, status=status)


def api_exception_handler(exc, context):
    """Domain errors as ``{"error", "field"}``; DRF's own as DRF answers them; both as JSON
    whatever renderer the view negotiated (the schema view's is YAML)."""
    if isinstance(exc, DomainError):
        return _json_error(exc.status_code, exc.message, field=exc.field)
    response = exception_handler(exc, context)
    if response is None:
        return None
    # DRF's own bodies ({"detail": ...}, or a serializer's field errors) are kept as they
    # are, and answered as JSON whichever renderer the view has.
    error = JsonResponse(printable(response.data), status=response.status_code, safe=False)
    for header in ("Allow", "WWW-Authenticate", "Retry-After"):
        if header in response:
            error[header] = response[header]
    return error


class DomainErrorMiddleware:
    """Renders a DomainError raised by an HTML view as a clear page with its status, and
    turns any HTML error answered under /api/ (Django's 404 and 405) into JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_api(request) and response.status_code >= 400:
            return _as_json(request, response)
        return response

    def process_exception(self, request, exc):
        if isinstance(exc, DomainError):
            if is_api(request):
                return _json_error(exc.status_code, exc.message, field=exc.field)
            return render(request, "error.html", {"message": exc.message}, status=exc.status_code)
        return None


def _as_json(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    content_type = response.get("Content-Type", "")
    if content_type.startswith("application/json"):
        return response
    # With DEBUG on, a crash keeps its technical page: it is what a developer asked for.
    if response.status_code >= 500 and settings.DEBUG:
        return response
    status = response.status_code
    message = _REASONS.get(status, response.reason_phrase)
    if status == 404:
        message = f"There is no API route or object at {request.path_info}."
    elif status == 405:
        message = f"{request.method} is not allowed on {request.path_info}."
    converted = _json_error(status, message)
    if "Allow" in response:
        converted["Allow"] = response["Allow"]
    return converted


def bad_request(request, exception, template_name="400.html"):
    if is_api(request):
        return _json_error(400, _REASONS[400])
    return defaults.bad_request(request, exception)


def permission_denied(request, exception, template_name="403.html"):
    if is_api(request):
        return _json_error(403, _REASONS[403])
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception, template_name="404.html"):
    if is_api(request):
        return _json_error(404, f"There is no API route or object at {request.path_info}.")
    return defaults.page_not_found(request, exception)


def server_error(request, template_name="500.html"):
    if is_api(request):
        return _json_error(500, _REASONS[500])
    return defaults.server_error(request)


# Settings and request headers whose names say they hold a secret or a connection string.
_HIDDEN_NAMES = re.compile(
    "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE|DSN|BROKER|BACKEND|_URL$|"
    "AUTHORIZATION|CREDENTIAL|PRIVATE",
    flags=re.IGNORECASE,
)
# A URL with a user (and maybe a password) in it, whatever setting holds it.
_CREDENTIALS_IN_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s@]+@", flags=re.IGNORECASE)


class SecretMaskingFilter(SafeExceptionReporterFilter):
    """Django's filter, also masking connection strings (``DATABASE_URL``, the broker's),
    their parsed forms (``DATABASES``) and any value that holds a URL with credentials."""

    hidden_settings = _HIDDEN_NAMES

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str) and _CREDENTIALS_IN_URL.search(cleansed):
            return self.cleansed_substitute
        return cleansed
