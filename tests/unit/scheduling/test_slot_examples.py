"""Every worked example of 20-scheduling §7, with the same inputs and the same expected outputs."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from slot_fixtures import (
    ADA,
    CHECK_IN,
    CONSULT,
    DEEP_DIVE,
    DEFAULT_NOW,
    GRACE,
    HOST_ADA,
    HOST_GRACE,
    INTRO_CALL,
    NIGHT_LINE,
    SALES_DEMO,
    WORKSHOP,
    at,
    booking,
    iso,
    schedule,
    slots_of,
    starts,
    with_limits,
)

from fortytwo.domain.scheduling import UnavailableReason, check_slot, evaluate, period_keys

EXAMPLE_1_STARTS = [
    "2026-05-20T08:00:00.000Z",
    "2026-05-20T08:30:00.000Z",
    "2026-05-20T09:00:00.000Z",
    "2026-05-20T09:30:00.000Z",
    "2026-05-20T10:00:00.000Z",
    "2026-05-20T10:30:00.000Z",
    "2026-05-20T12:00:00.000Z",
    "2026-05-20T12:30:00.000Z",
    "2026-05-20T13:00:00.000Z",
    "2026-05-20T13:30:00.000Z",
    "2026-05-20T14:00:00.000Z",
    "2026-05-20T14:30:00.000Z",
    "2026-05-20T15:00:00.000Z",
    "2026-05-20T15:30:00.000Z",
]


def _day_starts(day: str) -> list[str]:
    return [f"{day}{start[10:]}" for start in EXAMPLE_1_STARTS]


# ---------------------------------------------------------------- Example 1


def test_example_1_normal_day_full_response_data() -> None:
    result = slots_of(INTRO_CALL, "2026-05-20T00:00:00Z", "2026-05-21T00:00:00Z")
    ends = [iso(at(start) + timedelta(minutes=30)) for start in EXAMPLE_1_STARTS]
    assert result.to_data() == {
        "event_type_id": "019d48ea-2e00-7f28-9fb1-7c2390c192cf",
        "timezone": "Europe/London",
        "computed_at": "2026-05-18T08:00:00.000Z",
        "slots": [
            {"start": start, "end": end, "available": True}
            for start, end in zip(EXAMPLE_1_STARTS, ends, strict=True)
        ],
    }
    assert len(result.slots) == 14
    assert result.truncated is False
    assert all(slot.host_user_id is None and slot.seats_remaining is None for slot in result.slots)


def test_example_1_timezone_parameter_only_echoes() -> None:
    london = slots_of(INTRO_CALL, "2026-05-20T00:00:00Z", "2026-05-21T00:00:00Z")
    los_angeles = slots_of(
        INTRO_CALL, "2026-05-20T00:00:00Z", "2026-05-21T00:00:00Z", timezone="America/Los_Angeles"
    )
    assert los_angeles.timezone == "America/Los_Angeles"
    assert los_angeles.slots == london.slots
    assert los_angeles.to_data()["slots"] == london.to_data()["slots"]


# ---------------------------------------------------------------- Example 2


def test_example_2_buffers_of_both_sides() -> None:
    deep_dive = booking(DEEP_DIVE, ADA, "2026-05-20T09:00:00Z")
    consult = slots_of(CONSULT, "2026-05-20T00:00:00Z", "2026-05-21T00:00:00Z", bookings=[deep_dive])
    assert starts(consult) == [
        "2026-05-20T08:00:00.000Z",
        "2026-05-20T10:30:00.000Z",
        "2026-05-20T12:00:00.000Z",
        "2026-05-20T12:30:00.000Z",
        "2026-05-20T13:00:00.000Z",
        "2026-05-20T13:30:00.000Z",
        "2026-05-20T14:00:00.000Z",
        "2026-05-20T14:30:00.000Z",
        "2026-05-20T15:00:00.000Z",
        "2026-05-20T15:30:00.000Z",
    ]


def test_example_2_same_booking_seen_from_intro_call() -> None:
    deep_dive = booking(DEEP_DIVE, ADA, "2026-05-20T09:00:00Z")
    intro = slots_of(INTRO_CALL, "2026-05-20T00:00:00Z", "2026-05-21T00:00:00Z", bookings=[deep_dive])
    assert starts(intro)[:3] == [
        "2026-05-20T08:00:00.000Z",
        "2026-05-20T08:30:00.000Z",
        "2026-05-20T10:30:00.000Z",
    ]
    assert starts(intro)[3:] == EXAMPLE_1_STARTS[6:]


# ---------------------------------------------------------------- Example 3


def test_example_3_minimum_notice_keeps_the_anchor() -> None:
    intro = dataclasses.replace(INTRO_CALL, minimum_notice_minutes=240)
    result = slots_of(
        intro, "2026-05-20T00:00:00Z", "2026-05-21T00:00:00Z", now=at("2026-05-20T05:20:00.000Z")
    )
    assert starts(result) == EXAMPLE_1_STARTS[3:]
    assert len(result.slots) == 11


# ---------------------------------------------------------------- Example 4


def test_example_4_date_overrides() -> None:
    ada = dataclasses.replace(
        HOST_ADA,
        schedule=schedule(
            {
                "timezone": "Europe/London",
                "weekly": dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), ["09:00-12:00", "13:00-17:00"]),
                "overrides": {"2026-05-21": [], "2026-05-22": ["10:15-12:00"]},
            }
        ),
    )
    result = slots_of(INTRO_CALL, "2026-05-21T00:00:00Z", "2026-05-23T00:00:00Z", hosts=[ada])
    assert starts(result) == [
        "2026-05-22T09:15:00.000Z",
        "2026-05-22T09:45:00.000Z",
        "2026-05-22T10:15:00.000Z",
    ]


# ---------------------------------------------------------------- Example 5


def test_example_5a_spring_forward_london() -> None:
    result = slots_of(
        NIGHT_LINE, "2026-03-29T00:00:00Z", "2026-03-30T00:00:00Z", now=at("2026-03-01T00:00:00.000Z")
    )
    assert starts(result) == [
        "2026-03-29T00:00:00.000Z",
        "2026-03-29T00:30:00.000Z",
        "2026-03-29T01:00:00.000Z",
        "2026-03-29T01:30:00.000Z",
    ]


def test_example_5b_spring_forward_new_york_start_in_gap() -> None:
    result = slots_of(
        CHECK_IN, "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z", now=at("2026-03-01T00:00:00.000Z")
    )
    assert starts(result) == ["2026-03-08T07:00:00.000Z", "2026-03-08T07:30:00.000Z"]


# ---------------------------------------------------------------- Example 6


def test_example_6a_fall_back_london() -> None:
    result = slots_of(
        NIGHT_LINE, "2026-10-24T12:00:00Z", "2026-10-26T00:00:00Z", now=at("2026-10-01T00:00:00.000Z")
    )
    assert starts(result) == [
        "2026-10-24T23:00:00.000Z",
        "2026-10-24T23:30:00.000Z",
        "2026-10-25T00:00:00.000Z",
        "2026-10-25T00:30:00.000Z",
        "2026-10-25T01:00:00.000Z",
        "2026-10-25T01:30:00.000Z",
        "2026-10-25T02:00:00.000Z",
        "2026-10-25T02:30:00.000Z",
    ]


def test_example_6b_fall_back_new_york() -> None:
    result = slots_of(
        CHECK_IN, "2026-10-30T00:00:00Z", "2026-11-03T00:00:00Z", now=at("2026-10-01T00:00:00.000Z")
    )
    assert starts(result) == [
        "2026-10-30T13:00:00.000Z",
        "2026-10-30T13:30:00.000Z",
        "2026-11-01T05:30:00.000Z",
        "2026-11-01T06:00:00.000Z",
        "2026-11-01T06:30:00.000Z",
        "2026-11-01T07:00:00.000Z",
        "2026-11-01T07:30:00.000Z",
        "2026-11-02T14:00:00.000Z",
        "2026-11-02T14:30:00.000Z",
    ]


# ---------------------------------------------------------------- Example 7


def _example_7_bookings(grace_meetings: int = 1) -> list:
    result = [
        booking(SALES_DEMO, ADA, "2026-05-19T08:00:00Z", created_at="2026-05-04T10:00:00Z"),
        booking(SALES_DEMO, ADA, "2026-05-19T08:30:00Z", created_at="2026-05-11T10:00:00Z"),
        booking(SALES_DEMO, GRACE, "2026-05-20T13:30:00Z", created_at="2026-05-12T10:00:00Z"),
    ]
    if grace_meetings == 2:
        result.append(booking(SALES_DEMO, GRACE, "2026-05-19T14:00:00Z", created_at="2026-05-05T10:00:00Z"))
    return result


def test_example_7_round_robin_two_hosts() -> None:
    result = slots_of(
        SALES_DEMO, "2026-05-20T12:00:00Z", "2026-05-20T15:00:00Z", bookings=_example_7_bookings()
    )
    assert [(s["start"], s["host_user_id"]) for s in result.to_data()["slots"]] == [
        ("2026-05-20T12:00:00.000Z", ADA),
        ("2026-05-20T12:30:00.000Z", ADA),
        ("2026-05-20T13:00:00.000Z", GRACE),
        ("2026-05-20T13:30:00.000Z", ADA),
        ("2026-05-20T14:00:00.000Z", GRACE),
        ("2026-05-20T14:30:00.000Z", GRACE),
    ]
    assert result.to_data()["slots"][2] == {
        "start": "2026-05-20T13:00:00.000Z",
        "end": "2026-05-20T13:30:00.000Z",
        "available": True,
        "host_user_id": "019d48eb-a712-7bda-ad3c-2d6d1a3d1fa7",
    }
    assert result.timezone == "UTC"


def test_example_7_variant_tie_goes_to_older_last_assignment() -> None:
    result = slots_of(
        SALES_DEMO,
        "2026-05-20T12:00:00Z",
        "2026-05-20T15:00:00Z",
        bookings=_example_7_bookings(grace_meetings=2),
    )
    assert [slot.host_user_id for slot in result.slots] == [ADA, ADA, ADA, ADA, ADA, ADA]


def test_example_7_evaluate_names_the_same_host_and_lists_every_free_one() -> None:
    evaluation = evaluate(
        SALES_DEMO,
        [HOST_ADA, HOST_GRACE],
        _example_7_bookings(),
        now=DEFAULT_NOW,
        start=at("2026-05-20T13:00:00Z"),
    )
    assert evaluation.bookable
    assert evaluation.host_user_id == GRACE
    assert evaluation.candidate_host_ids == (GRACE, ADA)


# ---------------------------------------------------------------- Example 8


def _registrations(count: int) -> list:
    return [
        booking(WORKSHOP, ADA, "2026-05-20T09:00:00Z", created_at=f"2026-05-0{i + 1}T10:00:00Z")
        for i in range(count)
    ]


def test_example_8_group_seats_remaining() -> None:
    result = slots_of(WORKSHOP, "2026-05-20T08:00:00Z", "2026-05-20T11:00:00Z", bookings=_registrations(2))
    assert result.to_data()["slots"] == [
        {
            "start": "2026-05-20T08:00:00.000Z",
            "end": "2026-05-20T09:00:00.000Z",
            "available": True,
            "seats_remaining": 3,
        },
        {
            "start": "2026-05-20T09:00:00.000Z",
            "end": "2026-05-20T10:00:00.000Z",
            "available": True,
            "seats_remaining": 1,
        },
        {
            "start": "2026-05-20T10:00:00.000Z",
            "end": "2026-05-20T11:00:00.000Z",
            "available": True,
            "seats_remaining": 3,
        },
    ]


def test_example_8_third_registration_joins_then_the_session_is_full() -> None:
    joining = evaluate(
        WORKSHOP, [HOST_ADA], _registrations(2), now=DEFAULT_NOW, start=at("2026-05-20T09:00:00Z")
    )
    assert joining.bookable and joining.joins_session
    assert (joining.host_user_id, joining.seats_taken, joining.seats_remaining) == (ADA, 2, 1)

    full = _registrations(3)
    result = slots_of(WORKSHOP, "2026-05-20T08:00:00Z", "2026-05-20T11:00:00Z", bookings=full)
    assert [(s["start"], s["seats_remaining"]) for s in result.to_data()["slots"]] == [
        ("2026-05-20T08:00:00.000Z", 3),
        ("2026-05-20T10:00:00.000Z", 3),
    ]
    fourth = evaluate(WORKSHOP, [HOST_ADA], full, now=DEFAULT_NOW, start=at("2026-05-20T09:00:00Z"))
    assert not fourth.bookable and fourth.reason is UnavailableReason.SLOT_BUSY
    check = check_slot(WORKSHOP, [HOST_ADA], full, now=DEFAULT_NOW, start=at("2026-05-20T09:00:00Z"))
    assert check.to_data() == {
        "available": False,
        "reason": "slot_busy",
        "next_available": "2026-05-20T10:00:00.000Z",
    }


def test_example_8_session_is_busy_for_other_event_types() -> None:
    result = slots_of(INTRO_CALL, "2026-05-20T00:00:00Z", "2026-05-21T00:00:00Z", bookings=_registrations(1))
    listed = starts(result)
    assert "2026-05-20T09:00:00.000Z" not in listed
    assert "2026-05-20T09:30:00.000Z" not in listed
    assert listed == [
        s for s in EXAMPLE_1_STARTS if s not in ("2026-05-20T09:00:00.000Z", "2026-05-20T09:30:00.000Z")
    ]


# ---------------------------------------------------------------- Example 9


def test_example_9_per_event_type_day_limit() -> None:
    intro = dataclasses.replace(INTRO_CALL, max_bookings_per_day=2)
    state = [
        booking(intro, ADA, "2026-05-20T08:00:00Z"),
        booking(intro, ADA, "2026-05-20T12:00:00Z", booking_id="the-12"),
        booking(CONSULT, ADA, "2026-05-21T14:00:00Z"),  # another event type: not counted
    ]
    consult_hours = {"2026-05-21T13:30:00.000Z", "2026-05-21T14:00:00.000Z", "2026-05-21T14:30:00.000Z"}
    result = slots_of(intro, "2026-05-20T00:00:00Z", "2026-05-22T00:00:00Z", bookings=state[:2])
    assert starts(result) == _day_starts("2026-05-21")

    # Meetings of other event types do not count against this cap (they only take their time).
    with_consult = slots_of(intro, "2026-05-20T00:00:00Z", "2026-05-22T00:00:00Z", bookings=state)
    assert starts(with_consult) == [s for s in _day_starts("2026-05-21") if s not in consult_hours]

    canceled = [state[0], dataclasses.replace(state[1], status="canceled")]
    after_cancel = slots_of(intro, "2026-05-20T00:00:00Z", "2026-05-22T00:00:00Z", bookings=canceled)
    assert starts(after_cancel) == EXAMPLE_1_STARTS[1:] + _day_starts("2026-05-21")
    assert len(after_cancel.slots) == 13 + 14


# ---------------------------------------------------------------- Example 10


def test_example_10_account_wide_weekly_limit() -> None:
    ada = with_limits(HOST_ADA, per_week=3)
    state = [
        booking(INTRO_CALL, ADA, "2026-05-18T10:00:00Z"),
        booking(DEEP_DIVE, ADA, "2026-05-19T12:00:00Z"),
        booking(CONSULT, ADA, "2026-05-20T14:00:00Z"),
    ]
    result = slots_of(INTRO_CALL, "2026-05-22T00:00:00Z", "2026-05-26T00:00:00Z", bookings=state, hosts=[ada])
    assert starts(result) == _day_starts("2026-05-25")


def test_example_10_week_boundary_is_monday_in_the_period_timezone() -> None:
    assert period_keys(at("2026-05-24T23:30:00Z"), "Europe/London").week == "2026-05-25"
    assert period_keys(at("2026-05-24T22:59:59.999Z"), "Europe/London").week == "2026-05-18"
    ada = with_limits(HOST_ADA, per_week=1)
    late_sunday = booking(CONSULT, ADA, "2026-05-24T23:30:00Z")  # 00:30 BST on Monday
    result = slots_of(
        INTRO_CALL, "2026-05-22T00:00:00Z", "2026-05-26T00:00:00Z", bookings=[late_sunday], hosts=[ada]
    )
    assert starts(result) == _day_starts("2026-05-22")


# ---------------------------------------------------------------- Example 11

EXAMPLE_11_NOW = at("2026-05-20T05:20:00.000Z")
NOTICE_INTRO = dataclasses.replace(INTRO_CALL, minimum_notice_minutes=240)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-05-20T05:00:00Z", None, {"available": False, "reason": "in_past"}),
        ("2026-05-20T09:00:00Z", None, {"available": False, "reason": "outside_minimum_notice"}),
        ("2026-07-20T09:00:00Z", None, {"available": False, "reason": "outside_future_limit"}),
        (
            "2026-05-20T09:45:00Z",
            None,
            {"available": False, "reason": "slot_busy", "next_available": "2026-05-20T10:00:00.000Z"},
        ),
        (
            "2026-05-20T10:00:00Z",
            "2026-05-20T11:00:00Z",
            {"available": False, "reason": "slot_busy", "next_available": "2026-05-20T10:30:00.000Z"},
        ),
        ("2026-05-20T10:00:00Z", None, {"available": True, "duration_minutes": 30}),
    ],
)
def test_example_11_check_reasons(start: str, end: str | None, expected: dict) -> None:
    check = check_slot(
        NOTICE_INTRO,
        [HOST_ADA],
        [],
        now=EXAMPLE_11_NOW,
        start=at(start),
        end=at(end) if end else None,
    )
    assert check.to_data() == expected


@pytest.mark.parametrize("start", ["2026-05-20T05:00:00Z", "2026-05-20T10:00:00Z", "2026-07-20T09:00:00Z"])
def test_example_11_inactive_comes_first(start: str) -> None:
    inactive = dataclasses.replace(NOTICE_INTRO, active=False)
    check = check_slot(inactive, [HOST_ADA], [], now=EXAMPLE_11_NOW, start=at(start))
    assert check.to_data() == {"available": False, "reason": "event_type_inactive"}
    listed = slots_of(inactive, "2026-05-20T00:00:00Z", "2026-05-21T00:00:00Z", now=EXAMPLE_11_NOW)
    assert listed.slots == ()
