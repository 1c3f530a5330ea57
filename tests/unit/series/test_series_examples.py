"""The worked examples of 35-series replayed through the pure plans (§2.5, §6.4, §9.5, §10, §12.2)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from fortytwo.contract.series import ACTION_FIELDS, WEBHOOK_DATA, Series, SeriesActionResult
from fortytwo.domain.series import events
from fortytwo.domain.series.errors import SeriesRuleError
from fortytwo.domain.series.model import SeriesStatus

from .series_sim import ADA, HostRef, Sim, utc

BOB = HostRef("019d48b3-cc50-7238-b924-56de3eb13b91", "bob", "bob@example.org")

CREATE = {
    "event_type_id": "019d48ea-2e00-7f28-9fb1-7c2390c192cf",
    "host_user_id": ADA.user_id,
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


def created_example() -> Sim:
    """§6.4: now 2026-05-18T08:00Z; Ada already has a meeting at 2026-05-25T08:00Z."""
    sim = Sim(now=utc("2026-05-18T08:00:00Z"), busy={ADA.user_id: {utc("2026-05-25T08:00:00Z")}})
    sim.hosts[BOB.user_id] = BOB
    sim.create(CREATE)
    return sim


def test_create_example_gives_the_series_object_of_the_chapter() -> None:
    sim = created_example()
    view = sim.view()
    expected = {
        "uid": "019e3a19-5800-7c41-8a55-3f1d2b9e6a10",
        "version": 1,
        "event_type": {
            "id": "019d48ea-2e00-7f28-9fb1-7c2390c192cf",
            "slug": "intro-call",
            "name": "Intro call",
        },
        "host": {
            "user_id": "019d48b3-cc50-7238-b924-56de3eb13b90",
            "username": "ada",
            "email": "ada@example.com",
        },
        "attendee": {"name": "Bob Builder", "email": "bob@example.com", "phone": "+49 30 1234567"},
        "frequency": "weekly",
        "interval_weeks": 1,
        "weekdays": ["mon", "wed"],
        "time": "10:00",
        "timezone": "Europe/Berlin",
        "starts_on": "2026-05-20",
        "count": 4,
        "status": "active",
        "location_url": None,
        "notify_invitee": False,
        "source": "api",
        "metadata": {"crm_deal_id": "D-4471"},
        "responses": {},
        "owed": 0,
        "next_occurrence_at": "2026-05-20T08:00:00.000Z",
        "occurrences_remaining": 3,
        "occurrences": [
            {
                "index": 1,
                "date": "2026-05-20",
                "start_at": "2026-05-20T08:00:00.000Z",
                "state": "booked",
                "booking_uid": "booking-1",
                "reason": None,
            },
            {
                "index": 2,
                "date": "2026-05-25",
                "start_at": "2026-05-25T08:00:00.000Z",
                "state": "skipped",
                "booking_uid": None,
                "reason": "host_busy",
            },
            {
                "index": 3,
                "date": "2026-05-27",
                "start_at": "2026-05-27T08:00:00.000Z",
                "state": "booked",
                "booking_uid": "booking-2",
                "reason": None,
            },
            {
                "index": 4,
                "date": "2026-06-01",
                "start_at": "2026-06-01T08:00:00.000Z",
                "state": "booked",
                "booking_uid": "booking-3",
                "reason": None,
            },
        ],
        "created_at": "2026-05-18T08:00:00.000Z",
        "updated_at": "2026-05-18T08:00:00.000Z",
        "ended_at": None,
    }
    assert json.dumps(view) == json.dumps(expected)  # field order included
    assert list(Series.model_validate(view).model_dump()) == list(view)
    listed = sim.view(detail=False)
    assert listed["occurrences"] is None and listed["responses"] is None
    name, data = events.created(view)
    assert name == "series.created"
    WEBHOOK_DATA[name].model_validate(data)


def test_patch_time_example_rebooks_every_meeting_still_to_come() -> None:
    # §9.5: { "time": "11:00" } with If-Match "1".
    sim = created_example()
    plan = sim.patch({"time": "11:00"})
    assert plan.changed and plan.pattern_changed and plan.changed_fields == ("time",)
    assert [r.index for r in plan.releases] == [1, 3, 4]
    assert [b.index for b in plan.books] == [1, 2, 3, 4]
    view = sim.view()
    assert view["version"] == 2 and view["time"] == "11:00"
    occurrences = view["occurrences"]
    assert [o["start_at"] for o in occurrences] == [
        "2026-05-20T09:00:00.000Z",
        "2026-05-25T09:00:00.000Z",
        "2026-05-27T09:00:00.000Z",
        "2026-06-01T09:00:00.000Z",
    ]
    assert [o["state"] for o in occurrences] == ["booked"] * 4  # 2 was retried at 09:00Z and was free
    assert all(not sim.meetings[uid].active for uid in ("booking-1", "booking-2", "booking-3"))
    assert set(sim.canceled_reasons.values()) == {"Series pattern changed"}
    assert [
        o["index"] for o in occurrences if o["booking_uid"] in ("booking-1", "booking-2", "booking-3")
    ] == []


def test_patch_with_the_stored_values_changes_nothing() -> None:
    sim = created_example()
    plan = sim.patch({"time": "10:00", "weekdays": ["wed", "mon"], "notify_invitee": False})
    assert not plan.changed and plan.series.version == 1 and not plan.books


def test_patch_keeps_meetings_whose_start_does_not_change() -> None:
    sim = created_example()
    # Adding Friday: occurrences re-pair onto mon/wed/fri dates; 05-20 keeps its meeting.
    plan = sim.patch({"weekdays": ["mon", "wed", "fri"]})
    assert 1 not in [r.index for r in plan.releases]
    assert sim.series is not None and sim.series.occurrence(1).booking_uid == "booking-1"
    dates = [o["date"] for o in sim.view()["occurrences"]]
    assert dates == ["2026-05-20", "2026-05-22", "2026-05-25", "2026-05-27"]
    assert sim.view()["occurrences"][2]["state"] == "skipped"  # 05-25 08:00Z is still busy


def test_patch_location_url_needs_a_stored_link() -> None:
    sim = created_example()
    with pytest.raises(SeriesRuleError) as caught:
        sim.patch({"location_url": "https://meet.example.com/x"})
    assert caught.value.code == "location_url_not_set"


def test_pause_resume_end_lifecycle_of_the_chapter() -> None:
    sim = created_example()
    sim.now = utc("2026-05-19T09:30:00Z")
    paused = sim.pause()
    assert paused.result == {"held": 3, "owed": 3}  # the §12.2 example
    assert paused.series.status is SeriesStatus.PAUSED and paused.series.version == 2
    assert set(sim.canceled_reasons.values()) == {"Series paused"}
    name, data = events.paused(sim.view(), paused)
    assert (name, data["held"], data["owed"], data["series"]["status"]) == ("series.paused", 3, 3, "paused")
    WEBHOOK_DATA[name].model_validate(data)
    again = sim.pause()
    assert again.result == {"held": 0, "owed": 3} and not again.changed

    # Resume a week later: the held occurrences get the pattern's next free dates.
    sim.now = utc("2026-05-26T12:00:00Z")
    resumed = sim.resume()
    assert resumed.result["created"] == 3 and resumed.result["owed"] == 0
    assert resumed.series.status is SeriesStatus.ACTIVE
    view = sim.view()
    # 05-25 is skipped (a past occurrence), the held 1, 3, 4 take 05-27, 06-01, 06-03.
    assert [(o["index"], o["date"], o["state"]) for o in view["occurrences"]] == [
        (1, "2026-05-27", "booked"),
        (2, "2026-05-25", "skipped"),
        (3, "2026-06-01", "booked"),
        (4, "2026-06-03", "booked"),
    ]
    result = events.action_result(resumed, view)
    assert list(result) == list(ACTION_FIELDS["resume"])
    SeriesActionResult.model_validate(result)
    assert sim.resume().result == {"created": 0, "owed": 0, "skipped": []}

    sim.now = utc("2026-05-27T08:10:00Z")  # occurrence 1 is in progress: kept
    ended = sim.end()
    assert ended.result == {"canceled": 2}
    view = sim.view()
    assert view["status"] == "ended" and view["ended_at"] == "2026-05-27T08:10:00.000Z"
    assert [o["state"] for o in view["occurrences"]] == ["booked", "skipped", "canceled", "canceled"]
    assert sim.end().result == {"canceled": 0}
    for action in (sim.pause, sim.resume, lambda: sim.change_host(BOB.user_id)):
        with pytest.raises(SeriesRuleError) as caught:
            action()
        assert caught.value.code == "series_ended"


def test_resume_reports_skipped_dates_and_stays_paused_while_owed() -> None:
    sim = created_example()
    sim.pause()
    # Every Monday and Wednesday at 08:00Z is now busy for ada except 2026-07-01.
    day = utc("2026-05-20T08:00:00Z")
    while day < utc("2027-01-01T00:00:00Z"):
        if day.weekday() in (0, 2) and day != utc("2026-07-01T08:00:00Z"):
            sim.busy[ADA.user_id].add(day)
        day += timedelta(days=1)
    finished = sim.resume()
    assert finished.result["created"] == 1 and finished.result["owed"] == 2
    assert finished.series.status is SeriesStatus.PAUSED and finished.changed
    skipped = finished.result["skipped"]
    assert len(skipped) == 41  # at most 42 candidates examined; one was booked
    assert skipped[0] == {"date": "2026-05-20", "start_at": "2026-05-20T08:00:00.000Z", "reason": "host_busy"}
    assert [s["date"] for s in skipped] == sorted(s["date"] for s in skipped)
    booked = [o for o in sim.view()["occurrences"] if o["state"] == "booked"]
    assert [(o["index"], o["date"]) for o in booked] == [(1, "2026-07-01")]


def test_change_host_stops_at_the_first_busy_meeting_and_can_be_repeated() -> None:
    sim = created_example()
    sim.busy[BOB.user_id] = {utc("2026-05-27T08:00:00Z")}
    first = sim.change_host(BOB.user_id)
    assert first.result == {
        "moved": 1,
        "unchanged": 0,
        "stopped_by": "host_busy",
        "stopped_at": "2026-05-27T08:00:00.000Z",
    }
    assert not first.changed and first.series.host_user_id == ADA.user_id and first.series.version == 1
    sim.busy[BOB.user_id].clear()
    second = sim.change_host(BOB.user_id)
    assert second.result == {"moved": 2, "unchanged": 1, "stopped_by": None, "stopped_at": None}
    assert second.changed and second.series.host_user_id == BOB.user_id and second.series.version == 2
    name, data = events.host_changed(sim.view(), second, ADA)
    assert data["previous_host"] == ADA.to_api() and data["series"]["host"]["username"] == "bob"
    WEBHOOK_DATA[name].model_validate(data)
    third = sim.change_host(BOB.user_id)
    assert third.result["unchanged"] == 3 and third.result["moved"] == 0 and not third.changed


def test_meetings_changed_through_bookings_are_followed() -> None:
    sim = created_example()
    # Occurrence 3's meeting canceled through /v1/bookings; occurrence 4's rescheduled.
    sim.meetings["booking-2"] = sim.meetings["booking-2"].__class__(
        "booking-2", False, utc("2026-05-27T08:00:00Z"), utc("2026-05-27T08:30:00Z"), ADA.user_id
    )
    moved = sim.meetings["booking-3"].__class__(
        "booking-9", True, utc("2026-06-02T14:00:00Z"), utc("2026-06-02T14:30:00Z"), ADA.user_id
    )
    # The service maps a stored uid to the newest booking of its chain.
    sim.meetings["booking-3"] = sim.meetings["booking-9"] = moved
    view = sim.view()
    assert view["version"] == 1
    assert [(o["state"], o["booking_uid"], o["date"]) for o in view["occurrences"][2:]] == [
        ("canceled", "booking-2", "2026-05-27"),
        ("booked", "booking-9", "2026-06-02"),
    ]
    assert view["occurrences_remaining"] == 2
    paused = sim.pause()
    assert paused.result == {"held": 2, "owed": 2}  # the canceled occurrence is not owed
