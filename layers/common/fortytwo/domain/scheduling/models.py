"""Pure value objects of the slot engine (20-scheduling §2, §4, §5, §6).

Inputs are built by the store/HTTP layers from stored items; results are what `/v1/slots`,
`/v1/slots/check` and booking writes need. Nothing here performs I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from fortytwo.domain.timefmt import format_ts

WEEKDAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Schedule document keys, indexed like `date.weekday()` (Monday = 0)."""

MINUTES_PER_DAY = 1440
MAX_SLOTS = 2000
ACTIVE_STATUSES = frozenset({"confirmed", "pending"})
DEFAULT_GROUP_SEATS = 10


class SchedulingType(StrEnum):
    INDIVIDUAL = "individual"
    GROUP = "group"
    COLLECTIVE = "collective"  # round robin: one team member per booking


class UnavailableReason(StrEnum):
    """`/v1/slots/check` reasons, in the order they are tested (§4.4)."""

    EVENT_TYPE_INACTIVE = "event_type_inactive"
    IN_PAST = "in_past"
    OUTSIDE_MINIMUM_NOTICE = "outside_minimum_notice"
    OUTSIDE_FUTURE_LIMIT = "outside_future_limit"
    SLOT_BUSY = "slot_busy"


# --------------------------------------------------------------------------- schedules


@dataclass(frozen=True, slots=True, order=True)
class TimeRange:
    """`HH:MM-HH:MM` as minutes of the local date; `end_minute == 1440` is `24:00`."""

    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        if not 0 <= self.start_minute < self.end_minute <= MINUTES_PER_DAY:
            raise ValueError(f"invalid range {self.start_minute}-{self.end_minute}")

    def __str__(self) -> str:
        return f"{_hhmm(self.start_minute)}-{_hhmm(self.end_minute)}"


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


RangeList = tuple[TimeRange, ...]


def _frozen(mapping: Mapping[Any, RangeList] | None) -> Mapping[Any, RangeList]:
    return MappingProxyType({key: tuple(value) for key, value in (mapping or {}).items()})


@dataclass(frozen=True, slots=True)
class Schedule:
    """Weekly hours and date overrides, as wall-clock times in `timezone` (§2.4).

    `weekly` is keyed by `date.weekday()` (0 = Monday); a missing day is unavailable.
    `overrides` replace the weekly list of exactly that local date (`()` = unavailable).
    """

    timezone: str
    weekly: Mapping[int, RangeList] = field(default_factory=dict)
    overrides: Mapping[date, RangeList] = field(default_factory=dict)
    name: str = "Working hours"

    def __post_init__(self) -> None:
        object.__setattr__(self, "weekly", _frozen(self.weekly))
        object.__setattr__(self, "overrides", _frozen(self.overrides))
        if any(not 0 <= day <= 6 for day in self.weekly):
            raise ValueError("weekly keys are weekday numbers 0 (Monday) to 6 (Sunday)")

    def ranges_for(self, day: date) -> RangeList:
        """The list of one local date, before out of office (§4.2 step 1.2–1.3)."""
        found = self.overrides.get(day)
        if found is not None:
            return found
        return self.weekly.get(day.weekday(), ())


@dataclass(frozen=True, slots=True)
class OutOfOffice:
    """Inclusive local dates, read in the timezone of the schedule being expanded (§2.4.3)."""

    first_day: date
    last_day: date

    def __post_init__(self) -> None:
        if self.first_day > self.last_day:
            raise ValueError("out of office: from must be on or before to")

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True, slots=True)
class MeetingLimits:
    """Caps of one period kind; `None` means no cap. Used for account-wide user limits (§2.9)."""

    per_day: int | None = None
    per_week: int | None = None
    per_month: int | None = None

    def __post_init__(self) -> None:
        if any(cap is not None and cap < 1 for cap in (self.per_day, self.per_week, self.per_month)):
            raise ValueError("meeting limits are integers >= 1 or None")

    @property
    def any(self) -> bool:
        return self.per_day is not None or self.per_week is not None or self.per_month is not None


NO_LIMITS = MeetingLimits()


@dataclass(frozen=True, slots=True)
class Host:
    """One candidate host of an event type (§4.1 H) with what the engine needs about them.

    `schedule` is the schedule used for this event type (§2.4.2). `default_schedule_timezone` is
    the timezone of the user's default schedule, which sets their account-wide limit periods;
    `None` means it is `schedule.timezone` (always true for team-owned event types).
    """

    user_id: str
    schedule: Schedule
    out_of_office: tuple[OutOfOffice, ...] = ()
    limits: MeetingLimits = NO_LIMITS
    default_schedule_timezone: str | None = None

    @property
    def limits_timezone(self) -> str:
        return self.default_schedule_timezone or self.schedule.timezone


# --------------------------------------------------------------------------- event types


