"""The meetings a series books and changes in place (35-series §5.2, §9.4, §10.5).

A series meeting is an ordinary `Booking`; what makes it one of a series is `series_id` and
`series_index` (§5.3), set on the booking and repeated in `SeriesMeeting` for callers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fortytwo.domain.bookings.event_types import BookableEventType
from fortytwo.domain.bookings.lifecycle import derive_location, next_version, scheduled
from fortytwo.domain.bookings.limits import CounterId
from fortytwo.domain.bookings.model import Attendee, Booking, HostSnapshot, Location
from fortytwo.domain.series.model import Series


@dataclass(frozen=True, slots=True)
class SeriesMeeting:
    booking: Booking
    series_id: str
    series_index: int


def link_location(url: str) -> Location:
    """`{ "type": "link", "url": <location_url>, "value": <location_url> }` (§5.2)."""
    return Location(type="link", url=url, value=url)


def new_meeting(
    *,
    uid: str,
    series: Series,
    index: int,
    start_at: datetime,
    event_type: BookableEventType,
    host: HostSnapshot,
    now: datetime,
    counter_keys: Sequence[CounterId],
    created_by: dict[str, str],
) -> SeriesMeeting:
    """The booking of occurrence `index` at `start_at` (§5.2): `E` snapshotted at booking time,
    the series timezone for the booking and its attendee, no guests, the fixed link or `E`'s first
    location, the series' metadata and responses."""
    attendee = series.attendee
    timezone = series.pattern.timezone
    booking = Booking(
        **scheduled(event_type, start_at, now),
        uid=uid,
        organization_id=series.organization_id,
        timezone=timezone,
        host=host,
        attendee=Attendee(
            email=attendee.email,
            name=attendee.name,
            timezone=timezone,
            first_name=attendee.first_name,
            last_name=attendee.last_name,
            phone=attendee.phone,
        ),
        guests=(),
        location=link_location(series.location_url)
        if series.location_url is not None
        else derive_location(event_type.locations),
        metadata=dict(series.metadata),
        responses=dict(series.responses),
        counter_keys=tuple(counter_keys),
        created_by=dict(created_by),
        series_id=series.uid,
        series_index=index,
    )
    return SeriesMeeting(booking, series.uid, index)


def with_link(booking: Booking, url: str, now: datetime) -> Booking:
    """A `location_url` change, in place (§9.4): `version` +1, `updated_at`."""
    return next_version(booking, now, location=link_location(url))


def with_host(
    booking: Booking, host: HostSnapshot, counter_keys: Sequence[CounterId], now: datetime
) -> Booking:
    """A move to another host, in place (§10.5): same uid and time, `version` +1, `updated_at`;
    `counter_keys` are the new host's account-wide counters plus the unchanged event-type ones."""
    return next_version(booking, now, host=host, counter_keys=tuple(counter_keys))
