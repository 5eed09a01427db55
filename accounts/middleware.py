from __future__ import annotations

from accounts.audit import client_ip_of, current_client_ip


class ClientIPMiddleware:
    """Makes the request's client address the default for audit events it causes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_ip = client_ip_of(request)
        token = current_client_ip.set(request.client_ip)
        try:
            return self.get_response(request)
        finally:
            current_client_ip.reset(token)
