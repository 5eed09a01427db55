"""Typed readers for settings from the environment that fail loudly on bad values."""

from __future__ import annotations

import os

_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


class ImproperSetting(ValueError):
    pass


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: str) -> bool:
    raw = os.environ.get(name, default).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperSetting(f"{name} must be one of True/False/1/0, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperSetting(f"{name} must be an integer, got {raw!r}") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperSetting(f"{name} must be a number, got {raw!r}") from None
    if not value >= 0 or value == float("inf"):  # NaN fails the comparison
        raise ImproperSetting(f"{name} must be a finite number of at least 0, got {raw!r}")
    return value


def env_list(name: str, default: str) -> list[str]:
    raw = os.environ.get(name, default)
    return [item.strip() for item in raw.split(",") if item.strip()]
