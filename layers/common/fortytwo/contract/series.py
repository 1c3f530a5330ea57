"""Declaration of the series API (35-series): request bodies, the `Series` resource, the action
result and the `series.*` webhook payloads.

These models declare shapes (for the OpenAPI document and response checks). The request schema
step itself is `domain/series/requests.py`, which reports every violation in body order as the
contract requires; a body it accepts always validates here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

Frequency = Literal["weekly", "monthly_same_day"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SeriesStatus = Literal["active", "paused", "ended"]
OccurrenceState = Literal["booked", "skipped", "held", "canceled", "pending"]
# Clients must tolerate new reasons (§4.2); these are the four of this version.
SkipReason = Literal["in_past", "host_unavailable", "host_busy", "limit_reached"]
SeriesSort = Literal["created_at_desc", "created_at_asc", "updated_at_desc", "updated_at_asc"]

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
INSTANT_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$"

_REQUEST = ConfigDict(extra="ignore")  # unknown body fields are ignored (§1)
_RESPONSE = ConfigDict(extra="forbid")


# --- Requests ------------------------------------------------------------------------------------


class SeriesAttendeeIn(BaseModel):
    """`attendee` of `POST /v1/series` (`timezone`, `sms_opt_in` are accepted and ignored)."""

    model_config = _REQUEST
    email: str = Field(max_length=254)
    name: str | None = Field(default=None, max_length=255)
    first_name: str | None = Field(default=None, max_length=127)
    last_name: str | None = Field(default=None, max_length=127)
    phone: str | None = Field(default=None, max_length=64)


class CreateSeriesBody(BaseModel):
    """`POST /v1/series` (§6.1). Either `event_type_id`, or `username` with `event_slug`."""

    model_config = _REQUEST
    event_type_id: str | None = Field(default=None, pattern=UUID_PATTERN)
    # Strings of at most 127 characters, lowercased; with `event_type_id` they are ignored
    # whatever they hold, so the declaration cannot constrain them.
    username: Any = None
    event_slug: Any = None
    host_user_id: str = Field(pattern=UUID_PATTERN)
    attendee: SeriesAttendeeIn
    frequency: Frequency
    weekdays: list[Weekday] | None = None  # duplicates allowed, dropped (§3.1)
    interval_weeks: StrictInt | None = Field(default=None, ge=1, le=8)
    time: str = Field(pattern=TIME_PATTERN)
    timezone: str | None = Field(default=None, max_length=64)
    starts_on: str = Field(pattern=DATE_PATTERN)
    count: StrictInt = Field(ge=1, le=42)
    location_url: str | None = Field(default=None, max_length=2000, pattern=r"^[hH][tT][tT][pP][sS]://")
    notify_invitee: StrictBool = True
    metadata: dict[str, Any] | None = None
    responses: dict[str, Any] | None = None


class PatchSeriesBody(BaseModel):
    """`PATCH /v1/series/{uid}` (§9.1): the writable fields. The immutable names of §9.2 are
    answered with 422 `field_immutable`; other unknown fields are ignored."""

    model_config = _REQUEST
    frequency: Frequency | None = None
    weekdays: list[Weekday] | None = None
    interval_weeks: StrictInt | None = Field(default=None, ge=1, le=8)
    time: str | None = Field(default=None, pattern=TIME_PATTERN)
    timezone: str | None = Field(default=None, max_length=64)
    location_url: str | None = Field(default=None, max_length=2000, pattern=r"^[hH][tT][tT][pP][sS]://")
    notify_invitee: StrictBool | None = None


class ChangeHostBody(BaseModel):
    """`POST /v1/series/{uid}/host` (§10.5)."""

    model_config = _REQUEST
    host_user_id: str = Field(pattern=UUID_PATTERN)


# --- The Series resource (§2) --------------------------------------------------------------------


class SeriesEventType(BaseModel):
    model_config = _RESPONSE
    id: str
    slug: str
    name: str


class SeriesHost(BaseModel):
    model_config = _RESPONSE
    user_id: str
    username: str | None
    email: str | None


class SeriesAttendee(BaseModel):
    model_config = _RESPONSE
    name: str
    email: str
    phone: str | None


class SeriesOccurrence(BaseModel):
    """An `occurrences[]` entry (§2.3, extension)."""

    model_config = _RESPONSE
    index: int = Field(ge=1, le=42)
    date: str = Field(pattern=DATE_PATTERN)
    start_at: str = Field(pattern=INSTANT_PATTERN)
    state: OccurrenceState
    booking_uid: str | None
    reason: str | None


class Series(BaseModel):
    """The `Series` object; JSON field order is the declaration order (§2.1)."""

    model_config = _RESPONSE
    uid: str
    version: int = Field(ge=1)
    event_type: SeriesEventType
    host: SeriesHost
    attendee: SeriesAttendee
    frequency: Frequency
    interval_weeks: int | None
    weekdays: list[Weekday]
    time: str = Field(pattern=TIME_PATTERN)
    timezone: str
    starts_on: str = Field(pattern=DATE_PATTERN)
    count: int = Field(ge=1, le=42)
    status: SeriesStatus
    location_url: str | None
    notify_invitee: bool
    source: str  # always "api" here; clients must accept other values
    metadata: dict[str, Any]
    responses: dict[str, Any] | None  # null in list items
    owed: int = Field(ge=0)
    next_occurrence_at: str | None
    occurrences_remaining: int = Field(ge=0)
    occurrences: list[SeriesOccurrence] | None  # null in list items
    created_at: str = Field(pattern=INSTANT_PATTERN)
    updated_at: str = Field(pattern=INSTANT_PATTERN)
    ended_at: str | None


class SkippedDate(BaseModel):
    model_config = _RESPONSE
    date: str = Field(pattern=DATE_PATTERN)
    start_at: str = Field(pattern=INSTANT_PATTERN)  # extension
    reason: str


class SeriesActionResult(BaseModel):
    """The action result (§10.1): only the fields of the action are present (absent, not null)."""

    model_config = ConfigDict(extra="forbid")
    held: int | None = None
    created: int | None = None
    owed: int | None = None
    canceled: int | None = None
    moved: int | None = None
    unchanged: int | None = None
    stopped_by: str | None = None
    stopped_at: str | None = None
    skipped: list[SkippedDate] | None = None
    series: Series


# Fields of the action result per action, in §10.1 order (`series` last).
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "pause": ("held", "owed", "series"),
    "resume": ("created", "owed", "skipped", "series"),
    "end": ("canceled", "series"),
    "host": ("moved", "unchanged", "stopped_by", "stopped_at", "series"),
}


# --- Webhook payloads (§12) ----------------------------------------------------------------------


class SeriesCreatedData(BaseModel):
    model_config = _RESPONSE
    series: Series


class SeriesUpdatedData(BaseModel):
    model_config = _RESPONSE
    series: Series
    changed_fields: list[str]


class SeriesPausedData(BaseModel):
    model_config = _RESPONSE
    series: Series
    held: int
    owed: int


class SeriesResumedData(BaseModel):
    model_config = _RESPONSE
    series: Series
    created: int
    owed: int
    skipped: list[SkippedDate]


class SeriesEndedData(BaseModel):
    model_config = _RESPONSE
    series: Series
    canceled: int


class SeriesHostChangedData(BaseModel):
    model_config = _RESPONSE
    series: Series
    previous_host: SeriesHost
    moved: int
    unchanged: int


# Delivery name -> `data` model.
WEBHOOK_DATA: dict[str, type[BaseModel]] = {
    "series.created": SeriesCreatedData,
    "series.updated": SeriesUpdatedData,
    "series.paused": SeriesPausedData,
    "series.resumed": SeriesResumedData,
    "series.ended": SeriesEndedData,
    "series.host_changed": SeriesHostChangedData,
}


class WebhookBookingSeriesFields(BaseModel):
    """What `WebhookBooking` (40-webhooks §6.3) gains: present only on meetings of a series,
    snake_case even in the camelCase payload (§12.1)."""

    model_config = _RESPONSE
    series_id: str
    series_index: int = Field(ge=1, le=42)
