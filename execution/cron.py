"""Cron expressions: five fields, and the next time one fires. Pure: standard library only.

``minute hour day-of-month month day-of-week``, each ``*``, a number, a range ``a-b``, a
step ``*/n`` or ``a-b/n``, or a comma list of those; day-of-week 0-7 (0 and 7 are Sunday).
As in cron, when both day fields are restricted a day matching either fires. Times are
naive or aware datetimes alike; the result keeps the argument's tzinfo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

FIELDS = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),
)
ALIASES = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
}


class CronError(ValueError):
    """An expression that is not valid cron; the message says which field and why."""


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    is_day_restricted: bool
    is_weekday_restricted: bool

    def matches_day(self, moment: datetime) -> bool:
        day_ok = moment.day in self.days
        weekday_ok = (moment.isoweekday() % 7) in self.weekdays
        if self.is_day_restricted and self.is_weekday_restricted:
            return day_ok or weekday_ok
        return day_ok and weekday_ok


def parse_cron(expression: str) -> Cron:
    """Parse a cron expression.

    Examples:
        >>> sorted(parse_cron("*/20 9-17 * * 1-5").minutes)
        [0, 20, 40]
        >>> parse_cron("61 * * * *")
        Traceback (most recent call last):
        ...
        execution.cron.CronError: Cron field 'minute' must be within 0-59, not '61'
    """
    text = ALIASES.get(expression.strip(), expression.strip())
    parts = text.split()
    if len(parts) != 5:
        raise CronError(
            f"A cron expression has 5 fields (minute hour day month weekday), not {len(parts)}"
        )
    values = [_field(part, *spec) for part, spec in zip(parts, FIELDS, strict=True)]
    weekdays = frozenset(0 if d == 7 else d for d in values[4])
    return Cron(
        minutes=values[0],
        hours=values[1],
        days=values[2],
        months=values[3],
        weekdays=weekdays,
        is_day_restricted=parts[2] != "*",
        is_weekday_restricted=parts[4] != "*",
    )


def _field(text: str, name: str, low: int, high: int) -> frozenset[int]:
    found: set[int] = set()
    for item in text.split(","):
        base, _, step_text = item.partition("/")
        step = _number(step_text, name, 1, high) if step_text else 1
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = _number(first, name, low, high), _number(last, name, low, high)
            if start > end:
                raise CronError(f"Cron field '{name}' has a backwards range '{base}'")
        else:
            start = _number(base, name, low, high)
            end = high if step_text else start
        found.update(range(start, end + 1, step))
    return frozenset(found)


def _number(text: str, name: str, low: int, high: int) -> int:
    if not (text.isascii() and text.isdigit()):
        raise CronError(f"Cron field '{name}' must be numbers, ranges or steps, not '{text}'")
    value = int(text)
    if not low <= value <= high:
        raise CronError(f"Cron field '{name}' must be within {low}-{high}, not '{text}'")
    return value


def next_fire(expression: str | Cron, after: datetime) -> datetime:
    """The first minute strictly after ``after`` at which the expression fires.

    Examples:
        >>> next_fire("30 6 * * 1", datetime(2024, 6, 5, 12, 0))  # a Wednesday
        datetime.datetime(2024, 6, 10, 6, 30)
    """
    cron = parse_cron(expression) if isinstance(expression, str) else expression
    moment = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    # Skipping whole days, hours and minutes that cannot match keeps this a few hundred
    # steps at most; five years without a match (31 February) means it never fires.
    limit = moment + timedelta(days=366 * 5)
    while moment < limit:
        if moment.month not in cron.months or not cron.matches_day(moment):
            moment = (moment + timedelta(days=1)).replace(hour=0, minute=0)
            continue
        if moment.hour not in cron.hours:
            moment = (moment + timedelta(hours=1)).replace(minute=0)
            continue
        if moment.minute not in cron.minutes:
            moment += timedelta(minutes=1)
            continue
        return moment
    raise CronError("This cron expression never fires")
