"""Engine rules beyond the worked examples: §4.2 details, §4.4 and the ruled-out behaviours of §4.6."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from slot_fixtures import (
    ADA,
    CONSULT,
    DEFAULT_NOW,
    GRACE,
    HOST_ADA,
    HOST_GRACE,
    INTRO_CALL,
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

from fortytwo.domain.scheduling import (
    EventTypeRules,
    Host,
    OutOfOffice,
    SchedulingType,
    UnavailableReason,
    check_slot,
    compute_slots,
    evaluate,
    next_available,
)


def _host(user_id: str, document: dict, **fields: object) -> Host:
    return Host(user_id, schedule(document), **fields)  # type: ignore[arg-type]


def _rules(**fields: object) -> EventTypeRules:
    base: dict = {"id": "et", "duration_minutes": 30, "minimum_notice_minutes": 0, "future_limit_days": 60}
    base.update(fields)
    return EventTypeRules(**base)


KIRITIMATI_MONDAY = {"timezone": "Pacific/Kiritimati", "weekly": {"mon": ["09:00-10:00"]}}
EARLY = at("2026-05-01T00:00:00Z")


def test_far_offset_zone_weekday_is_the_local_one() -> None:
    # Monday 09:00 at UTC+14 is Sunday 19:00Z.
    host = _host(ADA, KIRITIMATI_MONDAY)
    result = slots_of(_rules(), "2026-05-17T00:00:00Z", "2026-05-19T00:00:00Z", hosts=[host], now=EARLY)
    assert starts(result) == ["2026-05-17T19:00:00.000Z", "2026-05-17T19:30:00.000Z"]


def _kiritimati_slots(**document: object) -> int:
    ooo = document.pop("out_of_office_day", None)
    host = _host(ADA, {**KIRITIMATI_MONDAY, **document})
    if ooo is not None:
        day = date.fromisoformat(str(ooo))
        host = dataclasses.replace(host, out_of_office=(OutOfOffice(day, day),))
    return len(
        slots_of(_rules(), "2026-05-17T00:00:00Z", "2026-05-19T00:00:00Z", hosts=[host], now=EARLY).slots
    )


def test_overrides_and_out_of_office_match_the_exact_local_date() -> None:
    assert _kiritimati_slots(overrides={"2026-05-17": []}) == 2  # the UTC date: no effect
    assert _kiritimati_slots(overrides={"2026-05-18": []}) == 0  # the local date
    assert _kiritimati_slots(overrides={"2026-05-19": []}) == 2  # never ±1 day
    assert _kiritimati_slots(out_of_office_day="2026-05-17") == 2
    assert _kiritimati_slots(out_of_office_day="2026-05-18") == 0
    assert _kiritimati_slots(out_of_office_day="2026-05-19") == 2


def test_out_of_office_beats_overrides() -> None:
    host = _host(
        ADA,
        {
            "timezone": "Europe/London",
            "weekly": {"wed": ["09:00-17:00"]},
            "overrides": {"2026-05-20": ["10:00-11:00"]},
            "out_of_office": [],
        },
        out_of_office=(OutOfOffice(at("2026-05-19T00:00:00Z").date(), at("2026-05-21T00:00:00Z").date()),),
    )
    assert slots_of(_rules(), "2026-05-20T00:00:00Z", "2026-05-21T00:00:00Z", hosts=[host]).slots == ()


def test_2359_is_not_midnight_and_2400_is() -> None:
    window = ("2026-05-20T00:00:00Z", "2026-05-21T00:00:00Z")
    until_2359 = _host(ADA, {"timezone": "UTC", "weekly": {"wed": ["22:00-23:59"]}})
    assert starts(slots_of(_rules(), *window, hosts=[until_2359]))[-1] == "2026-05-20T23:00:00.000Z"
    until_2400 = _host(ADA, {"timezone": "UTC", "weekly": {"wed": ["22:00-24:00"]}})
    assert starts(slots_of(_rules(), *window, hosts=[until_2400]))[-1] == "2026-05-20T23:30:00.000Z"


def test_window_is_exactly_start_inclusive_end_exclusive() -> None:
    result = slots_of(INTRO_CALL, "2026-05-20T08:30:00Z", "2026-05-20T09:30:00Z")
    assert starts(result) == ["2026-05-20T08:30:00.000Z", "2026-05-20T09:00:00.000Z"]
    mid_slot = slots_of(INTRO_CALL, "2026-05-20T08:10:00Z", "2026-05-20T08:31:00Z")
    assert starts(mid_slot) == ["2026-05-20T08:30:00.000Z"]


def test_overnight_ranges_join_but_keep_their_anchors() -> None:
    host = _host(ADA, {"timezone": "UTC", "weekly": {"mon": ["22:00-24:00"], "tue": ["00:00-02:00"]}})
    rules = _rules(duration_minutes=60, slot_increment_minutes=45)
    result = slots_of(rules, "2026-05-18T00:00:00Z", "2026-05-20T00:00:00Z", hosts=[host])
    assert starts(result) == [
        "2026-05-18T22:00:00.000Z",
        "2026-05-18T22:45:00.000Z",
        "2026-05-18T23:30:00.000Z",  # runs into Tuesday's touching segment
        "2026-05-19T00:00:00.000Z",  # Tuesday's own anchor
        "2026-05-19T00:45:00.000Z",
    ]


def test_ranges_that_do_not_touch_do_not_join() -> None:
    host = _host(ADA, {"timezone": "UTC", "weekly": {"mon": ["22:00-23:50"], "tue": ["00:00-02:00"]}})
    result = slots_of(
        _rules(duration_minutes=60), "2026-05-18T00:00:00Z", "2026-05-20T00:00:00Z", hosts=[host]
    )
    assert "2026-05-18T23:30:00.000Z" not in starts(result)
    assert starts(result)[:1] == ["2026-05-18T22:00:00.000Z"]


def test_slot_never_runs_past_its_segment_within_a_date() -> None:
    host = _host(ADA, {"timezone": "UTC", "weekly": {"wed": ["09:00-10:00", "10:10-12:00"]}})
    result = slots_of(
        _rules(duration_minutes=45, slot_increment_minutes=15),
        "2026-05-20T00:00:00Z",
        "2026-05-21T00:00:00Z",
        hosts=[host],
    )
    assert starts(result) == [
        "2026-05-20T09:00:00.000Z",
        "2026-05-20T09:15:00.000Z",
        "2026-05-20T10:10:00.000Z",
        "2026-05-20T10:25:00.000Z",
        "2026-05-20T10:40:00.000Z",
        "2026-05-20T10:55:00.000Z",
        "2026-05-20T11:10:00.000Z",
    ]


def test_increment_differs_from_duration() -> None:
    result = slots_of(
        dataclasses.replace(INTRO_CALL, duration_minutes=60, slot_increment_minutes=20),
        "2026-05-20T00:00:00Z",
        "2026-05-20T11:00:00Z",
    )
    assert starts(result) == [
        "2026-05-20T08:00:00.000Z",
        "2026-05-20T08:20:00.000Z",
        "2026-05-20T08:40:00.000Z",
        "2026-05-20T09:00:00.000Z",
        "2026-05-20T09:20:00.000Z",
        "2026-05-20T09:40:00.000Z",
        "2026-05-20T10:00:00.000Z",
    ]


def test_future_limit_is_elapsed_time() -> None:
    rules = dataclasses.replace(INTRO_CALL, future_limit_days=2)  # now + 48 h = 2026-05-20T08:00Z
    result = slots_of(rules, "2026-05-20T00:00:00Z", "2026-05-21T00:00:00Z")
    assert result.slots == ()
    result = slots_of(
        rules, "2026-05-19T00:00:00Z", "2026-05-21T00:00:00Z", now=at("2026-05-18T08:00:00.001Z")
    )
    assert starts(result)[-1] == "2026-05-20T08:00:00.000Z"


def test_pending_is_busy_and_canceled_or_rescheduled_is_not() -> None:
    window = ("2026-05-20T08:00:00Z", "2026-05-20T09:00:00Z")
    for status, busy in (("pending", True), ("confirmed", True), ("canceled", False), ("rescheduled", False)):
        state = [booking(CONSULT, ADA, "2026-05-20T08:00:00Z", status=status)]
        listed = starts(slots_of(INTRO_CALL, *window, bookings=state))
        assert ("2026-05-20T08:00:00.000Z" not in listed) is busy, status


def test_bookings_of_other_hosts_do_not_block() -> None:
    state = [booking(INTRO_CALL, GRACE, "2026-05-20T08:00:00Z")]
    assert (
        len(slots_of(INTRO_CALL, "2026-05-20T08:00:00Z", "2026-05-20T09:00:00Z", bookings=state).slots) == 2
    )


def test_truncated_after_2000_slots() -> None:
    host = _host(ADA, {"timezone": "UTC", "weekly": dict.fromkeys(["mon", "tue", "wed"], ["00:00-24:00"])})
    rules = _rules(duration_minutes=1, slot_increment_minutes=1)
    result = slots_of(rules, "2026-05-18T00:00:00Z", "2026-05-20T00:00:00Z", hosts=[host])
    assert len(result.slots) == 2000
    assert result.truncated is True
    assert result.to_data()["truncated"] is True
    assert iso(result.slots[-1].start) == "2026-05-19T17:19:00.000Z"  # 2000 minutes after now
    exactly = slots_of(rules, "2026-05-18T00:00:00Z", "2026-05-19T17:20:00Z", hosts=[host])
    assert len(exactly.slots) == 2000 and exactly.truncated is False
    assert "truncated" not in exactly.to_data()


# ---------------------------------------------------------------- round robin


def test_round_robin_host_outside_own_hours_is_not_offered() -> None:
    result = slots_of(SALES_DEMO, "2026-05-20T08:00:00Z", "2026-05-20T21:00:00Z")
    for slot in result.slots:
        if slot.start < at("2026-05-20T13:00:00Z"):
            assert slot.host_user_id == ADA  # grace starts at 13:00Z
        if slot.start >= at("2026-05-20T16:00:00Z"):
            assert slot.host_user_id == GRACE  # ada ends at 16:00Z
    assert iso(result.slots[-1].start) == "2026-05-20T20:30:00.000Z"


def test_round_robin_without_history_prefers_the_lowest_id() -> None:
    result = slots_of(SALES_DEMO, "2026-05-20T13:00:00Z", "2026-05-20T14:00:00Z")
    assert [slot.host_user_id for slot in result.slots] == [ADA, ADA]  # ada's id sorts first


def test_round_robin_last_assignment_counts_meetings_of_earlier_months() -> None:
    # Both hosts have 0 meetings created in May; grace's last one is older, so she ranks first.
    state = [
        booking(SALES_DEMO, ADA, "2026-04-29T13:00:00Z", created_at="2026-04-20T00:00:00Z"),
        booking(SALES_DEMO, GRACE, "2026-03-10T15:00:00Z", created_at="2026-03-01T00:00:00Z"),
    ]
    result = slots_of(SALES_DEMO, "2026-05-20T13:00:00Z", "2026-05-20T14:00:00Z", bookings=state)
    assert [slot.host_user_id for slot in result.slots] == [GRACE, GRACE]


def test_round_robin_union_of_grids() -> None:
    # grace's grid is on :15 and :45; each start is offered only with a host whose grid holds it.
    grace = Host(GRACE, schedule({"timezone": "America/New_York", "weekly": {"wed": ["09:15-17:00"]}}))
    result = slots_of(SALES_DEMO, "2026-05-20T13:00:00Z", "2026-05-20T14:30:00Z", hosts=[HOST_ADA, grace])
    assert [(iso(s.start), s.host_user_id) for s in result.slots] == [
        ("2026-05-20T13:00:00.000Z", ADA),
        ("2026-05-20T13:15:00.000Z", GRACE),
        ("2026-05-20T13:30:00.000Z", ADA),
        ("2026-05-20T13:45:00.000Z", GRACE),
        ("2026-05-20T14:00:00.000Z", ADA),
        ("2026-05-20T14:15:00.000Z", GRACE),
    ]


def test_round_robin_account_wide_cap_moves_the_slot_to_the_other_host() -> None:
    ada = with_limits(HOST_ADA, per_day=1)
    state = [booking(CONSULT, ADA, "2026-05-20T08:00:00Z")]
    result = slots_of(
        SALES_DEMO, "2026-05-20T12:00:00Z", "2026-05-20T14:00:00Z", bookings=state, hosts=[ada, HOST_GRACE]
    )
    assert [(iso(s.start), s.host_user_id) for s in result.slots] == [
        ("2026-05-20T13:00:00.000Z", GRACE),
        ("2026-05-20T13:30:00.000Z", GRACE),
    ]


def test_team_event_type_limits_use_utc_days() -> None:
    rules = dataclasses.replace(SALES_DEMO, max_bookings_per_day=1)
    state = [booking(rules, GRACE, "2026-05-20T22:00:00Z")]  # 18:00 EDT on the 20th, UTC date 20th
    result = slots_of(rules, "2026-05-20T12:00:00Z", "2026-05-21T14:00:00Z", bookings=state)
    assert starts(result) and all(iso(s.start) >= "2026-05-21" for s in result.slots)


def test_user_owned_event_type_needs_exactly_its_owner() -> None:
    with pytest.raises(ValueError):
        compute_slots(
            INTRO_CALL, [HOST_ADA, HOST_GRACE], [], now=DEFAULT_NOW, start=DEFAULT_NOW, end=DEFAULT_NOW
        )
    with pytest.raises(ValueError):
        compute_slots(SALES_DEMO, [], [], now=DEFAULT_NOW, start=DEFAULT_NOW, end=DEFAULT_NOW)


# ---------------------------------------------------------------- group


TEAM_WORKSHOP = dataclasses.replace(WORKSHOP, id="team-workshop", team_owned=True, timezone=None)


def test_team_group_session_keeps_its_host() -> None:
    state = [booking(TEAM_WORKSHOP, GRACE, "2026-05-20T14:00:00Z", seats_taken=1)]
    result = slots_of(
        TEAM_WORKSHOP,
        "2026-05-20T13:00:00Z",
        "2026-05-20T16:00:00Z",
        bookings=state,
        hosts=[HOST_ADA, HOST_GRACE],
    )
    assert [(iso(s.start), s.host_user_id, s.seats_remaining) for s in result.slots] == [
        ("2026-05-20T13:00:00.000Z", ADA, 3),
        ("2026-05-20T14:00:00.000Z", GRACE, 2),
        ("2026-05-20T15:00:00.000Z", ADA, 3),
    ]


def test_group_host_cannot_open_a_session_overlapping_its_own_session() -> None:
    rules = dataclasses.replace(TEAM_WORKSHOP, slot_increment_minutes=30)
    state = [booking(rules, ADA, "2026-05-20T13:00:00Z")]
    result = slots_of(
        rules, "2026-05-20T12:00:00Z", "2026-05-20T14:00:00Z", bookings=state, hosts=[HOST_ADA, HOST_GRACE]
    )
    assert [(iso(s.start), s.host_user_id, s.seats_remaining) for s in result.slots] == [
        ("2026-05-20T12:00:00.000Z", ADA, 3),
        ("2026-05-20T13:00:00.000Z", ADA, 2),  # joins ada's session
        ("2026-05-20T13:30:00.000Z", GRACE, 3),  # ada is inside her own session
    ]


def test_group_joining_ignores_limits_but_opening_does_not() -> None:
    rules = dataclasses.replace(WORKSHOP, max_bookings_per_day=1)
    state = [booking(rules, ADA, "2026-05-20T09:00:00Z")]
    result = slots_of(rules, "2026-05-20T08:00:00Z", "2026-05-20T11:00:00Z", bookings=state)
    assert [(iso(s.start), s.seats_remaining) for s in result.slots] == [("2026-05-20T09:00:00.000Z", 2)]


def test_pre_aggregated_session_seats() -> None:
    state = [booking(WORKSHOP, ADA, "2026-05-20T09:00:00Z", seats_taken=3)]
    assert starts(slots_of(WORKSHOP, "2026-05-20T09:00:00Z", "2026-05-20T10:00:00Z", bookings=state)) == []


# ---------------------------------------------------------------- single start and reschedule


def test_reschedule_treats_the_booking_as_absent() -> None:
    moved = booking(INTRO_CALL, ADA, "2026-05-20T08:00:00Z", booking_id="x")
    blocker = booking(CONSULT, ADA, "2026-05-20T12:00:00Z")
    start = at("2026-05-20T08:00:00Z")
    assert not evaluate(INTRO_CALL, [HOST_ADA], [moved, blocker], now=DEFAULT_NOW, start=start).bookable
    same = evaluate(
        INTRO_CALL, [HOST_ADA], [moved, blocker], now=DEFAULT_NOW, start=start, exclude_booking_id="x"
    )
    assert same.bookable and same.host_user_id == ADA and same.candidate_host_ids == (ADA,)

    capped = dataclasses.replace(INTRO_CALL, max_bookings_per_day=1)
    later = at("2026-05-20T14:00:00Z")
    assert not evaluate(capped, [HOST_ADA], [moved], now=DEFAULT_NOW, start=later).bookable
    assert evaluate(
        capped, [HOST_ADA], [moved], now=DEFAULT_NOW, start=later, exclude_booking_id="x"
    ).bookable


def test_reschedule_out_of_a_full_group_session_frees_its_seat() -> None:
    registrations = [booking(WORKSHOP, ADA, "2026-05-20T09:00:00Z", booking_id=f"r{i}") for i in range(3)]
    start = at("2026-05-20T09:00:00Z")
    assert not evaluate(WORKSHOP, [HOST_ADA], registrations, now=DEFAULT_NOW, start=start).bookable
    again = evaluate(
        WORKSHOP, [HOST_ADA], registrations, now=DEFAULT_NOW, start=start, exclude_booking_id="r0"
    )
    assert again.bookable and again.joins_session and again.seats_taken == 2 and again.seats_remaining == 1


def test_evaluate_reasons_and_sub_millisecond_start() -> None:
    evaluation = evaluate(INTRO_CALL, [HOST_ADA], [], now=DEFAULT_NOW, start=at("2026-05-20T08:00:00Z"))
    assert evaluation.bookable and evaluation.reason is None
    assert evaluation.end - evaluation.start == timedelta(minutes=30)
    odd = at("2026-05-20T08:00:00Z") + timedelta(microseconds=1)
    assert (
        evaluate(INTRO_CALL, [HOST_ADA], [], now=DEFAULT_NOW, start=odd).reason is UnavailableReason.SLOT_BUSY
    )
    past = evaluate(INTRO_CALL, [HOST_ADA], [], now=DEFAULT_NOW, start=at("2026-05-18T07:59:59.999Z"))
    assert past.reason is UnavailableReason.IN_PAST
    exactly_now = evaluate(INTRO_CALL, [HOST_ADA], [], now=DEFAULT_NOW, start=DEFAULT_NOW)
    assert exactly_now.bookable  # 09:00 BST on Monday: s == now is neither past nor inside the notice
    saturday = evaluate(INTRO_CALL, [HOST_ADA], [], now=DEFAULT_NOW, start=at("2026-05-23T09:00:00Z"))
    assert saturday.reason is UnavailableReason.SLOT_BUSY and saturday.host_user_id is None


def test_next_available_searches_up_to_the_future_limit() -> None:
    rules = dataclasses.replace(INTRO_CALL, future_limit_days=3)
    # Saturday start: nothing until Monday 2026-05-25T08:00Z, after now + 3 days (07:00Z).
    check = check_slot(
        rules, [HOST_ADA], [], now=at("2026-05-22T07:00:00Z"), start=at("2026-05-23T09:00:00Z")
    )
    assert check.to_data() == {"available": False, "reason": "slot_busy", "next_available": None}
    found = next_available(
        INTRO_CALL, [HOST_ADA], [], now=at("2026-05-22T17:00:00Z"), after=at("2026-05-23T09:00:00Z")
    )
    assert found == at("2026-05-25T08:00:00Z")


def test_next_available_far_away() -> None:
    host = _host(ADA, {"timezone": "UTC", "overrides": {"2026-07-01": ["10:00-11:00"]}})
    found = next_available(INTRO_CALL, [host], [], now=DEFAULT_NOW, after=at("2026-05-20T00:00:00Z"))
    assert found == at("2026-07-01T10:00:00Z")


def test_scheduling_type_accepts_plain_strings() -> None:
    rules = _rules(scheduling_type="group", seats=None)
    assert rules.scheduling_type is SchedulingType.GROUP and rules.seat_capacity == 10
