"""Local wall time → instant with the DST rules of 20-scheduling §4.3, and millisecond instants.

The engine works on integer milliseconds since the Unix epoch (UTC): exact, cheap to compare and
to bisect. `to_ms` / `from_ms` convert at the boundary.

Each boundary is converted with the offset in force at that boundary:

- a wall time that exists once gives that instant;
- a wall time inside a spring-forward gap gives the transition instant (first instant after the
  gap), both as a range start and as a range end. `fold=0` alone would land after the transition;
- a wall time that exists twice gives the earlier occurrence as a start, the later as an end;
- `24:00` (minute 1440) is 00:00 of the next local date, then the rules above.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from fortytwo.domain.scheduling.zones import get_zone

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MS = timedelta(milliseconds=1)
MS_PER_MINUTE = 60_000
MS_PER_DAY = 86_400_000
MINUTES_PER_DAY = 1440


def to_ms(value: datetime) -> int:
    """Milliseconds since the epoch of an aware datetime (sub-millisecond digits are floored)."""
    try:
        return (value - EPOCH) // _MS
    except TypeError:
        raise ValueError("naive datetime: instants must carry an offset") from None


def from_ms(ms: int) -> datetime:
    """The aware UTC datetime of an epoch millisecond."""
    if ms % 1000 == 0:
        return datetime.fromtimestamp(ms // 1000, UTC)  # exact for integers, and much cheaper
    return EPOCH + timedelta(milliseconds=ms)


def offset_ms(offset: timedelta) -> int:
    return (offset.days * 86_400 + offset.seconds) * 1000 + offset.microseconds // 1000


def _offset_at_ms(ms: int, zone: ZoneInfo) -> int:
    offset = from_ms(ms).astimezone(zone).utcoffset()
    assert offset is not None
    return offset_ms(offset)


def local_to_ms(day: date, minute: int, zone: ZoneInfo, *, is_end: bool) -> int:
    """The instant of wall time `minute` (0–1440) on local date `day` in `zone` (§4.3).

    `is_end` selects the range-end rule for repeated wall times (later occurrence).
    """
    return _local_to_ms(day, minute, zone, is_end)


def clear_conversion_cache() -> None:
    """Forget memoized conversions (benchmarks measure the cold path with it)."""
    _local_to_ms.cache_clear()


# Pure and keyed by value, so memoizing is safe; a warm process converts the same schedule
# boundaries on every request.
@lru_cache(maxsize=16_384)
def _local_to_ms(day: date, minute: int, zone: ZoneInfo, is_end: bool) -> int:
    if minute >= MINUTES_PER_DAY:
        day += timedelta(days=minute // MINUTES_PER_DAY)
        minute %= MINUTES_PER_DAY
    hour, minute_of_hour = divmod(minute, 60)
    return wall_to_ms(datetime(day.year, day.month, day.day, hour, minute_of_hour), zone, is_end=is_end)


def wall_to_ms(wall: datetime, zone: ZoneInfo, *, is_end: bool = False) -> int:
    """The instant of a naive wall-clock datetime in `zone` (millisecond precision), §4.3 rules:
    a gap gives the transition instant, a repeated time its earlier (`is_end`: later) occurrence."""
    # ZoneInfo reads the wall-clock fields (and fold) of a naive datetime directly.
    first = zone.utcoffset(wall)
    second = zone.utcoffset(wall.replace(fold=1))
    assert first is not None and second is not None
    seconds = (wall.hour * 60 + wall.minute) * 60 + wall.second
    wall_ms = (wall.toordinal() - _EPOCH_ORDINAL) * MS_PER_DAY + seconds * 1000 + wall.microsecond // 1000
    if first == second:
        return wall_ms - offset_ms(first)
    candidates = (wall_ms - offset_ms(first), wall_ms - offset_ms(second))
    # Only a wall time that converts back to itself really exists; zero survivors means a gap.
    existing = [ms for ms in candidates if ms + _offset_at_ms(ms, zone) == wall_ms]
    if existing:
        return max(existing) if is_end else min(existing)
    return _transition_ms(min(candidates), max(candidates), zone)


def _transition_ms(before: int, after: int, zone: ZoneInfo) -> int:
    """The first instant in (before, after] whose UTC offset differs from the one at `before`."""
    offset_before = _offset_at_ms(before, zone)
    low, high = before, after  # offset(low) == offset_before; offset(high) differs
    while high - low > 1:
        middle = (low + high) // 2
        if _offset_at_ms(middle, zone) == offset_before:
            low = middle
        else:
            high = middle
    return high


def local_to_instant(day: date, minute: int, timezone: str, *, is_end: bool = False) -> datetime:
    """`local_to_ms` for callers that hold a zone name and want an aware UTC datetime."""
    return from_ms(local_to_ms(day, minute, get_zone(timezone), is_end=is_end))


def wall_date(ms: int, zone: ZoneInfo) -> date:
    """The local calendar date of an instant (as a wall clock shows it)."""
    return from_ms(ms).astimezone(zone).date()
