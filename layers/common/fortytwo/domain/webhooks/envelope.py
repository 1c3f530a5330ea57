"""Delivery envelope, body bytes, ids and request headers (40-webhooks §6, §7.1, §7.6, §8.3)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fortytwo.domain.ids import event_id as new_event_id
from fortytwo.domain.ids import uuid7
from fortytwo.domain.timefmt import format_ts
from fortytwo.domain.webhooks.events import (
    BOOKING_EVENTS,
    CATALOGUE,
    DELIVERY_NAMES,
    EVENT_TYPE_EVENTS,
    SERIES_EVENTS,
    delivery_name,
    rest_name,
)
from fortytwo.domain.webhooks.signature import sign

API_VERSION = "2026-04-01"
USER_AGENT = "42min-Webhooks/1"
CONTENT_TYPE = "application/json"

HEADER_SIGNATURE = "X-42min-Webhook-Signature"
HEADER_EVENT = "X-42min-Webhook-Event"
HEADER_ID = "X-42min-Webhook-Id"
HEADER_ATTEMPT = "X-42min-Webhook-Attempt"

EVENT_ID_PREFIX = "evt_"
DELIVERY_ID_PREFIX = "whd_"

# §6.3: every field of a `WebhookBooking`, always present, in this order.
WEBHOOK_BOOKING_FIELDS: tuple[str, ...] = (
    "id",
    "eventTypeId",
    "eventTypeName",
    "startTime",
    "endTime",
    "timezone",
    "status",
    "inviteeName",
    "inviteeEmail",
    "inviteePhone",
    "guests",
    "answers",
    "answersById",
    "routingFormAnswers",
    "urlParams",
    "location",
    "meetLink",
    "cancelledAt",
    "cancelledReason",
    "noShowAt",
    "noShowReason",
    "rescheduledAt",
    "reschedule_generation",
    "hostUser",
    "organizationId",
)
# 35-series §12.1: present only on meetings of a series, after the §6.3 fields.
WEBHOOK_BOOKING_SERIES_FIELDS: tuple[str, ...] = ("series_id", "series_index")
PREVIOUS_BOOKING_FIELDS: tuple[str, ...] = ("startTime", "endTime", "timezone")
# PATCH fields, plus `host` and `location` of the in-place series writes (35-series §12.1).
CHANGED_FIELD_NAMES: frozenset[str] = frozenset(
    {"attendee_name", "metadata", "responses", "host", "location"}
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_ms(value: datetime) -> int:
    """Exact integer milliseconds since the epoch (no float rounding)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return (value - _EPOCH) // timedelta(milliseconds=1)


