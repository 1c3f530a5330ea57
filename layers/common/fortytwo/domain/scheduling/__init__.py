"""The slot engine of 20-scheduling §4: pure functions of their inputs, `now` included.

Public API
==========

Inputs (`models`):
    ``Schedule(timezone, weekly={0: (TimeRange, ...)}, overrides={date: (...)})`` — wall-clock hours;
    ``OutOfOffice(first_day, last_day)``; ``MeetingLimits(per_day, per_week, per_month)``;
    ``Host(user_id, schedule, out_of_office=(), limits=NO_LIMITS, default_schedule_timezone=None)``;
    ``EventTypeRules(id, duration_minutes, scheduling_type, team_owned, active, ...)``;
    ``ExistingBooking(id, event_type_id, host_user_id, start, end, created_at, status, buffer_*,
    seats_taken)``.

    ``hosts`` is ``[owner]`` for a user-owned event type and the team members (any order) for a
    team-owned one. ``bookings`` must hold the active bookings that can matter: every meeting of
    those hosts near the window (busy time), in the limit periods touching the window (account-wide
    caps), every meeting of the event type in those periods (per-event-type caps), and for round
    robin the event type's meetings created this UTC month plus each host's latest one (ranking).
    Passing more is always safe; canceled/rescheduled ones are ignored.

Window form (`GET /v1/slots`):
    ``compute_slots(rules, hosts, bookings, *, now, start, end, timezone=None,
    exclude_booking_id=None) -> SlotList`` — ``SlotList.slots`` are ``Slot(start, end,
    host_user_id, seats_remaining)`` with aware UTC datetimes; ``truncated`` past 2000 slots;
    ``to_data()`` gives the response ``data`` object.

Single start (booking create / reschedule, §4.4):
    ``evaluate(rules, hosts, bookings, *, now, start, exclude_booking_id=None) -> Evaluation`` —
    ``bookable``, ``reason`` (``UnavailableReason``, a ``str``), ``host_user_id``,
    ``candidate_host_ids`` (best-ranked first), ``joins_session``, ``seats_taken``,
    ``seats_remaining``.

`GET /v1/slots/check` (§6):
    ``check_slot(rules, hosts, bookings, *, now, start, end=None) -> SlotCheck`` with
    ``to_data()``; ``next_available(rules, hosts, bookings, *, now, after)``.

Helpers: ``parse_schedule_document(doc)`` / ``schedule_to_document`` / ``default_schedule`` for the
seed and admin schedule document (errors carry paths such as ``weekly.mon[0]``);
``period_keys(instant, timezone)`` / ``period_bounds`` for limit counters;
``local_to_instant(day, minute, timezone, is_end=...)`` for the DST rules of §4.3;
``get_zone`` / ``is_valid_timezone`` for zones from the pinned tzdata only.

Example::

    from datetime import UTC, datetime
    from fortytwo.domain.scheduling import EventTypeRules, Host, compute_slots, parse_schedule_document

    doc = parse_schedule_document({"timezone": "Europe/London", "weekly": {"wed": ["09:00-12:00"]}})
    rules = EventTypeRules(id="…", duration_minutes=30, minimum_notice_minutes=0, timezone="Europe/London")
    hosts = [Host("ada-id", doc.schedule, doc.out_of_office)]
    result = compute_slots(rules, hosts, [], now=datetime(2026, 5, 18, 8, tzinfo=UTC),
                           start=datetime(2026, 5, 20, tzinfo=UTC), end=datetime(2026, 5, 21, tzinfo=UTC))
    result.slots[0].start  # datetime(2026, 5, 20, 8, 0, tzinfo=UTC)
"""

from fortytwo.domain.scheduling.check import check_slot, evaluate, next_available
from fortytwo.domain.scheduling.engine import compute_slots
from fortytwo.domain.scheduling.localtime import local_to_instant
from fortytwo.domain.scheduling.models import (
    ACTIVE_STATUSES,
    MAX_SLOTS,
    NO_LIMITS,
    WEEKDAY_KEYS,
    Evaluation,
    EventTypeRules,
    ExistingBooking,
    Host,
    MeetingLimits,
    OutOfOffice,
    Schedule,
    SchedulingType,
    Slot,
    SlotCheck,
    SlotList,
    TimeRange,
    UnavailableReason,
)
from fortytwo.domain.scheduling.periods import PeriodKeys, PeriodKind, period_bounds, period_keys
from fortytwo.domain.scheduling.schedule_parse import (
    ScheduleDocument,
    ScheduleDocumentError,
    default_schedule,
    parse_schedule_document,
    parse_time_range,
    schedule_to_document,
)
from fortytwo.domain.scheduling.zones import UnknownTimezoneError, get_zone, is_valid_timezone, timezone_names

__all__ = [
    "ACTIVE_STATUSES",
    "MAX_SLOTS",
    "NO_LIMITS",
    "WEEKDAY_KEYS",
    "Evaluation",
    "EventTypeRules",
    "ExistingBooking",
    "Host",
    "MeetingLimits",
    "OutOfOffice",
    "PeriodKeys",
    "PeriodKind",
    "Schedule",
    "ScheduleDocument",
    "ScheduleDocumentError",
    "SchedulingType",
    "Slot",
    "SlotCheck",
    "SlotList",
    "TimeRange",
    "UnavailableReason",
    "UnknownTimezoneError",
    "check_slot",
    "compute_slots",
    "default_schedule",
    "evaluate",
    "get_zone",
    "is_valid_timezone",
    "local_to_instant",
    "next_available",
    "parse_schedule_document",
    "parse_time_range",
    "period_bounds",
    "period_keys",
    "schedule_to_document",
    "timezone_names",
]
