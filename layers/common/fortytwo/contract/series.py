"""Declaration of the series API (35-series): request bodies, the `Series` resource, the action
result and the `series.*` webhook payloads.

The request models are what the handlers validate with (through `domain/series/requests.py`,
whose ordered check first reports every violation in body order with the contract's messages and
reads its limits here); the response models are closed (`extra="forbid"`), so a response check
fails on an undeclared member.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool, StrictInt

from fortytwo.contract.bookings import EventTypeChoice, PersonIn
from fortytwo.contract.types import (
    ContractModel,
    Email,
    InputUuid,
    Instant,
    JsonObject,
    LocalDate,
    LocalTime,
    Url,
    Uuid,
)

Frequency = Literal["weekly", "monthly_same_day"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SeriesStatus = Literal["active", "paused", "ended"]
OccurrenceState = Literal["booked", "skipped", "held", "canceled", "pending"]
# Clients must tolerate new reasons (§4.2); these are the four of this version.
SkipReason = Literal["in_past", "host_unavailable", "host_busy", "limit_reached"]
SeriesSort = Literal["created_at_desc", "created_at_asc", "updated_at_desc", "updated_at_asc"]

HTTPS_URL_PATTERN = r"^[hH][tT][tT][pP][sS]://"


# --- Requests ------------------------------------------------------------------------------------


class SeriesAttendeeIn(ContractModel, PersonIn):
    """`attendee` of `POST /v1/series` (`timezone`, `sms_opt_in` are accepted and ignored)."""


class CreateSeriesBody(ContractModel, EventTypeChoice):
    """`POST /v1/series` (§6.1). Either `event_type_id`, or `username` with `event_slug`."""

    host_user_id: InputUuid
    attendee: SeriesAttendeeIn
    frequency: Frequency
    weekdays: list[Weekday] | None = Field(
        default=None, description="Weekly: 1 to 7 names, duplicates dropped (§3.1). Monthly: absent or []."
    )
    interval_weeks: StrictInt | None = Field(default=None, ge=1, le=8, description="Monthly: absent or 1.")
    time: LocalTime
    timezone: str | None = Field(default=None, max_length=64)
    starts_on: LocalDate
    count: StrictInt = Field(ge=1, le=42)
    location_url: Url | None = Field(default=None, max_length=2000, pattern=HTTPS_URL_PATTERN)
    notify_invitee: StrictBool = True
    metadata: JsonObject | None = None
    responses: JsonObject | None = None


class PatchSeriesBody(ContractModel):
    """`PATCH /v1/series/{uid}` (§9.1): the writable fields. The immutable names of §9.2 are
    answered with 422 `field_immutable`; other unknown fields are ignored."""

    frequency: Frequency | None = None
    weekdays: list[Weekday] | None = None
    interval_weeks: StrictInt | None = Field(default=None, ge=1, le=8)
    time: LocalTime | None = None
    timezone: str | None = Field(default=None, max_length=64)
    location_url: Url | None = Field(default=None, max_length=2000, pattern=HTTPS_URL_PATTERN)
    notify_invitee: StrictBool | None = None


class ChangeHostBody(ContractModel):
    """`POST /v1/series/{uid}/host` (§10.5)."""

    host_user_id: InputUuid


# --- The Series resource (§2) --------------------------------------------------------------------


class SeriesEventType(ContractModel, extra="forbid"):
    id: Uuid
    slug: str
    name: str


class SeriesHost(ContractModel, extra="forbid"):
    user_id: Uuid
    username: str | None
    email: Email | None


class SeriesAttendee(ContractModel, extra="forbid"):
    name: str
    email: Email
    phone: str | None


class SeriesOccurrence(ContractModel, extra="forbid"):
    """An `occurrences[]` entry (§2.3, extension)."""

    index: int = Field(ge=1, le=42)
    date: LocalDate
    start_at: Instant
    state: OccurrenceState
    booking_uid: str | None  # tests plan meetings with readable uids
    reason: str | None


class Series(ContractModel, extra="forbid"):
    """The `Series` object; JSON field order is the declaration order (§2.1)."""

    uid: Uuid
    version: int = Field(ge=1)
    event_type: SeriesEventType
    host: SeriesHost
    attendee: SeriesAttendee
    frequency: Frequency
    interval_weeks: int | None
    weekdays: list[Weekday]
    time: LocalTime
    timezone: str
    starts_on: LocalDate
    count: int = Field(ge=1, le=42)
    status: SeriesStatus
    location_url: Url | None
    notify_invitee: bool
    source: str  # always "api" here; clients must accept other values
    metadata: JsonObject
    responses: JsonObject | None  # null in list items
    owed: int = Field(ge=0)
    next_occurrence_at: Instant | None
    occurrences_remaining: int = Field(ge=0)
    occurrences: list[SeriesOccurrence] | None  # null in list items
    created_at: Instant
    updated_at: Instant
    ended_at: Instant | None


class SkippedDate(ContractModel, extra="forbid"):
    date: LocalDate
    start_at: Instant  # extension
    reason: str


class SeriesActionResult(ContractModel, extra="forbid"):
    """The action result (§10.1): only the fields of the action are present (absent, not null)."""

    held: int | None = None
    created: int | None = None
    owed: int | None = None
    canceled: int | None = None
    moved: int | None = None
    unchanged: int | None = None
    stopped_by: str | None = None
    stopped_at: Instant | None = None
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


class SeriesCreatedData(ContractModel, extra="forbid"):
    series: Series


class SeriesUpdatedData(ContractModel, extra="forbid"):
    series: Series
    changed_fields: list[str]


class SeriesPausedData(ContractModel, extra="forbid"):
    series: Series
    held: int
    owed: int


class SeriesResumedData(ContractModel, extra="forbid"):
    series: Series
    created: int
    owed: int
    skipped: list[SkippedDate]


class SeriesEndedData(ContractModel, extra="forbid"):
    series: Series
    canceled: int


class SeriesHostChangedData(ContractModel, extra="forbid"):
    series: Series
    previous_host: SeriesHost
    moved: int
    unchanged: int


# Delivery name -> `data` model.
WEBHOOK_DATA: dict[str, type[ContractModel]] = {
    "series.created": SeriesCreatedData,
    "series.updated": SeriesUpdatedData,
    "series.paused": SeriesPausedData,
    "series.resumed": SeriesResumedData,
    "series.ended": SeriesEndedData,
    "series.host_changed": SeriesHostChangedData,
}
