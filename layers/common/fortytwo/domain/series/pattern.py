"""The series pattern and its expansion to occurrences (35-series §3).

A pattern is a wall-clock `time` in `timezone` on chosen dates: weekly on `weekdays` every
`interval_weeks` weeks (weeks run Monday to Sunday, counted from the week of `starts_on`), or
monthly on the day of the month of `starts_on`, skipping months that have no such day.

Dates become instants with `fold=0` (RFC 5545 §3.3.5): a wall time in a spring-forward gap is
read with the offset in force before the gap (it lands later by the gap), a repeated wall time
takes its first occurrence. This deliberately differs from the range-boundary rule of
`scheduling/localtime.py`, which places availability, not meetings.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from itertools import islice

from fortytwo.domain.scheduling.periods import week_monday
from fortytwo.domain.scheduling.zones import get_zone


class Frequency(StrEnum):
    WEEKLY = "weekly"
    MONTHLY_SAME_DAY = "monthly_same_day"


WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order
MIN_INTERVAL_WEEKS = 1
MAX_INTERVAL_WEEKS = 8
MIN_COUNT = 1
MAX_COUNT = 42
TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_ONE_DAY = timedelta(days=1)
_ONE_WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Pattern:
    """A normalised pattern: weekly has 1-7 distinct weekdays in week order and an interval;
    monthly has `weekdays == ()` and `interval_weeks is None`."""

    frequency: Frequency
    weekdays: tuple[str, ...]
    interval_weeks: int | None
    time: str
    timezone: str

    def __post_init__(self) -> None:
        if self.frequency is Frequency.WEEKLY:
            if not self.weekdays or list(self.weekdays) != sorted(set(self.weekdays), key=WEEKDAYS.index):
                raise ValueError("weekly weekdays must be distinct, in week order, and not empty")
            interval = self.interval_weeks
            if interval is None or not MIN_INTERVAL_WEEKS <= interval <= MAX_INTERVAL_WEEKS:
                raise ValueError("weekly interval_weeks must be 1-8")
        elif self.weekdays or self.interval_weeks is not None:
            raise ValueError("a monthly pattern has no weekdays and no interval")
        if not TIME_RE.match(self.time):
            raise ValueError("time must be HH:MM")

    @property
    def minute_of_day(self) -> int:
        hours, minutes = self.time.split(":")
        return int(hours) * 60 + int(minutes)


def normalize_weekdays(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Duplicates dropped, week order (Monday first) whatever the request order (decision)."""
    return tuple(day for day in WEEKDAYS if day in set(values))


def parse_local_date(text: str) -> date | None:
    """A real calendar date written `YYYY-MM-DD`, or None."""
    if not DATE_RE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _weekly_dates(pattern: Pattern, starts_on: date) -> Iterator[date]:
    interval = pattern.interval_weeks or 1
    wanted = sorted(WEEKDAYS.index(day) for day in pattern.weekdays)
    monday = week_monday(starts_on)  # W0: week number 0
    while True:
        for weekday in wanted:
            day = monday + timedelta(days=weekday)
            if day >= starts_on:
                yield day
        try:
            monday += _ONE_WEEK * interval
        except OverflowError:  # the end of the calendar
            return


def _monthly_dates(starts_on: date) -> Iterator[date]:
    year, month, n = starts_on.year, starts_on.month, starts_on.day
    while year <= 9999:
        if n <= calendar.monthrange(year, month)[1]:  # a month without day N is no pattern date (§3.3)
            yield date(year, month, n)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def pattern_dates(pattern: Pattern, starts_on: date) -> Iterator[date]:
    """Every pattern date from `starts_on`, ascending (unbounded: callers take what they need)."""
    if pattern.frequency is Frequency.WEEKLY:
        return _weekly_dates(pattern, starts_on)
    return _monthly_dates(starts_on)


def occurrence_start(day: date, pattern: Pattern) -> datetime:
    """The instant of `pattern.time` on `day` in the pattern's zone, `fold=0` (§3.4), in UTC."""
    hours, minutes = divmod(pattern.minute_of_day, 60)
    local = datetime(day.year, day.month, day.day, hours, minutes, tzinfo=get_zone(pattern.timezone))
    return local.astimezone(UTC)


def local_date(instant: datetime, timezone: str) -> date:
    """The date a wall clock in `timezone` shows at `instant` (an occurrence's `date`)."""
    return instant.astimezone(get_zone(timezone)).date()


@dataclass(frozen=True, slots=True)
class PlannedDate:
    """One pattern date with its start instant."""

    date: date
    start_at: datetime


def expand(pattern: Pattern, starts_on: date, count: int) -> list[PlannedDate]:
    """Occurrences 1…`count`: the first `count` pattern dates with their starts (§3.4)."""
    return [
        PlannedDate(day, occurrence_start(day, pattern))
        for day in islice(pattern_dates(pattern, starts_on), count)
    ]


def future_dates(
    pattern: Pattern, starts_on: date, now: datetime, *, excluding: frozenset[date] = frozenset()
) -> Iterator[PlannedDate]:
    """Pattern dates from `starts_on` whose start is after `now`, minus `excluding` (local dates).

    Used by a pattern change (P of §9.4) and the resume walk (§10.3).
    """
    first = max(starts_on, local_date(now, pattern.timezone) - _ONE_DAY)
    for day in pattern_dates(pattern, starts_on):
        if day < first or day in excluding:
            continue
        start = occurrence_start(day, pattern)
        if start > now:
            yield PlannedDate(day, start)
