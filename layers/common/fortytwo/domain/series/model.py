"""The `Series` resource (35-series §2): stored facts, occurrences and the REST view.

A booked occurrence points at a meeting (a booking). Changes made through `/v1/bookings`
never touch the series record (§2.3): the view reads the meeting's current state, passed in as
`MeetingFacts` keyed by the booking uid the occurrence stores (the service resolves a
reschedule chain to its newest booking).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from fortytwo.domain.series.pattern import Frequency, Pattern, local_date
from fortytwo.domain.timefmt import format_ts

_ONE_MS = timedelta(milliseconds=1)
SOURCE_API = "api"


class SeriesStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class OccurrenceState(StrEnum):
    BOOKED = "booked"
    SKIPPED = "skipped"
    HELD = "held"
    CANCELED = "canceled"
    PENDING = "pending"


class SkipReason(StrEnum):
    """The four reasons of §4.1, in check order (clients must tolerate new ones)."""

    IN_PAST = "in_past"
    HOST_UNAVAILABLE = "host_unavailable"
    HOST_BUSY = "host_busy"
    LIMIT_REACHED = "limit_reached"


class PendingAction(StrEnum):
    """What a `pending` occurrence still needs (§2.4, §11.3)."""

    BOOK = "book"  # check and book at the occurrence's start_at
    RELEASE = "release"  # cancel the meeting `booking_uid`, then book at start_at (a pattern change)


@dataclass(frozen=True, slots=True)
class Occurrence:
    index: int
    date: date
    start_at: datetime
    state: OccurrenceState
    booking_uid: str | None = None
    reason: SkipReason | None = None
    action: PendingAction | None = None  # pending only; stored, never serialised

    def to_api(self) -> dict[str, Any]:
        shows_booking = self.state in (OccurrenceState.BOOKED, OccurrenceState.HELD, OccurrenceState.CANCELED)
        return {
            "index": self.index,
            "date": self.date.isoformat(),
            "start_at": format_ts(self.start_at),
            "state": str(self.state),
            "booking_uid": self.booking_uid if shows_booking else None,
            "reason": str(self.reason) if self.state is OccurrenceState.SKIPPED and self.reason else None,
        }


@dataclass(frozen=True, slots=True)
class SeriesAttendee:
    email: str  # trimmed, case kept
    name: str  # derived as 30-bookings §2.3
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    def to_api(self) -> dict[str, Any]:
        return {"name": self.name, "email": self.email, "phone": self.phone}


@dataclass(frozen=True, slots=True)
class EventTypeRef:
    """`event_type` as serialised: current values, or those at deletion (§2.1)."""

    id: str
    slug: str
    name: str

    def to_api(self) -> dict[str, Any]:
        return {"id": self.id, "slug": self.slug, "name": self.name}


@dataclass(frozen=True, slots=True)
class HostRef:
    user_id: str
    username: str | None
    email: str | None

    def to_api(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "username": self.username, "email": self.email}


@dataclass(frozen=True, slots=True)
class MeetingFacts:
    """The current state of an occurrence's meeting (the newest booking of its chain)."""

    uid: str
    active: bool  # confirmed or pending
    start_at: datetime
    end_at: datetime
    host_user_id: str


@dataclass(frozen=True, slots=True)
class Series:
    uid: str
    organization_id: str
    version: int
    event_type_id: str
    host_user_id: str
    attendee: SeriesAttendee
    pattern: Pattern
    starts_on: date
    count: int
    status: SeriesStatus
    location_url: str | None
    notify_invitee: bool
    metadata: dict[str, Any]
    responses: dict[str, Any]
    occurrences: tuple[Occurrence, ...]
    created_at: datetime
    updated_at: datetime
    ended_at: datetime | None = None
    source: str = SOURCE_API
    created_by: dict[str, str] = field(default_factory=dict)

    @property
    def owed(self) -> int:
        """Held occurrences: meetings a resume still has to book (§2.1)."""
        return sum(1 for o in self.occurrences if o.state is OccurrenceState.HELD)

    @property
    def pending(self) -> tuple[Occurrence, ...]:
        return tuple(o for o in self.occurrences if o.state is OccurrenceState.PENDING)

    def occurrence(self, index: int) -> Occurrence:
        return self.occurrences[index - 1]

    def with_occurrence(self, updated: Occurrence) -> Series:
        items = list(self.occurrences)
        items[updated.index - 1] = updated
        return replace(self, occurrences=tuple(items))

    def evolve(self, **changes: Any) -> Series:
        return replace(self, **changes)

    def bumped(self, now: datetime, **changes: Any) -> Series:
        """A write that changes a serialised field: `version` +1, `updated_at` strictly later."""
        return replace(
            self, version=self.version + 1, updated_at=max(now, self.updated_at + _ONE_MS), **changes
        )


