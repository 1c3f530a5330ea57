"""Booking creation, status lifecycle and write rules (30-bookings §2.2, §2.3, §5–§8).

Pure: every function takes `now` and the facts it needs, and returns a new `Booking` or raises a
`BookingRuleError` / `FieldErrors` named by the contract's codes, in the endpoint's check order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from fortytwo.domain.bookings.addresses import is_valid_email, is_valid_phone
from fortytwo.domain.bookings.answers import check_answers, missing_required
from fortytwo.domain.bookings.errors import BookingRuleError, ErrorCollector
from fortytwo.domain.bookings.event_types import BookableEventType, EventLocation, Question
from fortytwo.domain.bookings.fields import METADATA_MAX_KEYS
from fortytwo.domain.bookings.limits import CounterId
from fortytwo.domain.bookings.model import (
    CANCELED,
    CONFIRMED,
    PENDING,
    RESCHEDULED,
    Attendee,
    Booking,
    HostSnapshot,
    Location,
)
from fortytwo.domain.bookings.requests import AttendeeInput, CreateRequest, PatchRequest

_ONE_MS = timedelta(milliseconds=1)
_URL_LOCATIONS = frozenset({"video", "link"})


# --- Values derived at creation (§2.3) --------------------------------------------------------


def booking_timezone(
    request_timezone: str | None, attendee_timezone: str | None, event_type_tz: str | None
) -> str:
    return request_timezone or attendee_timezone or event_type_tz or "UTC"


def _trimmed(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def derive_attendee(given: AttendeeInput, request_timezone: str | None) -> Attendee:
    first, last = _trimmed(given.first_name), _trimmed(given.last_name)
    name = _trimmed(given.name) or f"{first or ''} {last or ''}".strip()
    return Attendee(
        email=given.email.strip(),
        name=name,
        timezone=given.timezone or request_timezone,
        first_name=first,
        last_name=last,
        phone=_trimmed(given.phone),
        sms_opt_in=given.sms_opt_in,
    )


def derive_guests(guests: Sequence[str], attendee_email: str) -> tuple[str, ...]:
    """Trimmed, first occurrence kept (case-insensitive), the attendee's own address removed."""
    seen = {attendee_email.strip().lower()}
    kept = []
    for guest in guests:
        email = guest.strip()
        if email.lower() in seen:
            continue
        seen.add(email.lower())
        kept.append(email)
    return tuple(kept)


def derive_location(locations: Sequence[EventLocation]) -> Location | None:
    if not locations:
        return None
    first = locations[0]
    url = first.value if first.type in _URL_LOCATIONS and first.value is not None else None
    return Location(type=first.type, url=url, value=first.value, label=first.label)


def initial_status(event_type: BookableEventType) -> str:
    return PENDING if event_type.requires_confirmation else CONFIRMED


def scheduled(event_type: BookableEventType, start: datetime, now: datetime) -> dict[str, Any]:
    """The fields a new booking (create, reschedule, series meeting) takes from its event type and
    start, version 1, created now (§2.1 "value at creation")."""
    return {
        "version": 1,
        "event_type_id": event_type.id,
        "event_type_slug": event_type.slug,
        "title": event_type.title,
        "status": initial_status(event_type),
        "start_at": start,
        "end_at": start + timedelta(minutes=event_type.duration_minutes),
        "created_at": now,
        "updated_at": now,
        "buffer_before_minutes": event_type.buffer_before_minutes,
        "buffer_after_minutes": event_type.buffer_after_minutes,
        "scheduling_type": event_type.scheduling_type,
    }


def next_updated_at(previous: datetime, now: datetime) -> datetime:
    """`max(now, previous + 1 ms)`: strictly increasing per booking (§2.1)."""
    return max(now, previous + _ONE_MS)


def next_version(booking: Booking, now: datetime, **changes: Any) -> Booking:
    """The booking after a change in place: `changes`, `version` +1, a later `updated_at` (§2.1)."""
    return booking.evolve(
        **changes, version=booking.version + 1, updated_at=next_updated_at(booking.updated_at, now)
    )


