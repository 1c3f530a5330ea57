"""The `Booking` resource (30-bookings §2): stored facts, REST and webhook serialisation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from fortytwo.domain.bookings.answers import answers_by_id, answers_by_label
from fortytwo.domain.bookings.event_types import Question
from fortytwo.domain.bookings.limits import CounterId, counter_id
from fortytwo.domain.timefmt import format_ts, parse_ts

CONFIRMED = "confirmed"
PENDING = "pending"
CANCELED = "canceled"
RESCHEDULED = "rescheduled"
STATUSES: tuple[str, ...] = (CONFIRMED, PENDING, CANCELED, RESCHEDULED)
ACTIVE_STATUSES = frozenset({CONFIRMED, PENDING})
UTM_FIELDS: tuple[str, ...] = ("utm_source", "utm_medium", "utm_campaign")
CALENDAR_SYNC_STATUS = "not_applicable"  # no calendar connections exist in this system


@dataclass(frozen=True, slots=True)
class Attendee:
    """`attendees[0]` plus what is stored but not serialised (§2.4)."""

    email: str
    name: str
    timezone: str | None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    sms_opt_in: bool = False


@dataclass(frozen=True, slots=True)
class Location:
    type: str
    url: str | None
    value: str | None
    label: str | None = None  # kept internally, never serialised


@dataclass(frozen=True, slots=True)
class HostSnapshot:
    """The host as assigned at creation; names are kept for the webhook `hostUser` fallback."""

    user_id: str
    username: str | None
    email: str | None
    first_name: str | None = None
    last_name: str | None = None


@dataclass(frozen=True, slots=True)
class Booking:
    uid: str
    organization_id: str
    version: int
    event_type_id: str
    event_type_slug: str
    title: str
    status: str
    start_at: datetime
    end_at: datetime
    timezone: str
    host: HostSnapshot
    attendee: Attendee
    guests: tuple[str, ...]
    location: Location | None
    metadata: dict[str, Any]
    responses: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    rescheduled_from_uid: str | None = None
    cancelled_at: datetime | None = None
    cancellation_reason: str | None = None
    no_show_at: datetime | None = None
    no_show_reason: str | None = None
    utm: dict[str, str] = field(default_factory=dict)
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    scheduling_type: str = "individual"
    reschedule_generation: int = 0
    replaced_by: str | None = None
    reschedule_reason: str | None = None
    session_start: datetime | None = None  # group registrations: the session they belong to
    counter_keys: tuple[CounterId, ...] = ()  # the limit counters it was counted in
    created_by: dict[str, str] = field(default_factory=dict)
    series_id: str | None = None  # a meeting of a recurring series (35-series §5.3)
    series_index: int | None = None  # its occurrence number, 1-42; None without series_id

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_group_registration(self) -> bool:
        return self.session_start is not None

    @property
    def meeting_id(self) -> str:
        """The busy-ledger id: the booking, or for a group registration its session (one meeting)."""
        if self.session_start is not None:
            return session_meeting_id(self.event_type_id, self.session_start)
        return self.uid

    @property
    def busy_start(self) -> datetime:
        return self.start_at - timedelta(minutes=self.buffer_before_minutes)

    @property
    def busy_end(self) -> datetime:
        return self.end_at + timedelta(minutes=self.buffer_after_minutes)

    def evolve(self, **changes: Any) -> Booking:
        return replace(self, **changes)


def session_meeting_id(event_type_id: str, start: datetime) -> str:
    return f"session:{event_type_id}:{format_ts(start)}"


def _ts(value: datetime | None) -> str | None:
    return format_ts(value) if value is not None else None


def to_rest(booking: Booking, *, include_responses: bool = True) -> dict[str, Any]:
    """The REST `Booking` in contract field order (§2.1); lists pass `include_responses=False`."""
    attendee = booking.attendee
    location = booking.location
    return {
        "uid": booking.uid,
        "version": booking.version,
        "event_type_id": booking.event_type_id,
        "event_type_slug": booking.event_type_slug,
        "title": booking.title,
        "status": booking.status,
        "start_at": format_ts(booking.start_at),
        "end_at": format_ts(booking.end_at),
        "timezone": booking.timezone,
        "host": {
            "user_id": booking.host.user_id,
            "username": booking.host.username,
            "email": booking.host.email,
        },
        "attendees": [{"email": attendee.email, "name": attendee.name, "timezone": attendee.timezone}],
        "guests": [{"email": email, "name": ""} for email in booking.guests],
        "location": (
            {"type": location.type, "url": location.url, "value": location.value} if location else None
        ),
        "metadata": dict(booking.metadata),
        "responses": dict(booking.responses) if include_responses else None,
        "calendar_sync_status": CALENDAR_SYNC_STATUS,
        "calendar_event_id": None,
        "rescheduled_from_uid": booking.rescheduled_from_uid,
        "cancelled_at": _ts(booking.cancelled_at),
        "cancellation_reason": booking.cancellation_reason,
        "no_show_at": _ts(booking.no_show_at),
        "no_show_reason": booking.no_show_reason,
        "series_id": booking.series_id,
        "series_index": booking.series_index,
        "created_at": format_ts(booking.created_at),
        "updated_at": format_ts(booking.updated_at),
    }


@dataclass(frozen=True, slots=True)
class WriteContext:
    """Values that the webhook payload takes "as of the write" (40-webhooks §6.3)."""

    event_type_title: str
    questions: Sequence[Question] = ()
    host_first_name: str | None = None
    host_last_name: str | None = None
    host_email: str | None = None


def url_params(booking: Booking) -> dict[str, Any]:
    """`urlParams` (40-webhooks §6.3): the booking's current metadata with its utm values merged
    over it (a utm key wins); 42min's n8n and Make triggers read `metadata` from this member."""
    return {**booking.metadata, **{name: booking.utm[name] for name in UTM_FIELDS if name in booking.utm}}


