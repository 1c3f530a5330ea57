"""The REST `Booking` and webhook `WebhookBooking` shapes (30-bookings §2.1, §12; 40-webhooks §6.3)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import jsonschema
from hypothesis import given
from hypothesis import strategies as st

from fortytwo.domain.bookings.event_types import Question
from fortytwo.domain.bookings.model import (
    WriteContext,
    from_record,
    previous_booking,
    to_record,
    to_rest,
    webhook_fields,
)
from fortytwo.domain.webhooks.envelope import booking_event_data, new_outbox_event

from .booking_fixtures import NOW, START, booking

SPEC_ORDER = [
    "uid",
    "version",
    "event_type_id",
    "event_type_slug",
    "title",
    "status",
    "start_at",
    "end_at",
    "timezone",
    "host",
    "attendees",
    "guests",
    "location",
    "metadata",
    "responses",
    "calendar_sync_status",
    "calendar_event_id",
    "rescheduled_from_uid",
    "cancelled_at",
    "cancellation_reason",
    "no_show_at",
    "no_show_reason",
    "series_id",  # 35-series §5.3: after no_show_reason, before created_at
    "series_index",
    "created_at",
    "updated_at",
]
OPENAPI = Path(__file__).resolve().parents[2] / "data" / "reference-openapi.json"


def _schema(name: str) -> dict:
    document = json.loads(OPENAPI.read_text())
    return {**document["components"]["schemas"][name], "components": document["components"]}


def test_rest_booking_matches_the_spec_example() -> None:
    data = to_rest(booking())
    assert list(data) == SPEC_ORDER
    assert data["host"] == {"user_id": booking().host.user_id, "username": "ada", "email": "ada@example.com"}
    assert data["attendees"] == [
        {"email": "bob@example.com", "name": "Bob Builder", "timezone": "Europe/Berlin"}
    ]
    assert data["guests"] == [{"email": "carol@example.com", "name": ""}]
    assert data["location"] == {
        "type": "video",
        "url": "https://meet.example.com/ada",
        "value": "https://meet.example.com/ada",
    }
    assert data["start_at"] == "2026-05-20T12:00:00.000Z" and data["end_at"] == "2026-05-20T12:30:00.000Z"
    assert data["calendar_sync_status"] == "not_applicable" and data["calendar_event_id"] is None
    assert data["responses"] == {"company": "Builder & Co"}
    assert to_rest(booking(), include_responses=False)["responses"] is None
    jsonschema.validate(data, _schema("Booking"))


def test_webhook_booking_fields() -> None:
    made = booking(
        rescheduled_from_uid="old",
        reschedule_generation=2,
        cancelled_at=NOW,
        cancellation_reason="why",
        responses={"company": "X", "legacy": 1},
    )
    context = WriteContext(
        "Intro call (new title)",
        (Question("company", "Company name", "text"),),
        "Ada",
        "King",
        "ada@new.example.com",
    )
    fields = webhook_fields(made, context)
    assert fields["eventTypeName"] == "Intro call (new title)"
    assert fields["answers"] == {"Company name": "X", "legacy": 1}
    assert fields["answersById"] == {"q_company": "X", "legacy": 1}
    assert fields["inviteePhone"] == "+49 30 1234567"
    # the metadata with the utm values merged over it (40-webhooks §6.3)
    assert fields["urlParams"] == {"crm_deal_id": "D-4471", "utm_source": "newsletter"}
    clash = webhook_fields(booking(metadata={"utm_source": "mine", "n": 1}), context)["urlParams"]
    assert clash == {"utm_source": "newsletter", "n": 1}  # a utm key wins
    assert webhook_fields(booking(metadata={}, utm={}), context)["urlParams"] == {}
    assert fields["location"] == "https://meet.example.com/ada" and fields["meetLink"] == fields["location"]
    assert fields["rescheduledAt"] == "2026-05-18T08:00:00.000Z" and fields["reschedule_generation"] == 2
    assert fields["cancelledAt"] == "2026-05-18T08:00:00.000Z" and fields["cancelledReason"] == "why"
    assert fields["hostUser"] == {
        "id": made.host.user_id,
        "firstName": "Ada",
        "lastName": "King",
        "email": "ada@new.example.com",
    }
    event = new_outbox_event(
        "booking.rescheduled",
        made.organization_id,
        NOW,
        booking_event_data("booking.rescheduled", fields, previous_booking=previous_booking(booking())),
    )
    body = json.loads(event.body)
    assert body["data"]["previousBooking"] == {
        "startTime": "2026-05-20T12:00:00.000Z",
        "endTime": "2026-05-20T12:30:00.000Z",
        "timezone": "Europe/Berlin",
    }
    jsonschema.validate(body, _schema("BookingWebhookEnvelope"))


def test_location_without_value_reports_its_type() -> None:
    from fortytwo.domain.bookings.model import Location

    fields = webhook_fields(booking(location=Location("phone", None, None)), WriteContext("t"))
    assert (fields["location"], fields["meetLink"]) == ("phone", None)
    assert webhook_fields(booking(location=None), WriteContext("t"))["location"] is None


_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False, width=32),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(min_size=1, max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@given(
    st.dictionaries(st.text(min_size=1, max_size=40), _values, max_size=5),
    st.integers(min_value=1, max_value=10**6),
    st.integers(min_value=0, max_value=10**5),
)
def test_record_round_trip(metadata: dict, version: int, minutes: int) -> None:
    made = booking(
        metadata=metadata,
        version=version,
        updated_at=NOW + timedelta(minutes=minutes),
        session_start=START,
        no_show_at=START,
    )
    assert from_record(to_record(made)) == made
