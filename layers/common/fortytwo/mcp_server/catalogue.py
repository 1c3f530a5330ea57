"""The tool catalogue (50-mcp §5.1, §5.4–§5.14): names, titles, descriptions, scopes, annotations and
schemas. A tool is a view of one REST operation; the definitions here are data, the mapping to the
services is in `tools.py`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from fortytwo.domain.bookings.listing import SORTS
from fortytwo.domain.bookings.model import STATUSES
from fortytwo.domain.event_types import LIST_SORTS

Schema = dict[str, Any]

READ_ALIAS = "mcp:scheduling:read"
WRITE_ALIAS = "mcp:scheduling:write"

UUID: Schema = {
    "type": "string",
    "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$",
}
INSTANT: Schema = {
    "type": "string",
    "format": "date-time",
    "maxLength": 64,
    "description": "RFC 3339 date-time with Z or a UTC offset",
}
EVENT_TYPE_REF: Schema = {
    "type": "string",
    "minLength": 1,
    "maxLength": 255,
    "description": 'Event type UUID, or "username/slug"',
}
TIME_ZONE: Schema = {
    "type": "string",
    "minLength": 1,
    "maxLength": 64,
    "description": "IANA time zone name, e.g. Europe/Berlin",
}
LIMIT: Schema = {"type": "integer", "minimum": 1, "maximum": 50, "default": 20}
CURSOR: Schema = {"type": "string", "minLength": 1, "description": "next_cursor of the previous page"}
IDEMPOTENCY_KEY: Schema = {
    "type": "string",
    "minLength": 1,
    "maxLength": 64,
    "pattern": "^[\\x20-\\x7E]+$",
    "description": "A new UUID per operation; send the same key when retrying it",
}
METADATA: Schema = {"type": "object", "maxProperties": 50, "propertyNames": {"minLength": 1, "maxLength": 40}}
REASON: Schema = {"type": ["string", "null"], "maxLength": 1024}


def _object(properties: Schema, required: tuple[str, ...] = ()) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    schema["additionalProperties"] = False
    return schema


ATTENDEE = _object(
    {
        "email": {"type": "string", "minLength": 1, "maxLength": 254},
        "name": {"type": "string", "maxLength": 255},
        "first_name": {"type": "string", "maxLength": 127},
        "last_name": {"type": "string", "maxLength": 127},
        "phone": {"type": "string", "maxLength": 64},
        "timezone": TIME_ZONE,
        "sms_opt_in": {"type": "boolean"},
    },
    ("email",),
)

# The REST values, in 50-mcp §5.9's order (the spec lists them as REST does).
BOOKING_STATUSES = list(STATUSES)
BOOKING_SORTS = list(SORTS)

Output = Literal["Me", "EventTypeDetail", "SlotList", "SlotCheck", "Booking", "event_types", "bookings"]


@dataclass(frozen=True, slots=True)
class ToolSpec:
    name: str
    title: str
    description: str
    scope: str
    read_only: bool
    destructive: bool
    idempotent: bool
    open_world: bool
    input_schema: Schema
    output: Output

    @property
    def alias(self) -> str:
        return READ_ALIAS if self.read_only else WRITE_ALIAS

    @property
    def writes(self) -> bool:
        return not self.read_only


def _read(name: str, title: str, description: str, scope: str, schema: Schema, output: Output) -> ToolSpec:
    return ToolSpec(name, title, description, scope, True, False, False, False, schema, output)


TOOLS: tuple[ToolSpec, ...] = (
    _read(
        "get_me",
        "Get my profile",
        "The connected user's profile (name, username, email, time zone, locale) and their organization.",
        "user:read",
        _object({}),
        "Me",
    ),
    _read(
        "get_event_type",
        "Get event type",
        "One event type with its duration, locations, invitee questions and booking limits, "
        'by UUID or "username/slug".',
        "event_types:read",
        _object({"event_type": EVENT_TYPE_REF}, ("event_type",)),
        "EventTypeDetail",
    ),
    _read(
        "list_event_types",
        "List event types",
        "Event types of the organization, newest first unless sorted otherwise, optionally filtered by "
        "active state, host user or slug. Returns at most limit items; pass next_cursor back as cursor "
        "for the next page.",
        "event_types:read",
        _object(
            {
                "active": {"type": "boolean"},
                "user_id": UUID,
                "slug": {"type": "string", "minLength": 1, "maxLength": 127},
                "sort": {"type": "string", "enum": list(LIST_SORTS)},
                "limit": LIMIT,
                "cursor": CURSOR,
            }
        ),
        "event_types",
    ),
    _read(
        "find_available_slots",
        "Find available slots",
        "Bookable start times of an event type in a window of at most 31 days (default: the 7 days from "
        "start). Times are UTC. At most 200 slots are returned; truncated: true means there are more, so "
        "narrow the window.",
        "slots:read",
        _object(
            {"event_type": EVENT_TYPE_REF, "start": INSTANT, "end": INSTANT, "timezone": TIME_ZONE},
            ("event_type", "start"),
        ),
        "SlotList",
    ),
    _read(
        "check_slot",
        "Check slot availability",
        "Whether one start time of an event type is bookable right now; if not, the reason and, when the "
        "time is busy, the next bookable start.",
        "slots:read",
        _object(
            {"event_type": EVENT_TYPE_REF, "start": INSTANT, "timezone": TIME_ZONE}, ("event_type", "start")
        ),
        "SlotCheck",
    ),
    _read(
        "list_bookings",
        "List bookings",
        "Bookings of the organization with filters (status, event type, hosts, attendee email, start-date "
        "range, updated since). host_user_ids supersedes host_user_id. responses is null on list items "
        "unless include_responses is true. Pass next_cursor back as cursor for the next page.",
        "bookings:read",
        _object(
            {
                "status": {
                    "type": "array",
                    "minItems": 1,
                    "uniqueItems": True,
                    "items": {"type": "string", "enum": BOOKING_STATUSES},
                },
                "event_type_id": UUID,
                "host_user_id": UUID,
                "host_user_ids": {"type": "array", "minItems": 1, "maxItems": 50, "items": UUID},
                "attendee_email": {"type": "string", "minLength": 1, "maxLength": 254},
                "start_date": INSTANT,
                "end_date": INSTANT,
                "updated_since": INSTANT,
                "include_cancelled": {"type": "boolean", "default": True},
                "sort": {"type": "string", "enum": BOOKING_SORTS},
                "include_responses": {"type": "boolean", "default": False},
                "limit": LIMIT,
                "cursor": CURSOR,
            }
        ),
        "bookings",
    ),
    _read(
        "get_booking",
        "Get booking",
        "One booking by uid, with its invitee answers, location and status fields.",
        "bookings:read",
        _object({"uid": UUID}, ("uid",)),
        "Booking",
    ),
    ToolSpec(
        "create_booking",
        "Create booking",
        "Book a start time on an active event type of the organization for one attendee, as the public "
        "booking page would. Confirm the start with check_slot first. Pass an idempotency_key and reuse it "
        "when retrying: a new key books again.",
        "bookings:create",
        False,
        False,
        False,
        True,
        _object(
            {
                "event_type": EVENT_TYPE_REF,
                "start": INSTANT,
                "timezone": TIME_ZONE,
                "attendee": ATTENDEE,
                "guests": {
                    "type": "array",
                    "maxItems": 10,
                    "items": {"type": "string", "minLength": 1, "maxLength": 254},
                },
                "metadata": METADATA,
                "responses": {"type": "object"},
                "utm_source": {"type": "string", "maxLength": 255},
                "utm_medium": {"type": "string", "maxLength": 255},
                "utm_campaign": {"type": "string", "maxLength": 255},
                "idempotency_key": IDEMPOTENCY_KEY,
            },
            ("event_type", "start", "attendee"),
        ),
        "Booking",
    ),
    ToolSpec(
        "cancel_booking",
        "Cancel booking",
        "Cancel a booking by uid. Canceling a canceled booking returns it unchanged. For a group event only "
        "this attendee's registration is canceled. Pass an idempotency_key and reuse it when retrying.",
        "bookings:cancel",
        False,
        True,
        True,
        True,
        _object({"uid": UUID, "reason": REASON, "idempotency_key": IDEMPOTENCY_KEY}, ("uid",)),
        "Booking",
    ),
    ToolSpec(
        "reschedule_booking",
        "Reschedule booking",
        "Move a booking to a new start. The booking is replaced: the result is the new booking with a new "
        "uid, and the old one becomes rescheduled. If the start is unavailable, call find_available_slots "
        "and offer real alternatives. Pass an idempotency_key and reuse it when retrying.",
        "bookings:reschedule",
        False,
        True,
        False,
        True,
        _object(
            {
                "uid": UUID,
                "start": INSTANT,
                "timezone": TIME_ZONE,
                "reason": REASON,
                "idempotency_key": IDEMPOTENCY_KEY,
            },
            ("uid", "start"),
        ),
        "Booking",
    ),
    ToolSpec(
        "update_booking",
        "Update booking details",
        "Change a booking's metadata (keys are merged), invitee answers (replaced as a whole) or attendee "
        "name. Pass the booking's current version from get_booking; a stale version is refused with "
        "version_conflict. Pass an idempotency_key and reuse it when retrying.",
        "bookings:update",
        False,
        True,
        True,
        True,
        _object(
            {
                "uid": UUID,
                "version": {"type": "integer", "minimum": 1, "maximum": 999999999999999999},
                "attendee_name": {"type": "string"},
                "metadata": METADATA,
                "responses": {"type": "object"},
                "idempotency_key": IDEMPOTENCY_KEY,
            },
            ("uid", "version"),
        ),
        "Booking",
    ),
)

BY_NAME: dict[str, ToolSpec] = {tool.name: tool for tool in TOOLS}

_OUTPUT_SCHEMAS = Path(__file__).with_name("output_schemas.json")


@lru_cache(maxsize=1)
def output_schemas() -> dict[str, Schema]:
    """The `outputSchema` of each output kind: the OpenAPI components, inlined (generated from the
    document `42min openapi` prints by `fortytwo_local.mcp_schemas`; a test keeps them equal)."""
    loaded: dict[str, Schema] = json.loads(_OUTPUT_SCHEMAS.read_text(encoding="utf-8"))
    return loaded
