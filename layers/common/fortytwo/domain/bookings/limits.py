"""Limit counters of a meeting (20-scheduling §2.9, 30-bookings §11.2).

Every meeting is counted in the day, week and month of its start: once for its event type (in the
event type's period timezone) and once for its host (in the timezone of the host's default
schedule). Counters exist whether or not a cap is set, so a cap set later applies at once; only
capped counters carry the `count < cap` condition. A counter is named by a structured `CounterId`;
its item key text is the store's (`store/keys.limit_counter`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from fortytwo.domain.bookings.event_types import BookableEventType
from fortytwo.domain.scheduling import MeetingLimits, PeriodKind, period_keys


class CounterOwner(StrEnum):
    EVENT_TYPE = "event_type"  # per-event-type limits
    USER = "user"  # a host's account-wide limits


class CounterId(NamedTuple):
    """One limit counter: whose (`owner`, `owner_id`) and which period (`period` kind, `period_key`:
    day `YYYY-MM-DD`, week = its Monday's `YYYY-MM-DD`, month `YYYY-MM`). Stored on bookings and
    sessions as the 4-item list, so a decrement hits exactly the counter the increment did."""

    owner: str  # CounterOwner
    owner_id: str
    period: str  # PeriodKind
    period_key: str


@dataclass(frozen=True, slots=True)
class CounterRef:
    """A counter a new meeting increments, with its current cap (if any)."""

    key: CounterId
    cap: int | None = None


def _refs(
    owner: CounterOwner, owner_id: str, start: datetime, timezone: str, limits: MeetingLimits
) -> list[CounterRef]:
    keys = period_keys(start, timezone)
    return [
        CounterRef(CounterId(owner, owner_id, PeriodKind.DAY, keys.day), limits.per_day),
        CounterRef(CounterId(owner, owner_id, PeriodKind.WEEK, keys.week), limits.per_week),
        CounterRef(CounterId(owner, owner_id, PeriodKind.MONTH, keys.month), limits.per_month),
    ]


def is_host_counter(counter: CounterId) -> bool:
    """Whether a counter is a host's account-wide one (these move with a change of host)."""
    return counter.owner == CounterOwner.USER


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
        *_refs(CounterOwner.EVENT_TYPE, event_type.id, start, event_type.limits_timezone, event_type_limits),
        *_refs(CounterOwner.USER, host_user_id, start, host_limits_timezone, host_limits),
    ]


def counter_id(stored: Iterable[object]) -> CounterId:
    """A counter id as stored on a booking or session (a list of its four parts)."""
    owner, owner_id, period, period_key = (str(part) for part in stored)
    return CounterId(owner, owner_id, period, period_key)


def net_changes(
    removed: Iterable[CounterId], added: Iterable[CounterRef]
) -> dict[CounterId, tuple[int, int | None]]:
    """Counter key → (net delta, cap of the increment) with zero nets left out.

    A reschedule removes the old meeting's counts and adds the new one's; a transaction may touch
    an item only once, so both sides of the same counter merge into one action (§11.3).
    """
    result: dict[CounterId, tuple[int, int | None]] = {}
    for key in removed:
        delta, cap = result.get(key, (0, None))
        result[key] = (delta - 1, cap)
    caps: Mapping[CounterId, int | None] = {ref.key: ref.cap for ref in added}
    for ref in added:
        delta, _ = result.get(ref.key, (0, None))
        result[ref.key] = (delta + 1, caps[ref.key])
    return {key: change for key, change in result.items() if change[0] != 0}
