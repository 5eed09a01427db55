"""The one family of domain errors services raise; `config.errors` maps them to HTTP."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose; its message is shown to the user."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    status_code = 400


class NotFound(DomainError):
    """A missing object and one the user may not see look the same."""

    status_code = 404


class Forbidden(DomainError):
    """The user may see the object but not do this to it."""

    status_code = 403


class Conflict(DomainError):
    status_code = 409


class Gone(DomainError):
    """The thing existed but can no longer be used: an expired, revoked or used-up invite."""

    status_code = 410


class RateLimited(DomainError):
    status_code = 429