def render_body(envelope: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON, non-ASCII raw, `/` unescaped (§7.1). Rendered once per event."""
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def build_envelope(
    event_id: str, event: str, created_at: datetime, data: Mapping[str, Any]
) -> dict[str, Any]:
    """The camelCase envelope with keys in contract order; `event` is the dot name."""
    if event not in DELIVERY_NAMES:
        raise ValueError(f"unknown delivery event name {event!r}")
    if not event_id.startswith(EVENT_ID_PREFIX):
        raise ValueError("an event id starts with evt_")
    return {
        "id": event_id,
        "event": event,
        "createdAt": format_ts(created_at),
        "apiVersion": API_VERSION,
        "data": dict(data),
    }


# --- `data` builders (§6.3, §6.4) ---------------------------------------------------------------


def webhook_booking(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A `WebhookBooking` with the contract's key order; every key must be given (null if empty),
    the series pair both or neither."""
    missing = [key for key in WEBHOOK_BOOKING_FIELDS if key not in fields]
    series = [key for key in WEBHOOK_BOOKING_SERIES_FIELDS if key in fields]
    extra = [key for key in fields if key not in WEBHOOK_BOOKING_FIELDS and key not in series]
    if missing or extra or len(series) not in (0, len(WEBHOOK_BOOKING_SERIES_FIELDS)):
        raise ValueError(f"WebhookBooking fields: missing {missing}, unexpected {extra}, series {series}")
    return {key: fields[key] for key in (*WEBHOOK_BOOKING_FIELDS, *series)}


def booking_event_data(
    event: str,
    booking: Mapping[str, Any],
    *,
    previous_booking: Mapping[str, Any] | None = None,
    changed_fields: Sequence[str] | None = None,
) -> dict[str, Any]:
    """`data` of a booking event: `previousBooking` only on reschedule, `changed_fields` only on
    update (sorted, REST names). Absent keys are absent, never null (§6.3)."""
    if event not in BOOKING_EVENTS:
        raise ValueError(f"{event!r} is not a booking event")
    data: dict[str, Any] = {"booking": webhook_booking(booking)}
    if event == "booking.rescheduled":
        if previous_booking is None:
            raise ValueError("booking.rescheduled needs previous_booking")
        data["previousBooking"] = {key: previous_booking[key] for key in PREVIOUS_BOOKING_FIELDS}
    elif previous_booking is not None:
        raise ValueError("previousBooking appears only on booking.rescheduled")
    if event == "booking.updated":
        if changed_fields is None:
            raise ValueError("booking.updated needs changed_fields")
        unknown = set(changed_fields) - CHANGED_FIELD_NAMES
        if unknown:
            raise ValueError(f"not writable PATCH fields: {sorted(unknown)}")
        data["changed_fields"] = sorted(set(changed_fields))
    elif changed_fields is not None:
        raise ValueError("changed_fields appears only on booking.updated")
    return data


def event_type_event_data(event: str, detail: Mapping[str, Any]) -> dict[str, Any]:
    """`data` of an event-type event: the `GET /v1/event-types/{id}` object, key order kept."""
    if event not in EVENT_TYPE_EVENTS:
        raise ValueError(f"{event!r} is not an event-type event")
    return {"event_type": dict(detail)}


def series_event_data(event: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` of a series event (35-series §12.2): `series` first, as built by domain/series/events."""
    if event not in SERIES_EVENTS:
        raise ValueError(f"{event!r} is not a series event")
    if "series" not in data:
        raise ValueError("a series event carries data.series")
    return dict(data)


# --- Outbox event -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """What the emitting transaction stores (§8.1); `body` is sent verbatim on every attempt."""

    event_id: str
    event: str  # dot name
    organization_id: str
    created_at: datetime
    body: bytes

    @property
    def rest_event(self) -> str:
        return rest_name(self.event)


def new_outbox_event(
    event: str,
    organization_id: str,
    created_at: datetime,
    data: Mapping[str, Any],
    *,
    event_id: str | None = None,
) -> OutboxEvent:
    """Create the event id (UUIDv7 at `created_at`) and render the body once."""
    eid = event_id or new_event_id(epoch_ms(created_at))
    body = render_body(build_envelope(eid, event, created_at, data))
    return OutboxEvent(eid, event, organization_id, created_at, body)


# --- Ids ----------------------------------------------------------------------------------------


def delivery_id(event_id: str, subscription_id: str, created_at: datetime) -> str:
    """`whd_` + a UUIDv7 layout (§8.3): `unix_ts_ms` is the event's `createdAt`; `rand_a` then
    `rand_b` are the first 74 bits of SHA-256("<event id>:<subscription id>"). Deterministic,
    so a re-run fan-out finds the delivery it already created."""
    digest = hashlib.sha256(f"{event_id}:{subscription_id}".encode()).digest()
    bits = int.from_bytes(digest, "big") >> (256 - 74)
    rand_a, rand_b = bits >> 62, bits & ((1 << 62) - 1)
    value = (epoch_ms(created_at) & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return DELIVERY_ID_PREFIX + str(uuid.UUID(int=value))


def new_test_delivery_id(now: datetime) -> str:
    """Test deliveries use a random UUIDv7 (§8.3)."""
    return DELIVERY_ID_PREFIX + uuid7(epoch_ms(now))


# --- Request ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutboundRequest:
    """One attempt, ready for the HTTP adapter: POST `body` to `url` with `headers`."""

    url: str
    body: bytes
    headers: dict[str, str]


def delivery_headers(
    *, secret: str, raw_body: bytes, event: str, delivery_id: str, attempt: int, timestamp: int
) -> dict[str, str]:
    """Every header except `Host` and `Content-Length`, which the transport adds (§7.1)."""
    if attempt < 1:
        raise ValueError("attempts are numbered from 1")
    if event not in DELIVERY_NAMES:
        raise ValueError(f"unknown delivery event name {event!r}")
    return {
        "Content-Type": CONTENT_TYPE,
        "User-Agent": USER_AGENT,
        HEADER_SIGNATURE: sign(secret, timestamp, raw_body),
        HEADER_EVENT: event,
        HEADER_ID: delivery_id,
        HEADER_ATTEMPT: str(attempt),
    }


def unix_seconds(now: datetime) -> int:
    """Whole Unix seconds (floor), the signature's `t`."""
    return epoch_ms(now) // 1000


def build_delivery_request(
    event: OutboxEvent,
    *,
    subscription_id: str,
    url: str,
    secret: str,
    attempt: int,
    now: datetime,
    redelivery_id: str | None = None,
) -> OutboundRequest:
    """An attempt of a real delivery. `url` and `secret` are the subscription's **current**
    values and `now` is the signing moment, just before sending (§7.2, §7.9, §7.13). The delivery
    id is the fan-out's derived one, or a redelivery's own (55-admin-center §6)."""
    did = redelivery_id or delivery_id(event.event_id, subscription_id, event.created_at)
    headers = delivery_headers(
        secret=secret,
        raw_body=event.body,
        event=event.event,
        delivery_id=did,
        attempt=attempt,
        timestamp=unix_seconds(now),
    )
    return OutboundRequest(url=url, body=event.body, headers=headers)


@dataclass(frozen=True, slots=True)
class WebhookTestDelivery:
    """A test delivery (§6.6, §7.12): fresh ids, attempt 1, `data: {"test": true}`."""

    __test__ = False  # not a pytest class

    delivery_id: str
    event_id: str
    event: str  # dot name
    rest_event: str
    request: OutboundRequest


def render_test_body(event_id: str, first_event: str, created_at: datetime) -> bytes:
    """The §6.6 body for a subscription whose first `events` entry is `first_event` (underscore)."""
    return render_body(build_envelope(event_id, delivery_name(first_event), created_at, {"test": True}))


def build_test_delivery(
    *,
    events: Sequence[str],
    url: str,
    secret: str,
    now: datetime,
    event_id: str | None = None,
    delivery_id: str | None = None,
) -> WebhookTestDelivery:
    """The synchronous test of `POST /v1/webhooks/{id}/test`; `events` is the stored list."""
    if not events or events[0] not in CATALOGUE:
        raise ValueError("a subscription's events list is never empty and holds underscore names")
    eid = event_id or new_event_id(epoch_ms(now))
    did = delivery_id or new_test_delivery_id(now)
    event = delivery_name(events[0])
    body = render_test_body(eid, events[0], now)
    headers = delivery_headers(
        secret=secret, raw_body=body, event=event, delivery_id=did, attempt=1, timestamp=unix_seconds(now)
    )
    return WebhookTestDelivery(
        did, eid, event, events[0], OutboundRequest(url=url, body=body, headers=headers)
    )