def webhook_fields(booking: Booking, context: WriteContext) -> dict[str, Any]:
    """Every `WebhookBooking` field (40-webhooks §6.3), for `envelope.webhook_booking`."""
    location = booking.location
    location_text = None
    if location is not None:
        location_text = location.value if location.value is not None else location.type
    return {
        "id": booking.uid,
        "eventTypeId": booking.event_type_id,
        "eventTypeName": context.event_type_title,
        "startTime": format_ts(booking.start_at),
        "endTime": format_ts(booking.end_at),
        "timezone": booking.timezone,
        "status": booking.status,
        "inviteeName": booking.attendee.name or "",
        "inviteeEmail": booking.attendee.email,
        "inviteePhone": booking.attendee.phone,
        "guests": [{"email": email, "name": ""} for email in booking.guests],
        "answers": answers_by_label(context.questions, booking.responses),
        "answersById": answers_by_id(context.questions, booking.responses),
        "routingFormAnswers": None,
        "urlParams": url_params(booking),
        "location": location_text,
        "meetLink": location.url if location is not None else None,
        "cancelledAt": _ts(booking.cancelled_at),
        "cancelledReason": booking.cancellation_reason,
        "noShowAt": _ts(booking.no_show_at),
        "noShowReason": booking.no_show_reason,
        "rescheduledAt": format_ts(booking.created_at) if booking.rescheduled_from_uid else None,
        "reschedule_generation": booking.reschedule_generation,
        "hostUser": {
            "id": booking.host.user_id,
            "firstName": context.host_first_name,
            "lastName": context.host_last_name,
            "email": context.host_email,
        },
        "organizationId": booking.organization_id,
        # Present only on meetings of a series, snake_case even in camelCase (35-series §12.1).
        **(
            {"series_id": booking.series_id, "series_index": booking.series_index}
            if booking.series_id is not None
            else {}
        ),
    }


def previous_booking(booking: Booking) -> dict[str, Any]:
    """`previousBooking` of `booking.rescheduled`: where the meeting was before the move."""
    return {
        "startTime": format_ts(booking.start_at),
        "endTime": format_ts(booking.end_at),
        "timezone": booking.timezone,
    }


# --- Plain-data record (what the store persists, besides its keys) ------------------------------


