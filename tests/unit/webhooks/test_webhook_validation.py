"""Event catalogue and request-body field rules (40-webhooks §4.2, §6.1)."""

from __future__ import annotations

from typing import Any

import pytest

from fortytwo.domain.webhooks.errors import FieldError
from fortytwo.domain.webhooks.events import (
    CATALOGUE,
    DELIVERY_NAMES,
    REST_NAMES,
    UnknownEventError,
    delivery_name,
    rest_name,
    subscribed,
    validate_events,
)
from fortytwo.domain.webhooks.validation import CreateInput, PatchInput, validate_create, validate_patch

URL = "https://hooks.example.com/42min"


def test_catalogue_has_the_fourteen_names_both_ways() -> None:
    """The eight of 40-webhooks §6.1, then the six series events of 35-series §12.2."""
    assert REST_NAMES == (
        "booking_created",
        "booking_updated",
        "booking_canceled",
        "booking_rescheduled",
        "booking_no_show",
        "event_type_updated",
        "event_type_deleted",
        "routing_form_submitted",
        "series_created",
        "series_updated",
        "series_paused",
        "series_resumed",
        "series_ended",
        "series_host_changed",
    )
    assert DELIVERY_NAMES == (
        "booking.created",
        "booking.updated",
        "booking.canceled",
        "booking.rescheduled",
        "booking.no_show",
        "event_type.updated",
        "event_type.deleted",
        "routing.form_submitted",
        "series.created",
        "series.updated",
        "series.paused",
        "series.resumed",
        "series.ended",
        "series.host_changed",
    )
    for rest, dot in CATALOGUE.items():
        assert delivery_name(rest) == dot and rest_name(dot) == rest
    with pytest.raises(UnknownEventError):
        delivery_name("booking.created")
    with pytest.raises(UnknownEventError):
        rest_name("booking_created")
    assert subscribed(["booking_no_show"], "booking.no_show")
    assert not subscribed(["booking_no_show"], "booking.created")
    assert not subscribed(["booking.created"], "booking.created")


def test_events_keep_order_and_drop_duplicates() -> None:
    names, errors = validate_events(
        ["booking_updated", "booking_created", "booking_updated", "booking_created"]
    )
    assert errors == [] and names == ("booking_updated", "booking_created")
    names, errors = validate_events(list(REST_NAMES) * 3)
    assert names == REST_NAMES


def test_dot_names_are_refused_with_the_underscore_hint() -> None:
    _, errors = validate_events(["booking.created"])
    assert errors == [
        FieldError("events[0]", "Unknown event 'booking.created'. Use the underscore name 'booking_created'.")
    ]
    for rest, dot in CATALOGUE.items():
        _, errors = validate_events(["booking_created", dot])
        assert errors[0].field == "events[1]" and f"'{rest}'" in errors[0].message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, [("events", "not null")]),
        ([], [("events", "at least one")]),
        ("booking_created", [("events", "array")]),
        ({"a": 1}, [("events", "array")]),
        (
            ["booking_created", 3, "nope", "Booking_Created"],
            [("events[1]", "string"), ("events[2]", "Valid events"), ("events[3]", "'booking_created'")],
        ),
    ],
)
def test_events_errors(value: Any, expected: list[tuple[str, str]]) -> None:
    names, errors = validate_events(value)
    assert names is None
    assert [(e.field, e.message) for e in errors] == [
        (field, next(e.message for e in errors if e.field == field and fragment in e.message))
        for field, fragment in expected
    ]


def test_create_minimal_and_full() -> None:
    result = validate_create({"url": URL, "events": ["booking_created"]})
    assert isinstance(result, CreateInput)
    assert result.url.url == URL and result.events == ("booking_created",) and result.description is None
    result = validate_create(
        {"status": "paused", "url": URL, "events": ["booking_created"], "description": "", "id": "x"}
    )
    assert isinstance(result, CreateInput) and result.description is None  # "" is stored as null
    result = validate_create({"url": URL, "events": ["booking_created"], "description": "é" * 255})
    assert isinstance(result, CreateInput) and result.description == "é" * 255


def test_create_errors_in_body_order_then_missing() -> None:
    result = validate_create({"description": "x" * 256, "events": ["booking.created"]})
    assert isinstance(result, list)
    assert [e.field for e in result] == ["description", "events[0]", "url"]
    assert result[2].message == "is required"
    result = validate_create({"events": None, "url": "http://x.example", "description": 5})
    assert isinstance(result, list)
    assert [e.field for e in result] == ["events", "url", "description"]


def test_create_url_null_and_insecure() -> None:
    result = validate_create({"url": None, "events": ["booking_created"]})
    assert isinstance(result, list) and result[0].field == "url"
    assert isinstance(
        validate_create(
            {"url": "http://localhost:9000/h", "events": ["booking_created"]}, allow_insecure=True
        ),
        CreateInput,
    )


def test_patch() -> None:
    assert validate_patch({}) == PatchInput()
    result = validate_patch(
        {"status": "paused", "description": None, "signing_secret": "x", "paused_reason": "y"}
    )
    assert result == PatchInput(status="paused", description_set=True, description=None)
    result = validate_patch({"events": ["event_type_updated"], "url": URL})
    assert (
        isinstance(result, PatchInput) and result.events == ("event_type_updated",) and result.url is not None
    )
    assert result.url.url == URL and not result.description_set


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"status": None}, ["status"]),
        ({"status": "Active"}, ["status"]),
        ({"status": "deleted"}, ["status"]),
        ({"url": None}, ["url"]),
        ({"events": []}, ["events"]),
        ({"events": None}, ["events"]),
        ({"description": ["x"]}, ["description"]),
        (
            {"url": "ftp://x.example", "status": 1, "events": ["a", "b"]},
            ["url", "status", "events[0]", "events[1]"],
        ),
    ],
)
def test_patch_errors(body: dict[str, Any], fields: list[str]) -> None:
    result = validate_patch(body)
    assert isinstance(result, list) and [e.field for e in result] == fields
    assert all(e.to_api() == {"field": e.field, "message": e.message} for e in result)
