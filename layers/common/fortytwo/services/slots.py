"""Slots: `GET /v1/slots` and `GET /v1/slots/check` (20-scheduling §5, §6).

Load the bookable event type, its hosts, their schedules and busy ledgers (`store/availability`:
one BatchGetItem and one Query per host after the event type's GetItem), then ask the pure engine.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fortytwo.contract.errors import EventTypeNotFound, InvalidQueryParam
from fortytwo.domain import clock
from fortytwo.domain.event_type_entity import EventType
from fortytwo.domain.event_types import ByUsernameSlug
from fortytwo.domain.scheduling import check_slot, compute_slots, is_valid_timezone
from fortytwo.domain.timefmt import shifted
from fortytwo.services import event_types
from fortytwo.store import availability
from fortytwo.store.event_types import stored_record

_MS = timedelta(milliseconds=1)
MAX_WINDOW = timedelta(days=31)


def check_window(start: datetime, end: datetime) -> None:
    """§5 rule 6: `end` after `start`, at most 31 days later (REST and the MCP tool alike)."""
    if end <= start:
        raise InvalidQueryParam("end", "end must be after start")
    if end - start > MAX_WINDOW:
        raise InvalidQueryParam("end", "the window must not exceed 31 days")


def check_timezone(value: str | None) -> str | None:
    """`timezone`, when given, is an IANA zone name (§5, §6)."""
    if value is not None and not is_valid_timezone(value):
        raise InvalidQueryParam("timezone", "timezone must be an IANA time zone name")
    return value


def _event_type(org_id: str, target: str | ByUsernameSlug) -> EventType:
    found = event_types.resolve(org_id, target)
    if found is None:
        raise EventTypeNotFound()
    return found


def list_slots(
    org_id: str, target: str | ByUsernameSlug, *, start: datetime, end: datetime, timezone: str | None
) -> dict[str, Any]:
    """The bookable starts of `[start, end)` (§5), days in `timezone` (default: the event type's)."""
    event_type = _event_type(org_id, target)
    now = clock.now()
    inputs = availability.load_inputs(stored_record(event_type), now=now, window_start=start, window_end=end)
    result = compute_slots(
        inputs.rules, inputs.hosts, inputs.bookings, now=now, start=start, end=end, timezone=timezone
    )
    return result.to_data()


def check(
    org_id: str, target: str | ByUsernameSlug, *, start: datetime, end: datetime | None
) -> dict[str, Any]:
    """Whether `start` (ending at `end`, if given) is bookable, and the next bookable start (§6)."""
    event_type = _event_type(org_id, target)
    now = clock.now()
    # next_available searches up to now + F days: read the ledger that far in the same one query.
    horizon = max(shifted(start, _MS), now + timedelta(days=event_type.future_limit_days))
    inputs = availability.load_inputs(
        stored_record(event_type), now=now, window_start=start, window_end=horizon
    )
    result = check_slot(inputs.rules, inputs.hosts, inputs.bookings, now=now, start=start, end=end)
    return result.to_data()
