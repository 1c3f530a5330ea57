"""What booking writes need to know about an event type (20-scheduling §2.5–2.8).

Built by the store from the stored event type, deleted ones included: cancel and PATCH still
work on bookings whose event type was deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

QUESTION_TYPES = frozenset(
    {"text", "textarea", "email", "phone", "number", "select", "multiselect", "checkbox", "radio"}
)


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    label: str
    type: str
    required: bool = False
    options: tuple[str, ...] | None = None

    @property
    def id(self) -> str:
        return f"q_{self.key}"


@dataclass(frozen=True, slots=True)
class EventLocation:
    type: str
    label: str | None = None
    value: str | None = None


@dataclass(frozen=True, slots=True)
class BookableEventType:
    """The booking-relevant fields of an event type; `owner_user_id` xor `team_id` is set."""

    id: str
    organization_id: str
    slug: str
    title: str
    scheduling_type: str = "individual"
    owner_user_id: str | None = None
    team_id: str | None = None
    duration_minutes: int = 30
    active: bool = True
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    requires_confirmation: bool = False
    allow_reschedule: bool = True
    allow_cancel: bool = True
    allow_series: bool = True
    seats: int | None = None
    max_bookings_per_day: int | None = None
    max_bookings_per_week: int | None = None
    max_bookings_per_month: int | None = None
    timezone: str | None = None
    locations: tuple[EventLocation, ...] = ()
    questions: tuple[Question, ...] = field(default_factory=tuple)
    deleted_at: datetime | None = None

    @property
    def team_owned(self) -> bool:
        return self.team_id is not None

    @property
    def is_group(self) -> bool:
        return self.scheduling_type == "group"

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def limits_timezone(self) -> str:
        """Per-event-type limit periods: the event type's timezone, `UTC` when it has none (§2.9)."""
        return self.timezone or "UTC"