@dataclass(frozen=True, slots=True)
class EventTypeRules:
    """The slot-relevant fields of an event type (§2.5), with the stored defaults.

    `team_owned` selects the round robin / team group behaviour (`host_user_id` on slots).
    `timezone` is the event type's exposed `timezone` (§3.1): the schedule timezone for a
    user-owned event type, `None` for a team-owned one. It sets the per-event-type limit periods
    (`UTC` when `None`) and the default echo of `/v1/slots`.
    """

    id: str
    duration_minutes: int = 30
    scheduling_type: SchedulingType = SchedulingType.INDIVIDUAL
    team_owned: bool = False
    active: bool = True
    slot_increment_minutes: int | None = None
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    minimum_notice_minutes: int = 240
    future_limit_days: int = 60
    max_bookings_per_day: int | None = None
    max_bookings_per_week: int | None = None
    max_bookings_per_month: int | None = None
    seats: int | None = None
    timezone: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "scheduling_type", SchedulingType(self.scheduling_type))
        if not 1 <= self.duration_minutes <= 720:
            raise ValueError("duration_minutes must be 1-720")
        if self.slot_increment_minutes is not None and not 1 <= self.slot_increment_minutes <= 720:
            raise ValueError("slot_increment_minutes must be 1-720")
        if self.buffer_before_minutes < 0 or self.buffer_after_minutes < 0:
            raise ValueError("buffers must not be negative")
        if self.minimum_notice_minutes < 0 or self.future_limit_days < 1:
            raise ValueError("minimum_notice_minutes must be >= 0 and future_limit_days >= 1")
        if self.seats is not None and self.seats < 1:
            raise ValueError("seats must be positive")
        caps = (self.max_bookings_per_day, self.max_bookings_per_week, self.max_bookings_per_month)
        if any(cap is not None and cap < 1 for cap in caps):
            raise ValueError("max_bookings_per_* are integers >= 1 or None")

    @property
    def increment_minutes(self) -> int:
        return self.slot_increment_minutes or self.duration_minutes

    @property
    def is_group(self) -> bool:
        return self.scheduling_type is SchedulingType.GROUP

    @property
    def seat_capacity(self) -> int:
        return self.seats if self.seats is not None else DEFAULT_GROUP_SEATS

    @property
    def limits(self) -> MeetingLimits:
        return MeetingLimits(
            self.max_bookings_per_day, self.max_bookings_per_week, self.max_bookings_per_month
        )

    @property
    def limits_timezone(self) -> str:
        return self.timezone or "UTC"


# --------------------------------------------------------------------------- bookings


@dataclass(frozen=True, slots=True)
class ExistingBooking:
    """A stored booking (or group registration) as the engine sees it.

    Only `confirmed` and `pending` bookings matter; others are ignored. Buffers are the ones the
    booking was made with. `created_at` drives round robin ranking (§4.2 step 8).

    `seats_taken` is `None` for an ordinary meeting. For a group registration it is the number of
    seats the record holds (1 for one registration; a caller holding a pre-aggregated session item
    may pass the session's count). Records with a seat count and the same event type and start
    form one session: one meeting for busy time and limits (§2.8). Bookings of a `group` event type
    that is being computed are sessions even when `seats_taken` is `None`.
    """

    id: str
    event_type_id: str
    host_user_id: str
    start: datetime
    end: datetime
    created_at: datetime
    status: str = "confirmed"
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    seats_taken: int | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Slot:
    """One bookable start. Instants are aware UTC datetimes.

    `host_user_id` is set only for team-owned event types and `seats_remaining` only for group
    event types, exactly as `/v1/slots` serializes them (§5).
    """

    start: datetime
    end: datetime
    host_user_id: str | None = None
    seats_remaining: int | None = None

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"start": format_ts(self.start), "end": format_ts(self.end), "available": True}
        if self.host_user_id is not None:
            data["host_user_id"] = self.host_user_id
        if self.seats_remaining is not None:
            data["seats_remaining"] = self.seats_remaining
        return data


@dataclass(frozen=True, slots=True)
class SlotList:
    """The `SlotList` of `GET /v1/slots`; `timezone` is only an echo (§4.5 invariant 2)."""

    event_type_id: str
    timezone: str
    computed_at: datetime
    slots: tuple[Slot, ...]
    truncated: bool = False

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "event_type_id": self.event_type_id,
            "timezone": self.timezone,
            "computed_at": format_ts(self.computed_at),
            "slots": [slot.to_data() for slot in self.slots],
        }
        if self.truncated:
            data["truncated"] = True
        return data


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The single-start answer of §4.4, for booking create and reschedule.

    When `bookable`, `host_user_id` is the host the window form would name (the owner for a
    user-owned event type) and `candidate_host_ids` lists every host that could take the start,
    best-ranked first: round robin and reschedule use it to keep or replace a host (30-bookings
    §5.5, §7). For group event types, `joins_session` tells whether a session exists at the start
    (its host is the only candidate), `seats_taken` is its registration count (0 when the booking
    would open the session) and `seats_remaining` the free seats before this booking.
    """

    bookable: bool
    start: datetime
    end: datetime
    reason: UnavailableReason | None = None
    host_user_id: str | None = None
    candidate_host_ids: tuple[str, ...] = ()
    joins_session: bool = False
    seats_taken: int = 0
    seats_remaining: int | None = None


@dataclass(frozen=True, slots=True)
class SlotCheck:
    """The `SlotCheck` of `GET /v1/slots/check` (§6)."""

    available: bool
    duration_minutes: int
    reason: UnavailableReason | None = None
    next_available: datetime | None = None

    def to_data(self) -> dict[str, Any]:
        if self.available:
            return {"available": True, "duration_minutes": self.duration_minutes}
        data: dict[str, Any] = {"available": False, "reason": str(self.reason)}
        if self.reason is UnavailableReason.SLOT_BUSY:
            data["next_available"] = format_ts(self.next_available) if self.next_available else None
        return data
