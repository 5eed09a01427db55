"""Query parameters, read once: one small helper per type, each naming its field when it fails.

Every view that reads ``request.GET`` or ``request.query_params`` goes through these, so a
value a person can type never reaches ``int()``, the database or a datetime operation
unchecked: Unicode digits (``"²".isdigit()`` is true, ``int("²")`` fails), integers past what
the database holds and datetimes whose offset pushes them past year 9999 are each an
`InvalidInput` (a 400 naming the field), never a 500.

Examples:
    >>> int_param({"depth": "2"}, "depth", default=3, minimum=1, maximum=20)
    2
    >>> int_param({"depth": "²"}, "depth", default=3, minimum=1, maximum=20)
    Traceback (most recent call last):
        ...
    accounts.errors.InvalidInput: 'depth' must be a whole number from 1 to 20, got '²'.
    >>> enum_param({"level": "block"}, "level", ("notebook", "block"), default="notebook")
    'block'
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import UTC, date, datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accounts.errors import InvalidInput
from urns import AssetKind, UrnError, kind_of, parse_urn

# The largest integer any parameter may take: it fits a signed 32-bit column and a SQLite
# INTEGER, so no bound chosen by a view can let through what the database cannot hold.
MAX_INT = 2**31 - 1
MAX_URN_CHARS = 2048
_ECHO_CHARS = 40
# ASCII digits only: str.isdigit() also accepts superscripts and other scripts' digits.
_INTEGER = re.compile(r"-?[0-9]{1,18}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _raw(params: Mapping, name: str, strict: bool = False) -> str | None:
    """The parameter's text, None when it is missing.

    Forms send empty fields, so a page treats an empty value (after stripping) as missing;
    the API is ``strict``: an empty value is refused and nothing is stripped, so the schema
    can say exactly which strings each parameter takes.
    """
    value = params.get(name)
    if value is None:
        return None
    if "\x00" in str(value):  # no database stores or compares a NUL in text
        raise InvalidInput(f"'{name}' must not hold a NUL character.", field=name)
    if strict:
        if not str(value).strip():
            raise InvalidInput(f"'{name}' is empty: leave it out or give a value.", field=name)
        return str(value)
    value = str(value).strip()
    return value or None


def _echo(raw: str, chars: int = _ECHO_CHARS) -> str:
    """The start of what was sent, to quote back in a message."""
    return _SURROGATE.sub("\ufffd", raw[:chars])


def int_param(
    params: Mapping,
    name: str,
    *,
    default: int,
    minimum: int = 0,
    maximum: int = MAX_INT,
    what: str = "a whole number",
    strict: bool = False,
) -> int:
    """``params[name]`` as an integer from ``minimum`` to ``maximum`` inclusive, or ``default``
    when it is missing or empty.

    Examples:
        >>> int_param({}, "offset", default=0)
        0
        >>> int_param({"offset": "9" * 25}, "offset", default=0, maximum=1000)
        Traceback (most recent call last):
            ...
        accounts.errors.InvalidInput: 'offset' must be a whole number from 0 to 1000, got '9999999999999999999999999'.
    """  # noqa: E501
    raw = _raw(params, name, strict)
    if raw is None:
        return default
    return int_value(raw, name, minimum=minimum, maximum=maximum, what=what, strict=strict)


def int_value(
    raw: str,
    name: str,
    *,
    minimum: int = 0,
    maximum: int = MAX_INT,
    what: str = "a whole number",
    message: str | None = None,
    strict: bool = False,
) -> int:
    """``raw`` (one value of a form or query field) as an integer within the bounds.

    Examples:
        >>> int_value("12", "items"), int_value(" 7 ", "items")
        (12, 7)
    """
    raw = str(raw) if strict else str(raw).strip()
    value = int(raw) if _INTEGER.fullmatch(raw) else None
    if value is None or not minimum <= value <= maximum:
        raise InvalidInput(
            message or f"'{name}' must be {what} from {minimum} to {maximum}, got '{_echo(raw)}'.",
            field=name,
        )
    return value


def is_id(raw: str) -> bool:
    """Whether ``raw`` is a database id: ASCII digits, from 1 to `MAX_INT`.

    Examples:
        >>> is_id("12"), is_id("²"), is_id("9" * 25), is_id("0")
        (True, False, False, False)
    """
    return bool(_INTEGER.fullmatch(raw)) and 1 <= int(raw) <= MAX_INT


def optional_int_param(params: Mapping, name: str, **bounds) -> int | None:
    """Like `int_param`, but None when the parameter is missing or empty."""
    if _raw(params, name) is None:
        return None
    return int_param(params, name, default=0, **bounds)


def enum_param(
    params: Mapping,
    name: str,
    choices: Collection[str],
    *,
    default: str | None,
    message: str | None = None,
    strict: bool = False,
) -> str | None:
    """``params[name]`` when it is one of ``choices``, ``default`` when missing or empty.

    Examples:
        >>> enum_param({"d": "sideways"}, "d", ("up", "down", "both"), default="both")
        Traceback (most recent call last):
            ...
        accounts.errors.InvalidInput: 'd' must be up, down or both, got 'sideways'.
    """
    raw = params.get(name)
    if raw is None or (raw == "" and not strict):
        return default
    if raw not in choices:
        options = list(choices)
        listed = f"{', '.join(options[:-1])} or {options[-1]}" if len(options) > 1 else options[0]
        raise InvalidInput(
            message or f"'{name}' must be {listed}, got '{_echo(str(raw))}'.", field=name
        )
    return raw


def datetime_param(
    params: Mapping, name: str, *, end_of_day: bool = False, strict: bool = False
) -> datetime | None:
    """``params[name]`` as an aware datetime, None when missing or empty.

    A bare date (``YYYY-MM-DD``) means its first instant, or its last with ``end_of_day``.
    Without an offset the current time zone applies. The moment must lie within what a
    datetime holds once converted to UTC (the database's zone): ``9999-12-31T23:59:59-23:00``
    is past the end of year 9999 there, and so refused.

    Examples:
        >>> datetime_param({"since": "2024-06-01T12:00:00+02:00"}, "since").isoformat()
        '2024-06-01T12:00:00+02:00'
        >>> datetime_param({"since": "0001-01-01T00:00:00+23:00"}, "since")
        Traceback (most recent call last):
            ...
        accounts.errors.InvalidInput: 'since': '0001-01-01T00:00:00+23:00' is out of range: dates run from 0001-01-01 to 9999-12-31 in UTC.
    """  # noqa: E501
    raw = _raw(params, name, strict)
    if raw is None:
        return None
    try:
        day = parse_date(raw) if len(raw) == 10 else None
        moment = (
            datetime.combine(day, time.max if end_of_day else time.min)
            if day
            else parse_datetime(raw)
        )
    except ValueError:
        moment = None
    if moment is None:
        raise InvalidInput(
            f"'{name}': '{_echo(raw)}' is not a date (YYYY-MM-DD) or a date and time.",
            field=name,
        )
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, timezone.get_current_timezone())
        moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise InvalidInput(
            f"'{name}': '{_echo(raw)}' is out of range: dates run from {date.min} to "
            f"{date.max} in UTC.",
            field=name,
        ) from None
    return moment


def urn_param(
    params: Mapping,
    name: str,
    *,
    kinds: Collection[AssetKind] | None = None,
    required: bool = True,
    strict: bool = False,
) -> str | None:
    """``params[name]`` as the URN of an asset of one of ``kinds`` (any kind when None).

    Examples:
        >>> urn_param({"urn": " table:duckdb://demo/raw.events "}, "urn")
        'table:duckdb://demo/raw.events'
        >>> urn_param({"urn": "table:events"}, "urn")
        Traceback (most recent call last):
            ...
        accounts.errors.InvalidInput: 'urn' is not a URN: 'table:events' needs a warehouse and a table: 'table:WAREHOUSE/TABLE'.
    """  # noqa: E501
    given = params.get(name)
    raw = _raw(params, name, strict) if given is not None and str(given).strip() else None
    if raw is None:
        if required:
            raise InvalidInput(f"The '{name}' parameter is required.", field=name)
        return None
    if len(raw) > MAX_URN_CHARS:
        raise InvalidInput(f"'{name}' is longer than {MAX_URN_CHARS} characters.", field=name)
    if kinds is not None and kind_of(raw) not in kinds:
        prefixes = ", ".join(f"{kind.value}:" for kind in kinds)
        raise InvalidInput(
            f"'{name}' must start with one of {prefixes} got '{_echo(raw, 60)}'.", field=name
        )
    try:
        parse_urn(raw)
    except UrnError as error:
        raise InvalidInput(f"'{name}' is not a URN: {_echo(str(error), 200)}", field=name) from None
    return raw


# What `parse_urn` accepts, kind by kind, as a JSON Schema pattern (ECMA 262): the schema
# documents exactly which strings `urn_param` takes. Each ends in a non-space, because the
# value is stripped first.
_URN_PATTERNS = {
    AssetKind.NOTEBOOK: r"notebook:[^/]+/.*\S",
    AssetKind.BLOCK: r"block:[^/]+/.+#[^#]*[^#\s]",
    AssetKind.TABLE: r"table:.+/.*\S",
    AssetKind.COLUMN: r"column:.+/.+\.[^.]*[^.\s]",
    AssetKind.APP: r"app:[^/]+/.*\S",
    AssetKind.METRIC: r"metric:[^/]+/.*\S",
}


def urn_schema(kinds: Collection[AssetKind]) -> dict:
    """The JSON Schema of a ``urn_param`` of ``kinds``, for the OpenAPI document.

    Examples:
        >>> import re
        >>> pattern = urn_schema([AssetKind.TABLE, AssetKind.BLOCK])["pattern"]
        >>> urns = ("table:duckdb://d/a.b", "table:x", "block:w/p#b")
        >>> [bool(re.search(pattern, urn)) for urn in urns]
        [True, False, True]
    """
    alternatives = "|".join(_URN_PATTERNS[kind] for kind in kinds)
    return {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_URN_CHARS,
        # No NUL anywhere: `_raw` refuses it (no database compares one).
        "pattern": f"^(?![\\s\\S]*\\x00)(?:{alternatives})$",
    }


def flag_param(params: Mapping, name: str, value: str, *, strict: bool = False) -> bool:
    """Whether ``params[name]`` is ``value``; missing or empty is False, anything else a 400.

    Examples:
        >>> flag_param({"columns": "1"}, "columns", "1"), flag_param({}, "columns", "1")
        (True, False)
    """
    raw = params.get(name)
    message = f"'{name}' must be '{value}' or left out, got '{_echo(str(raw))}'."
    found = enum_param(params, name, (value,), default=None, message=message, strict=strict)
    return found is not None
