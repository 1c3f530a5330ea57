"""The `Booking` object and the bodies of the four booking writes (30-bookings §2, §5–§8).

The request models are what the handlers validate with, through `domain/bookings/requests.py`:
its ordered check first reports every violation in body order with the contract's messages (and
reads its limits here); the validated model is then mapped to the domain's request. 422
`field_immutable` and "nothing to update" are answered after the idempotency record.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, StrictBool, model_validator

from fortytwo.contract.types import (
    ContractModel,
    Email,
    InputInstant,
    InputUuid,
    Instant,
    JsonObject,
    NullIsAbsent,
    Uuid,
    omitted,
)

ATTENDEE_NAME_MAX = 200  # PATCH truncates to this many code points (str slices count them)
Slug = Annotated[str, AfterValidator(str.lower)]
AttendeeName = Annotated[str, AfterValidator(lambda name: name.strip()[:ATTENDEE_NAME_MAX])]

BookingStatus = Literal["confirmed", "pending", "canceled", "rescheduled"]
CalendarSyncStatus = Literal["synced", "pending", "failed", "not_applicable"]

BOOKING_EXAMPLE: dict[str, Any] = {
    "uid": "019e3a19-5800-726b-b2a7-4de452e6b438",
    "version": 1,
    "event_type_id": "019d48ea-2e00-7f28-9fb1-7c2390c192cf",
    "event_type_slug": "intro-call",
    "title": "Intro call",
    "status": "confirmed",
    "start_at": "2026-05-20T12:00:00.000Z",
    "end_at": "2026-05-20T12:30:00.000Z",
    "timezone": "Europe/Berlin",
    "host": {
        "user_id": "019d48b3-cc50-7238-b924-56de3eb13b90",
        "username": "ada",
        "email": "ada@example.com",
    },
    "attendees": [{"email": "bob@example.com", "name": "Bob Builder", "timezone": "Europe/Berlin"}],
    "guests": [{"email": "carol@example.com", "name": ""}],
    "location": {
        "type": "video",
        "url": "https://meet.example.com/ada",
        "value": "https://meet.example.com/ada",
    },
    "metadata": {"crm_deal_id": "D-4471"},
    "responses": {"company": "Builder & Co"},
    "calendar_sync_status": "not_applicable",
    "calendar_event_id": None,
    "rescheduled_from_uid": None,
    "cancelled_at": None,
    "cancellation_reason": None,
    "no_show_at": None,
    "no_show_reason": None,
    "series_id": None,
    "series_index": None,
    "created_at": "2026-05-18T08:00:00.000Z",
    "updated_at": "2026-05-18T08:00:00.000Z",
}


class BookingHost(ContractModel):
    user_id: Uuid
    username: str | None
    email: Email | None


class Attendee(ContractModel):
    email: Email
    name: str
    timezone: str | None


class Guest(ContractModel):
    email: Email
    name: str


class BookingLocation(ContractModel):
    type: str | None
    url: str | None
    value: str | None


class Booking(ContractModel):
    model_config = ConfigDict(json_schema_extra={"examples": [BOOKING_EXAMPLE]})

    uid: Uuid
    version: int = Field(ge=1, description="The ETag; +1 on every write.")
    event_type_id: Uuid
    event_type_slug: str | None
    title: str | None
    status: BookingStatus = Field(description="More values may appear: tolerate unknown ones.")
    start_at: Instant
    end_at: Instant
    timezone: str
    host: BookingHost | None
    attendees: list[Attendee]
    guests: list[Guest]
    location: BookingLocation | None
    metadata: JsonObject | None
    responses: JsonObject | None = Field(description="null in lists.")
    calendar_sync_status: CalendarSyncStatus
    calendar_event_id: str | None
    rescheduled_from_uid: Uuid | None
    cancelled_at: Instant | None
    cancellation_reason: str | None
    no_show_at: Instant | None
    no_show_reason: str | None
    series_id: Uuid | None = Field(description="The recurring series of this meeting (35-series §5.3).")
    series_index: int | None = Field(
        ge=1, le=42, description="Its occurrence number; null without series_id."
    )
    created_at: Instant
    updated_at: Instant


# --- request bodies -------------------------------------------------------------------------------


class EventTypeChoice(NullIsAbsent):
    """Mixin of the create bodies (bookings and series): the event type by `event_type_id`, or by
    `username` plus `event_slug` (both lower-cased). With an `event_type_id` the other form is
    ignored whatever it holds. (Not a `ContractModel`: it names no schema of its own.)"""

    event_type_id: InputUuid | None = Field(
        default=None, description="When present, username/event_slug are ignored."
    )
    username: Slug | None = Field(default=None, max_length=127)
    event_slug: Slug | None = Field(default=None, max_length=127)

    @model_validator(mode="before")
    @classmethod
    def _one_form(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("event_type_id") is not None:
            return {name: value for name, value in data.items() if name not in ("username", "event_slug")}
        return data


class PersonIn(NullIsAbsent):
    """Mixin of the attendee of a create body (bookings and series): who they are. (Not a
    `ContractModel`: it names no schema of its own.)"""

    email: Email = Field(max_length=254)
    name: str | None = Field(default=None, max_length=255)
    first_name: str | None = Field(default=None, max_length=127)
    last_name: str | None = Field(default=None, max_length=127)
    phone: str | None = Field(default=None, max_length=64)


class CreateBookingAttendee(ContractModel, PersonIn):
    timezone: str | None = Field(default=None, max_length=64)
    sms_opt_in: StrictBool = False


class CreateBookingRequest(ContractModel, EventTypeChoice):
    """Identify the event type by `event_type_id`, or by `username` plus `event_slug`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "event_type_id": "019d48ea-2e00-7f28-9fb1-7c2390c192cf",
                    "start": "2026-05-20T12:00:00Z",
                    "timezone": "Europe/Berlin",
                    "attendee": {
                        "email": "bob@example.com",
                        "name": "Bob Builder",
                        "phone": "+49 30 1234567",
                    },
                    "guests": ["carol@example.com"],
                    "metadata": {"crm_deal_id": "D-4471"},
                    "responses": {"company": "Builder & Co"},
                    "utm_source": "newsletter",
                }
            ]
        }
    )

    start: InputInstant = Field(
        description=(
            "RFC 3339 with an offset (without one: wall-clock time in `timezone`, else UTC);"
            " on the slot grid."
        )
    )
    timezone: str | None = Field(default=None, max_length=64)
    attendee: CreateBookingAttendee
    guests: list[Annotated[Email, Field(max_length=254)]] = Field(default_factory=list, max_length=10)
    metadata: JsonObject | None = Field(default=None, json_schema_extra={"maxProperties": 50})
    responses: JsonObject | None = Field(default=None, description="Answers keyed by question `key`.")
    utm_source: str | None = Field(default=None, max_length=255)
    utm_medium: str | None = Field(default=None, max_length=255)
    utm_campaign: str | None = Field(default=None, max_length=255)


class UpdateBookingRequest(ContractModel):
    """Only these fields are writable; `start`, `end`, `timezone`, `status`, `event_type_id`, `uid`,
    `version` give 422 `field_immutable`."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"metadata": {"crm_stage": "won"}}]})

    # PATCH never reads null as "absent": a writable field sent as null is a type error.
    metadata: JsonObject = omitted("Shallow-merged into the stored metadata.")
    responses: JsonObject = omitted("Replaces the stored answers.")
    attendee_name: AttendeeName = omitted("Trimmed; must not be empty; truncated to 200 characters.")


class CancelBookingRequest(ContractModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "Customer asked to cancel"}]})

    reason: str | None = Field(default=None, max_length=1024)


class RescheduleBookingRequest(ContractModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"start": "2026-05-21T12:00:00Z", "reason": "Conflict"}]}
    )

    start: InputInstant
    timezone: str | None = Field(default=None, max_length=64)
    reason: str | None = Field(default=None, max_length=1024)
