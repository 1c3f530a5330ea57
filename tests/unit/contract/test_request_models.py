"""The request models declare what the hand parsers accept (domain/bookings/requests.py and
domain/webhooks/validation.py stay the deciders until the handlers validate with the models):
the same bodies pass, and a shape error is reported on the same field paths, null handling
included. Rules the models cannot state (URL policy, time zones, metadata limits, instants) are
listed where a body shows them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fortytwo.contract.bookings import (
    Booking,
    CancelBookingRequest,
    CreateBookingRequest,
    RescheduleBookingRequest,
    UpdateBookingRequest,
)
from fortytwo.contract.errors import ValidationFailed
from fortytwo.contract.types import ContractModel
from fortytwo.contract.webhook_events import WebhookBooking
from fortytwo.contract.webhooks import (
    CreateWebhookRequest,
    UpdateWebhookRequest,
    WebhookEventDotName,
    WebhookEventName,
)
from fortytwo.domain.bookings import requests as booking_requests
from fortytwo.domain.bookings.errors import FieldErrors
from fortytwo.domain.webhooks import validation as webhook_validation
from fortytwo.domain.webhooks.envelope import WEBHOOK_BOOKING_FIELDS, WEBHOOK_BOOKING_SERIES_FIELDS
from fortytwo.domain.webhooks.events import CATALOGUE as EVENT_CATALOGUE
from fortytwo.http.body import validate

ET = "019d48ea-2e00-7f28-9fb1-7c2390c192cf"
START = "2026-05-20T12:00:00Z"
HOOK = "https://hooks.example.com/42min"


def booking_paths(parse: Callable[[dict[str, Any]], Any], body: dict[str, Any]) -> set[str]:
    try:
        parse(body)
    except FieldErrors as exc:
        return {f["field"] for f in exc.fields}
    return set()


def webhook_paths(check: Callable[..., Any], body: dict[str, Any]) -> set[str]:
    result = check(body)
    return {e.field for e in result} if isinstance(result, list) else set()


def model_paths(model: type[ContractModel], body: dict[str, Any]) -> set[str]:
    try:
        validate(model, body)
    except ValidationFailed as exc:
        return {f["field"] for f in exc.details["fields"]}
    return set()


CASES: list[tuple[type[ContractModel], Callable[[dict[str, Any]], set[str]], dict[str, Any]]] = []


def case(
    model: type[ContractModel], paths: Callable[[dict[str, Any]], set[str]], *bodies: dict[str, Any]
) -> None:
    CASES.extend((model, paths, body) for body in bodies)


ATTENDEE = {"email": "bob@example.com"}
case(
    CreateBookingRequest,
    lambda b: booking_paths(booking_requests.parse_create, b),
    {"event_type_id": ET, "start": START, "attendee": ATTENDEE},
    {"username": "ada", "event_slug": "intro", "start": START, "attendee": {**ATTENDEE, "sms_opt_in": True}},
    {
        "event_type_id": ET,
        "start": START,
        "attendee": ATTENDEE,
        "guests": ["c@example.com"],
        "metadata": {"a": 1},
    },
    {"event_type_id": ET, "start": START, "attendee": ATTENDEE, "unknown": [1, 2]},
    {"event_type_id": ET, "start": START},
    {"event_type_id": ET, "attendee": ATTENDEE},
    {"event_type_id": ET, "start": START, "attendee": {"name": "Bob"}},
    {"event_type_id": ET, "start": START, "attendee": "bob"},
    {"event_type_id": ET, "start": START, "attendee": {**ATTENDEE, "sms_opt_in": "yes"}},
    {"event_type_id": ET, "start": START, "attendee": ATTENDEE, "guests": "c@example.com"},
    {"event_type_id": ET, "start": START, "attendee": ATTENDEE, "guests": ["x@example.com"] * 11},
    {"event_type_id": ET, "start": START, "attendee": ATTENDEE, "utm_source": "x" * 256},
    {"event_type_id": ET, "start": START, "attendee": ATTENDEE, "responses": []},
    {"event_type_id": ET, "start": 5, "attendee": ATTENDEE},
)
case(
    UpdateBookingRequest,
    lambda b: booking_paths(booking_requests.parse_patch, b),
    {"metadata": {"a": 1}},
    {"responses": {"company": "x"}, "attendee_name": "Bo"},
    {"status": "canceled"},  # immutable: answered later (422), not a shape error
    {"metadata": None},
    {"responses": None},
    {"attendee_name": None},
    {"attendee_name": 5},
    {"metadata": []},
)
case(
    CancelBookingRequest,
    lambda b: booking_paths(booking_requests.parse_cancel, b),
    {},
    {"reason": None},
    {"reason": "Customer asked"},
    {"reason": 5},
    {"reason": "x" * 1025},
)
case(
    RescheduleBookingRequest,
    lambda b: booking_paths(booking_requests.parse_reschedule, b),
    {"start": START},
    {"start": START, "reason": None},
    {"start": START, "reason": "x" * 1025},
    {},
    {"start": None},
    {"start": START, "timezone": 5},
)
case(
    CreateWebhookRequest,
    lambda b: webhook_paths(webhook_validation.validate_create, b),
    {"url": HOOK, "events": ["booking_created"]},
    {"url": HOOK, "events": ["booking_created"], "description": None, "status": "nonsense"},
    {"url": HOOK},
    {"events": ["booking_created"]},
    {"url": None, "events": ["booking_created"]},
    {"url": HOOK, "events": []},
    {"url": HOOK, "events": None},
    {"url": HOOK, "events": ["nope"]},
    {"url": HOOK, "events": ["booking_created"], "description": "x" * 256},
    {"url": HOOK, "events": ["booking_created"], "description": 5},
)
case(
    UpdateWebhookRequest,
    lambda b: webhook_paths(webhook_validation.validate_patch, b),
    {},
    {"description": None},
    {"status": "paused", "events": ["booking_created"], "url": HOOK},
    {"url": None},
    {"events": None},
    {"status": None},
    {"status": "gone"},
    {"events": []},
)


@pytest.mark.parametrize(("model", "paths", "body"), CASES, ids=lambda v: getattr(v, "__name__", None))
def test_model_and_parser_fail_on_the_same_fields(
    model: type[ContractModel], paths: Callable[[dict[str, Any]], set[str]], body: dict[str, Any]
) -> None:
    assert model_paths(model, body) == paths(body)


def test_the_event_name_enums_are_the_domain_catalogue() -> None:
    assert [e.value for e in WebhookEventName] == list(EVENT_CATALOGUE)
    assert [e.value for e in WebhookEventDotName] == list(EVENT_CATALOGUE.values())


def test_models_keep_the_contracts_field_order() -> None:
    assert tuple(WebhookBooking.model_fields) == (*WEBHOOK_BOOKING_FIELDS, *WEBHOOK_BOOKING_SERIES_FIELDS)
    from fortytwo.domain.bookings.model import to_rest
    from tests.unit.bookings.booking_fixtures import booking

    assert tuple(Booking.model_fields) == tuple(to_rest(booking()))
