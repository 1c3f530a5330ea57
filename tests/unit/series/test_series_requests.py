"""Schema steps of the series writes (35-series §3.1, §6.1, §9.1–9.3, §10.5)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from fortytwo.contract.series import CreateSeriesBody
from fortytwo.domain.bookings.errors import FieldErrors
from fortytwo.domain.series.errors import SeriesRuleError
from fortytwo.domain.series.pattern import Frequency, Pattern
from fortytwo.domain.series.requests import (
    check_patch_shape,
    check_starts_on,
    effective_pattern,
    is_location_url,
    parse_create,
    parse_host,
    parse_patch,
)

ET = "019d48ea-2e00-7f28-9fb1-7c2390c192cf"
HOST = "019d48b3-cc50-7238-b924-56de3eb13b90"


def example_body(**changes: Any) -> dict[str, Any]:
    """The request of §6.4."""
    body: dict[str, Any] = {
        "event_type_id": ET,
        "host_user_id": HOST,
        "attendee": {"email": "bob@example.com", "name": "Bob Builder", "phone": "+49 30 1234567"},
        "frequency": "weekly",
        "weekdays": ["wed", "mon"],
        "time": "10:00",
        "timezone": "Europe/Berlin",
        "starts_on": "2026-05-20",
        "count": 4,
        "notify_invitee": False,
        "metadata": {"crm_deal_id": "D-4471"},
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def fields_of(body: dict[str, Any]) -> list[str]:
    with pytest.raises(FieldErrors) as caught:
        parse_create(body)
    return [f["field"] for f in caught.value.fields]


def test_the_chapter_example_parses_and_normalises_weekdays() -> None:
    request = parse_create(example_body())
    assert request.weekdays == ("mon", "wed")
    assert request.interval_weeks == 1
    assert request.notify_invitee is False
    assert request.pattern("UTC") == Pattern(Frequency.WEEKLY, ("mon", "wed"), 1, "10:00", "Europe/Berlin")
    CreateSeriesBody.model_validate(example_body())  # the declaration accepts it too


def test_defaults_timezone_none_notify_true_and_until_is_ignored() -> None:
    request = parse_create(example_body(timezone=..., notify_invitee=..., until="2026-12-31"))
    assert request.timezone is None
    assert request.pattern("America/New_York").timezone == "America/New_York"
    assert request.notify_invitee is True


@pytest.mark.parametrize("frequency", ["daily", "monthly", "WEEKLY", 1])
def test_unknown_frequency_is_a_validation_error(frequency: Any) -> None:
    assert fields_of(example_body(frequency=frequency)) == ["frequency"]


def test_every_violation_is_listed_in_body_order_with_paths() -> None:
    body = example_body(
        weekdays=["mon", "funday", "wed", 3],
        attendee={"email": "x" * 300, "name": 5},
        metadata={"crm_id": "y" * 501},
        time="9:00",
        count=43,
    )
    assert fields_of(body) == [
        "attendee.email",
        "attendee.name",
        "weekdays[1]",
        "weekdays[3]",
        "time",
        "count",
        "metadata.crm_id",
    ]


@pytest.mark.parametrize("time", ["9:00", "24:00", "10:00:00", "10:60", " 10:00"])
def test_one_spelling_of_time(time: str) -> None:
    assert fields_of(example_body(time=time)) == ["time"]


@pytest.mark.parametrize("count", [0, 43, 3.0, True, "4"])
def test_count_is_a_json_integer_from_1_to_42(count: Any) -> None:
    assert fields_of(example_body(count=count)) == ["count"]


@pytest.mark.parametrize("interval", [0, 9, 2.0, False])
def test_interval_weeks_is_1_to_8(interval: Any) -> None:
    assert fields_of(example_body(interval_weeks=interval)) == ["interval_weeks"]


@pytest.mark.parametrize("starts_on", ["2026-02-30", "2026-5-20", "20260520", "2026-05-20T00:00:00Z"])
def test_starts_on_is_a_real_calendar_date(starts_on: str) -> None:
    assert fields_of(example_body(starts_on=starts_on)) == ["starts_on"]


def test_weekly_needs_one_to_seven_weekdays() -> None:
    assert fields_of(example_body(weekdays=[])) == ["weekdays"]
    assert fields_of(example_body(weekdays=...)) == ["weekdays"]
    assert parse_create(example_body(weekdays=["sun", "sun", "mon"])).weekdays == ("mon", "sun")


def test_monthly_takes_no_weekdays_and_interval_only_1() -> None:
    for ok in ({}, {"weekdays": None}, {"weekdays": []}, {"interval_weeks": None}, {"interval_weeks": 1}):
        body = example_body(frequency="monthly_same_day", weekdays=...) | ok
        request = parse_create(body)
        assert (request.weekdays, request.interval_weeks) == ((), None)
    bad = example_body(frequency="monthly_same_day", weekdays=["mon"], interval_weeks=2)
    assert fields_of(bad) == ["weekdays", "interval_weeks"]


def test_required_fields_follow_in_documented_order() -> None:
    assert fields_of({}) == [
        "event_type_id",
        "host_user_id",
        "attendee",
        "frequency",
        "time",
        "starts_on",
        "count",
    ]
    assert fields_of(example_body(event_type_id=..., username="ada")) == ["event_slug"]
    assert fields_of(example_body(attendee={"name": "Bob"})) == ["attendee.email"]


def test_the_slug_form_is_ignored_next_to_an_event_type_id() -> None:
    request = parse_create(example_body(username=5, event_slug="Intro"))
    assert request.username is None and request.event_slug is None
    slug = parse_create(example_body(event_type_id=..., username="Ada", event_slug="Intro-Call"))
    assert (slug.username, slug.event_slug) == ("ada", "intro-call")


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://meet.example.com/abc", True),
        ("http://meet.example.com/abc", False),
        ("https://user:pw@meet.example.com/abc", False),
        ("https://meet.example.com/" + "a" * 1990, False),
        ("/relative", False),
        ("https://meet.example.com/a b", False),
    ],
)
def test_location_url_rule(url: str, ok: bool) -> None:
    assert is_location_url(url) is ok


def test_attendee_timezone_and_sms_opt_in_are_ignored() -> None:
    body = example_body(attendee={"email": "bob@example.com", "timezone": "Not/AZone", "sms_opt_in": "yes"})
    assert parse_create(body).attendee.email == "bob@example.com"


def test_starts_on_range_is_today_to_a_year_ahead_in_the_series_timezone() -> None:
    now = datetime(2026, 5, 18, 23, 30, tzinfo=UTC)  # already 05-19 in Berlin, still 05-18 in New York
    check_starts_on(date(2026, 5, 19), "Europe/Berlin", now)
    check_starts_on(date(2026, 5, 18), "America/New_York", now)
    check_starts_on(date(2027, 5, 19), "Europe/Berlin", now)
    for day, tz in ((date(2026, 5, 18), "Europe/Berlin"), (date(2027, 5, 20), "Europe/Berlin")):
        with pytest.raises(SeriesRuleError) as caught:
            check_starts_on(day, tz, now)
        assert caught.value.code == "starts_on_out_of_range"


# --- PATCH ---------------------------------------------------------------------------------------

STORED = Pattern(Frequency.WEEKLY, ("mon", "wed"), 1, "10:00", "Europe/Berlin")


def test_patch_immutable_names_in_body_order_then_nothing_writable() -> None:
    request = parse_patch({"count": 5, "time": "11:00", "attendee": {}, "host_user_id": HOST, "foo": 1})
    with pytest.raises(SeriesRuleError) as caught:
        check_patch_shape(request)
    assert caught.value.code == "field_immutable"
    assert caught.value.details == {"fields": ["count", "attendee", "host_user_id"]}
    with pytest.raises(FieldErrors) as empty:
        check_patch_shape(parse_patch({"foo": 1}))
    assert empty.value.fields == [{"field": "", "message": "nothing to update"}]


def test_patch_schema_errors_come_before_immutable_names() -> None:
    with pytest.raises(FieldErrors) as caught:
        parse_patch({"count": 5, "time": "25:00", "location_url": None, "notify_invitee": "no"})
    assert [f["field"] for f in caught.value.fields] == ["time", "location_url", "notify_invitee"]


def test_effective_pattern_switches_and_validates_as_a_whole() -> None:
    to_monthly = effective_pattern(STORED, parse_patch({"frequency": "monthly_same_day"}))
    assert (to_monthly.weekdays, to_monthly.interval_weeks) == ((), None)
    with pytest.raises(FieldErrors) as bad:
        effective_pattern(STORED, parse_patch({"frequency": "monthly_same_day", "weekdays": ["mon"]}))
    assert [f["field"] for f in bad.value.fields] == ["weekdays"]
    with pytest.raises(FieldErrors) as needs_days:
        effective_pattern(to_monthly, parse_patch({"frequency": "weekly"}))
    assert [f["field"] for f in needs_days.value.fields] == ["weekdays"]
    back = effective_pattern(to_monthly, parse_patch({"frequency": "weekly", "weekdays": ["fri", "tue"]}))
    assert (back.weekdays, back.interval_weeks) == (("tue", "fri"), 1)
    with pytest.raises(FieldErrors):
        effective_pattern(to_monthly, parse_patch({"interval_weeks": 2}))
    assert effective_pattern(STORED, parse_patch({"weekdays": ["wed", "mon"]})) == STORED


def test_patch_changed_fields_are_the_writable_fields_present_sorted() -> None:
    request = parse_patch({"time": "11:00", "notify_invitee": True, "location_url": "https://x.example/a"})
    assert request.changed_fields == ("location_url", "notify_invitee", "time")


def test_change_host_body() -> None:
    assert parse_host({"host_user_id": HOST.upper()}) == HOST
    for body in ({}, {"host_user_id": "ada"}, {"host_user_id": None}):
        with pytest.raises(FieldErrors) as caught:
            parse_host(body)
        assert [f["field"] for f in caught.value.fields] == ["host_user_id"]