def current_occurrence(
    occurrence: Occurrence, timezone: str, meetings: Mapping[str, MeetingFacts]
) -> Occurrence:
    """A `booked` occurrence as its meeting now stands (§2.3): canceled through `/v1/bookings`
    reads `canceled`; rescheduled follows the new booking (start, date, uid). Others as stored."""
    if occurrence.state is not OccurrenceState.BOOKED or occurrence.booking_uid is None:
        return occurrence
    meeting = meetings.get(occurrence.booking_uid)
    if meeting is None:
        return occurrence
    return replace(
        occurrence,
        state=OccurrenceState.BOOKED if meeting.active else OccurrenceState.CANCELED,
        start_at=meeting.start_at,
        date=local_date(meeting.start_at, timezone),
        booking_uid=meeting.uid,
    )


def current_occurrences(series: Series, meetings: Mapping[str, MeetingFacts]) -> tuple[Occurrence, ...]:
    return tuple(current_occurrence(o, series.pattern.timezone, meetings) for o in series.occurrences)


def is_to_come(occurrence: Occurrence, now: datetime) -> bool:
    """`start_at` after `now`; a meeting in progress is not to come (§2.3)."""
    return occurrence.start_at > now


def by_start(occurrences: tuple[Occurrence, ...] | list[Occurrence]) -> list[Occurrence]:
    """(`start_at`, `index`) order, the processing order of every action."""
    return sorted(occurrences, key=lambda o: (o.start_at, o.index))


def next_occurrence_at(occurrences: tuple[Occurrence, ...], now: datetime) -> datetime | None:
    starts = [o.start_at for o in occurrences if o.state is OccurrenceState.BOOKED and o.start_at > now]
    return min(starts, default=None)


def occurrences_remaining(occurrences: tuple[Occurrence, ...], now: datetime) -> int:
    """Booked and to come, plus held (owed), plus pending (§2.1)."""
    return sum(
        1
        for o in occurrences
        if (o.state is OccurrenceState.BOOKED and o.start_at > now)
        or o.state in (OccurrenceState.HELD, OccurrenceState.PENDING)
    )


def to_rest(
    series: Series,
    *,
    event_type: EventTypeRef,
    host: HostRef,
    meetings: Mapping[str, MeetingFacts],
    now: datetime,
    detail: bool = True,
) -> dict[str, Any]:
    """The `Series` object of §2.1 in field order; list items (`detail=False`) have
    `responses` and `occurrences` null."""
    occurrences = current_occurrences(series, meetings)
    pattern = series.pattern
    next_at = next_occurrence_at(occurrences, now)
    return {
        "uid": series.uid,
        "version": series.version,
        "event_type": event_type.to_api(),
        "host": host.to_api(),
        "attendee": series.attendee.to_api(),
        "frequency": str(pattern.frequency),
        "interval_weeks": pattern.interval_weeks if pattern.frequency is Frequency.WEEKLY else None,
        "weekdays": list(pattern.weekdays),
        "time": pattern.time,
        "timezone": pattern.timezone,
        "starts_on": series.starts_on.isoformat(),
        "count": series.count,
        "status": str(series.status),
        "location_url": series.location_url,
        "notify_invitee": series.notify_invitee,
        "source": series.source,
        "metadata": dict(series.metadata),
        "responses": dict(series.responses) if detail else None,
        "owed": series.owed,
        "next_occurrence_at": format_ts(next_at) if next_at is not None else None,
        "occurrences_remaining": occurrences_remaining(occurrences, now),
        "occurrences": [o.to_api() for o in occurrences] if detail else None,
        "created_at": format_ts(series.created_at),
        "updated_at": format_ts(series.updated_at),
        "ended_at": format_ts(series.ended_at) if series.ended_at is not None else None,
    }
