"""The schema step of the four writes: every violation, in body order (30-bookings §5.1, §6–§8)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from fortytwo.domain.bookings import requests
from fortytwo.domain.bookings.errors import BookingRuleError, FieldErrors

ET = "019D48EA-2E00-7F28-9FB1-7C2390C192CF"


def _fields(call: Any) -> list[dict[str, str]]:
    with pytest.raises(FieldErrors) as caught:
        call()
    return caught.value.fields


def _paths(call: Any) -> list[str]:
    return [f["field"] for f in _fields(call)]


def test_minimal_create() -> None:
    parsed = requests.parse_create(
        {"event_type_id": ET, "start": "2026-05-20T14:00:00+02:00", "attendee": {"email": "bob@example.com"}}
    )
    assert parsed.event_type_id == ET.lower()
    assert parsed.start == datetime(2026, 5, 20, 12, tzinfo=UTC)
    assert parsed.attendee.email == "bob@example.com"
    assert parsed.metadata == {} and parsed.responses == {} and parsed.guests == () and parsed.utm == {}


def test_full_create_keeps_every_field() -> None:
    parsed = requests.parse_create(
        {
            "username": "Ada",
            "event_slug": "Intro-Call",
            "start": "2026-05-20T12:00:00.123456Z",
            "timezone": "Europe/Berlin",
            "attendee": {
                "email": "b@example.com",
                "name": "B",
                "first_name": "F",
                "last_name": "L",
                "phone": "+49 30 1234567",
                "timezone": "Europe/Paris",
                "sms_opt_in": True,
            },
            "guests": ["c@example.com"],
            "metadata": {"k": {"nested": [1, 2]}},
            "responses": {"company": "X"},
            "utm_source": "news",
            "utm_campaign": "spring",
            "unknown": "ignored",
        }
    )
    assert (parsed.username, parsed.event_slug) == ("ada", "intro-call")
    assert parsed.start.microsecond == 123000
    assert parsed.attendee.sms_opt_in is True and parsed.attendee.timezone == "Europe/Paris"
    assert parsed.utm == {"utm_source": "news", "utm_campaign": "spring"}


def test_errors_in_body_order_then_missing_required() -> None:
    body = {
        "guests": ["ok@example.com", "x" * 255 + "@example.com", "not-an-email"],
        "start": "2026-05-20 12:00:00Z",
        "metadata": {"": 1, "k": "v" * 501},
        "timezone": "Mars/Olympus",
    }
    assert _fields(lambda: requests.parse_create(body)) == [
        {"field": "guests[1]", "message": "must be at most 254 characters"},
        {"field": "guests[2]", "message": "must be a valid email address"},
        {"field": "start", "message": "must be an RFC 3339 date-time with a UTC offset"},
        {"field": "metadata.", "message": "keys must be 1-40 characters"},
        {"field": "metadata.k", "message": "must be at most 500 characters"},
        {"field": "timezone", "message": "must be a valid IANA time zone name"},
        {"field": "event_type_id", "message": "Required (or username and event_slug)"},
        {"field": "attendee", "message": "Required"},
    ]


def test_attendee_fields_are_checked_in_their_own_order() -> None:
    body = {
        "event_type_id": ET,
        "start": "2026-05-20T12:00:00Z",
        "attendee": {"sms_opt_in": "yes", "name": "n" * 256, "timezone": "utc"},
    }
    assert _paths(lambda: requests.parse_create(body)) == [
        "attendee.sms_opt_in",
        "attendee.name",
        "attendee.timezone",
        "attendee.email",
    ]


@pytest.mark.parametrize(
    ("body", "paths"),
    [
        ({"username": "ada"}, ["event_slug"]),
        ({"event_slug": "intro"}, ["username"]),
        ({"event_type_id": "nope", "username": 5}, ["event_type_id"]),  # the slug form is ignored
        ({"event_type_id": None, "username": "u", "event_slug": "s" * 128}, ["event_slug"]),
    ],
)
def test_event_type_forms(body: dict[str, Any], paths: list[str]) -> None:
    full = {"start": "2026-05-20T12:00:00Z", "attendee": {"email": "b@example.com"}, **body}
    assert _paths(lambda: requests.parse_create(full)) == paths


def test_guest_and_metadata_limits() -> None:
    body = {
        "event_type_id": ET,
        "start": "2026-05-20T12:00:00Z",
        "attendee": {"email": "b@example.com"},
        "guests": [f"g{i}@example.com" for i in range(11)],
        "metadata": {f"k{i}": i for i in range(51)},
    }
    assert _paths(lambda: requests.parse_create(body)) == ["guests", "metadata"]


def test_metadata_values() -> None:
    ok = {"s": "v" * 500, "n": 1, "o": {"a": "x" * 480}, "null": None, "k" * 40: True}
    body = {
        "event_type_id": ET,
        "start": "2026-05-20T12:00:00Z",
        "attendee": {"email": "b@example.com"},
        "metadata": ok,
    }
    assert requests.parse_create(body).metadata == ok
    body["metadata"] = {"big": ["y" * 499], "k" * 41: 1}
    assert _paths(lambda: requests.parse_create(body)) == ["metadata.big", "metadata." + "k" * 41]


def test_nulls_on_optional_create_fields_mean_absent() -> None:
    parsed = requests.parse_create(
        {
            "event_type_id": ET,
            "start": "2026-05-20T12:00:00Z",
            "attendee": {"email": "b@example.com", "phone": None},
            "timezone": None,
            "guests": None,
            "metadata": None,
        }
    )
    assert parsed.timezone is None and parsed.attendee.phone is None


def test_wrong_types() -> None:
    body = {
        "event_type_id": 1,
        "start": 5,
        "attendee": "bob",
        "guests": "a@b.co",
        "metadata": [],
        "responses": [],
        "utm_source": 3,
    }
    assert _paths(lambda: requests.parse_create(body)) == [
        "event_type_id",
        "start",
        "attendee",
        "guests",
        "metadata",
        "responses",
        "utm_source",
    ]


def test_cancel_reason() -> None:
    assert requests.parse_cancel({}).reason is None
    assert requests.parse_cancel({"reason": None}).reason is None
    assert requests.parse_cancel({"reason": "r" * 1024}).reason == "r" * 1024
    assert _paths(lambda: requests.parse_cancel({"reason": "r" * 1025})) == ["reason"]
    assert _paths(lambda: requests.parse_cancel({"reason": 5})) == ["reason"]


def test_reschedule_body() -> None:
    parsed = requests.parse_reschedule({"start": "2026-05-21T13:00:00+01:00", "reason": "Clash"})
    assert parsed.start == datetime(2026, 5, 21, 12, tzinfo=UTC) and parsed.timezone is None
    assert _paths(lambda: requests.parse_reschedule({"timezone": "X/Y", "reason": 1})) == [
        "timezone",
        "reason",
        "start",
    ]


def test_patch_records_fields_in_body_and_alphabetical_order() -> None:
    parsed = requests.parse_patch(
        {
            "responses": {},
            "status": "x",
            "attendee_name": "  Robert  ",
            "metadata": {"a": 1},
            "start": "y",
            "other": 1,
        }
    )
    assert parsed.immutable_present == ("status", "start")
    assert parsed.changed_fields == ("attendee_name", "metadata", "responses")
    assert parsed.body_order == ("responses", "attendee_name", "metadata")
    assert parsed.attendee_name == "Robert"
    with pytest.raises(BookingRuleError) as caught:
        requests.check_patch_shape(parsed)
    assert caught.value.code == "field_immutable"
    assert caught.value.details == {"fields": ["status", "start"]}


def test_patch_name_is_truncated_to_200_code_points() -> None:
    name = "é" * 150 + "😀" * 100
    assert requests.parse_patch({"attendee_name": name}).attendee_name == "é" * 150 + "😀" * 50


def test_patch_schema_errors() -> None:
    body = {"attendee_name": "   ", "metadata": None, "responses": "x"}
    assert _fields(lambda: requests.parse_patch(body)) == [
        {"field": "attendee_name", "message": "must not be empty"},
        {"field": "metadata", "message": "must be an object"},
        {"field": "responses", "message": "must be an object"},
    ]


def test_patch_with_nothing_to_update() -> None:
    parsed = requests.parse_patch({"note": "ignored"})
    assert _fields(lambda: requests.check_patch_shape(parsed)) == [
        {"field": "", "message": "nothing to update"}
    ]
