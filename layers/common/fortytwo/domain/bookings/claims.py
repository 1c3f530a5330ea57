"""Busy-minute claims: why two overlapping meetings of one host can never both commit (30-bookings
§11.1), while meetings that do not overlap never make each other's commit fail.

A meeting occupies its buffered interval `[start − buffer_before, end + buffer_after)`; the engine
only admits meetings whose buffered intervals are disjoint (20-scheduling §2.6). Starts, durations
and buffers are whole minutes, so an interval is a set of whole minutes, and two intervals overlap
exactly when they share a minute. Each meeting therefore CLAIMS every minute it covers, one
attribute per minute in the host's item for that UTC hour, written only if that attribute does
not exist. Two overlapping writers race for at least one common attribute: at most one commits.
Two writers that do not overlap write disjoint attributes, whose conditions cannot fail (even in
the same hour item).

A stray second (never produced by the grid) widens a claim to the whole minutes around it, so a
claim is never smaller than the interval. A meeting lasts at most 720 minutes and carries at most
240 minutes of buffer on each side, so it claims minutes in at most 21 hour items.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from fortytwo.domain.bookings.ledger import LedgerEntry

MINUTES_PER_HOUR = 60
_MINUTE = timedelta(minutes=1)

HourClaims = Mapping[datetime, frozenset[int]]  # UTC hour start → minutes (0–59) of that hour


def _floor_minute(instant: datetime) -> datetime:
    return instant.astimezone(UTC).replace(second=0, microsecond=0)


def _ceil_minute(instant: datetime) -> datetime:
    floored = _floor_minute(instant)
    return floored if floored == instant else floored + _MINUTE


def claimed_minutes(entry: LedgerEntry) -> dict[datetime, frozenset[int]]:
    """The minutes a meeting claims, grouped by UTC hour."""
    first = _floor_minute(entry.start - timedelta(minutes=entry.buffer_before))
    stop = _ceil_minute(entry.end + timedelta(minutes=entry.buffer_after))
    by_hour: dict[datetime, set[int]] = {}
    minute = first
    while minute < stop:
        hour = minute.replace(minute=0)
        # Whole runs per hour: the rest of this hour, or up to the end of the interval.
        run_end = min(stop, hour + timedelta(hours=1))
        span = int((run_end - minute) / _MINUTE)
        by_hour.setdefault(hour, set()).update(range(minute.minute, minute.minute + span))
        minute = run_end
    return {hour: frozenset(minutes) for hour, minutes in by_hour.items()}