# --- Create checks (§5.2 steps 7–10) ---------------------------------------------------------


def check_bookable(event_type: BookableEventType, start: datetime, now: datetime) -> None:
    """Steps 7–8 (create) and 11–12 (reschedule): active, then not in the past."""
    if not event_type.active:
        raise BookingRuleError("event_type_inactive", "The event type is switched off.")
    if start < now:
        raise BookingRuleError("slot_in_past", "The requested start is in the past.")


def check_attendee(given: AttendeeInput) -> None:
    """Step 9, in order: email, phone format, SMS consent."""
    if not is_valid_email(given.email):
        raise BookingRuleError("attendee_email_invalid", "The attendee email address is not valid.")
    phone = _trimmed(given.phone)
    if phone is not None and not is_valid_phone(phone):
        raise BookingRuleError(
            "attendee_phone_invalid", "The attendee phone number is not a valid international number."
        )
    if given.sms_opt_in and phone is None:
        raise BookingRuleError("attendee_phone_required", "SMS opt-in needs an attendee phone number.")


def check_create_answers(questions: Sequence[Question], responses: Mapping[str, Any]) -> dict[str, Any]:
    """Step 10: answer types (400 validation_error), then required questions (422)."""
    errors = ErrorCollector()
    kept = check_answers(questions, responses, errors)
    errors.raise_if_any()
    missing = missing_required(questions, kept)
    if missing:
        raise BookingRuleError(
            "missing_required_responses", "Required questions are unanswered", {"fields": missing}
        )
    return kept


def new_booking(
    *,
    uid: str,
    request: CreateRequest,
    event_type: BookableEventType,
    event_type_timezone: str | None,
    host: HostSnapshot,
    responses: Mapping[str, Any],
    now: datetime,
    session_start: datetime | None,
    counter_keys: Sequence[CounterId],
    created_by: Mapping[str, str],
) -> Booking:
    """The booking a create commits (§2.1 "value at creation")."""
    attendee = derive_attendee(request.attendee, request.timezone)
    return Booking(
        **scheduled(event_type, request.start, now),
        uid=uid,
        organization_id=event_type.organization_id,
        timezone=booking_timezone(request.timezone, request.attendee.timezone, event_type_timezone),
        host=host,
        attendee=attendee,
        guests=derive_guests(request.guests, attendee.email),
        location=derive_location(event_type.locations),
        metadata=dict(request.metadata),
        responses=dict(responses),
        utm=dict(request.utm),
        session_start=session_start,
        counter_keys=tuple(counter_keys),
        created_by=dict(created_by),
    )


# --- Cancel (§6) -----------------------------------------------------------------------------


def cancel_is_noop(booking: Booking, event_type: BookableEventType | None, now: datetime) -> bool:
    """Steps 7–10: True for an already canceled booking (200, nothing written); raises otherwise."""
    if booking.status == CANCELED:
        return True
    if booking.status == RESCHEDULED:
        raise BookingRuleError(
            "booking_already_rescheduled",
            "This booking was already replaced by a reschedule",
            {"replaced_by": booking.replaced_by},
        )
    if event_type is not None and not event_type.allow_cancel:
        raise BookingRuleError("event_type_disallows_cancel", "This event type does not allow cancellation.")
    if booking.end_at <= now:
        raise BookingRuleError("booking_in_past", "The booking has already ended.")
    return False


def canceled(booking: Booking, reason: str | None, now: datetime) -> Booking:
    return next_version(booking, now, status=CANCELED, cancelled_at=now, cancellation_reason=reason)


# --- Reschedule (§7) -------------------------------------------------------------------------


def check_reschedulable(booking: Booking) -> None:
    """Steps 7–8."""
    if booking.status == CANCELED:
        raise BookingRuleError("booking_already_cancelled", "The booking is already cancelled.")
    if booking.status == RESCHEDULED:
        raise BookingRuleError(
            "booking_already_rescheduled",
            "This booking was already replaced by a reschedule",
            {"replaced_by": booking.replaced_by},
        )


