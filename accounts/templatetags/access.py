"""Template access to ``accounts.access``: pages ask it, never decide on their own."""

from __future__ import annotations

from django import template

from accounts import access

register = template.Library()


@register.simple_tag
def can_do(user, action: str, obj) -> bool:
    """``{% can_do user "admin" workspace as is_admin %}``"""
    return access.can(user, action, obj)


@register.simple_tag
def administers_any(user) -> bool:
    return access.administers_any(user)
