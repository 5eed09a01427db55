"""Sign-in rate limiting: a person (user name + address) and an address are locked out
for the rest of a window after too many failures.

Counts live in Django's cache: per process with the default local-memory cache,
shared by every process when ``CACHE_URL``/``REDIS_URL`` names a Redis server.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _limits() -> tuple[int, int, int]:
    return (
        getattr(settings, "LOGIN_FAILURE_LIMIT", 5),
        getattr(settings, "LOGIN_IP_FAILURE_LIMIT", 50),
        getattr(settings, "LOGIN_LOCKOUT_S", 900),
    )


def _keys(username: str, ip: str | None) -> tuple[str, str]:
    person = hashlib.sha256(f"{(username or '').strip().lower()}|{ip}".encode()).hexdigest()
    return f"tributary:login:person:{person}", f"tributary:login:ip:{ip}"


def is_locked(username: str, ip: str | None) -> bool:
    person_limit, ip_limit, _ = _limits()
    person_key, ip_key = _keys(username, ip)
    counts = cache.get_many([person_key, ip_key])
    return counts.get(person_key, 0) >= person_limit or counts.get(ip_key, 0) >= ip_limit


def note_failure(username: str, ip: str | None) -> bool:
    """Count a failed sign-in; True when this failure is the one that locks the person out."""
    person_limit, _, window_s = _limits()
    person_key, ip_key = _keys(username, ip)
    failures = 0
    for key in (person_key, ip_key):
        # add() starts the window at the first failure; incr() keeps its expiry.
        cache.add(key, 0, timeout=window_s)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window_s)
            count = 1
        if key == person_key:
            failures = count
    return failures == person_limit


def clear(username: str, ip: str | None) -> None:
    cache.delete(_keys(username, ip)[0])


def lockout_minutes() -> int:
    return max(1, _limits()[2] // 60)