def to_record(booking: Booking) -> dict[str, Any]:
    """JSON-like dict of every stored fact; instants in the contract's output format."""
    attendee, location, host = booking.attendee, booking.location, booking.host
    return {
        "uid": booking.uid,
        "organization_id": booking.organization_id,
        "version": booking.version,
        "event_type_id": booking.event_type_id,
        "event_type_slug": booking.event_type_slug,
        "title": booking.title,
        "status": booking.status,
        "start_at": format_ts(booking.start_at),
        "end_at": format_ts(booking.end_at),
        "timezone": booking.timezone,
        "host_user_id": host.user_id,
        "host": {
            "user_id": host.user_id,
            "username": host.username,
            "email": host.email,
            "first_name": host.first_name,
            "last_name": host.last_name,
        },
        "attendee_email": attendee.email,
        "attendee": {
            "email": attendee.email,
            "name": attendee.name,
            "timezone": attendee.timezone,
            "first_name": attendee.first_name,
            "last_name": attendee.last_name,
            "phone": attendee.phone,
            "sms_opt_in": attendee.sms_opt_in,
        },
        "guests": list(booking.guests),
        "location": (
            {"type": location.type, "url": location.url, "value": location.value, "label": location.label}
            if location
            else None
        ),
        "metadata": dict(booking.metadata),
        "responses": dict(booking.responses),
        "rescheduled_from_uid": booking.rescheduled_from_uid,
        "cancelled_at": _ts(booking.cancelled_at),
        "cancellation_reason": booking.cancellation_reason,
        "no_show_at": _ts(booking.no_show_at),
        "no_show_reason": booking.no_show_reason,
        "created_at": format_ts(booking.created_at),
        "updated_at": format_ts(booking.updated_at),
        "utm": dict(booking.utm),
        "buffer_before_minutes": booking.buffer_before_minutes,
        "buffer_after_minutes": booking.buffer_after_minutes,
        "scheduling_type": booking.scheduling_type,
        "reschedule_generation": booking.reschedule_generation,
        "replaced_by": booking.replaced_by,
        "reschedule_reason": booking.reschedule_reason,
        "session_start": _ts(booking.session_start),
        "counter_keys": [list(counter) for counter in booking.counter_keys],
        "created_by": dict(booking.created_by),
        "series_id": booking.series_id,
        "series_index": booking.series_index,
    }


def _opt_ts(value: Any) -> datetime | None:
    return parse_ts(value) if value else None


def from_record(data: Mapping[str, Any]) -> Booking:
    attendee = data["attendee"]
    host = data["host"]
    location = data.get("location")
    return Booking(
        uid=data["uid"],
        organization_id=data["organization_id"],
        version=int(data["version"]),
        event_type_id=data["event_type_id"],
        event_type_slug=data["event_type_slug"],
        title=data["title"],
        status=data["status"],
        start_at=parse_ts(data["start_at"]),
        end_at=parse_ts(data["end_at"]),
        timezone=data["timezone"],
        host=HostSnapshot(
            user_id=host["user_id"],
            username=host.get("username"),
            email=host.get("email"),
            first_name=host.get("first_name"),
            last_name=host.get("last_name"),
        ),
        attendee=Attendee(
            email=attendee["email"],
            name=attendee.get("name") or "",
            timezone=attendee.get("timezone"),
            first_name=attendee.get("first_name"),
            last_name=attendee.get("last_name"),
            phone=attendee.get("phone"),
            sms_opt_in=bool(attendee.get("sms_opt_in", False)),
        ),
        guests=tuple(data.get("guests") or ()),
        location=(
            Location(location["type"], location.get("url"), location.get("value"), location.get("label"))
            if location
            else None
        ),
        metadata=dict(data.get("metadata") or {}),
        responses=dict(data.get("responses") or {}),
        created_at=parse_ts(data["created_at"]),
        updated_at=parse_ts(data["updated_at"]),
        rescheduled_from_uid=data.get("rescheduled_from_uid"),
        cancelled_at=_opt_ts(data.get("cancelled_at")),
        cancellation_reason=data.get("cancellation_reason"),
        no_show_at=_opt_ts(data.get("no_show_at")),
        no_show_reason=data.get("no_show_reason"),
        utm=dict(data.get("utm") or {}),
        buffer_before_minutes=int(data.get("buffer_before_minutes") or 0),
        buffer_after_minutes=int(data.get("buffer_after_minutes") or 0),
        scheduling_type=data.get("scheduling_type") or "individual",
        reschedule_generation=int(data.get("reschedule_generation") or 0),
        replaced_by=data.get("replaced_by"),
        reschedule_reason=data.get("reschedule_reason"),
        session_start=_opt_ts(data.get("session_start")),
        counter_keys=tuple(counter_id(stored) for stored in data.get("counter_keys") or ()),
        created_by=dict(data.get("created_by") or {}),
        series_id=data.get("series_id"),
        series_index=int(data["series_index"]) if data.get("series_index") is not None else None,
    )
