"""Schema step of the four booking writes (30-bookings §5.1, §6, §7, §8 step 6).

The body is declared once, by the contract's request model (`contract/bookings.py`); each parser
is that model's ordered check, then the model, then the domain's request. The check walks the
body in its own key order, so `validation_error` lists every violation in body order with the
contract's messages, and required fields that are absent follow in documented order; its limits
are the model's. `null` on an optional create field means "not given". Unknown fields are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fortytwo.contract.bookings import (
    CancelBookingRequest,
    CreateBookingAttendee,
    CreateBookingRequest,
    RescheduleBookingRequest,
    UpdateBookingRequest,
)
from fortytwo.contract.types import max_length
from fortytwo.domain.bookings import fields as f
from fortytwo.domain.bookings.addresses import is_valid_email
from fortytwo.domain.bookings.errors import BookingRuleError, ErrorCollector
from fortytwo.domain.bookings.model import UTM_FIELDS

EMAIL_MAX = max_length(CreateBookingAttendee, "email")
IMMUTABLE_FIELDS: tuple[str, ...] = ("start", "end", "timezone", "status", "event_type_id", "uid", "version")
WRITABLE_FIELDS: tuple[str, ...] = ("metadata", "responses", "attendee_name")


# The attendee as given: the contract's model itself (a series attendee leaves timezone and
# sms_opt_in unset: the series ignores them).
AttendeeInput = CreateBookingAttendee


@dataclass(frozen=True, slots=True)
class CreateRequest:
    start: datetime
    attendee: AttendeeInput
    event_type_id: str | None = None
    username: str | None = None
    event_slug: str | None = None
    timezone: str | None = None
    guests: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    responses: dict[str, Any] = field(default_factory=dict)
    utm: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CancelRequest:
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class RescheduleRequest:
    start: datetime
    timezone: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class PatchRequest:
    """Writable fields present in the body (None = absent) and the immutable names, in body order."""

    metadata: dict[str, Any] | None = None
    responses: dict[str, Any] | None = None
    attendee_name: str | None = None
    immutable_present: tuple[str, ...] = ()
    changed_fields: tuple[str, ...] = ()  # alphabetical, for `booking.updated`
    body_order: tuple[str, ...] = ()  # the writable fields present, as they appear in the body

    @property
    def has_writable_field(self) -> bool:
        return bool(self.changed_fields)


_ATTENDEE = f.nested(
    {**f.texts(CreateBookingAttendee, f.ATTENDEE_TEXTS), "timezone": f.timezone, "sms_opt_in": f.boolean},
    required=("email",),
)


def _guests(errors: ErrorCollector, path: str, value: Any) -> None:
    if not isinstance(value, list):
        errors.add(path, "must be an array of email addresses")
        return
    limit = max_length(CreateBookingRequest, "guests")
    if len(value) > limit:
        errors.add(path, f"must have at most {limit} items")
    for i, item in enumerate(value):
        email = f.text(errors, f"{path}[{i}]", item, max_len=EMAIL_MAX)
        if email is not None and not is_valid_email(email):
            errors.add(f"{path}[{i}]", "must be a valid email address")


def check_create(body: dict[str, Any]) -> None:
    """`POST /v1/bookings` step 4, the ordered check before `CreateBookingRequest`: every violation
    in body order, then the absent required members in documented order; raises FieldErrors."""
    errors = ErrorCollector()
    zone = f.naive_zone(body)  # a naive `start` is wall-clock time in the body's own timezone
    checks: dict[str, f.Check] = {
        "event_type_id": f.uuid,
        "start": lambda errors, path, value: f.instant(errors, path, value, zone=zone),
        "timezone": f.timezone,
        "attendee": _ATTENDEE,
        "guests": _guests,
        "metadata": f.metadata,
        "responses": f.json_object,
        **f.texts(CreateBookingRequest, UTM_FIELDS),
    }
    if body.get("event_type_id") is None:  # with an event_type_id the other form is ignored (§5.1)
        checks.update(f.texts(CreateBookingRequest, ("username", "event_slug")))
    f.walk(errors, body, checks)
    f.require_event_type(errors, body)
    f.require(errors, body, ("start", "attendee"))
    errors.raise_if_any()


def parse_create(body: dict[str, Any]) -> CreateRequest:
    """`POST /v1/bookings` step 4: the ordered check, then the contract model; raises FieldErrors."""
    check_create(body)
    given = CreateBookingRequest.model_validate(body)
    start = f.instant(ErrorCollector(), "start", given.start, zone=f.naive_zone(body))
    assert start is not None  # check_create accepted it
    return CreateRequest(
        start=start,
        attendee=given.attendee,
        guests=tuple(given.guests),
        metadata=dict(given.metadata or {}),
        responses=dict(given.responses or {}),
        utm={name: value for name in UTM_FIELDS if (value := getattr(given, name)) is not None},
        **given.model_dump(include={"event_type_id", "username", "event_slug", "timezone"}),
    )


def parse_cancel(body: dict[str, Any]) -> CancelRequest:
    """`POST /v1/bookings/{uid}/cancel` step 4 (an empty body arrives as `{}`)."""
    errors = ErrorCollector()
    f.walk(errors, body, f.texts(CancelBookingRequest, ("reason",)))
    errors.raise_if_any()
    return CancelRequest(reason=CancelBookingRequest.model_validate(body).reason)


def parse_reschedule(body: dict[str, Any]) -> RescheduleRequest:
    """`POST /v1/bookings/{uid}/reschedule` step 4."""
    errors = ErrorCollector()
    zone = f.naive_zone(body)  # the request's own timezone, never the old booking's (§7.2)
    checks: dict[str, f.Check] = {
        "start": lambda errors, path, value: f.instant(errors, path, value, zone=zone),
        "timezone": f.timezone,
        **f.texts(RescheduleBookingRequest, ("reason",)),
    }
    f.walk(errors, body, checks)
    f.require(errors, body, ("start",))
    errors.raise_if_any()
    given = RescheduleBookingRequest.model_validate(body)
    start = f.instant(errors, "start", given.start, zone=zone)
    assert start is not None
    return RescheduleRequest(start=start, timezone=given.timezone, reason=given.reason)


def _attendee_name(errors: ErrorCollector, path: str, value: Any) -> None:
    if not isinstance(value, str):
        errors.add(path, "must be a string")
    elif not value.strip():
        errors.add(path, "must not be empty")


def parse_patch(body: dict[str, Any]) -> PatchRequest:
    """`PATCH /v1/bookings/{uid}` step 6: schema of the writable fields that are present.

    Immutable names (step 8) and "nothing to update" (step 9) are only recorded here: they are
    answered after the idempotency record, by `check_patch_shape`.
    """
    errors = ErrorCollector()
    # PATCH never reads null as "absent": a writable field sent as null is a type error.
    f.walk(
        errors,
        body,
        {"metadata": f.metadata, "responses": f.json_object, "attendee_name": _attendee_name},
        skip_null=False,
    )
    errors.raise_if_any()
    given = UpdateBookingRequest.model_validate(body)
    return PatchRequest(
        metadata=dict(given.metadata) if given.metadata is not None else None,
        responses=dict(given.responses) if given.responses is not None else None,
        attendee_name=given.attendee_name,
        immutable_present=tuple(name for name in body if name in IMMUTABLE_FIELDS),
        changed_fields=tuple(sorted(name for name in WRITABLE_FIELDS if name in body)),
        body_order=tuple(name for name in body if name in WRITABLE_FIELDS),
    )


def check_patch_shape(request: PatchRequest) -> None:
    """Steps 8–9: immutable names → BookingRuleError(field_immutable); nothing writable → FieldErrors."""
    f.check_patch_shape(request.immutable_present, request.has_writable_field, BookingRuleError)
