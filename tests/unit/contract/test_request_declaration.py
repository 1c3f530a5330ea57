"""The request models are the one declaration of the booking and series bodies: the parsers take
their values from the validated model (normalisations included) and their limits from the model's
declaration (decision 64)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fortytwo.contract.bookings import CreateBookingRequest, UpdateBookingRequest
from fortytwo.contract.series import ChangeHostBody, CreateSeriesBody, PatchSeriesBody
from fortytwo.contract.types import bounds, max_length
from fortytwo.domain.bookings import requests as booking_requests
from fortytwo.domain.bookings.errors import FieldErrors
from fortytwo.domain.series import requests as series_requests

ET = "019D48EA-2E00-7F28-9FB1-7C2390C192CF"
HOST = "019D48B3-CC50-7238-B924-56DE3EB13B90"


def test_ids_in_any_case_come_out_lower_cased() -> None:
    body = {"event_type_id": ET, "start": "2026-05-20T12:00:00Z", "attendee": {"email": "b@x.io"}}
    assert CreateBookingRequest.model_validate(body).event_type_id == ET.lower()
    assert ChangeHostBody.model_validate({"host_user_id": HOST}).host_user_id == HOST.lower()


def test_null_on_a_create_member_is_not_given_in_nested_objects_too() -> None:
    body = {
        "event_type_id": ET,
        "start": "2026-05-20T12:00:00Z",
        "guests": None,
        "attendee": {"email": "b@x.io", "sms_opt_in": None, "name": None},
    }
    model = CreateBookingRequest.model_validate(body)
    assert model.guests == [] and model.attendee.sms_opt_in is False and model.attendee.name is None
    parsed = booking_requests.parse_create(body)
    assert parsed.attendee.sms_opt_in is False and parsed.guests == ()


def test_with_an_event_type_id_the_slug_form_is_dropped_unread() -> None:
    body = {"event_type_id": ET, "username": 5, "event_slug": ["x"], "start": "2026-05-20T12:00:00Z"}
    body["attendee"] = {"email": "b@x.io"}
    model = CreateBookingRequest.model_validate(body)
    assert (model.username, model.event_slug) == (None, None)
    slug_form = CreateBookingRequest.model_validate(
        {**body, "event_type_id": None, "username": "Ada", "event_slug": "Intro"}
    )
    assert (slug_form.username, slug_form.event_slug) == ("ada", "intro")


def test_attendee_name_is_trimmed_and_cut_by_the_model() -> None:
    name = "  " + "é" * 250 + "  "
    assert UpdateBookingRequest.model_validate({"attendee_name": name}).attendee_name == "é" * 200
    assert booking_requests.parse_patch({"attendee_name": name}).attendee_name == "é" * 200


@pytest.mark.parametrize(
    ("model", "name", "parse", "body"),
    [
        (
            CreateBookingRequest,
            "username",
            booking_requests.parse_create,
            {"start": "2026-05-20T12:00:00Z", "attendee": {"email": "b@x.io"}, "event_slug": "intro"},
        ),
        (
            CreateSeriesBody,
            "event_slug",
            series_requests.parse_create,
            {"username": "ada", "host_user_id": HOST, "attendee": {"email": "b@x.io"}, "frequency": "weekly"},
        ),
    ],
)
def test_the_ordered_check_reports_the_limit_the_model_declares(
    model: type[CreateBookingRequest] | type[CreateSeriesBody],
    name: str,
    parse: Callable[[dict[str, object]], object],
    body: dict[str, object],
) -> None:
    limit = max_length(model, name)
    with pytest.raises(FieldErrors) as caught:
        parse({**body, name: "x" * (limit + 1)})
    assert {"field": name, "message": f"must be at most {limit} characters"} in caught.value.fields


def test_max_length_names_a_member_without_a_declared_limit() -> None:
    with pytest.raises(LookupError):
        max_length(CreateBookingRequest, "start")


def test_the_series_ranges_are_the_models() -> None:
    low, high = bounds(CreateSeriesBody, "count")
    body = {"event_type_id": ET, "host_user_id": HOST, "attendee": {"email": "b@x.io"}, "frequency": "weekly"}
    with pytest.raises(FieldErrors) as caught:
        series_requests.parse_create({**body, "count": high + 1, "interval_weeks": 0})
    fields = caught.value.fields
    assert {"field": "count", "message": f"must be an integer from {low} to {high}"} in fields
    assert {"field": "interval_weeks", "message": "must be an integer from 1 to 8"} in fields
    assert bounds(PatchSeriesBody, "interval_weeks") == bounds(CreateSeriesBody, "interval_weeks") == (1, 8)
