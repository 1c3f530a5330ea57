"""The fixture of 20-scheduling §7.1 as engine inputs, plus small helpers for the slot tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from fortytwo.domain.scheduling import (
    EventTypeRules,
    ExistingBooking,
    Host,
    MeetingLimits,
    Schedule,
    SchedulingType,
    SlotList,
    compute_slots,
    parse_schedule_document,
)
from fortytwo.domain.timefmt import format_ts, parse_ts

ORG = "019d487d-9862-7bdc-8667-1ad11c80317f"
ADA = "019d48b3-cc50-7238-b924-56de3eb13b90"
GRACE = "019d48eb-a712-7bda-ad3c-2d6d1a3d1fa7"
SAM = "019d4922-33ba-76c2-972a-846916419f82"
NIA = "019d4958-1b45-737c-97fc-695a07a0ca6e"
SALES_TEAM = "019d4921-1c80-78d0-9738-f7d93d9c1724"

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def at(text: str) -> datetime:
    return parse_ts(text)


def iso(value: datetime) -> str:
    return format_ts(value)


def schedule(document: dict[str, Any]) -> Schedule:
    return parse_schedule_document(document).schedule


ADA_SCHEDULE = schedule(
    {"timezone": "Europe/London", "weekly": dict.fromkeys(WEEKDAYS, ["09:00-12:00", "13:00-17:00"])}
)
GRACE_SCHEDULE = schedule(
    {"timezone": "America/New_York", "weekly": dict.fromkeys(WEEKDAYS, ["09:00-17:00"])}
)
SAM_SCHEDULE = schedule({"timezone": "Europe/London", "weekly": {"sun": ["00:00-03:00"]}})
NIA_SCHEDULE = schedule(
    {
        "timezone": "America/New_York",
        "weekly": dict.fromkeys(WEEKDAYS, ["09:00-10:00"]),
        "overrides": {"2026-03-08": ["02:30-04:00"], "2026-11-01": ["01:30-03:00"]},
    }
)

HOST_ADA = Host(ADA, ADA_SCHEDULE)
HOST_GRACE = Host(GRACE, GRACE_SCHEDULE)
HOST_SAM = Host(SAM, SAM_SCHEDULE)
HOST_NIA = Host(NIA, NIA_SCHEDULE)


def _individual(event_type_id: str, tz: str, **fields: Any) -> EventTypeRules:
    base: dict[str, Any] = {
        "duration_minutes": 30,
        "slot_increment_minutes": 30,
        "minimum_notice_minutes": 0,
        "future_limit_days": 60,
        "timezone": tz,
    }
    base.update(fields)
    return EventTypeRules(id=event_type_id, **base)


INTRO_CALL = _individual("019d48ea-2e00-7f28-9fb1-7c2390c192cf", "Europe/London")
CONSULT = _individual(
    "019d4a34-aafe-7cf1-8737-819096da1dac", "Europe/London", buffer_before_minutes=15, buffer_after_minutes=5
)
DEEP_DIVE = _individual(
    "019d4a6a-b6d3-728f-8e4a-2bbdc241330b",
    "Europe/London",
    duration_minutes=60,
    slot_increment_minutes=60,
    buffer_after_minutes=10,
)
SALES_DEMO = _individual(
    "019d4958-39e0-7d38-8f21-ddb66cad4a26",
    None,  # team-owned: no timezone
    scheduling_type=SchedulingType.COLLECTIVE,
    team_owned=True,
)
WORKSHOP = _individual(
    "019d4ad8-e01b-7c37-b50b-ea63371ecd7b",
    "Europe/London",
    duration_minutes=60,
    slot_increment_minutes=60,
    scheduling_type=SchedulingType.GROUP,
    seats=3,
)
NIGHT_LINE = _individual("019d4b10-2b56-7614-97be-31111a2a73ed", "Europe/London")
CHECK_IN = _individual("019d4b46-9f04-7583-98f5-64135be6128e", "America/New_York")

DEFAULT_NOW = at("2026-05-18T08:00:00.000Z")

HOSTS_BY_EVENT_TYPE: dict[str, list[Host]] = {
    INTRO_CALL.id: [HOST_ADA],
    CONSULT.id: [HOST_ADA],
    DEEP_DIVE.id: [HOST_ADA],
    SALES_DEMO.id: [HOST_ADA, HOST_GRACE],
    WORKSHOP.id: [HOST_ADA],
    NIGHT_LINE.id: [HOST_SAM],
    CHECK_IN.id: [HOST_NIA],
}

_booking_counter = iter(range(1, 1_000_000))


def booking(
    event_type: EventTypeRules,
    host: str,
    start: str,
    *,
    created_at: str = "2026-05-01T00:00:00Z",
    status: str = "confirmed",
    booking_id: str | None = None,
    seats_taken: int | None = None,
) -> ExistingBooking:
    """A booking made with the event type's duration and buffers (as the store snapshots them)."""
    begin = at(start)
    return ExistingBooking(
        id=booking_id or f"booking-{next(_booking_counter)}",
        event_type_id=event_type.id,
        host_user_id=host,
        start=begin,
        end=begin + timedelta(minutes=event_type.duration_minutes),
        created_at=at(created_at),
        status=status,
        buffer_before_minutes=event_type.buffer_before_minutes,
        buffer_after_minutes=event_type.buffer_after_minutes,
        seats_taken=seats_taken,
    )


def slots_of(
    event_type: EventTypeRules,
    start: str,
    end: str,
    *,
    now: datetime = DEFAULT_NOW,
    bookings: Iterable[ExistingBooking] = (),
    hosts: Sequence[Host] | None = None,
    timezone: str | None = None,
) -> SlotList:
    return compute_slots(
        event_type,
        hosts if hosts is not None else HOSTS_BY_EVENT_TYPE[event_type.id],
        list(bookings),
        now=now,
        start=at(start),
        end=at(end),
        timezone=timezone,
    )


def starts(result: SlotList) -> list[str]:
    return [iso(slot.start) for slot in result.slots]


def with_limits(host: Host, **limits: int | None) -> Host:
    return dataclasses.replace(host, limits=MeetingLimits(**limits))
