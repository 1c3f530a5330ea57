"""Action plans beyond the chapter's worked examples (35-series §2.2, §9.4, §10, §11.3)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fortytwo.domain.series import actions, events
from fortytwo.domain.series.errors import SeriesRuleError
from fortytwo.domain.series.model import OccurrenceState, PendingAction, SeriesStatus
from fortytwo.domain.series.requests import parse_patch
from fortytwo.domain.series.status import Operation, is_noop, next_status

from .series_sim import Sim, utc
from .test_series_examples import CREATE, created_example


def test_status_table_of_the_chapter() -> None:
    active, paused, ended = SeriesStatus.ACTIVE, SeriesStatus.PAUSED, SeriesStatus.ENDED
    assert next_status(active, Operation.PAUSE) is paused
    assert next_status(paused, Operation.PAUSE) is paused
    assert next_status(paused, Operation.RESUME, owed_after=0) is active
    assert next_status(paused, Operation.RESUME, owed_after=2) is paused
    assert next_status(active, Operation.RESUME) is active
    assert next_status(active, Operation.END) is ended and next_status(paused, Operation.END) is ended
    assert next_status(ended, Operation.END) is ended
    for status in (active, paused):
        assert next_status(status, Operation.PATCH) is status
        assert next_status(status, Operation.CHANGE_HOST) is status
    for operation in (Operation.PAUSE, Operation.RESUME, Operation.PATCH, Operation.CHANGE_HOST):
        with pytest.raises(SeriesRuleError) as caught:
            next_status(ended, operation)
        assert caught.value.code == "series_ended"
    assert [
        is_noop(s, o)
        for s, o in ((paused, Operation.PAUSE), (active, Operation.RESUME), (ended, Operation.END))
    ] == [True] * 3
    assert not is_noop(active, Operation.PAUSE)


def test_patch_to_monthly_repairs_the_meetings_to_come_on_the_day_of_starts_on() -> None:
    sim = created_example()
    plan = sim.patch({"frequency": "monthly_same_day"})
    assert plan.changed_fields == ("frequency",)
    view = sim.view()
    assert (view["frequency"], view["weekdays"], view["interval_weeks"]) == ("monthly_same_day", [], None)
    # 05-20 keeps its meeting; the rest move to the 20th of the following months.
    assert [(o["date"], o["state"]) for o in view["occurrences"]] == [
        ("2026-05-20", "booked"),
        ("2026-06-20", "booked"),
        ("2026-07-20", "booked"),
        ("2026-08-20", "booked"),
    ]
    assert sim.series is not None and sim.series.occurrence(1).booking_uid == "booking-1"


def test_patch_leaves_past_and_in_progress_meetings_and_user_cancels_alone() -> None:
    sim = created_example()
    sim.now = utc("2026-05-20T08:10:00Z")  # occurrence 1 is in progress
    uid = sim.series.occurrence(3).booking_uid  # type: ignore[union-attr]
    assert uid is not None
    sim.meetings[uid] = replace(sim.meetings[uid], active=False)  # canceled through /v1/bookings
    sim.patch({"time": "09:00"})
    occurrences = sim.view()["occurrences"]
    assert occurrences[0]["start_at"] == "2026-05-20T08:00:00.000Z" and occurrences[0]["state"] == "booked"
    assert occurrences[2] == {**occurrences[2], "state": "canceled", "date": "2026-05-27"}
    # T = occurrences 2 and 4; P skips the canceled date 05-27: 05-25 and 06-01 at 09:00 Berlin.
    assert [(o["index"], o["start_at"]) for o in occurrences if o["index"] in (2, 4)] == [
        (2, "2026-05-25T07:00:00.000Z"),
        (4, "2026-06-01T07:00:00.000Z"),
    ]


def test_patch_pairs_with_every_pattern_date_after_now_even_later_today() -> None:
    # §9.4 step 1 as written: P holds every pattern date whose new start is after `now`, so a later
    # time today pairs with the first meeting to come although today's meeting is in progress.
    sim = created_example()
    sim.now = utc("2026-05-20T08:10:00Z")
    sim.patch({"time": "12:00"})
    occurrences = sim.view()["occurrences"]
    assert [(o["index"], o["start_at"]) for o in occurrences] == [
        (1, "2026-05-20T08:00:00.000Z"),
        (2, "2026-05-20T10:00:00.000Z"),
        (3, "2026-05-25T10:00:00.000Z"),
        (4, "2026-05-27T10:00:00.000Z"),
    ]


def test_patch_on_a_paused_series_stores_the_pattern_and_rebooks_nothing() -> None:
    sim = created_example()
    sim.pause()
    before = sim.series
    plan = sim.patch({"time": "07:00", "timezone": "Europe/London"})
    assert plan.changed and plan.pattern_changed and not plan.releases and not plan.books
    assert not plan.needs_bookable_event_type
    assert sim.series is not None and sim.series.version == before.version + 1  # type: ignore[union-attr]
    resumed = sim.resume()  # the walk uses the new pattern
    assert resumed.result["created"] == 3
    starts = [o["start_at"] for o in sim.view()["occurrences"] if o["state"] == "booked"]
    assert starts[0] == "2026-05-20T06:00:00.000Z"  # 07:00 London (BST)


def test_location_change_updates_to_come_meetings_in_place() -> None:
    sim = Sim(now=utc("2026-05-18T08:00:00Z"))
    sim.create(CREATE | {"location_url": "https://meet.example.com/a"})
    sim.now = utc("2026-05-22T00:00:00Z")  # occurrence 1 is past
    plan = sim.patch({"location_url": "https://meet.example.com/b", "time": "10:00"})
    assert plan.changed and not plan.pattern_changed and plan.changed_fields == ("location_url", "time")
    assert [u.index for u in plan.location_updates] == [2, 3, 4]
    assert all(u.url == "https://meet.example.com/b" for u in plan.location_updates)
    name, data = events.updated(sim.view(), plan.changed_fields)
    assert (name, data["changed_fields"]) == ("series.updated", ["location_url", "time"])
    # A pattern change and a new link together: rebooked meetings get the link directly.
    both = actions.plan_patch(
        sim.series,  # type: ignore[arg-type]
        parse_patch({"location_url": "https://meet.example.com/c", "time": "11:00"}),
        meetings=sim.meetings,
        now=sim.now,
    )
    assert both.location_updates == () and [r.index for r in both.releases] == [2, 3, 4]
    assert both.series.location_url == "https://meet.example.com/c"


def test_interrupted_patch_is_finished_releases_first() -> None:
    sim = created_example()
    plan = actions.plan_patch(sim.series, parse_patch({"time": "11:00"}), meetings=sim.meetings, now=sim.now)  # type: ignore[arg-type]
    record = plan.series  # transaction (a) committed, then the operation died
    assert {o.action for o in record.pending} == {PendingAction.RELEASE, PendingAction.BOOK}
    todo = actions.plan_finish_pending(record)
    kinds = [type(e).__name__ for e in todo]
    assert kinds == ["CancelMeeting"] * 3 + ["BookMeeting"] * 4
    assert [e.index for e in todo[3:]] == [1, 2, 3, 4]
    view = Sim(now=sim.now, meetings=sim.meetings, series=record).view()
    assert [o["state"] for o in view["occurrences"]] == ["pending"] * 4
    assert all(o["booking_uid"] is None for o in view["occurrences"])
    assert view["occurrences_remaining"] == 4 and view["next_occurrence_at"] is None


def test_resume_with_nothing_owed_activates_the_series() -> None:
    sim = Sim(now=utc("2026-05-18T08:00:00Z"))
    sim.create(CREATE)
    sim.now = utc("2026-07-01T00:00:00Z")  # every meeting is past
    paused = sim.pause()
    assert paused.result == {"held": 0, "owed": 0} and paused.changed
    resumed = sim.resume()
    assert resumed.result == {"created": 0, "owed": 0, "skipped": []}
    assert resumed.changed and resumed.series.status is SeriesStatus.ACTIVE
    assert sim.view()["next_occurrence_at"] is None and sim.view()["occurrences_remaining"] == 0


def test_end_cancels_held_occurrences_without_meetings() -> None:
    sim = created_example()
    sim.pause()
    finished = sim.end()
    assert finished.result == {"canceled": 0}  # the held ones had no meeting left
    assert [o["state"] for o in sim.view()["occurrences"]] == ["canceled", "skipped", "canceled", "canceled"]
    assert sim.view()["owed"] == 0 and finished.series.version == 3


def test_a_booking_canceled_meanwhile_is_not_held() -> None:
    sim = created_example()
    plan = actions.plan_pause(sim.series, meetings=sim.meetings, now=sim.now)  # type: ignore[arg-type]
    first = plan.effects[0]
    assert isinstance(first, actions.CancelMeeting)
    # The user cancels that meeting between the plan and its transaction.
    sim.meetings[first.booking_uid] = replace(sim.meetings[first.booking_uid], active=False)
    series = actions.meeting_gone(plan.series, first.index)
    assert series.occurrence(first.index).state is OccurrenceState.CANCELED and series.owed == 0
