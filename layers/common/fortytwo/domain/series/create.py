"""Create (35-series §6): the rule checks of steps 7–12 and the new series record.

The new record has every occurrence `pending` (book): the service books them in `index` order
(§5.1), each in its own meeting transaction, and records each outcome with `actions.booked` or
`actions.skipped`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from fortytwo.domain.bookings.answers import check_answers
from fortytwo.domain.bookings.errors import BookingRuleError, ErrorCollector
from fortytwo.domain.bookings.event_types import BookableEventType, Question
from fortytwo.domain.bookings.lifecycle import check_attendee
from fortytwo.domain.bookings.requests import AttendeeInput
from fortytwo.domain.series.actions import BookMeeting
from fortytwo.domain.series.errors import SeriesRuleError
from fortytwo.domain.series.model import (
    Occurrence,
    OccurrenceState,
    PendingAction,
    Series,
    SeriesAttendee,
    SeriesStatus,
)
from fortytwo.domain.series.pattern import Pattern, expand
from fortytwo.domain.series.requests import CreateSeriesRequest

SERIES_SCHEDULING_TYPES = frozenset({"individual", "collective"})


def check_event_type_usable(event_type: BookableEventType | None) -> None:
    """Steps 6–7 of create (also §9.3 step 13 and §10.3 step 8): exists, not deleted, active."""
    if event_type is None or event_type.deleted:
        raise BookingRuleError("event_type_not_found", "Event type not found.")
    if not event_type.active:
        raise BookingRuleError("event_type_inactive", "The event type is switched off.")


def check_takes_series(event_type: BookableEventType) -> None:
    """Step 8: `individual` or `collective`, and `allow_series` (group sessions take none)."""
    if event_type.scheduling_type not in SERIES_SCHEDULING_TYPES or not event_type.allow_series:
        raise SeriesRuleError(
            "event_type_disallows_series", "This event type does not allow recurring series."
        )


def check_host_eligible(host_organization_id: str | None, organization_id: str, removed: bool) -> None:
    """Step 9 (and §10.5 step 5): an unknown user, another organization's user and a removed
    user all look the same."""
    if host_organization_id != organization_id or removed:
        raise SeriesRuleError("host_not_eligible", "host_user_id is not a member of this organization.")


def check_attendee_addresses(request: CreateSeriesRequest) -> None:
    """Step 11: email, then phone format (30-bookings §5.3)."""
    given = request.attendee
    check_attendee(AttendeeInput(email=given.email, name=given.name, phone=given.phone, sms_opt_in=False))


def check_answer_types(questions: Sequence[Question], responses: Mapping[str, Any]) -> dict[str, Any]:
    """Step 12: types of the given answers (400 `responses.<key>`); unknown keys dropped;
    required questions are not enforced (§4.1)."""
    errors = ErrorCollector()
    kept = check_answers(questions, responses, errors)
    errors.raise_if_any()
    return kept


def _trimmed(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def derive_attendee(request: CreateSeriesRequest) -> SeriesAttendee:
    """`name` as 30-bookings §2.3: `name`, else first and last name, else ""; phone trimmed."""
    given = request.attendee
    first, last = _trimmed(given.first_name), _trimmed(given.last_name)
    return SeriesAttendee(
        email=given.email.strip(),
        name=_trimmed(given.name) or f"{first or ''} {last or ''}".strip(),
        phone=_trimmed(given.phone),
        first_name=first,
        last_name=last,
    )


def new_series(
    *,
    uid: str,
    organization_id: str,
    event_type_id: str,
    request: CreateSeriesRequest,
    pattern: Pattern,
    responses: Mapping[str, Any],
    now: datetime,
    created_by: Mapping[str, str],
) -> Series:
    """Transaction (a) of create: version 1, status active, every occurrence pending (book)."""
    occurrences = tuple(
        Occurrence(i, planned.date, planned.start_at, OccurrenceState.PENDING, action=PendingAction.BOOK)
        for i, planned in enumerate(expand(pattern, request.starts_on, request.count), start=1)
    )
    return Series(
        uid=uid,
        organization_id=organization_id,
        version=1,
        event_type_id=event_type_id,
        host_user_id=request.host_user_id,
        attendee=derive_attendee(request),
        pattern=pattern,
        starts_on=request.starts_on,
        count=request.count,
        status=SeriesStatus.ACTIVE,
        location_url=request.location_url,
        notify_invitee=request.notify_invitee,
        metadata=dict(request.metadata),
        responses=dict(responses),
        occurrences=occurrences,
        created_at=now,
        updated_at=now,
        created_by=dict(created_by),
    )


def plan_create(series: Series) -> tuple[BookMeeting, ...]:
    """Step 13: check and book every occurrence in `index` order."""
    return tuple(BookMeeting(o.index, o.start_at) for o in series.occurrences)
