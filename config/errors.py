"""Domain errors become HTTP responses here, and nowhere else."""

from __future__ import annotations

from django.shortcuts import render
from rest_framework.response import Response
from rest_framework.views import exception_handler

from accounts.errors import DomainError


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"error": exc.message}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.status_code)
    return exception_handler(exc, context)


class DomainErrorMiddleware:
    """Renders a DomainError raised by an HTML view as a clear page with its status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if isinstance(exc, DomainError) and not request.path.startswith("/api/"):
            return render(request, "error.html", {"message": exc.message}, status=exc.status_code)
        return None