def check_reschedule_event_type(event_type: BookableEventType | None, start: datetime, now: datetime) -> None:
    """Steps 9–12: deleted, disallowed, inactive, in the past."""
    if event_type is None or event_type.deleted:
        raise BookingRuleError("event_type_not_found", "The booking's event type no longer exists.")
    if not event_type.allow_reschedule:
        raise BookingRuleError(
            "event_type_disallows_reschedule", "This event type does not allow rescheduling."
        )
    check_bookable(event_type, start, now)


def rescheduled_pair(
    old: Booking,
    *,
    new_uid: str,
    start: datetime,
    timezone: str | None,
    reason: str | None,
    event_type: BookableEventType,
    host: HostSnapshot,
    now: datetime,
    session_start: datetime | None,
    counter_keys: Sequence[CounterId],
    created_by: Mapping[str, str],
) -> tuple[Booking, Booking]:
    """(old booking marked `rescheduled`, the new booking) as committed together (§7 semantics)."""
    replaced = next_version(old, now, status=RESCHEDULED, replaced_by=new_uid, reschedule_reason=reason)
    new = old.evolve(
        **scheduled(event_type, start, now),  # the event type of `old` (§7: it cannot change)
        uid=new_uid,
        timezone=timezone or old.timezone,
        host=host,
        rescheduled_from_uid=old.uid,
        cancelled_at=None,
        cancellation_reason=None,
        no_show_at=None,
        no_show_reason=None,
        reschedule_generation=old.reschedule_generation + 1,
        replaced_by=None,
        reschedule_reason=None,
        session_start=session_start,
        counter_keys=tuple(counter_keys),
        created_by=dict(created_by),
    )
    return replaced, new


# --- PATCH (§8) ------------------------------------------------------------------------------


def check_if_match(booking: Booking, expected: int | str) -> None:
    """Step 11: a stale version (any number other than the current one) is a version_conflict."""
    if expected != "*" and expected != booking.version:
        raise BookingRuleError(
            "version_conflict",
            "The If-Match version does not match the current booking version",
            {"current_version": booking.version},
        )


def patched(booking: Booking, request: PatchRequest, questions: Sequence[Question], now: datetime) -> Booking:
    """Step 12: answer types and the merged metadata size (400, in body order), then the change."""
    errors = ErrorCollector()
    changes: dict[str, Any] = {}
    for name in request.body_order:
        if name == "metadata" and request.metadata is not None:
            merged = {**booking.metadata, **request.metadata}
            if len(merged) > METADATA_MAX_KEYS:
                errors.add("metadata", f"the merged metadata must have at most {METADATA_MAX_KEYS} keys")
            changes["metadata"] = merged
        elif name == "responses" and request.responses is not None:
            changes["responses"] = check_answers(questions, request.responses, errors)
        elif name == "attendee_name" and request.attendee_name is not None:
            changes["attendee"] = replace(booking.attendee, name=request.attendee_name)
    errors.raise_if_any()
    return next_version(booking, now, **changes)


# --- No-show (§2.2, admin command) -----------------------------------------------------------


def no_show_is_noop(booking: Booking, now: datetime) -> bool:
    """True when the booking is already marked (left unchanged, no event); raises when it cannot be.

    Only active bookings that have started can be marked; the status never changes.
    """
    if booking.no_show_at is not None:
        return True
    if not booking.active:
        raise BookingRuleError(
            "booking_not_active", f"The booking is {booking.status}; only active bookings can be marked."
        )
    if booking.start_at > now:
        raise BookingRuleError("booking_not_started", "The booking has not started yet.")
    return False


def marked_no_show(booking: Booking, reason: str | None, now: datetime) -> Booking:
    return next_version(booking, now, no_show_at=now, no_show_reason=reason)
