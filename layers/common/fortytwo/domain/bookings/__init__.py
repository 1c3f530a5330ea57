"""Booking rules of 30-bookings (pure: no I/O, no HTTP types).

- `requests`: the schema step of the four writes (`parse_create`, `parse_cancel`,
  `parse_reschedule`, `parse_patch`, `check_patch_shape`), raising `FieldErrors` in body order.
- `headers`: `idempotency_key`, `if_match`, `etag`, `fingerprint`.
- `addresses`, `answers`, `fields`: attendee/guest/phone/email rules, answers, metadata limits.
- `model`: the `Booking` facts, `to_rest` (REST `Booking`), `webhook_fields` (`WebhookBooking`),
  `to_record` / `from_record` (what the store persists).
- `lifecycle`: values derived at creation, the status lifecycle, the cancel / reschedule / PATCH /
  no-show rules in the endpoints' check order.
- `limits`: the period counters of a meeting (`CounterId`); `hosting`: host assignment.
- `ledger`, `claims`, `plan`, `decisions`: a host's busy entries, the busy-minute claims that keep
  overlapping meetings from both committing, and the plan each write's decision returns.

Rule failures raise `BookingRuleError(code, message, details)` with the contract's error code, or
`FieldErrors` (400 validation_error); the HTTP layer maps them to its typed errors.
"""

from fortytwo.domain.bookings.errors import BookingRuleError, ErrorCollector, FieldErrors
from fortytwo.domain.bookings.event_types import BookableEventType, EventLocation, Question
from fortytwo.domain.bookings.model import (
    ACTIVE_STATUSES,
    CANCELED,
    CONFIRMED,
    PENDING,
    RESCHEDULED,
    STATUSES,
    Attendee,
    Booking,
    HostSnapshot,
    Location,
    WriteContext,
    to_rest,
)

__all__ = [
    "ACTIVE_STATUSES",
    "CANCELED",
    "CONFIRMED",
    "PENDING",
    "RESCHEDULED",
    "STATUSES",
    "Attendee",
    "BookableEventType",
    "Booking",
    "BookingRuleError",
    "ErrorCollector",
    "EventLocation",
    "FieldErrors",
    "HostSnapshot",
    "Location",
    "Question",
    "WriteContext",
    "to_rest",
]
