"""`EventType` and `EventTypeDetail` (20-scheduling §3.1, §3.2)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from fortytwo.contract.examples import examples
from fortytwo.contract.types import ContractModel, Instant, Uuid

SchedulingType = Literal["individual", "group", "collective"]
LocationType = Literal["google_meet", "microsoft_teams", "video", "phone", "in_person", "link", "ask_invitee"]
QuestionType = Literal[
    "text", "textarea", "email", "phone", "number", "select", "multiselect", "checkbox", "radio"
]

EVENT_TYPE_EXAMPLE: dict[str, Any] = {
    "id": "019d48ea-2e00-7f28-9fb1-7c2390c192cf",
    "slug": "intro-call",
    "title": "Intro call",
    "description": "30-minute introduction.",
    "duration_minutes": 30,
    "active": True,
    "scheduling_type": "individual",
    "hosts": [{"user_id": "019d48b3-cc50-7238-b924-56de3eb13b90", "username": "ada", "name": "Ada Lovelace"}],
    "url": "https://42min.us/ada/intro-call",
    "color": "#7c3aed",
    "buffer_before_minutes": 0,
    "buffer_after_minutes": 0,
    "minimum_notice_hours": 4,
    "future_limit_days": 60,
    "timezone": "Europe/London",
    "created_at": "2026-04-01T12:00:00.000Z",
    "updated_at": "2026-05-02T08:00:00.000Z",
}
EVENT_TYPE_DETAIL_EXAMPLE: dict[str, Any] = {
    **EVENT_TYPE_EXAMPLE,
    "locations": [{"type": "video", "label": "Video call", "value": None}],
    "questions": [],
    "max_bookings_per_day": None,
    "max_bookings_per_week": None,
    "max_bookings_per_month": None,
    "requires_confirmation": False,
    "allow_reschedule": True,
    "allow_cancel": True,
    "allow_series": True,
}


class UserRef(ContractModel):
    """A host (§2.8): `name` is the display name or null."""

    user_id: Uuid
    username: str | None
    name: str | None


class EventType(ContractModel):
    model_config = examples(EVENT_TYPE_EXAMPLE)

    id: Uuid
    slug: str
    title: str
    description: str | None
    duration_minutes: int
    active: bool
    scheduling_type: SchedulingType = Field(description="`collective` is round robin.")
    hosts: list[UserRef]
    url: str | None = Field(description="Public booking page.")
    color: str = Field(pattern="^#[0-9a-f]{6}$")
    buffer_before_minutes: int
    buffer_after_minutes: int
    minimum_notice_hours: int
    future_limit_days: int
    timezone: str | None = Field(description="The schedule's zone (user-owned); null for team-owned.")
    created_at: Instant
    updated_at: Instant


class EventTypeLocation(ContractModel):
    type: LocationType
    label: str
    value: str | None


class EventTypeQuestion(ContractModel):
    id: str
    key: str
    label: str
    type: QuestionType
    required: bool
    options: list[str] | None = Field(description="(extension) For select, multiselect and radio; else null.")


class EventTypeDetail(EventType):
    model_config = examples(EVENT_TYPE_DETAIL_EXAMPLE)

    locations: list[EventTypeLocation]
    questions: list[EventTypeQuestion]
    max_bookings_per_day: int | None
    max_bookings_per_week: int | None
    max_bookings_per_month: int | None
    requires_confirmation: bool
    allow_reschedule: bool
    allow_cancel: bool
    allow_series: bool = Field(description="(extension) Recurring series may book it (35-series §13.4).")
