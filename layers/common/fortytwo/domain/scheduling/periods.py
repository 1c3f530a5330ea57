"""Limit periods (20-scheduling §2.9) and their counter keys (30-bookings §11.2).

A day runs from local 00:00 of a date to local 00:00 of the next date (23, 24 or 25 hours), a
week from Monday 00:00, a month from the 1st 00:00, all in the period timezone. Period starts use
the range-start rule of §4.3, so a midnight that falls in a gap starts at the transition instant.
A meeting belongs to the period that contains its start.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from fortytwo.domain.scheduling.localtime import from_ms, local_to_ms, to_ms, wall_date
from fortytwo.domain.scheduling.models import MeetingLimits
from fortytwo.domain.scheduling.zones import get_zone

_ONE_DAY = timedelta(days=1)
_MONTH_ROOM_MS = 32 * 86_400_000


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class PeriodKeys:
    """Counter keys: day `YYYY-MM-DD`, week = its Monday's `YYYY-MM-DD`, month `YYYY-MM`."""

    day: str
    week: str
    month: str


def day_start_ms(day: date, zone: ZoneInfo) -> int:
    return local_to_ms(day, 0, zone, is_end=False)


def period_day(ms: int, zone: ZoneInfo) -> date:
    """The date whose day period contains the instant."""
    day = wall_date(ms, zone)
    # Only differs from the wall date in zones whose midnight repeats or is skipped.
    if ms < day_start_ms(day, zone):
        return day - _ONE_DAY
    if ms >= day_start_ms(day + _ONE_DAY, zone):
        return day + _ONE_DAY
    return day


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month_first(day: date) -> date:
    return day.replace(day=1)


def _next_month_first(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def period_keys(instant: datetime, timezone: str) -> PeriodKeys:
    """The counter keys of the periods that contain `instant` in `timezone`."""
    day = period_day(to_ms(instant), get_zone(timezone))
    return PeriodKeys(day.isoformat(), week_monday(day).isoformat(), f"{day.year:04d}-{day.month:02d}")


def period_bounds(kind: PeriodKind, instant: datetime, timezone: str) -> tuple[datetime, datetime]:
    """`[start, end)` of the period of `kind` that contains `instant` in `timezone`."""
    zone = get_zone(timezone)
    day = period_day(to_ms(instant), zone)
    if kind is PeriodKind.DAY:
        first, after = day, day + _ONE_DAY
    elif kind is PeriodKind.WEEK:
        first = week_monday(day)
        after = first + timedelta(days=7)
    else:
        first, after = _month_first(day), _next_month_first(day)
    return from_ms(day_start_ms(first, zone)), from_ms(day_start_ms(after, zone))


class LocalCalendar:
    """Local midnights of one zone over `[first, last]`, for bisecting instants into period days.

    Outside that range it falls back to direct conversion, so answers never depend on the range.
    """

    __slots__ = ("_first", "midnights", "_zone")

    def __init__(self, zone: ZoneInfo, first: date, last: date) -> None:
        self._zone = zone
        self._first = first
        count = (last - first).days + 2
        self.midnights = [day_start_ms(first + timedelta(days=i), zone) for i in range(count)]

    def day_of(self, ms: int) -> date:
        midnights = self.midnights
        if midnights[0] <= ms < midnights[-1]:
            return self._first + timedelta(days=bisect_right(midnights, ms) - 1)
        return period_day(ms, self._zone)

    def midnight(self, day: date) -> int:
        index = (day - self._first).days
        if 0 <= index < len(self.midnights):
            return self.midnights[index]
        return day_start_ms(day, self._zone)


def full_periods(
    limits: MeetingLimits, zone: ZoneInfo, meeting_starts: Iterable[int], lower: int, upper: int
) -> list[tuple[int, int]]:
    """`[start, end)` of the periods near `[lower, upper)` whose meeting count has reached its cap
    (§2.9). Sorted; they may overlap (a full week holds full days).
    """
    if not limits.any:
        return []
    # A period holding a start in [lower, upper) lies within a month of it; meetings further away
    # cannot share one. The calendar then spans only the meetings that are left.
    earliest, latest = lower - _MONTH_ROOM_MS, upper + _MONTH_ROOM_MS
    starts = [ms for ms in meeting_starts if earliest <= ms < latest]
    if not starts:
        return []
    first_day = wall_date(min(starts), zone) - _ONE_DAY
    calendar = LocalCalendar(zone, first_day, wall_date(max(starts), zone) + _ONE_DAY)
    midnights = calendar.midnights  # covers every start: the range is their dates ± 1
    # Count per day index; weeks and months group those few indexes, not every meeting.
    per_day = Counter(bisect_right(midnights, ms) - 1 for ms in starts)
    full: list[tuple[int, int]] = []
    weeks: Counter[date] = Counter()
    months: Counter[date] = Counter()
    for index, count in per_day.items():
        day = first_day + timedelta(days=index)
        if limits.per_day is not None and count >= limits.per_day:
            full.append((midnights[index], midnights[index + 1]))
        weeks[week_monday(day)] += count
        months[_month_first(day)] += count
    if limits.per_week is not None:
        for monday, count in weeks.items():
            if count >= limits.per_week:
                full.append((calendar.midnight(monday), calendar.midnight(monday + timedelta(days=7))))
    if limits.per_month is not None:
        for first, count in months.items():
            if count >= limits.per_month:
                full.append((calendar.midnight(first), calendar.midnight(_next_month_first(first))))
    return sorted(full)
