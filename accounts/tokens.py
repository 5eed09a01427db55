"""API tokens: a random key shown once, kept only as its SHA-256 (the key carries 160 random
bits, so an unsalted hash is as strong as the key, the way invite tokens are kept).

Requests still send ``Authorization: Token <key>``; ``ApiTokenAuthentication`` hashes the
key and looks the hash up. A password change revokes the token (accounts/signals.py).
"""

from __future__ import annotations

import hashlib
import secrets

from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from accounts.models import ApiToken

KEY_BYTES = 20  # 40 hex characters, the length DRF's tokens had


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return secrets.token_hex(KEY_BYTES)


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's ``Token`` header, checked against the stored hash."""

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None:
            raise AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        return (token.user, token)
