"""Schema step of the four booking writes (30-bookings §5.1, §6, §7, §8 step 6).

Each parser walks the body in its own key order, so `validation_error` lists every violation in
body order; required fields that are absent follow, in documented order. `null` on an optional
create field means "not given". Unknown fields are ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fortytwo.domain.bookings import fields as f
from fortytwo.domain.bookings.addresses import is_valid_email
from fortytwo.domain.bookings.errors import BookingRuleError, ErrorCollector, FieldErrors
from fortytwo.domain.bookings.model import UTM_FIELDS

MAX_GUESTS = 10
EMAIL_MAX = 254
REASON_MAX = 1024
ATTENDEE_NAME_MAX = 200  # PATCH truncates to this many code points
IMMUTABLE_FIELDS: tuple[str, ...] = ("start", "end", "timezone", "status", "event_type_id", "uid", "version")
WRITABLE_FIELDS: tuple[str, ...] = ("metadata", "responses", "attendee_name")


@dataclass(frozen=True, slots=True)
class AttendeeInput:
    email: str
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    timezone: str | None = None
    sms_opt_in: bool = False


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


def _walk(
    body: dict[str, Any], handlers: dict[str, Callable[[str, Any], None]], *, skip_null: bool = True
) -> None:
    for name, value in body.items():
        handler = handlers.get(name)
        if handler is None or (skip_null and value is None):
            continue
        handler(name, value)


def _parse_attendee(value: Any, errors: ErrorCollector) -> AttendeeInput | None:
    if not isinstance(value, dict):
        errors.add("attendee", "must be an object")
        return None
    got: dict[str, Any] = {}

    def string(limit: int) -> Callable[[str, Any], None]:
        def handle(name: str, item: Any) -> None:
            got[name] = f.text(errors, f"attendee.{name}", item, max_len=limit)

        return handle

    def tz(name: str, item: Any) -> None:
        got[name] = f.timezone(errors, f"attendee.{name}", item)

    def opt_in(name: str, item: Any) -> None:
        got[name] = f.boolean(errors, f"attendee.{name}", item)

    _walk(
        value,
        {
            "email": string(EMAIL_MAX),
            "name": string(255),
            "first_name": string(127),
            "last_name": string(127),
            "phone": string(64),
            "timezone": tz,
            "sms_opt_in": opt_in,
        },
    )
    if value.get("email") is None:
        errors.add("attendee.email", "Required")
    if errors:
        return None
    return AttendeeInput(
        email=got["email"],
        name=got.get("name"),
        first_name=got.get("first_name"),
        last_name=got.get("last_name"),
        phone=got.get("phone"),
        timezone=got.get("timezone"),
        sms_opt_in=bool(got.get("sms_opt_in") or False),
    )


def _parse_guests(value: Any, errors: ErrorCollector) -> tuple[str, ...]:
    if not isinstance(value, list):
        errors.add("guests", "must be an array of email addresses")
        return ()
    if len(value) > MAX_GUESTS:
        errors.add("guests", f"must have at most {MAX_GUESTS} items")
    kept = []
    for i, item in enumerate(value):
        path = f"guests[{i}]"
        email = f.text(errors, path, item, max_len=EMAIL_MAX)
        if email is None:
            continue
        if not is_valid_email(email):
            errors.add(path, "must be a valid email address")
            continue
        kept.append(email)
    return tuple(kept)


def _create_handlers(
    errors: ErrorCollector, got: dict[str, Any], has_id: bool, zone: str | None
) -> dict[str, Callable[[str, Any], None]]:
    """The per-field schema checks of `parse_create`, each storing its parsed value in `got`."""

    def event_type_id(name: str, value: Any) -> None:
        got[name] = f.uuid(errors, name, value)

    def slug_part(name: str, value: Any) -> None:
        # With an event_type_id the username/slug form is ignored entirely (§5.1).
        if not has_id:
            text = f.text(errors, name, value, max_len=127)
            got[name] = text.lower() if text is not None else None

    def start(name: str, value: Any) -> None:
        got[name] = f.instant(errors, name, value, zone=zone)

    def timezone(name: str, value: Any) -> None:
        got[name] = f.timezone(errors, name, value)

    def attendee(name: str, value: Any) -> None:
        got[name] = _parse_attendee(value, errors)

    def guests(name: str, value: Any) -> None:
        got[name] = _parse_guests(value, errors)

    def metadata(name: str, value: Any) -> None:
        got[name] = f.metadata(errors, name, value)

    def responses(name: str, value: Any) -> None:
        if not isinstance(value, dict):
            errors.add(name, "must be an object")
        else:
            got[name] = dict(value)

    def utm(name: str, value: Any) -> None:
        got[name] = f.text(errors, name, value, max_len=255)

    return {
        "event_type_id": event_type_id,
        "username": slug_part,
        "event_slug": slug_part,
        "start": start,
        "timezone": timezone,
        "attendee": attendee,
        "guests": guests,
        "metadata": metadata,
        "responses": responses,
        **dict.fromkeys(UTM_FIELDS, utm),
    }


def _require_create_fields(body: dict[str, Any], has_id: bool, errors: ErrorCollector) -> None:
    """Absent required fields of `parse_create`, in documented order."""
    if not has_id:
        has_username = body.get("username") is not None
        has_slug = body.get("event_slug") is not None
        if not has_username and not has_slug:
            errors.add("event_type_id", "Required (or username and event_slug)")
        elif not has_slug:
            errors.add("event_slug", "Required with username")
        elif not has_username:
            errors.add("username", "Required with event_slug")
    if body.get("start") is None:
        errors.add("start", "Required")
    if body.get("attendee") is None:
        errors.add("attendee", "Required")


def parse_create(body: dict[str, Any]) -> CreateRequest:
    """`POST /v1/bookings` step 4; raises FieldErrors."""
    errors = ErrorCollector()
    got: dict[str, Any] = {}
    has_id = body.get("event_type_id") is not None
    _walk(body, _create_handlers(errors, got, has_id, f.naive_zone(body)))
    _require_create_fields(body, has_id, errors)
    errors.raise_if_any()
    return CreateRequest(
        start=got["start"],
        attendee=got["attendee"],
        event_type_id=got.get("event_type_id"),
        username=got.get("username"),
        event_slug=got.get("event_slug"),
        timezone=got.get("timezone"),
        guests=got.get("guests", ()),
        metadata=got.get("metadata") or {},
        responses=got.get("responses") or {},
        utm={name: got[name] for name in UTM_FIELDS if got.get(name) is not None},
    )


def _reason(errors: ErrorCollector, value: Any) -> str | None:
    if value is None:
        return None
    return f.text(errors, "reason", value, max_len=REASON_MAX)


def parse_cancel(body: dict[str, Any]) -> CancelRequest:
    """`POST /v1/bookings/{uid}/cancel` step 4 (an empty body arrives as `{}`)."""
    errors = ErrorCollector()
    reason = _reason(errors, body.get("reason"))
    errors.raise_if_any()
    return CancelRequest(reason=reason)


def parse_reschedule(body: dict[str, Any]) -> RescheduleRequest:
    """`POST /v1/bookings/{uid}/reschedule` step 4."""
    errors = ErrorCollector()
    got: dict[str, Any] = {}
    zone = f.naive_zone(body)  # the request's own timezone, never the old booking's (§7.2)

    def start(name: str, value: Any) -> None:
        got[name] = f.instant(errors, name, value, zone=zone)

    def timezone(name: str, value: Any) -> None:
        got[name] = f.timezone(errors, name, value)

    def reason(name: str, value: Any) -> None:
        got[name] = _reason(errors, value)

    _walk(body, {"start": start, "timezone": timezone, "reason": reason})
    if body.get("start") is None:
        errors.add("start", "Required")
    errors.raise_if_any()
    return RescheduleRequest(start=got["start"], timezone=got.get("timezone"), reason=got.get("reason"))


def parse_patch(body: dict[str, Any]) -> PatchRequest:
    """`PATCH /v1/bookings/{uid}` step 6: schema of the writable fields that are present.

    Immutable names (step 8) and "nothing to update" (step 9) are only recorded here: they are
    answered after the idempotency record, by `check_patch_shape`.
    """
    errors = ErrorCollector()
    got: dict[str, Any] = {}

    def metadata(name: str, value: Any) -> None:
        got[name] = f.metadata(errors, name, value)

    def responses(name: str, value: Any) -> None:
        if not isinstance(value, dict):
            errors.add(name, "must be an object")
        else:
            got[name] = dict(value)

    def attendee_name(name: str, value: Any) -> None:
        text = value.strip() if isinstance(value, str) else None
        if text is None:
            errors.add(name, "must be a string")
        elif not text:
            errors.add(name, "must not be empty")
        else:
            got[name] = text[:ATTENDEE_NAME_MAX]  # str slices count code points

    # PATCH never reads null as "absent": a writable field sent as null is a type error.
    _walk(
        body,
        {"metadata": metadata, "responses": responses, "attendee_name": attendee_name},
        skip_null=False,
    )
    errors.raise_if_any()
    present = tuple(sorted(name for name in WRITABLE_FIELDS if name in body))
    return PatchRequest(
        metadata=got.get("metadata"),
        responses=got.get("responses"),
        attendee_name=got.get("attendee_name"),
        immutable_present=tuple(name for name in body if name in IMMUTABLE_FIELDS),
        changed_fields=present,
        body_order=tuple(name for name in body if name in WRITABLE_FIELDS),
    )


def check_patch_shape(request: PatchRequest) -> None:
    """Steps 8–9: immutable names → BookingRuleError(field_immutable); nothing writable → FieldErrors."""
    if request.immutable_present:
        raise BookingRuleError(
            "field_immutable",
            "These fields cannot be changed with PATCH: " + ", ".join(request.immutable_present),
            {"fields": list(request.immutable_present)},
        )
    if not request.has_writable_field:
        raise FieldErrors([{"field": "", "message": "nothing to update"}])
