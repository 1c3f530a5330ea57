"""Envelope, body bytes, ids, headers and test payload (40-webhooks §6, §7.1, §7.6, §8.3)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from webhook_vectors import BOOKING_BODY, BOOKING_T, BOOKING_V1, SECRET

from fortytwo.domain.timefmt import parse_ts
from fortytwo.domain.webhooks import envelope as env
from fortytwo.domain.webhooks.fanout import delivery_id_for, receives

BOOKING = {
    "id": "019e44d3-ed00-727c-a84a-2d4f781b9a43",
    "eventTypeId": "019c233b-1300-7521-a102-dd7063e8540e",
    "eventTypeName": "Intro call",
    "startTime": "2026-05-27T14:00:00.000Z",
    "endTime": "2026-05-27T14:30:00.000Z",
    "timezone": "Europe/Lisbon",
    "status": "confirmed",
    "inviteeName": "Ana Gestión",
    "inviteeEmail": "ana@example.com",
    "inviteePhone": None,
    "guests": [{"email": "carol@example.com", "name": ""}],
    "answers": {"Company": "Gestión Lda"},
    "answersById": {"q_company": "Gestión Lda"},
    "routingFormAnswers": None,
    "urlParams": {"utm_source": "newsletter"},
    "location": "video",
    "meetLink": None,
    "cancelledAt": None,
    "cancelledReason": None,
    "noShowAt": None,
    "noShowReason": None,
    "rescheduledAt": None,
    "reschedule_generation": 0,
    "hostUser": {
        "id": "019bb13c-a3e0-79dc-8748-967121bade02",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada@example.com",
    },
    "organizationId": "019bb138-1000-76a7-b2ed-66ffdcc99396",
}
ORG = "019bb138-1000-76a7-b2ed-66ffdcc99396"
EVENT_ID = "evt_019e44d3-ed00-7246-817a-f708207473b7"
SUB_ID = "019e449c-fe80-783c-af56-4652466de486"
CREATED = parse_ts("2026-05-20T10:00:00.000Z")
DELIVERY_RE = re.compile(r"[A-Za-z0-9_.-]{1,128}")


def _booking_created() -> env.OutboxEvent:
    data = env.booking_event_data("booking.created", dict(reversed(list(BOOKING.items()))))
    return env.new_outbox_event("booking.created", ORG, CREATED, data, event_id=EVENT_ID)


def test_rendered_body_is_byte_identical_to_the_spec_example() -> None:
    event = _booking_created()
    assert event.body == BOOKING_BODY  # key order restored, raw UTF-8, compact
    assert "ó".encode() in event.body and b"\\u" not in event.body
    assert event.rest_event == "booking_created"


def test_envelope_key_order_and_fields() -> None:
    body = env.render_body(env.build_envelope(EVENT_ID, "booking.no_show", CREATED, {"x": "a/b"}))
    assert body == (
        b'{"id":"evt_019e44d3-ed00-7246-817a-f708207473b7","event":"booking.no_show",'
        b'"createdAt":"2026-05-20T10:00:00.000Z","apiVersion":"2026-04-01","data":{"x":"a/b"}}'
    )
    with pytest.raises(ValueError):
        env.build_envelope(EVENT_ID, "booking_created", CREATED, {})
    with pytest.raises(ValueError):
        env.build_envelope("019e44d3-ed00-7246-817a-f708207473b7", "booking.created", CREATED, {})


def test_delivery_id_matches_the_spec_example() -> None:
    assert env.delivery_id(EVENT_ID, SUB_ID, CREATED) == "whd_019e44d3-ed00-7922-8ef3-c29ca6a652e6"
    assert delivery_id_for(_booking_created(), SUB_ID) == "whd_019e44d3-ed00-7922-8ef3-c29ca6a652e6"


@given(
    st.uuids(version=4).map(lambda u: f"evt_{u}"),
    st.uuids(version=4).map(str),
    st.integers(min_value=0, max_value=2**47),
)
def test_delivery_id_layout(event_id: str, sub_id: str, ms: int) -> None:
    created = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    did = env.delivery_id(event_id, sub_id, created)
    assert did == env.delivery_id(event_id, sub_id, created)
    assert len(did) == 40 and DELIVERY_RE.fullmatch(did)
    value = uuid.UUID(did.removeprefix("whd_"))
    assert value.version == 7 and value.variant == uuid.RFC_4122
    assert value.int >> 80 == ms
    first74 = int.from_bytes(hashlib.sha256(f"{event_id}:{sub_id}".encode()).digest(), "big") >> (256 - 74)
    rand_a = (value.int >> 64) & 0xFFF
    rand_b = value.int & ((1 << 62) - 1)
    assert (rand_a << 62 | rand_b) == first74


def test_delivery_request_headers() -> None:
    event = _booking_created()
    now = datetime(2026, 5, 20, 10, 0, 1, 900_000, tzinfo=UTC)
    request = env.build_delivery_request(
        event,
        subscription_id=SUB_ID,
        url="https://hooks.example.com/42min?a=1",
        secret=SECRET,
        attempt=1,
        now=now,
    )
    assert request.url == "https://hooks.example.com/42min?a=1"
    assert request.body is event.body
    assert request.headers == {
        "Content-Type": "application/json",
        "User-Agent": "42min-Webhooks/1",
        "X-42min-Webhook-Signature": f"t={BOOKING_T},v1={BOOKING_V1}",
        "X-42min-Webhook-Event": "booking.created",
        "X-42min-Webhook-Id": "whd_019e44d3-ed00-7922-8ef3-c29ca6a652e6",
        "X-42min-Webhook-Attempt": "1",
    }
    retry = env.build_delivery_request(
        event,
        subscription_id=SUB_ID,
        url=request.url,
        secret=SECRET,
        attempt=3,
        now=now + timedelta(minutes=5),
    )
    assert retry.body == request.body
    assert retry.headers["X-42min-Webhook-Id"] == request.headers["X-42min-Webhook-Id"]
    assert retry.headers["X-42min-Webhook-Attempt"] == "3"
    assert retry.headers["X-42min-Webhook-Signature"].startswith("t=1779271501,")
    with pytest.raises(ValueError):
        env.build_delivery_request(
            event, subscription_id=SUB_ID, url=request.url, secret=SECRET, attempt=0, now=now
        )


def test_test_delivery_payload() -> None:
    now = parse_ts("2026-05-20T09:05:00.000Z")
    test = env.build_test_delivery(
        events=["event_type_deleted", "booking_created"],
        url="https://hooks.example.com/42min",
        secret=SECRET,
        now=now,
        event_id="evt_019e44a1-9260-706c-9eb1-c66e79f74d60",
    )
    assert test.event == "event_type.deleted" and test.rest_event == "event_type_deleted"
    assert json.loads(test.request.body) == {
        "id": "evt_019e44a1-9260-706c-9eb1-c66e79f74d60",
        "event": "event_type.deleted",
        "createdAt": "2026-05-20T09:05:00.000Z",
        "apiVersion": "2026-04-01",
        "data": {"test": True},
    }
    assert test.request.headers["X-42min-Webhook-Attempt"] == "1"
    assert test.request.headers["X-42min-Webhook-Event"] == "event_type.deleted"
    assert test.request.headers["X-42min-Webhook-Id"] == test.delivery_id
    expected = hmac.new(SECRET.encode(), b"1779267900." + test.request.body, hashlib.sha256).hexdigest()
    assert test.request.headers["X-42min-Webhook-Signature"] == f"t=1779267900,v1={expected}"
    other = env.build_test_delivery(
        events=["booking_created"], url="https://h.example", secret=SECRET, now=now
    )
    assert other.delivery_id != test.delivery_id and other.event_id.startswith("evt_")
    assert DELIVERY_RE.fullmatch(other.delivery_id) and len(other.delivery_id) == 40
    routing = env.build_test_delivery(
        events=["routing_form_submitted"], url="https://h.example", secret=SECRET, now=now
    )
    assert routing.event == "routing.form_submitted"


def test_booking_event_data_shapes() -> None:
    previous = {"startTime": "a", "endTime": "b", "timezone": "Europe/Lisbon", "extra": 1}
    data = env.booking_event_data("booking.rescheduled", BOOKING, previous_booking=previous)
    assert list(data) == ["booking", "previousBooking"]
    assert data["previousBooking"] == {"startTime": "a", "endTime": "b", "timezone": "Europe/Lisbon"}
    updated = env.booking_event_data("booking.updated", BOOKING, changed_fields=["metadata", "attendee_name"])
    assert updated["changed_fields"] == ["attendee_name", "metadata"]
    assert env.booking_event_data("booking.updated", BOOKING, changed_fields=[])["changed_fields"] == []
    for name in ("booking.created", "booking.canceled", "booking.no_show"):
        assert list(env.booking_event_data(name, BOOKING)) == ["booking"]
    assert list(env.booking_event_data("booking.created", BOOKING)["booking"]) == list(
        env.WEBHOOK_BOOKING_FIELDS
    )


@pytest.mark.parametrize(
    ("event", "kwargs"),
    [
        ("booking.rescheduled", {}),
        ("booking.updated", {}),
        ("booking.created", {"changed_fields": []}),
        ("booking.created", {"previous_booking": {"startTime": 1, "endTime": 2, "timezone": 3}}),
        ("booking.updated", {"changed_fields": ["status"]}),
        ("event_type.updated", {}),
    ],
)
def test_booking_event_data_refuses_wrong_shapes(event: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        env.booking_event_data(event, BOOKING, **kwargs)


def test_webhook_booking_requires_every_field() -> None:
    partial = dict(BOOKING)
    del partial["meetLink"]
    with pytest.raises(ValueError, match="meetLink"):
        env.webhook_booking(partial)
    with pytest.raises(ValueError, match="metadata"):
        env.webhook_booking({**BOOKING, "metadata": {}})


def test_event_type_event_data() -> None:
    detail = {"id": "x", "slug": "intro-call", "title": "Intro call"}
    assert env.event_type_event_data("event_type.deleted", detail) == {"event_type": detail}
    with pytest.raises(ValueError):
        env.event_type_event_data("booking.created", detail)


def test_fanout_selection() -> None:
    event = _booking_created()
    base: dict[str, Any] = {"organization_id": ORG, "status": "active", "events": ["booking_created"]}
    assert receives(event, created_at=CREATED, **base)
    assert not receives(event, created_at=CREATED + timedelta(milliseconds=1), **base)
    assert not receives(event, created_at=CREATED, **{**base, "status": "paused"})
    assert not receives(event, created_at=CREATED, **{**base, "organization_id": "other"})
    assert not receives(event, created_at=CREATED, **{**base, "events": ["booking_updated"]})
