"""Limit counters of a meeting (20-scheduling §2.9, 30-bookings §11.2).

Every meeting is counted in the day, week and month of its start: once for its event type (in the
event type's period timezone) and once for its host (in the timezone of the host's default
schedule). Counters exist whether or not a cap is set, so a cap set later applies at once; only
capped counters carry the `count < cap` condition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from fortytwo.domain.bookings.event_types import BookableEventType
from fortytwo.domain.scheduling import MeetingLimits, period_keys


@dataclass(frozen=True, slots=True)
class CounterRef:
    """`scope` is `ET#<event type id>` or `USER#<user id>`; `period` is `DAY#…`, `WEEK#…`, `MONTH#…`."""

    scope: str
    period: str
    cap: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.scope, self.period


def _refs(scope: str, start: datetime, timezone: str, limits: MeetingLimits) -> list[CounterRef]:
    keys = period_keys(start, timezone)
    return [
        CounterRef(scope, f"DAY#{keys.day}", limits.per_day),
        CounterRef(scope, f"WEEK#{keys.week}", limits.per_week),
        CounterRef(scope, f"MONTH#{keys.month}", limits.per_month),
    ]


_HOST_SCOPE = "USER#"


def is_host_scope(scope: str) -> bool:
    """Whether a counter scope is a host's account-wide one (these move with a change of host)."""
    return scope.startswith(_HOST_SCOPE)


def meeting_counters(
    event_type: BookableEventType,
    start: datetime,
    host_user_id: str,
    host_limits: MeetingLimits,
    host_limits_timezone: str,
) -> list[CounterRef]:
    """The six counters a new meeting increments, each with its current cap (if any)."""
    event_type_limits = MeetingLimits(
        event_type.max_bookings_per_day, event_type.max_bookings_per_week, event_type.max_bookings_per_month
    )
    return [
        *_refs(f"ET#{event_type.id}", start, event_type.limits_timezone, event_type_limits),
        *_refs(f"USER#{host_user_id}", start, host_limits_timezone, host_limits),
    ]


def net_changes(
    removed: Iterable[tuple[str, str]], added: Iterable[CounterRef]
) -> dict[tuple[str, str], tuple[int, int | None]]:
    """Counter key → (net delta, cap of the increment) with zero nets left out.

    A reschedule removes the old meeting's counts and adds the new one's; a transaction may touch
    an item only once, so both sides of the same counter merge into one action (§11.3).
    """
    result: dict[tuple[str, str], tuple[int, int | None]] = {}
    for key in removed:
        delta, cap = result.get(key, (0, None))
        result[key] = (delta - 1, cap)
    caps: Mapping[tuple[str, str], int | None] = {ref.key: ref.cap for ref in added}
    for ref in added:
        delta, _ = result.get(ref.key, (0, None))
        result[ref.key] = (delta + 1, caps[ref.key])
    return {key: change for key, change in result.items() if change[0] != 0}
